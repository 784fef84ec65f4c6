"""Write stage: files written atomically into an output folder, under names that cannot leave it."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

from ..errors import OutputError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def safe_target(outdir: str | Path, name: str) -> str:
    """``outdir/name``, refusing any name that could leave ``outdir`` (docgen's own names are
    ASCII slugs: letters, digits, ``_ . -``, no leading dot, no ``..``). A string, not a Path:
    Python 3.11's pathlib interns every part of a path it makes, and the table of interned
    strings keeps the room it grew to after the names are gone (0.35 MiB by 50,000 names)."""
    if not _SAFE_NAME.match(name) or ".." in name:
        raise OutputError(f"Tên tệp không an toàn: {name!r}")
    return os.path.join(outdir, name)


_TEMP_SERIAL = itertools.count()
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _create_temp(out: str | Path) -> tuple[int, str]:
    """A new, empty ``.docgen-<pid>-<n>.part`` file in ``out``. The name is unique to this
    process and call; O_EXCL refuses a leftover of an earlier process with the same pid.
    The mode is the usual 0666 less the umask, as for any file the user saves."""
    while True:
        tmp = os.path.join(out, f".docgen-{os.getpid()}-{next(_TEMP_SERIAL)}.part")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue


def write_path(target: Path, data: bytes) -> None:
    """Write one file the user named (an exported zip, a workbook) atomically and durably: a
    temporary file in the same folder, flushed to disk, then renamed over ``target``. Its name
    is the user's own, so it is not held to :func:`safe_target`'s slugs."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temp(folder)
    except OSError as exc:
        raise OutputError(f"Không ghi được {target}: {exc.strerror or exc}") from exc
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"Không ghi được {target}: {exc.strerror or exc}") from exc
        raise


def write_files(outdir: str | Path, files: list[tuple[str, bytes]], durable: bool = True,
                make_dir: bool = True) -> list[Path]:
    """Write every file atomically (see :func:`write_named`); the paths written."""
    write_named(outdir, files, durable, make_dir)
    return [Path(outdir, name) for name, _ in files]


def write_named(outdir: str | Path, files: list[tuple[str, bytes]], durable: bool = True,
                make_dir: bool = True) -> None:
    """Write every file atomically: a temporary file in the same folder, then a rename.

    All contents are staged first; a failure before the renames leaves no output and no
    temporary file. ``durable`` also flushes each file to disk before the rename (a batch,
    which can be resumed, skips that). ``make_dir=False`` is for a caller that has made
    ``outdir`` already (a batch writing thousands of files into one folder, which names what
    it wrote by ``files``' names and makes no Path of them, :func:`safe_target`).
    """
    out = outdir if isinstance(outdir, str) else str(outdir)
    if make_dir:
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Không tạo được thư mục {out}: {exc.strerror or exc}") from exc
    staged: list[tuple[str, str]] = []
    try:
        for name, data in files:
            target = safe_target(out, name)
            fd, tmp = _create_temp(out)
            staged.append((tmp, target))
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"Không ghi được vào {out}: {exc.strerror or exc}") from exc
        raise
