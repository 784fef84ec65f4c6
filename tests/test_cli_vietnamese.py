"""Vietnamese everywhere a user looks (issue 15): Click's own usage errors and help headings,
and the user guide docs/huong-dan.md.

Click's messages come from docgen/locale/click_vi.toml (docgen.clitext). The catalogue is
checked against Click's installed source, read with ``ast``: every message Click marks for
gettext must have a translation, so a Click upgrade that brings a new English message fails
here rather than reaching a user.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import shlex
import shutil
import string
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from docgen import clitext
from docgen.cli import main

from conftest import ROOT, SAMPLES

CLICK_DIR = Path(click.__file__).resolve().parent
HUONG = str(SAMPLES / "candidates" / "pham-thi-thu-huong.json")
ORG = str(SAMPLES / "org.json")


# -- the catalogue against Click's source ---------------------------------------------------------------
def click_messages(click_dir: Path) -> dict:
    """What Click's source marks for translation: ``gettext`` msgids, ``ngettext`` pairs, the
    values a non-literal ``_(extra["required"])`` can take, the class-level names of its value
    types, the literal defaults of a usage line, and the modules that import gettext. Any other
    non-literal ``_(…)`` is listed under ``unreadable``, since no catalogue can be checked for it."""
    found: dict = {"gettext": {}, "ngettext": {}, "dynamic": {}, "type_names": {}, "usage": {},
                   "modules": set(), "unreadable": []}
    for path in sorted(click_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module == "gettext":
                found["modules"].add(f"click.{path.stem}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                args = node.args
                if node.func.id == "_" and len(args) == 1 and isinstance(args[0], ast.Constant):
                    found["gettext"].setdefault(args[0].value, where)
                elif node.func.id == "ngettext" and all(isinstance(a, ast.Constant) for a in args[:2]):
                    found["ngettext"].setdefault(args[0].value, (args[1].value, where))
                elif (node.func.id == "_" and isinstance(args[0], ast.Subscript)
                      and isinstance(args[0].slice, ast.Constant)):
                    found["dynamic"].setdefault(args[0].slice.value, where)   # _(extra["required"])
                else:
                    found["unreadable"].append(f"{where}: {ast.unparse(node)}")
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                for target in targets:
                    if (isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)
                            and isinstance(value, ast.Constant) and isinstance(value.value, str)):
                        found.setdefault("assigned", {}).setdefault(target.slice.value, set()).add(value.value)
                    if (isinstance(target, ast.Name) and target.id == "subcommand_metavar"
                            and isinstance(value, ast.Constant)):
                        found["usage"][value.value] = where
        if path.name == "types.py":
            for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
                for stmt in cls.body:
                    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else getattr(stmt, "target", None)
                    if (isinstance(target, ast.Name) and target.id == "name"
                            and isinstance(getattr(stmt, "value", None), ast.Constant)):
                        found["type_names"][stmt.value.value] = f"types.py:{stmt.lineno} {cls.name}"
    # what _(extra["required"]) can be: every literal assigned to extra["required"]
    for key, where in found.pop("dynamic").items():
        for value in found.get("assigned", {}).get(key, ()):
            found["gettext"].setdefault(value, where)
        if not found.get("assigned", {}).get(key):
            found["unreadable"].append(f"{where}: _(…[{key!r}]) with no literal assigned to it")
    found.pop("assigned", None)
    return found


def fields(text: str) -> set[str]:
    """The replacement fields of a message: ``{name}``, ``{name!r}``, ``%(name)s``."""
    names = {name.split("!")[0].split(".")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
    return names | set(re.findall(r"%\((\w+)\)", text))


def uncovered(click_dir: Path, tables: dict) -> list[str]:
    """Every message of Click's source the catalogue lacks; empty when it lacks none."""
    found = click_messages(click_dir)
    out = [f"cannot check a non-literal message: {u}" for u in found["unreadable"]]
    out += [f"{where}: no translation for {msgid!r}" for msgid, where in found["gettext"].items()
            if msgid not in tables["gettext"]]
    out += [f"{where}: no translation for ngettext {msgid!r}" for msgid, (_, where) in found["ngettext"].items()
            if msgid not in tables["ngettext"]]
    out += [f"{where}: no Vietnamese name for the type {name!r}" for name, where in found["type_names"].items()
            if name not in tables["type_names"]]
    default = inspect.signature(click.Command.__init__).parameters["options_metavar"].default
    usage = {**found["usage"], default: "Command.__init__"}
    out += [f"{where}: no translation for the usage placeholder {text!r}" for text, where in usage.items()
            if text not in tables["usage"]]
    # an entry Click no longer has is harmless (and older Clicks that pyproject.toml allows lack some)
    return out


def test_every_message_click_marks_for_translation_has_vietnamese():
    assert uncovered(CLICK_DIR, clitext.catalogue()) == []


def test_a_click_upgrade_with_a_new_message_fails_the_check(tmp_path):
    """The check above can fail: a copy of Click's source with one more message, one more
    value type and one more usage placeholder is named three times."""
    fake = tmp_path / "click"
    shutil.copytree(CLICK_DIR, fake, ignore=shutil.ignore_patterns("__pycache__"))
    with (fake / "exceptions.py").open("a", encoding="utf-8") as f:
        f.write('\n\ndef brand_new():\n    return _("Option {name!r} is now spelled differently.")\n')
    with (fake / "types.py").open("a", encoding="utf-8") as f:
        f.write('\n\nclass Colour(ParamType):\n    name = "colour"\n')
    with (fake / "core.py").open("a", encoding="utf-8") as f:
        f.write('\n\ndef chained():\n    subcommand_metavar = "SUBCOMMAND..."\n    return subcommand_metavar\n')
    found = uncovered(fake, clitext.catalogue())
    assert len(found) == 3, found
    assert "no translation for 'Option {name!r} is now spelled differently.'" in found[0]
    assert "'colour'" in found[1] and "'SUBCOMMAND...'" in found[2]


def test_clitext_patches_every_click_module_that_imports_gettext():
    found = click_messages(CLICK_DIR)["modules"]
    assert found <= set(clitext.CLICK_MODULES) | set(clitext.WINDOWS_MODULES)


def test_the_catalogue_is_nfc_vietnamese_and_keeps_to_each_messages_fields():
    raw = clitext.CATALOGUE.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    tables = clitext.catalogue()
    english_many = {msgid: many for msgid, (many, _) in click_messages(CLICK_DIR)["ngettext"].items()}
    for msgid, text in tables["gettext"].items():
        assert text != msgid, msgid
        assert fields(text) <= fields(msgid), (msgid, text)
    for msgid, pair in tables["ngettext"].items():
        assert len(pair) == 2 and msgid not in pair, msgid
        allowed = fields(msgid) | fields(english_many.get(msgid, ""))
        assert fields(pair[0]) | fields(pair[1]) <= allowed, (msgid, pair)


# -- what a user sees -----------------------------------------------------------------------------------
ENGLISH = ["Usage", "Error", "Try '", "Options:", "Commands:", "Show this", "Show the", "does not exist",
           "Did you mean", "Invalid value", "Missing", "No such", "[OPTIONS]", "is not one of", "is not in the range",
           "is not a valid", "extra argument", "default:", "required]", "TEXT", "INTEGER", "requires an argument"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    """docgen in an empty folder with no workspace around it (as a user outside one)."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"DOCGEN_WORKSPACE": None, "DOCGEN_FORMS_DIR": None})
    return lambda *args: runner.invoke(main, list(args))


def assert_vietnamese(output: str) -> None:
    english = [word for word in ENGLISH if word in output]
    assert not english, (english, output)


@pytest.mark.parametrize("args, expected", [
    (["admission-decision", "khong-co.json", "--org", ORG], "Giá trị không hợp lệ ở 'TỆP-JSON': không tìm thấy "
                                                            "'khong-co.json'."),
    (["admission-decision", HUONG, "--org", ORG, "--formt", "pdf"],
     "Không có tùy chọn '--formt'. (Có phải một trong: '--force', '--format', '--org'?)"),
    (["batch", "admission-decision", HUONG, "--resum"], "Không có tùy chọn '--resum'. Có phải '--resume'?"),
    (["admission-decision", HUONG, "--org", ORG, "--format", "odt"],
     "Giá trị không hợp lệ ở '--format': 'odt' không phải một trong 'docx', 'pdf', 'both'."),
    (["admission-decision", HUONG, "thua", "--org", ORG], "Thừa đối số (thua)"),
    (["admission-decision", HUONG, "a", "b", "--org", ORG], "Thừa các đối số (a b)"),
    (["admission-decision"], "Thiếu đối số 'TỆP-JSON'."),
    (["admission-decision", HUONG, "--org"], "Tùy chọn '--org' cần một giá trị."),
    (["admision-decision", HUONG], "Không có lệnh 'admision-decision'."),
    (["init", "chi-bo"], "Thiếu tùy chọn '--org'."),
    (["batch", "admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG, "-o", "ra", "-j", "0"],
     "Giá trị không hợp lệ ở '-j' / '--jobs': 0 nằm ngoài khoảng cho phép 1<=x<=64."),
    (["batch", "admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG, "-o", "ra", "-j", "hai"],
     "Giá trị không hợp lệ ở '-j' / '--jobs': 'hai' không phải một số hợp lệ."),
    (["schema", "hoso"], "'hoso' không phải một trong 'candidate', 'congress', 'org'."),
    (["--forms-dir", HUONG, "forms"], "pham-thi-thu-huong.json' là một tệp, không phải thư mục."),
])
def test_usage_errors_are_vietnamese_and_exit_2(run, args, expected):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert_vietnamese(result.output)
    lines = result.output.splitlines()
    if args[-1] != "--org":  # Click raises an option's missing value with no command to show the usage of
        assert lines[0].startswith("Cách dùng: ") and "[TÙY-CHỌN]" in lines[0], result.output
        assert lines[1].startswith("Xem hướng dẫn: ") and lines[1].endswith(" --help"), result.output
    assert lines[-1].startswith("Lỗi: ") and expected in lines[-1], result.output


def test_no_org_outside_a_workspace_says_what_to_do(tmp_path):
    """The acceptance line of issue 15: ``docgen admission-decision`` with no ``--org`` prints a
    Vietnamese usage error, run as the installed program is (``python -m docgen.cli``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DOCGEN_WORKSPACE", "DOCGEN_FORMS_DIR")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "docgen.cli", "admission-decision", HUONG], cwd=tmp_path,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and list(tmp_path.iterdir()) == []
    assert_vietnamese(done.stderr)
    lines = done.stderr.splitlines()
    assert lines[0].endswith("admission-decision [TÙY-CHỌN] TỆP-JSON")
    assert lines[1].endswith("admission-decision --help")
    error = lines[-1]
    assert error.startswith("Lỗi: Thiếu tùy chọn --org (tệp JSON của tổ chức đảng")
    assert "--org TỆP-TỔ-CHỨC.json" in error and "docgen init" in error


def test_help_screens_and_version_are_vietnamese(run):
    top = run("--help")
    assert top.exit_code == 0
    assert top.output.startswith("Cách dùng: ") and "[TÙY-CHỌN] LỆNH [ĐỐI-SỐ]..." in top.output.splitlines()[0]
    for heading in ("\nTùy chọn:\n", "\nLệnh:\n", "Hiện số phiên bản rồi thoát.", "Hiện hướng dẫn này rồi thoát.",
                    "--forms-dir THƯ-MỤC"):
        assert heading in top.output, heading
    assert_vietnamese(top.output)

    one = run("batch", "--help")
    assert one.exit_code == 0
    assert "-j, --jobs SỐ-NGUYÊN" in one.output and "[mặc định: both]" in one.output
    assert "--org TỆP" in one.output
    assert_vietnamese(one.output)

    attach = run("dossier", "attach", "--help")
    assert "--kind CHỮ" in attach.output and "[bắt buộc]" in attach.output
    assert_vietnamese(attach.output)

    group = run("dossier")   # a group with no command: its help, exit 2 as Click does
    assert group.exit_code == 2 and "\nLệnh:\n" in group.output
    assert_vietnamese(group.output)

    version = run("--version")
    assert version.exit_code == 0 and re.fullmatch(r"docgen, phiên bản \S+\n", version.output)


# -- the user guide -------------------------------------------------------------------------------------
GUIDE = ROOT / "docs" / "huong-dan.md"


def guide_commands() -> list[tuple[int, str]]:
    """Every docgen command line of the guide's code blocks: (line number, the line)."""
    out, fenced = [], False
    for number, line in enumerate(GUIDE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif fenced and re.match(r"\s*(\.venv\\Scripts\\)?docgen( |$)", line):
            out.append((number, line.strip()))
    return out


def command_problems(line: str) -> list[str]:
    """What in one command line names no command, option or choice of docgen's command group.
    Paths are not checked (they are the reader's files)."""
    words = shlex.split(line.replace("\\", "/"), comments=True)
    for stop in (">", "|"):
        if stop in words:
            words = words[:words.index(stop)]
    words = words[1:]
    command: click.Command = main
    ctx = click.Context(main, info_name="docgen")
    positional = 0
    problems = []
    while words:
        word = words.pop(0)
        params = {name: p for p in command.params if isinstance(p, click.Option) for name in p.opts + p.secondary_opts}
        if word.startswith("-"):
            name, _, value = word.partition("=")
            option = params.get(name)
            if option is None and name not in ("-h", "--help"):
                problems.append(f"{command.name}: no option {name}")
                continue
            if option is not None and not option.is_flag and not value:
                value = words.pop(0) if words else ""
            if option is not None and isinstance(option.type, click.Choice) and value not in option.type.choices:
                problems.append(f"{command.name} {name}: {value!r} is not one of {option.type.choices}")
        elif isinstance(command, click.Group) and positional == 0:
            sub = command.get_command(ctx, word)
            if sub is None:
                problems.append(f"{command.name}: no command {word!r}")
                break
            command, ctx = sub, click.Context(sub, parent=ctx, info_name=word)
        else:
            arguments = [p for p in command.params if isinstance(p, click.Argument)]
            if positional >= len(arguments):
                problems.append(f"{command.name}: unexpected argument {word!r}")
            elif isinstance(kind := arguments[positional].type, click.Choice) and word not in kind.choices:
                problems.append(f"{command.name}: {word!r} is not one of {kind.choices}")
            positional += 1
    missing = [p.name for p in command.params if isinstance(p, click.Argument) and p.required][positional:]
    if missing and "--help" not in line and not isinstance(command, click.Group):
        problems.append(f"{command.name}: missing {missing}")
    return problems


def test_the_guide_is_nfc_and_writes_dates_as_party_documents_do():
    from datetime import date

    from docgen.domain.vietnamese import long_date

    text = GUIDE.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    for heading in ("## 1. Cài đặt trên Windows", "## 2. Làm tệp tổ chức", "## 3. Quyết định kết nạp đầu tiên",
                    "## 4. Sổ Excel cho cả hồ sơ kết nạp", "## 5. Danh sách Excel cũ", "## 6. Biểu mẫu trên web",
                    "## 7. Thư mục làm việc và sổ đăng ký", "## 8. Sửa mẫu trong Word",
                    "## 9. Khi có lỗi: mã thoát và các thông báo thường gặp"):
        assert heading in text.splitlines(), heading
    dates = re.findall(r"ngày (\d+) tháng (\d+) năm (\d{4})", text)
    assert dates
    for day, month, year in dates:
        written = f"ngày {day} tháng {month} năm {year}"
        assert written == long_date(date(int(year), int(month), int(day))), written


def test_the_guide_explains_every_exit_code():
    text = GUIDE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (\d+) \|", text, re.MULTILINE))
    assert documented == {"0", "1", "2", "3", "4", "5", "141"}


def test_the_checker_of_command_lines_can_fail():
    assert command_problems("docgen admission-decision ho-so.json --org to-chuc.json") == []
    assert command_problems("docgen admision-decision ho-so.json") == ["main: no command 'admision-decision'"]
    assert command_problems("docgen admission-decision ho-so.json --formt pdf")[0] == (
        "admission-decision: no option --formt")
    assert command_problems("docgen schema hoso") == [
        "schema: 'hoso' is not one of ('candidate', 'congress', 'org')"]
    assert command_problems("docgen dossier show") == ["show: missing ['dossier_id']"]
    assert command_problems("docgen check a.json b.json") == ["check: unexpected argument 'b.json'"]


@pytest.mark.parametrize("number, line", guide_commands(), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_every_command_line_of_the_guide_exists(number, line):
    assert command_problems(line) == [], f"docs/huong-dan.md:{number}: {line}"


def test_the_guides_example_files_pass_the_check(tmp_path):
    """The organisation file and the profile the guide shows make a decision that `docgen check` accepts."""
    blocks = re.findall(r"```json\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    org = next(b for b in blocks if '"committee"' in b)
    profile = next(b for b in blocks if '"candidate"' in b)
    (tmp_path / "to-chuc.json").write_text(org, encoding="utf-8")
    (tmp_path / "ho-so.json").write_text(profile, encoding="utf-8")
    runner = CliRunner(env={"DOCGEN_WORKSPACE": None, "DOCGEN_FORMS_DIR": None})
    result = runner.invoke(main, ["check", str(tmp_path / "ho-so.json"), "--org", str(tmp_path / "to-chuc.json"),
                                  "--form", "admission-decision"])
    assert result.exit_code == 0, result.output
    assert "Hồ sơ đầy đủ, không có lỗi." in result.output


def test_the_readme_links_the_guide_before_anything_else():
    """A secretary who opens the project page finds the Vietnamese guide first, above the English."""
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "(docs/huong-dan.md)" in head.split("docgen produces", 1)[0]
