"""Pipeline stage: papers filed in a workspace — numbers registered, files attached to the
person's (or the congress's) dossier, and no file the user edited overwritten.

One command, or one item of a batch, files its papers in three steps:

1. in one write transaction: the dossier's entry; each numbered paper's number, checked
   against the register or, for ``"auto"``, the next free one of its series; every target
   file checked for the user's edits; each paper entered as being written by this process;
2. the papers rendered with their numbers and written, each file atomically;
3. in a second transaction: each file's sha256, and the papers are done.

A process killed between 1 and 3 leaves papers in state ``writing``; the next process that
opens the workspace settles them (:func:`docgen.store.db.recover`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..check import errors
from ..domain.vietnamese import doc_number, long_date, slug
from ..errors import InputError, Problem, WorkspaceError
from ..load.fields import AUTO
from ..load.forms import FormLibrary, FormSpec
from ..sandbox import render_text
from .engine import Engine, Inputs, files_of
from .write import write_files

if TYPE_CHECKING:
    import sqlite3

    from ..store import register as reg
    from ..store.db import Workspace

# The workspace's store (sqlite3, the register) is imported by the functions that file: a paper
# written outside a workspace (``-o``) and ``docgen check`` there need only outside_problems.


@dataclass
class Filed:
    """What filing one command's papers did."""

    dossier: str
    paths: list[Path] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)       # old files set aside (--force)
    numbers: list[str] = field(default_factory=list)    # "Số 12-QĐ/ĐU: Quyết định …" per numbered paper
    warnings: list[Problem] = field(default_factory=list)


# -- who the dossier is --------------------------------------------------------------------------
def dossier_identity(inputs: Inputs, kind: str) -> tuple[str, str, str | None]:
    """The dossier's id (its folder's name), its name and (a person's) date of birth.

    A person: ``candidate.id`` when given, else name and date of birth
    (``nguyen-duc-dat-19900512``). A congress: the cell and the day (``dai-hoi-<cell>-<date>``)."""
    subject = inputs[kind]
    if kind == "congress":
        cell = inputs["org"].text("cell.name")
        when = subject.date("congress.date")
        day = when.isoformat() if when else "undated"
        return f"dai-hoi-{slug(cell, 40)}-{day}", f"{cell} ({day})", None
    name = subject.text("candidate.full_name")
    born = subject.date("candidate.date_of_birth")
    given = subject.text("candidate.id")
    if given:
        return slug(given), name, born.isoformat() if born else None
    return (f"{slug(name, 50)}-{born:%Y%m%d}" if born else slug(name, 50)), name, born.isoformat() if born else None


# -- numbers ----------------------------------------------------------------------------------------
def number_path(form: FormSpec, item: int | None) -> str:
    """Where the profile holds the number this paper takes in one of our bodies' series ('' for
    an unnumbered paper, or another organisation's number such as the Youth Union's)."""
    if form.numbering == "congress":
        return "congress.number_start"
    if form.number_field and not form.number_from and form.issuer in ("cell", "committee", "decider"):
        return form.item_path(form.number_field, item)
    return ""


def auto_paths(engine: Engine, kind: str) -> list[str]:
    """The number fields of one kind of input that may be ``"auto"``."""
    return [p for p, f in engine.library.registry.fields.items() if f.auto and f.input == kind]


def auto_values(engine: Engine, data: dict, kind: str, target: str) -> dict:
    """``--auto-number``: ``"auto"`` for every number the target's papers take that ``data``
    lacks (a copy; a number given stays)."""
    wanted = set()
    forms = ([engine.library.get(f) for f in engine.library.pack(target)["forms"]] if engine.is_pack(target)
             else [engine.library.get(target)])
    for form in forms:
        path = number_path(form, 0 if form.each else None)
        if path:
            wanted.add(path.replace("[0]", "[]"))
    out = copy.deepcopy(data)
    for path in auto_paths(engine, kind):
        if path in wanted and _get(out, path) is None:
            _set(out, path, AUTO)
    return out


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _set(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def same_dossier(engine: Engine, dossier: str, other: str) -> str:
    """Why an item of a batch is refused: an earlier item (``other``) is the same dossier."""
    return render_text(engine.library.later("register.toml")["messages"]["same_dossier"],
                       {"dossier": dossier, "other": other})


def outside_problems(engine: Engine, inputs: Inputs, kind: str) -> list[Problem]:
    """``"auto"`` numbers in an input used outside a workspace: each an error naming its field."""
    registry = engine.library.registry
    messages = engine.library.later("register.toml")["messages"]
    return [Problem("register.auto_outside", path, registry.label(path),
                    render_text(messages["auto_outside"], {"label": registry.label(path), "path": path}),
                    input=kind)
            for path in auto_paths(engine, kind) if inputs[kind].raw(path) == AUTO]


def _period(engine: Engine, form: FormSpec, when: date | None, inputs: Inputs, conf: dict,
            warnings: list[Problem]) -> str:
    """The period of the paper's series: a congress's term; the issuing body's term when the
    organisation file gives its first day and the register counts by term; else the year."""
    texts = conf["period_text"]
    year = (when or date.today()).year
    if form.numbering == "congress" or form.issuer == "congress":
        congress = inputs["congress"]
        first, last = congress.int("congress.term.start"), congress.int("congress.term.end")
        term = f"{first} - {last}" if first and last else str(first or year)
        return render_text(texts["congress"], {"term": term})
    org = inputs["org"]
    body = form.issuer if form.issuer in ("cell", "committee") else (
        "committee" if org.raw("committee.delegated") is True else "authority")
    if conf["period"] == "term":
        path = f"{body}.term_start"
        start = org.date(path)
        if start is not None and (when is None or when >= start):
            return render_text(texts["term"], {"start": long_date(start)})
        if start is None and not any(w.path == path for w in warnings):
            label = engine.library.registry.label(path)
            warnings.append(Problem("register.no_term", path, label, render_text(conf["no_term"], {
                "label": label, "path": path, "issuer": org.text(f"{body}.name"), "year": year}),
                severity="warning", input="org"))
    return render_text(texts["year"], {"year": year})


def plan(engine: Engine, ws: Workspace, target: str, inputs: Inputs, kind: str, formats: tuple[str, ...],
         folder: Path, auto_all: bool = False) -> tuple[list[reg.Paper], list[Problem]]:
    """The papers a command writes into ``folder``, each with its series and the number it asks
    for; and the warnings of the register (a body numbered by year)."""
    from ..store import register as reg

    library = engine.library
    conf = library.later("register.toml")
    registry = library.registry
    subject = inputs[kind]
    _, name, _ = dossier_identity(inputs, kind)
    warnings: list[Problem] = []
    papers = []
    sequence = engine.sequence_numbers(inputs)
    for form in engine.target_forms(target, inputs):
        for item in engine.items(form, inputs):
            ctx = engine.context(form, inputs, item)
            doc = ctx["doc"]
            when = subject.date(form.item_path(form.date_field, 0 if form.each and item is None else item))
            stem = engine.doc_stem(form, inputs, item)
            paper = reg.Paper(
                form=form.id, item=-1 if item is None else item, kind=_kind_of(library, form.id), code=form.code,
                title=f"{engine.doc_title(form, inputs, item)} — {name}", date=when.isoformat() if when else None,
                edition=library.edition_for(when).id if when else "",
                files=[(ws.relative(folder / f"{stem}.{ext}"), folder / f"{stem}.{ext}") for ext in formats])
            path = number_path(form, item)
            if path:
                raw = subject.raw(path)
                paper.number_path, paper.number_label = path, registry.label(path)
                paper.issuer, paper.symbol = doc["issuer"], doc["symbol"]
                paper.doc_type = form.doc_type_abbr
                if raw == AUTO or (raw is None and auto_all):
                    paper.auto = True
                elif isinstance(raw, int) and not isinstance(raw, bool):
                    paper.number = sequence.get((form.id, item), raw) if form.numbering == "congress" else raw
                if paper.auto or paper.number is not None:
                    paper.period = _period(engine, form, when, inputs, conf, warnings)
                    series_type = reg.ANY_TYPE if form.numbering == "congress" else form.doc_type_abbr
                    paper.series = reg.series_key(paper.issuer, paper.symbol, series_type, paper.period)
                if form.numbering == "congress":
                    paper.offset = sequence[(form.id, item)] - subject.int("congress.number_start", 1)
            papers.append(paper)
    if engine.is_pack(target):
        stem = engine.pack_stem(target, inputs)
        pack = library.pack(target)
        papers.append(reg.Paper(form=target, item=-1, kind="print", code="", title=f"{pack['title']} — {name}",
                                date=None, files=[(ws.relative(folder / f"{stem}.pdf"), folder / f"{stem}.pdf")]))
    return papers, warnings


def _kind_of(library: FormLibrary, form_id: str) -> str:
    """The dossier's kind of paper a form makes (dossier.toml); a user's form that no kind names
    keeps its form id as its kind (listed under the dossier's other papers)."""
    from ..load.dossier import kind_of_form  # here: a paper made outside a workspace needs no dossier

    found = kind_of_form(library, form_id)
    return found.kind if found is not None else form_id


def _printed(paper: reg.Paper, number: int) -> str:
    return doc_number(number, paper.doc_type, paper.symbol)


def claim(db: sqlite3.Connection, engine: Engine, dossier: str, papers: list[reg.Paper], inputs: Inputs,
          kind: str) -> tuple[dict[str, int], list[Problem]]:
    """Inside the write transaction: the number of each numbered paper, and of each number the
    profile cites from another paper of the dossier, by profile path; the problems that stop
    the command (a number another document holds; a cited number that is ``"auto"`` but was
    never given, or that differs from the one registered)."""
    from ..store import register as reg
    from ..store.db import alive

    messages = engine.library.later("register.toml")["messages"]
    registry = engine.library.registry
    subject = inputs[kind]
    numbers: dict[str, int] = {}
    problems: list[Problem] = []
    base: dict[str, int] = {}   # a congress's "auto" start, per series
    for paper in papers:
        if paper.series is None:
            continue
        row = reg.made(db, dossier, paper.form, paper.item)
        if row is not None and row["state"] == "writing" and alive(row["pid"], row["host"], row["updated"]):
            raise WorkspaceError(f'"{row["title"]}" đang được một lệnh docgen khác (tiến trình {row["pid"]}) ghi; '
                                 "hãy chờ lệnh đó xong rồi chạy lại.")
        if paper.auto and paper.offset is not None:
            if paper.series not in base:
                first = db.execute(
                    "SELECT MIN(number) FROM document WHERE dossier_id = ? AND series = ?",
                    (dossier, paper.series)).fetchone()[0]
                base[paper.series] = first if first is not None else reg.next_free(db, paper.series)
            number = base[paper.series] + paper.offset
        elif paper.auto:
            same = row is not None and row["number"] is not None and row["series"] == paper.series
            number = row["number"] if row is not None and same else reg.next_free(db, paper.series)
        else:
            assert paper.number is not None
            number = paper.number
        held = reg.holder(db, paper.series, number)
        if held is not None and (held["dossier_id"], held["form"], held["item"]) != (dossier, paper.form, paper.item):
            when = date.fromisoformat(held["date"]) if held["date"] else None
            problems.append(Problem("register.number_taken", paper.number_path, paper.number_label, render_text(
                messages["taken"], {
                    "number": _printed(paper, number), "period": paper.period, "title": held["title"],
                    "code": held["code"], "date": long_date(when) if when else "", "dossier": held["dossier_id"],
                    "next": f"{reg.next_free(db, paper.series):02d}", "label": paper.number_label,
                    "path": paper.number_path}), input=kind))
            continue
        paper.number = number
        numbers.setdefault(paper.number_path, number - (paper.offset or 0))
    made_here = {p.number_path for p in papers if p.series is not None}
    for path in auto_paths(engine, kind):
        raw = subject.raw(path)
        if path in made_here or not (raw == AUTO or isinstance(raw, int)):
            continue
        producers = [f for f in engine.library.forms.values()
                     if f.subject == kind and number_path(f, None) == path]
        if not producers:
            continue
        marks = ",".join("?" * len(producers))
        found = db.execute(f"SELECT MIN(number) FROM document WHERE dossier_id = ? AND form IN ({marks}) "
                           "AND number IS NOT NULL", (dossier, *[f.id for f in producers])).fetchone()
        found = found[0] if found is not None else None
        values = {"label": registry.label(path), "path": path, "paper": producers[0].title.lower(),
                  "form": producers[0].id, "given": raw, "registered": found}
        if raw == AUTO and found is None:
            problems.append(Problem("register.cited_auto", path, registry.label(path),
                                    render_text(messages["cited_auto"], values), input=kind))
        elif raw == AUTO and found is not None:
            numbers[path] = int(found)
        elif found is not None and found != raw:
            problems.append(Problem("register.cited_differs", path, registry.label(path),
                                    render_text(messages["cited_differs"], values), input=kind))
    return numbers, problems


def numbered(engine: Engine, inputs: Inputs, kind: str, numbers: dict[str, int]) -> Inputs:
    """``inputs`` with the register's numbers in place of ``"auto"`` (and of the numbers given)."""
    if not numbers:
        return inputs
    data = copy.deepcopy(inputs[kind].data)
    for path, number in numbers.items():
        _set(data, path, number)
    return engine.inputs(inputs["org"], engine.record(data, kind, cleaned=True))


def check_problems(engine: Engine, inputs: Inputs, kind: str, ws: Workspace | None,
                   form_id: str | None = None) -> list[Problem]:
    """Everything ``docgen check`` reports, the one sequence the command line and the web pages
    share: the rules of one form (``form_id``) or of every pack the input is checked for; then,
    when no error stops it, the register's problems in a workspace, or the ``"auto"`` numbers
    that only a workspace can give outside one."""
    if form_id:
        targets = [form_id]
        forms = [engine.library.get(form_id)]
    else:
        targets = engine.checked_packs(kind, inputs)
        forms = [f for pack_id in targets for f in engine.pack_forms(inputs, pack_id)]
    problems = engine.problems(forms, inputs)
    if errors(problems):
        return problems
    if ws is None:
        return problems + outside_problems(engine, inputs, kind)
    for target in targets:
        problems += [p for p in register_problems(engine, ws, target, inputs) if p not in problems]
    return problems


def register_problems(engine: Engine, ws: Workspace, target: str, inputs: Inputs) -> list[Problem]:
    """What filing would refuse, found without writing anything: numbers another document holds,
    cited numbers not given (``docgen check`` in a workspace); and the register's warnings."""
    kind = engine.subject_of(target)
    dossier = dossier_identity(inputs, kind)[0]
    papers, warnings = plan(engine, ws, target, inputs, kind, (), ws.dossier_dir(dossier))
    db = ws.connect()
    try:
        return claim(db, engine, dossier, papers, inputs, kind)[1] + warnings
    finally:
        db.close()


# -- filing ------------------------------------------------------------------------------------------
def file_papers(engine: Engine, ws: Workspace, target: str, inputs: Inputs, formats: tuple[str, ...], *,
                folder: Path | None = None, force: bool = False, auto_all: bool = False,
                durable: bool = True, digest: str = "", db: sqlite3.Connection | None = None) -> Filed:
    """Register, render and write the papers of a form or a pack for one dossier (module docstring)."""
    from ..store import register as reg
    from ..store.db import transaction
    from ..store.files import guard, sha256_bytes

    kind = engine.subject_of(target)
    dossier, name, born = dossier_identity(inputs, kind)
    folder = folder or ws.dossier_dir(dossier)
    papers, warnings = plan(engine, ws, target, inputs, kind, formats, folder, auto_all)
    own = db is None
    db = db or ws.connect()
    try:
        filed = Filed(dossier)
        with transaction(db):
            numbers, problems = claim(db, engine, dossier, papers, inputs, kind)
            if problems:
                raise InputError(problems + warnings)
            inputs = numbered(engine, inputs, kind, numbers)
            reg.ensure_dossier(db, dossier, kind, name, born, inputs[kind].data, inputs["org"].data)
            stale = _stale_files(ws, db, dossier, papers)
            filed.kept = guard(db, [(f, p) for paper in papers for f, p in paper.files] + stale, force)
            before = _entries(db, dossier, papers)
            ids = [reg.begin_paper(db, dossier, paper, paper.number if paper.series else None, digest)
                   for paper in papers]
        try:
            files = _render(engine, target, inputs, formats)
            paths = write_files(folder, files, durable=durable)
        except BaseException:
            _undo(ws, db, ids, before)
            raise
        by_name = dict(files)
        with transaction(db):
            for paper, doc_id in zip(papers, ids, strict=True):
                reg.finish_paper(db, doc_id, {name: (sha256_bytes(by_name[path.name]), len(by_name[path.name]))
                                              for name, path in paper.files})
            for name, path in stale:
                db.execute("DELETE FROM file WHERE path = ?", (name,))
                try:
                    path.unlink()
                except OSError:
                    pass
        filed.paths = paths
        filed.numbers = [f"{_printed(p, p.number)}: {p.title}" for p in papers if p.series and p.number]
        filed.warnings = warnings
        return filed
    finally:
        if own:
            db.close()


def _stale_files(ws: Workspace, db: sqlite3.Connection, dossier: str, papers: list[reg.Paper]
                 ) -> list[tuple[str, Path]]:
    """Files an earlier version of these papers had under other names (the date changed, say):
    replaced by the new ones, so removed once those are written — unless the user edited them."""
    from ..store import register as reg

    stale = []
    for paper in papers:
        row = reg.made(db, dossier, paper.form, paper.item)
        if row is None:
            continue
        names = {n for n, _ in paper.files}
        for f in reg.files_of(db, row["id"]):
            if f["path"] not in names:
                stale.append((f["path"], ws.absolute(f["path"])))
    return stale


def _render(engine: Engine, target: str, inputs: Inputs, formats: tuple[str, ...]) -> list[tuple[str, bytes]]:
    if engine.is_pack(target):
        return engine.pack_files(target, inputs, formats)
    docs = engine.render_all(engine.target_forms(target, inputs), inputs, formats)
    return [(n, d) for doc in docs for n, d in files_of(doc) if n.rsplit(".", 1)[1] in formats]


def _entries(db: sqlite3.Connection, dossier: str, papers: list[reg.Paper]
             ) -> dict[int, tuple[sqlite3.Row, list[sqlite3.Row]]]:
    """The register's entries these papers already have, with their files, as they are before
    this command changes them."""
    from ..store import register as reg

    out = {}
    for paper in papers:
        row = reg.made(db, dossier, paper.form, paper.item)
        if row is not None and row["state"] == "done":
            out[row["id"]] = (row, reg.files_of(db, row["id"]))
    return out


def _undo(ws: Workspace, db: sqlite3.Connection, ids: list[int],
          before: dict[int, tuple[sqlite3.Row, list[sqlite3.Row]]]) -> None:
    """A render or a write failed. A paper that was already registered, none of whose files
    this command replaced (a failure before the renames replaces none), gets its entry back as
    it was: its number, date and hashes still describe the files on disk. Every other paper is
    settled as a killed process's is (:func:`docgen.store.db.settle`)."""
    from ..store.db import settle, transaction
    from ..store.files import sha256_of

    try:
        restored = []
        with transaction(db):
            for doc_id in ids:
                if doc_id not in before:
                    continue
                doc, files = before[doc_id]
                untouched = True
                for f in files:
                    path = ws.absolute(f["path"])
                    try:
                        untouched = untouched and sha256_of(path)[0] == f["sha256"]
                    except OSError:
                        untouched = untouched and f["sha256"] is None
                if not untouched:
                    continue
                columns = [c for c in doc.keys() if c != "id"]
                db.execute(f"UPDATE document SET {', '.join(c + ' = ?' for c in columns)} WHERE id = ?",
                           (*[doc[c] for c in columns], doc_id))
                db.execute("DELETE FROM file WHERE document_id = ?", (doc_id,))
                for f in files:
                    db.execute(f"INSERT OR REPLACE INTO file ({', '.join(f.keys())}) VALUES "
                               f"({', '.join('?' * len(f.keys()))})", tuple(f))
                restored.append(doc_id)
        settle(ws, db, [i for i in ids if i not in restored])
    except Exception:  # the first error is the one to report; the next command settles them
        pass
