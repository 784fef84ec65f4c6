"""A batch streams, and -j by default follows the rule of forms/_shared/batch.toml.

- Each item is read and checked just before it is rendered: item k+1 of a folder is read only
  after item k is written, and a list's entries are let go as they are handed on; so a batch
  holds one item at a time, whatever its length (``make bench`` measures the peak RSS).
- Its names are claimed in the log before its files are written, so a run cut short owns what
  it wrote.
- Progress counts every item, refused ones too, and reaches the total.
- Without -j, a DOCX-only or a small batch runs in one process, a big PDF batch on workers;
  a broken batch.toml is named (exit 4).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.errors import FormError
from docgen.pipeline import batch as batch_mod
from docgen.pipeline.batch import choose_jobs, run_batch

from conftest import ROOT
from doctext import docx_text
from test_batch_pool import ORG, named_profiles

DECISION = "admission-decision"


def folder_of(tmp_path: Path, items: list[dict]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for i, p in enumerate(items):
        (src / f"{i:03d}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    return src


def test_each_file_of_a_folder_is_read_after_the_previous_item_is_written(tmp_path, engine, monkeypatch):
    items = named_profiles(6, seed=11)
    src = folder_of(tmp_path, items)
    events: list[str] = []
    read, render = batch_mod._json_items, batch_mod._render

    def reading(path, *args):
        events.append(f"read {os.path.basename(path)}")
        return read(path, *args)

    def rendering(job, outdir):
        answer = render(job, outdir)
        events.append(f"wrote {job.label}")
        return answer

    monkeypatch.setattr(batch_mod, "_json_items", reading)
    monkeypatch.setattr(batch_mod, "_render", rendering)
    report = run_batch(DECISION, src, ORG, tmp_path / "out", engine=engine, formats=("docx",), jobs=1)
    assert report.ok and report.written == 6
    assert events == [e for i in range(6) for e in (f"read {i:03d}.json", f"wrote {i:03d}.json")]
    for p in items:  # and each decision holds its own person
        name = p["candidate"]["full_name"].upper()
        assert sum(name in docx_text(f.read_bytes()) for f in (tmp_path / "out").glob("*.docx")) == 1


def test_a_list_lets_go_of_each_entry_as_it_is_handed_on():
    entries = [{"a": 1}, {"b": 2}, {"c": 3}]
    seen = []
    for entry in batch_mod._let_go(entries):
        seen.append(entry)
        assert entries[: len(seen)] == [None] * len(seen)   # the list no longer holds what was handed on
    assert seen == [{"a": 1}, {"b": 2}, {"c": 3}]


def test_names_are_claimed_in_the_log_before_their_files_are_written(tmp_path, engine):
    src = folder_of(tmp_path, named_profiles(4, seed=12))
    out = tmp_path / "out"
    report = run_batch(DECISION, src, ORG, out, engine=engine, formats=("docx", "pdf"), jobs=1)
    assert report.ok and report.written == 8
    lines = [json.loads(x) for x in (out / ".docgen-batch.jsonl").read_text("utf-8").splitlines()]
    claimed: set[str] = set()
    done = 0
    for entry in lines:
        if "claims" in entry:
            claimed.update(entry["claims"])
        else:
            assert set(entry["files"]) <= claimed, entry["files"]
            done += 1
    assert done == 4 and len(claimed) == 8 == len(list(out.glob("*.docx")) + list(out.glob("*.pdf")))
    # the next run of the same source rewrites the log with one claims line for the source
    again = run_batch(DECISION, src, ORG, out, engine=engine, formats=("docx", "pdf"), jobs=1, resume=True)
    assert again.skipped == 4 and not again.written
    lines = [json.loads(x) for x in (out / ".docgen-batch.jsonl").read_text("utf-8").splitlines()]
    claims = [e for e in lines if "claims" in e]
    assert len(claims) == 1 and set(claims[0]["claims"]) == claimed


def test_progress_counts_every_item_and_reaches_the_total(tmp_path, engine):
    items = named_profiles(5, seed=13)
    del items[2]["candidate"]["full_name"]       # refused by its check
    src = tmp_path / "list.json"
    src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    calls: list[tuple[int, int]] = []
    report = run_batch(DECISION, src, ORG, tmp_path / "out", engine=engine, formats=("docx",), jobs=1,
                       progress=lambda done, total, label: calls.append((done, total)))
    assert [f.label for f in report.failed] == ["list.json[2]"]
    assert calls[-1] == (5, 5) and all(total == 5 for _, total in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_a_folder_whose_files_hold_no_profile_is_refused(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.json").write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", DECISION, str(src), "--org", ORG, "-o", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert "không có hồ sơ nào để làm" in result.output


@pytest.mark.parametrize(("target", "formats", "count", "workers"), [
    (DECISION, ("docx",), 50_000, False),        # a DOCX render is cheaper than starting a worker
    (DECISION, ("docx", "pdf"), 20, False),      # too few to pay for a worker's start
    (DECISION, ("pdf",), 1_000, True),
    ("admission-dossier", ("docx",), 1_000, False),
    ("admission-dossier", ("docx", "pdf"), 10, False),
    ("admission-dossier", ("docx", "pdf"), 1_000, True),
])
def test_the_default_jobs_follow_the_rule(engine, monkeypatch, target, formats, count, workers):
    monkeypatch.setattr(batch_mod.os, "cpu_count", lambda: 2)
    assert choose_jobs(engine, target, formats, count) == (2 if workers else 1)
    monkeypatch.setattr(batch_mod.os, "cpu_count", lambda: 1)
    assert choose_jobs(engine, target, formats, count) == 1


def test_the_rule_is_read_from_the_users_forms_folder(tmp_path, monkeypatch):
    from docgen.pipeline import Engine

    forms = tmp_path / "forms"
    (forms / "_shared").mkdir(parents=True)
    rule = (ROOT / "forms" / "_shared" / "batch.toml").read_text("utf-8")
    (forms / "_shared" / "batch.toml").write_text(rule.replace("min_items_form = 200", "min_items_form = 3"),
                                                  encoding="utf-8")
    monkeypatch.setattr(batch_mod.os, "cpu_count", lambda: 4)
    eng = Engine.open(str(forms))
    assert choose_jobs(eng, DECISION, ("pdf",), 3) == 4
    (forms / "_shared" / "batch.toml").write_text(rule.replace("min_items_form", "min_item_form"), encoding="utf-8")
    with pytest.raises(FormError, match='không có khóa "min_item_form"'):
        choose_jobs(eng, DECISION, ("pdf",), 3)


def test_a_broken_rule_stops_a_batch_without_j_and_names_the_key(tmp_path):
    forms = tmp_path / "forms"
    (forms / "_shared").mkdir(parents=True)
    rule = (ROOT / "forms" / "_shared" / "batch.toml").read_text("utf-8")
    (forms / "_shared" / "batch.toml").write_text(rule.replace("max = 0", "max = -1"), encoding="utf-8")
    src = tmp_path / "list.json"
    src.write_text(json.dumps(named_profiles(2, seed=14), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["--forms-dir", str(forms), "batch", DECISION, str(src), "--org", ORG,
                                       "-o", str(out), "--format", "docx"])
    assert result.exit_code == 4, result.output
    assert "[workers] max = -1 không hợp lệ" in result.output
    assert not out.exists() or not any(out.glob("*.docx"))
    # -j given: the rule is not read, the batch runs
    result = CliRunner().invoke(main, ["--forms-dir", str(forms), "batch", DECISION, str(src), "--org", ORG,
                                       "-o", str(out), "--format", "docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.docx"))) == 2
    shutil.rmtree(out)


def test_a_fault_reading_the_first_file_is_said_not_taken_for_an_empty_folder(tmp_path, engine, monkeypatch):
    """A fault of docgen itself while the folder's first file is read: the run says so (an
    internal error, exit 1), rather than that the folder holds no JSON file."""
    src = folder_of(tmp_path, named_profiles(3, seed=12))

    def broken(path, *args):
        raise AttributeError("a fault of docgen")

    monkeypatch.setattr(batch_mod, "_json_items", broken)
    report = run_batch(DECISION, src, ORG, tmp_path / "out", engine=engine, formats=("docx",), jobs=1)
    assert not report.ok and report.faults == 1 and report.written == 0
    (failure,) = report.failed
    assert failure.label == src.name and failure.code == 1
    assert "Lỗi nội bộ của docgen" in failure.reasons[0] and "AttributeError" in failure.reasons[0]
