"""Bounded template work (issue 9, point 3): a hostile template or data string is refused
quickly, with exit code 4 and a message naming the form (or data file and key) and the tag or
filter, before it allocates gigabytes, runs for hours, loads another template or prints an
object's address into the paper. See docgen/sandbox.py for the limits."""

from __future__ import annotations

import json
import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from docgen import sandbox
from docgen.cli import main
from docgen.errors import FormError
from docgen.render.docx import CompiledTemplate
from docgen.sandbox import MAX_CHARS, MAX_STEPS, MAX_VALUE, environment, render_text

from conftest import HUONG, ROOT, SAMPLES, VALID_CANDIDATES, make_inputs, read_json

# An unguarded render of any attack below takes seconds to hours or gigabytes; refused, each
# takes 30–100 ms through the whole CLI on the development machine. The bound leaves room
# for a slow CI runner and still fails on any attack that gets to do its work.
QUICK = 1.5  # seconds for one CLI call, loading the forms included
FORM = "admission-decision"
NAME = "candidate.full_name"

TEMPLATE_ATTACKS = {
    # huge widths, repetitions and powers: refused before anything is built
    "center": (f"{{{{ {NAME}|center(999999999) }}}}", "bộ lọc |center"),
    "indent": (f"{{{{ {NAME}|indent(999999999) }}}}", "bộ lọc |indent"),
    "indent-lines": ("{{ ('x\\n' * 50000)|indent(1000) }}", "bộ lọc |indent"),
    "format": (f"{{{{ '%999999999s'|format({NAME}) }}}}", "bộ lọc |format"),
    "format-precision": ("{{ '%.999999999f'|format(1.5) }}", "bộ lọc |format"),
    "format-star": ("{{ '%*d'|format(999999999, 1) }}", "bộ lọc |format"),
    "percent": (f"{{{{ '%999999999s' % {NAME} }}}}", "phép %"),
    "replace": (f"{{{{ ({NAME} * 1000)|replace('', {NAME} * 1000) }}}}", "bộ lọc |replace"),
    "replace-method": (f"{{{{ ({NAME} * 1000).replace('', {NAME} * 1000) }}}}", ".replace()"),
    "join": (f"{{{{ ({NAME} * 5000)|list|join({NAME} * 5000) }}}}", "bộ lọc |join"),
    "wordwrap": ("{{ ('x ' * 50000)|wordwrap(2, wrapstring='y' * 1000) }}", "bộ lọc |wordwrap"),
    "truncate": (f"{{{{ {NAME}|truncate(999999999) }}}}", "bộ lọc |truncate"),
    "repeat": (f"{{{{ {NAME} * 999999999 }}}}", "phép *"),
    "repeat-nested": ("{{ [[1] * 1000] * 1000 }}", "phép *"),
    "power": ("{{ 9 ** 99999 }}", "phép **"),
    "power-tower": ("{{ (((9 ** 64) ** 64) ** 64) ** 64 }}", "phép **"),
    "doubling": ("{% set a = ['x' * 50000, 'x' * 50000] %}{% set b = [a, a] %}{{ b|length }}",
                 "giá trị viết trong mẫu [a, a]"),
    "tojson-doubling": ("{{ ('\\\\' * 1000)|tojson|tojson|tojson|tojson|tojson|tojson|tojson|tojson }}",
                        "bộ lọc |tojson"),
    # work: nested loops, and output that a loop or many tags multiply
    "nested-loops": ("{% for a in 'x' * 1000 %}{% for b in 'x' * 1000 %}{% for c in 'x' * 1000 %}"
                     "{% endfor %}{% endfor %}{% endfor %}", "vòng lặp {% for c in 'x' * 1000 %}"),
    "nested-loops-printing": ("{% for a in 'x' * 1000 %}{% for b in 'x' * 1000 %}{{ a }}{{ b }}"
                              "{% endfor %}{% endfor %}", "vòng lặp {% for b in 'x' * 1000 %}"),
    "loop-over-generator": (f"{{% for a in ({NAME} * 5000)|map('upper') %}}{{% for b in ({NAME} * 5000)"
                            f"|map('upper') %}}{{% endfor %}}{{% endfor %}}",
                            f"vòng lặp {{% for a in ({NAME} * 5000)|map('upper') %}} (hơn "),
    "output": ("{% set b = 'x' * 100000 %}" + "{{ b }}" * 60, "{{ b }}: mẫu in ra và tạo quá"),
    # another template: there is no loader, and the tag is named when the template compiles
    "include": ("{% include 'x.xml' %}", "{% include 'x.xml' %}"),
    "import": ("{% import 'x.xml' as m %}", "{% import 'x.xml' as m %}"),
    "from-import": ("{% from 'x.xml' import m %}", "{% from 'x.xml' import m %}"),
    "extends": ("{% extends 'x.xml' %}", "{% extends 'x.xml' %}"),
    "blocked-attribute": (f"{{{{ {NAME}.__class__ }}}}", f"{{{{ {NAME}.__class__ }}}}"),
    # addresses: the engine's objects and methods print nothing
    "self": ("{{ self }}", "{{ self }}"),
    "self-block": ("{% block b %}B{% endblock %}{{ self.b }}", "{{ self.b }}"),
    "method": (f"{{{{ {NAME}.upper }}}}", f"{{{{ {NAME}.upper }}}}: 'upper' là một phương thức"),
    "method-join": ("{{ ''.join }}", "{{ ''.join }}: 'join' là một phương thức"),
    "method-in-text": (f"{{{{ 'Tên: ' ~ {NAME}.upper }}}}", "'upper' là một phương thức"),
    "method-joined": (f"{{{{ [{NAME}.upper]|join }}}}", "'upper' là một phương thức"),
    "loop-object": ("{% for x in 'ab' %}{{ loop }}{% endfor %}", "{{ loop }}: giá trị là đối tượng LoopContext"),
    # a template's own arithmetic error is a template problem too, not a bug of docgen
    "zero-division": ("{{ 1 / 0 }}", "ZeroDivisionError"),
}


def _forms(tmp_path: Path) -> Path:
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    return forms


def _write_template(path: Path, *paragraphs: str) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)
    return path


def _run(args: list[str]):
    t0 = time.perf_counter()
    result = CliRunner().invoke(main, args)
    return result, time.perf_counter() - t0


def _render_decision(forms: Path, out: Path):
    return _run(["--forms-dir", str(forms), FORM, str(HUONG), "--org", str(SAMPLES / "org.json"),
                 "-o", str(out), "--format", "docx"])


@pytest.mark.parametrize("tag, named", TEMPLATE_ATTACKS.values(), ids=TEMPLATE_ATTACKS.keys())
def test_a_hostile_template_is_refused_quickly_with_exit_4(tmp_path, tag, named):
    forms = _forms(tmp_path)
    _write_template(forms / FORM / "template.docx", "QUYẾT ĐỊNH", "Ông/bà: " + tag)
    out = tmp_path / "out"
    result, seconds = _render_decision(forms, out)
    assert result.exit_code == 4, result.stderr
    assert seconds < QUICK
    assert FORM in result.stderr  # "Mẫu admission-decision: …", or the template's path
    assert named in result.stderr
    assert "Lỗi nội bộ" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("tag, named", [TEMPLATE_ATTACKS[k] for k in
                                        ("center", "join", "repeat", "power-tower", "nested-loops", "output",
                                         "doubling", "tojson-doubling")])
def test_refused_before_the_memory_is_taken(tmp_path, engine, org_data, tag, named):
    """Peak memory of a refused render stays far below what the attack asks for (hundreds of
    megabytes to gigabytes); the budget of one render is counted in characters, not bytes."""
    tpl = CompiledTemplate(_write_template(tmp_path / "template.docx", tag))
    form = engine.library.get(FORM)
    ctx = engine.context(form, make_inputs(engine, org_data, read_json(HUONG)))
    tracemalloc.start()
    try:
        with pytest.raises(FormError) as info:
            tpl.render(ctx)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert named in str(info.value)
    assert peak < 64 * 2**20


def test_forms_lint_names_tags_that_load_another_template(tmp_path):
    forms = _forms(tmp_path)
    _write_template(forms / FORM / "template.docx", "{% include 'x.xml' %}", "{{ self }}", "{{ a.__class__ }}")
    result, _ = _run(["--forms-dir", str(forms), "forms", "lint"])
    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    at = lines.index(f"{FORM}: có thẻ không biên dịch được")
    assert lines[at + 1].startswith("    word/document.xml: {% include 'x.xml' %}  (thẻ {% include %} không dùng được")
    assert lines[at + 2].startswith("    word/document.xml: {{ self }}  (self không dùng được")
    assert lines[at + 3].startswith("    word/document.xml: {{ a.__class__ }}  (thuộc tính '__class__' bị chặn")


# -- data strings: legal_basis.toml and rules.toml -------------------------------------------------
PROPOSAL = ('committee_resolution = "- Xét Nghị quyết số {{ committee_resolution_number }}, ngày '
            '{{ committee_resolution_date }} của {{ committee_name }} {% if delegated %}về việc kết nạp đảng viên'
            '{% else %}đề nghị kết nạp đảng viên{% endif %} ({{ committee_approve }}/{{ committee_members }} '
            'cấp ủy viên tán thành),"')

LEGAL_ATTACKS = {
    "blocked-attribute": ("{{ cell_name.__class__ }}", "thẻ {{ cell_name.__class__ }}: thuộc tính '__class__' bị chặn"),
    "blocked-item": ("{{ cell_name['__class__'] }}", "thẻ {{ cell_name['__class__'] }}"),
    "blocked-at-render": ("{{ cell_name|attr('_' ~ '_class__') }}", "access to attribute '__class__'"),
    "include": ("{% include 'x' %}", "thẻ {% include 'x' %}: thẻ {% include %} không dùng được"),
    "import": ("{% import 'x' as y %}", "thẻ {% import 'x' as y %}"),
    "extends": ("{% extends 'x' %}", "thẻ {% extends 'x' %}"),
    "self": ("{{ self }}", "thẻ {{ self }}: self không dùng được"),
    "method": ("{{ cell_name.upper }}", "'upper' là một phương thức"),
    "center": ("{{ cell_name|center(999999999) }}", "bộ lọc |center"),
    "undefined": ("{{ cell_nam }}", "'cell_nam' is undefined"),
}


@pytest.mark.parametrize("line, named", LEGAL_ATTACKS.values(), ids=LEGAL_ATTACKS.keys())
def test_a_broken_legal_basis_line_is_a_form_problem_naming_its_key(tmp_path, line, named):
    forms = _forms(tmp_path)
    legal = forms / "_shared" / "legal_basis.toml"
    text = legal.read_text(encoding="utf-8")
    assert PROPOSAL in text
    broken = "committee_resolution = " + json.dumps(line, ensure_ascii=False)
    legal.write_text(text.replace(PROPOSAL, broken), encoding="utf-8")
    result, seconds = _render_decision(forms, tmp_path / "out")
    assert result.exit_code == 4, result.stderr
    assert seconds < QUICK
    assert f"{legal}: [common] committee_resolution: " in result.stderr
    assert named in result.stderr


def test_forms_lint_names_a_broken_legal_basis_line(tmp_path):
    forms = _forms(tmp_path)
    legal = forms / "_shared" / "legal_basis.toml"
    broken = "committee_resolution = \"{% include 'x' %}\""
    legal.write_text(legal.read_text(encoding="utf-8").replace(PROPOSAL, broken), encoding="utf-8")
    result, _ = _run(["--forms-dir", str(forms), "forms", "lint"])
    assert result.exit_code == 4
    assert (f"{legal}: [common] committee_resolution: thẻ {{% include 'x' %}}: thẻ {{% include %}} không dùng được"
            in result.stdout)


AGE_MESSAGE = 'message = "Tuổi đời tại {{ meeting }}'


@pytest.mark.parametrize("message, named, compiles", [
    ("{% include 'x' %}", "thẻ {% include 'x' %}", False),
    ("{{ years.__class__ }}", "thẻ {{ years.__class__ }}: thuộc tính '__class__' bị chặn", False),
    ("{{ meeting.upper }}", "'upper' là một phương thức", True),
    ("{{ years|center(999999999) }}", "bộ lọc |center", True),
    ("{{ 1 / 0 }}", "ZeroDivisionError", True),
])
def test_a_broken_rule_message_is_a_form_problem(tmp_path, message, named, compiles):
    """rules.toml messages render through the same render_text: whatever fails is exit 4,
    with the rule (docgen/check/engine.py wraps the sandbox's error with it); ``forms lint`` names
    those that do not compile."""
    forms = _forms(tmp_path)
    rules = forms / "_shared" / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    start = text.index(AGE_MESSAGE)
    end = text.index("\n", start)
    rules.write_text(text[:start] + "message = " + json.dumps(message, ensure_ascii=False) + text[end:],
                     encoding="utf-8")
    result, seconds = _run(["--forms-dir", str(forms), "check", str(SAMPLES / "invalid" / "age-under-18.json"),
                            "--org", str(SAMPLES / "org.json")])
    assert result.exit_code == 4, result.stderr
    assert seconds < QUICK
    assert "rules.toml" in result.stderr and "age.minimum" in result.stderr
    assert named in result.stderr
    lint, _ = _run(["--forms-dir", str(forms), "forms", "lint"])
    assert lint.exit_code == (0 if compiles else 4)
    if not compiles:
        assert f"{rules}: [rule.\"age.minimum\"] message: {named}" in lint.stdout


# -- the sandbox itself ----------------------------------------------------------------------------
def test_limits_are_exact_bounds():
    """A value of exactly MAX_VALUE characters or items is built; one more is refused."""
    env = environment(True)
    assert MAX_VALUE == 100_000
    for ok, refused in [
        ("{{ ('x' * 100000)|length }}", "{{ ('x' * 100001)|length }}"),
        ("{{ ('x'|center(100000))|length }}", "{{ ('x'|center(100001))|length }}"),
        ("{{ ('x' * 90000)|indent(10000, true)|length }}", "{{ ('x' * 90000)|indent(10001, true)|length }}"),
        ("{% set a = [0] * 100000 %}{{ 100000 }}", "{% set a = [0] * 100001 %}{{ 100000 }}"),
        # nested lists count every item they print: 100 lists of 999 items and the lists themselves
        ("{% set a = [[0] * 999] * 100 %}{{ 100000 }}", "{% set a = [[0] * 1000] * 100 %}{{ 100000 }}"),
    ]:
        assert env.from_string(ok).render() == "100000"
        with pytest.raises(sandbox.LimitError):
            env.from_string(refused).render()


def test_a_loop_within_the_budget_renders(tmp_path):
    env = environment(True)
    source = "{% for a in xs %}{% for b in xs %}.{% endfor %}{% endfor %}"
    assert env.from_string(source).render(xs=list(range(200))) == "." * 40_000
    with pytest.raises(sandbox.LimitError) as info:
        env.from_string(source).render(xs=list(range(1000)))
    assert "vòng lặp {% for b in xs %}" in str(info.value)


def test_the_budget_is_per_render():
    """Each render starts with a full budget: a template that uses most of it renders again and again."""
    tpl = environment(True).from_string("{% for a in xs %}{{ a }}{% endfor %}")
    xs = ["x"] * (MAX_STEPS // 8)  # a pass of the body is 5 steps: the loop, {{ a }}
    for _ in range(3):
        assert tpl.render(xs=xs) == "x" * len(xs)


def test_objects_without_a_text_form_are_not_printed(tmp_path):
    """A Python caller's object prints "<… object at 0x…>"; it is refused with the tag."""
    tpl = CompiledTemplate(_write_template(tmp_path / "template.docx", "Tên: {{ person }}"))
    with pytest.raises(FormError) as info:
        tpl.render({"person": object()})
    assert "{{ person }}: giá trị là đối tượng object không có dạng chữ" in str(info.value)
    with pytest.raises(FormError):
        tpl.render({"person": [1, object()]})
    assert b"Nguy" in tpl.render({"person": "Nguyễn Văn An"})


def test_string_methods_still_work_when_called():
    assert render_text("{{ name.upper() }} {{ name.replace('a', 'o') }} {{ d.get('k') }}",
                       {"name": "an", "d": {"k": "v"}}) == "AN on v"


def test_data_string_errors_are_form_and_template_errors():
    """checks.py catches TemplateError around render_text; the CLI maps FormError to exit 4."""
    with pytest.raises(sandbox.DataTemplateError) as info:
        render_text("{{ 1 / 0 }}", {})
    assert isinstance(info.value, FormError) and isinstance(info.value, sandbox.TemplateError)
    with pytest.raises(sandbox.SecurityError):
        render_text("{{ x|attr('__class__') }}", {"x": "a"})


def test_the_bundled_forms_use_a_small_part_of_the_budget(engine, org_data, monkeypatch):
    """Every sample paper (three dossiers, the congress pack) stays under 1 % of either
    per-render budget, so no real form comes near a limit."""
    renders = []

    class Recording(sandbox.BudgetContext):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            renders.append(self)

    for autoescape in (True, False):
        monkeypatch.setattr(environment(autoescape), "context_class", Recording)
    for path in VALID_CANDIDATES:
        inputs = make_inputs(engine, org_data, read_json(path))
        for form in engine.pack_forms(inputs, "admission-dossier"):
            engine.render(form, inputs, formats=("docx",))
    inputs = make_inputs(engine, org_data, read_json(SAMPLES / "congress.json"), "congress")
    for form in engine.pack_forms(inputs, "congress"):
        engine.render(form, inputs, formats=("docx",))
    assert len(renders) > 30
    assert max(r.docgen_steps for r in renders) < MAX_STEPS // 100
    assert max(r.docgen_chars for r in renders) < MAX_CHARS // 100
