"""Shared fixtures: the engine, the samples, rendering helpers."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

import pytest

# What docgen caches between runs (compiled templates, docgen.cache_dir) goes to a folder of this
# test run, the CLI's subprocesses included, never to the user's cache
os.environ["DOCGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="docgen-test-cache-")

from docgen.load.forms import FormLibrary
from docgen.load.model import Inputs, record_from_data
from docgen.pipeline import Engine

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
VALID_CANDIDATES = sorted((SAMPLES / "candidates").glob("*.json"))
INVALID = sorted((SAMPLES / "invalid").glob("*.json"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden from the current output")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(FormLibrary(ROOT / "forms"))


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def org_data() -> dict:
    return read_json(SAMPLES / "org.json")


def make_inputs(engine: Engine, org: dict, subject: dict, kind: str = "candidate") -> Inputs:
    reg = engine.library.registry
    return Inputs({"org": record_from_data(org, "org", reg), kind: record_from_data(subject, kind, reg)})


def sample(stem: str) -> Path:
    """A valid candidate sample by file stem."""
    return SAMPLES / "candidates" / f"{stem}.json"


DAT = sample("nguyen-duc-dat-nfd")        # typed in NFD; decision 07, 2026-02-05
HUONG = sample("pham-thi-thu-huong")      # "&" and "<" in the workplace
LAN = sample("ly-thi-y-lan")              # rare letters Ỷ, Ự


# the probationary year of Hương (issue 14): admitted by the decision of 2025-11-07, ceremony 2025-11-20,
# probation ends 2026-11-20; the cell meets 2026-11-24, the committee resolves 2026-11-27, decision 2026-11-30.
# samples/recognition/ holds the samples of recognition; this profile is the fixed one the tests of the
# member's papers count on (two helpers; 2 of 3 organisations agree).
RECOGNITION = {
    "self_review": {
        "date": "2026-11-10",
        "strengths": "Luôn giữ vững lập trường tư tưởng, chấp hành nghiêm chủ trương của Đảng; hoàn thành tốt "
                     "nhiệm vụ chuyên môn.",
        "weaknesses": "Đôi khi chưa mạnh dạn phát biểu trong sinh hoạt chi bộ; nguyên nhân: còn ngại va chạm.",
        "direction": "Tích cực tham gia ý kiến trong sinh hoạt chi bộ, tiếp tục học tập lý luận chính trị.",
    },
    "new_member_course": {"certificate_date": "2026-04-15"},
    "helpers": [
        {"full_name": "Vũ Minh Tuấn", "party_position": "Phó Bí thư Chi bộ", "assigned_on": "2025-11-20",
         "signed_on": "2026-11-12", "strengths": "Chấp hành tốt nhiệm vụ đảng viên, gương mẫu trong công tác.",
         "weaknesses": "Cần mạnh dạn hơn khi góp ý."},
        {"full_name": "Đỗ Thị Mai Anh", "party_position": "Đảng viên", "assigned_on": "2025-11-20",
         "signed_on": "2026-11-13", "strengths": "Nhiệt tình, có trách nhiệm.",
         "weaknesses": "Chưa chủ động đề xuất giải pháp."},
    ],
    "comments": {
        "date": "2026-11-16", "organizations_total": 3, "organizations_agree": 2,
        "organizations": ["Công đoàn Phòng Thí nghiệm", "Chi đoàn Phòng Thí nghiệm",
                          "Chi ủy Chi bộ tổ dân phố số 12, phường Hoàng Mai"],
        "strengths": "Có ý thức tổ chức kỷ luật tốt, gương mẫu trong công tác chuyên môn.",
        "weaknesses": "Chưa mạnh dạn góp ý với đồng nghiệp.",
    },
    "cell_meeting": {
        "date": "2026-11-24", "resolution_number": 21, "members_total": 15, "members_official": 14,
        "members_probationary": 1, "present_official": 13, "present_probationary": 1, "approve": 12, "reject": 1,
        "absent_reasons": "01 đồng chí chính thức đi công tác", "reject_reasons": "cần thêm thời gian rèn luyện",
        "chair": {"full_name": "Lê Văn Quyết", "title": "Bí thư Chi bộ"}, "secretary": "Đỗ Thị Mai Anh",
        "conclusions": {"strengths": "Giữ vững lập trường tư tưởng, hoàn thành tốt nhiệm vụ được giao.",
                        "weaknesses": "Đôi khi chưa mạnh dạn phát biểu ý kiến."},
    },
    "committee_resolution": {"number": 25, "date": "2026-11-27", "members_total": 9, "present": 9, "approve": 9,
                             "reject": 0},
    "decision": {"number": 30, "date": "2026-11-30"},
}


def recognition_profile(**changes: dict) -> dict:
    """Hương's profile a year on, with her probationary year (:data:`RECOGNITION`); ``changes``
    replace whole parts of the recognition group (``self_review={}`` leaves her text out)."""
    c = read_json(HUONG)
    c["admission"]["decision"]["received_on"] = "2025-11-10"
    c["admission"]["ceremony"] = {"date": "2025-11-20"}
    c["recognition"] = {**copy.deepcopy(RECOGNITION), **copy.deepcopy(changes)}
    return c


def decision_only(cand: dict) -> dict:
    """Only what the decision itself reads (tests that move its dates need no other paper)."""
    c = copy.deepcopy(cand)
    keep = {k: c["candidate"][k]
            for k in ("full_name", "gender", "date_of_birth", "hometown", "residence", "workplace")}
    meeting = {k: v for k, v in c["admission"]["cell_meeting"].items() if k in DECISION_MEETING_KEYS}
    return {"candidate": keep, "admission": {"cell_meeting": meeting,
                                             "committee_resolution": c["admission"]["committee_resolution"],
                                             "decision": c["admission"]["decision"]}}


# what the decision reads of the cell's meeting: its date, its resolution and its vote
DECISION_MEETING_KEYS = ("date", "resolution_number", "members_total", "members_official", "members_probationary",
                         "not_counted", "present_official", "present_probationary", "approve", "reject")


def assert_invalid_sample_refused(path: Path, command: str, out: Path) -> None:
    """An invalid sample states why (``_why``) and exactly which rules it breaks
    (``_expect``); ``docgen check`` finds those and no other, and ``command`` exits 3
    without writing a file into ``out``."""
    from click.testing import CliRunner

    from docgen.cli import main

    org = str(SAMPLES / "org.json")
    data = read_json(path)
    assert data["_why"]
    check = CliRunner().invoke(main, ["check", str(path), "--org", org, "--json"])
    assert check.exit_code == 3
    assert {p["rule"] for p in json.loads(check.stdout)["problems"]} == set(data["_expect"])
    result = CliRunner().invoke(main, [command, str(path), "--org", org, "-o", str(out)])
    assert result.exit_code == 3
    assert not out.exists() or not any(out.iterdir())


def in_workspace(ws: Path, *args: str):
    """``docgen --workspace WS ARGS…`` through Click's runner."""
    from click.testing import CliRunner

    from docgen.cli import main

    return CliRunner().invoke(main, ["--workspace", str(ws), *args])


def workspace_with(folder: Path, *samples: str) -> Path:
    """A workspace made by ``docgen init`` with samples/org.json in ``folder``/chi-bo, holding the
    admission dossiers of ``samples`` (names of samples/candidates/*.json)."""
    from click.testing import CliRunner

    from docgen.cli import main

    ws = folder / "chi-bo"
    made = CliRunner().invoke(main, ["init", str(ws), "--org", str(SAMPLES / "org.json")])
    assert made.exit_code == 0, made.output
    for name in samples:
        result = in_workspace(ws, "admission-dossier", str(SAMPLES / "candidates" / f"{name}.json"))
        assert result.exit_code == 0, result.output
    return ws


def check_golden(doc, folder: Path, stem: str, update: bool) -> None:
    """A rendered document's DOCX paragraphs and PDF text against ``folder/stem.docx.txt`` and
    ``.pdf.txt`` (rewritten with ``--update-golden``)."""
    from doctext import docx_paragraphs, pdf_text

    got = {folder / f"{stem}.docx.txt": "\n".join(docx_paragraphs(doc.docx)) + "\n",
           folder / f"{stem}.pdf.txt": pdf_text(doc.pdf) + "\n"}
    for file, text in got.items():
        if update:
            folder.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
        assert text == file.read_text(encoding="utf-8"), file.name
