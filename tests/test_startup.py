"""Start-up: what a command imports, and the compiled code docgen keeps between runs.

`docgen --help`, `forms`, `schema` and `check` never load the renderers (python-docx, docxtpl,
lxml, reportlab, docgen.render), the Excel reader or the web application: each is run here in a
fresh interpreter, which then lists the modules it has imported. How long they take is the
benchmark's business (bench/), never a test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from docgen import sandbox
from docgen.sandbox import LimitError, compile_template, environment

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

RENDERERS = ("reportlab", "docxtpl", "docx", "lxml", "openpyxl", "flask", "werkzeug", "docgen.render")

PROBE = """
import json, sys
from docgen.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
sys.stderr.write("\\n@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(*args: str, cache: Path, env: dict[str, str] | None = None) -> tuple[int, set[str], str]:
    """Run ``docgen ARGS`` in a fresh interpreter: its exit code, every module it imported, its output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCGEN_CACHE_DIR": str(cache), **(env or {})}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    head, _, tail = done.stderr.rpartition("\n@@")
    report = json.loads(tail)
    return report["code"], set(report["modules"]), done.stdout


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_lists_every_form_and_imports_no_renderer_no_jinja(tmp_path):
    code, modules, out = imported_by("--help", cache=tmp_path)
    assert code == 0
    # every form folder and pack is a command in the listing
    for name in ("admission-decision", "admission-dossier", "congress", "recognition-decision", "nomination"):
        assert f"  {name} " in out or f"  {name}\n" in out
    assert "Quyết định kết nạp đảng viên" in out
    # the listing reads the manifests alone: no renderer, no sandbox, no check stage, no holidays
    assert loaded(modules, RENDERERS + ("jinja2", "holidays", "docgen.check", "docgen.sandbox")) == []


@pytest.mark.parametrize("args", [["forms"], ["schema", "candidate"], ["schema", "congress"]])
def test_forms_and_schema_import_no_renderer(tmp_path, args):
    code, modules, out = imported_by(*args, cache=tmp_path)
    assert code == 0
    assert loaded(modules, RENDERERS + ("holidays",)) == []
    if args[0] == "forms":
        assert "admission-decision  Mẫu 9-KNĐ" in out
    else:
        assert json.loads(out)["type"] == "object"


def test_check_imports_no_renderer(tmp_path):
    code, modules, out = imported_by("check", str(SAMPLES / "candidates" / "ly-thi-y-lan.json"),
                                     "--org", str(SAMPLES / "org.json"), cache=tmp_path)
    assert code == 0, out
    assert "Hồ sơ đầy đủ, không có lỗi." in out
    assert loaded(modules, RENDERERS) == []
    assert loaded(modules, ("html",)) == []  # the sandbox names a broken tag with it; the PDF renderer needs it


def test_a_form_command_help_imports_no_renderer(tmp_path):
    code, modules, out = imported_by("admission-decision", "--help", cache=tmp_path)
    assert code == 0
    assert "Quyết định kết nạp đảng viên" in out
    assert loaded(modules, RENDERERS) == []


def test_a_decision_imports_only_what_a_decision_needs(tmp_path):
    """One admission decision, DOCX + PDF, imports neither a congress's election arithmetic, the
    roster reader, the forms linter (docgen's own templates need no lint), the dossier's kinds
    (kept pickled within the kept library) nor the calendar module (and locale with it); with a
    warm cache (the first run's), as a secretary's runs are."""
    args = ("admission-decision", str(SAMPLES / "candidates" / "pham-thi-thu-huong.json"), "--org",
            str(SAMPLES / "org.json"), "--format", "both")
    for run in ("cold", "warm"):
        code, modules, out = imported_by(*args, "-o", str(tmp_path / run), cache=tmp_path / "cache")
        assert code == 0, out
    assert sorted(p.suffix for p in (tmp_path / "warm").iterdir()) == [".docx", ".pdf"]
    assert loaded(modules, ("docgen.domain.elections", "docgen.load.roster", "docgen.pipeline.lint", "calendar",
                            "locale", "docgen.load.dossier")) == []
    assert "docgen.domain.votes" in modules and "docgen.check" in modules  # it did check the profile


GC_PROBE = """
import atexit, gc, sys
atexit.register(lambda: sys.stderr.write("\\n@@collector " + str(gc.isenabled())))  # runs last
from docgen.cli import main
sys.argv[0] = "docgen"
main()
"""


@pytest.mark.parametrize("args, off", [
    (["admission-decision", str(SAMPLES / "candidates" / "pham-thi-thu-huong.json"), "--format", "docx"], True),
    (["check", str(SAMPLES / "candidates" / "pham-thi-thu-huong.json")], False),
])
def test_a_paper_run_as_the_program_ends_without_the_collector(tmp_path, args, off):
    """`docgen <form> …` in a shell switches the cyclic garbage collector off for the papers (the
    process ends with them); any other command keeps it, and so does a process that goes on
    (below)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCGEN_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", GC_PROBE, *args, "--org", str(SAMPLES / "org.json"),
                           *(["-o", str(tmp_path / "out")] if off else [])],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.rpartition("@@collector ")[2] == str(not off)
    if off:
        from doctext import docx_text

        (docx,) = (tmp_path / "out").glob("*.docx")
        assert "PHẠM THỊ THU HƯỜNG" in docx_text(docx.read_bytes()).upper()


def test_a_paper_in_a_process_that_goes_on_keeps_the_collector(tmp_path):
    import gc

    from click.testing import CliRunner

    from docgen.cli import main

    result = CliRunner().invoke(main, ["admission-decision", str(SAMPLES / "candidates" / "pham-thi-thu-huong.json"),
                                       "--org", str(SAMPLES / "org.json"), "-o", str(tmp_path), "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("*.docx"))
    assert gc.isenabled()


# -- the bytecode cache ------------------------------------------------------------------------------
@pytest.fixture
def cache_at(tmp_path, monkeypatch):
    """The sandbox's bytecode cache in a folder of this test (the process-wide one restored after)."""
    def use(folder: Path) -> None:
        monkeypatch.setenv("DOCGEN_CACHE_DIR", str(folder))
        sandbox._bytecode_cache.cache_clear()

    yield use
    sandbox._bytecode_cache.cache_clear()


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.code"))


def test_compiled_code_is_kept_and_read_back(tmp_path, cache_at):
    cache_at(tmp_path)
    env = environment(False)
    source = "Số {{ n }}-QĐ/{{ symbol }} (bộ nhớ đệm)"
    assert compile_template(env, source).render(n=7, symbol="ĐUC") == "Số 7-QĐ/ĐUC (bộ nhớ đệm)"
    files = cached_files(tmp_path)
    assert len(files) == 1
    # the folder names this docgen, this Jinja and this sandbox: another sandbox never reads it
    assert files[0].parent.parent.name == "jinja"
    before = files[0].read_bytes()
    assert compile_template(env, source).render(n=8, symbol="CB") == "Số 8-QĐ/CB (bộ nhớ đệm)"
    assert files[0].read_bytes() == before  # read back, not written again


def test_autoescape_and_plain_are_kept_apart(tmp_path, cache_at):
    cache_at(tmp_path)
    source = "{{ v }}"
    assert compile_template(environment(False), source).render(v="a & b") == "a & b"
    assert compile_template(environment(True), source).render(v="a & b") == "a &amp; b"
    assert len(cached_files(tmp_path)) == 2


def test_a_corrupt_cache_file_is_compiled_again(tmp_path, cache_at):
    cache_at(tmp_path)
    env = environment(False)
    source = "{{ a }} và {{ b }}"
    compile_template(env, source)
    (file,) = cached_files(tmp_path)
    for broken in (b"", b"garbage", file.read_bytes()[:20], b"j2" + b"\x00" * 50):
        file.write_bytes(broken)
        assert compile_template(env, source).render(a="X", b="Y") == "X và Y"


def test_an_unwritable_cache_is_done_without(tmp_path, cache_at):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache_at(blocker / "cache")
    assert compile_template(environment(False), "{{ x }}!").render(x="ok") == "ok!"
    assert sandbox._bytecode_cache() is None


def test_cached_code_is_still_sandboxed(tmp_path, cache_at):
    cache_at(tmp_path)
    env = environment(False)
    # a template that compiles but goes past a limit when it runs: refused from the cache too
    source = "{{ 'x' * n }}"
    for _ in range(2):
        with pytest.raises(LimitError):
            compile_template(env, source).render(n=10**7)
    assert len(cached_files(tmp_path)) == 1
    # a template the sandbox refuses at compile time is never cached, and refused every time
    for _ in range(2):
        with pytest.raises(Exception, match="__class__"):
            compile_template(env, "{{ x.__class__ }}")
    assert len(cached_files(tmp_path)) == 1


def test_decision_is_the_same_with_a_cold_and_a_warm_cache(tmp_path):
    """The whole command twice on one cache folder: the same DOCX text (the cache changes nothing)."""
    from doctext import docx_text

    cache = tmp_path / "cache"
    outs = []
    for run in ("cold", "warm"):
        out = tmp_path / run
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCGEN_CACHE_DIR": str(cache)}
        done = subprocess.run([sys.executable, "-m", "docgen.cli", "admission-decision",
                               str(SAMPLES / "candidates" / "ly-thi-y-lan.json"), "--org", str(SAMPLES / "org.json"),
                               "-o", str(out), "--format", "docx"], capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        (docx,) = out.glob("*.docx")
        outs.append(docx_text(docx.read_bytes()))
    assert cached_files(cache)
    assert outs[0] == outs[1]
    assert "LÝ THỊ Ỷ LAN" in outs[0].upper()


# -- public holidays -----------------------------------------------------------------------------------
def test_holidays_are_cached_as_the_package_gives_them(tmp_path, monkeypatch):
    from docgen.domain.workdays import vn_holidays
    from docgen.load import forms

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(forms, "_HOLIDAYS", {})
    first = forms.cached_holidays(2026)
    assert first == vn_holidays(2026) and len(first) >= 10
    (file,) = tmp_path.rglob("VN-*.json")
    assert "2026-09-02" in json.loads(file.read_text(encoding="utf-8"))["2026"]   # Quốc khánh
    monkeypatch.setattr(forms, "_HOLIDAYS", {})
    assert forms.cached_holidays(2026) == first                                     # read back
    for broken in ("", "[1, 2]", '{"2026": ["2026-13-45"]}', '{"2026": 7}'):
        file.write_text(broken, encoding="utf-8")
        monkeypatch.setattr(forms, "_HOLIDAYS", {})
        assert forms.cached_holidays(2026) == first                                 # computed again


# -- parsed TOML ---------------------------------------------------------------------------------------
def test_parsed_toml_is_kept_and_a_broken_cache_parsed_again(tmp_path, monkeypatch):
    import tomllib

    from docgen.errors import parse_toml

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path))
    text = '[common]\nline = "Căn cứ Điều lệ Đảng"\nwhen = 2026-02-05\n'
    first = parse_toml(text)
    assert first == tomllib.loads(text)
    (file,) = tmp_path.rglob("*.pickle")
    first["common"]["line"] = "changed by a caller"          # each call gets its own value
    assert parse_toml(text) == tomllib.loads(text)
    for broken in (b"", b"not a pickle", file.read_bytes()[:10]):
        file.write_bytes(broken)
        assert parse_toml(text) == tomllib.loads(text)
    with pytest.raises(tomllib.TOMLDecodeError):            # a syntax error is never cached
        parse_toml("key = ")
    with pytest.raises(tomllib.TOMLDecodeError):
        parse_toml("key = ")


# -- a DOCX with a warm cache ------------------------------------------------------------------------
def test_a_docx_with_a_warm_cache_imports_neither_docxtpl_nor_reportlab(tmp_path):
    from doctext import docx_text

    args = ("admission-decision", str(SAMPLES / "candidates" / "ly-thi-y-lan.json"), "--org",
            str(SAMPLES / "org.json"), "--format", "docx")
    code, cold, _ = imported_by(*args, "-o", str(tmp_path / "cold"), cache=tmp_path / "cache")
    assert code == 0
    code, warm, _ = imported_by(*args, "-o", str(tmp_path / "warm"), cache=tmp_path / "cache")
    assert code == 0
    assert loaded(cold, ("docxtpl",)) != []  # the first run patches the template with docxtpl …
    assert loaded(warm, ("docxtpl", "docx", "reportlab", "docgen.render.pdf")) == []  # … the next reads it back
    (a,), (b,) = (tmp_path / "cold").glob("*.docx"), (tmp_path / "warm").glob("*.docx")
    assert a.read_bytes() == b.read_bytes()
    assert "Ự" in docx_text(b.read_bytes()) or "Ỷ" in docx_text(b.read_bytes())


# -- the forms' commands and the parsed forms folder, kept between runs --------------------------------
def user_form(tmp_path: Path, title: str) -> Path:
    """A user's forms folder with a copy of admission-decision with the help line ``title``."""
    import shutil

    user = tmp_path / "mau-rieng"
    shutil.copytree(ROOT / "forms" / "admission-decision", user / "admission-decision")
    set_title(user, title)
    return user


def set_title(user: Path, title: str) -> None:
    """Write ``title`` as the copy's help line (what --help lists); its modification time moves a second on, so that
    an edit of the same length is still a new (size, time) however coarse the file system's clock."""
    manifest = user / "admission-decision" / "form.toml"
    before = manifest.stat().st_mtime_ns if manifest.exists() else 0
    text = manifest.read_text(encoding="utf-8")
    start = text.index('\nhelp = "') + len('\nhelp = "')
    manifest.write_text(text[:start] + title + text[text.index('"', start):], encoding="utf-8")
    os.utime(manifest, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_help_from_the_kept_listing_is_the_same_and_reads_no_manifest(tmp_path):
    cache = tmp_path / "cache"
    code, cold, first = imported_by("--help", cache=cache)
    assert code == 0
    assert list((cache / "commands").iterdir()) and list((cache / "click").iterdir())
    code, warm, second = imported_by("--help", cache=cache)
    assert code == 0
    assert second == first
    assert "tomllib" in cold and "docgen.load.forms" in cold
    # the second run reads the listing and Click's Vietnamese back: no TOML reader, no forms
    # stage, no field registry, and none of the workspace's sqlite3 and socket
    assert loaded(warm, ("tomllib", "docgen.load.forms", "docgen.load.fields", "sqlite3", "socket")) == []


def test_an_edited_added_or_removed_manifest_is_listed_on_the_next_run(tmp_path):
    cache = tmp_path / "cache"
    user = user_form(tmp_path, "Quyết định kết nạp AAAA")

    def listing() -> str:
        code, _, out = imported_by("--forms-dir", str(user), "--help", cache=cache)
        assert code == 0
        return out

    assert "Quyết định kết nạp AAAA" in listing()
    set_title(user, "Quyết định kết nạp BBBB")          # same size: the time tells
    assert "Quyết định kết nạp BBBB" in listing() and "AAAA" not in listing()
    import shutil

    shutil.copytree(user / "admission-decision", user / "quyet-dinh-moi")
    manifest = user / "quyet-dinh-moi" / "form.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('id = "admission-decision"',
                                                                     'id = "quyet-dinh-moi"'), encoding="utf-8")
    assert "  quyet-dinh-moi " in listing()
    shutil.rmtree(user / "quyet-dinh-moi")
    assert "quyet-dinh-moi" not in listing()
    # the bundled listing is kept apart from the user's folder's
    code, _, bundled = imported_by("--help", cache=cache)
    assert "Quyết định kết nạp đảng viên" in bundled and "BBBB" not in bundled


def test_a_broken_kept_listing_is_read_again(tmp_path):
    cache = tmp_path / "cache"
    code, _, first = imported_by("--help", cache=cache)
    for broken in (b"", b"not marshal", b"\xe9\x00\x00"):
        for file in list((cache / "commands").iterdir()) + list((cache / "click").iterdir()):
            file.write_bytes(broken)
        code, _, again = imported_by("--help", cache=cache)
        assert code == 0 and again == first


def test_the_kept_click_catalogue_is_the_file_and_a_changed_file_is_read(tmp_path, monkeypatch):
    from docgen import clitext

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "click_vi.toml"
    copy.write_bytes(clitext.CATALOGUE.read_bytes())
    monkeypatch.setattr(clitext, "CATALOGUE", copy)
    first = clitext.catalogue()
    assert first == clitext.read_catalogue()
    assert clitext.catalogue() == first                       # read back
    text = copy.read_text(encoding="utf-8")
    before = copy.stat().st_mtime_ns
    copy.write_text(text.replace('"Usage:" = "', '"Usage:" = "X'), encoding="utf-8")
    os.utime(copy, ns=(before + 1_000_000_000, before + 1_000_000_000))
    changed = clitext.catalogue()
    assert changed["gettext"]["Usage:"] == "X" + first["gettext"]["Usage:"]


def library_of(user: Path | None = None):
    from docgen.pipeline import Engine

    return Engine.open(user).library


def test_the_kept_library_is_the_one_read_from_the_files(tmp_path, monkeypatch):
    from docgen.load import forms

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    cold = library_of()
    cold.validate()
    (kept,) = (tmp_path / "cache" / "library").iterdir()
    read = []
    monkeypatch.setattr(forms, "_read_all", lambda *a: read.append(a) or pytest.fail("read again"))
    warm = library_of()
    warm.validate()
    assert read == []
    assert warm.forms == cold.forms and warm.packs == cold.packs and warm.legal == cold.legal
    assert (warm.wording, warm.congress_conf, warm.style) == (cold.wording, cold.congress_conf, cold.style)
    assert warm.later("rules.toml").keys() == cold.later("rules.toml").keys()
    assert warm.registry.json_schema("candidate", []) == cold.registry.json_schema("candidate", [])
    assert warm.dossier_kinds == cold.dossier_kinds
    assert warm.dossier == cold.dossier  # kept pickled within, read back when first asked for


def test_an_edited_manifest_or_data_file_is_read_on_the_next_use(tmp_path, monkeypatch):
    import shutil

    from docgen.errors import FormDataError

    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    user = user_form(tmp_path, "Quyết định kết nạp AAAA")
    assert library_of(user).get("admission-decision").help == "Quyết định kết nạp AAAA"
    set_title(user, "Quyết định kết nạp BBBB")
    assert library_of(user).get("admission-decision").help == "Quyết định kết nạp BBBB"
    # a shared file the user adds, then edits
    (user / "_shared").mkdir()
    style = user / "_shared" / "style.toml"
    shutil.copy(ROOT / "forms" / "_shared" / "style.toml", style)
    before = library_of(user).style
    assert before == library_of().style
    text = style.read_text(encoding="utf-8")
    style.write_text(text + "\n[bogus_table]\nx = 1\n", encoding="utf-8")
    with pytest.raises(FormDataError, match="bogus_table"):
        library_of(user).validate()
    with pytest.raises(FormDataError, match="bogus_table"):   # a broken folder is never kept
        library_of(user).validate()
    style.write_text(text, encoding="utf-8")
    assert library_of(user).style == before


def test_a_broken_kept_library_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(tmp_path / "cache"))
    want = library_of().get("admission-decision")
    (kept,) = (tmp_path / "cache" / "library").iterdir()
    good = kept.read_bytes()
    import pickle

    for broken in (b"", b"garbage", good[:100], pickle.dumps(("other", (), None)), pickle.dumps([1, 2])):
        kept.write_bytes(broken)
        assert library_of().get("admission-decision") == want
        assert kept.read_bytes() == good                       # made and kept again


# -- the text of docgen --help, kept ---------------------------------------------------------------------
@pytest.mark.parametrize("columns", [None, "60", "200"])
def test_the_kept_help_is_clicks_own_text_byte_for_byte(tmp_path, monkeypatch, columns):
    env = {"COLUMNS": columns} if columns else {}
    monkeypatch.delenv("COLUMNS", raising=False)
    cache = tmp_path / "cache"
    code, cold, made = imported_by("--help", cache=cache, env=env)
    assert code == 0 and "click._textwrap" in cold      # Click formatted it
    for flag in ("--help", "-h"):
        code, warm, kept = imported_by(flag, cache=cache, env=env)
        assert code == 0
        assert kept == made
    # the warm run neither formats nor declares the forms' commands
    assert loaded(warm, ("click._textwrap", "docgen.load.forms", "tomllib")) == []
    if columns == "60":  # wrapped as a 60-column terminal is
        assert "đại hội\n  chi bộ)" in made


def test_the_kept_help_is_made_again_when_a_manifest_changes(tmp_path):
    cache = tmp_path / "cache"
    user = user_form(tmp_path, "Quyết định kết nạp AAAA")
    env = {"DOCGEN_FORMS_DIR": str(user)}
    assert "Quyết định kết nạp AAAA" in imported_by("--help", cache=cache, env=env)[2]
    assert "Quyết định kết nạp AAAA" in imported_by("--help", cache=cache, env=env)[2]
    set_title(user, "Quyết định kết nạp BBBB")
    code, modules, out = imported_by("--help", cache=cache, env=env)
    assert "Quyết định kết nạp BBBB" in out and "AAAA" not in out
    assert "click._textwrap" in modules                  # made by Click again


def test_the_help_key_names_what_the_text_is_made_from(tmp_path, monkeypatch):
    from docgen import cli, clitext

    monkeypatch.delenv("DOCGEN_FORMS_DIR", raising=False)
    before = cli.help_key()
    assert cli.help_key() == before
    copy = tmp_path / "click_vi.toml"
    copy.write_bytes(clitext.CATALOGUE.read_bytes())
    monkeypatch.setattr(clitext, "CATALOGUE", copy)
    assert cli.help_key() != before                       # another catalogue
    monkeypatch.setattr(clitext, "CATALOGUE", clitext.CATALOGUE)
    monkeypatch.setenv("COLUMNS", "71")
    assert cli.help_key() != before                       # another width
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(sys, "argv", ["another-name"])
    assert cli.help_key() != before                       # another program name in the usage line


def test_help_and_a_paper_without_a_writable_cache_folder(tmp_path):
    from doctext import docx_text

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    code, _, out = imported_by("--help", cache=blocker / "cache")
    assert code == 0 and "  admission-decision " in out
    assert imported_by("--help", cache=blocker / "cache")[2] == out
    code, _, _ = imported_by("admission-decision", str(SAMPLES / "candidates" / "ly-thi-y-lan.json"), "--org",
                             str(SAMPLES / "org.json"), "--format", "docx", "-o", str(tmp_path / "out"),
                             cache=blocker / "cache")
    assert code == 0
    (docx,) = (tmp_path / "out").glob("*.docx")
    assert "QUYẾT ĐỊNH" in docx_text(docx.read_bytes())


# -- the end of a command ------------------------------------------------------------------------------
def test_a_command_process_skips_the_garbage_collection_of_its_teardown(tmp_path):
    """docgen.cli freezes the collector when the process ends (gc.freeze, atexit), so Python's
    teardown does not walk the objects the imports left: a cycle left behind is then not
    collected at exit (its __del__ does not run), as it is in a plain Python process."""
    flag = tmp_path / "collected"
    code = ("import gc, sys\n{imp}\n"
            "class Cycle:\n"
            "    def __del__(self):\n"
            f"        open({str(flag)!r}, 'w').close()\n"
            "a = Cycle(); a.me = a; del a\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for imp, collected in (("pass", True), ("import docgen.cli", False)):
        flag.unlink(missing_ok=True)
        done = subprocess.run([sys.executable, "-c", code.format(imp=imp)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert flag.exists() is collected, imp
