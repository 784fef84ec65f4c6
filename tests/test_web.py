"""``docgen serve``: the web pages over a workspace, with Flask's test client (issue 15, item 1).

The form a page shows is posted back as a browser would post it (every input, the empty ones
too); the JSON it saves is read by the command line; the problems beside the fields are those
``docgen check --json`` reports for the same file; the papers it makes are those of the pipeline."""

from __future__ import annotations

import copy
import hashlib
import html
import io
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.cli import main
from docgen.web.app import MAX_UPLOAD, bind, create_app

from conftest import LAN, ROOT, SAMPLES, read_json
from doctext import docx_text, pdf_text

LAN_ID = "ly-thi-y-lan-19900201"
APPROVE = "admission.cell_meeting.approve"


def run(args: list[str], workspace: Path | None = None):
    env = {"DOCGEN_WORKSPACE": str(workspace) if workspace else None}
    return CliRunner().invoke(main, args, env=env)


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    result = run(["init", str(root), "--org", str(SAMPLES / "org.json")])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def client(ws, engine):
    return create_app(ws, engine=engine, testing=True).test_client()


class Page(str):
    """A page's text with its entities decoded, which keeps its HTML (``raw``) for :func:`form_of`:
    an attribute's value may hold a quote (a kept value's JSON), which only the HTML delimits."""

    raw: str


def text_of(response) -> Page:
    raw = response.get_data(as_text=True)
    page = Page(html.unescape(raw))
    page.raw = raw
    return page


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_of(page: str) -> dict[str, str]:
    """Every input of the profile form as the browser sends it: its name and its current value
    (a select's selected option, a textarea's text), the empty ones included."""
    form = re.search(r'<form method="post" novalidate.*?</form>', getattr(page, "raw", page), re.S).group(0)
    out: dict[str, str] = {}
    for tag in re.finditer(r'<input [^>]*name="([^"]+)"(?:[^>]*?value="([^"]*)")?[^>]*>', form):
        if 'type="checkbox"' in tag.group(0) and " checked" not in tag.group(0):
            continue  # an unticked box is not sent
        out[tag.group(1)] = html.unescape(tag.group(2) or "")
    for tag in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        out[tag.group(1)] = html.unescape(tag.group(2))
    for tag in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', tag.group(2))
        out[tag.group(1)] = html.unescape(chosen.group(1)) if chosen else ""
    return out


def flat(data, prefix: str = "") -> dict[str, str]:
    """A profile as the values typed into the form: one input per JSON path, a list of texts
    one line each, a yes/no as Có/Không."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flat(value, f"{prefix}.{key}" if prefix else key))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for i, item in enumerate(data):
            out.update(flat(item, f"{prefix}[{i}]"))
    elif isinstance(data, list):
        out[prefix] = "\n".join(data)
    elif isinstance(data, bool):
        out[prefix] = "co" if data else "khong"
    else:
        out[prefix] = str(data)
    return out


def new_form(client, profile: dict) -> dict[str, str]:
    """The blank form, with as many fieldsets as ``profile``'s lists have items (added with
    "Thêm", as a user does), then ``profile``'s values typed in."""
    page = text_of(client.get("/ho-so/moi"))
    for list_path in ("introducers",):
        for _ in profile.get(list_path, []):
            form = form_of(page)
            page = text_of(client.post("/ho-so/moi", data={**form, "csrf_token": token(page),
                                                           "action": f"add:{list_path}"}))
    form = form_of(page)
    typed = flat(profile)
    missing = set(typed) - set(form)
    assert not missing, f"the page has no input for {sorted(missing)}"
    return {**form, **typed, "csrf_token": token(page), "action": "save"}


def save_new(client, profile: dict):
    return client.post("/ho-so/moi", data=new_form(client, profile))


def field_div(page: str, path: str) -> str:
    found = re.search(r'<div class="field[^"]*" data-path="' + re.escape(path) + r'">(.*?)</div>', page, re.S)
    assert found, f"no input for {path}"
    return found.group(1)


# -- the pages ----------------------------------------------------------------------------------------
def test_each_page_renders_in_vietnamese(client):
    index = text_of(client.get("/"))
    assert "<html lang=\"vi\">" in index
    assert '<link rel="icon" href="data:,">' in index  # no request for /favicon.ico, no console error
    for label in ("Hồ sơ", "Đại hội", "Nhập từ Excel", "Sổ đăng ký", "Hồ sơ mới", "Chưa có hồ sơ nào"):
        assert label in index
    new = text_of(client.get("/ho-so/moi"))
    # generated from the registry: its labels, grouped by part, each input named by its JSON path
    for label in ("Họ và tên người vào Đảng", "Người giới thiệu (Mẫu 3-KNĐ)", "Chi bộ họp xét kết nạp (Mẫu 6-KNĐ)",
                  "Số đảng viên chính thức tán thành", "Lưu và kiểm tra", "Thêm người giới thiệu"):
        assert label in new
    assert re.search(r'<select id="f-candidate.gender" name="candidate.gender">\s*<option value="">— chưa chọn —'
                     r'</option>\s*<option value="Nam">Nam</option><option value="Nữ">Nữ</option>', new)
    assert '<input type="date" id="f-candidate.date_of_birth" name="candidate.date_of_birth" value=""' in new
    assert re.search(r'<input type="number" id="f-admission.cell_meeting.approve" [^>]*min="0" max="100000"', new)
    assert '<textarea id="f-comments.organizations"' in new and "mỗi dòng một mục" in new
    assert re.search(r'name="candidate.youth_union_member">\s*<option value="">— chưa khai —</option>\s*'
                     r'<option value="co">Có</option>\s*<option value="khong">Không</option>', new)
    # the case of a member left out of a vote, in the words of wording.toml
    assert "chuyển sinh hoạt tạm thời không có mặt" not in new  # no such list item yet: no select
    register = text_of(client.get("/so-dang-ky"))
    assert "Sổ đăng ký văn bản" in register and "Sổ đăng ký chưa có văn bản nào có số." in register
    missing = client.get("/khong-co")
    assert missing.status_code == 404 and "Không có trang này" in text_of(missing)
    assert client.get("/ho-so/khong-co-ho-so-nay").status_code == 404
    assert client.get("/ho-so/..%2F..%2Fetc").status_code == 404


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(client, ws):
    form = new_form(client, read_json(LAN))
    del form["csrf_token"]
    refused = client.post("/ho-so/moi", data=form)
    assert refused.status_code == 400
    assert "thiếu mã bảo vệ (CSRF)" in text_of(refused)
    assert not (ws / "du-lieu").exists()
    wrong = client.post("/ho-so/moi", data={**form, "csrf_token": "gia-mao"})
    assert wrong.status_code == 400 and not (ws / "du-lieu").exists()
    # every POST route, the generating one too
    assert client.post(f"/ho-so/{LAN_ID}/tao", data={"target": "admission-dossier"}).status_code == 400


def test_an_upload_over_the_limit_gets_a_vietnamese_413(client):
    page = text_of(client.get("/ho-so/moi"))
    big = io.BytesIO(b"x" * (MAX_UPLOAD + 1))
    response = client.post("/ho-so/moi", data={"csrf_token": token(page), "tep": (big, "lon.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Tệp quá lớn" in text_of(response) and "20 MB" in text_of(response)


# -- saving: the same JSON the command line reads -----------------------------------------------------
def test_the_saved_profile_is_the_json_the_command_line_reads(client, ws):
    profile = read_json(LAN)
    saved = save_new(client, profile)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/ho-so/{LAN_ID}")
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    assert json.loads(path.read_text(encoding="utf-8")) == profile
    assert '""' not in path.read_text(encoding="utf-8")  # the empty inputs are left out, not ""
    page = text_of(client.get(saved.headers["Location"]))
    assert "Đã lưu du-lieu/ly-thi-y-lan-19900201.json." in page
    assert "Hồ sơ đầy đủ, không có lỗi." in page
    checked = run(["check", str(path)], ws)
    assert checked.exit_code == 0 and "Hồ sơ đầy đủ, không có lỗi." in checked.output
    # and the command line makes the papers from it, in the workspace, in the dossier of that id
    made = run(["admission-dossier", str(path)], ws)
    assert made.exit_code == 0, made.output
    decision = next((ws / "ho-so" / LAN_ID).glob("*_admission-decision_*.docx"))
    assert "LÝ THỊ Ỷ LAN" in docx_text(decision.read_bytes())


def test_saving_again_keeps_the_profile_and_its_notes(client, ws):
    profile = {"_why": "ghi chú của người dùng", **read_json(LAN)}
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    assert 'value="Lý Thị Ỷ Lan"' in page
    again = client.post(f"/ho-so/{LAN_ID}", data={**form_of(page), "csrf_token": token(page), "action": "save"})
    assert again.status_code == 302
    assert json.loads(path.read_text(encoding="utf-8")) == profile


def test_a_new_profile_never_writes_over_another_with_the_same_id(client, ws):
    first = read_json(LAN)
    assert save_new(client, first).status_code == 302
    other = copy.deepcopy(first)
    other["candidate"]["workplace"] = "Văn phòng Cục"  # another person of the same name and birthday
    response = save_new(client, other)
    assert response.status_code == 200
    assert f"Chưa lưu: đã có hồ sơ {LAN_ID}" in text_of(response) and "Mã hồ sơ" in text_of(response)
    assert json.loads((ws / "du-lieu" / f"{LAN_ID}.json").read_text(encoding="utf-8")) == first
    other["candidate"]["id"] = "ly-thi-y-lan-2"
    assert save_new(client, other).headers["Location"].endswith("/ho-so/ly-thi-y-lan-2")
    assert json.loads((ws / "du-lieu" / "ly-thi-y-lan-2.json").read_text(encoding="utf-8")) == other


def test_text_typed_in_nfd_is_saved_in_nfc(client, ws):
    profile = read_json(LAN)
    form = new_form(client, profile)
    form["candidate.workplace"] = __import__("unicodedata").normalize("NFD", profile["candidate"]["workplace"])
    assert client.post("/ho-so/moi", data=form).status_code == 302
    saved = json.loads((ws / "du-lieu" / f"{LAN_ID}.json").read_text(encoding="utf-8"))
    assert saved["candidate"]["workplace"] == profile["candidate"]["workplace"]


def test_a_profile_without_a_name_is_not_saved_and_says_why(client, ws):
    page = text_of(client.get("/ho-so/moi"))
    response = client.post("/ho-so/moi", data={**form_of(page), "csrf_token": token(page), "action": "save",
                                               "candidate.gender": "Nữ"})
    assert response.status_code == 200
    assert "Chưa lưu: cần “Họ và tên người vào Đảng” (candidate.full_name)" in text_of(response)
    assert 'value="Nữ" selected' in text_of(response)  # what was typed is still there
    assert not (ws / "du-lieu").exists()


def test_thêm_and_xóa_change_the_fieldsets_without_saving(client, ws):
    form = new_form(client, read_json(LAN))
    added = text_of(client.post("/ho-so/moi", data={**form, "action": "add:introducers"}))
    assert 'name="introducers[2].full_name"' in added and "Người giới thiệu 3" in added
    assert "Chưa lưu" in added and not (ws / "du-lieu").exists()
    removed = text_of(client.post("/ho-so/moi", data={**form_of(added), "csrf_token": token(added),
                                                      "action": "remove:introducers:0"}))
    assert 'name="introducers[2].full_name"' not in removed
    assert 'value="Dương Thị Ỷ Nhi"' in removed  # the second introducer is now the first
    assert re.search(r'name="introducers\[0\]\.full_name" value="Dương Thị Ỷ Nhi"', removed)
    # a blank added fieldset is not saved as an empty item
    saved = client.post("/ho-so/moi", data={**form_of(added), "csrf_token": token(added), "action": "save"})
    assert saved.status_code == 302
    assert len(json.loads((ws / "du-lieu" / f"{LAN_ID}.json").read_text(encoding="utf-8"))["introducers"]) == 2


# -- problems beside their fields ---------------------------------------------------------------------
def test_each_problem_is_shown_beside_its_field_in_the_words_of_docgen_check(client, ws):
    profile = read_json(LAN)
    profile["admission"]["cell_meeting"]["approve"] = 4  # 14 typed as 4
    profile["introducers"][1]["signed_on"] = "2027-01-10"  # after the meeting
    del profile["candidate"]["hometown"]
    saved = save_new(client, profile)
    page = text_of(client.get(saved.headers["Location"]))
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    reported = json.loads(run(["check", str(path), "--json"], ws).output)["problems"]
    assert {p["path"] for p in reported} >= {APPROVE, "introducers[1].signed_on", "candidate.hometown"}
    for p in reported:
        beside = field_div(page, p["path"])
        assert html.unescape(p["message"]) in beside, p
        assert p["rule"] in beside and "LỖI" in beside
    assert f"{len(reported)} lỗi, 0 cảnh báo." in page
    assert "Chỉ có 4/14 đảng viên chính thức tán thành, chưa đạt hai phần ba" in field_div(page, APPROVE)
    assert "problem" not in field_div(page, "candidate.full_name")
    # corrected, the problems are gone
    fixed = client.post(f"/ho-so/{LAN_ID}", data={**form_of(page), "csrf_token": token(page), "action": "save",
                                                  APPROVE: "14", "introducers[1].signed_on": "2026-01-12",
                                                  "candidate.hometown": read_json(LAN)["candidate"]["hometown"]})
    page = text_of(client.get(fixed.headers["Location"]))
    assert "Hồ sơ đầy đủ, không có lỗi." in page and 'class="problem' not in page


def test_a_value_the_form_cannot_hold_is_kept_and_named(client, ws):
    """A profile edited by hand with a wrong date keeps it on the page (a text input, not an
    empty date picker) so that saving does not drop it, and the check names it."""
    profile = read_json(LAN)
    profile["candidate"]["date_of_birth"] = "31/02/1990"
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    beside = field_div(page, "candidate.date_of_birth")
    assert 'type="text"' in beside and 'value="31/02/1990"' in beside and "LỖI" in beside


def test_an_organisation_problem_is_shown_at_the_top(client, ws):
    org = read_json(SAMPLES / "org.json")
    org["committee"]["symbol"] = ""
    (ws / "to-chuc.json").write_text(json.dumps(org, ensure_ascii=False), encoding="utf-8")
    saved = save_new(client, read_json(LAN))
    page = text_of(client.get(saved.headers["Location"]))
    top = page.split('<div class="top-problems">', 1)[1].split("</section>", 1)[0]
    assert "committee.symbol" in top and "tệp tổ chức to-chuc.json" in top


# -- papers, previews, downloads ------------------------------------------------------------------------
def test_generate_the_dossier_then_download_the_zip_whose_manifest_matches(client, ws):
    location = save_new(client, read_json(LAN)).headers["Location"]
    page = text_of(client.get(location))
    made = client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(page), "target": "admission-dossier"})
    assert made.status_code == 302
    page = text_of(client.get(location))
    assert "Đã đăng ký Số 21-QĐ/ĐUC: Quyết định kết nạp đảng viên — Lý Thị Ỷ Lan" in page
    assert "Giấy tờ trong hồ sơ" in page
    shown = run(["dossier", "show", LAN_ID], ws).output.splitlines()
    for line in (x for x in shown if x.startswith(("Giai đoạn:", "Hạn tiếp theo:"))):
        assert f"<p>{line}</p>" in page  # the stage and deadline in the words of `docgen dossier show`
    # each file downloads; a PDF previews inline, in the page's frame
    pdf_link = re.search(r'href="(/ho-so/[^"]+_admission-decision_[^"]+\.pdf)\?xem=1" target="xem-truoc"', page)
    preview = client.get(pdf_link.group(1) + "?xem=1")
    assert preview.mimetype == "application/pdf" and preview.headers["Content-Disposition"].startswith("inline")
    assert "LÝ THỊ Ỷ LAN" in pdf_text(preview.data)
    docx = client.get(pdf_link.group(1)[:-4] + ".docx")
    assert docx.headers["Content-Disposition"].startswith("attachment")
    assert "QUYẾT ĐỊNH" in docx_text(docx.data)
    assert client.get(f"/ho-so/{LAN_ID}/tep/..%2F..%2Fto-chuc.json").status_code == 404
    # the zip is what `docgen dossier export` writes
    response = client.get(f"/ho-so/{LAN_ID}/{LAN_ID}.zip")
    assert response.status_code == 200 and response.headers["Content-Disposition"] == \
        f"attachment; filename={LAN_ID}.zip"
    z = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = json.loads(z.read("manifest.json"))
    assert len(manifest["files"]) == 12  # 3 nominations… the 6 papers of the dossier, DOCX and PDF each
    for entry in manifest["files"]:
        assert hashlib.sha256(z.read(entry["path"])).hexdigest() == entry["sha256"]
    assert hashlib.sha256(z.read(manifest["merged_pdf"]["path"])).hexdigest() == manifest["merged_pdf"]["sha256"]
    exported = run(["dossier", "export", LAN_ID, "-o", str(ws / "xuat")], ws)
    assert exported.exit_code == 0, exported.output
    cli_zip = zipfile.ZipFile(ws / "xuat" / f"{LAN_ID}.zip")
    assert sorted(cli_zip.namelist()) == sorted(z.namelist())
    # the list and the register see the dossier
    index = text_of(client.get("/"))
    assert LAN_ID in index and "Lý Thị Ỷ Lan" in index
    register = text_of(client.get("/so-dang-ky"))
    assert "Số 21-QĐ/ĐUC" in register and "Số 04-NQ/CB" in register
    book = load_workbook(io.BytesIO(client.get("/so-dang-ky/so-dang-ky.xlsx").data))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "Số 21-QĐ/ĐUC" in cells


def test_one_paper_is_made_alone(client, ws):
    location = save_new(client, read_json(LAN)).headers["Location"]
    page = text_of(client.get(location))
    assert "Tạo quyết định kết nạp đảng viên (Mẫu 9-KNĐ)" in page
    made = client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(page), "target": "admission-decision"})
    assert made.status_code == 302
    files = sorted(p.name for p in (ws / "ho-so" / LAN_ID).iterdir())
    assert len(files) == 2 and all("_admission-decision_" in f for f in files)
    assert client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(page), "target": "khong-co"}).status_code \
        == 400


def test_generating_is_refused_with_the_problems_while_errors_remain(client, ws):
    profile = read_json(LAN)
    profile["admission"]["cell_meeting"]["approve"] = 4
    location = save_new(client, profile).headers["Location"]
    page = text_of(client.get(location))
    refused = client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(page), "target": "admission-dossier"})
    assert refused.status_code == 422
    text = text_of(refused)
    assert "Chưa tạo văn bản: hồ sơ còn lỗi." in text
    assert "Chỉ có 4/14 đảng viên chính thức tán thành" in field_div(text, APPROVE)
    assert not (ws / "ho-so" / LAN_ID).exists()


def test_an_edited_paper_is_not_overwritten_and_the_page_says_so(client, ws):
    location = save_new(client, read_json(LAN)).headers["Location"]
    page = text_of(client.get(location))
    client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(page), "target": "admission-decision"})
    docx = next((ws / "ho-so" / LAN_ID).glob("*.docx"))
    docx.write_bytes(docx.read_bytes() + b"edited")
    again = client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(page), "target": "admission-decision"})
    assert again.status_code == 409
    text = text_of(again)
    assert "Không ghi đè:" in text and docx.name in text and "Tạo lại, giữ tệp đã sửa" in text
    forced = client.post(f"/ho-so/{LAN_ID}/tao", data={"csrf_token": token(text), "target": "admission-decision",
                                                      "force": "1"})
    assert forced.status_code == 302
    kept = docx.with_name(docx.stem + "~1.docx")
    assert kept.read_bytes().endswith(b"edited")
    assert "Giữ tệp cũ đã sửa" in text_of(client.get(location))


def test_a_dossier_filed_by_the_command_line_opens_in_the_form(client, ws):
    made = run(["admission-dossier", str(LAN)], ws)
    assert made.exit_code == 0, made.output
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    assert "Hồ sơ này được tạo bằng dòng lệnh" in page and 'value="Lý Thị Ỷ Lan"' in page
    assert "Số 21-QĐ/ĐUC" in page


# -- the server ---------------------------------------------------------------------------------------------
def serve(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DOCGEN_WORKSPACE", None)
    return subprocess.Popen([sys.executable, "-m", "docgen.cli", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_the_server_binds_127_0_0_1_only(ws, engine):
    server = bind(create_app(ws, engine=engine, testing=True), 0)
    try:
        assert server.socket.getsockname()[0] == "127.0.0.1"
        assert server.host == "127.0.0.1" and server.port > 0
    finally:
        server.server_close()


def test_the_server_stops_on_ctrl_c(ws):
    process = serve(["serve", "--no-browser", "--port", "0"], ws)
    try:
        line = process.stdout.readline()
        address = re.match(r"docgen đang chạy tại (http://127\.0\.0\.1:\d+/)$", line.strip())
        assert address, line
        with urllib.request.urlopen(address.group(1), timeout=30) as response:
            assert "Chưa có hồ sơ nào" in response.read().decode("utf-8")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "Đã dừng docgen." in out
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_outside_a_workspace_says_how_to_make_one(tmp_path):
    process = serve(["serve", "--no-browser", "--port", "0"], tmp_path)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 5
    assert "docgen serve chạy trong một thư mục làm việc" in err and "docgen init THƯ-MỤC --org" in err


def test_a_taken_port_is_a_vietnamese_usage_error(ws):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        result = run(["serve", "--no-browser", "--port", str(s.getsockname()[1])], ws)
    assert result.exit_code == 2
    assert "Không mở được cổng" in result.output and "--port 0" in result.output


def test_the_servers_log_holds_no_name_date_of_birth_or_dossier_id(ws):
    """The real log of `docgen serve` (its stderr: werkzeug's access log and the app's own) after
    opening, saving with a problem, making and downloading a dossier names each route, never a
    dossier's id (the person's name and date of birth) or a value of the profile."""
    profile = read_json(LAN)
    folder = ws / "du-lieu"
    folder.mkdir()
    (folder / f"{LAN_ID}.json").write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    process = serve(["serve", "--no-browser", "--port", "0"], ws)
    try:
        base = re.match(r"docgen đang chạy tại (http://127\.0\.0\.1:\d+)/$", process.stdout.readline().strip()).group(1)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = html.unescape(opener.open(f"{base}/ho-so/{LAN_ID}?tu=danh-sach", timeout=60).read().decode("utf-8"))
        form = {**form_of(page), "csrf_token": token(page), "action": "save", APPROVE: "4"}
        body = urllib.parse.urlencode(form).encode("utf-8")
        assert opener.open(f"{base}/ho-so/{LAN_ID}", data=body, timeout=60).status == 200  # after the redirect
        for missing in (f"{base}/ho-so/{LAN_ID}/tep/{LAN_ID}.pdf", f"{base}/khong-co/{LAN_ID}"):
            with pytest.raises(urllib.error.HTTPError):
                opener.open(missing, timeout=60)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert '"GET /ho-so/<dossier_id>" 200' in err and '"POST /ho-so/<dossier_id>" 302' in err, err
    assert '"GET /ho-so/<dossier_id>/tep/<path:name>" 404' in err and '"GET (không có trang)" 404' in err, err
    personal = [LAN_ID, "19900201", "ly-thi", profile["candidate"]["date_of_birth"]]
    personal += [v for v in flat(profile["candidate"]).values() if len(v) > 3]
    for value in personal:
        assert value.lower() not in err.lower(), value


def test_the_pages_ship_inside_the_wheel(tmp_path):
    """A plain install serves the pages: the wheel carries every template and static file."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("docgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    web = ROOT / "docgen" / "web"
    shipped = [p.relative_to(ROOT).as_posix() for folder in ("templates", "static") for p in (web / folder).iterdir()]
    assert "docgen/web/templates/base.html" in shipped and "docgen/web/static/app.css" in shipped
    assert set(shipped) <= names, set(shipped) - names


# -- the Host header: a page of another site whose name points at 127.0.0.1 (DNS rebinding) --------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "192.168.1.5:8765",
                                  "localhost.evil.example"])
def test_a_request_for_another_host_name_is_refused(client, ws, host):
    profile = read_json(LAN)
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    for url in ("/", f"/ho-so/{LAN_ID}", "/so-dang-ky", "/static/app.css"):
        refused = client.get(url, base_url=f"http://{host}/")
        assert refused.status_code == 400, url
        text = text_of(refused)
        assert "Không nhận yêu cầu" in text and "http://127.0.0.1:<cổng>/" in text
        assert "Lý Thị Ỷ Lan" not in text and LAN_ID not in text
    # a POST too (even with a good token: the page that holds it is this computer's)
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    form = {**form_of(page), "csrf_token": token(page), "action": "save", "candidate.full_name": "Kẻ Lạ"}
    assert client.post(f"/ho-so/{LAN_ID}", data=form, base_url=f"http://{host}/").status_code == 400
    assert json.loads(path.read_text(encoding="utf-8")) == profile


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8765", "localhost", "localhost:8765", "LocalHost:8765"])
def test_this_computers_names_are_served_with_any_port(client, host):
    response = client.get("/", base_url=f"http://{host}/")
    assert response.status_code == 200 and "Chưa có hồ sơ nào" in text_of(response)


@pytest.mark.parametrize("action", ["add:candidate", "add:candidate.full_name", "add:introducers[].full_name",
                                    "remove:candidate:0", "add:", "add:khong-co", "remove:comments.organizations:0",
                                    "xoa-het"])
def test_adding_or_removing_where_the_form_has_no_list_is_a_400(client, ws, action):
    form = new_form(client, read_json(LAN))
    response = client.post("/ho-so/moi", data={**form, "action": action})
    assert response.status_code == 400 and "Yêu cầu không hợp lệ" in text_of(response)
    assert not (ws / "du-lieu").exists()


def test_a_negative_number_in_the_file_is_saved_back_as_a_number(client, ws):
    profile = read_json(LAN)
    profile["admission"]["cell_meeting"]["approve"] = -1
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    beside = field_div(page, APPROVE)
    assert 'type="number"' in beside and 'value="-1"' in beside and "LỖI" in beside
    saved = client.post(f"/ho-so/{LAN_ID}", data={**form_of(page), "csrf_token": token(page), "action": "save"})
    assert saved.status_code == 302
    assert json.loads(path.read_text(encoding="utf-8")) == profile  # -1, not "-1"


def test_a_line_break_in_a_short_text_is_kept_in_a_textarea(client, ws):
    """A browser strips the line breaks of an <input type=text>: a value holding one is shown in a
    textarea, whose lines come back (as CR LF) and are saved as they were."""
    profile = read_json(LAN)
    profile["candidate"]["workplace"] = "Phòng Kế hoạch\nCục Công Thương địa phương"
    profile["introducers"][0]["party_position"] = "Bí thư chi bộ\nPhó trưởng phòng"
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    for name, value in (("candidate.workplace", profile["candidate"]["workplace"]),
                        ("introducers[0].party_position", profile["introducers"][0]["party_position"])):
        beside = field_div(page, name)
        assert f'<textarea id="f-{name}" name="{name}"' in beside and f">{value}</textarea>" in beside
    assert '<input type="text" id="f-candidate.full_name"' in page  # one-line values stay one-line inputs
    form = {k: v.replace("\n", "\r\n") for k, v in form_of(page).items()}  # as the browser sends a textarea
    saved = client.post(f"/ho-so/{LAN_ID}", data={**form, "csrf_token": token(page), "action": "save"})
    assert saved.status_code == 302
    assert json.loads(path.read_text(encoding="utf-8")) == profile


def test_the_congress_file_is_no_persons_dossier(client, ws):
    """The congress page saves du-lieu/dai-hoi-<term>.json beside the profiles: told by what it
    holds, it is not listed as a person's dossier, its address leads to the congress page, and no
    profile is saved over it."""
    folder = ws / "du-lieu"
    folder.mkdir()
    congress = (SAMPLES / "congress.json").read_text(encoding="utf-8")
    (folder / "dai-hoi-2025-2030.json").write_text(congress, encoding="utf-8")
    (folder / "dai-hoi-cu.json").write_text(congress, encoding="utf-8")  # another name: told by its content
    (folder / "to-chuc-cu.json").write_text((SAMPLES / "org.json").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "dai-hoi-2020-2025.json").write_text("{ hỏng", encoding="utf-8")  # unreadable: told by its name
    (folder / "hong.json").write_text("{ hỏng", encoding="utf-8")  # unreadable, a person's: its page says why
    (folder / f"{LAN_ID}.json").write_text(json.dumps(read_json(LAN), ensure_ascii=False), encoding="utf-8")
    index = text_of(client.get("/"))
    unfiled = index.split("Hồ sơ đã khai, chưa tạo văn bản", 1)[1]
    assert LAN_ID in unfiled and "hong" in unfiled
    for name in ("dai-hoi-2025-2030", "dai-hoi-cu", "to-chuc-cu", "dai-hoi-2020-2025"):
        assert name not in index, name
    opened = client.get("/ho-so/dai-hoi-2025-2030")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/dai-hoi/2025-2030")
    assert client.get("/ho-so/dai-hoi-cu").status_code == 404
    # a person whose "Mã hồ sơ" is the congress file's name is not saved over it
    person = read_json(LAN)
    person["candidate"]["id"] = "dai-hoi-2025-2030"
    refused = save_new(client, person)
    assert refused.status_code == 200
    assert "Chưa lưu: du-lieu/dai-hoi-2025-2030.json là tệp khác" in text_of(refused)
    assert (folder / "dai-hoi-2025-2030.json").read_text(encoding="utf-8") == congress


def hand_edited(ws) -> tuple[Path, dict]:
    """A profile edited by hand with values the form has no input for."""
    profile = {"_why": "ghi chú đầu tệp", **read_json(LAN)}
    profile["candidate"]["nick_name"] = "Lan nhỏ"
    profile["candidate"]["_why"] = "ghi chú trong nhóm"
    profile["introducers"][0]["_ghi_chu"] = "người giới thiệu thứ nhất"
    profile["introducers"][1]["_ghi_chu"] = "người giới thiệu thứ hai"
    profile["admission"]["cell_meeting"]["approve"] = 12.5  # a number the number input cannot hold
    profile["comments"]["la"] = {"a.b": [1, None, {}]}
    path = ws / "du-lieu" / f"{LAN_ID}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    return path, profile


UNSHOWN = ["candidate.nick_name", "candidate._why", "introducers[0]._ghi_chu", "introducers[1]._ghi_chu",
           "comments.la", APPROVE]  # in the file's order


def test_saving_keeps_and_names_the_values_the_form_has_no_input_for(client, ws):
    path, profile = hand_edited(ws)
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    warning = page.split('id="khong-hien">', 1)[1].split("</div>", 1)[0]
    assert f"Tệp hồ sơ có {len(UNSHOWN)} giá trị mà biểu mẫu không có ô để hiện: {', '.join(UNSHOWN)}." in warning
    assert "_why" not in warning.replace("candidate._why", "")  # the note at the top is no problem
    assert 'value=""' in field_div(page, APPROVE)  # not "12.5" turned into a text
    saved = client.post(f"/ho-so/{LAN_ID}", data={**form_of(page), "csrf_token": token(page), "action": "save"})
    assert saved.status_code == 302
    assert json.loads(path.read_text(encoding="utf-8")) == profile  # nothing lost, nothing changed
    after = text_of(client.get(saved.headers["Location"]))
    assert "Đã lưu du-lieu/ly-thi-y-lan-19900201.json." in after and 'id="khong-hien"' in after
    # the check names the unknown keys, as `docgen check` does
    assert "candidate.nick_name" in after.split('<div class="top-problems">', 1)[1]


def test_a_kept_value_follows_its_item_when_an_item_is_removed(client, ws):
    path, profile = hand_edited(ws)
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    removed = text_of(client.post(f"/ho-so/{LAN_ID}", data={**form_of(page), "csrf_token": token(page),
                                                             "action": "remove:introducers:0"}))
    assert "introducers[0]._ghi_chu" in removed.split('id="khong-hien">', 1)[1].split("</div>", 1)[0]
    assert "introducers[1]._ghi_chu" not in removed
    added = text_of(client.post(f"/ho-so/{LAN_ID}", data={**form_of(removed), "csrf_token": token(removed),
                                                           "action": "add:introducers"}))
    saved = client.post(f"/ho-so/{LAN_ID}", data={**form_of(added), "csrf_token": token(added), "action": "save"})
    assert saved.status_code == 302
    assert json.loads(path.read_text(encoding="utf-8"))["introducers"] == [profile["introducers"][1]]


def test_the_values_the_form_cannot_show_are_left_out_only_when_asked(client, ws):
    path, profile = hand_edited(ws)
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    assert '<input type="checkbox" name="bo-gia-tri-khong-hien" value="1">' in page
    form = {**form_of(page), "csrf_token": token(page), "action": "save", "bo-gia-tri-khong-hien": "1"}
    saved = client.post(f"/ho-so/{LAN_ID}", data=form)
    assert saved.status_code == 302
    expected = {"_why": "ghi chú đầu tệp", **read_json(LAN)}  # the note at the top stays
    del expected["admission"]["cell_meeting"]["approve"]
    assert json.loads(path.read_text(encoding="utf-8")) == expected
    after = text_of(client.get(saved.headers["Location"]))
    assert "Đã bỏ khỏi hồ sơ, theo yêu cầu, các giá trị biểu mẫu không hiện được: " + ", ".join(UNSHOWN) in after
    assert 'id="khong-hien"' not in after


def test_a_value_typed_over_one_the_form_could_not_show_replaces_it_and_says_so(client, ws):
    path, profile = hand_edited(ws)
    page = text_of(client.get(f"/ho-so/{LAN_ID}"))
    saved = client.post(f"/ho-so/{LAN_ID}", data={**form_of(page), "csrf_token": token(page), "action": "save",
                                                  APPROVE: "14"})
    profile["admission"]["cell_meeting"]["approve"] = 14
    assert json.loads(path.read_text(encoding="utf-8")) == profile
    after = text_of(client.get(saved.headers["Location"]))
    assert f"đã được thay bằng giá trị vừa nhập: {APPROVE}." in after


@pytest.mark.parametrize("kept", ["khong-phai-json", '{"path": [], "value": 1}', '{"path": ["a"]}',
                                  '{"path": [0], "value": 1}', '{"path": ["introducers", 100000], "value": 1}',
                                  '{"path": ["a", true], "value": 1}'])
def test_a_kept_value_the_page_did_not_write_is_a_400(client, ws, kept):
    form = new_form(client, read_json(LAN))
    response = client.post("/ho-so/moi", data={**form, "giu:0": kept})
    assert response.status_code == 400
    assert not (ws / "du-lieu").exists()
