"""Base, shared by the stages: the one Jinja environment every template and data string runs in.

Jinja's ``SandboxedEnvironment`` already blocks ``__class__``/``__globals__`` escapes, but it
renders a blocked attribute as empty text, prints methods and objects with their memory
address, and lets a template allocate gigabytes (``'x'|center(999999999)``) or run nested loops
for hours. This subclass refuses undefined names and fails loudly on all of that. It is only
ever given plain data (str, int, bool, lists and dicts) as context.

What a template may do, and what it is refused (``LimitError``, a ``SecurityError``; the
render stage turns it into a :class:`~docgen.errors.FormError`, exit code 4, naming the form):

* **one value** — no filter, method, operator, ``~`` or list written in the template builds
  a text or list longer than ``MAX_VALUE`` (characters; items, counted through nested lists).
  Where the size is known beforehand (``*``, ``center``, ``indent``, ``format``, ``replace``,
  ``join``, ``wordwrap``, ``batch``…) it is checked before anything is built; a width, length
  or count argument larger than ``MAX_VALUE`` is refused as such, whatever the value. Integers
  stay under ``MAX_INT_BITS`` bits, exponents under ``MAX_POWER``;
* **one render** (a part of a DOCX, or a data string) — at most ``MAX_STEPS`` steps: a loop
  charges its body's nodes for every item before it starts, a filter, test, comparison or
  method a step and one for each item of a list it reads or builds. At most ``MAX_CHARS``
  characters printed or built in all (every ``{{ }}``, every literal a loop repeats, every
  text an operation reads or builds). Macros, ``caller`` and ``loop()`` cannot be called (only
  the methods in ``_SAFE_METHODS`` can), so a loop is the only thing that runs a piece of a
  template more than once. As a backstop for an operation that costs more than its count
  (``urlize`` or ``sort`` on 100,000 items), a render that has done some work reads the CPU
  clock and stops after ``MAX_SECONDS``. A render of a bundled form uses under 0.2 % of
  either count and never reads the clock;
* **compile time** — ``{% include %}``, ``{% import %}``, ``{% extends %}`` (docgen has no
  template loader), ``self``, recursive loops and attributes whose name starts with ``_``
  do not compile, so ``docgen forms lint`` names them with their tag;
* **printing** — a ``{{ }}`` or ``~`` whose value is a method, a function, an object of the
  template engine or an object without a text form of its own (it would print
  ``<… object at 0x…>``) is refused.

The limits are constants, not data: a forms folder is exactly what they guard against.

The checks sit where the work is (loops, filters, operators), so a template without them
pays only for its ``{{ }}``: one call each, which checks the type and counts the length.
Names of the context are looked up as dictionary keys first, the way Jinja finds them after
failing to find an attribute; that saves more than the checks cost.
"""

from __future__ import annotations

import hashlib
import operator
import re
from functools import lru_cache
from itertools import islice
from time import thread_time
from typing import Any, Callable

import jinja2
from jinja2 import StrictUndefined, Template, TemplateError, nodes, pass_context
from jinja2.bccache import FileSystemBytecodeCache
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, TemplateAssertionError, TemplateSyntaxError
from jinja2.filters import make_attrgetter
from jinja2.runtime import (
    BlockReference,
    Context,
    LoopContext,
    Macro,
    TemplateReference,
    Undefined,
    markup_join,
    str_join,
)
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from . import __version__, cache_dir
from .domain.vietnamese import sentence
from .errors import FormError

MAX_VALUE = 100_000  # longest text/list one operation may build; largest width, length or count argument
MAX_CHARS = 5_000_000  # characters one render may print and build in all
MAX_STEPS = 200_000  # template nodes one render may run inside loops
MAX_POWER = 64  # largest exponent of **
MAX_INT_BITS = 4_096  # largest integer ** or * may build
MAX_SECONDS = 0.25  # CPU time of one render (a backstop: an operation may cost more than its count)


class LimitError(SecurityError):
    """A template went past one of the limits above; the message names the filter, operator or tag."""


class BlockedAttributeError(TemplateAssertionError, SecurityError):
    """An attribute whose name starts with ``_``, refused when the template compiles."""


class DataTemplateError(FormError, TemplateError):
    """A data string (a legal-basis line, a rule's message) that does not render; names where it comes from."""


class DataSecurityError(DataTemplateError, SecurityError):
    """The same, when the sandbox refused it (a blocked attribute, a limit)."""


def _n(number: int) -> str:
    """A count written the Vietnamese way: 100.000."""
    return f"{number:,}".replace(",", ".")


# -- budget of one render ----------------------------------------------------------------------
class BudgetContext(Context):
    """Jinja's render context with the counters of one render (per DOCX part, per data string)."""

    docgen_steps = 0
    docgen_chars = 0
    docgen_clock = 0.0  # CPU time of the thread when the render's work first reached _CLOCK_EVERY
    docgen_next_clock = 0  # the work at which the clock is read next


_CLOCK_EVERY = 1_000  # the CPU clock is read each time this much work (steps + characters / 64) is done


def _charge(context: BudgetContext, steps: int, chars: int, what: str) -> None:
    s = context.docgen_steps + steps
    if s > MAX_STEPS:
        raise LimitError(f"{what}: mẫu chạy quá {_n(MAX_STEPS)} bước trong một lần điền (vòng lặp quá lớn hoặc lồng "
                         "nhau quá sâu)")
    c = context.docgen_chars + chars
    if c > MAX_CHARS:
        raise LimitError(f"{what}: mẫu in ra và tạo quá {_n(MAX_CHARS)} ký tự trong một lần điền")
    context.docgen_steps = s
    context.docgen_chars = c
    work = s + c // 64
    if work >= context.docgen_next_clock + _CLOCK_EVERY:  # a bundled form never gets here
        context.docgen_next_clock = work
        now = thread_time()
        if not context.docgen_clock:
            context.docgen_clock = now
        elif now - context.docgen_clock > MAX_SECONDS:
            raise LimitError(f"{what}: một lần điền mẫu đã chạy quá {MAX_SECONDS:g} giây")


def _size(value: Any, limit: int = MAX_VALUE) -> int:
    """Characters and items of a value: a text its length, a list or dict its items, each
    nested list or dict counted as an item and then through (a list that holds the same list
    twice counts it twice: that is what printing it costs). Stops counting past ``limit``,
    so it costs at most ``limit`` steps."""
    total = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v) if v is value else len(v) or 1  # an item counts, even an empty one
        elif isinstance(v, (list, tuple, set, frozenset)):
            total += v is not value
            stack.extend(v)
        elif isinstance(v, dict):
            total += v is not value
            stack.extend(v.keys())
            stack.extend(v.values())
        elif v is not value:
            total += 1
        if total > limit:
            return total
    return total


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 0


def _built(context: BudgetContext | None, what: str, result: Any) -> Any:
    """Check the size of a value an operation built, and charge the operation to the render:
    a step for the call, a step for each item of a list it built (Python works on each), the
    characters of a text it built."""
    n = _length(result)
    if n > MAX_VALUE:
        raise LimitError(f"{what}: kết quả dài {_n(n)}, vượt giới hạn {_n(MAX_VALUE)} ký tự hoặc phần tử")
    if context is not None:
        if isinstance(result, str):
            _charge(context, 1, n, what)
        else:
            _charge(context, 1 + n, 0, what)
    return result


def _too_big(what: str, size: int, unit: str = "ký tự") -> LimitError:
    return LimitError(f"{what}: sẽ tạo {_n(size)} {unit}, vượt giới hạn {_n(MAX_VALUE)}")


def _width(what: str, label: str, value: Any) -> None:
    if isinstance(value, int) and value > MAX_VALUE:
        raise LimitError(f"{what}: {label} {_n(value)} vượt giới hạn {_n(MAX_VALUE)}")


# -- what may be printed -----------------------------------------------------------------------
class _Method:
    """A method a template reached without calling it (``{{ name.upper }}``). Calling it works;
    printing it, joining it or putting it in a text is refused, since Python would write
    ``<built-in method upper of str object at 0x…>`` into the paper."""

    __slots__ = ("fn", "name")

    def __init__(self, fn, name):
        self.fn = fn
        self.name = name

    def __call__(self, *args, **kwargs):
        return _checked_call(None, self.fn, args, kwargs)

    def _refuse(self, *args, what: str = ""):
        raise SecurityError(f"{what + ': ' if what else ''}'{self.name}' là một phương thức: mẫu in nó ra mà "
                            f"không gọi (viết {self.name}() nếu cần gọi)")

    __str__ = __repr__ = __html__ = __format__ = _refuse


_ENGINE_OBJECTS = (TemplateReference, BlockReference, LoopContext, Macro, Context)
_PLAIN = frozenset([str, Markup, int, float, bool, type(None)])


def _refuse_unprintable(value: Any, what: str) -> None:
    """Raise unless ``value`` prints as text of its own: not a method or function, not an
    object of the template engine, not an object whose text is Python's ``<… at 0x…>``."""
    stack = [value]
    seen = 0
    while stack and seen <= MAX_VALUE:
        v = stack.pop()
        seen += 1
        t = type(v)
        if t in _PLAIN or isinstance(v, Undefined):  # an undefined value raises by itself
            continue
        if isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
            continue
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
            continue
        if isinstance(v, _Method):
            v._refuse(what=what)
        if isinstance(v, _ENGINE_OBJECTS):
            raise SecurityError(f"{what}: giá trị là đối tượng {t.__name__} của Jinja, không in ra được")
        if callable(v):
            raise SecurityError(f"{what}: giá trị là hàm hoặc phương thức "
                                f"{getattr(v, '__name__', t.__name__)}, không in ra được")
        if t.__str__ is object.__str__ and t.__repr__ is object.__repr__:
            raise SecurityError(f"{what}: giá trị là đối tượng {t.__name__} không có dạng chữ "
                                "(Python sẽ in địa chỉ bộ nhớ của nó)")


@pass_context
def _print(context, value, tag):
    """Every ``{{ }}`` of a template goes through here (one call, the only cost a template
    without loops or filters pays): plain values pass, their length counted."""
    t = type(value)
    if t is str or t is Markup:
        n = len(value)
    elif t is int or t is bool or t is float or value is None or isinstance(value, Undefined):
        return value
    else:
        _refuse_unprintable(value, tag)
        n = _size(value, MAX_CHARS) if isinstance(value, (list, tuple, dict, set, frozenset)) else len(str(value))
    n += context.docgen_chars
    if n > MAX_CHARS:
        raise LimitError(f"{tag}: mẫu in ra và tạo quá {_n(MAX_CHARS)} ký tự trong một lần điền")
    context.docgen_chars = n
    return value


@pass_context
def _loop(context, iterable, steps, chars, tag):
    """The iterable of a ``{% for %}``, charged before the loop starts: ``steps`` nodes and
    ``chars`` literal characters for each item. An iterable without a length (a generator
    from ``map`` or ``select``) is read up to what the budget still allows."""
    if type(steps) is not int or type(chars) is not int or steps < 1 or chars < 0:
        raise SecurityError("docgen_loop là bộ lọc nội bộ của docgen")  # reached through map('docgen_loop', …)
    try:
        n = len(iterable)
        counted = _n(n)
    except TypeError:
        allowed = max((MAX_STEPS - context.docgen_steps) // steps, 0)
        if chars:
            allowed = min(allowed, max((MAX_CHARS - context.docgen_chars) // chars, 0))
        iterable = list(islice(iter(iterable), allowed + 1))
        n = len(iterable)
        counted = _n(n) if n <= allowed else f"hơn {_n(allowed)}"
    _charge(context, n * steps, n * chars, f"vòng lặp {tag} ({counted} lượt)")
    return iterable


@pass_context
def _concat(context, items, tag):
    """``a ~ b``: each piece must print as text, and the whole is one value."""
    for item in items:
        if type(item) is not str:
            _refuse_unprintable(item, tag)
    join = markup_join if context.eval_ctx.autoescape else str_join
    return _built(context, tag, join(items))


@pass_context
def _literal(context, value, tag):
    """A list, tuple or dict written in the template (``[a, a]``), counted through nesting."""
    size = _size(value)
    if size > MAX_VALUE:
        raise _too_big(tag, size, "ký tự và phần tử")
    _charge(context, 0, size, tag)
    return value


@pass_context
def _weigh(context, value, tag):
    """An operand of a comparison (``==``, ``<``, ``in``…), charged by its size before Python
    compares it: ``'y' in long_list`` reads every item."""
    if isinstance(value, str):
        _charge(context, 1, len(value), tag)
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        _charge(context, 1 + len(value), 0, tag)
    return value


def _charge_arguments(context, what: str, values) -> None:
    steps, chars = 1, 0
    for v in values:
        if isinstance(v, str):
            chars += len(v)
        elif isinstance(v, (list, tuple, dict, set, frozenset)):
            steps += len(v)
    _charge(context, steps, chars, what)


# -- filters -------------------------------------------------------------------------------------
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _printf_widths(what: str, fmt: Any) -> None:
    """Refuse a printf-style format whose width or precision is huge or comes from an argument."""
    if not isinstance(fmt, str) or "%" not in fmt:
        return
    for m in _PRINTF.finditer(fmt):
        for part in m.groups():
            if part == "*":
                raise LimitError(f"{what}: độ rộng lấy từ tham số (%*) không được dùng")
            if part and (len(part) > 7 or int(part) > MAX_VALUE):
                raise LimitError(f"{what}: độ rộng {part} trong {m.group(0)!r} vượt giới hạn {_n(MAX_VALUE)}")


def _replace_size(what: str, s: Any, old: Any, new: Any, count: Any = None) -> None:
    s, old, new = str(s), str(old), str(new)
    grow = len(new) - len(old)
    if grow <= 0:
        return
    times = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and 0 <= count < times:
        times = count
    size = len(s) + times * grow
    if size > MAX_VALUE:
        raise _too_big(what, size)


def _check_center(context, value, width=80, *args, **kwargs):
    _width("bộ lọc |center", "độ rộng", width)


def _check_indent(context, s, width=4, *args, **kwargs):
    what = "bộ lọc |indent"
    _width(what, "độ rộng", width)
    w = len(width) if isinstance(width, str) else width
    if isinstance(w, int) and w > 0:
        text = str(s)
        size = len(text) + (text.count("\n") + 1) * w
        if size > MAX_VALUE:
            raise _too_big(what, size)


def _check_truncate(context, s, length=255, *args, **kwargs):
    _width("bộ lọc |truncate", "độ dài", length)


def _check_wordwrap(context, s, width=79, break_long_words=True, wrapstring=None, *args, **kwargs):
    what = "bộ lọc |wordwrap"
    _width(what, "độ rộng", width)
    if isinstance(width, int) and width > 0:
        text = str(s)
        sep = str(wrapstring) if wrapstring is not None else context.environment.newline_sequence
        size = len(text) + (len(text) // width + text.count("\n") + 1) * len(sep)
        if size > MAX_VALUE:
            raise _too_big(what, size)


def _check_format(context, value, *args, **kwargs):
    _printf_widths("bộ lọc |format", str(value))


def _check_replace(context, s, old, new, count=None, *args, **kwargs):
    _replace_size("bộ lọc |replace", s, old, new, count)


def _check_join(context, value, d="", attribute=None):
    """Read the items once, check each prints as text and that the whole fits, and pass them on."""
    what = "bộ lọc |join"
    if attribute is not None:
        value = map(make_attrgetter(context.environment, attribute), value)
    items = list(islice(value, MAX_VALUE + 1))
    if len(items) > MAX_VALUE:
        raise _too_big(what, len(items), "phần tử")
    sep = len(str(d))
    size = sep * max(len(items) - 1, 0)
    if size > MAX_VALUE:
        raise _too_big(what, size)
    for item in items:
        if type(item) is not str:
            _refuse_unprintable(item, what)
            item = str(item)
        size += len(item)
        if size > MAX_VALUE:
            raise _too_big(what, size)
    return items, (d,), {}


def _check_fill(what: str, label: str, count: Any, fill_with: Any) -> None:
    _width(what, label, count)
    if fill_with is not None and isinstance(count, int) and count > 0:
        size = _size(fill_with) * count
        if size > MAX_VALUE:
            raise _too_big(what, size, "ký tự và phần tử")


def _check_batch(context, value, linecount, fill_with=None, *args, **kwargs):
    _check_fill("bộ lọc |batch", "số phần tử mỗi nhóm", linecount, fill_with)


def _check_slice(context, value, slices, fill_with=None, *args, **kwargs):
    _check_fill("bộ lọc |slice", "số nhóm", slices, fill_with)


def _check_sum(context, iterable, attribute=None, start=0, *args, **kwargs):
    if not isinstance(start, (int, float)):
        raise LimitError("bộ lọc |sum: chỉ cộng số (start phải là số)")


# each may return the (value, args, kwargs) the filter then runs with
_FILTER_CHECKS: dict[str, Callable[..., Any]] = {
    "center": _check_center,
    "indent": _check_indent,
    "truncate": _check_truncate,
    "wordwrap": _check_wordwrap,
    "format": _check_format,
    "replace": _check_replace,
    "join": _check_join,
    "batch": _check_batch,
    "slice": _check_slice,
    "sum": _check_sum,
}


# filters that work through a text word by word in Python (1–2 µs a character, as much as a
# step): a character they read costs a step too
_PER_CHARACTER = frozenset(["urlize", "wordwrap"])


def _checked_filter(name: str, fn):
    """``fn`` with its arguments checked before it runs (where it has a check) and its result
    checked and charged after. Jinja then never folds it at compile time either, so
    ``{{ 'x'|center(999999999) }}`` cannot allocate while the template compiles."""
    pass_arg = getattr(fn, "jinja_pass_arg", None)
    kind = pass_arg.name if pass_arg is not None else ""
    check = _FILTER_CHECKS.get(name)
    what = f"bộ lọc |{name}"
    per_character = name in _PER_CHARACTER

    @pass_context
    def run(context, value, *args, **kwargs):
        if check is not None:
            changed = check(context, value, *args, **kwargs)
            if changed is not None:
                value, args, kwargs = changed
        if isinstance(value, str):  # what it reads, charged before it runs
            _charge(context, len(value) if per_character else 0, len(value), what)
        elif isinstance(value, (list, tuple, dict)):
            _charge(context, len(value), 0, what)
        if kind == "context":
            result = fn(context, value, *args, **kwargs)
        elif kind == "eval_context":
            result = fn(context.eval_ctx, value, *args, **kwargs)
        elif kind == "environment":
            result = fn(context.environment, value, *args, **kwargs)
        else:
            result = fn(value, *args, **kwargs)
        return _built(context, what, result)

    run.__name__ = name
    run.__doc__ = fn.__doc__
    return run


def _checked_test(name: str, fn):
    """A test (``is in``, ``is divisibleby``…), charged by the size of what it reads before it
    runs; ``select`` and ``reject`` call it once per item."""
    pass_arg = getattr(fn, "jinja_pass_arg", None)
    kind = pass_arg.name if pass_arg is not None else ""
    what = f"phép thử is {name}"

    @pass_context
    def run(context, value, *args, **kwargs):
        _charge_arguments(context, what, (value, *args))
        if kind == "context":
            return fn(context, value, *args, **kwargs)
        if kind == "eval_context":
            return fn(context.eval_ctx, value, *args, **kwargs)
        if kind == "environment":
            return fn(context.environment, value, *args, **kwargs)
        return fn(value, *args, **kwargs)

    run.__name__ = name
    run.__doc__ = fn.__doc__
    return run


def _checked_call(context, fn, args, kwargs):
    """A method call from a template (only the harmless string and dict methods are allowed)."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if name == "replace" and isinstance(getattr(fn, "__self__", None), str) and len(args) >= 2:
        _replace_size(".replace()", fn.__self__, *args[:3])
    if context is not None:
        result = context.call(fn, *args, **kwargs)
    else:
        result = fn(*args, **kwargs)
    return _built(context, f".{name}()", result)


# -- compile time -------------------------------------------------------------------------------
def _operand(node: nodes.Node | None) -> str:
    text = _describe(node)
    return f"({text})" if isinstance(node, (nodes.BinExpr, nodes.Concat, nodes.Compare, nodes.Test)) else text


_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=", "in": "in", "notin": "not in"}


def _describe(node: nodes.Node | None) -> str:
    """A short text of an expression for messages: ``candidate.full_name|upper``. (A ``{% filter %}``
    block's filter has no node: it reads ``…``.)"""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{_operand(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_operand(node.node)}[{_describe(node.arg)}]"
    if isinstance(node, nodes.Filter):
        args = ", ".join(_describe(a) for a in node.args)
        return f"{_operand(node.node)}|{node.name}" + (f"({args})" if args else "")
    if isinstance(node, nodes.Call):
        return f"{_operand(node.node)}(…)"
    if isinstance(node, nodes.BinExpr):
        return f"{_operand(node.left)} {node.operator} {_operand(node.right)}"
    if isinstance(node, nodes.Concat):
        return " ~ ".join(_operand(n) for n in node.nodes)
    if isinstance(node, nodes.Compare):
        return " ".join([_operand(node.expr)]
                        + [f"{_COMPARE.get(op.op, op.op)} {_operand(op.expr)}" for op in node.ops])
    if isinstance(node, nodes.Test):
        return f"{_operand(node.node)} is {node.name}"
    if isinstance(node, nodes.Tuple):
        return ", ".join(_describe(n) for n in node.items)
    if isinstance(node, nodes.List):
        return "[" + ", ".join(_describe(n) for n in node.items) + "]"
    return "…"


def _cost(body: list[nodes.Node]) -> tuple[int, int]:
    """Nodes and literal characters of a loop body, per item. A loop inside it charges its own
    body; only its iterable (and its ``else``) count here."""
    count = chars = 0
    stack = list(body)
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, nodes.TemplateData):
            chars += len(node.data)
        if isinstance(node, nodes.For):
            stack.append(node.iter)
            stack.extend(node.else_)
            continue
        stack.extend(node.iter_child_nodes())
    return count, chars


_INTERNAL_FILTERS = frozenset(["docgen_loop", "docgen_print", "docgen_concat", "docgen_literal", "docgen_weigh"])


class _Rewriter(NodeTransformer):
    """Refuses what a docgen template may not use and puts the checks into the tree."""

    def __init__(self, generator: CodeGenerator):
        self.environment = generator.environment
        self.name = generator.name
        self.filename = generator.filename

    def fail(self, node: nodes.Node, message: str, cls=TemplateAssertionError):
        raise cls(message, node.lineno, self.name, self.filename)

    def wrap(self, node: nodes.Expr, name: str, *args: Any) -> nodes.Filter:
        new = nodes.Filter(node, name, [nodes.Const(a, lineno=node.lineno) for a in args], [], None, None,
                           lineno=node.lineno)
        new.set_environment(self.environment)
        return new

    def _no_loader(self, node, tag):
        self.fail(node, f"thẻ {{% {tag} %}} không dùng được: mẫu docgen không nạp mẫu khác")

    def visit_Include(self, node):
        self._no_loader(node, "include")

    def visit_Import(self, node):
        self._no_loader(node, "import")

    def visit_FromImport(self, node):
        self._no_loader(node, "from … import")

    def visit_Extends(self, node):
        self._no_loader(node, "extends")

    def visit_Filter(self, node):
        if node.name in _INTERNAL_FILTERS:
            self.fail(node, f"bộ lọc {node.name} là bộ lọc nội bộ của docgen")
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.name == "self" and node.ctx == "load":
            self.fail(node, "self không dùng được trong mẫu docgen: nó là một đối tượng của Jinja")
        return node

    def visit_Getattr(self, node):
        if node.attr.startswith("_"):
            self.fail(node, f"thuộc tính {node.attr!r} bị chặn (tên bắt đầu bằng _)", BlockedAttributeError)
        return self.generic_visit(node)

    def visit_Getitem(self, node):
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            self.fail(node, f"thuộc tính {node.arg.value!r} bị chặn (tên bắt đầu bằng _)", BlockedAttributeError)
        return self.generic_visit(node)

    def visit_For(self, node):
        if node.recursive:
            self.fail(node, "vòng lặp recursive không dùng được trong mẫu docgen")
        tag = f"{{% for {_describe(node.target)} in {_describe(node.iter)} %}}"
        self.generic_visit(node)
        steps, chars = _cost(node.body + ([node.test] if node.test else []))
        node.iter = self.wrap(node.iter, "docgen_loop", 1 + steps, chars, tag)
        return node

    def visit_Output(self, node):
        tags = [None if isinstance(c, (nodes.TemplateData, nodes.Const)) else f"{{{{ {_describe(c)} }}}}"
                for c in node.nodes]
        self.generic_visit(node)
        node.nodes = [c if tag is None else self.wrap(c, "docgen_print", tag)
                      for c, tag in zip(node.nodes, tags, strict=True)]
        return node

    def visit_Compare(self, node):
        tag = f"phép so sánh {_describe(node)}"
        self.generic_visit(node)
        node.expr = self.wrap(node.expr, "docgen_weigh", tag)
        for op in node.ops:
            op.expr = self.wrap(op.expr, "docgen_weigh", tag)
        return node

    def visit_Concat(self, node):
        tag = f"phép ~ ({_describe(node)})"
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        items.set_environment(self.environment)
        return self.wrap(items, "docgen_concat", tag)

    def _literal(self, node):
        tag = f"giá trị viết trong mẫu {_describe(node) if not isinstance(node, nodes.Dict) else '{…}'}"
        self.generic_visit(node)
        return self.wrap(node, "docgen_literal", tag)

    visit_List = visit_Dict = _literal

    def visit_Tuple(self, node):
        return self._literal(node) if node.ctx == "load" else self.generic_visit(node)


class _Generator(CodeGenerator):
    """Jinja's code generator, given the tree after :class:`_Rewriter`."""

    def visit_Template(self, node, frame=None):
        _Rewriter(self).visit(node)
        super().visit_Template(node, frame)


# -- the environment -----------------------------------------------------------------------------
_DICT_ATTRIBUTES = frozenset(dir(dict))


class StrictSandbox(SandboxedEnvironment):
    """Sandboxed, strict-undefined Jinja environment that raises on every unsafe access."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _Generator
    context_class = BudgetContext

    def __init__(self, autoescape: bool):
        super().__init__(
            autoescape=autoescape,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=0,
        )
        for name in ("range", "lipsum", "cycler", "joiner", "namespace", "dict"):
            self.globals.pop(name, None)
        # Jinja's capitalize lowers the rest ("Đảng" -> "đảng"); this one only raises the first letter
        self.filters["sentence"] = lambda s: sentence(str(s))
        self.filters = {name: _checked_filter(name, fn) for name, fn in self.filters.items()}
        self.filters.update(docgen_loop=_loop, docgen_print=_print, docgen_concat=_concat,
                            docgen_literal=_literal, docgen_weigh=_weigh)
        self.tests = {name: _checked_test(name, fn) for name, fn in self.tests.items()}

    def unsafe_undefined(self, obj: Any, attribute: str):  # noqa: D401 - Jinja hook
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} is not allowed")

    def getattr(self, obj: Any, attribute: str) -> Any:
        # the context is dicts: ``candidate.full_name`` is a key, found without first trying
        # (and failing) an attribute. The same result as Jinja's lookup, which tries the
        # attribute first; so a dict's own attributes (items, get, __class__…) go that way.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return _guard(super().getattr(obj, attribute), attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _guard(super().getitem(obj, argument), argument)

    def call(self, context, obj, /, *args, **kwargs):  # noqa: D401 - Jinja hook
        if type(obj) is _Method:
            obj = obj.fn
        if not self.is_safe_callable(obj):
            name = getattr(obj, "__name__", None) or getattr(obj, "name", None) or type(obj).__name__
            raise SecurityError(f"{name!r} không được gọi trong mẫu docgen")
        return _checked_call(context, obj, args, kwargs)

    def call_binop(self, context, operator_name: str, left: Any, right: Any):
        what = f"phép {operator_name}"
        if operator_name == "**":
            if isinstance(right, int) and abs(right) > MAX_POWER:
                raise LimitError(f"{what}: số mũ {right} vượt giới hạn {MAX_POWER}")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                bits = max(abs(left).bit_length(), 1) * right
                if bits > MAX_INT_BITS:
                    raise LimitError(f"{what}: kết quả khoảng {_n(bits)} bit, vượt giới hạn {_n(MAX_INT_BITS)}")
            return operator.pow(left, right)
        if operator_name == "*":
            if isinstance(left, int) and isinstance(right, int):
                bits = abs(left).bit_length() + abs(right).bit_length()
                if bits > MAX_INT_BITS:
                    raise LimitError(f"{what}: kết quả khoảng {_n(bits)} bit, vượt giới hạn {_n(MAX_INT_BITS)}")
                return left * right
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and n > 0:
                    size = _size(seq) * n
                    if size > MAX_VALUE:
                        raise _too_big(what, size, "ký tự hoặc phần tử")
            return _built(context, what, operator.mul(left, right))
        if operator_name == "+":
            if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
                size = _size(left) + _size(right)
                if size > MAX_VALUE:
                    raise _too_big(what, size, "ký tự và phần tử")
            elif isinstance(left, str) and isinstance(right, str) and len(left) + len(right) > MAX_VALUE:
                raise _too_big(what, len(left) + len(right))
            return _built(context, what, operator.add(left, right))
        if operator_name == "%":
            if isinstance(left, str):
                _printf_widths(what, left)
                _refuse_unprintable(right, what)
            return _built(context, what, operator.mod(left, right))
        return super().call_binop(context, operator_name, left, right)

    def is_safe_callable(self, obj: Any) -> bool:
        # Plain data has no callables worth calling; methods of str/list/dict are the only
        # callables reachable. Allow the harmless string methods templates may want.
        name = getattr(obj, "__name__", "")
        return name in _SAFE_METHODS and super().is_safe_callable(obj)


def _guard(value: Any, name: Any) -> Any:
    """A method reached by attribute or item, wrapped so that it cannot be printed."""
    if callable(value) and not isinstance(value, (Undefined, _Method)):
        return _Method(value, name)
    return value


_SAFE_METHODS = {"upper", "lower", "title", "capitalize", "strip", "replace", "startswith", "endswith", "items", "get"}


@lru_cache(maxsize=2)
def environment(autoescape: bool) -> StrictSandbox:
    """The shared environment: ``autoescape=True`` for XML, ``False`` for plain-text data strings."""
    return StrictSandbox(autoescape=autoescape)


# -- data strings ----------------------------------------------------------------------------------
class DataText(str):
    """A data string that knows the file and key it was read from, for the messages of
    :func:`render_text` (``…/legal_basis.toml: [common] delegation``)."""

    where: str

    def __new__(cls, text: str, where: str):
        obj = super().__new__(cls, text)
        obj.where = where
        return obj

    def __reduce__(self):
        return DataText, (str(self), self.where)


# -- compiled code kept between runs -----------------------------------------------------------------
@lru_cache(maxsize=1)
def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Jinja's own bytecode cache in the user's cache folder (:func:`docgen.cache_dir`), in a
    folder of its own for this docgen, this Jinja and this very sandbox (a digest of this file):
    code compiled by another version of the rewriter above, which puts the checks into every
    template, is never run. ``None`` when the folder cannot be made: then every template is
    compiled, as without a cache."""
    try:
        digest = hashlib.sha256(open(__file__, "rb").read()).hexdigest()[:16]
        folder = cache_dir() / "jinja" / f"{__version__}-{jinja2.__version__}-{digest}"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder), "%s.code")


def compile_template(env: StrictSandbox, source: str) -> Template:
    """``env.from_string(source)``, with the code Jinja compiles for it kept in the bytecode cache.

    The cache holds only what this environment compiled from this very source (its file is
    named by a digest of the source and of the environment's autoescape; Jinja checks the
    source's checksum and its own and Python's versions when it reads it back), and the
    template is made from it by the same sandboxed environment, exactly as ``from_string`` makes
    it: a cached template is checked as a compiled one is. A source that does not compile is
    never cached, so its error is raised every time. A cache file that cannot be read, is cut
    short or is not Jinja's is ignored and the source compiled again (never a wrong paper); one
    that cannot be written is simply not kept. The cache is trusted as Python's own ``.pyc``
    files are: it is the user's own folder."""
    cache = _bytecode_cache()
    bucket = None
    if cache is not None:
        name = hashlib.sha256(f"{int(bool(env.autoescape))}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()
        try:
            bucket = cache.get_bucket(env, name, None, source)
        except Exception:  # a corrupt or unreadable file: compiled again below
            bucket = None
    code = bucket.code if bucket is not None else None
    if code is None:
        code = env.compile(source)
        if bucket is not None:
            bucket.code = code
            try:
                cache.set_bucket(bucket)  # type: ignore[union-attr]
            except Exception:  # an unwritable cache: this run compiled it, the next one will too
                pass
    return env.template_class.from_code(env, code, env.make_globals(None), None)


@lru_cache(maxsize=512)
def _compiled_text(source: str):
    return compile_template(environment(False), source)


def _data_error(source: str, exc: Exception) -> DataTemplateError:
    where = getattr(source, "where", "") or f"chuỗi mẫu «{source[:60]}{'…' if len(source) > 60 else ''}»"
    if isinstance(exc, TemplateSyntaxError):
        found = tag_problems(environment(False), source) or [("", str(exc))]
        message = "; ".join(f"thẻ {tag}: {msg}" if tag else msg for tag, msg in found)
    elif isinstance(exc, TemplateError):
        message = str(exc)
    else:
        message = f"{type(exc).__name__}: {exc}"
    cls = DataSecurityError if isinstance(exc, SecurityError) else DataTemplateError
    return cls(f"{where}: {message}")


def check_text(source: Any, where: str) -> DataText:
    """A data string compiled when its file is read: a broken one (a syntax error,
    ``{% include %}``, ``__class__``…) raises :class:`DataTemplateError` naming ``where`` and
    the tag. The string returned names ``where`` too if it fails later, while it renders."""
    if not isinstance(source, str):
        raise DataTemplateError(f"{where}: phải là một chuỗi")
    text = DataText(source, where)
    try:
        _compiled_text(text)
    except Exception as exc:
        raise _data_error(text, exc) from exc
    return text


def text_names(source: str) -> set[str]:
    """The names a data string that compiles reads from its values (``{{ cell }}`` → ``{"cell"}``;
    a name it sets itself, or a loop's, is not one of them)."""
    from jinja2 import meta

    return set(meta.find_undeclared_variables(environment(False).parse(source)))


def render_text(source: str, values: dict) -> str:
    """Render a plain-text data string (legal bases, check messages) in the sandbox.

    Whatever goes wrong raises :class:`DataTemplateError` (a ``FormError``, exit code 4, and a
    Jinja ``TemplateError``), naming the file and key when ``source`` came from
    :func:`check_text`, else quoting it."""
    try:
        return _compiled_text(source).render(values)
    except Exception as exc:
        raise _data_error(source, exc) from exc


# -- naming the tags that do not compile -----------------------------------------------------------
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_BLOCK_TAGS = {"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "trans", "raw", "set"}
_INNER_TAGS = {"else", "elif", "pluralize"}
_NEEDS_ITS_END = ("Unexpected end of template", "Missing end of raw directive")


def tag_problems(env, source: str) -> list[tuple[str, str]]:
    """``(tag, Jinja's message)`` for each tag of a source that does not compile (a syntax
    error, an unknown filter, a tag docgen refuses…); ``[]`` when it compiles. Each tag is
    tried on its own first, so every broken one is named; the tag is shown as Word shows it."""
    try:
        env.compile(source)
        return []
    except TemplateSyntaxError as exc:
        whole = exc
    import html  # here, for a template that does not compile: its module and entities take 2 ms to import

    found = []
    statements = []
    for m in _TAG.finditer(source):
        tag = m.group(0)
        opening = re.match(r"\{%[-+]?\s*(\w*)", tag)
        word = opening.group(1) if opening else ""
        if tag.startswith("{%"):
            statements.append((word, tag))
        try:
            if word.startswith("end") or word in _INNER_TAGS:
                list(env.lex(tag))  # only lexed: it means something inside its block only
            else:
                env.compile(tag)
        except TemplateSyntaxError as exc:
            if not _message(exc).startswith(_NEEDS_ITS_END):  # a block tag, whole on its own
                found.append((html.unescape(tag), _message(exc)))
    if found:
        return found
    # every tag is right on its own, so the blocks do not match: name the innermost block
    # left open, or the tag Jinja stopped at (each tag put on a line of its own to find it)
    if _message(whole).startswith("Unexpected end of template"):
        opened = []
        for word, tag in statements:
            if word in _BLOCK_TAGS and not (word == "set" and "=" in tag):
                opened.append(tag)
            elif word.startswith("end") and opened:
                opened.pop()
        if opened:
            return [(html.unescape(opened[-1]), _message(whole))]
    lined = _TAG.sub(lambda m: "\n" + m.group(0), source)
    try:
        env.compile(lined)
    except TemplateSyntaxError as exc:
        line = lined.split("\n")[(exc.lineno or 1) - 1]
        at = _TAG.match(line)
        return [(html.unescape(at.group(0)) if at else "", _message(exc))]
    return [("", _message(whole))]


def _message(exc: TemplateSyntaxError) -> str:
    """Jinja's message: a syntax error always has one (its base class types it as optional)."""
    return exc.message or ""


__all__ = ["StrictSandbox", "environment", "compile_template", "render_text", "check_text", "text_names", "DataText",
           "tag_problems", "TemplateError", "SecurityError", "LimitError", "DataTemplateError", "DataSecurityError",
           "MAX_VALUE", "MAX_CHARS", "MAX_STEPS", "MAX_POWER", "MAX_INT_BITS"]
