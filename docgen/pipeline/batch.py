"""Batch (pipeline stage): one form, the admission dossier or the congress pack over many profiles.

1. read the items (a folder of JSON files, a JSON list, or an Excel roster) one at a time, as
   the renderers need them: the batch keeps of each item only what its summary needs, so its
   memory does not grow with the number of items;
2. check each item just before it is rendered; the summary reports all the invalid ones, by
   file or by row and column;
3. render the valid ones, in this process or in worker processes (``-j``; without it, the rule
   of ``_shared/batch.toml``), each item's files written atomically by whoever renders it;
4. record each finished item in ``.docgen-batch.jsonl`` in the output folder, so that
   ``resume`` skips items whose input, forms and options have not changed and whose files
   are all still there. An item's names are claimed there before its files are written.

Every item ends in its own result: a check, a render or an unexpected fault of one item is
reported under its label and the others go on. Output names never collide: a file name that
another item of the run has, or that is on disk and was not written from this same source
(the log says which names each source claimed), is given the item's row or position
(``…_dong-7.docx``, ``…_muc-3.docx``), which no plain name can equal since names are
``<date>_<form>_<slug>`` and neither ids nor slugs hold a ``_``.

The engine (forms, compiled templates, fonts) is built once per process; every stage is
reached through it (:mod:`docgen.pipeline.engine`), as for a single document.
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import heapq
import json
import multiprocessing
import os
import signal
import sys
import time
import tomllib
import zlib
from array import array
from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, field
from itertools import chain, islice
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator

from .. import __version__
from ..errors import DocgenError, EditedOutputError, FormError, InputError, InputFileError, OutputError, Problem
from ..store.db import HOST, MARKER, Workspace, alive
from .engine import Engine, Inputs, errors, files_of
from .filing import auto_values, dossier_identity, file_papers, outside_problems, same_dossier
from .lint import require_known_names
from .workbook import is_workbook, read_workbook
from .write import write_named

LOG_NAME = ".docgen-batch.jsonl"


@dataclass
class Item:
    """One profile of a batch and where it came from (file, list index or roster row)."""

    label: str
    data: dict
    row: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    unreadable: str = ""   # why the item's file could not be read ('' when it was)
    # an entry of a docgen workbook: where each path came from, the problems met reading its
    # cells (already located), and the paths of those cells (the check's word on them is not repeated)
    locate: Callable[[str], str] | None = None
    reading: list[str] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)


@dataclass
class Failure:
    label: str
    reasons: list[str]
    code: int = 3      # the exit code this failure alone would give: 3, 5 an edited output refused, 1 a fault
    index: int = 0     # the item's place in the source, by which the summary lists failures


@dataclass
class Job:
    """One valid item, ready to render: its data and where its files go."""

    index: int
    label: str
    data: str          # the profile as compact JSON: a long batch keeps thousands of these
    name: str          # the item's key in the log: its first file, or its dossier's folder
    tag: str           # '' or '_<row or position>[_<n>]', added to each file stem (or the folder)
    digest: str
    names: tuple[str, ...] = ()   # every file it writes (a pack: its folder), outside a workspace


@dataclass
class Report:
    # counts, not names: a batch of 50,000 items would otherwise hold 100,000 file names
    written: int = 0   # files written
    skipped: int = 0   # items --resume found done
    failed: list[Failure] = field(default_factory=list)
    warnings: int = 0
    seconds: float = 0.0
    org_warnings: list[Problem] = field(default_factory=list)  # the shared organisation file's, once
    renamed: list[str] = field(default_factory=list)   # one line per item given a distinct name
    notes: list[str] = field(default_factory=list)     # what the source held besides its items (footer rows)
    faults: int = 0    # items lost to a fault of docgen itself (exit 1), counted in ``failed`` too
    registered: bool = False   # the papers were filed in a workspace

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        """0 when every item succeeded; 1 on a fault of docgen; 5 when every failure is an output
        docgen refused to replace because the user edited it; else 3."""
        if self.faults:
            return 1
        if not self.failed:
            return 0
        return 5 if all(f.code == 5 for f in self.failed) else 3


# -- reading items ------------------------------------------------------------------------------
# spreadsheets docgen does not read, and how to give it the same table
OTHER_SHEETS = {
    ".xls": "tệp Excel 97–2003 (.xls)",
    ".csv": "tệp CSV",
    ".ods": "tệp LibreOffice Calc (.ods)",
}


@dataclass
class Source:
    """The items of a batch's source, read as the batch asks for them: a folder's files one at
    a time, a list's or a roster's entries each let go once handed on, so that a long batch
    holds one item at a time, not all of them."""

    count: int
    items: Iterator[Item]
    headers: dict[str, str] | None = None   # a roster's (not a workbook's) columns: path -> its header


def read_items(source: str | Path, engine: Engine, notes: list[str] | None = None,
               unknown: list[tuple[str, str]] | None = None, target: str = "",
               problems: list[str] | None = None) -> list[Item]:
    """Every item of a source at once (see :func:`open_source`)."""
    return list(open_source(source, engine, notes, unknown, target, problems).items)


def open_source(source: str | Path, engine: Engine, notes: list[str] | None = None,
                unknown: list[tuple[str, str]] | None = None, target: str = "",
                problems: list[str] | None = None) -> Source:
    """Items from a folder of JSON files, a JSON file (one profile or a list), an .xlsx roster,
    or a workbook ``docgen workbook`` wrote (for the pack ``target``).
    ``notes`` receives a line for what a roster held besides its table (columns it does not read,
    footer rows); ``unknown`` its headers of no known column, with the closest known header;
    ``problems`` a workbook's problems of no one entry (rows of no entry, unknown headers)."""
    path = Path(source)
    if is_workbook(path):
        book = read_workbook(engine, path)
        if target and book.kind != target:
            raise InputFileError(f"{path}: đây là bảng tính cho {book.kind}, không phải cho {target}. Hãy chạy "
                                 f"docgen batch {book.kind} {path.name} …, hoặc tạo bảng tính bằng "
                                 f"docgen workbook {target}.")
        if notes is not None:
            notes.extend(book.notes)
        if problems is not None:
            problems.extend(book.problems)
        return Source(len(book.entries), (Item(e.label, e.profile, locate=e.locate, reading=list(e.problems),
                                               unread=set(e.unread)) for e in _let_go(book.entries)))
    kind = OTHER_SHEETS.get(path.suffix.lower())
    if kind and path.is_file():
        raise InputFileError(f"{path}: docgen không đọc {kind}. Hãy mở tệp bằng Excel (hoặc LibreOffice) và chọn "
                             "Lưu thành (Save As) → Sổ làm việc Excel (*.xlsx), rồi chạy lại với tệp .xlsx đó.")
    if path.is_dir():
        count, runs = _json_names(path)
        return Source(count, _folder_items(path, heapq.merge(*map(_split, runs)), engine))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = engine.roster(path)
        if unknown is not None:
            unknown.extend(rows.unknown)
        if rows.unknown and notes is not None:
            notes.append("Không đọc các cột không phải trường nào của roster.toml: " + "; ".join(
                f'"{text}"' + (f' (có phải "{near}"?)' if near else "") for text, near in rows.unknown) + ".")
        if rows.ignored and notes is not None:
            first, text = rows.ignored[0]
            notes.append(f"Bỏ qua {len(rows.ignored)} dòng dưới bảng, sau dòng trống (từ dòng {first}: \"{text}\"): "
                         "không phải người trong danh sách. Nếu còn người ở đó, hãy xóa dòng trống trong bảng.")
        headers = dict(rows[0].headers) if rows else {}
        return Source(len(rows), (Item(f"Dòng {r.row}", r.profile, r.row, r.headers) for r in _let_go(rows)),
                      headers)
    found = _json_items(path, engine)
    return Source(len(found), _let_go(found))


def _let_go(entries: list) -> Iterator:
    """Each entry of a list, dropped from the list as it is handed on."""
    for i in range(len(entries)):
        entry, entries[i] = entries[i], None
        yield entry


# names of a folder sorted at a time: a run of them is one compressed bytes object. Each run
# is open while the runs are merged, and an open one holds a decompressor (some 8 KiB): fewer
# runs, of more names, keep that small, while a run's names sorted at once stay some 300 KiB.
_RUN = 5000
# deflate's window, as log2 of its size: 512 bytes are enough for sorted names (whose neighbours
# share most of their letters: 50,000 names, 600 KiB, are 80 KiB), and a decompressor with the
# default 32 KiB window took 40 KiB, 1 MiB for the 25 runs of 50,000 names
_WBITS = -9


def _json_names(path: Path) -> tuple[int, list[bytes]]:
    """How many JSON files a folder holds, and their names in sorted runs, each run the names'
    bytes joined by NUL (which no name holds) and compressed; :func:`heapq.merge` of the runs
    (:func:`_split`) gives the names in order. A list of 50,000 names as strings (with the
    ``Path`` objects and interned parts of ``glob``) made a batch's peak memory 12 MiB higher
    than a small batch's; the runs of the same names take 0.6 MiB as they are, 80 KiB
    compressed, and no full list is ever made."""
    runs: list[bytes] = []
    run: list[bytes] = []
    count = 0
    with os.scandir(os.fsencode(path)) as entries:
        for entry in entries:
            # as Path.glob("*.json"): case-blind on Windows, dot-files too
            if fnmatch.fnmatch(entry.name, b"*.json"):
                run.append(entry.name)
                count += 1
                if len(run) == _RUN:
                    runs.append(zlib.compress(b"\0".join(sorted(run)), wbits=_WBITS))
                    run = []
    if run:
        runs.append(zlib.compress(b"\0".join(sorted(run)), wbits=_WBITS))
    return count, runs


def _split(run: bytes) -> Iterator[str]:
    """The names of one run, in order, decompressed a few KiB at a time (the merge has every
    run open at once). UTF-8 sorts as the code points do, so the order is that of the names
    as strings (a name that is not UTF-8, which Linux allows, sorts by its bytes)."""
    unzip = zlib.decompressobj(wbits=_WBITS)
    tail, rest = run, b""
    while True:
        chunk = unzip.decompress(tail, 4096)
        tail = unzip.unconsumed_tail
        if not chunk:
            break
        *names, rest = (rest + chunk).split(b"\0")
        for name in names:
            yield os.fsdecode(name)
    rest += unzip.flush()
    if rest:
        yield os.fsdecode(rest)


def _folder_items(path: Path, names: Iterator[str], engine: Engine) -> Iterator[Item]:
    """The items of a folder's JSON files, each file read when its turn comes."""
    for name in names:
        try:
            yield from _json_items(os.path.join(path, name), engine, name)  # (no Path: see read_json_file)
        except InputError as exc:  # one file of the folder: that item fails, the others go on
            yield Item(name, {}, unreadable="; ".join(p.message for p in errors(exc.problems)))
        except DocgenError as exc:
            yield Item(name, {}, unreadable=str(exc))


def _check_roster_columns(source: str | Path, have: dict[str, str], target: str, engine: Engine, org_value,
                          unknown: list[tuple[str, str]] | None = None) -> None:
    """Refuse a roster that lacks a column for a field the target requires of each row (the
    votes and resolutions a decision rests on, say): one message listing every missing column,
    rather than the same missing fields on every row, or decisions printed without their evidence.
    ``have``: the roster's columns (none when it has no rows)."""
    if not have:
        return
    registry = engine.library.registry
    wanted = engine.required_of_subject(target, org_value)
    missing = [p for p in wanted if p not in have]
    if missing:
        headers = {c.path: c.headers[0] for c in engine.roster_columns()}
        typed = {near: text for text, near in unknown or () if near}   # a misspelt header, by the one it is near

        def named(p: str) -> str:
            if p not in headers:
                return f'"{registry.label(p)}" ({p}, không có cột nào trong roster.toml)'
            near = next((typed[h] for c in engine.roster_columns() if c.path == p for h in c.headers if h in typed), "")
            return f'"{headers[p]}" ({p})' + (f' (bảng có cột "{near}": có phải là cột này không)' if near else "")
        raise InputFileError(f"{source}: danh sách thiếu {len(missing)} cột mà {target} cần cho mỗi người: "
                             + "; ".join(named(p) for p in missing) + ".")


def _json_items(path: str | Path, engine: Engine, name: str = "") -> list[Item]:
    """The profiles of a JSON file, read within the registry's limits as a single profile is
    (nesting, number size, repeated keys). ``name``: the file's name, as the label of its profile."""
    data = engine.read_json(path)
    name = name or os.path.basename(path)
    if isinstance(data, list):
        return [_item(f"{name}[{i}]", d) for i, d in enumerate(data)]
    return [_item(name, data)]


def _item(label: str, data: object) -> Item:
    """A profile of a JSON source; one that is not an object is an item that cannot be read."""
    if isinstance(data, dict):
        return Item(label, data)
    return Item(label, {}, unreadable="mục này không phải một hồ sơ: mỗi hồ sơ là một đối tượng JSON {…}.")


# -- the engine in each process -------------------------------------------------------------------
_ENGINE: dict = {}


def _user_forms(library) -> str | None:
    """The user's forms folder a worker layers over the bundled forms, as this process does."""
    return str(library.user) if library.user is not None else None


def _init_worker(forms_dir: str | None, font_dir: str | Path | None, org: dict, target: str, formats: tuple,
                 filing: dict | None = None, engine: Engine | None = None) -> None:
    """Set up this process: the engine (built once; reused when this process already has one),
    and, in a workspace (``filing``: its folder, ``folder``, ``force``, ``auto``), where papers are filed."""
    engine = engine or Engine.open(forms_dir, font_dir)
    org_record = engine.record(org, "org")
    old = _ENGINE.pop("db", None)
    if old is not None:
        old.close()
    _ENGINE.update(engine=engine, org=org_record, target=target, formats=formats, done=0, filing=filing or {})
    if filing:
        _ENGINE["ws"] = Workspace(Path(filing["root"]))


def _inputs_for(data: dict | str) -> tuple[Engine, Inputs, str]:
    """The item's inputs. A ``str`` is the compact JSON of data already cleaned by the check."""
    engine: Engine = _ENGINE["engine"]
    kind = engine.subject_of(_ENGINE["target"])
    if isinstance(data, str):
        record = engine.record(json.loads(data), kind, cleaned=True)
    else:
        record = engine.record(data, kind)
    return engine, engine.inputs(_ENGINE["org"], record), kind


def _check(data: dict) -> tuple[list[Problem], list[str], dict]:
    """Problems of one item, the stems of the files it will write (none when it has errors; a
    pack's one stem is its folder; in a workspace, its dossier's id), and its cleaned (NFC) data."""
    filing = _ENGINE["filing"]
    if filing.get("auto"):
        engine: Engine = _ENGINE["engine"]
        data = auto_values(engine, data, engine.subject_of(_ENGINE["target"]), _ENGINE["target"])
    engine, inputs, kind = _inputs_for(data)
    target = _ENGINE["target"]
    found = engine.target_problems(target, inputs)
    if not filing:
        found += outside_problems(engine, inputs, kind)
    clean = inputs[kind].data
    if errors(found):
        return found, [], clean
    if filing:
        return found, [dossier_identity(inputs, kind)[0]], clean
    return found, engine.target_stems(target, inputs), clean


def _fault(where: str, kind: str) -> str:
    """An item's line for a fault of docgen itself: the exception's kind, never its message
    (which could quote the profile)."""
    return (f"Lỗi nội bộ của docgen khi {where} mục này ({kind}); mục không được ghi. "
            "Hãy báo lại cho người quản trị, kèm lệnh đã chạy (không gửi hồ sơ cá nhân).")


def _render(job: Job, outdir: str) -> tuple[int, list[str], str, int]:
    """Render and write one item; returns its index, the files written, an error ('' if none)
    and the error's exit code (3 the item's input, 5 an output refused, 1 a fault of docgen)."""
    try:
        # the item is loaded again rather than kept from the check: holding every item's
        # records until its turn would make memory grow with the batch
        engine, inputs, kind = _inputs_for(job.data)
        target, formats = _ENGINE["target"], _ENGINE["formats"]
        filing = _ENGINE["filing"]
        if filing:
            ws: Workspace = _ENGINE["ws"]
            if "db" not in _ENGINE:
                _ENGINE["db"] = ws.connect()
            into = Path(filing["folder"]) / job.name if filing.get("folder") else None
            filed = file_papers(engine, ws, target, inputs, formats, folder=into, force=filing.get("force", False),
                                auto_all=filing.get("auto", False), durable=False, digest=job.digest,
                                db=_ENGINE["db"])
            written = [ws.relative(p) for p in filed.paths]
        elif engine.is_pack(target):
            files = engine.pack_files(target, inputs, formats)
            stem = engine.pack_stem(target, inputs)
            pack_dir = stem + job.tag
            # the merged PDF is named after the folder
            files = [(pack_dir + n[len(stem):] if n.startswith(stem + ".") else n, d) for n, d in files]
            write_named(os.path.join(outdir, pack_dir), files, durable=False)
            written = [f"{pack_dir}/{n}" for n, _ in files]
        else:
            docs = engine.render_all(engine.target_forms(target, inputs), inputs, formats)
            files = [(doc.stem + job.tag + "." + ext, d) for doc in docs for n, d in files_of(doc)
                     for ext in [n.rsplit(".", 1)[1]] if ext in formats]
            # run_batch has made the output folder
            write_named(outdir, files, durable=False, make_dir=False)
            written = [n for n, _ in files]
        _ENGINE["done"] += 1
        if _ENGINE["done"] % 500 == 0:
            _release_memory()
        return job.index, written, "", 0
    except InputError as exc:  # the register refused a number: every problem, by field
        return job.index, [], " ".join(p.message for p in errors(exc.problems)), 3
    except DocgenError as exc:
        return job.index, [], str(exc), 5 if isinstance(exc, EditedOutputError) else 3
    except Exception as exc:  # a fault of docgen: this item is lost, the batch goes on
        return job.index, [], _fault("tạo", type(exc).__name__), 1


def _release_memory() -> None:
    """Collect reportlab's reference cycles and hand freed memory back to the system
    (glibc keeps libxml2's freed arenas otherwise), so that memory stays flat."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


# -- the batch --------------------------------------------------------------------------------------
class _Log:
    """``.docgen-batch.jsonl``: which names each source claimed, and each item finished.

    Lines are ``{"source": S, "claims": [names]}``, written before the item that takes the names is rendered, and
    ``{"source": S, "name": key, "digest": …, "files": […]}`` after each item. A name on disk is
    this source's to replace only if this source claimed it; a line cut short by a kill is
    ignored (that item is redone)."""

    def __init__(self, path: Path):
        self.path = path
        self.claims: dict[str, set[str]] = {}
        self.done: dict[tuple[str, str], dict] = {}
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise OutputError(f"Không đọc được {path}: {type(exc).__name__}. Hãy xóa tệp này rồi chạy lại.") from exc
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
                continue  # a line of an older docgen: it names no source, so it owns nothing
            source = entry["source"]
            if isinstance(entry.get("claims"), list):
                self.claims.setdefault(source, set()).update(n for n in entry["claims"] if isinstance(n, str))
            elif isinstance(entry.get("name"), str):
                self.done[(source, entry["name"])] = entry

    def owned(self, source: str) -> set[str]:
        return self.claims.get(source, set())

    def open(self, source: str, claims: list[str]):
        """Rewrite the log, one claims line per source and the last entry of each item, with
        this run's claims added; return it open for appending."""
        self.claims.setdefault(source, set()).update(claims)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for src, names in sorted(self.claims.items()):
                f.write(json.dumps({"source": src, "claims": sorted(names)}, ensure_ascii=False) + "\n")
            for entry in self.done.values():
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        return open(self.path, "a", encoding="utf-8")

    def append(self):
        """The log open for appending, as it is: a workspace's log, which batches of other
        sources may be appending to at the same time. Rewriting it (:meth:`open`) would drop
        the lines they append after this run read it, and two rewrites at once would share the
        temporary file. A workspace names no files, so it needs no claims."""
        return open(self.path, "a", encoding="utf-8")


def _complete(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


# the code ``_execute`` gives an item whose worker process died while on it
LOST = -1


def _remove_files(out: Path, names: tuple[str, ...]) -> None:
    """Remove what an item lost with its worker had written (a pack: the files in its folder)."""
    for name in names:
        path = out / name
        for f in (sorted(path.iterdir()) if path.is_dir() else [path]):
            try:
                f.unlink()
            except (FileNotFoundError, IsADirectoryError, PermissionError):
                pass


def _clean_partials(outdir: Path) -> None:
    """Remove temporary files left by an interrupted run: never a finished file, nor the
    temporary file of a process still running (another batch writing into the same folder)."""
    if outdir.is_dir():
        for p in outdir.rglob(".docgen-*.part"):
            pid = p.name.split("-")[1] if p.name.count("-") >= 2 else ""
            try:
                # the file's time tells a running writer from a later process given a dead one's pid
                if pid.isdigit() and alive(int(pid), HOST, str(p.stat().st_mtime)):
                    continue
                p.unlink()
            except OSError:
                pass


def items_from_workbook(items: list[Item]) -> bool:
    return any(item.locate is not None for item in items)


def describe(problem: Problem, item: Item) -> str:
    """A problem as a batch line: by sheet, row and header for a workbook's entry, by row and
    column header for a roster, else by JSON path."""
    if item.locate is not None:
        where = item.locate(problem.path) if problem.path else ""
        return f"{where}: {problem.message}" if where else problem.message
    if item.row is not None:
        header = item.headers.get(problem.path)
        where = f'cột "{header}"' if header else f'{problem.label or problem.path} (không có cột trong bảng)'
        return f"{where}: {problem.message}"
    return problem.message


class _Taken:
    """The stems the items of one run have taken, and the label of the item that took each.

    A long batch keeps this for every item, so it is kept small: the stems' 64-bit hashes in
    sorted segments, each with the labels of the items that took its stems, compressed, and
    each hash with the number of its item's label in the segment: some 12 bytes an item, and
    no table to copy as it grows. As a dict of hashes to labels it took some 130 bytes an item
    (6 MiB of 50,000 items); as a hash table in arrays, 40 to 50, and three times its size
    while it was copied into a larger one."""

    SEGMENT = 1024   # the last hashes are in a dict (Python ints: 100 bytes each) until there are this many

    def __init__(self) -> None:
        # (sorted hashes, the number of each one's label, the labels NUL-joined and compressed)
        self.segments: list[tuple[array, array, bytes]] = []
        self.recent: dict[int, int] = {}   # the last hashes, not yet in a segment, and their labels
        self.labels: list[str] = []        # their labels (a label holds no NUL: it is a name or a row)
        self.count = 0

    def get(self, stem: str) -> str:
        """The label of the item that took ``stem``, or ''."""
        key = hash(stem)
        if key in self.recent:
            return self.labels[self.recent[key]]
        for keys, owners, labels in self.segments:
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                return zlib.decompress(labels, wbits=_WBITS).split(b"\0")[owners[i]].decode(
                    "utf-8", "surrogateescape")
        return ""

    def add(self, stems: list[str], label: str) -> None:
        self.labels.append(label)
        for stem in stems:
            key = hash(stem)
            if key not in self.recent:
                self.count += 1
            self.recent[key] = len(self.labels) - 1
        if len(self.recent) >= self.SEGMENT:
            keys = sorted(self.recent)
            self.segments.append((array("q", keys), array("H", [self.recent[k] for k in keys]),
                                  # a folder item's label is its file name, which on Linux may hold bytes that are not
                                  # UTF-8 (os.fsdecode keeps them as surrogates)
                                  zlib.compress("\0".join(self.labels).encode("utf-8", "surrogateescape"),
                                                wbits=_WBITS)))
            self.recent, self.labels = {}, []


class _Names:
    """Distinct output names for the items of one run.

    An item's files keep their plain names unless one of them is another item's in this run,
    or is on disk without this source having claimed it; then each of its names takes the tag
    ``_<marker>`` (the row, ``dong-7``, or the position, ``muc-3``), or ``_<marker>_<n>``."""

    def __init__(self, out: Path, owned: set[str], formats: tuple[str, ...], is_pack: bool):
        try:
            self.on_disk = set(os.listdir(out)) if out.is_dir() else set()
        except OSError as exc:
            raise OutputError(f"Không đọc được thư mục {out}: {exc.strerror or exc}") from exc
        self.owned, self.formats, self.is_pack = owned, formats, is_pack
        self.used = _Taken()   # the stems (with their tags) items of this run have, and by which item

    def names(self, stems: list[str], tag: str) -> list[str]:
        if self.is_pack:
            return [stems[0] + tag]
        return [stem + tag + "." + ext for stem in stems for ext in ("docx", "pdf") if ext in self.formats]

    def choose(self, stems: list[str], marker: str, label: str) -> tuple[str, list[str], str]:
        """The item's tag, its names, and why it is not '' (a line for the summary, or '')."""
        why = ""
        for n in range(1, 10_000):
            tag = "" if n == 1 else f"_{marker}" if n == 2 else f"_{marker}_{n - 1}"
            names = self.names(stems, tag)
            taken = next(((stem, who) for stem in stems if (who := self.used.get(stem + tag))), None)
            if taken is not None:
                why = why or f"tên {self.names([taken[0]], tag)[0]} đã dùng cho {taken[1]} trong lần chạy này"
                continue
            foreign = next((x for x in names if x in self.on_disk and x not in self.owned), None)
            if foreign is not None:
                why = why or f"{foreign} đã có trong thư mục ra, do một lệnh hay một nguồn khác ghi"
                continue
            self.used.add([stem + tag for stem in stems], label)
            if why:
                why = f"{why}; ghi thành {names[0]}" + (" …" if len(names) > 1 else "")
            return tag, names, why
        raise OutputError(f"{label}: không tìm được tên tệp chưa dùng cho mục này.")


def run_batch(
    target: str,
    source: str | Path,
    org_path: str | Path,
    outdir: str | Path | None,
    *,
    engine: Engine,
    formats: tuple[str, ...] = ("docx", "pdf"),
    jobs: int | None = 1,
    resume: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    workspace: Workspace | None = None,
    force: bool = False,
    auto_number: bool = False,
) -> Report:
    """Check each item just before it is rendered, render the valid ones, and report what was
    written, skipped and failed. ``jobs=None``: as many processes as the work pays for
    (:func:`choose_jobs`).

    The batch streams: it reads an item when its turn comes and keeps of it only what the
    summary needs, so its memory does not grow with the number of items.

    In a ``workspace``, each item's papers are filed in its dossier (under ``outdir/<dossier>``
    when ``outdir`` is given), numbers registered; the log is the workspace's."""
    t0 = time.perf_counter()
    library = engine.library
    if not engine.is_pack(target):
        library.get(target)  # unknown form: FormError now, not per item
    # a user's template that reads a name no context has: its fault, said once (exit 4), not per item
    require_known_names(engine, [library.get(f) for f in library.pack(target)["forms"]] if engine.is_pack(target)
                        else [library.get(target)])
    org_record = engine.load(org_path, "org")
    if errors(org_record.problems):
        raise InputError(org_record.problems)
    org = org_record.data
    notes: list[str] = []
    unknown: list[tuple[str, str]] = []
    book_problems: list[str] = []
    src = open_source(source, engine, notes, unknown, target=target, problems=book_problems)
    if src.headers is not None:
        _check_roster_columns(source, src.headers, target, engine, org_record.raw, unknown)
    if not src.count and not book_problems:
        raise _nothing_to_do(source)
    if jobs is None:
        jobs = choose_jobs(engine, target, formats, src.count)
    filing = {}
    if workspace is not None:
        filing = {"root": str(workspace.root), "folder": str(Path(outdir).resolve()) if outdir else "",
                  "force": force, "auto": auto_number}
        out = workspace.root
        log_path = out / MARKER / LOG_NAME.lstrip(".")
    else:
        if outdir is None:
            raise OutputError("Thiếu thư mục ghi kết quả (-o).")
        out = Path(outdir)
        log_path = out / LOG_NAME
    source_id = str(Path(source).resolve())
    # the items are checked with the organisation's cleaned data, which has nothing left to
    # warn about: its warnings are reported here, once for the whole batch
    _init_worker(_user_forms(library), engine.font_dir, org, target, formats, filing, engine=engine)

    report = Report(org_warnings=list(org_record.problems), registered=workspace is not None, notes=notes)
    report.warnings = len(report.org_warnings)
    if book_problems:  # rows of the workbook that belong to no entry: the workbook's own failure
        report.failed.append(Failure(f"Bảng tính {Path(source).name}", book_problems, index=-1))
    log = _Log(log_path)
    naming = _Names(out, log.owned(source_id), formats, engine.is_pack(target)) if not filing else None
    dossiers: dict[str, str] = {}   # in a workspace: each dossier's id -> the item that has it
    # an item is unchanged when its data and everything else that shapes its files are
    run_hash = hashlib.sha256(json.dumps(
        {"v": __version__, "target": target, "formats": formats, "org": org, "forms": library.fingerprint},
        sort_keys=True, ensure_ascii=False).encode())
    _clean_partials(out)
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = log.append() if filing else log.open(source_id, [])
    except OSError as exc:
        raise OutputError(f"Không ghi được vào {out}: {exc.strerror or exc}") from exc
    seen = [0]      # items read from the source
    settled = [0]   # items that needed no render: failed their check, or skipped by --resume

    def fail(index: int, label: str, reasons: list[str], code: int = 3) -> None:
        report.failed.append(Failure(label, reasons, code, index))
        report.faults += code == 1
        settled[0] += 1

    def to_render() -> Iterator[Job]:
        """The items to render, each checked when the renderer asks for it; its names claimed
        in the log before it is handed on, so that a run cut short owns what it wrote."""
        for i, item in enumerate(src.items):
            seen[0] += 1
            if item.unreadable:
                fail(i, item.label, [item.unreadable])
                continue
            try:
                job = verdict(i, item)
            except OutputError:
                raise
            except Exception as exc:  # a fault of docgen on this item: it is lost, the others go on
                fail(i, item.label, [_fault("kiểm tra", type(exc).__name__)], 1)
                continue
            if job is not None:
                yield job

    def verdict(i: int, item: Item) -> Job | None:
        """The item's job, or None when it failed its check or --resume skips it."""
        found, stems, clean = _check(item.data)
        report.warnings += len(found) - len(errors(found))
        if item.reading:  # cells that could not be read, then the check's other problems
            fail(i, item.label, item.reading + [describe(p, item) for p in errors(found)
                                                if p.path not in item.unread])
            return None
        if not stems:
            fail(i, item.label, [describe(p, item) for p in errors(found)])
            return None
        if naming is None:
            # a workspace files each dossier's papers in its own folder: two items that are one
            # dossier would write each other's papers
            if stems[0] in dossiers:
                fail(i, item.label, [same_dossier(engine, stems[0], dossiers[stems[0]])])
                return None
            dossiers[stems[0]] = item.label
            tag, names = "", stems
        else:
            marker = f"dong-{item.row}" if item.row is not None else f"muc-{i + 1}"
            tag, names, why = naming.choose(stems, marker, item.label)
            if why:
                report.renamed.append(f"{item.label}: {why}")
        compact = json.dumps(clean, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = run_hash.copy()
        digest.update(compact.encode())
        job = Job(i, item.label, compact, names[0], tag, digest.hexdigest(), () if filing else tuple(names))
        entry = log.done.get((source_id, job.name)) if resume else None
        if entry and entry.get("digest") == job.digest and all(_complete(out / f) for f in entry.get("files", [])):
            report.skipped += 1
            settled[0] += 1
            return None
        if naming is not None:
            new = [n for n in names if n not in naming.owned]
            if new:
                log_file.write(json.dumps({"source": source_id, "claims": new}, ensure_ascii=False) + "\n")
                log_file.flush()
        return job

    issued: dict[int, Job] = {}   # jobs handed to the renderer and not yet answered
    rendered = 0
    with log_file:
        try:
            for job, files, error, fault in _execute(_tracked(to_render(), issued), str(out), jobs, engine, org,
                                                     target, formats, filing):
                issued.pop(job.index, None)
                rendered += 1
                missing = [f for f in files if not _complete(out / f)]
                if missing:  # written, then gone: say so rather than count it
                    error = f"Tệp {missing[0]} vừa ghi đã không còn trong thư mục ra (có lệnh khác ghi cùng thư mục?)."
                if error:
                    if fault == LOST:
                        # its worker died on it, maybe between renaming its DOCX and its PDF:
                        # what it wrote is no whole set, and the summary says it failed
                        _remove_files(out, job.names)
                        fault = 3
                    report.failed.append(Failure(job.label, [error], fault or 3, job.index))
                    report.faults += fault == 1
                else:
                    report.written += len(files)
                    log_file.write(json.dumps({"source": source_id, "name": job.name, "digest": job.digest,
                                               "files": files}, ensure_ascii=False) + "\n")
                    log_file.flush()
                if progress:
                    done = rendered + settled[0]
                    progress(done, max(src.count, done), job.label)
        except (KeyboardInterrupt, OutputError):
            raise
        except Exception as exc:  # a fault of docgen in the batch itself: the items not done are named
            lost = [_fault("tạo", type(exc).__name__)]
            for job in issued.values():
                report.failed.append(Failure(job.label, lost, 1, job.index))
                report.faults += 1
            try:
                for i, item in enumerate(src.items, seen[0]):
                    seen[0] += 1
                    report.failed.append(Failure(item.label, lost, 1, i))
                    report.faults += 1
            except Exception:  # the source itself is what failed: what was not read is not named
                pass
            if not report.faults:  # it failed before any item: said, not taken for an empty source
                report.failed.append(Failure(os.path.basename(os.fspath(source)) or str(source), lost, 1, seen[0]))
                report.faults += 1
    if not seen[0] and not book_problems and not report.faults:  # a folder of files that each hold []
        raise _nothing_to_do(source)
    report.failed.sort(key=lambda f: f.index)  # in the order of the source
    report.seconds = time.perf_counter() - t0
    return report


def _tracked(jobs: Iterator[Job], issued: dict[int, Job]) -> Iterator[Job]:
    """The jobs, each recorded in ``issued`` as it is handed on."""
    for job in jobs:
        issued[job.index] = job
        yield job


def _nothing_to_do(source: str | Path) -> InputFileError:
    """A run that would write nothing is said, not reported as done."""
    return InputFileError(f"{source}: không có hồ sơ nào để làm" + (
        " (thư mục không có tệp .json nào)." if Path(source).is_dir()
        else " (bảng tính chưa có người nào: hãy điền mỗi người một dòng dưới dòng tiêu đề, ngoài dòng ví dụ)."
        if Path(source).suffix.lower() in (".xlsx", ".xlsm") else " (tệp là một danh sách rỗng)."))


# Items a worker process renders before a fresh process replaces it; 0: never. Off, as measured
# with -j 2: a worker's peak RSS over 2,500 decisions was what it was over 500 (48 MiB for DOCX,
# 64-65 MiB for DOCX and PDF), replaced every 250 or 1,000 items or not at all, since _render
# hands freed memory back every 500 items; and a fresh process costs about 0.75 s of CPU to start.
# A test lowers it, to replace workers many times in one batch.
RECYCLE_AFTER = 0
# Items sent ahead to each worker, so it never waits for the parent between two items.
_AHEAD = 2


def _worker_main(conn, initargs: tuple, outdir: str) -> None:
    """A worker process: set up the engine, then render each job the parent sends and answer
    ("done", index, files, error, fault), until the parent sends None. A fault in setting up is
    answered ("bug", name of the exception) instead of printed, since a traceback could quote
    a profile; a fault on one item is that item's answer (``_render``)."""
    # Ctrl-C reaches every process of the terminal's group: the parent alone handles it, and
    # stops its workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _init_worker(*initargs)
        while True:
            try:
                job = conn.recv()
            except EOFError:  # the parent is gone
                return
            if job is None:
                return
            try:
                answer = ("done", *_render(job, outdir))
            except Exception as exc:  # _render answers for its own faults; this is a last guard
                answer = ("done", job.index, [], _fault("tạo", type(exc).__name__), 1)
            conn.send(answer)
    except Exception as exc:
        try:
            conn.send(("bug", type(exc).__name__))
        except OSError:  # the parent is gone
            pass


class _Worker:
    """One worker process, its end of the pipe, and the jobs sent to it that it has not answered,
    oldest first: it renders them in order, so the first is the one it is working on."""

    def __init__(self, ctx, initargs: tuple, outdir: str):
        self.conn, child = ctx.Pipe()
        # looked up at each start, so that a test can swap in a worker that dies
        self.proc = ctx.Process(target=_WORKER_MAIN, args=(child, initargs, outdir), daemon=True)
        self.proc.start()
        child.close()  # the worker holds the only other end: its exit reads as end-of-file here
        self.jobs: deque[Job] = deque()
        self.sent = 0

    def stop(self, timeout: float = 5.0) -> int | None:
        """Ask the worker to exit (it may be gone already), wait for it, and return its exit code."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        return self.proc.exitcode


def _lost(exitcode: int | None) -> str:
    """Why an item was lost: its worker process ended while rendering it."""
    how = f"mã thoát {exitcode}"
    if exitcode is not None and exitcode < 0:
        try:
            how = f"bị dừng bởi tín hiệu {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"bị dừng bởi tín hiệu {-exitcode}"
        if exitcode == -getattr(signal, "SIGKILL", 9):
            how += ", có thể do hệ thống hết bộ nhớ"
    return (f"Tiến trình con đang tạo mục này đã dừng đột ngột ({how}); mục chưa được ghi xong. "
            "Chạy lại lệnh với --resume để tạo các mục còn thiếu.")


def _execute(todo: Iterator[Job], outdir: str, jobs: int, engine: Engine, org, target, formats, filing: dict
             ) -> Iterator[tuple[Job, list[str], str, int]]:
    """Each job's result, as (job, files written, error or '', the error's exit code as ``_render``
    gives it, 0 for none, or :data:`LOST` when the worker process died while on it). The jobs
    are drawn from ``todo`` as the renderers need them."""
    first = list(islice(todo, max(jobs, 1)))
    if jobs <= 1 or len(first) < 2:
        for job in chain(first, todo):
            _, files, error, fault = _render(job, outdir)
            yield job, files, error, fault
        return
    # Our own workers rather than ProcessPoolExecutor: its max_tasks_per_child stops replacing
    # workers after the first round on CPython 3.11-3.15 and the batch hangs (gh-115634), and a
    # broken pool fails every item not yet done without saying which item its worker was on.
    ctx = multiprocessing.get_context("spawn")
    initargs = (_user_forms(engine.library), engine.font_dir, org, target, formats, filing)
    limit = RECYCLE_AFTER
    # jobs drawn from ``todo`` and not yet sent (first those a dead worker left), then the rest of ``todo``
    pending: deque[Job] = deque(first)
    workers: list[_Worker] = []
    died = False

    def more() -> bool:
        """Whether a job is waiting: ``pending`` then holds it."""
        if not pending:
            job = next(todo, None)
            if job is not None:
                pending.append(job)
        return bool(pending)

    def feed(w: _Worker, ahead: int = _AHEAD) -> None:
        while len(w.jobs) < ahead and not (limit and w.sent >= limit) and more():
            job = pending.popleft()
            try:
                w.conn.send(job)
            except OSError:  # the worker is gone; the end-of-file on its pipe says so
                pending.appendleft(job)
                return
            w.jobs.append(job)
            w.sent += 1

    def start() -> None:
        w = _Worker(ctx, initargs, outdir)
        workers.append(w)
        feed(w)

    # Every worker in ``workers`` has a job, or has ended (its pipe then reads as end-of-file):
    # the loop below only hears from a worker that answers or ends, and would wait forever on
    # one that has nothing to do.
    try:
        for _ in range(len(first)):
            workers.append(_Worker(ctx, initargs, outdir))
        for ahead in range(1, _AHEAD + 1):  # one job each first, so that each worker has one
            for w in workers:
                feed(w, ahead)
        while workers:
            ready = wait([w.conn for w in workers] + [w.proc.sentinel for w in workers])
            for w in list(workers):
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                gone = False
                while not gone:
                    try:
                        if not w.conn.poll():
                            break
                        answer = w.conn.recv()
                    except (EOFError, OSError):
                        gone = True
                        break
                    if answer[0] == "bug":
                        # the worker could not set up: its jobs, and those no one has begun, are lost
                        # to that fault; the other workers finish the jobs they hold
                        lost = _fault("tạo", str(answer[1])[:60])
                        while w.jobs:
                            yield w.jobs.popleft(), [], lost, 1
                        while more():
                            yield pending.popleft(), [], lost, 1
                        gone = True
                        break
                    _, _, files, error, fault = answer
                    yield w.jobs.popleft(), files, error, fault
                if not gone and w.proc.sentinel in ready:
                    gone = not w.proc.is_alive()
                if gone:
                    # it answered everything it finished: the first job left is the one it was on,
                    # and the others were not begun, so they go back to the queue
                    died = True
                    workers.remove(w)
                    code = w.stop()
                    if w.jobs:
                        yield w.jobs.popleft(), [], _lost(code), LOST
                    pending.extendleft(reversed(w.jobs))
                    if more():
                        start()
                else:
                    feed(w)
                    if not w.jobs:
                        # nothing left to do, or its turn is over and a fresh process takes its place
                        workers.remove(w)
                        w.stop()
                        if more():
                            start()
    finally:
        for w in workers:
            w.stop(timeout=1.0)
        if died:
            _clean_partials(Path(outdir))  # the temporary files of a write that a dying worker cut short


_WORKER_MAIN = _worker_main


def default_jobs() -> int:
    return os.cpu_count() or 1


# ``_shared/batch.toml``: for which batches worker processes pay, each key with its type
RULE_FILE = "batch.toml"
RULE_KEYS = {"formats": list, "min_items_form": int, "min_items_pack": int, "max": int}


def jobs_rule(library) -> dict:
    """The ``[workers]`` table of ``_shared/batch.toml`` (a user's forms folder may have its own),
    checked: each key known and of its type. A broken file is a :class:`FormError` naming it."""
    path = library.shared_file(RULE_FILE)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError as exc:
        raise FormError(f"Thiếu tệp {path} (khi nào docgen batch chạy nhiều tiến trình).") from exc
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FormError(f"{path}: không đọc được ({exc}).") from exc
    rule = data.get("workers")
    if set(data) != {"workers"} or not isinstance(rule, dict):
        raise FormError(f"{path}: tệp chỉ có một bảng [workers].")
    for key, value in rule.items():
        kind = RULE_KEYS.get(key)
        if kind is None:
            raise FormError(f"{path}: [workers] không có khóa \"{key}\"; các khóa là: {', '.join(RULE_KEYS)}.")
        if kind is list:
            good = isinstance(value, list) and all(v in ("docx", "pdf") for v in value)
        else:
            good = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not good:
            raise FormError(f"{path}: [workers] {key} = {value!r} không hợp lệ: "
                            + ("phải là danh sách các định dạng \"docx\", \"pdf\"." if kind is list
                               else "phải là số nguyên không âm."))
    missing = [k for k in RULE_KEYS if k not in rule]
    if missing:
        raise FormError(f"{path}: [workers] thiếu khóa {', '.join(missing)}.")
    return rule


def choose_jobs(engine: Engine, target: str, formats: tuple[str, ...], count: int) -> int:
    """How many processes a batch of ``count`` items of ``target`` in ``formats`` runs on when
    -j is not given: workers where they pay (``_shared/batch.toml``, measured by the bench), one
    process otherwise. Starting a worker costs a fresh process and its engine; only a render
    slow enough per item (the PDF) and items enough pay that back."""
    rule = jobs_rule(engine.library)
    least = rule["min_items_pack"] if engine.is_pack(target) else rule["min_items_form"]
    cores = os.cpu_count() or 1
    if cores < 2 or count < least or not set(formats) & set(rule["formats"]):
        return 1
    return min(cores, rule["max"]) if rule["max"] else cores
