"""docgen's DOCX render against plain docxtpl on templates no one here wrote.

Each template below is built with python-docx in a temporary folder (some with their XML
edited the way another editor writes it), rendered by docgen (``CompiledTemplate``) and by
plain ``DocxTemplate(path).render(ctx)`` in the same sandbox, and the two packages are
compared member by member (tests/docx_compare.py). The bundled forms get the same comparison
in tests/test_forms.py (test_compiled_path_equals_plain_docxtpl).

Left out on purpose: a value holding ``{_{`` (docgen keeps it, docxtpl drops the underscore)
and a table nested in a narrower one (docxtpl widens the outer grid; see
test_a_nested_table_keeps_its_grid).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Cm
from docxtpl import DocxTemplate, Listing, RichText

from docgen.render.docx import CompiledTemplate
from docgen.sandbox import environment

from docx_compare import assert_same_package, differences

SPECIALS = "Nguyễn Văn A & <Cộng sự> \"trích\" 'dẫn'"


def plain(path: Path, ctx: dict) -> bytes:
    """The oracle: plain docxtpl, in docgen's sandbox with autoescape (as docgen renders)."""
    tpl = DocxTemplate(str(path))
    tpl.render(ctx, jinja_env=environment(True), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def png() -> bytes:
    """A 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def save(doc, folder: Path, edits: dict[str, list[tuple[str, str]]] | None = None) -> Path:
    """Save a python-docx document as ``folder/template.docx``; ``edits`` replaces text in
    the XML of the named parts (to write what another editor writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.docx"
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            for old, new in (edits or {}).get(item.filename, []):
                assert old.encode() in data, (item.filename, old)
                data = data.replace(old.encode(), new.encode())
            zout.writestr(item, data)
    return path


def part(docx: bytes, name: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read(name).decode("utf-8")


def grids(docx: bytes) -> list[int]:
    """The number of grid columns of each table in the body."""
    return [g.count("<w:gridCol ") for g in re.findall(r"<w:tblGrid>.*?</w:tblGrid>", part(docx))]


def row_cells(docx: bytes) -> list[list[int]]:
    """The number of cells of each row, per table (tables are not nested here)."""
    return [[row.count("<w:tc>") for row in re.findall(r"<w:tr[ >].*?</w:tr>", table)]
            for table in re.findall(r"<w:tbl>.*?</w:tbl>", part(docx))]


# -- the corpus ---------------------------------------------------------------------------------

def column_loop(folder: Path) -> Path:
    """A ``{%tc for %}`` column loop (its opening tag split over two runs, as Word leaves it
    after an edit), and a table where ``{#tc`` removes a cell."""
    doc = Document()
    doc.add_paragraph("Bảng {{ title }}")
    t = doc.add_table(rows=2, cols=3)
    t.style = "Table Grid"
    for r, expr in enumerate(("{{ c }}", "{{ c|upper }}")):
        first = t.cell(r, 0).paragraphs[0]
        first.add_run("{%")
        first.add_run("tc for c in cols %}")
        t.cell(r, 1).text = expr
        t.cell(r, 2).text = "{%tc endfor %}"
    doc.add_paragraph("")
    t2 = doc.add_table(rows=1, cols=3)
    t2.cell(0, 0).text = "{{ title }}"
    t2.cell(0, 1).text = "{#tc cột bỏ đi #}"
    t2.cell(0, 2).text = "cuối"
    return save(doc, folder)


COLUMN_CONTEXTS = [
    {"title": SPECIALS, "cols": ["Một", "Hai & ba", "<bốn>", "năm"]},  # more cells than the grid
    {"title": "x", "cols": ["chỉ một"]},                                 # fewer
    {"title": "y", "cols": ["a", "b", "c"]},
]


def merged_cells(folder: Path) -> Path:
    """Cells merged across (gridSpan) and down (vMerge), with tags in them."""
    doc = Document()
    t = doc.add_table(rows=3, cols=3)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(0, 1)).text = "{{ title }}"
    t.cell(0, 2).text = "{{ a }}"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "{{ b }}"
    t.cell(1, 1).text = "{% if flag %}có{% else %}không{% endif %}"
    t.cell(1, 2).text = "{{ a ~ b }}"
    t.cell(2, 1).merge(t.cell(2, 2)).text = "{{ long }}"
    return save(doc, folder)


MERGED_CONTEXTS = [
    {"title": SPECIALS, "a": "1", "b": "Dòng một\nDòng hai\tcột", "flag": True, "long": "dài " * 60},
    {"title": "", "a": "", "b": "", "flag": False, "long": "ngắn"},
]


def headers_footers(folder: Path) -> Path:
    """Tags in the default and first-page headers and in the footer; a picture in the header."""
    doc = Document()
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.add_run().add_picture(io.BytesIO(png()), width=Cm(1))
    header.add_run("{{ org }} — trang sau")
    section.first_page_header.paragraphs[0].text = "{{ org|upper }} — trang đầu"
    section.footer.paragraphs[0].text = "{% if show %}{{ footer }}{% endif %}"
    doc.add_paragraph("Thân: {{ body }}")
    doc.add_page_break()
    doc.add_paragraph("Trang hai: {{ body }}")
    return save(doc, folder)


HEADER_CONTEXTS = [
    {"org": SPECIALS, "show": True, "footer": "Nơi nhận: & <lưu>", "body": "Đảng ủy\nChi bộ"},
    {"org": "Chi bộ 1", "show": False, "footer": "", "body": "x"},
]


def entity_quotes(folder: Path) -> Path:
    """Tags whose quotes are XML character references, as LibreOffice writes them
    (``&quot;``, ``&apos;``), and the rarer ``&#34;``/``&#x22;`` and curly ``&#8220;`` forms;
    ``>`` is ``&gt;`` as every editor writes it. One such tag is split over two runs, one is
    in a header."""
    doc = Document()
    doc.add_paragraph('{% if x == "a" %}đúng{% else %}sai{% endif %}')
    doc.add_paragraph("{{ y ~ '!' }}")
    doc.add_paragraph('{{ "số" ~ n }} {% if n > 3 %}lớn{% endif %}')
    doc.add_paragraph('{{ "cong" ~ y }}')
    p = doc.add_paragraph()
    p.add_run("{{ z ~ ")
    p.add_run('"-" ~ z }}')
    doc.sections[0].header.paragraphs[0].text = '{{ h == "x" }}'
    return save(doc, folder, {
        "word/document.xml": [('{% if x == "a" %}', "{% if x == &quot;a&quot; %}"),
                              ("{{ y ~ '!' }}", "{{ y ~ &apos;!&apos; }}"),
                              ('{{ "số" ~ n }}', "{{ &#34;số&#x22; ~ n }}"),
                              ('{{ "cong" ~ y }}', "{{ &#8220;cong&#x201D; ~ y }}"),
                              ('"-" ~ z }}', "&quot;-&quot; ~ z }}")],
        "word/header1.xml": [('{{ h == "x" }}', "{{ h == &quot;x&quot; }}")],
    })


ENTITY_CONTEXTS = [
    {"x": "a", "y": SPECIALS, "n": 4, "z": "z", "h": "x"},
    {"x": "b", "y": "", "n": 1, "z": "<&>", "h": "y"},
]


def row_loop(folder: Path) -> Path:
    """A ``{%tr for %}`` row loop with a vertically merged cell (``{% vm %}``), a
    ``{%p if %}`` paragraph, a ``{{r }}`` RichText and a Listing."""
    doc = Document()
    doc.add_paragraph("Danh sách {{ title }}")
    t = doc.add_table(rows=4, cols=3)
    t.style = "Table Grid"
    for c, head in enumerate(("Đơn vị", "Họ và tên", "Chức vụ")):
        t.cell(0, c).text = head
    t.cell(1, 0).text = "{%tr for p in people %}"
    t.cell(2, 0).text = "{% vm %}{{ unit }}"
    t.cell(2, 1).text = "{{ loop.index }}. {{ p.name }}"
    t.cell(2, 2).text = "{{ p.role }}"
    t.cell(3, 0).text = "{%tr endfor %}"
    doc.add_paragraph("{%p if people %}")
    doc.add_paragraph("Có {{ people|length }} người.")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{r rich }}")
    doc.add_paragraph("Ghi chú: {{ notes }}")
    return save(doc, folder)


def _people(n: int) -> list[dict]:
    return [{"name": f"Người {i} & <{i}>", "role": "Bí thư\nkiêm chủ tịch" if i == 1 else "Đảng viên"}
            for i in range(n)]


ROW_CONTEXTS = [
    {"title": SPECIALS, "unit": "Chi bộ 1", "people": _people(3),
     "rich": RichText("đậm & <nghiêng>", bold=True, italic=True),
     "notes": Listing("dòng 1\ndòng 2\tcột\a'đoạn' \"mới\"")},
    {"title": "", "unit": "", "people": [], "rich": RichText(""), "notes": Listing("")},
    {"title": "x", "unit": "Chi bộ 2", "people": _people(1), "rich": RichText("x", url_id=None),
     "notes": "chuỗi thường"},
]


CORPUS = {
    "column-loop": (column_loop, COLUMN_CONTEXTS, "docxtpl"),
    "merged-cells": (merged_cells, MERGED_CONTEXTS, "compiled"),
    "headers-footers": (headers_footers, HEADER_CONTEXTS, "compiled"),
    "entity-quotes": (entity_quotes, ENTITY_CONTEXTS, "compiled"),
    "row-loop": (row_loop, ROW_CONTEXTS, "compiled"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_docgen_renders_the_same_package_as_plain_docxtpl(tmp_path, name):
    build, contexts, render_path = CORPUS[name]
    path = build(tmp_path / name)
    tpl = CompiledTemplate(path)
    for ctx in contexts:
        assert_same_package(tpl.render(ctx), plain(path, ctx))
    assert tpl.render_path == render_path, tpl.fallback_reason


def test_a_column_loop_gets_a_grid_that_fits_its_rows(tmp_path):
    """Plain docxtpl rewrites the grid of a table whose rows gained or lost cells; docgen's
    output has that grid too (LibreOffice shears a table whose grid does not fit)."""
    path = column_loop(tmp_path / "t")
    tpl = CompiledTemplate(path)
    for ctx, grid in zip(COLUMN_CONTEXTS, ([4, 2], [1, 2], [3, 2]), strict=True):
        out = tpl.render(ctx)
        assert [max(rows) for rows in row_cells(out)] == grid
        assert grids(out) == grid
    assert "{%tc" in tpl.fallback_reason


def test_tags_quoted_with_xml_entities_compile(tmp_path):
    """LibreOffice writes the quotes inside a tag as &quot; and &apos;: such a template
    compiles (it raised "unexpected char '&'") and fills as plain docxtpl fills it."""
    path = entity_quotes(tmp_path / "t")
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    assert "{% if x == &quot;a&quot; %}" in xml and "&apos;!&apos;" in xml
    text = part(CompiledTemplate(path).render(ENTITY_CONTEXTS[0]))
    for expected in ("đúng", SPECIALS.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                     .replace('"', "&#34;").replace("'", "&#39;") + "!", "số4", "lớn", "congNguyễn", "z-z"):
        assert expected in text, expected
    assert ">True<" in part(CompiledTemplate(path).render(ENTITY_CONTEXTS[0]), "word/header1.xml")


def test_a_nested_table_keeps_its_grid(tmp_path):
    """The one table difference docgen keeps: plain docxtpl counts the cells of a nested
    table as cells of the outer one and widens the outer grid; docgen keeps the template's."""
    doc = Document()
    doc.add_paragraph("{{ a }}")
    outer = doc.add_table(rows=1, cols=1)
    outer.cell(0, 0).add_table(rows=1, cols=3).cell(0, 0).text = "{{ a }}"
    path = save(doc, tmp_path / "t")
    tpl = CompiledTemplate(path)
    assert tpl.render_path == "compiled"
    assert grids(tpl.render({"a": "x"})) == [1, 3]
    assert grids(plain(path, {"a": "x"})) == [3, 3]
    found = differences(tpl.render({"a": "x"}), plain(path, {"a": "x"}))
    assert [d.split(" differs")[0] for d in found] == ["word/document.xml"]


def test_a_template_saved_by_libreoffice(tmp_path):
    """A template as LibreOffice Writer saves it (quotes in tags as &quot;, its own styles,
    custom XML parts) renders on the compiled path, the same as plain docxtpl. Without
    LibreOffice it is skipped and says what to install; under CI (``.ci/run`` installs it) it
    fails instead, so CI cannot pass without running it."""
    if shutil.which("soffice") is None:
        reason = "LibreOffice is not installed (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run this test", pytrace=False)
        pytest.skip(reason)
    doc = Document()
    doc.add_paragraph('{% if x == "a" %}đúng{% else %}sai{% endif %} — {{ y ~ \'!\' }}')
    t = doc.add_table(rows=4, cols=2)
    t.cell(0, 0).text = "Họ và tên"
    t.cell(1, 0).text = "{%tr for p in people %}"
    t.cell(2, 0).text = "{{ p.name }}"
    t.cell(2, 1).text = '{{ p.role or "—" }}'
    t.cell(3, 0).text = "{%tr endfor %}"
    doc.sections[0].header.paragraphs[0].text = '{{ h == "x" }}'
    src = save(doc, tmp_path / "src")
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    path = out / "template.docx"
    with zipfile.ZipFile(path) as z:
        assert "&quot;" in z.read("word/document.xml").decode()
    tpl = CompiledTemplate(path)
    assert tpl.render_path == "compiled"
    for ctx in ({"x": "a", "y": SPECIALS, "h": "x", "people": _people(2)}, {"x": "b", "y": "", "h": "", "people": []}):
        assert_same_package(tpl.render(ctx), plain(path, ctx))
