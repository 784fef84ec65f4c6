"""Render stage support: the one Jinja environment every template and data string runs in.

Jinja's ``SandboxedEnvironment`` already blocks ``__class__``/``__globals__`` escapes, but it
renders a blocked attribute as empty text and lets ``'x' * 10**9`` exhaust memory. This
subclass fails loudly on both, refuses undefined names, and is only ever given plain data
(str, int, bool, lists, dicts) as context.
"""

from __future__ import annotations

import operator
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_REPEAT = 100_000  # longest string/list a template may build with * (characters or items)
MAX_POWER = 64


class StrictSandbox(SandboxedEnvironment):
    """Sandboxed, strict-undefined Jinja environment that raises on every unsafe access."""

    intercepted_binops = frozenset(["*", "**"])

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
        self.filters["sentence"] = lambda s: str(s)[:1].upper() + str(s)[1:]

    def unsafe_undefined(self, obj: Any, attribute: str):  # noqa: D401 - Jinja hook
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} is not allowed")

    def call_binop(self, context, operator_name: str, left: Any, right: Any):
        if operator_name == "**":
            if isinstance(right, int) and abs(right) > MAX_POWER:
                raise SecurityError("exponent too large in template")
            return operator.pow(left, right)
        if operator_name == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                    if len(seq) * n > MAX_REPEAT:
                        raise SecurityError("template tried to build a value that is too large")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)

    def is_safe_callable(self, obj: Any) -> bool:
        # Plain data has no callables worth calling; methods of str/list/dict are the only
        # callables reachable. Allow the harmless string methods templates may want.
        name = getattr(obj, "__name__", "")
        return name in _SAFE_METHODS and super().is_safe_callable(obj)


_SAFE_METHODS = {"upper", "lower", "title", "capitalize", "strip", "replace", "startswith", "endswith", "items", "get"}


@lru_cache(maxsize=2)
def environment(autoescape: bool) -> StrictSandbox:
    """The shared environment: ``autoescape=True`` for XML, ``False`` for plain-text data strings."""
    return StrictSandbox(autoescape=autoescape)


@lru_cache(maxsize=512)
def _compiled_text(source: str):
    return environment(False).from_string(source)


def render_text(source: str, values: dict) -> str:
    """Render a plain-text data string (legal bases, check messages) in the sandbox."""
    return _compiled_text(source).render(values)


__all__ = ["StrictSandbox", "environment", "render_text", "TemplateError", "SecurityError"]
