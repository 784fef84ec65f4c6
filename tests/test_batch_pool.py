"""Batches on worker processes (-j 2): every item is written however long the batch, a worker
replaced after its quota of items hands on its work, and a worker that dies costs only the item
it was on, which the summary names, instead of a batch that waits forever.

Each batch runs in a subprocess with a timeout, so that a batch that hangs fails the test
instead of hanging the test run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from docx import Document

from conftest import ROOT, SAMPLES
from doctext import docx_text

ORG = str(SAMPLES / "org.json")
TESTS = str(Path(__file__).resolve().parent)
sys.path.insert(0, str(ROOT / "bench"))
from bench_render import FAMILY, GIVEN, MIDDLE, profiles  # noqa: E402  (fictional profiles)


def named_profiles(n: int, seed: int) -> list[dict]:
    """``n`` valid profiles, each with a name no other one has, so each document can be told apart."""
    items = profiles(n, seed=seed)
    seen = set()
    for i, p in enumerate(items):
        k, family = divmod(i, len(FAMILY))
        k, middle = divmod(k, len(MIDDLE))
        name = f"{FAMILY[family]} {MIDDLE[middle]} {GIVEN[k % len(GIVEN)]}"
        assert name not in seen
        seen.add(name)
        p["candidate"]["full_name"] = name
    return items


def write_list(tmp_path: Path, items: list[dict]) -> Path:
    src = tmp_path / "list.json"
    src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return src


def run_docgen(args: list[str], *, timeout: float, setup: str = "") -> subprocess.CompletedProcess:
    """``docgen ARGS`` in a fresh process (after running ``setup`` in it); a run that outlasts
    ``timeout`` is killed with its workers and fails the test."""
    code = (f"import sys\nsys.path.insert(0, {TESTS!r})\n{setup}\n"
            "from docgen.cli import main\nsys.argv[0] = 'docgen'\nmain()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"docgen batch did not finish in {timeout:.0f} s: it hangs")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def docx_words(path: Path) -> str:
    """The text of a DOCX as python-docx reads it: body paragraphs and table cells."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def assert_each_person_has_a_decision(out: Path, items: list[dict], read=docx_words) -> None:
    """One DOCX per profile, and each profile's name in exactly one of them, where the form puts it."""
    texts = [read(p) for p in sorted(out.glob("*.docx"))]
    assert len(texts) == len(items)
    for p in items:
        name = p["candidate"]["full_name"]
        mine = [t for t in texts if f"Kết nạp quần chúng {name.upper()}, sinh" in t]
        assert len(mine) == 1, name
        assert f"Thời gian dự bị của đồng chí {name} là 12 tháng" in mine[0]
        assert f"Số {p['admission']['decision']['number']:02d}-QĐ/" in mine[0]


def test_a_batch_crossing_the_worker_quota_writes_every_item(tmp_path):
    # 23 items on two workers that are each replaced after 5 items: four or five replacements.
    # ProcessPoolExecutor(max_tasks_per_child=5) wrote 10 and hung here (CPython gh-115634).
    items = named_profiles(23, seed=31)
    out = tmp_path / "out"
    result = run_docgen(["batch", "admission-decision", str(write_list(tmp_path, items)), "--org", ORG,
                         "-o", str(out), "-j", "2", "--format", "docx"],
                        setup="import docgen.pipeline.batch\ndocgen.pipeline.batch.RECYCLE_AFTER = 5", timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Đã ghi: 23 tệp" in result.stdout and "Lỗi: 0 mục" in result.stdout
    assert_each_person_has_a_decision(out, items)
    log = [json.loads(line) for line in (out / ".docgen-batch.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len([e for e in log if "digest" in e]) == 23  # every item logged once, after its claims


@pytest.mark.parametrize("count, jobs", [(2, 2), (3, 4), (4, 3)])
def test_a_batch_with_few_items_per_worker_ends(tmp_path, count, jobs):
    # with two items sent ahead to each worker, the first worker could take every item and
    # leave another with nothing to answer: a batch must not wait for that one
    items = named_profiles(count, seed=count)
    out = tmp_path / "out"
    result = run_docgen(["batch", "admission-decision", str(write_list(tmp_path, items)), "--org", ORG,
                         "-o", str(out), "-j", str(jobs), "--format", "docx"], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_each_person_has_a_decision(out, items)


def test_a_long_batch_on_two_workers_writes_every_item(tmp_path):
    # more than the 2 x 1,000 items after which ProcessPoolExecutor(max_tasks_per_child=1000)
    # stopped: no worker was left and the batch waited forever
    items = named_profiles(2100, seed=7)
    out = tmp_path / "out"
    result = run_docgen(["batch", "admission-decision", str(write_list(tmp_path, items)), "--org", ORG,
                         "-o", str(out), "-j", "2", "--format", "docx"], timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Đã ghi: 2100 tệp" in result.stdout
    # docgen's own DOCX reader here: python-docx takes about 10 ms a file
    assert_each_person_has_a_decision(out, items, read=lambda p: docx_text(p.read_bytes()))


def dies_on(label: str, conn, initargs, outdir) -> None:
    """A worker that ends its process, as the kernel's out-of-memory killer would, when it
    reaches the item ``label``; a real worker otherwise. Only this test puts it in place."""
    from docgen.pipeline import batch

    render = batch._render

    def render_or_die(job, outdir):
        if job.label == label:
            os._exit(70)
        return render(job, outdir)

    batch._render = render_or_die
    batch._worker_main(conn, initargs, outdir)


def test_a_worker_that_dies_costs_only_its_item_and_the_summary_names_it(tmp_path):
    items = named_profiles(30, seed=41)
    src = write_list(tmp_path, items)
    out = tmp_path / "out"
    setup = ("import functools, docgen.pipeline.batch, test_batch_pool\n"
             "docgen.pipeline.batch._WORKER_MAIN = functools.partial(test_batch_pool.dies_on, 'list.json[12]')")
    args = ["batch", "admission-decision", str(src), "--org", ORG, "-o", str(out), "-j", "2", "--format", "docx"]
    t0 = time.perf_counter()
    result = run_docgen(args, setup=setup, timeout=240)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Đã ghi: 29 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    failed = result.stdout.split("Các mục lỗi (không tạo văn bản):\n", 1)[1]
    assert failed.startswith("  list.json[12]:\n")
    assert "dừng đột ngột (mã thoát 70)" in failed and "--resume" in failed
    lost = items.pop(12)
    assert_each_person_has_a_decision(out, items)
    assert not any(lost["candidate"]["full_name"] in docx_words(p) for p in out.glob("*.docx"))
    assert not list(out.glob(".docgen-*.part"))
    assert time.perf_counter() - t0 < 240

    # the item is made by running again with --resume, now that its worker does not die
    again = run_docgen([*args, "--resume"], timeout=240)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Đã ghi: 1 tệp" in again.stdout and "Bỏ qua (đã có, --resume): 29 mục" in again.stdout
    assert_each_person_has_a_decision(out, [*items, lost])


def test_a_worker_killed_from_outside_is_reported_and_the_batch_ends(tmp_path):
    # The real command, its real workers; one is killed with SIGKILL midway, as the kernel's
    # out-of-memory killer does. The item it was on is reported; every other one is written.
    items = named_profiles(300, seed=43)
    src = write_list(tmp_path, items)
    out = tmp_path / "out"
    exe = str(Path(sys.executable).parent / "docgen")
    proc = subprocess.Popen([exe, "batch", "admission-decision", str(src), "--org", ORG, "-o", str(out), "-j", "2",
                             "--format", "both"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and len(list(out.glob("*.pdf"))) < 20:
            time.sleep(0.02)
        workers = [c for c in psutil.Process(proc.pid).children()
                   if any("spawn_main" in part for part in c.cmdline())]
        assert len(workers) == 2
        workers[0].send_signal(signal.SIGKILL)
        stdout, _ = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the batch did not end after its worker was killed")
    assert proc.returncode == 3, stdout
    assert "Đã ghi: 598 tệp" in stdout and "Lỗi: 1 mục" in stdout
    failed = stdout.split("Các mục lỗi (không tạo văn bản):\n", 1)[1]
    label = failed.split(":\n", 1)[0].strip()
    assert label.startswith("list.json[")
    assert "bị dừng bởi tín hiệu SIGKILL, có thể do hệ thống hết bộ nhớ" in failed
    lost = items.pop(int(label[len("list.json["):-1]))
    assert len(list(out.glob("*.pdf"))) == 299
    assert_each_person_has_a_decision(out, items)
    assert not any(lost["candidate"]["full_name"] in docx_words(p) for p in out.glob("*.docx"))
    assert not list(out.glob(".docgen-*.part"))


def fails_on(label: str, conn, initargs, outdir) -> None:
    """A worker with a bug (an exception that is not one of docgen's errors) on the item ``label``."""
    from docgen.pipeline import batch

    render = batch._render

    def render_or_fail(job, outdir):
        if job.label == label:
            raise ValueError(f"bug while rendering {job.data}")
        return render(job, outdir)

    batch._render = render_or_fail
    batch._worker_main(conn, initargs, outdir)


def _logged(out: Path) -> dict[str, list[str]]:
    """The items the batch log records as written: their key and their files."""
    log = (out / ".docgen-batch.jsonl").read_text(encoding="utf-8").splitlines()
    return {e["name"]: e["files"] for e in map(json.loads, log) if "digest" in e}


def test_a_bug_on_one_item_costs_that_item_only_and_the_log_has_every_written_item(tmp_path):
    # 51 items on two workers; rendering item 25 raises an exception that is none of docgen's
    # errors. The 50 others are written and logged, the summary is complete, and the exit code
    # is 1 (a fault of docgen), without quoting the profile.
    items = named_profiles(51, seed=47)
    out = tmp_path / "out"
    setup = ("import functools, docgen.pipeline.batch, test_batch_pool\n"
             "docgen.pipeline.batch._WORKER_MAIN = functools.partial(test_batch_pool.fails_on, 'list.json[25]')")
    result = run_docgen(["batch", "admission-decision", str(write_list(tmp_path, items)), "--org", ORG,
                         "-o", str(out), "-j", "2", "--format", "docx"], setup=setup, timeout=240)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Đã ghi: 50 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    failed = result.stdout.split("Các mục lỗi (không tạo văn bản):\n", 1)[1]
    assert failed.startswith("  list.json[25]:\n    - Lỗi nội bộ của docgen khi tạo mục này (ValueError)")
    assert "Lỗi nội bộ của docgen ở 1 mục" in result.stderr
    lost = items.pop(25)
    assert lost["candidate"]["full_name"] not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert_each_person_has_a_decision(out, items)
    logged = _logged(out)
    assert len(logged) == 50
    assert sorted(f for files in logged.values() for f in files) == sorted(p.name for p in out.glob("*.docx"))


def dies_between_renames(label: str, conn, initargs, outdir) -> None:
    """A worker that dies on the item ``label`` right after its DOCX is renamed into place and
    before its PDF is: the worst moment for a kill."""
    from docgen.pipeline import batch, write

    render = batch._render
    real_replace = os.replace

    def replace_then_die(src, dst):
        real_replace(src, dst)
        os._exit(70)

    def render_or_die(job, outdir):
        if job.label == label:
            write.os.replace = replace_then_die
        return render(job, outdir)

    batch._render = render_or_die
    batch._worker_main(conn, initargs, outdir)


def test_an_item_whose_worker_dies_between_its_two_files_leaves_neither(tmp_path):
    items = named_profiles(10, seed=47)
    src = write_list(tmp_path, items)
    out = tmp_path / "out"
    setup = ("import functools, docgen.pipeline.batch, test_batch_pool\n"
             "docgen.pipeline.batch._WORKER_MAIN = functools.partial(test_batch_pool.dies_between_renames, "
             "'list.json[4]')")
    result = run_docgen(["batch", "admission-decision", str(src), "--org", ORG, "-o", str(out), "-j", "2",
                         "--format", "both"], setup=setup, timeout=240)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Đã ghi: 18 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    lost = items.pop(4)
    assert len(list(out.glob("*.docx"))) == len(list(out.glob("*.pdf"))) == 9
    assert_each_person_has_a_decision(out, items)
    assert not any(lost["candidate"]["full_name"] in docx_words(p) for p in out.glob("*.docx"))
