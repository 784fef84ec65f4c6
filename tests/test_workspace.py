"""The write side of a workspace (issue 13): ``docgen init``, papers filed and numbered in the
register, numbers refused or given out (``"auto"``, two processes at once), edited outputs never
overwritten, and the crash-safety helpers (:func:`docgen.store.db.alive`, ``recover``).

Every test reads the database with a plain ``sqlite3`` connection and the generated documents'
text (tests/doctext.py), never only that a file exists."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.store import db as store_db
from docgen.store.db import MIGRATIONS, Workspace
from docgen.store.files import sha256_of

from conftest import HUONG, ROOT, SAMPLES, decision_only, read_json
from doctext import docx_text, pdf_text

ORG = str(SAMPLES / "org.json")
HUONG_ID = "pham-thi-thu-huong-20001215"
NOT_REGISTERED = "Không ở trong thư mục làm việc"


def run(args: list[str], cwd: Path | None = None, env: dict | None = None):
    """``docgen ARGS`` in this process, from ``cwd``; stdout and stderr apart."""
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, env={"DOCGEN_WORKSPACE": None, **(env or {})})
    finally:
        os.chdir(old)


def init(tmp_path: Path, name: str = "ws") -> Path:
    root = tmp_path / name
    result = run(["init", str(root), "--org", ORG])
    assert result.exit_code == 0, result.output
    return root


def rows(root: Path, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
    db = sqlite3.connect(root / ".docgen" / "workspace.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def documents(root: Path) -> dict[str, sqlite3.Row]:
    """The register's entries by form (one dossier)."""
    return {r["form"]: r for r in rows(root, "SELECT * FROM document")}


def assert_files_agree(root: Path) -> None:
    """Every file row is a file on disk with the recorded sha256 and size; every DOCX and PDF
    under ho-so/ has a file row."""
    recorded = {r["path"]: r for r in rows(root, "SELECT * FROM file")}
    for name, r in recorded.items():
        path = root / name
        assert path.is_file(), name
        assert sha256_of(path) == (r["sha256"], r["size"]), name
    on_disk = {p.relative_to(root).as_posix() for p in (root / "ho-so").rglob("*") if p.suffix in (".docx", ".pdf")}
    assert on_disk <= set(recorded), on_disk - set(recorded)


# -- 1. init, and a dossier filed from inside, from a subfolder, --workspace, DOCGEN_WORKSPACE --------
def test_init_makes_a_workspace_with_its_tables_wal_and_foreign_keys(tmp_path):
    root = init(tmp_path)
    assert (root / ".docgen" / "workspace.sqlite").is_file()
    assert (root / "to-chuc.json").read_bytes() == Path(ORG).read_bytes()
    assert (root / "ho-so").is_dir()
    tables = {r["name"] for r in rows(root, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"setting", "dossier", "document", "file"}
    assert rows(root, "PRAGMA journal_mode")[0][0] == "wal"   # WAL is kept in the file itself
    assert rows(root, "PRAGMA user_version")[0][0] == len(MIGRATIONS)
    db = Workspace(root).connect()
    try:
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):  # a file of no document is refused
            db.execute("INSERT INTO file (path, document_id, format) VALUES ('x.docx', 999, 'docx')")
    finally:
        db.close()
    again = run(["init", str(root), "--org", ORG])
    assert again.exit_code == 5 and "đã là thư mục làm việc" in again.stderr


@pytest.mark.parametrize("how", ["cwd", "subfolder", "option", "env"])
def test_a_dossier_made_in_a_workspace_registers_its_numbers_and_attaches_its_files(tmp_path, how):
    root = init(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "ghi-chu").mkdir()
    args, cwd, env = ["admission-dossier", str(HUONG)], root, {}
    if how == "subfolder":
        cwd = root / "ghi-chu"
    elif how == "option":
        args, cwd = ["--workspace", str(root), *args], elsewhere
    elif how == "env":
        cwd, env = elsewhere, {"DOCGEN_WORKSPACE": str(root)}
    if how != "cwd":
        args += ["--format", "docx"]   # one run writes both formats; the others stay quick
    result = run(args, cwd, env)
    assert result.exit_code == 0, result.output
    assert NOT_REGISTERED not in result.stderr
    assert "Đã đăng ký Số 12-QĐ/ĐUC: Quyết định kết nạp đảng viên — Phạm Thị Thu Hường" in result.stderr
    assert not list(elsewhere.iterdir()) and not list((root / "ghi-chu").iterdir())

    docs = documents(root)
    numbered = {form: (json.loads(r["series"])[1:3], r["number"]) for form, r in docs.items() if r["number"]}
    assert numbered == {"cell-resolution": (["CB", "NQ"], 9), "committee-resolution": (["ĐUC", "NQ"], 11),
                        "admission-decision": (["ĐUC", "QĐ"], 12)}
    assert {r["state"] for r in docs.values()} == {"done"} and {r["dossier_id"] for r in docs.values()} == {HUONG_ID}
    assert docs["admission-decision"]["title"] == "Quyết định kết nạp đảng viên — Phạm Thị Thu Hường"
    dossier = rows(root, "SELECT * FROM dossier")
    assert [(d["id"], d["name"], d["born"]) for d in dossier] == [(HUONG_ID, "Phạm Thị Thu Hường", "2000-12-15")]

    folder = root / "ho-so" / HUONG_ID
    files = rows(root, "SELECT * FROM file")
    assert files and all(r["path"].startswith(f"ho-so/{HUONG_ID}/") for r in files)
    assert {r["path"] for r in files} == {p.relative_to(root).as_posix() for p in folder.iterdir()}
    assert_files_agree(root)
    decision = rows(root, "SELECT path FROM file WHERE document_id = ? AND format = 'docx'",
                    (docs["admission-decision"]["id"],))[0]["path"]
    assert "Số 12-QĐ/ĐUC" in docx_text((root / decision).read_bytes())
    cell = rows(root, "SELECT path FROM file WHERE document_id = ? AND format = 'docx'",
                (docs["cell-resolution"]["id"],))[0]["path"]
    assert "Số 09-NQ/CB" in docx_text((root / cell).read_bytes())
    if how == "cwd":
        pdf = (root / decision).with_suffix(".pdf")
        assert "Số 12-QĐ/ĐUC" in pdf_text(pdf.read_bytes())


def test_outside_a_workspace_a_command_says_so_once_and_writes_as_before(tmp_path):
    out = tmp_path / "out"
    result = run(["admission-decision", str(HUONG), "--org", ORG, "-o", str(out), "--format", "docx"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.count(NOT_REGISTERED) == 1
    [docx] = out.iterdir()
    assert docx.name == "2025-11-07_admission-decision_pham-thi-thu-huong.docx"
    assert "Số 12-QĐ/ĐUC" in docx_text(docx.read_bytes())
    assert not (tmp_path / ".docgen").exists() and not (out / ".docgen").exists()


def test_auto_outside_a_workspace_is_refused_naming_the_field(tmp_path):
    data = read_json(HUONG)
    data["admission"]["decision"]["number"] = "auto"
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = run(["admission-decision", str(profile), "--org", ORG, "-o", str(out)], tmp_path)
    assert result.exit_code == 3
    assert "admission.decision.number" in result.stderr and '"auto"' in result.stderr
    assert not out.exists()


# -- 2. a number another document holds; the same document again ------------------------------------
def other_person(tmp_path: Path, number: int | str, name: str = "Đinh Văn Khoa", born: str = "1995-04-02",
                 file: str = "khoa.json") -> Path:
    """A decision-only profile of another person, with the decision number ``number``."""
    data = decision_only(read_json(HUONG))
    data["candidate"].update(full_name=name, date_of_birth=born)
    data["admission"]["decision"]["number"] = number
    path = tmp_path / file
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_number_registered_to_another_person_is_refused_naming_the_first_document(tmp_path):
    root = init(tmp_path)
    assert run(["admission-dossier", str(HUONG), "--format", "docx"], root).exit_code == 0
    before = rows(root, "SELECT * FROM document ORDER BY id")
    result = run(["admission-decision", str(other_person(tmp_path, 12))], root)
    assert result.exit_code == 3, result.output
    message = result.stderr
    assert "register.number_taken" in message and "admission.decision.number" in message
    assert "Số 12-QĐ/ĐUC" in message
    assert '"Quyết định kết nạp đảng viên — Phạm Thị Thu Hường" (Mẫu 9-KNĐ), ngày 07 tháng 11 năm 2025' in message
    assert f"hồ sơ {HUONG_ID}" in message
    assert "Số trống tiếp theo của sổ này là 13" in message
    assert "Không tạo văn bản nào" in message
    # nothing written, nothing registered for the second person
    assert [p.name for p in (root / "ho-so").iterdir()] == [HUONG_ID]
    assert [tuple(r) for r in rows(root, "SELECT * FROM document ORDER BY id")] == [tuple(r) for r in before]
    assert [r["id"] for r in rows(root, "SELECT id FROM dossier")] == [HUONG_ID]

    # the next free number, as the message says, is taken
    ok = run(["admission-decision", str(other_person(tmp_path, 13)), "--format", "docx"], root)
    assert ok.exit_code == 0, ok.output
    [khoa] = (root / "ho-so" / "dinh-van-khoa-19950402").iterdir()
    assert "Số 13-QĐ/ĐUC" in docx_text(khoa.read_bytes()) and "ĐINH VĂN KHOA" in docx_text(khoa.read_bytes())


def test_the_same_person_again_keeps_the_number_and_updates_the_entry_and_the_files(tmp_path):
    root = init(tmp_path)
    assert run(["admission-dossier", str(HUONG), "--format", "docx"], root).exit_code == 0
    first = documents(root)
    first_files = {r["path"]: r["sha256"] for r in rows(root, "SELECT * FROM file")}
    time.sleep(1.1)   # the entry's timestamps are in seconds
    data = read_json(HUONG)
    data["candidate"]["workplace"] = "Phòng Kế hoạch - Tổng hợp"
    changed = tmp_path / "huong.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run(["admission-dossier", str(changed), "--format", "docx"], root)
    assert result.exit_code == 0, result.output
    again = documents(root)
    assert set(again) == set(first)
    for form, row in again.items():
        assert (row["id"], row["series"], row["number"]) == (first[form]["id"], first[form]["series"],
                                                             first[form]["number"])
        assert row["updated"] > first[form]["updated"] and row["created"] == first[form]["created"]
        assert row["state"] == "done"
    files = {r["path"]: r["sha256"] for r in rows(root, "SELECT * FROM file")}
    assert set(files) == set(first_files)
    decision = next(p for p in files if "admission-decision" in p and p.endswith(".docx"))
    assert files[decision] != first_files[decision]
    text = docx_text((root / decision).read_bytes())
    assert "Phòng Kế hoạch - Tổng hợp" in text and "Số 12-QĐ/ĐUC" in text
    assert_files_agree(root)


# -- 3. "auto": two batches of 200 at once, each with two workers --------------------------------------
def auto_profiles(folder: Path, prefix: str, n: int) -> None:
    """``n`` people (ids ``<prefix>-NNN``), decisions numbered "auto", the resolutions cited with
    distinct explicit numbers, every date the same: one series (QĐ/ĐUC, 2025)."""
    base = decision_only(read_json(HUONG))
    folder.mkdir(parents=True)
    for i in range(n):
        p = copy.deepcopy(base)
        p["candidate"].update(id=f"{prefix}-{i:03d}", full_name=f"Nguyễn Văn {prefix.upper()}{i}")
        p["admission"]["cell_meeting"]["resolution_number"] = i + 1
        p["admission"]["committee_resolution"]["number"] = i + 1
        p["admission"]["decision"]["number"] = "auto"
        (folder / f"{prefix}-{i:03d}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")


def docgen_process(args: list[str], cwd: Path, **kw) -> subprocess.Popen:
    """The real command in its own process (and process group), this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DOCGEN_WORKSPACE", None)
    return subprocess.Popen([sys.executable, "-m", "docgen.cli", *args], cwd=cwd, env=env, text=True,
                            start_new_session=True, **kw)


def test_auto_numbers_of_two_batches_at_once_are_distinct_and_without_gaps(tmp_path):
    root = init(tmp_path)
    n = 200
    auto_profiles(tmp_path / "a", "a", n)
    auto_profiles(tmp_path / "b", "b", n)
    t0 = time.perf_counter()
    procs = [docgen_process(["batch", "admission-decision", str(tmp_path / src), "-j", "2", "--format", "docx"],
                            root, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for src in ("a", "b")]
    outputs = [p.communicate(timeout=300) for p in procs]
    seconds = time.perf_counter() - t0
    print(f"two batches of {n} decisions at once, -j 2 each: {seconds:.1f} s")
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out + err[-2000:]
        assert f"Đã ghi: {n} tệp" in out and "Lỗi: 0 mục" in out

    decisions = rows(root, "SELECT d.*, f.path FROM document d JOIN file f ON f.document_id = d.id "
                           "WHERE d.form = 'admission-decision'")
    assert len(decisions) == 2 * n
    assert len({r["series"] for r in decisions}) == 1
    assert sorted(r["number"] for r in decisions) == list(range(1, 2 * n + 1))
    assert {r["state"] for r in decisions} == {"done"}
    assert {r["dossier_id"][:2] for r in decisions} == {"a-", "b-"}
    for r in decisions:
        text = docx_text((root / r["path"]).read_bytes())
        assert f"Số {r['number']:02d}-QĐ/ĐUC" in text, r["path"]
        assert r["title"].split(" — ")[1].upper() in text
    assert_files_agree(root)
    assert not list(root.rglob("*.part"))


# -- 4. an output the user edited ----------------------------------------------------------------------
def test_an_edited_output_is_not_overwritten_and_with_force_it_is_kept_beside(tmp_path):
    root = init(tmp_path)
    args = ["admission-decision", str(HUONG), "--format", "docx"]
    assert run(args, root).exit_code == 0
    [docx] = (root / "ho-so" / HUONG_ID).iterdir()
    edited = docx.read_bytes() + b"\0 sua trong Word"
    docx.write_bytes(edited)

    refused = run(args, root)
    assert refused.exit_code == 5, refused.output
    assert "Không ghi đè 1 tệp" in refused.stderr and str(docx) in refused.stderr
    assert "tệp đã được sửa sau khi docgen ghi" in refused.stderr and "--force" in refused.stderr
    assert docx.read_bytes() == edited
    assert [p.name for p in docx.parent.iterdir()] == [docx.name]

    forced = run([*args, "--force"], root)
    assert forced.exit_code == 0, forced.output
    backup = docx.with_name(docx.stem + "~1.docx")
    assert f"giữ bản cũ là {backup.name}" in forced.stderr
    assert backup.read_bytes() == edited
    assert "Số 12-QĐ/ĐUC" in docx_text(docx.read_bytes())
    [entry] = rows(root, "SELECT * FROM file")
    assert entry["path"] == docx.relative_to(root).as_posix() and entry["sha256"] == sha256_of(docx)[0]
    assert documents(root)["admission-decision"]["number"] == 12


def test_a_file_docgen_never_wrote_is_not_overwritten(tmp_path):
    root = init(tmp_path)
    folder = root / "ho-so" / HUONG_ID
    folder.mkdir(parents=True)
    foreign = folder / "2025-11-07_admission-decision_pham-thi-thu-huong.docx"
    foreign.write_bytes(b"not docgen's")
    result = run(["admission-decision", str(HUONG), "--format", "docx"], root)
    assert result.exit_code == 5 and "docgen không ghi tệp này" in result.stderr
    assert foreign.read_bytes() == b"not docgen's"
    assert not rows(root, "SELECT * FROM document")   # the refusal rolled the claim back


def test_in_a_batch_an_edited_output_fails_its_item_only(tmp_path):
    root = init(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    for i, name in enumerate(["Đinh Văn Khoa", "Lò Thị Mai", "Hà Văn Nam"]):
        other_person(src, 20 + i, name=name, born=f"199{i}-01-0{i + 1}", file=f"{i}.json")
    first = src / "2.json"
    held = first.read_bytes()
    first.unlink()   # the third person comes in the second run
    batch = ["batch", "admission-decision", str(src), "--format", "docx", "-j", "1"]
    assert run(batch, root).exit_code == 0
    khoa = next((root / "ho-so" / "dinh-van-khoa-19900101").iterdir())
    khoa.write_bytes(khoa.read_bytes() + b"edited")
    edited = khoa.read_bytes()
    first.write_bytes(held)

    result = run(batch, root)
    assert result.exit_code == 5, result.output
    assert "Lỗi: 1 mục" in result.stdout and "0.json" in result.stdout and str(khoa) in result.stdout
    assert khoa.read_bytes() == edited
    written = {r["dossier_id"]: r["number"] for r in rows(root, "SELECT * FROM document")}
    assert written == {"dinh-van-khoa-19900101": 20, "lo-thi-mai-19910102": 21, "ha-van-nam-19920103": 22}
    nam = next((root / "ho-so" / "ha-van-nam-19920103").iterdir())
    assert "Số 22-QĐ/ĐUC" in docx_text(nam.read_bytes())
    entries = {r["path"]: r["sha256"] for r in rows(root, "SELECT * FROM file")}
    assert entries[khoa.relative_to(root).as_posix()] != sha256_of(khoa)[0]   # still docgen's old version
    del entries[khoa.relative_to(root).as_posix()]
    assert all(sha256_of(root / p)[0] == h for p, h in entries.items())


# -- crash safety: which writer is still alive -----------------------------------------------------------
def test_a_writer_whose_process_is_gone_is_settled_when_the_workspace_is_opened(tmp_path):
    root = init(tmp_path)
    assert run(["admission-decision", str(HUONG), "--format", "docx"], root).exit_code == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    db = sqlite3.connect(root / ".docgen" / "workspace.sqlite")
    db.execute("UPDATE document SET state = 'writing', pid = ?", (dead.pid,))
    db.execute("UPDATE file SET sha256 = NULL")
    db.commit()
    db.close()
    Workspace(root).connect().close()
    [doc] = rows(root, "SELECT * FROM document")
    assert doc["state"] == "done" and doc["pid"] is None and doc["number"] == 12
    assert_files_agree(root)


def test_a_writer_whose_pid_was_reused_by_a_later_process_is_settled(tmp_path):
    # the row's process died long ago; its pid now belongs to a process started later
    root = init(tmp_path)
    assert run(["admission-decision", str(HUONG), "--format", "docx"], root).exit_code == 0
    later = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        db = sqlite3.connect(root / ".docgen" / "workspace.sqlite")
        db.execute("UPDATE document SET state = 'writing', pid = ?, updated = '2020-01-01T00:00:00+00:00'",
                   (later.pid,))
        db.execute("UPDATE file SET sha256 = NULL")
        db.commit()
        db.close()
        assert store_db.alive(later.pid, store_db.HOST)
        assert not store_db.alive(later.pid, store_db.HOST, since="2020-01-01T00:00:00+00:00")
        assert store_db.alive(later.pid, store_db.HOST, since=store_db.now())
        # our own pid, recorded by a process that died before this one started
        assert not store_db.alive(os.getpid(), store_db.HOST, since="2020-01-01T00:00:00+00:00")
        Workspace(root).connect().close()
        [doc] = rows(root, "SELECT * FROM document")
        assert doc["state"] == "done" and doc["number"] == 12
        assert_files_agree(root)
    finally:
        later.kill()
        later.wait()


def test_a_writer_that_has_ended_but_was_not_reaped_is_gone(tmp_path):
    # a batch killed with its workers: a worker whose parent is gone may stay a zombie a while
    zombie = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert store_db.alive(zombie.pid, store_db.HOST, since=store_db.now())
        zombie.kill()
        deadline = time.time() + 10
        while time.time() < deadline and Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] \
                != "Z":
            time.sleep(0.01)
        assert not store_db.alive(zombie.pid, store_db.HOST, since=store_db.now())
    finally:
        zombie.kill()
        zombie.wait()
    assert not store_db.alive(zombie.pid, store_db.HOST)


# -- the batch log of a workspace, shared by batches of other sources -------------------------------------
def test_two_batches_of_a_workspace_keep_each_others_log_lines(tmp_path):
    from docgen.pipeline.batch import _Log

    path = tmp_path / "docgen-batch.jsonl"
    first, second = _Log(path), _Log(path)   # both read the log before either writes
    line = {"source": "/a", "name": "a-000", "digest": "x", "files": ["ho-so/a-000/a.docx"]}
    with first.append() as f:
        f.write(json.dumps(line) + "\n")
    with second.append() as f:
        f.write(json.dumps({**line, "source": "/b", "name": "b-000"}) + "\n")
    assert set(_Log(path).done) == {("/a", "a-000"), ("/b", "b-000")}


def test_resume_in_a_workspace_skips_what_is_filed_and_redoes_what_changed(tmp_path):
    root = init(tmp_path)
    src = tmp_path / "src"
    auto_profiles(src, "r", 3)
    batch = ["batch", "admission-decision", str(src), "--format", "docx", "-j", "1"]
    assert run(batch, root).exit_code == 0
    numbers = {r["dossier_id"]: r["number"] for r in rows(root, "SELECT * FROM document")}
    other = tmp_path / "other"   # another source's batch between: the log keeps both
    auto_profiles(other, "o", 1)
    assert run(["batch", "admission-decision", str(other), "--format", "docx", "-j", "1"], root).exit_code == 0
    before = {r["path"]: r["sha256"] for r in rows(root, "SELECT * FROM file")}
    changed = json.loads((src / "r-001.json").read_text(encoding="utf-8"))
    changed["candidate"]["workplace"] = "Phòng Tài chính - Kế toán"
    (src / "r-001.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")

    result = run([*batch, "--resume"], root)
    assert result.exit_code == 0, result.output
    assert "Bỏ qua (đã có, --resume): 2 mục" in result.stdout and "Đã ghi: 1 tệp" in result.stdout
    after = {r["path"]: r["sha256"] for r in rows(root, "SELECT * FROM file")}
    redone = [p for p in after if p.startswith("ho-so/r-001/")]
    assert [p for p in after if after[p] != before.get(p)] == redone
    assert {r["dossier_id"]: r["number"] for r in rows(root, "SELECT * FROM document")} == {**numbers, "o-000": 4}
    text = docx_text((root / redone[0]).read_bytes())
    assert "Phòng Tài chính - Kế toán" in text and f"Số {numbers['r-001']:02d}-QĐ/ĐUC" in text


# -- a paper that fails after its number was claimed ------------------------------------------------------
def test_a_render_that_fails_after_the_claim_frees_a_new_number_and_restores_an_old_entry(tmp_path, monkeypatch):
    import docgen.pipeline.filing as filing

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    root = init(tmp_path)
    args = ["admission-decision", str(HUONG), "--format", "docx"]
    monkeypatch.setattr(filing, "_render", broken)
    assert run(args, root).exit_code == 1
    assert not rows(root, "SELECT * FROM document") and not rows(root, "SELECT * FROM file")
    assert not [p for p in root.rglob("*") if p.is_file() and p.suffix in (".docx", ".part")]

    monkeypatch.undo()
    assert run(args, root).exit_code == 0
    before = [tuple(r) for r in rows(root, "SELECT * FROM document")]
    files = [tuple(r) for r in rows(root, "SELECT * FROM file")]
    [docx] = (root / "ho-so" / HUONG_ID).iterdir()
    data = read_json(HUONG)
    data["admission"]["decision"]["date"] = "2025-11-10"
    later = tmp_path / "later.json"
    later.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(filing, "_render", broken)
    assert run(["admission-decision", str(later), "--format", "docx"], root).exit_code == 1
    # the entry still describes the file on disk: its date, its hash, done
    assert [tuple(r) for r in rows(root, "SELECT * FROM document")] == before
    assert [tuple(r) for r in rows(root, "SELECT * FROM file")] == files
    assert [p.name for p in docx.parent.iterdir()] == [docx.name]
    assert "ngày 07 tháng 11 năm 2025" in docx_text(docx.read_bytes())
    assert_files_agree(root)


def test_two_items_of_one_batch_that_are_one_dossier_are_refused_the_second_time(tmp_path):
    root = init(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    other_person(src, 30, file="a.json")
    other_person(src, 31, file="b.json")
    result = run(["batch", "admission-decision", str(src), "--format", "docx", "-j", "1"], root)
    assert result.exit_code == 3, result.output
    assert "b.json" in result.stdout and "cùng hồ sơ dinh-van-khoa-19950402 với a.json" in result.stdout
    [doc] = rows(root, "SELECT * FROM document")
    assert doc["number"] == 30
    [docx] = (root / "ho-so" / "dinh-van-khoa-19950402").iterdir()
    assert "Số 30-QĐ/ĐUC" in docx_text(docx.read_bytes())
