"""Templates and values cannot run code, exhaust memory or break the XML; fonts are checked."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings, strategies as st
from jinja2.exceptions import SecurityError, UndefinedError
from markupsafe import escape

from docgen.check import errors
from docgen.errors import FontError, FormError
from docgen.render import fonts as fontmod
from docgen.render.docx import CompiledTemplate, check_well_formed, shape_safe
from docgen.sandbox import environment, render_text

from conftest import VALID_CANDIDATES, make_inputs, read_json
from doctext import docx_text, pdf_text


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ x.__globals__ }}",
        "{{ 'a' * 10**7 }}",
        "{{ 2 ** 100000 }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{{ undefined_name }}",
    ],
)
def test_sandbox_fails_loudly(source):
    with pytest.raises((SecurityError, UndefinedError, Exception)) as info:
        environment(True).from_string(source).render({"x": "plain"})
    assert info.type is not None and "plain" not in str(info.value)


def test_blocked_attribute_raises_instead_of_rendering_empty():
    with pytest.raises(SecurityError):
        environment(False).from_string("{{ ''.__class__ }}").render({})


def test_values_are_never_rendered_as_templates(engine, org_data):
    cand = read_json(VALID_CANDIDATES[1])
    cand["candidate"]["hometown"] = "{{ 7 * 7 }} {% for x in y %}"
    form = engine.library.get("admission-decision")
    doc = engine.render(form, make_inputs(engine, org_data, cand))
    assert "{{ 7 * 7 }} {% for x in y %}" in docx_text(doc.docx)
    assert "49" not in docx_text(doc.docx)


def test_data_strings_render_in_the_sandbox():
    with pytest.raises(SecurityError):
        render_text("{{ cell_name.__class__ }}", {"cell_name": "Chi bộ"})


def test_template_that_breaks_xml_is_a_form_error(tmp_path, engine):
    src = engine.library.get("admission-decision").template
    bad = tmp_path / "template.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ doc.number }}", b"{{ doc.number|safe }}")
            zout.writestr(item, data)
    tpl = CompiledTemplate(bad)
    tpl.render(_ctx(engine))  # a well-formed render first: its shape is now known
    with pytest.raises(FormError):
        tpl.render({**_ctx(engine), "doc": {**_ctx(engine)["doc"], "number": "<w:p>"}})


def _ctx(engine):
    org = read_json(VALID_CANDIDATES[0].parent.parent / "org.json")
    form = engine.library.get("admission-decision")
    return engine.context(form, make_inputs(engine, org, read_json(VALID_CANDIDATES[1])))


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=300
).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_text)
def test_arbitrary_unicode_either_renders_and_round_trips_or_is_refused(engine, org_data, value):
    cand = read_json(VALID_CANDIDATES[1])
    cand["candidate"]["workplace"] = value
    form = engine.library.get("admission-decision")
    inputs = make_inputs(engine, org_data, cand)
    problems = engine.problems([form], inputs)
    if problems:
        # an invisible character is removed from free text with a warning; the rest still prints
        assert {p.rule for p in problems} <= {"text.control_character", "text.invisible_character", "required"}
        assert all(p.path == "candidate.workplace" for p in problems)
        if errors(problems):
            return
    doc = engine.render(form, inputs, formats=("docx",))
    Document(io.BytesIO(doc.docx))  # opens
    expected = inputs["candidate"].text("candidate.workplace")
    assert " ".join(expected.split()) in docx_text(doc.docx)


def test_pdf_keeps_every_vietnamese_letter(engine, org_data):
    letters = fontmod.VIETNAMESE
    cand = read_json(VALID_CANDIDATES[1])
    cand["candidate"]["workplace"] = letters
    form = engine.library.get("admission-decision")
    doc = engine.render(form, make_inputs(engine, org_data, cand))
    assert letters in pdf_text(doc.pdf).replace(" ", "")


def test_font_search_order_and_coverage(tmp_path, monkeypatch):
    monkeypatch.setattr(fontmod, "system_dirs", lambda: [])
    monkeypatch.delenv("DOCGEN_FONT_DIR", raising=False)
    with pytest.raises(FontError) as info:
        fontmod.find_family(tmp_path)
    assert "fonts-liberation2" in str(info.value)


def test_font_without_vietnamese_is_rejected(monkeypatch):
    """A family missing one letter is skipped, and the error names it."""
    monkeypatch.delenv("DOCGEN_FONT_DIR", raising=False)
    monkeypatch.setattr(fontmod, "VIETNAMESE", fontmod.VIETNAMESE + "\ue000")
    with pytest.raises(FontError) as info:
        fontmod.find_family(None)
    assert "thiếu chữ tiếng Việt" in str(info.value)


def test_vietnamese_letter_set():
    letters = fontmod.VIETNAMESE
    assert len(letters) == 2 * (12 * 6 + 1 + 26 - 6)
    for ch in "ĐđỶỹỰựẫẬ":
        assert ch in letters


def test_shared_layout_caches_do_not_change_the_pdf(engine, org_data):
    """Fragments, line breaks and font subsets are shared between documents; a document laid
    out after others is byte for byte the one laid out first."""
    from docgen.render import pdf as pdfmod

    form = engine.library.get("admission-decision")
    docs = [engine.render(form, make_inputs(engine, org_data, read_json(p)), formats=("docx",)).docx
            for p in VALID_CANDIDATES]
    warm = [pdfmod.render_pdf(d, engine.fonts) for d in docs]
    for d, expected in zip(reversed(docs), reversed(warm), strict=True):
        pdfmod._FRAGS.clear()
        pdfmod._LINES.clear()
        pdfmod._PARAS.clear()
        pdfmod._STYLE_SETS.clear()
        pdfmod._DRAWN.clear()
        assert pdfmod.render_pdf(d, engine.fonts) == expected


# -- the shape-validated fast path (docgen/render/docx.py) -----------------------------------------
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _tiny_template(tmp_path, body: str, name: str = "t.docx"):
    """A template whose document.xml is ``body`` inside w:document/w:body."""
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", xml)
    return CompiledTemplate(path)


@pytest.mark.parametrize(
    "body, benign, breaking",
    [
        ("<w:p><w:{{ v }}/></w:p>", "r", "r b"),                       # an element name
        ('<w:p><w:r {{ v }}="1"/></w:p>', "a", "a b"),                 # an attribute name
        ("<w:p><w:r>x</w:r{{ v }}></w:p>", "", "x"),                   # an end tag
        ("<w:p><w:r><w:t>{{ v }}]></w:t></w:r></w:p>", "a", "]"),      # "]]>" across the slot
        ("<w:p><w:r><w:t>]{{ v }}></w:t></w:r></w:p>", "a", "]"),
        # a processing instruction that Jinja folds from expressions, closed early by a "?"
        ("<w:p>{{ ('<' ~ '?x ')|safe }}{{ v }}{{ ('><w:b>?' ~ '>')|safe }}</w:p>", "a", "?"),
    ],
)
def test_a_known_shape_does_not_pass_a_value_outside_text(tmp_path, body, benign, breaking):
    tpl = _tiny_template(tmp_path, body)
    tpl.render_parts({"v": benign})
    tpl.render_parts({"v": benign})
    with pytest.raises(FormError):
        tpl.render_parts({"v": breaking})


def test_parts_with_comments_or_instructions_are_always_parsed(tmp_path):
    assert shape_safe('<?xml version="1.0"?><a>{{ v }}</a>')
    assert not shape_safe('<?xml version="{{ v }}"?><a/>')
    assert not shape_safe("<a><!-- {{ v }} --></a>")
    assert not shape_safe("<a><![CDATA[{{ v }}]]></a>")
    assert not shape_safe("<a><?pi {{ v }}?></a>")
    tpl = _tiny_template(tmp_path, "<w:p><!-- {{ v }} --></w:p>")
    tpl.render_parts({"v": "a"})
    with pytest.raises(FormError):
        tpl.render_parts({"v": "a--b"})


_xml_text = st.lists(
    st.sampled_from(list("aĐễ <>&\"']]?-!;#x\n\t\x01\x0b\ufffe") + ["&amp;", "&#34;", "]]>"]), max_size=12
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_xml_text, min_size=1, max_size=6))
def test_the_shape_path_agrees_with_a_full_parse(tmp_path_factory, values):
    """Every render through a known shape gives the same bytes or the same refusal as a
    template that parses every render in full."""
    body = '<w:p w:rsidR="{{ a }}"><w:r><w:t xml:space="preserve">{{ a }} and {{ b|safe }}</w:t></w:r></w:p>'
    tmp = tmp_path_factory.mktemp("shape")
    fast, full = _tiny_template(tmp, body, "fast.docx"), _tiny_template(tmp, body, "full.docx")
    fast.render_parts({"a": "x", "b": "y"})  # learn the shape
    full._shapes.clear()  # parses every render
    for a in values:
        for b in ("plain", a):
            outcome = []
            for tpl in (fast, full):
                try:
                    outcome.append(tpl.render_parts({"a": a, "b": b}))
                except FormError:
                    outcome.append("refused")
            assert outcome[0] == outcome[1], (a, b)
            if outcome[0] != "refused":
                check_well_formed(outcome[0]["word/document.xml"])
    assert [bool(v) for v in fast._shapes["word/document.xml"].values()] == [True]


def _part(docx: bytes, name: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        assert z.testzip() is None  # every member inflates and matches its CRC
        return z.read(name)


def test_a_part_deflated_by_pieces_inflates_to_the_rendered_xml(tmp_path):
    """Long literals deflated once, values stored: still one valid Deflate stream, for values
    of every size (a stored block holds at most 65,535 bytes)."""
    literal = '<w:p><w:pPr><w:jc w:val="both"/></w:pPr></w:p>' * 20
    tpl = _tiny_template(tmp_path, f'{literal}<w:p><w:r><w:t>{{{{ a }}}}</w:t></w:r></w:p>{literal}')
    for value in ("", "Nguyễn Văn An & <Cộng sự>", "Đ" * 70_000, "x" * 65_535):
        docx = tpl.render({"a": value})
        assert _part(docx) == tpl.render_parts({"a": value})["word/document.xml"]
        assert str(escape(value)).encode("utf-8") in _part(docx)
    assert [bool(v) for v in tpl._shapes["word/document.xml"].values()] == [True]


def test_a_document_has_the_same_bytes_whatever_was_rendered_before(tmp_path, engine):
    """The first render of a shape (parsed) and a later one (proved by shape) give the same
    bytes, and so does a process whose shape cache is full: a resumed batch matches."""
    src = engine.library.get("admission-decision").template
    ctx = _ctx(engine)
    first = CompiledTemplate(src).render(ctx)
    warm = CompiledTemplate(src)
    warm.render({**ctx, "doc": {**ctx["doc"], "number": "Số 99-QĐ/ĐU"}})
    full = CompiledTemplate(src)
    for key in full._shapes:
        full._shapes[key].update({(i,): False for i in range(64)})
    assert warm.render(ctx) == first == full.render(ctx)
    assert _part(first) == CompiledTemplate(src).render_parts(ctx)["word/document.xml"]


# -- docxtpl objects in a context (issue 8) ------------------------------------------------------
def _object_template(tmp_path, *paragraphs: str, picture: bool = False):
    """A template in a form folder named "the-do"; with a picture in its body it renders
    on the plain docxtpl path."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if picture:
        doc.add_picture(io.BytesIO(_png()))
    folder = tmp_path / "the-do"
    folder.mkdir()
    doc.save(folder / "template.docx")
    return folder / "template.docx"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _picture(caller):
    from docxtpl import InlineImage
    return InlineImage(caller, io.BytesIO(_png()))


def _link(caller):
    from docxtpl import RichText
    return RichText("trang chủ", url_id=caller.build_url_id("https://example.org/"))


@pytest.mark.parametrize("make, kind", [(_picture, "InlineImage"), (_link, "RichText có liên kết")])
@pytest.mark.parametrize("caller_rendered", [True, False])
@pytest.mark.parametrize("render_path", ["compiled", "docxtpl"])
def test_docxtpl_objects_made_for_another_template_are_refused(tmp_path, make, kind, caller_rendered, render_path):
    """An InlineImage or a RichText hyperlink puts its picture or link into the package of
    the DocxTemplate it was made with; neither docgen path renders that one, so the file would
    point at a relationship it lacks. docgen refuses it, naming the form and the value."""
    from docxtpl import DocxTemplate

    path = _object_template(tmp_path, "Ảnh: {{ person.photo }}", picture=render_path == "docxtpl")
    caller = DocxTemplate(str(path))
    if caller_rendered:  # its current part is set: the picture goes in silently
        caller.render({"person": {"photo": "x"}})
    tpl = CompiledTemplate(path)
    assert tpl.render_path == render_path
    with pytest.raises(FormError) as info:
        tpl.render({"person": {"photo": make(caller)}})
    message = str(info.value)
    assert "Mẫu the-do" in message and '"person.photo"' in message and kind in message


def test_rich_text_and_listing_render_on_the_compiled_path(tmp_path):
    """RichText without a link and Listing are markup of their own, tied to no package: they
    are not refused (tests/test_equivalence.py shows them equal to plain docxtpl)."""
    from docxtpl import Listing, RichText

    path = _object_template(tmp_path, "{{r person.name }}", "Ghi chú: {{ person.notes }}")
    tpl = CompiledTemplate(path)
    assert tpl.render_path == "compiled"
    out = _part(tpl.render({"person": {"name": RichText("đậm", bold=True), "notes": Listing("a\nb")}}))
    assert b"<w:b/>" in out and b"<w:br/>" in out
