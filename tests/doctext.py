"""Text of a filled DOCX or PDF, for the tests and their golden files (test-only: pypdf is a test
dependency, and docgen itself never reads its own output back).

DOCX: every non-empty paragraph of the body in order, table cells row by row (merged cells
once). PDF: pypdf's extraction of every page. ``normalize`` folds white space so that line
breaks, which differ between Word and the PDF, do not count.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _para_text(p) -> str:
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br"):
        if el.tag == W + "t":
            out.append(el.text or "")
        elif el.tag == W + "tab":
            out.append("\t")
        elif el.get(W + "type") != "page":
            out.append("\n")
    return "".join(out)


def _blocks(parent, out: list[str]) -> None:
    for child in parent:
        if child.tag == W + "p":
            text = _para_text(child)
            if text.strip():
                out.append(text)
        elif child.tag == W + "tbl":
            for tr in child.findall(W + "tr"):
                for tc in tr.findall(W + "tc"):
                    vm = tc.find(f"{W}tcPr/{W}vMerge")
                    if vm is not None and vm.get(W + "val", "continue") == "continue":
                        continue
                    _blocks(tc, out)
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                _blocks(content, out)


def docx_paragraphs(data: bytes) -> list[str]:
    """Non-empty paragraphs of a DOCX body, in reading order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out: list[str] = []
    _blocks(root.find(W + "body"), out)
    return out


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def normalize(text: str) -> str:
    """White space folded to single spaces (NBSP included), ends trimmed."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def docx_text(data: bytes) -> str:
    return normalize(" ".join(docx_paragraphs(data)))


def pdf_text(data: bytes, page_numbers: bool = True) -> str:
    """The PDF's text; with ``page_numbers`` the page number that heads pages 2, 3, … (drawn
    from the DOCX header's PAGE field, not part of the body) is left out."""
    pages = pdf_pages(data)
    if page_numbers:
        pages = [_drop_number(t, i + 1) for i, t in enumerate(pages)]
    return normalize(" ".join(pages))


def _drop_number(text: str, number: int) -> str:
    """Remove the page-number line (drawn after the page's content, so last in the text)."""
    if number < 2:
        return text
    lines = text.strip().split("\n")
    for i in (-1, 0):
        if lines and lines[i].strip() == str(number):
            del lines[i]
            break
    return "\n".join(lines)
