"""docgen: Vietnamese Communist Party paperwork (admission dossiers, congress papers) from JSON to DOCX and PDF."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__version__ = "0.1.0"

CACHE_ENV = "DOCGEN_CACHE_DIR"


def cache_dir() -> Path:
    """The user's cache folder for what a run would otherwise rebuild (compiled templates):
    ``DOCGEN_CACHE_DIR``; else ``%LOCALAPPDATA%\\docgen\\cache`` on Windows, ``$XDG_CACHE_HOME/docgen``
    or ``~/.cache/docgen`` elsewhere. Nothing is created here: a writer makes its own folder
    and, when it cannot, does without the cache."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base, "docgen", "cache") if base else Path.home() / "AppData" / "Local" / "docgen" / "cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg, "docgen") if xdg and os.path.isabs(xdg) else Path.home() / ".cache" / "docgen"
