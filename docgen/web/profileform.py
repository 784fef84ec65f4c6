"""A profile as an HTML form and back, generated from the field registry (fields.toml).

Each input is named by its concrete JSON path (``candidate.full_name``,
``introducers[0].signed_on``), so a problem's path finds its field. A list of objects
(``introducers``) is a list of fieldsets, one per item, each holding the list's child fields. What
the form sends comes back as the JSON the command line reads: every value NFC, empty inputs
left out (never ``""``), empty objects and items left out, numbers as numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..pipeline import Engine

Field = Any  # docgen.load.fields.Field: the web reaches the registry through the engine only

LONG_TEXT = 2000  # a text field allowed more characters than this is a textarea (free texts: 20,000)
BOOL_VALUES = {"co": True, "khong": False}
_INDEX = re.compile(r"^(?P<list>.+?)\[(?P<i>\d+)\]\.(?P<rest>.+)$")
_DIGITS = re.compile(r"^-?\d{1,20}$")  # a negative count is kept a number, for the check to name


@dataclass
class Input:
    """One field's input: the field, its concrete path (the input's name), its value as text."""

    field: Field
    name: str
    value: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def widget(self) -> str:
        f = self.field
        if "\n" in self.value and f.type not in ("choice", "bool"):
            return "textarea"  # a browser strips the line breaks of a one-line input: the value is kept whole
        if f.type == "choice":
            return "select"
        if f.type == "bool":
            return "bool"
        if f.type == "date":
            return "date"
        if f.type == "int":
            return "auto" if f.auto else "number"
        if f.type == "text_list" or (f.type == "text" and (f.max_length or 0) > LONG_TEXT):
            return "textarea"
        return "text"

    @property
    def help(self) -> str:
        return getattr(self.field, "help", "")  # Field.help comes with the workbook branch


@dataclass
class Repeat:
    """A list of objects: one fieldset of inputs per item."""

    field: Field
    name: str
    items: list[list[Input]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def help(self) -> str:
        return getattr(self.field, "help", "")


@dataclass
class Part:
    key: str
    title: str
    entries: list[Input | Repeat] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        """Whether any input of the part holds a value or a problem (a part shown folded opens)."""
        for e in self.entries:
            if e.problems or (isinstance(e, Input) and e.value) or (isinstance(e, Repeat) and e.items):
                return True
        return False


def part_of(path: str) -> str:
    """Which part of the page a field is in: its top-level group, and for ``admission`` (the
    cell's meeting, the committee's resolution, the decision …) its second level."""
    head = path.split(".")
    key = head[0].removesuffix("[]")
    if key == "admission" and len(head) > 2:
        return ".".join(head[:2])
    return key


def fields_of(registry: Any, kind: str) -> list[Field]:
    return [f for f in registry.fields.values() if f.input == kind]


def list_paths(engine: Engine, kind: str) -> set[str]:
    """The lists of objects of the form (``introducers``, ``admission.cell_meeting.not_counted``):
    the only paths "Thêm" and "Xóa" may name."""
    return {f.path for f in fields_of(engine.library.registry, kind) if f.type == "list"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "co" if value else "khong"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def get(data: Any, path: str) -> Any:
    """The value at a concrete path (``introducers[1].full_name``), or None."""
    for part in path.split("."):
        m = re.match(r"^(.+)\[(\d+)\]$", part)
        key, index = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(data, dict):
            return None
        data = data.get(key)
        if index is not None:
            data = data[index] if isinstance(data, list) and index < len(data) else None
    return data


def build(engine: Engine, kind: str, data: dict, titles: dict[str, str]) -> list[Part]:
    """The parts of the form for ``data`` (a profile as parsed: dict), in the registry's order of
    fields; each list of objects with as many fieldsets as ``data`` has items."""
    registry = engine.library.registry
    fields = fields_of(registry, kind)
    lists = {f.path for f in fields if f.type == "list"}
    parts: dict[str, Part] = {}
    for f in fields:
        if any(f.path.startswith(lst + "[].") for lst in lists):
            continue  # a child of a list: in that list's fieldsets
        key = part_of(f.path)
        part = parts.setdefault(key, Part(key, titles.get(key, "")))
        if f.type == "list":
            children = [c for c in fields if c.path.startswith(f.path + "[].")]
            items = get(data, f.path)
            repeat = Repeat(f, f.path, children=children)
            for i in range(len(items) if isinstance(items, list) else 0):
                repeat.items.append(item_inputs(children, f.path, i, data))
            part.entries.append(repeat)
        else:
            part.entries.append(Input(f, f.path, _text(get(data, f.path))))
    for part in parts.values():
        if not part.title:  # a part the page has no title for (a user's own fields): its first field's label
            first = part.entries[0]
            part.title = first.field.label
    order = list(titles)
    return sorted(parts.values(), key=lambda p: order.index(p.key) if p.key in order else len(order))


def item_inputs(children: list[Field], list_path: str, index: int, data: dict) -> list[Input]:
    out = []
    for c in children:
        name = f"{list_path}[{index}]." + c.path[len(list_path) + 3:]
        out.append(Input(c, name, _text(get(data, name))))
    return out


def attach(parts: list[Part], problems: list[Problem]) -> list[Problem]:
    """Put each problem beside its input (or its list); return those that have none (the page
    shows them at the top). A problem of a list item's group (``introducers[1]``) goes to the list."""
    by_name: dict[str, Input | Repeat] = {}
    for part in parts:
        for entry in part.entries:
            by_name[entry.name] = entry
            if isinstance(entry, Repeat):
                for item in entry.items:
                    for inp in item:
                        by_name[inp.name] = inp
    left = []
    for p in problems:
        path = p.path or ""
        target = by_name.get(path)
        if target is None and p.input in ("", "candidate", "congress"):
            m = re.match(r"^(.+?)\[\d+\]", path)
            target = by_name.get(m.group(1)) if m else None
        if target is None or (p.input and p.input == "org"):
            left.append(p)
        else:
            target.problems.append(p)
    return left


# -- what the form sends, back to JSON ---------------------------------------------------------------
def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _value(f: Field, raw: str) -> Any:
    """The JSON value of one input's text; None when empty. A value that is not what the field
    wants is kept as typed, so that the check names it beside its field."""
    text = _nfc(raw).replace("\r\n", "\n")  # a textarea's line breaks as the browser sends them
    if f.type == "text_list":
        lines = [line.strip() for line in text.split("\n")]
        return [line for line in lines if line] or None
    text = text.strip()
    if not text:
        return None
    if f.type == "bool":
        return BOOL_VALUES.get(text, text)
    if f.type == "int" and _DIGITS.match(text):
        return int(text)
    return text


def _put(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _prune(value: Any) -> Any:
    """Empty objects and list items (an added fieldset left blank) removed, depth first."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        out_list = [_prune(v) for v in value]
        return [v for v in out_list if v not in ({}, None)]
    return value


def list_indexes(form: dict[str, str], list_path: str) -> list[int]:
    """The item indexes the form sent for a list, in order."""
    found = set()
    for name in form:
        m = _INDEX.match(name)
        if m and m.group("list") == list_path:
            found.add(int(m.group("i")))
    return sorted(found)


def parse(engine: Engine, kind: str, form: dict[str, str], keep_blank_items: bool = False) -> dict:
    """The profile the form describes. With ``keep_blank_items`` (adding or removing an item,
    before saving) a blank item stays, so its fieldset is shown again."""
    registry = engine.library.registry
    fields = fields_of(registry, kind)
    lists = [f for f in fields if f.type == "list"]
    data: dict = {}
    for f in fields:
        if f.type == "list" or any(f.path.startswith(lst.path + "[].") for lst in lists):
            continue
        if f.path in form:
            value = _value(f, form[f.path])
            if value is not None:
                _put(data, f.path, value)
    for lst in lists:
        children = [c for c in fields if c.path.startswith(lst.path + "[].")]
        items = []
        for i in list_indexes(form, lst.path):
            item: dict = {}
            for c in children:
                name = f"{lst.path}[{i}]." + c.path[len(lst.path) + 3:]
                if name in form:
                    value = _value(c, form[name])
                    if value is not None:
                        _put(item, c.path[len(lst.path) + 3:], value)
            items.append(item)
        if items:
            _put(data, lst.path, items)
    return data if keep_blank_items else _prune(data)


def add_item(data: dict, list_path: str) -> None:
    *parents, last = list_path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node.setdefault(last, []).append({})


def remove_item(data: dict, list_path: str, index: int) -> None:
    items = get(data, list_path)
    if isinstance(items, list) and 0 <= index < len(items):
        del items[index]
