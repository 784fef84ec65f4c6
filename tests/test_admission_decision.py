"""Mẫu 9-KNĐ: the admission decision's text in DOCX and PDF, golden files, parity, NFD input."""

from __future__ import annotations

import copy
import io
import unicodedata
from datetime import date

import docx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from docgen.domain.vietnamese import long_date, upper

from conftest import GOLDEN, SAMPLES, VALID_CANDIDATES, check_golden, decision_only, make_inputs, read_json
from doctext import docx_text, normalize, pdf_text

FORM = "admission-decision"


def render(engine, org, cand):
    form = engine.library.get(FORM)
    inputs = make_inputs(engine, org, cand)
    assert not [p for p in engine.problems([form], inputs) if p.severity == "error"]
    return engine.render(form, inputs)


def nfc(obj):
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, dict):
        return {k: nfc(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [nfc(v) for v in obj]
    return obj


def expected_strings(org: dict, cand: dict) -> list[str]:
    org, cand = nfc(org), nfc(cand)
    c = cand["candidate"]
    dec = cand["admission"]["decision"]
    d = date.fromisoformat(dec["date"])
    signer = org["committee"]["signer"]
    return [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "QUYẾT ĐỊNH",
        "kết nạp đảng viên",
        upper(org["superior"]["name"]),
        upper(org["committee"]["name"]),
        f"Số {dec['number']:02d}-QĐ/{org['committee']['symbol']}",
        f"{org['committee']['place']}, {long_date(d)}",
        c["full_name"],
        upper(c["full_name"]),
        "sinh " + long_date(date.fromisoformat(c["date_of_birth"])),
        c["hometown"],
        c["residence"],
        c["workplace"],
        f"T/M ĐẢNG ỦY {signer['title']}",  # the sample's committee decides by delegation
        signer["full_name"],
    ]


@pytest.mark.parametrize("path", VALID_CANDIDATES, ids=lambda p: p.stem)
def test_decision_carries_every_required_string(engine, org_data, path):
    cand = read_json(path)
    doc = render(engine, org_data, cand)
    dtext, ptext = docx_text(doc.docx), pdf_text(doc.pdf)
    for s in expected_strings(org_data, cand):
        s = normalize(s)
        assert s in dtext, f"DOCX lacks {s!r}"
        assert s in ptext, f"PDF lacks {s!r}"
    assert unicodedata.is_normalized("NFC", dtext) and unicodedata.is_normalized("NFC", ptext)


def test_number_and_date_line_as_the_rules_write_them(engine, org_data):
    cand = decision_only(nfc(read_json(VALID_CANDIDATES[0])))
    cand["admission"]["decision"].update(number=7, date="2026-02-05")
    cand["admission"]["cell_meeting"]["date"] = "2026-01-12"
    cand["admission"]["committee_resolution"]["date"] = "2026-01-26"
    org = copy.deepcopy(org_data)
    org["committee"].update(symbol="ĐUC", place="Hà Nội")
    doc = render(engine, org, cand)
    for text in (docx_text(doc.docx), pdf_text(doc.pdf)):
        assert "Số 07-QĐ/ĐUC" in text
        assert "Hà Nội, ngày 05 tháng 02 năm 2026" in text
        assert "Số: " not in text


@pytest.mark.parametrize("path", VALID_CANDIDATES, ids=lambda p: p.stem)
def test_pdf_text_equals_docx_text(engine, org_data, path):
    doc = render(engine, org_data, read_json(path))
    assert pdf_text(doc.pdf) == docx_text(doc.docx)


@pytest.mark.parametrize("path", VALID_CANDIDATES, ids=lambda p: p.stem)
def test_golden_text(engine, org_data, path, update_golden):
    check_golden(render(engine, org_data, read_json(path)), GOLDEN / FORM, path.stem, update_golden)


def test_nfd_input_gives_the_same_files_as_nfc(engine, org_data):
    nfd_path = next(p for p in VALID_CANDIDATES if "nfd" in p.stem)
    raw = read_json(nfd_path)
    assert not unicodedata.is_normalized("NFC", raw["candidate"]["full_name"])
    a = render(engine, org_data, raw)
    b = render(engine, org_data, nfc(raw))
    assert a.docx == b.docx
    assert a.pdf == b.pdf
    assert a.stem == b.stem


def test_xml_specials_in_names_come_out_literally(engine, org_data):
    org = copy.deepcopy(org_data)
    org["cell"]["name"] = "Chi bộ Phòng R&D <Thử nghiệm>"
    org["committee"]["name"] = "Đảng ủy Công ty A & B <Hà Nội>"
    org["superior"]["name"] = "Đảng bộ Khối \"Doanh nghiệp\" & 'Dịch vụ'"
    doc = render(engine, org, read_json(VALID_CANDIDATES[0]))
    opened = docx.Document(io.BytesIO(doc.docx))  # still a valid Word file
    assert opened.paragraphs
    for text in (docx_text(doc.docx), pdf_text(doc.pdf)):
        assert "Chi bộ Phòng R&D <Thử nghiệm>" in text
        assert "Đảng ủy Công ty A & B <Hà Nội>" in text
        assert "ĐẢNG ỦY CÔNG TY A & B <HÀ NỘI>" in text
        assert "&amp;" not in text and "&lt;" not in text


def test_ampersand_workplace_sample_is_literal(engine, org_data):
    path = next(p for p in VALID_CANDIDATES if "&" in read_json(p)["candidate"]["workplace"])
    cand = read_json(path)
    doc = render(engine, org_data, cand)
    assert cand["candidate"]["workplace"] in docx_text(doc.docx)
    assert cand["candidate"]["workplace"] in pdf_text(doc.pdf)


def test_ban_thuong_vu_variant(engine):
    org = read_json(SAMPLES / "org-btv.json")  # not delegated: the ward committee's standing committee decides
    doc = render(engine, org, read_json(VALID_CANDIDATES[0]))
    text = docx_text(doc.docx)
    assert "BAN THƯỜNG VỤ ĐẢNG ỦY PHƯỜNG HOÀNG MAI QUYẾT ĐỊNH:" in text
    assert "T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ Đỗ Quang Vinh" in text
    assert "ủy quyền" not in text  # no delegation line for a standing committee


def test_legal_bases_follow_the_decision_date(engine):
    # the superior's standing committee decides: the sample's delegation dates from 2025 and
    # a delegated committee cannot decide before it (dates.delegation)
    org_data = read_json(SAMPLES / "org-btv.json")
    cand = decision_only(nfc(read_json(VALID_CANDIDATES[0])))
    cand["admission"]["cell_meeting"]["date"] = "2018-10-01"
    cand["admission"]["committee_resolution"]["date"] = "2018-10-20"
    cand["admission"]["decision"]["date"] = "2018-11-07"
    text = docx_text(render(engine, org_data, cand).docx)
    assert "Quy định số 29-QĐ/TW" in text and "294-QĐ/TW" not in text
    cand["admission"]["cell_meeting"]["date"] = "2025-06-01"
    cand["admission"]["committee_resolution"]["date"] = "2025-06-20"
    cand["admission"]["decision"]["date"] = "2025-07-01"
    text = docx_text(render(engine, org_data, cand).docx)
    assert "Quy định số 294-QĐ/TW" in text and "Hướng dẫn số 06-HD/TW" in text


def test_margins_come_from_data(engine, org_data):
    org = copy.deepcopy(org_data)
    org["style"] = {"margins_mm": {"left": 35, "top": 25}}
    doc = render(engine, org, read_json(VALID_CANDIDATES[0]))
    section = docx.Document(io.BytesIO(doc.docx)).sections[0]
    assert round(section.left_margin.mm) == 35 and round(section.top_margin.mm) == 25
    assert round(section.right_margin.mm) == 15 and round(section.page_width.mm) == 210


def test_template_is_times_new_roman_a4(engine):
    d = docx.Document(str(engine.library.get(FORM).template))
    assert d.styles["Normal"].font.name == "Times New Roman"
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)


_vi_letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_word = st.text(alphabet=_vi_letters, min_size=1, max_size=8).map(str.capitalize)
_name = st.lists(_word, min_size=2, max_size=5).map(" ".join)
_place = st.lists(st.text(alphabet=_vi_letters + " &<>\"'.,-0123456789", min_size=1, max_size=12), min_size=1,
                  max_size=4).map(" ".join).filter(lambda s: any(c.isalnum() for c in s))  # required: a letter or digit


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_name, hometown=_place, workplace=_place, age=st.integers(19, 59), born_day=st.integers(1, 365),
       number=st.integers(1, 999), meeting=st.dates(date(2016, 8, 1), date(2030, 1, 1)), gap=st.integers(0, 45))
def test_any_valid_profile_round_trips(engine, org_data, name, hometown, workplace, age, born_day, number, meeting,
                                       gap):
    from datetime import timedelta

    born = date(meeting.year - age, 1, 1) + timedelta(days=born_day - 1)

    cand = {
        "candidate": {"full_name": name, "gender": "Nam", "date_of_birth": born.isoformat(), "hometown": hometown,
                      "residence": hometown, "workplace": workplace},
        "admission": {"cell_meeting": {"date": meeting.isoformat(), "resolution_number": 9, "members_total": 14,
                                       "members_official": 14, "members_probationary": 0, "present_official": 14,
                                       "present_probationary": 0, "approve": 10, "reject": 4},
                      "committee_resolution": {"number": 11, "date": meeting.isoformat(), "members_total": 9,
                                               "present": 9, "approve": 9, "reject": 0},
                      "decision": {"number": number, "date": (meeting + timedelta(days=gap)).isoformat()}},
    }
    org = copy.deepcopy(org_data)  # delegated no later than the meeting (dates.delegation)
    delegation = org["committee"]["delegation"]
    delegation["date"] = min(meeting, date.fromisoformat(delegation["date"])).isoformat()
    doc = render(engine, org, cand)
    dtext, ptext = docx_text(doc.docx), pdf_text(doc.pdf)
    assert dtext == ptext
    for s in expected_strings(org, cand):
        assert normalize(s) in dtext
