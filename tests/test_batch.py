"""Batch generation: JSON folders and lists, Excel rosters with their usual faults, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.load.roster import clean_date, clean_int

from conftest import ROOT, SAMPLES, decision_only, read_json
from doctext import docx_text

ORG = str(SAMPLES / "org.json")
sys.path.insert(0, str(ROOT / "bench"))
from bench_render import profiles  # noqa: E402  (fictional profile generator shared with the benchmark)


def run(*args):
    return CliRunner().invoke(main, ["batch", *args])


@pytest.mark.parametrize("value, iso", [
    (date(1998, 3, 7), "1998-03-07"), ("07/03/1998", "1998-03-07"), ("7/3/1998", "1998-03-07"),
    ("7-3-1998", "1998-03-07"), ("07.03.1998", "1998-03-07"), ("1998-03-07", "1998-03-07"),
    (7031998, "1998-03-07"), ("07031998", "1998-03-07"), (35861, "1998-03-07"), (" 07/03/1998 ", "1998-03-07"),
])
def test_roster_dates_in_every_usual_shape(value, iso):
    assert clean_date(value) == iso


def test_unreadable_dates_and_numbers_pass_through_for_the_checks():
    assert clean_date("31/02/2000") == "31/02/2000"
    assert clean_date("tháng 3") == "tháng 3"
    assert clean_int("07") == 7 and clean_int(12.0) == 12 and clean_int("mười hai") == "mười hai"


def test_sample_roster_writes_a_decision_per_row(tmp_path):
    result = run("admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG, "-o", str(tmp_path), "-j", "1")
    assert result.exit_code == 0, result.output
    docx = sorted(tmp_path.glob("*.docx"))
    assert len(docx) == 24 and len(list(tmp_path.glob("*.pdf"))) == 24
    texts = [docx_text(p.read_bytes()) for p in docx]
    assert all("QUYẾT ĐỊNH" in t and "kết nạp đảng viên" in t for t in texts)
    assert sum("sinh ngày" in t for t in texts) == 24
    # NFD names with padded spaces come out composed and single-spaced
    assert not any("   " in t for t in texts)
    assert "Đã ghi: 48 tệp" in result.stdout and "Lỗi: 0 mục" in result.stdout


def test_broken_rows_are_reported_by_row_and_column(tmp_path):
    result = run("admission-decision", str(SAMPLES / "roster-broken.xlsx"), "--org", ORG, "-o", str(tmp_path),
                 "-j", "1")
    assert result.exit_code == 3
    out = result.stdout
    expected = {
        "Dòng 5": 'cột "Họ và tên"',
        "Dòng 6": 'cột "Ngày sinh"',
        "Dòng 7": 'cột "Ngày quyết định"',
        "Dòng 8": 'cột "Số quyết định"',
        "Dòng 9": 'cột "Ngày sinh"',
        "Dòng 10": 'cột "Ngày quyết định"',
        "Dòng 11": 'cột "Số đảng viên tán thành"',  # the cell's vote under two thirds
    }
    for row, column in expected.items():
        block = out.split(f"  {row}:\n", 1)[1].split("\n  Dòng", 1)[0]
        assert column in block, (row, block)
    assert "Lỗi: 7 mục" in out
    assert len(list(tmp_path.glob("*.docx"))) == 1  # the valid rows are still written


def test_json_list_and_folder_inputs_and_name_collisions(tmp_path):
    cand = decision_only(read_json(SAMPLES / "candidates" / "ly-thi-y-lan.json"))
    other = json.loads(json.dumps(cand))
    other["admission"]["decision"]["number"] = 22
    bad = json.loads(json.dumps(cand))
    del bad["candidate"]["full_name"]
    lst = tmp_path / "list.json"
    lst.write_text(json.dumps([cand, other, bad], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = run("admission-decision", str(lst), "--org", ORG, "-o", str(out), "-j", "1", "--format", "docx")
    assert result.exit_code == 3
    assert "list.json[2]" in result.stdout and "candidate.full_name" in result.stdout
    names = sorted(p.name for p in out.glob("*.docx"))
    # the second item of the same name takes its position: "-2" could be another person's name
    assert names == ["2026-04-14_admission-decision_ly-thi-y-lan.docx",
                     "2026-04-14_admission-decision_ly-thi-y-lan_muc-2.docx"]
    assert "Số 22-QĐ/ĐUC" in docx_text((out / names[1]).read_bytes())
    assert "list.json[1]: tên 2026-04-14_admission-decision_ly-thi-y-lan.docx đã dùng cho list.json[0]" in result.stdout
    folder = run("admission-dossier", str(SAMPLES / "candidates"), "--org", ORG, "-o", str(tmp_path / "d"), "-j", "2")
    assert folder.exit_code == 0, folder.output
    dossiers = sorted(p.name for p in (tmp_path / "d").iterdir() if p.is_dir())
    assert len(dossiers) == 3 and all("_admission-dossier_" in d for d in dossiers)
    for d in dossiers:
        assert (tmp_path / "d" / d / f"{d}.pdf").exists()


def test_congress_pack_in_batch(tmp_path):
    result = run("congress", str(SAMPLES / "congress.json"), "--org", ORG, "-o", str(tmp_path), "-j", "1")
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(list(folder.glob("*.docx"))) == 15


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".docgen-batch.jsonl"}


def test_killed_batch_resumes_to_the_same_outputs(tmp_path):
    items = profiles(80, seed=11)
    src = tmp_path / "list.json"
    src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    exe = str(Path(sys.executable).parent / "docgen")
    args = [exe, "batch", "admission-decision", str(src), "--org", ORG, "-j", "1"]
    full, part = tmp_path / "full", tmp_path / "part"
    subprocess.run(args + ["-o", str(full)], check=True, capture_output=True)

    proc = subprocess.Popen(args + ["-o", str(part)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(part.glob("*.pdf"))) < 20:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written_before = len(list(part.glob("*.pdf")))
    assert 0 < written_before < 80

    resumed = subprocess.run(args + ["-o", str(part), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    skipped = int(resumed.stdout.split("Bỏ qua (đã có, --resume): ")[1].split()[0])
    assert skipped >= written_before - 1
    assert _tree(part) == _tree(full)
    assert not list(part.rglob(".docgen-*.part"))


def test_resume_redoes_items_whose_input_changed(tmp_path):
    items = profiles(3, seed=5)
    src = tmp_path / "list.json"
    src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    base = ["admission-decision", str(src), "--org", ORG, "-o", str(out), "-j", "1", "--format", "docx"]
    assert run(*base).exit_code == 0
    again = run(*base, "--resume")
    assert "Bỏ qua (đã có, --resume): 3 mục" in again.stdout and "Đã ghi: 0 tệp" in again.stdout
    items[1]["candidate"]["hometown"] = "xã Mới, tỉnh Khác"
    src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    changed = run(*base, "--resume")
    assert "Bỏ qua (đã có, --resume): 2 mục" in changed.stdout and "Đã ghi: 1 tệp" in changed.stdout


def test_unreadable_org_or_output_are_clear_errors(tmp_path):
    bad_org = tmp_path / "org.json"
    bad_org.write_text("{ not json", encoding="utf-8")
    result = run("admission-decision", str(SAMPLES / "roster.xlsx"), "--org", str(bad_org), "-o", str(tmp_path / "o"))
    assert result.exit_code == 3 and "không phải JSON hợp lệ" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG, "-o", str(blocker / "sub"),
                 "-j", "1")
    assert result.exit_code == 5
