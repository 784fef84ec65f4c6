"""What a batch keeps of each item is small, since a batch of 50,000 must need no more memory
than one of 500 (``make bench``, section rss, measures the peak):

- a folder's file names are kept as sorted runs of bytes, merged as they are read: the items
  come in the order of the names, as ``sorted(Path.glob("*.json"))`` gave them;
- the stems the run's items have taken are a table of hashes, with the label of the item that
  took each: a name taken earlier in the run still sends the later item to another name, and
  the summary names the earlier item.
"""

from __future__ import annotations

import heapq
import json
import os
import sys

import pytest

from docgen.pipeline import batch as batch_mod
from docgen.pipeline.batch import _Taken, read_items, run_batch

from doctext import docx_text
from test_batch_pool import ORG, named_profiles

DECISION = "admission-decision"


def test_a_folders_items_come_in_the_order_of_their_names_across_runs(tmp_path, engine, monkeypatch):
    monkeypatch.setattr(batch_mod, "_RUN", 3)   # several runs of names, merged
    src = tmp_path / "src"
    src.mkdir()
    names = ["b.json", "a.json", "Đỗ-văn-ba.json", "đào-thị-hà.json", "ă.json", "10.json", "9.json", "Z.json",
             ".an.json", "nguyễn-thị-lan.json", "c.json"]
    profiles = named_profiles(len(names), seed=31)
    for name, p in zip(names, profiles, strict=True):
        (src / name).write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    (src / "notes.txt").write_text("không phải hồ sơ", encoding="utf-8")
    (src / "x.json.bak").write_text("{}", encoding="utf-8")
    items = read_items(src, engine)
    assert [i.label for i in items] == sorted(names) == sorted(p.name for p in src.glob("*.json"))
    # each item is its own file's profile
    by_name = dict(zip(names, profiles, strict=True))
    assert all(i.data["candidate"]["full_name"] == by_name[i.label]["candidate"]["full_name"] for i in items)


def test_the_table_of_taken_stems_gives_back_each_items_label():
    taken = _Taken()
    for k in range(5000):   # the table grows several times over
        taken.add([f"2026-04-14_admission-decision_nguoi-{k}", f"phu-luc-{k}"], f"Dòng {k + 2} (Nguyễn Văn Ạ)")
    assert taken.get("2026-04-14_admission-decision_nguoi-0") == "Dòng 2 (Nguyễn Văn Ạ)"
    assert taken.get("phu-luc-4999") == "Dòng 5001 (Nguyễn Văn Ạ)"
    assert all(taken.get(f"2026-04-14_admission-decision_nguoi-{k}") == f"Dòng {k + 2} (Nguyễn Văn Ạ)"
               for k in range(0, 5000, 7))
    assert taken.get("2026-04-14_admission-decision_nguoi-5000") == ""
    assert taken.get("") == ""
    assert taken.count == 10_000


def test_a_name_taken_earlier_in_a_long_run_renames_the_later_item(tmp_path, engine):
    items = named_profiles(40, seed=32)
    items.append(json.loads(json.dumps(items[3])))   # the same person as the 4th, at the end
    src = tmp_path / "list.json"
    src.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch(DECISION, src, ORG, out, engine=engine, formats=("docx",), jobs=1)
    assert report.ok and report.written == 41
    [line] = report.renamed
    assert line.startswith("list.json[40]: tên ") and "đã dùng cho list.json[3] trong lần chạy này" in line
    renamed = sorted(out.glob("*_muc-41.docx"))
    assert len(renamed) == 1
    assert items[3]["candidate"]["full_name"] in docx_text(renamed[0].read_bytes())


def test_long_names_come_in_order_through_the_compressed_runs(tmp_path, engine, monkeypatch):
    monkeypatch.setattr(batch_mod, "_RUN", 150)   # runs longer than what is decompressed at a time (4 KiB)
    src = tmp_path / "src"
    src.mkdir()
    names = [f"{'nguyễn-thị-minh-khai-' * 3}{k * 7919 % 400:03d}.json" for k in range(400)]
    for name in names:
        (src / name).write_text("[]", encoding="utf-8")   # a file of no profile: its order is what counts
    count, runs = batch_mod._json_names(src)
    assert count == 400 and len(runs) == 3
    assert list(heapq.merge(*map(batch_mod._split, runs))) == sorted(names)


def test_a_file_name_that_is_not_utf8_does_not_fail_the_items_after_it(tmp_path, engine, monkeypatch):
    """A name from an old Windows zip (cp1258 bytes) is a label with surrogates: the table of
    taken stems keeps it as it is (before, every item after the first segment failed)."""
    monkeypatch.setattr(_Taken, "SEGMENT", 4)   # a segment closes after 4 items, as after 1,024
    src = tmp_path / "src"
    src.mkdir()
    profiles = named_profiles(8, seed=5)
    for k, p in enumerate(profiles):
        name = b"Nguy\xea\xe3n.json" if k == 1 else f"p{k}.json".encode()
        with open(os.path.join(os.fsencode(src), name), "w", encoding="utf-8") as f:
            json.dump(p, f, ensure_ascii=False)
    out = tmp_path / "out"
    report = run_batch(DECISION, src, ORG, out, engine=engine, formats=("docx",), jobs=1)
    assert report.ok and report.written == 8
    texts = [docx_text(p.read_bytes()) for p in out.glob("*.docx")]
    assert all(any(p["candidate"]["full_name"] in t for t in texts) for p in profiles)
    taken = _Taken()
    taken.add(["a"], os.fsdecode(b"Nguy\xea\xe3n.json"))
    for k in range(_Taken.SEGMENT):
        taken.add([f"b{k}"], f"p{k}.json")
    assert taken.get("a") == os.fsdecode(b"Nguy\xea\xe3n.json")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="pathlib interns the parts of a path only up to Python 3.11")
def test_writing_a_batchs_files_interns_no_name(tmp_path, monkeypatch):
    """Python 3.11's pathlib interns every part of a path it makes, and the table of interned
    strings grows by about 0.35 MiB over 50,000 new names: a batch writes its files, and names
    what it wrote, without making a Path of each."""
    from docgen.pipeline.write import write_named

    names = [f"2026-04-14_admission-decision_nguoi-{k}.docx" for k in range(3)]
    interned: list[str] = []
    real = sys.intern
    monkeypatch.setattr(sys, "intern", lambda s: interned.append(s) or real(s))
    write_named(tmp_path, [(n, b"x") for n in names], durable=False, make_dir=False)
    write_named(str(tmp_path / "pack"), [(n, b"y") for n in names], durable=False)
    monkeypatch.undo()
    assert not set(names) & set(interned)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, "pack"])
    assert (tmp_path / "pack" / names[0]).read_bytes() == b"y"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="pathlib interns the parts of a path only up to Python 3.11")
def test_reading_a_folders_files_interns_no_name(tmp_path, monkeypatch, engine):
    """The same for reading: a folder's JSON files are read, and labelled, without a Path of each."""
    profiles = named_profiles(3, seed=7)
    names = [f"ho-so-so-{k}-cua-chi-bo.json" for k in range(3)]
    for name, profile in zip(names, profiles, strict=True):
        (tmp_path / name).write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    interned: list[str] = []
    real = sys.intern
    monkeypatch.setattr(sys, "intern", lambda s: interned.append(s) or real(s))
    items = read_items(str(tmp_path), engine)
    monkeypatch.undo()
    assert [item.label for item in items] == sorted(names)
    assert [item.data["candidate"]["full_name"] for item in items] == [
        p["candidate"]["full_name"] for _, p in sorted(zip(names, profiles, strict=True))]
    assert not set(names) & set(interned)
