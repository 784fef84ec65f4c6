"""The member's papers of the probationary year (issue 14): the self-review (Mẫu 10-KNĐ), the
helper's review (11-KNĐ, one per helper) and the summary of comments (12-KNĐ): their text in DOCX
and PDF, one paper per helper, the member's own text or lines to write on, the counts, the signer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main

from conftest import GOLDEN, HUONG, RECOGNITION, SAMPLES, check_golden, make_inputs, read_json, recognition_profile
from doctext import docx_paragraphs, docx_text, pdf_text

ORG = str(SAMPLES / "org.json")
DOTS = "…" * 30
FORMS = ("self-review", "helper-review", "recognition-comments-summary")
# each form's code and the words its title must show
TITLES = {
    "self-review": ("10-KNĐ", "BẢN TỰ KIỂM ĐIỂM (Dùng cho đảng viên dự bị đề nghị công nhận đảng viên chính thức)"),
    "helper-review": ("11-KNĐ", "BẢN NHẬN XÉT ĐẢNG VIÊN DỰ BỊ (Của đảng viên chính thức được phân công giúp đỡ)"),
    "recognition-comments-summary": ("12-KNĐ", "TỔNG HỢP Ý KIẾN NHẬN XÉT CỦA TỔ CHỨC ĐOÀN THỂ VÀ CHI ỦY NƠI CƯ TRÚ "
                                               "đối với đảng viên dự bị"),
}


def write_profile(tmp_path: Path, data: dict, name: str = "huong.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(tmp_path: Path, form: str, data: dict, org: str = ORG):
    """``docgen FORM`` on ``data``: the result and the DOCX files it wrote, in order."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [form, write_profile(tmp_path, data), "--org", org, "-o", str(out)])
    written = [Path(p) for p in result.stdout.split() if p.endswith(".docx")]
    return result, written


def texts(engine, org_data, data: dict, form_id: str) -> list[str]:
    inputs = make_inputs(engine, org_data, data)
    return [docx_text(d.docx) for d in engine.render_all([engine.library.get(form_id)], inputs, formats=("docx",))]


# -- the commands: every paper written, DOCX and PDF of the same text, each with its title ------------
@pytest.mark.parametrize("form_id", FORMS)
def test_each_paper_has_its_title_and_the_same_text_in_docx_and_pdf(tmp_path, form_id):
    result, docxs = run(tmp_path, form_id, recognition_profile())
    assert result.exit_code == 0, result.output
    assert len(docxs) == (2 if form_id == "helper-review" else 1)
    code, title = TITLES[form_id]
    for p in docxs:
        dtext = docx_text(p.read_bytes())
        assert dtext == pdf_text(p.with_suffix(".pdf").read_bytes()), p.name
        assert dtext.startswith(f"Mẫu {code} ĐẢNG")
        assert title in dtext
        assert "Phạm Thị Thu Hường" in dtext


def test_one_helper_review_per_helper_naming_that_helper(tmp_path):
    result, docxs = run(tmp_path, "helper-review", recognition_profile())
    assert result.exit_code == 0, result.output
    assert [p.name for p in docxs] == ["2026-11-12_helper-review-1_pham-thi-thu-huong.docx",
                                       "2026-11-13_helper-review-2_pham-thi-thu-huong.docx"]
    first, second = (docx_text(p.read_bytes()) for p in docxs)
    assert "Tôi là: Vũ Minh Tuấn; chức vụ trong Đảng: Phó Bí thư Chi bộ." in first
    assert "Gương mẫu" not in first and "Đỗ Thị Mai Anh" not in first
    assert first.endswith("ĐẢNG VIÊN ĐƯỢC PHÂN CÔNG GIÚP ĐỠ (Ký, ghi rõ họ và tên) Vũ Minh Tuấn")
    assert "Hà Nội, ngày 12 tháng 11 năm 2026" in first
    assert "Tôi là: Đỗ Thị Mai Anh; chức vụ trong Đảng: Đảng viên." in second and "Vũ Minh Tuấn" not in second
    assert "Chưa chủ động đề xuất giải pháp." in second and "Hà Nội, ngày 13 tháng 11 năm 2026" in second
    for text in (first, second):
        assert ("Ngày 20 tháng 11 năm 2025 được chi bộ phân công giúp đỡ đảng viên dự bị Phạm Thị Thu Hường, "
                "sinh ngày 15 tháng 12 năm 2000, quê quán xã Nghĩa Hưng, tỉnh Ninh Bình, vào Đảng ngày 07 tháng 11 "
                "năm 2025.") in text
        assert "trong thời gian dự bị (kể từ lễ kết nạp ngày 20 tháng 11 năm 2025)" in text
        assert ("đề nghị cấp ủy có thẩm quyền công nhận đảng viên dự bị Phạm Thị Thu Hường trở thành đảng viên chính "
                "thức.") in text


def test_one_helper_gives_one_paper(engine, org_data):
    one = recognition_profile(helpers=RECOGNITION["helpers"][1:])
    (text,) = texts(engine, org_data, one, "helper-review")
    assert "Tôi là: Đỗ Thị Mai Anh" in text


# -- the self-review: the member's text, or lines to write on ----------------------------------------
def test_self_review_prints_the_members_text_and_identity(engine, org_data):
    (text,) = texts(engine, org_data, recognition_profile(), "self-review")
    review = RECOGNITION["self_review"]
    assert "Họ và tên: Phạm Thị Thu Hường; sinh ngày 15 tháng 12 năm 2000." in text
    assert "Quê quán: xã Nghĩa Hưng, tỉnh Ninh Bình. Nơi cư trú: phường Hoàng Mai, thành phố Hà Nội." in text
    # party age counts from the admission decision's date (Charter Art. 5 §4); the ceremony began the probation
    assert "Ngày vào Đảng: ngày 07 tháng 11 năm 2025; lễ kết nạp tổ chức ngày 20 tháng 11 năm 2025." in text
    assert f"nhiệm vụ được giao): {review['strengths']} 2. Khuyết điểm và nguyên nhân: {review['weaknesses']}" in text
    assert f"3. Hướng phấn đấu, khắc phục: {review['direction']} Tôi tự nhận thấy" in text
    assert "Hà Nội, ngày 10 tháng 11 năm 2026 NGƯỜI TỰ KIỂM ĐIỂM (Ký, ghi rõ họ và tên) Phạm Thị Thu Hường" in text
    # the member's text leaves no lines to write on but the cell's three
    assert text.count(DOTS) == 3
    assert text.endswith(f"NHẬN XÉT, XÁC NHẬN CỦA CHI ỦY (CHI BỘ) {DOTS} {DOTS} {DOTS} "
                         "Hà Nội, ngày …… tháng …… năm …… T/M CHI ỦY BÍ THƯ Lê Văn Quyết")


def test_self_review_without_the_members_text_has_lines_to_write_on(tmp_path):
    result, (docx,) = run(tmp_path, "self-review", recognition_profile(self_review={}))
    assert result.exit_code == 0, result.output
    assert docx.name == "undated_self-review_pham-thi-thu-huong.docx"
    lines = docx_paragraphs(docx.read_bytes())
    at = lines.index("1. Ưu điểm (về tư tưởng chính trị; phẩm chất đạo đức, lối sống; thực hiện nhiệm vụ đảng viên "
                     "và nhiệm vụ được giao):")
    assert lines[at + 1:at + 9] == [DOTS, DOTS, DOTS, "2. Khuyết điểm và nguyên nhân:", DOTS, DOTS, DOTS,
                                    "3. Hướng phấn đấu, khắc phục:"]
    assert lines[at + 9:at + 12] == [DOTS, DOTS, DOTS]
    assert lines.count(DOTS) == 12  # three for each heading, three for the cell
    # no date: the member dates it by hand
    assert "Hà Nội, ngày …… tháng …… năm ……" in lines[lines.index("NGƯỜI TỰ KIỂM ĐIỂM") - 1]
    assert docx_text(docx.read_bytes()) == pdf_text(docx.with_suffix(".pdf").read_bytes())


def test_self_review_with_part_of_the_text_leaves_lines_only_where_it_is_missing(engine, org_data):
    review = {"date": "2026-11-10", "strengths": "Hoàn thành tốt nhiệm vụ."}
    (text,) = texts(engine, org_data, recognition_profile(self_review=review), "self-review")
    assert f"nhiệm vụ được giao): Hoàn thành tốt nhiệm vụ. 2. Khuyết điểm và nguyên nhân: {DOTS}" in text
    assert text.count(DOTS) == 9


def test_self_review_of_a_member_whose_profile_has_no_recognition_yet_is_all_lines(tmp_path):
    """The admission's data name the member: the paper is printed to be written by hand."""
    result, (docx,) = run(tmp_path, "self-review", read_json(HUONG))
    assert result.exit_code == 0, result.output
    text = docx_text(docx.read_bytes())
    assert text.count(DOTS) == 12
    assert "Ngày vào Đảng: ngày 07 tháng 11 năm 2025. Đang sinh hoạt" in text  # no ceremony recorded


def test_ceremony_date_of_the_recognition_group_comes_before_the_admissions(engine, org_data):
    data = recognition_profile()
    data["recognition"]["ceremony_date"] = "2025-11-21"
    (text,) = texts(engine, org_data, data, "self-review")
    assert "lễ kết nạp tổ chức ngày 21 tháng 11 năm 2025." in text


# -- 12-KNĐ: the counts, the organisations, the signer ------------------------------------------------
def test_recognition_comments_summary_counts(engine, org_data):
    (text,) = texts(engine, org_data, recognition_profile(), "recognition-comments-summary")
    assert ("1. Tổng số tổ chức đoàn thể và chi ủy nơi cư trú có ý kiến nhận xét: 03 tổ chức, gồm: "
            "- Công đoàn Phòng Thí nghiệm; - Chi đoàn Phòng Thí nghiệm; "
            "- Chi ủy Chi bộ tổ dân phố số 12, phường Hoàng Mai; 2. Những ưu điểm: Có ý thức tổ chức kỷ luật tốt, "
            "gương mẫu trong công tác chuyên môn. 3. Những khuyết điểm: Chưa mạnh dạn góp ý với đồng nghiệp.") in text
    assert ("4. Số tổ chức nhất trí đề nghị công nhận đảng viên dự bị Phạm Thị Thu Hường trở thành đảng viên chính "
            "thức: 02 tổ chức; không nhất trí: 01 tổ chức.") in text
    assert "Hà Nội, ngày 16 tháng 11 năm 2026" in text
    # the probationary year's comments, not the admission's (5-KNĐ: 3 of 3, 2025-09-15)
    assert "03 tổ chức; không nhất trí" not in text and "15 tháng 9 năm 2025" not in text
    assert text.endswith("T/M CHI ỦY BÍ THƯ Lê Văn Quyết")


@pytest.mark.parametrize("official, on_behalf", [(8, False), (9, True)])
def test_the_chi_uy_signs_from_nine_official_members_at_the_recognition_meeting(engine, org_data, official,
                                                                                 on_behalf):
    """A paper of the probationary year counts the cell as the recognition meeting found it (here
    fewer than at admission, 14): from 9 official members the cell has a chi ủy (294-QĐ/TW §23.2)."""
    data = recognition_profile()
    data["recognition"]["cell_meeting"].update(members_total=official + 1, members_official=official,
                                               present_official=official, approve=official, reject=0)
    for form_id in ("recognition-comments-summary", "self-review"):
        (text,) = texts(engine, org_data, data, form_id)
        assert text.endswith("BÍ THƯ Lê Văn Quyết")
        assert ("T/M CHI ỦY BÍ THƯ Lê Văn Quyết" in text) is on_behalf, form_id
    (text,) = texts(engine, org_data, data, "recognition-comments-summary")
    who = "Chi ủy" if on_behalf else "Bí thư"
    assert f"trong thời gian dự bị, {who} Chi bộ Trung tâm Khuyến công và Tư vấn phát triển công nghiệp tổng" in text


def test_without_a_recognition_meeting_the_admissions_count_decides(engine, org_data):
    data = recognition_profile()
    del data["recognition"]["cell_meeting"]
    data["admission"]["cell_meeting"].update(members_official=8, present_official=8, approve=8, reject=0,
                                             members_total=9)
    (text,) = texts(engine, org_data, data, "recognition-comments-summary")
    assert text.endswith("- Lưu hồ sơ. BÍ THƯ Lê Văn Quyết") and "T/M CHI ỦY" not in text


# -- what cannot be printed is refused --------------------------------------------------------------
def refused(tmp_path: Path, form_id: str, data: dict) -> dict[str, dict]:
    """``docgen FORM`` exits 3 writing nothing; ``docgen check --form FORM --json``'s problems by path."""
    result, docxs = run(tmp_path, form_id, data)
    out = tmp_path / "out"
    assert result.exit_code == 3 and docxs == [] and (not out.exists() or not any(out.iterdir()))
    check = CliRunner().invoke(main, ["check", write_profile(tmp_path, data, "check.json"), "--org", ORG,
                                      "--form", form_id, "--json"])
    assert check.exit_code == 3
    return {p["path"]: p for p in json.loads(check.stdout)["problems"]}


def test_a_profile_without_recognition_is_refused_naming_the_fields(tmp_path):
    found = refused(tmp_path, "helper-review", read_json(HUONG))
    assert found["recognition.helpers"]["message"] == 'Thiếu "Đảng viên chính thức được phân công giúp đỡ" ' \
                                                      "(recognition.helpers)."
    found = refused(tmp_path, "recognition-comments-summary", read_json(HUONG))
    assert set(found) == {f"recognition.comments.{k}" for k in ("date", "organizations_total", "organizations_agree",
                                                                "organizations", "strengths", "weaknesses")}
    assert found["recognition.comments.date"]["label"] == "Ngày lập bản tổng hợp ý kiến nhận xét — thời gian dự bị"


def test_a_helper_without_strengths_is_refused_naming_the_item(tmp_path):
    data = recognition_profile()
    del data["recognition"]["helpers"][1]["strengths"]
    found = refused(tmp_path, "helper-review", data)
    assert list(found) == ["recognition.helpers[1].strengths"]
    assert found["recognition.helpers[1].strengths"]["label"] == "Ưu điểm (nhận xét của đảng viên giúp đỡ) (thứ 2)"


def test_more_organisations_agreeing_than_asked_is_refused(tmp_path):
    data = recognition_profile()
    data["recognition"]["comments"]["organizations_agree"] = 4
    found = refused(tmp_path, "recognition-comments-summary", data)
    assert found["recognition.comments.organizations_agree"]["severity"] == "error"
    data["recognition"]["comments"]["organizations_agree"] = 3  # all of them: printed
    result, _ = run(tmp_path, "recognition-comments-summary", data)
    assert result.exit_code == 0, result.output


# -- golden text: the fixed profile, and every sample of samples/recognition/ ---------------------------
# the organisation each sample is checked with (leap-day's admission predates org.json's delegation)
SAMPLE_ORGS = {"leap-day": "org-btv.json"}
GOLDEN_PROFILES = [("pham-thi-thu-huong-recognition", None)] + [
    (p.stem, p) for p in sorted((SAMPLES / "recognition").glob("*.json"))]


@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("name, path", GOLDEN_PROFILES, ids=[n for n, _ in GOLDEN_PROFILES])
def test_golden_text(engine, form_id, name, path, update_golden):
    org = read_json(SAMPLES / SAMPLE_ORGS.get(name, "org.json"))
    data = recognition_profile() if path is None else read_json(path)
    inputs = make_inputs(engine, org, data)
    form = engine.library.get(form_id)
    assert not [p for p in engine.problems([form], inputs) if p.severity == "error"]
    folder = GOLDEN / form_id
    docs = engine.render_all([form], inputs)
    assert docs
    for doc in docs:
        suffix = doc.stem.split(form_id, 1)[1].split("_")[0]
        assert pdf_text(doc.pdf).strip() == docx_text(doc.docx)
        assert TITLES[form_id][1] in docx_text(doc.docx)
        check_golden(doc, folder, f"{name}{suffix}", update_golden)
