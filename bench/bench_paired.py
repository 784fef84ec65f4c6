"""Benchmark of issue 16, whole processes, as paired ratios in one run, with the load printed.

Usage: python bench/bench_paired.py [--runs 5] [--dossiers 1000] [--rss 500,50000] [--quick]
       [--only startup,paper,pdf,dossiers,jobs,rss,size] [--docgen-root DIR]

Every figure is a whole process (``docgen …`` started afresh, as a secretary runs it). Measures
that are compared run in alternation (A, B, A, B …) after one warm-up run of each, ``--runs``
times, and each line gives the median and the range; the ratio is of the medians. The load
(/proc/loadavg) is printed at the start and the end: on a shared machine, compare figures of one
run only.

Sections:
- startup: ``docgen --help`` against a bare ``python -c pass``;
- paper:   one admission decision, DOCX + PDF;
- pdf:     PDF per page: ``docgen batch`` of 50 decisions to PDF (-j 1, so per core) against
           ``soffice --convert-to pdf`` of the same 50 DOCX in one call;
- size:    the PDF of one one-page decision, docgen's against LibreOffice's;
- dossiers: ``--dossiers`` admission dossiers (DOCX + PDF, default -j), once, with the peak RSS
           of the parent and of the whole process tree;
- jobs:    the default -j against -j 1 and -j 2, on batches either side of the rule in
           forms/_shared/batch.toml: decisions DOCX only, decisions PDF, dossiers;
- rss:     peak RSS of a DOCX batch (-j 1, a folder of JSON files, fresh process) at each size of
           ``--rss``, sampled every 20 ms (see ``Runner.peak``); ``500,50000``, the acceptance measure and
           the default (the 50,000 run takes about two minutes, and makes its profiles once, 200 MB
           in the ``--keep`` folder); ``--quick``: 500,5000.

``--docgen-root DIR`` measures another checkout of docgen (say, before a change) with this script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import FAMILY, GIVEN, MIDDLE, libreoffice, profiles  # noqa: E402

ROOT = HERE.parent
ORG = ROOT / "samples" / "org.json"


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "(no /proc/loadavg)"


class Runner:
    """Runs docgen (or anything) as a fresh process and times it."""

    def __init__(self, root: Path):
        self.root = root
        # PYTHONSAFEPATH: no current folder on sys.path, which would import the docgen of the
        # checkout the bench is run from rather than ``root`` (--docgen-root measured this one)
        self.env = {**os.environ, "PYTHONPATH": str(root), "PYTHONSAFEPATH": "1"}
        self.env.pop("DOCGEN_FORMS_DIR", None)

    def docgen(self, *args: str) -> list[str]:
        return [sys.executable, "-c", "import sys; from docgen.cli import main; sys.argv[0] = 'docgen'; main()",
                *args]

    def peak(self, *args: str) -> tuple[float, float]:
        """Seconds of wall time and peak RSS (MiB) of ``docgen args``: the highest RSS sampled
        every 20 ms while it runs, or the VmHWM it reads itself as it exits, if higher.
        Neither figure alone is a measure: the ru_maxrss that wait4 gives counts the peak of the
        process that forked the child, before its exec (this bench, which has generated the
        profiles: a 50,000 batch "peaked" at 101 MiB); and Linux's high-water mark misses memory
        handed back by ``madvise`` (glibc's malloc_trim, which a batch calls every 500 items):
        the same batch read 34.0 MiB at its exit when it had been at 49.5 MiB for minutes."""
        with tempfile.NamedTemporaryFile(prefix="docgen-peak-") as f, tempfile.TemporaryFile() as err:
            code = ("import atexit, os, sys\n"
                    "def peak(path=os.environ['DOCGEN_BENCH_PEAK']):\n"
                    "    with open('/proc/self/status') as s, open(path, 'w') as out:\n"
                    "        out.write(next(line for line in s if line.startswith('VmHWM:')).split()[1])\n"
                    "atexit.register(peak)\n"
                    "from docgen.cli import main; sys.argv[0] = 'docgen'; main()")
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", code, *args], env={**self.env, "DOCGEN_BENCH_PEAK": f.name},
                                    stdout=subprocess.DEVNULL, stderr=err)
            sampled = 0
            while proc.poll() is None:
                try:
                    with open(f"/proc/{proc.pid}/status") as status:
                        sampled = max(sampled, next((int(line.split()[1]) for line in status
                                                     if line.startswith("VmRSS:")), 0))
                except OSError:
                    pass
                time.sleep(0.02)
            seconds = time.perf_counter() - t0
            if proc.returncode:
                err.seek(0)
                raise RuntimeError(f"docgen {' '.join(args)} exited {proc.returncode}: "
                                   f"{err.read().decode(errors='replace')[-1500:]}")
            return seconds, max(sampled, int(Path(f.name).read_text())) / 1024

    def run(self, cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
        """Seconds of wall time and peak RSS (MiB) of the process (not its children's children;
        the peak of a short process only: see :meth:`peak`). Its output goes to files: a batch
        writes a progress line per item, which would fill a pipe."""
        with tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - t0
            proc.returncode = code = os.waitstatus_to_exitcode(status)
            if code not in ok:
                err.seek(0)
                raise RuntimeError(f"{' '.join(cmd[3:] or cmd)} exited {code}: "
                                   f"{err.read().decode(errors='replace')[-1500:]}")
        return seconds, usage.ru_maxrss / 1024


def paired(runs: int, cases: dict[str, callable]) -> dict[str, list[float]]:
    """Each case once as a warm-up, then all cases in turn ``runs`` times: seconds of each run."""
    for fn in cases.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, fn in cases.items():
            times[name].append(fn())
    return times


def fmt(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    m = statistics.median(values) * scale
    lo, hi = min(values) * scale, max(values) * scale
    digits = 3 if unit == "s" and m < 10 else 1
    return f"{m:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


TABLE: list[tuple[str, str, str]] = []


def line(measure: str, figure: str, note: str = "") -> None:
    TABLE.append((measure, figure, note))
    print(f"  {measure:54} {figure}" + (f"   [{note}]" if note else ""), flush=True)


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(a) / statistics.median(b)


def named_profiles(n: int, seed: int) -> list[dict]:
    """``n`` valid decision profiles, each with its own name (no renamed files)."""
    items = profiles(n, seed=seed)
    for i, p in enumerate(items):
        k, family = divmod(i, len(FAMILY))
        k, middle = divmod(k, len(MIDDLE))
        k, given = divmod(k, len(GIVEN))
        p["candidate"]["full_name"] = f"{FAMILY[family]} {MIDDLE[middle]} {GIVEN[given]}" + (f" {k}" * (k > 0))
    return items


def letters(k: int) -> str:
    """A distinct name part of letters for each k (names hold no digits)."""
    out = ""
    while True:
        k, r = divmod(k, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
        if not k:
            return out.capitalize()


def decisions_folder(folder: Path, n: int) -> Path:
    """A folder of ``n`` decision profiles, one JSON file each (made once)."""
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for i, p in enumerate(profiles(n, seed=n)):
            p["candidate"]["full_name"] = f"{FAMILY[i % len(FAMILY)]} {MIDDLE[i // 13 % len(MIDDLE)]} {letters(i)}"
            (folder / f"{i:06d}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
        (folder / "done").write_text("")
    return folder


def dossiers_folder(folder: Path, n: int) -> Path:
    """A folder of ``n`` admission-dossier profiles: the samples, each person given another name."""
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        samples = [json.loads(p.read_text("utf-8")) for p in sorted((ROOT / "samples" / "candidates").glob("*.json"))
                   if "nfd" not in p.name]
        for i in range(n):
            p = json.loads(json.dumps(samples[i % len(samples)]))
            p["candidate"]["full_name"] = f"{FAMILY[i % len(FAMILY)]} {MIDDLE[i // 13 % len(MIDDLE)]} {letters(i)}"
            (folder / f"{i:05d}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
        (folder / "done").write_text("")
    return folder


def pages(folder: Path) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(p).pages) for p in folder.rglob("*.pdf"))


def tree_run(cmd: list[str], env: dict) -> dict:
    """Seconds and peak RSS (MiB) of a process and of its whole tree (sampled every 50 ms; pages
    that processes share count once per process, so the tree's figure is an upper bound)."""
    import psutil

    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
    root = psutil.Process(proc.pid)
    peak = {"parent": 0, "tree": 0}
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in tree:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            if p.pid == root.pid:
                peak["parent"] = max(peak["parent"], rss)
        peak["tree"] = max(peak["tree"], total)
        time.sleep(0.05)
    proc.wait()
    with err:
        if proc.returncode:
            err.seek(0)
            raise RuntimeError(f"exit {proc.returncode}: {err.read().decode(errors='replace')[-1500:]}")
    return {"seconds": time.perf_counter() - t0, "parent": peak["parent"] / 2**20, "tree": peak["tree"] / 2**20}


def default_jobs(runner: Runner, target: str, fmt_: str, n: int) -> int:
    """The -j that docgen chooses for a batch of ``n`` items of ``target`` (its rule, asked of
    the checkout measured), so that the section says which run the default is the same as."""
    formats = ("docx", "pdf") if fmt_ == "both" else (fmt_,)
    out = subprocess.run([sys.executable, "-c", "import sys; from docgen.pipeline import Engine; "
                          "from docgen.pipeline.batch import choose_jobs; "
                          f"print(choose_jobs(Engine.open(), {target!r}, {formats!r}, {n}))"],
                         env=runner.env, capture_output=True, text=True, check=True)
    return int(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="paired runs after the warm-up")
    ap.add_argument("--dossiers", type=int, default=1000, help="admission dossiers in the long batch (0: skip)")
    ap.add_argument("--rss", default="", help="sizes of the DOCX batches whose peak RSS is measured "
                    "(default 500,50000, the acceptance measure; --quick: 500,5000)")
    ap.add_argument("--only", default="", help="sections to run, by name (default: all)")
    ap.add_argument("--quick", action="store_true", help="3 runs, 100 dossiers, smaller batches")
    ap.add_argument("--docgen-root", type=Path, default=ROOT, help="the docgen checkout to measure")
    ap.add_argument("--keep", type=Path, default=None, help="a folder for the generated profiles, kept between runs")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.dossiers = min(args.runs, 3), min(args.dossiers, 100)
    args.rss = args.rss or ("500,5000" if args.quick else "500,50000")
    only = set(filter(None, args.only.split(",")))

    def want(section: str) -> bool:
        return not only or section in only

    runner = Runner(args.docgen_root.resolve())
    docgen, run = runner.docgen, runner.run
    tmp = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    keep = args.keep or tmp / "profiles"
    keep.mkdir(parents=True, exist_ok=True)
    counter = iter(range(10**6))

    def fresh(name: str) -> Path:
        return tmp / f"{name}-{next(counter)}"

    print(f"docgen whole-process benchmark ({runner.root}); {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"load at start: {load()}; {args.runs} paired runs after a warm-up; median (range)")
    try:
        if want("startup"):
            print("\n1. start-up", flush=True)
            t = paired(args.runs, {"python": lambda: run([sys.executable, "-c", "pass"])[0],
                                   "docgen": lambda: run(docgen("--help"))[0]})
            line("bare Python start (python -c pass)", fmt(t["python"]))
            line("docgen --help", fmt(t["docgen"]), "goal ≤ 0.150 s")
            line("ratio docgen --help / bare Python", f"{ratio(t['docgen'], t['python']):.1f}×", "goal ≤ 6×")

        if want("paper"):
            print("\n2. one paper", flush=True)
            profile = ROOT / "samples" / "candidates" / "pham-thi-thu-huong.json"
            t = paired(args.runs, {
                "python": lambda: run([sys.executable, "-c", "pass"])[0],
                "both": lambda: run(docgen("admission-decision", str(profile), "--org", str(ORG), "-o",
                                           str(fresh("paper")), "--format", "both"))[0]})
            line("one admission-decision, DOCX + PDF", fmt(t["both"]), "goal ≤ 0.400 s")
            line("ratio to bare Python start", f"{ratio(t['both'], t['python']):.1f}×")

        lo = libreoffice()
        if want("pdf") or want("size"):
            src = keep / "pdf-50.json"
            src.write_text(json.dumps(named_profiles(50, seed=50), ensure_ascii=False), encoding="utf-8")
            docx_dir = tmp / "pdf-docx"
            run(docgen("batch", "admission-decision", str(src), "--org", str(ORG), "-o", str(docx_dir),
                       "--format", "docx", "-j", "1"))
            docx = sorted(str(p) for p in docx_dir.glob("*.docx"))
        if want("pdf"):
            print("\n3. PDF per page, the same 50 DOCX, one call each", flush=True)
            if not lo:
                print("  LibreOffice is not installed: no comparison (apt install libreoffice-writer-nogui)")
            else:
                profile_dir = tmp / "lo-profile"
                outs: dict[str, Path] = {}

                def ours() -> float:
                    outs["docgen"] = fresh("pdf50")
                    return run(docgen("batch", "admission-decision", str(src), "--org", str(ORG), "-o",
                                      str(outs["docgen"]), "--format", "pdf", "-j", "1"))[0]

                def theirs() -> float:
                    outs["lo"] = fresh("lo50")
                    return run([lo, f"-env:UserInstallation=file://{profile_dir}", "--headless", "--convert-to", "pdf",
                                "--outdir", str(outs["lo"]), *docx])[0]

                t = paired(args.runs, {"docgen": ours, "lo": theirs})
                n_ours, n_lo = pages(outs["docgen"]), pages(outs["lo"])
                per_ours = [s / n_ours for s in t["docgen"]]
                per_lo = [s / n_lo for s in t["lo"]]
                line(f"docgen batch, 50 decisions to PDF, -j 1 ({n_ours} pages)", fmt(per_ours, "ms/page", 1000))
                line(f"soffice --convert-to pdf, same 50 DOCX ({n_lo} pages)", fmt(per_lo, "ms/page", 1000))
                line("ratio LibreOffice / docgen per page", f"{ratio(per_lo, per_ours):.1f}×", "goal ≥ 10×")

        if want("size"):
            print("\n4. PDF size, one one-page decision", flush=True)
            one = tmp / "size"
            run(docgen("admission-decision", str(ROOT / "samples" / "candidates" / "pham-thi-thu-huong.json"),
                       "--org", str(ORG), "-o", str(one / "docgen"), "--format", "both"))
            ours_pdf = next((one / "docgen").glob("*.pdf"))
            line("docgen PDF", f"{ours_pdf.stat().st_size / 1024:.1f} KB")
            if lo:
                subprocess.run([lo, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless", "--convert-to",
                                "pdf", "--outdir", str(one / "lo"), str(next((one / "docgen").glob("*.docx")))],
                               capture_output=True, check=True)
                lo_pdf = next((one / "lo").glob("*.pdf"))
                line("LibreOffice PDF of the same DOCX", f"{lo_pdf.stat().st_size / 1024:.1f} KB")
                line("ratio docgen / LibreOffice", f"{ours_pdf.stat().st_size / lo_pdf.stat().st_size:.2f}×",
                     "goal ≤ 1")

        if want("jobs"):
            print("\n5. -j: the default against -j 1 and -j 2 (forms/_shared/batch.toml)", flush=True)
            sizes = (300, 300, 60, 6, 24) if args.quick else (1000, 300, 60, 6, 24)
            cases = [("decisions DOCX only", "admission-decision", "docx", sizes[0]),
                     ("decisions PDF only", "admission-decision", "pdf", sizes[1]),
                     ("decisions PDF only", "admission-decision", "pdf", sizes[2]),
                     ("dossiers DOCX + PDF", "admission-dossier", "both", sizes[3]),
                     ("dossiers DOCX + PDF", "admission-dossier", "both", sizes[4])]
            for what, target, fmt_, n in cases:
                folder = (decisions_folder(keep / f"decisions-{n}", n) if target == "admission-decision"
                          else dossiers_folder(keep / f"dossiers-{n}", n))

                def case(*j: str, target=target, folder=folder, fmt_=fmt_) -> callable:
                    return lambda: run(docgen("batch", target, str(folder), "--org", str(ORG), "-o",
                                              str(fresh("jobs")), "--format", fmt_, *j))[0]

                t = paired(args.runs, {"default": case(), "j1": case("-j", "1"), "j2": case("-j", "2")})
                best = min(statistics.median(t["j1"]), statistics.median(t["j2"]))
                chosen = default_jobs(runner, target, fmt_, n)
                line(f"{what}, {n}: default (-j {chosen})", fmt(t["default"]),
                     f"-j 1 {fmt(t['j1'])}; -j 2 {fmt(t['j2'])}")
                line(f"{what}, {n}: default / -j 1 ; default / best", f"{ratio(t['default'], t['j1']):.2f} ; "
                     f"{statistics.median(t['default']) / best:.2f}",
                     "goal: default / -j 1 ≤ 1" + (" (the same run twice: its spread is the noise)" if chosen == 1
                                                   else ""))

        if want("dossiers") and args.dossiers:
            print(f"\n6. {args.dossiers} admission dossiers, DOCX + PDF, default -j", flush=True)
            folder = dossiers_folder(keep / f"dossiers-{args.dossiers}", args.dossiers)
            r = tree_run(docgen("batch", "admission-dossier", str(folder), "--org", str(ORG), "-o",
                                str(fresh("dossiers"))), runner.env)
            shutil.rmtree(tmp / "dossiers", ignore_errors=True)
            line(f"{args.dossiers} dossiers, default -j", f"{r['seconds']:.1f} s",
                 "goal ≤ 60 s for 1,000 on 2 cores")
            line("  peak RSS: parent ; whole process tree", f"{r['parent']:.0f} ; {r['tree']:.0f} MiB")

        if want("rss"):
            sizes = [int(x) for x in args.rss.split(",") if x]
            print(f"\n7. peak RSS of a DOCX batch, -j 1, a folder of JSON files: {', '.join(map(str, sizes))}",
                  flush=True)
            peaks = {}
            for n in sizes:
                folder = decisions_folder(keep / f"decisions-{n}", n)
                out = fresh("rss")
                seconds, peak = runner.peak("batch", "admission-decision", str(folder), "--org", str(ORG), "-o",
                                            str(out), "--format", "docx", "-j", "1")
                shutil.rmtree(out, ignore_errors=True)
                peaks[n] = peak
                line(f"{n} decisions, DOCX", f"{peak:.1f} MiB", f"{seconds:.1f} s, {seconds / n * 1000:.2f} ms/item")
            if len(sizes) > 1:
                line(f"ratio {sizes[-1]} / {sizes[0]}", f"{peaks[sizes[-1]] / peaks[sizes[0]]:.3f}",
                     "goal ≤ 1.10 at 50,000 / 500")
    finally:
        print(f"\nload at end: {load()}")
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| measure | figure | note |\n|---|---|---|")
    for measure, figure, note in TABLE:
        print(f"| {measure.strip()} | {figure} | {note} |")


if __name__ == "__main__":
    main()
