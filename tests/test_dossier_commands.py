"""`docgen dossier show|list|attach|export|verify`: the read side of a workspace, run through
the command line in a workspace made by `docgen init` and filled by `docgen admission-dossier`."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.load.dossier import kinds_for

from conftest import SAMPLES, in_workspace, workspace_with
from doctext import pdf_text

HUONG = "pham-thi-thu-huong-20001215"
LAN = "ly-thi-y-lan-19900201"
# Hường's decision is dated 2025-11-07 with no date of receipt: the ceremony is due 30 working
# days from the decision, on 2025-12-19 (Quy định 294-QĐ/TW §4.1)
DUE = "ngày 19 tháng 12 năm 2025"


def run(ws: Path, *args: str):
    return in_workspace(ws, *args)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A workspace with Hường's and Lan's admission dossiers."""
    return workspace_with(tmp_path_factory.mktemp("ws"), "pham-thi-thu-huong", "ly-thi-y-lan")


@pytest.fixture
def ws(filled: Path, tmp_path: Path) -> Path:
    """A copy of the filled workspace that a test may change."""
    copy = tmp_path / "chi-bo"
    shutil.copytree(filled, copy)
    return copy


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def index_of(lines: list[str], text: str) -> int:
    found = [i for i, line in enumerate(lines) if text in line]
    assert found, f"{text!r} not in:\n" + "\n".join(lines)
    return found[0]


# -- show ---------------------------------------------------------------------------------------------
def test_show_lists_the_papers_in_06_hd_order_present_and_missing_with_the_stage_and_deadline(filled):
    result = run(filled, "dossier", "show", HUONG, "--today", "2025-12-01")
    assert result.exit_code == 0, result.output
    out = result.output
    lines = lines_of(out)
    assert f"Hồ sơ {HUONG}: Phạm Thị Thu Hường, sinh ngày 15 tháng 12 năm 2000" in out
    assert "Giai đoạn: Đảng viên dự bị" in out
    assert f"Hạn tiếp theo: {DUE} (còn 18 ngày). Chi bộ phải tổ chức lễ kết nạp chậm nhất {DUE}" in out
    assert "Căn cứ: Quy định 294-QĐ/TW §4.1" in out
    order = [
        "[CÒN THIẾU] Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
        "[CÒN THIẾU] Đơn xin vào Đảng (Mẫu 1-KNĐ)",
        "[CÒN THIẾU] Lý lịch của người xin vào Đảng (Mẫu 2-KNĐ)",
        "[CÒN THIẾU] Các văn bản thẩm tra lý lịch",
        "[có] Giấy giới thiệu người vào Đảng (Mẫu 3-KNĐ)",
        "[có] Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng của Ban Chấp hành Đoàn cơ sở (Mẫu 4-KNĐ)",
        "[không cần] Nghị quyết giới thiệu đoàn viên công đoàn",
        "[có] Tổng hợp ý kiến nhận xét của đoàn thể chính trị - xã hội và chi ủy nơi cư trú (Mẫu 5-KNĐ)",
        "[có] Nghị quyết của chi bộ đề nghị kết nạp đảng viên (Mẫu 6-KNĐ)",
        "[không bắt buộc] Báo cáo thẩm định của đảng ủy bộ phận (Mẫu 7-KNĐ)",
        "[có] Nghị quyết của đảng ủy cơ sở đề nghị kết nạp đảng viên (Mẫu 8-KNĐ)",
        "[có] Quyết định kết nạp đảng viên (Mẫu 9-KNĐ)",
        "[chưa đến giai đoạn] Bản tự kiểm điểm của đảng viên dự bị (Mẫu 10-KNĐ)",
    ]
    places = [index_of(lines, text) for text in order]
    assert places == sorted(places)
    decision = index_of(lines, "[có] Quyết định kết nạp đảng viên (Mẫu 9-KNĐ)")
    assert "Số 12-QĐ/ĐUC · ngày 07 tháng 11 năm 2025" in lines[decision + 1]
    docx = filled / "ho-so" / HUONG / "2025-11-07_admission-decision_pham-thi-thu-huong.docx"
    assert f"ho-so/{HUONG}/{docx.name}  sha256 {sha(docx)[:12]}" in lines[decision + 2]
    assert "Số 09-NQ/CB" in out and "Số 11-NQ/ĐUC" in out
    assert "• [có] Bản PDF gộp để in" in out
    assert ("6 loại giấy tờ đã có; 4 còn thiếu: Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng; "
            "Đơn xin vào Đảng; Lý lịch của người xin vào Đảng;") in out


@pytest.mark.parametrize("today, says", [
    ("2025-12-18", "(còn 1 ngày)"),
    ("2025-12-19", "(đến hạn hôm nay)"),
    ("2025-12-20", "(đã quá hạn 1 ngày)"),
])
def test_the_days_left_on_each_side_of_the_deadline(filled, today, says):
    result = run(filled, "dossier", "show", HUONG, "--today", today)
    assert f"Hạn tiếp theo: {DUE} {says}." in result.output


def test_show_json_gives_the_same_in_dossier_order(filled, engine):
    result = run(filled, "dossier", "show", HUONG, "--json", "--today", "2025-12-01")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["stage"] == "probationary" and view["stage_label"] == "Đảng viên dự bị"
    assert view["deadline"]["due"] == "2025-12-19" and view["deadline"]["days_left"] == 18
    assert view["deadline"]["overdue"] is False
    order = [k.kind for k in kinds_for(engine.library, "candidate") if k.part != "other"]
    assert [s["kind"] for s in view["slots"]] == order
    states = {s["kind"]: s["state"] for s in view["slots"]}
    assert states["application"] == "missing" and states["admission_decision"] == "present"
    assert states["subcommittee_appraisal"] == "optional" and states["recognition_decision"] == "later"
    assert states["trade_union_resolution"] == "not_expected"
    decision = next(s for s in view["slots"] if s["kind"] == "admission_decision")["documents"][0]
    assert decision["number"] == "Số 12-QĐ/ĐUC" and decision["code"] == "9-KNĐ" and decision["date"] == "2025-11-07"
    assert [f["format"] for f in decision["files"]] == ["docx", "pdf"]
    assert [d["kind"] for d in view["others"]] == ["print"]


def test_an_unknown_dossier_is_refused_naming_the_closest(filled):
    result = run(filled, "dossier", "show", "pham-thi-thu-huong")
    assert result.exit_code == 3
    assert 'Không có hồ sơ "pham-thi-thu-huong"' in result.output and HUONG in result.output


def test_outside_a_workspace_the_commands_say_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOCGEN_WORKSPACE", raising=False)
    for args in (["dossier", "list"], ["dossier", "show", HUONG], ["register"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 5, args
        assert "Không ở trong thư mục làm việc nào" in result.output


# -- list -----------------------------------------------------------------------------------------------
def test_list_gives_every_dossier_soonest_deadline_first(filled):
    result = run(filled, "dossier", "list", "--today", "2025-12-01")
    assert result.exit_code == 0, result.output
    lines = lines_of(result.output)
    assert lines[0] == f"{HUONG} · Phạm Thị Thu Hường · Đảng viên dự bị · hạn {DUE} (còn 18 ngày)"
    assert lines[1].startswith(f"{LAN} · Lý Thị Ỷ Lan · Đảng viên dự bị · hạn ")
    assert len(lines) == 2


def test_list_due_keeps_those_due_within_the_days_and_the_overdue(filled):
    inside = run(filled, "dossier", "list", "--due", "18", "--today", "2025-12-01")
    assert [line.split(" · ")[0] for line in lines_of(inside.output)] == [HUONG]
    outside = run(filled, "dossier", "list", "--due", "17", "--today", "2025-12-01")
    assert outside.exit_code == 0
    assert lines_of(outside.output) == ["Không hồ sơ nào có hạn trong 17 ngày tới (kể cả hồ sơ đã quá hạn)."]
    overdue = run(filled, "dossier", "list", "--due", "0", "--today", "2025-12-20")
    assert "(đã quá hạn 1 ngày)" in overdue.output and LAN not in overdue.output


# -- attach ---------------------------------------------------------------------------------------------
def test_an_attached_paper_is_present_then_a_second_of_the_same_name_gets_a_new_name(ws, tmp_path):
    scan = tmp_path / "Đơn xin vào Đảng.pdf"
    scan.write_bytes(b"%PDF-1.4 don")
    result = run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "application", "--date", "2025-08-01")
    assert result.exit_code == 0, result.output
    target = ws / "ho-so" / HUONG / "dinh-kem" / "don-xin-vao-dang.pdf"
    assert target.read_bytes() == b"%PDF-1.4 don"
    assert str(target) in result.output
    shown = run(ws, "dossier", "show", HUONG, "--today", "2025-12-01").output
    lines = lines_of(shown)
    at = index_of(lines, "[có] Đơn xin vào Đảng (Mẫu 1-KNĐ)")
    assert "(Đơn xin vào Đảng.pdf) · ngày 01 tháng 8 năm 2025" in lines[at + 1]
    assert f"ho-so/{HUONG}/dinh-kem/don-xin-vao-dang.pdf  sha256 {sha(target)[:12]}" in lines[at + 2]
    assert "4 còn thiếu" not in shown and "3 còn thiếu" in shown
    # another scan under the same name: kept beside, never over the first
    scan.write_bytes(b"%PDF-1.4 trang 2")
    again = run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "application", "--number", "3")
    assert again.exit_code == 0, again.output
    assert (target.parent / "don-xin-vao-dang-2.pdf").read_bytes() == b"%PDF-1.4 trang 2"
    assert target.read_bytes() == b"%PDF-1.4 don"
    assert "Số 03" in run(ws, "dossier", "show", HUONG).output


def test_attaching_the_same_file_twice_is_refused(ws, tmp_path):
    scan = tmp_path / "ly-lich.pdf"
    scan.write_bytes(b"ly lich")
    assert run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "biography").exit_code == 0
    result = run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "biography")
    assert result.exit_code == 3
    assert "đã được đính kèm" in result.output and "dinh-kem/ly-lich.pdf" in result.output


def test_an_unknown_kind_is_refused_with_the_closest_and_the_kinds(ws, tmp_path):
    scan = tmp_path / "don.pdf"
    scan.write_bytes(b"x")
    result = run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "aplication")
    assert result.exit_code == 3
    assert '--kind "aplication" không phải loại giấy tờ nào của hồ sơ; có phải "application"?' in result.output
    assert "biography (Lý lịch của người xin vào Đảng)" in result.output
    assert not (ws / "ho-so" / HUONG / "dinh-kem").exists()


def test_attach_to_an_unknown_dossier_and_a_bad_date_are_refused(ws, tmp_path):
    scan = tmp_path / "don.pdf"
    scan.write_bytes(b"x")
    unknown = run(ws, "dossier", "attach", "ly-thi-lan", str(scan), "--kind", "application")
    assert unknown.exit_code == 3 and 'Không có hồ sơ "ly-thi-lan"' in unknown.output and LAN in unknown.output
    bad = run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "application", "--date", "01/08/2025")
    assert bad.exit_code == 3 and '--date "01/08/2025" không phải ngày' in bad.output


# -- export ---------------------------------------------------------------------------------------------
def test_export_writes_one_zip_whose_manifest_hashes_match_and_whose_merged_pdf_is_in_order(ws, tmp_path):
    scan = tmp_path / "don.pdf"
    scan.write_bytes(b"%PDF-1.4 don")
    assert run(ws, "dossier", "attach", HUONG, str(scan), "--kind", "application").exit_code == 0
    out = tmp_path / "gui"
    result = run(ws, "dossier", "export", HUONG, "-o", str(out), "--today", "2025-12-01")
    assert result.exit_code == 0, result.output
    target = out / f"{HUONG}.zip"
    assert f"Đã ghi {target}: 13 tệp, 6 văn bản gộp trong {HUONG}.pdf." in result.output
    assert "Không gộp vào PDF chung (chỉ có trong tệp zip): " f"ho-so/{HUONG}/dinh-kem/don.pdf" in result.output
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(z.read(entry["path"])).hexdigest() == entry["sha256"]
            assert entry["sha256"] == sha(ws / entry["source"])
        merged = z.read(f"{HUONG}.pdf")
    assert manifest["dossier"]["id"] == HUONG and manifest["dossier"]["stage"] == "probationary"
    paths = [e["path"] for e in manifest["files"]]
    assert paths == names[:len(paths)]
    assert paths[0] == "02_don.pdf"
    assert sum(p.endswith(".pdf") for p in paths) == 7 and sum(p.endswith(".docx") for p in paths) == 6
    decision = next(e for e in manifest["files"] if e["kind"] == "admission_decision")
    assert (decision["code"], decision["number"], decision["date"], decision["edition"]) == (
        "9-KNĐ", "Số 12-QĐ/ĐUC", "2025-11-07", "2025-07")
    assert not any(e["kind"] == "print" for e in manifest["files"])
    text = pdf_text(merged)
    titles = ["GIẤY GIỚI THIỆU NGƯỜI VÀO ĐẢNG", "NGHỊ QUYẾT", "TỔNG HỢP Ý KIẾN NHẬN XÉT", "QUYẾT ĐỊNH"]
    at = [text.find(t) for t in titles]
    assert -1 not in at and at == sorted(at), at
    assert text.count("Số 12-QĐ/ĐUC") == 1
    assert manifest["merged_pdf"]["sha256"] == hashlib.sha256(merged).hexdigest()
    # a second export does not replace the first; --force keeps the old one beside
    again = run(ws, "dossier", "export", HUONG, "-o", str(out))
    assert again.exit_code == 5 and "đã có; không ghi đè" in again.output
    forced = run(ws, "dossier", "export", HUONG, "-o", str(out), "--force")
    assert forced.exit_code == 0 and (out / f"{HUONG}~1.zip").is_file()


def test_export_of_a_dossier_with_an_edited_file_writes_nothing(ws, tmp_path):
    edited = ws / "ho-so" / HUONG / "2025-10-20_cell-resolution_pham-thi-thu-huong.pdf"
    edited.write_bytes(edited.read_bytes() + b"%")
    out = tmp_path / "gui"
    result = run(ws, "dossier", "export", HUONG, "-o", str(out))
    assert result.exit_code == 5
    assert f"ĐÃ BỊ SỬA: ho-so/{HUONG}/{edited.name}" in result.output
    assert not out.exists()


# -- verify ---------------------------------------------------------------------------------------------
def test_verify_passes_then_names_an_edited_and_a_missing_file(ws):
    clean = run(ws, "dossier", "verify", HUONG)
    assert clean.exit_code == 0, clean.output
    assert f"Hồ sơ {HUONG}: 13/13 tệp khớp với sổ đăng ký." in clean.output
    folder = ws / "ho-so" / HUONG
    docx = folder / "2025-11-07_admission-decision_pham-thi-thu-huong.docx"
    docx.write_bytes(docx.read_bytes() + b"\0")
    (folder / "2025-08-25_nomination-1_pham-thi-thu-huong.pdf").unlink()
    result = run(ws, "dossier", "verify", HUONG)
    assert result.exit_code == 5
    assert f"ĐÃ BỊ SỬA: ho-so/{HUONG}/{docx.name}" in result.output
    assert f"KHÔNG CÒN TỆP: ho-so/{HUONG}/2025-08-25_nomination-1_pham-thi-thu-huong.pdf" in result.output
    assert "11/13 tệp khớp với sổ đăng ký, 2 tệp không khớp" in result.output
    every = run(ws, "dossier", "verify", "--all")
    assert every.exit_code == 5
    assert f"Hồ sơ {LAN}:" in every.output and "2 tệp không khớp" in every.output


def test_verify_all_passes_on_untouched_dossiers_and_needs_an_id_or_all(filled):
    result = run(filled, "dossier", "verify", "--all")
    assert result.exit_code == 0, result.output
    assert f"Hồ sơ {HUONG}:" in result.output and f"Hồ sơ {LAN}:" in result.output
    assert run(filled, "dossier", "verify").exit_code == 2


def test_papers_are_filed_under_their_dossier_kind(filled):
    import sqlite3

    db = sqlite3.connect(filled / ".docgen" / "workspace.sqlite")
    kinds = dict(db.execute("SELECT form, kind FROM document WHERE dossier_id = ?", (HUONG,)).fetchall())
    db.close()
    assert kinds["admission-decision"] == "admission_decision"
    assert kinds["youth-union-resolution"] == "youth_union_resolution"
    assert kinds["admission-dossier"] == "print"


def test_the_manifest_reads_as_utf8_json(ws, tmp_path):
    out = tmp_path / "gui"
    assert run(ws, "dossier", "export", LAN, "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out / f"{LAN}.zip") as z:
        raw = z.read("manifest.json")
    assert "Lý Thị Ỷ Lan" in raw.decode("utf-8")
    assert json.load(io.BytesIO(raw))["dossier"]["name"] == "Lý Thị Ỷ Lan"


def test_a_congress_dossier_shows_its_papers_without_a_stage_deadline(ws):
    result = run(ws, "congress", str(SAMPLES / "congress-small.json"))
    assert result.exit_code == 0, result.output
    listed = run(ws, "dossier", "list", "--today", "2025-12-01")
    congress = lines_of(listed.output)[-1]
    assert congress.startswith("dai-hoi-") and congress.endswith("· Đại hội chi bộ · chưa có hạn")
    shown = run(ws, "dossier", "show", congress.split(" · ")[0]).output
    assert "Văn kiện của đại hội, theo thứ tự của bộ văn kiện đại hội:" in shown
    assert "06-HD/TW" not in shown
    lines = lines_of(shown)
    first = index_of(lines, "[có] Báo cáo tình hình đảng viên tham dự đại hội")
    assert first < index_of(lines, "[có] Biên bản đại hội")
