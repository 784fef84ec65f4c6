"""A user's own template that reads a name no context has is the template's fault: one error
naming the template, the tag and the closest name, exit 4, once per run, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from docx import Document

from docgen.cli import main

from conftest import ROOT, SAMPLES

ORG = str(SAMPLES / "org.json")
HUONG = str(SAMPLES / "candidates" / "pham-thi-thu-huong.json")


def _misspelt(tmp_path: Path) -> Path:
    """A forms folder with admission-decision's template reading ``candidate.full_nme``."""
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms" / "admission-decision", forms / "admission-decision")
    template = forms / "admission-decision" / "template.docx"
    doc = Document(str(template))
    runs = [r for p in doc.paragraphs for r in p.runs if "candidate.full_name_upper" in r.text]
    assert runs
    runs[0].text = runs[0].text.replace("candidate.full_name_upper", "candidate.full_nme")
    doc.save(str(template))
    return forms


def _expect_one_error(result, forms: Path) -> None:
    assert result.exit_code == 4, result.output
    # (a PDF made with the fallback font is preceded by the font's warning line)
    assert "Lỗi: Mẫu riêng có 1 tên biến không có trong dữ liệu điền mẫu:" in result.stderr.splitlines()
    assert (f"{forms / 'admission-decision' / 'template.docx'} (word/document.xml): {{{{ candidate.full_nme }}}} "
            "không có trong dữ liệu điền mẫu admission-decision; có phải {{ candidate.full_name }}?") in result.stderr
    assert result.output.count("full_nme") == 1


def test_one_paper_names_the_template_the_tag_and_the_closest_field(tmp_path):
    forms, out = _misspelt(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(main, ["admission-decision", HUONG, "--org", ORG, "--forms-dir", str(forms),
                                       "-o", str(out)])
    _expect_one_error(result, forms)
    assert not out.exists()


def test_a_batch_says_it_once_and_blames_no_profile(tmp_path):
    forms, out = _misspelt(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(SAMPLES / "candidates"), "--org", ORG,
                                       "--forms-dir", str(forms), "-o", str(out), "-j", "1"])
    _expect_one_error(result, forms)
    assert "pham-thi-thu-huong.json" not in result.output
    assert not out.exists() or not any(out.glob("*.docx"))


def test_a_users_copy_that_reads_only_known_names_is_filled(tmp_path):
    forms, out = tmp_path / "forms", tmp_path / "out"
    shutil.copytree(ROOT / "forms" / "admission-decision", forms / "admission-decision")
    result = CliRunner().invoke(main, ["admission-decision", HUONG, "--org", ORG, "--forms-dir", str(forms),
                                       "-o", str(out), "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.docx"))) == 1
