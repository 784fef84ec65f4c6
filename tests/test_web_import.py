"""The import page (/nhap-excel): a workbook made by `docgen workbook`, each person's problems
by sheet, row and Vietnamese header, and on confirmation the dossiers of those without errors
(issue 15's acceptance line, through the web page); wrong file types and missing CSRF refused."""

from __future__ import annotations

import copy
import io
import json
import re
import sqlite3
import tempfile
from pathlib import Path

import pytest
from markupsafe import escape
from test_workbook import fill, row_of

from docgen.pipeline import Engine, Workspace
from docgen.pipeline.workbook import write_workbook
from docgen.web.app import create_app

from conftest import DAT, HUONG, LAN, SAMPLES, read_json
from doctext import docx_text


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.open()


@pytest.fixture()
def ws(tmp_path):
    root = tmp_path / "chi-bo"
    Workspace.create(root, (SAMPLES / "org.json").read_bytes())
    return root


@pytest.fixture()
def client(ws, engine):
    return create_app(ws, engine=engine, testing=True).test_client()


def token_of(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def upload(client, data: bytes, name: str, token: str | None):
    form = {"tep": (io.BytesIO(data), name)}
    if token:
        form["csrf_token"] = token
    return client.post("/nhap-excel/", data=form, content_type="multipart/form-data")


def test_three_people_two_dossiers_and_the_third_ones_mistake_by_sheet_row_and_header(client, ws, engine, tmp_path):
    book = tmp_path / "ho-so.xlsx"
    write_workbook(engine, "admission-dossier", book)
    wrong = copy.deepcopy(read_json(HUONG))
    del wrong["introducers"][0]["signed_on"]   # the third person's introducer has not signed
    fill(book, engine, "admission-dossier", [("KN-01", read_json(LAN)), ("KN-02", read_json(DAT)), ("KN-03", wrong)])
    row = row_of(book, "Người giới thiệu", "KN-03")
    page = client.get("/nhap-excel/").get_data(as_text=True)
    assert "tối đa 20 MB" in page
    read = upload(client, book.read_bytes(), "ho-so.xlsx", token_of(page))
    assert read.status_code == 200
    shown = read.get_data(as_text=True)
    text = text_of(shown)
    assert "3 mục; 2 mục không có lỗi, 1 mục có lỗi." in text
    assert "Phạm Thị Thu Hường (Mã hồ sơ KN-03)" in text
    mistake = (f"Trang \u201cNgười giới thiệu\u201d, dòng {row}, cột \u201cNgày ký giấy giới thiệu\u201d: Thiếu "
               f"\"Ngày ký giấy giới thiệu (thứ 1)\" (introducers[0].signed_on).")
    assert str(escape(mistake)) in shown
    assert "Bỏ qua 7 dòng ví dụ" in text
    assert not list(Path(tempfile.gettempdir()).glob("docgen-nhap-*"))  # nothing of the upload kept
    assert not (ws / "du-lieu").exists()  # nothing made before the user confirms

    token = re.search(r'name="token" value="([^"]+)"', shown)
    assert token, text_of(shown)
    token = token.group(1)
    done = client.post("/nhap-excel/xac-nhan", data={"csrf_token": token_of(shown), "token": token})
    assert done.status_code == 200
    assert "Đã tạo hoặc cập nhật 2 hồ sơ" in text_of(done.get_data(as_text=True))
    assert sorted(p.name for p in (ws / "du-lieu").iterdir()) == ["kn-01.json", "kn-02.json"]
    saved = json.loads((ws / "du-lieu" / "kn-02.json").read_text(encoding="utf-8"))
    assert saved["candidate"]["full_name"] == "Nguyễn Đức Đạt"
    db = sqlite3.connect(ws / ".docgen" / "workspace.sqlite")
    try:
        dossiers = dict(db.execute("SELECT id, name FROM dossier").fetchall())
    finally:
        db.close()
    assert dossiers == {"kn-01": "Lý Thị Ỷ Lan", "kn-02": "Nguyễn Đức Đạt"}
    decision = next((ws / "ho-so" / "kn-02").glob("*admission-decision*.docx"))
    assert "NGUYỄN ĐỨC ĐẠT" in docx_text(decision.read_bytes()) or "Nguyễn Đức Đạt" in docx_text(decision.read_bytes())
    # the same confirmation twice makes nothing more
    again = client.post("/nhap-excel/xac-nhan", data={"csrf_token": token_of(shown), "token": token})
    assert again.status_code == 409 and "Hãy tải tệp lên lại" in again.get_data(as_text=True)


@pytest.mark.parametrize("name, kind", [("ho-so.xls", "tệp Excel 97–2003 (.xls)"), ("ho-so.csv", "tệp CSV")])
def test_xls_and_csv_are_refused_saying_how_to_save_as_xlsx(client, name, kind):
    page = client.get("/nhap-excel/").get_data(as_text=True)
    refused = upload(client, b"Ho va ten;Ngay sinh\n", name, token_of(page))
    assert refused.status_code == 400
    text = text_of(refused.get_data(as_text=True))
    assert f"{name}: docgen không đọc {kind}. Hãy mở tệp bằng Excel (hoặc LibreOffice) và chọn Lưu thành (Save As) → " \
        "Sổ làm việc Excel (*.xlsx), rồi gửi tệp .xlsx đó lên đây." in text
    assert "chạy lại" not in text   # the page's words, not the command line's


def test_a_broken_xlsx_is_refused_in_vietnamese(client):
    page = client.get("/nhap-excel/").get_data(as_text=True)
    refused = upload(client, b"day khong phai tep Excel", "ho-so.xlsx", token_of(page))
    assert refused.status_code == 400
    text = text_of(refused.get_data(as_text=True))
    assert "ho-so.xlsx: không mở được tệp này như một bảng tính Excel .xlsx (tệp bị hỏng" in text
    assert "zip" not in text.lower()


def test_a_plain_xlsx_is_not_a_workbook(client, tmp_path):
    page = client.get("/nhap-excel/").get_data(as_text=True)
    refused = upload(client, (SAMPLES / "roster.xlsx").read_bytes(), "danh-sach.xlsx", token_of(page))
    assert refused.status_code == 400
    assert "danh-sach.xlsx: không phải bảng tính do docgen workbook ghi" in text_of(refused.get_data(as_text=True))


def test_an_upload_without_the_csrf_token_is_refused(client, engine, tmp_path, ws):
    book = tmp_path / "ho-so.xlsx"
    write_workbook(engine, "admission-dossier", book)
    fill(book, engine, "admission-dossier", [("KN-02", read_json(DAT))])
    refused = upload(client, book.read_bytes(), "ho-so.xlsx", None)
    assert refused.status_code == 400
    assert "mã bảo vệ (CSRF)" in refused.get_data(as_text=True)
    refused = client.post("/nhap-excel/xac-nhan", data={"token": "x"})
    assert refused.status_code == 400
    assert not (ws / "du-lieu").exists()


def test_an_upload_over_the_size_limit_is_refused(ws, engine):
    app = create_app(ws, engine=engine, testing=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = app.test_client()
    page = client.get("/nhap-excel/").get_data(as_text=True)
    refused = upload(client, b"x" * 5000, "ho-so.xlsx", token_of(page))
    assert refused.status_code == 413
    assert "Tệp quá lớn" in refused.get_data(as_text=True)


def import_book(client, book: Path) -> tuple[str, str]:
    """Upload ``book`` and confirm: the preview's page and the result's, as text."""
    page = client.get("/nhap-excel/").get_data(as_text=True)
    read = upload(client, book.read_bytes(), book.name, token_of(page))
    assert read.status_code == 200, text_of(read.get_data(as_text=True))
    shown = read.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', shown)
    assert token, text_of(shown)
    token = token.group(1)
    done = client.post("/nhap-excel/xac-nhan", data={"csrf_token": token_of(shown), "token": token})
    assert done.status_code == 200
    return text_of(shown), text_of(done.get_data(as_text=True))


def test_reimport_updates_the_saved_profile_and_keeps_what_the_workbook_does_not_hold(client, ws, engine, tmp_path):
    # a dossier saved from the web page, with the recognition part (no sheet in the workbook) and a note
    full = read_json(SAMPLES / "recognition" / "on-time.json")
    full["candidate"]["id"] = "KN-09"
    (ws / "du-lieu").mkdir()
    (ws / "du-lieu" / "kn-09.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    given = copy.deepcopy(full)
    del given["recognition"], given["_why"]
    del given["candidate"]["hometown"]                      # a cell left empty
    given["candidate"]["residence"] = "phường Tương Mai, thành phố Hà Nội"
    book = tmp_path / "ho-so.xlsx"
    write_workbook(engine, "admission-dossier", book)
    fill(book, engine, "admission-dossier", [("KN-09", given), ("KN-10", read_json(LAN))])
    preview, done = import_book(client, book)
    assert "cập nhật du-lieu/kn-09.json" in preview and "tạo mới du-lieu/kn-10.json" in preview
    kept = preview.split("Giữ từ tệp đã lưu (bảng tính không có): ")[1].split(" tạo mới")[0]
    assert "_why" in kept and "recognition" in kept and "Quê quán (candidate.hometown)" in kept
    assert "Đã tạo hoặc cập nhật 2 hồ sơ" in done
    saved = json.loads((ws / "du-lieu" / "kn-09.json").read_text(encoding="utf-8"))
    assert saved["recognition"] == full["recognition"] and saved["_why"] == full["_why"]
    assert saved["candidate"]["hometown"] == full["candidate"]["hometown"]
    assert saved["candidate"]["residence"] == "phường Tương Mai, thành phố Hà Nội"
    assert saved["introducers"] == full["introducers"]


def test_a_congress_reimport_updates_its_term_file_and_keeps_its_notes(client, ws, engine, tmp_path):
    data = json.loads((SAMPLES / "congress.json").read_text(encoding="utf-8"))
    saved_before = {"_ghi_chu": "bản đã sửa trên trang Đại hội", **copy.deepcopy(data)}
    (ws / "du-lieu").mkdir()
    (ws / "du-lieu" / "dai-hoi-2025-2030.json").write_text(json.dumps(saved_before, ensure_ascii=False),
                                                            encoding="utf-8")
    given = copy.deepcopy(data)
    del given["congress"]["venue"]
    given["congress"]["opening_time"] = "07 giờ 30"
    book = tmp_path / "dai-hoi.xlsx"
    write_workbook(engine, "congress", book)
    fill(book, engine, "congress", [("DH-1", given)])
    preview, done = import_book(client, book)
    assert "cập nhật du-lieu/dai-hoi-2025-2030.json" in preview
    assert "_ghi_chu" in preview and "(congress.venue)" in preview
    assert "Đã tạo hoặc cập nhật 1 hồ sơ" in done
    saved = json.loads((ws / "du-lieu" / "dai-hoi-2025-2030.json").read_text(encoding="utf-8"))
    assert saved["_ghi_chu"] == "bản đã sửa trên trang Đại hội"
    assert saved["congress"]["venue"] == data["congress"]["venue"]
    assert saved["congress"]["opening_time"] == "07 giờ 30"
    assert saved["congress"]["elections"] == data["congress"]["elections"]


def test_when_the_papers_cannot_be_made_the_saved_profile_is_left_as_it_was(client, ws, engine, tmp_path):
    book = tmp_path / "ho-so.xlsx"
    write_workbook(engine, "admission-dossier", book)
    fill(book, engine, "admission-dossier", [("KN-02", read_json(DAT))])
    import_book(client, book)
    before = (ws / "du-lieu" / "kn-02.json").read_bytes()
    # the secretary touches up the decision in Word, then imports a changed workbook
    decision = next((ws / "ho-so" / "kn-02").glob("*admission-decision*.docx"))
    decision.write_bytes(decision.read_bytes() + b"\0")
    changed = read_json(DAT)
    changed["candidate"]["workplace"] = "Phòng Kế hoạch, Công ty Điện lực Hoàng Mai"
    again = tmp_path / "lan-2.xlsx"
    write_workbook(engine, "admission-dossier", again)
    fill(again, engine, "admission-dossier", [("KN-02", changed)])
    preview, done = import_book(client, again)
    assert "cập nhật du-lieu/kn-02.json" in preview
    assert "Không tạo được" in done and "Không ghi đè giấy tờ đã sửa tay." in done
    assert decision.name in done and "du-lieu/kn-02.json chưa thay đổi." in done
    assert "--force" not in done   # the command line's advice is not the page's
    assert (ws / "du-lieu" / "kn-02.json").read_bytes() == before
