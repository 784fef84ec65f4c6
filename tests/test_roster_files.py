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
