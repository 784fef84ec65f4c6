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

from conftest import LAN, ROOT, SAMPLES, read_json
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


def click(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    button = driver.find_element(By.XPATH, f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def problem_beside(driver, path: str) -> str:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, f'div.field[data-path="{path}"]')
    return " ".join(p.text for p in box.find_elements(By.CSS_SELECTOR, ".problem"))


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

    click(browser, "Tải hồ sơ (tệp zip gửi cấp trên)")
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
