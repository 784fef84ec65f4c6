"""The Excel workbook that feeds whole dossiers (issue 15, item 2): ``docgen workbook KIND``
writes it from workbook.toml and the field registry; ``docgen batch KIND FILE.xlsx`` and
:func:`read_workbook` read it back, one profile per key, every problem named by sheet, row and
Vietnamese header.

The tests read the written workbook with openpyxl (sheets, headers, comments, validations,
number formats, the example row) and the generated papers' text (tests/doctext.py)."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.cli import main
from docgen.pipeline.workbook import (
    Entry,
    is_workbook,
    layout,
    profile_rows,
    read_workbook,
    write_workbook,
)

from conftest import DAT, HUONG, LAN, SAMPLES, read_json
from doctext import docx_text

ADMISSION_SHEETS = ["Người vào Đảng", "Người giới thiệu", "Nghị quyết Đoàn", "Nghị quyết Công đoàn",
                    "Tổng hợp ý kiến", "Chi bộ họp xét", "Chi bộ - không tính", "Đảng ủy xét",
                    "Đảng ủy - không tính", "Quyết định kết nạp", "Ngoại lệ"]


def run(args: list[str], cwd: Path | None = None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, env={"DOCGEN_WORKSPACE": None})
    finally:
        os.chdir(old)


def headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def column_of(ws, header: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == header)


def validations(ws) -> dict[str, object]:
    """Each column letter with a validation: a dropdown's options (from the hidden sheet its
    formula names), else the validation's formula."""
    out: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        value: object = dv.formula1
        if dv.type == "list":
            sheet, cells = dv.formula1.split("!")
            assert sheet == "'_docgen'"
            value = [c.value for row in ws.parent["_docgen"][cells.replace("$", "")] for c in row]
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0].rstrip("0123456789")] = value
    return out


def fill(path: Path, engine, kind: str, profiles: list[tuple[str, dict]]) -> None:
    """Append each profile's rows under the example row, as a user typing would."""
    lay = layout(engine, kind)
    wb = load_workbook(path)
    for key, profile in profiles:
        for name, rows in profile_rows(lay, profile, key).items():
            ws = wb[name]
            for row in rows:
                append(ws, row)
    wb.save(path)


def append(ws, values: list) -> int:
    """Write ``values`` in the first row with an empty key (the sheet's formatted empty rows make
    openpyxl's own ``append`` go below them)."""
    r = 2
    while ws.cell(row=r, column=1).value is not None:
        r += 1
    for j, value in enumerate(values, 1):
        ws.cell(row=r, column=j, value=value)
    return r


def row_of(path: Path, sheet: str, key: str) -> int:
    ws = load_workbook(path)[sheet]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == key)


# -- the written workbook -----------------------------------------------------------------------
def test_admission_workbook_has_a_sheet_per_part_with_headers_comments_dropdowns_dates_and_example(tmp_path):
    out = tmp_path / "ho-so.xlsx"
    result = run(["workbook", "admission-dossier", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "docgen batch admission-dossier ho-so.xlsx" in result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ADMISSION_SHEETS + ["_docgen"]
    assert wb["_docgen"].sheet_state == "hidden"
    assert is_workbook(out)

    people = wb["Người vào Đảng"]
    assert headers(people)[:5] == ["Mã hồ sơ", "Họ và tên người vào Đảng", "Giới tính", "Ngày sinh", "Quê quán"]
    assert people.freeze_panes == "B2"
    assert people.column_dimensions["B"].width >= 26
    # the example row: marked, grey and italic, with real date cells
    assert people["A2"].value == "VÍ DỤ"
    assert people["B2"].value == "Phạm Thị Thu Hường"
    assert people["B2"].font.i and people["B2"].font.color.rgb.endswith("808080")
    born = column_of(people, "Ngày sinh")
    assert people[f"{born}2"].value == datetime(2000, 12, 15)
    assert people[f"{born}2"].number_format == "dd/mm/yyyy"
    assert people[f"{born}40"].number_format == "dd/mm/yyyy"   # the rows to fill too
    dv = validations(people)
    assert dv[column_of(people, "Giới tính")] == ["Nam", "Nữ"]
    assert dv[column_of(people, "Là đoàn viên Đoàn TNCS Hồ Chí Minh")] == ["Có", "Không"]
    assert people[f"{column_of(people, 'Là đoàn viên Đoàn TNCS Hồ Chí Minh')}2"].value == "Có"

    # a header's comment: help, format, bounds, which papers need it
    course = people[f"{column_of(people, 'Ngày cấp giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng')}1"]
    assert course.comment.text.split("\n") == [
        "Ngày ghi trên giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng; giấy chứng nhận có giá trị 60 tháng.",
        "Ngày, dạng ngày/tháng/năm (ví dụ 07/11/2018), từ 01/01/1900 đến 31/12/2100.",
        "Bắt buộc cho: Mẫu 6-KNĐ."]
    assert "Không bắt buộc" in people[f"{column_of(people, 'Đơn vị nơi người vào Đảng công tác, học tập có tổ chức Đoàn TNCS Hồ Chí Minh')}1"].comment.text  # noqa: E501
    assert people["A1"].comment.text.startswith("Mã hồ sơ của người vào Đảng, tự đặt, mỗi người một mã")

    intro = wb["Người giới thiệu"]
    assert headers(intro)[:3] == ["Mã hồ sơ", "Họ và tên người giới thiệu", "Ngày sinh của người giới thiệu"]
    assert "Bắt buộc cho: Mẫu 3-KNĐ" in intro["C1"].comment.text
    assert [c.value for c in intro[2]][:2] == ["VÍ DỤ", "Vũ Minh Tuấn"]

    # a choice whose values are codes: Vietnamese words in the dropdown
    nc = wb["Chi bộ - không tính"]
    assert headers(nc) == ["Mã hồ sơ", "Họ và tên đảng viên không tính vào số biểu quyết",
                           "Trường hợp không tính vào số biểu quyết"]
    assert validations(nc)["C"] == ["chuyển sinh hoạt tạm thời không có mặt", "được miễn sinh hoạt không có mặt",
                                    "bị đình chỉ sinh hoạt, bị truy tố, tạm giam"]
    # a count: a whole number within its bounds
    meeting = wb["Chi bộ họp xét"]
    counts = [dv for dv in meeting.data_validations.dataValidation if dv.type == "whole"]
    assert counts and all(dv.formula1 == "0" and dv.formula2 == "100000" for dv in counts)
    # a text_list: one cell, one item per line
    comments = wb["Tổng hợp ý kiến"]
    assert comments[f"{column_of(comments, 'Các tổ chức có ý kiến nhận xét')}2"].value.split("\n") == [
        "Công đoàn Phòng Thí nghiệm", "Chi đoàn Phòng Thí nghiệm", "Chi ủy Chi bộ tổ dân phố số 12, phường Hoàng Mai"]


def test_congress_workbook_has_a_sheet_per_list_and_nested_lists_carry_their_parents_number(tmp_path):
    out = tmp_path / "dai-hoi.xlsx"
    result = run(["workbook", "congress", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Đại hội", "Biểu quyết", "Chuẩn y"]
    assert headers(wb["Danh sách bầu cử"])[:3] == ["Mã đại hội", "Cuộc bầu cử số",
                                                   "Họ và tên người trong danh sách bầu cử"]
    assert headers(wb["DS bầu lần tiếp theo"])[:4] == ["Mã đại hội", "Cuộc bầu cử số", "Lần bầu số",
                                                       "Họ và tên người trong danh sách bầu lần tiếp theo"]
    assert "Cuộc bầu cử số" in wb["Danh sách bầu cử"]["B1"].comment.text
    assert validations(wb["Đảng viên vắng mặt"])["C"] == ["chính thức", "dự bị"]
    assert wb["Bầu cử"]["A2"].value == "VÍ DỤ"
    assert [c.value for c in wb["Danh sách bầu cử"][2]][:3] == ["VÍ DỤ", 1, "Lê Văn Quyết"]


def test_a_kind_with_no_workbook_is_refused_naming_the_choices(tmp_path):
    result = run(["workbook", "admission-decision", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert '"admission-decision" không có bảng tính. Chọn một trong: admission-dossier, congress.' in result.output
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("kind", ["admission-dossier", "congress"])
def test_every_column_of_both_workbooks_has_a_help(engine, kind):
    lay = layout(engine, kind)
    fields = [f for sheet in lay.sheets for f in sheet.columns]
    assert len(fields) > 40
    assert [f.path for f in fields if not f.help.strip()] == []
    for sheet in lay.sheets:  # a list's own help: the sheet is the list
        if sheet.list:
            assert engine.library.registry[sheet.list].help


def test_a_help_that_is_not_a_string_or_too_long_is_refused(tmp_path):
    from docgen.errors import DataProblems
    from docgen.load.fields import Registry

    text = (Path(__file__).resolve().parent.parent / "forms/_shared/fields.toml").read_text(encoding="utf-8")
    bad = text.replace('help = "Giới tính của người vào Đảng, như trong lý lịch."', "help = 3", 1)
    hometown = 'help = "Quê quán như trong lý lịch người xin vào Đảng (Mẫu 2-KNĐ)."'
    bad = bad.replace(hometown, 'help = "' + "x" * 401 + '"')
    path = tmp_path / "fields.toml"
    path.write_text(bad, encoding="utf-8")
    sink = DataProblems()
    Registry.read(path, sink)
    messages = [p.message for p in sink.items]
    assert any('"help"' in m and "chuỗi" in m for m in messages), messages
    assert any("dài 401 ký tự, quá giới hạn 400" in m for m in messages), messages


# -- reading it back ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,source", [("admission-dossier", HUONG), ("congress", SAMPLES / "congress.json"),
                                         ("congress", SAMPLES / "congress-round2.json")])
def test_a_profile_goes_through_the_workbook_unchanged(engine, tmp_path, kind, source):
    profile = read_json(source)
    if kind == "admission-dossier":
        profile["candidate"]["id"] = "KN-2026-001"
        profile["candidate"]["trade_union_member"] = False
        # a choice whose Vietnamese words hold commas, read back as its code
        profile["admission"]["cell_meeting"]["not_counted"] = [
            {"full_name": "Trần Văn Một", "category": "suspended_or_detained"},
            {"full_name": "Lê Thị Hai", "category": "exempted"}]
    out = tmp_path / "w.xlsx"
    write_workbook(engine, kind, out)
    fill(out, engine, kind, [("KN-2026-001", profile)])
    book = read_workbook(engine, out)
    assert book.kind == kind
    assert book.problems == []
    assert [e.key for e in book.entries] == ["KN-2026-001"]
    assert book.entries[0].profile == profile
    assert book.entries[0].problems == []
    if kind == "admission-dossier":
        wb = load_workbook(out)
        assert [c.value for c in wb["Chi bộ - không tính"][2]] == [
            "KN-2026-001", "Trần Văn Một", "bị đình chỉ sinh hoạt, bị truy tố, tạm giam"]
    # the example row is skipped, and said so
    assert book.notes[0].startswith("Bỏ qua ")
    assert "dòng ví dụ" in book.notes[0] and "đó không phải hồ sơ của ai" in book.notes[0]


def test_where_each_value_came_from(engine, tmp_path):
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("A1", read_json(LAN)), ("A2", read_json(DAT))])
    entry = read_workbook(engine, out).entries[1]
    assert isinstance(entry, Entry)
    assert entry.label == "Nguyễn Đức Đạt (Mã hồ sơ A2)"
    row = row_of(out, "Người giới thiệu", "A2")
    assert entry.locate("introducers[0].date_of_birth") == \
        f"Trang \u201cNgười giới thiệu\u201d, dòng {row}, cột \u201cNgày sinh của người giới thiệu\u201d"
    assert entry.locate("introducers[0]") == f"Trang \u201cNgười giới thiệu\u201d, dòng {row}"
    assert entry.locate("introducers[0].nothing") == f"Trang \u201cNgười giới thiệu\u201d, dòng {row}"
    assert entry.locate("candidate.id") == "Trang \u201cNgười vào Đảng\u201d, dòng 4, cột \u201cMã hồ sơ\u201d"
    assert entry.locate("nowhere") == ""


def test_reading_problems_are_named_by_sheet_row_and_header(engine, tmp_path):
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("A1", read_json(LAN)), ("A2", read_json(HUONG))])
    wb = load_workbook(out)
    intro = wb["Người giới thiệu"]
    r = row_of(out, "Người giới thiệu", "A2")
    intro[f"{column_of(intro, 'Ngày sinh của người giới thiệu')}{r}"] = "31/02/1980"
    intro.cell(row=1, column=intro.max_column + 1, value="Ngày sinh người giới thiệu")   # a typed header
    nc = wb["Chi bộ - không tính"]
    orphan = append(nc, ["A9", "Trần Văn Một", "được miễn sinh hoạt không có mặt"])     # a key of no one
    twice = append(wb["Người vào Đảng"], ["A1", "Lý Thị Ỷ Lan"])                         # a key twice
    wb.save(out)
    book = read_workbook(engine, out)
    lan, huong = book.entries
    assert huong.problems == [f"Trang \u201cNgười giới thiệu\u201d, dòng {r}, cột \u201cNgày sinh của người giới "
                              "thiệu\u201d: không đọc được ngày \u201c31/02/1980\u201d; hãy ghi ngày có thật dạng "
                              "ngày/tháng/năm (ví dụ 07/11/2018)."]
    assert huong.unread == {"introducers[0].date_of_birth"}
    assert twice == 5 and orphan == 2
    assert lan.problems == ["Trang \u201cNgười vào Đảng\u201d, dòng 5, cột \u201cMã hồ sơ\u201d: \u201cA1\u201d "
                            "đã có ở dòng 3; mỗi hồ sơ một dòng, mỗi dòng một mã riêng."]
    unknown = [p for p in book.problems if "không phải cột nào" in p]
    assert unknown == ["Trang \u201cNgười giới thiệu\u201d, dòng 1, cột \u201cNgày sinh người giới thiệu\u201d: "
                       "không phải cột nào của trang này; có phải \u201cNgày sinh của người giới thiệu\u201d? "
                       "Giá trị của cột này không được đọc."]
    assert [p for p in book.problems if "A9" in p] == [
        "Trang \u201cChi bộ - không tính\u201d, dòng 2, cột \u201cMã hồ sơ\u201d: \u201cA9\u201d không có ở trang "
        "\u201cNgười vào Đảng\u201d; dòng này không được đọc."]


def test_a_plain_roster_is_not_a_workbook(engine):
    assert not is_workbook(SAMPLES / "roster.xlsx")
    assert not is_workbook(HUONG)


# -- the acceptance line of issue 15 ---------------------------------------------------------------
def test_three_people_in_a_workbook_make_two_dossiers_and_name_the_third_ones_mistake(engine, tmp_path):
    ws = tmp_path / "chi-bo"
    made = run(["init", str(ws), "--org", str(SAMPLES / "org.json")])
    assert made.exit_code == 0, made.output
    book = ws / "ho-so.xlsx"
    result = run(["workbook", "admission-dossier", "-o", str(book)], cwd=ws)
    assert result.exit_code == 0, result.output
    huong = read_json(HUONG)
    wrong = copy.deepcopy(huong)
    del wrong["introducers"][0]["signed_on"]   # the third person's introducer has not signed
    fill(book, engine, "admission-dossier", [("KN-01", read_json(LAN)), ("KN-02", read_json(DAT)), ("KN-03", wrong)])
    row = row_of(book, "Người giới thiệu", "KN-03")

    result = run(["batch", "admission-dossier", "ho-so.xlsx", "--format", "docx"], cwd=ws)
    assert result.exit_code == 3, result.output
    assert "Lỗi: 1 mục" in result.output
    assert "Phạm Thị Thu Hường (Mã hồ sơ KN-03):" in result.output
    assert (f"Trang \u201cNgười giới thiệu\u201d, dòng {row}, cột \u201cNgày ký giấy giới thiệu\u201d: Thiếu "
            f"\"Ngày ký giấy giới thiệu (thứ 1)\" (introducers[0].signed_on).") in result.output
    assert "Bỏ qua 7 dòng ví dụ" in result.output

    db = sqlite3.connect(ws / ".docgen" / "workspace.sqlite")
    try:
        dossiers = dict(db.execute("SELECT id, name FROM dossier").fetchall())
        forms = db.execute("SELECT dossier_id, form FROM document ORDER BY dossier_id, form").fetchall()
    finally:
        db.close()
    assert dossiers == {"kn-01": "Lý Thị Ỷ Lan", "kn-02": "Nguyễn Đức Đạt"}
    assert ("kn-01", "admission-decision") in forms and ("kn-02", "cell-resolution") in forms
    listing = run(["dossier", "list"], cwd=ws)
    assert "kn-01" in listing.output and "kn-02" in listing.output and "kn-03" not in listing.output
    decision = next((ws / "ho-so" / "kn-02").glob("*admission-decision*.docx"))
    text = docx_text(decision.read_bytes())
    assert "NGUYỄN ĐỨC ĐẠT" in text or "Nguyễn Đức Đạt" in text
    nomination = next((ws / "ho-so" / "kn-01").glob("*nomination*.docx"))
    assert "Lý Thị Ỷ Lan" in docx_text(nomination.read_bytes())


def test_batch_outside_a_workspace_and_a_workbook_of_another_kind(engine, tmp_path):
    book = tmp_path / "ho-so.xlsx"
    write_workbook(engine, "admission-dossier", book)
    fill(book, engine, "admission-dossier", [("KN-01", read_json(LAN))])
    out = tmp_path / "out"
    result = run(["batch", "admission-dossier", str(book), "--org", str(SAMPLES / "org.json"), "-o", str(out),
                  "--format", "docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    folder = next(out.iterdir())
    assert folder.name.endswith("_admission-dossier_ly-thi-y-lan")
    assert "Lý Thị Ỷ Lan" in docx_text(next(folder.glob("*cell-resolution*.docx")).read_bytes())
    wrong = run(["batch", "congress", str(book), "--org", str(SAMPLES / "org.json"), "-o", str(tmp_path / "o2")])
    assert wrong.exit_code == 3
    assert "đây là bảng tính cho admission-dossier, không phải cho congress" in wrong.output


def test_the_workbooks_example_profiles_are_valid_and_match_the_samples(engine):
    here = Path(__file__).resolve().parent.parent / "forms" / "_shared" / "workbook"
    assert read_json(here / "admission-dossier.json") == read_json(HUONG)
    assert read_json(here / "congress.json") == read_json(SAMPLES / "congress.json")
    assert json.dumps(read_json(here / "congress.json"))  # readable


def test_a_workbook_is_not_written_over_an_existing_file_without_force(tmp_path):
    out = tmp_path / "ho-so.xlsx"
    out.write_bytes(b"filled in")
    result = run(["workbook", "admission-dossier", "-o", str(out)])
    assert result.exit_code == 5
    assert "đã có; docgen không ghi đè (có thể đó là bảng tính đã điền)" in result.output
    assert out.read_bytes() == b"filled in"
    assert run(["workbook", "admission-dossier", "-o", str(out), "--force"]).exit_code == 0
    assert is_workbook(out)


def test_a_congress_workbook_makes_its_pack_through_batch(engine, tmp_path):
    book = tmp_path / "dai-hoi.xlsx"
    write_workbook(engine, "congress", book)
    fill(book, engine, "congress", [("DH-2025", read_json(SAMPLES / "congress.json"))])
    out = tmp_path / "out"
    result = run(["batch", "congress", str(book), "--org", str(SAMPLES / "org.json"), "-o", str(out),
                  "--format", "docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "Ngày họp đại hội 2025-06-20 (Mã đại hội DH-2025)" in result.output
    folder = next(out.iterdir())
    minutes = docx_text(next(folder.glob("*congress-minutes*.docx")).read_bytes())
    assert "Trần Thị Minh Hằng" in minutes and "Lê Văn Quyết" in minutes


def test_a_choice_or_a_yes_no_that_is_not_one_of_its_options_is_named_with_the_options(engine, tmp_path):
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("A1", read_json(LAN))])
    wb = load_workbook(out)
    r = append(wb["Chi bộ - không tính"], ["A1", "Trần Văn Một", "ốm"])
    people = wb["Người vào Đảng"]
    people[f"{column_of(people, 'Là đoàn viên công đoàn')}3"] = "có lẽ"
    people[f"{column_of(people, 'Giới tính')}3"] = "nữ"   # another case: the check corrects it, with a warning
    wb.save(out)
    entry = read_workbook(engine, out).entries[0]
    assert entry.problems == [
        "Trang \u201cNgười vào Đảng\u201d, dòng 3, cột \u201cLà đoàn viên công đoàn\u201d: phải là \u201cCó\u201d hoặc "
        "\u201cKhông\u201d, đang là \u201ccó lẽ\u201d.",
        f"Trang \u201cChi bộ - không tính\u201d, dòng {r}, cột \u201cTrường hợp không tính vào số biểu quyết\u201d: "
        "phải là một trong: \u201cchuyển sinh hoạt tạm thời không có mặt\u201d; \u201cđược miễn sinh hoạt không có "
        "mặt\u201d; \u201cbị đình chỉ sinh hoạt, bị truy tố, tạm giam\u201d; đang là \u201cốm\u201d."]
    assert entry.profile["candidate"]["gender"] == "nữ"
    assert entry.profile["admission"]["cell_meeting"]["not_counted"] == [{"full_name": "Trần Văn Một"}]


def test_a_workbook_with_only_its_example_rows_or_an_empty_folder_is_refused_not_reported_done(engine, tmp_path):
    """A run that would write nothing says so with exit 3, rather than "Đã ghi: 0 tệp" and exit 0."""
    book = tmp_path / "ho-so.xlsx"
    write_workbook(engine, "admission-dossier", book)
    result = run(["batch", "admission-dossier", str(book), "--org", str(SAMPLES / "org.json"), "-o",
                  str(tmp_path / "out"), "--format", "docx"])
    assert result.exit_code == 3, result.output
    assert "ho-so.xlsx: không có hồ sơ nào để làm (bảng tính chưa có người nào" in result.output
    assert not (tmp_path / "out").exists()
    (tmp_path / "trong").mkdir()
    empty = run(["batch", "admission-decision", str(tmp_path / "trong"), "--org", str(SAMPLES / "org.json"), "-o",
                 str(tmp_path / "out")])
    assert empty.exit_code == 3
    assert "không có hồ sơ nào để làm (thư mục không có tệp .json nào)" in empty.output


# -- review of issue 15: blank rows, doubled headers, parent columns in any order, broken files -----
def test_rows_after_a_blank_row_are_read_on_every_sheet(engine, tmp_path):
    """A docgen workbook has no footer: a blank row between people, or between the rows of a
    list, is skipped and the rows below it are read (they used to be dropped with only a note,
    so a cell meeting's vote base went without a member it did not count)."""
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("KN-001", read_json(LAN))])
    second = read_json(DAT)
    second["admission"]["cell_meeting"]["not_counted"] = [{"full_name": "Trần Văn Một", "category": "exempted"}]
    wb = load_workbook(out)
    nc = wb["Chi bộ - không tính"]
    first = append(nc, ["KN-001", "Lê Thị Hai", "được miễn sinh hoạt không có mặt"])
    nc.cell(row=first + 2, column=1, value="KN-002")
    nc.cell(row=first + 2, column=2, value="Trần Văn Một")
    nc.cell(row=first + 2, column=3, value="được miễn sinh hoạt không có mặt")
    wb.save(out)
    # KN-002 on the other sheets, each below a blank row (the first sheet's too)
    wb = load_workbook(out)
    for name, found in profile_rows(layout(engine, "admission-dossier"), second, "KN-002").items():
        if name == "Chi bộ - không tính":
            continue
        ws = wb[name]
        r = append(ws, [])   # the first free row, left blank
        for k, row in enumerate(found, 1):
            for j, value in enumerate(row, 1):
                ws.cell(row=r + k, column=j, value=value)
    wb.save(out)
    book = read_workbook(engine, out)
    assert book.problems == []
    assert [e.key for e in book.entries] == ["KN-001", "KN-002"]
    one, two = book.entries
    assert one.profile["admission"]["cell_meeting"]["not_counted"] == [
        {"full_name": "Lê Thị Hai", "category": "exempted"}]
    second["candidate"]["id"] = "KN-002"
    # the sample is typed in NFD; the workbook gives NFC
    assert two.profile == json.loads(unicodedata.normalize("NFC", json.dumps(second, ensure_ascii=False)))
    assert two.problems == []
    assert not [n for n in book.notes if "dòng trống" in n]


def test_a_line_typed_below_the_people_is_read_as_a_row_and_named_not_dropped(engine, tmp_path):
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("A1", read_json(LAN))])
    wb = load_workbook(out)
    wb["Người vào Đảng"]["A6"] = "T/M CHI BỘ"
    wb["Người giới thiệu"]["A9"] = "Tổng cộng"
    wb.save(out)
    book = read_workbook(engine, out)
    assert [e.key for e in book.entries] == ["A1", "T/M CHI BỘ"]
    assert book.entries[1].label == "Mã hồ sơ T/M CHI BỘ"
    assert [p for p in book.problems if "Tổng cộng" in p] == [
        "Trang \u201cNgười giới thiệu\u201d, dòng 9, cột \u201cMã hồ sơ\u201d: \u201cTổng cộng\u201d không có ở trang "
        "\u201cNgười vào Đảng\u201d; dòng này không được đọc."]
    # in a batch, that row is a failed entry: exit 3, named
    result = run(["batch", "admission-dossier", str(out), "--org", str(SAMPLES / "org.json"), "-o",
                  str(tmp_path / "out"), "--format", "docx", "-j", "1"])
    assert result.exit_code == 3, result.output
    assert "Mã hồ sơ T/M CHI BỘ" in result.output


def test_two_columns_with_the_same_header_are_named_and_neither_is_read(engine, tmp_path):
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("A1", read_json(LAN)), ("A2", read_json(DAT))])
    wb = load_workbook(out)
    people = wb["Người vào Đảng"]
    born = column_of(people, "Ngày sinh")
    extra = people.max_column + 1
    people.cell(row=1, column=extra, value="ngày  sinh")   # the same header, typed again further right
    people.cell(row=3, column=extra, value="01/01/1999")    # A1 has a value in both columns
    people[f"{born}4"] = None                               # A2 only in the second one
    people.cell(row=4, column=extra, value="02/02/1998")
    wb.save(out)
    from openpyxl.utils import get_column_letter
    second = get_column_letter(extra)
    book = read_workbook(engine, out)
    assert book.problems == [
        f"Trang \u201cNgười vào Đảng\u201d, dòng 1, cột \u201cNgày sinh\u201d: hai cột cùng tiêu đề (cột {born} và "
        f"cột {second}), không biết cột nào đúng nên không đọc cột nào. Hãy xóa hay đổi tên cột thừa."]
    a1, a2 = book.entries
    for entry, r in ((a1, 3), (a2, 4)):
        assert "date_of_birth" not in entry.profile["candidate"]
        assert entry.problems == [
            f"Trang \u201cNgười vào Đảng\u201d, dòng {r}, cột \u201cNgày sinh\u201d: trang có hai cột cùng tiêu đề "
            f"(cột {born} và cột {second}), nên ô này không được đọc."]
        assert entry.unread == {"candidate.date_of_birth"}


def test_a_doubled_key_column_leaves_its_sheet_unread_and_says_so(engine, tmp_path):
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "admission-dossier", out)
    fill(out, engine, "admission-dossier", [("A1", read_json(LAN))])
    wb = load_workbook(out)
    intro = wb["Người giới thiệu"]
    extra = intro.max_column + 1
    intro.cell(row=1, column=extra, value="Mã hồ sơ")
    wb.save(out)
    from openpyxl.utils import get_column_letter
    book = read_workbook(engine, out)
    assert book.problems == [
        f"Trang \u201cNgười giới thiệu\u201d, dòng 1, cột \u201cMã hồ sơ\u201d: hai cột cùng tiêu đề (cột A và "
        f"cột {get_column_letter(extra)}), không biết dòng nào của ai nên trang này không được đọc. Hãy xóa hay đổi "
        "tên cột thừa."]
    assert "introducers" not in book.entries[0].profile


def test_the_parent_number_columns_may_stand_in_any_order(engine, tmp_path):
    """On a sheet of a list inside a list, the columns "Cuộc bầu cử số" and "Lần bầu số" are
    read by what they name, not by where they stand."""
    profile = read_json(SAMPLES / "congress-round2.json")
    elections = profile["congress"]["elections"]
    elections[1]["rounds"] = copy.deepcopy(elections[0]["rounds"])   # a later round of the second election
    out = tmp_path / "w.xlsx"
    write_workbook(engine, "congress", out)
    fill(out, engine, "congress", [("DH", profile)])
    wb = load_workbook(out)
    ws = wb["DS bầu lần tiếp theo"]
    assert (ws["B1"].value, ws["C1"].value) == ("Cuộc bầu cử số", "Lần bầu số")
    assert [(ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value) for r in range(2, ws.max_row + 1)
            if ws.cell(row=r, column=1).value == "DH"] == [(1, 1), (1, 1), (2, 1), (2, 1)]
    for r in range(1, ws.max_row + 1):   # swap the two columns, headers and numbers
        b, c = ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value
        ws.cell(row=r, column=2, value=c)
        ws.cell(row=r, column=3, value=b)
    wb.save(out)
    book = read_workbook(engine, out)
    assert book.problems == []
    assert book.entries[0].problems == []
    assert book.entries[0].profile == profile


def test_a_broken_or_foreign_file_is_named_in_vietnamese_with_no_english_reason(engine, tmp_path):
    """What Python says of a broken file ("File is not a zip file", "KeyError") is not shown:
    the user reads, in Vietnamese, what the file is and what to do, in words that fit the web
    import as well as the command line."""
    from docgen.errors import InputFileError
    from docgen.load.roster import check_sizes, load_limits, read_roster

    limits = load_limits(engine.library.shared_file("roster.toml"))
    columns = engine.roster_columns()
    not_zip = tmp_path / "hong.xlsx"
    not_zip.write_bytes(b"PK\x03\x04 not really a zip")
    foreign = tmp_path / "van-ban.xlsx"   # a zip, but no workbook inside (a .docx renamed, say)
    import zipfile
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    english = ("zip file", "File is", "Error", "Exception", "No such file")
    expected = {
        not_zip: f"{not_zip}: không phải tệp Excel .xlsx đọc được: tệp bị hỏng, hoặc là loại tệp khác được đổi đuôi "
                 "thành .xlsx. Hãy mở tệp bằng Excel và lưu lại dạng Sổ làm việc Excel (*.xlsx).",
        foreign: f"Không đọc được tệp Excel {foreign}: tệp không có các phần của một sổ Excel .xlsx (có thể là "
                 "loại tệp khác được đổi đuôi thành .xlsx, hoặc tệp bị hỏng). Hãy mở tệp bằng Excel và lưu lại "
                 "dạng Sổ làm việc Excel (*.xlsx)."}
    for path, message in expected.items():
        with pytest.raises(InputFileError) as roster:
            read_roster(path, columns, limits)
        assert str(roster.value) == message
        with pytest.raises(InputFileError) as book:   # the web import's path
            read_workbook(engine, path)
        assert not any(word in str(book.value) for word in english), str(book.value)
        result = run(["batch", "admission-decision", str(path), "--org", str(SAMPLES / "org.json"), "-o",
                      str(tmp_path / "out")])
        assert result.exit_code == 3, result.output
        assert message in result.output
        assert not any(word in result.output for word in english), result.output
    with pytest.raises(InputFileError) as gone:
        check_sizes(tmp_path / "khong-co.xlsx", limits)
    assert str(gone.value) == f"{tmp_path / 'khong-co.xlsx'}: không có tệp này."
