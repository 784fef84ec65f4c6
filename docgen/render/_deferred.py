"""Modules reportlab imports that docgen's PDFs never use, loaded only if something uses them.

``reportlab.lib.utils`` imports Pillow's ``PIL.Image`` on import (about 20 ms with what it pulls
in: ``PIL.ExifTags``, ``PIL._imaging``) for drawing bitmaps, which docgen's translator never
does; ``reportlab.platypus`` imports ``reportlab.lib.PyFontify`` (about 2 ms, most of it compiling
its patterns) for colouring Python source in ``PythonPreformatted``, which docgen never makes.
Imported before reportlab, this module registers both with Python's own lazy loader
(:class:`importlib.util.LazyLoader`): the module object exists, and it runs the first time one
of its attributes is read. Nothing changes for code that uses it. (On Python before 3.12.3 the
lazy loader is not safe when several threads first use the module at once: ``docgen serve``,
whose server renders in threads, imports Pillow's image module whole.)
"""

from __future__ import annotations

import importlib.util
import sys


def defer(name: str) -> None:
    """Make ``import name`` cheap until the module is used (nothing if it is imported already
    or cannot be found)."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:   # its package is not installed
        return
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        # as the import system does; ``from PIL import Image`` then takes the attribute and
        # does not look the module up again (which would read, and so run, it)
        setattr(sys.modules[parent], child, module)


defer("PIL.Image")
defer("reportlab.lib.PyFontify")
