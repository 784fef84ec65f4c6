"""A DOCX template as read and patched is kept in the cache folder: a later process neither
unzips nor patches it, and renders the same bytes; a changed template, a broken entry or another
shape of entry is read again."""

from __future__ import annotations

import marshal
import os
import shutil
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
        m.setattr(docxmod, "_patch_xml", None)
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
