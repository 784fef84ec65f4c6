"""Check stage: required fields per form, field types, then party rules — every problem at once.

Rule metadata (id, severity, legal source, Vietnamese message, thresholds) lives in
``forms/_shared/rules.toml``; the logic of each rule is a small function registered here
under the same id. A rule runs only when the fields it reads are present and well-formed
(the required-field check has already reported the others).
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import FormError, Problem
from .fields import MISSING, Field, Registry, check_value, expand, get_path
from .forms import SHARED, FormLibrary, FormSpec
from .model import Record
from .sandbox import TemplateError, render_text
from .domain.vietnamese import long_date


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


# -- required fields and types ---------------------------------------------------------
# A record does not change after loading, so its field problems for a given set of paths are
# worked out once and kept in ``record.cache``: the organisation file, shared by every item
# of a batch, is then checked once rather than once per candidate.
def _per_record(inputs: Inputs, key: tuple, find: Callable[[Record], list[Problem]]) -> list[Problem]:
    """``find(record)`` for every record of ``inputs``, each worked out once per ``key``."""
    problems: list[Problem] = []
    for record in inputs.records.values():
        found = record.cache.get(key)
        if found is None:
            found = record.cache[key] = find(record)
        problems.extend(found)
    return problems


def field_problems(paths: Iterable[str], inputs: Inputs, registry: Registry) -> list[Problem]:
    """Missing or malformed values among ``paths`` (generic registry paths)."""
    paths = tuple(paths)
    return _per_record(inputs, ("field_problems", paths), lambda r: _record_field_problems(paths, r, registry))


def _record_field_problems(paths: tuple[str, ...], record: Record, registry: Registry) -> list[Problem]:
    problems: list[Problem] = []
    for generic in paths:
        f = registry[generic]
        if f.input != record.kind:
            continue
        concrete = expand(record.data, generic) if "[]" in generic else (generic,)
        for path in concrete:
            if path in record.refused:  # the loader has named what is wrong with it
                continue
            value = record.raw(path, MISSING)
            if value is MISSING or value is None or (isinstance(value, str) and not value.strip()):
                problems.append(
                    Problem(
                        rule="required",
                        path=path,
                        label=registry.label(path),
                        message=f'Thiếu "{registry.label(path)}" ({path}).',
                        input=f.input,
                    )
                )
                continue
            bad = check_value(f, path, value, f.input)
            if bad is None and f.at_most:
                bad = _relation_problem(f, path, value, record, registry)
            if bad is not None:
                problems.append(
                    Problem(bad.rule, bad.path, registry.label(bad.path), bad.message, input=f.input)
                )
    return problems


def present_field_problems(inputs: Inputs, registry: Registry, skip: set[str]) -> list[Problem]:
    """Type and bound problems of the fields that are present (a margin typed as text, a count
    over its bound), whether or not a form requires them.

    Walks the values actually in each record (a profile has a few dozen) rather than every
    field of the registry."""
    problems = _per_record(inputs, ("present_field_problems", frozenset(skip)),
                           lambda r: _record_present_problems(r, registry, skip))
    problems.sort(key=lambda p: p.path)
    return problems


def _record_present_problems(record: Record, registry: Registry, skip: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    fields = registry.fields
    refused = record.refused
    stack: list[tuple[str, str, object]] = [(k, k, v) for k, v in record.data.items()]
    while stack:
        path, generic, value = stack.pop()
        f = fields.get(generic)
        if f is not None and f.input == record.kind and generic not in skip and value is not None \
                and path not in refused:
            bad = check_value(f, path, value, record.kind)
            if bad is None and f.at_most:
                bad = _relation_problem(f, path, value, record, registry)
            if bad is not None:
                problems.append(bad)
                continue
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}", f"{generic}.{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", f"{generic}[]", v) for i, v in enumerate(value) if isinstance(v, dict))
    return problems


def _relation_problem(f: Field, path: str, value, record: Record, registry: Registry) -> Problem | None:
    """An int over another field it may not exceed (``at_most`` in fields.toml), with both named."""
    indices = iter(re.findall(r"\[(\d+)\]", path))
    for other in f.at_most:
        other_path = re.sub(r"\[\]", lambda _: f"[{next(indices, 0)}]", other)
        limit = record.int(other_path)
        if limit is not None and 0 <= limit < value:
            label = registry.label(path)
            return Problem("range.int", path, label,
                           f'"{label}" ({path}) là {value}, không được nhiều hơn '
                           f'"{registry.label(other_path)}" ({other_path}) là {limit}.', input=record.kind)
    return None


def well_formed(inputs: Inputs, registry: Registry) -> Inputs:
    """``inputs`` without the values that break their field's type or bounds, for the rules.

    A rule reads only values that passed their field's check (those that did not are reported
    already), so that no rule meets a date in year 9999 or a negative number of seats."""
    cached = inputs.cache.get("well_formed")
    if cached is not None:
        return cached
    malformed = inputs.cache.get("malformed")  # found by check(), when it ran first
    if malformed is None:
        malformed = {(p.input, p.path) for p in present_field_problems(inputs, registry, skip=set())
                     if p.severity == "error"}
    records = dict(inputs.records)
    for kind, record in inputs.records.items():
        bad = {path for input_name, path in malformed if input_name == kind}
        if bad:
            data = copy.deepcopy(record.data)
            for path in bad:
                _remove(data, re.sub(r"\[\d+\]$", "", path))  # a line of a text_list: the whole list
            records[kind] = Record(record.kind, data, record.source, record.problems, record.refused)
    result = Inputs(records) if malformed else inputs
    inputs.cache["well_formed"] = result
    return result


def _remove(data: dict, path: str) -> None:
    """Drop the value at a concrete path (``a.b[0].c``) from its object."""
    head, _, key = path.rpartition(".")
    parent = get_path(data, head) if head else data
    if isinstance(parent, dict):
        parent.pop(key, None)


# -- rules -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSpec:
    id: str
    severity: str
    source: str
    message: str
    path: str
    forms: tuple[str, ...]
    params: dict
    exception_allowed: bool = False


class Violation:
    """What a rule function yields: the concrete path and the values for the message."""

    def __init__(self, path: str | None = None, **values):
        self.path = path
        self.values = values


RuleFn = Callable[[Inputs, dict], Iterator[Violation]]
_RULES: dict[str, RuleFn] = {}


def rule(rule_id: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        _RULES[rule_id] = fn
        return fn

    return register


class RuleBook:
    """The rules of ``rules.toml`` joined with their functions."""

    def __init__(self, library: FormLibrary):
        self.library = library

    @cached_property
    def specs(self) -> dict[str, RuleSpec]:
        path: Path = self.library.root / SHARED / "rules.toml"
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise FormError(f"Không đọc được {path}: {exc}") from exc
        specs = {}
        for rid, r in raw.get("rule", {}).items():
            if rid not in _RULES:
                raise FormError(f"{path}: quy tắc {rid!r} không có phần kiểm tra tương ứng trong docgen")
            specs[rid] = RuleSpec(
                id=rid,
                severity=r.get("severity", "error"),
                source=r["source"],
                message=r["message"],
                path=r.get("path", ""),
                forms=tuple(r.get("forms", ())),
                params=r.get("params", {}),
                exception_allowed=bool(r.get("exception_allowed", False)),
            )
        return specs

    def for_forms(self, form_ids: Iterable[str]) -> list[RuleSpec]:
        wanted = set(form_ids)
        return [s for s in self.specs.values() if not s.forms or wanted & set(s.forms)]

    def run(self, specs: list[RuleSpec], inputs: Inputs, registry: Registry) -> list[Problem]:
        problems = []
        inputs = well_formed(inputs, registry)
        for spec in specs:
            params = {**spec.params, "calendar": self.library.work_calendar}
            for v in _RULES[spec.id](inputs, params):
                path = v.path or spec.path
                values = {k: _fmt(x) for k, x in v.values.items()}
                try:
                    message = render_text(spec.message, values)
                except TemplateError as exc:
                    raise FormError(f"rules.toml: thông báo của quy tắc {spec.id!r} lỗi: {exc}") from exc
                severity = spec.severity
                reason = inputs.exceptions.get(spec.id)
                if reason and spec.exception_allowed:
                    severity = "warning"
                    message += f" Đã có ngoại lệ được duyệt: {reason}"
                problems.append(
                    Problem(
                        rule=spec.id,
                        path=path,
                        label=registry.label(path) if path else "",
                        message=message,
                        severity=severity,
                        source=spec.source,
                        input=_input_of(path, registry),
                    )
                )
        return problems


def _fmt(value):
    return long_date(value) if isinstance(value, date) else value


def _input_of(path: str, registry: Registry) -> str:
    generic = re.sub(r"\[\d+\]", "[]", path)
    return registry.fields[generic].input if generic in registry else ""


# -- the whole check ---------------------------------------------------------------------
def check(forms: list[FormSpec], inputs: Inputs, library: FormLibrary) -> list[Problem]:
    """Every problem for making ``forms`` from ``inputs``: load, required, types, rules."""
    registry = library.registry
    problems: list[Problem] = []
    for record in inputs.records.values():
        problems.extend(record.problems)
    required: list[str] = []
    for form in forms:
        required.extend(p for p in form.required if p not in required)
    found = field_problems(required, inputs, registry) + present_field_problems(inputs, registry, skip=set(required))
    problems.extend(found)
    # between them, every value present: what the rules must not see (see well_formed)
    inputs.cache.setdefault("malformed", {(p.input, p.path) for p in found if p.severity == "error"})
    book = library.rulebook
    problems.extend(book.run(book.for_forms(f.id for f in forms), inputs, registry))
    return _dedupe(problems)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        key = (p.rule, p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# Rule functions live in docgen.rules; importing registers them.
from . import rules as _rules  # noqa: E402,F401
