"""Load stage: read an input JSON file, NFC-normalise it and reject characters XML cannot hold.

The result keeps the JSON shape (paths stay valid for error messages); typed access goes
through :class:`Record`, which knows each field's type from the registry. :class:`Inputs`, the
records one document is made from, is what every later stage takes.

Reading is bounded before Python does any work it cannot finish: the nesting depth is
counted before the JSON parser recurses, an integer literal's digits are counted before it
is converted, and ``NaN``/``Infinity`` and repeated keys are refused, each named by its path.

Inputs are strict: a key that no field of the registry defines is an error naming its path
and the closest known key (or the file it belongs in, or why docgen no longer reads it). What
a person obviously meant is taken with a warning naming the value read and the value used: a
choice in another case ("nữ"), a whole number typed as text ("12"), a date typed ``dd/mm/yyyy``.
A file is read as UTF-8 (with or without a BOM) or UTF-16 with a BOM; any other encoding is
refused with the line and column of its first byte that is not UTF-8.
"""

from __future__ import annotations

import builtins
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, overload

from ..domain.vietnamese import group_thousands, long_date
from ..errors import InputFileError, Problem, closest_name, describe
from .fields import INPUT_FILES, MISSING, Field, Registry, _short, get_path, parse_date

# C0 controls other than newline, DEL, C1 controls, lone surrogates and the two
# non-characters: none of them may stand in a WordprocessingML text node.
_FORBIDDEN_CHARS = "\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_FORBIDDEN = f"[{_FORBIDDEN_CHARS}]"
# Characters that print as nothing yet change what a value is: zero-width spaces, joiners and
# non-joiners, bidi marks, embeddings, overrides and isolates, the soft hyphen, the word joiner
# and invisible operators, the byte-order mark, Hangul fillers (letters that show nothing).
# Refused in plain fields (fields.toml), removed with a warning elsewhere: ``INVISIBLE`` (a pattern's text) is the
# one list, for any caller that must know what a stored text lost.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE_CHARS = ("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f"
                    "\u3164\ufeff\uffa0" + _BIDI)
INVISIBLE = f"[{_INVISIBLE_CHARS}]"
_IS_BIDI = f"[{_BIDI}]"
# Only _SUSPECT, which nearly every value is tested against, is compiled here: a class of
# characters past U+00FF takes re about 1 ms to compile, and the patterns above (kept as text,
# compiled by re's own cache when first used) serve only a value that has such a character,
# or spaces to fold (_SPACES): 3 ms of every run's start for a value few profiles have.
_SUSPECT = re.compile(f"[{_FORBIDDEN_CHARS}{_INVISIBLE_CHARS}]")
_SPACES = r"[ \u00a0\u2000-\u200a\u202f\u3000]+"
# words with single ASCII spaces between them (``\s`` is what ``str.strip`` trims)
_PLAIN = re.compile(r"\S+(?: \S+)*")
# what is taken for what it obviously means, with a warning: a whole number typed as text, a
# date typed day/month/year (the way Vietnamese write dates, so never month/day)
_DIGITS = re.compile(r"[0-9]+")
_DMY_TEXT = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
_CANONICAL_TYPES = frozenset({"choice", "int", "date"})


@dataclass
class Record:
    """One loaded input (organisation, candidate or congress) with typed access by path."""

    kind: str
    data: dict
    source: str = ""
    problems: list[Problem] = field(default_factory=list)
    # paths whose value the loader refused (its problem is in ``problems``; checks skip them)
    refused: frozenset[str] = frozenset()
    # values derived from this record alone (the organisation's formatted names, margins …),
    # computed once when one organisation serves a whole batch
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def raw(self, path: str, default: Any = None) -> Any:
        value = self._get(path)
        return default if value is MISSING else value

    def _get(self, path: str) -> Any:
        """The value at ``path``, looked up once (a record does not change after loading)."""
        memo = self.cache.setdefault("path", {})
        try:
            return memo[path]
        except KeyError:
            value = memo[path] = get_path(self.data, path)
            return value

    def text(self, path: str, default: str = "") -> str:
        value = self.raw(path)
        return value if isinstance(value, str) else default

    def date(self, path: str) -> date | None:
        memo = self.cache.setdefault("date", {})
        if path not in memo:
            memo[path] = parse_date(self.raw(path))
        return memo[path]

    @overload
    def int(self, path: str, default: builtins.int) -> builtins.int: ...
    @overload
    def int(self, path: str, default: None = None) -> builtins.int | None: ...

    def int(self, path: str, default: builtins.int | None = None) -> builtins.int | None:
        """The integer at ``path`` (a bool is not one), else ``default``."""
        value = self.raw(path)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def has(self, path: str) -> bool:
        value = self._get(path)
        return value is not MISSING and value is not None and value != ""


@dataclass
class Inputs:
    """The records one document is made from, by kind (``org``, ``candidate``, ``congress``)."""

    records: dict[str, Record]
    exceptions: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Approved exceptions recorded in the profile (``exceptions[]``), by rule id."""
        for record in self.records.values():
            items = record.raw("exceptions")
            if not isinstance(items, list):
                continue
            for it in items:
                if isinstance(it, dict) and isinstance(it.get("rule"), str) and it.get("reason"):
                    by = it.get("approved_by", "")
                    self.exceptions.setdefault(it["rule"], f"{it['reason']}" + (f" ({by})" if by else ""))

    def __getitem__(self, kind: str) -> Record:
        return self.records[kind]


def clean_text(text: str) -> str:
    """NFC, spaces folded, ends trimmed. Newlines are kept (free-text fields use them)."""
    text = unicodedata.normalize("NFC", text)
    if _PLAIN.fullmatch(text):  # most values: nothing to fold or trim
        return text
    lines = [re.sub(_SPACES, " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _char_name(ch: str) -> str:
    """What an invisible character is, in the words of a message."""
    if re.match(_IS_BIDI, ch):
        return f"ký tự điều khiển hướng chữ U+{ord(ch):04X}"
    if ch == "\u00ad":
        return "dấu gạch nối mềm U+00AD"
    return f"ký tự vô hình U+{ord(ch):04X}"


def shown_key(key: str, limit: int) -> str:
    r"""A key as a message can print it: unprintable and invisible characters as ``\uXXXX``,
    cut to ``limit`` characters."""
    text = _SUSPECT.sub(lambda m: f"\\u{ord(m.group(0)):04x}", key)
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


class _Refused:
    """A JSON number the loader will not use, kept in place so that its path can be named."""

    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what


class _Pairs(dict):
    """A JSON object that repeated a key; ``repeated`` counts how often each such key was written."""

    __slots__ = ("repeated",)
    repeated: dict[str, int]


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    out = _Pairs(d)
    counts: dict[str, int] = {}
    for k, _ in pairs:
        counts[k] = counts.get(k, 0) + 1
    out.repeated = {k: n for k, n in counts.items() if n > 1}
    return out


class _Cleaner:
    """One pass over parsed JSON: NFC, spaces folded, unprintable characters refused, invisible
    characters refused (plain fields) or removed (with a warning), keys and depth bounded, and
    the loader's refused numbers and repeated keys turned into problems naming their paths."""

    def __init__(self, registry: Registry, kind: str):
        self.registry = registry
        self.kind = kind
        self.problems: list[Problem] = []
        self.refused: set[str] = set()
        self.depth = registry.limits["depth"]
        self.key_length = registry.limits["key_length"]
        self.int_digits = registry.limits["int_digits"]
        self.int_bound = 10 ** self.int_digits
        self.keys = registry.keys.get(kind, {})
        self.fields = registry.by_input.get(kind, {})
        self.note_prefix = registry.note_prefix

    def problem(self, rule: str, path: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(rule=rule, path=path, label=self.registry.label(path), message=message,
                                     severity=severity, input=self.kind))

    def refuse(self, rule: str, path: str, message: str) -> None:
        self.problem(rule, path, message)
        self.refused.add(path)

    def label(self, path: str) -> str:
        return self.registry.label(path)

    def value(self, value: Any, path: str, depth: int, generic: str = "") -> Any:
        if isinstance(value, str):
            return self.text(value, path)
        if isinstance(value, (dict, list)):
            if depth > self.depth:
                self.refuse("json.depth", path, f'"{self.label(path)}" ({path}) lồng quá {self.depth} tầng '
                                                f"đối tượng và danh sách; hồ sơ không cần sâu như vậy.")
                return None
            if isinstance(value, list):
                item = generic + "[]"
                return [self.value(v, f"{path}[{i}]", depth + 1, item) for i, v in enumerate(value)]
            return self.obj(value, path, depth, generic)
        if isinstance(value, _Refused):
            self.refuse("json.number", path, f'"{self.label(path)}" ({path}) {value.what}.')
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.refuse("json.number", path, f'"{self.label(path)}" ({path}) không phải một số hữu hạn.')
            return None
        if type(value) is int and not -self.int_bound < value < self.int_bound:  # data parsed elsewhere
            self.refuse("json.number", path, f'"{self.label(path)}" ({path}) là một số nguyên hơn '
                                             f"{self.int_digits} chữ số, quá giới hạn.")
            return None
        return value

    def obj(self, value: dict, path: str, depth: int, generic: str = "") -> dict:
        """An object at ``path`` (``generic``: the same with ``[]`` for each list index). A key
        the registry does not define here is reported and left out of the record."""
        out = {}
        repeated = value.repeated if type(value) is _Pairs else {}
        allowed = self.keys.get(generic)  # None: not an object of the registry (its type check reports it)
        for k, v in value.items():
            key = str(k)
            named = False
            if not (key.isascii() and key.isprintable()) or len(key) > self.key_length:  # most keys: neither
                key = unicodedata.normalize("NFC", key)
                if _SUSPECT.search(key) or len(key) > self.key_length:
                    key = self.bad_key(key, path)
                    named = True
            child = f"{path}.{key}" if path else key
            inner = f"{generic}.{key}" if generic else key
            if allowed is not None and key not in allowed:
                if not generic and self.note_prefix and key.startswith(self.note_prefix):
                    continue  # a note for people ("_why"): docgen reads nothing in it
                if not named and child not in self.refused:  # once, however often (or spelt) it is written
                    self.stray(key, child, inner, generic, allowed)
                continue
            if k in repeated or key in out:  # written twice, or twice once composed (NFC)
                self.refuse("json.duplicate_key", child,
                            f'"{self.label(child)}" ({child}) được ghi {repeated.get(k, 2)} lần trong cùng một đối '
                            "tượng; mỗi khóa chỉ được ghi một lần (docgen không tự chọn giá trị nào đúng).")
            group = self.keys.get(inner)
            if group is not None and inner not in self.fields and v is not None and not isinstance(v, dict):
                # a group of fields given one value (an old file's "committee.delegation": "…"): named,
                # not left for the group's fields to be reported missing one by one
                self.refuse("input.not_group", child,
                            f'"{child}" phải là một nhóm khóa {{{", ".join(sorted(group))}}}, đang là '
                            f"{describe(v)}.")
                continue
            if type(v) is str:
                text = self.text(v, child)
                f = self.fields.get(inner)
                out[key] = self.canonical(f, text, child) if f is not None and f.type in _CANONICAL_TYPES else text
            else:
                out[key] = self.value(v, child, depth + 1, inner)
        return out

    def stray(self, key: str, path: str, generic: str, parent: str, allowed: frozenset[str]) -> None:
        """A key no field of this input defines: retired, another file's, or unknown (with the
        closest key: a sibling first, else a key of the same name elsewhere in this input)."""
        retired = self.registry.retired.get(generic)
        if retired is not None:
            self.refuse("input.retired_key", path, f'"{path}": {retired}')
            return
        here = INPUT_FILES.get(self.kind, self.kind)
        for other, objects in self.registry.keys.items():
            if other != self.kind and key in objects.get(parent, ()):
                self.refuse("input.other_file", path,
                            f'"{path}" thuộc {INPUT_FILES.get(other, other)}, không thuộc {here}; '
                            "hãy chuyển khóa này sang tệp đó.")
                return
        head = path[: len(path) - len(key)]  # "a.b[0]." or ""
        guess = closest_name(key, allowed)
        suggestion = head + guess if guess else self.elsewhere(key, parent)
        if suggestion:
            label = self.registry.label(suggestion)
            if label == suggestion:  # a group of fields: name what it holds
                inside = re.sub(r"\[\d+\]", "[]", suggestion) + "."
                labels = [f.label for p, f in self.fields.items() if p.startswith(inside)]
                label = "nơi ghi " + ", ".join(labels[:2]) + (" …" if len(labels) > 2 else "") if labels else ""
            hint = f'có phải "{suggestion}"' + (f" ({label})" if label else "") + "?"
        else:
            hint = f"docgen không đọc khóa này (các trường: docgen schema {self.kind})."
        self.refuse("input.unknown_key", path, f'"{path}": không có trường này trong {here}; {hint}')

    def elsewhere(self, key: str, parent: str = "") -> str:
        """The field path of this input whose last key is closest to ``key``: the only one, or
        the only one of those nearest ``parent`` (the most leading keys in common); else ""."""
        by_key: dict[str, list[str]] = {}
        for p in self.fields:
            by_key.setdefault(p.rsplit(".", 1)[-1], []).append(p)
        guess = closest_name(key, by_key)
        if not guess:
            return ""
        paths = by_key[guess]
        if len(paths) > 1:
            here = parent.split(".") if parent else []

            def shared(p: str) -> int:
                n = 0
                for a, b in zip(here, p.split("."), strict=False):
                    if a != b:
                        break
                    n += 1
                return n

            best = max(shared(p) for p in paths)
            paths = [p for p in paths if shared(p) == best] if best else paths
        return paths[0] if len(paths) == 1 else ""

    def canonical(self, f: Field, value: str, path: str) -> Any:
        """The value of a choice, int or date field a person obviously meant, with a warning
        naming the value read and the value used; ``value`` itself otherwise (its check names it)."""
        if path in self.refused:
            return value
        used: Any = None
        shown = ""
        if f.type == "choice":
            if value not in f.choices:
                folded = _fold(value)
                matches = [c for c in f.choices if _fold(c) == folded]
                if len(matches) == 1:
                    used, shown = matches[0], f'"{matches[0]}"'
        elif f.type == "int":
            if _DIGITS.fullmatch(value) and len(value) <= self.int_digits:
                used = int(value)
                shown = f"số {used}"
        elif parse_date(value) is None and _DMY_TEXT.fullmatch(value):
            from .roster import clean_date  # here: the roster's module is not needed at start

            iso = clean_date(value)
            d = parse_date(iso)
            if d is not None:
                used, shown = iso, f'"{iso}" ({long_date(d)})'
        if used is None:
            return value
        self.problem("input.corrected", path, f'"{self.label(path)}" ({path}) ghi {_short(value)}; '
                                               f"docgen hiểu và dùng {shown}.", severity="warning")
        return used

    def bad_key(self, key: str, path: str) -> str:
        where = path or "gốc tệp"
        shown = shown_key(key, self.key_length)
        m = _SUSPECT.search(key)
        if m:
            what = (_char_name(m.group(0)) if re.match(INVISIBLE, m.group(0))
                    else f"ký tự điều khiển không in được (U+{ord(m.group(0)):04X})")
            message = f'Khóa "{shown}" trong {where} chứa {what}; hãy gõ lại tên khóa.'
        else:
            message = (f'Khóa "{shown}" trong {where} dài {group_thousands(len(key))} ký tự, quá giới hạn '
                       f"{self.key_length} ký tự của một khóa.")
        self.refuse("json.key", f"{path}.{shown}" if path else shown, message)
        return shown

    def text(self, value: str, path: str) -> str:
        if not _SUSPECT.search(value):  # nearly every value
            return clean_text(value)
        label = self.label(path)
        m = re.search(_FORBIDDEN, value)
        if m:
            self.refuse("text.control_character", path,
                        f'"{label}" ({path}) chứa ký tự điều khiển không in được '
                        f"(U+{ord(m.group(0)):04X}); hãy gõ lại giá trị này.")
            value = re.sub(_FORBIDDEN, "", value)
        m = re.search(INVISIBLE, value)
        if m:
            f = self.registry.fields.get(re.sub(r"\[\d+\]", "[]", path))
            # a line of a text_list is judged by its list's field
            f = f or self.registry.fields.get(re.sub(r"\[\d+\]$", "", re.sub(r"\[\d+\](?=.)", "[]", path)))
            what = _char_name(m.group(0))
            if f is not None and f.plain:
                self.refuse("text.invisible_character", path,
                            f'"{label}" ({path}) chứa {what}, không in ra nhưng làm tên, số hoặc ký hiệu khác đi; '
                            "hãy gõ lại giá trị này.")
            else:
                self.problem("text.invisible_character", path,
                             f'"{label}" ({path}) chứa {what}, không in ra được; docgen đã bỏ ký tự này.',
                             severity="warning")
            value = re.sub(INVISIBLE, "", value)
        return clean_text(value)


def _fold(text: str) -> str:
    """How choices are compared: NFC, case folded."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def record_from_data(data: Any, kind: str, registry: Registry, source: str = "") -> Record:
    """Build a :class:`Record` from already-parsed JSON data (used by batch inputs too)."""
    if not isinstance(data, dict):
        raise InputFileError(f"{source or kind}: nội dung phải là một đối tượng JSON ({{…}}).")
    cleaner = _Cleaner(registry, kind)
    clean = cleaner.obj(data, "", 1)
    return Record(kind=kind, data=clean, source=source, problems=cleaner.problems,
                  refused=frozenset(cleaner.refused))


# -- reading JSON text -----------------------------------------------------------------------
# a JSON string (escapes included) or a structural character; ":" needs no attention
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{},]')


def _nesting_beyond(text: str, limit: int) -> tuple[str, int] | None:
    """Where ``text`` first opens more than ``limit`` objects and lists, as (path, offset), or None.

    Counted on the text, strings skipped, so that the JSON parser never recurses deeper."""
    frames: list[list] = []  # [is_list, key span or item index]
    expect_key = False
    for m in _TOKEN.finditer(text):
        c = text[m.start()]
        if c == '"':
            if expect_key:
                frames[-1][1] = m.span()
                expect_key = False
        elif c == "{" or c == "[":
            frames.append([c == "[", 0 if c == "[" else None])
            if len(frames) > limit:
                return _frames_path(text, frames[:-1]), m.start()
            expect_key = c == "{"
        elif c == ",":
            if frames:
                if frames[-1][0]:
                    frames[-1][1] += 1
                else:
                    expect_key = True
        else:
            if frames:
                frames.pop()
            expect_key = False
    return None


def _frames_path(text: str, frames: list[list]) -> str:
    path = ""
    for is_list, where in frames:
        if is_list:
            path += f"[{where}]"
            continue
        key = "?"
        if where is not None:
            try:
                key = json.loads(text[where[0]:where[1]])
            except ValueError:
                key = text[where[0] + 1:where[1] - 1]
        path += ("." if path else "") + shown_key(unicodedata.normalize("NFC", key), 40)
    return path


def parse_json(text: str, source: str, registry: Registry) -> Any:
    """Parse JSON text within the registry's ``[limits]``; :class:`InputFileError` when the text
    is not JSON or nests too deep. Numbers the loader refuses stay in place and become problems
    with their paths in :func:`record_from_data`."""
    limits = registry.limits
    depth, digits = limits["depth"], limits["int_digits"]
    deep = _nesting_beyond(text, depth)
    if deep is not None:
        path, pos = deep
        line = text.count("\n", 0, pos) + 1
        col = pos - text.rfind("\n", 0, pos)
        near = _nearest_label(path, registry)
        raise InputFileError(
            f"{source}: dữ liệu lồng nhau quá {depth} tầng đối tượng và danh sách tại {path or 'gốc tệp'}"
            f"{near} (dòng {line}, cột {col}). Hồ sơ không cần sâu như vậy; hãy kiểm tra lại tệp.")

    def parse_int(literal: str) -> Any:
        n = len(literal) - (literal[0] == "-")
        if n > digits:
            return _Refused(f"là một số nguyên {group_thousands(n)} chữ số, quá giới hạn {digits} chữ số")
        return int(literal)

    def parse_float(literal: str) -> Any:
        value = float(literal)
        return value if math.isfinite(value) else _Refused("là một số quá lớn, không biểu diễn được")

    def parse_constant(name: str) -> Any:
        return _Refused(f"là {name}, không phải một số (JSON không có {name})")

    try:
        return json.loads(text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant,
                          object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{source}: không phải JSON hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: "
                             f"{json_error(exc)}") from None
    except RecursionError:  # not reached after the depth count; kept so that no input ends in a crash
        raise InputFileError(f"{source}: dữ liệu lồng nhau quá sâu.") from None


def _nearest_label(path: str, registry: Registry) -> str:
    """`` (trong "<label>")`` for the deepest registered field that ``path`` lies in, or ""."""
    generic = re.sub(r"\[\d+\]", "[]", path)
    while generic:
        f = registry.fields.get(generic)
        if f is not None:
            return f' (trong "{f.label}")'
        cut = max(generic.rfind("."), generic.rfind("[]"))
        generic = generic[:cut] if cut > 0 else ""
    return ""


# Python's JSON messages, in the words of a message (the first that starts the message wins)
_JSON_ERRORS = (
    ("Expecting ',' delimiter", "thiếu dấu phẩy (,) giữa hai mục"),
    ("Expecting ':' delimiter", "thiếu dấu hai chấm (:) sau tên khóa"),
    ("Expecting property name enclosed in double quotes", 'tên khóa phải đặt trong dấu ngoặc kép ("…")'),
    ("Expecting value", "thiếu giá trị (một chuỗi trong dấu ngoặc kép, một số, true, false, null, {…} hay […])"),
    ("Unterminated string", "chuỗi mở dấu ngoặc kép mà không đóng"),
    ("Invalid control character", "có ký tự điều khiển (xuống dòng, tab) nằm trong chuỗi; hãy viết \\n hay \\t"),
    ("Invalid \\uXXXX escape", "mã \\uXXXX không hợp lệ"),
    ("Invalid \\escape", "dấu \\ không hợp lệ trong chuỗi (muốn có dấu \\ thì gõ \\\\)"),
    ("Extra data", "còn nội dung sau khi dữ liệu JSON đã kết thúc"),
    ("Illegal trailing comma", "có dấu phẩy thừa trước } hay ]"),
)


def json_error(exc: json.JSONDecodeError) -> str:
    """What a JSON syntax error means, in Vietnamese, and where it helps its likely cause."""
    what = next((vi for en, vi in _JSON_ERRORS if exc.msg.startswith(en)), f"lỗi cú pháp JSON ({exc.msg})")
    text, pos = exc.doc, exc.pos
    before = text[:pos].rstrip()
    here = text[pos:pos + 1]
    hint = ""
    if not text.strip():
        hint = "tệp rỗng"
    elif before.endswith(",") and here in ("}", "]"):
        comma = len(before) - 1
        line = text.count("\n", 0, comma) + 1
        col = comma - text.rfind("\n", 0, comma)
        hint = (f"có dấu phẩy thừa ở dòng {line}, cột {col}, ngay trước {here}: JSON không cho phép dấu phẩy "
                "sau mục cuối; hãy xóa dấu phẩy đó")
    elif here == "'":
        hint = "JSON dùng dấu ngoặc kép (\"), không dùng dấu nháy đơn (')"
    elif exc.msg.startswith("Expecting value") and re.match(r"(True|False|None)\b", text[pos:pos + 6]):
        hint = "viết true, false, null bằng chữ thường"
    elif exc.msg.startswith("Expecting ',' delimiter") and before.endswith('"') and here not in ('"', "{", "["):
        hint = 'có lẽ trong chuỗi có dấu ngoặc kép; hãy viết nó là \\"'
    elif exc.msg.startswith("Expecting ',' delimiter") and here in ('"', "{", "["):
        hint = "có lẽ thiếu dấu phẩy ở cuối mục (hay dòng) trước"
    return what + (f" ({hint})." if hint else ".")


def decode_json_bytes(raw: bytes, source: str) -> str:
    """The text of an input file: UTF-8, with or without a BOM, or UTF-16 with a BOM (what
    Notepad saves as "Unicode"). Any other encoding is refused with the line and column of the
    first byte that is not UTF-8; docgen never guesses an encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{source}: tệp lưu bằng UTF-16 nhưng bị hỏng ở byte thứ {exc.start + 1}. "
                                 f"{_SAVE_AS_UTF8}") from None
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = body.rfind(b"\n", 0, start) + 1
        line = body.count(b"\n", 0, start) + 1
        col = len(body[line_start:start].decode("utf-8", "replace")) + 1
        raise InputFileError(
            f"{source}: tệp không phải văn bản UTF-8: byte 0x{body[start]:02X} ở dòng {line}, cột {col} không "
            "đọc được theo UTF-8; có lẽ tệp được lưu bằng một bảng mã khác (Windows-1258, TCVN3 …), mà docgen "
            f"không đoán. {_SAVE_AS_UTF8}") from None


_SAVE_AS_UTF8 = ('Hãy lưu lại dưới dạng UTF-8: trong Notepad chọn File > Save As (Lưu thành), ở ô Encoding '
                 '(Mã hóa) chọn "UTF-8", rồi lưu; trong VS Code bấm vào tên bảng mã ở thanh dưới cùng, chọn '
                 '"Save with Encoding", rồi "UTF-8".')


def read_json_file(path: str | Path, registry: Registry) -> Any:
    """An input file's JSON, read within the registry's limits; :class:`InputFileError` when the
    file is missing, not in an encoding docgen reads, or not JSON. (The name is not made a Path:
    Python 3.11's pathlib interns each part of it, and a batch of a folder's 50,000 files grew
    the table of interned strings by 0.35 MiB.)"""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise InputFileError(f"Không đọc được tệp {name}: {exc.strerror or exc}") from exc
    return parse_json(decode_json_bytes(raw, name), name, registry)


def load_record(path: str | Path, kind: str, registry: Registry) -> Record:
    """Read one JSON input file. A file that is missing or not JSON raises :class:`InputFileError`."""
    return record_from_data(read_json_file(path, registry), kind, registry, source=str(path))
