"""The congress papers the ratification needs (the trích ngang list of those elected, the grassroots
committee's ratification decision) and the numbering and wording of the attendance report, the
candidate lists and the ballots (legal-review D12, D23, D24, D25; 294-QĐ/TW §16.1)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from docgen.cli import main

from conftest import SAMPLES, make_inputs, read_json
from doctext import docx_text, pdf_text

ORG = str(SAMPLES / "org.json")
CONGRESS = SAMPLES / "congress.json"
CELL = "Chi bộ Trung tâm Khuyến công và Tư vấn phát triển công nghiệp"


@pytest.fixture()
def cg():
    return read_json(CONGRESS)


def inputs_for(engine, org, cg):
    return make_inputs(engine, org, cg, kind="congress")


def problems(engine, org, cg):
    inputs = inputs_for(engine, org, cg)
    return engine.problems(engine.pack_forms(inputs, "congress"), inputs)


def of_rule(found, rule_id):
    return [p for p in found if p.rule == rule_id]


def text_of(engine, org, cg, form_id, item=None, pdf=False):
    """The text of one paper, rendered from the context alone (no check): what it prints."""
    doc = engine.render(engine.library.get(form_id), inputs_for(engine, org, cg), formats=("docx", "pdf") if pdf
                        else ("docx",), item=item)
    return (docx_text(doc.docx), pdf_text(doc.pdf)) if pdf else docx_text(doc.docx)


def write(tmp_path, data, name="c.json"):
    f = tmp_path / name
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(f)


# -- the pack --------------------------------------------------------------------------------------
PACK_ORDER = [
    "attendance-report", "candidate-list-1-chi-uy-vien", "candidate-list-2-bi-thu", "candidate-list-3-pho-bi-thu",
    "ballot-1-chi-uy-vien", "ballot-2-bi-thu", "ballot-3-pho-bi-thu", "vote-count-minutes-1-chi-uy-vien",
    "vote-count-minutes-2-bi-thu", "vote-count-minutes-3-pho-bi-thu", "congress-minutes", "congress-resolution",
    "ratification-request", "elected-list", "ratification-decision",
]


def test_congress_pack_writes_the_request_then_its_list_then_the_decision(tmp_path):
    result = CliRunner().invoke(main, ["congress", str(CONGRESS), "--org", ORG, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = [Path(p) for p in result.stdout.split()]
    order = [p.stem.split("_")[1] for p in written if p.suffix == ".docx"]
    assert order == PACK_ORDER
    merged = next(p for p in written if "_congress_" in p.name)
    outline = [o.title for o in PdfReader(merged).outline]
    assert len(outline) == 15
    assert outline[-3:] == ["Tờ trình đề nghị chuẩn y kết quả bầu cử", "Danh sách trích ngang các đồng chí trúng cử",
                            "Quyết định chuẩn y kết quả bầu cử"]


def test_the_decision_is_in_the_pack_only_once_the_file_records_it(tmp_path, cg):
    del cg["congress"]["ratification_decision"]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["congress", write(tmp_path, cg), "--org", ORG, "-o", str(out), "--format",
                                       "docx"])
    assert result.exit_code == 0, result.output
    stems = [Path(p).stem.split("_")[1] for p in result.stdout.split() if p.endswith(".docx")]
    assert stems == PACK_ORDER[:-1]


def test_each_new_paper_has_its_own_command():
    result = CliRunner().invoke(main, ["--help"])
    assert "elected-list" in result.output and "ratification-decision" in result.output


# -- the trích ngang list --------------------------------------------------------------------------
def test_elected_list_lists_each_elected_once_with_the_short_cv(engine, org_data, cg):
    docx, pdf = text_of(engine, org_data, cg, "elected-list", pdf=True)
    assert docx == pdf
    assert "DANH SÁCH TRÍCH NGANG" in docx
    assert (f"(Kèm theo Tờ trình số 01-TTr/CB, ngày 24 tháng 6 năm 2025 của {CELL})") in docx
    assert ("1 Lê Văn Quyết 12/09/1978 Xã Nghĩa Hưng, tỉnh Ninh Bình Thạc sĩ Quản lý kinh tế Cao cấp 19/05/2004 "
            "Giám đốc Trung tâm Chi ủy viên, bí thư") in docx
    assert "2 Vũ Minh Tuấn 21/07/1982" in docx and "Chi ủy viên, phó bí thư" in docx
    assert "5 Dương Thị Ỷ Nhi 10/10/1988 Phường Hạc Thành, tỉnh Thanh Hóa Thạc sĩ Kinh tế Sơ cấp 03/02/2014" in docx
    assert "Ngô Thanh Bình" not in docx  # on the list, 6 votes of 14: not elected
    assert docx.count("Lê Văn Quyết") == 2  # once in the list, once as the signer
    assert not re.search(r"Số \d+-", docx)  # an attachment has no number of its own
    assert docx.endswith("T/M CHI ỦY BÍ THƯ Lê Văn Quyết")


def test_elected_list_refuses_a_missing_cv_value_naming_the_field(tmp_path, cg):
    quyet = cg["congress"]["elections"][0]["candidates"][0]
    assert quyet["full_name"] == "Lê Văn Quyết"
    del quyet["education"]
    path = write(tmp_path, cg)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["elected-list", path, "--org", ORG, "-o", str(out)])
    assert result.exit_code == 3
    assert "congress.elections[0].candidates[0].education" in result.stderr
    assert "Trình độ chuyên môn người trong danh sách bầu cử" in result.stderr
    assert not out.exists() or not any(out.iterdir())
    # a paper that does not print the CV is still made
    ballot = CliRunner().invoke(main, ["ballot", path, "--org", ORG, "-o", str(tmp_path / "b"), "--format", "docx"])
    assert ballot.exit_code == 0, ballot.output


# -- the ratification decision ---------------------------------------------------------------------
def test_ratification_decision_text(engine, org_data, cg):
    docx, pdf = text_of(engine, org_data, cg, "ratification-decision", pdf=True)
    assert docx == pdf
    assert docx.startswith("ĐẢNG BỘ BỘ CÔNG THƯƠNG ĐẢNG ỦY CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG * Số 25-QĐ/ĐUC ")
    assert "Hà Nội, ngày 08 tháng 7 năm 2025" in docx
    assert f"QUYẾT ĐỊNH chuẩn y kết quả bầu cử chi ủy, bí thư, phó bí thư {CELL} nhiệm kỳ 2025 - 2030" in docx
    assert "- Căn cứ Quy định số 294-QĐ/TW" in docx
    assert f"- Xét Tờ trình số 01-TTr/CB, ngày 24-6-2025 của {CELL} về việc đề nghị chuẩn y" in docx
    assert "BAN THƯỜNG VỤ ĐẢNG ỦY CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG QUYẾT ĐỊNH:" in docx
    assert ("- Chi ủy gồm 05 đồng chí: Lê Văn Quyết, Vũ Minh Tuấn, Đỗ Thị Mai Anh, Hồ Sỹ Thắng, Dương Thị Ỷ Nhi. "
            "- Bí thư: đồng chí Lê Văn Quyết. - Phó Bí thư: đồng chí Vũ Minh Tuấn.") in docx
    assert "Ngô Thanh Bình" not in docx
    assert docx.endswith("T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ Trần Thị Minh Hằng")


def test_without_a_standing_committee_the_dang_uy_ratifies_and_is_addressed(engine, org_data, cg):
    cg["congress"]["ratification_decision"]["standing_committee"] = False
    text = text_of(engine, org_data, cg, "ratification-decision")
    assert "BAN THƯỜNG VỤ" not in text
    assert "ĐẢNG ỦY CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG QUYẾT ĐỊNH:" in text
    assert text.endswith("T/M ĐẢNG ỦY PHÓ BÍ THƯ Trần Thị Minh Hằng")
    request = text_of(engine, org_data, cg, "ratification-request")
    assert "Kính gửi: Đảng ủy Cục Công Thương địa phương." in request


def test_the_decision_never_names_someone_not_elected(engine, org_data, cg):
    elections = cg["congress"]["elections"]
    elections[0]["candidates"][4]["votes"] = 6   # Dương Thị Ỷ Nhi: 6 of the base 13 is not more than half
    elections[2]["candidates"][0]["votes"] = 6   # the phó bí thư: none elected
    text = text_of(engine, org_data, cg, "ratification-decision")
    assert "- Chi ủy gồm 04 đồng chí: Lê Văn Quyết, Vũ Minh Tuấn, Đỗ Thị Mai Anh, Hồ Sỹ Thắng." in text
    assert "Dương Thị Ỷ Nhi" not in text and "Phó Bí thư" not in text
    assert "chuẩn y kết quả bầu cử chi ủy, bí thư " in text
    assert "Dương Thị Ỷ Nhi" not in text_of(engine, org_data, cg, "elected-list")


# 2025-06-25 (Wednesday) received: the 15th working day after it is Wednesday 2025-07-16
@pytest.mark.parametrize("decided, late", [("2025-07-16", False), ("2025-07-17", True)])
def test_ratification_decision_within_15_working_days_of_receipt(engine, org_data, cg, decided, late):
    cg["congress"]["ratification_decision"]["date"] = decided
    found = of_rule(problems(engine, org_data, cg), "deadline.ratification_decision")
    assert bool(found) is late
    if late:
        (p,) = found
        assert p.severity == "error" and p.path == "congress.ratification_decision.date"
        assert "sau 16 ngày làm việc kể từ ngày đảng ủy nhận tờ trình" in p.message
        assert "hạn cuối ngày 16 tháng 7 năm 2025" in p.message


# without the day of receipt, the count runs from the request's date (2025-06-24): last day 2025-07-15
@pytest.mark.parametrize("decided, late", [("2025-07-15", False), ("2025-07-16", True)])
def test_without_the_receipt_the_count_runs_from_the_request_with_a_warning(engine, org_data, cg, decided, late):
    del cg["congress"]["ratification_decision"]["received_on"]
    cg["congress"]["ratification_decision"]["date"] = decided
    found = problems(engine, org_data, cg)
    (warning,) = of_rule(found, "deadline.ratification_decision_start")
    assert warning.severity == "warning" and warning.path == "congress.ratification_decision.received_on"
    assert "ngày 24 tháng 6 năm 2025" in warning.message
    assert bool(of_rule(found, "deadline.ratification_decision")) is late


@pytest.mark.parametrize("field, value, path", [
    ("date", "2025-06-24", "congress.ratification_decision.date"),          # before it was received
    ("received_on", "2025-06-23", "congress.ratification_decision.received_on"),  # before it was sent
])
def test_ratification_dates_out_of_order_are_errors(engine, org_data, cg, field, value, path):
    cg["congress"]["ratification_decision"][field] = value
    (p,) = of_rule(problems(engine, org_data, cg), "deadline.ratification_decision")
    assert p.severity == "error" and p.path == path


def test_a_late_decision_exits_3_and_writes_nothing(tmp_path, cg):
    cg["congress"]["ratification_decision"]["date"] = "2025-07-17"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ratification-decision", write(tmp_path, cg), "--org", ORG, "-o", str(out)])
    assert result.exit_code == 3
    assert "congress.ratification_decision.date" in result.stderr and "quá hạn 15 ngày làm việc" in result.stderr
    assert not out.exists() or not any(out.iterdir())


# -- the attendance report: the convening chi ủy's, in the cell's series (D24) ----------------------
def test_attendance_report_is_the_cells_paper(engine, org_data, cg):
    text = text_of(engine, org_data, cg, "attendance-report")
    assert text.startswith(f"ĐẢNG BỘ CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG {CELL.upper()} * Số -BC/CB ")
    assert "ĐẠI HỘI" not in text.split("BÁO CÁO")[0] and "/ĐH" not in text
    assert text.endswith("T/M CHI ỦY BÍ THƯ Lê Văn Quyết")
    cg["congress"]["attendance_report"] = {"number": 2}
    assert " * Số 02-BC/CB " in text_of(engine, org_data, cg, "attendance-report")


def test_attendance_report_signed_by_the_secretary_where_no_chi_uy(engine, org_data, cg):
    org = copy.deepcopy(org_data)
    org["cell"]["has_committee"] = False
    text = text_of(engine, org, cg, "attendance-report")
    assert text.endswith("- Lưu Chi bộ. BÍ THƯ Lê Văn Quyết") and "T/M" not in text


# -- candidate lists carry no number; the congress's series counts its own documents (D23) --------
def test_candidate_lists_have_no_number_and_the_series_starts_at_the_count_minutes(tmp_path):
    result = CliRunner().invoke(main, ["congress", str(CONGRESS), "--org", ORG, "-o", str(tmp_path), "--format",
                                       "docx"])
    assert result.exit_code == 0, result.output
    docx = {Path(p).stem.split("_")[1]: docx_text(Path(p).read_bytes()) for p in result.stdout.split()
            if p.endswith(".docx")}
    for k in ("candidate-list-1-chi-uy-vien", "candidate-list-2-bi-thu", "candidate-list-3-pho-bi-thu"):
        assert "Số " not in docx[k].split("DANH SÁCH BẦU CỬ")[0] and "-DS/" not in docx[k]
    congress_series = {k: m.group(1) for k, v in docx.items() if (m := re.search(r"Số (\d+-\w+)/ĐH", v))}
    assert congress_series == {
        "vote-count-minutes-1-chi-uy-vien": "01-BB", "vote-count-minutes-2-bi-thu": "02-BB",
        "vote-count-minutes-3-pho-bi-thu": "03-BB", "congress-minutes": "04-BB", "congress-resolution": "05-NQ",
    }


# -- ballots: the grassroots committee's seal (D25), a note for each layout (D12) -------------------
def test_ballot_names_the_grassroots_committees_seal(engine, org_data, cg):
    for item in range(3):
        text = text_of(engine, org_data, cg, "ballot", item=item)
        assert "(Dấu của Đảng ủy Cục Công Thương địa phương)" in text
        assert "cấp ủy triệu tập" not in text


def test_ballot_note_with_surplus_voids_a_ballot_keeping_more_names_than_seats(engine, org_data, cg):
    text = text_of(engine, org_data, cg, "ballot", item=0)
    assert "gạch ngang cả họ và tên đồng chí đó" in text
    assert "Chỉ giữ lại nhiều nhất 5 họ và tên: phiếu giữ lại nhiều hơn 5 họ và tên là phiếu không hợp lệ." in text
    assert "ô “Đồng ý”" not in text


def test_ballot_note_for_one_person(engine, org_data, cg):
    text = text_of(engine, org_data, cg, "ballot", item=1)
    assert ("Ghi chú: Đánh dấu X vào một trong hai ô “Đồng ý” hoặc “Không đồng ý”. Phiếu đánh dấu cả hai ô hoặc "
            "không đánh dấu ô nào là phiếu không hợp lệ.") in text
    assert "phiếu vẫn hợp lệ" not in text and "gạch ngang" not in text


def test_ballot_note_for_several_people_without_surplus_keeps_the_ballot_valid(engine, org_data, cg):
    e = cg["congress"]["elections"][0]
    e["seats"] = len(e["candidates"])  # 6 for 6
    text = text_of(engine, org_data, cg, "ballot", item=0)
    assert "STT Họ và tên Đồng ý Không đồng ý" in text
    assert ("Dòng nào đánh dấu cả hai ô hoặc không đánh dấu ô nào thì không tính phiếu cho đồng chí đó; "
            "phiếu vẫn hợp lệ đối với các đồng chí khác.") in text
    assert "là phiếu không hợp lệ" not in text and "gạch ngang" not in text
