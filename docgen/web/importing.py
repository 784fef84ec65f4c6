"""Web app: the import page ``/nhap-excel`` — a workbook made by ``docgen workbook`` uploaded, each
person's (or congress's) problems shown by sheet, row and Vietnamese header, and on confirmation
the dossiers of those without errors created or updated in the workspace.

The uploaded file lives only in a temporary folder while it is read, and is removed at once;
what was read waits in memory (under a random token, the last few uploads only) until the
user confirms. Confirming checks each entry again, saves its profile where the dossier page
saves it (``du-lieu/<id>.json``; a congress: ``du-lieu/dai-hoi-<term>.json``) and files its papers
as ``docgen batch`` does in a workspace.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, current_app, render_template, request

from ..errors import DocgenError, InputError, InputFileError, Problem
from ..pipeline import Engine, Workspace, errors, write_files
from ..pipeline.batch import OTHER_SHEETS, read_items
from ..pipeline.filing import check_problems, dossier_identity, file_papers
from ..pipeline.workbook import is_workbook, read_workbook
from .congress import term_of
from .dossiers import save_profile
from .state import web_state

bp = Blueprint("importing", __name__, url_prefix="/nhap-excel")

PENDING = "docgen.imports"
KEEP = 5  # uploads read and waiting for confirmation, at most
SEVERITY_VI = {"error": "LỖI", "warning": "CẢNH BÁO"}


@dataclass
class Person:
    """One entry of the workbook as the page shows it."""

    label: str
    profile: dict
    lines: list[tuple[str, str]] = field(default_factory=list)   # (severity word, located message)
    ok: bool = True


def located(entry, p: Problem) -> str:
    """A check problem by sheet, row and header (as ``docgen batch`` words it for a workbook)."""
    where = entry.locate(p.path) if p.path else ""
    return f"{where}: {p.message}" if where else p.message


def check_entry(engine: Engine, ws: Workspace, subject: str, profile: dict) -> list[Problem]:
    """What ``docgen check`` reports for this profile in the workspace."""
    inputs = engine.inputs(engine.load(ws.org_path, "org"), engine.record(profile, subject))
    return check_problems(engine, inputs, subject, ws)


def refusal(suffix: str, shown_name: str, tmp: Path, engine: Engine) -> str | None:
    """Why an uploaded file is refused (None when it is a docgen workbook): the CLI's own words,
    naming the user's file rather than the temporary copy."""
    if suffix in OTHER_SHEETS:
        try:
            read_items(tmp, engine)
        except InputFileError as exc:
            return str(exc).replace(str(tmp), shown_name)
    if suffix not in (".xlsx", ".xlsm"):
        return (f"{shown_name}: docgen chỉ nhận bảng tính Excel (.xlsx) do lệnh docgen workbook tạo. Hãy tạo bảng "
                "tính bằng docgen workbook admission-dossier, điền vào đó rồi gửi lên.")
    if not is_workbook(tmp):
        try:
            read_workbook(engine, tmp)
        except InputFileError as exc:
            return str(exc).replace(str(tmp), shown_name)
    return None


@bp.get("/")
def index():
    return _upload_page()


def _upload_page(refused: str = "", status: int = 200):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return render_template("import.html", refused=refused, limit_mb=limit // (1024 * 1024)), status


@bp.post("/")
def upload():
    state = web_state()
    engine, ws = state.engine, state.workspace
    sent = request.files.get("tep")
    if sent is None or not sent.filename:
        return _upload_page("Chưa chọn tệp. Hãy chọn tệp .xlsx rồi bấm “Đọc tệp”.", 400)
    shown = Path(sent.filename.replace("\\", "/")).name
    suffix = Path(shown).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="docgen-nhap-") as folder:   # removed when read
        tmp = Path(folder) / f"tai-len{suffix if suffix.isascii() and len(suffix) <= 6 else ''}"
        sent.save(tmp)
        why = refusal(suffix, shown, tmp, engine)
        if why:
            return _upload_page(why, 400)
        try:
            book = read_workbook(engine, tmp)
        except InputFileError as exc:
            return _upload_page(str(exc).replace(str(tmp), shown), 400)
    subject = engine.subject_of(book.kind)
    people: list[Person] = []
    ids: dict[str, str] = {}
    with state.lock:
        org = engine.load(ws.org_path, "org")
        for entry in book.entries:
            person = Person(entry.label, entry.profile)
            person.lines = [("LỖI", line) for line in entry.problems]
            try:
                found = check_entry(engine, ws, subject, entry.profile)
            except DocgenError as exc:
                found = [Problem("input.file", "", "", str(exc))]
            person.lines += [(SEVERITY_VI.get(p.severity, p.severity), located(entry, p)) for p in found
                             if p.path not in entry.unread]
            person.ok = not entry.problems and not errors(found)
            if person.ok:
                dossier = dossier_identity(engine.inputs(org, engine.record(entry.profile, subject)), subject)[0]
                if dossier in ids:
                    person.ok = False
                    person.lines.append(("LỖI", f"Cùng hồ sơ {dossier} với {ids[dossier]} ở trên: mỗi hồ sơ một dòng "
                                                "(hai người trùng tên và ngày sinh: ghi mã hồ sơ riêng)."))
                ids.setdefault(dossier, entry.label)
            people.append(person)
    token = secrets.token_urlsafe(16)
    pending: OrderedDict = current_app.extensions.setdefault(PENDING, OrderedDict())
    pending[token] = (book.kind, [(p.label, p.profile) for p in people if p.ok])
    while len(pending) > KEEP:
        pending.popitem(last=False)
    return render_template("import_preview.html", file_name=shown, kind=book.kind, people=people,
                           notes=book.notes, book_problems=book.problems, token=token,
                           ready=sum(p.ok for p in people))


@bp.post("/xac-nhan")
def confirm():
    """Create or update the dossiers of the entries without errors, each checked again."""
    state = web_state()
    engine, ws = state.engine, state.workspace
    pending: OrderedDict = current_app.extensions.setdefault(PENDING, OrderedDict())
    token = request.form.get("token", "")
    if token not in pending:
        return _upload_page("Không còn dữ liệu của lần tải lên này (docgen đã khởi động lại, hoặc đã tạo hồ sơ "
                            "rồi). Hãy tải tệp lên lại.", 409)
    kind, entries = pending.pop(token)
    subject = engine.subject_of(kind)
    made: list[tuple[str, str, int]] = []
    failed: list[tuple[str, list[str]]] = []
    with state.lock:
        org = engine.load(ws.org_path, "org")
        for label, profile in entries:
            try:
                found = check_entry(engine, ws, subject, profile)
                if errors(found):
                    raise InputError(found)
                inputs = engine.inputs(org, engine.record(profile, subject))
                dossier = dossier_identity(inputs, subject)[0]
                _save(ws, subject, dossier, profile)
                filed = file_papers(engine, ws, kind, inputs, ("docx", "pdf"))
            except InputError as exc:
                failed.append((label, [p.message for p in errors(exc.problems)]))
                continue
            except DocgenError as exc:
                failed.append((label, [str(exc)]))
                continue
            made.append((label, filed.dossier, len(filed.paths)))
    return render_template("import_done.html", made=made, failed=failed, subject=subject)


def _save(ws: Workspace, subject: str, dossier: str, profile: dict) -> None:
    """The profile saved where the web pages and the CLI read it."""
    if subject == "congress":
        term = term_of(profile)
        if term is None:
            raise InputError([Problem("input.file", "congress.term", "", "Thiếu năm đầu và năm cuối nhiệm kỳ.")])
        text = json.dumps(profile, ensure_ascii=False, indent=2) + "\n"
        write_files(ws.root / "du-lieu", [(f"dai-hoi-{term}.json", text.encode("utf-8"))])
        return
    save_profile(ws, dossier, profile)
