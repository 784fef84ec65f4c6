"""Click's own words in Vietnamese: usage errors, help headings, the version line.

Click passes every message it prints through gettext (``_("…")`` and ``ngettext``, bound in
each of its modules when it is imported). :func:`install` binds those names to a lookup in
``docgen/locale/click_vi.toml`` instead, so that Click builds its messages in Vietnamese from
the start: a ``Choice`` or ``IntRange`` error, a missing option, "Did you mean …" and the
"Usage:" line come out whole, with no English text to take apart afterwards. The same file
names Click's value types (the ``TEXT`` after an option in a help screen) and the
``[OPTIONS]`` of a usage line, which Click does not pass through gettext.

A message the file lacks would print in English; tests/test_cli_vietnamese.py reads Click's
installed source and fails when Click has one.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click
import click.types

from . import file_stats, keep, read_kept

CATALOGUE = Path(__file__).with_name("locale") / "click_vi.toml"

# Click's modules that import gettext. _winconsole exists only on Windows (it asserts so on
# import); the test compares this list with Click's source.
CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                 "click.termui", "click.types", "click.utils", "click.shell_completion", "click._termui_impl")
WINDOWS_MODULES = ("click._winconsole",)


def catalogue() -> dict[str, dict]:
    """The tables of click_vi.toml, every text in NFC: read back from the cache folder
    (:func:`docgen.read_kept`) while the file and this module are unchanged, since importing
    Python's TOML reader alone takes longer than the rest of this module."""
    key = file_stats([CATALOGUE, __file__])
    kept = read_kept("click", str(CATALOGUE), key)
    if type(kept) is dict and all(type(kept.get(table)) is dict for table in TABLES):
        return kept
    tables = read_catalogue()
    keep("click", str(CATALOGUE), key, tables)
    return tables


TABLES = ("gettext", "ngettext", "type_names", "usage")


def read_catalogue() -> dict[str, dict]:
    """The tables of click_vi.toml read from the file, every text in NFC."""
    import tomllib
    import unicodedata

    data = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))

    def nfc(value):
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, list):
            return [nfc(v) for v in value]
        return {nfc(k): nfc(v) for k, v in value.items()}

    return {table: nfc(data[table]) for table in TABLES}


class UsageFormatter(click.HelpFormatter):
    """Click's help formatter, with the placeholders of the usage line in Vietnamese."""

    usage: dict[str, str] = {}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, vietnamese in self.usage.items():
            args = args.replace(english, vietnamese)
        super().write_usage(prog, args, prefix)


def install() -> None:
    """Make Click speak Vietnamese in this process. Run it before any command is declared: a
    path option's kind (``tệp``, ``thư-mục``) is translated when the option is made."""
    tables = catalogue()
    singular: dict[str, str] = tables["gettext"]
    plural: dict[str, list[str]] = tables["ngettext"]

    def gettext(message: str) -> str:
        return singular.get(message, message)

    def ngettext(one: str, many: str, n: int) -> str:
        pair = plural.get(one)
        if pair is None:
            return one if n == 1 else many
        return pair[0] if n == 1 else pair[1]

    names = CLICK_MODULES + (WINDOWS_MODULES if sys.platform == "win32" else ())
    for name in names:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    for cls in param_types():
        if cls.name in tables["type_names"]:
            cls.name = tables["type_names"][cls.name]
    UsageFormatter.usage = tables["usage"]
    click.Context.formatter_class = UsageFormatter


def param_types() -> list[type[click.ParamType]]:
    """Click's value types that carry a name of their own (``text``, ``integer range`` …)."""
    return [cls for cls in vars(click.types).values()
            if isinstance(cls, type) and issubclass(cls, click.ParamType) and "name" in vars(cls)
            and isinstance(vars(cls)["name"], str)]
