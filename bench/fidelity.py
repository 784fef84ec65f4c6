"""Layout fidelity of docgen's PDF against LibreOffice on the same filled DOCX files.

Usage: python bench/fidelity.py [--out DIR]

For every sample paper (the decisions, the three dossiers, the congress pack) it renders the
DOCX, converts it with ``soffice --convert-to pdf`` and compares, per document:
- the page count;
- the text lines, one per baseline, in order (each compared as its set of words).
It prints one row per document and the totals. Use a Times-metric font (Liberation Serif)
for both, or line breaks cannot agree. Needs LibreOffice; not run by the tests.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def lines(pdf: bytes) -> list[list[str]]:
    """Per page, the text of each baseline (pieces on one baseline joined left to right), top
    to bottom: the lines a reader sees, whatever order the PDF draws them in."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        pieces: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((round(y), x, text))

        page.extract_text(visitor_text=visit)
        rows: dict[int, list[tuple[float, str]]] = {}
        for y, x, text in pieces:
            key = next((k for k in rows if abs(k - y) <= 1), y)
            rows.setdefault(key, []).append((x, text))
        pages.append([" ".join(" ".join(t for _, t in sorted(parts)).split())
                      for _, parts in sorted(rows.items(), key=lambda kv: -kv[0])])
    return pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None, help="keep both PDFs of every document here")
    args = ap.parse_args()
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("LibreOffice is not installed: nothing to compare against.")

    from docgen.checks import Inputs
    from docgen.forms import FormLibrary
    from docgen.model import record_from_data
    from docgen.pipeline import Engine

    engine = Engine(FormLibrary(ROOT / "forms"))
    reg = engine.library.registry
    org = record_from_data(json.loads((ROOT / "samples" / "org.json").read_text("utf-8")), "org", reg)
    docs = []
    for path in sorted((ROOT / "samples" / "candidates").glob("*.json")):
        inputs = Inputs({"org": org, "candidate": record_from_data(json.loads(path.read_text("utf-8")), "candidate", reg)})
        docs += engine.render_all(engine.pack_forms(inputs, "candidate"), inputs)
    cg = record_from_data(json.loads((ROOT / "samples" / "congress.json").read_text("utf-8")), "congress", reg)
    inputs = Inputs({"org": org, "congress": cg})
    docs += engine.render_all(engine.pack_forms(inputs, "congress"), inputs)

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "src"
        src.mkdir()
        for i, d in enumerate(docs):
            (src / f"{i:03d}_{d.stem}.docx").write_bytes(d.docx)
        subprocess.run([exe, f"-env:UserInstallation=file://{tmpdir / 'profile'}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmpdir / "lo"), *sorted(str(p) for p in src.glob("*.docx"))],
                       capture_output=True, check=True)
        print(f"font: {engine.fonts.family}")
        print(f"{'document':62} {'pages':>9} {'lines same':>12}")
        same_pages = total_lines = equal_lines = 0
        for i, d in enumerate(docs):
            lo_pdf = (tmpdir / "lo" / f"{i:03d}_{d.stem}.pdf").read_bytes()
            ours, theirs = lines(d.pdf), lines(lo_pdf)
            # a line is compared as its words, so the order in which the PDF draws the pieces
            # of one baseline (a bold "Điều 1." then the rest) does not count
            a = [" ".join(sorted(ln.split())) for page in ours for ln in page if not ln.isdigit()]
            b = [" ".join(sorted(ln.split())) for page in theirs for ln in page if not ln.isdigit()]
            matched = sum(block.size for block in SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())
            same_pages += len(ours) == len(theirs)
            total_lines += max(len(a), len(b))
            equal_lines += matched
            print(f"{d.stem[:62]:62} {len(ours):>4}/{len(theirs):<4} {matched:>5}/{max(len(a), len(b)):<5}")
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{d.stem}.docgen.pdf").write_bytes(d.pdf)
                (args.out / f"{d.stem}.libreoffice.pdf").write_bytes(lo_pdf)
        print(f"\nsame page count: {same_pages}/{len(docs)} documents; "
              f"identical lines: {equal_lines}/{total_lines} ({100 * equal_lines / max(total_lines, 1):.1f}%)")


if __name__ == "__main__":
    main()
