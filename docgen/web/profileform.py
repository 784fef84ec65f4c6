"""A profile as an HTML form and back, generated from the field registry (fields.toml).

Each input is named by its concrete JSON path (``candidate.full_name``,
``introducers[0].signed_on``), so a problem's path finds its field. A list of objects
(``introducers``) is a list of fieldsets, one per item, each holding the list's child fields. What
the form sends comes back as the JSON the command line reads: every value NFC, empty inputs
left out (never ``""``), empty objects and items left out, numbers as numbers.

A value of the file that no input can show as it is (a key the registry does not know, a note,
an object where a text belongs …) is never dropped by saving: the page carries it in a hidden
input (``giu:<n>``, its path and value as JSON) and names it, and saving puts it back where it
was, unless the user asks for those values to be left out.
"""

from __future__ import annotations

import json
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
KEEP = "giu:"  # the hidden inputs that carry the values no input shows
MAX_INDEX = 1000  # a kept value's list index (lists hold 300 items at most)

Segment = str | int  # a key of an object, or an index of a list


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


@dataclass
class Kept:
    """A value of the file that no input of the form shows, at its path (keys and indexes)."""

    path: list[Segment]
    value: Any

    @property
    def name(self) -> str:
        """The path as docgen's messages write it (``introducers[0]._ghi_chu``)."""
        out = ""
        for seg in self.path:
            out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else seg)
        return out

    def note(self, prefix: str) -> bool:
        """A note at the top of the file (``_why``), which docgen does not read."""
        return bool(prefix) and len(self.path) == 1 and str(self.path[0]).startswith(prefix)

    @property
    def json(self) -> str:
        return json.dumps({"path": self.path, "value": self.value}, ensure_ascii=False)


class FormRefused(ValueError):
    """What was posted is not what the page sends (a kept value that is not its JSON)."""


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


def shows(f: Field, value: Any) -> bool:
    """Whether the input of ``f`` shows ``value`` so that saving gives it back: a text (as typed:
    the check names what is wrong), a number, a yes/no, a list of lines, a list of objects. Any
    other value (an object, a list where a text belongs, null …) is kept aside."""
    if f.type == "list":
        return isinstance(value, list)
    if f.type == "text_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if f.type == "int":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if f.type == "bool":
        return isinstance(value, (str, bool))
    return isinstance(value, str)


def unshown(engine: Engine, kind: str, data: Any) -> list[Kept]:
    """The values of ``data`` that no input of the form shows, in the file's order: keys the
    registry does not know (notes included), values :func:`shows` refuses, list items that are not
    objects, and anything under a key holding ``.``, ``[`` or ``]`` (no input is named by it)."""
    fields = {f.path: f for f in fields_of(engine.library.registry, kind)}
    groups = {".".join(p.split(".")[:i]) for p in fields for i in range(1, p.count(".") + 1)}
    out: list[Kept] = []

    def walk(value: dict, generic: str, at: list[Segment]) -> None:
        for key, sub in value.items():
            here: list[Segment] = [*at, key]
            g = f"{generic}.{key}" if generic else key
            f = fields.get(g)
            if any(ch in key for ch in ".[]"):
                out.append(Kept(here, sub))
            elif f is not None and shows(f, sub):
                if f.type == "list":
                    for i, item in enumerate(sub):
                        if isinstance(item, dict):
                            walk(item, g + "[]", [*here, i])
                        else:
                            out.append(Kept([*here, i], item))
            elif f is None and g in groups and isinstance(sub, dict):
                walk(sub, g, here)
            else:
                out.append(Kept(here, sub))

    if isinstance(data, dict):
        walk(data, "", [])
    return out


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
            part.entries.append(Input(f, f.path, _shown(f, get(data, f.path))))
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
        out.append(Input(c, name, _shown(c, get(data, name))))
    return out


def _shown(f: Field, value: Any) -> str:
    """The input's text: the value, or nothing when the input cannot show it (:func:`unshown`
    keeps it aside)."""
    return _text(value) if shows(f, value) else ""


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


@dataclass(frozen=True)
class _Held:
    """A kept value put back into the parsed form: whatever it is, pruning leaves it alone."""

    value: Any


def _prune(value: Any) -> Any:
    """Empty objects and list items (an added fieldset left blank) removed, depth first; a kept
    value stays as it was (``{}`` and ``null`` included)."""
    if isinstance(value, dict):
        out: dict = {}
        for k, v in value.items():
            if isinstance(v, _Held):
                out[k] = v.value
            elif (p := _prune(v)) not in ({}, [], None):
                out[k] = p
        return out
    if isinstance(value, list):
        out_list: list = []
        for v in value:
            if isinstance(v, _Held):
                out_list.append(v.value)
            elif (p := _prune(v)) not in ({}, None):
                out_list.append(p)
        return out_list
    return value


def _unwrap(value: Any) -> Any:
    """The parsed form with its blank items, kept values in place."""
    if isinstance(value, _Held):
        return value.value
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _empty(value: Any) -> bool:
    return not isinstance(value, _Held) and _prune(value) in ({}, [], None)


def _put_kept(data: dict, path: list[Segment], value: Any) -> bool:
    """Put a kept value back at its path; False when the form gave that path (or a parent) a
    value of its own, which then stays."""
    node: Any = data
    for seg, nxt in zip(path, path[1:], strict=False):
        make: Any = list if isinstance(nxt, int) else dict
        if isinstance(seg, int):
            if not isinstance(node, list):
                return False
            while len(node) <= seg:
                node.append({})
            if node[seg] is None or (_empty(node[seg]) and not isinstance(node[seg], make)):
                node[seg] = make()
            node = node[seg]
        else:
            if not isinstance(node, dict):
                return False
            if node.get(seg) is None or (_empty(node[seg]) and not isinstance(node[seg], make)):
                node[seg] = make()
            node = node[seg]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(node, list):
            return False
        while len(node) <= last:
            node.append({})
    elif not isinstance(node, dict):
        return False
    elif last not in node:
        node[last] = _Held(value)
        return True
    if not _empty(node[last]):
        return False
    node[last] = _Held(value)
    return True


def kept_of(form: dict[str, str]) -> list[Kept]:
    """The kept values the page carried (its ``giu:`` inputs), NFC; :class:`FormRefused` for one
    that is not what the page writes."""
    out = []
    for name, raw in form.items():
        if not name.startswith(KEEP):
            continue
        try:
            posted = json.loads(_nfc(raw))
        except ValueError:
            raise FormRefused(name) from None
        path = posted.get("path") if isinstance(posted, dict) else None
        if not (isinstance(path, list) and path and isinstance(path[0], str) and "value" in posted
                and all(isinstance(s, str) or (type(s) is int and 0 <= s < MAX_INDEX) for s in path)):
            raise FormRefused(name)
        out.append(Kept(path, posted["value"]))
    return out


def list_indexes(form: dict[str, str], list_path: str) -> list[int]:
    """The item indexes the form sent for a list, in order."""
    found = set()
    for name in form:
        m = _INDEX.match(name)
        if m and m.group("list") == list_path:
            found.add(int(m.group("i")))
    return sorted(found)


@dataclass
class Posted:
    """What a posted form describes: the profile, and what became of the values kept aside."""

    data: dict
    replaced: list[str] = field(default_factory=list)  # kept values the user typed a new value over
    dropped: list[str] = field(default_factory=list)  # kept values left out, as the user asked


def parse(engine: Engine, kind: str, form: dict[str, str], keep_blank_items: bool = False,
          drop_kept: bool = False) -> Posted:
    """The profile the form describes, the values the page kept aside put back where they were
    (with ``drop_kept``, only the notes at the top). With ``keep_blank_items`` (adding or removing
    an item, before saving) a blank item stays, so its fieldset is shown again."""
    data = _read_form(engine, kind, form)
    posted = Posted(data)
    prefix = engine.library.registry.note_prefix
    for kept in kept_of(form):
        if drop_kept and not kept.note(prefix):
            posted.dropped.append(kept.name)
        elif not _put_kept(data, kept.path, kept.value):
            posted.replaced.append(kept.name)
    posted.data = _unwrap(data) if keep_blank_items else _prune(data)
    return posted


def _read_form(engine: Engine, kind: str, form: dict[str, str]) -> dict:
    """The form's inputs as JSON, blank items kept."""
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
    return data


def add_item(data: dict, list_path: str) -> bool:
    """A blank item appended to a list; False when the file holds something else there (kept
    aside, named on the page), which is left as it is."""
    *parents, last = list_path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return False
    items = node.setdefault(last, [])
    if not isinstance(items, list):
        return False
    items.append({})
    return True


def remove_item(data: dict, list_path: str, index: int) -> None:
    items = get(data, list_path)
    if isinstance(items, list) and 0 <= index < len(items):
        del items[index]
