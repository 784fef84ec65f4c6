"""The PDF's layout: what must hold with any font, and the exact line breaks of the font in use.

The suite runs twice in CI (``.ci/run``): once with the font search forced to DejaVu Serif,
the fallback, which is about 25% wider than Times New Roman, and once with the machine's
own fonts (Liberation Serif, Times New Roman's metrics). The tests of the first section
hold for both. The exact line breaks in the last section are kept per font metrics, and
each run compares the breaks of the font it uses.
"""

from __future__ import annotations

import copy
import io
import os
import re
import zipfile
from dataclasses import dataclass

import pytest
from lxml import etree
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from conftest import GOLDEN, SAMPLES, VALID_CANDIDATES, make_inputs, read_json, sample
from doctext import docx_paragraphs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CUSTOM_MARGINS = {"top": 25, "bottom": 25, "left": 35, "right": 20}


@dataclass
class Line:
    page: int
    y: float
    x: float
    size: float
    text: str


def pdf_lines(pdf: bytes) -> list[list[Line]]:
    """Per page, the text on each baseline (pieces joined left to right), top to bottom."""
    pages = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1):
        pieces: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((y, x, size * tm[0], text))

        page.extract_text(visitor_text=visit)
        rows: list[tuple[float, list]] = []
        for y, x, size, text in sorted(pieces, key=lambda p: -p[0]):
            if rows and abs(rows[-1][0] - y) <= 1:
                rows[-1][1].append((x, size, text))
            else:
                rows.append((y, [(x, size, text)]))
        lines = []
        for y, parts in rows:
            parts.sort()
            text = " ".join(" ".join(t for _, _, t in parts).split())
            lines.append(Line(number, y, parts[0][0], parts[0][1], text))
        pages.append(lines)
    return pages


def body_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """The pages without their page-number line (pages 2, 3, … start with their number)."""
    return [[ln for ln in lines if not (i and ln is lines[0] and ln.text == str(i + 1))]
            for i, lines in enumerate(pages)]


def sample_papers(engine, org_data) -> list:
    """Every paper of the sample dossiers and the sample congress, and the sample decisions
    again with custom margins (25/25/35/20 mm)."""
    docs = []
    for path in VALID_CANDIDATES:
        inputs = make_inputs(engine, org_data, read_json(path))
        docs += engine.render_all(engine.dossier_forms(inputs), inputs)
    inputs = make_inputs(engine, org_data, read_json(SAMPLES / "congress.json"), "congress")
    docs += engine.render_all(engine.pack_forms(inputs, "congress"), inputs)
    org = copy.deepcopy(org_data)
    org.setdefault("style", {})["margins_mm"] = dict(CUSTOM_MARGINS)
    for path in VALID_CANDIDATES:
        inputs = make_inputs(engine, org, read_json(path))
        docs.append(engine.render(engine.library.forms["admission-decision"], inputs))
    return docs


@pytest.fixture(scope="module")
def papers(engine, org_data):
    return sample_papers(engine, org_data)


def test_the_run_uses_the_font_it_was_started_for(engine):
    """``.ci/run`` names the family each run must use, so a forced-fallback run that quietly
    found another font cannot pass for one."""
    expected = os.environ.get("DOCGEN_EXPECT_FONT")
    if not expected:
        pytest.skip("DOCGEN_EXPECT_FONT is not set (only .ci/run sets it)")
    assert engine.fonts.family == expected


# -- what holds with any font ------------------------------------------------------------------
NUMBER = re.compile(r"\d")


def test_no_word_is_broken_across_lines(papers):
    """Every word of every paper, dates and numbers above all, stands whole on one line of its
    PDF: a word is split only when it alone is wider than its line or cell, as Word does, and
    no word in the samples is. The PDF's words are the DOCX's words, in order."""
    for doc in papers:
        docx_words = " ".join(docx_paragraphs(doc.docx)).replace("\u00a0", " ").split()
        pdf_words = [w for page in body_lines(pdf_lines(doc.pdf)) for ln in page for w in ln.text.split()]
        assert sorted(pdf_words) == sorted(docx_words), doc.stem
        broken = [w for w in pdf_words if NUMBER.search(w) and w not in docx_words]
        assert not broken, (doc.stem, broken)


def _signature_tokens(docx: bytes) -> set[str] | None:
    """The words of the paper's closing table (recipients and signature), or None when the
    paper ends without one."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(W + "body")
    blocks = [el for el in body if el.tag in (W + "p", W + "tbl")]
    while blocks and blocks[-1].tag == W + "p" and not "".join(blocks[-1].itertext()).strip():
        blocks.pop()
    if not blocks or blocks[-1].tag != W + "tbl":
        return None
    return set("".join(t.text or "" for t in blocks[-1].iter(W + "t")).split()) | set(
        " ".join("".join(t.text or "" for t in p.iter(W + "t")) for p in blocks[-1].iter(W + "p")).split())


def assert_signature_not_alone(doc) -> None:
    sig = _signature_tokens(doc.docx)
    if sig is None:
        return
    last = body_lines(pdf_lines(doc.pdf))[-1]
    others = [ln.text for ln in last if not set(ln.text.split()) <= sig]
    assert others, f"{doc.stem}: the signature block stands alone on its last page"


def test_no_signature_block_alone_on_a_page(papers):
    for doc in papers:
        assert_signature_not_alone(doc)


def test_a_decision_that_grows_onto_a_second_page_takes_its_last_article_along(engine, org_data):
    """Lengthen the decision one word at a time until it needs two pages, with the font in
    use: the signature block goes over with the text before it, never on its own."""
    data = read_json(sample("ly-thi-y-lan"))
    form = engine.library.forms["admission-decision"]
    base = data["candidate"]["workplace"]

    def render(extra: int):
        data["candidate"]["workplace"] = base + " và Tổ công tác" * extra
        return engine.render(form, make_inputs(engine, org_data, data))

    assert _two_page_versions(render, range(0, 120, 3)) >= 3


def _two_page_versions(render, extras) -> int:
    """Render ``render(extra)`` for growing ``extras`` until the paper needs three pages; each
    two-page version keeps its signature with the text before it. Returns how many there were."""
    two_pages = 0
    for extra in extras:
        doc = render(extra)
        pages = len(PdfReader(io.BytesIO(doc.pdf)).pages)
        if pages == 2:
            two_pages += 1
            assert_signature_not_alone(doc)
        if pages > 2:
            break
    return two_pages


def test_a_list_that_grows_onto_a_second_page_takes_its_last_row_along(engine, org_data):
    """The trích ngang list's rows keep with the signature after the table (keep-with-next on
    the row, as Word reads it): lengthen the positions until the list needs two pages, with
    the font in use, and the last row goes over with the signature, which never stands alone."""
    data = read_json(SAMPLES / "congress.json")
    form = engine.library.forms["elected-list"]
    people = data["congress"]["elections"][0]["candidates"]
    bases = [c["position"] for c in people]

    def render(extra: int):
        for c, base in zip(people, bases, strict=True):
            c["position"] = base + " kiêm Tổ trưởng công tác" * extra
        return engine.render(form, make_inputs(engine, org_data, data, "congress"))

    assert _two_page_versions(render, range(0, 60, 2)) >= 2


def test_page_numbers_from_page_two_on_the_text_column(engine, papers):
    """Page 1 carries no number. Page k ≥ 2 starts with "k", centred on the text column (the
    header paragraph is centred), and a merged PDF restarts the count for each paper."""
    font = engine.fonts.names["regular"]
    for doc in papers:
        with zipfile.ZipFile(io.BytesIO(doc.docx)) as z:
            sect = etree.fromstring(z.read("word/document.xml")).find(f"{W}body/{W}sectPr")
        size, mar = sect.find(W + "pgSz"), sect.find(W + "pgMar")
        left, right = int(mar.get(W + "left")) / 20, int(mar.get(W + "right")) / 20
        centre = (left + int(size.get(W + "w")) / 20 - right) / 2
        pages = pdf_lines(doc.pdf)
        assert not pages[0][0].text.isdigit(), doc.stem
        for k, lines in enumerate(pages[1:], 2):
            top = lines[0]
            assert top.text == str(k), doc.stem
            middle = top.x + stringWidth(top.text, font, top.size) / 2
            assert abs(middle - centre) < 0.5, (doc.stem, k, middle, centre)


def test_merged_dossier_restarts_page_numbers_per_paper(engine, org_data):
    inputs = make_inputs(engine, org_data, read_json(sample("ly-thi-y-lan")))
    docs = engine.render_all(engine.dossier_forms(inputs), inputs)
    merged = pdf_lines(engine.merged_pdf(docs, "Hồ sơ"))
    expected = []
    for doc in docs:
        n = len(PdfReader(io.BytesIO(doc.pdf)).pages)
        expected += [None] + [str(k) for k in range(2, n + 1)]
    got = [lines[0].text if lines[0].text.isdigit() else None for lines in merged]
    assert got == expected
    assert any(expected), "no sample paper of this dossier has a second page"


# -- exact line breaks, per font metrics -------------------------------------------------------
def metrics_name(fonts) -> str:
    """Fonts with the same metrics break lines alike: Times New Roman, Liberation Serif and
    Tinos share one set of line breaks."""
    return "times-metric" if fonts.times_metric else re.sub(r"\W+", "-", fonts.family.lower())


def test_line_breaks_of_every_sample_paper(engine, papers, update_golden):
    """The exact lines of every sample paper, page by page, for the metrics of the font in
    use (tests/golden/lines/<metrics>/). The Times-metric breaks were checked against
    LibreOffice's rendering of the same DOCX files (``make fidelity``: the same lines, on the
    same pages). A font with no recorded breaks is skipped, and the skip says which."""
    folder = GOLDEN / "lines" / metrics_name(engine.fonts)
    if not folder.is_dir() and not update_golden:
        pytest.skip(f"no recorded line breaks for {engine.fonts.family}; recorded: "
                    f"{', '.join(sorted(p.name for p in (GOLDEN / 'lines').iterdir()))}")
    for i, doc in enumerate(papers):
        got = "".join(f"--- page {n}\n" + "".join(f"{ln.text}\n" for ln in lines)
                      for n, lines in enumerate(pdf_lines(doc.pdf), 1))
        file = folder / f"{i:02d}_{doc.stem}.txt"
        if update_golden:
            folder.mkdir(parents=True, exist_ok=True)
            file.write_text(got, encoding="utf-8")
        assert got == file.read_text(encoding="utf-8"), file.name
    assert len(list(folder.glob("*.txt"))) == len(papers)


def test_a_paragraph_split_across_pages_leaves_other_documents_alone(engine, org_data):
    """Equal paragraphs share their fragments and line breaks between documents, and
    reportlab's split edits what it splits: a document laid out after others whose
    paragraphs split across pages is byte for byte what it is when laid out first. (With
    DejaVu Serif, Điều 2, which both decisions share, splits across pages as Điều 1 grows; with
    Times metrics it moves whole. CI's fallback run is the one where the split happens.)"""
    from docgen.render import pdf as pdfmod

    form = engine.library.forms["admission-decision"]
    data = read_json(sample("ly-thi-y-lan"))
    for cache in (pdfmod._FRAGS, pdfmod._LINES, pdfmod._PARAS):
        cache.clear()
    first = engine.render(form, make_inputs(engine, org_data, data)).pdf
    grown = copy.deepcopy(data)
    splits = 0
    for extra in range(0, 60):
        grown["candidate"]["workplace"] = data["candidate"]["workplace"] + " và Tổ công tác" * extra
        splits += len(PdfReader(io.BytesIO(engine.render(form, make_inputs(engine, org_data, grown)).pdf)).pages) > 1
    assert splits
    assert engine.render(form, make_inputs(engine, org_data, data)).pdf == first


def test_every_font_a_pdf_names_is_embedded_and_used(engine, papers):
    """No page names a font that the PDF neither embeds nor draws with (reportlab's default
    Helvetica was named by every table)."""
    for doc in papers:
        pages = PdfReader(io.BytesIO(doc.pdf)).pages
        drawn = b"".join(page.get_contents().get_data() for page in pages)
        for page in pages:
            for key, ref in page["/Resources"]["/Font"].items():
                font = ref.get_object()
                assert "/FontFile2" in font.get("/FontDescriptor", {}), (doc.stem, font["/BaseFont"])
                assert f"{key} ".encode() in drawn, (doc.stem, key, font["/BaseFont"])


def test_a_row_taller_than_a_page_breaks_across_pages(engine, org_data):
    """A table row cannot split (w:cantSplit) unless it alone is taller than a page: then it
    breaks, as Word breaks it, instead of the layout failing. Every word is still printed."""
    cg = read_json(SAMPLES / "congress.json")
    position = " ".join(["Trưởng phòng Hành chính Tổng hợp kiêm"] * 60)
    cg["congress"]["elections"][0]["candidates"][0]["position"] = position
    inputs = make_inputs(engine, org_data, cg, "congress")
    doc = engine.render(engine.library.forms["candidate-list"], inputs, item=0)
    pages = body_lines(pdf_lines(doc.pdf))
    assert len(pages) >= 3
    words = [w for page in pages for ln in page for w in ln.text.split()]
    assert sorted(words) == sorted(" ".join(docx_paragraphs(doc.docx)).split())
    frame_bottom = 20 * 72 / 25.4  # the sample's bottom margin, 20 mm
    assert all(ln.y > frame_bottom for page in pages for ln in page)


# -- Word's pagination rules in the translator, on documents built here ---------------------------
def _filler_docx(tail: list[str], *, keep_lines: bool = False, widow_control: bool | None = None,
                 fill: int = 40) -> bytes:
    """``fill`` one-line paragraphs, then the ``tail`` paragraphs (Times New Roman 14 pt,
    single spacing): the tail starts near the bottom of page 1."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
    for i in range(fill):
        doc.add_paragraph(f"Dòng {i + 1}")
    for text in tail:
        p = doc.add_paragraph(text)
        if keep_lines:
            p.paragraph_format.keep_together = True
        if widow_control is not None:
            p.paragraph_format.widow_control = widow_control
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _page_of(pdf: bytes, word: str) -> list[int]:
    return [i for i, lines in enumerate(pdf_lines(pdf), 1) for ln in lines if word in ln.text.split()]


LONG = " ".join(f"chữ{i}" for i in range(90))  # a paragraph of several lines


def _fill_to_leave(engine, lines_left: int, tail_lines: list[str], **kw) -> bytes:
    """A document whose tail paragraph starts with ``lines_left`` lines of room on page 1."""
    from docgen.render.pdf import render_pdf

    # find how many one-line paragraphs fill page 1, then leave room for lines_left
    for fill in range(30, 60):
        pdf = render_pdf(_filler_docx([], fill=fill), engine.fonts)
        if len(PdfReader(io.BytesIO(pdf)).pages) == 2:
            break
    per_page = fill - 1
    return render_pdf(_filler_docx(tail_lines, fill=per_page - lines_left, **kw), engine.fonts)


def test_keep_lines_together_moves_the_whole_paragraph(engine):
    pdf = _fill_to_leave(engine, 2, [LONG], keep_lines=True)
    assert set(_page_of(pdf, "chữ0")) == {2} and set(_page_of(pdf, "chữ89")) == {2}
    pdf = _fill_to_leave(engine, 2, [LONG])  # the same paragraph without it splits
    assert _page_of(pdf, "chữ0") == [1] and _page_of(pdf, "chữ89") == [2]


def test_widow_and_orphan_control(engine):
    """One line of room: the first line would be an orphan, so the paragraph moves. With
    widow control turned off (w:widowControl w:val="0") it splits there."""
    pdf = _fill_to_leave(engine, 1, [LONG])
    assert _page_of(pdf, "chữ0") == [2]
    pdf = _fill_to_leave(engine, 1, [LONG], widow_control=False)
    assert _page_of(pdf, "chữ0") == [1]
