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
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .checks import Inputs, errors
from .errors import DocgenError, InputError, InputFileError, OutputError, Problem
from .forms import SHARED, FormLibrary
from .model import Record, load_record, record_from_data
from .pipeline import Engine, files_of, write_files
from .roster import load_columns, read_roster

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
            items.extend(_json_items(f))
        return items
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = read_roster(path, load_columns(library.root / SHARED / "roster.toml"))
        return [Item(f"Dòng {r.row}", r.profile, r.row, r.headers) for r in rows]
    return _json_items(path)


def _json_items(path: Path) -> list[Item]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"Không đọc được {path}: {exc}") from exc
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


def _execute(todo: list[Job], outdir: str, jobs: int, library: FormLibrary, font_dir, org, target, formats
             ) -> Iterator[tuple[Job, list[str], str]]:
    by_index = {j.index: j for j in todo}
    if jobs <= 1 or len(todo) < 2:
        for job in todo:
            _, files, error = _render(job, outdir)
            yield job, files, error
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(str(library.root), font_dir, org, target, formats),
                             max_tasks_per_child=1000) as pool:
        futures = [pool.submit(_render, job, outdir) for job in todo]
        for fut in as_completed(futures):
            index, files, error = fut.result()
            yield by_index[index], files, error


def default_jobs() -> int:
    return os.cpu_count() or 1
