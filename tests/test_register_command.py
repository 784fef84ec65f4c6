"""`docgen register`: the number book of a workspace, listed and exported as XLSX and CSV."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import in_workspace, workspace_with

HUONG = "pham-thi-thu-huong-20001215"
HEADERS = ["Cơ quan ban hành", "Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Mẫu", "Trích yếu nội dung",
           "Kỳ đánh số", "Hồ sơ", "Căn cứ (phiên bản)", "Tệp", "SHA-256"]


def run(ws: Path, *args: str):
    return in_workspace(ws, *args)


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    return workspace_with(tmp_path_factory.mktemp("ws"), "pham-thi-thu-huong", "ly-thi-y-lan")


def numbers(text: str) -> list[str]:
    return [line.strip().split(" · ")[0] for line in text.splitlines() if line.startswith("  Số ")]


def test_the_register_lists_every_numbered_paper_by_series_then_number(ws):
    result = run(ws, "register")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Sổ QĐ/ĐUC của Đảng ủy Cục Công Thương địa phương, nhiệm kỳ từ ngày 01 tháng 7 năm 2025:" in out
    assert ("  Số 12-QĐ/ĐUC · 07/11/2025 · Mẫu 9-KNĐ · Quyết định kết nạp đảng viên — Phạm Thị Thu Hường · "
            f"hồ sơ {HUONG}") in out
    found = numbers(out)
    assert len(found) == 6 and len(set(found)) == 6
    # inside a series, in the order of the numbers
    decisions = [n for n in found if n.endswith("QĐ/ĐUC")]
    assert decisions == sorted(decisions) and "Số 12-QĐ/ĐUC" in decisions
    # unnumbered papers (a nomination, the merged PDF) are not in the number book
    assert "Giấy giới thiệu" not in out and "Hồ sơ kết nạp đảng viên —" not in out


def test_series_and_year_filter_the_book(ws):
    only = run(ws, "register", "--series", "qđ/đuc")
    assert {n.split("-", 1)[1] for n in numbers(only.output)} == {"QĐ/ĐUC"}
    assert len(numbers(only.output)) == 2
    assert numbers(run(ws, "register", "--year", "2025").output) == ["Số 09-NQ/CB", "Số 11-NQ/ĐUC", "Số 12-QĐ/ĐUC"]
    assert numbers(run(ws, "register", "--year", "2026").output) == ["Số 04-NQ/CB", "Số 08-NQ/ĐUC", "Số 21-QĐ/ĐUC"]
    none = run(ws, "register", "--series", "QĐ/XYZ")
    assert none.exit_code == 0
    assert "Sổ đăng ký chưa có văn bản nào có số (--series QĐ/XYZ). Các sổ đang có: " in none.output
    assert "QĐ/ĐUC của Đảng ủy Cục Công Thương địa phương, nhiệm kỳ từ ngày 01 tháng 7 năm 2025" in none.output


def test_the_xlsx_export_has_vietnamese_bold_headers_and_the_numbers(ws, tmp_path):
    target = tmp_path / "sổ đăng ký.xlsx"
    result = run(ws, "register", "--export", str(target))
    assert result.exit_code == 0, result.output
    assert f"Đã ghi 6 văn bản vào {target}" in result.output
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["F"].width >= 40
    decision = next(r for r in rows[1:] if r[1] == "Số 12-QĐ/ĐUC")
    assert decision[0] == "Đảng ủy Cục Công Thương địa phương"
    assert decision[2:5] == ("07/11/2025", "QĐ", "9-KNĐ")
    assert decision[5] == "Quyết định kết nạp đảng viên — Phạm Thị Thu Hường"
    assert decision[7] == HUONG
    files, hashes = decision[9].split("\n"), decision[10].split("\n")
    for name, digest in zip(files, hashes, strict=True):
        assert hashlib.sha256((ws / name).read_bytes()).hexdigest() == digest
    assert len(rows) == 7


def test_the_csv_export_is_utf8_with_a_bom_and_reads_back(ws, tmp_path):
    target = tmp_path / "so.csv"
    assert run(ws, "register", "--series", "NQ/CB", "--export", str(target)).exit_code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    # one series for the cell's term (samples/org.json gives its first day), in the order of the numbers
    assert [(r[1], r[2]) for r in rows[1:]] == [("Số 04-NQ/CB", "02/03/2026"), ("Số 09-NQ/CB", "20/10/2025")]
    assert rows[1][0].startswith("Chi bộ ")


def test_an_export_is_never_written_over_nor_in_another_format(ws, tmp_path):
    target = tmp_path / "so.csv"
    target.write_text("giữ lại", encoding="utf-8")
    refused = run(ws, "register", "--export", str(target))
    assert refused.exit_code == 5 and "đã có; không ghi đè" in refused.output
    assert target.read_text(encoding="utf-8") == "giữ lại"
    forced = run(ws, "register", "--export", str(target), "--force")
    assert forced.exit_code == 0
    assert (tmp_path / "so~1.csv").read_text(encoding="utf-8") == "giữ lại"
    wrong = run(ws, "register", "--export", str(tmp_path / "so.ods"))
    assert wrong.exit_code == 3 and "phải có đuôi .xlsx (Excel) hoặc .csv" in wrong.output
    assert not (tmp_path / "so.ods").exists()
