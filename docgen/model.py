"""Load stage: read an input JSON file, NFC-normalise it and reject characters XML cannot hold.

The result keeps the JSON shape (paths stay valid for error messages); typed access goes
through :class:`Record`, which knows each field's type from the registry.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InputFileError, Problem
from .fields import MISSING, Registry, get_path, parse_date

# C0 controls other than newline, DEL, C1 controls, lone surrogates and the two
# non-characters: none of them may stand in a WordprocessingML text node.
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u3000]+")
# words with single ASCII spaces between them (``\s`` is what ``str.strip`` trims)
_PLAIN = re.compile(r"\S+(?: \S+)*")


@dataclass
class Record:
    """One loaded input (organisation, candidate or congress) with typed access by path."""

    kind: str
    data: dict
    source: str = ""
    problems: list[Problem] = field(default_factory=list)
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

    def int(self, path: str, default: int | None = None) -> int | None:
        value = self.raw(path)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def has(self, path: str) -> bool:
        value = self._get(path)
        return value is not MISSING and value is not None and value != ""


def clean_text(text: str) -> str:
    """NFC, spaces folded, ends trimmed. Newlines are kept (free-text fields use them)."""
    text = unicodedata.normalize("NFC", text)
    if _PLAIN.fullmatch(text):  # most values: nothing to fold or trim
        return text
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def sanitize(value: Any, path: str, problems: list[Problem], registry: Registry, kind: str) -> Any:
    """NFC-normalise every string (keys too) and collect a problem per forbidden character."""
    if isinstance(value, str):
        m = _FORBIDDEN.search(value)
        if m:
            problems.append(
                Problem(
                    rule="text.control_character",
                    path=path,
                    label=registry.label(path),
                    message=(
                        f'"{registry.label(path)}" ({path}) chứa ký tự điều khiển không in được '
                        f"(U+{ord(m.group(0)):04X}); hãy gõ lại giá trị này."
                    ),
                    input=kind,
                )
            )
            return _FORBIDDEN.sub("", value)
        return clean_text(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = unicodedata.normalize("NFC", str(k))
            out[key] = sanitize(v, f"{path}.{key}" if path else key, problems, registry, kind)
        return out
    if isinstance(value, list):
        return [sanitize(v, f"{path}[{i}]", problems, registry, kind) for i, v in enumerate(value)]
    return value


def record_from_data(data: Any, kind: str, registry: Registry, source: str = "") -> Record:
    """Build a :class:`Record` from already-parsed JSON data (used by batch inputs too)."""
    if not isinstance(data, dict):
        raise InputFileError(f"{source or kind}: nội dung phải là một đối tượng JSON ({{…}}).")
    problems: list[Problem] = []
    clean = sanitize(data, "", problems, registry, kind)
    return Record(kind=kind, data=clean, source=source, problems=problems)


def load_record(path: str | Path, kind: str, registry: Registry) -> Record:
    """Read one JSON input file. A file that is missing or not JSON raises :class:`InputFileError`."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"Không đọc được tệp {p}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise InputFileError(f"{p}: tệp không phải văn bản UTF-8. Hãy lưu lại dưới dạng UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{p}: không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}: {exc.msg}).") from None
    return record_from_data(data, kind, registry, source=str(p))
