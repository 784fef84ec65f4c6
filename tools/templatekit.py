"""Authoring helpers for the Word templates under ``forms/`` (a developer tool, not shipped).

A form's ``template.docx`` is the source of truth once written: a secretary may edit it in
Word. These helpers only produce a first, well-formed version of each template with the
party presentation rules (domain.md §5) applied: Times New Roman, A4, header table with
equal grid and cell widths, title block, "Nơi nhận" and signature table.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
STYLE = tomllib.loads((FORMS / "_shared" / "style.toml").read_text(encoding="utf-8"))
FONT = STYLE["font"]["family"]

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def _rfonts(element, name: str) -> None:
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


class Builder:
    """A new party-style document with the page set up from ``_shared/style.toml``."""

    def __init__(self, form_id: str):
        self.form_id = form_id
        self.manifest = tomllib.loads((FORMS / form_id / "form.toml").read_text(encoding="utf-8"))
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Mm(STYLE["page"]["width_mm"]), Mm(STYLE["page"]["height_mm"])
        m = STYLE["margins_mm"]
        sec.top_margin, sec.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        sec.left_margin, sec.right_margin = Mm(m["left"]), Mm(m["right"])
        sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
        self.text_width = STYLE["page"]["width_mm"] - m["left"] - m["right"]
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)
        _rfonts(normal.element, FONT)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
        pf.widow_control = True  # Word's own default, written out so every reader sees it
        # document defaults too, so that table cells and lists start from the same base
        rpr_default = self.doc.styles.element.find(qn("w:docDefaults"))
        if rpr_default is not None:
            spacing = rpr_default.find(".//" + qn("w:spacing"))
            if spacing is not None:
                spacing.getparent().remove(spacing)
        self._page_numbers(sec)
        props = self.doc.core_properties
        props.title = self.manifest["title"]
        props.subject = f"Mẫu {self.manifest['code']}"
        props.author = "docgen"
        props.comments = f"Mẫu {self.manifest['code']} — {self.manifest['title']}; sửa được trong Word."
        self._first = True

    @staticmethod
    def _page_numbers(sec):
        """Page number centred in the header from page 2 on (domain.md §5.2): a PAGE field in
        the default header, an empty first-page header."""
        sec.different_first_page_header_footer = True
        p = sec.header.paragraphs[0]
        p.alignment = CENTER
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), " PAGE ")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        fld.append(run)
        p._p.append(fld)
        sec.first_page_header.paragraphs[0].text = ""

    # -- paragraphs -----------------------------------------------------------------------
    def para(self, text: str = "", *, container=None, align=JUSTIFY, bold=False, italic=False,
             underline=False, size=14, indent_first_mm: float | None = None, indent_left_mm: float = 0,
             before=0, after=6, keep_with_next=False):
        """One paragraph. ``text`` may mix runs: ``[("Điều 1. ", {"bold": True}), ("…", {})]``."""
        target = container if container is not None else self.doc
        if container is None and self._first:
            p = self.doc.paragraphs[0] if self.doc.paragraphs else self.doc.add_paragraph()
            self._first = False
        else:
            p = target.add_paragraph()
        p.alignment = align
        pf = p.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        if indent_first_mm is not None:
            pf.first_line_indent = Mm(indent_first_mm)
        if indent_left_mm:
            pf.left_indent = Mm(indent_left_mm)
        if keep_with_next:
            pf.keep_with_next = True
        runs = text if isinstance(text, list) else [(text, {})]
        for chunk, fmt in runs:
            if not chunk:
                continue
            r = p.add_run(chunk)
            r.bold = fmt.get("bold", bold) or None
            r.italic = fmt.get("italic", italic) or None
            r.underline = fmt.get("underline", underline) or None
            r.font.size = Pt(fmt.get("size", size))
        return p

    def body(self, text, **kw):
        kw.setdefault("indent_first_mm", 10)
        return self.para(text, **kw)

    def loop(self, for_tag: str, item_text, container=None, **kw):
        """``{%p for … %}`` / item paragraph / ``{%p endfor %}``."""
        self.para(f"{{%p {for_tag} %}}", container=container, after=0)
        self.para(item_text, container=container, **kw)
        self.para("{%p endfor %}", container=container, after=0)

    # -- tables -----------------------------------------------------------------------------
    def table(self, widths_mm: list[float]):
        t = self.doc.add_table(rows=1, cols=len(widths_mm))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        tblPr = t._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblPr.append(layout)
        for col, w in zip(t.columns, widths_mm):
            col.width = Mm(w)
        for cell, w in zip(t.rows[0].cells, widths_mm):
            cell.width = Mm(w)
        cant_split(t.rows[0])
        # the grid and the cell widths must agree (the PDF renderer reads w:tblGrid)
        for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
            gc.set(qn("w:w"), str(int(Mm(w).twips)))
        return t

    def cell_para(self, cell, text, *, first=False, **kw):
        if first:
            p = cell.paragraphs[0]
            kw.setdefault("after", 0)
            runs = text if isinstance(text, list) else [(text, {})]
            p.alignment = kw.get("align", CENTER)
            pf = p.paragraph_format
            pf.space_before, pf.space_after = Pt(kw.get("before", 0)), Pt(kw["after"])
            for chunk, fmt in runs:
                r = p.add_run(chunk)
                r.bold = fmt.get("bold", kw.get("bold", False)) or None
                r.italic = fmt.get("italic", kw.get("italic", False)) or None
                r.underline = fmt.get("underline", kw.get("underline", False)) or None
                r.font.size = Pt(fmt.get("size", kw.get("size", 14)))
            return p
        kw.setdefault("after", 0)
        kw.setdefault("align", CENTER)
        return self.para(text, container=cell, **kw)

    # -- party blocks -------------------------------------------------------------------------
    def header(self, left: list[tuple[str, dict]], right_date: str | None, *, left_mm=80.0,
               party_title="ĐẢNG CỘNG SẢN VIỆT NAM"):
        """The two-column header (domain.md §5.4): issuer block left, party title and date right."""
        t = self.table([left_mm, self.text_width - left_mm])
        lc, rc = t.rows[0].cells
        for i, (text, fmt) in enumerate(left):
            self.cell_para(lc, text, first=i == 0, **fmt)
        self.cell_para(rc, [(party_title, {"bold": True, "underline": True, "size": 15})], first=True)
        if right_date:
            self.cell_para(rc, "", size=14)
            self.cell_para(rc, right_date, italic=True, size=14)
        self._first = False
        return t

    def title(self, doc_type: str, summary: str | None, dashes=True, before=18):
        self.para(doc_type, align=CENTER, bold=True, size=15, before=before, after=0)
        if summary:
            self.para(summary, align=CENTER, bold=True, size=14, after=0)
        if dashes:
            self.para("-----", align=CENTER, after=12)

    def data_table(self, widths_mm: list[float], headers: list[str], cells: list[str], loop: str,
                   size: int = 13, aligns: list | None = None):
        """A bordered table: a header row, then one row per item (docxtpl ``{%tr for … %}``)."""
        t = self.table(widths_mm)
        t.style = self.doc.styles["Table Grid"]
        aligns = aligns or [CENTER] * len(cells)
        for cell, text in zip(t.rows[0].cells, headers):
            self.cell_para(cell, text, first=True, bold=True, size=size, before=3, after=3)
        cant_split(t.rows[0])
        open_row = t.add_row()
        self.cell_para(open_row.cells[0], f"{{%tr {loop} %}}", first=True, size=size)
        row = t.add_row()
        cant_split(row)
        for cell, text, align in zip(row.cells, cells, aligns):
            self.cell_para(cell, text, first=True, size=size, align=align, before=3, after=3)
        close_row = t.add_row()
        self.cell_para(close_row.cells[0], "{%tr endfor %}", first=True, size=size)
        for r in t.rows:
            for cell, w in zip(r.cells, widths_mm):
                cell.width = Mm(w)
        self.para("", after=0, size=6)
        return t

    def congress_header(self, number: bool = True):
        """Left: the party organisation, then the congress as issuer (domain.md §3.5)."""
        left = [
            ("{{ committee.organization_name_upper }}", {}),
            ("{{ congress.issuer_upper }}", {"bold": True}),
            ("{{ congress.term_upper }}", {"bold": True}),
            ("*", {}),
        ]
        if number:
            left.append(("{{ doc.number }}", {}))
        return self.header(left, "{{ doc.place_date }}")

    def code_mark(self):
        """The form code at the top right ("Mẫu 3-KNĐ"), as on the printed appendix forms."""
        self.para("Mẫu {{ form.code }}", align=RIGHT, size=12, after=6)

    def party_title(self):
        """Only the party title, centred (forms without an issuer header, such as 3-KNĐ)."""
        self.para("ĐẢNG CỘNG SẢN VIỆT NAM", align=CENTER, bold=True, underline=True, size=15, after=12)

    def signature(self, on_behalf: str | None, title: str, name: str, *, recipients: list[str] | None = None,
                  left_mm=80.0, sign_lines=3, left_label="Nơi nhận:", date_line: str | None = None,
                  note: str | None = None):
        """Recipients bottom-left, signature block bottom-right (domain.md §5.8–5.9).

        The last paragraph before it is kept with it, and its row cannot split, so that the
        signature never stands alone on a page whatever the font."""
        self.keep_last_with_next()
        t = self.table([left_mm, self.text_width - left_mm])
        lc, rc = t.rows[0].cells
        if date_line:
            self.cell_para(rc, date_line, first=True, italic=True, before=12)
        if recipients is not None:
            self.cell_para(lc, [(left_label, {"underline": True, "size": 14})], first=True, align=LEFT, before=12)
            for r in recipients:
                if r.startswith("{%p"):
                    self.para(r, container=lc, align=LEFT, after=0)
                else:
                    self.para(r, container=lc, align=LEFT, size=12, after=0)
        first = not date_line
        if on_behalf:
            self.cell_para(rc, on_behalf, first=first, bold=True, before=12 if first else 6)
            first = False
        if title:
            self.cell_para(rc, title, first=first, bold=True, before=0 if not first else 12)
        if note:
            self.cell_para(rc, note, italic=True)
        for _ in range(sign_lines):
            self.cell_para(rc, "")
        self.cell_para(rc, name, bold=True)
        return t

    def keep_last_with_next(self):
        """Keep-with-next on the last paragraph of the body, and on the last paragraph of each
        branch when the body ends in ``{%p if/for %}`` blocks (whichever branch renders)."""
        need, depth = True, 0
        for el in reversed(list(self.doc.element.body)):
            if el.tag == qn("w:sectPr"):
                continue
            if el.tag != qn("w:p"):
                break
            text = "".join(t.text or "" for t in el.iter(qn("w:t"))).strip()
            if text.startswith("{%p"):
                word = text[3:].split()[0]
                if word in ("endif", "endfor"):
                    depth += 1
                elif word in ("if", "for"):
                    depth -= 1
                need = True
                if depth <= 0 and word in ("if", "for"):
                    break
                continue
            if need:
                ppr = el.get_or_add_pPr()
                if ppr.find(qn("w:keepNext")) is None:
                    ppr.insert(0, OxmlElement("w:keepNext"))
                need = False
                if depth <= 0:
                    break

    def save(self):
        out = FORMS / self.form_id / "template.docx"
        self.doc.save(out)
        slim(out)
        return out


def cant_split(row) -> None:
    """A table row that Word and LibreOffice must not break across pages."""
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.append(OxmlElement("w:cantSplit"))


_DROP = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")


def slim(path: Path) -> None:
    """Drop parts a form never needs (effects styles, thumbnail, custom XML) and unused styles.

    Smaller templates open faster in Word, diff better and compile faster.
    """
    import re
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    keep = {n: d for n, d in parts.items() if not n.startswith(_DROP)}
    for rels in [n for n in keep if n.endswith(".rels")]:
        xml = keep[rels].decode("utf-8")
        xml = re.sub(r'<Relationship [^>]*Target="[^"]*(stylesWithEffects|thumbnail|customXml|itemProps)[^"]*"/>', "", xml)
        keep[rels] = xml.encode("utf-8")
    ct = keep["[Content_Types].xml"].decode("utf-8")
    ct = re.sub(r'<Override PartName="/(word/stylesWithEffects.xml|customXml/[^"]*|docProps/thumbnail.jpeg)"[^>]*/>', "", ct)
    keep["[Content_Types].xml"] = ct.encode("utf-8")
    # styles: keep the defaults and what the document uses
    doc = keep["word/document.xml"].decode("utf-8")
    used = set(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', doc))
    root = etree.fromstring(keep["word/styles.xml"])
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    w = "{%s}" % ns["w"]
    latent = root.find("w:latentStyles", ns)
    if latent is not None:
        root.remove(latent)
    styles = {st.get(w + "styleId"): st for st in root.findall("w:style", ns)}
    wanted = set(used) | {sid for sid, st in styles.items() if st.get(w + "default") == "1"}
    frontier = list(wanted)
    while frontier:
        st = styles.get(frontier.pop())
        if st is None:
            continue
        for ref in ("basedOn", "next", "link"):
            el = st.find(f"w:{ref}", ns)
            if el is not None and el.get(w + "val") not in wanted and ref == "basedOn":
                wanted.add(el.get(w + "val"))
                frontier.append(el.get(w + "val"))
    for sid, st in styles.items():
        if sid not in wanted:
            root.remove(st)
        else:
            for ref in ("next", "link"):
                el = st.find(f"w:{ref}", ns)
                if el is not None and el.get(w + "val") not in wanted:
                    st.remove(el)
    keep["word/styles.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in keep.items():
            z.writestr(name, data)
