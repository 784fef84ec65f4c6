"""Load stage: the forms folder and the inputs.

* :mod:`.fields` — the field registry (``fields.toml``): every input field's type, bounds, label;
* :mod:`.forms` — :class:`FormLibrary`: each form's manifest and template, and the shared data files;
* :mod:`.model` — an input JSON file read within limits and cleaned: :class:`Record`, and
  :class:`Inputs`, the records one document is made from, which every later stage takes;
* :mod:`.roster` — an Excel roster read into profiles.

The names below are imported when first used: ``docgen --help`` imports :mod:`.forms` alone
(tests/test_startup.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fields import Registry
    from .forms import FormLibrary, FormSpec
    from .model import Inputs, Record

_LAZY = {"Registry": ".fields", "FormLibrary": ".forms", "FormSpec": ".forms", "Inputs": ".model", "Record": ".model"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = ["FormLibrary", "FormSpec", "Inputs", "Record", "Registry"]
