"""The font search keeps its coverage verdicts in the cache folder and parses each font once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from docgen.render import fonts as fontmod

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
OLD_LIBERATION = Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")  # no Vietnamese


@pytest.fixture
def font_dir(tmp_path, monkeypatch):
    if not (DEJAVU / "DejaVuSerif.ttf").exists():
        pytest.skip("DejaVu Serif is not installed")
    folder = tmp_path / "fonts"
    folder.mkdir()
    for f in DEJAVU.glob("DejaVuSerif*.ttf"):
        if "Condensed" not in f.name:
            shutil.copy(f, folder / f.name)
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    return folder


@pytest.fixture
def probes(monkeypatch):
    """The paths the coverage check parses."""
    seen: list[Path] = []
    real = fontmod._probe

    def counting(path: Path) -> bool:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(fontmod, "_probe", counting)
    return seen


def _cache(tmp_path: Path) -> dict:
    (path,) = (tmp_path / "cache" / "fonts").glob("coverage-*.json")
    return json.loads(path.read_text("utf-8"))


def test_verdicts_are_kept_and_a_second_search_parses_nothing(font_dir, tmp_path, probes):
    family, paths = fontmod.find_family(font_dir)
    assert family.name == "DejaVu Serif"
    assert sorted(p.name for p in probes) == sorted(p.name for p in paths.values())
    kept = _cache(tmp_path)
    regular = str(font_dir / "DejaVuSerif.ttf")
    size = (font_dir / "DejaVuSerif.ttf").stat().st_size
    assert kept[regular][0] == size and kept[regular][2] is True
    fontmod._PROBED.clear()
    probes.clear()
    assert fontmod.find_family(font_dir) == (family, paths)
    assert probes == []


def test_a_changed_font_file_is_probed_again(font_dir, tmp_path, probes):
    if not OLD_LIBERATION.exists():
        pytest.skip("Liberation Serif 1.x (without Vietnamese) is not installed")
    fontmod.find_family(font_dir)
    fontmod._PROBED.clear()
    regular = font_dir / "DejaVuSerif.ttf"
    shutil.copy(OLD_LIBERATION, regular)  # same name, another font: one without Vietnamese letters
    probes.clear()
    family, paths = fontmod.find_family(font_dir)
    assert probes[0] == regular  # probed again; then the system's fonts (not in this cache yet)
    assert all(p.parent != font_dir for p in probes[1:])
    assert _cache(tmp_path)[str(regular)][2] is False
    assert paths["regular"] != regular  # the folder's family is skipped now; a system font is used
    fontmod._PROBED.clear()


def test_a_broken_cache_is_rebuilt(font_dir, tmp_path, probes):
    folder = tmp_path / "cache" / "fonts"
    fontmod.find_family(font_dir)
    fontmod._PROBED.clear()
    probes.clear()
    (path,) = folder.glob("coverage-*.json")
    path.write_text('{"cut short', "utf-8")
    family, paths = fontmod.find_family(font_dir)
    assert family.name == "DejaVu Serif" and len(probes) == 4
    assert _cache(tmp_path)[str(paths["regular"])][2] is True
    fontmod._PROBED.clear()


def test_a_stale_entry_of_another_shape_is_probed_again(font_dir, tmp_path, probes):
    fontmod.find_family(font_dir)
    fontmod._PROBED.clear()
    (path,) = (tmp_path / "cache" / "fonts").glob("coverage-*.json")
    regular = str(font_dir / "DejaVuSerif.ttf")
    kept = json.loads(path.read_text("utf-8"))
    kept[regular] = [kept[regular][0], kept[regular][1], "yes"]
    path.write_text(json.dumps(kept), "utf-8")
    probes.clear()
    fontmod.find_family(font_dir)
    assert probes == [font_dir / "DejaVuSerif.ttf"]
    fontmod._PROBED.clear()


def test_each_font_file_is_parsed_once_per_process(font_dir, monkeypatch):
    parsed: list[str] = []
    real = fontmod.SubsetCachedTTFont.__init__

    def counting(self, name, filename, *args, **kw):
        parsed.append(filename)
        real(self, name, filename, *args, **kw)

    monkeypatch.setattr(fontmod.SubsetCachedTTFont, "__init__", counting)
    fs = fontmod.fonts(font_dir)  # a folder of its own: found, probed and registered afresh
    assert fs.family == "DejaVu Serif"
    assert sorted(parsed) == sorted(str(p) for p in fs.paths.values())
    assert fontmod.fonts(font_dir) is fs
    assert len(parsed) == 4
    # registered under the names the PDF uses, with the faces the probe parsed
    from reportlab.pdfbase import pdfmetrics

    for style in fontmod.STYLES:
        font = pdfmetrics.getFont(fs.names[style])
        if font.fontName != fs.names[style]:
            # reportlab maps a font whose face it has already (DejaVu Serif, when the run's own
            # fonts are DejaVu) to the font registered first, of the same face
            assert pdfmetrics._dynFaceNames[font.face.name] is font
            assert font.face.name.decode() == f"DejaVuSerif{'' if style == 'regular' else '-'}" + {
                "regular": "", "bold": "Bold", "italic": "Italic", "bolditalic": "BoldItalic"}[style]
            continue
        assert font.face.filename == str(fs.paths[style])
    assert fontmod._PROBED == {}


# -- the parsed fonts, kept in the cache folder ---------------------------------------------------
def test_a_kept_font_reads_back_as_the_parsed_one(font_dir):
    path = font_dir / "DejaVuSerif.ttf"
    parsed = fontmod._font(path)  # parsed, and kept
    kept = fontmod._font_cache(path)
    assert kept is not None and kept.exists()
    read = fontmod._font(path)
    assert read is not parsed
    face, again = parsed.face.__dict__, read.face.__dict__
    # kept without the file's bytes and glyph tables, which layout never reads
    assert set(face) - set(again) == set(fontmod._KeptFace.READ_AGAIN)
    assert all(again[k] == v for k, v in face.items() if k != "_pdfScale" and k in again)
    assert [read.face._pdfScale(v) for v in (0, 1, 777, 2048)] == [parsed.face._pdfScale(v) for v in (0, 1, 777, 2048)]
    assert read.stringWidth("Nguyễn Thị Ỷ Lan", 13) == parsed.stringWidth("Nguyễn Thị Ỷ Lan", 13)
    # a further subset reads them from the file again, as parsed
    assert read.face.makeSubset([0, 65, 7877]) == parsed.face.makeSubset([0, 65, 7877])
    assert face.keys() == again.keys()
    assert all(again[k] == v for k, v in face.items() if k != "_pdfScale")
    # kept with the alphabet's codes and program, as a first document makes them
    fresh = fontmod.SubsetCachedTTFont("fresh", str(path))
    fresh.prepare()
    assert read._seed == fresh._seed
    codes = [32, 65, 66, fresh._seed[0][ord("ỷ")]]
    assert read._program.build(codes) == fresh._program.build(codes)


def test_a_changed_font_file_is_parsed_again(font_dir):
    path = font_dir / "DejaVuSerif.ttf"
    assert not fontmod._font(path).face.bold
    old = fontmod._font_cache(path)
    shutil.copy(font_dir / "DejaVuSerif-Bold.ttf", path)  # same name, another font
    assert fontmod._font_cache(path) != old
    assert "Bold" in fontmod._font(path).face.styleName.decode()


def test_a_font_file_changed_after_it_was_read_back_is_refused(font_dir):
    """The glyph tables a kept face reads from the file when first asked for must belong to the
    character map it was kept with: a file replaced since is named, not drawn from."""
    path = font_dir / "DejaVuSerif.ttf"
    fontmod._font(path)
    read = fontmod._font(path)
    assert isinstance(read.face, fontmod._KeptFace) and "_ttf_data" not in read.face.__dict__
    shutil.copy(font_dir / "DejaVuSerif-Bold.ttf", path)
    with pytest.raises(fontmod.FontError, match="đã đổi"):
        read.face.makeSubset([0, 65])
    path.unlink()
    with pytest.raises(fontmod.FontError, match="Không đọc lại được"):
        assert read.face.glyphPos is None
    with pytest.raises(AttributeError):
        assert read.face.no_such_attribute is None


def test_a_broken_kept_font_is_parsed_and_kept_again(font_dir):
    path = font_dir / "DejaVuSerif.ttf"
    fontmod._font(path)
    kept = fontmod._font_cache(path)
    assert kept is not None
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short
    font = fontmod._font(path)
    assert font.face.filename == str(path) and 0x1EF7 in font.face.charToGlyph
    # the cut-short entry was replaced by a whole one, which reads back
    assert len(kept.read_bytes()) > 1000
    assert fontmod.pickle.loads(kept.read_bytes()).face.charToGlyph == font.face.charToGlyph
    kept.unlink()
    fontmod._font(path)
    assert kept.exists() and fontmod._font(path).face.charToGlyph == font.face.charToGlyph


def test_a_kept_font_of_another_docgen_is_not_read(font_dir, monkeypatch):
    """The kept object is this module's class with its alphabet: an edited or upgraded fonts
    module (another size or mtime) keeps its fonts under another name, and a kept font whose
    alphabet is not the module's is parsed again and replaced."""
    import docgen

    path = font_dir / "DejaVuSerif.ttf"
    font = fontmod._font(path)
    kept = fontmod._font_cache(path)
    real = docgen.file_stats
    with monkeypatch.context() as m:
        m.setattr(docgen, "file_stats", lambda paths: tuple((*x[:1], 1, 1) for x in real(paths)))
        assert fontmod._font_cache(path) != kept
    assert fontmod._font_cache(path) == kept
    font._alphabet = font._alphabet[:-1]   # as kept by a docgen whose alphabet was another
    kept.write_bytes(fontmod.pickle.dumps(font))
    again = fontmod._font(path)
    assert again._alphabet == fontmod.BASE_ALPHABET
    assert fontmod.pickle.loads(kept.read_bytes())._alphabet == fontmod.BASE_ALPHABET


def test_a_pdf_from_kept_fonts_is_the_pdf_from_parsed_ones(tmp_path):
    """Byte for byte (reportlab's invariant mode), in two fresh processes: the first parses the
    fonts and keeps them, the second reads them back."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests')\n"
        "import os\n"
        "from conftest import make_inputs, read_json, sample, SAMPLES, ROOT\n"
        "os.environ['DOCGEN_CACHE_DIR'] = os.environ['KEPT_FONTS_CACHE']  # conftest sets its own\n"
        "from docgen.pipeline.engine import Engine\n"
        "from docgen.load.forms import FormLibrary\n"
        "eng = Engine(FormLibrary(ROOT / 'forms'))\n"
        "candidate = read_json(sample('ly-thi-y-lan'))\n"
        "candidate['candidate']['workplace'] = 'Xưởng Ω−Ψ'  # outside the alphabet\n"
        "inputs = make_inputs(eng, read_json(SAMPLES / 'org.json'), candidate)\n"
        "doc = eng.render(eng.library.get('admission-decision'), inputs)\n"
        "sys.stdout.buffer.write(doc.pdf)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(root), "KEPT_FONTS_CACHE": str(tmp_path / "cache")}
    first, second = (subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True,
                                    check=True).stdout for _ in range(2))
    assert list((tmp_path / "cache" / "fonts").glob("*/*.pickle"))
    assert first.startswith(b"%PDF") and first == second
    # the three characters beyond the alphabet (codes 242-244 of the regular face): a program
    # made from the file's glyph tables, which the second process read again
    assert b"/LastChar 244" in first


def test_the_search_looks_only_at_the_families_file_names(font_dir):
    """A font folder of hundreds of other fonts (Windows') is passed over without a path made for
    each: the index holds the families' file names alone, and the family is found among them."""
    for k in range(50):
        (font_dir / f"Other-Font-{k}.ttf").write_bytes(b"")
    (font_dir / "DEJAVUSERIF-BOLD.TTF.bak").write_bytes(b"")
    index = fontmod._index([font_dir])
    assert set(index) == {"dejavuserif.ttf", "dejavuserif-bold.ttf", "dejavuserif-italic.ttf",
                          "dejavuserif-bolditalic.ttf"}
    family, paths = fontmod.find_family(font_dir)
    assert family.name == "DejaVu Serif" and paths["bold"] == font_dir / "DejaVuSerif-Bold.ttf"
