"""Workbook (pipeline stage): an Excel workbook that feeds whole packs, one sheet per part.

``docgen workbook <pack>`` writes it (:func:`write_workbook`) from ``forms/_shared/workbook.toml``
(which sheet holds which fields) and the field registry (headers, comments, dropdowns, date
formats). ``docgen batch <pack> FILE.xlsx`` and the web import read it back
(:func:`read_workbook`): the sheets are joined by their key column into one profile per
entry, the same JSON a profile file holds, and every value is located by sheet, row and
header so that a problem of the profile can be named where the user typed it.

A hidden sheet records the pack and the format version, so that :func:`is_workbook` tells
a docgen workbook from a plain roster.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from ..errors import DataProblems, InputFileError, closest_name
from ..load.fields import MISSING, Field, expand, get_path, parse_date
from ..load.roster import clean_date, clean_int, clean_text, header_key, set_path
from .engine import Engine
from .write import write_path

MARKER_SHEET = "_docgen"
MARKER = "docgen-workbook"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
YES, NO = "Có", "Không"
DATE_FORMAT = "dd/mm/yyyy"
# what :func:`is_workbook` opens at most (roster.toml's max_part_mb, whose message a larger file gets)
PART_LIMIT = 50 * 1024 * 1024
WORKBOOK_KEYS = ("key", "key_header", "key_help", "label_field", "example", "exclude", "sheet")
SHEET_KEYS = ("name", "fields", "list", "item_header")


# -- the layout (workbook.toml) --------------------------------------------------------------------
@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, the list it holds one row per item of ('' one row per entry), the
    columns that name the item of each enclosing list, and its fields' columns."""

    name: str
    list: str = ""                                  # generic path of the list ('' a scalar sheet)
    parents: tuple[tuple[str, str], ...] = ()       # (generic path of an enclosing list, its header)
    columns: tuple[Field, ...] = ()
    item_header: str = ""                           # how sheets of lists inside this one name its items


@dataclass(frozen=True)
class Layout:
    kind: str
    subject: str
    key: Field | None          # the field the key column fills (None: the key only joins)
    key_header: str
    key_help: str
    label_field: str
    example: Path | None
    example_key: str
    sheets: tuple[Sheet, ...]
    choice_labels: dict[str, str]
    version: int


def workbook_kinds(engine: Engine) -> list[str]:
    """The packs workbook.toml describes a workbook for."""
    raw = _read_conf(engine)[1]
    return [k for k in raw.get("workbook", {}) if isinstance(raw["workbook"], dict)]


def _read_conf(engine: Engine) -> tuple[Path, dict]:
    path = engine.library.shared_file("workbook.toml")
    sink = DataProblems()
    raw = sink.read_toml(path)
    sink.raise_if_any()
    assert raw is not None
    return path, raw


def layout(engine: Engine, kind: str) -> Layout:
    """The layout of ``kind``'s workbook; a pack with none is refused naming those there are
    (:class:`InputFileError`); a broken workbook.toml is a :class:`FormDataError` with every problem."""
    path, raw = _read_conf(engine)
    kinds = raw.get("workbook", {}) if isinstance(raw.get("workbook"), dict) else {}
    if kind not in kinds:
        raise InputFileError(f'Không có bảng tính cho "{kind}". Chọn một trong: {", ".join(kinds)}.')
    sink = DataProblems()
    file = str(path)
    root = sink.table(file, raw)
    root.unknown(("format_version", "example_key", "choice_labels", "workbook"))
    version = root.integer("format_version", required=True, lo=1) or 1
    example_key = root.text("example_key", required=True, nonempty=True)
    labels_table = root.sub("choice_labels")
    labels = {k: labels_table.text(k, nonempty=True) for k in labels_table.raw}
    registry = engine.library.registry
    packs = engine.library.packs
    t = sink.table(file, kinds[kind], "workbook", kind, label=f"[workbook.{kind}]")
    t.unknown(WORKBOOK_KEYS)
    if kind not in packs:
        t.problem("", f'"{kind}" không phải bộ văn bản nào của packs.toml')
        sink.raise_if_any()
    subject = packs[kind]["subject"]
    key_path = t.text("key")
    key = registry.fields.get(key_path) if key_path else None
    if key_path and (key is None or key.input != subject or "[]" in key_path or key.type != "text"):
        t.problem("key", f'"{key_path}" không phải trường chữ của {subject} (ngoài danh sách)')
    key_header = key.label if key is not None else t.text("key_header", required=not key_path, nonempty=True)
    key_help = t.text("key_help", required=True, nonempty=True)
    label_field = t.text("label_field", required=True, nonempty=True)
    if label_field and label_field not in registry.fields:
        t.problem("label_field", f'"{label_field}" không có trong danh mục trường (fields.toml)')
    example_name = t.text("example")
    example = path.parent / example_name if example_name else None
    exclude = t.texts("exclude")
    fields = [f for f in registry.for_input(subject)
              if not any(f.path == g or f.path.startswith((g + ".", g + "[]")) for g in exclude)]
    sheets: list[Sheet] = []
    covered: dict[str, str] = {}
    items = kinds[kind].get("sheet", [])
    lists_done: dict[str, str] = {}   # list path -> its item_header
    for i, item in enumerate(items if isinstance(items, list) else []):
        st = sink.table(file, item, "workbook", kind, f"sheet[{i}]", label=f"[[workbook.{kind}.sheet]] thứ {i + 1}")
        if not st.ok:
            continue
        st.unknown(SHEET_KEYS)
        name = st.text("name", required=True, nonempty=True)
        if len(name) > 31 or SHEET_NAME_BAD.search(name) or name == MARKER_SHEET:
            st.problem("name", f'tên trang "{name}" dài quá 31 ký tự hay có ký tự Excel không cho: [ ] : * ? / \\')
        list_path = st.text("list")
        groups = st.texts("fields")
        if bool(list_path) == bool(groups):
            st.problem("list", 'mỗi trang có đúng một trong hai khóa "list" và "fields"')
        item_header = st.text("item_header")
        parents: list[tuple[str, str]] = []
        if list_path:
            lf = registry.fields.get(list_path)
            if lf is None or lf.type != "list" or lf.input != subject:
                st.problem("list", f'"{list_path}" không phải trường danh sách (list) của {subject}')
            parts = list_path.split("[]")[:-1]
            for k in range(len(parts)):
                parent = "[]".join(parts[:k + 1])
                if not lists_done.get(parent):
                    st.problem("list", f'trang của danh sách "{parent}" (có item_header) phải đứng trước trang này')
                parents.append((parent, lists_done.get(parent, "")))
            columns = [f for f in fields if f.path.startswith(list_path + "[].") and f.type != "list"
                       and "[]" not in f.path[len(list_path) + 3:]]
            lists_done[list_path] = item_header
            covered.setdefault(list_path, name)
        else:
            columns = []
            for g in groups:
                found = [f for f in fields if (f.path == g or f.path.startswith(g + ".")) and "[]" not in f.path
                         and f.type != "list" and f is not key]
                if not found:
                    st.problem("fields", f'"{g}" không là trường hay nhóm trường nào của {subject}')
                columns += [f for f in found if f not in columns]
        for f in columns:
            if f.path in covered:
                st.problem("fields", f'trường "{f.path}" đã ở trang "{covered[f.path]}"')
            covered[f.path] = name
        headers = [key_header] + [h for _, h in parents] + [f.label for f in columns]
        seen: set[str] = set()
        for h in headers:
            if header_key(h) in seen:
                st.problem("name", f'trang "{name}" có hai cột cùng tiêu đề "{h}"')
            seen.add(header_key(h))
        sheets.append(Sheet(name, list_path, tuple(parents), tuple(columns), item_header))
    missing = [f.path for f in fields if f.path not in covered and f is not key]
    if missing:
        t.problem("sheet", f"các trường không ở trang nào (thêm vào một trang, hay vào exclude): {', '.join(missing)}")
    if not sheets or sheets[0].list:
        t.problem("sheet", "trang đầu tiên phải là trang mỗi dòng một hồ sơ (fields), không phải một danh sách")
    sink.raise_if_any()
    return Layout(kind, subject, key, key_header, key_help, label_field, example, example_key, tuple(sheets),
                  labels, version)


# -- writing --------------------------------------------------------------------------------------
def _cell_value(f: Field, value: Any, labels: dict[str, str]) -> Any:
    """A profile's value as the workbook shows it."""
    if f.type == "date" and isinstance(value, str) and parse_date(value):
        return parse_date(value)
    if f.type == "bool" and isinstance(value, bool):
        return YES if value else NO
    if f.type == "choice" and isinstance(value, str):
        return labels.get(value, value)
    if f.type == "text_list" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value


def profile_rows(lay: Layout, profile: dict, key: str) -> dict[str, list[list[Any]]]:
    """The rows one profile fills, by sheet name: the key, the numbers of the enclosing lists'
    items, then each column's value (None where the profile has none)."""
    out: dict[str, list[list[Any]]] = {}
    for sheet in lay.sheets:
        rows: list[list[Any]] = []
        if not sheet.list:
            values = [get_path(profile, f.path) for f in sheet.columns]
            if sheet is lay.sheets[0] or any(v is not MISSING for v in values):
                rows.append([key] + [_cell_value(f, v, lay.choice_labels) if v is not MISSING else None
                                     for f, v in zip(sheet.columns, values, strict=True)])
        else:
            for item in expand(profile, sheet.list + "[]"):
                numbers = [int(n) + 1 for n in re.findall(r"\[(\d+)\]", item)][:-1]
                row: list[Any] = [key] + numbers
                for f in sheet.columns:
                    v = get_path(profile, item + f.path[len(sheet.list) + 2:])
                    row.append(_cell_value(f, v, lay.choice_labels) if v is not MISSING else None)
                rows.append(row)
        out[sheet.name] = rows
    return out


def _comment(engine: Engine, lay: Layout, f: Field) -> str:
    """What a header's comment says: the help, the type and format, the choices, the bounds,
    and which papers need the field."""
    lines = [f.help] if f.help else []
    if f.type == "date":
        lines.append(f"Ngày, dạng ngày/tháng/năm (ví dụ 07/11/2018), từ {f.min:%d/%m/%Y} đến {f.max:%d/%m/%Y}.")
    elif f.type == "int":
        lines.append(f"Số nguyên từ {f.min} đến {f.max}." + (' Có thể ghi "auto": sổ đăng ký của thư mục làm việc '
                                                                  "cấp số tiếp theo." if f.auto else ""))
    elif f.type == "bool":
        lines.append(f"Chọn {YES} hoặc {NO}.")
    elif f.type == "choice":
        lines.append("Chọn một trong: " + "; ".join(lay.choice_labels.get(c, c) for c in f.choices) + ".")
    elif f.type == "text_list":
        lines.append(f"Mỗi mục một dòng trong ô (Alt+Enter để xuống dòng); tối đa {f.max_items} mục.")
    elif f.type in ("text", "name"):
        lines.append(f"Chữ, tối đa {f.max_length} ký tự.")
    need = []
    for form_id in engine.library.pack(lay.kind)["forms"]:
        form = engine.library.get(form_id)
        if f.path in form.required or any(f.path in c.paths for c in form.required_when):
            need.append(f"Mẫu {form.code}" if form.code else form.title)
    lines.append(("Bắt buộc cho: " + ", ".join(need) + ".") if need else "Không bắt buộc: để trống nếu không có.")
    return "\n".join(lines)


def write_workbook(engine: Engine, kind: str, path: Path, profiles: list[dict] | None = None) -> None:
    """Write ``kind``'s workbook to ``path`` (atomically): one sheet per part, headers with
    comments, dropdowns, date formats, the example row; and, when given, one entry per profile
    (its ``key`` field, or ``HS-<n>``, as its key)."""
    from openpyxl import Workbook as XWorkbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lay = layout(engine, kind)
    rows: dict[str, list[list[Any]]] = {s.name: [] for s in lay.sheets}
    example_rows: dict[str, list[list[Any]]] = {}
    if lay.example is not None:
        example_rows = profile_rows(lay, engine.read_json(lay.example), lay.example_key)
    for n, profile in enumerate(profiles or [], 1):
        given = get_path(profile, lay.key.path) if lay.key is not None else MISSING
        for name, found in profile_rows(lay, profile, given if isinstance(given, str) else f"HS-{n}").items():
            rows[name].extend(found)
    wb = XWorkbook()
    wb.remove(wb.active)
    # each dropdown's options, a column of the hidden sheet from D on: a list typed into the
    # validation itself would split an option at its commas, and Excel cuts it at 255 characters
    lists: dict[tuple[str, ...], str] = {}
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    grey = Font(italic=True, color="808080")
    for sheet in lay.sheets:
        ws = wb.create_sheet(sheet.name)
        columns: list[tuple[str, Field | None, str]] = [(lay.key_header, lay.key, lay.key_help)]
        for parent, header in sheet.parents:
            what = engine.library.registry[parent].label
            columns.append((header, None, f"Số thứ tự của mục trong \u201c{what}\u201d mà dòng này thuộc về: 1 là dòng "
                                          f"đầu tiên của cùng {lay.key_header} ở trang có cột \u201c{header}\u201d, "
                                          "2 là dòng thứ hai …"))
        columns += [(f.label, f, _comment(engine, lay, f)) for f in sheet.columns]
        for j, (header, f, text) in enumerate(columns, 1):
            cell = ws.cell(row=1, column=j, value=header)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if f is lay.key and lay.key is not None:
                text = lay.key_help + "\n" + _comment(engine, lay, lay.key).split("\n", 1)[-1]
            cell.comment = Comment(text, "docgen", width=320, height=160)
            letter = get_column_letter(j)
            wide = 14 if f is None else 13 if f.type in ("date", "int", "bool") else 40 if f.type == "text_list" \
                else 26 if f.type in ("name", "choice") else 30
            ws.column_dimensions[letter].width = max(wide, min(len(header) * 0.9, 45))
            if f is None:
                continue
            last = 1 + len(example_rows.get(sheet.name, [])) + len(rows[sheet.name]) + 500
            span = f"{letter}2:{letter}{last}"
            if f.type in ("choice", "bool"):
                options = (YES, NO) if f.type == "bool" else tuple(lay.choice_labels.get(c, c) for c in f.choices)
                if options not in lists:
                    col = get_column_letter(4 + len(lists))
                    lists[options] = f"'{MARKER_SHEET}'!${col}$1:${col}${len(options)}"
                dv = DataValidation(type="list", formula1=lists[options], allow_blank=True)
                dv.error, dv.errorTitle = "Hãy chọn một giá trị trong danh sách.", "Giá trị không hợp lệ"
                dv.prompt, dv.promptTitle = "Chọn trong danh sách.", header[:32]
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(span)
            elif f.type == "int" and not f.auto:
                dv = DataValidation(type="whole", operator="between", formula1=str(f.min), formula2=str(f.max),
                                    allow_blank=True)
                dv.error, dv.errorTitle = f"Hãy ghi số nguyên từ {f.min} đến {f.max}.", "Số không hợp lệ"
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(span)
            if f.type == "date":
                for r in range(2, last + 1):
                    ws.cell(row=r, column=j).number_format = DATE_FORMAT
        ws.freeze_panes = "B2"
        ws.row_dimensions[1].height = 45
        r = 2
        for row in example_rows.get(sheet.name, []):
            for j, value in enumerate(row, 1):
                cell = ws.cell(row=r, column=j, value=value)
                cell.font = grey
                cell.fill = PatternFill("solid", fgColor="F2F2F2")
            r += 1
        for row in rows[sheet.name]:
            for j, value in enumerate(row, 1):
                ws.cell(row=r, column=j, value=value)
            r += 1
    marker = wb.create_sheet(MARKER_SHEET)
    marker.append([MARKER, kind])
    marker.append(["format_version", lay.version])
    marker.append(["Trang này do docgen ghi để nhận ra bảng tính; đừng sửa hay xóa."])
    for k, options in enumerate(lists):
        for r, option in enumerate(options, 1):
            marker.cell(row=r, column=4 + k, value=option)
    marker.sheet_state = "hidden"
    wb.properties.title = f"docgen: {engine.library.pack(kind).get('title', kind)}"
    wb.properties.keywords = f"{MARKER} {kind} {lay.version}"
    buffer = BytesIO()
    wb.save(buffer)
    write_path(Path(path), buffer.getvalue())


# -- reading --------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One entry of a workbook (a person, a congress): its key, how messages name it, its
    profile, where each value came from, and the problems met reading it (each located)."""

    key: str
    label: str
    profile: dict
    where: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)   # paths whose cell could not be read (named in problems)

    def locate(self, path: str) -> str:
        """Where ``path`` (``introducers[1].date_of_birth``) came from, or the nearest parent's
        sheet and row, or ''."""
        while path:
            if path in self.where:
                return self.where[path]
            m = re.fullmatch(r"(.*)(?:\.[^.\[\]]+|\[\d+\])", path)
            path = m.group(1) if m else ""
        return ""


@dataclass
class Workbook:
    kind: str
    entries: list[Entry]
    notes: list[str]
    problems: list[str] = field(default_factory=list)   # problems of no one entry (orphan rows, unknown headers)


def _where(sheet: str, row: int | None = None, header: str = "") -> str:
    out = f"Trang \u201c{sheet}\u201d"
    if row is not None:
        out += f", dòng {row}"
    if header:
        out += f", cột \u201c{header}\u201d"
    return out


def _marker(path: str | Path) -> tuple[str, int] | None:
    """The kind and format version a docgen workbook records, or None for any other file."""
    import zipfile

    from openpyxl import load_workbook

    try:  # openpyxl inflates the shared strings whole: a part declared too big is left to the roster's check
        with zipfile.ZipFile(path) as z:
            if any(i.file_size > PART_LIMIT for i in z.infolist() if i.filename.startswith("xl/")):
                return None
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook openpyxl reads: not ours
        return None
    try:
        if MARKER_SHEET not in wb.sheetnames:
            return None
        rows = list(wb[MARKER_SHEET].iter_rows(min_row=1, max_row=2, max_col=2, values_only=True))
        if len(rows) == 2 and rows[0][0] == MARKER and isinstance(rows[0][1], str) and isinstance(rows[1][1], int):
            return rows[0][1], rows[1][1]
        return None
    finally:
        wb.close()


def is_workbook(path: str | Path) -> bool:
    """Whether ``path`` is a workbook ``docgen workbook`` wrote (not a plain roster)."""
    p = Path(path)
    if p.suffix.lower() not in (".xlsx", ".xlsm") or not p.is_file():
        return False
    return _marker(p) is not None


def _blank(row: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", clean_text(value)).strip() if value is not None else ""


class _Reader:
    """Reads the sheets of one workbook into entries."""

    def __init__(self, engine: Engine, lay: Layout, name: str, max_rows: int):
        self.lay, self.name, self.max_rows = lay, name, max_rows
        self.registry = engine.library.registry
        self.entries: dict[str, Entry] = {}
        self.first_row: dict[str, int] = {}
        self.notes: list[str] = []
        self.problems: list[str] = []
        self.examples: list[str] = []
        self.seen: set[tuple[str, str]] = set()   # (scalar sheet, key) with a row read
        self.by_label = {header_key(v): k for k, v in lay.choice_labels.items()}
        # (sheet's list path, key, parent numbers) -> how many items that list has
        self.counts: dict[tuple[str, str, tuple[int, ...]], int] = {}

    def sheet(self, sheet: Sheet, rows) -> None:
        from openpyxl.utils import get_column_letter

        lay = self.lay
        header = next(rows, None)
        if header is None:
            self.notes.append(f"{_where(sheet.name)} trống, không có dòng tiêu đề: bỏ qua.")
            return
        known: dict[str, tuple[str, Field | None, int]] = {header_key(lay.key_header): (lay.key_header, None, -1)}
        for k, (_, h) in enumerate(sheet.parents):
            known[header_key(h)] = (h, None, k)
        for f in sheet.columns:
            known[header_key(f.label)] = (f.label, f, -2)
        mapping: dict[int, tuple[str, Field | None, int]] = {}
        columns_of: dict[str, list[int]] = {}   # header -> the columns it heads
        for j, v in enumerate(header):
            if v is None or not str(v).strip():
                continue
            hit = known.get(header_key(v))
            if hit is None:
                near = closest_name(header_key(v), list(known))
                self.problems.append(f"{_where(sheet.name, 1, _text(v))}: không phải cột nào của trang này"
                                     + (f"; có phải \u201c{known[near][0]}\u201d?" if near else "")
                                     + " Giá trị của cột này không được đọc.")
            else:
                mapping[j] = hit
                columns_of.setdefault(header_key(v), []).append(j)
        # one header over two columns: which one the user meant cannot be told, so neither is read
        doubled: dict[int, str] = {}   # column -> how the problem names the columns
        for cols in columns_of.values():
            if len(cols) < 2:
                continue
            h, field_of, k = mapping[cols[0]]
            letters = [f"cột {get_column_letter(j + 1)}" for j in cols]
            named = f"{'hai' if len(cols) == 2 else len(cols)} cột cùng tiêu đề ({', '.join(letters[:-1])} và " \
                    f"{letters[-1]})"
            if field_of is None:   # the key, or the number of an enclosing list's item
                whose = "không biết dòng nào của ai" if k == -1 else "không biết dòng nào thuộc mục nào"
                self.problems.append(f"{_where(sheet.name, 1, h)}: {named}, {whose} nên trang này không được đọc. "
                                     "Hãy xóa hay đổi tên cột thừa.")
                return
            self.problems.append(f"{_where(sheet.name, 1, h)}: {named}, không biết cột nào đúng nên không đọc cột "
                                 "nào. Hãy xóa hay đổi tên cột thừa.")
            doubled.update((j, named) for j in cols)
        key_col = next((j for j, (_, _, k) in mapping.items() if k == -1), None)
        if key_col is None:
            self.problems.append(f"{_where(sheet.name, 1)}: thiếu cột \u201c{lay.key_header}\u201d, "
                                 "nên không biết dòng nào của ai; trang này không được đọc.")
            return
        # each enclosing list's number column, outermost first, wherever it stands in the sheet
        parent_cols = [next((j for j, (_, f, kk) in mapping.items() if f is None and kk == k), None)
                       for k in range(len(sheet.parents))]
        missing_parent = [h for (_, h), j in zip(sheet.parents, parent_cols, strict=True) if j is None]
        if missing_parent:
            self.problems.append(f"{_where(sheet.name, 1)}: thiếu cột \u201c{missing_parent[0]}\u201d; trang này không "
                                 "được đọc.")
            return
        count = 0
        for r, row in enumerate(rows, 2):
            if _blank(row):   # a docgen workbook has no footer: a blank row is a gap, the rows below are data
                continue
            count += 1
            if count > self.max_rows:
                raise InputFileError(f"{self.name}: {_where(sheet.name)} có hơn {self.max_rows} dòng, quá giới hạn "
                                     "một lần chạy. Hãy chia thành nhiều tệp.")
            self.row(sheet, r, row, mapping, key_col, [j for j in parent_cols if j is not None], doubled)

    def row(self, sheet: Sheet, r: int, row: tuple, mapping: dict, key_col: int, parent_cols: list[int],
            doubled: dict[int, str]) -> None:
        lay = self.lay
        key = _text(row[key_col]) if key_col < len(row) else ""
        if not key:
            self.problems.append(f"{_where(sheet.name, r, lay.key_header)}: để trống, nên dòng này không thuộc hồ sơ "
                                 "nào và không được đọc.")
            return
        if header_key(key) == header_key(lay.example_key):
            self.examples.append(sheet.name)
            return
        main = sheet is lay.sheets[0]
        if main:
            if key in self.entries:
                first = self.first_row[key]
                self.entries[key].problems.append(
                    f"{_where(sheet.name, r, lay.key_header)}: \u201c{key}\u201d đã có ở dòng {first}; mỗi hồ sơ "
                    "một dòng, mỗi dòng một mã riêng.")
                return
            new = Entry(key, key, {})
            self.entries[key] = new
            self.first_row[key] = r
            if lay.key is not None:
                set_path(new.profile, lay.key.path, key)
                new.where[lay.key.path] = _where(sheet.name, r, lay.key_header)
        entry = self.entries.get(key)
        if entry is None:
            near = closest_name(key, list(self.entries))
            self.problems.append(f"{_where(sheet.name, r, lay.key_header)}: \u201c{key}\u201d không có ở trang "
                                 f"\u201c{lay.sheets[0].name}\u201d"
                                 + (f" (có phải \u201c{near}\u201d?)" if near else "")
                                 + "; dòng này không được đọc.")
            return
        if not sheet.list:
            base, node = "", entry.profile
            if (sheet.name, key) in self.seen:
                entry.problems.append(f"{_where(sheet.name, r, lay.key_header)}: \u201c{key}\u201d đã có một dòng ở "
                                      "trang này; mỗi hồ sơ một dòng.")
                return
            self.seen.add((sheet.name, key))
        else:
            numbers: list[int] = []
            for (parent, h), j in zip(sheet.parents, parent_cols, strict=True):   # outermost list first
                n = clean_int(row[j]) if j < len(row) else None
                numbers.append(n if isinstance(n, int) else -1)
                have = self.counts.get((parent, key, tuple(numbers[:-1])), 0)
                if not isinstance(n, int) or not 1 <= n <= have:
                    entry.problems.append(
                        f"{_where(sheet.name, r, h)}: phải là số thứ tự của một mục có trong "
                        f"\u201c{self.registry[parent].label}\u201d của hồ sơ này (từ 1 đến {have}), đang là "
                        f"\u201c{_text(row[j]) if j < len(row) else ''}\u201d; dòng này không được đọc.")
                    return
            concrete = sheet.list
            for n in numbers:
                concrete = concrete.replace("[]", f"[{n - 1}]", 1)
            items = get_path(entry.profile, concrete)
            if items is MISSING:
                set_path_concrete(entry.profile, concrete, [])
                items = get_path(entry.profile, concrete)
            items.append({})
            self.counts[(sheet.list, key, tuple(numbers))] = len(items)
            base = f"{concrete}[{len(items) - 1}]"
            node = items[-1]
            entry.where.setdefault(concrete, _where(sheet.name))
            entry.where[base] = _where(sheet.name, r)
        for j, (h, f, _) in mapping.items():
            if f is None:
                continue
            sub = f.path[len(sheet.list) + 3:] if sheet.list else f.path
            path = f"{base}.{sub}" if base else sub
            loc = _where(sheet.name, r, h)
            entry.where[path] = loc
            for k in range(1, len(path.split("."))):
                entry.where.setdefault(".".join(path.split(".")[:k]), _where(sheet.name, r))
            value = row[j] if j < len(row) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if j in doubled:   # named once for the sheet; here, for the entry whose value is not read
                if path not in entry.unread:
                    entry.problems.append(f"{loc}: trang có {doubled[j]}, nên ô này không được đọc.")
                    entry.unread.add(path)
                continue
            ok, clean, why = self.clean(f, value)
            if not ok:
                entry.problems.append(f"{loc}: {why}")
                entry.unread.add(path)
                continue
            set_path(node, sub, clean)

    def clean(self, f: Field, value: Any) -> tuple[bool, Any, str]:
        """A cell's value as the profile holds it, or why it cannot be read."""
        shown = _text(value)[:40]
        if f.type == "date":
            v = clean_date(value)
            if isinstance(v, str) and parse_date(v):
                return True, v, ""
            return False, None, (f"không đọc được ngày \u201c{shown}\u201d; hãy ghi ngày có thật dạng ngày/tháng/năm "
                                 "(ví dụ 07/11/2018).")
        if f.type == "int":
            v = clean_int(value)
            return True, (unicodedata.normalize("NFC", v.strip()) if isinstance(v, str) else v), ""
        if f.type == "bool":
            if isinstance(value, bool):
                return True, value, ""
            word = header_key(value)
            if word in (header_key(YES), "true", "x"):
                return True, True, ""
            if word in (header_key(NO), "false"):
                return True, False, ""
            return False, None, f"phải là \u201c{YES}\u201d hoặc \u201c{NO}\u201d, đang là \u201c{shown}\u201d."
        if f.type == "choice":
            word = header_key(value)
            code = self.by_label.get(word)
            if code in f.choices:
                return True, code, ""
            if any(c in self.lay.choice_labels for c in f.choices) and not any(header_key(c) == word
                                                                               for c in f.choices):
                options = "; ".join(f"\u201c{self.lay.choice_labels.get(c, c)}\u201d" for c in f.choices)
                return False, None, f"phải là một trong: {options}; đang là \u201c{shown}\u201d."
            return True, _text(value), ""   # the check corrects the case or names the choices
        if f.type == "text_list":
            lines = [unicodedata.normalize("NFC", line).strip() for line in clean_text(value).splitlines()]
            return True, [line for line in lines if line], ""
        return True, _text(value), ""


def set_path_concrete(data: dict, path: str, value: Any) -> None:
    """Set ``value`` at a concrete path whose lists exist already (``a.b[0].c``)."""
    head, _, last = path.rpartition(".")
    node = get_path(data, head) if head else data
    if node is MISSING:
        set_path_concrete(data, head, {})
        node = get_path(data, head)
    node[last] = value


def read_workbook(engine: Engine, path: str | Path) -> Workbook:
    """The entries of a workbook ``docgen workbook`` wrote: the sheets joined by key into one
    profile per entry of the main sheet, each value located. A file that is not such a
    workbook, or cannot be read, is an :class:`InputFileError`."""
    from openpyxl import load_workbook

    from ..load.roster import BROKEN_SHEET, NO_WORKBOOK_PARTS, check_sizes, load_limits

    limits = load_limits(engine.library.shared_file("roster.toml"))
    check_sizes(path, limits)
    found = _marker(path)
    if found is None:
        raise InputFileError(f"{path}: không phải bảng tính do docgen workbook ghi (thiếu trang ẩn {MARKER_SHEET}). "
                             "Hãy tạo bảng tính bằng lệnh docgen workbook rồi điền vào đó.")
    kind, version = found
    try:
        lay = layout(engine, kind)
    except InputFileError as exc:
        raise InputFileError(f"{path}: {exc}") from exc
    if version != lay.version:
        raise InputFileError(f"{path}: bảng tính theo mẫu phiên bản {version}, docgen này đọc phiên bản {lay.version}. "
                             "Hãy tạo bảng tính mới bằng docgen workbook và chép dữ liệu sang.")
    reader = _Reader(engine, lay, Path(path).name, limits.max_rows)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputFileError(f"Không đọc được tệp Excel {path}: {NO_WORKBOOK_PARTS}") from exc
    try:
        if lay.sheets[0].name not in wb.sheetnames:
            raise InputFileError(f"{path}: thiếu trang \u201c{lay.sheets[0].name}\u201d, trang mỗi dòng một hồ sơ.")
        for sheet in lay.sheets:
            if sheet.name not in wb.sheetnames:
                reader.notes.append(f"Bảng tính không có trang \u201c{sheet.name}\u201d: không đọc gì từ trang đó.")
                continue
            ws = wb[sheet.name]
            ws.reset_dimensions()
            reader.sheet(sheet, ws.iter_rows(values_only=True))
    except InputFileError:
        raise
    except Exception as exc:  # a sheet whose XML breaks off, or a cell openpyxl cannot read
        raise InputFileError(f"Không đọc được tệp Excel {path}: {BROKEN_SHEET}") from exc
    finally:
        wb.close()
    for entry in reader.entries.values():
        name = get_path(entry.profile, lay.label_field)
        if isinstance(name, str) and name and engine.library.registry[lay.label_field].type != "name":
            name = f"{engine.library.registry[lay.label_field].label} {name}"   # "Ngày họp đại hội 2025-06-20"
        entry.label = f"{name} ({lay.key_header} {entry.key})" if isinstance(name, str) and name else \
            f"{lay.key_header} {entry.key}"
        for sheet in lay.sheets:   # a list with no row: its sheet, for "at least one" problems
            if sheet.list and not sheet.parents:
                entry.where.setdefault(sheet.list, _where(sheet.name))
    notes = reader.notes
    if reader.examples:
        notes.insert(0, f"Bỏ qua {len(reader.examples)} dòng ví dụ ({lay.key_header} \u201c{lay.example_key}\u201d, ở "
                        f"{len(set(reader.examples))} trang): đó không phải hồ sơ của ai.")
    return Workbook(kind, list(reader.entries.values()), notes, reader.problems)
