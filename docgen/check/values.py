"""Check stage: required fields and the type and bounds of every value present.

A record does not change after loading, so its field problems for a given set of paths are
worked out once and kept in ``record.cache``: the organisation file, shared by every item of
a batch, is then checked once rather than once per candidate.
"""

from __future__ import annotations

import copy
import re
from typing import Callable, Iterable

from ..errors import Problem
from ..load.fields import MISSING, Field, Registry, check_value, expand, get_path
from ..load.model import Inputs, Record


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
