"""Two committees: the grassroots committee proposes, and the standing committee of the directly
superior committee decides unless admission is delegated (294-QĐ/TW §4.3.2b); the decision rests
on the cell's and the committee's resolutions; the cell's committee signs as the cell has one."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from docgen.cli import main
from docgen.load.forms import FormLibrary
from docgen.pipeline import Engine

from conftest import HUONG, LAN, ROOT, SAMPLES, make_inputs, read_json, recognition_profile
from doctext import docx_paragraphs, docx_text, normalize, pdf_text

DELEGATED = SAMPLES / "org.json"
BTV = SAMPLES / "org-btv.json"
CONGRESS = SAMPLES / "congress.json"


def render(engine, form_id: str, org: dict, subject: dict, kind: str = "candidate"):
    form = engine.library.get(form_id)
    inputs = make_inputs(engine, org, subject, kind)
    assert not [p for p in engine.problems([form], inputs) if p.severity == "error"]
    return engine.render(form, inputs)


def texts(doc) -> list[str]:
    """The DOCX and the PDF text of a document: each assertion holds for both."""
    return [docx_text(doc.docx), pdf_text(doc.pdf)]


def docgen(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- the 9-KNĐ, not delegated: the superior's standing committee decides ---------------------------
def test_a_non_delegated_decision_is_the_superior_standing_committees(engine):
    doc = render(engine, "admission-decision", read_json(BTV), read_json(HUONG))
    for text in texts(doc):
        assert text.startswith("Mẫu 9-KNĐ ĐẢNG BỘ THÀNH PHỐ HÀ NỘI ĐẢNG ỦY PHƯỜNG HOÀNG MAI * Số 12-QĐ/ĐU ")
        assert "Hoàng Mai, ngày 07 tháng 11 năm 2025" in text
        assert "BAN THƯỜNG VỤ ĐẢNG ỦY PHƯỜNG HOÀNG MAI QUYẾT ĐỊNH:" in text
        assert text.endswith("T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ Đỗ Quang Vinh")
        assert "Nguyễn Thị Thanh Bình" not in text  # the grassroots committee's signer signs its proposal only
        assert "T/M ĐẢNG ỦY" not in text and "ủy quyền" not in text


def test_its_xet_lines_cite_both_resolutions_and_the_grassroots_committee_only_as_proposer(engine):
    doc = render(engine, "admission-decision", read_json(BTV), read_json(HUONG))
    lines = docx_paragraphs(doc.docx)
    cell = ("- Xét Nghị quyết số 09-NQ/CB, ngày 20-10-2025 của Chi bộ Phân xưởng Lắp ráp đề nghị kết nạp đảng viên "
            "(10/14 đảng viên chính thức tán thành);")
    committee = ("- Xét Nghị quyết số 11-NQ/ĐUCT, ngày 30-10-2025 của Đảng ủy Công ty Cổ phần Cơ khí Hoàng Mai "
                 "đề nghị kết nạp đảng viên (9/9 cấp ủy viên tán thành),")
    assert lines[lines.index(cell) + 1] == committee
    assert lines[lines.index(committee) + 1] == "BAN THƯỜNG VỤ ĐẢNG ỦY PHƯỜNG HOÀNG MAI"
    # where the grassroots committee appears: in the line of its proposal, nowhere else
    assert [line for line in lines if "công ty cổ phần cơ khí hoàng mai" in line.lower()] == [committee]
    assert normalize(cell) in pdf_text(doc.pdf) and normalize(committee) in pdf_text(doc.pdf)


# -- the 9-KNĐ, delegated: the grassroots committee decides ---------------------------------------
def test_a_delegated_decision_cites_its_delegation_and_names_no_body_a_grassroots_committee_lacks(engine):
    doc = render(engine, "admission-decision", read_json(DELEGATED), read_json(HUONG))
    lines = docx_paragraphs(doc.docx)
    delegation = ("- Căn cứ Quyết định số 15-QĐ/ĐU, ngày 10-7-2025 của Ban Thường vụ Đảng ủy Bộ Công Thương về việc "
                  "ủy quyền cho Đảng ủy Cục Công Thương địa phương quyết định kết nạp đảng viên;")
    assert delegation in lines
    assert lines[lines.index(delegation) + 1].startswith("- Xét Nghị quyết số 09-NQ/CB, ngày 20-10-2025")
    assert ("- Xét Nghị quyết số 11-NQ/ĐUC, ngày 30-10-2025 của Đảng ủy Cục Công Thương địa phương về việc kết nạp "
            "đảng viên (9/9 cấp ủy viên tán thành),") in lines
    at = lines.index("Nơi nhận:")
    assert lines[at:at + 5] == ["Nơi nhận:", "- Ban Thường vụ Đảng ủy Bộ Công Thương (để báo cáo),", "- Như Điều 3,",
                                "- Lưu hồ sơ đảng viên,", "- Lưu Đảng ủy."]
    for text in texts(doc):
        assert "ĐẢNG BỘ BỘ CÔNG THƯƠNG ĐẢNG ỦY CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG * Số 12-QĐ/ĐUC" in text
        assert text.endswith("T/M ĐẢNG ỦY PHÓ BÍ THƯ Trần Thị Minh Hằng")
        assert normalize(delegation) in text
        for absent in ("Ban Tổ chức", "tham mưu", "Văn phòng Đảng ủy", "BAN THƯỜNG VỤ"):
            assert absent not in text, absent


# -- what each variant requires ----------------------------------------------------------------------
AUTHORITY = ["authority.name", "authority.superior", "authority.symbol", "authority.place",
             "authority.signer.full_name", "authority.signer.title"]
DELEGATION = ["committee.delegation.number", "committee.delegation.date", "committee.delegation.issuer"]


def refused(tmp_path: Path, org: dict, form: str = "admission-decision") -> list[dict]:
    """``org`` is refused for ``form`` (exit 3, nothing written): its problems."""
    path = tmp_path / "org.json"
    path.write_text(json.dumps(org, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    assert docgen(form, HUONG, "--org", path, "-o", out).exit_code == 3
    assert not out.exists() or not any(out.iterdir())
    result = docgen("check", HUONG, "--org", path, "--form", form, "--json")
    assert result.exit_code == 3
    return json.loads(result.stdout)["problems"]


def test_without_delegation_every_authority_field_is_required_and_named(tmp_path, engine):
    org = read_json(BTV)
    del org["authority"]
    problems = refused(tmp_path, org)
    assert [(p["rule"], p["path"]) for p in problems] == [("required", p) for p in AUTHORITY]
    for p in problems:
        label = engine.library.registry.label(p["path"])
        assert p["message"] == f'Thiếu "{label}" ({p["path"]}).'


def test_one_missing_authority_field_is_named_alone(tmp_path):
    org = read_json(BTV)
    del org["authority"]["signer"]["title"]
    assert [p["path"] for p in refused(tmp_path, org)] == ["authority.signer.title"]


@pytest.mark.parametrize("form", ["admission-decision", "committee-resolution"])
def test_with_delegation_the_delegation_is_required_and_named(tmp_path, form):
    org = read_json(DELEGATED)
    del org["committee"]["delegation"]
    assert [p["path"] for p in refused(tmp_path, org, form)] == DELEGATION


def test_the_authority_is_not_required_of_a_delegated_committee_nor_the_delegation_of_another(engine):
    for sample, other in ((DELEGATED, "authority"), (BTV, "delegation")):
        org = read_json(sample)
        org.pop(other, None)
        org["committee"].pop(other, None)
        render(engine, "admission-decision", org, read_json(HUONG))


def test_whether_admission_is_delegated_must_be_said(tmp_path):
    org = read_json(BTV)
    del org["committee"]["delegated"]
    assert [p["path"] for p in refused(tmp_path, org)] == ["committee.delegated"]


def test_the_removed_on_behalf_and_advisory_body_are_not_fields_any_more(engine):
    fields = engine.library.registry.fields
    assert "committee.signer.on_behalf_of" not in fields and "committee.advisory_body" not in fields


# -- [[required_when]] is checked when the forms folder is read ------------------------------------
def user_form(tmp_path: Path, old: str, new: str) -> Path:
    """A user's forms folder holding admission-decision with ``old`` of its form.toml made ``new``."""
    import shutil

    user = tmp_path / "mau-rieng"
    shutil.copytree(ROOT / "forms" / "admission-decision", user / "admission-decision")
    manifest = user / "admission-decision" / "form.toml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1
    manifest.write_text(text.replace(old, new), encoding="utf-8")
    return user


BROKEN_CONDITIONS = {
    "unknown-path": ('  "authority.signer.title",\n]', '  "authority.signer.titel",\n]',
                     'trường "authority.signer.titel" không có trong danh mục trường (fields.toml)'),
    "unknown-field": ("field = \"committee.delegated\"\nequals = false",
                      "field = \"committee.delegate\"\nequals = false",
                      'trường "committee.delegate" không có trong danh mục trường'),
    "equals-type": ("equals = false", 'equals = "false"',
                    'giá trị "equals" phải cùng kiểu với trường "committee.delegated" (bool)'),
    "field-not-required": ('  "committee.delegated",\n', "",
                           'trường điều kiện "committee.delegated" phải có trong "required" của mẫu'),
    "no-equals": ("equals = false\n", "", 'thiếu khóa "equals"'),
}


@pytest.mark.parametrize("old, new, named", BROKEN_CONDITIONS.values(), ids=BROKEN_CONDITIONS.keys())
def test_a_broken_required_when_is_a_form_problem(tmp_path, old, new, named):
    user = user_form(tmp_path, old, new)
    result = docgen("--forms-dir", user, "forms", "lint")
    assert result.exit_code == 4
    assert named in result.output
    assert "admission-decision/form.toml" in result.output


# -- the 8-KNĐ in both variants -----------------------------------------------------------------------
def test_the_committee_resolution_of_a_delegated_committee_admits(engine):
    doc = render(engine, "committee-resolution", read_json(DELEGATED), read_json(HUONG))
    lines = docx_paragraphs(doc.docx)
    assert lines[lines.index("NGHỊ QUYẾT") + 1] == "kết nạp đảng viên"
    assert ("Ngày 30 tháng 10 năm 2025, Đảng ủy Cục Công Thương địa phương đã họp để xét kết nạp quần chúng "
            "Phạm Thị Thu Hường vào Đảng.") in lines
    assert ("Đảng ủy quyết định kết nạp quần chúng Phạm Thị Thu Hường vào Đảng Cộng sản Việt Nam theo thẩm quyền "
            "được ủy quyền.") in lines
    at = lines.index("Nơi nhận:")
    assert lines[at + 1] == "- Ban Thường vụ Đảng ủy Bộ Công Thương (để báo cáo),"
    assert any(line.startswith("- Căn cứ Quyết định số 15-QĐ/ĐU, ngày 10-7-2025") for line in lines)
    assert ("- Xét Nghị quyết số 09-NQ/CB, ngày 20-10-2025 của Chi bộ Trung tâm Khuyến công và Tư vấn phát triển "
            "công nghiệp đề nghị kết nạp đảng viên (10/14 đảng viên chính thức tán thành);") in lines
    for text in texts(doc):
        assert "NGHỊ QUYẾT đề nghị" not in text and "Ban Chấp hành Đảng ủy" not in text
        assert text.endswith("T/M ĐẢNG ỦY PHÓ BÍ THƯ Trần Thị Minh Hằng")


def test_the_committee_resolution_of_a_non_delegated_committee_proposes_to_the_named_standing_committee(engine):
    doc = render(engine, "committee-resolution", read_json(BTV), read_json(HUONG))
    lines = docx_paragraphs(doc.docx)
    assert lines[lines.index("NGHỊ QUYẾT") + 1] == "đề nghị kết nạp đảng viên"
    assert ("Ngày 30 tháng 10 năm 2025, Đảng ủy Công ty Cổ phần Cơ khí Hoàng Mai đã họp để xét, đề nghị kết nạp "
            "quần chúng Phạm Thị Thu Hường vào Đảng.") in lines
    assert ("Đảng ủy đề nghị Ban Thường vụ Đảng ủy phường Hoàng Mai xem xét, quyết định kết nạp quần chúng "
            "Phạm Thị Thu Hường vào Đảng Cộng sản Việt Nam.") in lines
    at = lines.index("Nơi nhận:")
    assert lines[at + 1] == "- Ban Thường vụ Đảng ủy phường Hoàng Mai,"
    for text in texts(doc):
        assert "Số 11-NQ/ĐUCT" in text  # the grassroots committee's own number series
        assert "ủy quyền" not in text and "Ban Chấp hành Đảng ủy" not in text
        assert text.endswith("T/M ĐẢNG ỦY BÍ THƯ Nguyễn Thị Thanh Bình")


# -- who signs for the cell: the chi ủy from 9 official members, else the bí thư alone --------------
@pytest.mark.parametrize("official, signature, collector", [
    (9, "T/M CHI ỦY BÍ THƯ Lê Văn Quyết", "Chi ủy Chi bộ"),
    (8, "(để báo cáo), - Lưu hồ sơ. BÍ THƯ Lê Văn Quyết", "Bí thư Chi bộ"),
])
def test_the_comments_summary_is_signed_by_the_chi_uy_or_by_the_bi_thu(engine, org_data, official, signature,
                                                                       collector):
    cand = read_json(LAN)
    meeting = cand["admission"]["cell_meeting"]
    meeting.update(members_official=official, members_total=official + meeting["members_probationary"],
                   present_official=official, approve=official, reject=0,
                   not_counted=[])
    doc = render(engine, "comments-summary", org_data, cand)
    for text in texts(doc):
        assert text.endswith(signature)
        assert ("T/M CHI ỦY" in text) is (official >= 9)
        assert "T/M CHI BỘ" not in text
        assert f"nơi cư trú, {collector} Trung tâm Khuyến công" in text
        assert "Nơi nhận: - Chi bộ Trung tâm Khuyến công và Tư vấn phát triển công nghiệp (để báo cáo)," in text


def test_the_org_files_has_committee_wins_over_the_count(engine, org_data):
    org = copy.deepcopy(org_data)
    org["cell"]["has_committee"] = False
    doc = render(engine, "comments-summary", org, read_json(LAN))  # 14 official members
    assert "T/M CHI ỦY" not in docx_text(doc.docx)


@pytest.mark.parametrize("official, on_behalf", [(9, True), (8, False)])
def test_congress_papers_sign_for_the_chi_uy_by_the_congress_count(engine, org_data, official, on_behalf):
    congress = read_json(CONGRESS)
    congress["congress"]["members"].update(official=official, present_official=official - 1)
    for form in ("ratification-request", "attendance-report"):
        # rendered unchecked: the sample's ballots outnumber so small a cell, which is not the point here
        doc = engine.render(engine.library.get(form), make_inputs(engine, org_data, congress, "congress"))
        for text in texts(doc):
            assert ("T/M CHI ỦY BÍ THƯ" in text) is on_behalf, form
            assert "T/M CHI BỘ" not in text


# -- form codes: on every KNĐ paper, or on none ------------------------------------------------------
def knd_papers(engine) -> dict[str, str]:
    """Each KNĐ form's first paper's DOCX text, from the samples (a Youth Union member's dossier, with
    her probationary year)."""
    inputs = make_inputs(engine, read_json(DELEGATED), recognition_profile())
    out = {}
    for form in engine.library.forms.values():
        if form.code:
            docs = engine.render_all([form], inputs, formats=("docx",))
            out[form.code] = docx_text(docs[0].docx)
    return out


def test_every_knd_paper_prints_its_form_code_by_default(engine):
    papers = knd_papers(engine)
    assert sorted(papers, key=lambda code: int(code.split("-")[0])) == [
        "3-KNĐ", "4-KNĐ", "5-KNĐ", "6-KNĐ", "8-KNĐ", "9-KNĐ", "10-KNĐ", "11-KNĐ", "12-KNĐ", "13-KNĐ", "14-KNĐ",
        "15-KNĐ", "16-KNĐ"]
    for code, text in papers.items():
        assert text.startswith(f"Mẫu {code} "), code


def test_style_toml_can_leave_the_form_code_off_every_paper(tmp_path):
    user = tmp_path / "mau-rieng" / "_shared"
    user.mkdir(parents=True)
    style = (ROOT / "forms" / "_shared" / "style.toml").read_text(encoding="utf-8")
    assert style.count("print_form_code = true") == 1
    (user / "style.toml").write_text(style.replace("print_form_code = true", "print_form_code = false"),
                                     encoding="utf-8")
    papers = knd_papers(Engine(FormLibrary(user.parent)))
    assert len(papers) == 13
    for code, text in papers.items():
        assert "Mẫu" not in text and code not in text, code


# -- a roster for decisions must carry the votes and resolutions --------------------------------------
OLD_HEADERS = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Quê quán", "Nơi cư trú", "Đơn vị công tác",
               "Ngày chi bộ họp xét", "Số quyết định", "Ngày quyết định"]


def test_a_roster_without_the_vote_columns_is_refused_with_the_list(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(OLD_HEADERS)
    ws.append([1, "Nguyễn Văn An", "Nam", "1995-03-04", "xã A", "xã B", "Phòng C", "2026-01-05", 1, "2026-01-20"])
    roster = tmp_path / "roster.xlsx"
    wb.save(roster)
    out = tmp_path / "out"
    result = docgen("batch", "admission-decision", roster, "--org", DELEGATED, "-o", out)
    assert result.exit_code == 3
    assert not out.exists() or not any(out.iterdir())
    assert "danh sách thiếu 14 cột mà admission-decision cần cho mỗi người" in result.output
    for header, path in (("Số nghị quyết chi bộ", "admission.cell_meeting.resolution_number"),
                         ("Số đảng viên chính thức", "admission.cell_meeting.members_official"),
                         ("Số đảng viên tán thành", "admission.cell_meeting.approve"),
                         ("Số đảng viên không tán thành", "admission.cell_meeting.reject"),
                         ("Số nghị quyết đảng ủy", "admission.committee_resolution.number"),
                         ("Ngày nghị quyết đảng ủy", "admission.committee_resolution.date"),
                         ("Số cấp ủy viên tán thành", "admission.committee_resolution.approve")):
        assert f'"{header}" ({path})' in result.output


def test_the_sample_roster_carries_them_and_its_rows_are_checked_against_two_thirds(tmp_path):
    result = docgen("batch", "admission-decision", SAMPLES / "roster-broken.xlsx", "--org", DELEGATED,
                    "-o", tmp_path, "-j", "1")
    assert result.exit_code == 3
    row = result.output.split("  Dòng 11:\n", 1)[1]
    assert row.startswith('    - cột "Số đảng viên tán thành": Chỉ có 7/12 đảng viên chính thức tán thành')
