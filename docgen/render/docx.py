"""Render stage (DOCX): fill a Word template from a context, compiled once and rendered many times.

Plain ``DocxTemplate(path).render(ctx)`` re-reads the package, re-runs docxtpl's tag-merging
regexes and recompiles Jinja for every document (about 30 ms). Here that work is done once
per template and process:

* docxtpl's own ``patch_xml`` merges split tags in every part that holds tags;
* each such part is compiled once in the strict sandbox (autoescaping on);
* the untouched parts are deflated once and kept as ready-made zip members.

Per document only the tagged parts are rendered, put through docxtpl's post-render text
handling (line breaks and tabs inside values), proved well-formed (a value can never break
the XML silently) and written into a zip by concatenation. The proof is a strict expat parse,
or, for a render whose shape is already proved and whose values are plain character data,
the shape itself (see "validating a part once per shape" below). Such a part is also deflated
by pieces: the template's long literals were compressed once, the values go in stored.

Templates that use features this path does not re-implement are rendered with plain docxtpl
instead (``render_path`` says which, ``fallback_reason`` why); both paths run in the same
sandbox. They are looked for in each part's XML before any patching, since ``patch_xml``
turns ``{%tc for … %}`` into a plain ``{% for … %}``:

* tags that change how many cells a row has or spans — ``{%tc``/``{{tc``/``{#tc`` and the
  ``colspan``/``hm`` cell tags. Plain docxtpl then rewrites the table grid after each
  render (``fix_tables``); without that the grid no longer matches the rows. ``{%tr``,
  ``{%p``, ``{%r``, ``{{r``, ``{{p``, ``{#tr``, ``{#p``, ``vm`` and ``cellbg`` repeat,
  drop or restyle whole rows, paragraphs and runs, never a row's cells: both paths patch
  them alike and the grid stays right;
* pictures and embedded objects (docxtpl renumbers their ids).

Both paths render in the strict sandbox (``docgen/sandbox.py``), which bounds the work of a
template and refuses ``{% include %}``, ``self`` and objects printed as ``<… at 0x…>``. Whatever
a template's own code raises while it renders (a limit, ``1/0``, a wrong type) is a
:class:`FormError` naming the form and the part; a tag that does not compile is a
:class:`TemplateTagError` naming the part and the tag.

docxtpl objects that need the package of a ``DocxTemplate`` being rendered (``InlineImage``,
``Subdoc``, ``RichText`` with a hyperlink) are refused on both paths, since neither renders
the template the caller built them for. ``RichText`` without a link and ``Listing`` are
plain markup and work on both.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import struct
import sys
import threading
import zlib
from pathlib import Path
from typing import Any, Iterable, Literal
from xml.parsers import expat

from jinja2 import TemplateError, TemplateSyntaxError, meta

from .. import keep, read_kept
from ..errors import FormError
from ..sandbox import compile_template, environment, tag_problems

# docxtpl (and python-docx, which it imports) is imported only when it is needed: to patch a
# template's parts the first time (the template as patched is kept in the user's cache folder),
# for a value with line breaks or tabs, and for the templates plain docxtpl renders.

_TAGGED_PART = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/core\.xml)$")
_HAS_TAG = re.compile(r"\{[{%#]")
_XML_TAG = re.compile(r"<[^>]*>")
# looked for before patching, in a part's text with the XML tags taken out (a tag Word split
# over several runs is whole there); a false match only costs speed
_GRID_TAGS = re.compile(r"\{[{%#]-?tc |\{%-?\s*(?:colspan|hm)\b")
_OBJECTS = re.compile(r"<w:drawing|<w:pict|<w:object")
_LISTING_CHARS = ("\n", "\t", "\a", "\f")

# DOS date/time of 1980-01-01 00:00 so that equal inputs give equal bytes.
_ZIP_TIME, _ZIP_DATE = 0, (0 << 9) | (1 << 5) | 1


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHI")  # a central directory entry up to its offset field
_OFFSET = struct.Struct("<I")
_END = struct.Struct("<IHHHHIIH")


class _Member:
    """One zip member, its local record and central directory entry laid out once: the
    frozen parts of a template are reused as they are by every document."""

    __slots__ = ("name", "local", "central")

    def __init__(self, name: bytes, crc: int, csize: int, usize: int, data: bytes, method: int):
        self.name = name
        self.local = _LOCAL.pack(0x04034B50, 20, 0x0800, method, _ZIP_TIME, _ZIP_DATE, crc, csize, usize,
                                 len(name), 0) + name + data
        self.central = _CENTRAL.pack(0x02014B50, 20, 20, 0x0800, method, _ZIP_TIME, _ZIP_DATE, crc, csize,
                                     usize, len(name), 0, 0, 0, 0, 0)


def _deflate(raw: bytes, level: int = 6) -> tuple[bytes, int]:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush(), zlib.crc32(raw)


def _member(name: str, raw: bytes, level: int = 6) -> _Member:
    """A deflated zip member. The frozen parts use level 6 once; a rendered part that was
    parsed uses level 1 (a few percent larger, several times faster)."""
    data, crc = _deflate(raw, level)
    return _Member(name.encode("utf-8"), crc, len(data), len(raw), data, 8)


def write_zip(members: list[_Member]) -> bytes:
    """A zip file from already-deflated members (UTF-8 names, fixed timestamps)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        out.append(m.local)
        central += (m.central, _OFFSET.pack(offset), m.name)
        offset += len(m.local)
    directory = b"".join(central)
    out.append(directory)
    out.append(_END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0))
    return b"".join(out)


_LISTING_ESCAPED = ("\\n", "\\t", "\\u0007", "\\f")


def _has_listing_chars(value: Any) -> bool:
    """Does any string in the context hold a newline, tab, bell or form feed?

    One ``json.dumps`` pass (which escapes exactly those characters) is several times faster
    than walking the context in Python.
    """
    text = json.dumps(value, ensure_ascii=False, default=str)
    return any(esc in text for esc in _LISTING_ESCAPED)


_ESCAPES = {"{_{": "{{", "}_}": "}}", "{_%": "{%", "%_}": "%}"}


def _literal_braces(source: str) -> str:
    """docxtpl's ``{_{``-style escapes, turned into Jinja string literals in the template.

    docxtpl replaces them in the *rendered* text, so a value that happens to contain
    ``{_{`` loses its underscore. Resolving them in the template source keeps values intact
    (a deliberate difference from plain docxtpl).
    """
    for esc, lit in _ESCAPES.items():
        source = source.replace(esc, "{{ '%s' }}" % lit)
    return source


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_CHAR_REF = re.compile(r"&(?:quot|apos|#([0-9]+)|#[xX]([0-9a-fA-F]+));")
# what docxtpl makes of a character inside a tag: lxml writes "&", "<", ">" and CR escaped
# again, and patch_xml then turns "&lt;", "&gt;" and curly quotes into the plain characters
_IN_TAG = {"&": "&amp;", "\r": "&#13;", "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}


def _tag_char(m: re.Match) -> str:
    if m.group(1) or m.group(2):
        code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
        if not 0 < code <= 0x10FFFF:
            return m.group(0)
        ch = chr(code)
    else:
        ch = '"' if m.group(0) == "&quot;" else "'"
    return _IN_TAG.get(ch, ch)


def decode_tag_entities(source: str) -> str:
    """Character references inside the tags of a patched part, read as docxtpl reads them.

    LibreOffice writes the quotes of ``{% if x == "a" %}`` as ``&quot;`` (and ``'`` as
    ``&apos;``). Plain docxtpl never sees those: it reads each part with lxml, which turns
    them into the characters, before ``patch_xml``. Here the part is compiled from its own
    text, so they are decoded here, once per template. ``&amp;`` stays, as it does for
    docxtpl; ``&lt;`` and ``&gt;`` were already decoded by ``patch_xml``.
    """
    if "&" not in source:
        return source
    return _TAG.sub(lambda m: _CHAR_REF.sub(_tag_char, m.group(0)), source)


def fallback_reason(document_xml: str) -> str | None:
    """Why a template needs plain docxtpl (Vietnamese, for ``docgen forms lint``), or ``None``.

    ``document_xml`` is ``word/document.xml`` as stored, before ``patch_xml`` rewrote any tag.
    Only the body matters: plain docxtpl fixes table grids and renumbers picture ids there
    alone, so a header or footer renders the same on both paths."""
    m = _GRID_TAGS.search(_XML_TAG.sub("", document_xml)) if _HAS_TAG.search(document_xml) else None
    if m:
        return f"thẻ {m.group(0).strip()} đổi số ô của hàng bảng (docxtpl sửa lưới cột sau khi điền)"
    m = _OBJECTS.search(document_xml)
    if m:
        return f"hình hoặc đối tượng nhúng ({m.group(0)[1:]}) trong thân văn bản (docxtpl đánh số lại)"
    return None


class TemplateTagError(FormError):
    """Tags of a template that do not compile; ``problems`` holds ``(part, tag, message)``."""

    def __init__(self, template: Path, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"  {part}: {tag}  ({message})" for part, tag, message in problems]
        super().__init__(f"Mẫu {template}: có thẻ không biên dịch được:\n" + "\n".join(lines))


def _docxtpl_objects(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first value in a context that docgen cannot render, as ``(path, kind)``: a docxtpl
    object tied to the package of the ``DocxTemplate`` it was made for (a picture, a
    sub-document, a rich text with a hyperlink). Neither render path renders that template,
    so the document would reference relationships or styles it does not have."""
    if "docxtpl" not in sys.modules:
        return None  # no docxtpl object can exist in a process that never imported docxtpl
    from docxtpl import InlineImage, RichText, RichTextParagraph

    try:
        from docxtpl.subdoc import Subdoc
    except ImportError:  # docxtpl without docxcompose has no sub-documents
        Subdoc = None
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        if isinstance(value, InlineImage):
            return path, "InlineImage (ảnh)"
        if Subdoc is not None and isinstance(value, Subdoc):
            return path, "Subdoc (văn bản con)"
        if isinstance(value, (RichText, RichTextParagraph)) and "r:id=" in value.xml:
            return path, f"{type(value).__name__} có liên kết (url_id)"
        return None
    for key, item in items:
        found = _docxtpl_objects(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def refuse_docxtpl_objects(template: Path, context: dict) -> None:
    """Raise :class:`FormError` naming the first value docgen cannot render (see above)."""
    found = _docxtpl_objects(context)
    if found:
        raise FormError(f"Mẫu {template.parent.name}: giá trị \"{found[0]}\" là đối tượng docxtpl {found[1]}. "
                        "docgen không điền được đối tượng gắn với một DocxTemplate khác, vì tệp tạo ra sẽ "
                        "tham chiếu tới ảnh, kiểu hoặc liên kết mà nó không có; hãy truyền văn bản, "
                        "RichText không liên kết hoặc Listing.")


def check_well_formed(data: bytes) -> None:
    """Strict XML well-formedness check (expat: no tree is built, no entity is fetched, an
    invalid character or a broken tag raises). About three times faster than an lxml parse."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.Parse(data, True)


# -- validating a part once per shape ---------------------------------------------------------
# A rendered part is the template's literal pieces with values in between; under autoescape
# every value arrives as a markupsafe ``Markup`` piece, every literal as a plain ``str``. The
# *shape* of a render is that sequence with each value replaced by a slot. For a part that has
# no comment, CDATA, DOCTYPE or processing instruction (a Word part has none), whether a
# render is well-formed depends only on its shape, provided every value is character data:
#
# * the first render of a shape is parsed strictly, and so is a *probe* of it, every slot
#   filled with ``_PROBE``. The probe breaks any tag, name, attribute list or end tag it lands
#   in, so a well-formed probe proves every slot is in text content or an attribute value;
#   it ends in "]]", so a literal ">" or "]>" after a slot (which could make "]]>") fails too;
# * in text content or an attribute value, any legal XML character other than < > & " ' is
#   allowed, and so are the escapes markupsafe writes (&amp; &lt; &gt; &#34; &#39;).
#
# A later render of a known, well-formed shape whose values all match ``_CHAR_DATA`` is then
# well-formed without a parse. Anything else (a new shape, a value with other markup, a line
# break or a control character) is parsed as before. Pieces classed as literals are compared
# by content, so a value that reaches the output unescaped only ever matches a shape that was
# parsed with that very text.
_PROBE = " -- ]]"
_NOT_CHAR_DATA = "<>&\"'\x00-\x1f\ud800-\udfff\ufffe\uffff"
_CHAR_DATA = re.compile(f"[^{_NOT_CHAR_DATA}]*(?:&(?:amp|lt|gt|#34|#39);[^{_NOT_CHAR_DATA}]*)*")
_SLOT = object()
_MAX_SHAPES = 64  # per part: a loop over n items makes a shape per n
# how a part's zip member is deflated (see _plan): a literal's compressed bytes, or the pieces
# (start, end) that go in as a stored block
Plan = list[bytes | tuple[int, int]]
# one rendered part: ``(xml, None, None)`` when a parse proved it, ``(None, pieces, plan)`` when
# its shape did (the XML is then the pieces joined)
Rendered = tuple[bytes, None, None] | tuple[None, list[str], Plan]


# -- deflating a part by pieces -----------------------------------------------------------------
_SEGMENT_MIN = 128  # shorter literals are stored with the values around them
_STORED = struct.Struct("<BHH")
_LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block marked final


def _segment(literal: str) -> bytes | None:
    """A literal's Deflate blocks, when it is long enough to gain: compressed on their own and
    closed by a sync flush, so they end on a byte boundary, are not final and can follow any
    other blocks."""
    raw = literal.encode("utf-8")
    if len(raw) < _SEGMENT_MIN:
        return None
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush(zlib.Z_SYNC_FLUSH)


def _plan(pieces: list[str]) -> Plan:
    """How a part of this shape is deflated: the ready Deflate blocks of each long literal,
    and between them ``(start, end)`` runs of pieces (values and short literals) to store."""
    plan: list[bytes | tuple[int, int]] = []
    start = 0
    for i, p in enumerate(pieces):
        deflated = _segment(p) if type(p) is str else None
        if deflated is not None:
            if start < i:
                plan.append((start, i))
            plan.append(deflated)
            start = i + 1
    if start < len(pieces):
        plan.append((start, len(pieces)))
    return plan


def _stored(stream: list[bytes], raw: bytes) -> None:
    """``raw`` as stored (uncompressed) Deflate blocks of at most 65,535 bytes, not final."""
    for i in range(0, len(raw), 0xFFFF):
        chunk = raw[i:i + 0xFFFF]
        stream.append(_STORED.pack(0, len(chunk), len(chunk) ^ 0xFFFF))
        stream.append(chunk)


def shape_safe(source: str) -> bool:
    """Can a part from this template source be validated by shape? Only when it has no
    markup but elements, attributes, text and a leading XML declaration that holds no tag."""
    body = source
    if body.startswith("<?xml"):
        end = body.find("?>")
        if end < 0 or _HAS_TAG.search(body[:end]):
            return False
        body = body[end + 2:]
    return "<!" not in body and "<?" not in body


def _probe_is_well_formed(pieces: list[str]) -> bool:
    """Is the render with every slot filled by ``_PROBE`` well-formed, with no markup but
    elements, attributes and text after its XML declaration? (The template source was
    checked by :func:`shape_safe`; this checks the literals as rendered, which Jinja may have
    folded from expressions such as ``{{ ('<' ~ '?pi')|safe }}``.)"""
    probe = "".join(p if type(p) is str else _PROBE for p in pieces).encode("utf-8")
    body = probe
    if body.startswith(b"<?xml"):
        body = body[body.find(b"?>") + 2:]
    if b"<!" in body or b"<?" in body:
        return False
    try:
        check_well_formed(probe)
    except expat.ExpatError:
        return False
    return True


def set_margins(document_xml: str, margins_twips: dict[str, int] | None) -> str:
    """Apply page margins (twips) to every section of ``document.xml``."""
    if not margins_twips:
        return document_xml

    def fix(m: re.Match) -> str:
        tag = m.group(0)
        for side, value in margins_twips.items():
            tag = re.sub(rf'w:{side}="-?\d+"', f'w:{side}="{int(value)}"', tag)
        return tag

    return re.sub(r"<w:pgMar\b[^>]*/>", fix, document_xml)


@functools.cache
def _docxtpl_source() -> Path | None:
    """docxtpl's ``template.py`` (whose ``patch_xml`` patches a template's parts), found once per
    process without importing docxtpl; None when docxtpl is not installed."""
    from importlib.util import find_spec

    spec = find_spec("docxtpl")
    return Path(spec.origin).parent / "template.py" if spec is not None and spec.origin else None


class CompiledTemplate:
    """A DOCX template prepared once; :meth:`render` fills it for one context."""

    def __init__(self, path: Path, margins_twips: dict[str, int] | None = None):
        self.path = Path(path)
        self.margins_twips = margins_twips
        self._helper: Any = None  # a DocxTemplate, for resolve_listing, made when first needed
        self._compiled: dict[str, Any] = {}
        # per shape-safe part: shape -> its deflate plan when well-formed, False when not
        self._shapes: dict[str, dict[tuple, Plan | Literal[False]]] = {}
        env = environment(True)
        # the template as read and patched, kept in the cache folder (see _kept_key)
        key = self._kept_key()
        # the template's absolute path: a forms folder given as a relative path (--forms-dir mau)
        # names another folder's template in another working folder
        slot = f"{os.path.abspath(self.path)}\0{sorted((margins_twips or {}).items())}"
        kept = read_kept("docx", slot, key) if key is not None else None
        if kept is not None:
            try:
                self._take(kept, env)
            except Exception:  # an entry of another shape: the template is read again
                self._compiled.clear()
                self._shapes.clear()
                kept = None
        if kept is None:
            kept = self._read(env)
            self._take(kept, env, compiled=True)
            if key is not None:
                keep("docx", slot, key, kept)
        self.render_path = "docxtpl" if self.fallback_reason else "compiled"
        if self._source_has_listing_chars:
            self._shapes.clear()

    def _take(self, kept: Any, env, compiled: bool = False) -> None:
        """Set this template up from the plain value :meth:`_read` made (compiling its tagged
        parts, unless ``compiled`` already); raises on a value of another shape."""
        order, frozen, raw, tagged, names, reason, listing = (
            kept["order"], kept["frozen"], kept["raw"], kept["tagged"], kept["names"], kept["fallback"],
            kept["listing"])
        if not compiled:
            for name, patched in tagged.items():
                self._compiled[name] = compile_template(env, patched)
        self._order: list[str] = list(order)
        self._frozen: dict[str, _Member] = {
            name: _Member(name.encode("utf-8"), crc, len(data), usize, data, 8) for name, crc, usize, data in frozen}
        self._raw: dict[str, bytes] = dict(raw)  # the untagged parts' XML, handed to the PDF (rendered_parts)
        self.names: set[str] = set(names)  # top-level context names the template reads
        self._source_has_listing_chars: bool = bool(listing)
        self.fallback_reason: str | None = reason  # why plain docxtpl renders it, when it does
        for name, patched in tagged.items():
            if shape_safe(patched):
                self._shapes[name] = {}

    def _kept_key(self) -> tuple | None:
        """What the template as read and patched is kept under: the stats of the template, of
        this module and the sandbox (which read and patch it and find the names it reads), and
        of docxtpl's ``patch_xml``, and Jinja's version. None without docxtpl (nothing kept)."""
        import jinja2

        from .. import file_stats, sandbox

        source = _docxtpl_source()
        if source is None:
            return None
        return (file_stats([os.path.abspath(self.path), __file__, sandbox.__file__, source]), jinja2.__version__)

    def _read(self, env) -> dict[str, Any]:
        """Read and patch the template, compile its tagged parts (into ``_compiled``): a plain
        value (the ``frozen`` parts deflated once, ``(name, crc, raw size, data)``; the patched
        source of each ``tagged`` part; the ``names`` it reads) that the cache folder keeps."""
        import zipfile  # here: a template kept in the cache folder is not unzipped

        from docxtpl import DocxTemplate  # (and python-docx: not imported once the template is kept)

        helper = DocxTemplate(str(self.path))  # making one reads nothing of the file
        try:
            with zipfile.ZipFile(self.path) as z:
                parts = [(info.filename, z.read(info)) for info in z.infolist()]
        except (OSError, zipfile.BadZipFile, KeyError) as exc:
            raise FormError(f"Không mở được mẫu {self.path}: {exc}") from exc
        order: list[str] = []
        frozen: list[tuple[str, int, int, bytes]] = []
        tagged: dict[str, str] = {}
        names: set[str] = set()
        listing = False
        reason: str | None = None
        problems: list[tuple[str, str, str]] = []  # (part, tag, message) of tags that do not compile
        xml: dict[str, bytes] = {}
        for name, raw in parts:
            order.append(name)
            if _TAGGED_PART.match(name):
                text = raw.decode("utf-8")
                if name == "word/document.xml":
                    reason = fallback_reason(text)
                    text = set_margins(text, self.margins_twips)
                patched = _literal_braces(decode_tag_entities(helper.patch_xml(text)))
                # the XML declaration's line break is the only one a Word part usually has;
                # without it, a newline or tab in the rendered part can only come from a value
                patched = patched.replace("?>\r\n<", "?><").replace("?>\n<", "?><")
                if any(ch in patched for ch in _LISTING_CHARS):
                    listing = True
                if _HAS_TAG.search(patched):
                    try:
                        # docxtpl also puts a newline before every <w:p> (for error line numbers)
                        # and strips it after rendering; leaving both out gives the same XML.
                        self._compiled[name] = compile_template(env, patched)
                        tagged[name] = patched
                        names |= meta.find_undeclared_variables(env.parse(patched))
                    except TemplateSyntaxError:
                        problems += [(name, tag, message) for tag, message in tag_problems(env, patched)]
                    continue
                raw = text.encode("utf-8")
            data, crc = _deflate(raw)
            frozen.append((name, crc, len(raw), data))
            if name.endswith(".xml"):
                xml[name] = raw
        if problems:
            raise TemplateTagError(self.path, problems)
        if "word/document.xml" not in order:
            raise FormError(f"{self.path} không phải tệp Word (.docx): thiếu word/document.xml")
        return {"order": order, "frozen": frozen, "raw": xml, "tagged": tagged, "names": sorted(names),
                "fallback": reason, "listing": listing}

    @property
    def parsed_parts(self) -> list[str]:
        """Tagged parts parsed on every render (not provable by shape: they hold comments,
        CDATA or processing instructions, or the template has line breaks of its own)."""
        return [name for name in self._compiled if name not in self._shapes]

    def render_parts(self, context: dict) -> dict[str, bytes]:
        """The rendered XML of each tagged part, validated; raises :class:`FormError` on a broken template."""
        return {name: entry[0] if entry[0] is not None else "".join(entry[1]).encode("utf-8")
                for name, entry in self._render_parts(context).items()}

    def _render_parts(self, context: dict) -> dict[str, Rendered]:
        """Each tagged part as ``(xml, None, None)`` when a parse proved it, or
        ``(None, pieces, plan)`` when its shape did (the XML is then the pieces joined)."""
        # values with line breaks or tabs need docxtpl's listing fix-up (w:br, w:tab)
        listing = _has_listing_chars(context) if self._source_has_listing_chars else None
        out: dict[str, Rendered] = {}
        for name, template in self._compiled.items():
            try:
                pieces = self._pieces(template, context)
            except TemplateError as exc:  # a sandbox refusal or a limit (docgen/sandbox.py), an undefined name…
                raise FormError(f"Mẫu {self.path.parent.name}: lỗi khi điền {name}: {exc}") from exc
            except Exception as exc:
                refuse_docxtpl_objects(self.path, context)  # an InlineImage fails here when its template is idle
                # only the template's own code ran here: 1/0, a wrong type, a value that failed
                raise FormError(f"Mẫu {self.path.parent.name}: lỗi khi điền {name}: "
                                f"{type(exc).__name__}: {exc}") from exc
            shapes = self._shapes.get(name)
            shape = known = None
            if shapes is not None and _CHAR_DATA.fullmatch(" ".join([p for p in pieces if type(p) is not str])):
                shape = tuple(p if type(p) is str else _SLOT for p in pieces)
                known = shapes.get(shape)
                if known:
                    out[name] = (None, pieces, known)
                    continue
            if "<" in "".join([p for p in pieces if type(p) is not str]):
                # a value brought markup of its own; a docxtpl object tied to another package
                # always does (a value proved by shape cannot, so this costs the fast path nothing)
                refuse_docxtpl_objects(self.path, context)
            xml = "".join(pieces)
            if listing or (listing is None and any(ch in xml for ch in _LISTING_CHARS)):
                if self._helper is None:
                    from docxtpl import DocxTemplate

                    self._helper = DocxTemplate(str(self.path))
                xml = self._helper.resolve_listing(xml)
            data = xml.encode("utf-8")
            try:
                check_well_formed(data)
            except expat.ExpatError as exc:
                raise FormError(f"Mẫu {self.path.parent.name}: {name} sau khi điền "
                                f"không còn là XML hợp lệ: {exc}") from exc
            if shapes is not None and shape is not None and known is None:
                # a new shape: probe it. The answer is the same whoever asks, so a full cache
                # only costs a probe per render and never changes the output.
                known = _probe_is_well_formed(pieces) and _plan(pieces)
                if len(shapes) < _MAX_SHAPES:
                    shapes[shape] = known
                if known:
                    out[name] = (None, pieces, known)
                    continue
            out[name] = (data, None, None)
        return out

    @staticmethod
    def _pieces(template, context: dict) -> list[str]:
        """What ``template.render(context)`` joins: literal ``str`` pieces and ``Markup`` values."""
        try:
            return list(template.root_render_func(template.new_context(context)))
        except Exception:
            template.environment.handle_exception()
            raise  # handle_exception always raises; this keeps type checkers content

    @staticmethod
    def _planned_member(name: str, pieces: list[str], plan: Plan, xml: bytes) -> _Member:
        """A zip member deflated by pieces: each long literal of the template was deflated once
        (see :func:`_plan`); the values and the short literals between them go in as stored
        blocks. The stream is plain Deflate; it is about a third larger than deflating the
        whole part, and per document it costs a few joins and a CRC instead of a compression."""
        stream: list[bytes] = []
        for step in plan:
            if type(step) is bytes:
                stream.append(step)
            else:
                _stored(stream, "".join(pieces[step[0]:step[1]]).encode("utf-8"))
        stream.append(_LAST_BLOCK)
        data = b"".join(stream)
        return _Member(name.encode("utf-8"), zlib.crc32(xml), len(data), len(xml), data, 8)

    def render(self, context: dict) -> bytes:
        """The filled DOCX as bytes."""
        if self.render_path == "docxtpl":
            return render_with_docxtpl(self.path, context, self.margins_twips)
        rendered = self._render_parts(context)
        members = []
        xml = dict(self._raw)
        for name in self._order:
            if name not in rendered:
                members.append(self._frozen[name])
                continue
            entry = rendered[name]  # indexed, not unpacked, so that the type checker sees which kind it is
            if entry[0] is not None:
                xml[name] = entry[0]
                members.append(_member(name, entry[0], 1))
            else:
                xml[name] = "".join(entry[1]).encode("utf-8")
                members.append(self._planned_member(name, entry[1], entry[2], xml[name]))
        docx = write_zip(members)
        _LAST.rendered = (docx, xml)
        return docx


# The DOCX this thread rendered last and the XML of its parts: the PDF of a paper is made
# right after its DOCX, from the same XML, without unzipping the DOCX again.
_LAST = threading.local()


def rendered_parts(docx: bytes) -> dict[str, bytes] | None:
    """The XML parts (by name) of ``docx`` when it is the very DOCX object this thread rendered
    last, else None (read the DOCX itself)."""
    last = getattr(_LAST, "rendered", None)
    return last[1] if last is not None and last[0] is docx else None


def render_with_docxtpl(path: Path, context: dict, margins_twips: dict[str, int] | None = None) -> bytes:
    """Plain docxtpl in the same sandbox: the fallback path."""
    refuse_docxtpl_objects(Path(path), context)
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(path))
    if margins_twips:
        for section in tpl.get_docx().sections:
            sect = section._sectPr
            pg = sect.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pgMar")
            for side, value in margins_twips.items():
                pg.set(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{side}", str(int(value)))
    try:
        tpl.render(context, jinja_env=environment(True), autoescape=True)
    except TemplateError as exc:
        raise FormError(f"Mẫu {path.parent.name}: lỗi khi điền: {exc}") from exc
    except Exception as exc:  # as on the compiled path: the template's code, or XML a value broke
        raise FormError(f"Mẫu {path.parent.name}: lỗi khi điền: {type(exc).__name__}: {exc}") from exc
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


_CACHE: dict[tuple, CompiledTemplate] = {}


def compiled(path: Path, margins_twips: dict[str, int] | None = None) -> CompiledTemplate:
    """The process-wide compiled template for ``path`` and page margins."""
    key = (str(path), tuple(sorted((margins_twips or {}).items())))
    tpl = _CACHE.get(key)
    if tpl is None:
        tpl = _CACHE[key] = CompiledTemplate(path, margins_twips)
    return tpl


def template_parts(path: Path) -> list[tuple[str, Any]]:
    """Each tagged part of a DOCX template (``word/document.xml``, a header …) with its Jinja
    syntax tree, the source patched as both render paths patch it (``docgen forms lint``
    reads the names a template uses from these)."""
    from docxtpl import DocxTemplate

    env = environment(True)
    helper = DocxTemplate(str(path))
    out = []
    import zipfile

    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if _TAGGED_PART.match(info.filename):
                patched = _literal_braces(decode_tag_entities(helper.patch_xml(z.read(info).decode("utf-8"))))
                if _HAS_TAG.search(patched):
                    out.append((info.filename, env.parse(patched)))
    return out
