"""The PDF renderer's fast paths give the same documents as the plain ones, and its font
search and font embedding do what they promise.

Speed itself is measured by the benchmarks, never here; these tests hold the output.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics

from docgen.render import fonts as fontmod

from conftest import VALID_CANDIDATES, make_inputs, read_json
from doctext import pdf_text


def _dejavu_files() -> dict[str, Path]:
    family = next(f for f in fontmod.FAMILIES if f.name == "DejaVu Serif")
    index = fontmod._index(fontmod.system_dirs())
    return {style: index[family.files[style][0].lower()][0] for style in fontmod.STYLES}


def test_a_font_name_in_two_folders_uses_the_one_with_vietnamese(tmp_path, monkeypatch):
    """Debian's fonts-liberation (no Vietnamese) and fonts-liberation2 hold files of the same
    names: the search goes on to the second folder rather than giving up on the family."""
    dejavu = _dejavu_files()
    monkeypatch.delenv("DOCGEN_FONT_DIR", raising=False)
    monkeypatch.setattr(fontmod, "system_dirs", lambda: [])
    liberation = next(f for f in fontmod.FAMILIES if f.name == "Liberation Serif")
    for folder in ("a-old", "b-new"):
        (tmp_path / folder).mkdir()
        for style in fontmod.STYLES:
            (tmp_path / folder / liberation.files[style][0]).symlink_to(dejavu[style])
    probe = fontmod._probe
    monkeypatch.setattr(fontmod, "_probe", lambda p: "a-old" not in str(p) and probe(p))
    family, paths = fontmod.find_family(tmp_path)
    assert family.name == "Liberation Serif"
    assert all(p.parent.name == "b-new" for p in paths.values())


# -- the embedded font programs ------------------------------------------------------------------
def _programs(pdf: bytes) -> dict[str, tuple[bytes, dict]]:
    """Each embedded font's name -> (its program, its font dictionary)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            program = font["/FontDescriptor"].get_object()["/FontFile2"].get_object()
            assert program["/Length1"] == len(program.get_data())
            out[str(font["/BaseFont"])] = (program.get_data(), font)
    return out


def _tables(program: bytes) -> dict[bytes, bytes]:
    count = struct.unpack(">H", program[4:6])[0]
    tables = {}
    for i in range(count):
        tag, checksum, offset, length = struct.unpack(">4sIII", program[12 + 16 * i: 28 + 16 * i])
        data = program[offset: offset + length]
        if tag != b"head":
            assert fontmod._words(fontmod._padded(data)) == checksum, tag
        tables[tag] = data
    return tables


def test_a_pdf_embeds_only_the_glyphs_it_draws(engine, org_data):
    """Each font program is a valid TrueType file (table checksums, the whole file's checksum
    adjustment) with the tables PDF 32000-1 §9.9 asks for, whose used letters have outlines
    and whose unused letters are empty."""
    form = engine.library.get("admission-decision")
    doc = engine.render(form, make_inputs(engine, org_data, read_json(VALID_CANDIDATES[0])))
    text = pdf_text(doc.pdf)
    programs = _programs(doc.pdf)
    assert programs
    regular = next(v for k, v in programs.items() if k.startswith("/AAAAAA+") and "-" not in k.split("+")[1])
    for program, _ in programs.values():
        tables = _tables(program)
        for tag in (b"head", b"hhea", b"loca", b"maxp", b"cvt ", b"prep", b"glyf", b"hmtx", b"fpgm", b"cmap"):
            if tag in (b"cvt ", b"prep", b"fpgm") and tag not in tables:
                continue  # a font without hinting programs has none to embed
            assert tag in tables, tag
        assert fontmod._words(fontmod._padded(program)) == 0xB1B0AFBA
    # the regular font: "Đ" (used) has an outline, and a letter the paper does not use has none
    program, font = regular
    tables = _tables(program)
    loca = struct.unpack(f">{len(tables[b'loca']) // 4}I", tables[b"loca"])
    fmt, _, _, first, entries = struct.unpack(">HHHHH", tables[b"cmap"][12:22])
    glyph_of = dict(zip(range(first, first + entries),
                        struct.unpack(f">{entries}H", tables[b"cmap"][22: 22 + 2 * entries]), strict=True))
    widths = font["/Widths"]
    alphabet = fontmod.BASE_ALPHABET

    def code(ch: str) -> int:
        fonts = engine.fonts
        ttf = pdfmetrics.getFont(fonts.names["regular"])
        return ttf._seed[0][ord(ch)]

    used, unused = "Đ", next(ch for ch in "ỹỸẵẴ" if ch not in text)
    assert used in text and used in alphabet and unused in alphabet
    g = glyph_of[code(used)]
    assert loca[g + 1] > loca[g] and widths[code(used)] > 0
    g = glyph_of[code(unused)]
    assert loca[g + 1] == loca[g] and widths[code(unused)] == 0


def test_a_decision_is_no_larger_than_libreoffices(engine, org_data, tmp_path):
    """docgen's PDF of a decision is no larger than LibreOffice's PDF of the same DOCX, made now
    (``soffice --convert-to pdf``; 44.5 KB with LibreOffice 7.4 and Liberation Serif, where
    docgen's is 43.5 KB, and 38 KB with DejaVu Serif). Without LibreOffice it is skipped and says
    what to install; under CI (``.ci/run`` installs it) it fails instead."""
    form = engine.library.get("admission-decision")
    doc = engine.render(form, make_inputs(engine, org_data, read_json(VALID_CANDIDATES[0])))
    if shutil.which("soffice") is None:
        reason = "LibreOffice is not installed (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run this test", pytrace=False)
        pytest.skip(reason)
    (tmp_path / "quyet-dinh.docx").write_bytes(doc.docx)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "lo"), str(tmp_path / "quyet-dinh.docx")],
                   check=True, capture_output=True, timeout=180)
    theirs = (tmp_path / "lo" / "quyet-dinh.pdf").read_bytes()
    assert len(pypdf.PdfReader(io.BytesIO(theirs)).pages) == len(pypdf.PdfReader(io.BytesIO(doc.pdf)).pages)
    assert len(doc.pdf) <= len(theirs), (len(doc.pdf), len(theirs))


# -- the fast paths give the same PDF ------------------------------------------------------------
def _clear_layout_caches() -> None:
    from docgen.render import pdf as pdfmod

    for cache in (pdfmod._FRAGS, pdfmod._LINES, pdfmod._PARAS, pdfmod._STYLE_SETS, pdfmod._DRAWN):
        cache.clear()


def test_the_handed_over_xml_gives_the_pdf_of_the_docx(engine, org_data):
    """The PDF of a DOCX just rendered is made from the XML the renderer hands over; the PDF of
    the same bytes read from the package is byte for byte the same."""
    from docgen.render import docx as docxmod
    from docgen.render.pdf import render_pdf

    form = engine.library.get("admission-decision")
    inputs = make_inputs(engine, org_data, read_json(VALID_CANDIDATES[1]))
    docx = engine.render_docx(form, inputs)
    assert docxmod.rendered_parts(docx) is not None
    copy = bytes(bytearray(docx))
    assert docxmod.rendered_parts(copy) is None
    assert render_pdf(docx, engine.fonts) == render_pdf(copy, engine.fonts)


def test_replayed_paragraphs_give_the_same_pdf(engine, org_data):
    """Paragraphs drawn once and replayed in later documents (the congress pack and the
    decisions, in either order, after each other) give the bytes of a first, uncached layout."""
    from docgen.render import pdf as pdfmod

    congress = read_json(Path(__file__).parent.parent / "samples" / "congress.json")
    docs = [engine.render(engine.library.get("admission-decision"),
                          make_inputs(engine, org_data, read_json(p)), formats=("docx",)).docx
            for p in VALID_CANDIDATES]
    inputs = make_inputs(engine, org_data, congress, kind="congress")
    docs += [d.docx for d in engine.render_all(engine.pack_forms(inputs, engine.pack_of("congress")), inputs,
                                               formats=("docx",))][:4]
    first = []
    for d in docs:
        _clear_layout_caches()
        first.append(pdfmod.render_pdf(d, engine.fonts))
    _clear_layout_caches()
    forwards = [pdfmod.render_pdf(d, engine.fonts) for d in docs]
    backwards = [pdfmod.render_pdf(d, engine.fonts) for d in reversed(docs)][::-1]
    assert pdfmod._DRAWN, "nothing was replayed"
    assert forwards == first
    assert backwards == first


def test_the_tounicode_map_is_in_blocks_of_100_and_utf16():
    cmap = fontmod._to_unicode("AAAAAA+F", [(i, 0x41 + i) for i in range(150)] + [(200, 0x1F600)])
    blocks = [line for line in cmap.splitlines() if line.endswith("beginbfchar")]
    assert blocks == ["100 beginbfchar", "51 beginbfchar"]
    assert "<00> <0041>" in cmap and "<C8> <D83DDE00>" in cmap
