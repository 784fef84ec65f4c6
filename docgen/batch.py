"""Batch stage: one form, the admission dossier or the congress pack over many profiles.

1. read the items (a folder of JSON files, a JSON list, or an Excel roster);
2. check every item and report all the invalid ones, by file or by row and column;
3. render the valid ones, in this process (``jobs=1``) or in worker processes, each item's
   files written atomically by whoever renders it;
4. record each finished item in ``.docgen-batch.jsonl`` in the output folder, so that
   ``resume`` skips items whose input, forms and options have not changed and whose files
   are all still there.

The engine (forms, compiled templates, fonts) is built once per process.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .checks import Inputs, errors
from .errors import DocgenError, InputError, InputFileError, OutputError, Problem
from .forms import SHARED, FormLibrary
from .model import Record, load_record, parse_json, record_from_data
from .pipeline import Engine, files_of, write_files
from .roster import load_columns, load_limits, read_roster

LOG_NAME = ".docgen-batch.jsonl"


@dataclass
class Item:
    """One profile of a batch and where it came from (file, list index or roster row)."""

    label: str
    data: dict
    row: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    label: str
    reasons: list[str]


@dataclass
class Job:
    """One valid item, ready to render: its data and where its files go."""

    index: int
    label: str
    data: str          # the profile as compact JSON: a long batch keeps thousands of these
    name: str          # unique base name: the output file stem, or the dossier's folder
    digest: str


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    warnings: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


# -- reading items ------------------------------------------------------------------------------
def read_items(source: str | Path, library: FormLibrary) -> list[Item]:
    """Items from a folder of JSON files, a JSON file (one profile or a list), or an .xlsx roster."""
    path = Path(source)
    if path.is_dir():
        items: list[Item] = []
        for f in sorted(path.glob("*.json")):
            items.extend(_json_items(f, library))
        return items
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        roster = library.root / SHARED / "roster.toml"
        rows = read_roster(path, load_columns(roster), load_limits(roster))
        return [Item(f"Dòng {r.row}", r.profile, r.row, r.headers) for r in rows]
    return _json_items(path, library)


def _json_items(path: Path, library: FormLibrary) -> list[Item]:
    """The profiles of a JSON file, read within the registry's limits as a single profile is
    (nesting, number size, repeated keys)."""
    try:
        data = parse_json(path.read_text(encoding="utf-8-sig"), str(path), library.registry)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"Không đọc được {path}: {type(exc).__name__}.") from exc
    if isinstance(data, list):
        return [Item(f"{path.name}[{i}]", d if isinstance(d, dict) else {"_not_an_object": d}) for i, d in enumerate(data)]
    return [Item(path.name, data if isinstance(data, dict) else {"_not_an_object": data})]


# -- the engine in each process -------------------------------------------------------------------
_ENGINE: dict = {}


def _init_worker(forms_dir: str | None, font_dir: str | None, org: dict, target: str, formats: tuple,
                 engine: Engine | None = None) -> None:
    """Set up this process: the engine (built once; reused when this process already has one)."""
    engine = engine or Engine(FormLibrary(forms_dir), font_dir=font_dir)
    org_record = record_from_data(org, "org", engine.library.registry)
    _ENGINE.update(engine=engine, org=org_record, target=target, formats=formats, done=0)


def _inputs_for(data: dict | str) -> tuple[Engine, Inputs, str]:
    """The item's inputs. A ``str`` is the compact JSON of data already cleaned by the check."""
    engine: Engine = _ENGINE["engine"]
    target = _ENGINE["target"]
    packs = engine.library.packs
    kind = packs[target]["subject"] if target in packs else engine.library.get(target).subject
    if isinstance(data, str):
        record = Record(kind, json.loads(data))
    else:
        record = record_from_data(data, kind, engine.library.registry)
    return engine, Inputs({"org": _ENGINE["org"], kind: record}), kind


def _forms(engine: Engine, inputs: Inputs, target: str, kind: str):
    if target in engine.library.packs:
        return engine.pack_forms(inputs, kind)
    return [engine.library.get(target)]


def _check(data: dict) -> tuple[list[Problem], str, dict]:
    """Problems of one item, the base name of its outputs ('' when it has errors), and its
    cleaned (NFC) data."""
    engine, inputs, kind = _inputs_for(data)
    target = _ENGINE["target"]
    forms = _forms(engine, inputs, target, kind)
    found = engine.problems(forms, inputs)
    is_pack = target in engine.library.packs
    if is_pack:
        found += [p for p in engine.all_rule_problems(inputs) if p not in found]
    clean = inputs[kind].data
    if errors(found):
        return found, "", clean
    return found, engine.pack_stem(target, inputs) if is_pack else engine.stem(forms[0], inputs), clean


def _render(job: Job, outdir: str) -> tuple[int, list[str], str]:
    """Render and write one item; returns its index, the files written and an error ('' if none)."""
    try:
        # the item is loaded again rather than kept from the check: holding every item's
        # records until its turn would make memory grow with the batch
        engine, inputs, kind = _inputs_for(job.data)
        target, formats = _ENGINE["target"], _ENGINE["formats"]
        if target in engine.library.packs:
            files = engine.pack_files(target, inputs, formats)
            stem = engine.pack_stem(target, inputs)
            files = [(job.name + n[len(stem):] if n.startswith(stem) else n, d) for n, d in files]
            written = [f"{job.name}/{p.name}" for p in write_files(Path(outdir) / job.name, files, durable=False)]
        else:
            docs = engine.render_all(_forms(engine, inputs, target, kind), inputs, formats)
            files = [(n, d) for doc in docs for n, d in files_of(doc) if n.rsplit(".", 1)[1] in formats]
            stem = docs[0].stem
            files = [(job.name + n[len(stem):] if n.startswith(stem) else n, d) for n, d in files]
            # run_batch has made the output folder
            written = [p.name for p in write_files(outdir, files, durable=False, make_dir=False)]
        _ENGINE["done"] += 1
        if _ENGINE["done"] % 500 == 0:
            _release_memory()
        return job.index, written, ""
    except DocgenError as exc:
        return job.index, [], str(exc)


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
def _read_log(path: Path) -> dict[str, dict]:
    done: dict[str, dict] = {}
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by a kill: that item is redone
            continue
        if isinstance(entry, dict) and "name" in entry:
            done[entry["name"]] = entry
    return done


def _complete(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _clean_partials(outdir: Path) -> None:
    """Remove temporary files left by an interrupted run (never a finished file)."""
    if outdir.is_dir():
        for p in outdir.rglob(".docgen-*.part"):
            try:
                p.unlink()
            except OSError:
                pass


def describe(problem: Problem, item: Item) -> str:
    """A problem as a batch line: by row and column header for a roster, else by JSON path."""
    if item.row is not None:
        header = item.headers.get(problem.path)
        where = f'cột "{header}"' if header else f'{problem.label or problem.path} (không có cột trong bảng)'
        return f"{where}: {problem.message}"
    return problem.message


def run_batch(
    target: str,
    source: str | Path,
    org_path: str | Path,
    outdir: str | Path,
    *,
    library: FormLibrary,
    font_dir: str | None = None,
    formats: tuple[str, ...] = ("docx", "pdf"),
    jobs: int = 1,
    resume: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Check every item, render the valid ones, and report what was written, skipped and failed."""
    t0 = time.perf_counter()
    if target not in library.packs:
        library.get(target)  # unknown form: FormError now, not per item
    org_record = load_record(org_path, "org", library.registry)
    if errors(org_record.problems):
        raise InputError(org_record.problems)
    org = org_record.data
    items = read_items(source, library)
    out = Path(outdir)
    _init_worker(str(library.root), font_dir, org, target, formats, engine=Engine(library, font_dir=font_dir))

    report = Report()
    fingerprint = library.fingerprint
    valid: list[Job] = []
    used: dict[str, int] = {}
    # an item is unchanged when its data and everything else that shapes its files are
    run_hash = hashlib.sha256(json.dumps(
        {"v": __version__, "target": target, "formats": formats, "org": org, "forms": fingerprint},
        sort_keys=True, ensure_ascii=False).encode())
    for i, item in enumerate(items):
        found, name, clean = _check(item.data)
        report.warnings += len(found) - len(errors(found))
        if not name:
            report.failed.append(Failure(item.label, [describe(p, item) for p in errors(found)]))
            continue
        n = used.get(name, 0) + 1
        used[name] = n
        unique = name if n == 1 else f"{name}-{n}"
        compact = json.dumps(clean, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = run_hash.copy()
        digest.update(compact.encode())
        valid.append(Job(i, item.label, compact, unique, digest.hexdigest()))
        item.data = {}

    log_path = out / LOG_NAME
    done = _read_log(log_path) if resume else {}
    _clean_partials(out)
    todo = []
    for job in valid:
        entry = done.get(job.name)
        if entry and entry.get("digest") == job.digest and all(_complete(out / f) for f in entry.get("files", [])):
            report.skipped.append(job.name)
        else:
            todo.append(job)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not resume and log_path.exists():
            log_path.unlink()
        log = open(log_path, "a", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"Không ghi được vào {out}: {exc.strerror or exc}") from exc
    total = len(todo)
    with log:
        for k, (job, files, error) in enumerate(_execute(todo, str(out), jobs, library, font_dir, org, target, formats), 1):
            if error:
                report.failed.append(Failure(job.label, [error]))
            else:
                report.written.extend(files)
                log.write(json.dumps({"name": job.name, "digest": job.digest, "files": files}, ensure_ascii=False) + "\n")
                log.flush()
            if progress:
                progress(k, total, job.label)
    report.seconds = time.perf_counter() - t0
    return report


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
    ("done", index, files, error), until the parent sends None. A bug is answered ("bug", exc)
    instead of printed, since a traceback could quote a profile."""
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
            conn.send(("done", *_render(job, outdir)))
    except Exception as exc:
        try:
            conn.send(("bug", exc))
        except Exception:  # an exception that does not pickle: its type is enough
            conn.send(("bug", RuntimeError(type(exc).__name__)))


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


def _execute(todo: list[Job], outdir: str, jobs: int, library: FormLibrary, font_dir, org, target, formats
             ) -> Iterator[tuple[Job, list[str], str]]:
    if jobs <= 1 or len(todo) < 2:
        for job in todo:
            _, files, error = _render(job, outdir)
            yield job, files, error
        return
    # Our own workers rather than ProcessPoolExecutor: its max_tasks_per_child stops replacing
    # workers after the first round on CPython 3.11-3.15 and the batch hangs (gh-115634), and a
    # broken pool fails every item not yet done without saying which item its worker was on.
    ctx = multiprocessing.get_context("spawn")
    initargs = (str(library.root), font_dir, org, target, formats)
    limit = RECYCLE_AFTER
    pending = deque(todo)
    workers: list[_Worker] = []
    died = False

    def feed(w: _Worker, ahead: int = _AHEAD) -> None:
        while pending and len(w.jobs) < ahead and not (limit and w.sent >= limit):
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
        for _ in range(min(jobs, len(todo))):
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
                        raise answer[1]
                    _, _, files, error = answer
                    yield w.jobs.popleft(), files, error
                if not gone and w.proc.sentinel in ready:
                    gone = not w.proc.is_alive()
                if gone:
                    # it answered everything it finished: the first job left is the one it was on,
                    # and the others were not begun, so they go back to the queue
                    died = True
                    workers.remove(w)
                    code = w.stop()
                    if w.jobs:
                        yield w.jobs.popleft(), [], _lost(code)
                    pending.extendleft(reversed(w.jobs))
                    if pending:
                        start()
                else:
                    feed(w)
                    if not w.jobs:
                        # nothing left to do, or its turn is over and a fresh process takes its place
                        workers.remove(w)
                        w.stop()
                        if pending:
                            start()
    finally:
        for w in workers:
            w.stop(timeout=1.0)
        if died:
            _clean_partials(Path(outdir))  # the temporary files of a write that a dying worker cut short


_WORKER_MAIN = _worker_main


def default_jobs() -> int:
    return os.cpu_count() or 1
