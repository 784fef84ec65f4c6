"""Load stage: the field registry (``forms/_shared/fields.toml``) — labels, types, JSON Schema.

One table describes every input field once; required-field checks, error labels and
``docgen schema`` all read it, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterator

from ..domain.vietnamese import group_thousands
from ..errors import DataProblems, FormError, Problem, Table, closest, describe
from .manifests import INPUT_TITLES

MISSING = object()

# the value of a number field (``auto = true``) that asks the workspace's register for the next free number
AUTO = "auto"
TYPES = {"text", "name", "date", "int", "bool", "choice", "list", "text_list"}

# The bounds each type must have, from the field itself or from ``[types.<type>]``: a value
# present in an input is checked against them whatever form it is read for.
BOUNDS = {
    "text": ("max_length",),
    "name": ("max_length",),
    "int": ("min", "max"),
    "date": ("min", "max"),
    "list": ("max_items",),
    "text_list": ("max_items", "max_length"),
}
FIELD_KEYS = {"path", "label", "type", "input", "choices", "example", "min_items",
              "min", "max", "max_length", "max_items", "at_most", "plain", "auto", "help"}
# a field's help text (``help``): one or two sentences shown beside it (the workbook's header
# comments, the web form), so a paragraph at most
HELP_MAX = 400
LIMIT_KEYS = ("depth", "int_digits", "key_length")
RETIRED_KEYS = ("path", "message")
INPUT_KEYS = ("note_prefix",)
# a generic path: keys joined by ".", a list's items marked "[]"
_GENERIC_PATH = re.compile(r"(?:[^.\[\]\s]+(?:\[\])?\.)*[^.\[\]\s]+")

# how a message names each input file: "… thuộc tệp tổ chức (--org), không thuộc hồ sơ người vào Đảng"
INPUT_FILES = {
    "org": "tệp tổ chức (--org)",
    "candidate": "hồ sơ người vào Đảng",
    "congress": "tệp đại hội chi bộ",
}


@dataclass(frozen=True)
class Field:
    """One input field: where it is, what it is called in Vietnamese, what it must hold."""

    path: str
    label: str
    type: str
    input: str
    choices: tuple[str, ...] = ()
    example: str = ""
    min_items: int = 0
    min: Any = None            # int, or a date for a date field
    max: Any = None
    max_length: int | None = None   # characters of a text (of each line of a text_list)
    max_items: int | None = None    # items of a list or text_list
    at_most: tuple[str, ...] = ()   # int fields this one may not exceed ("[]": this field's index)
    plain: bool = False             # invisible characters (zero-width, bidi controls) are refused, not removed
    auto: bool = False              # a document number that may be "auto": the workspace's register gives it
    help: str = ""                  # what to write and where it comes from, in Vietnamese (workbook, web form)


class Registry:
    """All known fields, by path."""

    def __init__(self, fields: list[Field], limits: dict[str, int]):
        self.fields = {f.path: f for f in fields}
        # whole-file limits (``[limits]``): nesting depth, digits of an integer literal, length of a key
        self.limits = dict(limits)
        # every path fields.toml declares, a field it had to leave out for a problem included:
        # other files that name such a field are not blamed for it
        self.declared: frozenset[str] = frozenset(self.fields)
        # keys docgen used to read and no longer does (``[[retired]]``), each with its message
        self.retired: dict[str, str] = {}
        # a key at the top of an input file that starts with this is a note for people ("" none)
        self.note_prefix = ""

    @classmethod
    def load(cls, path: Path) -> "Registry":
        """The registry of ``path``; every problem of the file at once as a :class:`FormDataError`."""
        sink = DataProblems()
        registry = cls.read(path, sink)
        sink.raise_if_any()
        assert registry is not None  # None only when the file could not be read: raised above
        return registry

    @classmethod
    def read(cls, path: Path, sink: DataProblems, file: str | None = None) -> "Registry | None":
        """The registry of ``path``, each problem recorded in ``sink`` (``file``: how messages name
        the file). A field with a problem is left out; ``None`` when the file cannot be read."""
        file = str(file or path)
        raw = sink.read_toml(path, file)
        if raw is None:
            return None
        root = sink.table(file, raw)
        root.unknown(("limits", "types", "field", "retired", "input"))
        inputs = root.sub("input")
        note_prefix = inputs.text("note_prefix")
        inputs.unknown(INPUT_KEYS)
        limits = root.sub("limits", required=True)
        for key in LIMIT_KEYS:
            limits.integer(key, required=True, lo=1)
        limits.unknown(LIMIT_KEYS)
        defaults: dict[str, dict] = {}
        types = root.sub("types")
        for t in types.raw:
            table = types.sub(t)
            if t not in TYPES:
                types.problem(t, f'kiểu "{t}" không có; các kiểu: {", ".join(sorted(TYPES))}{closest(t, TYPES)}')
            elif table.ok:
                table.unknown(FIELD_KEYS - {"path", "label", "type", "input", "choices", "example", "help"})
                defaults[t] = table.raw
        items = raw.get("field", [])
        if not isinstance(items, list):
            root.problem("field", f'"field" phải là các bảng [[field]], đang là {describe(items)}')
            items = []
        fields: list[Field] = []
        for i, item in enumerate(items):
            name = item.get("path") if isinstance(item, dict) else None
            label = f"[[field]] {name}" if isinstance(name, str) else f"[[field]] thứ {i + 1}"
            table = sink.table(file, item, f"field[{i}]" if not isinstance(name, str) else "field", label=label)
            if not table.ok:
                continue
            t = item.get("type")
            found = _field(table, defaults.get(t, {}) if isinstance(t, str) else {})
            if found is not None:
                fields.append(found)
        seen: set[str] = set()
        for f in fields:
            if f.path in seen:
                sink.add(file, "field", f'[[field]] {f.path} được khai báo hai lần')
            seen.add(f.path)
        by_path = {f.path: f for f in fields}
        for f in fields:
            for other in f.at_most:
                target = by_path.get(other)
                if target is None or target.type != "int":
                    ints = [p for p, g in by_path.items() if g.type == "int"]
                    sink.add(file, "field", f'[[field]] {f.path}: at_most "{other}" không phải một trường số nguyên '
                                            f"trong danh mục{closest(other, ints)}")
        declared = frozenset(item["path"] for item in items if isinstance(item, dict)
                             and isinstance(item.get("path"), str))
        retired = _retired(root, raw.get("retired", []), declared, {f.path for f in fields if f.type == "list"})
        lim = limits.raw
        if not all(_positive_int(lim.get(k)) for k in LIMIT_KEYS):
            return None
        registry = cls(fields, {k: lim[k] for k in LIMIT_KEYS})
        registry.declared = declared
        registry.retired = retired
        registry.note_prefix = note_prefix
        return registry

    def __getitem__(self, path: str) -> Field:
        try:
            return self.fields[path]
        except KeyError:
            raise FormError(f"Trường {path!r} không có trong danh mục trường (fields.toml)") from None

    def __contains__(self, path: str) -> bool:
        return path in self.fields

    def for_input(self, name: str) -> list[Field]:
        return [f for f in self.fields.values() if f.input == name]

    @cached_property
    def by_input(self) -> dict[str, dict[str, Field]]:
        """The fields of each input, by path."""
        out: dict[str, dict[str, Field]] = {}
        for f in self.fields.values():
            out.setdefault(f.input, {})[f.path] = f
        return out

    @cached_property
    def keys(self) -> dict[str, dict[str, frozenset[str]]]:
        """The keys each object of an input may hold: by input, then by the generic path of the
        object (``""`` the file itself, ``introducers[]`` an introducer). An object that is not
        here (a text field given an object) is left to its field's type check."""
        tree: dict[str, dict[str, set[str]]] = {}
        for f in self.fields.values():
            parent = ""
            for part in f.path.split("."):
                key = part[:-2] if part.endswith("[]") else part
                tree.setdefault(f.input, {}).setdefault(parent, set()).add(key)
                parent = (f"{parent}.{key}" if parent else key) + ("[]" if part.endswith("[]") else "")
            if f.type == "list":  # a list of objects: its items are objects even before a subfield names one
                tree[f.input].setdefault(f.path + "[]", set())
        return {kind: {p: frozenset(k) for p, k in objects.items()} for kind, objects in tree.items()}

    @cached_property
    def groups(self) -> frozenset[str]:
        """Every field path and every group above one (``youth_union_resolution``)."""
        out: set[str] = set()
        for path in self.fields:
            parts = path.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        return frozenset(out)

    def label(self, concrete_path: str) -> str:
        """Label of a concrete path such as ``introducers[1].full_name``."""
        generic = re.sub(r"\[\d+\]", "[]", concrete_path)
        f = self.fields.get(generic)
        if f is None:
            line = re.fullmatch(r"(.*)\[(\d+)\]", concrete_path)
            if line and line.group(1) and self.fields.get(re.sub(r"\[\d+\]", "[]", line.group(1))):
                return f"{self.label(line.group(1))} (dòng {int(line.group(2)) + 1})"  # a line of a text_list
            return concrete_path
        m = re.search(r"\[(\d+)\]", concrete_path)
        return f"{f.label} (thứ {int(m.group(1)) + 1})" if m else f.label

    # -- JSON Schema -------------------------------------------------------------------
    def json_schema(self, input_name: str, requirements: list[tuple[str, ...]] | None = None) -> dict:
        """A JSON Schema (draft 2020-12) for one input file, titles in Vietnamese.

        Every object has ``additionalProperties: false``: the check refuses a key that no field
        defines (a note at the top, ``note_prefix``, is allowed by ``patternProperties``).

        ``requirements``: the required fields (form.toml ``required``) of each form made from
        this input. ``required`` then lists what the check demands wherever it reads the object
        that holds it: at the top of the file, what every form made from the file requires;
        inside an object or a list item, what every form that requires anything in that object
        requires (an introducer's ``full_name``, when every form that reads introducers needs
        it). So a file the schema refuses for a missing property is refused by ``docgen check``
        too; the check may refuse more (party rules, bounds between fields), and it accepts with
        a warning what a person obviously meant ("nữ", "12", "07/11/2018"), which the schema,
        describing the canonical values, does not."""
        root: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": INPUT_TITLES.get(input_name, input_name),
            "type": "object",
            "properties": {},
            "additionalProperties": False,
        }
        if self.note_prefix:
            root["patternProperties"] = {"^" + re.escape(self.note_prefix): {}}
        objects: dict[str, dict] = {"": root}  # generic path of an object -> its schema
        for f in self.for_input(input_name):
            node = root
            parent = ""
            parts = f.path.split(".")
            for part in parts[:-1]:
                is_list = part.endswith("[]")
                key = part[:-2] if is_list else part
                props = node.setdefault("properties", {})
                child = props.setdefault(key, {"type": "array" if is_list else "object"})
                parent = f"{parent}.{key}" if parent else key
                if is_list:
                    child.setdefault("items", {"type": "object", "properties": {}})
                    node = child["items"]
                    parent += "[]"
                else:
                    node = child
                node["additionalProperties"] = False
                objects[parent] = node
            props = node.setdefault("properties", {})
            props[parts[-1]] = {**props.get(parts[-1], {}), **_schema_for(f)}
        if requirements is not None:
            wanted = [tuple(p for p in paths if p in self.fields and self.fields[p].input == input_name)
                      for paths in requirements]
            for where, node in objects.items():
                required = _required_in(where, sorted(node.get("properties", {})), wanted)
                if required:
                    node["required"] = required
        return root


def _under(path: str, where: str) -> bool:
    """Whether generic ``path`` is ``where`` or lies inside it (``""``: the whole file)."""
    return not where or path == where or path.startswith((where + ".", where + "[]"))


def _required_in(where: str, keys: list[str], wanted: list[tuple[str, ...]]) -> list[str]:
    """The keys of the object at ``where`` that every form reading that object requires."""
    readers = [paths for paths in wanted if any(_under(p, where) for p in paths)]
    if not readers:
        return []
    prefix = where + "." if where else ""
    # a list is required only when it is named itself: the check demands a field of its items
    # ("x[].name") of each item there is, not that the list be there
    return [k for k in keys if all(any(p == prefix + k or p.startswith(prefix + k + ".") for p in paths)
                                   for paths in readers)]


def _retired(root: Table, items: Any, declared: frozenset[str], lists: set[str]) -> dict[str, str]:
    """``[[retired]]``: keys docgen used to read, each with the message an input that still has
    one gets. Each path must be well formed, not a live field nor a group of them, and inside an
    object docgen still reads (else no input could reach it)."""
    if not isinstance(items, list):
        root.problem("retired", f'"retired" phải là các bảng [[retired]], đang là {describe(items)}')
        return {}
    groups = {""} | {p + "[]" for p in lists}  # the objects a file can hold, by generic path
    for p in declared:
        parts = p.split(".")
        for i in range(1, len(parts)):
            groups.add(".".join(parts[:i]))
    live = {g.removesuffix("[]") for g in groups} | declared
    retired: dict[str, str] = {}
    for i, item in enumerate(items):
        name = item.get("path") if isinstance(item, dict) else None
        label = f"[[retired]] {name}" if isinstance(name, str) else f"[[retired]] thứ {i + 1}"
        table = root.sink.table(root.file, item, f"retired[{i}]" if not isinstance(name, str) else "retired",
                                label=label)
        if not table.ok:
            continue
        before = len(table.sink.items)
        path = table.text("path", required=True, nonempty=True)
        message = table.text("message", required=True, nonempty=True)
        table.unknown(RETIRED_KEYS)
        if path and not _GENERIC_PATH.fullmatch(path):
            table.problem("path", f'khóa "path" phải là đường dẫn JSON (a.b, a[].b): "{path}"')
        elif path in live:
            table.problem("path", f'"{path}" là một trường (hay nhóm trường) đang dùng trong [[field]]; '
                                  "không thể vừa dùng vừa bỏ")
        elif path and path.rpartition(".")[0] not in groups:
            table.problem("path", f'"{path}" không nằm trong nhóm trường nào docgen còn đọc '
                                  f'("{path.rpartition(".")[0]}"), nên không tệp nào gặp được khóa này; '
                                  "hãy ghi nhóm đã bỏ thay cho khóa")
        elif path in retired:
            table.problem("path", f'"{path}" được khai báo hai lần')
        if len(table.sink.items) == before:
            retired[path] = message
    return retired


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _field(table: Table, defaults: dict) -> Field | None:
    """One ``[[field]]`` table, its type's defaults (``[types.<type>]``) filled in and checked;
    ``None`` (every problem recorded) when it is not usable."""
    item = table.raw
    problems = len(table.sink.items)
    path = table.text("path", required=True, nonempty=True)
    label = table.text("label", required=True, nonempty=True)
    t = item.get("type")
    if "type" not in item:
        table.problem("type", 'thiếu khóa "type"')
    elif not isinstance(t, str) or t not in TYPES:
        table.problem("type", f"có kiểu không hợp lệ {describe(t)}; các kiểu: {', '.join(sorted(TYPES))}"
                              f"{closest(t, TYPES) if isinstance(t, str) else ''}")
    input_name = table.text("input", required=True, nonempty=True)
    if input_name and input_name not in INPUT_TITLES:
        table.problem("input", f'khóa "input" phải là một trong: {", ".join(INPUT_TITLES)}; đang là "{input_name}"'
                               f'{closest(input_name, INPUT_TITLES)}')
    unknown = sorted(set(item) - FIELD_KEYS)
    if unknown:
        table.problem(unknown[0], f"có khóa không biết: {', '.join(unknown)}"
                                  f"{closest(unknown[0], FIELD_KEYS) if len(unknown) == 1 else ''}")
    choices = table.texts("choices", required=t == "choice", nonempty=t == "choice")
    example = table.text("example")
    help_text = table.text("help")
    if len(help_text) > HELP_MAX:
        table.problem("help", f'khóa "help" dài {group_thousands(len(help_text))} ký tự, quá giới hạn {HELP_MAX} ký tự '
                              "(một hai câu là đủ)")
    min_items = table.integer("min_items", default=0, lo=0)
    merged = Table(table.sink, table.file, {**defaults, **item}, table.keys, table.label)
    at_most = merged.texts("at_most")
    plain = merged.boolean("plain")
    auto = merged.boolean("auto")
    if auto and t != "int":
        table.problem("auto", '"auto" chỉ dùng cho trường số nguyên (số văn bản)')
    for key in BOUNDS.get(t, ()) if isinstance(t, str) else ():
        if key not in merged.raw:
            table.problem(key, f"({t}) thiếu giới hạn {key} (ghi ở trường hoặc ở [types.{t}])")
    lo, hi = merged.raw.get("min"), merged.raw.get("max")
    if t == "date":
        try:
            lo, hi = (None if v is None else date.fromisoformat(str(v)) for v in (lo, hi))
        except ValueError:
            table.problem("min", "min và max của trường ngày phải dạng NNNN-TT-NN")
            lo = hi = None
    elif t == "int":
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (lo, hi) if v is not None):
            table.problem("min", "min và max phải là số nguyên không âm")
            lo = hi = None
    elif "min" in item or "max" in item:
        table.problem("min", f"min và max chỉ dùng cho trường số nguyên (int) hay ngày (date), không cho {t}")
    for key in ("max_length", "max_items"):
        if key in merged.raw and not _positive_int(merged.raw[key]):
            table.problem(key, f"{key} phải là số nguyên dương, đang là {describe(merged.raw[key])}")
    if lo is not None and hi is not None and lo > hi:
        table.problem("min", "min lớn hơn max")
    if len(table.sink.items) > problems or not isinstance(t, str):  # a bad type is a problem too
        return None
    return Field(
        path=path,
        label=label,
        type=t,
        input=input_name,
        choices=choices,
        example=example,
        min_items=min_items,
        min=lo,
        max=hi,
        max_length=merged.raw.get("max_length"),
        max_items=merged.raw.get("max_items"),
        at_most=at_most,
        plain=plain,
        auto=auto,
        help=help_text,
    )


def _schema_for(f: Field) -> dict:
    s: dict[str, Any] = {"title": f.label}
    if f.type in ("text", "name"):
        s.update(type="string", minLength=1, maxLength=f.max_length)
    elif f.type == "date":
        s.update(type="string", format="date", pattern=r"^\d{4}-\d{2}-\d{2}$",
                 description=f"từ {f.min.isoformat()} đến {f.max.isoformat()}")
    elif f.type == "int" and f.auto:
        s.update(anyOf=[{"type": "integer", "minimum": f.min, "maximum": f.max}, {"const": AUTO}])
    elif f.type == "int":
        s.update(type="integer", minimum=f.min, maximum=f.max)
    elif f.type == "bool":
        s.update(type="boolean")
    elif f.type == "choice":
        s.update(type="string", enum=list(f.choices))
    elif f.type == "list":
        s.update(type="array", minItems=f.min_items, maxItems=f.max_items)
    elif f.type == "text_list":
        s.update(type="array", maxItems=f.max_items, items={"type": "string", "maxLength": f.max_length})
    if f.example:
        s["examples"] = [f.example]
    return s


# -- paths ---------------------------------------------------------------------------------
_PART = re.compile(r"([^.\[\]]+)((?:\[\d*\])?)")


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[tuple[str, int | None], ...]:
    """``a.b[0].c`` -> (("a", None), ("b", 0), ("c", None)); a generic ``[]`` index is -1."""
    out = []
    for key, index in _PART.findall(path):
        out.append((key, None if not index else (-1 if index == "[]" else int(index[1:-1]))))
    return tuple(out)


def get_path(data: Any, path: str) -> Any:
    """Value at a concrete dotted path (``a.b[0].c``), or ``MISSING``."""
    node = data
    for key, index in _parts(path):
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
        if index is not None:
            if not isinstance(node, list) or index < 0 or index >= len(node):
                return MISSING
            node = node[index]
    return node


def expand(data: Any, generic: str) -> Iterator[str]:
    """Concrete paths for a generic one: ``introducers[].full_name`` -> ``introducers[0].full_name`` …

    A list that is absent or not a list expands to nothing (its own field reports it).
    """
    if "[]" not in generic:
        yield generic
        return
    head, tail = generic.split("[]", 1)
    items = get_path(data, head)
    if not isinstance(items, list):
        return
    for i in range(len(items)):
        yield from expand(data, f"{head}[{i}]{tail}")


# -- value checks ------------------------------------------------------------------------
def parse_date(value: Any) -> date | None:
    """A real calendar date from ``YYYY-MM-DD``, else None."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# a letter or a digit (a character ``str.isalnum`` accepts): something that shows on paper
_VISIBLE = re.compile(r"[^\W_]")


def _day(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def check_value(f: Field, path: str, value: Any, input_name: str) -> Problem | None:
    """Problem with a present value of field ``f``, or None when it is well-formed and within its bounds."""
    t = f.type
    if t in ("text", "name"):
        if not isinstance(value, str):
            return _bad(f, path, input_name, "type.text", "phải là chuỗi chữ.")
        if _VISIBLE.search(value) is None:
            if not value.strip():
                return Problem("required", path, f.label, f'Thiếu "{f.label}" ({path}).', input=input_name)
            return _bad(f, path, input_name, "required", "không có chữ cái hay chữ số nào; hãy gõ lại giá trị này.")
        if len(value) > _bound(f.max_length):
            return _too_long(f, path, f.label, value, input_name)
    elif t == "date":
        d = parse_date(value)
        if d is None:
            return _bad(f, path, input_name, "type.date",
                        f"không phải ngày có thật theo dạng NNNN-TT-NN (ví dụ 2018-11-07): {_short(value)}.")
        if not f.min <= d <= f.max:
            return _bad(f, path, input_name, "range.date",
                        f"phải trong khoảng từ {_day(f.min)} đến {_day(f.max)}: {_short(value)}.")
    elif t == "int":
        if f.auto and value == AUTO:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return _bad(f, path, input_name, "type.int", f"phải là số nguyên không âm: {_short(value)}.")
        if not f.min <= value <= f.max:
            return _bad(f, path, input_name, "range.int",
                        f"phải từ {group_thousands(f.min)} đến {group_thousands(f.max)}: đang là {_short(value)}.")
    elif t == "bool":
        if not isinstance(value, bool):
            return _bad(f, path, input_name, "type.bool", "phải là true hoặc false.")
    elif t == "choice":
        if value not in f.choices:
            allowed = ", ".join(f'"{c}"' for c in f.choices)
            return _bad(f, path, input_name, "type.choice", f"phải là một trong: {allowed}; đang là {_short(value)}.")
    elif t == "list":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            return _bad(f, path, input_name, "type.list", "phải là danh sách các mục.")
        if len(value) < f.min_items:
            return _bad(f, path, input_name, "required", f"cần ít nhất {f.min_items} mục.")
        if len(value) > _bound(f.max_items):
            return _too_many(f, path, value, input_name)
    elif t == "text_list":
        if not isinstance(value, list) or not all(isinstance(v, str) and _VISIBLE.search(v) for v in value):
            return _bad(f, path, input_name, "type.text_list", "phải là danh sách các dòng chữ không rỗng.")
        if len(value) > _bound(f.max_items):
            return _too_many(f, path, value, input_name)
        for i, line in enumerate(value):
            if len(line) > _bound(f.max_length):
                return _too_long(f, f"{path}[{i}]", f"{f.label} (dòng {i + 1})", line, input_name)
    return None


def _bound(limit: int | None) -> int:
    """A field's ``max_length`` or ``max_items`` where its type has one: fields.toml is refused
    when a field of that type lacks it (``BOUNDS``), so it is never None here."""
    if limit is None:
        raise TypeError("a field of this type has no such bound: fields.toml should have been refused")
    return limit


def _bad(f: Field, path: str, input_name: str, rule: str, what: str) -> Problem:
    """``"<label>" (<path>) <what>``: the form of every field message."""
    return Problem(rule=rule, path=path, label=f.label, message=f'"{f.label}" ({path}) {what}', input=input_name)


def _too_long(f: Field, path: str, label: str, text: str, input_name: str) -> Problem:
    return Problem("length.text", path, label,
                   f'"{label}" ({path}) dài {group_thousands(len(text))} ký tự, quá giới hạn '
                   f"{group_thousands(_bound(f.max_length))} ký tự.", input=input_name)


def _too_many(f: Field, path: str, items: list, input_name: str) -> Problem:
    return _bad(f, path, input_name, "length.list",
                f"có {group_thousands(len(items))} mục, quá giới hạn {group_thousands(_bound(f.max_items))} mục.")


def _short(value: Any) -> str:
    """A value quoted for a message, cut short (never a whole record)."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "…"
