"""``docgen forms lint`` on templates with tags that do not compile: every broken tag is
named with its part and its text, the other forms are still checked, and the exit code is 4."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from click.testing import CliRunner
from docx import Document

from docgen.cli import main
from docgen.render.docx import CompiledTemplate, TemplateTagError

from conftest import ROOT
from test_equivalence import column_loop, save


def problems(path) -> list[tuple[str, str, str]]:
    with pytest.raises(TemplateTagError) as info:
        CompiledTemplate(path)
    return info.value.problems


def test_every_broken_tag_is_named_with_its_part(tmp_path):
    doc = Document()
    doc.add_paragraph("{{ candidate.full_name }} sinh ngày {{ candidate.full name }}")
    doc.add_paragraph("{% if ok %}{{ x|khong_co }}{% endif %}")
    doc.sections[0].header.paragraphs[0].text = "Trang {{ trang & 2 }}"  # python-docx writes &amp;
    found = problems(save(doc, tmp_path / "t"))
    assert [(p, tag) for p, tag, _ in found] == [
        ("word/document.xml", "{{ candidate.full name }}"),
        ("word/document.xml", "{{ x|khong_co }}"),
        ("word/header1.xml", "{{ trang & 2 }}"),
    ]
    assert "got 'name'" in found[0][2] and "khong_co" in found[1][2] and "unexpected char '&'" in found[2][2]


@pytest.mark.parametrize("paragraphs, tag, message", [
    (["{% if a %}", "{% for x in xs %}{{ x }}{% endfor %}", "cuối"], "{% if a %}", "Unexpected end of template"),
    (["{% for x in xs %}", "{{ x }}", "{% endif %}"], "{% endif %}", "unknown tag 'endif'"),
    (["{% if a %}", "{% elif == 2 %}", "{% endif %}"], "{% elif == 2 %}", "unexpected '=='"),
])
def test_blocks_that_do_not_match_name_the_tag(tmp_path, paragraphs, tag, message):
    """Each tag is right on its own; the block structure is not."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    ((part, found_tag, found_message),) = problems(save(doc, tmp_path / "t"))
    assert (part, found_tag) == ("word/document.xml", tag)
    assert message in found_message


def test_forms_lint_reports_broken_tags_and_checks_the_other_forms(tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    src = forms / "admission-decision" / "template.docx"
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/header1.xml":
                assert b"<w:t>2</w:t>" in data
                data = data.replace(b"<w:t>2</w:t>", b"<w:t>{{ trang &amp; }}</w:t>")
            if item.filename == "word/document.xml":
                assert b"{{ doc.number }}" in data
                data = data.replace(b"{{ doc.number }}", b"{{ doc.number ~ }}")
            zout.writestr(item, data)
    shutil.move(broken, src)
    shutil.copy(column_loop(tmp_path / "loop"), forms / "ballot" / "template.docx")

    result = CliRunner().invoke(main, ["--forms-dir", str(forms), "forms", "lint"])
    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    at = lines.index("admission-decision: có thẻ không biên dịch được")
    assert lines[at + 1].startswith("    word/document.xml: {{ doc.number ~ }}  (")
    assert lines[at + 2].startswith("    word/header1.xml: {{ trang & }}  (unexpected char '&'")
    assert any(line.startswith("ballot: docxtpl (thẻ {%tc đổi số ô của hàng bảng") for line in lines)
    assert any(line.startswith("cell-resolution: compiled;") for line in lines)
    assert "1 mẫu không dùng được: admission-decision" in result.stderr
