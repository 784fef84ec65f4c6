"""Web app: the congress page ``/dai-hoi`` — the congress file as a form generated from the field
registry, its arithmetic shown live, its problems beside their fields, and its pack made.

The form is the registry's congress fields, in ``fields.toml`` order: a text box, a number box
(plain text, so that a mistyped number reaches the check and is named instead of being dropped
by the browser), a date picker, a select for a choice, a text area (one line per item) for a
list of texts, and a table (or, when its items hold lists themselves, a card per item) for a
list of objects. Each input is named by its JSON path (``congress.elections[0].candidates[2].votes``),
so the posted form is the congress file; rows added in the browser take any free index, and
:func:`form_data` puts them back in order, remembering where each came from so that a problem
finds its field again.

The arithmetic is the context builder's: the JSON endpoint (``…/tinh``) checks the posted form
as ``docgen check`` does and builds the congress context as a paper would, and the page only
shows what it returns. The file is saved where the CLI reads it: one file per congress term,
``<workspace>/du-lieu/dai-hoi-<năm đầu>-<năm cuối>.json``.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from ..errors import DocgenError, EditedOutputError, InputError, OutputError, Problem
from ..pipeline import Engine, Inputs, Workspace, errors, write_files
from ..pipeline.filing import check_problems, dossier_identity, file_papers
from ..pipeline.lint import require_known_names
from .state import web_state

bp = Blueprint("congress", __name__, url_prefix="/dai-hoi")

KIND = "congress"
FOLDER = "du-lieu"
TERM_FILE = re.compile(r"dai-hoi-(\d{4})-(\d{4})\.json")
TERM_SLUG = re.compile(r"\d{4}-\d{4}")
SEVERITY_VI = {"error": "LỖI", "warning": "CẢNH BÁO"}
# an input's name: keys joined by ".", a list's item marked by its index
_NAME = re.compile(r"[a-z_][a-z0-9_]*(?:\[\d{1,6}\])?(?:\.[a-z_][a-z0-9_]*(?:\[\d{1,6}\])?)*")
_PART = re.compile(r"([a-z_][a-z0-9_]*)(?:\[(\d+)\])?")
_INT = re.compile(r"-?\d{1,20}")
_ALL_INDICES = re.compile(r"\[\d+\]")


# -- the form, generated from the registry ---------------------------------------------------------
@dataclass
class Node:
    """A field or a group of fields of the congress file, with what is under it."""

    key: str
    path: str                      # generic: "congress.elections[].seats"
    field: Any = None              # the registry's Field, or None for a group
    children: list["Node"] = dc_field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return self.field is not None and self.field.type == "list"

    @property
    def is_table(self) -> bool:
        """A list whose items hold no list or group: one table row per item."""
        return self.is_list and all(c.field is not None and c.field.type != "list" for c in self.children)

    def item_path(self) -> str:
        return self.path + "[]"


def form_tree(engine: Engine) -> Node:
    """The congress fields of the registry as a tree, in the order of ``fields.toml``."""
    root = Node("", "")
    for f in engine.library.registry.for_input(KIND):
        node = root
        for part in f.path.split("."):
            key = part.removesuffix("[]")
            child = next((c for c in node.children if c.key == key), None)
            if child is None:
                prefix = node.item_path() if node.is_list else node.path
                child = Node(key, f"{prefix}.{key}" if prefix else key)
                node.children.append(child)
            node = child
        node.field = f
    return root


def generic(path: str) -> str:
    return _ALL_INDICES.sub("[]", path)


def value_at(data: Any, path: str) -> Any:
    """The value at a concrete path (``congress.elections[1].seats``), or None."""
    for key, index in _PART.findall(path):
        data = data.get(key) if isinstance(data, dict) else None
        if index:
            data = data[int(index)] if isinstance(data, list) and int(index) < len(data) else None
    return data


def shown_value(value: Any, f: Any) -> str:
    """What an input box shows for a value of the file."""
    if value is None:
        return ""
    if f.type == "text_list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def items_of(data: Any, path: str) -> int:
    """How many items the list at ``path`` holds (rows to show)."""
    value = value_at(data, path)
    return len(value) if isinstance(value, list) else 0


def choice_words(engine: Engine) -> dict[str, str]:
    """The Vietnamese words of the choices stored as English codes (an absentee's status and
    case), as the papers print them (congress.toml's [absent], wording.toml's [not_counted])."""
    words = {k: v for k, v in engine.library.congress_conf.get("absent", {}).items() if k != "item"}
    words.update({k: v for k, v in engine.library.wording.get("not_counted", {}).items()
                  if isinstance(v, str) and "{" not in v})
    return words


def slots(tree: Node, data: Any) -> set[str]:
    """Every concrete path the form shows for ``data``: fields, lists and list items; a problem
    goes beside the nearest of them."""
    out: set[str] = set()

    def walk(node: Node, cpath: str) -> None:
        out.add(cpath)
        if node.is_list:
            for i in range(items_of(data, cpath)):
                out.add(f"{cpath}[{i}]")
                for c in node.children:
                    walk(c, f"{cpath}[{i}].{c.key}")
        else:
            for c in node.children:
                walk(c, f"{cpath}.{c.key}" if cpath else c.key)

    for c in tree.children:
        walk(c, c.key)
    return out


def place(path: str, shown: set[str]) -> str:
    """The slot of a problem at ``path``: the path itself, else the nearest enclosing one shown;
    "" (the page's general list) when none is."""
    while path:
        if path in shown:
            return path
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return ""


# -- the posted form → the congress file ---------------------------------------------------------
class FormRefused(Exception):
    """Raised when a posted form has an input name that no form of this page makes."""


@dataclass
class Posted:
    """The congress file made from a posted form, and where each list item came from: a compact
    item path (``congress.elections[0]``) → the input name's (``congress.elections[5]``)."""

    data: dict
    origin: dict[str, str]

    def input_path(self, path: str) -> str:
        """The input name of a path of :attr:`data` (rows the browser added have other indices)."""
        best = ""
        for compact in self.origin:
            if (path == compact or path.startswith(compact + ".") or path.startswith(compact + "[")) \
                    and len(compact) > len(best):
                best = compact
        return self.origin[best] + path[len(best):] if best else path


def _typed(text: str, f: Any) -> Any:
    """One input's text as the file holds it; None when empty. What cannot be read as the field's
    type stays as typed, for the check to name."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if f is not None and f.type == "text_list":
        lines = [line.strip() for line in text.split("\n")]
        return [line for line in lines if line] or None
    text = text.strip()
    if not text:
        return None
    if f is not None and f.type == "int" and _INT.fullmatch(text):
        return int(text)
    if f is not None and f.type == "bool" and text in ("true", "false"):
        return text == "true"
    return text


def form_data(engine: Engine, form: Any) -> Posted:
    """The congress file of a posted form (``form``: the request's MultiDict). Inputs left empty
    are left out, and so are rows with nothing in them."""
    registry = engine.library.registry
    tree: dict = {}
    node: Any
    for name in form:
        if name == "csrf_token" or name.startswith("_"):
            continue  # the page's own inputs (_term, _generate, _list)
        if not _NAME.fullmatch(name):
            raise FormRefused(name)
        f = registry.fields.get(generic(name))
        value = _typed(form.get(name, ""), f)
        if value is None:
            continue
        node = tree
        parts = _PART.findall(name)
        for i, (key, index) in enumerate(parts):
            last = i == len(parts) - 1
            if index:
                items = node.setdefault(key, {"\0list": {}})
                if not isinstance(items, dict) or "\0list" not in items:
                    raise FormRefused(name)
                node = items["\0list"].setdefault(int(index), {} if not last else None)
                if last:
                    items["\0list"][int(index)] = value
                    break
                if not isinstance(node, dict):
                    raise FormRefused(name)
            elif last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
                if not isinstance(node, dict) or "\0list" in node:
                    raise FormRefused(name)
    for name in form.getlist("_list"):
        # a list the file had: kept when every row is removed ("nobody was absent"), not dropped
        if not _NAME.fullmatch(name) or name.endswith("]"):
            raise FormRefused(name)
        node = tree
        parts = _PART.findall(name)
        for i, (key, index) in enumerate(parts):
            if i == len(parts) - 1:
                items = node.setdefault(key, {"\0list": {}})
                if isinstance(items, dict) and "\0list" in items:
                    items["\0keep"] = True
            elif index:
                items = node.setdefault(key, {"\0list": {}})
                node = items["\0list"].setdefault(int(index), {}) if isinstance(items, dict) and "\0list" in items \
                    else None
            else:
                node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise FormRefused(name)
    origin: dict[str, str] = {}

    def settle(node: Any, compact: str, given: str) -> Any:
        if not isinstance(node, dict):
            return node
        if "\0list" in node:
            out: list[Any] = []
            for index in sorted(node["\0list"]):
                item = settle(node["\0list"][index], f"{compact}[{len(out)}]", f"{given}[{index}]")
                if item not in (None, {}):
                    origin[f"{compact}[{len(out)}]"] = f"{given}[{index}]"
                    out.append(item)
            return out if out or node.get("\0keep") else None
        out_d = {}
        for key, value in node.items():
            settled = settle(value, f"{compact}.{key}" if compact else key, f"{given}.{key}" if given else key)
            if settled not in (None, {}):
                out_d[key] = settled
        return out_d

    data = settle(tree, "", "")
    return Posted(data if isinstance(data, dict) else {}, origin)


# -- checking and the arithmetic -----------------------------------------------------------------
@dataclass
class Checked:
    """A congress file checked as ``docgen check`` checks it, and its congress context's numbers."""

    problems: list[Problem]
    numbers: dict | None          # None when the numbers could not be worked out (see ``note``)
    inputs: Inputs


NUMBER_KEYS = ("members", "votes", "elections", "staff_total", "party_share", "admitted", "admission_target",
               "admission_pct")


def _without(data: dict, paths: set[str]) -> dict:
    """A copy of ``data`` without the values at ``paths`` (values of the wrong type or out of
    bounds: the papers are never made from them, and the numbers leave them out)."""
    out = copy.deepcopy(data)
    for path in sorted(paths, key=lambda p: -len(p)):
        parts = _PART.findall(path)
        node: Any = out
        for key, index in parts[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
            if index:
                node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        key, index = parts[-1]
        if not isinstance(node, dict):
            continue
        if index:
            items = node.get(key)
            if isinstance(items, list) and int(index) < len(items):
                items[int(index)] = {}
        else:
            node.pop(key, None)
    return out


def check_congress(engine: Engine, ws: Workspace, data: dict) -> Checked:
    """Every problem ``docgen check`` reports for this congress file in this workspace, and the
    numbers its papers would print (the members, the base and the majority, the show-of-hands
    votes, each election's tally and shares)."""
    org = engine.load(ws.org_path, "org")
    inputs = engine.inputs(org, engine.record(data, KIND))
    return Checked(check_problems(engine, inputs, KIND, ws), congress_numbers(engine, org, inputs), inputs)


def congress_numbers(engine: Engine, org: Any, inputs: Inputs) -> dict | None:
    """The numbers of the congress context, as a paper made now would print them; values the
    check found malformed are left out. None when even then the context cannot be built."""
    malformed = {path for kind, path in inputs.cache.get("malformed", set()) if kind == KIND}
    cleaned = engine.inputs(org, engine.record(_without(inputs[KIND].data, malformed), KIND))
    form = next((f for f in engine.library.forms.values() if f.subject == KIND), None)
    if form is None:
        return None
    try:
        ctx = engine.context(form, cleaned)
    except (ArithmeticError, ValueError, TypeError, KeyError, DocgenError):
        return None
    congress = ctx.get("congress", {})
    return {key: congress.get(key) for key in NUMBER_KEYS}


def problem_view(p: Problem) -> dict[str, str]:
    """A problem as the page shows it: in the words of ``docgen check``."""
    return {"severity": SEVERITY_VI.get(p.severity, p.severity), "level": p.severity, "rule": p.rule,
            "path": p.path or "-", "message": p.message}


def placed(problems: list[Problem], shown: set[str]) -> tuple[dict[str, list[dict]], list[dict]]:
    """The problems by slot (the field's path, or the nearest list or item shown), and those that
    have none (the organisation file's, or a path the form does not show)."""
    by_slot: dict[str, list[dict]] = {}
    general: list[dict] = []
    for p in problems:
        slot = place(p.path, shown) if p.path and p.input in (KIND, None, "") else ""
        (by_slot.setdefault(slot, []) if slot else general).append(problem_view(p))
    return by_slot, general


def summary(problems: list[Problem]) -> str:
    n_err = len(errors(problems))
    return f"{n_err} lỗi, {len(problems) - n_err} cảnh báo."


# -- files ----------------------------------------------------------------------------------------------
def data_dir(ws: Workspace) -> Path:
    return ws.root / FOLDER


def term_files(ws: Workspace) -> list[str]:
    """The congress files of the workspace (``2025-2030``), latest term first."""
    folder = data_dir(ws)
    found = [m.group(1) + "-" + m.group(2) for p in folder.glob("dai-hoi-*.json") if (m := TERM_FILE.fullmatch(p.name))]
    return sorted(found, reverse=True)


def term_path(ws: Workspace, term: str) -> Path:
    if not TERM_SLUG.fullmatch(term):
        abort(404)
    return data_dir(ws) / f"dai-hoi-{term}.json"


def term_of(data: dict) -> str | None:
    """``2025-2030`` from the file's term, when both years are there as numbers."""
    term = value_at(data, "congress.term")
    if not isinstance(term, dict):
        return None
    start, end = term.get("start"), term.get("end")
    if isinstance(start, int) and isinstance(end, int) and 1000 <= start <= 9999 and 1000 <= end <= 9999:
        return f"{start}-{end}"
    return None


def read_file(engine: Engine, path: Path) -> tuple[dict, list[Problem]]:
    """A saved congress file, read as the CLI reads it; a file that cannot be read is an empty
    form and its problems."""
    try:
        data = engine.read_json(path)
    except InputError as exc:
        return {}, exc.problems
    except DocgenError as exc:
        return {}, [Problem("input.file", "", "", str(exc))]
    return (data if isinstance(data, dict) else {}), []


def unshown(tree: Node, data: Any) -> list[str]:
    """Paths of the file that the form does not show, which saving from the form would drop
    (a key the registry does not know, an item that is not an object); top-level notes (``_``)
    are kept as they are."""
    out: list[str] = []

    def walk(node: Node, value: Any, cpath: str) -> None:
        if node.is_list:
            if not isinstance(value, list):
                out.append(cpath)
                return
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    out.append(f"{cpath}[{i}]")
                    continue
                known = {c.key: c for c in node.children}
                for key, sub in item.items():
                    if key in known:
                        walk(known[key], sub, f"{cpath}[{i}].{key}")
                    else:
                        out.append(f"{cpath}[{i}].{key}")
        elif node.field is None:
            if not isinstance(value, dict):
                out.append(cpath)
                return
            known = {c.key: c for c in node.children}
            for key, sub in value.items():
                if key in known:
                    walk(known[key], sub, f"{cpath}.{key}" if cpath else key)
                elif not (not cpath and key.startswith("_")):
                    out.append(f"{cpath}.{key}" if cpath else key)
        elif isinstance(value, (dict, list)) and node.field.type != "text_list":
            out.append(cpath)

    walk(tree, data, "")
    return out


def notes_of(data: dict) -> dict:
    """The top-level notes of a file (keys starting with ``_``), kept when the form saves it."""
    return {k: v for k, v in data.items() if isinstance(k, str) and k.startswith("_")}


def dossier_files(ws: Workspace, inputs: Inputs) -> tuple[str, list[str]]:
    """The congress's dossier and the papers in its folder (DOCX and PDF), for download."""
    dossier = dossier_identity(inputs, KIND)[0]
    folder = ws.dossier_dir(dossier)
    names = sorted(p.name for p in folder.glob("*") if p.is_file() and p.suffix in (".docx", ".pdf")) \
        if folder.is_dir() else []
    return dossier, names


# -- pages -------------------------------------------------------------------------------------------------
def _page(term: str | None, data: dict, read_problems: list[Problem], generated: list[str] | None = None,
          status: int = 200, offer_force: bool = False):
    state = web_state()
    engine, ws = state.engine, state.workspace
    tree = form_tree(engine)
    with state.lock:
        checked = check_congress(engine, ws, data)
        problems = read_problems + [p for p in checked.problems if p not in read_problems]
        dossier, files = dossier_files(ws, checked.inputs) if term else ("", [])
    by_slot, general = placed(problems, slots(tree, data))
    return render_template(
        "congress.html", tree=tree, data=data, term=term, terms=term_files(ws), by_slot=by_slot, general=general,
        summary=summary(problems), ok=not errors(problems), numbers=checked.numbers, words=choice_words(engine),
        value_at=value_at, shown_value=shown_value, items_of=items_of, help_of=lambda f: getattr(f, "help", ""),
        dropped=unshown(tree, data), files=files, dossier=dossier, generated=generated or [],
        file_name=f"{FOLDER}/dai-hoi-{term}.json" if term else "", offer_force=offer_force), status


@bp.get("/")
def index():
    """The latest term's congress, or a new one when the workspace has none."""
    terms = term_files(web_state().workspace)
    if terms:
        return redirect(url_for("congress.edit", term=terms[0]))
    return redirect(url_for("congress.new"))


@bp.get("/moi")
def new():
    return _page(None, {}, [])


@bp.get("/<term>")
def edit(term: str):
    state = web_state()
    path = term_path(state.workspace, term)
    if not path.is_file():
        abort(404)
    data, problems = read_file(state.engine, path)
    return _page(term, data, problems)


def _posted() -> Posted:
    try:
        return form_data(web_state().engine, request.form)
    except FormRefused as exc:
        abort(400, description=str(exc))


@bp.post("/tinh")
def live():
    """The posted form checked, and its numbers: what the page shows while the user types."""
    state = web_state()
    posted = _posted()
    tree = form_tree(state.engine)
    with state.lock:
        checked = check_congress(state.engine, state.workspace, posted.data)
    by_slot, general = placed(checked.problems, slots(tree, posted.data))
    return jsonify({
        "ok": not errors(checked.problems),
        "summary": summary(checked.problems),
        "numbers": checked.numbers,
        "numbers_html": render_template("congress_numbers.html", numbers=checked.numbers),
        "problems": {posted.input_path(slot): render_template("congress_problems.html", problems=found)
                     for slot, found in by_slot.items()},
        "general_html": render_template("congress_problems.html", problems=general),
    })


def _save(term_before: str | None) -> tuple[str | None, dict, str]:
    """Save the posted form; returns the term saved (None when it could not be), the data and a
    message."""
    ws = web_state().workspace
    posted = _posted()
    data = posted.data
    before = term_path(ws, term_before) if term_before else None
    if before is not None and before.is_file():
        old, _ = read_file(web_state().engine, before)
        data = {**notes_of(old), **data}
    term = term_of(data)
    if term is None:
        return None, data, ("Chưa lưu: cần Năm đầu nhiệm kỳ và Năm cuối nhiệm kỳ (congress.term.start, "
                            "congress.term.end) để đặt tên tệp du-lieu/dai-hoi-<năm đầu>-<năm cuối>.json.")
    target = term_path(ws, term)
    if term != term_before and target.is_file():
        return None, data, (f"Chưa lưu: đã có tệp {FOLDER}/{target.name} của nhiệm kỳ {term}. Hãy mở tệp đó "
                            "(danh sách nhiệm kỳ ở trên) hoặc sửa năm của nhiệm kỳ.")
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_files(data_dir(ws), [(target.name, text.encode("utf-8"))])
    message = f"Đã lưu {FOLDER}/{target.name}."
    if before is not None and term != term_before and before.is_file():
        before.unlink()
        message += f" (Tệp cũ {FOLDER}/{before.name} đã được đổi tên thành tệp này, vì nhiệm kỳ đã đổi.)"
    return term, data, message


@bp.post("/luu")
def save():
    term_before = request.form.get("_term") or None
    if term_before is not None and not TERM_SLUG.fullmatch(term_before):
        abort(400)
    term, data, message = _save(term_before)
    flash(message, "ok" if term else "error")
    if term is None:
        return _page(term_before, data, [], status=422)
    if request.form.get("_generate"):
        return _generate(term)
    return redirect(url_for("congress.edit", term=term))


def _generate(term: str, force: bool = False):
    """The congress pack made from the saved file, as ``docgen congress du-lieu/dai-hoi-….json``
    makes it in a workspace: checked, numbered in the register, filed in the congress's dossier.
    Nothing is written while the file has an error; a paper the user edited is never replaced
    unless asked (``force``, the button "Tạo lại, giữ tệp đã sửa"): then it is kept beside as ``…~1``."""
    state = web_state()
    engine, ws = state.engine, state.workspace
    path = term_path(ws, term)
    refused: list[Problem] = []
    edited = False
    with state.lock:
        try:
            inputs = engine.inputs(engine.load(ws.org_path, "org"), engine.load(path, KIND))
            forms = engine.pack_forms(inputs, "congress")
            require_known_names(engine, forms)
            engine.require_valid(forms, inputs)
            filed = file_papers(engine, ws, "congress", inputs, ("docx", "pdf"), force=force)
        except InputError as exc:
            flash("Chưa tạo văn bản nào: tệp đại hội còn lỗi. Hãy sửa các lỗi được nêu bên cạnh từng trường, "
                  "rồi tạo lại.", "error")
            refused = exc.problems
            filed = None
        except EditedOutputError as exc:
            lines = str(exc).split("\nHãy đổi tên")[0].replace("\n", " ").strip()   # not the CLI's --force advice
            flash(f"{lines}. Nếu muốn tạo lại, bấm “Tạo lại, giữ tệp đã sửa”: tệp đã sửa được giữ bên cạnh với "
                  "tên …~1.", "error")
            filed = None
            edited = True
        except OutputError as exc:
            flash(f"Không ghi được: {exc}", "error")
            filed = None
    data, problems = read_file(engine, path)
    if filed is None:
        return _page(term, data, problems + refused, status=422 if refused else 409, offer_force=edited)
    for line in filed.numbers:
        flash(f"Đã đăng ký {line}", "ok")
    for line in filed.kept:
        flash(f"Giữ tệp cũ đã sửa: {line}", "ok")
    flash(f"Đã tạo {len(filed.paths)} tệp trong hồ sơ {filed.dossier}.", "ok")
    return _page(term, data, problems, generated=[p.name for p in filed.paths])


@bp.post("/<term>/tao")
def generate(term: str):
    if not term_path(web_state().workspace, term).is_file():
        abort(404)
    return _generate(term, force=request.form.get("force") == "1")
