"""Load stage: ``forms/_shared/dossier.toml`` — the kinds of paper in a dossier (hồ sơ), in the
order of Hướng dẫn 06-HD/TW §8.1, with the stages of a candidate and the wording of their deadlines.

:func:`read_dossier_kinds` reads and checks the file, recording each problem with its file and
key in a :class:`~docgen.errors.DataProblems` (the forms library reads it with its other data
files, so ``docgen forms lint`` and every command name its problems, exit 4). The library then
gives it as ``library.dossier`` (everything) and ``library.dossier_kinds`` (the kinds in order);
:func:`kinds_for` and :func:`kind_of_form` answer the workspace's questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from ..errors import DataProblems, Table, closest, describe
from ..sandbox import DataTemplateError, DataText, check_text, text_names
from .fields import Registry

# each part of the file, with the input (``subject``) its papers are about; "": any
PARTS = {"admission": "candidate", "recognition": "candidate", "congress": "congress", "other": ""}
# the parts of the dossier of each subject, in dossier order
SUBJECT_PARTS = {"candidate": ("admission", "recognition", "other"), "congress": ("congress", "other")}
# a candidate's stages, in order (docgen/check/stage.py decides which one a profile is at)
STAGES = ("sympathiser", "candidate", "probationary", "official")
KIND_KEYS = ("kind", "label", "code", "form", "required", "when", "stage", "source")
# the deadlines' messages, each with the names it may read
DEADLINES: dict[str, tuple[str, ...]] = {
    "papers": ("due", "paper", "paper_date", "months"),
    "certificate": ("due", "cert", "months"),
    "decision": ("due", "limit", "extension", "meeting", "capped", "asked", "max_extension"),
    "ceremony": ("due", "limit", "fallback", "start"),
    "recognition": ("due", "months", "ceremony", "probation_end", "limit"),
}
# [notes]: why a profile has no deadline, each with the names it may read
NOTES: dict[str, tuple[str, ...]] = {
    "no_start": (), "no_date": ("group", "label", "path"), "no_rule": ("rule",), "official": (),
}
_KIND = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class DossierKind:
    """One kind of paper of a dossier (a table of dossier.toml)."""

    kind: str
    label: str
    code: str
    form: str
    required: bool
    when: str
    source: str
    part: str        # admission | recognition | congress | other
    stage: str = ""  # the first stage by which a complete dossier has it ("" none)


@dataclass(frozen=True)
class Dossier:
    """Everything dossier.toml holds: the kinds in order, the stages' labels, the deadlines'
    messages (compiled) and the notes. Each deadline counts with its rule's parameters and
    source (rules.toml), which docgen/check/stage.py reads."""

    kinds: tuple[DossierKind, ...]
    stages: dict[str, str]
    deadlines: dict[str, str]
    notes: dict[str, str]


class FormInfo(NamedTuple):
    """What the dossier needs to know of a form: the input it is made from, its applies_when,
    and whether it is one of docgen's own forms (each of which must belong to a kind; a user's
    new form need not: :func:`kind_of_form` gives None for it)."""

    subject: str
    applies_when: str
    bundled: bool = True


class _Library(Protocol):
    @property
    def dossier_kinds(self) -> tuple[DossierKind, ...]: ...


def kinds_for(library: _Library, subject: str) -> list[DossierKind]:
    """The kinds of paper of a ``subject``'s dossier (``candidate``: admission, recognition,
    other; ``congress``: congress, other), in dossier order."""
    try:
        parts = SUBJECT_PARTS[subject]
    except KeyError:
        raise ValueError(f"unknown dossier subject {subject!r}; known: {', '.join(SUBJECT_PARTS)}") from None
    kinds = library.dossier_kinds
    return [k for part in parts for k in kinds if k.part == part]


def kind_of_form(library: _Library, form_id: str) -> DossierKind | None:
    """The kind of paper the form ``form_id`` makes; None when no kind names it."""
    return next((k for k in library.dossier_kinds if k.form and k.form == form_id), None)


def read_dossier_kinds(source: Path | str | dict, sink: DataProblems, file: str = "dossier.toml",
                       registry: Registry | None = None,
                       forms: dict[str, FormInfo | None] | None = None) -> Dossier | None:
    """dossier.toml (a path, its text or its parsed table), each problem recorded in ``sink`` with
    ``file`` and the key: an unknown key, a missing or mistyped one, a duplicate kind, a ``form``
    that is not a form of the folder (``forms``: each form id, with what is known of it, None
    when its form.toml is broken) or is made from another input, a form of docgen's own that no
    kind names, a ``when`` that is no field or group of the ``registry``, a stage that does not
    exist, a message that does not compile or reads a name it is not given. ``None`` when it has any."""
    raw = _raw(source, sink, file)
    if raw is None:
        return None
    before = len(sink.items)
    root = sink.table(file, raw)
    kinds: list[DossierKind] = []
    seen: dict[str, str] = {}
    by_form: dict[str, str] = {}
    for part in PARTS:
        kinds.extend(_read_part(root, part, seen, by_form, registry, forms))
    if forms is not None and all(info is not None for info in forms.values()):
        for form_id, info in sorted(forms.items()):
            if form_id not in by_form and info is not None and info.bundled:
                where = "[[congress]]" if info.subject == "congress" else "[[admission]] hoặc [[recognition]]"
                root.problem("", f'mẫu "{form_id}" không thuộc loại giấy tờ nào: thêm vào {where} một bảng có '
                                 f'form = "{form_id}"')
    stages_t = root.sub("stage", required=True)
    stages = {}
    for stage in STAGES:
        s = stages_t.sub(stage, required=root.has("stage"), label=f"[stage.{stage}]")
        if stages_t.has(stage) and s.ok:  # a missing table is named once, not once more for its label
            stages[stage] = s.text("label", required=True, nonempty=True)
            s.unknown(("label",))
    stages_t.unknown(STAGES, what="giai đoạn")
    deadlines_t = root.sub("deadline", required=True)
    deadlines = {}
    for name, names in DEADLINES.items():
        d = deadlines_t.sub(name, required=root.has("deadline"), label=f"[deadline.{name}]")
        if not (deadlines_t.has(name) and d.ok):
            continue
        deadlines[name] = _message(d, "message", names, sink) or ""
        d.unknown(("message",))
    deadlines_t.unknown(tuple(DEADLINES), what="hạn")
    notes_t = root.sub("notes", required=True, label="[notes]")
    notes = {}
    if root.has("notes") and notes_t.ok:
        notes = {key: _message(notes_t, key, names, sink) or "" for key, names in NOTES.items()}
        notes_t.unknown(tuple(NOTES))
    root.unknown((*PARTS, "stage", "deadline", "notes"))
    if len(sink.items) != before:
        return None
    return Dossier(tuple(kinds), stages, deadlines, notes)


def _raw(source: Path | str | dict, sink: DataProblems, file: str) -> dict | None:
    if isinstance(source, dict):
        return source
    if isinstance(source, Path):
        return sink.read_toml(source, file)
    import tomllib

    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        sink.add(file, "", f"lỗi cú pháp TOML: {exc}")
        return None


def _read_part(root: Table, part: str, seen: dict[str, str], by_form: dict[str, str],
               registry: Registry | None, forms: dict[str, FormInfo | None] | None) -> list[DossierKind]:
    """The kinds of ``[[part]]``, each problem recorded (``seen``: the kinds read so far, with
    where; ``by_form``: the forms named so far, with their kind)."""
    items = root.raw.get(part, [])
    if not isinstance(items, list):
        root.problem(part, f'"{part}" phải là các bảng [[{part}]], đang là {describe(items)}')
        return []
    if part != "other" and not items:
        root.problem(part, f"thiếu các bảng [[{part}]]")
    out = []
    for i, item in enumerate(items):
        name = item.get("kind") if isinstance(item, dict) else None
        label = f"[[{part}]] {name}" if isinstance(name, str) and name else f"[[{part}]] thứ {i + 1}"
        t = root.sink.table(root.file, item, f"{part}[{i}]", label=label)
        if not t.ok:
            continue
        before = len(t.sink.items)
        kind = t.text("kind", required=True, nonempty=True)
        if kind and not _KIND.fullmatch(kind):
            t.problem("kind", f'"{kind}" chỉ được gồm chữ thường không dấu, chữ số và "_", bắt đầu bằng chữ')
        elif kind in seen:
            t.problem("kind", f'loại giấy tờ "{kind}" đã có ở {seen[kind]}')
        seen.setdefault(kind, label)
        form_id = t.text("form", required=True)
        when = t.text("when")
        stage = t.text("stage")
        required = t.boolean("required", required=True)
        spec = DossierKind(kind=kind, label=t.text("label", required=True, nonempty=True),
                           code=t.text("code", required=True), form=form_id, required=required, when=when,
                           source=t.text("source", required=True, nonempty=part != "other"), part=part, stage=stage)
        t.unknown(KIND_KEYS)
        _check_form(t, part, spec, by_form, forms)
        if when and registry is not None and when not in registry.groups:
            t.problem("when", f'"{when}" không phải trường hay nhóm trường nào trong danh mục (fields.toml)'
                              f"{closest(when, registry.groups)}")
        if PARTS[part] == "candidate" and stage not in STAGES:
            t.problem("stage", f'khóa "stage" phải là một trong: {", ".join(STAGES)}; đang là "{stage}"'
                               f"{closest(stage, STAGES)}")
        elif PARTS[part] != "candidate" and stage:
            t.problem("stage", f'giấy tờ của [[{part}]] không thuộc giai đoạn nào của người vào Đảng: bỏ khóa "stage"')
        if part == "other" and required:
            t.problem("required", "giấy tờ khác không bao giờ là giấy còn thiếu: required phải là false")
        if len(t.sink.items) == before:
            out.append(spec)
    return out


def _check_form(t: Table, part: str, spec: DossierKind, by_form: dict[str, str],
                forms: dict[str, FormInfo | None] | None) -> None:
    """The kind's ``form`` is a form of the folder, made from the part's input, named by no other
    kind; a form with an applies_when is expected under that same condition."""
    form_id = spec.form
    if not form_id:
        return
    if part == "other":
        t.problem("form", "giấy tờ khác không do mẫu nào làm ra: form phải là \"\"")
        return
    if form_id in by_form:
        t.problem("form", f'mẫu "{form_id}" đã thuộc loại giấy tờ "{by_form[form_id]}"')
    by_form.setdefault(form_id, spec.kind)
    if forms is None:
        return
    if form_id not in forms:
        t.problem("form", f'không có mẫu "{form_id}"{closest(form_id, forms)}')
        return
    info = forms[form_id]
    if info is None:
        return  # its form.toml's own problems are named
    if info.subject != PARTS[part]:
        t.problem("form", f'mẫu "{form_id}" làm từ "{info.subject}", không phải từ "{PARTS[part]}" của [[{part}]]')
    if info.applies_when and spec.when != info.applies_when:
        t.problem("when", f'mẫu "{form_id}" chỉ làm khi có "{info.applies_when}" (applies_when): '
                          f'ghi when = "{info.applies_when}"')


def _message(t: Table, key: str, names: tuple[str, ...], sink: DataProblems) -> DataText | None:
    """The pattern of ``key`` compiled in the sandbox; None, with the problem recorded, when it is
    missing, not text, does not compile, or reads a name it is not given."""
    text = t.text(key, required=True, nonempty=True)
    if not text:
        return None
    where = f"{t.label} {key}" if t.label else key
    try:
        compiled = check_text(text, f"{t.file}: {where}")
    except DataTemplateError as exc:
        message = str(exc)
        sink.add(t.file, t.key(key), message[len(t.file) + 2:] if message.startswith(t.file + ": ") else message)
        return None
    unknown = sorted(text_names(compiled) - set(names))
    for name in unknown:
        usable = ", ".join(names) if names else "không tên nào"
        t.problem(key, f'khóa "{key}": không có tên "{name}"{closest(name, names)}; dùng được: {usable}')
    return None if unknown else compiled
