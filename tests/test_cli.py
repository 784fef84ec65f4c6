"""The command line: help on every command, outputs, exit codes, the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from docgen.cli import main

from conftest import DAT, LAN, SAMPLES, VALID_CANDIDATES
from doctext import docx_text, pdf_text

ORG = str(SAMPLES / "org.json")


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("cmd", list(_commands(main)), ids=" ".join)
def test_every_command_has_help_with_an_example(cmd):
    result = CliRunner().invoke(main, [*cmd, "--help"])
    assert result.exit_code == 0, result.output
    assert "Ví dụ" in result.output and "docgen" in result.output


def test_admission_decision_writes_both_formats(tmp_path):
    result = CliRunner().invoke(main, ["admission-decision", str(DAT), "--org", ORG, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    paths = [Path(p) for p in result.stdout.split()]
    assert sorted(p.suffix for p in paths) == [".docx", ".pdf"]
    assert all(p.parent == tmp_path and p.exists() for p in paths)
    assert paths[0].name == "2026-02-05_admission-decision_nguyen-duc-dat.docx"
    assert docx_text(paths[0].read_bytes()) == pdf_text(paths[1].read_bytes())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docgen-")]


@pytest.mark.parametrize("fmt, suffixes", [("docx", [".docx"]), ("pdf", [".pdf"])])
def test_format_option(tmp_path, fmt, suffixes):
    result = CliRunner().invoke(main, ["admission-decision", str(VALID_CANDIDATES[1]), "--org", ORG, "-o",
                                       str(tmp_path), "--format", fmt])
    assert result.exit_code == 0
    assert sorted(p.suffix for p in tmp_path.iterdir()) == suffixes


def test_forms_lists_code_title_and_required_fields():
    result = CliRunner().invoke(main, ["forms"])
    assert result.exit_code == 0
    assert "admission-decision  Mẫu 9-KNĐ  Quyết định kết nạp đảng viên" in result.output
    assert "candidate.date_of_birth  (Ngày sinh)" in result.output


def test_forms_lint_reports_the_render_path():
    result = CliRunner().invoke(main, ["forms", "lint"])
    assert result.exit_code == 0
    assert "admission-decision: compiled; XML kiểm theo khuôn; PDF: đủ" in result.output
    assert all(line.endswith("PDF: đủ") for line in result.output.splitlines())


def test_context_prints_formatted_values():
    result = CliRunner().invoke(main, ["context", str(DAT), "--org", ORG, "--form", "admission-decision"])
    assert result.exit_code == 0
    ctx = json.loads(result.stdout)
    assert ctx["doc"]["number"] == "Số 07-QĐ/ĐUC"
    assert ctx["doc"]["place_date"] == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert ctx["candidate"]["full_name_upper"] == "NGUYỄN ĐỨC ĐẠT"


@pytest.mark.parametrize("kind", ["org", "candidate"])
def test_schema_has_vietnamese_titles(kind):
    result = CliRunner().invoke(main, ["schema", kind])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    if kind == "org":
        signer = schema["properties"]["committee"]["properties"]["signer"]["properties"]
        assert signer["title"]["enum"] == ["BÍ THƯ", "PHÓ BÍ THƯ"]
        assert signer["full_name"]["title"] == "Họ và tên người ký"
    else:
        assert schema["properties"]["candidate"]["properties"]["date_of_birth"]["title"] == "Ngày sinh"


def test_schema_validates_the_samples():
    jsonschema = pytest.importorskip("jsonschema")
    for kind, paths in (("org", [SAMPLES / "org.json"]), ("candidate", VALID_CANDIDATES)):
        schema = json.loads(CliRunner().invoke(main, ["schema", kind]).stdout)
        for p in paths:
            jsonschema.validate(json.loads(p.read_text(encoding="utf-8")), schema)


def test_unknown_form_is_exit_4():
    result = CliRunner().invoke(main, ["check", str(VALID_CANDIDATES[0]), "--org", ORG, "--form", "no-such-form"])
    assert result.exit_code == 4
    assert "Không có mẫu 'no-such-form'" in result.stderr


def test_a_missing_forms_dir_is_exit_4_and_an_empty_one_adds_nothing(tmp_path):
    result = CliRunner().invoke(main, ["--forms-dir", str(tmp_path / "missing"), "forms"])
    assert result.exit_code == 4 and "Không có thư mục mẫu" in result.stderr
    # an empty folder of the user's forms: every form comes from docgen
    empty = CliRunner().invoke(main, ["--forms-dir", str(tmp_path), "forms"])
    assert empty.exit_code == 0
    assert "admission-decision  Mẫu 9-KNĐ  Quyết định kết nạp đảng viên  [đi kèm docgen]" in empty.stdout


def test_unwritable_output_is_exit_5(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["admission-decision", str(VALID_CANDIDATES[0]), "--org", ORG,
                                       "-o", str(blocker / "sub")])
    assert result.exit_code == 5
    assert "Không tạo được thư mục" in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_outputs_get_the_usual_file_mode(tmp_path):
    """Papers are ordinary files (0666 less the umask), not private temporary files."""
    old = os.umask(0o022)
    try:
        result = CliRunner().invoke(main, ["admission-decision", str(DAT), "--org", ORG, "-o", str(tmp_path)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert len(modes) == 2 and set(modes.values()) == {0o644}, modes


def test_usage_error_is_exit_2():
    result = CliRunner().invoke(main, ["admission-decision", str(VALID_CANDIDATES[0])])
    assert result.exit_code == 2


def test_installed_script_runs_as_a_subprocess(tmp_path):
    exe = shutil.which("docgen", path=str(Path(sys.executable).parent)) or shutil.which("docgen")
    assert exe, "the docgen console script is not installed"
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_FORMS_DIR"}
    proc = subprocess.run([exe, "admission-decision", str(LAN), "--org", ORG, "-o", str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = sorted(tmp_path.glob("*"))
    assert [p.suffix for p in written] == [".docx", ".pdf"]
    bad = subprocess.run([exe, "check", str(SAMPLES / "invalid" / "missing-fields.json"), "--org", ORG, "--form",
                          "admission-decision"], capture_output=True, text=True, env=env)
    assert bad.returncode == 3 and "candidate.full_name" in bad.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX pipes")
def test_a_reader_that_stops_early_is_not_an_internal_error():
    """``docgen forms | head -1``: the reader closes the pipe; docgen ends quietly."""
    proc = subprocess.Popen([sys.executable, "-m", "docgen.cli", "forms"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # no reader any more: the first write fails with EPIPE
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""
