"""Load stage for batches: an Excel roster (.xlsx) with Vietnamese column headers → profiles.

Real member lists are untidy: a merged title row above the header, dates typed as text
("07/11/2018", "7-11-2018") or stored as date cells or bare serial numbers, dates typed as
digits whose leading zero Excel dropped (7112018), numbers stored as text ("07"), names
padded with spaces or typed in decomposed Unicode. Each cell is cleaned here; whatever still
cannot be read is passed on as typed, so that the usual checks name the row and the column.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import InputFileError

_SPACES = re.compile(r"\s+")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
EXCEL_EPOCH = date(1899, 12, 30)


def header_key(text: Any) -> str:
    """How headers are compared: NFC, lower case, spaces folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip().lower()


@dataclass(frozen=True)
class Column:
    path: str
    type: str
    headers: tuple[str, ...]


@dataclass
class RosterRow:
    """One data row: its Excel row number, the profile built from it, and its columns' headers."""

    row: int
    profile: dict
    headers: dict[str, str] = field(default_factory=dict)  # profile path -> header as typed in the sheet


def load_columns(path: Path) -> list[Column]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Column(c["path"], c.get("type", "text"), tuple(c["headers"])) for c in raw.get("column", [])]


def clean_date(value: Any) -> Any:
    """A cell as ``YYYY-MM-DD`` when it can be read as a date; otherwise the value as typed."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        n = int(value)
        if value == n and 1_000_000 <= n <= 31_129_999:  # ddmmyyyy typed as digits, leading zero lost
            return clean_date(str(n).zfill(8))
        if value == n and 1 <= n <= 80_000:  # an Excel serial day number not formatted as a date
            return (EXCEL_EPOCH + timedelta(days=n)).isoformat()
        return value
    text = _SPACES.sub("", unicodedata.normalize("NFC", str(value)))
    if re.fullmatch(r"\d{8}", text):  # ddmmyyyy typed as text
        text = f"{text[:2]}/{text[2:4]}/{text[4:]}"
    for pattern, order in ((_DMY, "dmy"), (_YMD, "ymd")):
        m = pattern.match(text)
        if m:
            a, b, c = (int(x) for x in m.groups())
            y, mo, d = (c, b, a) if order == "dmy" else (a, b, c)
            try:
                return date(y, mo, d).isoformat()
            except ValueError:
                return str(value).strip()
    return str(value).strip()


def clean_int(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return value


def clean_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%d/%m/%Y")
    return str(value)


CLEAN = {"date": clean_date, "int": clean_int, "text": clean_text}


def set_path(data: dict, path: str, value: Any) -> None:
    *head, last = path.split(".")
    node = data
    for key in head:
        node = node.setdefault(key, {})
    node[last] = value


def read_roster(path: str | Path, columns: list[Column]) -> list[RosterRow]:
    """The data rows of the first sheet whose header row names at least three known columns."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputFileError(f"Không đọc được tệp Excel {path}: {exc}") from exc
    by_header = {header_key(h): c for c in columns for h in c.headers}
    try:
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            for i, row in enumerate(rows[:20]):
                mapping = {j: by_header[header_key(v)] for j, v in enumerate(row) if v is not None
                           and header_key(v) in by_header}
                if len(mapping) >= 3:
                    typed = {j: str(row[j]).strip() for j in mapping}
                    return _data_rows(rows[i + 1:], i + 2, mapping, typed)
    finally:
        wb.close()
    raise InputFileError(
        f"{path}: không tìm thấy dòng tiêu đề (cần ít nhất ba cột như "
        f"{', '.join(c.headers[0] for c in columns[:4])}).")


def _data_rows(rows, first_row: int, mapping: dict[int, Column], typed: dict[int, str]) -> list[RosterRow]:
    out = []
    for offset, row in enumerate(rows):
        if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        profile: dict = {}
        headers = {}
        for j, col in mapping.items():
            value = row[j] if j < len(row) else None
            headers[col.path] = typed[j]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            set_path(profile, col.path, CLEAN[col.type](value))
        out.append(RosterRow(first_row + offset, profile, headers))
    return out
