"""Recognition as an official member, the cell's and the committee's side (issue 14): Mẫu 13-KNĐ
(the cell's resolution), 14-KNĐ (the đảng ủy bộ phận's appraisal, only when recorded), 15-KNĐ (the
committee's resolution, proposing or delegated) and 16-KNĐ (the decision, issued as 9-KNĐ is), the
pack `recognition-dossier`, `docgen check` over it, and the papers joining the person's dossier in
a workspace."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from docgen.cli import main

from conftest import GOLDEN, SAMPLES, check_golden, decision_only, make_inputs, read_json, sample
from doctext import docx_paragraphs, docx_text, pdf_text

ORG, ORG_BTV = SAMPLES / "org.json", SAMPLES / "org-btv.json"
PACK = "recognition-dossier"
MY_FORMS = ("recognition-cell-resolution", "recognition-branch-appraisal", "recognition-committee-resolution",
            "recognition-decision")
TITLES = {
    "13-KNĐ": "NGHỊ QUYẾT đề nghị công nhận đảng viên chính thức",
    "14-KNĐ": "BÁO CÁO thẩm định nghị quyết đề nghị công nhận đảng viên chính thức của chi bộ",
    "15-KNĐ": "NGHỊ QUYẾT",
    "16-KNĐ": "QUYẾT ĐỊNH công nhận đảng viên chính thức",
}
# Hường: admitted by the decision of 2025-11-07, ceremony 2025-11-20: probation ends 2026-11-20
OFFICIAL = "là đảng viên chính thức kể từ ngày 20 tháng 11 năm 2026"


def recognised() -> dict:
    """Hường's profile a year on: the admission data, the ceremony, and the recognition group."""
    data = read_json(sample("pham-thi-thu-huong"))
    data["admission"]["ceremony"] = {"date": "2025-11-20"}
    data["recognition"] = {
        "new_member_course": {"certificate_date": "2026-04-10"},
        "self_review": {"date": "2026-11-10", "strengths": "Giữ vững lập trường tư tưởng.",
                        "weaknesses": "Chưa mạnh dạn phê bình.", "direction": "Tích cực học tập, rèn luyện."},
        "helpers": [{"full_name": "Vũ Minh Tuấn", "party_position": "Phó Bí thư Chi bộ", "assigned_on": "2025-11-20",
                     "signed_on": "2026-11-12", "strengths": "Chấp hành tốt nhiệm vụ đảng viên.",
                     "weaknesses": "Cần chủ động hơn trong sinh hoạt chi bộ."}],
        "comments": {"date": "2026-11-15", "organizations_total": 2, "organizations_agree": 2,
                     "organizations": ["Công đoàn Phòng Thí nghiệm",
                                       "Chi ủy Chi bộ tổ dân phố số 12, phường Hoàng Mai"],
                     "strengths": "Gương mẫu, nhiệt tình.", "weaknesses": "Chưa mạnh dạn góp ý."},
        "cell_meeting": {
            "date": "2026-11-24", "resolution_number": 21, "members_total": 16, "members_official": 15,
            "members_probationary": 1, "present_official": 14, "present_probationary": 1, "approve": 13,
            "reject": 1, "not_counted": [{"full_name": "Nguyễn Văn Sơn", "category": "temporarily_transferred"}],
            "absent_reasons": "01 đồng chí chuyển sinh hoạt tạm thời",
            "reject_reasons": "cần rèn luyện thêm kỹ năng phát biểu",
            "chair": {"full_name": "Lê Văn Quyết", "title": "Bí thư Chi bộ"}, "secretary": "Đỗ Thị Mai Anh",
            "conclusions": {"strengths": "Giữ vững lập trường tư tưởng, chấp hành tốt nhiệm vụ đảng viên.",
                            "weaknesses": "Đôi khi chưa mạnh dạn đấu tranh phê bình."}},
        "committee_resolution": {"number": 31, "date": "2026-11-27", "members_total": 9, "present": 8,
                                 "approve": 8, "reject": 0},
        "decision": {"number": 32, "date": "2026-11-30"},
    }
    return data


def with_appraisal(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["recognition"]["branch_appraisal"] = {
        "number": 4, "date": "2026-11-25", "name": "Đảng ủy bộ phận Khối Kỹ thuật",
        "conclusion": "Hồ sơ đầy đủ, đúng quy trình; đồng ý với nghị quyết của chi bộ."}
    return data


def write(tmp_path: Path, data: dict, name: str = "profile.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def text_of(path: Path) -> str:
    return docx_text(path.read_bytes())


# -- the pack ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("org", [ORG, ORG_BTV], ids=["delegated", "btv"])
@pytest.mark.parametrize("appraisal", [False, True], ids=["no-appraisal", "appraisal"])
def test_the_pack_writes_the_papers_in_order_with_the_same_text_in_docx_and_pdf_and_a_merged_pdf(
        tmp_path, engine, org, appraisal):
    data = with_appraisal(recognised()) if appraisal else recognised()
    out = tmp_path / "out"
    result = run(PACK, write(tmp_path, data), "--org", org, "-o", out)
    assert result.exit_code == 0, result.output
    written = [Path(p) for p in result.stdout.split()]
    docxs = [p for p in written if p.suffix == ".docx"]
    merged = [p for p in written if f"_{PACK}_" in p.name]
    assert len(merged) == 1 and merged[0].name == f"2026-11-24_{PACK}_pham-thi-thu-huong.pdf"
    pack_ids = engine.library.pack(PACK)["forms"]
    expected = [f for f in pack_ids if f != "recognition-branch-appraisal" or appraisal]
    made = [p.name.split("_")[1] for p in docxs]   # an `each` form's stems carry the item: helper-review-1
    assert [m if m in engine.library.forms else m.rsplit("-", 1)[0] for m in made] == expected
    codes = [engine.library.get(f).code for f in expected]
    assert codes == sorted(codes, key=lambda c: int(c.split("-")[0]))  # 06-HD/TW §8.1.b: 10 … 16
    assert ("14-KNĐ" in codes) is appraisal
    for p, code in zip(docxs, codes, strict=True):
        dtext = text_of(p)
        assert dtext == pdf_text(p.with_suffix(".pdf").read_bytes()), p.name
        assert dtext.startswith(f"Mẫu {code} ")
        if code in TITLES:
            assert TITLES[code] in dtext, (p.name, code)
    reader = PdfReader(merged[0])
    assert [o.title.split(" — ")[0] for o in reader.outline] == [f"Mẫu {c}" for c in codes]
    assert reader.metadata.title == "Hồ sơ công nhận đảng viên chính thức"


@pytest.mark.parametrize("name, org, official", [
    ("on-time", ORG, "ngày 20 tháng 11 năm 2026"),
    ("late-committee", ORG, "ngày 20 tháng 11 năm 2026"),
    ("leap-day", ORG_BTV, "ngày 28 tháng 02 năm 2025"),
])
def test_each_recognition_sample_makes_its_papers_in_order_with_a_merged_pdf(tmp_path, engine, name, org, official):
    out = tmp_path / "out"
    result = run(PACK, str(SAMPLES / "recognition" / f"{name}.json"), "--org", org, "-o", out)
    assert result.exit_code == 0, result.output
    written = [Path(p) for p in result.stdout.split()]
    docxs = [p for p in written if p.suffix == ".docx"]
    made = [p.name.split("_")[1] for p in docxs]
    forms = [m if m in engine.library.forms else m.rsplit("-", 1)[0] for m in made]
    # 06-HD/TW §8.1.b: 10- to 16-KNĐ in order, each with its form's title and code
    assert forms == [f for f in engine.library.pack(PACK)["forms"] if f != "recognition-branch-appraisal"]
    for p, form_id in zip(docxs, forms, strict=True):
        form = engine.library.get(form_id)
        dtext = text_of(p)
        assert dtext == pdf_text(p.with_suffix(".pdf").read_bytes()), p.name
        assert dtext.startswith(f"Mẫu {form.code} ") and form.doc_type in dtext, p.name
    assert f"là đảng viên chính thức kể từ {official}" in text_of(docxs[-1])
    [merged] = [p for p in written if f"_{PACK}_" in p.name]
    assert [o.title.split(" — ")[0] for o in PdfReader(merged).outline] == [
        f"Mẫu {engine.library.get(f).code}" for f in forms]


def test_the_cell_resolution_prints_the_meeting_the_admission_date_the_vote_over_its_base_and_the_proposal(
        tmp_path):
    result = run("recognition-cell-resolution", write(tmp_path, recognised()), "--org", ORG, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = text_of(tmp_path / "2026-11-24_recognition-cell-resolution_pham-thi-thu-huong.docx")
    assert "CHI BỘ TRUNG TÂM KHUYẾN CÔNG VÀ TƯ VẤN PHÁT TRIỂN CÔNG NGHIỆP * Số 21-NQ/CB" in text
    assert "Căn cứ Điều 5, Điều lệ Đảng Cộng sản Việt Nam," in text
    assert ("Ngày 24 tháng 11 năm 2026, Chi bộ Trung tâm Khuyến công và Tư vấn phát triển công nghiệp đã họp để "
            "xét, đề nghị công nhận đảng viên dự bị Phạm Thị Thu Hường, được kết nạp vào Đảng ngày 07 tháng 11 năm "
            "2025, trở thành đảng viên chính thức.") in text
    assert "Tổng số đảng viên của Chi bộ: 16 đảng viên, trong đó chính thức 15 đồng chí, dự bị 1 đồng chí." in text
    assert "Vắng mặt: 1 đảng viên, trong đó chính thức 1 đồng chí, dự bị 0 đồng chí." in text
    assert "1. Về ưu điểm: Giữ vững lập trường tư tưởng" in text and "2. Về khuyết điểm: Đôi khi" in text
    # 13 of the 14 counted (15 official less 1 on temporary transfer): 92,86%
    assert ("là 13 đồng chí (mười ba đồng chí), đạt 92,86% so với tổng số đảng viên chính thức (14 đồng chí, đã trừ "
            "01 đồng chí chuyển sinh hoạt tạm thời không có mặt); số không tán thành là 1 đồng chí, "
            "chiếm 7,14%") in text
    assert ("Chi bộ đề nghị Đảng ủy Cục Công Thương địa phương xét, quyết định công nhận đảng viên dự bị Phạm Thị Thu "
            "Hường trở thành đảng viên chính thức.") in text
    assert text.endswith("T/M CHI BỘ BÍ THƯ Lê Văn Quyết")


@pytest.mark.parametrize("org, delegated", [(ORG, True), (ORG_BTV, False)], ids=["delegated", "btv"])
def test_the_committee_resolution_proposes_or_recognises_as_8_knd_and_cites_the_cell_resolution(
        tmp_path, org, delegated):
    result = run("recognition-committee-resolution", write(tmp_path, recognised()), "--org", org, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = text_of(tmp_path / "2026-11-27_recognition-committee-resolution_pham-thi-thu-huong.docx")
    cell = "Chi bộ Trung tâm Khuyến công và Tư vấn phát triển công nghiệp" if delegated else "Chi bộ Phân xưởng Lắp ráp"
    assert (f"- Xét Nghị quyết số 21-NQ/CB, ngày 24-11-2026 của {cell} đề nghị công nhận đảng viên chính thức "
            "(13/14 đảng viên chính thức tán thành);") in text
    assert "Số cấp ủy viên tán thành: 8 đồng chí, đạt 88,89% so với tổng số cấp ủy viên" in text
    if delegated:
        assert "Số 31-NQ/ĐUC" in text and "NGHỊ QUYẾT công nhận đảng viên chính thức -----" in text
        assert "về việc ủy quyền cho Đảng ủy Cục Công Thương địa phương" in text
        assert "trở thành đảng viên chính thức theo thẩm quyền được ủy quyền." in text
        assert text.endswith("T/M ĐẢNG ỦY PHÓ BÍ THƯ Trần Thị Minh Hằng")
    else:
        assert "Số 31-NQ/ĐUCT" in text and "NGHỊ QUYẾT đề nghị công nhận đảng viên chính thức -----" in text
        assert "ủy quyền" not in text
        assert ("Đảng ủy đề nghị Ban Thường vụ Đảng ủy phường Hoàng Mai xem xét, quyết định công nhận đảng viên dự bị "
                "Phạm Thị Thu Hường trở thành đảng viên chính thức.") in text
        assert text.endswith("T/M ĐẢNG ỦY BÍ THƯ Nguyễn Thị Thanh Bình")


def test_the_appraisal_is_made_only_when_recorded_and_the_committee_resolution_then_cites_it(tmp_path, engine,
                                                                                              org_data):
    plain = make_inputs(engine, org_data, recognised())
    assert "recognition-branch-appraisal" not in [f.id for f in engine.pack_forms(plain, PACK)]
    basis = engine.context(engine.library.get("recognition-committee-resolution"), plain)["legal_basis"]
    assert not [line for line in basis if "thẩm định" in line]
    result = run("recognition-branch-appraisal", write(tmp_path, with_appraisal(recognised())), "--org", ORG,
                 "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = text_of(tmp_path / "2026-11-25_recognition-branch-appraisal_pham-thi-thu-huong.docx")
    assert "ĐẢNG BỘ CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG ĐẢNG ỦY BỘ PHẬN KHỐI KỸ THUẬT * Số 04-BC/ĐU" in text
    assert "Hà Nội, ngày 25 tháng 11 năm 2026" in text
    assert "Căn cứ Nghị quyết số 21-NQ/CB, ngày 24 tháng 11 năm 2026 của Chi bộ" in text
    assert "Ý kiến thẩm định: Hồ sơ đầy đủ, đúng quy trình" in text
    appraised = make_inputs(engine, org_data, with_appraisal(recognised()))
    basis = engine.context(engine.library.get("recognition-committee-resolution"), appraised)["legal_basis"]
    assert "- Xét Báo cáo thẩm định ngày 25-11-2026 của Đảng ủy bộ phận Khối Kỹ thuật;" in basis


# -- the decision: official from the end of probation ----------------------------------------------
def leap_profile(ceremony: str, decision: str, key: str = "admission") -> dict:
    """Only what the recognition decision reads: admitted early in 2024, a ceremony on ``ceremony``
    (in ``admission.ceremony.date``, or in ``recognition.ceremony_date`` when ``key`` says so), and a
    recognition decided on ``decision``, months after the probation ended."""
    data = decision_only(read_json(sample("pham-thi-thu-huong")))
    data["admission"]["cell_meeting"]["date"] = "2024-01-10"
    data["admission"]["committee_resolution"]["date"] = "2024-01-19"
    data["admission"]["decision"]["date"] = "2024-02-01"
    data["admission"]["ceremony"] = {"date": "2024-02-29"}
    if key == "recognition":
        data["recognition"] = {"ceremony_date": ceremony}
    else:
        data["admission"]["ceremony"]["date"] = ceremony
    rec = data.setdefault("recognition", {})
    rec["new_member_course"] = {"certificate_date": "2024-09-20"}
    rec["cell_meeting"] = {"date": "2025-03-05", "resolution_number": 3, "members_total": 15, "members_official": 14,
                           "members_probationary": 1, "present_official": 13, "present_probationary": 1,
                           "approve": 12, "reject": 1}
    rec["committee_resolution"] = {"number": 4, "date": "2025-03-12", "members_total": 9, "present": 9,
                                   "approve": 9, "reject": 0}
    rec["decision"] = {"number": 5, "date": decision}
    return data


@pytest.mark.parametrize("ceremony, official", [
    ("2024-02-29", "ngày 28 tháng 02 năm 2025"),   # no 29 February in 2025: the month's last day
    ("2024-02-28", "ngày 28 tháng 02 năm 2025"),
    ("2024-03-01", "ngày 01 tháng 3 năm 2025"),
])
def test_the_decision_prints_the_end_of_probation_as_the_official_date_not_its_own_date(tmp_path, ceremony,
                                                                                        official):
    # the superior's standing committee decides: org.json's delegation is dated after 2024
    result = run("recognition-decision", write(tmp_path, leap_profile(ceremony, "2025-06-16")), "--org", ORG_BTV,
                 "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "deadline.recognition_decision" in result.output   # late, a warning: the paper is still written
    text = text_of(tmp_path / "2025-06-16_recognition-decision_pham-thi-thu-huong.docx")
    assert f"là đảng viên chính thức kể từ {official}." in text
    assert "Hoàng Mai, ngày 16 tháng 6 năm 2025" in text   # the decision's own date, months later
    assert "kể từ ngày 16 tháng 6 năm 2025" not in text
    assert "được kết nạp vào Đảng ngày 01 tháng 02 năm 2024" in text   # party age: 294-QĐ/TW §4.5.1


def test_the_recognition_ceremony_date_comes_before_the_admission_ceremony(engine, org_data):
    data = leap_profile("2024-03-15", "2025-06-16", key="recognition")
    ctx = engine.context(engine.library.get("recognition-decision"), make_inputs(engine, org_data, data))
    assert data["admission"]["ceremony"]["date"] == "2024-02-29"
    assert ctx["recognition"]["probation_end"]["iso"] == "2025-03-15"


def header_and_signature(text_paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """A decision's issuer pattern: its header up to the title, numbers and dates made generic,
    and its signature block (the last three lines)."""
    title = text_paragraphs.index("QUYẾT ĐỊNH")
    header = [re.sub(r"Số \d+-", "Số NN-", re.sub(r"ngày \d\d tháng \d+ năm \d{4}", "ngày …", p))
              for p in text_paragraphs[1:title]]
    return header, text_paragraphs[-3:]


@pytest.mark.parametrize("org, header, sign, authority", [
    (ORG, ["ĐẢNG BỘ BỘ CÔNG THƯƠNG", "ĐẢNG ỦY CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG", "*", "Số NN-QĐ/ĐUC",
           "ĐẢNG CỘNG SẢN VIỆT NAM", "Hà Nội, ngày …"],
     ["T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Trần Thị Minh Hằng"], "ĐẢNG ỦY CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG"),
    (ORG_BTV, ["ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "ĐẢNG ỦY PHƯỜNG HOÀNG MAI", "*", "Số NN-QĐ/ĐU", "ĐẢNG CỘNG SẢN VIỆT NAM",
               "Hoàng Mai, ngày …"],
     ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Đỗ Quang Vinh"], "BAN THƯỜNG VỤ ĐẢNG ỦY PHƯỜNG HOÀNG MAI"),
], ids=["delegated", "btv"])
def test_the_decision_has_the_issuer_pattern_of_9_knd(tmp_path, org, header, sign, authority):
    path = write(tmp_path, recognised())
    assert run("recognition-decision", path, "--org", org, "-o", tmp_path).exit_code == 0
    assert run("admission-decision", path, "--org", org, "-o", tmp_path).exit_code == 0
    mine = docx_paragraphs((tmp_path / "2026-11-30_recognition-decision_pham-thi-thu-huong.docx").read_bytes())
    nine = docx_paragraphs((tmp_path / "2025-11-07_admission-decision_pham-thi-thu-huong.docx").read_bytes())
    assert header_and_signature(mine) == header_and_signature(nine) == (header, sign)
    assert mine[mine.index("QUYẾT ĐỊNH:") - 1] == authority
    text = " ".join(mine)
    assert (" Số 32-QĐ/ĐUC " if org == ORG else " Số 32-QĐ/ĐU ") in f" {text} "
    assert OFFICIAL in text
    cited = ("- Xét Nghị quyết số 31-NQ/ĐUC, ngày 27-11-2026 của Đảng ủy Cục Công Thương địa phương về việc công "
             "nhận đảng viên chính thức (8/9 cấp ủy viên tán thành)," if org == ORG else
             "- Xét Nghị quyết số 31-NQ/ĐUCT, ngày 27-11-2026 của Đảng ủy Công ty Cổ phần Cơ khí Hoàng Mai đề nghị "
             "công nhận đảng viên chính thức (8/9 cấp ủy viên tán thành),")
    assert cited in mine
    assert "- Xét Nghị quyết số 21-NQ/CB, ngày 24-11-2026" in text
    assert ("ủy quyền" in text) is (org == ORG)


def test_the_admission_decision_cites_the_cell_vote_over_its_base(engine, org_data):
    """The base a decision cites is the cell resolution's: official members less not_counted[]."""
    data = read_json(sample("pham-thi-thu-huong"))
    data["admission"]["cell_meeting"]["not_counted"] = [{"full_name": "Nguyễn Văn Sơn",
                                                         "category": "temporarily_transferred"}]
    basis = engine.context(engine.library.get("admission-decision"), make_inputs(engine, org_data, data))["legal_basis"]
    assert any("(10/13 đảng viên chính thức tán thành)" in line for line in basis)
    plain = engine.context(engine.library.get("admission-decision"),
                           make_inputs(engine, org_data, read_json(sample("pham-thi-thu-huong"))))["legal_basis"]
    assert any("(10/14 đảng viên chính thức tán thành)" in line for line in plain)


# -- docgen check ----------------------------------------------------------------------------------
def test_check_without_form_checks_the_recognition_pack_only_when_the_profile_has_recognition(tmp_path):
    data = recognised()
    del data["recognition"]["committee_resolution"]["present"]
    result = run("check", write(tmp_path, data), "--org", ORG, "--json")
    assert result.exit_code == 3, result.output
    found = json.loads(result.output)["problems"]
    missing = [p for p in found if p["rule"] == "required"]
    assert [p["path"] for p in missing] == ["recognition.committee_resolution.present"]
    assert "Số ủy viên đảng ủy có mặt (xét công nhận chính thức)" in missing[0]["message"]
    # just outside: the same profile without recognition is an admission dossier only
    del data["recognition"]
    result = run("check", write(tmp_path, data), "--org", ORG, "--json")
    assert result.exit_code == 0, result.output
    # just inside: the complete recognition passes
    result = run("check", write(tmp_path, recognised()), "--org", ORG, "--json")
    assert result.exit_code == 0, result.output
    assert not [p for p in json.loads(result.output)["problems"] if p["severity"] == "error"]


def test_the_pack_refuses_a_profile_without_recognition_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run(PACK, sample("pham-thi-thu-huong"), "--org", ORG, "-o", out)
    assert result.exit_code == 3
    assert "recognition.cell_meeting.date" in result.output
    assert not out.exists() or not any(out.iterdir())


# -- goldens ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("form_id", MY_FORMS)
@pytest.mark.parametrize("org", [ORG, ORG_BTV], ids=["delegated", "btv"])
def test_golden_text(engine, form_id, org, update_golden):
    inputs = make_inputs(engine, read_json(org), with_appraisal(recognised()))
    doc = engine.render(engine.library.get(form_id), inputs)
    assert doc.pdf is not None
    check_golden(doc, GOLDEN / form_id, "pham-thi-thu-huong" + ("" if org == ORG else "-btv"), update_golden)


# -- a workspace -----------------------------------------------------------------------------------
def test_in_a_workspace_the_papers_join_the_dossier_with_auto_numbers_and_the_stage_becomes_official(tmp_path):
    ws = tmp_path / "chi-bo"
    assert run("init", ws, "--org", ORG).exit_code == 0
    data = recognised()
    admitted = copy.deepcopy(data)
    del admitted["recognition"]   # the same person's profile a year earlier
    result = run("--workspace", ws, "admission-dossier", write(tmp_path, admitted))
    assert result.exit_code == 0, result.output
    shown = json.loads(run("--workspace", ws, "dossier", "show", "pham-thi-thu-huong-20001215", "--json",
                           "--today", "2026-11-01").output)
    assert shown["stage"] == "probationary"
    for key, part in (("resolution_number", "cell_meeting"), ("number", "committee_resolution"),
                      ("number", "decision")):
        data["recognition"][part][key] = "auto"
    profile = write(tmp_path, data)
    result = run("--workspace", ws, PACK, profile)
    assert result.exit_code == 0, result.output
    folder = ws / "ho-so" / "pham-thi-thu-huong-20001215"
    # the next free numbers of each series after the admission's 09-NQ/CB, 11-NQ/ĐUC and 12-QĐ/ĐUC
    assert "Số 10-NQ/CB" in text_of(folder / "2026-11-24_recognition-cell-resolution_pham-thi-thu-huong.docx")
    decision = text_of(folder / "2026-11-30_recognition-decision_pham-thi-thu-huong.docx")
    assert "Số 13-QĐ/ĐUC" in decision
    assert "- Xét Nghị quyết số 10-NQ/CB, ngày 24-11-2026" in decision
    assert "- Xét Nghị quyết số 12-NQ/ĐUC, ngày 27-11-2026" in decision
    assert OFFICIAL in decision
    result = run("--workspace", ws, "dossier", "show", "pham-thi-thu-huong-20001215", "--json",
                 "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["stage"] == "official" and view["stage_label"] == "Đảng viên chính thức"
    states = {s["kind"]: s for s in view["slots"]}
    for kind, number in (("recognition_cell_resolution", "Số 10-NQ/CB"),
                         ("recognition_committee_resolution", "Số 12-NQ/ĐUC"),
                         ("recognition_decision", "Số 13-QĐ/ĐUC")):
        assert states[kind]["state"] == "present", kind
        assert states[kind]["documents"][0]["number"] == number
    assert states["admission_decision"]["state"] == "present"
    # made again: each paper keeps its number
    result = run("--workspace", ws, PACK, profile)
    assert result.exit_code == 0, result.output
    assert "Số 13-QĐ/ĐUC" in text_of(folder / "2026-11-30_recognition-decision_pham-thi-thu-huong.docx")
