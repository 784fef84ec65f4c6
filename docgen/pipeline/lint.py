"""``docgen forms lint``: every problem of a forms folder — its data files, its templates, the
names each template reads — one line each.

The data files are the load stage's (and the check stage's rules.toml, which the engine has
the library read with them); the templates are compiled by the render stage; the names a
template may read are those of the context the context stage builds for its form.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Iterator

from jinja2 import nodes

from ..context import build_context
from ..errors import FormError
from ..load.fields import Registry
from ..load.forms import FormLibrary, FormSpec
from ..load.model import Inputs, Record
from ..render.docx import TemplateTagError, compiled, template_parts
from .engine import Engine


def lint_forms(engine: Engine) -> Iterator[str]:
    """The lines of ``docgen forms lint``: every problem of every data file; then, for each
    form's template, whether it opens and compiles (each tag that does not, with its part), how
    it is filled, what the PDF cannot draw, and each name it reads that its context does not
    have. Raises :class:`FormError` summing up, after the last line, when anything is wrong."""
    library = engine.library
    # every problem of every data file, one line each; the forms that could be read are still
    # checked below, so that one run names everything
    data_problems, readable = library.survey()
    for problem in data_problems:
        yield str(problem)
    broken = []
    unknown: dict[str, int] = {}
    for folder in library.form_folders():
        # None: its form.toml is broken (named above); its template is checked all the same
        f = readable.get(folder.name)
        template = folder / "template.docx"
        if not template.is_file():
            continue  # named above
        try:
            tpl = compiled(template)
        except TemplateTagError as exc:
            broken.append(folder.name)
            yield f"{folder.name}: có thẻ không biên dịch được"
            for part, tag, message in exc.problems:
                yield f"    {part}: {tag}  ({message})"
            continue
        except FormError as exc:
            broken.append(folder.name)
            yield f"{folder.name}: {exc}"
            continue
        from ..render.pdf import unsupported_features  # here: a DOCX-only run needs no PDF renderer

        missing = unsupported_features(template.read_bytes())
        note = f"; PDF không dựng lại: {', '.join(missing)}" if missing else "; PDF: đủ"
        if tpl.render_path == "compiled":
            parsed = tpl.parsed_parts
            note = (f"; XML phân tích lại mỗi bản: {', '.join(parsed)}" if parsed else "; XML kiểm theo khuôn") + note
        else:
            note = f" ({tpl.fallback_reason})" + note
        yield f"{folder.name}: {tpl.render_path}{note}"
        if data_problems or f is None:
            continue  # the names a template may use come from the data files: checked once they are right
        try:
            names = unknown_names(library, f)
        except Exception as exc:  # the context of a made-up input could not be built: say so, go on
            yield f"    chưa kiểm được tên biến của mẫu này ({type(exc).__name__}: {exc})"
            continue
        for part, name, guess in names:
            unknown[f.id] = unknown.get(f.id, 0) + 1
            hint = f"; có phải {{{{ {guess} }}}}?" if guess else ""
            yield f"    {part}: {{{{ {name} }}}} không có trong danh mục trường hay ngữ cảnh điền mẫu{hint}"
    if data_problems:
        yield "Chưa kiểm tên biến trong các mẫu: hãy sửa các lỗi tệp dữ liệu ở trên trước."
    summary = []
    if data_problems:
        summary.append(f"{len(data_problems)} lỗi trong tệp dữ liệu của các mẫu")
    if broken:
        summary.append(f"{len(broken)} mẫu không dùng được: {', '.join(broken)}")
    if unknown:
        summary.append(f"{sum(unknown.values())} tên biến không biết trong mẫu: {', '.join(unknown)}")
    if summary:
        raise FormError("; ".join(summary))


def require_known_names(engine: Engine, forms) -> None:
    """Before a command fills the user's own templates (``--forms-dir``): a variable that no
    context has (``{{ candidate.full_nme }}``) is the template's fault, so it is one
    :class:`FormError` (exit 4) naming the form, its template, the tag and the closest name,
    rather than a failure of every profile. docgen's own templates are checked by its tests."""
    library = engine.library
    lines = []
    for form in forms:
        if library.origin(form) != "riêng":
            continue
        compiled(form.template)  # a tag the sandbox refuses is named by it first (exit 4)
        for part, name, guess in unknown_names(library, form):
            hint = f"; có phải {{{{ {guess} }}}}?" if guess else ""
            lines.append(f"  {form.template} ({part}): {{{{ {name} }}}} không có trong dữ liệu điền mẫu "
                         f"{form.id}{hint}")
    if lines:
        raise FormError(f"Mẫu riêng có {len(lines)} tên biến không có trong dữ liệu điền mẫu:\n" + "\n".join(lines)
                        + "\nHãy sửa mẫu trong Word (docgen forms lint kiểm tra cả thư mục mẫu) rồi chạy lại.")


# -- the names a template may use ---------------------------------------------------------------------
# A template reads its context: what the context stage (docgen/context/) builds for its form, which holds the
# input fields under their own names and the values it formats from them (``full_name_upper``,
# ``date_of_birth.long``, ``doc.number``). ``docgen forms lint`` names every variable of a
# template that the context of its form does not have, with the closest name it does.
_SAMPLE_DATE = date(2026, 1, 15)
_DICT_METHODS = frozenset({"get", "items", "keys", "values"})


def _sample_value(f) -> object:
    """A value of field ``f`` within its bounds, to build a context the shape of a real one."""
    if f.type in ("text", "name"):
        return f.example or ("Nguyễn Văn An" if f.type == "name" else "Văn bản")
    if f.type == "date":
        return min(max(_SAMPLE_DATE, f.min), f.max).isoformat()
    if f.type == "int":
        return min(max(1, f.min), f.max)
    if f.type == "bool":
        return True
    if f.type == "choice":
        return f.choices[0] if f.choices else ""
    if f.type == "text_list":
        return ["Văn bản"]
    return []  # a list: its item takes the fields under it


def _sample_record(registry: Registry, kind: str) -> dict:
    """An input of ``kind`` with every field of the registry filled, each list with one item."""
    data: dict = {}
    for f in sorted(registry.for_input(kind), key=lambda f: f.path.count(".") + f.path.count("[]")):
        node = data
        parts = f.path.split(".")
        for part in parts[:-1]:
            if part.endswith("[]"):
                items = node.setdefault(part[:-2], [])
                if not items:
                    items.append({})
                node = items[0]
            else:
                node = node.setdefault(part, {})
        last = parts[-1]
        if last.endswith("[]"):
            last = last[:-2]
        value = _sample_value(f)
        if isinstance(node, dict) and not (isinstance(value, list) and last in node):
            node[last] = [{}] if f.type == "list" else value
    return data


def context_shape(library: FormLibrary, form: FormSpec) -> dict:
    """The render context of ``form`` for an input with every field filled: what its template
    may read. Built by the context stage itself, so a value the builder adds is known too."""
    registry = library.registry
    inputs = Inputs({"org": Record("org", _sample_record(registry, "org")),
                     form.subject: Record(form.subject, _sample_record(registry, form.subject))})
    return build_context(form, inputs, library, 0 if form.each else None)


def _paths(value, prefix: str = "") -> set[str]:
    """Every name of a context: ``candidate``, ``candidate.full_name``, ``introducers[].full_name`` …"""
    out = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= _paths(item, path)
    elif isinstance(value, list) and value:
        out |= _paths(value[0], prefix + "[]")
    return out


def _text(segments) -> str:
    return "".join(s if s == "[]" else (f".{s}" if i else s) for i, s in enumerate(segments))


def unknown_names(library: FormLibrary, form: FormSpec) -> list[tuple[str, str, str]]:
    """``(part, name as the template writes it, closest known name or "")`` for each variable of
    the form's template that its context does not have (``candidate.full_nme``). A name under
    ``is defined`` or ``|default`` may be missing and is not reported; nor is anything read
    through a value whose shape is not known (a ``{% set %}`` of an expression, a method)."""
    shape = context_shape(library, form)
    known = _paths(shape)
    found: list[tuple[str, str, str]] = []
    for part, tree in template_parts(form.template):
        seen: set[str] = set()
        for written, resolved, alias in _references(tree):
            bad = _unknown_at(shape, resolved)
            if bad is None:
                continue
            # the name as written, up to the key that is not known
            cut = len(written) - (len(resolved) - bad - 1)
            name = _text(written[:cut])
            if name in seen:
                continue
            seen.add(name)
            guess = _guess(_text(resolved[:bad + 1]), known)
            if guess and alias and guess.startswith(alias[1]):
                guess = alias[0] + guess[len(alias[1]):]
            found.append((part, name, guess))
    return found


def _guess(name: str, known: set[str]) -> str:
    depth = name.count(".") + name.count("[]")
    same = [k for k in known if k.count(".") + k.count("[]") == depth]
    match = difflib.get_close_matches(name, same, n=1, cutoff=0.6) or difflib.get_close_matches(name, known, n=1,
                                                                                                   cutoff=0.6)
    return match[0] if match else ""


def _unknown_at(shape: dict, path: tuple[str, ...]) -> int | None:
    """Index of the first key of ``path`` that the context does not have, or None."""
    node: object = shape
    for i, seg in enumerate(path):
        if seg == "?":
            return None
        if isinstance(node, dict):
            if seg in node:
                node = node[seg]
            elif seg in _DICT_METHODS:
                return None
            else:
                return i
        elif isinstance(node, list) and seg == "[]" and node:
            node = node[0]
        else:
            return None  # a text, a number, an empty list, None: nothing more is known
    return None


def _references(tree) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, str] | None]]:
    """Each variable a template reads: ``(as written, as a context path, alias)``. A loop
    variable or a ``{% set %}`` name stands for the path it was given (``introducers[]``);
    ``alias`` is then ``(its name, that path as text)``."""
    out: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, str] | None]] = []

    def chain(node):
        """``(name node, segments)`` of ``a.b['c'][0]``, or ``(None, ())``; visits the other parts."""
        segs: list[str] = []
        while True:
            if isinstance(node, nodes.Getattr):
                segs.append(node.attr)
                node = node.node
            elif isinstance(node, nodes.Getitem):
                arg = node.arg
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    segs.append(arg.value)
                elif isinstance(arg, nodes.Const) and isinstance(arg.value, int) and not isinstance(arg.value, bool):
                    segs.append("[]")
                else:
                    segs.append("?")
                    visit(arg, scope_stack[-1])
                node = node.node
            elif isinstance(node, nodes.Name):
                return node, tuple(reversed(segs))
            else:
                visit(node, scope_stack[-1])
                return None, ()

    def resolve(node, scope) -> tuple | None:
        """The context path of an expression, when it is a plain chain of names."""
        name, segs = chain(node) if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)) else (None, ())
        if name is None:
            return None
        if name.name in scope:
            base = scope[name.name]
            return None if base is None else base[0] + segs
        return (name.name,) + segs

    def bind(target, path, scope) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = None if path is None else (path, target.name)
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                bind(item, None, scope)

    def use(node, scope) -> None:
        name, segs = chain(node)
        if name is None or name.ctx != "load":
            return
        if name.name in scope:
            base = scope[name.name]
            if base is None:
                return
            out.append(((name.name,) + segs, base[0] + segs, (name.name, _text(base[0]))))
        else:
            out.append(((name.name,) + segs, (name.name,) + segs, None))

    scope_stack: list[dict] = [{}]

    def visit(node, scope) -> None:
        scope_stack.append(scope)
        try:
            _visit(node, scope)
        finally:
            scope_stack.pop()

    def _visit(node, scope) -> None:
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            inner = dict(scope)
            path = (resolve(node.iter, scope) if isinstance(node.iter, (nodes.Name, nodes.Getattr, nodes.Getitem))
                    else None)
            bind(node.target, None if path is None else path + ("[]",), inner)
            inner["loop"] = None
            if node.test is not None:
                visit(node.test, inner)
            for child in node.body:
                visit(child, inner)
            for child in node.else_:
                visit(child, scope)
        elif isinstance(node, nodes.Assign):
            visit(node.node, scope)
            if (isinstance(node.target, nodes.Name)
                    and isinstance(node.node, (nodes.Name, nodes.Getattr, nodes.Getitem))):
                bind(node.target, resolve(node.node, scope), scope)
            else:
                bind(node.target, None, scope)
        elif isinstance(node, nodes.AssignBlock):
            for child in node.body:
                visit(child, scope)
            bind(node.target, None, scope)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope, caller=None, varargs=None, kwargs=None)
            for arg in node.args:
                bind(arg, None, inner)
            for default in node.defaults:
                visit(default, scope)
            if isinstance(node, nodes.CallBlock):
                visit(node.call, scope)
            else:
                scope[node.name] = None
            for child in node.body:
                visit(child, inner)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=True):
                visit(value, scope)
                bind(target, resolve(value, scope) if isinstance(value, (nodes.Name, nodes.Getattr, nodes.Getitem))
                     else None, inner)
            for child in node.body:
                visit(child, inner)
        elif isinstance(node, nodes.Test) and node.name in ("defined", "undefined"):
            for child in list(node.args) + [kw.value for kw in node.kwargs]:
                visit(child, scope)
        elif isinstance(node, nodes.Filter) and node.name in ("default", "d"):
            if node.node is not None and not isinstance(node.node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
                visit(node.node, scope)
            for child in list(node.args) + [kw.value for kw in node.kwargs]:
                visit(child, scope)
        elif isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            use(node, scope)
        else:
            for child in node.iter_child_nodes():
                visit(child, scope)

    visit(tree, {})
    return out
