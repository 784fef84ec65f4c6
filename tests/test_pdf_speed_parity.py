"""The PDF renderer's fast paths give the same documents as the plain ones, and its font
search and font embedding do what they promise.

Speed itself is measured by the benchmarks, never here; these tests hold the output.
"""

from __future__ import annotations

from pathlib import Path

from docgen.render import fonts as fontmod


def _dejavu_files() -> dict[str, Path]:
    family = next(f for f in fontmod.FAMILIES if f.name == "DejaVu Serif")
    index = fontmod._index(fontmod.system_dirs())
    return {style: index[family.files[style][0].lower()][0] for style in fontmod.STYLES}


def test_a_font_name_in_two_folders_uses_the_one_with_vietnamese(tmp_path, monkeypatch):
    """Debian's fonts-liberation (no Vietnamese) and fonts-liberation2 hold files of the same
    names: the search goes on to the second folder rather than giving up on the family."""
    dejavu = _dejavu_files()
    monkeypatch.delenv("DOCGEN_FONT_DIR", raising=False)
    monkeypatch.setattr(fontmod, "system_dirs", lambda: [])
    liberation = next(f for f in fontmod.FAMILIES if f.name == "Liberation Serif")
    for folder in ("a-old", "b-new"):
        (tmp_path / folder).mkdir()
        for style in fontmod.STYLES:
            (tmp_path / folder / liberation.files[style][0]).symlink_to(dejavu[style])
    covers = fontmod._covers
    monkeypatch.setattr(fontmod, "_covers", lambda p: "a-old" not in str(p) and covers(p))
    family, paths = fontmod.find_family(tmp_path)
    assert family.name == "Liberation Serif"
    assert all(p.parent.name == "b-new" for p in paths.values())
