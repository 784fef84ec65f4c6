"""``docgen forms lint`` on templates with tags that do not compile: every broken tag is
named with its part and its text, the other forms are still checked, and the exit code is 4."""

from __future__ import annotations

import ast
import json
import shutil
import zipfile

import pytest
from click.testing import CliRunner
from docx import Document

from docgen.check import PARAMS
from docgen.cli import main
from docgen.errors import FormDataError
from docgen.load.forms import FormLibrary
from docgen.pipeline import Engine
from docgen.pipeline.lint import _references, context_shape, unknown_names
from docgen.render.docx import CompiledTemplate, TemplateTagError, template_parts

from conftest import ROOT, SAMPLES, sample
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


# -- every problem of the forms' data files at once (form.toml, _shared/*.toml) ------------------------
ORG = str(SAMPLES / "org.json")
HUONG = str(sample("pham-thi-thu-huong"))


def _forms(tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    return forms


def _edit(forms, rel: str, old: str, new: str) -> str:
    """Replace ``old`` (which must be there) by ``new`` in one file; returns the file as a message names it."""
    path = forms / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


def _run(forms, *args):
    return CliRunner().invoke(main, ["--forms-dir", str(forms), *args])


def _decision(forms, out):
    return _run(forms, "admission-decision", HUONG, "--org", ORG, "-o", str(out), "--format", "docx")


def _three_broken_manifests(forms):
    """A missing key, a wrong type and a TOML syntax error, in three forms."""
    return [
        _edit(forms, "admission-decision/form.toml", 'title = "Quyết định kết nạp đảng viên"\n', "")
        + ': thiếu khóa "title"',
        _edit(forms, "ballot/form.toml", 'item_name = "election"', 'item_name = "election"\nsections = "ba mươi"')
        + ': khóa "sections" phải là danh sách chuỗi, đang là chuỗi "ba mươi"',
        _edit(forms, "nomination/form.toml", 'title = "Giấy', 'title = = "Giấy')
        + ": lỗi cú pháp TOML ở dòng 6, cột 9",
    ]


def test_three_broken_manifests_are_reported_together_by_forms_lint(tmp_path):
    forms = _forms(tmp_path)
    expected = _three_broken_manifests(forms)
    result = _run(forms, "forms", "lint")
    assert result.exit_code == 4, result.output
    lines = result.stdout.splitlines()
    for line in expected:
        assert any(got.startswith(line) for got in lines), line
    assert "Lỗi nội bộ" not in result.output
    assert "3 lỗi trong tệp dữ liệu của các mẫu" in result.stderr
    # the templates are still checked, those of the three broken manifests too
    assert "admission-decision: compiled; XML kiểm theo khuôn; PDF: đủ" in lines
    assert "cell-resolution: compiled; XML kiểm theo khuôn; PDF: đủ" in lines


@pytest.mark.parametrize("command", [
    ["admission-decision", HUONG, "--org", ORG, "-o", "{out}", "--format", "docx"],
    ["congress", str(SAMPLES / "congress.json"), "--org", ORG, "-o", "{out}", "--format", "docx"],
    ["check", HUONG, "--org", ORG],
    ["batch", "admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG, "-o", "{out}", "-j", "1"],
    ["forms"],
    ["schema", "candidate"],
], ids=lambda c: c[0])
def test_three_broken_manifests_are_reported_together_by_every_command(tmp_path, command):
    forms = _forms(tmp_path)
    expected = _three_broken_manifests(forms)
    out = tmp_path / "out"
    result = _run(forms, *[a.replace("{out}", str(out)) for a in command])
    assert result.exit_code == 4, result.output
    lines = result.stderr.splitlines()
    if lines[0].startswith("Cảnh báo: đang dùng phông"):  # a batch of PDFs names a fallback font first
        lines = lines[1:]
    assert lines[0] == "Lỗi: 3 lỗi trong tệp dữ liệu của các mẫu (form.toml, _shared/*.toml):"
    for line in expected:
        assert any(got.strip().startswith(line) for got in lines[1:]), line
    assert lines[-1].startswith("Không tạo văn bản nào.")
    assert not out.exists()


def test_the_library_raises_every_problem_at_once_to_a_python_caller(tmp_path):
    forms = _forms(tmp_path)
    expected = _three_broken_manifests(forms)
    library = FormLibrary(forms)  # nothing is read yet
    engine = Engine(library)  # the check stage's rules.toml is read with the others
    for use in (lambda: library.registry, lambda: library.forms, lambda: library.legal,
                lambda: engine.rulebook.specs):
        with pytest.raises(FormDataError) as info:
            use()
        assert [str(p) for p in info.value.problems] == [
            line if not line.endswith("cột 9") else line + ": Invalid value" for line in expected]
        assert info.value.exit_code == 4
    assert [p.key for p in info.value.problems] == ["title", "sections", ""]


# Each breaks one data file: the key it names, and a part of the message.
BREAKAGES = {
    "form-required-not-a-list": ("admission-decision/form.toml", "required = [", 'required = "x"\nold = [',
                                 'khóa "required" phải là danh sách chuỗi'),
    "form-legal-basis-not-a-list": ("admission-decision/form.toml", "legal_basis = [", "legal_basis = 5\nxs = [",
                                    'khóa "legal_basis" phải là danh sách chuỗi, đang là số nguyên 5'),
    "form-unknown-field": ("nomination/form.toml", "required = [", 'required = [\n  "candidate.full_nme",',
                           'trường "candidate.full_nme" không có trong danh mục trường (fields.toml) '
                           '(có phải "candidate.full_name"?)'),
    "form-unknown-legal-line": ("admission-decision/form.toml", '"guidance",', '"guidanse",',
                                'dòng căn cứ "guidanse" không có trong _shared/legal_basis.toml'),
    "form-misspelt-key": ("cell-resolution/form.toml", "number_field", "numbr_field",
                          'khóa lạ "numbr_field": docgen không đọc khóa này (có phải "number_field"?)'),
    "form-id-not-folder": ("ballot/form.toml", 'id = "ballot"', 'id = "phieu-bau"',
                           'id "phieu-bau" phải trùng tên thư mục "ballot"'),
    "rule-params-text": ("_shared/rules.toml", "params = { months = 12 }", 'params = { months = "12" }',
                         '[rule."introducer.joint_work".params] khóa "months" phải là số nguyên từ 0 đến 1200'),
    "rule-params-huge": ("_shared/rules.toml", "params = { months = 60 }", "params = { months = 99999999 }",
                         '[rule."certificate.validity".params] khóa "months" phải là số nguyên từ 0 đến 1200'),
    "rule-unknown-form": ("_shared/rules.toml", 'forms = ["cell-resolution"]', 'forms = ["cell-resolutoin"]',
                          '[rule."certificate.validity"] mẫu "cell-resolutoin" không có trong thư mục mẫu '
                          '(có phải "cell-resolution"?)'),
    "rule-without-function": ("_shared/rules.toml", '[rule."vote.counts"]', '[rule."vote.count"]',
                              '[rule."vote.count"] không có phần kiểm tra tương ứng trong docgen'),
    "rule-severity": ("_shared/rules.toml", 'severity = "warning"', 'severity = "notice"',
                      '[rule."introducer.route_unknown"] khóa "severity" phải là "error" hoặc "warning"'),
    "roster-headers": ("_shared/roster.toml", 'headers = ["Quê quán"]', 'header = ["Quê quán"]',
                       '[[column]] candidate.hometown thiếu khóa "headers"'),
    "roster-limit": ("_shared/roster.toml", "max_rows = 20000", 'max_rows = "many"',
                     '[limits] khóa "max_rows" phải là số nguyên từ 1 trở lên, đang là chuỗi "many"'),
    "roster-path": ("_shared/roster.toml", 'path = "candidate.hometown"', 'path = "candidate.home_town"',
                    '[[column]] candidate.home_town trường "candidate.home_town" không có trong danh mục trường '
                    '(fields.toml) (có phải "candidate.hometown"?)'),
    "calendar-date": ("_shared/calendar.toml", "extra_days_off = []", 'extra_days_off = ["2026-13-01"]',
                      'khóa "extra_days_off": chuỗi "2026-13-01" không phải ngày có thật'),
    "calendar-weekend": ("_shared/calendar.toml", "weekend = [5, 6]", 'weekend = "sat"',
                         'khóa "weekend" phải là danh sách số từ 0 (thứ Hai) đến 6 (Chủ nhật)'),
    "congress-office": ("_shared/congress.toml", 'member = "đại biểu"', 'membr = "đại biểu"',
                        '[offices."đại biểu dự đại hội cấp trên"] thiếu khóa "member"'),
    "style-margin": ("_shared/style.toml", "top = 20", 'top = "20"',
                     '[margins_mm] khóa "top" phải là số từ 0 đến 80, đang là chuỗi "20"'),
    "style-no-margins": ("_shared/style.toml", "[margins_mm]", "[margin_mm]", 'thiếu bảng "margins_mm"'),
    "packs-subject": ("_shared/packs.toml", 'subject = "candidate"', "",
                      '[pack.admission-dossier] thiếu khóa "subject"'),
    "legal-date": ("_shared/legal_basis.toml", 'effective_from = "2016-07-25"', 'effective_from = "2016-7-25"',
                   '[[edition]] 2016 khóa "effective_from" phải là ngày dạng NNNN-TT-NN'),
    "legal-no-exception-line": ("_shared/legal_basis.toml",
                                'exception = "{% if rule != \'deadline.ceremony\' %}- Căn cứ {{ approval }};'
                                '{% endif %}"', "",
                                '[common] thiếu dòng "exception"'),
    "fields-label": ("_shared/fields.toml", 'label = "Tên cấp ủy cấp trên"', "label = 5",
                     '[[field]] superior.name khóa "label" phải là chuỗi không rỗng, đang là số nguyên 5'),
    "fields-path": ("_shared/fields.toml", 'path = "superior.name"\n', "", '[[field]] thứ 1 thiếu khóa "path"'),
    "fields-limits": ("_shared/fields.toml", "depth = 20", "depth = -1",
                      '[limits] khóa "depth" phải là số nguyên từ 1 trở lên'),
    "fields-syntax": ("_shared/fields.toml", "[limits]", "[limits", "lỗi cú pháp TOML ở dòng 23, cột 8"),
}


@pytest.mark.parametrize("rel, old, new, message", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_broken_data_file_is_exit_4_naming_its_file_and_key(tmp_path, rel, old, new, message):
    """Each of these went out as an internal error (exit 1) or passed unnoticed before; each is
    now one line naming the file and the key, exit 4, from forms lint and from a command that
    writes, which writes nothing."""
    forms = _forms(tmp_path)
    line = f"{_edit(forms, rel, old, new)}: {message}"
    lint = _run(forms, "forms", "lint")
    assert lint.exit_code == 4, lint.output
    assert any(got.startswith(line) for got in lint.stdout.splitlines()), lint.stdout
    out = tmp_path / "out"
    result = _decision(forms, out)
    assert result.exit_code == 4, result.output
    assert any(got.strip().startswith(line) for got in result.stderr.splitlines()), result.stderr
    assert "Lỗi nội bộ" not in result.output
    assert not out.exists()


def test_a_rule_without_its_source_is_exit_4_naming_rules_toml_and_the_rule(tmp_path):
    forms = _forms(tmp_path)
    rules = _edit(forms, "_shared/rules.toml", 'source = "Quy định 294-QĐ/TW §1.1.1',
                  'sourc = "Quy định 294-QĐ/TW §1.1.1')
    for args in (["check", HUONG, "--org", ORG], ["forms", "lint"]):
        result = _run(forms, *args)
        assert result.exit_code == 4, result.output
        assert f'{rules}: [rule."age.minimum"] thiếu khóa "source"' in result.output
        assert f'{rules}: [rule."age.minimum"] khóa lạ "sourc": docgen không đọc khóa này (có phải "source"?)' \
            in result.output


@pytest.mark.parametrize("old, new, message", [
    ('headers = ["Quê quán"]', "", '[[column]] candidate.hometown thiếu khóa "headers"'),
    ("max_part_mb = 50", "max_part_mb = 0", '[limits] khóa "max_part_mb" phải là số nguyên từ 1 trở lên'),
    ("[limits]", "[limits", "lỗi cú pháp TOML ở dòng"),
    ('headers = ["Quê quán"]', 'headers = ["Quê quán", "Họ tên"]',
     '[[column]] candidate.hometown tiêu đề "Họ tên" đã dùng cho cột candidate.full_name'),
])
def test_a_broken_roster_toml_stops_a_batch_with_exit_4(tmp_path, old, new, message):
    forms = _forms(tmp_path)
    roster = _edit(forms, "_shared/roster.toml", old, new)
    out = tmp_path / "out"
    result = _run(forms, "batch", "admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG, "-o", str(out),
                  "--format", "docx", "-j", "1")
    assert result.exit_code == 4, result.output
    assert f"  {roster}: {message}" in result.stderr
    assert "Lỗi nội bộ" not in result.output
    assert not out.exists()


def test_a_toml_syntax_error_names_the_file_and_the_line(tmp_path):
    forms = _forms(tmp_path)
    calendar = _edit(forms, "_shared/calendar.toml", "weekend = [5, 6]", "weekend = [5, 6")
    congress = _edit(forms, "_shared/congress.toml", 'symbol = "ĐH"', 'symbol = "ĐH')
    result = _decision(forms, tmp_path / "out")
    assert result.exit_code == 4, result.output
    assert f"  {calendar}: lỗi cú pháp TOML ở dòng 6, cột 1: Unclosed array" in result.stderr
    assert f"  {congress}: lỗi cú pháp TOML ở dòng 3, cột " in result.stderr


def test_a_data_file_that_is_not_utf8_is_named_and_a_missing_one_comes_from_docgen(tmp_path):
    forms = _forms(tmp_path)
    (forms / "_shared" / "style.toml").write_bytes(b'[page]\nsize = "A4"\n# L\xea\n')  # Latin-1, not UTF-8
    (forms / "_shared" / "packs.toml").unlink()  # the user's folder has none: docgen's own is used
    result = _decision(forms, tmp_path / "out")
    assert result.exit_code == 4, result.output
    assert f"{forms / '_shared' / 'style.toml'}: tệp không phải văn bản UTF-8" in result.stderr
    assert "packs.toml" not in result.stderr


def test_toml_dates_are_accepted_where_dates_are_read(tmp_path):
    """``effective_from = 2016-07-25`` (a TOML date, unquoted) is a date as well as the text form."""
    forms = _forms(tmp_path)
    _edit(forms, "_shared/legal_basis.toml", 'effective_from = "2016-07-25"', "effective_from = 2016-07-25")
    _edit(forms, "_shared/calendar.toml", "extra_days_off = []", "extra_days_off = [2026-01-02]")
    problems, forms_read = FormLibrary(forms).survey()
    assert problems == [] and len(forms_read) == len(list(forms.glob("*/form.toml")))


def test_rule_params_match_what_each_rule_reads():
    """PARAMS (what rules.toml is checked against) names exactly the thresholds each rule
    function reads from ``params``, and the bundled rules.toml gives each one."""
    source = (ROOT / "docgen" / "check" / "rules.py").read_text(encoding="utf-8")
    read: dict[str, set[str]] = {}
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef):
            continue
        ids = [d.args[0].value for d in fn.decorator_list
               if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "rule"]
        if ids:
            read[ids[0]] = {n.slice.value for n in ast.walk(fn) if isinstance(n, ast.Subscript)
                            and getattr(n.value, "id", "") == "params" and isinstance(n.slice, ast.Constant)}
    assert read
    for rid, names in read.items():
        # what the engine gives every rule (RuleBook.shared_params), not thresholds of rules.toml
        shared = {"calendar", "rules", "rule_params", "verified_until", "edition", "congress",
                      "min_official"}
        assert names - shared == set(PARAMS.get(rid, {})), rid
    assert set(PARAMS) <= set(read)


# -- template variables that are not known ---------------------------------------------------------
def _with_document_xml(template, old: bytes, new: bytes) -> None:
    tmp = template.with_suffix(".tmp")
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                assert old in data
                data = data.replace(old, new, 1)
            zout.writestr(item, data)
    shutil.move(tmp, template)


def test_forms_lint_names_a_template_variable_that_is_not_known_with_the_closest_name(tmp_path):
    forms = _forms(tmp_path)
    _with_document_xml(forms / "admission-decision" / "template.docx", b"{{ doc.number }}",
                       b"{{ doc.number }} {{ candidate.full_nme }}{{ candidate.nickname|default(&quot;&quot;) }}"
                       b"{% if candidate.alias is defined %}{{ candidat.workplace }}{% endif %}")
    _with_document_xml(forms / "vote-count-minutes" / "template.docx", b"{{ doc.number }}",
                       b"{{ doc.number }}{% for c in election.candidates %}{{ c.full_nam }}{{ c.votes.n }}"
                       b"{% endfor %}{% set m = congress.members %}{{ m.totl.n }}{{ m.total.n }}")
    result = _run(forms, "forms", "lint")
    assert result.exit_code == 4, result.output
    lines = result.stdout.splitlines()
    at = lines.index("admission-decision: compiled; XML kiểm theo khuôn; PDF: đủ")
    assert lines[at + 1:at + 3] == [
        "    word/document.xml: {{ candidate.full_nme }} không có trong danh mục trường hay ngữ cảnh điền mẫu; "
        "có phải {{ candidate.full_name }}?",
        "    word/document.xml: {{ candidat }} không có trong danh mục trường hay ngữ cảnh điền mẫu; "
        "có phải {{ candidate }}?",
    ]
    at = lines.index("vote-count-minutes: compiled; XML kiểm theo khuôn; PDF: đủ")
    assert lines[at + 1:at + 3] == [
        "    word/document.xml: {{ c.full_nam }} không có trong danh mục trường hay ngữ cảnh điền mẫu; "
        "có phải {{ c.full_name }}?",
        "    word/document.xml: {{ m.totl }} không có trong danh mục trường hay ngữ cảnh điền mẫu; "
        "có phải {{ m.total }}?",
    ]
    assert not lines[at + 3].startswith("    ")
    assert "4 tên biến không biết trong mẫu: admission-decision, vote-count-minutes" in result.stderr
    # lint is right: the name fails when the paper is made
    made = _decision(forms, tmp_path / "out")
    assert made.exit_code == 4 and "full_nme" in made.stderr


def test_the_bundled_templates_use_only_known_names():
    """No false alarm on the bundled forms, though every one of them is read: each template's
    names are checked against a context built by the context stage for an input with every
    field filled."""
    library = FormLibrary(ROOT / "forms")
    for form in library.forms.values():
        refs = [r for _, tree in template_parts(form.template) for r in _references(tree)]
        assert refs, form.id
        assert unknown_names(library, form) == [], form.id
    # formatted values that are not input fields are known, and so are the list items' names
    shape = context_shape(library, library.get("nomination"))
    assert shape["candidate"]["full_name_upper"] and shape["introducer"]["date_of_birth"]["long"]
    assert json.dumps(shape, ensure_ascii=False)
