"""The congress page (/dai-hoi): the form generated from the registry, the arithmetic computed
live by the server with the context builder's functions, problems beside their fields in the
words of `docgen check`, the file saved as the CLI reads it, and the pack made in the workspace."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from docgen.pipeline import Engine, Workspace
from docgen.web.app import create_app
from docgen.web.congress import NUMBER_KEYS, check_congress

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


class FormFields(HTMLParser):
    """The name/value pairs a browser would post for the congress form (rows' templates left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = self.in_template = 0
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "congress-form":
            self.in_form = 1
        if not self.in_form:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "input" and a.get("name"):
            # as a browser posts it: newlines are stripped from an <input>'s value
            self.fields.append((a["name"], re.sub(r"[\r\n]", "", a.get("value") or "")))
        elif tag == "select":
            self.select = a.get("name")
            self.fields.append((self.select or "", ""))
        elif tag == "option" and self.select and "selected" in a:
            self.fields[-1] = (self.select, a.get("value") or "")
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "template" and self.in_form:
            self.in_template -= 1
        elif tag == "form":
            self.in_form = 0
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea and not self.in_template:
            self.fields.append((self.textarea, self.text))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def form_of(page: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(page)
    return [(n, v) for n, v in parser.fields if n]


def token_of(page: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.open()


@pytest.fixture()
def ws(tmp_path) -> Path:
    root = tmp_path / "chi-bo"
    Workspace.create(root, (SAMPLES / "org.json").read_bytes())
    (root / "du-lieu").mkdir()
    return root


@pytest.fixture()
def client(ws, engine):
    return create_app(ws, engine=engine, testing=True).test_client()


def put(ws: Path, data: dict, term: str = "2025-2030") -> None:
    (ws / "du-lieu" / f"dai-hoi-{term}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def sample(name: str = "congress.json") -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def expected_numbers(engine: Engine, data: dict) -> dict:
    """The numbers straight from the context builder, as a paper made from ``data`` prints them."""
    org = engine.load(SAMPLES / "org.json", "org")
    inputs = engine.inputs(org, engine.record(data, "congress"))
    ctx = engine.context(engine.library.get("congress-minutes"), inputs)
    return {key: ctx["congress"][key] for key in NUMBER_KEYS}


def live(client, fields, token=None):
    headers = {"X-CSRFToken": token} if token else {}
    posted = MultiDict([(n, v) for n, v in fields if n != "csrf_token"])
    return client.post("/dai-hoi/tinh", data=posted, headers=headers)


def set_field(fields, name, value):
    out = [(n, value if n == name else v) for n, v in fields]
    assert any(n == name for n, _ in fields), name
    return out


def test_the_form_is_the_registry_with_vietnamese_labels_and_the_sample_numbers(client, ws):
    put(ws, sample())
    page = client.get("/dai-hoi/", follow_redirects=True).get_data(as_text=True)
    text = text_of(page)
    for label in ("Đại hội lần thứ", "Số lượng cần bầu", "Họ và tên người trong danh sách bầu cử", "Số phiếu bầu",
                  "Trường hợp vắng mặt", "Lần bầu tiếp theo".lower()):
        assert label.lower() in text.lower(), label
    assert 'type="date"' in page and '<option value="accepted_reason" selected>' in page
    # the numbers as the papers print them: base 13 (one absent with an accepted reason), 7 to be elected
    assert "Số làm căn cứ biểu quyết, bầu cử 13" in text
    assert "Quá một nửa: cần ít nhất 7 phiếu" in text
    assert "Vũ Minh Tuấn 12 92,31% Trúng cử" in text
    assert "Ngô Thanh Bình 6 46,15%" in text and "Ngô Thanh Bình 6 46,15% Trúng cử" not in text
    assert "15/24 (62,5%)" in text
    assert "Kiểm tra: 0 lỗi, 0 cảnh báo." in text


@pytest.mark.parametrize("name", ["congress.json", "congress-small.json", "congress-round2.json"])
def test_the_posted_form_is_the_file_and_the_live_numbers_are_the_context_builders(client, ws, engine, name):
    data = sample(name)
    put(ws, data)
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    fields = form_of(page)
    answer = live(client, fields, token_of(page))
    assert answer.status_code == 200
    got = answer.get_json()
    assert got["numbers"] == expected_numbers(engine, data)
    # what the form posts is the file itself: saved, it is the same JSON the CLI reads
    saved = client.post("/dai-hoi/luu", data=MultiDict(fields))
    assert saved.status_code == 302
    assert json.loads((ws / "du-lieu" / "dai-hoi-2025-2030.json").read_text(encoding="utf-8")) == data


def test_typing_a_vote_count_changes_who_is_elected_and_the_base(client, ws, engine):
    put(ws, sample())
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    token = token_of(page)
    fields = form_of(page)
    # the sixth on the list reaches the fifth's votes: a tie across the last seat, nobody elected to it
    tie = set_field(fields, "congress.elections[0].candidates[5].votes", "9")
    got = live(client, tie, token).get_json()
    data = sample()
    data["congress"]["elections"][0]["candidates"][5]["votes"] = 9
    assert got["numbers"] == expected_numbers(engine, data)
    committee = got["numbers"]["elections"][0]
    assert committee["tied_names"] and "Ngô Thanh Bình" in committee["tied_names"]
    assert "Bằng phiếu ở chỗ cuối" in got["numbers_html"]
    assert any("election.tie" in html and "Ngô Thanh Bình" in html for html in got["problems"].values())
    # the absentee's case changed to "other": counted in the base, 14, so 8 votes are needed
    other = set_field(fields, "congress.members.absent[0].category", "other")
    got = live(client, other, token).get_json()
    assert got["numbers"]["members"]["base"]["n"] == "14"
    assert got["numbers"]["members"]["over_half"]["n"] == "8"
    assert '<td class="over-half">8 phiếu</td>' in got["numbers_html"]
    assert "85,71%" in got["numbers_html"]  # 12 of 14


def test_each_problem_is_beside_its_field_in_the_words_of_docgen_check(client, ws, engine):
    put(ws, sample())
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    fields = set_field(form_of(page), "congress.elections[0].seats", "năm")
    # a row the browser added takes any free index: its problem comes back under that index
    fields += [("congress.elections[0].candidates[9].full_name", "Lò Văn Páo"),
               ("congress.elections[0].candidates[9].votes", "mười")]
    got = live(client, fields, token_of(page)).get_json()
    assert not got["ok"]
    data = sample()
    data["congress"]["elections"][0]["seats"] = "năm"
    data["congress"]["elections"][0]["candidates"].append({"full_name": "Lò Văn Páo", "votes": "mười"})
    wanted = [p for p in check_congress(engine, Workspace.find(ws), data).problems if p.severity == "error"]
    seats = [p for p in wanted if p.path == "congress.elections[0].seats"]
    assert seats and str(escape(seats[0].message)) in got["problems"]["congress.elections[0].seats"]
    votes = [p for p in wanted if p.path == "congress.elections[0].candidates[6].votes"]
    assert votes and str(escape(votes[0].message)) in got["problems"]["congress.elections[0].candidates[9].votes"]
    assert "LỖI" in got["problems"]["congress.elections[0].seats"]
    assert got["summary"].endswith("cảnh báo.") and got["summary"].startswith(f"{len(wanted)} lỗi")


def test_csrf_is_refused_without_the_token(client, ws):
    put(ws, sample())
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    fields = [(n, v) for n, v in form_of(page) if n != "csrf_token"]
    refused = live(client, fields)
    assert refused.status_code == 400
    assert "mã bảo vệ (CSRF)" in refused.get_data(as_text=True)
    before = (ws / "du-lieu" / "dai-hoi-2025-2030.json").read_bytes()
    refused = client.post("/dai-hoi/luu", data=MultiDict(set_field(fields, "congress.venue", "Nơi khác")))
    assert refused.status_code == 400
    assert (ws / "du-lieu" / "dai-hoi-2025-2030.json").read_bytes() == before


def test_a_new_congress_is_named_by_its_term_and_refused_without_one(client, ws):
    page = client.get("/dai-hoi/", follow_redirects=True).get_data(as_text=True)
    assert "Đại hội mới" in page
    token = token_of(page)
    refused = client.post("/dai-hoi/luu", data={"csrf_token": token, "congress.venue": "Hội trường"})
    assert refused.status_code == 422
    assert "cần Năm đầu nhiệm kỳ và Năm cuối nhiệm kỳ" in refused.get_data(as_text=True)
    assert not list((ws / "du-lieu").glob("*.json"))
    saved = client.post("/dai-hoi/luu", data={"csrf_token": token, "congress.term.start": "2025",
                                              "congress.term.end": "2030", "congress.ordinal": "II"})
    assert saved.status_code == 302 and saved.location.endswith("/dai-hoi/2025-2030")
    data = json.loads((ws / "du-lieu" / "dai-hoi-2025-2030.json").read_text(encoding="utf-8"))
    assert data == {"congress": {"ordinal": "II", "term": {"start": 2025, "end": 2030}}}
    page = client.get(saved.location).get_data(as_text=True)
    assert str(escape('"Đại hội lần thứ" (congress.ordinal)')) in page  # the check's own words, beside the field


def test_generate_files_the_pack_in_the_workspace_with_downloads(client, ws):
    put(ws, sample())
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    made = client.post("/dai-hoi/luu", data=MultiDict(form_of(page) + [("_generate", "1")]))
    assert made.status_code == 200
    text = text_of(made.get_data(as_text=True))
    dossier = next((ws / "ho-so").iterdir())
    assert dossier.name.startswith("dai-hoi-")
    names = sorted(p.name for p in dossier.iterdir() if p.suffix in (".docx", ".pdf"))
    assert any("congress-minutes" in n for n in names) and any(n.endswith("_congress_" + n.split("_congress_")[-1])
                                                                for n in names)
    assert f"Đã tạo {len(names)} tệp trong hồ sơ {dossier.name}" in text
    link = re.search(r'href="(/ho-so/[^"]+congress-minutes[^"]+\.docx)"', made.get_data(as_text=True)).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.data[:2] == b"PK"
    from tests.doctext import docx_text
    assert "Lê Văn Quyết" in docx_text(got.data)


def test_generate_is_refused_with_the_problems_while_the_file_has_errors(client, ws):
    data = copy.deepcopy(sample())
    del data["congress"]["elections"][0]["seats"]
    put(ws, data)
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    refused = client.post("/dai-hoi/2025-2030/tao", data={"csrf_token": token_of(page)})
    assert refused.status_code == 422
    assert "Chưa tạo văn bản nào" in refused.get_data(as_text=True)
    assert '"Số lượng cần bầu (thứ 1)"' in refused.get_data(as_text=True) or "Số lượng cần bầu" in text_of(
        refused.get_data(as_text=True))
    assert not (ws / "ho-so").exists() or not any((ws / "ho-so").iterdir())


def test_a_paper_edited_by_hand_is_kept_and_remade_only_when_asked(client, ws):
    put(ws, sample())
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    token = token_of(page)
    assert client.post("/dai-hoi/2025-2030/tao", data={"csrf_token": token}).status_code == 200
    minutes = next((ws / "ho-so").glob("*/*congress-minutes*.docx"))
    edited = minutes.read_bytes() + b"\0"   # touched up in Word
    minutes.write_bytes(edited)
    refused = client.post("/dai-hoi/2025-2030/tao", data={"csrf_token": token})
    assert refused.status_code == 409
    shown = refused.get_data(as_text=True)
    assert "Không ghi đè 1 tệp" in text_of(shown) and minutes.name in shown and "--force" not in shown
    assert minutes.read_bytes() == edited
    button = re.search(r'<form method="post" action="(/dai-hoi/2025-2030/tao)">\s*<input type="hidden" '
                       r'name="csrf_token" value="[^"]+">\s*<input type="hidden" name="force" value="1">\s*'
                       r'<p><button type="submit" id="tao-lai">Tạo lại, giữ tệp đã sửa</button>', shown)
    assert button
    again = client.post(button.group(1), data={"csrf_token": token, "force": "1"})
    assert again.status_code == 200
    assert "Giữ tệp cũ đã sửa" in text_of(again.get_data(as_text=True))
    kept = minutes.with_name(minutes.name + "~1") if minutes.with_name(minutes.name + "~1").exists() else \
        next(p for p in minutes.parent.iterdir() if "~1" in p.name)
    assert kept.read_bytes() == edited
    assert minutes.read_bytes() != edited and minutes.read_bytes()[:2] == b"PK"


def test_a_line_break_in_a_short_text_survives_the_form(client, ws):
    data = sample()
    data["congress"]["venue"] = "Hội trường tầng 3\nTrung tâm Khuyến công"
    data["congress"]["closing_time"] = "11 giờ 30\n(dự kiến)"
    put(ws, data)
    page = client.get("/dai-hoi/2025-2030").get_data(as_text=True)
    assert re.search(r'<textarea name="congress.venue" id="congress.venue" rows="3">Hội trường tầng 3\n', page)
    saved = client.post("/dai-hoi/luu", data=MultiDict(form_of(page)))
    assert saved.status_code == 302
    got = json.loads((ws / "du-lieu" / "dai-hoi-2025-2030.json").read_text(encoding="utf-8"))
    assert got == data
