"""Pipeline stage: the read side of a workspace — each dossier's papers in the order of
Hướng dẫn 06-HD/TW §8.1 with its stage and next deadline, papers attached by hand, the
dossier exported as one zip, the files checked against their recorded sha256, and the
number register listed and exported.

The commands (``docgen dossier show|list|attach|export|verify``, ``docgen register``) are thin
Click commands in :mod:`docgen.cli`; everything they print comes from here, worded by
``forms/_shared/register.toml`` (``[texts]``, ``[errors]``, ``[columns]``). Today's date is a
parameter: nothing here reads the clock but the time stamps of the database.

Workspace paths used here, besides those of :mod:`docgen.store.db`:

* ``ho-so/<id>/dinh-kem/<name>`` — a file attached by ``dossier attach`` (``<name>-2`` … when
  the name is taken); its entry has form ``attach:<kind>``;
* ``<DIR>/<id>.zip`` — ``dossier export``: the papers, ``<id>.pdf`` (merged) and ``manifest.json``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..check.stage import Status, dossier_status, expected, kinds_expected
from ..domain.vietnamese import doc_number, long_date, short_date, slug, two_digit
from ..errors import DocgenError, OutputError, WorkspaceError, closest_name
from ..load.dossier import STAGES, DossierKind, kinds_for
from ..render.pdf import render_pdf_many
from ..sandbox import render_text
from ..store import register as reg
from ..store.db import ATTACHED, HOST, Workspace, now, transaction
from ..store.files import backup_name, sha256_bytes, sha256_of
from .engine import Engine
from .write import write_path

ATTACH = "attach:"       # the form of an attached paper's entry: attach:<kind>
PRINT = "print"          # the kind of a pack's merged PDF
SHORT = 12               # characters of a sha256 shown in a listing


class DossierArgumentError(DocgenError):
    """An argument names no dossier, no kind of paper, or no readable file (exit 3)."""

    exit_code = 3


class TamperedFileError(WorkspaceError):
    """A registered file was changed or removed since docgen wrote (or attached) it (exit 5)."""


# -- what the database holds -----------------------------------------------------------------------
@dataclass
class FileEntry:
    path: str                # as the database names it (relative to the workspace)
    format: str
    sha256: str | None
    size: int | None


@dataclass
class Document:
    """One entry of the register in a dossier: a paper docgen wrote, or one attached."""

    id: int
    kind: str
    form: str
    item: int
    code: str
    title: str
    date: str | None
    number: str              # as printed ("Số 12-QĐ/ĐUC"), or ""
    edition: str
    state: str
    files: list[FileEntry] = field(default_factory=list)

    @property
    def attached(self) -> bool:
        return self.form.startswith(ATTACH)


@dataclass
class Slot:
    """One kind of paper of the dossier, in dossier order, with the documents of that kind."""

    kind: str
    label: str
    code: str
    required: bool
    state: str               # present | missing | optional | later | not_expected
    documents: list[Document] = field(default_factory=list)


@dataclass
class View:
    """What ``dossier show`` prints."""

    id: str
    name: str
    born: str | None
    subject: str
    folder: str
    stage: str
    stage_label: str
    deadline: dict | None    # what, due, source, overdue, days_left
    note: str
    slots: list[Slot]
    others: list[Document]   # papers of no kind of dossier.toml (a user's form), and the merged PDF


def _texts(engine: Engine) -> dict:
    return engine.library.later("register.toml")["texts"]


def _say(engine: Engine, key: str, **values: Any) -> str:
    return render_text(_texts(engine)[key], values)


def _error(engine: Engine, key: str, **values: Any) -> str:
    return render_text(engine.library.later("register.toml")["errors"][key], values)


def _printed(row: sqlite3.Row) -> str:
    if row["number"] is None:
        return ""
    if str(row["form"]).startswith(ATTACH):
        return f"Số {two_digit(row['number'])}"
    return doc_number(row["number"], row["doc_type"], row["symbol"])


def _day(text: str | None) -> str:
    return long_date(date.fromisoformat(text)) if text else ""


def dossier_row(engine: Engine, ws: Workspace, db: sqlite3.Connection, dossier_id: str) -> sqlite3.Row:
    """The dossier's row; an unknown id is refused (exit 3) with the closest ids."""
    row = db.execute("SELECT * FROM dossier WHERE id = ?", (dossier_id,)).fetchone()
    if row is not None:
        return row
    ids = [r["id"] for r in db.execute("SELECT id FROM dossier ORDER BY id")]
    if not ids:
        raise DossierArgumentError(_error(engine, "no_dossiers", root=str(ws.root)))
    close = [c for c in (closest_name(dossier_id, ids),) if c]
    close += [i for i in ids if dossier_id and dossier_id.lower() in i and i not in close][:4]
    raise DossierArgumentError(_error(engine, "unknown_dossier", id=dossier_id, root=str(ws.root),
                                      close=", ".join(close)))


def documents(db: sqlite3.Connection, dossier_id: str) -> list[Document]:
    """Every entry of the dossier with its files, in the order they were entered."""
    out = []
    for row in db.execute("SELECT * FROM document WHERE dossier_id = ? ORDER BY id", (dossier_id,)).fetchall():
        doc = Document(row["id"], row["kind"], row["form"], row["item"], row["code"], row["title"], row["date"],
                       _printed(row), row["edition"], row["state"])
        doc.files = [FileEntry(f["path"], f["format"], f["sha256"], f["size"]) for f in reg.files_of(db, row["id"])]
        out.append(doc)
    return out


def _inputs(engine: Engine, row: sqlite3.Row):
    """The inputs the dossier's papers were last made from (stored cleaned), or None."""
    if not row["profile"] or not row["org"]:
        return None
    subject = engine.record(json.loads(row["profile"]), row["subject"], cleaned=True)
    org = engine.record(json.loads(row["org"]), "org", cleaned=True)
    return engine.inputs(org, subject)


def status_of(engine: Engine, row: sqlite3.Row, today: date) -> Status | None:
    """A candidate's stage and next deadline from the stored profile; None for a congress, or
    a dossier with no stored profile."""
    inputs = _inputs(engine, row)
    if row["subject"] != "candidate" or inputs is None:
        return None
    return dossier_status(inputs, engine.library, engine.rulebook, today)


def _deadline_dict(status: Status | None) -> dict | None:
    if status is None or status.deadline is None:
        return None
    d = status.deadline
    return {"what": d.what, "due": d.due.isoformat(), "source": d.source, "overdue": d.overdue,
            "days_left": d.days_left}


def _kind_key(engine: Engine, doc: Document, known: dict[str, DossierKind]) -> str | None:
    """The dossier.toml kind of an entry: its own, else the kind of its form (an entry filed
    before its form had a kind)."""
    if doc.kind in known:
        return doc.kind
    found = next((k for k in known.values() if k.form and k.form == doc.form), None)
    return found.kind if found is not None else None


def dossier_view(engine: Engine, ws: Workspace, dossier_id: str, today: date) -> View:
    """The dossier's papers in dossier order, present or not, its stage and next deadline."""
    db = ws.connect()
    try:
        row = dossier_row(engine, ws, db, dossier_id)
        docs = documents(db, dossier_id)
    finally:
        db.close()
    subject = row["subject"]
    inputs = _inputs(engine, row)
    status = status_of(engine, row, today)
    kinds = kinds_for(engine.library, subject)
    known = {k.kind: k for k in kinds}
    due_now: set[str] | None = None
    if status is not None and inputs is not None:
        due_now = {k.kind for k in kinds_expected(engine.library, inputs, status.stage)}
    by_kind: dict[str, list[Document]] = {}
    others: list[Document] = []
    for doc in docs:
        key = _kind_key(engine, doc, known)
        if key is None:
            others.append(doc)
        else:
            by_kind.setdefault(key, []).append(doc)
    slots = []
    for k in kinds:
        present = by_kind.get(k.kind, [])
        if present:
            state = "present"
        elif k.part == "other":
            continue  # never missing: shown only when attached
        elif inputs is not None and not expected(k, inputs):
            state = "not_expected"
        elif due_now is not None and k.stage in STAGES and k.kind not in due_now:
            state = "later"
        elif not k.required:
            state = "optional"
        else:
            state = "missing"
        slots.append(Slot(k.kind, k.label, k.code, k.required, state, present))
    stage = status.stage if status is not None else subject
    stage_label = status.stage_label if status is not None else (
        _say(engine, "congress_stage") if subject == "congress" else "")
    return View(row["id"], row["name"], row["born"], subject, str(ws.dossier_dir(row["id"])), stage, stage_label,
                _deadline_dict(status), status.note if status is not None else "", slots, others)


def view_json(view: View) -> dict:
    return asdict(view)


def show_lines(engine: Engine, view: View) -> list[str]:
    """``dossier show`` in Vietnamese, a line each."""
    lines = [_say(engine, "heading", id=view.id, name=view.name, born=_day(view.born)),
             _say(engine, "folder", path=view.folder)]
    if view.stage_label:
        lines.append(_say(engine, "stage", label=view.stage_label))
    if view.deadline is not None:
        d = view.deadline
        lines.append(_say(engine, "deadline", due=_day(d["due"]), days=d["days_left"], what=d["what"]))
        if d["source"]:
            lines.append("  " + _say(engine, "source", source=d["source"]))
    elif view.note:
        lines.append(_say(engine, "no_deadline", note=view.note))
    lines += ["", _say(engine, "congress_papers" if view.subject == "congress" else "papers")]
    for n, slot in enumerate(view.slots, 1):
        lines.append(_say(engine, "paper", n=n, state=_say(engine, slot.state), label=slot.label, code=slot.code))
        lines += _document_lines(engine, slot.documents)
    if view.others:
        lines += ["", _say(engine, "others")]
        for doc in view.others:
            label = _say(engine, "print") if doc.kind == PRINT else doc.kind
            lines.append(_say(engine, "paper", n="", state=_say(engine, "present"), label=label, code=doc.code))
            lines += _document_lines(engine, [doc])
    missing = [s for s in view.slots if s.state == "missing"]
    present = [s for s in view.slots if s.state == "present"]
    lines += ["", _say(engine, "summary", present=len(present), missing=len(missing),
                       labels="; ".join(s.label for s in missing))]
    return lines


def _document_lines(engine: Engine, docs: list[Document]) -> list[str]:
    lines = []
    for doc in docs:
        lines.append("     " + _say(engine, "document", title=doc.title, number=doc.number, date=_day(doc.date),
                                    edition=doc.edition))
        for f in doc.files:
            lines.append("         " + _say(engine, "file", path=f.path, sha256=(f.sha256 or "-")[:SHORT]))
    return lines


# -- list ---------------------------------------------------------------------------------------------
@dataclass
class Listed:
    id: str
    name: str
    subject: str
    stage: str
    stage_label: str
    due: str | None
    days_left: int | None
    what: str
    note: str


def list_dossiers(engine: Engine, ws: Workspace, today: date, due_within: int | None = None) -> list[Listed]:
    """Every dossier with its stage and next deadline, the soonest due first (those with none
    last, by id); ``due_within``: only those due within that many days, the overdue included."""
    db = ws.connect()
    try:
        rows = db.execute("SELECT * FROM dossier ORDER BY id").fetchall()
    finally:
        db.close()
    out = []
    for row in rows:
        status = status_of(engine, row, today)
        d = status.deadline if status is not None else None
        label = status.stage_label if status is not None else (
            _say(engine, "congress_stage") if row["subject"] == "congress" else "")
        out.append(Listed(row["id"], row["name"], row["subject"], status.stage if status else row["subject"], label,
                          d.due.isoformat() if d else None, d.days_left if d else None, d.what if d else "",
                          status.note if status is not None else ""))
    if due_within is not None:
        out = [x for x in out if x.days_left is not None and x.days_left <= due_within]
    return sorted(out, key=lambda x: (x.due is None, x.due or "", x.id))


def list_lines(engine: Engine, listed: list[Listed], due_within: int | None) -> list[str]:
    if not listed:
        return [_say(engine, "list_none_due", days=due_within) if due_within is not None
                else _say(engine, "list_empty")]
    return [_say(engine, "list_line", id=x.id, name=x.name, stage=x.stage_label, due=_day(x.due), days=x.days_left)
            for x in listed]


# -- attach -------------------------------------------------------------------------------------------
def attachable(engine: Engine, subject: str) -> list[DossierKind]:
    return kinds_for(engine.library, subject)


def attach(engine: Engine, ws: Workspace, dossier_id: str, source: Path, kind: str, when: str | None = None,
           number: int | None = None) -> tuple[Path, str]:
    """Copy ``source`` into the dossier's ``dinh-kem/`` folder under a safe name that no file
    has (``-2`` … when taken) and enter it in the register (form ``attach:<kind>``) with its
    sha256. Returns the file's path and the line that says so."""
    day = _parse_day(engine, when)
    db = ws.connect()
    try:
        row = dossier_row(engine, ws, db, dossier_id)
        kinds = attachable(engine, row["subject"])
        spec = next((k for k in kinds if k.kind == kind), None)
        if spec is None:
            names = [k.kind for k in kinds]
            raise DossierArgumentError(_error(engine, "unknown_kind", kind=kind, close=closest_name(kind, names) or "",
                                              kinds=", ".join(f"{k.kind} ({k.label})" for k in kinds)))
        try:
            digest, size = sha256_of(source)
        except OSError as exc:
            raise DossierArgumentError(_error(engine, "not_a_file", path=str(source),
                                              why=exc.strerror or str(exc))) from exc
        folder = ws.dossier_dir(dossier_id) / ATTACHED
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Không tạo được thư mục {folder}: {exc.strerror or exc}") from exc
        with transaction(db):
            same = db.execute(
                "SELECT f.path FROM file f JOIN document d ON d.id = f.document_id WHERE d.dossier_id = ? "
                "AND d.form = ? AND f.sha256 = ?", (dossier_id, ATTACH + kind, digest)).fetchone()
            if same is not None:
                raise DossierArgumentError(_error(engine, "same_file", path=str(source), id=dossier_id,
                                                  existing=same["path"], sha256=digest[:SHORT]))
            target = _free_name(ws, db, folder, source)
            name = ws.relative(target)
            stamp = now()
            series = json.dumps(["attach", dossier_id, kind, digest]) if number is not None else None
            cur = db.execute(
                "INSERT INTO document (dossier_id, kind, form, item, code, title, series, number, date, digest, "
                "state, pid, host, created, updated) VALUES (?, ?, ?, -1, ?, ?, ?, ?, ?, ?, 'writing', ?, ?, ?, ?)",
                (dossier_id, kind, ATTACH + kind, spec.code, f"{spec.label} — {row['name']} ({source.name})",
                 series, number, day.isoformat() if day else None, digest, os.getpid(), HOST, stamp, stamp))
            doc_id = int(cur.lastrowid or 0)
            db.execute("INSERT INTO file (path, document_id, format, sha256, size, written) "
                       "VALUES (?, ?, ?, NULL, NULL, NULL)", (name, doc_id, target.suffix.lstrip(".").lower()))
        _copy_new(source, target)
        with transaction(db):
            reg.finish_paper(db, doc_id, {name: (digest, size)})
    finally:
        db.close()
    return target, _say(engine, "attached", id=dossier_id, label=spec.label, path=str(target))


def _parse_day(engine: Engine, when: str | None) -> date | None:
    if when is None:
        return None
    try:
        return date.fromisoformat(when)
    except ValueError:
        raise DossierArgumentError(_error(engine, "bad_date", value=when)) from None


def _free_name(ws: Workspace, db: sqlite3.Connection, folder: Path, source: Path) -> Path:
    """``<slug>.<ext>`` in ``folder``, or ``<slug>-2.<ext>`` … : a name no file on disk and no
    entry of the register has (the register's entry, made in this transaction, holds it)."""
    ext = "".join(c for c in source.suffix.lower() if c.isalnum() or c == ".")[:10]
    stem = slug(source.stem, 60)
    n = 1
    while True:
        target = folder / (f"{stem}{ext}" if n == 1 else f"{stem}-{n}{ext}")
        taken = db.execute("SELECT 1 FROM file WHERE path = ?", (ws.relative(target),)).fetchone()
        if not taken and not target.exists():
            return target
        n += 1


def _copy_new(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` whole (a temporary file, flushed, then linked into place,
    which fails rather than replace a file that appeared meanwhile)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".docgen-{os.getpid()}-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, target)
    except OSError as exc:
        raise OutputError(f"Không chép được {source} vào {target}: {exc.strerror or exc}") from exc
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


# -- verify -------------------------------------------------------------------------------------------
@dataclass
class Checked:
    path: str
    state: str               # ok | changed | gone | writing
    recorded: str | None
    found: str | None


def verify(ws: Workspace, dossier_id: str) -> list[Checked]:
    """Every registered file of the dossier re-hashed against the register."""
    db = ws.connect()
    try:
        docs = documents(db, dossier_id)
    finally:
        db.close()
    out = []
    for doc in docs:
        for f in doc.files:
            path = ws.absolute(f.path)
            if f.sha256 is None:
                out.append(Checked(f.path, "writing", None, None))
            elif not path.is_file():
                out.append(Checked(f.path, "gone", f.sha256, None))
            else:
                found, _ = sha256_of(path)
                out.append(Checked(f.path, "ok" if found == f.sha256 else "changed", f.sha256, found))
    return out


def verify_lines(engine: Engine, dossier_id: str, checked: list[Checked]) -> list[str]:
    lines = [_say(engine, c.state, path=c.path, recorded=(c.recorded or "")[:SHORT], found=(c.found or "")[:SHORT])
             for c in checked if c.state != "ok"]
    ok = sum(c.state == "ok" for c in checked)
    lines.append(_say(engine, "verified", id=dossier_id, ok=ok, total=len(checked), bad=len(checked) - ok))
    return lines


def all_ids(engine: Engine, ws: Workspace) -> list[str]:
    db = ws.connect()
    try:
        ids = [r["id"] for r in db.execute("SELECT id FROM dossier ORDER BY id")]
    finally:
        db.close()
    if not ids:
        raise DossierArgumentError(_error(engine, "no_dossiers", root=str(ws.root)))
    return ids


def check_dossier(engine: Engine, ws: Workspace, dossier_id: str) -> list[Checked]:
    """The dossier's files re-hashed; an unknown id refused."""
    db = ws.connect()
    try:
        dossier_row(engine, ws, db, dossier_id)
    finally:
        db.close()
    return verify(ws, dossier_id)


# -- export -------------------------------------------------------------------------------------------
def export(engine: Engine, ws: Workspace, dossier_id: str, outdir: Path, today: date,
           force: bool = False) -> tuple[Path, list[str]]:
    """``outdir/<id>.zip``, written atomically: the papers in dossier order, one merged PDF of
    those docgen made (laid out again from their DOCX, as each paper's own PDF was), and
    ``manifest.json``. Every file is checked against its sha256 first: a changed or missing
    one stops the export (exit 5) with nothing written. Returns the zip and the lines to print."""
    checked = check_dossier(engine, ws, dossier_id)
    bad = [c for c in checked if c.state != "ok"]
    if bad:
        raise TamperedFileError(_error(engine, "tampered", id=dossier_id, count=len(bad), lines="\n".join(
            "  " + line for line in verify_lines(engine, dossier_id, bad)[:-1])))
    view = dossier_view(engine, ws, dossier_id, today)
    ordered = [(n, doc) for n, slot in enumerate(view.slots, 1) for doc in slot.documents]
    ordered += [(len(view.slots) + 1, doc) for doc in view.others if doc.kind != PRINT]
    data: dict[str, bytes] = {}
    for f in [f for _, doc in ordered for f in doc.files]:
        data[f.path] = ws.absolute(f.path).read_bytes()
    entries: list[dict[str, Any]] = []
    merged: list[tuple[str | None, bytes]] = []
    notes = []
    for n, doc in ordered:
        docx = next((f for f in doc.files if f.format == "docx"), None)
        if doc.attached:
            notes += [_say(engine, "not_merged", path=f.path, why=_say(engine, "why_attached")) for f in doc.files]
        elif docx is None:
            notes += [_say(engine, "not_merged", path=f.path, why=_say(engine, "why_no_docx")) for f in doc.files]
        else:
            merged.append((f"Mẫu {doc.code} — {doc.title}" if doc.code else doc.title, data[docx.path]))
        for f in doc.files:
            entries.append({"path": f"{two_digit(n)}_{Path(f.path).name}", "kind": doc.kind, "code": doc.code,
                            "number": doc.number, "date": doc.date, "sha256": f.sha256, "edition": doc.edition,
                            "title": doc.title, "source": f.path})
    pdf_name = f"{dossier_id}.pdf"
    title = f"{engine.library.pack(engine.pack_of(view.subject))['title']} — {view.name}"
    pdf = render_pdf_many(merged, engine.fonts, title) if merged else None
    manifest = {
        "dossier": {"id": view.id, "name": view.name, "born": view.born, "subject": view.subject,
                    "stage": view.stage, "stage_label": view.stage_label, "deadline": view.deadline,
                    "exported": now()},
        "files": entries,
        "merged_pdf": ({"path": pdf_name, "sha256": sha256_bytes(pdf), "papers": [t for t, _ in merged]}
                       if pdf else None),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for entry in entries:
            z.writestr(entry["path"], data[entry["source"]])
        if pdf is not None:
            z.writestr(pdf_name, pdf)
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    target = outdir / f"{dossier_id}.zip"
    write_new(engine, target, buf.getvalue(), force)
    notes.append(_say(engine, "exported", path=str(target), files=len(entries), merged=len(merged),
                      pdf=pdf_name if pdf else "-"))
    return target, notes


def write_new(engine: Engine, target: Path, data: bytes, force: bool) -> None:
    """Write ``target`` atomically; a file already there is never replaced, unless ``force``,
    and then it is kept beside as ``name~1.ext``."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            if not force:
                raise OutputError(_error(engine, "exists", path=str(target)))
            os.replace(target, backup_name(target))
    except OSError as exc:
        raise OutputError(f"Không ghi được {target}: {exc.strerror or exc}") from exc
    write_path(target, data)


# -- the number register ------------------------------------------------------------------------------
def register_rows(engine: Engine, ws: Workspace, series: str | None = None, year: int | None = None
                  ) -> tuple[list[dict], list[str]]:
    """Every numbered document docgen registered (attached papers' own numbers are not this
    register's), by series then number, as ``[columns]`` keys; and every series' label."""
    db = ws.connect()
    try:
        rows = db.execute(f"SELECT * FROM document WHERE number IS NOT NULL AND form NOT LIKE '{ATTACH}%' "
                          "ORDER BY series, number").fetchall()
        files = {r["id"]: reg.files_of(db, r["id"]) for r in rows}
    finally:
        db.close()
    out, labels = [], []
    wanted = series.casefold() if series else None
    for r in rows:
        issuer, symbol, doc_type, period = json.loads(r["series"])
        label = reg.series_label(issuer, symbol, doc_type, period)
        if label not in labels:
            labels.append(label)
        if wanted and wanted not in label.casefold() and wanted not in _printed(r).casefold():
            continue
        if year is not None and not (r["date"] and int(r["date"][:4]) == year):
            continue
        out.append({"series": label, "issuer": r["issuer"], "number": _printed(r), "date": r["date"],
                    "doc_type": r["doc_type"], "code": r["code"], "title": r["title"], "period": r["period"],
                    "dossier": r["dossier_id"], "edition": r["edition"],
                    "files": [f["path"] for f in files[r["id"]]],
                    "sha256": [f["sha256"] or "" for f in files[r["id"]]]})
    return out, labels


def _short_date(text: str | None) -> str:
    return short_date(date.fromisoformat(text)) if text else ""


def register_lines(engine: Engine, rows: list[dict], labels: list[str], series: str | None,
                   year: int | None) -> list[str]:
    if not rows:
        filters = ", ".join(x for x in (f"--series {series}" if series else "", f"--year {year}" if year else "") if x)
        return [_say(engine, "register_empty", filters=filters, known="; ".join(labels))]
    lines: list[str] = []
    current = None
    for r in rows:
        if r["series"] != current:
            current = r["series"]
            lines.append(_say(engine, "register_series", series=current))
        lines.append("  " + _say(engine, "register_line", number=r["number"], date=_short_date(r["date"]),
                                 code=r["code"], title=r["title"], dossier=r["dossier"]))
    return lines


def _cells(row: dict) -> list[Any]:
    return [row["issuer"], row["number"], _short_date(row["date"]), row["doc_type"], row["code"], row["title"],
            row["period"], row["dossier"], row["edition"], "\n".join(row["files"]), "\n".join(row["sha256"])]


def export_register(engine: Engine, rows: list[dict], target: Path, force: bool = False) -> str:
    """The register as XLSX (bold header row, column widths) or CSV (UTF-8 with a BOM, which
    Excel needs to read Vietnamese), Vietnamese headers from register.toml ``[columns]``;
    written atomically. Returns the line to print."""
    columns = engine.library.later("register.toml")["columns"]
    headers = list(columns.values())
    suffix = target.suffix.lower()
    if suffix == ".csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(_cells(r) for r in rows)
        data = ("\ufeff" + text.getvalue()).encode("utf-8")
    elif suffix == ".xlsx":
        data = _xlsx(headers, [_cells(r) for r in rows], _say(engine, "sheet"))
    else:
        raise DossierArgumentError(_error(engine, "bad_export", path=str(target)))
    write_new(engine, target, data, force)
    return _say(engine, "register_written", count=len(rows), path=str(target))


WIDTHS = (36, 18, 12, 8, 8, 60, 28, 30, 12, 60, 66)


def _xlsx(headers: list[str], rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for i, width in enumerate(WIDTHS[:len(headers)], 1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def outside_workspace() -> WorkspaceError:
    """The error of a dossier or register command run outside any workspace (exit 5)."""
    return WorkspaceError("Không ở trong thư mục làm việc nào: lệnh này đọc hồ sơ và sổ đăng ký của một thư mục "
                          "làm việc. Chạy trong thư mục đó (hay thư mục con), hoặc chỉ rõ bằng --workspace THƯ-MỤC "
                          "hay biến DOCGEN_WORKSPACE. Tạo thư mục làm việc: docgen init THƯ-MỤC --org TO-CHUC.json")
