"""No wording lives in Python: what docgen prints besides the templates' own text (defaults such
as "không" for an empty reason, the "T/M" lines, the Youth Union's number, the congress's name,
the vote counters' roles…) comes from ``_shared/wording.toml`` and ``_shared/congress.toml``.

- a copy of one of those files in a user's forms folder, with one value changed, changes the
  printed document (DOCX and PDF), while the bundled file still prints the old wording;
- a missing key, an unknown key, a wrong type, a pattern naming something it is not given, or
  a value that must be one of a field's choices and is not, is exit 4 naming the file and key;
- the context builder holds no string with a Vietnamese letter, so the rule cannot regress.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.load.forms import CONGRESS_WORDING, WORDING, FormLibrary

from conftest import HUONG, ROOT, SAMPLES, read_json
from doctext import docx_text, normalize, pdf_text

ORG = str(SAMPLES / "org.json")
CONGRESS = SAMPLES / "congress.json"
BUILDER = ROOT / "docgen" / "context" / "builder.py"


def docgen(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def user_shared_file(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A user's forms folder holding only ``_shared/<name>``: docgen's own copy with ``old``
    (which must be there once) changed to ``new``."""
    user = tmp_path / "mau-rieng"
    (user / "_shared").mkdir(parents=True)
    text = (ROOT / "forms" / "_shared" / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    (user / "_shared" / name).write_text(text.replace(old, new), encoding="utf-8")
    return user


def congress_without_absent_reasons(tmp_path: Path) -> Path:
    data = read_json(CONGRESS)
    data["congress"]["members"].update(absent=[], present_official=14)
    path = tmp_path / "congress.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# (file, old, new, form, input, text printed before, text printed after; the input: a path, or
# a function of tmp_path that writes one)
EDITS = {
    "none": ("wording.toml", 'none = "không"', 'none = "không có ai"', "attendance-report",
             congress_without_absent_reasons, "Lý do vắng mặt: không.", "Lý do vắng mặt: không có ai."),
    "committee-on-behalf": ("wording.toml", 'on_behalf = "T/M ĐẢNG ỦY"',
                            'on_behalf = "THAY MẶT ĐẢNG ỦY"', "admission-decision", HUONG,
                            "T/M ĐẢNG ỦY", "THAY MẶT ĐẢNG ỦY"),
    "secretary-label": ("congress.toml", 'secretariat_one = "THƯ KÝ ĐẠI HỘI"', 'secretariat_one = "THƯ KÝ"',
                        "congress-minutes", CONGRESS, "THƯ KÝ ĐẠI HỘI Đỗ Thị Mai Anh", "THƯ KÝ Đỗ Thị Mai Anh"),
    "ratification-addressee": ("congress.toml",
                               'addressee = "{% if standing_committee %}Ban Thường vụ {% endif %}{{ committee_name }}"',
                               'addressee = "Thường trực {{ committee_name }}"', "ratification-request", CONGRESS,
                               "Kính gửi: Ban Thường vụ Đảng ủy", "Kính gửi: Thường trực Đảng ủy"),
}


@pytest.mark.parametrize("name, old, new, form, given, before, after", EDITS.values(), ids=EDITS.keys())
def test_a_wording_changed_in_a_user_forms_folder_is_printed(tmp_path, name, old, new, form, given, before, after):
    user = user_shared_file(tmp_path, name, old, new)
    source = given(tmp_path) if callable(given) else given
    printed = {}
    for which, args in (("user", ["--forms-dir", user]), ("bundled", [])):
        out = tmp_path / which
        result = docgen(*args, form, source, "--org", ORG, "-o", out, "--format", "both")
        assert result.exit_code == 0, result.output
        docx = sorted(out.glob("*.docx"))[0]  # the first of a form made once per election
        pdf = docx.with_suffix(".pdf")
        printed[which] = [normalize(docx_text(docx.read_bytes())), normalize(pdf_text(pdf.read_bytes()))]
    for text in printed["user"]:
        assert after in text and before not in text
    for text in printed["bundled"]:
        assert before in text and after not in text


def test_the_user_wording_reaches_the_context_and_the_rest_stays_docgens(tmp_path):
    user = user_shared_file(tmp_path, "wording.toml", 'on_behalf_committee = "T/M CHI ỦY"',
                            'on_behalf_committee = "T/M CHI ỦY CHI BỘ"')
    library = FormLibrary(user)
    assert library.survey()[0] == []
    assert library.wording["cell"]["on_behalf_committee"] == "T/M CHI ỦY CHI BỘ"
    assert library.wording["none"] == "không"
    assert library.congress_conf["vote_counters"]["head"] == "Trưởng ban"  # docgen's congress.toml


# -- a broken wording file is exit 4, naming the file and the key -----------------------------------
BREAKAGES = {
    "missing-key": ("wording.toml", 'on_behalf_committee = "T/M CHI ỦY"\n', "",
                    '[cell] thiếu khóa "on_behalf_committee"'),
    "unknown-key": ("wording.toml", 'secretary_title = "BÍ THƯ"', 'secretary_title = "BÍ THƯ"\nsecretary_titel = "x"',
                    '[cell] khóa lạ "secretary_titel": docgen không đọc khóa này (có phải "secretary_title"?)'),
    "unknown-top-key": ("wording.toml", 'none = "không"', 'none = "không"\nnone_text = "không"',
                        'khóa lạ "none_text": docgen không đọc khóa này (có phải "none"?)'),
    "missing-table": ("wording.toml", "[youth_union]", "[youth_unoin]", 'thiếu bảng "youth_union"'),
    "wrong-type": ("wording.toml", 'none = "không"', "none = false", 'khóa "none" phải là chuỗi, đang là false'),
    "organization-type": ("wording.toml", '"Đảng ủy" = "Đảng bộ"', '"Đảng ủy" = 1',
                          '[organization_of] khóa "Đảng ủy" phải là chuỗi, đang là số nguyên 1'),
    "pattern-name": ("wording.toml", 'number = "Số: {{ number }}-NQ/ĐTN"', 'number = "Số: {{ so }}-NQ/ĐTN"',
                     '[youth_union] khóa "number": không có tên "so"; dùng được: number'),
    "pattern-syntax": ("wording.toml", 'number = "Số: {{ number }}-NQ/ĐTN"', 'number = "Số: {{ number -NQ/ĐTN"',
                       "[youth_union] number: unexpected end of template"),
    "plain-with-tag": ("wording.toml", 'secretary_title = "BÍ THƯ"', 'secretary_title = "{{ title }}"',
                       '[cell] khóa "secretary_title" được in nguyên văn'),
    "cell-committee-threshold": ("wording.toml", "min_official = 9", "min_official = 0",
                                 '[cell_committee] khóa "min_official" phải là số nguyên từ 1 trở lên'),
    "authority-pattern-name": ("wording.toml", 'authority_line = "BAN THƯỜNG VỤ {{ name_upper }}"',
                               'authority_line = "BAN THƯỜNG VỤ {{ committee_upper }}"',
                               '[authority] khóa "authority_line": không có tên "committee_upper" '
                               '(có phải "name_upper"?)'),
    "congress-missing-key": ("congress.toml", 'member = "Ủy viên"\n', "", '[vote_counters] thiếu khóa "member"'),
    "congress-unknown-key": ("congress.toml", 'addressee = "', 'adressee = "',
                             '[ratification] khóa lạ "adressee": docgen không đọc khóa này (có phải "addressee"?)'),
    "congress-symbol": ("congress.toml", 'symbol = "ĐH"\n', "", 'thiếu khóa "symbol"'),
    "congress-office": ("congress.toml", 'secretary_office = "bí thư"', 'secretary_office = "bí thu"',
                        'khóa "secretary_office": "bí thu" không phải một lựa chọn của congress.elections[].office'),
    "congress-pattern-name": ("congress.toml", "nhiệm kỳ {{ term }}", "nhiệm kỳ {{ term_upper }}",
                              'khóa "name": không có tên "term_upper"'),
}


@pytest.mark.parametrize("name, old, new, message", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_broken_wording_file_is_exit_4_naming_the_file_and_key(tmp_path, name, old, new, message):
    user = user_shared_file(tmp_path, name, old, new)
    line = f"{user / '_shared' / name}: {message}"
    lint = docgen("--forms-dir", user, "forms", "lint")
    assert lint.exit_code == 4, lint.output
    assert sum(got.startswith(line) for got in lint.stdout.splitlines()) == 1, lint.stdout
    out = tmp_path / "out"
    result = docgen("--forms-dir", user, "admission-decision", HUONG, "--org", ORG, "-o", out, "--format", "docx")
    assert result.exit_code == 4, result.output
    assert any(got.strip().startswith(line) for got in result.stderr.splitlines()), result.stderr
    assert "Lỗi nội bộ" not in result.output
    assert not out.exists()


def test_the_bundled_files_hold_every_wording_key():
    library = FormLibrary(ROOT / "forms")
    assert library.survey()[0] == []
    for spec, read in ((WORDING, library.wording), (CONGRESS_WORDING, library.congress_conf)):
        for table, keys in spec.items():
            assert set(keys) <= set(read[table] if table else read), table


# -- the context builder holds no wording -----------------------------------------------------------
def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def vietnamese_strings(source: str) -> list[tuple[int, str]]:
    """Each string constant (f-strings' pieces included) that holds a letter outside ASCII
    (every Vietnamese letter with a mark, and đ), docstrings left out: (line, text)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
            and any(c.isalpha() and not c.isascii() for c in n.value)]


def test_the_context_builder_holds_no_vietnamese_wording():
    found = vietnamese_strings(BUILDER.read_text(encoding="utf-8"))
    assert found == [], ("wording belongs in forms/_shared/wording.toml (or congress.toml), not in "
                         f"{BUILDER.name}: {found}")


def test_the_check_finds_wording_put_back_into_code():
    source = '''"""Mở đầu: một docstring tiếng Việt."""


def f(x):
    """Docstring có dấu."""
    y = "ascii only"
    return x or "không", f"T/M {y}", f"Đại hội {x}"
'''
    assert [text for _, text in vietnamese_strings(source)] == ["không", "Đại hội "]
