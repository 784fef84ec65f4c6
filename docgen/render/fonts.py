"""Render stage (PDF): find a serif font with every Vietnamese letter, check it, register it once.

Search order (the first family found with all four styles and full coverage wins):
1. ``--font-dir`` / ``DOCGEN_FONT_DIR``;
2. a system Times New Roman (Windows, macOS, Linux paths);
3. Liberation Serif or Tinos — Times New Roman's metrics, so Word's line breaks;
4. DejaVu Serif — complete, but about 25% wider: line breaks differ from Word (a warning says so).

Coverage is read from each file's own character map; a font that lacks a letter is skipped
(several common serif fonts lack Vietnamese letters, and fontconfig substitutes silently).
"""

from __future__ import annotations

import os
import struct
import sys
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFError, TTFont, makeToUnicodeCMap

from ..errors import FontError

STYLES = ("regular", "bold", "italic", "bolditalic")


@dataclass(frozen=True)
class Family:
    name: str
    files: dict[str, tuple[str, ...]]  # style -> candidate file names
    times_metric: bool


FAMILIES = (
    Family(
        "Times New Roman",
        {
            "regular": ("times.ttf", "Times New Roman.ttf", "Times_New_Roman.ttf", "TimesNewRoman.ttf"),
            "bold": ("timesbd.ttf", "Times New Roman Bold.ttf", "Times_New_Roman_Bold.ttf", "TimesNewRomanBold.ttf"),
            "italic": (
                "timesi.ttf", "Times New Roman Italic.ttf", "Times_New_Roman_Italic.ttf", "TimesNewRomanItalic.ttf"
            ),
            "bolditalic": (
                "timesbi.ttf", "Times New Roman Bold Italic.ttf", "Times_New_Roman_Bold_Italic.ttf",
                "TimesNewRomanBoldItalic.ttf",
            ),
        },
        True,
    ),
    Family(
        "Liberation Serif",
        {s: (f"LiberationSerif-{n}.ttf",)
         for s, n in zip(STYLES, ("Regular", "Bold", "Italic", "BoldItalic"), strict=True)},
        True,
    ),
    Family(
        "Tinos",
        {s: (f"Tinos-{n}.ttf",) for s, n in zip(STYLES, ("Regular", "Bold", "Italic", "BoldItalic"), strict=True)},
        True,
    ),
    Family(
        "DejaVu Serif",
        {s: (f"DejaVuSerif{n}.ttf",) for s, n in zip(STYLES, ("", "-Bold", "-Italic", "-BoldItalic"), strict=True)},
        False,
    ),
)

INSTALL_HINT = (
    "Không tìm thấy phông chữ có đủ chữ tiếng Việt để xuất PDF. Hãy cài một trong các phông: "
    "Times New Roman (Windows/macOS có sẵn), Liberation Serif (Debian/Ubuntu: apt install fonts-liberation2), "
    "Tinos (apt install fonts-croscore) hoặc DejaVu Serif (apt install fonts-dejavu), "
    "hoặc chỉ thư mục chứa phông bằng --font-dir / DOCGEN_FONT_DIR."
)


def vietnamese_letters() -> str:
    """Every precomposed Vietnamese letter, both cases, plus the plain Latin letters."""
    vowels = "aăâeêioôơuưy"
    marks = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    letters = {unicodedata.normalize("NFC", v + m) for v in vowels for m in marks}
    letters |= set("abcdefghijklmnopqrstuvwxyzđ")
    return "".join(sorted(letters | {c.upper() for c in letters}))


VIETNAMESE = vietnamese_letters()


def system_dirs() -> list[Path]:
    home = Path.home()
    dirs: list[Path] = []
    if sys.platform.startswith("win"):
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs += [Path(windir) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"), Path("/System/Library/Fonts"),
                 home / "Library" / "Fonts"]
    dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".fonts", home / ".local/share/fonts"]
    return dirs


def _index(dirs: list[Path]) -> dict[str, list[Path]]:
    """File name (lower case) -> every path found, in search order, searching each folder
    recursively (in sorted order). One name may be in several folders: Debian's
    fonts-liberation (1.x, no Vietnamese) and fonts-liberation2 both hold
    ``LiberationSerif-Regular.ttf``."""
    found: dict[str, list[Path]] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for f in sorted(files):
                if f.lower().endswith((".ttf", ".otf")):
                    found.setdefault(f.lower(), []).append(Path(root) / f)
    return found


def line_metrics(path: Path) -> tuple[float, float]:
    """From the ``hhea`` and ``head`` tables, as multiples of the font size:

    * the "single" line height, (ascender − descender + lineGap) / unitsPerEm (1.15 for
      Times metrics);
    * the first baseline's distance from the top of the line, (ascender + lineGap) /
      unitsPerEm: the line gap sits above the ascent. LibreOffice lays a DOCX line out this
      way (measured with ``make fidelity``); Word was not available to compare.
    """
    data = path.read_bytes()
    num_tables = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        tables[tag] = offset
    units = struct.unpack(">H", data[tables[b"head"] + 18: tables[b"head"] + 20])[0]
    asc, desc, gap = struct.unpack(">hhh", data[tables[b"hhea"] + 4: tables[b"hhea"] + 10])
    return (asc - desc + gap) / units, (asc + gap) / units


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names for the four styles, and what they mean for layout."""

    family: str
    names: dict[str, str]
    paths: dict[str, Path]
    times_metric: bool
    line_factor: float     # the single line height, per point of font size
    baseline_factor: float  # the first baseline below the top of its line, per point

    @property
    def warning(self) -> str:
        if self.times_metric:
            return ""
        return (
            f"Cảnh báo: đang dùng phông {self.family} thay cho Times New Roman; chữ rộng hơn nên xuống dòng "
            "và số trang của PDF có thể khác bản Word. Cài Liberation Serif hoặc Times New Roman để giống Word."
        )


def _covers(path: Path) -> bool:
    try:
        face = TTFont("_probe", str(path)).face
    except (TTFError, OSError, ValueError):
        return False
    cmap = face.charToGlyph
    return all(ord(ch) in cmap for ch in VIETNAMESE)


def find_family(font_dir: str | Path | None = None) -> tuple[Family, dict[str, Path]]:
    """The first usable family with its four files; raises :class:`FontError` when none is."""
    explicit = font_dir or os.environ.get("DOCGEN_FONT_DIR")
    searches: list[list[Path]] = []
    if explicit:
        searches.append([Path(explicit)])
    searches.append(system_dirs())
    rejected = []
    for dirs in searches:
        index = _index(dirs)
        for family in FAMILIES:
            # each style's files, in search order; the first that covers every letter is used
            candidates = {style: [p for name in family.files[style] for p in index.get(name.lower(), [])]
                          for style in STYLES}
            if not all(candidates.values()):
                continue
            paths = {}
            for style in STYLES:
                usable = next((p for p in candidates[style] if _covers(p)), None)
                if usable is None:
                    break
                paths[style] = usable
            if len(paths) == len(STYLES):
                return family, paths
            rejected.append(family.name)
    hint = INSTALL_HINT
    if rejected:
        hint += f" (Đã bỏ qua vì thiếu chữ tiếng Việt: {', '.join(rejected)}.)"
    raise FontError(hint)


def _stream(doc, deflated: bytes) -> pdfdoc.PDFStream:
    """A PDF stream from content deflated once: kept compressed when the document compresses."""
    stream = pdfdoc.PDFStream()
    if doc.compression:
        stream.content = deflated
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    else:
        stream.content = zlib.decompress(deflated)
    return stream


class _Formatted(pdfdoc.PDFObject):
    """A PDF object whose bytes were formatted once."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document):
        return self.data


# The characters every subset starts with: printable ASCII, every Vietnamese letter and the
# usual typographic marks (fewer than 256, so they fill the first subset exactly).
BASE_ALPHABET = "".join(chr(c) for c in range(32, 127)) + "".join(
    ch for ch in VIETNAMESE if ord(ch) > 126) + "“”‘’–—…•§°×"


class SubsetCachedTTFont(TTFont):
    """A TrueType font whose first subset is the same fixed alphabet in every document.

    reportlab builds, per PDF, a subset of the glyphs in the order they are first used, then
    compresses it: more than a quarter of the time of a one-page document. With the order
    fixed, the embedded subset is identical in every document, so it is built and compressed
    once per process. It is still a subset (about 240 glyphs, not the whole font); any other
    character goes to a further, per-document subset as usual.
    """

    def __init__(self, name: str, filename: str, alphabet: str = BASE_ALPHABET):
        super().__init__(name, filename)
        self._alphabet = alphabet
        self._subsets: dict[tuple, tuple[bytes, int]] = {}
        self._objects: dict[tuple, tuple[bytes, bytes]] = {}
        # reportlab asks the font's face for the subset objects
        self.face.addSubsetObjects = self.addSubsetObjects

    def addObjects(self, doc):
        """reportlab's ``TTFont.addObjects`` with each subset's widths and ToUnicode map
        formatted and compressed once per process (they depend only on the subset)."""
        state = self.state.get(doc) or TTFont.State(self._asciiReadable)
        self.state[doc] = state
        state.frozen = 1
        face = self.face
        fonts = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            key = (base, tuple(subset))
            cached = self._objects.get(key)
            if cached is None:
                widths = pdfdoc.PDFArray(list(map(face.getCharWidth, subset))).format(doc)
                cmap = makeToUnicodeCMap(base, subset).encode("latin-1")
                cached = self._objects[key] = (widths, zlib.compress(cmap))
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = "Font %s subset %d" % (self.fontName, n)
            pdf_font.Name = internal
            pdf_font.BaseFont = base
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Formatted(cached[0])
            pdf_font.ToUnicode = doc.Reference(_stream(doc, cached[1]), "toUnicodeCMap:" + base)
            pdf_font.FontDescriptor = face.addSubsetObjects(doc, base, subset)
            doc.Reference(pdf_font, internal)
            fonts[internal] = pdf_font
        del self.state[doc]

    def splitString(self, text, doc, encoding="utf-8"):
        if doc not in self.state:
            seed = self.__dict__.get("_seed")
            if seed is None:  # assign the alphabet once, then copy the assignment per document
                super().splitString(self._alphabet, doc, encoding)
                st = self.state[doc]
                self._seed = (dict(st.assignments), [list(x) for x in st.subsets], st.nextCode)
            else:
                st = self.state[doc] = TTFont.State(self._asciiReadable, self)
                st.assignments, st.subsets, st.nextCode = dict(seed[0]), [list(x) for x in seed[1]], seed[2]
        return super().splitString(text, doc, encoding)

    def addSubsetObjects(self, doc, fontname, subset):
        key = tuple(subset)
        cached = self._subsets.get(key)
        if cached is None:
            raw = self.face.makeSubset(subset)
            cached = self._subsets[key] = (zlib.compress(raw), len(raw))
        font_file = _stream(doc, cached[0])
        font_file.dictionary["Length1"] = cached[1]
        face = self.face
        ref = doc.Reference(font_file, "fontFile:%s(%s)" % (face.filename, fontname))
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(fontname),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": ref,
            "MissingWidth": face.defaultWidth,
        })
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


_REGISTERED: dict[str, FontSet] = {}


def fonts(font_dir: str | Path | None = None) -> FontSet:
    """Find, check and register the PDF fonts once per process and font folder."""
    key = str(font_dir or os.environ.get("DOCGEN_FONT_DIR") or "")
    if key in _REGISTERED:
        return _REGISTERED[key]
    family, paths = find_family(font_dir)
    tag = "DG" + str(len(_REGISTERED))
    names = {style: f"{tag}-{style}" for style in STYLES}
    for style in STYLES:
        pdfmetrics.registerFont(SubsetCachedTTFont(names[style], str(paths[style])))
    base = names["regular"]
    addMapping(base, 0, 0, names["regular"])
    addMapping(base, 1, 0, names["bold"])
    addMapping(base, 0, 1, names["italic"])
    addMapping(base, 1, 1, names["bolditalic"])
    fs = FontSet(family.name, names, paths, family.times_metric, *line_metrics(paths["regular"]))
    _REGISTERED[key] = fs
    return fs
