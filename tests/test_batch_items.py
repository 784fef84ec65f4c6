"""A batch keeps every person's papers apart and ends every item in its own result.

- Output names never collide: two people of the same name, a person whose name ends in a
  number, a second source or a single command writing into the same folder.
- "Đã ghi" counts the files on disk.
- One item refused by a check, lost to a render error or to a fault of docgen does not stop
  the others; the exit code says which (3, or 1 for docgen's own fault), the summary and the
  log are complete.
- An unreadable file in a folder is that item's error.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main

from conftest import SAMPLES, read_json
from doctext import docx_text, pdf_text
from test_batch_pool import ORG, assert_each_person_has_a_decision, named_profiles, run_docgen, write_list

DECISION = "admission-decision"
DAY = named_profiles(1, seed=5)[0]["admission"]["decision"]["date"]


def batch(*args: str):
    return CliRunner().invoke(main, ["batch", *args])


def written_count(stdout: str) -> int:
    return int(stdout.split("Đã ghi: ", 1)[1].split()[0])


def files_on_disk(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".docgen"))


def three_ans() -> list[dict]:
    """Two people named "Nguyễn Văn An" and one named "Nguyễn Văn An 2", admitted the same day,
    told apart by their birth dates and decision numbers."""
    base = named_profiles(1, seed=5)[0]
    items = [copy.deepcopy(base) for _ in range(3)]
    for p, name, born, number in zip(items, ["Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Văn An 2"],
                                     ["1996-02-03", "1999-11-20", "2001-07-09"], [31, 32, 33], strict=True):
        p["candidate"]["full_name"] = name
        p["candidate"]["date_of_birth"] = born
        p["admission"]["decision"]["number"] = number
    return items


def person_in(text: str, p: dict) -> bool:
    y, m, d = (int(x) for x in p["candidate"]["date_of_birth"].split("-"))
    born = f"ngày {d:02d} tháng {m:02d} năm {y}" if m < 3 else f"ngày {d:02d} tháng {m} năm {y}"
    return (f"Kết nạp quần chúng {p['candidate']['full_name'].upper()}, sinh {born};" in " ".join(text.split())
            and f"Số {p['admission']['decision']['number']}-QĐ/" in text)


def test_two_people_of_one_name_and_a_name_ending_in_2_get_three_sets_of_papers(tmp_path):
    items = three_ans()
    out = tmp_path / "out"
    result = batch(DECISION, str(write_list(tmp_path, items)), "--org", ORG, "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    on_disk = files_on_disk(out)
    assert len(on_disk) == 6 and written_count(result.stdout) == 6
    assert sorted(p.name for p in on_disk if p.suffix == ".docx") == [
        f"{DAY}_admission-decision_nguyen-van-an-2.docx",
        f"{DAY}_admission-decision_nguyen-van-an.docx",
        f"{DAY}_admission-decision_nguyen-van-an_muc-2.docx",
    ]
    # each person in exactly one DOCX and one PDF, the two of the same stem
    for p in items:
        docx = [f for f in on_disk if f.suffix == ".docx" and person_in(docx_text(f.read_bytes()), p)]
        pdf = [f for f in on_disk if f.suffix == ".pdf" and person_in(pdf_text(f.read_bytes()), p)]
        assert len(docx) == 1 and len(pdf) == 1 and docx[0].stem == pdf[0].stem, p["candidate"]
    assert f"list.json[1]: tên {DAY}_admission-decision_nguyen-van-an.docx đã dùng cho list.json[0]" \
        in result.stdout


def test_the_three_dossiers_are_three_folders_each_one_persons(tmp_path):
    base = read_json(SAMPLES / "candidates" / "ly-thi-y-lan.json")
    items = []
    for name, born, number in [("Nguyễn Văn An", "1996-02-03", 31), ("Nguyễn Văn An", "1999-11-20", 32),
                               ("Nguyễn Văn An 2", "2001-07-09", 33)]:
        p = copy.deepcopy(base)
        p["candidate"]["full_name"] = name
        p["candidate"]["date_of_birth"] = born
        p["admission"]["decision"]["number"] = number
        items.append(p)
    out = tmp_path / "out"
    result = batch("admission-dossier", str(write_list(tmp_path, items)), "--org", ORG, "-o", str(out), "-j", "1",
                   "--format", "docx")
    assert result.exit_code == 0, result.output
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    day = base["admission"]["cell_meeting"]["date"]  # a dossier's date: the cell's meeting
    assert [f.name for f in folders] == [f"{day}_admission-dossier_nguyen-van-an",
                                         f"{day}_admission-dossier_nguyen-van-an-2",
                                         f"{day}_admission-dossier_nguyen-van-an_muc-2"]
    assert written_count(result.stdout) == len(files_on_disk(out))
    for folder, p in zip(folders, [items[0], items[2], items[1]], strict=True):
        decisions = [docx_text(f.read_bytes()) for f in folder.glob("*_admission-decision_*.docx")]
        assert len(decisions) == 1 and person_in(decisions[0], p), folder.name
        assert (folder / f"{folder.name}.pdf").exists()  # the merged PDF bears the folder's name


def test_another_source_or_a_single_command_never_overwrites_and_the_same_source_replaces_its_own(tmp_path):
    first, second = three_ans()[:2]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    out = tmp_path / "out"
    plain = out / f"{DAY}_admission-decision_nguyen-van-an.docx"
    ran = batch(DECISION, str(write_list(tmp_path / "a", [first])), "--org", ORG, "-o", str(out), "--format", "docx")
    assert ran.exit_code == 0 and person_in(docx_text(plain.read_bytes()), first)

    # a second roster, another person of the same name: written beside, not over, the first
    other = batch(DECISION, str(write_list(tmp_path / "b", [second])), "--org", ORG, "-o", str(out),
                  "--format", "docx")
    assert other.exit_code == 0, other.output
    assert person_in(docx_text(plain.read_bytes()), first)
    renamed = out / f"{DAY}_admission-decision_nguyen-van-an_muc-1.docx"
    assert person_in(docx_text(renamed.read_bytes()), second)
    assert f"do một lệnh hay một nguồn khác ghi; ghi thành {DAY}_admission-decision_nguyen-van-an_muc-1.docx" \
        in other.stdout

    # the first roster run again, corrected: it replaces its own paper, under the same name
    first["admission"]["decision"]["number"] = 41
    again = batch(DECISION, str(write_list(tmp_path / "a", [first])), "--org", ORG, "-o", str(out), "--format", "docx")
    assert again.exit_code == 0 and "ghi dưới tên khác" not in again.stdout
    assert person_in(docx_text(plain.read_bytes()), first)
    assert len(files_on_disk(out)) == 2

    # a paper written by the single command is not the batch's to replace either
    single = tmp_path / "single"
    (tmp_path / "one.json").write_text(json.dumps(second, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, [DECISION, str(tmp_path / "one.json"), "--org", ORG, "-o", str(single),
                                     "--format", "docx"]).exit_code == 0
    onto = batch(DECISION, str(write_list(tmp_path / "a", [first])), "--org", ORG, "-o", str(single),
                 "--format", "docx")
    assert onto.exit_code == 0
    assert person_in(docx_text((single / plain.name).read_bytes()), second)
    assert person_in(docx_text((single / renamed.name).read_bytes()), first)


def test_resume_finds_renamed_items_and_a_kill_between_write_and_log_leaves_no_duplicate(tmp_path):
    items = three_ans()
    src = write_list(tmp_path, items)
    out = tmp_path / "out"
    assert batch(DECISION, str(src), "--org", ORG, "-o", str(out), "--format", "docx").exit_code == 0
    before = {p.name: p.read_bytes() for p in files_on_disk(out)}
    resumed = batch(DECISION, str(src), "--org", ORG, "-o", str(out), "--format", "docx", "--resume")
    assert resumed.exit_code == 0 and "Bỏ qua (đã có, --resume): 3 mục" in resumed.stdout
    # as after a kill between writing the files and logging them: the files are there, the log
    # has the claims but not the items; the run writes them again under the same names
    log = out / ".docgen-batch.jsonl"
    log.write_text("".join(line + "\n" for line in log.read_text("utf-8").splitlines() if '"claims"' in line),
                   encoding="utf-8")
    redo = batch(DECISION, str(src), "--org", ORG, "-o", str(out), "--format", "docx", "--resume")
    assert redo.exit_code == 0 and "Đã ghi: 3 tệp" in redo.stdout
    assert {p.name: p.read_bytes() for p in files_on_disk(out)} == before


def test_fifty_good_items_and_a_birth_date_in_year_9999(tmp_path):
    items = named_profiles(51, seed=13)
    items[25]["candidate"]["date_of_birth"] = "9999-12-31"
    out = tmp_path / "out"
    result = batch(DECISION, str(write_list(tmp_path, items)), "--org", ORG, "-o", str(out), "-j", "1",
                   "--format", "docx")
    assert result.exit_code == 3, result.output
    assert "Đã ghi: 50 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    failed = result.stdout.split("Các mục lỗi (không tạo văn bản):\n", 1)[1]
    assert failed.startswith("  list.json[25]:\n") and "Ngày sinh" in failed
    lost = items.pop(25)
    assert_each_person_has_a_decision(out, items)
    assert lost["candidate"]["full_name"] not in result.output


def test_a_check_that_crashes_on_one_item_costs_that_item_only(tmp_path, monkeypatch):
    from docgen.pipeline import batch as batch_module

    items = named_profiles(51, seed=17)
    doomed = items[25]["candidate"]["full_name"]
    check = batch_module._check

    def check_or_crash(data):
        if data["candidate"]["full_name"] == doomed:
            raise KeyError(doomed)
        return check(data)

    monkeypatch.setattr(batch_module, "_check", check_or_crash)
    out = tmp_path / "out"
    result = batch(DECISION, str(write_list(tmp_path, items)), "--org", ORG, "-o", str(out), "-j", "1",
                   "--format", "docx")
    assert result.exit_code == 1
    assert "Đã ghi: 50 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    assert "list.json[25]:\n    - Lỗi nội bộ của docgen khi kiểm tra mục này (KeyError)" in result.stdout
    assert doomed not in result.output
    items.pop(25)
    assert_each_person_has_a_decision(out, items)


def raises_on(name: str, conn, initargs, outdir) -> None:
    """A worker whose rendering of the person ``name`` fails with one of docgen's own errors
    (a disk that is full); a real worker otherwise. Only this test puts it in place."""
    from docgen.errors import OutputError
    from docgen.pipeline import Engine, batch

    render_all = Engine.render_all

    def render_all_or_fail(self, forms, inputs, formats=("docx", "pdf")):
        if inputs["candidate"].text("candidate.full_name") == name:
            raise OutputError("Không ghi được tệp: hết chỗ trên đĩa.")
        return render_all(self, forms, inputs, formats)

    Engine.render_all = render_all_or_fail
    batch._worker_main(conn, initargs, outdir)


def test_a_render_error_under_two_workers_costs_its_item_and_every_written_item_is_logged(tmp_path):
    items = named_profiles(51, seed=19)
    doomed = items[25]["candidate"]["full_name"]
    out = tmp_path / "out"
    setup = ("import functools, docgen.pipeline.batch, test_batch_items\n"
             f"docgen.pipeline.batch._WORKER_MAIN = functools.partial(test_batch_items.raises_on, {doomed!r})")
    result = run_docgen(["batch", DECISION, str(write_list(tmp_path, items)), "--org", ORG, "-o", str(out),
                         "-j", "2", "--format", "docx"], setup=setup, timeout=240)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Đã ghi: 50 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    assert "  list.json[25]:\n    - Không ghi được tệp: hết chỗ trên đĩa." in result.stdout
    items.pop(25)
    assert_each_person_has_a_decision(out, items)
    log = (out / ".docgen-batch.jsonl").read_text(encoding="utf-8").splitlines()
    logged = [f for e in map(json.loads, log) if "digest" in e for f in e["files"]]
    assert sorted(logged) == sorted(p.name for p in out.glob("*.docx")) and len(logged) == 50


@pytest.mark.parametrize("blob, why", [
    (b"{\"a\": \"H\xe0 N\xf4i\"}", "UTF-8"),  # Windows-1258 (a UTF-16 BOM is read as UTF-16 now)
    (b'{"candidate": {"full_name": "A"', "JSON"),
])
def test_an_unreadable_file_in_a_folder_is_that_items_error(tmp_path, blob, why):
    folder = tmp_path / "in"
    folder.mkdir()
    items = named_profiles(3, seed=23)
    for i, p in enumerate(items):
        (folder / f"{i}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    (folder / "1b-broken.json").write_bytes(blob)
    out = tmp_path / "out"
    result = batch(DECISION, str(folder), "--org", ORG, "-o", str(out), "-j", "1", "--format", "docx")
    assert result.exit_code == 3, result.output
    assert "Đã ghi: 3 tệp" in result.stdout and "Lỗi: 1 mục" in result.stdout
    assert "  1b-broken.json:\n    - " in result.stdout and why in result.stdout.split("1b-broken.json:", 1)[1]
    assert_each_person_has_a_decision(out, items)


def test_a_lone_surrogate_in_one_items_key_refuses_that_item_only(tmp_path):
    # this crashed the whole batch (exit 1) when the item's data was encoded for its workers
    items = named_profiles(3, seed=29)
    text = json.dumps(items, ensure_ascii=False)
    text = text.replace('"gender"', '"ghi chú\\ud800": 1, "gender"', 1)  # only the first item
    src = tmp_path / "list.json"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    for jobs in ("1", "2"):
        result = batch(DECISION, str(src), "--org", ORG, "-o", str(out), "-j", jobs, "--format", "docx")
        assert result.exit_code == 3, result.output
        assert "Lỗi: 1 mục" in result.stdout and "  list.json[0]:\n" in result.stdout
        assert "U+D800" in result.stdout.split("list.json[0]:", 1)[1]
        assert_each_person_has_a_decision(out, items[1:])
