"""Load stage: the field registry (``forms/_shared/fields.toml``) — labels, types, JSON Schema.

One table describes every input field once; required-field checks, error labels and
``docgen schema`` all read it, so they cannot drift apart.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .errors import FormError, Problem

MISSING = object()

TYPES = {"text", "name", "date", "int", "bool", "choice", "list", "text_list"}

INPUT_TITLES = {
    "org": "Tổ chức đảng (cấp ủy, chi bộ, người ký)",
    "candidate": "Hồ sơ người vào Đảng",
    "congress": "Đại hội chi bộ",
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


class Registry:
    """All known fields, by path."""

    def __init__(self, fields: list[Field]):
        self.fields = {f.path: f for f in fields}

    @classmethod
    def load(cls, path: Path) -> "Registry":
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise FormError(f"Không đọc được danh mục trường {path}: {exc}") from exc
        fields = []
        for item in raw.get("field", []):
            if item.get("type") not in TYPES:
                raise FormError(f"{path}: trường {item.get('path')} có kiểu không hợp lệ {item.get('type')!r}")
            fields.append(
                Field(
                    path=item["path"],
                    label=item["label"],
                    type=item["type"],
                    input=item["input"],
                    choices=tuple(item.get("choices", ())),
                    example=item.get("example", ""),
                    min_items=int(item.get("min_items", 0)),
                )
            )
        return cls(fields)

    def __getitem__(self, path: str) -> Field:
        try:
            return self.fields[path]
        except KeyError:
            raise FormError(f"Trường {path!r} không có trong danh mục trường (fields.toml)") from None

    def __contains__(self, path: str) -> bool:
        return path in self.fields

    def for_input(self, name: str) -> list[Field]:
        return [f for f in self.fields.values() if f.input == name]

    def label(self, concrete_path: str) -> str:
        """Label of a concrete path such as ``introducers[1].full_name``."""
        generic = re.sub(r"\[\d+\]", "[]", concrete_path)
        f = self.fields.get(generic)
        if f is None:
            return concrete_path
        m = re.search(r"\[(\d+)\]", concrete_path)
        return f"{f.label} (thứ {int(m.group(1)) + 1})" if m else f.label

    # -- JSON Schema -------------------------------------------------------------------
    def json_schema(self, input_name: str) -> dict:
        """A JSON Schema (draft 2020-12) for one input file, titles in Vietnamese."""
        root: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": INPUT_TITLES.get(input_name, input_name),
            "type": "object",
            "properties": {},
        }
        for f in self.for_input(input_name):
            node = root
            parts = f.path.split(".")
            for part in parts[:-1]:
                is_list = part.endswith("[]")
                key = part[:-2] if is_list else part
                props = node.setdefault("properties", {})
                child = props.setdefault(key, {"type": "array" if is_list else "object"})
                if is_list:
                    child.setdefault("items", {"type": "object", "properties": {}})
                    node = child["items"]
                else:
                    node = child
            node.setdefault("properties", {})[parts[-1]] = _schema_for(f)
        return root


def _schema_for(f: Field) -> dict:
    s: dict[str, Any] = {"title": f.label}
    if f.type in ("text", "name"):
        s.update(type="string", minLength=1)
    elif f.type == "date":
        s.update(type="string", format="date", pattern=r"^\d{4}-\d{2}-\d{2}$")
    elif f.type == "int":
        s.update(type="integer", minimum=0)
    elif f.type == "bool":
        s.update(type="boolean")
    elif f.type == "choice":
        s.update(type="string", enum=list(f.choices))
    elif f.type == "list":
        s.update(type="array", minItems=f.min_items)
    elif f.type == "text_list":
        s.update(type="array", items={"type": "string"})
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


def check_value(f: Field, path: str, value: Any, input_name: str) -> Problem | None:
    """Problem with a present value of field ``f``, or None when it is well-formed."""
    label = f.label

    def bad(rule: str, message: str) -> Problem:
        return Problem(rule=rule, path=path, label=label, message=message, input=input_name)

    t = f.type
    if t in ("text", "name"):
        if not isinstance(value, str):
            return bad("type.text", f'"{label}" ({path}) phải là chuỗi chữ.')
        if not value.strip():
            return bad("required", f'Thiếu "{label}" ({path}).')
    elif t == "date":
        if parse_date(value) is None:
            return bad(
                "type.date",
                f'"{label}" ({path}) không phải ngày có thật theo dạng NNNN-TT-NN (ví dụ 2018-11-07): {_short(value)}.',
            )
    elif t == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return bad("type.int", f'"{label}" ({path}) phải là số nguyên không âm: {_short(value)}.')
    elif t == "bool":
        if not isinstance(value, bool):
            return bad("type.bool", f'"{label}" ({path}) phải là true hoặc false.')
    elif t == "choice":
        if value not in f.choices:
            allowed = ", ".join(f'"{c}"' for c in f.choices)
            return bad("type.choice", f'"{label}" ({path}) phải là một trong: {allowed}; đang là {_short(value)}.')
    elif t == "list":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            return bad("type.list", f'"{label}" ({path}) phải là danh sách các mục.')
        if len(value) < f.min_items:
            return bad("required", f'"{label}" ({path}) cần ít nhất {f.min_items} mục.')
    elif t == "text_list":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return bad("type.text_list", f'"{label}" ({path}) phải là danh sách các dòng chữ không rỗng.')
    return None


def _short(value: Any) -> str:
    """A value quoted for a message, cut short (never a whole record)."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "…"
