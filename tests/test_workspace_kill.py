"""Crash safety of a workspace (issue 13): a batch killed with SIGKILL at random points, with its
workers, leaves the register and the files consistent once the workspace is opened again; a
rerun then registers every item.

What "consistent" means (:func:`assert_consistent`): no paper left ``writing``; every numbered
paper that is ``done`` has a file; every file row is a file on disk with its recorded sha256;
every DOCX and PDF under ``ho-so/`` has a file row; no temporary ``.part`` file is left; the
numbers of a series are distinct, and each decision's DOCX prints the number it holds.

Numbers may have gaps after a kill: a paper whose number was claimed but none of whose files
reached their place is removed from the register when the workspace is opened again
(:func:`docgen.store.db.settle`), and its number is free; the register hands out the number
after the highest one held, so a freed number below it stays unused. The test bounds them:
each kill frees at most one decision number per worker (-j 2)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

from test_workspace import assert_files_agree, auto_profiles, docgen_process, init, rows

from docgen.store.db import Workspace

from doctext import docx_text

N = 40
JOBS = 2
KILLS = 5


def batch(root, src, *extra) -> subprocess.Popen:
    return docgen_process(["batch", "admission-decision", str(src), "-j", str(JOBS), "--format", "both", *extra],
                          root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_group(pgid: int, timeout: float = 20.0) -> None:
    """Until every process of the killed group has ended (a zombie has): SIGKILL reaches the
    workers at once, but each takes a moment to die, and a workspace opened meanwhile rightly
    takes their papers for being written still."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        living = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                living.append(stat.parent.name)
        if not living:
            return
        time.sleep(0.02)
    raise AssertionError(f"processes of the killed batch still running: {living}")


def assert_consistent(root) -> list[int]:
    """Open the workspace (it recovers what a killed writer left) and check it; returns the
    decisions' numbers."""
    Workspace(root).connect().close()
    docs = rows(root, "SELECT * FROM document")
    assert not [d["id"] for d in docs if d["state"] != "done"]
    with_files = {r["document_id"] for r in rows(root, "SELECT document_id FROM file")}
    assert all(d["id"] in with_files for d in docs if d["number"] is not None)
    assert_files_agree(root)
    assert not [p for p in root.rglob("*.part")]
    numbers = [d["number"] for d in docs if d["form"] == "admission-decision"]
    assert len(set(numbers)) == len(numbers) and len({d["series"] for d in docs}) <= 1
    for f in rows(root, "SELECT f.path, d.number FROM file f JOIN document d ON d.id = f.document_id "
                        "WHERE f.format = 'docx'"):
        assert f"Số {f['number']:02d}-QĐ/ĐUC" in docx_text((root / f["path"]).read_bytes()), f["path"]
    return numbers


def test_a_batch_killed_at_random_points_leaves_the_register_and_the_files_consistent(tmp_path):
    src = tmp_path / "src"
    auto_profiles(src, "k", N)

    # how long a whole batch takes here, and when it begins writing (after reading, checking and
    # starting its workers), so that the kills fall over its writing
    measure = init(tmp_path, "measure")
    t0 = time.perf_counter()
    proc = batch(measure, src)
    begins = None
    while proc.poll() is None:
        if begins is None and any((measure / "ho-so").rglob("*.*")):
            begins = time.perf_counter() - t0
        time.sleep(0.02)
    out, err = proc.communicate(timeout=300)
    duration = time.perf_counter() - t0
    assert proc.returncode == 0, out + err[-2000:]
    assert begins is not None
    assert sorted(assert_consistent(measure)) == list(range(1, N + 1))
    print(f"a batch of {N} decisions (DOCX and PDF, -j {JOBS}): {duration:.1f} s, writing from {begins:.1f} s")

    root = init(tmp_path)
    rng = random.Random(1313)
    per_item = (duration - begins) / N * JOBS
    caught = 0
    for k in range(KILLS):
        # the first kill falls while the batch reads, checks and starts its workers; the others
        # after an item spread over the batch (its "[i/N]" progress line), plus a part of an
        # item's time. Every run starts over (no --resume), so that papers already done are
        # written again under the kill too.
        proc = batch(root, src)
        if k == 0:
            after, delay = 0, rng.uniform(0.2, begins)
        else:
            after, delay = int(N * (k - 1 + rng.random()) / (KILLS - 1)), rng.uniform(0, per_item)
            assert proc.stderr is not None
            for line in proc.stderr:
                if line.startswith(f"[{after}/"):
                    break
        time.sleep(delay)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:   # it finished first
            pass
        proc.communicate(timeout=60)
        wait_for_group(proc.pid)
        writing = len(rows(root, "SELECT id FROM document WHERE state = 'writing'"))
        caught += writing > 0
        numbers = assert_consistent(root)
        print(f"kill {k + 1} {delay:.2f} s after item {after}: {writing} papers left being written; "
              f"{len(numbers)} decisions registered")
    assert caught, "no kill fell while a paper was being written"

    proc = batch(root, src, "--resume")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err[-2000:]
    numbers = assert_consistent(root)
    assert len(numbers) == N
    assert min(numbers) >= 1 and max(numbers) <= N + JOBS * KILLS
    gaps = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    print(f"after the rerun: {N} decisions, numbers 1..{max(numbers)}, gaps {gaps}")
    assert {r["dossier_id"] for r in rows(root, "SELECT dossier_id FROM document")} == {
        f"k-{i:03d}" for i in range(N)}
