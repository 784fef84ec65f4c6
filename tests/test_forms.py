"""Every form: manifest sane, template variables produced by the context, template.txt current,
and the compiled render path equal to plain docxtpl (the oracle)."""

from __future__ import annotations

import random
import subprocess
import sys
import zipfile

import pytest
from docxtpl import DocxTemplate

from docgen.render.docx import CompiledTemplate, render_with_docxtpl
from docgen.sandbox import environment

from conftest import ROOT, SAMPLES, VALID_CANDIDATES, make_inputs, read_json, recognition_profile
from doctext import docx_paragraphs, docx_text
from docx_compare import assert_same_package

FORM_IDS = sorted(p.name for p in (ROOT / "forms").iterdir() if (p / "form.toml").exists())


def sample_inputs(engine, form):
    """Valid inputs for a form from the samples (the subject kind decides which)."""
    org = read_json(SAMPLES / "org.json")
    if form.subject == "candidate" and form.date_field.startswith("recognition."):
        # a paper of the probationary year: the profiles that have one
        recognised = [read_json(p) for p in sorted((SAMPLES / "recognition").glob("*.json"))]
        return [make_inputs(engine, org, c) for c in [recognition_profile(), *recognised]]
    if form.subject == "candidate":
        return [make_inputs(engine, org, read_json(p)) for p in VALID_CANDIDATES]
    if form.subject == "congress":
        return [make_inputs(engine, org, read_json(SAMPLES / "congress.json"), kind="congress")]
    raise AssertionError(f"no samples for subject {form.subject}")


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_manifest_fields_exist_in_registry(engine, form_id):
    form = engine.library.get(form_id)
    assert form.title and form.doc_type_abbr
    assert form.code or form.subject == "congress"  # congress papers have no central form code
    for path in form.required:
        assert path in engine.library.registry
    assert form.date_field in engine.library.registry


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_template_variables_are_produced_by_the_context(engine, form_id):
    form = engine.library.get(form_id)
    names = DocxTemplate(str(form.template)).get_undeclared_template_variables(environment(True))
    for inputs in sample_inputs(engine, form):
        ctx = engine.context(form, inputs)
        assert names <= set(ctx), names - set(ctx)
        engine.render_docx(form, inputs, ctx)  # StrictUndefined: any missing attribute raises


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_template_txt_is_current(engine, form_id, update_golden):
    form = engine.library.get(form_id)
    dump = "\n".join(docx_paragraphs(form.template.read_bytes())) + "\n"
    txt = form.folder / "template.txt"
    if update_golden:
        txt.write_text(dump, encoding="utf-8")
    assert txt.read_text(encoding="utf-8") == dump, "run: pytest --update-golden, then review the diff"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_compiled_path_equals_plain_docxtpl(engine, form_id):
    """Same text as plain docxtpl, and the same package: every member, every XML part equal
    after C14N (see tests/docx_compare.py)."""
    form = engine.library.get(form_id)
    margins = engine.margins_twips(sample_inputs(engine, form)[0]["org"])
    tpl = CompiledTemplate(form.template, margins)
    rng = random.Random(7)
    for inputs in sample_inputs(engine, form):
        ctx = engine.context(form, inputs)
        variants = [ctx]
        for _ in range(5):  # values with XML specials, newlines and long text
            v = _mutate(ctx, rng)
            variants.append(v)
        for c in variants:
            fast = tpl.render(c)
            slow = render_with_docxtpl(form.template, c, margins)
            assert docx_text(fast) == docx_text(slow)
            assert_same_package(fast, slow)


def _mutate(value, rng):
    if isinstance(value, str) and value:
        extra = rng.choice([" & <b>", "\nDòng hai", " \"trích\" 'dẫn'", " " + "dài " * 40, " {{ x }} {% y %}"])
        return value + extra
    if isinstance(value, dict):
        return {k: _mutate(v, rng) for k, v in value.items()}
    if isinstance(value, list):
        return [_mutate(v, rng) for v in value]
    return value


def test_forms_ship_inside_the_wheel(tmp_path):
    """A plain (non-editable) install finds the forms: the wheel carries docgen/forms/."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("docgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for form_id in FORM_IDS:
        assert f"docgen/forms/{form_id}/template.docx" in names
        assert f"docgen/forms/{form_id}/form.toml" in names
    for shared in ("fields.toml", "legal_basis.toml", "rules.toml", "style.toml"):
        assert f"docgen/forms/_shared/{shared}" in names


def test_lint_names_word_features_the_pdf_cannot_draw(tmp_path, engine):
    from docgen.render.pdf import unsupported_features

    src = engine.library.get("admission-decision").template
    assert unsupported_features(src.read_bytes()) == []
    bad = tmp_path / "t.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:pPr>", b'<w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr>', 1)
            zout.writestr(item, data)
    assert unsupported_features(bad.read_bytes()) == ["đánh số/gạch đầu dòng tự động (w:numPr)"]
