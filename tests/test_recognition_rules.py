"""Issue 14, part "rules": recognition as an official member. Each rule of rules.toml's
recognition section is tested just inside and just outside its edge, by its message; the
samples under samples/recognition/ pass `docgen check`, and each of samples/invalid/recognition/
is flagged for exactly the rules it names."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.check.engine import check
from docgen.check.rules import read_rules
from docgen.cli import main
from docgen.domain.workdays import probation_end
from docgen.errors import DataProblems, Problem
from docgen.pipeline import Engine

from conftest import ROOT, SAMPLES, make_inputs, read_json

RECOGNITION = SAMPLES / "recognition"
INVALID_RECOGNITION = sorted((SAMPLES / "invalid" / "recognition").glob("*.json"))
ORG, ORG_BTV = SAMPLES / "org.json", SAMPLES / "org-btv.json"
ON_TIME = RECOGNITION / "on-time.json"   # ceremony 2025-11-20, end 2026-11-20, cell 2026-11-24
END = date(2026, 11, 20)
MEETING = date(2026, 11, 24)


def problems(engine: Engine, data: dict, org: Path = ORG) -> list[Problem]:
    return check([], make_inputs(engine, read_json(org), data), engine.rulebook)


def of(engine: Engine, data: dict, rule_id: str, org: Path = ORG) -> list[Problem]:
    return [p for p in problems(engine, data, org) if p.rule == rule_id]


def on_time() -> dict:
    data = read_json(ON_TIME)
    data.pop("_why")
    return data


def cal(engine: Engine):
    return engine.library.work_calendar


# -- the end of probation ----------------------------------------------------------------------
@pytest.mark.parametrize("ceremony, end", [
    (date(2024, 2, 29), date(2025, 2, 28)),   # no 29 February in 2025: the month's last day
    (date(2024, 1, 31), date(2025, 1, 31)),
    (date(2025, 11, 20), date(2026, 11, 20)),
    (date(2023, 2, 28), date(2024, 2, 28)),   # not moved to the 29th of a leap year
])
def test_probation_end_is_the_same_day_a_year_later_clamped_to_the_months_end(engine, ceremony, end):
    months = engine.rulebook.specs["recognition.meeting_before_end"].params["months"]
    assert months == 12
    assert probation_end(ceremony, months) == end


# -- recognition.meeting_before_end ------------------------------------------------------------
def _meeting(data: dict, day: date) -> dict:
    data = copy.deepcopy(data)
    data["recognition"]["cell_meeting"]["date"] = day.isoformat()
    return data


def test_the_cell_meets_no_earlier_than_the_end_of_probation(engine):
    assert of(engine, _meeting(on_time(), END), "recognition.meeting_before_end") == []
    [p] = of(engine, _meeting(on_time(), END - timedelta(days=1)), "recognition.meeting_before_end")
    assert (p.severity, p.path) == ("error", "recognition.cell_meeting.date")
    assert p.message == ("Chi bộ họp xét công nhận đảng viên chính thức ngày 19 tháng 11 năm 2026, trước khi hết "
                         "thời gian dự bị: 12 tháng dự bị tính từ lễ kết nạp (ngày 20 tháng 11 năm 2025, "
                         "admission.ceremony.date) hết ngày 20 tháng 11 năm 2026. Chi bộ chỉ xét công nhận từ ngày đó.")
    assert "Điều lệ Đảng Điều 5" in p.source


def test_a_leap_day_ceremony_ends_on_28_february(engine):
    data = read_json(RECOGNITION / "leap-day.json")
    assert of(engine, _meeting(data, date(2025, 2, 28)), "recognition.meeting_before_end", ORG_BTV) == []
    [p] = of(engine, _meeting(data, date(2025, 2, 27)), "recognition.meeting_before_end", ORG_BTV)
    assert "(ngày 29 tháng 02 năm 2024, admission.ceremony.date) hết ngày 28 tháng 02 năm 2025" in p.message


def test_the_recognition_ceremony_date_comes_first_and_without_any_the_meeting_is_refused(engine):
    data = on_time()
    data["recognition"]["ceremony_date"] = "2025-11-20"
    assert of(engine, _meeting(data, END), "recognition.meeting_before_end") == []
    [p] = of(engine, _meeting(data, END - timedelta(days=1)), "recognition.meeting_before_end")
    assert "(ngày 20 tháng 11 năm 2025, recognition.ceremony_date)" in p.message
    del data["recognition"]["ceremony_date"], data["admission"]["ceremony"]
    [p] = of(engine, data, "recognition.meeting_before_end")
    assert (p.severity, p.path) == ("error", "recognition.ceremony_date")
    assert p.message.startswith("Chi bộ họp xét công nhận đảng viên chính thức ngày 24 tháng 11 năm 2026 nhưng hồ "
                                "sơ chưa có ngày tổ chức lễ kết nạp (recognition.ceremony_date, hoặc "
                                "admission.ceremony.date): không tính được ngày hết 12 tháng dự bị")


# -- deadline.recognition_meeting ----------------------------------------------------------------
def test_the_cell_late_is_a_warning_that_names_the_cell_the_limit_and_the_official_date(engine):
    last = cal(engine).add_working_days(END, 30)
    assert cal(engine).working_days_between(END, last) == 30
    data = on_time()
    del data["recognition"]["committee_resolution"], data["recognition"]["decision"]
    assert of(engine, _meeting(data, last), "deadline.recognition_meeting") == []
    late = cal(engine).add_working_days(END, 31)
    [p] = of(engine, _meeting(data, late), "deadline.recognition_meeting")
    assert (p.severity, p.path) == ("warning", "recognition.cell_meeting.date")
    assert p.message == ("Chi bộ chậm xét công nhận đảng viên chính thức: chi bộ họp ngày 06 tháng 01 năm 2027, sau "
                         "31 ngày làm việc kể từ khi hết thời gian dự bị (ngày 20 tháng 11 năm 2026), quá hạn 30 ngày "
                         "làm việc (hạn cuối ngày 05 tháng 01 năm 2027). Đảng viên vẫn được công nhận chính thức từ "
                         "ngày 20 tháng 11 năm 2026 (Quy định 294-QĐ/TW §4.2.2); giấy tờ vẫn được in.")
    assert "294-QĐ/TW §4.2.1" in p.source


# -- deadline.recognition_decision and deadline.recognition_extension ----------------------------
def _decided(data: dict, day: date, extension: int | None = None) -> dict:
    data = copy.deepcopy(data)
    data["recognition"]["committee_resolution"]["date"] = MEETING.isoformat()
    data["recognition"]["decision"]["date"] = day.isoformat()
    if extension is not None:
        data["recognition"]["deadline_extension"] = {"working_days": extension, "reason": "Thẩm tra bổ sung"}
    return data


def test_the_decision_late_is_a_warning_naming_the_delegated_committee(engine):
    c = cal(engine)
    assert of(engine, _decided(on_time(), c.add_working_days(MEETING, 30)), "deadline.recognition_decision") == []
    [p] = of(engine, _decided(on_time(), c.add_working_days(MEETING, 31)), "deadline.recognition_decision")
    assert (p.severity, p.path) == ("warning", "recognition.decision.date")
    assert p.message.startswith("Đảng ủy Cục Công Thương địa phương chậm ra quyết định công nhận đảng viên chính "
                                "thức: quyết định ngày 07 tháng 01 năm 2027, sau 31 ngày làm việc kể từ ngày chi bộ "
                                "có nghị quyết (ngày 24 tháng 11 năm 2026), quá hạn 30 ngày làm việc (hạn cuối ngày "
                                "06 tháng 01 năm 2027). Đảng viên vẫn được công nhận chính thức từ ngày hết thời gian "
                                "dự bị, ngày 20 tháng 11 năm 2026 (Quy định 294-QĐ/TW §4.2.2); giấy tờ vẫn được in.")
    assert "ghi vào recognition.deadline_extension" in p.message


def test_not_delegated_the_standing_committee_of_the_authority_is_named(engine):
    [p] = of(engine, _decided(on_time(), cal(engine).add_working_days(MEETING, 31)), "deadline.recognition_decision",
             ORG_BTV)
    assert p.message.startswith("Ban Thường vụ Đảng ủy phường Hoàng Mai chậm ra quyết định công nhận")


def test_46_working_days_with_no_extension_is_late_and_with_15_is_not(engine):
    c = cal(engine)
    day45, day46 = c.add_working_days(MEETING, 45), c.add_working_days(MEETING, 46)
    assert of(engine, _decided(on_time(), day45, 15), "deadline.recognition_decision") == []
    [p] = of(engine, _decided(on_time(), day46, 15), "deadline.recognition_decision")
    assert "quá hạn 30 ngày làm việc cộng 15 ngày gia hạn" in p.message
    assert "ghi vào recognition.deadline_extension" not in p.message
    [p] = of(engine, _decided(on_time(), day46), "deadline.recognition_decision")
    assert "sau 46 ngày làm việc" in p.message and "gia hạn" not in p.message.split("(hạn cuối")[0]


def test_an_extension_over_15_working_days_is_an_error_and_counts_as_15(engine):
    c = cal(engine)
    assert of(engine, _decided(on_time(), MEETING, 15), "deadline.recognition_extension") == []
    data = _decided(on_time(), c.add_working_days(MEETING, 46), 16)
    [p] = of(engine, data, "deadline.recognition_extension")
    assert (p.severity, p.path) == ("error", "recognition.deadline_extension.working_days")
    assert p.message == ("Gia hạn 16 ngày làm việc để ra quyết định công nhận đảng viên chính thức, vượt mức tối đa "
                         "15 ngày làm việc.")
    [late] = of(engine, data, "deadline.recognition_decision")
    assert "cộng 15 ngày gia hạn" in late.message


# -- the votes ---------------------------------------------------------------------------------
def _vote(data: dict, **counts) -> dict:
    data = copy.deepcopy(data)
    data["recognition"]["cell_meeting"].update(counts)
    return data


def test_two_thirds_of_the_official_members(engine):
    # 14 official members: 10 is two thirds (30 ≥ 28), 9 is not
    assert of(engine, _vote(on_time(), approve=10, reject=3), "recognition.vote_two_thirds") == []
    [p] = of(engine, _vote(on_time(), approve=9, reject=4), "recognition.vote_two_thirds")
    assert (p.severity, p.path) == ("error", "recognition.cell_meeting.approve")
    assert p.message == ("Xét công nhận đảng viên chính thức: chỉ có 9/14 đảng viên chính thức tán thành, chưa đạt "
                         "hai phần ba: cần ít nhất 10 đồng chí tán thành.")
    assert "06-HD/TW §4.5a" in p.source
    # the admission's vote is not the recognition's
    assert of(engine, _vote(on_time(), approve=9, reject=4), "vote.two_thirds") == []


def test_two_thirds_of_the_base_less_those_not_counted(engine):
    absent = [{"full_name": "Trịnh Văn Bảo", "category": "temporarily_transferred"}]
    base = dict(present_official=13, not_counted=absent)   # base 13: 9 is two thirds (27 ≥ 26), 8 is not
    assert of(engine, _vote(on_time(), approve=9, reject=4, **base), "recognition.vote_two_thirds") == []
    [p] = of(engine, _vote(on_time(), approve=8, reject=5, **base), "recognition.vote_two_thirds")
    assert "chỉ có 8/13 đảng viên chính thức tán thành" in p.message


def test_the_counts_agree(engine):
    assert of(engine, on_time(), "recognition.vote_counts") == []
    [p] = of(engine, _vote(on_time(), members_total=16), "recognition.vote_counts")
    assert (p.severity, p.path) == ("error", "recognition.cell_meeting.members_total")
    assert p.message == ("Số liệu cuộc họp chi bộ xét công nhận đảng viên chính thức không khớp: tổng số đảng viên "
                         "(16) phải bằng chính thức (14) cộng dự bị (1).")
    [p] = of(engine, _vote(on_time(), approve=13, reject=1), "recognition.vote_counts")
    assert p.path == "recognition.cell_meeting.approve" and "có mặt (13)" in p.message


def test_the_committees_two_thirds(engine):
    data = on_time()
    data["recognition"]["committee_resolution"].update(present=9, approve=6, reject=3)   # 18 ≥ 18
    assert of(engine, data, "recognition.committee_vote") == []
    data["recognition"]["committee_resolution"].update(approve=5, reject=4)
    [p] = of(engine, data, "recognition.committee_vote")
    assert (p.severity, p.path) == ("error", "recognition.committee_resolution.approve")
    assert p.message == ("Nghị quyết của đảng ủy xét công nhận đảng viên chính thức: tán thành 5/9 ủy viên, chưa "
                         "đạt hai phần ba (cần ít nhất 6).")
    assert of(engine, data, "committee_vote.two_thirds") == []


# -- recognition.fourth_vote --------------------------------------------------------------------
def _previous(data: dict, *votes: tuple[str, int, int]) -> dict:
    data = copy.deepcopy(data)
    data["recognition"]["previous_votes"] = [{"date": d, "approve": a, "base": b} for d, a, b in votes]
    return data


FAILED = [("2026-11-20", 8, 14), ("2026-11-23", 9, 14), ("2026-11-24", 9, 14)]


def test_after_three_failed_votes_a_fourth_is_refused(engine):
    data = _meeting(on_time(), date(2026, 11, 25))
    assert of(engine, _previous(data, *FAILED[:2]), "recognition.fourth_vote") == []
    [p] = of(engine, _previous(data, *FAILED), "recognition.fourth_vote")
    assert (p.severity, p.path) == ("error", "recognition.cell_meeting.date")
    assert p.message == ("Chi bộ đã biểu quyết 3 lần không đủ hai phần ba đảng viên chính thức tán thành (ngày 20 "
                         "tháng 11 năm 2026, ngày 23 tháng 11 năm 2026, ngày 24 tháng 11 năm 2026): chi bộ không "
                         "biểu quyết thêm lần nữa; sau 3 lần không đạt, chi bộ báo cáo cấp ủy cấp trên trực tiếp xem "
                         "xét, quyết định (Quy định 294-QĐ/TW §4.2.3). Hãy bỏ recognition.cell_meeting.")
    # with no further cell vote there is nothing to refuse: the superior decides
    bare = _previous(data, *FAILED)
    bare["recognition"] = {k: v for k, v in bare["recognition"].items()
                           if k not in ("cell_meeting", "committee_resolution", "decision")}
    assert of(engine, bare, "recognition.fourth_vote") == []


def test_an_earlier_vote_that_passed_is_not_a_failed_one(engine):
    data = _meeting(on_time(), date(2026, 11, 25))
    assert of(engine, _previous(data, ("2026-11-23", 9, 14)), "recognition.fourth_vote") == []   # 27 < 28
    [p] = of(engine, _previous(data, ("2026-11-23", 10, 14)), "recognition.fourth_vote")          # 30 ≥ 28
    assert p.path == "recognition.previous_votes[0].approve"
    assert p.message.startswith("Lần biểu quyết trước thứ 1 (ngày 23 tháng 11 năm 2026) có 10/14 đảng viên chính "
                                "thức tán thành, đã đạt hai phần ba (cần 10)")
    [p] = of(engine, _previous(data, ("2026-11-23", 15, 14)), "recognition.fourth_vote")
    assert "số tán thành (15) phải từ 0 đến số đảng viên chính thức làm căn cứ biểu quyết (14)" in p.message


# -- recognition.certificate --------------------------------------------------------------------
def _certificate(data: dict, day: date | None) -> dict:
    data = copy.deepcopy(data)
    if day is None:
        del data["recognition"]["new_member_course"]
    else:
        data["recognition"]["new_member_course"] = {"certificate_date": day.isoformat()}
    return data


def test_the_new_member_certificate_is_there_by_the_cell_meeting(engine):
    assert of(engine, _certificate(on_time(), MEETING), "recognition.certificate") == []
    [p] = of(engine, _certificate(on_time(), MEETING + timedelta(days=1)), "recognition.certificate")
    assert (p.severity, p.path) == ("error", "recognition.new_member_course.certificate_date")
    assert p.message.startswith("Giấy chứng nhận học lớp bồi dưỡng lý luận chính trị dành cho đảng viên mới cấp "
                                "ngày 25 tháng 11 năm 2026, sau ngày chi bộ họp xét công nhận đảng viên chính thức "
                                "(ngày 24 tháng 11 năm 2026)")
    [p] = of(engine, _certificate(on_time(), None), "recognition.certificate")
    assert "hồ sơ chưa có ngày cấp giấy chứng nhận học lớp bồi dưỡng lý luận chính trị dành cho đảng viên mới " \
           "(recognition.new_member_course.certificate_date)" in p.message
    # before the cell meets for recognition, the certificate may still come
    data = _certificate(on_time(), None)
    for key in ("cell_meeting", "committee_resolution", "decision"):
        del data["recognition"][key]
    assert of(engine, data, "recognition.certificate") == []


# -- recognition.dates_order and recognition.papers_before_meeting --------------------------------
def test_the_committee_and_the_decision_follow_the_cell(engine):
    data = on_time()
    r = data["recognition"]
    r["committee_resolution"]["date"] = r["decision"]["date"] = "2026-11-27"
    assert of(engine, data, "recognition.dates_order") == []
    r["decision"]["date"] = "2026-11-26"
    [p] = of(engine, data, "recognition.dates_order")
    assert (p.path, p.message) == ("recognition.decision.date", "Quyết định công nhận đảng viên chính thức (ngày 26 "
                                   "tháng 11 năm 2026) không thể trước nghị quyết của đảng ủy (ngày 27 tháng 11 năm "
                                   "2026).")
    r["decision"]["date"] = "2026-11-30"
    r["committee_resolution"]["date"] = "2026-11-23"
    [p] = of(engine, data, "recognition.dates_order")
    assert p.path == "recognition.committee_resolution.date" and "trước ngày chi bộ họp xét" in p.message
    r["committee_resolution"]["date"] = "2026-11-24"
    r["branch_appraisal"] = {"number": 3, "date": "2026-11-25", "name": "Đảng ủy bộ phận Khối kỹ thuật",
                             "conclusion": "Đề nghị công nhận."}
    [p] = of(engine, data, "recognition.dates_order")
    assert p.path == "recognition.committee_resolution.date" and "báo cáo thẩm định" in p.message
    r["branch_appraisal"]["date"] = "2026-11-23"
    [p] = of(engine, data, "recognition.dates_order")
    assert p.path == "recognition.branch_appraisal.date"


def test_one_ceremony_after_the_admission_decision(engine):
    data = on_time()
    data["recognition"]["ceremony_date"] = "2025-11-21"
    [p] = of(engine, data, "recognition.dates_order")
    assert p.path == "recognition.ceremony_date"
    assert p.message.startswith("Ngày lễ kết nạp ghi ở recognition.ceremony_date (ngày 21 tháng 11 năm 2025) khác "
                                "ngày ghi ở admission.ceremony.date (ngày 20 tháng 11 năm 2025)")
    del data["admission"]["ceremony"]
    assert of(engine, data, "recognition.dates_order") == []
    data["recognition"]["ceremony_date"] = "2025-11-06"   # the decision is of 2025-11-07
    [p] = of(engine, data, "recognition.dates_order")
    assert p.message == ("Lễ kết nạp (ngày 06 tháng 11 năm 2025) không thể trước ngày quyết định kết nạp (ngày 07 "
                         "tháng 11 năm 2025).")


def test_earlier_votes_before_the_meeting_and_helpers_sign_after_being_assigned(engine):
    data = _previous(on_time(), ("2026-11-23", 9, 14))
    assert of(engine, data, "recognition.dates_order") == []
    data = _previous(on_time(), ("2026-11-24", 9, 14))
    [p] = of(engine, data, "recognition.dates_order")
    assert p.path == "recognition.previous_votes[0].date"
    data = on_time()
    data["recognition"]["helpers"][0]["signed_on"] = "2025-11-20"   # the day assigned
    assert of(engine, data, "recognition.dates_order") == []
    data["recognition"]["helpers"][0]["signed_on"] = "2025-11-19"
    [p] = of(engine, data, "recognition.dates_order")
    assert p.message == ("Đồng chí Vũ Minh Tuấn ký bản nhận xét đảng viên dự bị (ngày 19 tháng 11 năm 2025) trước "
                         "ngày được chi bộ phân công giúp đỡ (ngày 20 tháng 11 năm 2025).")


@pytest.mark.parametrize("path, start", [
    ("self_review.date", "Bản tự kiểm điểm của đảng viên dự bị (ngày 25 tháng 11 năm 2026)"),
    ("comments.date", "Bản tổng hợp ý kiến nhận xét đối với đảng viên dự bị (ngày 25 tháng 11 năm 2026)"),
    ("helpers.0.signed_on", "Bản nhận xét của đồng chí Vũ Minh Tuấn (ngày 25 tháng 11 năm 2026)"),
])
def test_the_papers_of_the_probationary_year_are_there_by_the_meeting(engine, path, start):
    def dated(day: date) -> dict:
        data = on_time()
        node = data["recognition"]
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = day.isoformat()
        return data

    assert of(engine, dated(MEETING), "recognition.papers_before_meeting") == []
    [p] = of(engine, dated(MEETING + timedelta(days=1)), "recognition.papers_before_meeting")
    assert p.path == "recognition." + path.replace(".0.", "[0].")
    assert p.message == (start + " sau ngày chi bộ họp xét công nhận đảng viên chính thức (ngày 24 tháng 11 năm "
                         "2026): chi bộ chỉ xét được giấy tờ đã có khi họp. Hãy sửa ngày của giấy tờ hoặc ngày họp.")


# -- recognition.incomplete and the legal basis ----------------------------------------------------
def test_a_rule_that_cannot_run_is_named_with_what_it_lacks(engine):
    data = on_time()
    del data["recognition"]["cell_meeting"]["date"]
    got = {(p.path, p.message) for p in of(engine, data, "recognition.incomplete")}
    assert got == {("recognition.cell_meeting.date",
                    "Hồ sơ có recognition.cell_meeting nhưng thiếu recognition.cell_meeting.date: chưa kiểm tra được "
                    "recognition.meeting_before_end, deadline.recognition_meeting, recognition.certificate, "
                    "recognition.papers_before_meeting, deadline.recognition_decision.")}
    data = on_time()
    del data["recognition"]["committee_resolution"]["present"]
    [p] = of(engine, data, "recognition.incomplete")
    assert (p.severity, p.path) == ("warning", "recognition.committee_resolution.present")
    assert p.label == engine.library.registry.label("recognition.committee_resolution.present")
    # a group not recorded yet is no gap
    data = on_time()
    for key in ("cell_meeting", "committee_resolution", "decision"):
        del data["recognition"][key]
    assert of(engine, data, "recognition.incomplete") == []


def test_a_recognition_paper_after_the_legal_basis_was_checked_is_named(engine):
    c = date(2026, 12, 1)   # legal_basis.toml's verified_until
    assert of(engine, _decided(on_time(), c), "legal_basis.verified") == []
    [p] = of(engine, _decided(on_time(), c + timedelta(days=1)), "legal_basis.verified")
    assert p.path == "recognition.decision.date"


def test_a_rule_reading_anothers_threshold_needs_it(tmp_path):
    text = (ROOT / "forms" / "_shared" / "rules.toml").read_text(encoding="utf-8")
    start = text.index('[rule."recognition.meeting_before_end"]')
    end = text.index("[rule.", start + 1)
    path = tmp_path / "rules.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    sink = DataProblems()
    read_rules(path, sink, "rules.toml")
    key = 'rule."deadline.recognition_meeting"'
    assert [(p.key, p.message) for p in sink.items] == [
        (key, f'[{key}] quy tắc này dùng tham số của quy tắc "recognition.meeting_before_end", nhưng tệp không có '
              "quy tắc đó")]


# -- the samples --------------------------------------------------------------------------------
def _check_json(path: Path, org: Path) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["check", str(path), "--org", str(org), "--json"])
    return result.exit_code, json.loads(result.stdout)["problems"]


@pytest.mark.parametrize("name, org, expected", [
    ("on-time", ORG, set()),
    ("late-committee", ORG, {("deadline.recognition_decision", "recognition.decision.date"),
                             ("legal_basis.verified", "recognition.decision.date")}),
    ("leap-day", ORG_BTV, {("deadline.recognition_decision", "recognition.decision.date")}),
])
def test_each_valid_sample_passes_check_with_only_its_intended_warnings(name, org, expected):
    code, found = _check_json(RECOGNITION / f"{name}.json", org)
    assert code == 0
    assert {(p["rule"], p["path"]) for p in found} == expected
    assert all(p["severity"] == "warning" for p in found)


@pytest.mark.parametrize("name, org, end", [
    ("late-committee", ORG, "ngày 20 tháng 11 năm 2026"),
    ("leap-day", ORG_BTV, "ngày 28 tháng 02 năm 2025"),
])
def test_a_late_decision_still_makes_the_member_official_at_the_end_of_probation(name, org, end):
    _, found = _check_json(RECOGNITION / f"{name}.json", org)
    [late] = [p for p in found if p["rule"] == "deadline.recognition_decision"]
    assert f"Đảng viên vẫn được công nhận chính thức từ ngày hết thời gian dự bị, {end}" in late["message"]


@pytest.mark.parametrize("path", INVALID_RECOGNITION, ids=lambda p: p.stem)
def test_each_invalid_recognition_sample_is_flagged_for_its_stated_reason(engine, tmp_path, path):
    """check --json names exactly the rules of ``_expect``, each with its path and label; a
    sample with an error is refused by every command (exit 3, nothing written); one with only
    warnings is printed, its warnings on stderr."""
    data = read_json(path)
    assert data["_why"]
    code, all_found = _check_json(path, ORG)
    # docgen check without --form also checks the recognition dossier's papers (13- to 16-KNĐ), so
    # a field those papers print and the sample lacks is a `required` error there too
    found = [p for p in all_found if p["rule"] != "required"]
    missing = [p for p in all_found if p["rule"] == "required"]
    assert {p["rule"] for p in found} == set(data["_expect"])
    assert all(p["path"].startswith("recognition.") and p["label"] and p["source"] for p in found)
    assert all(p["path"].startswith("recognition.") and p["label"] for p in missing)
    refused = any(p["severity"] == "error" for p in found)
    assert code == (3 if refused or missing else 0)
    out = tmp_path / "out"
    made = CliRunner().invoke(main, ["recognition-dossier", str(path), "--org", str(ORG), "-o", str(out),
                                     "--format", "docx"])
    if refused or missing:
        assert made.exit_code == 3 and (not out.exists() or not any(out.iterdir()))
    else:
        # lateness is a warning: every recognition paper is still written, the decision among them
        assert made.exit_code == 0, made.output
        assert any(out.glob("*_recognition-decision_*.docx")) and any(out.glob("*_recognition-dossier_*.pdf"))
        for rule_id in data["_expect"]:
            assert rule_id in made.stderr


def test_every_recognition_rule_has_an_invalid_sample(engine):
    covered = set().union(*(read_json(p)["_expect"] for p in INVALID_RECOGNITION))
    recognition_rules = {rid for rid in engine.rulebook.specs if "recognition" in rid}
    assert recognition_rules <= covered
    assert len(recognition_rules) == 12


def test_a_copy_of_a_sample_with_a_fourth_vote_is_refused_naming_the_rule(tmp_path):
    src = SAMPLES / "invalid" / "recognition" / "fourth-vote.json"
    path = tmp_path / "p.json"
    shutil.copy(src, path)
    result = CliRunner().invoke(main, ["check", str(path), "--org", str(ORG)])
    assert result.exit_code == 3
    assert "recognition.fourth_vote" in result.stderr and "Quy định 294-QĐ/TW §4.2.3" in result.stderr
