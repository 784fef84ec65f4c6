"""The dossier pages: every dossier of the workspace, a person's dossier as a form generated
from the field registry, and the register of numbers. Each calls the same pipeline functions
as the command it mirrors (``docgen dossier list``, ``check``, ``admission-dossier``,
``dossier export``, ``register``).

A person's profile is kept as ``<workspace>/du-lieu/<id>.json``, the same JSON the command
line reads (``docgen admission-dossier du-lieu/<id>.json`` makes the same papers); ``<id>`` is
the dossier's id as filing names it (``candidate.id``, else the name and date of birth).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from ..errors import DocgenError, EditedOutputError, InputError, InputFileError, OutputError, Problem
from ..pipeline import Engine, Inputs, Workspace, errors, write_files
from ..pipeline.dossiers import (
    DossierArgumentError,
    dossier_view,
    export,
    export_register,
    list_dossiers,
    register_rows,
    show_lines,
)
from ..pipeline.filing import check_problems as check_all, dossier_identity, file_papers
from ..pipeline.lint import require_known_names
from . import profileform as pf
from .congress import TERM_FILE
from .state import web_state

bp = Blueprint("dossiers", __name__)

KIND = "candidate"
PROFILES = "du-lieu"  # <workspace>/du-lieu/<id>.json: the profiles the web form saves
DROP_KEPT = "bo-gia-tri-khong-hien"  # the box "leave out the values the form cannot show" when saving
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")  # filing's ids are ASCII slugs


def profile_path(ws: Workspace, dossier_id: str) -> Path:
    """Where the profile of ``dossier_id`` is kept (``du-lieu/<id>.json``); an id that is not a
    slug is no dossier (404), so no name can leave the folder."""
    if not _ID.match(dossier_id):
        abort(404)
    return ws.root / PROFILES / f"{dossier_id}.json"


def save_profile(ws: Workspace, dossier_id: str, data: dict) -> Path:
    """Write ``data`` as ``du-lieu/<id>.json`` (UTF-8, indented, atomically)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return write_files(ws.root / PROFILES, [(f"{dossier_id}.json", text.encode("utf-8"))])[0]


def is_person_profile(engine: Engine, path: Path) -> bool:
    """Whether ``du-lieu/<name>.json`` is a person's profile, told by what it holds: a file whose
    top-level keys belong to another input (``congress``: the congress file the congress page
    saves beside the profiles; an organisation file copied there) is not. A file that cannot be
    read is a profile (its page names the problem) unless its name is a congress file's."""
    try:
        data = engine.read_json(path)
    except DocgenError:
        return not TERM_FILE.fullmatch(path.name)
    if not isinstance(data, dict):
        return True
    registry = engine.library.registry
    prefix = registry.note_prefix
    keys = {k for k in data if not (prefix and k.startswith(prefix))}
    kinds = {f.input for f in registry.fields.values() if f.path.split(".")[0].removesuffix("[]") in keys}
    return not kinds or KIND in kinds


def org_record(engine: Engine, ws: Workspace):
    return engine.load(ws.org_path, "org")


def profile_id(engine: Engine, ws: Workspace, data: dict) -> str | None:
    """The dossier id filing will give this profile (:func:`dossier_identity`), or None while it
    has neither ``candidate.id`` nor ``candidate.full_name``."""
    record = engine.record(data, KIND)
    if not (record.text("candidate.id") or record.text("candidate.full_name")):
        return None
    return dossier_identity(engine.inputs(org_record(engine, ws), record), KIND)[0]


def check_problems(engine: Engine, ws: Workspace, path: Path) -> tuple[list[Problem], Inputs]:
    """What ``docgen check PATH`` in the workspace reports (cli.check without --form): the
    profile loaded from its file as the command line loads it, every pack it is checked for,
    then the register's problems when there is no error."""
    inputs = engine.load_inputs(KIND, path, ws.org_path)
    return check_all(engine, inputs, KIND, ws), inputs


def _titles() -> dict[str, str]:
    """The parts' titles (``titles`` of templates/parts.html, with the page's other wording)."""
    return dict(current_app.jinja_env.get_template("parts.html").module.titles)  # type: ignore[attr-defined]


def _choice_labels(engine: Engine) -> dict[str, str]:
    """What a choice means, where wording.toml words it (the cases of ``not_counted[].category``)."""
    return {k: v for k, v in engine.library.wording.get("not_counted", {}).items() if isinstance(v, str)}


def _stored_profile(engine: Engine, ws: Workspace, dossier_id: str) -> dict | None:
    """A dossier filed without the web form (``docgen admission-dossier`` elsewhere): the
    profile its papers were last made from, as the workspace stored it."""
    for x in list_dossiers(engine, ws, date.today()):
        if x.id == dossier_id and x.subject == KIND:
            db = ws.connect()
            try:
                row = db.execute("SELECT profile FROM dossier WHERE id = ?", (dossier_id,)).fetchone()
            finally:
                db.close()
            return json.loads(row["profile"]) if row and row["profile"] else None
    return None


# -- pages ----------------------------------------------------------------------------------------------
@bp.get("/")
def index():
    st = web_state()
    with st.lock:
        listed = list_dossiers(st.engine, st.workspace, date.today())
        known = {x.id for x in listed}
        folder = st.workspace.root / PROFILES
        unfiled = [p.stem for p in sorted(folder.glob("*.json")) if p.stem not in known and _ID.match(p.stem)
                   and is_person_profile(st.engine, p)] if folder.is_dir() else []
    return render_template("dossiers.html", listed=listed, workspace=st.workspace.root, unfiled=unfiled)


@bp.get("/ho-so/moi")
def new():
    return _form_page(None, {}, [], checked=False)


@bp.get("/ho-so/<dossier_id>")
def edit(dossier_id: str):
    st = web_state()
    path = profile_path(st.workspace, dossier_id)
    with st.lock:
        if path.is_file() and not is_person_profile(st.engine, path):
            term = TERM_FILE.fullmatch(path.name)
            if term:  # the congress file: its own page
                return redirect(url_for("congress.edit", term=f"{term.group(1)}-{term.group(2)}"))
            abort(404)
        if not path.is_file():
            data = _stored_profile(st.engine, st.workspace, dossier_id)
            if data is None:
                abort(404)
            flash("Hồ sơ này được tạo bằng dòng lệnh: biểu mẫu hiện dữ liệu lần tạo văn bản gần nhất. Bấm “Lưu và "
                  f"kiểm tra” để lưu thành {PROFILES}/{dossier_id}.json.", "info")
            return _form_page(dossier_id, data, [], checked=False)
        try:
            data = st.engine.read_json(path)
            problems, _ = check_problems(st.engine, st.workspace, path)
        except InputFileError as exc:  # the file was edited by hand into something unreadable
            return _form_page(dossier_id, {}, [], checked=False, file_error=str(exc))
    return _form_page(dossier_id, data if isinstance(data, dict) else {}, problems, checked=True)


@bp.post("/ho-so/moi")
def save_new():
    return _save(None)


@bp.post("/ho-so/<dossier_id>")
def save(dossier_id: str):
    profile_path(web_state().workspace, dossier_id)
    return _save(dossier_id)


def _save(dossier_id: str | None):
    """"Lưu và kiểm tra", or add/remove a list item (the form shown again, not saved yet)."""
    st = web_state()
    action = request.form.get("action", "save")
    form = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    if action.startswith(("add:", "remove:")):
        _, list_path, *index = action.split(":")
        if list_path not in pf.list_paths(st.engine, KIND):
            abort(400)  # only a list of the form has items to add or remove (never a crafted path)
        posted = _parse(form, keep_blank_items=True)
        data = posted.data
        if action.startswith("add:") and not pf.add_item(data, list_path):
            flash(f"Không thêm được: trong tệp hồ sơ, {list_path} không phải một danh sách (giá trị đó được giữ "
                  "nguyên, xem cảnh báo bên dưới).", "error")
        elif action.startswith("remove:") and index and index[0].isdigit():
            pf.remove_item(data, list_path, int(index[0]))
        _flash_kept(posted)
        flash("Chưa lưu: bấm “Lưu và kiểm tra” để lưu thay đổi.", "info")
        return _form_page(dossier_id, data, [], checked=False)
    if action != "save":
        abort(400)
    posted = _parse(form, drop_kept=request.form.get(DROP_KEPT) == "1")
    data = posted.data
    _flash_kept(posted)
    with st.lock:
        if dossier_id is not None:  # notes at the top of the file (``_why``) are kept as they were
            old = profile_path(st.workspace, dossier_id)
            if old.is_file():
                try:
                    before = st.engine.read_json(old)
                except InputFileError:
                    before = {}
                prefix = st.engine.library.registry.note_prefix
                if isinstance(before, dict) and prefix:
                    data = {**{k: v for k, v in before.items() if k.startswith(prefix)}, **data}
        new_id = profile_id(st.engine, st.workspace, data)
        if new_id is None:
            flash("Chưa lưu: cần “Họ và tên người vào Đảng” (candidate.full_name) hoặc “Mã hồ sơ” (candidate.id) "
                  "để đặt tên tệp hồ sơ.", "error")
            return _form_page(dossier_id, data, [], checked=False, need_name=True)
        target = profile_path(st.workspace, new_id)
        if target.is_file() and not is_person_profile(st.engine, target):
            flash(f"Chưa lưu: {PROFILES}/{new_id}.json là tệp khác (tệp đại hội chi bộ hay tệp tổ chức), không phải "
                  "hồ sơ người vào Đảng, nên docgen không ghi đè. Hãy ghi “Mã hồ sơ” (candidate.id) khác cho người "
                  "này.", "error")
            return _form_page(dossier_id, data, [], checked=False)
        if new_id != dossier_id and target.is_file():
            # another profile already has this id (the same name and date of birth): never written over
            flash(f"Chưa lưu: đã có hồ sơ {new_id} ({PROFILES}/{new_id}.json) cùng họ tên và ngày sinh. Nếu là "
                  "cùng một người, hãy mở hồ sơ đó để sửa; nếu là người khác, hãy ghi “Mã hồ sơ” (candidate.id) "
                  "riêng cho người này.", "error")
            return _form_page(dossier_id, data, [], checked=False)
        path = save_profile(st.workspace, new_id, data)
    flash(f"Đã lưu {PROFILES}/{path.name}.", "ok")
    if dossier_id is not None and new_id != dossier_id:
        flash(f"Mã hồ sơ đổi từ {dossier_id} thành {new_id} (theo họ tên, ngày sinh hay mã hồ sơ). Tệp cũ "
              f"{PROFILES}/{dossier_id}.json vẫn còn; xóa nó nếu không dùng nữa.", "info")
    return redirect(url_for("dossiers.edit", dossier_id=new_id))


def _parse(form: dict[str, str], **options: bool) -> pf.Posted:
    try:
        return pf.parse(web_state().engine, KIND, form, **options)
    except pf.FormRefused:
        abort(400)  # a kept value the page did not write


def _flash_kept(posted: pf.Posted) -> None:
    """What became of the values the form has no input for, when not simply kept."""
    if posted.replaced:
        flash("Giá trị cũ trong tệp (biểu mẫu không hiện được) đã được thay bằng giá trị vừa nhập: "
              + ", ".join(posted.replaced) + ".", "info")
    if posted.dropped:
        flash("Đã bỏ khỏi hồ sơ, theo yêu cầu, các giá trị biểu mẫu không hiện được: " + ", ".join(posted.dropped)
              + ".", "info")


def _form_page(dossier_id: str | None, data: dict, problems: list[Problem], *, checked: bool,
               file_error: str = "", need_name: bool = False, status: int = 200, refused: str = "",
               force_target: str = ""):
    st = web_state()
    parts = pf.build(st.engine, KIND, data, _titles())
    top = pf.attach(parts, problems)
    kept = pf.unshown(st.engine, KIND, data)
    prefix = st.engine.library.registry.note_prefix
    view = papers = None
    status_lines: list[str] = []
    if dossier_id is not None:
        with st.lock:
            try:
                view = dossier_view(st.engine, st.workspace, dossier_id, date.today())
            except DossierArgumentError:
                view = None  # saved, no paper made yet
            else:  # the stage and the next deadline as `docgen dossier show` words them
                lines = show_lines(st.engine, view)
                status_lines = lines[2:lines.index("")] if "" in lines else lines[2:]
            if checked:
                inputs = st.engine.load_inputs(KIND, profile_path(st.workspace, dossier_id), st.workspace.org_path)
                papers = st.engine.pack_forms(inputs, st.engine.pack_of(KIND))
    texts = st.engine.library.later("register.toml")["texts"]
    n_err = len(errors(problems))
    return render_template(
        "dossier.html", dossier_id=dossier_id, parts=parts, top=top, checked=checked, n_err=n_err,
        n_warn=len(problems) - n_err, view=view, papers=papers, states=texts, file_error=file_error,
        need_name=need_name, refused=refused, choice_labels=_choice_labels(st.engine),
        pack_id=st.engine.pack_of(KIND), profiles=PROFILES, status_lines=status_lines,
        force_target=force_target, kept=kept, unshown=[k.name for k in kept if not k.note(prefix)],
        drop_kept=DROP_KEPT), status


# -- making papers --------------------------------------------------------------------------------------
@bp.post("/ho-so/<dossier_id>/tao")
def generate(dossier_id: str):
    """One paper (a form of the pack) or the whole dossier, filed in the workspace as
    ``docgen <target> du-lieu/<id>.json`` does there; refused with the problems while errors remain."""
    st = web_state()
    path = profile_path(st.workspace, dossier_id)
    if not path.is_file():
        abort(404)
    target = request.form.get("target", "")
    force = request.form.get("force") == "1"
    eng = st.engine
    pack_id = eng.pack_of(KIND)
    with st.lock:
        problems, inputs = check_problems(eng, st.workspace, path)
        allowed = {pack_id} | {f.id for f in eng.pack_forms(inputs, pack_id)}
        if target not in allowed:
            abort(400)
        forms = eng.pack_forms(inputs, pack_id) if target == pack_id else [eng.library.get(target)]
        try:
            require_known_names(eng, eng.target_forms(target, inputs))
            eng.require_valid(forms, inputs)
            filed = file_papers(eng, st.workspace, target, inputs, ("docx", "pdf"), force=force)
        except InputError as exc:
            data = eng.read_json(path)
            return _form_page(dossier_id, data, exc.problems, checked=True, status=422,
                              refused="Chưa tạo văn bản: hồ sơ còn lỗi. Sửa các lỗi dưới đây, lưu, rồi tạo lại.")
        except EditedOutputError as exc:
            data = eng.read_json(path)
            return _form_page(dossier_id, data, problems, checked=True, status=409, refused=(
                f"Không ghi đè: {exc} Nếu muốn tạo lại, bấm “Tạo lại, giữ tệp đã sửa” — tệp đã sửa được giữ "
                "bên cạnh với tên …~1."), force_target=target)
        except OutputError as exc:
            data = eng.read_json(path)
            return _form_page(dossier_id, data, problems, checked=True, status=409, refused=f"Không ghi được: {exc}")
    for line in filed.numbers:
        flash(f"Đã đăng ký {line}", "ok")
    for line in filed.kept:
        flash(f"Giữ tệp cũ đã sửa: {line}", "info")
    flash(f"Đã tạo {len(filed.paths)} tệp trong hồ sơ {filed.dossier}.", "ok")
    return redirect(url_for("dossiers.edit", dossier_id=dossier_id) + "#giay-to")


@bp.get("/ho-so/<dossier_id>/tep/<path:name>")
def download(dossier_id: str, name: str):
    """A file of the dossier's folder, as a download, or inline (``?xem=1``: the PDF preview)."""
    st = web_state()
    profile_path(st.workspace, dossier_id)  # the id is a slug
    folder = st.workspace.dossier_dir(dossier_id).resolve()
    target = (folder / name).resolve()
    if folder not in target.parents or not target.is_file():
        abort(404)
    inline = request.args.get("xem") == "1" and target.suffix.lower() == ".pdf"
    return send_file(target, as_attachment=not inline, download_name=target.name)


@bp.get("/ho-so/<dossier_id>/<zip_id>.zip")
def export_zip(dossier_id: str, zip_id: str):
    """The zip ``docgen dossier export ID -o DIR`` writes, as a download."""
    st = web_state()
    if zip_id != dossier_id:
        abort(404)
    profile_path(st.workspace, dossier_id)
    with st.lock, tempfile.TemporaryDirectory(prefix="docgen-xuat-") as tmp:
        target, _ = export(st.engine, st.workspace, dossier_id, Path(tmp), date.today())
        data = target.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{dossier_id}.zip",
                     mimetype="application/zip")


# -- the register -------------------------------------------------------------------------------------
@bp.get("/so-dang-ky")
def register():
    st = web_state()
    with st.lock:
        rows, labels = register_rows(st.engine, st.workspace)
    return render_template("register.html", rows=rows, labels=labels)


@bp.get("/so-dang-ky/so-dang-ky.xlsx")
def register_xlsx():
    """The register as ``docgen register --export so-dang-ky.xlsx`` writes it, downloaded."""
    st = web_state()
    with st.lock, tempfile.TemporaryDirectory(prefix="docgen-so-") as tmp:
        rows, _ = register_rows(st.engine, st.workspace)
        target = Path(tmp) / "so-dang-ky.xlsx"
        export_register(st.engine, rows, target)
        data = target.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name="so-dang-ky.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

