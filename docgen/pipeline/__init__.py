"""Pipeline stage: the other stages composed — for one document, a pack, or a batch — and the
forms folder's lint. The command line reaches docgen through this package only.

* :mod:`.engine` — :class:`Engine`: load → check → context → render, for one document or a pack;
* :mod:`.write` — files written atomically;
* :mod:`.batch` — many profiles, checked, then rendered in this process or in workers;
* :mod:`.lint` — ``docgen forms lint``;
* :mod:`.filing` — papers filed in a workspace: numbers registered, files attached to dossiers.
"""

from ..check import errors
from ..load.fields import INPUT_TITLES
from ..load.forms import FormLibrary
from ..load.model import Inputs
from ..store.db import ENV as WORKSPACE_ENV, Workspace
from .engine import FORMATS, Engine, Rendered, files_of
from .write import write_files

__all__ = ["FORMATS", "INPUT_TITLES", "WORKSPACE_ENV", "Engine", "FormLibrary", "Inputs", "Rendered", "Workspace",
           "errors", "files_of", "write_files"]
