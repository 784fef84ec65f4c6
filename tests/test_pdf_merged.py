"""A pack's merged PDF is drawn from its papers' recorded pages, not laid out a second time, and
reads exactly as the one laid out afresh: the same pages, text at the same places, bookmarks."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from docgen.render import pdf as pdfmod

from conftest import make_inputs, read_json, sample
from doctext import pdf_pages


def placed_text(pdf: bytes) -> list[list[tuple[float, float, float, str]]]:
    """Per page, every piece of text with its position and size (rounded to 0.01 pt)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        pieces: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((round(x, 2), round(y, 2), round(size * tm[0], 2), text))

        page.extract_text(visitor_text=visit)
        pages.append(pieces)
    return pages


def outline(pdf: bytes) -> list[tuple[str, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]


def fonts_of(pdf: bytes) -> set[str]:
    """The base names of the fonts a PDF's pages use, each checked to be embedded."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            names.add(str(font["/BaseFont"]))
    return names


@pytest.fixture
def dossier(engine, org_data):
    inputs = make_inputs(engine, org_data, read_json(sample("ly-thi-y-lan")))
    return engine.render_all(engine.dossier_forms(inputs), inputs)


def test_the_merged_pdf_is_drawn_from_the_papers_pages(engine, dossier, monkeypatch):
    replayed = engine.merged_pdf(dossier, "Hồ sơ")
    # the same merged PDF laid out afresh, from the DOCX files alone
    monkeypatch.setattr(pdfmod, "_RECORDED", {})
    laid_out = engine.merged_pdf(dossier, "Hồ sơ")
    assert placed_text(replayed) == placed_text(laid_out)
    assert outline(replayed) == outline(laid_out)
    titles = [t for t, _ in outline(replayed)]
    assert titles == [f"Mẫu {d.form.code} — {d.title}" for d in dossier]
    # each paper's pages, in order, as in the paper's own PDF; bookmarks at each paper's first page
    assert pdf_pages(replayed) == [p for d in dossier for p in pdf_pages(d.pdf)]
    firsts, n = [], 0
    for d in dossier:
        firsts.append(n)
        n += len(PdfReader(io.BytesIO(d.pdf)).pages)
    assert [page for _, page in outline(replayed)] == firsts
    assert PdfReader(io.BytesIO(replayed)).metadata.title == "Hồ sơ"
    assert dict(PdfReader(io.BytesIO(replayed)).metadata) == dict(PdfReader(io.BytesIO(laid_out)).metadata)
    sizes = [tuple(p.mediabox) for p in PdfReader(io.BytesIO(replayed)).pages]
    assert sizes == [tuple(p.mediabox) for p in PdfReader(io.BytesIO(laid_out)).pages]
    # one subset per font for the whole file: far smaller than the papers side by side
    assert fonts_of(replayed) == fonts_of(laid_out)
    assert len(replayed) < 0.6 * sum(len(d.pdf) for d in dossier)


def test_the_merged_pdf_lays_nothing_out_again(engine, dossier, monkeypatch):
    def no_layout(*args, **kw):
        raise AssertionError("a recorded paper was laid out again")

    monkeypatch.setattr(pdfmod.Translator, "blocks", no_layout)
    merged = engine.merged_pdf(dossier, "Hồ sơ")
    assert len(PdfReader(io.BytesIO(merged)).pages) == sum(len(PdfReader(io.BytesIO(d.pdf)).pages) for d in dossier)


def test_a_paper_with_a_letter_outside_the_alphabet_is_laid_out_again(engine, org_data, monkeypatch):
    """A character outside the fixed alphabet gets its code in the document where it is first
    used, so a page drawn in one document does not read the same in another: such a paper is
    not recorded, and the merged PDF lays it out."""
    cand = read_json(sample("ly-thi-y-lan"))
    cand["candidate"]["workplace"] = "Trường Ωmega ∑ Việt"
    inputs = make_inputs(engine, org_data, cand)
    docs = engine.render_all(engine.dossier_forms(inputs), inputs)
    keys = {(d.docx, engine.fonts.names["regular"]) for d in docs}
    odd = [d for d in docs if "Ωmega" in "".join(pdf_pages(d.pdf))]
    assert odd, "no paper of the dossier shows the workplace"
    assert all((d.docx, engine.fonts.names["regular"]) not in pdfmod._RECORDED for d in odd)
    assert any(k in pdfmod._RECORDED for k in keys)
    merged = engine.merged_pdf(docs, "Hồ sơ")
    assert pdf_pages(merged) == [p for d in docs for p in pdf_pages(d.pdf)]
    assert "Ωmega ∑" in "".join(pdf_pages(merged))


def test_a_recorded_paper_is_found_by_its_content(engine, dossier):
    """The recording is keyed by the DOCX bytes: an equal DOCX is found, another is not."""
    regular = engine.fonts.names["regular"]
    docx = dossier[0].docx
    assert (bytes(bytearray(docx)), regular) in pdfmod._RECORDED
    changed = docx.replace(b"word/document.xml", b"word/document.xmL", 1)
    assert (changed, regular) not in pdfmod._RECORDED


def test_papers_of_other_sizes_keep_their_pages_in_both_ways_of_merging(engine, org_data, monkeypatch):
    """A paper in landscape after one in portrait: each on pages of its own size, whether the
    merged PDF is replayed or laid out (before, layout put every paper on the first's pages)."""
    import zipfile

    inputs = make_inputs(engine, org_data, read_json(sample("ly-thi-y-lan")))
    doc = engine.render(engine.library.get("admission-decision"), inputs)
    src, out = zipfile.ZipFile(io.BytesIO(doc.docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                assert b'<w:pgSz w:w="11906" w:h="16838"/>' in data
                data = data.replace(b'<w:pgSz w:w="11906" w:h="16838"/>',
                                    b'<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>')
            z.writestr(info, data)
    land = out.getvalue()
    own = [pdfmod.render_pdf(d, engine.fonts) for d in (doc.docx, land)]
    items = [("Dọc", doc.docx), ("Ngang", land)]

    def sizes(pdf: bytes) -> list[tuple[float, float]]:
        pages = PdfReader(io.BytesIO(pdf)).pages
        return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]

    replayed = pdfmod.render_pdf_many(items, engine.fonts, "Hồ sơ")
    monkeypatch.setattr(pdfmod, "_RECORDED", {})
    laid_out = pdfmod.render_pdf_many(items, engine.fonts, "Hồ sơ")
    assert sizes(replayed) == sizes(laid_out) == sizes(own[0]) + sizes(own[1])
    assert (595, 842) in sizes(laid_out) and (842, 595) in sizes(laid_out)
    assert placed_text(replayed) == placed_text(laid_out) == placed_text(own[0]) + placed_text(own[1])
