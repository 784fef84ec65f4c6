"""Benchmark: documents per second for DOCX and PDF, against plain docxtpl, in one run.

Usage: python bench/bench_render.py [--count 300] [--form admission-decision] [--repeat 3]

The profiles are generated (fictional, deterministic). Every figure is the best of
``--repeat`` runs measured in this same process, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from docgen.checks import Inputs  # noqa: E402
from docgen.forms import FormLibrary  # noqa: E402
from docgen.model import record_from_data  # noqa: E402
from docgen.pipeline import Engine  # noqa: E402
from docgen.render.docx import compiled  # noqa: E402
from docgen.render.pdf import render_pdf  # noqa: E402
from docgen.sandbox import environment  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hữu", "Thanh", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hạnh", "Khoa", "Lan", "Mỹ", "Nga", "Phúc", "Quyết",
         "Sơn", "Tâm", "Uyên", "Vân", "Xuân", "Yến", "Ỷ", "Ựa", "Đạt"]
PLACES = ["xã Tiên Lữ, tỉnh Hưng Yên", "phường Cầu Giấy, thành phố Hà Nội", "xã Kỳ Sơn, tỉnh Nghệ An",
          "phường Hải Châu, thành phố Đà Nẵng", "xã Nghĩa Hưng, tỉnh Ninh Bình", "phường Ỷ La, tỉnh Tuyên Quang"]
UNITS = ["Phòng Quản lý công nghiệp", "Trung tâm Khuyến công", "Phòng Thí nghiệm Vật liệu & Hóa chất",
         "Văn phòng Cục", "Phòng Kế hoạch - Tài chính"]


def profiles(n: int, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        meeting = date(2025, 7, 1) + timedelta(days=rng.randrange(0, 400))
        out.append({
            "candidate": {
                "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "gender": rng.choice(["Nam", "Nữ"]),
                "date_of_birth": (date(1975, 1, 1) + timedelta(days=rng.randrange(0, 11000))).isoformat(),
                "hometown": rng.choice(PLACES),
                "residence": rng.choice(PLACES),
                "workplace": rng.choice(UNITS),
            },
            "admission": {
                "cell_meeting": {"date": meeting.isoformat()},
                "decision": {"number": i % 300 + 1, "date": (meeting + timedelta(days=rng.randrange(1, 40))).isoformat()},
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--form", default="admission-decision")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    engine = Engine(FormLibrary(ROOT / "forms"))
    form = engine.library.get(args.form)
    reg = engine.library.registry
    org = record_from_data(__import__("json").loads((ROOT / "samples" / "org.json").read_text("utf-8")), "org", reg)
    inputs = [Inputs({"org": org, "candidate": record_from_data(p, "candidate", reg)}) for p in profiles(args.count)]
    contexts = [engine.context(form, i) for i in inputs]
    margins = engine.margins_twips(org)
    n = len(contexts)

    t0 = time.perf_counter()
    tpl = compiled(form.template, margins)
    compile_ms = (time.perf_counter() - t0) * 1000
    fonts = engine.fonts

    def fast_docx():
        return [tpl.render(c) for c in contexts]

    def pipeline_docx():
        for i in inputs:
            engine.problems([form], i)
            tpl.render(engine.context(form, i))

    def plain_docxtpl():
        env = environment(True)
        for c in contexts:
            d = DocxTemplate(str(form.template))
            d.render(c, jinja_env=env, autoescape=True)
            d.save(io.BytesIO())

    docs = fast_docx()
    pdf_sample = docs[: max(50, n // 4)]

    def pdf_each():
        for d in pdf_sample:
            render_pdf(d, fonts)

    t_fast = best(fast_docx, args.repeat)
    t_pipe = best(pipeline_docx, args.repeat)
    t_plain = best(plain_docxtpl, max(1, args.repeat - 1))
    t_pdf = best(pdf_each, max(1, args.repeat - 1))

    rate = lambda count, t: count / t  # noqa: E731
    print(f"form: {form.id} (Mẫu {form.code}); {n} generated profiles; best of {args.repeat} runs")
    print(f"font for PDF: {fonts.family}")
    print(f"compile once: {compile_ms:.1f} ms (render path: {tpl.render_path})")
    print(f"{'path':44} {'docs/s':>10} {'ms/doc':>8}")
    rows = [
        ("DOCX, docgen compiled render", rate(n, t_fast), t_fast / n),
        ("DOCX, docgen check + context + render", rate(n, t_pipe), t_pipe / n),
        ("DOCX, plain DocxTemplate(...).render + save", rate(n, t_plain), t_plain / n),
        ("PDF, docgen reportlab from the DOCX", rate(len(pdf_sample), t_pdf), t_pdf / len(pdf_sample)),
    ]
    for name, r, per in rows:
        print(f"{name:44} {r:10.1f} {per * 1000:8.2f}")
    print(f"ratio DOCX compiled / plain docxtpl: {t_plain / t_fast:.1f}x")
    print(f"ratio DOCX full pipeline / plain docxtpl: {t_plain / t_pipe:.1f}x")


if __name__ == "__main__":
    main()
