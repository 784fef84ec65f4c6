"""Shared fixtures: the engine, the samples, rendering helpers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

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
