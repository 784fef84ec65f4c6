"""Load stage for batches: an Excel roster (.xlsx) with Vietnamese column headers → profiles.

The sheet is streamed row by row. Before openpyxl reads anything, the sizes the file declares
for its parts are held to the limits in ``roster.toml`` (uncompressed sheet and shared-string
size, row count), so that a small file that inflates to gigabytes is refused with a message.
The sheet's declared dimension is ignored: a file whose ``<dimension>`` is shorter than its
data (some programs write it so) still gives every row.

Real member lists are untidy: a merged title row above the header, dates typed as text
("07/11/2018", "7-11-2018") or stored as date cells or bare serial numbers, dates typed as
digits whose leading zero Excel dropped (7112018), numbers stored as text ("07"), names
padded with spaces or typed in decomposed Unicode. Each cell is cleaned here; whatever still
cannot be read is passed on as typed, so that the usual checks name the row and the column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..domain.vietnamese import group_thousands
from ..errors import DataProblems, InputFileError, closest, closest_name, describe

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


class Rows(list):
    """A roster's data rows, and the rows after the table that were not read (``ignored``:
    each row's number and the start of its text): footer lines such as "Tổng cộng" or
    "T/M CHI BỘ" below the first empty row."""

    ignored: list[tuple[int, str]]
    unknown: list[tuple[str, str]]   # headers of no known column, each with the closest known header or ''

    def __init__(self, rows=(), ignored: list[tuple[int, str]] | None = None):
        super().__init__(rows)
        self.ignored = ignored or []
        self.unknown = []


@dataclass(frozen=True)
class Limits:
    """How much of an Excel file docgen reads (``[limits]`` in roster.toml)."""

    max_rows: int
    max_part_mb: int


COLUMN_TYPES = ("text", "date", "int")
LIMIT_KEYS = ("max_rows", "max_part_mb")


def read_config(path: Path, sink: DataProblems, file: str | None = None,
                registry=None) -> tuple[list[Column], Limits | None]:
    """The columns and limits of ``roster.toml``, each problem recorded in ``sink`` (``file``:
    how messages name the file). With the field ``registry``, each column's path must be one of
    its fields."""
    file = str(file or path)
    raw = sink.read_toml(path, file)
    if raw is None:
        return [], None
    root = sink.table(file, raw)
    root.unknown(("column", "limits"))
    items = raw.get("column", [])
    if not isinstance(items, list):
        root.problem("column", f'"column" phải là các bảng [[column]], đang là {describe(items)}')
        items = []
    columns: list[Column] = []
    owner: dict[str, str] = {}
    for i, item in enumerate(items):
        table = sink.table(file, item, f"column[{i}]", label=f"[[column]] thứ {i + 1}")
        if not table.ok:
            continue
        before = len(sink.items)
        col_path = table.text("path", required=True, nonempty=True)
        if col_path:
            table.label = f"[[column]] {col_path}"
        col_type = table.text("type", default="text")
        if col_type not in COLUMN_TYPES:
            table.problem("type", f'khóa "type" phải là một trong: {", ".join(COLUMN_TYPES)}; đang là "{col_type}"'
                                  f"{closest(col_type, COLUMN_TYPES)}")
        headers = table.texts("headers", required=True, nonempty=True)
        table.unknown(("path", "type", "headers"))
        if col_path and ("[" in col_path or "]" in col_path or not all(col_path.split("."))):
            table.problem("path", f'khóa "path" phải là đường dẫn không có danh sách (a.b.c): "{col_path}"')
        elif col_path and registry is not None and col_path not in registry.declared:
            table.problem("path", f'trường "{col_path}" không có trong danh mục trường (fields.toml)'
                                  f"{closest(col_path, registry.fields)}")
        for header in headers:
            key = header_key(header)
            if key in owner and owner[key] != col_path:
                table.problem("headers", f'tiêu đề "{header}" đã dùng cho cột {owner[key]}')
            owner.setdefault(key, col_path)
        if len(sink.items) == before:
            columns.append(Column(col_path, col_type, headers))
    limits = root.sub("limits", required=True)
    values = [limits.integer(key, required=True, lo=1) for key in LIMIT_KEYS]
    limits.unknown(LIMIT_KEYS)
    known = [v for v in values if v is not None]
    return columns, (Limits(*known) if len(known) == len(values) else None)


def _read(path: Path) -> tuple[list[Column], Limits]:
    sink = DataProblems()
    columns, limits = read_config(path, sink)
    sink.raise_if_any()
    assert limits is not None  # None only when a limit had a problem: raised above
    return columns, limits


def load_columns(path: Path) -> list[Column]:
    """The columns of ``roster.toml``; a broken file is a :class:`FormDataError` listing every problem."""
    return _read(path)[0]


def load_limits(path: Path) -> Limits:
    return _read(path)[1]


# why an Excel file cannot be read, in words that fit the command line and the web import alike
# (what Python says, "File is not a zip file" or "KeyError", is not for the user)
SAVE_AS_XLSX = "Hãy mở tệp bằng Excel và lưu lại dạng Sổ làm việc Excel (*.xlsx)."
NOT_XLSX = f"tệp bị hỏng, hoặc là loại tệp khác được đổi đuôi thành .xlsx. {SAVE_AS_XLSX}"
NO_WORKBOOK_PARTS = ("tệp không có các phần của một sổ Excel .xlsx (có thể là loại tệp khác được đổi đuôi thành "
                     f".xlsx, hoặc tệp bị hỏng). {SAVE_AS_XLSX}")
BROKEN_SHEET = "nội dung trang tính bị hỏng. Hãy mở tệp bằng Excel và lưu lại."


def check_sizes(path: str | Path, limits: Limits) -> None:
    """Refuse a workbook whose sheets or shared strings declare more than the limit once
    uncompressed. zipfile never reads past a member's declared size, so the declaration bounds
    what openpyxl can inflate."""
    import zipfile  # here, not with the module: a profile's dates are cleaned with this module's help

    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except FileNotFoundError as exc:
        raise InputFileError(f"{path}: không có tệp này.") from exc
    except IsADirectoryError as exc:
        raise InputFileError(f"{path}: đây là một thư mục, không phải tệp Excel.") from exc
    except PermissionError as exc:
        raise InputFileError(f"{path}: không có quyền đọc tệp (có thể tệp đang bị chương trình khác giữ).") from exc
    except OSError as exc:   # what the system says is in English: its number only
        raise InputFileError(f"{path}: không đọc được tệp từ đĩa (lỗi hệ thống số {exc.errno}).") from exc
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputFileError(f"{path}: không phải tệp Excel .xlsx đọc được: {NOT_XLSX}") from exc
    limit = limits.max_part_mb * 1024 * 1024
    for info in members:
        if info.filename.startswith("xl/") and info.filename.endswith(".xml") and info.file_size > limit:
            raise InputFileError(
                f"{path}: phần {info.filename} khi giải nén dài {group_thousands(round(info.file_size / 1048576))} MB, "
                f"quá giới hạn {limits.max_part_mb} MB. Hãy chia danh sách thành nhiều tệp nhỏ hơn.")


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


HEADER_SEARCH_ROWS = 20  # the header row is looked for among a sheet's first rows


def read_roster(path: str | Path, columns: list[Column], limits: Limits) -> Rows:
    """The data rows of the first sheet whose header row names at least three known columns."""
    from openpyxl import load_workbook

    check_sizes(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputFileError(f"Không đọc được tệp Excel {path}: {NO_WORKBOOK_PARTS}") from exc
    by_header = {header_key(h): c for c in columns for h in c.headers}
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # read every row, whatever <dimension> declares
            found = _read_sheet(ws.iter_rows(values_only=True), by_header, limits, path)
            if found is not None:
                return found
    except InputFileError:
        raise
    except Exception as exc:  # a sheet whose XML breaks off, or a cell openpyxl cannot read
        raise InputFileError(f"Không đọc được tệp Excel {path}: {BROKEN_SHEET}") from exc
    finally:
        wb.close()
    raise InputFileError(
        f"{path}: không tìm thấy dòng tiêu đề (cần ít nhất ba cột như "
        f"{', '.join(c.headers[0] for c in columns[:4])}).")


def _read_sheet(rows, by_header: dict[str, Column], limits: Limits, path) -> Rows | None:
    """The sheet's data rows, or None when none of its first rows is a header row."""
    for i, row in enumerate(rows):
        if i >= HEADER_SEARCH_ROWS:
            return None
        mapping = {j: by_header[header_key(v)] for j, v in enumerate(row) if v is not None
                   and header_key(v) in by_header}
        if len(mapping) >= 3:
            typed = {j: str(row[j]).strip() for j in mapping}
            found = _data_rows(rows, i + 2, mapping, typed, limits, path)
            shown = {header_key(h): h for c in {c.path: c for c in by_header.values()}.values() for h in c.headers}
            found.unknown = []
            for j, v in enumerate(row):
                text = _SPACES.sub(" ", str(v)).strip() if v is not None and j not in mapping else ""
                if text:
                    near = closest_name(header_key(text), sorted(shown))
                    found.unknown.append((text, shown[near] if near else ""))
            return found
    return None


def _blank(row) -> bool:
    return row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _data_rows(rows, first_row: int, mapping: dict[int, Column], typed: dict[int, str], limits: Limits,
               path) -> Rows:
    """The rows from the header down to the first empty row: the table. What follows it is
    not people (a total, "T/M CHI BỘ", a signature): those rows are listed as ignored."""
    out = Rows()
    ended = False
    for offset, row in enumerate(rows):
        if _blank(row):
            ended = ended or bool(out)
            continue
        if ended:
            text = " ".join(str(v).strip() for v in row if v is not None and str(v).strip())
            out.ignored.append((first_row + offset, text[:40] + ("…" if len(text) > 40 else "")))
            if len(out.ignored) > limits.max_rows:
                raise InputFileError(f"{path}: có hơn {group_thousands(limits.max_rows)} dòng dưới bảng, quá giới "
                                     "hạn một lần chạy.")
            continue
        if len(out) >= limits.max_rows:
            raise InputFileError(f"{path}: danh sách có hơn {group_thousands(limits.max_rows)} dòng dữ liệu, quá "
                                 "giới hạn một lần chạy. Hãy chia thành nhiều tệp.")
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
