"""The admission dossier: papers in order, merged PDF, the party rules at their limits."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from docgen.cli import main
from docgen.domain.workdays import WorkCalendar, add_months, age_in_months

from conftest import (
    DAT,
    GOLDEN,
    HUONG,
    INVALID,
    LAN,
    SAMPLES,
    VALID_CANDIDATES,
    assert_invalid_sample_refused,
    check_golden,
    make_inputs,
    read_json,
)
from doctext import docx_paragraphs, docx_text, pdf_text

ORG = str(SAMPLES / "org.json")

# (form code, words its title must show) in dossier order
TITLES = {
    "3-KNĐ": "GIẤY GIỚI THIỆU NGƯỜI VÀO ĐẢNG",
    "4-KNĐ": "NGHỊ QUYẾT giới thiệu đoàn viên ưu tú vào Đảng",
    "5-KNĐ": "TỔNG HỢP Ý KIẾN NHẬN XÉT",
    "6-KNĐ": "NGHỊ QUYẾT đề nghị kết nạp đảng viên",
    "8-KNĐ": "NGHỊ QUYẾT kết nạp đảng viên",  # the sample committee admits by delegation (Mẫu 8B)
    "9-KNĐ": "QUYẾT ĐỊNH kết nạp đảng viên",
}


def problems(engine, org, cand):
    inputs = make_inputs(engine, org, cand)
    found = engine.problems(engine.dossier_forms(inputs), inputs)
    return found + [p for p in engine.all_rule_problems(inputs) if p not in found]


def rules_of(found, severity="error"):
    return {p.rule for p in found if p.severity == severity}


# -- the dossier command ------------------------------------------------------------------------
@pytest.mark.parametrize("path, codes", [
    (DAT, ["3-KNĐ", "3-KNĐ", "5-KNĐ", "6-KNĐ", "8-KNĐ", "9-KNĐ"]),
    (LAN, ["3-KNĐ", "3-KNĐ", "5-KNĐ", "6-KNĐ", "8-KNĐ", "9-KNĐ"]),
    (HUONG, ["3-KNĐ", "4-KNĐ", "5-KNĐ", "6-KNĐ", "8-KNĐ", "9-KNĐ"]),
], ids=lambda v: v.stem if isinstance(v, Path) else "")
def test_dossier_writes_papers_in_order_and_a_merged_pdf(tmp_path, path, codes):
    result = CliRunner().invoke(main, ["admission-dossier", str(path), "--org", ORG, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = [Path(p) for p in result.stdout.split()]
    docxs = [p for p in written if p.suffix == ".docx"]
    merged = [p for p in written if "_admission-dossier_" in p.name]
    assert len(docxs) == len(codes) and len(merged) == 1
    texts = []
    for p, code in zip(docxs, codes, strict=True):
        dtext = docx_text(p.read_bytes())
        ptext = pdf_text(p.with_suffix(".pdf").read_bytes())
        assert dtext == ptext, p.name
        assert TITLES[code] in dtext, (p.name, code)
        texts.append(dtext)
    reader = PdfReader(merged[0])
    titles = [o.title for o in reader.outline]
    assert [t.split(" — ")[0] for t in titles] == [f"Mẫu {c}" for c in codes]
    merged_text = " ".join(page.extract_text() for page in reader.pages)
    for t in texts:
        assert t[:60] in " ".join(merged_text.split())


def test_youth_union_route_has_one_nomination_and_the_resolution(engine, org_data):
    inputs = make_inputs(engine, org_data, read_json(HUONG))
    ids = [f.id for f in engine.dossier_forms(inputs)]
    assert ids == ["nomination", "youth-union-resolution", "comments-summary", "cell-resolution",
                   "committee-resolution", "admission-decision"]
    docs = engine.render_all(engine.dossier_forms(inputs), inputs, formats=("docx",))
    yu = docx_text(docs[1].docx)
    assert "Số: 05-NQ/ĐTN" in yu and "ĐOÀN TNCS HỒ CHÍ MINH" in yu
    assert "7/7 đồng chí ủy viên Ban Chấp hành (đạt 100%)" in yu


def test_cell_resolution_prints_the_vote_share(engine, org_data):
    cand = read_json(HUONG)
    m = cand["admission"]["cell_meeting"]
    assert (m["members_official"], m["approve"]) == (14, 10)
    form = engine.library.get("cell-resolution")
    doc = engine.render(form, make_inputs(engine, org_data, cand))
    for text in (docx_text(doc.docx), pdf_text(doc.pdf)):
        assert "là 10 đồng chí (mười đồng chí), đạt 71,43% so với tổng số đảng viên chính thức (14 đồng chí)" in text
        assert "không tán thành là 2 đồng chí, chiếm 14,29%" in text
        assert "Tổng số đảng viên của Chi bộ: 15 đảng viên, trong đó chính thức 14 đồng chí, dự bị 1 đồng chí." in text
        assert "Vắng mặt: 2 đảng viên, trong đó chính thức 2 đồng chí, dự bị 0 đồng chí." in text
        assert "Số 09-NQ/CB" in text and "T/M CHI BỘ BÍ THƯ" in text


# -- votes ---------------------------------------------------------------------------------------
def test_nine_of_fourteen_fails_naming_ten(tmp_path):
    cand = read_json(HUONG)
    cand["admission"]["cell_meeting"].update(approve=9, reject=3)
    f = tmp_path / "p.json"
    f.write_text(json.dumps(cand, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(f), "--org", ORG, "--json"])
    assert result.exit_code == 3
    (p,) = json.loads(result.stdout)["problems"]
    assert p["rule"] == "vote.two_thirds" and p["path"] == "admission.cell_meeting.approve"
    assert "cần ít nhất 10 đồng chí" in p["message"]
    out = tmp_path / "out"
    r2 = CliRunner().invoke(main, ["admission-dossier", str(f), "--org", ORG, "-o", str(out)])
    assert r2.exit_code == 3 and not out.exists()


@pytest.mark.parametrize("official, not_counted, approve, ok", [
    (14, 0, 10, True), (14, 0, 9, False), (3, 0, 2, True), (3, 0, 1, False), (9, 0, 6, True), (9, 0, 5, False),
    (14, 2, 8, True), (14, 2, 7, False),
])
def test_two_thirds_is_integer_arithmetic(engine, org_data, official, not_counted, approve, ok):
    cand = read_json(HUONG)
    cand["admission"]["cell_meeting"].update(
        members_total=official + 1, members_official=official, members_probationary=1,
        present_official=official - not_counted, present_probationary=1, approve=approve, reject=0,
        not_counted=[{"full_name": f"Đảng Viên {i}", "category": "exempted"} for i in range(not_counted)])
    assert ("vote.two_thirds" in rules_of(problems(engine, org_data, cand))) is not ok


def test_inconsistent_counts_are_named(engine, org_data):
    cand = read_json(HUONG)
    cand["admission"]["cell_meeting"].update(present_official=15, approve=13, reject=3)
    found = [p for p in problems(engine, org_data, cand) if p.rule == "vote.counts"]
    assert {p.path for p in found} == {"admission.cell_meeting.present_official", "admission.cell_meeting.approve"}


# -- age -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("meeting, ok", [("2018-12-01", True), ("2018-11-30", False)])
def test_age_is_counted_by_month(engine, org_data, meeting, ok):
    cand = decision_dossier(read_json(HUONG), meeting)
    cand["candidate"]["date_of_birth"] = "2000-12-15"
    assert ("age.minimum" in rules_of(problems(engine, org_data, cand))) is not ok


def test_age_in_months():
    assert age_in_months(date(2000, 12, 15), date(2018, 12, 1)) == 216
    assert age_in_months(date(2000, 12, 15), date(2018, 11, 30)) == 215


@pytest.mark.parametrize("born, ok", [("1966-03-20", True), ("1966-02-20", False)])
def test_upper_age_limit_is_fully_sixty(engine, org_data, born, ok):
    cand = read_json(LAN)  # meeting 2026-03-02
    cand["candidate"]["date_of_birth"] = born
    assert ("age.maximum" in rules_of(problems(engine, org_data, cand))) is not ok


def test_recorded_exception_turns_age_into_a_warning_and_shows_on_the_decision(engine, org_data):
    cand = read_json(LAN)
    cand["candidate"]["date_of_birth"] = "1963-05-01"
    cand["exceptions"] = [{"rule": "age.maximum", "reason": "đảng viên trên 60 tuổi có uy tín tại địa bàn",
                           "approved_by": "Công văn số 125-CV/TU, ngày 02-02-2026 của Ban Thường vụ Tỉnh ủy"}]
    found = problems(engine, org_data, cand)
    assert "age.maximum" in rules_of(found, "warning") and "age.maximum" not in rules_of(found)
    inputs = make_inputs(engine, org_data, cand)
    doc = engine.render(engine.library.get("admission-decision"), inputs, formats=("docx",))
    assert ("- Căn cứ Công văn số 125-CV/TU, ngày 02-02-2026 của Ban Thường vụ Tỉnh ủy "
            "(đảng viên trên 60 tuổi có uy tín tại địa bàn);") in docx_paragraphs(doc.docx)


# -- introducers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("official_on, ok", [("2026-03-02", True), ("2026-03-03", False)])
def test_introducer_must_be_official_on_the_meeting_date(engine, org_data, official_on, ok):
    cand = read_json(LAN)  # meeting 2026-03-02
    cand["introducers"][1].update(official_on=official_on, signed_on="2026-03-02")
    assert ("introducer.official" in rules_of(problems(engine, org_data, cand))) is not ok


@pytest.mark.parametrize("since, ok", [("2025-03-02", True), ("2025-03-03", False)])
def test_introducer_needs_twelve_months_of_joint_work(engine, org_data, since, ok):
    cand = read_json(LAN)
    cand["introducers"][0].update(worked_together_since=since)
    found = [p for p in problems(engine, org_data, cand) if p.rule == "introducer.joint_work"]
    assert (not found) is ok
    if found:
        assert found[0].path == "introducers[0].worked_together_since"


def test_route_rules(engine, org_data):
    two = read_json(LAN)
    one = copy.deepcopy(two)
    one["introducers"] = one["introducers"][:1]
    assert "introducer.route" in rules_of(problems(engine, org_data, one))
    youth_no_resolution = copy.deepcopy(read_json(HUONG))
    del youth_no_resolution["youth_union_resolution"]
    found = [p for p in problems(engine, org_data, youth_no_resolution) if p.rule == "introducer.route"]
    assert found and "youth_union_resolution" in found[0].message
    three = copy.deepcopy(two)
    three["introducers"].append(copy.deepcopy(two["introducers"][0]))
    assert "introducer.route" in rules_of(problems(engine, org_data, three))


# -- certificate and stale papers -----------------------------------------------------------------
@pytest.mark.parametrize("cert, ok", [("2021-03-02", True), ("2021-03-01", False)])
def test_certificate_valid_sixty_months(engine, org_data, cert, ok):
    cand = read_json(LAN)  # meeting 2026-03-02
    cand["candidate"]["awareness_course"]["certificate_date"] = cert
    assert ("certificate.validity" in rules_of(problems(engine, org_data, cand))) is not ok


@pytest.mark.parametrize("signed, ok", [("2025-03-02", True), ("2025-03-01", False)])
def test_papers_older_than_twelve_months_are_flagged(engine, org_data, signed, ok):
    cand = read_json(LAN)
    cand["introducers"][0].update(signed_on=signed, assigned_on="2025-02-01")
    assert ("papers.stale" in rules_of(problems(engine, org_data, cand))) is not ok


# -- deadlines ------------------------------------------------------------------------------------
CAL = WorkCalendar()


def with_decision_after(cand: dict, working_days: int) -> dict:
    meeting = date.fromisoformat(cand["admission"]["cell_meeting"]["date"])
    decision = CAL.add_working_days(meeting, working_days)
    cand["admission"]["committee_resolution"]["date"] = meeting.isoformat()
    cand["admission"]["decision"]["date"] = decision.isoformat()
    cand["admission"].pop("ceremony", None)
    return cand


def test_forty_three_working_days_across_tet_is_not_flagged(engine, org_data):
    cand = read_json(DAT)  # meeting 2026-01-12; Tết 2026 is 16–20 February
    with_decision_after(cand, 43)
    meeting = date.fromisoformat(cand["admission"]["cell_meeting"]["date"])
    decision = date.fromisoformat(cand["admission"]["decision"]["date"])
    weekdays = sum(1 for i in range(1, (decision - meeting).days + 1)
                   if (meeting + timedelta(days=i)).weekday() < 5)
    assert weekdays > 45
    assert "deadline.decision" not in rules_of(problems(engine, org_data, cand))


@pytest.mark.parametrize("days, extension, ok", [
    (45, None, True), (46, None, False), (55, 10, True), (56, 10, False), (60, 15, True), (61, 15, False),
    (50, 16, False),
])
def test_decision_deadline_and_extension(engine, org_data, days, extension, ok):
    cand = with_decision_after(read_json(DAT), days)
    if extension is not None:
        cand["admission"]["deadline_extension"] = {"working_days": extension, "reason": "bổ sung thẩm tra lý lịch"}
    found = [p for p in problems(engine, org_data, cand) if p.rule == "deadline.decision"]
    assert (not found) is ok, [p.message for p in found]


def test_late_decision_message_names_the_last_day(engine, org_data):
    cand = with_decision_after(read_json(DAT), 46)
    (p,) = [p for p in problems(engine, org_data, cand) if p.rule == "deadline.decision"]
    last = CAL.add_working_days(date(2026, 1, 12), 45)
    assert p.message.startswith("Quyết định ra sau 46 ngày làm việc kể từ nghị quyết chi bộ, quá hạn 45 ngày làm việc")
    assert f"ngày {last.day:02d}" in p.message


@pytest.mark.parametrize("days, ok", [(30, True), (31, False)])
def test_ceremony_within_thirty_working_days(engine, org_data, days, ok):
    cand = read_json(DAT)
    received = date.fromisoformat(cand["admission"]["decision"]["received_on"])
    cand["admission"]["ceremony"] = {"date": CAL.add_working_days(received, days).isoformat()}
    assert ("deadline.ceremony" in rules_of(problems(engine, org_data, cand))) is not ok


def test_working_days_skip_tet_and_weekends():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1  # Fri → Mon after Tết week
    assert not CAL.is_working_day(date(2026, 2, 17)) and not CAL.is_working_day(date(2026, 9, 2))
    assert CAL.is_working_day(date(2026, 2, 23))
    extra = WorkCalendar(extra_days_off=["2026-02-23"], extra_working_days=["2026-02-14"])
    assert not extra.is_working_day(date(2026, 2, 23)) and extra.is_working_day(date(2026, 2, 14))


def test_add_months_clamps():
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2021, 3, 1), 60) == date(2026, 3, 1)


# -- check --json and the invalid samples ----------------------------------------------------------
def test_check_json_lists_every_problem(tmp_path):
    cand = read_json(LAN)
    cand["admission"]["cell_meeting"].update(approve=8, reject=0)
    cand["introducers"][0].update(official_on="2026-04-01")
    del cand["candidate"]["hometown"]
    f = tmp_path / "p.json"
    f.write_text(json.dumps(cand, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(f), "--org", ORG, "--json"])
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["ok"] is False
    got = {(p["rule"], p["severity"], p["path"]) for p in data["problems"]}
    assert got == {
        ("required", "error", "candidate.hometown"),
        ("vote.two_thirds", "error", "admission.cell_meeting.approve"),
        ("introducer.official", "error", "introducers[0].official_on"),
    }
    assert all(p["source"] and p["label"] for p in data["problems"] if p["rule"] != "required")


def test_check_table_has_rule_severity_path_message():
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "invalid" / "vote-below-two-thirds.json"), "--org", ORG])
    assert result.exit_code == 3
    header, row = result.stderr.splitlines()[:2]
    assert header.split()[:4] == ["MỨC", "QUY", "TẮC", "TRƯỜNG"]
    assert row.split()[:3] == ["LỖI", "vote.two_thirds", "admission.cell_meeting.approve"]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_invalid_sample_fails_for_its_stated_reason(tmp_path, path):
    assert_invalid_sample_refused(path, "admission-dossier", tmp_path / "out")


def test_invalid_samples_cover_every_rule(engine):
    covered = set()
    for path in INVALID + sorted((SAMPLES / "invalid" / "congress").glob("*.json")) + sorted(
            (SAMPLES / "invalid" / "recognition").glob("*.json")):
        covered |= set(read_json(path)["_expect"])
    assert set(engine.rulebook.specs) <= covered


# -- golden text for every form of every sample ---------------------------------------------------
@pytest.mark.parametrize("path", VALID_CANDIDATES, ids=lambda p: p.stem)
def test_golden_text_every_form(engine, org_data, path, update_golden):
    inputs = make_inputs(engine, org_data, read_json(path))
    for doc in engine.render_all(engine.dossier_forms(inputs), inputs):
        base = f"{path.stem}{doc.stem.split(doc.form.id, 1)[1].split('_')[0]}"
        assert pdf_text(doc.pdf).strip() == docx_text(doc.docx)
        check_golden(doc, GOLDEN / doc.form.id, base, update_golden)


def decision_dossier(cand: dict, meeting: str) -> dict:
    """The profile moved so that the cell meets on ``meeting`` and every other date stays in order."""
    c = copy.deepcopy(cand)
    m = date.fromisoformat(meeting)
    shift = m - date.fromisoformat(c["admission"]["cell_meeting"]["date"])

    def move(d: str) -> str:
        return (date.fromisoformat(d) + shift).isoformat()

    c["admission"]["cell_meeting"]["date"] = meeting
    for key in ("committee_resolution", "decision"):
        c["admission"][key]["date"] = move(c["admission"][key]["date"])
    c["candidate"]["application_date"] = move(c["candidate"]["application_date"])
    course = c["candidate"]["awareness_course"]
    course["certificate_date"] = move(course["certificate_date"])
    c["youth_union_resolution"]["date"] = move(c["youth_union_resolution"]["date"])
    c["comments"]["date"] = move(c["comments"]["date"])
    for it in c["introducers"]:
        for k in ("signed_on", "assigned_on"):
            it[k] = move(it[k])
        it.update(admitted_on="2000-01-01", official_on="2001-01-01", worked_together_since="2015-01-01")
    return c


@pytest.mark.parametrize("approve, ok", [(6, True), (5, False)])
def test_committee_vote_two_thirds_of_all_members(engine, org_data, approve, ok):
    cand = read_json(HUONG)  # 9 committee members
    cand["admission"]["committee_resolution"].update(present=9, approve=approve, reject=9 - approve)
    assert ("committee_vote.two_thirds" in rules_of(problems(engine, org_data, cand))) is not ok


@pytest.mark.parametrize("application, ok", [("2026-03-02", True), ("2026-03-03", False)])
def test_application_must_not_follow_the_meeting(engine, org_data, application, ok):
    cand = read_json(LAN)
    cand["candidate"]["application_date"] = application
    found = [p for p in problems(engine, org_data, cand) if p.rule == "dates.order"]
    assert (not found) is ok
    if found:
        assert found[0].path == "candidate.application_date"
        assert found[0].message == ("Ngày làm đơn xin vào Đảng (ngày 03 tháng 3 năm 2026) phải trước ngày chi bộ họp "
                                    "xét (ngày 02 tháng 3 năm 2026).")
