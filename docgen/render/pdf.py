"""Render stage (PDF): lay out the filled DOCX itself with reportlab.

The DOCX is the single source of the PDF, so a template edited in Word changes both. This
module is a translator for the subset of WordprocessingML that party forms use, with no
knowledge of any form:

* paragraphs: alignment (incl. justify, without squeezing spaces), left/right/first-line
  indents, space before/after (the larger of two neighbours, not their sum, in table cells
  too), line spacing (auto/exact/at-least, the font's own line gap included, the first
  baseline below the gap and the ascent), widow/orphan control, keep-with-next,
  keep-lines-together, page breaks;
* runs: bold, italic, underline, size, superscript/subscript, caps, line breaks, tabs;
* tables: column widths from ``w:tblGrid``, cell margins, horizontal spans and vertical
  merges, borders only where the DOCX draws them, vertical alignment, table alignment;
* sections: page size and margins; a PAGE field in the header becomes the page number,
  aligned as its header paragraph is, on the text column.

Formatting is resolved the way Word does: document defaults, then the style chain
(``w:basedOn``), then direct formatting.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import sys
import threading
from typing import Any, Iterable

from lxml import etree

from .docx import rendered_parts
from .fonts import FontSet, doc_usage, name_fonts, recording, reuse, usage


class _LazyPattern:
    """A regular expression compiled when first used."""

    def __init__(self, pattern: str, flags: int):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = _compile(*self._args)
        for attr in ("match", "search", "sub", "split", "findall", "finditer", "fullmatch"):
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)


def _import_paragraph() -> None:
    """Import ``reportlab.platypus`` without compiling, on import, the two patterns with a
    character range up to U+FFFF: ``paragraph.uri_pat`` (link addresses, case-insensitive over
    ``\\xa1-\\uffff``, about 60 ms) and ``textsplit.rx`` (CJK wrapping, ``\\u2e80-\\uffff``,
    about 10 ms). docgen writes no links and no CJK text; each is compiled if ever used."""
    if "reportlab.platypus.paragraph" in sys.modules:
        return

    def compile_(pattern, flags=0):
        # reportlab's own patterns only: another thread may compile during this import
        if (isinstance(pattern, str) and "-\uffff" in pattern
                and sys._getframe(1).f_globals.get("__name__", "").startswith("reportlab.")):
            return _LazyPattern(pattern, flags)
        return _compile(pattern, flags)

    re.compile = compile_
    try:
        import reportlab.platypus.paragraph  # noqa: F401
    finally:
        re.compile = _compile


_compile = re.compile
_import_paragraph()

from reportlab import rl_config  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import _listWrapOn  # noqa: E402

rl_config.invariant = 1  # same input, same bytes: reruns and --resume compare equal
rl_config.useA85 = 0  # page content deflated as binary, not also in ASCII85 (a quarter larger)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_ALIGN = {"left": TA_LEFT, "start": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "end": TA_RIGHT,
          "both": TA_JUSTIFY, "distribute": TA_JUSTIFY}
TWIP = 1 / 20  # points per twip
NBSP = "\u00a0"


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape``'s markup (``&``, ``<``, ``>``), without importing it: that module
    imports ``urllib.request`` and with it ``http.client`` and ``ssl`` (about 40 ms a process)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _on(el) -> bool | None:
    """Value of a toggle/boolean property element, or None when absent."""
    if el is None:
        return None
    val = el.get(W + "val")
    return val not in ("0", "false", "off", "none")


def _twips(el, attr: str) -> float | None:
    if el is None:
        return None
    v = el.get(W + attr)
    if v is None:
        return None
    try:
        return int(float(v)) * TWIP
    except ValueError:
        return None


# -- property resolution ----------------------------------------------------------------------
def _ppr_dict(ppr) -> dict:
    d: dict = {}
    if ppr is None:
        return d
    jc = ppr.find(W + "jc")
    if jc is not None:
        d["align"] = jc.get(W + "val")
    ind = ppr.find(W + "ind")
    if ind is not None:
        for key, attrs in (("left", ("left", "start")), ("right", ("right", "end"))):
            for a in attrs:
                v = _twips(ind, a)
                if v is not None:
                    d[key] = v
                    break
        first = _twips(ind, "firstLine")
        hanging = _twips(ind, "hanging")
        if first is not None:
            d["first"] = first
        if hanging is not None:
            d["first"] = -hanging
    sp = ppr.find(W + "spacing")
    if sp is not None:
        for key in ("before", "after"):
            v = _twips(sp, key)
            if v is not None:
                d[key] = v
        if sp.get(W + "line") is not None:
            d["line"] = int(sp.get(W + "line"))
            d["line_rule"] = sp.get(W + "lineRule", "auto")
    for key, tag in (("keep_next", "keepNext"), ("keep_lines", "keepLines"), ("page_break_before", "pageBreakBefore"),
                     ("widow_control", "widowControl")):
        v = _on(ppr.find(W + tag))
        if v is not None:
            d[key] = v
    return d


def _rpr_dict(rpr) -> dict:
    d: dict = {}
    if rpr is None:
        return d
    for key, tag in (("bold", "b"), ("italic", "i"), ("caps", "caps"), ("strike", "strike"), ("vanish", "vanish")):
        v = _on(rpr.find(W + tag))
        if v is not None:
            d[key] = v
    u = rpr.find(W + "u")
    if u is not None:
        d["underline"] = u.get(W + "val", "single") not in ("none", "0")
    sz = rpr.find(W + "sz")
    if sz is not None and sz.get(W + "val"):
        d["size"] = int(sz.get(W + "val")) / 2
    va = rpr.find(W + "vertAlign")
    if va is not None:
        d["vert"] = va.get(W + "val")
    return d


class Styles:
    """Word's formatting cascade for one document."""

    _serials = itertools.count()

    def __init__(self, styles_xml: bytes | None):
        self.serial = next(Styles._serials)  # identifies this cascade in shared caches
        self.p_default: dict = {}
        self.r_default: dict = {"size": 10.0}
        self.styles: dict[str, etree._Element] = {}
        self.default_para = None
        self.default_table = None
        if not styles_xml:
            return
        root = etree.fromstring(styles_xml, _PARSER)
        dd = root.find(W + "docDefaults")
        if dd is not None:
            self.p_default = _ppr_dict(dd.find(f"{W}pPrDefault/{W}pPr"))
            self.r_default.update(_rpr_dict(dd.find(f"{W}rPrDefault/{W}rPr")))
        for st in root.findall(W + "style"):
            sid = st.get(W + "styleId")
            self.styles[sid] = st
            if st.get(W + "default") in ("1", "true"):
                if st.get(W + "type") == "paragraph":
                    self.default_para = sid
                elif st.get(W + "type") == "table":
                    self.default_table = sid
        self._cache: dict = {}

    def known(self, sid: str | None) -> str | None:
        """A paragraph's style, or the default paragraph style when it names none or one that
        the styles part lacks (as Word and LibreOffice do)."""
        return sid if sid in self.styles else self.default_para

    def _chain(self, sid: str | None) -> list:
        chain = []
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            st = self.styles[sid]
            chain.append(st)
            based = st.find(W + "basedOn")
            sid = based.get(W + "val") if based is not None else None
        return list(reversed(chain))

    def style_props(self, sid: str | None) -> tuple[dict, dict]:
        """(paragraph props, run props) a style gives, its bases applied first."""
        key = sid
        if key in self._cache:
            return self._cache[key]
        p: dict = {}
        r: dict = {}
        for st in self._chain(sid):
            p.update(_ppr_dict(st.find(W + "pPr")))
            r.update(_rpr_dict(st.find(W + "rPr")))
        self._cache[key] = (p, r)
        return p, r


# Plain classes rather than dataclasses: making a dataclass at import costs about a millisecond.
class Layout:
    """A section's page: size, margins, header distance, and where its page number goes. The
    defaults are the class's; a DOCX's own values are set on the instance (read_docx)."""

    page_width: float = 595.3
    page_height: float = 841.9
    top: float = 56.7
    bottom: float = 56.7
    left: float = 85.0
    right: float = 42.5
    header: float = 28.3
    title_page: bool = False
    page_numbers: bool = False
    number_align: str = "center"  # the alignment of the header paragraph that holds PAGE
    number_size: float = 10.0


class Doc:
    """One parsed DOCX: its body, styles, page layout and metadata."""

    __slots__ = ("body", "styles", "layout", "meta")

    def __init__(self, body: etree._Element, styles: Styles, layout: Layout, meta: dict):
        self.body = body
        self.styles = styles
        self.layout = layout
        self.meta = meta


_STYLE_SETS: dict[bytes, Styles] = {}


def _styles(xml: bytes) -> Styles:
    """The formatting cascade of a styles part, parsed once per distinct part (every document
    made from one template has the same styles.xml)."""
    styles = _STYLE_SETS.get(xml)
    if styles is None:
        styles = Styles(xml or None)
        if len(_STYLE_SETS) < 64:
            _STYLE_SETS[xml] = styles
    return styles


def _xml_parts(data: bytes) -> dict[str, bytes]:
    """The XML parts the PDF reads: handed over by the DOCX renderer when it just made ``data``,
    else read from the package."""
    parts = rendered_parts(data)
    if parts is not None:
        return parts
    import zipfile  # here: a paper rendered in this process hands its parts over

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()
                if n in ("word/document.xml", "word/styles.xml", "docProps/core.xml")
                or n.startswith("word/header") and n.endswith(".xml")}


def read_docx(data: bytes) -> Doc:
    parts = _xml_parts(data)
    document = etree.fromstring(parts["word/document.xml"], _PARSER)
    styles = _styles(parts.get("word/styles.xml", b""))
    headers = [x for n, x in parts.items() if n.startswith("word/header") and n.endswith(".xml")]
    meta = {}
    if "docProps/core.xml" in parts:
        core = etree.fromstring(parts["docProps/core.xml"], _PARSER)
        for el in core:
            tag = etree.QName(el).localname
            if tag in ("title", "subject", "creator", "description") and el.text:
                meta[tag] = el.text
    body = document.find(W + "body")
    layout = Layout()
    sect = body.find(W + "sectPr")
    if sect is not None:
        pg = sect.find(W + "pgSz")
        if pg is not None:
            layout.page_width = _twips(pg, "w") or layout.page_width
            layout.page_height = _twips(pg, "h") or layout.page_height
        mar = sect.find(W + "pgMar")
        if mar is not None:
            for side in ("top", "bottom", "left", "right", "header"):
                v = _twips(mar, side)
                if v is not None:
                    setattr(layout, side, abs(v))
        layout.title_page = bool(_on(sect.find(W + "titlePg")))
    for h in headers:
        if b"PAGE" in h:
            _page_number(etree.fromstring(h, _PARSER), styles, layout)
            break
    return Doc(body, styles, layout, meta)


def _page_number(header, styles: Styles, layout: Layout) -> None:
    """Where the header's PAGE field goes: its paragraph's alignment and its run's size."""
    for p in header.iter(W + "p"):
        fields = [f for f in p.iter(W + "fldSimple") if "PAGE" in (f.get(W + "instr") or "").split()]
        instr = [t for t in p.iter(W + "instrText") if "PAGE" in (t.text or "").split()]
        if not fields and not instr:
            continue
        ppr = p.find(W + "pPr")
        sid = None
        if ppr is not None and ppr.find(W + "pStyle") is not None:
            sid = ppr.find(W + "pStyle").get(W + "val")
        pprops, rprops = styles.style_props(styles.known(sid))
        props = {**styles.p_default, **pprops, **_ppr_dict(ppr)}
        run = {**styles.r_default, **rprops}
        first_run = next(iter((fields[0] if fields else p).iter(W + "r")), None)
        if first_run is not None:
            run.update(_rpr_dict(first_run.find(W + "rPr")))
        layout.page_numbers = True
        layout.number_align = props.get("align", "left")
        layout.number_size = run.get("size", 10.0)
        return


# -- translation --------------------------------------------------------------------------------
class _Outline(Flowable):
    """Zero-size flowable that starts a PDF bookmark at its position."""

    def __init__(self, title: str, key: str):
        super().__init__()
        self.title, self.key = title, key
        self.width = self.height = 0

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=0, closed=False)


class _Para:
    """A translated paragraph before it becomes a flowable (spacing still to collapse)."""

    __slots__ = ("markup", "style", "size", "empty", "page_break_before", "page_break_after")

    def __init__(self, markup: str, style: dict, size: float, empty: bool, page_break_before: bool = False,
                 page_break_after: bool = False):
        self.markup = markup
        self.style = style
        self.size = size
        self.empty = empty
        self.page_break_before = page_break_before
        self.page_break_after = page_break_after


class Translator:
    """Turns the blocks of one DOCX into reportlab flowables."""

    def __init__(self, doc: Doc, fonts: FontSet):
        self.doc = doc
        self.fonts = fonts
        self.base = fonts.names["regular"]
        self._style_cache = _STYLES.setdefault(self.base, {})

    # paragraphs
    def _para(self, p, table_style: str | None = None) -> _Para:
        """A paragraph's text and resolved formatting; equal paragraphs under equal styles are
        translated once per process (a template's fixed text recurs in every document)."""
        key = (self.doc.styles.serial, table_style, etree.tostring(p))
        para = _PARAS.get(key)
        if para is None:
            para = self._translate_para(p, table_style)
            if len(_PARAS) < _FRAGS_MAX:
                _PARAS[key] = para
        return para

    def _translate_para(self, p, table_style: str | None) -> _Para:
        styles = self.doc.styles
        ppr = p.find(W + "pPr")
        sid = None
        if ppr is not None and ppr.find(W + "pStyle") is not None:
            sid = ppr.find(W + "pStyle").get(W + "val")
        sid = styles.known(sid)
        props = dict(styles.p_default)
        r_base = dict(styles.r_default)
        if table_style:
            tp, tr = styles.style_props(table_style)
            props.update(tp)
            r_base.update(tr)
        sp, sr = styles.style_props(sid)
        props.update(sp)
        r_base.update(sr)
        props.update(_ppr_dict(ppr))
        mark = dict(r_base)
        if ppr is not None:
            mark.update(_rpr_dict(ppr.find(W + "rPr")))
        parts: list[str] = []
        sizes: list[float] = []
        page_break_after = False
        for r in self._runs(p):
            rprops = dict(r_base)
            rs = r.find(f"{W}rPr/{W}rStyle")
            if rs is not None:
                rprops.update(styles.style_props(rs.get(W + "val"))[1])
            rprops.update(_rpr_dict(r.find(W + "rPr")))
            if rprops.get("vanish"):
                continue
            for child in r:
                tag = child.tag
                if tag == W + "t":
                    text = child.text or ""
                    if rprops.get("caps"):
                        text = text.upper()
                    if text:
                        parts.append(self._markup(text, rprops))
                        sizes.append(rprops.get("size", 10.0))
                elif tag == W + "tab":
                    parts.append(NBSP * 4)
                elif tag == W + "br":
                    if child.get(W + "type") == "page":
                        page_break_after = True
                    else:
                        parts.append("<br/>")
                elif tag in (W + "noBreakHyphen",):
                    parts.append("-")
        size = max(sizes) if sizes else mark.get("size", 10.0)
        text_present = any(s for s in parts if s != "<br/>")
        return _Para(
            markup="".join(parts),
            style=props,
            size=size,
            empty=not text_present,
            page_break_before=bool(props.get("page_break_before")),
            page_break_after=page_break_after,
        )

    def _runs(self, p) -> Iterable:
        for child in p:
            if child.tag == W + "r":
                yield child
            elif child.tag in (W + "hyperlink", W + "smartTag", W + "ins", W + "fldSimple", W + "sdt"):
                for r in child.iter(W + "r"):
                    yield r

    def _markup(self, text: str, rp: dict) -> str:
        s = _escape(text)
        s = s.replace("  ", " " + NBSP)
        size = rp.get("size", 10.0)
        if rp.get("bold"):
            s = f"<b>{s}</b>"
        if rp.get("italic"):
            s = f"<i>{s}</i>"
        if rp.get("underline"):
            s = f"<u>{s}</u>"
        if rp.get("strike"):
            s = f"<strike>{s}</strike>"
        if rp.get("vert") == "superscript":
            s = f"<super>{s}</super>"
        elif rp.get("vert") == "subscript":
            s = f"<sub>{s}</sub>"
        return f'<font name="{self.base}" size="{size:g}">{s}</font>'

    def _leading(self, props: dict, size: float) -> float:
        natural = size * self.fonts.line_factor
        line, rule = props.get("line"), props.get("line_rule", "auto")
        if line is None:
            return natural
        if rule == "exact":
            return line * TWIP
        if rule == "atLeast":
            return max(line * TWIP, natural)
        return natural * line / 240

    def _pstyle(self, props: dict, size: float, before: float, after: float) -> ParagraphStyle:
        key = (tuple(sorted((k, v) for k, v in props.items() if k not in ("before", "after"))), size, before, after)
        st = self._style_cache.get(key)
        if st is None:
            leading = self._leading(props, size)
            # Word's widow/orphan control: no first or last line of a paragraph alone on a
            # page. Word treats a paragraph with no w:widowControl as controlled (it writes
            # w:val="0" to turn it off), and LibreOffice reads a DOCX the same way.
            controlled = props.get("widow_control", True)
            st = ParagraphStyle(
                f"{self.base}-p{len(self._style_cache)}",
                fontName=self.base,
                fontSize=size,
                leading=leading,
                alignment=_ALIGN.get(props.get("align", "left"), TA_LEFT),
                leftIndent=props.get("left", 0),
                rightIndent=props.get("right", 0),
                firstLineIndent=props.get("first", 0),
                spaceBefore=before,
                spaceAfter=after,
                spaceShrinkage=0,
                splitLongWords=1,
                underlineOffset="-0.25*F",
                underlineWidth="0.05*F",
                keepWithNext=1 if props.get("keep_next") else 0,
                allowWidows=0 if controlled else 1,
                allowOrphans=0 if controlled else 1,
            )
            st.keep_lines = bool(props.get("keep_lines"))
            # reportlab puts the first baseline one font size below the top; Word and
            # LibreOffice put it below the line gap and the ascent
            st.baseline_shift = size - size * self.fonts.baseline_factor
            self._style_cache[key] = st
        return st

    # blocks
    def blocks(self, parent, table_style: str | None = None, top: bool = False) -> list:
        """Flowables for the block children (``w:p``, ``w:tbl``) of a body or table cell;
        ``top`` for a body, whose first paragraph keeps its space before on the first page."""
        items: list = []
        for child in parent:
            if child.tag == W + "p":
                items.append(self._para(child, table_style))
            elif child.tag == W + "tbl":
                items.append(self._table(child))
            elif child.tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    items.extend(self.blocks(content, table_style))
        return self._keep_last_rows(self._flow(items, top))

    @staticmethod
    def _keep_last_rows(out: list) -> list:
        """A table whose last row keeps with the next block is grouped with that block (and the
        blocks it keeps with in turn), so that the row, not the table, decides the page break."""
        grouped: list = []
        i = 0
        while i < len(out):
            item = out[i]
            if isinstance(item, _DocTable) and getattr(item, "keep_last", False) and i + 1 < len(out):
                j = i + 1
                while j + 1 < len(out) and getattr(out[j], "keepWithNext", False):
                    j += 1
                grouped.append(_KeepLastRow(out[i:j + 1]))
                i = j + 1
                continue
            grouped.append(item)
            i += 1
        return grouped

    def _flow(self, items: list, top: bool) -> list:
        """Flowables with the spacing between them resolved.

        Word puts the larger of two neighbours' spacings between paragraphs, not their sum
        (its rule when "HTML paragraph auto spacing" is off, the default). The spacing is
        collapsed here once, and frames and table cells add what they are given. A paragraph
        at the top of a page keeps its space before only on the first page and after a page
        break the document asks for; after a break the layout made, Word drops it, and so
        does reportlab's frame.
        """
        out: list = []
        prev_after = 0.0
        hard_top = top
        for item in items:
            if isinstance(item, _Para):
                before = item.style.get("before", 0.0)
                after = item.style.get("after", 0.0)
                eff_before = max(0.0, before - prev_after)
                if item.page_break_before:
                    out.append(PageBreak())
                    eff_before, hard_top = before, True
                if hard_top and eff_before:
                    out.append(Spacer(1, eff_before))  # a frame drops space before at its top
                    eff_before = 0.0
                st = self._pstyle(item.style, item.size, eff_before, after)
                if item.empty:
                    out.append(_Blank(st))
                else:
                    out.append(_paragraph(item.markup, st))
                hard_top = False
                if item.page_break_after:
                    out.append(PageBreak())
                    hard_top = True
                prev_after = after
            else:
                out.append(item)
                prev_after = 0.0
                hard_top = False
        return out

    def _table(self, tbl) -> Table:
        tblpr = tbl.find(W + "tblPr")
        ts = None
        if tblpr is not None and tblpr.find(W + "tblStyle") is not None:
            ts = tblpr.find(W + "tblStyle").get(W + "val")
        ts = ts or self.doc.styles.default_table
        grid = [(_twips(g, "w") or 0) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        margins = {"left": 108 * TWIP, "right": 108 * TWIP, "top": 0.0, "bottom": 0.0}
        borders: dict = {}
        for source in ([self.doc.styles.styles.get(ts)] if ts else []) + [tblpr]:
            if source is None:
                continue
            pr = source if source is tblpr else source.find(W + "tblPr")
            if pr is None:
                continue
            mar = pr.find(W + "tblCellMar")
            if mar is not None:
                for side in margins:
                    el = mar.find(W + side) if mar.find(W + side) is not None else mar.find(
                        W + {"left": "start", "right": "end"}.get(side, side))
                    v = _twips(el, "w")
                    if v is not None:
                        margins[side] = v
            bd = pr.find(W + "tblBorders")
            if bd is not None:
                for el in bd:
                    borders[etree.QName(el).localname] = el
        rows = tbl.findall(W + "tr")
        ncols = max(len(grid), 1)
        data: list[list[Any]] = [["" for _ in range(ncols)] for _ in rows]  # text, or a cell's flowables
        commands: list = [
            ("LEFTPADDING", (0, 0), (-1, -1), margins["left"]),
            ("RIGHTPADDING", (0, 0), (-1, -1), margins["right"]),
            ("TOPPADDING", (0, 0), (-1, -1), margins["top"]),
            ("BOTTOMPADDING", (0, 0), (-1, -1), margins["bottom"]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), self.base),  # reportlab sets a cell's font even for flowables
        ]
        vmerge_start: dict[int, int] = {}
        for ri, tr in enumerate(rows):
            ci = 0
            gb = tr.find(f"{W}trPr/{W}gridBefore")
            if gb is not None:
                ci += int(gb.get(W + "val", "0"))
            for tc in tr.findall(W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span = 1
                vmerge = None
                if tcpr is not None:
                    gs = tcpr.find(W + "gridSpan")
                    if gs is not None:
                        span = int(gs.get(W + "val", "1"))
                    vm = tcpr.find(W + "vMerge")
                    if vm is not None:
                        vmerge = vm.get(W + "val", "continue")
                    va = tcpr.find(W + "vAlign")
                    if va is not None:
                        valign = {"center": "MIDDLE", "bottom": "BOTTOM"}.get(va.get(W + "val"), "TOP")
                        commands.append(("VALIGN", (ci, ri), (ci + span - 1, ri), valign))
                    self._cell_borders(tcpr.find(W + "tcBorders"), ci, ri, span, commands)
                if ci < ncols:
                    if vmerge == "continue" and ci in vmerge_start:
                        data[ri][ci] = ""
                        start = vmerge_start[ci]
                        commands.append(("SPAN", (ci, start), (ci + span - 1, ri)))
                    else:
                        # reportlab leaves out a cell's first space before and last space
                        # after; Word keeps both, so empty flowables stand at either end
                        data[ri][ci] = [Spacer(0, 0), *self.blocks(tc, ts), Spacer(0, 0)]
                        if vmerge == "restart":
                            vmerge_start[ci] = ri
                        else:
                            vmerge_start.pop(ci, None)
                        if span > 1:
                            commands.append(("SPAN", (ci, ri), (ci + span - 1, ri)))
                ci += span
        self._table_borders(borders, len(rows), ncols, commands)
        # a horizontal border takes room of its own: each row is as much taller as the line
        # above it, and the last row as the line below it too
        rule = {name: self._line(borders.get(name)) or 0 for name in ("top", "insideH", "bottom")}
        for ri in range(len(rows)):
            above = rule["top"] if ri == 0 else rule["insideH"]
            below = rule["bottom"] if ri == len(rows) - 1 else 0
            if above or below:
                commands.append(("TOPPADDING", (0, ri), (-1, ri), margins["top"] + above))
                commands.append(("BOTTOMPADDING", (0, ri), (-1, ri), margins["bottom"] + below))
        widths = grid if grid and all(grid) else None
        t = _DocTable(data, colWidths=widths, style=TableStyle(_dedupe_spans(commands)))
        jc = tblpr.find(W + "jc") if tblpr is not None else None
        t.hAlign = {"center": "CENTER", "right": "RIGHT", "end": "RIGHT"}.get(
            jc.get(W + "val") if jc is not None else "", "LEFT")
        # Word's "keep with next" on the last row's paragraphs: that row goes with what follows
        last_rows = tbl.findall(W + "tr")
        t.keep_last = bool(last_rows) and last_rows[-1].find(f".//{W}pPr/{W}keepNext") is not None
        return t

    @staticmethod
    def _line(el):
        if el is None:
            return None
        val = el.get(W + "val", "single")
        if val in ("nil", "none"):
            return 0
        return max(int(el.get(W + "sz", "4")) / 8, 0.25)

    def _table_borders(self, borders: dict, nrows: int, ncols: int, commands: list) -> None:
        spec = {
            "top": ("LINEABOVE", (0, 0), (-1, 0)),
            "bottom": ("LINEBELOW", (0, -1), (-1, -1)),
            "left": ("LINEBEFORE", (0, 0), (0, -1)),
            "start": ("LINEBEFORE", (0, 0), (0, -1)),
            "right": ("LINEAFTER", (-1, 0), (-1, -1)),
            "end": ("LINEAFTER", (-1, 0), (-1, -1)),
            "insideH": ("LINEBELOW", (0, 0), (-1, -2)),
            "insideV": ("LINEAFTER", (0, 0), (-2, -1)),
        }
        for name, el in borders.items():
            w = self._line(el)
            if name in spec and w:
                if name == "insideH" and nrows < 2 or name == "insideV" and ncols < 2:
                    continue
                op, a, b = spec[name]
                commands.append((op, a, b, w, colors.black))

    def _cell_borders(self, tcb, ci: int, ri: int, span: int, commands: list) -> None:
        if tcb is None:
            return
        ops = {"top": "LINEABOVE", "bottom": "LINEBELOW", "left": "LINEBEFORE", "start": "LINEBEFORE",
               "right": "LINEAFTER", "end": "LINEAFTER"}
        for el in tcb:
            name = etree.QName(el).localname
            if name in ops:
                w = self._line(el)
                if w:
                    commands.append((ops[name], (ci, ri), (ci + span - 1, ri), w, colors.black))


class _DocTable(Table):
    """A table whose rows do not break across pages (the templates mark them w:cantSplit),
    unless a row is taller than a whole page: then it breaks, as Word breaks it."""

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
        if not parts and frame is not None and availHeight >= frame._aH - 1:
            self.splitInRow = 1  # the smallest piece of a row, in points
            parts = super().split(availWidth, availHeight)
        return parts


class _KeepLastRow(KeepTogether):
    """A table and the blocks after it that its last row keeps with (Word's keep-with-next on
    that row): when they do not all fit where the table starts, the last row moves to the next
    page with them, rather than those blocks (a signature) standing there alone."""

    def split(self, aW, aH):
        table, rest = self._content[0], self._content[1:]
        _, th = table.wrap(aW, aH)
        _, rh = _listWrapOn(rest, aW, self.canv)
        if th + rh <= aH:
            return [table, *rest]
        frame = getattr(self, "_frame", None)
        at_top = frame is None or getattr(frame, "_atTop", True)
        if th > aH:  # the table itself breaks: keep its last piece with the rest
            parts = table.split(aW, aH)
            if len(parts) == 2:
                return [parts[0], _KeepLastRow([parts[1], *rest])]
        elif len(table._rowHeights) > 1:  # the table fits, the rest does not: its last row goes on
            parts = table._splitRows(th - table._rowHeights[-1] + 0.01)  # every row but the last
            if len(parts) == 2:
                return [parts[0], KeepTogether([parts[1], *rest])]
        if not at_top:
            return [self.FrameBreak(), self]  # nothing can stay here: start on the next page
        return [table, *rest]  # at the top of a page already: lay them out one after another


# Paragraph styles and parsed paragraph fragments, shared by every document of the process:
# a batch lays out the same template text again and again, and reportlab's markup parser is
# the largest single cost of a one-page document. Fragments are read-only during layout.
_STYLES: dict[str, dict] = {}
_FRAGS: dict[tuple[str, str], list] = {}
_FRAGS_MAX = 1_000  # the template's fixed text fills it first; names and dates rarely repeat


_LINES: dict[tuple, object] = {}
_DRAWN: dict[tuple, tuple[tuple[str, ...], tuple]] = {}  # a paragraph's operators and the fonts they use
_PARAS: dict[tuple, "_Para"] = {}


class _DocParagraph(Paragraph):
    """A paragraph laid out as Word lays it out: the first baseline below the font's line gap
    and ascent, and not split when its lines are kept together.

    A paragraph that runs over several pages is broken into lines once. reportlab's own split
    rebuilds the fragments of the rest and breaks them again on every page, which grows with
    the square of the paragraph's length; here each piece keeps its share of the lines, so the
    work is linear in the length (``bench/bench_long_text.py``).
    """

    _kept: Any = None  # the lines of a piece of a split paragraph, for the width they were made for
    # set by reportlab's Paragraph (its wrap and split), which has no type information
    blPara: Any
    frags: Any
    width: Any

    def draw(self):
        self.canv.translate(0, self.style.baseline_shift)
        super().draw()

    def wrap(self, availWidth, availHeight):
        kept = self._kept
        if kept is not None and kept.aW == availWidth:
            self.width, self.blPara = availWidth, kept
            self.height = len(kept.lines) * self.style.leading
            return self.width, self.height
        if kept is not None:
            # another width: this piece's own fragments, from copies of its lines (reportlab's
            # helper edits the words it joins, and the lines may be shared)
            self.blPara = copy.copy(kept)
            if kept.kind == 1:
                self.blPara.lines = [copy.copy(ln) for ln in kept.lines]
                for ln in self.blPara.lines:
                    ln.words = [copy.copy(w) for w in ln.words]
            self.frags = self._get_split_blParaFunc()(self.blPara, 0, len(kept.lines))
            self._kept = None
        return super().wrap(availWidth, availHeight)

    def split(self, availWidth, availHeight):
        frame = getattr(self, "_frame", None)
        if self.style.keep_lines and frame is not None and availHeight < getattr(self, "height", 0) <= frame._aH:
            return []  # the whole paragraph goes to the next page, where it fits
        if getattr(self, "blPara", None) is None:
            self.wrap(availWidth, availHeight)
        # as in reportlab, the lines are those of the last wrap: a table cell wraps its
        # paragraphs inside its padding, then splits them with its whole width
        lines = self.blPara.lines
        if not lines:
            return []
        style = self.style
        n, s = len(lines), int(availHeight / style.leading)
        if s == 0 or (not style.allowOrphans and s <= 1):
            return []  # not one line fits, or only an orphan would
        if n <= s:
            return [self]
        if not style.allowWidows and n == s + 1:
            if n > 3 or (style.allowOrphans and n == 3):
                s -= 1  # give the widow a companion
            else:
                return []
        first = self._piece(style, lines[:s], self.width, availHeight)
        last_line = lines[s - 1]
        first._JustifyLast = not getattr(last_line, "lineBreak", False)
        first._splitpara = 1
        rest_style = style
        if style.firstLineIndent:
            rest_style = copy.copy(style)
            rest_style.firstLineIndent = 0
        return [first, self._piece(rest_style, lines[s:], self.width, availHeight)]

    def _piece(self, style, lines, width, height) -> "_DocParagraph":
        piece = copy.copy(self)
        piece.__class__ = _DocParagraph
        piece.style = style
        piece._kept = copy.copy(self.blPara)  # a one-font paragraph's lines carry its font
        piece._kept.lines, piece._kept.aW, piece._kept.aH = lines, width, height
        for attr in ("blPara", "_postponed"):  # a piece starts afresh; it was never put off
            piece.__dict__.pop(attr, None)
        piece.wrap(width, height)
        return piece


class _Blank(Flowable):
    """An empty paragraph: one line of its size, with its spacing and keep-with-next."""

    def __init__(self, style: ParagraphStyle):
        super().__init__()
        self.height = style.leading
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self.keepWithNext = style.keepWithNext

    def wrap(self, availWidth, availHeight):
        return availWidth, self.height

    def draw(self):
        pass


class _SharedParagraph(_DocParagraph):
    """A Paragraph whose line breaking, and drawing, is shared with every equal paragraph (same
    markup, style and width) laid out before in this process.

    Drawing is the largest cost of a page. A paragraph's drawing is a run of PDF operators
    relative to where it stands, the same in every document but for the names the document
    gives its fonts (``/F1+0``) and the codes of characters outside the fixed alphabet. So the
    operators are recorded once with the fonts they used and replayed where the fonts have the
    same names, and the characters are counted as used for the embedded glyphs."""

    _key: tuple = ()
    _lines_key: tuple | None = None

    def breakLines(self, width):
        key = (self._key, tuple(width) if isinstance(width, (list, tuple)) else width)
        lines = _LINES.get(key)
        if lines is None:
            lines = super().breakLines(width)
            if len(_LINES) < _FRAGS_MAX:
                _LINES[key] = lines
        self._lines_key = key
        return lines

    def draw(self):
        canv = self.canv
        key = None
        # whole paragraphs whose lines are the shared ones: their operators depend only on these
        if (self._kept is None and not self.__dict__.get("_splitpara") and self._lines_key is not None
                and _LINES.get(self._lines_key) is self.blPara):
            key = (self._lines_key, self.width, self.height, tuple(self.__dict__.get("_offsets", ())))
            drawn = _DRAWN.get(key)
            if drawn is not None and reuse(drawn[1], canv._doc):
                canv.translate(0, self.style.baseline_shift)
                canv._code.extend(drawn[0])
                return
        canv.translate(0, self.style.baseline_shift)
        start = len(canv._code)
        with recording() as texts:
            Paragraph.draw(self)
        if key is not None and len(_DRAWN) < _FRAGS_MAX:
            needs = usage(texts, canv._doc)
            if needs is not None:
                _DRAWN[key] = (tuple(canv._code[start:]), needs)


def _paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    key = (style.name, markup)
    frags = _FRAGS.get(key)
    if frags is None:
        p = _SharedParagraph(markup, style)
        if len(_FRAGS) < _FRAGS_MAX:
            _FRAGS[key] = p.frags
    else:
        p = _SharedParagraph(markup, style, frags=frags)
    p._key = key
    return p


def _dedupe_spans(commands: list) -> list:
    """Merge vertical-merge SPANs so each merged block is one span from its first row."""
    spans: dict = {}
    rest = []
    for c in commands:
        if c[0] == "SPAN":
            (c0, r0), (c1, r1) = c[1], c[2]
            key = (c0, r0)
            if key in spans:
                spans[key] = (max(spans[key][0], c1), max(spans[key][1], r1))
            else:
                spans[key] = (c1, r1)
        else:
            rest.append(c)
    return rest + [("SPAN", k, v) for k, v in spans.items()]


# -- documents ------------------------------------------------------------------------------------
class _DocTemplate(BaseDocTemplate):
    def __init__(self, buf, layout: Layout, fonts: FontSet, **kw):
        super().__init__(
            buf,
            pagesize=(layout.page_width, layout.page_height),
            leftMargin=layout.left,
            rightMargin=layout.right,
            topMargin=layout.top,
            bottomMargin=layout.bottom,
            pageCompression=1,
            initialFontName=fonts.names["regular"],  # the canvas starts in the document's own font
            **kw,
        )
        self.layout = layout
        self.fonts = fonts
        self.doc_start_page = 1
        self.addPageTemplates([self.page_template("page", layout)])

    def page_template(self, name: str, layout: Layout) -> PageTemplate:
        """Pages of ``layout``'s size and margins (a merged PDF has one per layout of its papers)."""
        frame = Frame(layout.left, layout.bottom, layout.page_width - layout.left - layout.right,
                      layout.page_height - layout.top - layout.bottom, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="body",
                      overlapAttachedSpace=0)  # the translator collapses spacing itself (Translator._flow)
        return PageTemplate(name, [frame], onPageEnd=self._on_page,
                            pagesize=(layout.page_width, layout.page_height))

    def _makeCanvas(self, filename=None, canvasmaker=None):
        canv = super()._makeCanvas(filename, canvasmaker or Canvas)
        name_fonts(self.fonts, canv._doc)
        return canv

    def _on_page(self, canv, doc):
        lay = self.layout
        if not lay.page_numbers:
            return
        number = canv.getPageNumber() - self.doc_start_page + 1
        if number == 1 and lay.title_page:
            return
        size = lay.number_size
        canv.setFont(self.fonts.names["regular"], size)
        # the header paragraph spans the text column, from the header distance down
        y = lay.page_height - lay.header - size * self.fonts.baseline_factor
        align = _ALIGN.get(lay.number_align, TA_LEFT)
        if align == TA_CENTER:
            canv.drawCentredString((lay.left + lay.page_width - lay.right) / 2, y, str(number))
        elif align == TA_RIGHT:
            canv.drawRightString(lay.page_width - lay.right, y, str(number))
        else:
            canv.drawString(lay.left, y, str(number))


class _Restart(Flowable):
    """Marks where the next merged document starts, for its own page numbers."""

    def __init__(self, layout: Layout):
        super().__init__()
        self.layout = layout

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        tmpl = self.canv._doctemplate
        tmpl.doc_start_page = self.canv.getPageNumber()
        tmpl.layout = self.layout


# Word features the translator does not lay out, as (element, what it is)
UNSUPPORTED = (
    ("drawing", "hình vẽ/ảnh (w:drawing)"),
    ("pict", "hình VML (w:pict)"),
    ("object", "đối tượng nhúng (w:object)"),
    ("txbxContent", "hộp văn bản (text box)"),
    ("numPr", "đánh số/gạch đầu dòng tự động (w:numPr)"),
    ("fldChar", "trường phức hợp (w:fldChar)"),
    ("footnoteReference", "chú thích cuối trang"),
    ("shd", "tô nền (w:shd)"),
    ("textDirection", "chữ xoay dọc"),
)


def unsupported_features(docx: bytes) -> list[str]:
    """What in a DOCX the PDF translator would not reproduce (for ``docgen forms lint``)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = z.read("word/document.xml")
    return [what for tag, what in UNSUPPORTED if b"<w:" + tag.encode() in xml]


class _RecordingCanvas(Canvas):
    """A canvas that keeps each page's operators, and at the end what they need of the fonts."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.pages: list[tuple[tuple[float, float], tuple[str, ...]]] = []
        self.needs: tuple | None = None

    def showPage(self):
        # one string (reportlab joins a page's operators with newlines): a few kB a page
        self.pages.append((tuple(self._pagesize), ("\n".join(self._code),) if self._code else ()))
        super().showPage()

    def save(self):
        self.needs = doc_usage(self._doc)  # before the fonts are written (and their state dropped)
        super().save()


class _Recorded:
    """One paper's PDF pages as drawn, to be drawn again in a merged PDF without laying the
    paper out a second time."""

    __slots__ = ("pages", "needs", "meta")

    def __init__(self, pages: list[tuple[tuple[float, float], tuple[str, ...]]], needs: tuple, meta: dict):
        self.pages = pages
        self.needs = needs  # what the pages need of the fonts (fonts.doc_usage)
        self.meta = meta


# The pages of the last papers made in this process, by their DOCX (the bytes themselves: a key
# by content) and font set. A pack's merged PDF follows its papers, so a few dozen suffice.
_RECORDED: dict[tuple[bytes, str], _Recorded] = {}
_RECORDED_MAX = 64
_RECORDED_LOCK = threading.Lock()


def render_pdf(docx: bytes, fonts: FontSet) -> bytes:
    """One DOCX as one PDF. Its pages are kept for a merged PDF of it (:func:`render_pdf_many`)."""
    doc = read_docx(docx)
    buf = io.BytesIO()
    tmpl = _template(buf, doc, fonts, None)
    story: list = [_Restart(doc.layout)]
    story.extend(Translator(doc, fonts).blocks(doc.body, top=True))
    canvases: list[_RecordingCanvas] = []

    def canvasmaker(*args, **kw) -> _RecordingCanvas:
        canvases.append(_RecordingCanvas(*args, **kw))
        return canvases[-1]

    tmpl.build(story, canvasmaker=canvasmaker)
    canv = canvases[-1]
    if canv.needs is not None:
        key = (docx, fonts.names["regular"])
        with _RECORDED_LOCK:  # the web app renders in threads
            _RECORDED.pop(key, None)
            if len(_RECORDED) >= _RECORDED_MAX:
                del _RECORDED[next(iter(_RECORDED))]
            _RECORDED[key] = _Recorded(canv.pages, canv.needs, doc.meta)
    return buf.getvalue()


def _page_key(layout: Layout) -> tuple:
    return (layout.page_width, layout.page_height, layout.left, layout.right, layout.top, layout.bottom)


def _template(buf, first: Doc, fonts: FontSet, title: str | None) -> _DocTemplate:
    meta = first.meta
    return _DocTemplate(
        buf, first.layout, fonts,
        title=title or meta.get("title", ""),
        subject=meta.get("subject", ""),
        author=meta.get("creator", ""),
        creator="docgen",
    )


def render_pdf_many(items: list[tuple[str | None, bytes]], fonts: FontSet, title: str | None = None) -> bytes:
    """Several DOCX files as one PDF (one shared font subset), each from a new page and with
    a bookmark when it has a title.

    Papers made by :func:`render_pdf` in this process are not laid out again: their pages are
    drawn as they were (the same operators; the fonts have the same names in every document,
    :func:`fonts.name_fonts`). The others are laid out, all of them in one pass."""
    recorded = [_RECORDED.get((d, fonts.names["regular"])) for _, d in items]
    if all(recorded):
        return _replay([(t, r) for (t, _), r in zip(items, recorded, strict=True) if r], fonts, title)
    docs = [(t, read_docx(d)) for t, d in items]
    buf = io.BytesIO()
    tmpl = _template(buf, docs[0][1], fonts, title)
    story: list = []
    # each paper on pages of its own size and margins, as its own PDF and the replayed merge have
    templates = {_page_key(docs[0][1].layout): "page"}
    for i, (t, doc) in enumerate(docs):
        if i:
            key = _page_key(doc.layout)
            if key not in templates:
                templates[key] = f"page{len(templates)}"
                tmpl.addPageTemplates([tmpl.page_template(templates[key], doc.layout)])
            story.append(NextPageTemplate(templates[key]))
            story.append(PageBreak())
        story.append(_Restart(doc.layout))
        if t:
            story.append(_Outline(t, f"doc{i}"))
        story.extend(Translator(doc, fonts).blocks(doc.body, top=True))
    tmpl.build(story)
    return buf.getvalue()


def _replay(papers: list[tuple[str | None, _Recorded]], fonts: FontSet, title: str | None) -> bytes:
    """The merged PDF of papers whose pages were recorded: each page's operators as drawn, a
    bookmark at each titled paper's first page, the fonts' glyphs those pages use."""
    buf = io.BytesIO()
    meta = papers[0][1].meta
    tmpl = _DocTemplate(buf, Layout(), fonts, title=title or meta.get("title", ""),
                        subject=meta.get("subject", ""), author=meta.get("creator", ""), creator="docgen")
    canv = tmpl._makeCanvas(canvasmaker=Canvas)
    for i, (t, paper) in enumerate(papers):
        if not reuse(paper.needs, canv._doc):
            # cannot happen: every document names the fonts alike (name_fonts)
            raise AssertionError("the fonts of a recorded paper have other names in the merged PDF")
        for j, (size, code) in enumerate(paper.pages):
            canv.setPageSize(size)
            if j == 0 and t:
                canv.bookmarkPage(f"doc{i}")
                canv.addOutlineEntry(t, f"doc{i}", level=0, closed=False)
            canv._code.extend(code)
            canv.showPage()
    canv.save()
    return buf.getvalue()
