"""Excel rosters that lie about themselves: a stale dimension, a sheet that inflates to more than
the limit, too many rows, a sheet whose XML breaks off. Each is read in full or refused with a
message (exit 3), never an internal error."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.errors import InputFileError
from docgen.load.roster import Limits, load_columns, load_limits, read_roster

from conftest import ROOT, SAMPLES

ROSTER = SAMPLES / "roster.xlsx"
SHEET = "xl/worksheets/sheet1.xml"
COLUMNS = load_columns(ROOT / "forms" / "_shared" / "roster.toml")
LIMITS = load_limits(ROOT / "forms" / "_shared" / "roster.toml")
ORG = str(SAMPLES / "org.json")


def rewrite(src: Path, dst: Path, part: str, edit) -> Path:
    """A copy of the workbook ``src`` with one part's XML changed by ``edit``."""
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


def test_a_stale_dimension_still_gives_every_row(tmp_path):
    """Some programs write <dimension> once and never update it; openpyxl's streaming reader
    trusted it and stopped there."""
    full = read_roster(ROSTER, COLUMNS, LIMITS)
    stale = rewrite(ROSTER, tmp_path / "stale.xlsx", SHEET, lambda x: re.sub(r'<dimension ref="[^"]+"/>',
                                                                              '<dimension ref="A1:K5"/>', x))
    rows = read_roster(stale, COLUMNS, LIMITS)
    assert len(rows) == len(full) == 24
    assert [r.profile for r in rows] == [r.profile for r in full]


def test_a_sheet_that_inflates_past_the_limit_is_refused(tmp_path):
    """60 MB of one cell, a few hundred KB on disk: refused before openpyxl reads it."""
    big = "x" * (60 * 1024 * 1024)
    bomb = rewrite(ROSTER, tmp_path / "bomb.xlsx", SHEET, lambda x: x.replace(
        "</sheetData>", f'<row r="40"><c r="B40" t="inlineStr"><is><t>{big}</t></is></c></row></sheetData>'))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(InputFileError, match=r"xl/worksheets/sheet1\.xml .* quá giới hạn 50 MB"):
        read_roster(bomb, COLUMNS, LIMITS)
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(bomb), "--org", ORG,
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "quá giới hạn 50 MB" in result.output
    assert not any((tmp_path / "out").glob("*.docx")) if (tmp_path / "out").exists() else True


def test_too_many_rows_are_refused():
    with pytest.raises(InputFileError, match="hơn 10 dòng dữ liệu"):
        read_roster(ROSTER, COLUMNS, Limits(max_rows=10, max_part_mb=LIMITS.max_part_mb))
    assert len(read_roster(ROSTER, COLUMNS, Limits(max_rows=24, max_part_mb=LIMITS.max_part_mb))) == 24


def test_a_sheet_whose_xml_breaks_off_is_a_named_problem(tmp_path):
    broken = rewrite(ROSTER, tmp_path / "broken.xlsx", SHEET, lambda x: x[: len(x) // 2])
    with pytest.raises(InputFileError, match="nội dung trang tính bị hỏng"):
        read_roster(broken, COLUMNS, LIMITS)
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(broken), "--org", ORG,
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "Lỗi nội bộ" not in result.output


def test_a_file_that_is_not_a_workbook_is_a_named_problem(tmp_path):
    fake = tmp_path / "roster.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match="không phải tệp Excel"):
        read_roster(fake, COLUMNS, LIMITS)


def _with_footer(tmp_path: Path) -> Path:
    """samples/roster.xlsx (a title row, a blank row, the header, 24 people) with what secretaries
    type under a list: a blank row, then a total and the signature."""
    from openpyxl import load_workbook

    wb = load_workbook(ROSTER)
    ws = wb.worksheets[0]
    last = ws.max_row
    ws.cell(last + 2, 1, "Tổng cộng: 24 người")
    ws.cell(last + 3, 2, "T/M CHI BỘ")
    ws.cell(last + 4, 2, "BÍ THƯ")
    ws.cell(last + 6, 2, "Lê Văn Quyết")
    path = tmp_path / "co-chan-trang.xlsx"
    wb.save(path)
    return path


def test_the_rows_under_the_table_are_not_people(tmp_path):
    rows = read_roster(_with_footer(tmp_path), COLUMNS, LIMITS)
    assert len(rows) == len(read_roster(ROSTER, COLUMNS, LIMITS)) == 24
    assert [text for _, text in rows.ignored] == ["Tổng cộng: 24 người", "T/M CHI BỘ", "BÍ THƯ", "Lê Văn Quyết"]
    assert rows.ignored[0][0] == rows[-1].row + 2


def test_a_batch_says_which_rows_it_left_out_and_makes_only_the_peoples_papers(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(_with_footer(tmp_path)), "--org", ORG,
                                       "-o", str(out), "--format", "docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.docx"))) == 24
    assert "Bỏ qua 4 dòng dưới bảng, sau dòng trống (từ dòng 29: \"Tổng cộng: 24 người\")" in result.stdout
    assert "Lỗi: 0 mục" in result.stdout


@pytest.mark.parametrize("suffix, kind", [(".xls", "tệp Excel 97–2003 (.xls)"), (".csv", "tệp CSV"),
                                          (".ods", "tệp LibreOffice Calc (.ods)")])
def test_a_spreadsheet_docgen_does_not_read_says_how_to_save_it(tmp_path, suffix, kind):
    path = tmp_path / f"danh-sach{suffix}"
    path.write_bytes(b"Ho va ten,Ngay sinh\nNguyen Van An,1990-01-01\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(path), "--org", ORG, "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert f"docgen không đọc {kind}" in result.stderr
    assert "Lưu thành (Save As) → Sổ làm việc Excel (*.xlsx)" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_columns_docgen_does_not_read_are_named_once(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(ROSTER), "--org", ORG, "-o", str(out),
                                       "--format", "docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    line = 'Không đọc các cột không phải trường nào của roster.toml: "STT"; "Ghi chú".'
    assert result.stdout.count(line) == 1 and result.output.count("STT") == 1


def test_a_misspelt_required_header_is_refused_once_naming_the_column_it_is_close_to(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(ROSTER)
    for cell in wb.worksheets[0][3]:
        if cell.value == "Quê quán":
            cell.value = "Que quan"
    path = tmp_path / "sai-tieu-de.xlsx"
    wb.save(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(path), "--org", ORG, "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert ('danh sách thiếu 1 cột mà admission-decision cần cho mỗi người: "Quê quán" (candidate.hometown) '
            '(bảng có cột "Que quan": có phải là cột này không).') in result.stderr
    assert result.output.count("Que quan") == 1
    assert not out.exists() or not any(out.iterdir())
