"""A DOCX template as read and patched is kept in the cache folder: a later process neither
unzips nor patches it, and renders the same bytes; a changed template, a broken entry or another
shape of entry is read again."""

from __future__ import annotations

import marshal
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from docgen.render import docx as docxmod

from doctext import docx_text

ROOT = Path(__file__).resolve().parents[1]
MARGINS = {"top": 1134, "bottom": 1134, "left": 1701, "right": 850}


@pytest.fixture
def template(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "admission-decision"
    shutil.copytree(ROOT / "forms" / "admission-decision", folder)
    return folder / "template.docx"


def _context(engine, org_data) -> dict:
    from conftest import HUONG, make_inputs, read_json

    form = engine.library.get("admission-decision")
    inputs = make_inputs(engine, org_data, read_json(HUONG))
    return engine.context(form, inputs)


def _entry(tmp_path: Path) -> Path:
    (entry,) = (tmp_path / "cache" / "docx").iterdir()
    return entry


def test_a_kept_template_renders_the_bytes_of_one_read_afresh(template, tmp_path, engine, org_data, monkeypatch):
    ctx = _context(engine, org_data)
    first = docxmod.CompiledTemplate(template, MARGINS)
    entry = _entry(tmp_path)
    # the second reads neither the package nor docxtpl's patching
    with monkeypatch.context() as m:
        m.setattr(zipfile, "ZipFile", None)
        m.setitem(sys.modules, "docxtpl", None)  # importing it would fail
        second = docxmod.CompiledTemplate(template, MARGINS)
    assert second.render(ctx) == first.render(ctx)
    assert second.names == first.names and {"candidate", "committee"} <= second.names
    assert second._raw == first._raw and list(second._shapes) == list(first._shapes)
    assert second.render_path == first.render_path == "compiled"
    assert "PHẠM THỊ THU HƯỜNG" in docx_text(second.render(ctx))
    # other margins are another entry
    docxmod.CompiledTemplate(template, {**MARGINS, "left": 1500})
    assert len(list(entry.parent.iterdir())) == 2


def test_a_changed_template_is_read_again(template, tmp_path, engine, org_data):
    ctx = _context(engine, org_data)
    docxmod.CompiledTemplate(template, MARGINS)
    with zipfile.ZipFile(template) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace("QUYẾT ĐỊNH".encode(), "QUYẾT-ĐỊNH".encode(), 1)
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    st = template.stat()
    os.utime(template, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    again = docxmod.CompiledTemplate(template, MARGINS)
    assert "QUYẾT-ĐỊNH" in docx_text(again.render(ctx))


@pytest.mark.parametrize("broken", [b"", b"garbage", "shape", "key"])
def test_a_broken_entry_is_read_again_and_kept_again(template, tmp_path, engine, org_data, broken):
    ctx = _context(engine, org_data)
    want = docxmod.CompiledTemplate(template, MARGINS).render(ctx)
    entry = _entry(tmp_path)
    slot, key, value = marshal.loads(entry.read_bytes())
    if broken == "shape":   # the right slot and key, a value of another shape
        entry.write_bytes(marshal.dumps((slot, key, {**value, "frozen": [("x", 1)]})))
    elif broken == "key":   # kept from another version of the template
        entry.write_bytes(marshal.dumps((slot, (key[0][:1], "0.0"), {**value, "names": ["other"]})))
    else:
        entry.write_bytes(broken)
    again = docxmod.CompiledTemplate(template, MARGINS)
    assert again.render(ctx) == want and "other" not in again.names
    assert marshal.loads(entry.read_bytes()) == (slot, key, value)


def _write(template: Path, parts: dict[str, bytes], size: int | None = None) -> None:
    """Write a package of ``parts``, padded with a zip comment to ``size`` bytes (or with 400)."""
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as z:
        for n, raw in parts.items():
            z.writestr(n, raw)
    pad = 400 if size is None else size - template.stat().st_size
    assert 0 <= pad < 65536
    with zipfile.ZipFile(template, "a") as z:
        z.comment = b" " * pad
    assert size is None or template.stat().st_size == size


def _parts(template: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(template) as z:
        return {n: z.read(n) for n in z.namelist()}


def _edit(template: Path, old: str, new: str) -> None:
    """Rewrite the template's document with ``old`` replaced by ``new``, then put its old size
    and modification time back, as an unzip or ``cp -p`` of another version may."""
    st = template.stat()
    parts = _parts(template)
    parts["word/document.xml"] = parts["word/document.xml"].replace(old.encode(), new.encode(), 1)
    _write(template, parts, st.st_size)
    os.utime(template, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_template_rewritten_with_its_old_size_and_time_is_read_again(template, tmp_path, engine, org_data):
    ctx = _context(engine, org_data)
    _write(template, _parts(template))
    docxmod.CompiledTemplate(template, MARGINS)
    _edit(template, "QUYẾT ĐỊNH", "QUYẾT ĐỊNX")
    assert "QUYẾT ĐỊNX" in docx_text(docxmod.CompiledTemplate(template, MARGINS).render(ctx))


def test_the_same_relative_path_in_another_folder_is_another_template(tmp_path, engine, org_data, monkeypatch):
    """``--forms-dir mau`` in two working folders: the same relative path names two templates."""
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    ctx = _context(engine, org_data)
    texts = []
    for folder, title in (("a", "QUYẾT ĐỊNH"), ("b", "QUYẾT ĐỊNX")):
        shutil.copytree(ROOT / "forms" / "admission-decision", tmp_path / folder / "mau" / "admission-decision")
        monkeypatch.chdir(tmp_path / folder)
        relative = Path("mau/admission-decision/template.docx")
        _write(relative, _parts(relative))
        if title == "QUYẾT ĐỊNH":
            first = relative.resolve().stat()
        else:  # the same size and modification time as the first folder's
            _edit(relative, "QUYẾT ĐỊNH", title)
            os.utime(relative, ns=(first.st_atime_ns, first.st_mtime_ns))
            assert relative.stat().st_size == first.st_size
        texts.append(docx_text(docxmod.CompiledTemplate(relative, MARGINS).render(ctx)))
    assert "QUYẾT ĐỊNH" in texts[0] and "QUYẾT ĐỊNX" in texts[1]
