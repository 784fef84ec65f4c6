"""Error types of every stage; only ``docgen.cli`` turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Any, overload


def parse_toml(text: str) -> dict:
    """``tomllib.loads(text)``, kept in the user's cache folder (:func:`docgen.cache_dir`) under a
    digest of the text: Python's TOML reader takes about 100 ms for the forms folder's data
    files, which every run reads, and reading its result back takes a few. Only what parsed is
    kept, so a syntax error is raised every time; a cache file that cannot be read back is
    parsed again, one that cannot be written is not kept (never a wrong value). The cache is
    trusted as Python's own ``.pyc`` files are: it is the user's own folder."""
    import hashlib
    import pickle
    import sys

    from . import __version__, cache_dir, write_cached

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    path = cache_dir() / "toml" / f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}" / f"{digest}.pickle"
    try:
        value = pickle.loads(path.read_bytes())
        if type(value) is dict:
            return value
    except Exception:  # missing, cut short, not a pickle: parsed again below
        pass
    import tomllib  # on a miss only: importing it takes longer than reading the kept value

    value = tomllib.loads(text)
    write_cached(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


class DocgenError(Exception):
    """Root of docgen's errors. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (JSON path + Vietnamese label), what, how bad.

    ``rule`` names the check (``required``, ``type.date``, ``vote.two_thirds`` …);
    ``source`` the rule's legal reference where there is one.
    """

    rule: str
    path: str
    label: str
    message: str
    severity: str = "error"
    source: str = ""
    input: str = ""

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "input": self.input,
            "path": self.path,
            "label": self.label,
            "message": self.message,
            "source": self.source,
        }


class InputError(DocgenError):
    """Raised when an input (profile, organisation, congress) fails its checks; carries every problem found."""

    exit_code = 3

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} lỗi trong dữ liệu đầu vào")


class InputFileError(DocgenError):
    """Raised when an input file cannot be read or is not valid JSON (the file as a whole is unusable)."""

    exit_code = 3


class FormError(DocgenError):
    """Raised when a form folder, its manifest or its template is missing or broken."""

    exit_code = 4


class MissingRuleError(FormError):
    """A paper prints a value that a rule of rules.toml holds the parameter of (the probation's
    months), and the forms folder's rules.toml lacks that rule or parameter."""

    def __init__(self, rule_id: str, param: str):
        super().__init__(f'rules.toml không có quy tắc "{rule_id}" với params.{param}: văn bản cần giá trị này '
                         "(số tháng dự bị để tính ngày hết thời gian dự bị) nên không in được.")


class FontError(DocgenError):
    """Raised when no font with full Vietnamese coverage can be found for the PDF."""

    exit_code = 4


class OutputError(DocgenError):
    """Raised when an output file cannot be written (permissions, disk, unsafe name)."""

    exit_code = 5


class EditedOutputError(OutputError):
    """Raised when an output file to be replaced is not what docgen last wrote there (the user
    edited it, or another program wrote it): docgen never replaces it without ``--force``."""


class WorkspaceError(DocgenError):
    """Raised when a workspace (its folder or its database) cannot be found, opened or used."""

    exit_code = 5


# -- problems of the forms' own data files (form.toml, _shared/*.toml) ---------------------------
@dataclass(frozen=True)
class FormProblem:
    """One thing wrong in a data file of the forms folder.

    ``file`` is the file as a path, ``key`` the key it is about in TOML spelling
    (``title``, ``rule."age.range".source``; ``""`` for the file as a whole), and ``message``
    the Vietnamese line printed after the file, which names the key itself.
    """

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


class FormDataError(FormError):
    """Raised once every data file of a forms folder has been read, when any of them is broken;
    ``problems`` holds every problem found, in every file, each on a line of its own."""

    def __init__(self, problems: list[FormProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} lỗi trong tệp dữ liệu của các mẫu (form.toml, _shared/*.toml):\n"
                         f"{lines}")


_TOML_TYPES = (
    (bool, "true/false"),
    (int, "số nguyên"),
    (float, "số thực"),
    (str, "chuỗi"),
    (list, "danh sách"),
    (dict, "bảng"),
)


def describe(value: Any) -> str:
    """A TOML value as a message shows it: its kind and, when short, itself."""
    import datetime

    if isinstance(value, (datetime.date, datetime.time)):
        return f"ngày giờ {value.isoformat()}"
    kind = next((name for t, name in _TOML_TYPES if isinstance(value, t)), type(value).__name__)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return f'chuỗi "{text}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{kind} {value}"
    return kind


def toml_key(*parts: str) -> str:
    """Keys joined the TOML way: a key that is not bare is quoted (``rule."age.range".source``)."""
    import json
    import re

    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else json.dumps(p, ensure_ascii=False) for p in parts)


def closest_name(name: str, known) -> str | None:
    """The known name closest to ``name``, or None when none is close."""
    import difflib

    found = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return found[0] if found else None


def closest(name: str, known) -> str:
    """`` (có phải "x"?)`` with the known name closest to ``name``, or ``""`` when none is close."""
    found = closest_name(name, known)
    return f' (có phải "{found}"?)' if found else ""


class DataProblems:
    """Collects the problems of a forms folder's data files, so that all of them are reported
    together (:class:`FormDataError`) rather than the first one alone."""

    def __init__(self) -> None:
        self.items: list[FormProblem] = []

    def add(self, file: str | PathLike, key: str, message: str) -> None:
        problem = FormProblem(str(file), key, message)
        if problem not in self.items:
            self.items.append(problem)

    def read_toml(self, path: PathLike, file: str | PathLike | None = None) -> dict | None:
        """The TOML file at ``path`` as a dict; ``None`` (with its problem recorded) when it is
        missing, unreadable, not UTF-8 or not valid TOML (with the line and column)."""
        import re
        import tomllib
        from pathlib import Path

        file = str(file if file is not None else path)
        try:
            text = Path(path).read_bytes().decode("utf-8")
        except FileNotFoundError:
            self.add(file, "", "thiếu tệp này")
            return None
        except IsADirectoryError:
            self.add(file, "", "là một thư mục, không phải tệp TOML")
            return None
        except OSError as exc:
            self.add(file, "", f"không đọc được tệp: {exc.strerror or exc}")
            return None
        except UnicodeDecodeError as exc:
            self.add(file, "", f"tệp không phải văn bản UTF-8 (byte {exc.start}); hãy lưu lại dưới dạng UTF-8")
            return None
        try:
            return parse_toml(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
            if m:
                what = message[:m.start()]
                self.add(file, "", f"lỗi cú pháp TOML ở dòng {m.group(1)}, cột {m.group(2)}: {what}")
            else:
                self.add(file, "", f"lỗi cú pháp TOML: {message}")
            return None

    def table(self, file: str | PathLike, raw: Any, *keys: str, label: str = "") -> "Table":
        """A reader for one table of ``file`` (``keys``: where it sits; ``label``: how messages name it)."""
        return Table(self, str(file), raw, keys, label)

    def raise_if_any(self) -> None:
        if self.items:
            raise FormDataError(self.items)


class Table:
    """One TOML table being read: each value by key and type, a missing or mistyped one recorded
    with the file and the key (and a default given back, so that reading goes on)."""

    def __init__(self, sink: DataProblems, file: str, raw: Any, keys: tuple[str, ...], label: str):
        self.sink = sink
        self.file = file
        self.keys = keys
        self.label = label or (f"[{toml_key(*keys)}]" if keys else "")
        self.ok = isinstance(raw, dict)
        self.raw: dict = raw if self.ok else {}
        if not self.ok and raw is not None:
            sink.add(file, toml_key(*keys), f"{self.label} phải là một bảng, đang là {describe(raw)}")

    def key(self, key: str) -> str:
        return toml_key(*self.keys, key)

    def problem(self, key: str, message: str) -> None:
        """``message`` about ``key`` of this table (the table's label is put before it)."""
        prefix = f"{self.label} " if self.label else ""
        self.sink.add(self.file, self.key(key) if key else toml_key(*self.keys), prefix + message)

    def has(self, key: str) -> bool:
        return key in self.raw

    def _get(self, key: str, required: bool, default: Any, ok, what: str) -> Any:
        if key not in self.raw:
            if required:
                self.problem(key, f'thiếu khóa "{key}"')
            return default
        value = self.raw[key]
        if not ok(value):
            self.problem(key, f'khóa "{key}" phải là {what}, đang là {describe(value)}')
            return default
        return value

    def text(self, key: str, required: bool = False, default: str = "", nonempty: bool = False) -> str:
        what = "chuỗi không rỗng" if nonempty else "chuỗi"
        return self._get(key, required, default, lambda v: isinstance(v, str) and (v.strip() or not nonempty), what)

    @overload
    def integer(self, key: str, required: bool = False, *, default: int,
                lo: int | None = None, hi: int | None = None) -> int: ...
    @overload
    def integer(self, key: str, required: bool = False, default: None = None,
                lo: int | None = None, hi: int | None = None) -> int | None: ...

    def integer(self, key: str, required: bool = False, default: int | None = None,
                lo: int | None = None, hi: int | None = None) -> int | None:
        if lo is not None and hi is not None:
            what = f"số nguyên từ {lo} đến {hi}"
        elif lo is not None:
            what = f"số nguyên từ {lo} trở lên"
        else:
            what = "số nguyên"
        return self._get(key, required, default,
                         lambda v: _is_int(v) and (lo is None or v >= lo) and (hi is None or v <= hi), what)

    def number(self, key: str, required: bool = False, default: float | None = None,
               lo: float | None = None, hi: float | None = None) -> float | None:
        what = f"số từ {lo} đến {hi}" if lo is not None and hi is not None else "số"
        return self._get(key, required, default,
                         lambda v: (_is_int(v) or isinstance(v, float)) and v == v
                         and (lo is None or v >= lo) and (hi is None or v <= hi), what)

    def boolean(self, key: str, required: bool = False, default: bool = False) -> bool:
        return self._get(key, required, default, lambda v: isinstance(v, bool), "true hoặc false")

    def texts(self, key: str, required: bool = False, nonempty: bool = False) -> tuple[str, ...]:
        """A list of strings (``nonempty``: at least one, each with some text)."""
        what = "danh sách chuỗi không rỗng" if nonempty else "danh sách chuỗi"
        value = self._get(key, required, [], lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)
                          and (not nonempty or (v and all(x.strip() for x in v))), what)
        return tuple(value)

    def sub(self, key: str, required: bool = False, label: str = "") -> "Table":
        """The table under ``key`` (an empty one, recorded as missing when ``required``)."""
        if key not in self.raw:
            if required:
                self.problem(key, f'thiếu bảng "{key}"')
            return Table(self.sink, self.file, {}, self.keys + (key,), label)
        return Table(self.sink, self.file, self.raw[key], self.keys + (key,), label)

    def unknown(self, allowed, what: str = "khóa") -> None:
        """Record each key not in ``allowed`` (a misspelt optional key is otherwise silently
        ignored), with the closest allowed key."""
        for key in self.raw:
            if key not in allowed:
                self.problem(key, f'{what} lạ "{key}": docgen không đọc {what} này{closest(key, allowed)}')


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
