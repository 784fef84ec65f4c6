"""Web app: the import page ``/nhap-excel`` — a workbook made by ``docgen workbook`` uploaded, each
person's (or congress's) problems shown by sheet, row and Vietnamese header, and on confirmation
the dossiers of those without errors created or updated in the workspace.

The uploaded file lives only in a temporary folder while it is read, and is removed at once;
what was read waits in memory (under a random token, the last few uploads only) until the
user confirms. Confirming checks each entry again, saves its profile where the dossier page
saves it (``du-lieu/<id>.json``; a congress: ``du-lieu/dai-hoi-<term>.json``) and files its papers
as ``docgen batch`` does in a workspace.

A workbook only adds and changes: when the profile's file exists already, the workbook's values
are written over it (:func:`merged`) and whatever the workbook does not hold is kept (a part it
has no sheet for such as ``recognition``, a key it has no column for, a cell left empty, the
notes ``_…``, list items beyond its rows); the preview says per entry whether its file is made
or updated, and names what is kept from it.
"""

from __future__ import annotations

import secrets
import tempfile
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template, request

from ..errors import DocgenError, EditedOutputError, InputError, InputFileError, Problem
from ..pipeline import Engine, Workspace, errors
from ..pipeline.batch import OTHER_SHEETS
from ..pipeline.filing import check_problems, dossier_identity, file_papers
from ..pipeline.workbook import read_workbook
from .congress import generic, term_of
from .dossiers import PROFILES, profile_id, save_profile
from .state import web_state

bp = Blueprint("importing", __name__, url_prefix="/nhap-excel")

PENDING = "docgen.imports"
KEEP = 5  # uploads read and waiting for confirmation, at most
SEVERITY_VI = {"error": "LỖI", "warning": "CẢNH BÁO"}


@dataclass
class Person:
    """One entry of the workbook as the page shows it."""

    label: str
    profile: dict                                                  # merged with the saved file, as checked
    given: dict                                                    # the workbook's own values
    lines: list[tuple[str, str]] = field(default_factory=list)   # (severity word, located message)
    ok: bool = True
    file: str = ""                                                 # du-lieu/<id>.json, "" when unnamed
    exists: bool = False                                           # that file is there: updated, not made
    kept: list[str] = field(default_factory=list)                  # what the file keeps (label (path))


def merged(old: Any, new: Any) -> Any:
    """The workbook's values (``new``) over a saved file's (``old``): keys of ``old`` that ``new``
    lacks are kept, objects are merged key by key and lists of objects item by item (items beyond
    the workbook's rows kept); any other value of the workbook replaces the file's."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = merged(old[key], value) if key in old else value
        return out
    if _object_lists(old, new):
        return [merged(old[i], item) if i < len(old) else item for i, item in enumerate(new)] + old[len(new):]
    return new


def kept_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """The paths of ``old`` that :func:`merged` keeps because ``new`` does not hold them (the
    outermost of each)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key, value in old.items():
            sub = f"{path}.{key}" if path else key
            out += kept_paths(value, new[key], sub) if key in new else [sub]
        return out
    if _object_lists(old, new):
        out = []
        for i, (was, now) in enumerate(zip(old, new, strict=False)):
            out += kept_paths(was, now, f"{path}[{i}]")
        return out + [f"{path}[{i}]" for i in range(len(new), len(old))]
    return []


def _object_lists(old: Any, new: Any) -> bool:
    return isinstance(old, list) and isinstance(new, list) and all(isinstance(i, dict) for i in old + new)


def target_name(engine: Engine, ws: Workspace, subject: str, profile: dict) -> str | None:
    """The file under ``du-lieu`` this entry's profile is saved as (None while it cannot be named)."""
    if subject == "congress":
        term = term_of(profile)
        return f"dai-hoi-{term}.json" if term else None
    dossier = profile_id(engine, ws, profile)
    return f"{dossier}.json" if dossier else None


def saved_profile(engine: Engine, path: Path) -> dict | None:
    """The profile already saved at ``path``, None when there is none; a file that cannot be read
    is an :class:`InputFileError` (the import never writes over what it cannot read)."""
    if not path.is_file():
        return None
    try:
        data = engine.read_json(path)
    except InputError as exc:
        why = "; ".join(p.message for p in exc.problems)
        raise InputFileError(f"Không đọc được tệp đã lưu {PROFILES}/{path.name}: {why} Hãy sửa hoặc xóa tệp đó rồi "
                             "nhập lại.") from exc
    except DocgenError as exc:
        raise InputFileError(f"Không đọc được tệp đã lưu {PROFILES}/{path.name}: {exc} Hãy sửa hoặc xóa tệp đó rồi "
                             "nhập lại.") from exc
    if not isinstance(data, dict):
        raise InputFileError(f"Tệp đã lưu {PROFILES}/{path.name} không phải một hồ sơ (một đối tượng JSON). Hãy sửa "
                             "hoặc xóa tệp đó rồi nhập lại.")
    return data


def shown_path(engine: Engine, path: str) -> str:
    """A path as the preview names it: its Vietnamese label when the registry has one."""
    f = engine.library.registry.fields.get(generic(path))
    return f"{f.label} ({path})" if f is not None else path


def located(entry, p: Problem, from_file: list[str] | None = None, file: str = "") -> str:
    """A check problem by sheet, row and header (as ``docgen batch`` words it for a workbook);
    a value kept from the saved file (a path under ``from_file``) by that file."""
    if p.path and any(p.path == k or p.path.startswith((k + ".", k + "[")) for k in from_file or []):
        return f"{file} (giá trị giữ từ tệp đã lưu): {p.message}"
    where = entry.locate(p.path) if p.path else ""
    return f"{where}: {p.message}" if where else p.message


def check_entry(engine: Engine, ws: Workspace, subject: str, profile: dict) -> list[Problem]:
    """What ``docgen check`` reports for this profile in the workspace."""
    inputs = engine.inputs(engine.load(ws.org_path, "org"), engine.record(profile, subject))
    return check_problems(engine, inputs, subject, ws)


def refusal(suffix: str, shown_name: str, tmp: Path) -> str | None:
    """Why an uploaded file is refused (None when it may be a docgen workbook), in the page's
    words: the file is sent again, not a command run again."""
    if suffix in OTHER_SHEETS:
        return (f"{shown_name}: docgen không đọc {OTHER_SHEETS[suffix]}. Hãy mở tệp bằng Excel (hoặc LibreOffice) và "
                "chọn Lưu thành (Save As) → Sổ làm việc Excel (*.xlsx), rồi gửi tệp .xlsx đó lên đây.")
    if suffix not in (".xlsx", ".xlsm"):
        return (f"{shown_name}: docgen chỉ nhận bảng tính Excel (.xlsx) do lệnh docgen workbook tạo. Hãy tạo bảng "
                "tính bằng docgen workbook admission-dossier, điền vào đó rồi gửi lên.")
    if not zipfile.is_zipfile(tmp):
        return (f"{shown_name}: không mở được tệp này như một bảng tính Excel .xlsx (tệp bị hỏng, hoặc là loại tệp "
                "khác mang đuôi .xlsx). Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) → Sổ làm việc Excel (*.xlsx), "
                "rồi gửi lại tệp vừa lưu.")
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
        why = refusal(suffix, shown, tmp)
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
            person = Person(entry.label, entry.profile, entry.profile)
            person.lines = [("LỖI", line) for line in entry.problems]
            try:
                name = target_name(engine, ws, subject, entry.profile)
                old = saved_profile(engine, ws.root / PROFILES / name) if name else None
            except DocgenError as exc:
                person.lines.append(("LỖI", str(exc)))
                person.ok = False
                people.append(person)
                continue
            if name:
                person.file, person.exists = f"{PROFILES}/{name}", old is not None
            if old is not None:
                person.profile = merged(old, entry.profile)
                person.kept = [shown_path(engine, p) for p in kept_paths(old, entry.profile)]
            try:
                found = check_entry(engine, ws, subject, person.profile)
            except DocgenError as exc:
                found = [Problem("input.file", "", "", str(exc))]
            from_file = kept_paths(old, entry.profile) if old is not None else []
            person.lines += [(SEVERITY_VI.get(p.severity, p.severity), located(entry, p, from_file, person.file))
                             for p in found if p.path not in entry.unread]
            person.ok = not entry.problems and not errors(found)
            if person.ok:
                dossier = dossier_identity(engine.inputs(org, engine.record(person.profile, subject)), subject)[0]
                if dossier in ids:
                    person.ok = False
                    person.lines.append(("LỖI", f"Cùng hồ sơ {dossier} với {ids[dossier]} ở trên: mỗi hồ sơ một dòng "
                                                "(hai người trùng tên và ngày sinh: ghi mã hồ sơ riêng)."))
                ids.setdefault(dossier, entry.label)
            people.append(person)
    token = secrets.token_urlsafe(16)
    pending: OrderedDict = current_app.extensions.setdefault(PENDING, OrderedDict())
    pending[token] = (book.kind, [(p.label, p.given) for p in people if p.ok])
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
        for label, given in entries:
            name = target_name(engine, ws, subject, given)
            file = f"{PROFILES}/{name}"
            old: dict | None = None
            try:
                if name is None:
                    raise InputFileError("Thiếu họ tên (hay mã hồ sơ), hoặc năm của nhiệm kỳ, để đặt tên tệp hồ sơ.")
                old = saved_profile(engine, ws.root / PROFILES / name)
                profile = merged(old, given) if old is not None else given
                found = check_entry(engine, ws, subject, profile)
                if errors(found):
                    raise InputError(found)
                # the papers first: when they cannot be made, the saved profile stays as it was
                filed = file_papers(engine, ws, kind, engine.inputs(org, engine.record(profile, subject)),
                                    ("docx", "pdf"))
            except InputError as exc:
                failed.append((label, [p.message for p in errors(exc.problems)] + [unchanged(file, old)]))
                continue
            except EditedOutputError as exc:
                failed.append((label, [f"Không ghi đè giấy tờ đã sửa tay. {edited_files(exc)}", unchanged(file, old),
                                       "Nếu muốn làm lại giấy tờ đó: mở hồ sơ, bấm tạo văn bản rồi “Tạo lại, giữ "
                                       "tệp đã sửa” (tệp đã sửa được giữ bên cạnh với tên …~1), sau đó nhập lại bảng "
                                       "tính."]))
                continue
            except DocgenError as exc:
                failed.append((label, [str(exc), unchanged(file, old)]))
                continue
            try:
                save_profile(ws, Path(name).stem, profile)
            except DocgenError as exc:   # half done: say so
                failed.append((label, [f"Đã tạo {len(filed.paths)} tệp trong hồ sơ {filed.dossier} nhưng chưa lưu được "
                                       f"{file}: {exc} Hãy nhập lại bảng tính này."]))
                continue
            made.append((label, filed.dossier, len(filed.paths)))
    return render_template("import_done.html", made=made, failed=failed, subject=subject)


def unchanged(file: str, old: dict | None) -> str:
    """What became of the entry's profile when its papers were not made."""
    return f"{file} chưa thay đổi." if old is not None else f"Chưa tạo {file}."


def edited_files(exc: EditedOutputError) -> str:
    """The files an :class:`EditedOutputError` names, without its advice for the command line."""
    return str(exc).split("\nHãy đổi tên")[0].replace("\n", " ").strip()
