"""``docgen serve`` in a real browser: the system's Chromium, driven by Selenium (issue 15, item 4).

The acceptance line: fill a new candidate with one mistake, save, see the problem beside its
field, correct it, save, generate the dossier, download the zip, and check that every hash of
its manifest matches its file.

It needs the system's Chromium and its driver (Debian/Ubuntu: ``apt-get install chromium
chromium-driver``) and the ``selenium`` package (the ``test`` extra). Selenium is given the
driver's path, so Selenium Manager downloads nothing. Without them the test is skipped with
the reason; with ``CI`` set (``.ci/run``) it fails instead, so CI cannot pass without running it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from test_web_congress import expected_numbers
from test_workbook import fill, row_of

from docgen.pipeline import Engine, Workspace
from docgen.pipeline.workbook import write_workbook
from docgen.web.app import create_app
from docgen.web.congress import check_congress

from conftest import DAT, HUONG, LAN, ROOT, SAMPLES, read_json
from doctext import docx_text
from test_web import flat

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
LAN_ID = "ly-thi-y-lan-19900201"
APPROVE = "admission.cell_meeting.approve"


def _missing() -> str:
    """What is missing to run a real browser, or ''."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if not missing:
        return ""
    return ("no real browser to test docgen serve with: missing " + ", ".join(missing)
            + " (Debian/Ubuntu: apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser test", pytrace=False)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("tai-ve")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "download.directory_upgrade": True})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for script_errors
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(120)
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(tmp_path):
    """``docgen serve --no-browser --port 0`` in a new workspace (``docgen init`` with samples/org.json)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DOCGEN_WORKSPACE", None)
    ws = tmp_path / "chi-bo"
    subprocess.run([sys.executable, "-m", "docgen.cli", "init", str(ws), "--org", str(SAMPLES / "org.json")],
                   env=env, check=True, capture_output=True)
    process = subprocess.Popen([sys.executable, "-m", "docgen.cli", "serve", "--no-browser", "--port", "0"],
                               cwd=ws, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = process.stdout.readline()
        address = re.match(r"docgen đang chạy tại (http://127\.0\.0\.1:\d+/)$", line.strip())
        assert address, line
        yield address.group(1), ws
    finally:
        process.terminate()
        process.wait(timeout=30)


def field(driver, path: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.NAME, path)


def type_value(driver, path: str, value: str) -> None:
    """Type ``value`` into the input named ``path`` as a user would: a choice picked from its
    list, text typed key by key. A date picker's text depends on the browser's language, so a
    date is set as the picker sets it (YYYY-MM-DD) and the input told it changed."""
    from selenium.webdriver.support.ui import Select

    el = field(driver, path)
    if el.tag_name == "select":
        Select(el).select_by_value(value)
    elif el.get_attribute("type") == "date":
        driver.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, value)
        assert el.get_attribute("value") == value
    else:
        el.clear()
        el.send_keys(value)


def click(driver, text: str, navigates: bool = True) -> None:
    """Click the button or link ``text``; when it ``navigates`` (a form posted, a page opened),
    wait until the new page has replaced the old one and loaded. A slow answer (a dossier's PDFs
    take seconds) would otherwise be read half-loaded, or as the old page."""
    from selenium.webdriver.common.by import By

    button = driver.find_element(By.XPATH, f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    open_page(driver, button) if navigates else button.click()


def open_page(driver, element, timeout: float = 180) -> None:
    """Click ``element`` and wait for the page it opens: the old document gone, the new one loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, timeout).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")


def problem_beside(driver, path: str) -> str:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, f'div.field[data-path="{path}"]')
    return " ".join(p.text for p in box.find_elements(By.CSS_SELECTOR, ".problem"))


def script_errors(driver) -> list[str]:
    """The errors in the browser's console since last asked (a script's exception, a failed
    request), but for the icon the pages do not have (/favicon.ico, 404)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "/favicon.ico" not in e["message"]]


def wait_for_download(folder: Path, suffix: str, timeout: float = 120) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {sorted(p.name for p in folder.iterdir())}")


def test_fill_a_candidate_see_a_problem_correct_it_generate_and_download_the_zip(browser, server):
    from selenium.webdriver.common.by import By

    base, ws = server
    profile = read_json(LAN)
    browser.get(base)
    assert "Chưa có hồ sơ nào" in browser.page_source
    click(browser, "Hồ sơ mới")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Hồ sơ mới"
    for _ in profile["introducers"]:
        click(browser, "Thêm người giới thiệu")
    values = flat(profile)
    values[APPROVE] = "4"  # the mistake: 14 typed as 4
    for path, value in values.items():
        type_value(browser, path, value)
    click(browser, "Lưu và kiểm tra")

    # the problem beside its field, in the words of docgen check
    assert browser.current_url.endswith(f"/ho-so/{LAN_ID}")
    beside = problem_beside(browser, APPROVE)
    assert "LỖI · vote.two_thirds: Chỉ có 4/14 đảng viên chính thức tán thành, chưa đạt hai phần ba" in beside
    assert "1 lỗi, 0 cảnh báo." in browser.find_element(By.ID, "ket-qua-kiem-tra").text
    assert problem_beside(browser, "candidate.full_name") == ""

    # generating is refused while the error remains
    click(browser, "Tạo cả hồ sơ kết nạp")
    assert "Chưa tạo văn bản: hồ sơ còn lỗi." in browser.find_element(By.ID, "refused").text
    assert not (ws / "ho-so" / LAN_ID).exists()

    # corrected and saved: no problem left, and the file is the sample itself
    type_value(browser, APPROVE, "14")
    click(browser, "Lưu và kiểm tra")
    assert "Hồ sơ đầy đủ, không có lỗi." in browser.find_element(By.ID, "ket-qua-kiem-tra").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".problem")
    assert json.loads((ws / "du-lieu" / f"{LAN_ID}.json").read_text(encoding="utf-8")) == profile

    click(browser, "Tạo cả hồ sơ kết nạp")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Đã đăng ký Số 21-QĐ/ĐUC: Quyết định kết nạp đảng viên — Lý Thị Ỷ Lan" in page
    assert "Giấy tờ trong hồ sơ" in page

    click(browser, "Tải hồ sơ (tệp zip gửi cấp trên)", navigates=False)
    downloaded = wait_for_download(browser.downloads, ".zip")
    assert downloaded.name == f"{LAN_ID}.zip"
    with zipfile.ZipFile(downloaded) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["dossier"]["id"] == LAN_ID and manifest["dossier"]["name"] == "Lý Thị Ỷ Lan"
        assert len(manifest["files"]) == 12
        for entry in manifest["files"]:
            assert hashlib.sha256(z.read(entry["path"])).hexdigest() == entry["sha256"], entry["path"]
        merged = manifest["merged_pdf"]
        assert hashlib.sha256(z.read(merged["path"])).hexdigest() == merged["sha256"]


def test_without_a_browser_the_reason_names_what_to_install(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "CHROMEDRIVER", Path("/nonexistent/chromedriver"))
    reason = _missing()
    assert "/nonexistent/chromedriver" in reason and "apt-get install chromium chromium-driver" in reason


# -- the congress page: its script run in the browser ---------------------------------------------
TERM_FILE = "dai-hoi-2025-2030.json"
CANDIDATES = "congress.elections[0].candidates"


def live_panel(driver) -> list[tuple[str, str, str, str]]:
    """The first election's tally as the live panel shows it: name, votes, share, elected mark."""
    from selenium.webdriver.common.by import By

    table = driver.find_elements(By.CSS_SELECTOR, "#numbers table.tally")[0]
    rows = table.find_elements(By.TAG_NAME, "tr")[1:]
    return [tuple(td.text for td in row.find_elements(By.TAG_NAME, "td")) for row in rows]  # type: ignore[misc]


def tally_of(numbers: dict) -> list[tuple[str, str, str, str]]:
    """The first election's tally as the context builder gives it (what the papers print)."""
    return [(c["full_name"], c["votes"]["n"], c["pct"], "Trúng cử" if c["elected"] else "")
            for c in numbers["elections"][0]["candidates"]]


def wait_until(driver, what, wanted, timeout: float = 20):
    """Wait until ``what(driver) == wanted`` (the page asks the server 0,4 s after the last key);
    on timeout, fail showing what the page last showed."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    seen = []

    def done(d):
        seen[:] = [what(d)]
        return seen[0] == wanted

    try:
        WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(done)
    except TimeoutException:
        raise AssertionError(f"the page shows {seen[0] if seen else '(nothing)'!r}, not {wanted!r}") from None


def slot_text(driver, path: str) -> str:
    """The problems the page shows beside the input (or row, or list) named ``path``."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'.problems[data-for="{path}"]').text


def uncovered(driver, element) -> bool:
    """Whether ``element``, scrolled into view, is what a click at its centre reaches."""
    return driver.execute_script(
        "var e = arguments[0]; e.scrollIntoView({block: 'center', inline: 'center'});"
        "var r = e.getBoundingClientRect();"
        "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === e;", element)


def test_congress_page_live_numbers_rows_problems_and_the_pack(browser, server):
    from selenium.webdriver.common.by import By

    base, ws = server
    script_errors(browser)  # what an earlier test left in the console
    engine = Engine.open()
    data = read_json(SAMPLES / "congress.json")
    (ws / "du-lieu").mkdir(exist_ok=True)
    (ws / "du-lieu" / TERM_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    browser.get(base + "dai-hoi/")
    assert browser.current_url.endswith("/dai-hoi/2025-2030")
    assert f"Tệp: du-lieu/{TERM_FILE}" in browser.find_element(By.TAG_NAME, "main").text
    assert live_panel(browser) == tally_of(expected_numbers(engine, data))
    assert ("Vũ Minh Tuấn", "12", "92,31%", "Trúng cử") in live_panel(browser)
    assert browser.find_element(By.ID, "summary").text == "Kiểm tra: 0 lỗi, 0 cảnh báo."

    # a vote count changed: the share and the elected mark follow, as the papers would print them
    candidates = data["congress"]["elections"][0]["candidates"]
    type_value(browser, f"{CANDIDATES}[1].votes", "5")
    candidates[1]["votes"] = 5
    wanted = tally_of(expected_numbers(engine, data))
    assert ("Vũ Minh Tuấn", "5", "38,46%", "") in wanted
    wait_until(browser, live_panel, wanted)
    # only four over half now: the problem is beside the group it names, not lost among the others
    unfilled = next(p for p in check_congress(engine, Workspace.find(ws), data).problems
                    if p.path == "congress.elections[0].seats_left_empty")
    assert "chỉ 4/5 người đạt quá một nửa" in unfilled.message
    assert unfilled.message in slot_text(browser, "congress.elections[0].seats_left_empty")
    assert browser.find_element(By.ID, "general-problems").text == ""

    # a row added: typed into the new inputs, posted, and counted by the server
    rows = f'div.list[data-for="{CANDIDATES}"]'
    browser.find_element(By.CSS_SELECTOR, f"{rows} > button.add-row").click()
    new_rows = browser.find_elements(By.CSS_SELECTOR, f"{rows} tbody.rows > tr.row")
    assert len(new_rows) == 7
    assert new_rows[-1].text == "Xóa"  # empty inputs and their problem slots, no markup shown as text
    type_value(browser, f"{CANDIDATES}[6].full_name", "Lò Văn Páo")
    type_value(browser, f"{CANDIDATES}[6].votes", "8")
    candidates.append({"full_name": "Lò Văn Páo", "votes": 8})
    wanted = tally_of(expected_numbers(engine, data))
    assert ("Lò Văn Páo", "8", "61,54%", "Trúng cử") in wanted
    wait_until(browser, live_panel, wanted)

    # a row removed (Ngô Thanh Bình, the sixth): the server's numbers no longer have him
    row = browser.find_element(By.NAME, f"{CANDIDATES}[5].votes").find_element(By.XPATH, "./ancestor::tr[1]")
    remove = row.find_element(By.CSS_SELECTOR, "button.remove-row")
    # the eight-column table scrolls inside the form: its "Xóa" is not hidden under the numbers panel
    assert browser.execute_script("var f = document.getElementById('congress-form');"
                                  "return f.scrollWidth <= f.clientWidth;")
    assert uncovered(browser, remove)
    remove.click()
    del candidates[5]
    wanted = tally_of(expected_numbers(engine, data))
    assert not any(name == "Ngô Thanh Bình" for name, *_ in wanted)
    wait_until(browser, live_panel, wanted)

    # a problem beside its field: more votes than valid ballots, in the words of docgen check
    type_value(browser, f"{CANDIDATES}[0].votes", "14")
    candidates[0]["votes"] = 14
    problems = check_congress(engine, Workspace.find(ws), data).problems
    over = next(p for p in problems if p.path == f"{CANDIDATES}[0].votes")
    assert "nhiều hơn số phiếu hợp lệ (13)" in over.message
    wait_until(browser, lambda d: over.message in slot_text(d, f"{CANDIDATES}[0].votes"), True)
    assert "LỖI" in slot_text(browser, f"{CANDIDATES}[0].votes")
    n_err = sum(p.severity == "error" for p in problems)
    assert browser.find_element(By.ID, "summary").text.startswith(f"Kiểm tra: {n_err} lỗi")
    # the added row is the sixth of the file now; its problems are still beside its own inputs ([6])
    added = [p for p in problems if p.path.startswith(f"{CANDIDATES}[5].")]
    assert added, "the added row, with only a name and votes, has problems"
    for p in added:
        assert p.message in slot_text(browser, p.path.replace(f"{CANDIDATES}[5].", f"{CANDIDATES}[6]."))
    assert slot_text(browser, f"{CANDIDATES}[1].votes") == ""

    # nothing of this was saved; reload the file, change one count, save and make the pack
    browser.get(base + "dai-hoi/2025-2030")
    type_value(browser, f"{CANDIDATES}[1].votes", "11")
    click(browser, "Lưu và tạo bộ văn kiện")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert re.search(r"Đã tạo \d+ tệp trong hồ sơ dai-hoi-", page), page
    saved = read_json(ws / "du-lieu" / TERM_FILE)
    assert saved["congress"]["elections"][0]["candidates"][1]["votes"] == 11
    assert ("Vũ Minh Tuấn", "11", "84,62%", "Trúng cử") in live_panel(browser)

    link = browser.find_element(By.XPATH, "//ul[@class='files']//a[contains(., 'vote-count-minutes') "
                                          "and contains(., '.docx')]")
    name = link.text
    link.click()
    downloaded = wait_for_download(browser.downloads, ".docx")
    assert downloaded.name == name
    text = docx_text(downloaded.read_bytes())
    assert "Đồng chí Vũ Minh Tuấn: 11 phiếu, đạt 84,62%." in text
    assert "Đồng chí Lê Văn Quyết: 13 phiếu, đạt 100%." in text
    assert script_errors(browser) == []


# -- the import page: a workbook through the file input ----------------------------------------------
def test_import_a_workbook_see_the_third_ones_mistake_confirm_and_list_the_two_dossiers(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    base, ws = server
    script_errors(browser)  # what an earlier test left in the console
    engine = Engine.open()
    book = tmp_path / "ho-so-chi-bo.xlsx"
    write_workbook(engine, "admission-dossier", book)
    wrong = copy.deepcopy(read_json(HUONG))
    del wrong["introducers"][0]["signed_on"]   # the third person's introducer has not signed
    fill(book, engine, "admission-dossier", [("KN-01", read_json(LAN)), ("KN-02", read_json(DAT)), ("KN-03", wrong)])
    row = row_of(book, "Người giới thiệu", "KN-03")

    browser.get(base)
    click_link = browser.find_element(By.XPATH, "//header//a[normalize-space()='Nhập từ Excel']")
    open_page(browser, click_link)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Nhập hồ sơ từ bảng tính Excel"
    browser.find_element(By.ID, "tep").send_keys(str(book))
    click(browser, "Đọc tệp")

    assert browser.find_element(By.TAG_NAME, "h1").text == "Đã đọc ho-so-chi-bo.xlsx"
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "3 mục; 2 mục không có lỗi, 1 mục có lỗi." in page
    people = {r.find_elements(By.TAG_NAME, "td")[0].text: r for r in
              browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")}
    assert len(people) == 3
    third = people["Phạm Thị Thu Hường (Mã hồ sơ KN-03)"].text
    assert "Có lỗi, không tạo" in third
    assert (f"LỖI Trang \u201cNgười giới thiệu\u201d, dòng {row}, cột \u201cNgày ký giấy giới thiệu\u201d: Thiếu "
            f"\"Ngày ký giấy giới thiệu (thứ 1)\" (introducers[0].signed_on).") in third
    for label, person in people.items():
        if "KN-03" not in label:
            assert "Sẵn sàng tạo hồ sơ" in person.text, label
    assert not (ws / "du-lieu").exists()  # nothing made before the user confirms

    click(browser, "Tạo hoặc cập nhật hồ sơ cho 2 mục không có lỗi")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Đã tạo hoặc cập nhật 2 hồ sơ" in page and "Không tạo được" not in page
    click(browser, "Danh sách hồ sơ")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Hồ sơ"
    listed = {tds[0].text: tds[1].text for tds in (r.find_elements(By.TAG_NAME, "td") for r in
              browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr"))}
    assert listed == {"kn-01": "Lý Thị Ỷ Lan", "kn-02": "Nguyễn Đức Đạt"}
    # a listed dossier opens on its page, its profile the one the workbook held
    open_page(browser, browser.find_element(By.LINK_TEXT, "kn-02"))
    assert browser.current_url.endswith("/ho-so/kn-02")
    assert field(browser, "candidate.full_name").get_attribute("value") == "Nguyễn Đức Đạt"
    assert script_errors(browser) == []


def test_a_problem_on_a_group_of_fields_is_beside_the_group_when_the_page_is_drawn(tmp_path):
    """Found with the browser: a problem whose path is a group (an election's seats_left_empty)
    had a slot the page never drew, so the page said "1 lỗi" and showed none."""
    root = tmp_path / "chi-bo"
    Workspace.create(root, (SAMPLES / "org.json").read_bytes())
    data = read_json(SAMPLES / "congress.json")
    data["congress"]["elections"][0]["candidates"][4]["votes"] = 5   # four over half for five seats
    (root / "du-lieu").mkdir()
    (root / "du-lieu" / TERM_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    page = create_app(root, engine=Engine.open(), testing=True).test_client().get("/dai-hoi/2025-2030")
    html = page.get_data(as_text=True)
    assert "<span>1 lỗi, 0 cảnh báo.</span>" in html
    slot = re.search(r'<div class="problems" data-for="congress\.elections\[0\]\.seats_left_empty">(.*?)</div>',
                     html, re.S)
    assert slot and "chỉ 4/5 người đạt quá một nửa" in slot.group(1) and "election.unfilled" in slot.group(1)


def test_congress_page_says_when_its_numbers_cannot_follow_what_is_typed(browser, server):
    """Found with the browser: when docgen had restarted since the page was opened, every
    recount was refused (400, the form's CSRF session gone) and the page said the server did not
    answer, while the panel kept the old numbers as if they were the form's."""
    from selenium.webdriver.common.by import By

    base, ws = server
    data = read_json(SAMPLES / "congress.json")
    (ws / "du-lieu").mkdir(exist_ok=True)
    (ws / "du-lieu" / TERM_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    browser.get(base + "dai-hoi/2025-2030")
    script_errors(browser)
    browser.delete_all_cookies()  # as after a restart: the session the page's CSRF token belongs to is gone
    type_value(browser, f"{CANDIDATES}[1].votes", "5")
    wait_until(browser, lambda d: "mã 400" in d.find_element(By.ID, "summary").text, True)
    assert "trang này mở từ trước khi docgen khởi động lại" in browser.find_element(By.ID, "summary").text
    note = browser.find_element(By.CSS_SELECTOR, "#numbers .stale-note").text
    assert note.startswith("Số liệu dưới đây là của lần tính trước, chưa theo những gì vừa gõ.")
    assert ("Vũ Minh Tuấn", "12", "92,31%", "Trúng cử") in live_panel(browser)  # the old numbers, marked so
    assert all("/dai-hoi/tinh" in e and "400" in e for e in script_errors(browser))

    # reloaded: a new session, and the panel follows again, the note gone
    browser.get(base + "dai-hoi/2025-2030")
    type_value(browser, f"{CANDIDATES}[1].votes", "5")
    data["congress"]["elections"][0]["candidates"][1]["votes"] = 5
    engine = Engine.open()
    wait_until(browser, live_panel, tally_of(expected_numbers(engine, data)))
    assert not browser.find_elements(By.CSS_SELECTOR, "#numbers .stale-note")
    n_err = sum(p.severity == "error" for p in check_congress(engine, Workspace.find(ws), data).problems)
    assert browser.find_element(By.ID, "summary").text.startswith(f"Kiểm tra: {n_err} lỗi")
    assert script_errors(browser) == []
