"""The admission rules as 294-QĐ/TW and 06-HD/TW write them (legal review D2, D3, D16–D21,
D29, D31, D32): each rule just inside and just outside its edge, through ``docgen check`` and
the commands that print, with exit codes and messages naming the field."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.domain.workdays import WorkCalendar

from conftest import DAT, HUONG, LAN, ROOT, SAMPLES, make_inputs, read_json
from doctext import docx_text

ORG = str(SAMPLES / "org.json")


def run(tmp_path: Path, cand: dict, command: str = "check", *extra: str):
    """``docgen check --json`` (problems by rule) or another command on ``cand``; the result and
    the output folder."""
    f = tmp_path / "profile.json"
    f.write_text(json.dumps(cand, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    args = [command, str(f), "--org", ORG]
    args += ["--json"] if command == "check" else ["-o", str(out), *extra]
    return CliRunner().invoke(main, args), out


def problems(tmp_path: Path, cand: dict) -> tuple[int, list[dict]]:
    result, _ = run(tmp_path, cand)
    return result.exit_code, json.loads(result.stdout)["problems"]


def of(found: list[dict], rule: str) -> list[dict]:
    return [p for p in found if p["rule"] == rule]


def refused_and_nothing_written(tmp_path: Path, cand: dict, command: str = "admission-decision") -> str:
    result, out = run(tmp_path, cand, command)
    assert result.exit_code == 3, result.output
    assert not out.exists() or not any(out.iterdir())
    return result.stderr


# -- 1. age -----------------------------------------------------------------------------------------
AGE_EXCEPTION = {"rule": "age.maximum", "reason": "quần chúng có uy tín tại địa bàn",
                 "approved_by": "Công văn số 125-CV/TU, ngày 02-02-2026 của Ban Thường vụ Tỉnh ủy"}


@pytest.mark.parametrize("rule_id", ["age.minimum", "age.maximum", "age.range"])
def test_seventeen_years_seven_months_is_refused_whatever_exception_is_on_file(tmp_path, rule_id):
    cand = read_json(HUONG)  # meeting 2025-10-20
    cand["candidate"]["date_of_birth"] = "2008-03-01"  # 17 years 7 months
    cand["exceptions"] = [{**AGE_EXCEPTION, "rule": rule_id}]
    code, found = problems(tmp_path, cand)
    assert code == 3
    (age,) = of(found, "age.minimum")
    assert age["severity"] == "error" and age["path"] == "candidate.date_of_birth"
    assert "17 tuổi 7 tháng, chưa đủ 18 tuổi" in age["message"] and "không cho ngoại lệ" in age["message"]
    if rule_id != "age.maximum":  # an exception for a rule that takes none, or that does not exist, is named
        (exc,) = of(found, "exceptions.rule")
        assert exc["path"] == "exceptions[0].rule" and f'"{rule_id}"' in exc["message"]
    stderr = refused_and_nothing_written(tmp_path, cand)
    assert "age.minimum" in stderr and "candidate.date_of_birth" in stderr


@pytest.mark.parametrize("born, ok", [("2007-10-31", True), ("2007-11-01", False)])
def test_eighteen_counted_by_month_at_the_meeting(tmp_path, born, ok):
    cand = read_json(HUONG)  # meeting 2025-10-20: born in October 2007 is 18 years 0 months
    cand["candidate"]["date_of_birth"] = born
    code, found = problems(tmp_path, cand)
    assert (not of(found, "age.minimum")) is ok and (code == 0) is ok


def test_sixty_one_with_an_approved_exception_passes_with_a_warning(tmp_path):
    cand = read_json(LAN)  # meeting 2026-03-02
    cand["candidate"]["date_of_birth"] = "1965-01-01"  # 61 years 2 months
    code, found = problems(tmp_path, cand)
    assert code == 3 and of(found, "age.maximum")[0]["severity"] == "error"
    cand["exceptions"] = [AGE_EXCEPTION]
    code, found = problems(tmp_path, cand)
    assert code == 0
    (age,) = of(found, "age.maximum")
    assert age["severity"] == "warning" and "Đã có ngoại lệ được duyệt" in age["message"]
    assert not of(found, "exceptions.unused")  # the exception is what this case needs
    result, out = run(tmp_path, cand, "admission-decision", "--format", "docx")
    assert result.exit_code == 0, result.output
    (docx,) = out.glob("*.docx")
    assert "- Căn cứ Công văn số 125-CV/TU" in docx_text(docx.read_bytes())


@pytest.mark.parametrize("born, ok", [("1966-03-20", True), ("1966-02-20", False)])
def test_sixty_full_years_by_month_is_the_upper_edge(tmp_path, born, ok):
    cand = read_json(LAN)
    cand["candidate"]["date_of_birth"] = born
    _, found = problems(tmp_path, cand)
    assert (not of(found, "age.maximum")) is ok


# -- 2. the vote base ----------------------------------------------------------------------------------
def with_absentee(cand: dict, category: str = "temporarily_transferred") -> dict:
    """Lan's cell (14 official, all present, 14 for) with one official member absent and left out."""
    c = copy.deepcopy(cand)
    cm = c["admission"]["cell_meeting"]
    cm.update(present_official=13, approve=13, reject=0, absent_reasons="01 đồng chí chuyển sinh hoạt tạm thời")
    cm["not_counted"] = [{"full_name": "Trần Văn Bình", "category": category}]
    return c


def test_one_absent_member_left_out_lowers_the_base_and_the_6_knd_says_why(tmp_path, engine, org_data):
    cand = with_absentee(read_json(LAN))
    code, found = problems(tmp_path, cand)
    assert code == 0, found
    ctx = engine.context(engine.library.get("cell-resolution"), make_inputs(engine, org_data, cand))
    assert ctx["admission"]["cell_meeting"]["base"]["n"] == "13"
    result, out = run(tmp_path, cand, "cell-resolution", "--format", "docx")
    assert result.exit_code == 0, result.output
    (docx,) = out.glob("*.docx")
    text = docx_text(docx.read_bytes())
    assert "chính thức 14 đồng chí" in text
    assert ("đạt 100% so với tổng số đảng viên chính thức (13 đồng chí, đã trừ 01 đồng chí chuyển sinh hoạt "
            "tạm thời không có mặt)") in text


def test_no_one_left_out_prints_no_note(tmp_path):
    result, out = run(tmp_path, read_json(LAN), "cell-resolution", "--format", "docx")
    assert result.exit_code == 0
    (docx,) = out.glob("*.docx")
    text = docx_text(docx.read_bytes())
    assert "(14 đồng chí);" in text and "đã trừ" not in text


def test_the_note_counts_each_case(engine, org_data):
    cand = with_absentee(read_json(LAN))
    cm = cand["admission"]["cell_meeting"]
    cm.update(present_official=11, approve=11)
    cm["not_counted"] += [{"full_name": "Lê Thị Cúc", "category": "suspended_or_detained"},
                          {"full_name": "Hồ Văn Dũng", "category": "temporarily_transferred"}]
    ctx = engine.context(engine.library.get("cell-resolution"), make_inputs(engine, org_data, cand))
    assert ctx["admission"]["cell_meeting"]["base_note"] == (
        "đã trừ 02 đồng chí chuyển sinh hoạt tạm thời không có mặt; 01 đồng chí bị đình chỉ sinh hoạt, bị truy tố, "
        "tạm giam")
    assert ctx["admission"]["cell_meeting"]["base"]["n"] == "11"


@pytest.mark.parametrize("absent, ok", [(1, True), (0, False)])
def test_not_counted_is_bounded_by_the_absent_official_members(tmp_path, absent, ok):
    cand = with_absentee(read_json(LAN))
    cm = cand["admission"]["cell_meeting"]
    cm.update(present_official=14 - absent, approve=14 - absent)
    code, found = problems(tmp_path, cand)
    bound = [p for p in of(found, "vote.counts") if p["path"] == "admission.cell_meeting.not_counted"]
    assert (not bound) is ok and (code == 0) is ok
    if not ok:
        assert "chỉ được trừ đảng viên chính thức vắng mặt" in bound[0]["message"]
        stderr = refused_and_nothing_written(tmp_path, cand)
        assert "admission.cell_meeting.not_counted" in stderr


def test_the_two_thirds_use_the_reduced_base(tmp_path):
    cand = with_absentee(read_json(LAN))  # base 13: 9 for is enough (27 ≥ 26), 8 is not
    cand["admission"]["cell_meeting"].update(approve=9, reject=4)
    assert not of(problems(tmp_path, cand)[1], "vote.two_thirds")
    cand["admission"]["cell_meeting"].update(approve=8, reject=5)
    (p,) = of(problems(tmp_path, cand)[1], "vote.two_thirds")
    assert "8/13" in p["message"]


def test_not_counted_items_need_a_name_and_a_known_category(tmp_path):
    cand = with_absentee(read_json(LAN), category="on_leave")
    del cand["admission"]["cell_meeting"]["not_counted"][0]["full_name"]
    result, _ = run(tmp_path, cand, "admission-dossier")
    assert result.exit_code == 3
    assert "admission.cell_meeting.not_counted[0].full_name" in result.stderr
    assert "admission.cell_meeting.not_counted[0].category" in result.stderr


def test_members_not_counted_is_no_longer_a_field(engine):
    assert "admission.cell_meeting.members_not_counted" not in engine.library.registry.fields


def test_not_counted_wording_covers_every_category(engine):
    words = engine.library.wording["not_counted"]
    for path in ("admission.cell_meeting.not_counted[].category",
                 "admission.committee_resolution.not_counted[].category"):
        assert set(engine.library.registry[path].choices) == set(words) - {"group", "note"}


@pytest.mark.parametrize("absent_members, ok", [(1, True), (0, False)])
def test_committee_vote_base_leaves_out_absent_members_only(tmp_path, engine, org_data, absent_members, ok):
    cand = read_json(LAN)
    cr = cand["admission"]["committee_resolution"]
    total = cr["members_total"]
    cr.update(present=total - absent_members, reject=0,
              not_counted=[{"full_name": "Vũ Văn Em", "category": "temporarily_transferred"}])
    needed = (2 * (total - 1) + 2) // 3  # two thirds of the reduced base
    cr["approve"] = needed
    code, found = problems(tmp_path, cand)
    assert (code == 0) is ok, found
    bound = [p for p in of(found, "committee_vote.two_thirds")
             if p["path"] == "admission.committee_resolution.not_counted"]
    assert (not bound) is ok
    if ok:
        ctx = engine.context(engine.library.get("committee-resolution"), make_inputs(engine, org_data, cand))
        committee = ctx["admission"]["committee_resolution"]
        assert committee["base"]["n"] == str(total - 1)
        assert committee["approve"]["pct"] == engine_percent(needed, total - 1)


def engine_percent(part: int, whole: int) -> str:
    from docgen.domain.vietnamese import percent

    return percent(part, whole)


# -- 3. introduction routes ---------------------------------------------------------------------------
TRADE_UNION = {"number": 4, "date": "2026-01-15", "issuer": "Ban Chấp hành Công đoàn Cục Công Thương địa phương",
               "members_total": 7, "approve": 7,
               "signer": {"full_name": "Ngô Thị Hoa", "title": "CHỦ TỊCH"}}


def trade_union_route(cand: dict) -> dict:
    c = copy.deepcopy(cand)
    c["introducers"] = c["introducers"][:1]
    c["candidate"]["trade_union_member"] = True
    c["trade_union_resolution"] = copy.deepcopy(TRADE_UNION)
    return c


def test_trade_union_route_passes(tmp_path):
    cand = trade_union_route(read_json(LAN))  # 36 years old
    code, found = problems(tmp_path, cand)
    assert code == 0 and not found, found
    result, _ = run(tmp_path, cand, "admission-decision")
    assert result.exit_code == 0, result.output


def test_trade_union_route_needs_a_trade_union_member(tmp_path):
    cand = trade_union_route(read_json(LAN))
    cand["candidate"]["trade_union_member"] = False
    code, found = problems(tmp_path, cand)
    (p,) = of(found, "introducer.route")
    assert code == 3 and p["path"] == "candidate.trade_union_member"
    assert "Chỉ đoàn viên công đoàn" in p["message"]


def test_trade_union_resolution_dated_after_the_meeting_is_refused(tmp_path):
    cand = trade_union_route(read_json(LAN))  # meeting 2026-03-02
    cand["trade_union_resolution"]["date"] = "2026-03-03"
    (p,) = of(problems(tmp_path, cand)[1], "dates.papers_before_meeting")
    assert p["path"] == "trade_union_resolution.date"


def youth_age_two_introducers(born: str, unit_has_youth_union: bool | None) -> dict:
    cand = read_json(LAN)  # meeting 2026-03-02, two introducers, not a Youth Union member
    cand["candidate"]["date_of_birth"] = born
    if unit_has_youth_union is not None:
        cand["candidate"]["unit_has_youth_union"] = unit_has_youth_union
    return cand


def test_youth_age_non_member_in_a_unit_with_a_youth_union_and_two_introducers_is_refused(tmp_path):
    cand = youth_age_two_introducers("1998-06-10", True)  # 27
    code, found = problems(tmp_path, cand)
    (p,) = of(found, "introducer.route")
    assert code == 3 and p["path"] == "introducers"
    assert "27 tuổi" in p["message"] and "youth_union_resolution" in p["message"]
    stderr = refused_and_nothing_written(tmp_path, cand)
    assert "introducer.route" in stderr


@pytest.mark.parametrize("born, ok", [("1995-04-10", False), ("1995-03-10", True)])
def test_youth_age_ends_after_thirty(tmp_path, born, ok):
    # at 2026-03-02, by month: born April 1995 is 30 years 11 months (youth age: two introducers
    # refused); born March 1995 is 31 years 0 months (two introducers lawful)
    cand = youth_age_two_introducers(born, True)
    code, found = problems(tmp_path, cand)
    assert (not of(found, "introducer.route")) is ok and (code == 0) is ok


def test_two_introducers_are_lawful_where_the_unit_has_no_youth_union(tmp_path):
    code, found = problems(tmp_path, youth_age_two_introducers("1998-06-10", False))
    assert code == 0 and not found


def test_youth_age_without_the_unit_fact_is_named(tmp_path):
    code, found = problems(tmp_path, youth_age_two_introducers("1998-06-10", None))
    (p,) = of(found, "introducer.route_unknown")
    assert code == 0 and p["severity"] == "warning" and p["path"] == "candidate.unit_has_youth_union"


def test_youth_union_route_is_open_only_to_youth_age(tmp_path):
    cand = read_json(HUONG)  # Youth Union route; meeting 2025-10-20
    cand["candidate"]["date_of_birth"] = "1994-10-01"  # 31
    (p,) = of(problems(tmp_path, cand)[1], "introducer.route")
    assert p["path"] == "youth_union_resolution" and "ngoài độ tuổi thanh niên" in p["message"]
    cand["candidate"]["date_of_birth"] = "1994-11-01"  # 30 years 11 months
    assert not of(problems(tmp_path, cand)[1], "introducer.route")


def test_the_youth_union_route_passes_for_a_member_of_youth_age(tmp_path):
    cand = read_json(HUONG)
    cand["candidate"]["unit_has_youth_union"] = True
    code, found = problems(tmp_path, cand)
    assert code == 0 and not found


def test_route_source_is_clause_one(engine):
    assert "Điều 4 khoản 1" in engine.rulebook.specs["introducer.route"].source


# -- 4. introducers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("official, ok", [("2026-01-12", True), ("2026-01-13", False)])
def test_introducer_is_official_on_the_day_they_sign(tmp_path, official, ok):
    cand = read_json(LAN)  # the second introducer signs on 2026-01-12; the cell meets on 2026-03-02
    assert cand["introducers"][1]["signed_on"] == "2026-01-12"
    cand["introducers"][1].update(official_on=official, admitted_on="2025-01-12")
    code, found = problems(tmp_path, cand)
    official_problems = of(found, "introducer.official")
    assert (not official_problems) is ok
    if not ok:
        assert official_problems[0]["path"] == "introducers[1].official_on"
        assert "ngày ký giấy giới thiệu" in official_problems[0]["message"]


@pytest.mark.parametrize("replacement, ok", [(True, True), (False, False)])
def test_a_replacement_introducer_needs_no_twelve_months(tmp_path, replacement, ok):
    cand = read_json(LAN)  # meeting 2026-03-02
    cand["introducers"][0].update(worked_together_since="2025-12-01", replacement=replacement)
    code, found = problems(tmp_path, cand)
    assert (not of(found, "introducer.joint_work")) is ok and (code == 0) is ok
    result, _ = run(tmp_path, cand, "admission-decision")
    assert (result.exit_code == 0) is ok


def test_a_candidate_who_moved_units_needs_no_twelve_months(tmp_path):
    cand = read_json(LAN)
    cand["introducers"][0].update(worked_together_since="2025-12-01")
    cand["candidate"]["moved_units"] = True
    assert problems(tmp_path, cand) == (0, [])


# -- 5. no paper after the meeting ---------------------------------------------------------------------
@pytest.mark.parametrize("path, setter", [
    ("introducers[0].signed_on", lambda c, d: c["introducers"][0].update(signed_on=d)),
    ("comments.date", lambda c, d: c["comments"].update(date=d)),
    ("candidate.biography.certified_on", lambda c, d: c["candidate"].update(biography={"certified_on": d})),
])
@pytest.mark.parametrize("when, ok", [("2026-03-02", True), ("2026-03-03", False)])
def test_papers_the_meeting_considered_are_dated_by_it(tmp_path, path, setter, when, ok):
    cand = read_json(LAN)  # meeting 2026-03-02
    setter(cand, when)
    code, found = problems(tmp_path, cand)
    late = of(found, "dates.papers_before_meeting")
    assert (not late) is ok and (code == 0) is ok
    if not ok:
        assert late[0]["path"] == path


def test_youth_union_resolution_after_the_meeting_is_refused(tmp_path):
    cand = read_json(HUONG)  # meeting 2025-10-20
    cand["youth_union_resolution"]["date"] = "2025-10-21"
    (p,) = of(problems(tmp_path, cand)[1], "dates.papers_before_meeting")
    assert p["path"] == "youth_union_resolution.date"


# -- 6. the ceremony --------------------------------------------------------------------------------
CAL = WorkCalendar()


def ceremony_after(days: int, received: str | None = "2026-02-09") -> dict:
    cand = read_json(DAT)  # decision 2026-02-05
    start = date.fromisoformat(received or cand["admission"]["decision"]["date"])
    if received is None:
        cand["admission"]["decision"].pop("received_on", None)
    else:
        cand["admission"]["decision"]["received_on"] = received
    cand["admission"]["ceremony"] = {"date": CAL.add_working_days(start, days).isoformat()}
    return cand


@pytest.mark.parametrize("days, ok", [(30, True), (31, False)])
def test_ceremony_counts_from_the_day_the_cell_received_the_decision(tmp_path, days, ok):
    code, found = problems(tmp_path, ceremony_after(days))
    assert (not of(found, "deadline.ceremony")) is ok and (code == 0) is ok


def test_without_received_on_the_count_starts_at_the_decision_with_a_warning(tmp_path):
    code, found = problems(tmp_path, ceremony_after(30, received=None))
    assert code == 0
    (p,) = of(found, "deadline.ceremony_start")
    assert p["severity"] == "warning" and p["path"] == "admission.decision.received_on"
    cand = ceremony_after(30, received=None)
    del cand["admission"]["ceremony"]
    assert problems(tmp_path, cand) == (0, [])  # no ceremony date: nothing to warn about


def test_late_ceremony_with_superior_consent_is_a_warning(tmp_path):
    cand = ceremony_after(31)
    stderr = refused_and_nothing_written(tmp_path, cand)
    assert "deadline.ceremony" in stderr and "admission.ceremony.date" in stderr
    cand["exceptions"] = [{"rule": "deadline.ceremony", "reason": "chi bộ đi công tác dài ngày",
                           "approved_by": "Công văn số 30-CV/ĐU, ngày 10-3-2026 của Đảng ủy Cục"}]
    code, found = problems(tmp_path, cand)
    assert code == 0 and of(found, "deadline.ceremony")[0]["severity"] == "warning"
    # the consent comes after the decision: the decision does not cite it, as it cites an age exception
    cand["exceptions"].append(AGE_EXCEPTION)
    result, out = run(tmp_path, cand, "admission-decision", "--format", "docx")
    assert result.exit_code == 0, result.output
    (docx,) = out.glob("*.docx")
    text = docx_text(docx.read_bytes())
    assert f"- Căn cứ {AGE_EXCEPTION['approved_by']} ({AGE_EXCEPTION['reason']});" in text
    assert "Công văn số 30-CV/ĐU" not in text


@pytest.mark.parametrize("received, ok", [("2026-02-05", True), ("2026-02-04", False)])
def test_received_before_the_decision_is_an_error(tmp_path, received, ok):
    cand = read_json(DAT)
    cand["admission"]["decision"]["received_on"] = received
    code, found = problems(tmp_path, cand)
    wrong = [p for p in of(found, "dates.order") if p["path"] == "admission.decision.received_on"]
    assert (not wrong) is ok and (code == 0) is ok


# -- 7. working days: Saturdays worked for a bridged day off ------------------------------------------
def test_swapped_saturdays_are_working_days(engine):
    cal = engine.library.work_calendar
    for saturday in (date(2025, 4, 26), date(2026, 8, 22)):
        assert saturday.weekday() == 5 and cal.is_working_day(saturday)
    # Fri 2026-08-21 → Mon 2026-08-24: the worked Saturday counts; Mon 2026-08-31 is the day off
    assert cal.working_days_between(date(2026, 8, 21), date(2026, 8, 24)) == 2
    assert cal.working_days_between(date(2026, 8, 28), date(2026, 9, 3)) == 1  # 31/8, 1/9, 2/9 off
    assert WorkCalendar().working_days_between(date(2026, 8, 21), date(2026, 8, 24)) == 1
    assert cal.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)


def test_calendar_lists_the_substituted_saturdays_the_holidays_package_implies():
    import holidays

    raw = tomllib.loads((ROOT / "forms" / "_shared" / "calendar.toml").read_text(encoding="utf-8"))
    worked = set(raw["extra_working_days"])
    for year in (2024, 2025, 2026):
        for name in holidays.country_holidays("VN", years=year).values():
            if "substituted from" in name:
                month, dd, yyyy = name.split("substituted from ")[1].rstrip(")").split("/")
                assert f"{yyyy}-{month}-{dd}" in worked, name


# -- 8. verified_until ------------------------------------------------------------------------------------
@pytest.mark.parametrize("decision, ok", [("2026-12-01", True), ("2026-12-02", False)])
def test_document_after_verified_until_is_warned(tmp_path, decision, ok):
    cand = read_json(LAN)
    cand["admission"]["committee_resolution"]["date"] = "2026-03-10"
    cand["admission"]["decision"]["date"] = decision
    cand["admission"]["deadline_extension"] = {"working_days": 15, "reason": "x"}
    _, found = problems(tmp_path, cand)
    warned = of(found, "legal_basis.verified")
    assert (not warned) is ok
    if not ok:
        assert warned[0]["severity"] == "warning" and warned[0]["path"] == "admission.decision.date"
        assert "ngày 01 tháng 12 năm 2026" in warned[0]["message"]


def test_every_edition_records_verified_until(engine):
    editions, _ = engine.library.legal
    assert all(e.verified_until for e in editions)
    assert editions[-1].verified_until == date(2026, 12, 1)


@pytest.mark.parametrize("old, new, message", [
    ('verified_until = "2026-12-01"\n', "", '[[edition]] 2025-07 thiếu khóa "verified_until"'),
    ('verified_until = "2026-12-01"', 'verified_until = "2026-13-01"', 'khóa "verified_until" phải là ngày'),
    ('verified_until = "2026-12-01"', 'verified_until = "2025-06-01"', 'khóa "verified_until" (2025-06-01) trước'),
])
def test_a_broken_verified_until_is_exit_4(tmp_path, old, new, message):
    import shutil

    forms = tmp_path / "forms"
    (forms / "_shared").mkdir(parents=True)
    src = ROOT / "forms" / "_shared" / "legal_basis.toml"
    text = src.read_text(encoding="utf-8")
    assert old in text
    (forms / "_shared" / "legal_basis.toml").write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(ROOT / "forms" / "_shared" / "wording.toml", forms / "_shared" / "wording.toml")
    result = CliRunner().invoke(main, ["--forms-dir", str(forms), "forms", "lint"])
    assert result.exit_code == 4
    assert message in result.output


# -- 9. every rule runs for every command reading the profile -------------------------------------------
def test_a_failed_cell_vote_stops_the_decision(tmp_path):
    cand = read_json(LAN)
    cand["admission"]["cell_meeting"].update(members_official=12, members_total=13, present_official=12,
                                             approve=7, reject=5)
    stderr = refused_and_nothing_written(tmp_path, cand, "admission-decision")
    assert "vote.two_thirds" in stderr and "admission.cell_meeting.approve" in stderr
    for form in ("nomination", "comments-summary"):
        assert run(tmp_path, cand, form)[0].exit_code == 3


def test_a_roster_batch_still_writes_its_decisions(tmp_path):
    out = tmp_path / "roster"
    result = CliRunner().invoke(main, ["batch", "admission-decision", str(SAMPLES / "roster.xlsx"), "--org", ORG,
                                       "-o", str(out), "-j", "1", "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.docx"))) == 24


# -- 10. the samples ----------------------------------------------------------------------------------------
def test_dat_is_past_youth_age_in_a_unit_with_a_youth_union(tmp_path):
    cand = read_json(DAT)
    assert cand["candidate"]["unit_has_youth_union"] is True and len(cand["introducers"]) == 2
    assert problems(tmp_path, cand) == (0, [])


# -- an exception nothing needs; a delegated committee acting before its delegation -----------------
@pytest.mark.parametrize("born, unused", [("1966-03-01", True), ("1966-02-01", False)])
def test_an_age_exception_for_someone_not_over_sixty_is_named(tmp_path, born, unused):
    cand = read_json(LAN)  # meeting 2026-03-02: born 1966-03-01 is 60 years 0 months, 1966-02-01 is 60 and 1
    cand["candidate"]["date_of_birth"] = born
    cand["exceptions"] = [AGE_EXCEPTION]
    code, found = problems(tmp_path, cand)
    assert code == 0
    hits = of(found, "exceptions.unused")
    assert bool(hits) is unused
    if unused:
        assert hits[0]["severity"] == "warning" and hits[0]["path"] == "exceptions[0].rule"
        assert '"age.maximum"' in hits[0]["message"]


@pytest.mark.parametrize("delegated_on, ok", [("2025-10-30", True), ("2025-10-31", False)])
def test_a_delegated_committee_cannot_act_before_its_delegation(tmp_path, delegated_on, ok):
    cand = read_json(HUONG)  # committee resolution 2025-10-30, decision 2025-11-07
    org = read_json(SAMPLES / "org.json")
    org["committee"]["delegation"]["date"] = delegated_on
    org_file = tmp_path / "org.json"
    org_file.write_text(json.dumps(org, ensure_ascii=False), encoding="utf-8")
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(cand, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(profile), "--org", str(org_file), "--json"])
    found = of(json.loads(result.stdout)["problems"], "dates.delegation")
    assert (result.exit_code == 0) is ok and (not found) is ok
    if not ok:
        (p,) = found
        assert p["path"] == "admission.committee_resolution.date" and "15-QĐ/ĐU" in p["message"]
    # a committee that is not delegated has no delegation to be older than
    org["committee"].update(delegated=False)
    org["committee"].pop("delegation")
    org["authority"] = read_json(SAMPLES / "org-btv.json")["authority"]
    org_file.write_text(json.dumps(org, ensure_ascii=False), encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(profile), "--org", str(org_file)]).exit_code == 0
