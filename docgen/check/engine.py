"""Check stage: the rule engine, and :func:`check` — required fields per form, field types, then
party rules, every problem at once.

Rule metadata (id, severity, legal source, Vietnamese message, thresholds) lives in
``forms/_shared/rules.toml``; the logic of each rule is a small function registered under the
same id with :func:`rule` (the functions are in :mod:`docgen.check.rules`). Every rule runs
for every document, whatever form it is made for: a rule reads only its own input (the
candidate profile, the congress file) and returns quietly when the fields it reads are missing
or malformed (the required-field check of :mod:`docgen.check.values` has already reported the
malformed ones), so a profile whose data breaks a rule is refused by every command that reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

from ..domain.vietnamese import long_date
from ..errors import FormError, Problem, parse_toml
from ..load.fields import Registry
from ..load.forms import FormLibrary, FormSpec, required_paths
from ..load.model import Inputs
from ..sandbox import TemplateError, render_text
from .values import field_problems, present_field_problems, well_formed


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
        self.library.validate()  # every problem of the forms folder at once, rules.toml's among them
        path: Path = self.library.shared_file("rules.toml")
        try:
            raw = parse_toml(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # ValueError: tomllib.TOMLDecodeError, or not UTF-8
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

    @cached_property
    def shared_params(self) -> dict:
        """What every rule function gets besides its own thresholds: the working-day calendar,
        every rule id with whether it accepts an exception, the newest edition of the legal
        basis with the day it was last checked as current, and the congress's conventions."""
        editions, _ = self.library.legal
        newest = editions[-1] if editions else None
        return {
            "calendar": self.library.work_calendar,
            "rules": {rid: s.exception_allowed for rid, s in self.specs.items()},
            # each rule's own thresholds, for a rule that asks whether another one fires
            "rule_params": {rid: s.params for rid, s in self.specs.items()},
            "verified_until": newest.verified_until if newest else None,
            "edition": newest.source or newest.id if newest else "",
            # congress.toml (the offices by role, the absentees not counted, the counting board's
            # roles) and from how many official members a cell has a chi ủy (wording.toml)
            "congress": self.library.congress_conf,
            "min_official": self.library.wording["cell_committee"]["min_official"],
        }

    def run(self, specs: list[RuleSpec], inputs: Inputs, registry: Registry) -> list[Problem]:
        problems = []
        inputs = well_formed(inputs, registry)
        shared = self.shared_params
        for spec in specs:
            params = {**spec.params, **shared}
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
def check(forms: list[FormSpec], inputs: Inputs, book: RuleBook) -> list[Problem]:
    """Every problem for making ``forms`` from ``inputs``: load, required (each form's
    ``required``, and its ``[[required_when]]`` fields whose condition holds), types, rules."""
    registry = book.library.registry
    problems: list[Problem] = []
    for record in inputs.records.values():
        problems.extend(record.problems)
    def value_of(path: str):
        record = inputs.records.get(registry.fields[path].input) if path in registry else None
        return record.raw(path) if record is not None else None

    required: list[str] = []
    for form in forms:
        required.extend(p for p in required_paths(form, value_of) if p not in required)
    found = field_problems(required, inputs, registry) + present_field_problems(inputs, registry, skip=set(required))
    problems.extend(found)
    # between them, every value present: what the rules must not see (see well_formed)
    inputs.cache.setdefault("malformed", {(p.input, p.path) for p in found if p.severity == "error"})
    problems.extend(book.run(list(book.specs.values()), inputs, registry))
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
