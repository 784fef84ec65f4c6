"""Load stage: what ``docgen --help`` lists of a forms folder — a command for each form and each
pack — kept between runs.

Reading the 25 manifests (``packs.toml`` and each ``form.toml``) takes Python's TOML reader
longer than the rest of ``docgen --help``; this module reads back what :meth:`FormLibrary.commands
<docgen.load.forms.FormLibrary.commands>` made of them the last time, from the user's cache
folder (:func:`docgen.cache_dir`), keyed by each manifest's path, size and modification time, the
folders' listing and docgen's own modules. An edited, added or removed manifest is read anew.
It imports nothing else of docgen (tests/test_startup.py): on a miss, the caller's ``read``
(:func:`docgen.pipeline.form_commands`) reads the manifests with :class:`FormLibrary`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, NamedTuple

from .. import file_stats, keep, read_kept, source_stats

SHARED = "_shared"

# the kinds of input file and their titles (the JSON Schema's; ``docgen schema``'s choices): here,
# so that the command line declares ``schema`` without importing the field registry
INPUT_TITLES = {
    "org": "Tổ chức đảng (cấp ủy, chi bộ, người ký)",
    "candidate": "Hồ sơ người vào Đảng",
    "congress": "Đại hội chi bộ",
}


class CommandInfo(NamedTuple):
    """What ``docgen --help`` shows of a form or a pack, and what its command is named by (a
    named tuple: ``docgen --help`` imports no dataclasses)."""

    id: str
    title: str
    help: str = ""
    example: str = ""
    pack: bool = False


def default_forms_dir() -> Path:
    """The bundled forms folder: the packaged copy, else the checkout's."""
    here = Path(__file__).resolve().parent.parent  # docgen/
    packaged = here / "forms"
    if packaged.is_dir():
        return packaged
    return here.parent / "forms"


def folder_stats(roots: list[Path], every_file: bool) -> tuple:
    """What a value read from forms folders is keyed by: for each root, the stats of its
    ``_shared`` files and of each form folder's ``form.toml`` (``every_file``: of every file in
    the form folder, the template included), with the folders' listing; a root that cannot be
    listed is named as missing."""
    paths: list[str] = []
    for root in roots:
        try:
            entries = sorted(os.scandir(root), key=lambda e: e.name)
        except OSError:
            paths.append(os.fspath(root))  # (path,) when missing; the reader then names the problem
            continue
        if every_file:
            try:
                paths += sorted(e.path for e in os.scandir(os.path.join(root, SHARED)) if e.is_file())
            except OSError:  # no _shared/ of its own: a user's folder of forms alone
                pass
        else:
            paths.append(os.path.join(root, SHARED, "packs.toml"))
        for entry in entries:
            if entry.name.startswith(("_", ".")) or not entry.is_dir():
                continue
            if every_file:
                paths += sorted(e.path for e in os.scandir(entry.path) if e.is_file())
            else:
                paths.append(os.path.join(entry.path, "form.toml"))
    return file_stats(paths)


def commands_key(user: Path | None) -> tuple[str, tuple]:
    """What the command list of the forms folder ``user`` (over the bundled one) is kept under:
    the folders (a slot of the cache each), and the stats of their manifests and of docgen's
    own modules."""
    roots = [r for r in (Path(user) if user else None, default_forms_dir()) if r is not None]
    return "\n".join(os.path.abspath(r) for r in roots), (folder_stats(roots, every_file=False), source_stats())


def kept_commands(user: Path | None, read: Callable[[Path | None, Path], dict[str, CommandInfo] | None]
                  ) -> dict[str, CommandInfo] | None:
    """The commands ``read(user, bundled)`` lists (``FormLibrary(user, bundled).commands()``),
    read back from the cache while no manifest changed since they were kept. ``None`` (never
    kept): the folder cannot be listed from its manifests alone."""
    bundled = default_forms_dir()
    slot, key = commands_key(user)
    kept = read_kept("commands", slot, key)
    if type(kept) is list:
        try:
            return {row[0]: CommandInfo(*row) for row in kept}
        except TypeError:  # not rows of a CommandInfo: read the manifests again
            pass
    listed = read(user, bundled)
    if listed is not None:
        keep("commands", slot, key, [tuple(info) for info in listed.values()])
    return listed
