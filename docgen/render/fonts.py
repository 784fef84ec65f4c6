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

import itertools
import json
import os
import pickle
import struct
import sys
import threading
import unicodedata
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple
from weakref import WeakKeyDictionary

from . import _deferred  # noqa: F401  (before reportlab: it defers Pillow's image module)

# isort: split
from reportlab.lib.fonts import addMapping
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFError, TTFont, TTFontFace

from ..errors import FontError

STYLES = ("regular", "bold", "italic", "bolditalic")


# (NamedTuples, not frozen dataclasses: a dataclass costs about a millisecond to make at import)
class Family(NamedTuple):
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


# the file names (lower case) of every family's styles: the only files the search looks at
_WANTED = frozenset(name.lower() for family in FAMILIES for names in family.files.values() for name in names)


def _index(dirs: list[Path]) -> dict[str, list[Path]]:
    """File name (lower case) of a family's style -> every path found, in search order,
    searching each folder recursively (in sorted order). One name may be in several folders:
    Debian's fonts-liberation (1.x, no Vietnamese) and fonts-liberation2 both hold
    ``LiberationSerif-Regular.ttf``. Other files are passed over without making a path of them
    (a Windows font folder holds hundreds)."""
    found: dict[str, list[Path]] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for f in sorted(files):
                if f.lower() in _WANTED:
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
    with path.open("rb") as f:  # the table directory and two fields, not the whole file
        num_tables = struct.unpack(">H", f.read(12)[4:6])[0]
        directory = f.read(16 * num_tables)
        tables = {}
        for i in range(num_tables):
            tag, _, offset, _ = struct.unpack(">4sIII", directory[16 * i: 16 * i + 16])
            tables[tag] = offset
        f.seek(tables[b"head"] + 18)
        units = struct.unpack(">H", f.read(2))[0]
        f.seek(tables[b"hhea"] + 4)
        asc, desc, gap = struct.unpack(">hhh", f.read(6))
    return (asc - desc + gap) / units, (asc + gap) / units


class FontSet(NamedTuple):
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


# Fonts parsed by the coverage check in this process, by path: registering one does not parse it again
_PROBED: dict[Path, "SubsetCachedTTFont"] = {}


def _probe(path: Path) -> bool:
    """Whether ``path`` is a TrueType font reportlab reads, with every Vietnamese letter; a
    font that passes is kept (:data:`_PROBED`) to be registered without parsing it again."""
    try:
        font = _font(path, keep=False)
    except (TTFError, OSError, ValueError):
        return False
    cmap = font.face.charToGlyph
    if not all(ord(ch) in cmap for ch in VIETNAMESE):
        return False
    _keep(font, path)
    _PROBED[path] = font
    return True


def _font_cache(path: Path) -> Path | None:
    """Where the parsed font of ``path`` is kept: under the docgen, reportlab and Python
    versions, named by a digest of the path, its size and its mtime_ns (a changed file is
    another entry) and of this module's own stats (the kept object is this module's class, with
    its alphabet and font program: an edited or upgraded docgen parses again). None when the
    file cannot be read."""
    import hashlib

    import reportlab

    from .. import __version__, cache_dir, file_stats

    try:
        st = path.stat()
    except OSError:
        return None
    digest = hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{file_stats([__file__])}".encode(
        "utf-8", "surrogatepass")).hexdigest()
    folder = f"{__version__}-reportlab{reportlab.Version}-py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir() / "fonts" / folder / f"{digest[:32]}.pickle"


def _font(path: Path, keep: bool = True) -> "SubsetCachedTTFont":
    """The font of ``path``, read back from the cache folder (about 3 ms) rather than parsed
    (about 10 ms; 4 fonts a process). An entry that cannot be read back, or is not the font of
    this path, is parsed again (and, with ``keep``, kept again). The cache is trusted as
    Python's own ``.pyc`` files are: it is the user's own folder."""
    cached = _font_cache(path)
    broken = False
    if cached is not None:
        try:
            font = pickle.loads(cached.read_bytes())
            if (type(font) is SubsetCachedTTFont and font.face.filename == str(path)
                    and font._alphabet == BASE_ALPHABET):
                return font
            broken = True
        except FileNotFoundError:
            pass
        except Exception:  # cut short, of another shape: parsed below, and kept again
            broken = True
    font = SubsetCachedTTFont("_font", str(path))
    if keep:
        _keep(font, path, replace=broken)
    return font


class _NoDocument:
    """Stands for a document where a font's state is made outside any (SubsetCachedTTFont.prepare)."""


def _keep(font: "SubsetCachedTTFont", path: Path, replace: bool = False) -> None:
    """Keep ``font`` in the cache folder, unless an entry is there already (``replace``: one
    that could not be read back)."""
    cached = _font_cache(path)
    if cached is None or (cached.exists() and not replace):
        return
    from .. import write_cached

    try:
        font.prepare()
        data = pickle.dumps(font, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, TTFError):
        return
    write_cached(cached, data)


class _Verdicts:
    """Coverage verdicts (:func:`_probe`) kept in the user's cache folder, so that a run reads no
    font only to learn that it lacks Vietnamese letters (parsing a font takes 10–25 ms, and a
    Debian system has two Liberation Serif families, the first without Vietnamese).

    One JSON file per docgen version and letter set maps a font's path to ``[size, mtime_ns, verdict]``: a
    font replaced, edited or touched since is probed again. A cache that cannot be read is
    rebuilt; one that cannot be written is done without."""

    def __init__(self) -> None:
        from .. import __version__, cache_dir

        # the verdicts hold for this version and this set of letters
        letters = zlib.crc32(VIETNAMESE.encode("utf-8"))
        self.path = cache_dir() / "fonts" / f"coverage-{__version__}-{letters:08x}.json"
        self.changed = False
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self.known: dict = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.known = {}

    def covers(self, path: Path) -> bool:
        try:
            st = path.stat()
        except OSError:
            return False
        entry = self.known.get(str(path))
        if (isinstance(entry, list) and len(entry) == 3 and entry[:2] == [st.st_size, st.st_mtime_ns]
                and isinstance(entry[2], bool)):
            return entry[2]
        verdict = _probe(path)
        self.known[str(path)] = [st.st_size, st.st_mtime_ns, verdict]
        self.changed = True
        return verdict

    def save(self) -> None:
        from .. import write_cached

        if self.changed:
            write_cached(self.path, json.dumps(self.known, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def find_family(font_dir: str | Path | None = None) -> tuple[Family, dict[str, Path]]:
    """The first usable family with its four files; raises :class:`FontError` when none is."""
    explicit = font_dir or os.environ.get("DOCGEN_FONT_DIR")
    searches: list[list[Path]] = []
    if explicit:
        searches.append([Path(explicit)])
    searches.append(system_dirs())
    rejected = []
    verdicts = _Verdicts()
    try:
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
                    usable = next((p for p in candidates[style] if verdicts.covers(p)), None)
                    if usable is None:
                        break
                    paths[style] = usable
                if len(paths) == len(STYLES):
                    return family, paths
                rejected.append(family.name)
    finally:
        verdicts.save()
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


def _to_unicode(name: str, mapped: list[tuple[int, int]]) -> str:
    """A ToUnicode CMap for a one-byte subset: each used code and its character in UTF-16BE (a
    surrogate pair beyond U+FFFF), in blocks of at most 100 (the limit of ``beginbfchar``)."""
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", "<00> <FF>", "endcodespacerange",
    ]
    for i in range(0, len(mapped), 100):
        block = mapped[i:i + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines += [f"<{code:02X}> <{chr(ch).encode('utf-16-be').hex().upper()}>" for code, ch in block]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


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


def _words(data: bytes) -> int:
    """The sum of ``data`` (a multiple of 4 bytes) as big-endian 32-bit words: a TrueType checksum."""
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _deflated_piece(data: bytes, final: bool, level: int = 9) -> bytes:
    """Raw Deflate blocks of ``data`` with no history before them: pieces made this way follow
    one another in one stream (each but the last ends byte-aligned by a full flush)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


class _Program:
    """A font's program for the first subset (the fixed alphabet), taken apart once, so that a
    document's program holds only the glyphs it uses, quickly.

    The glyphs keep the alphabet subset's numbering and the codes its ``cmap``; an unused glyph
    is empty (no outline). Everything but ``head``, ``loca`` and ``glyf`` is the same in every
    document and is deflated once; ``name`` is left out (a PDF does not read it). PDF 32000-1
    §9.9 lists the tables an embedded TrueType program needs: all of them are kept."""

    STATIC_LAST = (b"head", b"loca", b"glyf")

    def __init__(self, face, subset: list[int]):
        raw = face.makeSubset(subset)
        count = struct.unpack(">H", raw[4:6])[0]
        tables = {}
        for i in range(count):
            tag, _, offset, length = struct.unpack(">4sIII", raw[12 + 16 * i: 28 + 16 * i])
            tables[tag] = raw[offset: offset + length]
        head = bytearray(tables[b"head"])
        long_loca = struct.unpack(">h", head[50:52])[0] == 1
        loca = tables[b"loca"]
        offsets = struct.unpack(f">{len(loca) // (4 if long_loca else 2)}{'I' if long_loca else 'H'}", loca)
        if not long_loca:
            offsets = tuple(o * 2 for o in offsets)
        glyf = tables[b"glyf"]
        self.glyphs = [glyf[offsets[i]: offsets[i + 1]] for i in range(len(offsets) - 1)]
        self.parts = [self._components(g) for g in self.glyphs]
        fmt, _, _, first, entries = struct.unpack(">HHHHH", tables[b"cmap"][12:22])
        assert fmt == 6, "reportlab writes a format 6 cmap"
        self.code_glyph = dict(zip(range(first, first + entries),
                                   struct.unpack(f">{entries}H", tables[b"cmap"][22: 22 + 2 * entries]),
                                   strict=True))
        head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set per program
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        self.head = bytes(head)
        static = sorted(t for t in tables if t not in self.STATIC_LAST and t != b"name")
        self.tags = sorted(static + list(self.STATIC_LAST))
        directory_len = 12 + 16 * len(self.tags)
        self.entries: dict[bytes, tuple[int, int, int]] = {}  # tag -> checksum, offset, length
        pos = directory_len
        blob = []
        for tag in static:
            data = _padded(tables[tag])
            self.entries[tag] = (_words(data), pos, len(tables[tag]))
            blob.append(data)
            pos += len(data)
        self.static = b"".join(blob)
        self.static_deflated = _deflated_piece(self.static, final=False)
        self.entries[b"head"] = (_words(_padded(self.head)), pos, len(self.head))
        pos += len(_padded(self.head))
        self.loca_at = pos
        self.words = _words(self.static) + self.entries[b"head"][0]

    @staticmethod
    def _components(glyph: bytes) -> tuple[int, ...]:
        """The glyphs a composite glyph is made of (TrueType ``glyf``, composite description)."""
        if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] >= 0:
            return ()
        found = []
        pos = 10
        flags = 0x20
        while flags & 0x20:  # MORE_COMPONENTS
            flags, index = struct.unpack(">HH", glyph[pos: pos + 4])
            found.append(index)
            pos += 4 + (4 if flags & 0x01 else 2)  # ARG_1_AND_2_ARE_WORDS
            pos += 2 if flags & 0x08 else 4 if flags & 0x40 else 8 if flags & 0x80 else 0
        return tuple(found)

    def build(self, codes) -> tuple[bytes, int]:
        """The program (zlib stream, raw length) holding the glyphs of ``codes`` (and glyph 0)."""
        wanted = {0} | {self.code_glyph.get(c, 0) for c in codes}
        todo = list(wanted)
        while todo:
            for part in self.parts[todo.pop()]:
                if part not in wanted:
                    wanted.add(part)
                    todo.append(part)
        pieces = [self.glyphs[g] if g in wanted else b"" for g in range(len(self.glyphs))]
        offsets = list(itertools.accumulate(map(len, pieces), initial=0))
        loca = struct.pack(f">{len(offsets)}I", *offsets)
        glyf = _padded(b"".join(pieces))
        entries = dict(self.entries)
        entries[b"loca"] = (_words(loca), self.loca_at, len(loca))
        entries[b"glyf"] = (_words(glyf), self.loca_at + len(loca), len(glyf))
        n = len(self.tags)
        search = 1 << (n.bit_length() - 1)
        directory = struct.pack(">IHHHH", 0x00010000, n, search * 16, search.bit_length() - 1, (n - search) * 16)
        directory += b"".join(struct.pack(">4sIII", tag, *entries[tag]) for tag in self.tags)
        total = (_words(directory) + self.words + entries[b"loca"][0] + entries[b"glyf"][0]) & 0xFFFFFFFF
        head = self.head[:8] + struct.pack(">I", (0xB1B0AFBA - total) & 0xFFFFFFFF) + self.head[12:]
        # the glyphs are deflated per document at level 4: 1% larger than level 6, 30% faster
        tail = _padded(head) + loca + glyf
        raw_len = len(directory) + len(self.static) + len(tail)
        check = zlib.adler32(tail, zlib.adler32(self.static, zlib.adler32(directory)))
        stream = b"".join((b"\x78\x9c", _deflated_piece(directory, final=False), self.static_deflated,
                           _deflated_piece(tail, final=True, level=4), struct.pack(">I", check)))
        return stream, raw_len


class _KeptFace(TTFontFace):
    """A font face as kept in the cache folder: without the file's bytes and the glyph tables
    (:data:`READ_AGAIN`), four fifths of a parsed face and most of the time it takes to read
    one back. Layout reads only the character map and widths, and the alphabet's font program
    is kept made (:class:`_Program`); the rest is read from the font file again when first
    asked for: by a further subset (a character outside the alphabet) or by reportlab's text
    shaping. The file read again must give the character map and widths kept."""

    READ_AGAIN = ("_ttf_data", "glyphToChar", "hmetrics", "glyphPos")

    def __getattr__(self, name: str):
        # called only for an attribute the face does not have
        if name not in _KeptFace.READ_AGAIN or "filename" not in self.__dict__:
            raise AttributeError(name)
        # (reportlab's own text is English: the message says what happened in Vietnamese alone)
        again = "hãy chạy lại lệnh (với docgen serve: khởi động lại nó)"
        try:
            parsed = TTFontFace(self.filename)
        except (TTFError, OSError) as exc:
            raise FontError(f"Không đọc lại được tệp phông {self.filename} (đã bị xóa, đổi tên hoặc hỏng?) "
                            f"để vẽ một ký tự ngoài bảng chữ thường dùng; {again}.") from exc
        if parsed.charToGlyph != self.charToGlyph or parsed.charWidths != self.charWidths:
            raise FontError(f"Tệp phông {self.filename} đã đổi trong khi docgen đang chạy; {again}.")
        for attr in _KeptFace.READ_AGAIN:
            setattr(self, attr, getattr(parsed, attr))
        return getattr(self, name)


class SubsetCachedTTFont(TTFont):
    """A TrueType font whose first subset's codes are the same fixed alphabet in every document,
    and which embeds only the glyphs a document uses.

    reportlab assigns codes per PDF in the order characters are first used. Here the first
    256 codes are assigned once per process (printable ASCII, every Vietnamese letter, the
    usual marks), so a text encodes to the same bytes in every document: the widths and
    ToUnicode map of that subset are formatted once, and a drawn paragraph can be reused
    (:func:`recording`, :func:`reuse`). Any other character goes to a further subset as usual.

    The embedded font program holds only the glyphs the document drew (the codes of unused
    letters map to the empty glyph), as LibreOffice embeds them: a one-page paper carries a
    fraction of the 240 glyphs of the alphabet. A font program is built and compressed once
    per distinct set of glyphs (the last :data:`SUBSETS_KEPT` kept per font).
    """

    def __init__(self, name: str, filename: str, alphabet: str = BASE_ALPHABET):
        super().__init__(name, filename)
        self._alphabet = alphabet
        self._parts: dict[tuple, tuple[bytes, bytes, bytes, int]] = {}

    # Pickled (the font cache, :func:`_font`) with the alphabet's codes and program (made by
    # :meth:`prepare`), without the per-document state, the font programs of documents, and
    # the face's scale function (a lambda reportlab derives from unitsPerEm), all made again
    # when read back; the face as a :class:`_KeptFace`, without what layout never reads.
    _UNPICKLED = ("state", "_parts")

    def prepare(self) -> None:
        """Assign the alphabet's codes and take its font program apart now, as the first
        document would (:meth:`doc_state`, :meth:`_make_parts`)."""
        key = _NoDocument()
        self.doc_state(key)
        del self.state[key]
        if "_program" not in self.__dict__:
            self._program = _Program(self.face, self._seed[1][0])

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in self._UNPICKLED}
        face = _KeptFace.__new__(_KeptFace)
        face.__dict__.update((k, v) for k, v in self.face.__dict__.items()
                             if k not in _KeptFace.READ_AGAIN and k != "_pdfScale")
        state["face"] = face
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.state: WeakKeyDictionary = WeakKeyDictionary()
        self._parts = {}
        per_em = self.face.unitsPerEm
        self.face._pdfScale = (lambda x: x) if per_em == 1000 else (lambda x, k=1000 / per_em: x * k)

    def addObjects(self, doc):
        """reportlab's ``TTFont.addObjects``, each subset holding only the glyphs used in ``doc``:
        its widths, ToUnicode map and font program are made and compressed once per process
        for each set of glyphs (they depend on nothing else)."""
        state = self.state.get(doc) or TTFont.State(self._asciiReadable)
        self.state[doc] = state
        state.frozen = 1
        used = getattr(state, "used", {})
        if hasattr(state, "used") and not any(used.values()):
            # named (name_fonts) but never drawn in this document: nothing refers to it
            del self.state[doc]
            return
        face = self.face
        fonts = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            codes = used.get(n, ())
            # an unused code maps to the empty glyph, with no width and no text
            key = (base, tuple(ch if i in codes else -1 for i, ch in enumerate(subset)))
            parts = self._parts.pop(key, None)
            if parts is None:
                parts = self._make_parts(base, key[1])
                if len(self._parts) >= SUBSETS_KEPT:
                    del self._parts[next(iter(self._parts))]
            self._parts[key] = parts  # the most recently used last
            widths, cmap, program, length = parts
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = "Font %s subset %d" % (self.fontName, n)
            pdf_font.Name = internal
            pdf_font.BaseFont = base
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = _Formatted(widths)
            pdf_font.ToUnicode = doc.Reference(_stream(doc, cmap), "toUnicodeCMap:" + base)
            pdf_font.FontDescriptor = self._descriptor(doc, base, program, length)
            doc.Reference(pdf_font, internal)
            fonts[internal] = pdf_font
        del self.state[doc]

    def _make_parts(self, base: str, subset: tuple[int, ...]) -> tuple[bytes, bytes, bytes, int]:
        """Widths (formatted), ToUnicode map and font program (both deflated) of one subset;
        -1 in ``subset`` is a code that is not used."""
        face = self.face
        widths = ("[ " + " ".join(fp_str(face.getCharWidth(ch)) if ch >= 0 else "0" for ch in subset) + " ]").encode()
        mapped = [(i, ch) for i, ch in enumerate(subset) if ch >= 0]
        cmap = _to_unicode(base, mapped).encode("latin-1")
        seed = self._seed[1][0]
        if base.startswith("AAAAAA+") and len(subset) <= len(seed):  # the alphabet's subset
            program = self.__dict__.get("_program")
            if program is None:
                program = self._program = _Program(face, seed)
            deflated, length = program.build([i for i, ch in enumerate(subset) if ch >= 0])
        else:  # a further subset, of characters outside the alphabet
            raw = face.makeSubset(list(subset))
            deflated, length = zlib.compress(raw), len(raw)
        return widths, zlib.compress(cmap), deflated, length

    def _descriptor(self, doc, fontname: str, program: bytes, length: int):
        font_file = _stream(doc, program)
        font_file.dictionary["Length1"] = length
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

    def doc_state(self, doc) -> TTFont.State:
        """This font's state in ``doc``, the alphabet's codes assigned."""
        st = self.state.get(doc)
        if st is None:
            seed = self.__dict__.get("_seed")
            if seed is None:  # assign the alphabet once, then copy the assignment per document
                TTFont.splitString(self, self._alphabet, doc)
                st = self.state[doc]
                self._seed = (dict(st.assignments), [list(x) for x in st.subsets], st.nextCode)
            else:
                st = self.state[doc] = TTFont.State(self._asciiReadable, self)
                st.assignments, st.subsets, st.nextCode = dict(seed[0]), [list(x) for x in seed[1]], seed[2]
            st.used = {}  # subset -> the codes drawn in this document
        return st

    def splitString(self, text, doc, encoding="utf-8"):
        used = self.doc_state(doc).used
        results = super().splitString(text, doc, encoding)
        for n, codes in results:
            used.setdefault(n, set()).update(codes)
        texts = getattr(_RECORDING, "texts", None)
        if texts is not None:
            texts.append((self, results))
        return results


SUBSETS_KEPT = 64  # font programs kept per font: a batch's documents share most glyph sets

# While a paragraph is drawn for reuse, what each font encoded in this thread (see recording)
_RECORDING = threading.local()


@contextmanager
def recording() -> Iterator[list]:
    """Collect ``(font, [(subset, codes), ...])`` for every text the fonts encode inside the block
    in this thread."""
    texts: list = []
    outer = getattr(_RECORDING, "texts", None)
    _RECORDING.texts = texts
    try:
        yield texts
    finally:
        _RECORDING.texts = outer


def usage(texts: list, doc) -> tuple | None:
    """What a recorded drawing needs of ``doc``'s fonts, to be replayed in another document:
    ``(font, internal name, {subset: codes})`` per font in order of first use. None when a text
    used a code assigned in this document only (a character outside the alphabet), whose bytes
    another document may give another meaning."""
    order: dict = {}
    for font, results in texts:
        if not isinstance(font, SubsetCachedTTFont):
            return None
        seed_next = font._seed[2]
        codes = order.setdefault(font, {})
        for n, chunk in results:
            if n != 0 or max(chunk, default=0) >= seed_next:
                return None
            codes.setdefault(n, set()).update(chunk)
    return tuple((font, font.getSubsetInternalName(0, doc), {n: frozenset(c) for n, c in codes.items()})
                 for font, codes in order.items())


def name_fonts(fs: FontSet, doc) -> None:
    """Give ``fs``'s four fonts their names in ``doc`` (``/F1`` … ``/F4``) in a fixed order, before
    anything is drawn: the same font has the same name in every document, so a drawing (a
    paragraph, a page) made in one reads the same in another. A font never drawn is left out
    of the file (:meth:`SubsetCachedTTFont.addObjects`)."""
    for style in STYLES:
        font = pdfmetrics.getFont(fs.names[style])
        if isinstance(font, SubsetCachedTTFont):
            font.doc_state(doc)
            font.getSubsetInternalName(0, doc)


def doc_usage(doc) -> tuple | None:
    """What the pages drawn so far in ``doc`` need of its fonts, to be replayed in another
    document (see :func:`usage`, :func:`reuse`); None when a font is not one of docgen's or a
    character outside the fixed alphabet was given a code in this document."""
    needs = []
    for font in doc.delayedFonts:
        if not isinstance(font, SubsetCachedTTFont):
            return None
        state = font.state.get(doc)
        if state is None or not hasattr(state, "used") or state.nextCode != font._seed[2]:
            return None
        needs.append((font, font.getSubsetInternalName(0, doc),
                      {n: frozenset(c) for n, c in state.used.items()}))
    return tuple(needs)


def reuse(needs: tuple, doc) -> bool:
    """Whether a drawing recorded with ``needs`` (see :func:`usage`) reads the same in ``doc``:
    each font has the internal name it had there. Names are given in the order the drawing
    would give them, so a drawing made after a False is what it would have been. On True,
    the drawing's codes count as used in ``doc``."""
    for font, name, _ in needs:
        font.doc_state(doc)
        if font.getSubsetInternalName(0, doc) != name:
            return False
    for font, _, codes in needs:
        used = font.doc_state(doc).used
        for n, c in codes.items():
            used.setdefault(n, set()).update(c)
    return True


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
        font = _PROBED.pop(paths[style], None) or _font(paths[style])
        font.fontName = names[style]
        pdfmetrics.registerFont(font)
    _PROBED.clear()
    base = names["regular"]
    addMapping(base, 0, 0, names["regular"])
    addMapping(base, 1, 0, names["bold"])
    addMapping(base, 0, 1, names["italic"])
    addMapping(base, 1, 1, names["bolditalic"])
    fs = FontSet(family.name, names, paths, family.times_metric, *line_metrics(paths["regular"]))
    _REGISTERED[key] = fs
    return fs
