"""Benchmark: documents per second for DOCX and PDF, against plain docxtpl and LibreOffice, in one run.

Usage: python bench/bench_render.py [--count 300] [--repeat 3] [--no-libreoffice] [--memory-dir /dev/shm]

The profiles are generated (fictional, deterministic). Every comparison is made in this same
run on this machine, one process against one process, so the ratios compare like with like.

Sections:
1. render only: docgen's compiled render vs ``DocxTemplate(template).render(ctx)`` + save;
2. batch, ``-j 1``: ``docgen batch`` end to end (read, check, context, render, write files)
   vs plain docxtpl rendering and saving files for the same contexts, with the output folder
   on disk and, where there is one (``--memory-dir``, default /dev/shm), in memory;
3. PDF: docgen's reportlab renderer per document, vs ``soffice --convert-to pdf`` with 20
   documents per call, where LibreOffice is installed.

Peak memory of whole batches, parent and process tree, is measured by bench/bench_paired.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hữu", "Thanh", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hạnh", "Khoa", "Lan", "Mỹ", "Nga", "Phúc", "Quyết",
         "Sơn", "Tâm", "Uyên", "Vân", "Xuân", "Yến", "Ỷ", "Ựa", "Đạt"]
PLACES = ["xã Tiên Lữ, tỉnh Hưng Yên", "phường Cầu Giấy, thành phố Hà Nội", "xã Kỳ Sơn, tỉnh Nghệ An",
          "phường Hải Châu, thành phố Đà Nẵng", "xã Nghĩa Hưng, tỉnh Ninh Bình", "phường Ỷ La, tỉnh Tuyên Quang"]
UNITS = ["Phòng Quản lý công nghiệp", "Trung tâm Khuyến công", "Phòng Thí nghiệm Vật liệu & Hóa chất",
         "Văn phòng Cục", "Phòng Kế hoạch - Tài chính"]


def profiles(n: int, seed: int = 2026) -> list[dict]:
    """``n`` fictional candidates for the admission decision, all valid."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        # from the day samples/org.json's committee was delegated (dates.delegation)
        meeting = date(2025, 7, 10) + timedelta(days=rng.randrange(0, 400))
        out.append({
            "candidate": {
                "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "gender": rng.choice(["Nam", "Nữ"]),
                "date_of_birth": (meeting - timedelta(days=rng.randrange(19 * 366, 55 * 365))).isoformat(),
                "hometown": rng.choice(PLACES),
                "residence": rng.choice(PLACES),
                "workplace": rng.choice(UNITS),
            },
            "admission": {
                # the resolutions a decision rests on, with their votes (two thirds of 12 and of 9)
                "cell_meeting": {"date": meeting.isoformat(), "resolution_number": i % 300 + 1,
                                 "members_total": 14, "members_official": 12, "members_probationary": 2,
                                 "present_official": 11, "present_probationary": 2, "approve": 10, "reject": 1},
                "committee_resolution": {"number": i % 300 + 1, "date": meeting.isoformat(), "members_total": 9,
                                         "present": 8, "approve": 8, "reject": 0},
                "decision": {"number": i % 300 + 1,
                             "date": (meeting + timedelta(days=rng.randrange(1, 40))).isoformat()},
            },
        })
    return out


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def row(name: str, count: int, seconds: float) -> None:
    print(f"  {name:58} {count / seconds:9.1f} docs/s {seconds / count * 1000:9.2f} ms/doc")


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def bench_libreoffice(docs: list[bytes], tmp: Path) -> float | None:
    """Seconds per document for ``soffice --convert-to pdf``, 20 documents per call."""
    exe = libreoffice()
    if not exe:
        return None
    profile = tmp / "lo-profile"
    src = tmp / "lo-src"
    src.mkdir()
    paths = []
    for i, d in enumerate(docs):
        p = src / f"d{i:04d}.docx"
        p.write_bytes(d)
        paths.append(str(p))
    # warm-up call: LibreOffice builds its user profile on the first start
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "lo-warm"), paths[0]], capture_output=True, check=True)
    t0 = time.perf_counter()
    for i in range(0, len(paths), 20):
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp / "lo-out"), *paths[i:i + 20]], capture_output=True, check=True)
    seconds = time.perf_counter() - t0
    made = len(list((tmp / "lo-out").glob("*.pdf")))
    return seconds / made if made else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--memory-dir", default="/dev/shm",
                    help="a memory-backed folder for the second batch measurement ('' to skip)")
    args = ap.parse_args()

    from docxtpl import DocxTemplate

    from docgen.load.forms import FormLibrary
    from docgen.load.model import Inputs, record_from_data
    from docgen.pipeline import Engine
    from docgen.pipeline.batch import run_batch
    from docgen.render.pdf import render_pdf
    from docgen.sandbox import environment

    library = FormLibrary(ROOT / "forms")
    engine = Engine(library)
    form = library.get("admission-decision")
    reg = library.registry
    org_path = ROOT / "samples" / "org.json"
    org = record_from_data(json.loads(org_path.read_text("utf-8")), "org", reg)
    items = profiles(args.count)
    inputs = [Inputs({"org": org, "candidate": record_from_data(p, "candidate", reg)}) for p in items]
    contexts = [engine.context(form, i) for i in inputs]
    n = len(contexts)

    t0 = time.perf_counter()
    tpl = engine.template(form, inputs[0])
    compile_ms = (time.perf_counter() - t0) * 1000
    fonts = engine.fonts
    env = environment(True)

    print(f"docgen benchmark — form {form.id} (Mẫu {form.code}), {n} generated profiles, best of {args.repeat}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; PDF font: {fonts.family}")
    print(f"template compiled once in {compile_ms:.1f} ms; render path: {tpl.render_path}")

    # 1. render only
    def fast():
        for c in contexts:
            tpl.render(c)

    def plain_mem():
        for c in contexts:
            d = DocxTemplate(str(form.template))
            d.render(c, jinja_env=env, autoescape=True)
            d.save(io.BytesIO())

    t_fast, t_plain_mem = best(fast, args.repeat), best(plain_mem, max(1, args.repeat - 1))
    print("\n1. render only (in memory)")
    row("docgen compiled render", n, t_fast)
    row("plain DocxTemplate(template).render(ctx) + save", n, t_plain_mem)
    print(f"  ratio: {t_plain_mem / t_fast:.1f}x")

    # 2. batch -j 1, files written
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        src = tmp / "profiles.json"
        src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        runs = iter(range(1000))

        def batch_docx(folder: Path) -> None:
            out = folder / f"batch-{next(runs)}"
            r = run_batch("admission-decision", src, org_path, out, engine=engine, formats=("docx",), jobs=1)
            assert r.ok and r.written == n

        def plain_files(folder: Path) -> None:
            out = folder / f"plain-{next(runs)}"
            out.mkdir()
            for i, c in enumerate(contexts):
                d = DocxTemplate(str(form.template))
                d.render(c, jinja_env=env, autoescape=True)
                d.save(out / f"{i}.docx")

        # Creating a file costs the same for both tools, but on a virtual disk it can swing
        # tenfold between runs (measured here: 0.05-0.6 ms on ext4 mounted with online
        # discard). So both tools are also measured writing to a memory-backed folder, which
        # leaves only the tools' own work in the comparison.
        print("\n2. batch, one process (-j 1), DOCX files written")
        folders = [("disk", tmp)]
        if args.memory_dir and Path(args.memory_dir).is_dir() and os.access(args.memory_dir, os.W_OK):
            folders.append((f"memory ({args.memory_dir})", Path(tempfile.mkdtemp(dir=args.memory_dir))))
        try:
            for where, folder in folders:
                t_batch = best(lambda f=folder: batch_docx(f), args.repeat)
                t_plain = best(lambda f=folder: plain_files(f), args.repeat)  # as many tries as docgen
                print(f"  output folder on {where}:")
                row("docgen batch (read, check, context, render, write)", n, t_batch)
                row("plain docxtpl render + save to file, same contexts", n, t_plain)
                print(f"  ratio DOCX batch vs plain docxtpl: {t_plain / t_batch:.1f}x (target >= 30x)")
        finally:
            for _where, folder in folders[1:]:
                shutil.rmtree(folder, ignore_errors=True)

        # 3. PDF
        docs = [tpl.render(c) for c in contexts]
        size = min(60, max(1, n // 4))
        sample = docs[:size]
        windows = iter(range(0, n, size))

        def pdf_each():
            # a fresh window of documents each time: names and dates are laid out anew,
            # as in a real batch (only the template's fixed text is shared)
            start = next(windows, 0)
            for d in docs[start:start + size]:
                render_pdf(d, fonts)

        def batch_pdf():
            out = tmp / f"batchpdf-{next(runs)}"
            r = run_batch("admission-decision", src, org_path, out, engine=engine, formats=("pdf",), jobs=1)
            assert r.ok

        t_pdf = best(pdf_each, max(1, args.repeat - 1))
        t_batch_pdf = best(batch_pdf, max(1, args.repeat - 1))
        print("\n3. PDF, one process")
        row("docgen PDF from the filled DOCX (one file each)", len(sample), t_pdf)
        row("docgen batch -j 1, PDF only (read ... write)", n, t_batch_pdf)
        lo = None if args.no_libreoffice else bench_libreoffice(sample[:40], tmp)
        if lo:
            version = subprocess.run([libreoffice(), "--version"], capture_output=True, text=True).stdout.strip()
            print(f"  {'LibreOffice soffice --convert-to pdf, 20 per call':58} {1 / lo:9.1f} docs/s "
                  f"{lo * 1000:9.2f} ms/doc")
            print(f"  ({version})")
            print(f"  ratio PDF batch vs LibreOffice: {lo / (t_batch_pdf / n):.1f}x (target >= 10x)")
        else:
            print("  LibreOffice not installed (or skipped): no comparison")
    print(f"\n(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
