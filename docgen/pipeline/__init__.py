"""Pipeline stage: the other stages composed — for one document, a pack, or a batch — and the
forms folder's lint. The command line reaches docgen through this package only.

* :mod:`.engine` — :class:`Engine`: load → check → context → render, for one document or a pack;
* :mod:`.write` — files written atomically;
* :mod:`.batch` — many profiles, checked, then rendered in this process or in workers;
* :mod:`.lint` — ``docgen forms lint``;
* :mod:`.filing` — papers filed in a workspace: numbers registered, files attached to dossiers.

The names below are imported when first used, not with the package: ``docgen --help`` lists the
commands with the forms folder's manifests alone, and must not pay for the check stage, the
sandbox and the engine (tests/test_startup.py).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..check import errors
    from ..load.forms import FormLibrary
    from ..load.manifests import INPUT_TITLES, CommandInfo, commands_key
    from ..load.model import Inputs
    from ..store import ENV as WORKSPACE_ENV
    from ..store.db import Workspace
    from .engine import FORMATS, Engine, Rendered, files_of
    from .write import write_files

# name -> (module, its name there)
_LAZY = {
    "errors": ("..check", "errors"),
    "INPUT_TITLES": ("..load.manifests", "INPUT_TITLES"),
    "CommandInfo": ("..load.manifests", "CommandInfo"),
    "commands_key": ("..load.manifests", "commands_key"),
    "FormLibrary": ("..load.forms", "FormLibrary"),
    "Inputs": ("..load.model", "Inputs"),
    "WORKSPACE_ENV": ("..store", "ENV"),
    "Workspace": ("..store.db", "Workspace"),
    "FORMATS": (".engine", "FORMATS"),
    "Engine": (".engine", "Engine"),
    "Rendered": (".engine", "Rendered"),
    "files_of": (".engine", "files_of"),
    "write_files": (".write", "write_files"),
}


def form_commands(forms_dir: Path | None) -> dict[str, CommandInfo] | None:
    """Each form's and pack's command, as ``docgen --help`` lists them: what
    :meth:`FormLibrary.commands` made of the manifests, kept between runs while none of them
    changes (:func:`docgen.load.manifests.kept_commands`)."""
    from ..load.manifests import kept_commands

    def read(user: Path | None, bundled: Path) -> dict[str, CommandInfo] | None:
        from ..load.forms import FormLibrary

        return FormLibrary(user, bundled).commands()

    return kept_commands(forms_dir, read)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(module, __name__), attr)
    globals()[name] = value
    return value


__all__ = ["FORMATS", "INPUT_TITLES", "WORKSPACE_ENV", "CommandInfo", "Engine", "FormLibrary", "Inputs", "Rendered",
           "Workspace", "commands_key", "errors", "files_of", "form_commands", "write_files"]
