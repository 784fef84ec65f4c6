"""template.docx is the source of truth (issue 10, part 4): a wording edit made to a template,
as Word would make it, reaches the DOCX and the PDF; tools/new_form.py starts a new form from
an existing one and never overwrites; and no Python file holds the wording of a form."""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from docgen.cli import main
from docgen.load.forms import FormLibrary

from conftest import HUONG, ROOT, SAMPLES, read_json
from doctext import docx_paragraphs, docx_text, pdf_text

ORG = str(SAMPLES / "org.json")
NEW_FORM = ROOT / "tools" / "new_form.py"

# A sentence of fixed wording in Điều 3 of the admission decision, and what a secretary
# changes it to in Word.
FORM = "admission-decision"
OLD = "chịu trách nhiệm thi hành Quyết định này"
NEW = "có trách nhiệm thực hiện Quyết định này kể từ ngày ký"
NAME = unicodedata.normalize("NFC", read_json(HUONG)["candidate"]["full_name"])  # ends the clause before OLD


def _forms(tmp_path: Path) -> Path:
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    return forms


def _edit_wording(template: Path, old: str, new: str) -> None:
    """Change ``old`` to ``new`` inside one run of the body, as Word saves an edit."""
    doc = Document(str(template))
    runs = [r for p in doc.paragraphs for r in p.runs if old in r.text]
    assert len(runs) == 1, f"{old!r} should be in exactly one run of {template}"
    runs[0].text = runs[0].text.replace(old, new)
    doc.save(str(template))


def test_a_wording_edit_in_template_docx_reaches_the_docx_and_the_pdf(tmp_path):
    forms = _forms(tmp_path)
    template = forms / FORM / "template.docx"
    _edit_wording(template, OLD, NEW)

    # template.txt is the text review sees: tests/test_forms.py compares it with the template,
    # so the edit shows there until template.txt is written again.
    txt = forms / FORM / "template.txt"
    dump = "\n".join(docx_paragraphs(template.read_bytes())) + "\n"
    assert txt.read_text(encoding="utf-8") != dump
    assert NEW in dump and OLD not in dump
    txt.write_text(dump, encoding="utf-8")

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["--forms-dir", str(forms), FORM, str(HUONG), "--org", ORG,
                                       "-o", str(out), "--format", "both"])
    assert result.exit_code == 0, result.output
    (docx,) = out.glob("*.docx")
    (pdf,) = out.glob("*.pdf")
    for text in (docx_text(docx.read_bytes()), pdf_text(pdf.read_bytes())):
        assert NAME + " " + NEW in text  # the edited sentence, filled
        assert OLD not in text

    # the bundled forms, untouched, still print the old wording
    result = CliRunner().invoke(main, ["--forms-dir", str(ROOT / "forms"), FORM, str(HUONG), "--org", ORG,
                                       "-o", str(tmp_path / "bundled"), "--format", "docx"])
    assert result.exit_code == 0, result.output
    (bundled,) = (tmp_path / "bundled").glob("*.docx")
    assert OLD in docx_text(bundled.read_bytes())


# -- tools/new_form.py ------------------------------------------------------------------------------


def _new_form(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(NEW_FORM), *args], capture_output=True, text=True)


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a digest of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_form_copies_a_form_into_a_new_folder_that_docgen_lists(tmp_path):
    forms = _forms(tmp_path)
    proc = _new_form("quyet-dinh-thu", "--from", FORM, "--forms-dir", str(forms))
    assert proc.returncode == 0, proc.stderr
    new = forms / "quyet-dinh-thu"
    assert str(new) in proc.stdout

    src = forms / FORM
    assert sorted(p.name for p in new.iterdir()) == sorted(p.name for p in src.iterdir())
    assert (new / "template.docx").read_bytes() == (src / "template.docx").read_bytes()
    assert (new / "template.txt").read_bytes() == (src / "template.txt").read_bytes()
    old_toml = (src / "form.toml").read_text(encoding="utf-8")
    new_toml = (new / "form.toml").read_text(encoding="utf-8")
    assert new_toml == old_toml.replace(f'id = "{FORM}"', 'id = "quyet-dinh-thu"')

    library = FormLibrary(forms)
    assert library.get("quyet-dinh-thu").title == library.get(FORM).title
    listing = CliRunner().invoke(main, ["--forms-dir", str(forms), "forms"])
    assert listing.exit_code == 0, listing.output
    assert any(line.startswith("quyet-dinh-thu  ") for line in listing.stdout.splitlines())
    lint = CliRunner().invoke(main, ["--forms-dir", str(forms), "forms", "lint"])
    assert lint.exit_code == 0, lint.output

    # the copy fills like the form it came from
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["--forms-dir", str(forms), "batch", "quyet-dinh-thu", str(HUONG),
                                       "--org", ORG, "-o", str(out), "--format", "docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    (docx,) = out.rglob("*quyet-dinh-thu*.docx")
    assert NAME + " " + OLD in docx_text(docx.read_bytes())


def test_new_form_never_overwrites_an_existing_folder(tmp_path):
    forms = _forms(tmp_path)
    _edit_wording(forms / FORM / "template.docx", OLD, NEW)  # a secretary's edit, not in any other form
    before = _snapshot(forms)
    proc = _new_form(FORM, "--from", "nomination", "--forms-dir", str(forms))
    assert proc.returncode == 1
    assert str(forms / FORM) in proc.stderr
    assert "đã có" in proc.stderr and "Không ghi đè" in proc.stderr
    assert _snapshot(forms) == before
    assert NEW in docx_text((forms / FORM / "template.docx").read_bytes())

    # a folder that is not a form yet is not overwritten either
    (forms / "nhap").mkdir()
    (forms / "nhap" / "ghi-chu.txt").write_text("bản nháp", encoding="utf-8")
    before = _snapshot(forms)
    proc = _new_form("nhap", "--from", FORM, "--forms-dir", str(forms))
    assert proc.returncode == 1 and str(forms / "nhap") in proc.stderr
    assert _snapshot(forms) == before


@pytest.mark.parametrize("bad", ["Quyet-dinh", "quyet_dinh", "quyet--dinh", "-quyet", "quyet-", "quyết-định",
                                 "quyet dinh", "../quyet", "_shared", ""])
def test_new_form_refuses_a_bad_id_and_writes_nothing(tmp_path, bad):
    forms = _forms(tmp_path)
    before = _snapshot(forms)
    proc = _new_form("--from", FORM, "--forms-dir", str(forms), "--", bad)  # "--": "-quyet" is an id
    assert proc.returncode == 1
    assert "không hợp lệ" in proc.stderr and repr(bad) in proc.stderr
    assert _snapshot(forms) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms"]


def test_new_form_refuses_an_unknown_source(tmp_path):
    forms = _forms(tmp_path)
    before = _snapshot(forms)
    proc = _new_form("quyet-dinh-thu", "--from", "khong-co", "--forms-dir", str(forms))
    assert proc.returncode == 1
    assert "khong-co" in proc.stderr and str(forms / "quyet-dinh-thu") in proc.stderr
    assert _snapshot(forms) == before


# -- no wording in code -----------------------------------------------------------------------------

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
MIN_CHARS = 40


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("\u00a0", " ")).strip()


def fixed_wording(forms: Path) -> dict[str, str]:
    """The fixed wording of every form, from its template.txt: each stretch of a line between
    tags that is at least MIN_CHARS long, with the form it comes from."""
    found = {}
    for txt in sorted(forms.glob("*/template.txt")):
        for line in txt.read_text(encoding="utf-8").splitlines():
            for piece in TAG.split(line):
                piece = _normalize(piece)
                if len(piece) >= MIN_CHARS:
                    found.setdefault(piece, txt.parent.name)
    return found


def wording_in_code(code_dirs: list[Path], wording: dict[str, str]) -> list[str]:
    """Where a piece of wording appears in a .py file: in its text (white space folded), or in
    one of its string constants (adjacent literals, which Python joins, count as one)."""
    hits = []
    for folder in code_dirs:
        for py in sorted(folder.rglob("*.py")):
            source = py.read_text(encoding="utf-8")
            texts = [_normalize(source)]
            texts += [_normalize(node.value) for node in ast.walk(ast.parse(source))
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)]
            for piece, form in wording.items():
                if any(piece in t for t in texts):
                    hits.append(f"{py.relative_to(folder.parent)}: {piece!r} ({form}/template.txt)")
    return hits


def test_the_forms_have_fixed_wording_to_look_for():
    wording = fixed_wording(ROOT / "forms")
    assert {"admission-decision", "congress-resolution", "nomination"} <= set(wording.values())
    assert "Kết nạp quần chúng" not in wording  # under MIN_CHARS
    assert "theo quy định. Thời gian dự bị của đồng chí" in wording  # the stretch between two tags
    assert "chịu trách nhiệm thi hành Quyết định này." in wording  # the stretch after it


def test_no_python_file_holds_form_wording():
    hits = wording_in_code([ROOT / "docgen", ROOT / "tools"], fixed_wording(ROOT / "forms"))
    assert hits == [], "the wording of a form lives in its template.docx, not in code:\n" + "\n".join(hits)


def test_the_wording_check_finds_a_sentence_pasted_into_code(tmp_path):
    """The check above fails when a sentence of a template is pasted into a .py file, whether
    on one line or split over adjacent string literals."""
    wording = fixed_wording(ROOT / "forms")
    title = "Quyết định kết nạp đảng viên"  # a form's title, shorter than MIN_CHARS
    piece = "chịu trách nhiệm thi hành Quyết định này."
    pkg = tmp_path / "docgen"
    pkg.mkdir()
    (pkg / "clean.py").write_text(f"TITLE = {title!r}\n", encoding="utf-8")
    assert wording_in_code([pkg], wording) == []
    (pkg / "one_line.py").write_text(f"# {piece}\n", encoding="utf-8")
    (pkg / "split.py").write_text('ARTICLE = (\n    "chịu trách nhiệm "\n    "thi hành Quyết định này."\n)\n',
                                  encoding="utf-8")
    hits = wording_in_code([pkg], wording)
    assert [h.split(":")[0] for h in hits] == ["docgen/one_line.py", "docgen/split.py"]
