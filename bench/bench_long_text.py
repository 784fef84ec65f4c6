"""PDF layout time against the length of one free-text field.

Usage: python bench/bench_long_text.py

Renders the sample cell resolution (6-KNĐ) with its "strengths" conclusion at 2,500 to
40,000 characters (the field's bound is 20,000) and prints the PDF time per document and per
thousand characters, best of three, with the layout caches emptied before each try. Linear
layout shows as a flat time per thousand characters; reportlab's own paragraph split broke
the rest of a paragraph again on every page, which grew with the square of the length.
"""

from __future__ import annotations

import copy
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = "phẩm chất đạo đức lối sống năng lực công tác quan hệ quần chúng tốt".split()
LENGTHS = (2_500, 5_000, 10_000, 20_000, 40_000)


def text_of(length: int) -> str:
    out, i = [], 0
    while sum(len(w) + 1 for w in out) < length:
        out.append(WORDS[i % len(WORDS)])
        i += 1
    return " ".join(out)[:length].rstrip()


def main() -> None:
    from pypdf import PdfReader

    from docgen.load.forms import FormLibrary
    from docgen.load.model import Inputs, record_from_data
    from docgen.pipeline import Engine
    from docgen.render import pdf as pdfmod
    from docgen.render.pdf import render_pdf

    engine = Engine(FormLibrary(ROOT / "forms"))
    reg = engine.library.registry
    org = record_from_data(json.loads((ROOT / "samples" / "org.json").read_text("utf-8")), "org", reg)
    base = json.loads((ROOT / "samples" / "candidates" / "ly-thi-y-lan.json").read_text("utf-8"))
    form = engine.library.forms["cell-resolution"]
    print(f"font: {engine.fonts.family}")
    print(f"{'characters':>10} {'pages':>6} {'PDF ms':>8} {'ms per 1,000 characters':>24}")
    for length in LENGTHS:
        data = copy.deepcopy(base)
        data["admission"]["cell_meeting"]["conclusions"]["strengths"] = text_of(length)
        inputs = Inputs({"org": org, "candidate": record_from_data(data, "candidate", reg)})
        docx = engine.render(form, inputs, formats=("docx",)).docx
        best = float("inf")
        for _ in range(3):
            for cache in (pdfmod._FRAGS, pdfmod._LINES, pdfmod._PARAS):
                cache.clear()  # every try breaks its lines afresh
            start = time.perf_counter()
            pdf = render_pdf(docx, engine.fonts)
            best = min(best, time.perf_counter() - start)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"{length:>10,} {pages:>6} {best * 1000:>8.0f} {best * 1e6 / length:>24.1f}")


if __name__ == "__main__":
    main()
