"""Layout fidelity of docgen's PDF against LibreOffice on the same filled DOCX files.

Usage: python bench/fidelity.py [--out DIR] [--details]

For every sample paper it renders the DOCX, converts the same DOCX with
``soffice --convert-to pdf`` and compares the two PDFs page by page and line by line. The
documents are every paper of the three sample dossiers and of the sample congress, the
decision of every row of ``samples/roster.xlsx``, and the sample decisions again with custom
margins (25/25/35/20 mm).

A line is the text drawn on one baseline, its pieces joined left to right. The lines of the
two PDFs are matched in reading order (a line is compared as its set of words, so the order
in which a PDF draws the pieces of one baseline does not count). For each document it
reports:

- the page counts;
- the lines identical and on the same page;
- for those lines, the baseline difference and the left-edge difference, in points.

Totals: page-count agreement, identical lines, and the baseline difference's median, 95th
percentile and maximum, and the share of lines within 1 pt. The target is every page break
identical, 95% of lines within 1 pt, and none more than 3 pt off.

Use the same font for both, or line breaks cannot agree: docgen's font search and
LibreOffice's substitution for Times New Roman both find Liberation Serif on Debian. Needs
LibreOffice; the tests do not run it.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOM_MARGINS = {"top": 25, "bottom": 25, "left": 35, "right": 20}


@dataclass
class Line:
    page: int
    y: float       # baseline, points from the bottom of the page
    x: float       # left edge of the first piece
    text: str

    @property
    def words(self) -> str:
        return " ".join(sorted(self.text.split()))


def lines(pdf: bytes) -> tuple[int, list[Line]]:
    """The page count and every line, top to bottom on each page: the lines a reader sees,
    whatever order the PDF draws them in."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    out: list[Line] = []
    for number, page in enumerate(reader.pages, 1):
        pieces: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((y, x, text))

        page.extract_text(visitor_text=visit)
        rows: list[tuple[float, list[tuple[float, str]]]] = []
        for y, x, text in sorted(pieces, key=lambda p: -p[0]):
            if rows and abs(rows[-1][0] - y) <= 1:
                rows[-1][1].append((x, text))
            else:
                rows.append((y, [(x, text)]))
        for y, parts in rows:
            parts.sort()
            text = " ".join(" ".join(t for _, t in parts).split())
            out.append(Line(number, y, parts[0][0], text))
    return len(reader.pages), out


@dataclass
class Comparison:
    pages: tuple[int, int]
    same_breaks: bool
    total: int
    same: int
    dy: list[float]
    dx: list[float]


def compare(ours_pdf: bytes, theirs_pdf: bytes) -> Comparison:
    n_ours, ours = lines(ours_pdf)
    n_theirs, theirs = lines(theirs_pdf)
    a = [ln.words for ln in ours]
    b = [ln.words for ln in theirs]
    same = 0
    dy: list[float] = []
    dx: list[float] = []
    for block in SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mine, lo = ours[block.a + k], theirs[block.b + k]
            if mine.page != lo.page:
                continue
            same += 1
            dy.append(abs(mine.y - lo.y))
            dx.append(abs(mine.x - lo.x))
    # the page breaks are the same when every page holds the same words in both
    def words(ls: list[Line], n: int) -> list[list[str]]:
        return [sorted(w for ln in ls if ln.page == p for w in ln.text.split()) for p in range(1, n + 1)]

    return Comparison((n_ours, n_theirs), n_ours == n_theirs and words(ours, n_ours) == words(theirs, n_theirs),
                      max(len(a), len(b)), same, dy, dx)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def sample_documents():
    """(label, Rendered) for every sample paper."""
    from docgen.load.forms import FormLibrary
    from docgen.load.model import Inputs, record_from_data
    from docgen.pipeline import Engine
    from docgen.pipeline.batch import read_items

    engine = Engine(FormLibrary(ROOT / "forms"))
    reg = engine.library.registry
    org_data = json.loads((ROOT / "samples" / "org.json").read_text("utf-8"))
    margins_data = copy.deepcopy(org_data)
    margins_data.setdefault("style", {})["margins_mm"] = dict(CUSTOM_MARGINS)
    org = record_from_data(org_data, "org", reg)
    org_margins = record_from_data(margins_data, "org", reg)
    docs = []
    profiles = sorted((ROOT / "samples" / "candidates").glob("*.json"))
    for path in profiles:
        candidate = record_from_data(json.loads(path.read_text("utf-8")), "candidate", reg)
        inputs = Inputs({"org": org, "candidate": candidate})
        docs += [(d.stem, d) for d in engine.render_all(engine.pack_forms(inputs, "admission-dossier"), inputs)]
    cg = record_from_data(json.loads((ROOT / "samples" / "congress.json").read_text("utf-8")), "congress", reg)
    inputs = Inputs({"org": org, "congress": cg})
    docs += [(d.stem, d) for d in engine.render_all(engine.pack_forms(inputs, "congress"), inputs)]
    decision = engine.library.forms["admission-decision"]
    for item in read_items(ROOT / "samples" / "roster.xlsx", engine):
        data = item.data if isinstance(item.data, dict) else json.loads(item.data)
        inputs = Inputs({"org": org, "candidate": record_from_data(data, "candidate", reg)})
        d = engine.render(decision, inputs)
        docs.append((f"roster {item.label}: {d.stem}", d))
    for path in profiles:
        inputs = Inputs({"org": org_margins,
                         "candidate": record_from_data(json.loads(path.read_text("utf-8")), "candidate", reg)})
        d = engine.render(decision, inputs)
        docs.append((f"margins 25/25/35/20: {d.stem}", d))
    return engine, docs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None, help="keep both PDFs of every document here")
    ap.add_argument("--details", action="store_true", help="list every line more than 1 pt off")
    args = ap.parse_args()
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("LibreOffice is not installed: nothing to compare against.")

    engine, docs = sample_documents()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "src"
        src.mkdir()
        for i, (_, d) in enumerate(docs):
            (src / f"{i:03d}.docx").write_bytes(d.docx)
        subprocess.run([exe, f"-env:UserInstallation=file://{tmpdir / 'profile'}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmpdir / "lo"), *sorted(str(p) for p in src.glob("*.docx"))],
                       capture_output=True, check=True)
        version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"font: {engine.fonts.family}; {version}")
        print(f"{'document':58} {'pages':>7} {'breaks':>6} {'lines same':>11} "
              f"{'dy med':>6} {'dy max':>6} {'dx max':>6}")
        all_dy: list[float] = []
        all_dx: list[float] = []
        same_pages = same_breaks = total = same = 0
        for i, (label, d) in enumerate(docs):
            lo_pdf = (tmpdir / "lo" / f"{i:03d}.pdf").read_bytes()
            c = compare(d.pdf, lo_pdf)
            same_pages += c.pages[0] == c.pages[1]
            same_breaks += c.same_breaks
            total += c.total
            same += c.same
            all_dy += c.dy
            all_dx += c.dx
            print(f"{label[:58]:58} {c.pages[0]:>3}/{c.pages[1]:<3} {'same' if c.same_breaks else 'DIFF':>6} "
                  f"{c.same:>5}/{c.total:<5} {statistics.median(c.dy or [0]):6.2f} {max(c.dy or [0]):6.2f} "
                  f"{max(c.dx or [0]):6.2f}")
            if args.details:
                _details(d.pdf, lo_pdf)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                stem = f"{i:03d}_{d.stem}"
                (args.out / f"{stem}.docgen.pdf").write_bytes(d.pdf)
                (args.out / f"{stem}.libreoffice.pdf").write_bytes(lo_pdf)
                (args.out / f"{stem}.docx").write_bytes(d.docx)
        n = len(docs)
        within = sum(v <= 1.0 for v in all_dy)
        print(f"\ndocuments: {n}")
        print(f"same page count: {same_pages}/{n}; same page breaks: {same_breaks}/{n}")
        print(f"lines identical on the same page: {same}/{total} ({100 * same / max(total, 1):.1f}%)")
        print(f"baseline difference (pt): median {statistics.median(all_dy or [0]):.2f}, "
              f"95th percentile {percentile(all_dy, 0.95):.2f}, max {max(all_dy or [0]):.2f}; "
              f"within 1 pt: {within}/{len(all_dy)} ({100 * within / max(len(all_dy), 1):.1f}%); "
              f"over 3 pt: {sum(v > 3.0 for v in all_dy)}")
        print(f"left-edge difference (pt): median {statistics.median(all_dx or [0]):.2f}, "
              f"95th percentile {percentile(all_dx, 0.95):.2f}, max {max(all_dx or [0]):.2f}")


def _details(ours_pdf: bytes, theirs_pdf: bytes) -> None:
    _, ours = lines(ours_pdf)
    _, theirs = lines(theirs_pdf)
    a = [ln.words for ln in ours]
    b = [ln.words for ln in theirs]
    for block in SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mine, lo = ours[block.a + k], theirs[block.b + k]
            if mine.page != lo.page or abs(mine.y - lo.y) > 1 or abs(mine.x - lo.x) > 1:
                print(f"    p{mine.page}/{lo.page} y {mine.y:7.2f} {lo.y:7.2f} ({mine.y - lo.y:+6.2f}) "
                      f"x {mine.x:6.2f} {lo.x:6.2f} ({mine.x - lo.x:+6.2f})  {mine.text[:60]}")
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            print(f"    {tag}: docgen {[ln.text[:50] for ln in ours[i1:i2]]} "
                  f"/ LO {[ln.text[:50] for ln in theirs[j1:j2]]}")


if __name__ == "__main__":
    main()
