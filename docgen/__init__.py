"""docgen: Vietnamese Communist Party paperwork (admission dossiers, congress papers) from JSON to DOCX and PDF."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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


def write_cached(path: Path, data: bytes) -> None:
    """Write a cache entry whole or not at all: a temporary file of this process and thread
    (``docgen serve`` renders in threads), then a rename. A cache folder that cannot be written
    is done without."""
    import threading  # (imported already by Click)

    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def file_stats(paths) -> tuple:
    """``(path, size, mtime_ns, ctime_ns, inode)`` of each file (``(path,)`` for one that is
    missing): what a kept value made from those files is keyed by, so that an edited file is read
    again. The size and modification time alone miss a file rewritten with its old time put back
    (an unzip, ``cp -p``, a sync tool): its change time (POSIX; which no program can set) or its
    inode (a new file put in its place) differ."""
    out: list[tuple] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append((str(path),))
        else:
            out.append((str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(out)


def source_stats() -> tuple:
    """:func:`file_stats` of docgen's own modules: a value kept from data files depends on the
    code that read them too, so a changed docgen (an edit, an upgrade) reads them again."""
    here = os.path.dirname(os.path.abspath(__file__))
    paths = []
    for folder in (here, *sorted(e.path for e in os.scandir(here) if e.is_dir() and not e.name.startswith((".", "_")))):
        paths += sorted(e.path for e in os.scandir(folder) if e.name.endswith(".py"))
    return file_stats(paths)


def _kept_path(kind: str, slot: str) -> Path:
    import zlib

    tag = f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir() / kind / f"{tag}-{zlib.crc32(slot.encode('utf-8', 'surrogatepass')):08x}"


def read_kept(kind: str, slot: str, key: tuple, pickled: bool = False) -> Any:
    """The value :func:`keep` kept for ``slot`` (say, a forms folder) under exactly ``key`` (the
    stats of the files it was made from), or ``None``: none kept, kept under another key (a
    file changed), or unreadable (cut short, corrupt, of another Python), which is made again.
    ``marshal`` (built in, nothing to import) holds plain values; ``pickled`` ones are objects.
    The cache is trusted as Python's own ``.pyc`` files are: it is the user's own folder."""
    try:
        raw = _kept_path(kind, slot).read_bytes()
        if pickled:
            import pickle

            stored = pickle.loads(raw)
        else:
            import marshal

            stored = marshal.loads(raw)
        if type(stored) is tuple and len(stored) == 3 and stored[0] == slot and stored[1] == key:
            return stored[2]
    except Exception:  # missing, cut short, of another format or Python: made again by the caller
        pass
    return None


def keep(kind: str, slot: str, key: tuple, value: Any, pickled: bool = False) -> None:
    """Keep ``value`` for :func:`read_kept` (written whole or not at all); a cache folder that
    cannot be written is done without."""
    path = _kept_path(kind, slot)
    try:
        if pickled:
            import pickle

            data = pickle.dumps((slot, key, value), protocol=pickle.HIGHEST_PROTOCOL)
        else:
            import marshal

            data = marshal.dumps((slot, key, value))
    except Exception:  # a value that cannot be kept: done without
        return
    write_cached(path, data)
