"""Issue 13, part "stage": the kinds of paper of a dossier (forms/_shared/dossier.toml) and a
candidate's stage and next deadline (docgen/check/stage.py), counted with the rules' own
parameters: each deadline is tested on its edge against the rule that enforces it."""

from __future__ import annotations

import copy
import shutil
import tomllib
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from docgen.check.rules import deadline_ceremony, deadline_decision, deadline_recognition_meeting
from docgen.check.stage import dossier_status, expected, kinds_expected
from docgen.cli import main
from docgen.errors import DataProblems
from docgen.load.dossier import FormInfo, kind_of_form, kinds_for, read_dossier_kinds
from docgen.load.model import Inputs, Record, record_from_data
from docgen.pipeline import Engine

from conftest import DAT, HUONG, LAN, ROOT, read_json

DOSSIER = ROOT / "forms" / "_shared" / "dossier.toml"


def inputs(engine: Engine, data: dict) -> Inputs:
    record = record_from_data(data, "candidate", engine.library.registry)
    assert [p for p in record.problems if p.severity == "error"] == []
    return Inputs({"candidate": record})


def status(engine: Engine, data: dict, today: date):
    return dossier_status(inputs(engine, data), engine.library, engine.rulebook, today)


def rule_params(engine: Engine, rule_id: str) -> dict:
    return {**engine.rulebook.specs[rule_id].params, **engine.rulebook.shared_params}


def sympathiser(path) -> dict:
    """A sample before its cell meeting: no admission part at all."""
    data = copy.deepcopy(read_json(path))
    data.pop("admission")
    data.pop("exceptions", None)
    return data


def without(data: dict, *paths: str) -> dict:
    data = copy.deepcopy(data)
    for path in paths:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node.pop(last)
    return data


# -- dossier.toml ----------------------------------------------------------------------------------
def test_a_candidates_dossier_lists_06_hd_8_1_in_order_then_recognition_then_other(engine):
    kinds = kinds_for(engine.library, "candidate")
    admission = [(k.kind, k.code, k.form) for k in kinds if k.part == "admission"]
    assert admission == [
        ("awareness_certificate", "", ""), ("application", "1-KNĐ", ""), ("biography", "2-KNĐ", ""),
        ("biography_verification", "", ""), ("nomination", "3-KNĐ", "nomination"),
        ("youth_union_resolution", "4-KNĐ", "youth-union-resolution"), ("trade_union_resolution", "4-KNĐ", ""),
        ("comments_summary", "5-KNĐ", "comments-summary"), ("cell_resolution", "6-KNĐ", "cell-resolution"),
        ("subcommittee_appraisal", "7-KNĐ", ""), ("committee_resolution", "8-KNĐ", "committee-resolution"),
        ("admission_decision", "9-KNĐ", "admission-decision"), ("member_history", "1-HSĐV", ""),
        ("member_record", "2-HSĐV", ""),
    ]
    recognition = [(k.code, k.form) for k in kinds if k.part == "recognition"]
    made = {"10-KNĐ": "self-review", "11-KNĐ": "helper-review", "12-KNĐ": "recognition-comments-summary"}
    assert recognition == [("", "")] + [(f"{n}-KNĐ", made.get(f"{n}-KNĐ", "")) for n in range(10, 17)]
    assert [k.part for k in kinds][-1] == "other" and kinds[-1].kind == "scan" and not kinds[-1].required
    assert all(k.source.startswith("Hướng dẫn 06-HD/TW §8.1.a") for k in kinds if k.part == "admission")
    assert all(k.source.startswith("Hướng dẫn 06-HD/TW §8.1.b") for k in kinds if k.part == "recognition")
    optional = {k.kind for k in kinds if not k.required}
    assert optional == {"subcommittee_appraisal", "recognition_appraisal", "scan"}


def test_a_congress_dossier_follows_the_congress_pack(engine):
    kinds = kinds_for(engine.library, "congress")
    assert [k.form for k in kinds if k.part == "congress"] == engine.library.pack("congress")["forms"]
    assert [k.kind for k in kinds if k.part == "other"] == ["scan"]
    assert kind_of_form(engine.library, "ratification-decision").when == "congress.ratification_decision"
    with pytest.raises(ValueError, match="org"):
        kinds_for(engine.library, "org")


def test_every_form_is_one_kind_of_paper(engine):
    for form_id, spec in engine.library.forms.items():
        kind = kind_of_form(engine.library, form_id)
        assert kind is not None and kind.form == form_id
        assert kind.when == spec.applies_when
    assert kind_of_form(engine.library, "no-such-form") is None
    assert kind_of_form(engine.library, "") is None
    assert kind_of_form(engine.library, "youth-union-resolution").label.startswith("Nghị quyết giới thiệu đoàn viên")


def test_expected_follows_when(engine):
    huong, dat = inputs(engine, read_json(HUONG)), inputs(engine, read_json(DAT))
    by_kind = {k.kind: k for k in engine.library.dossier_kinds}
    assert expected(by_kind["youth_union_resolution"], huong)
    assert not expected(by_kind["youth_union_resolution"], dat)
    assert not expected(by_kind["trade_union_resolution"], huong)
    assert expected(by_kind["scan"], dat) and not by_kind["scan"].required
    # the member's history is due once the ceremony is recorded: Đạt has one, Hương not yet
    assert expected(by_kind["member_history"], dat) and not expected(by_kind["member_history"], huong)
    assert [k.kind for k in kinds_expected(engine.library, huong, "candidate")] == [
        "awareness_certificate", "application", "biography", "biography_verification", "nomination",
        "youth_union_resolution", "comments_summary", "cell_resolution"]
    assert "recognition_decision" in [k.kind for k in kinds_expected(engine.library, dat, "official")]
    with pytest.raises(ValueError, match="stage"):
        kinds_expected(engine.library, dat, "member")


def _read(text: str, engine: Engine, forms=None):
    sink = DataProblems()
    if forms is None:
        forms = {f.id: FormInfo(f.subject, f.applies_when) for f in engine.library.forms.values()}
    found = read_dossier_kinds(text, sink, "dossier.toml", engine.library.registry, forms)
    return found, [(p.key, p.message) for p in sink.items]


def test_the_bundled_file_reads_without_a_problem(engine):
    found, problems = _read(DOSSIER.read_text(encoding="utf-8"), engine)
    assert problems == [] and found is not None
    assert found.stages["probationary"] == "Đảng viên dự bị"
    # the file parsed as a table reads the same
    again, _ = _read(tomllib.loads(DOSSIER.read_text(encoding="utf-8")), engine)
    assert again == found


BROKEN = {
    "unknown key": ('kind = "application"\n', 'kind = "application"\nnote = "x"\n',
                    ('"admission[1]".note', 'khóa lạ "note"')),
    "duplicate kind": ('kind = "biography"\n', 'kind = "application"\n',
                       ('"admission[2]".kind', 'loại giấy tờ "application" đã có ở [[admission]] application')),
    "unknown form": ('form = "cell-resolution"', 'form = "cell-resolutoin"',
                     ('"admission[8]".form', 'không có mẫu "cell-resolutoin" (có phải "cell-resolution"?)')),
    "form of the other input": ('form = "ballot"', 'form = "nomination"',
                                ('"congress[2]".form', 'mẫu "nomination" làm từ "candidate"')),
    "when not a field": ('when = "trade_union_resolution"', 'when = "trade_union_resolutoin"',
                         ('"admission[6]".when', '"trade_union_resolutoin" không phải trường hay nhóm trường')),
    "when not the form's applies_when": ('when = "youth_union_resolution"     # the form',
                                         'when = "candidate.youth_union_member"     # the form',
                                         ('"admission[5]".when', 'ghi when = "youth_union_resolution"')),
    "unknown stage": ('stage = "official"\nsource = "Hướng dẫn 06-HD/TW §8.1.b; §4.1"',
                      'stage = "chinh_thuc"\nsource = "Hướng dẫn 06-HD/TW §8.1.b; §4.1"',
                      ('"recognition[0]".stage', 'khóa "stage" phải là một trong')),
    "a scan required": ('required = false\nsource = ""', 'required = true\nsource = ""',
                        ('"other[0]".required', "required phải là false")),
    "a message reading an unknown name": ("{{ probation_end }}", "{{ probation_ends }}",
                                          ("deadline.recognition.message", 'không có tên "probation_ends"')),
    "a stage without its label": ('[stage.official]\nlabel = "Đảng viên chính thức"\n', "",
                                  ("stage.official", 'thiếu bảng "official"')),
    # the recognition deadline's parameters are its rules' (rules.toml): one left here is named
    "a parameter of a rule": ("[deadline.recognition]\n", "[deadline.recognition]\nprobation_months = 12\n",
                              ("deadline.recognition.probation_months",
                               '[deadline.recognition] khóa lạ "probation_months"')),
}


@pytest.mark.parametrize("old, new, problem", BROKEN.values(), ids=BROKEN.keys())
def test_each_broken_entry_is_named_with_its_key(engine, old, new, problem):
    text = DOSSIER.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    found, problems = _read(text.replace(old, new), engine)
    assert found is None
    key, start = problem
    assert any(k == key and start in m for k, m in problems), problems


def test_a_form_of_docgens_own_with_no_kind_is_named_a_users_new_form_is_not(engine):
    forms = {f.id: FormInfo(f.subject, f.applies_when) for f in engine.library.forms.values()}
    forms["probation-report"] = FormInfo("candidate", "")
    found, problems = _read(DOSSIER.read_text(encoding="utf-8"), engine, forms)
    assert found is None
    assert problems == [("", 'mẫu "probation-report" không thuộc loại giấy tờ nào: thêm vào [[admission]] hoặc '
                             '[[recognition]] một bảng có form = "probation-report"')]
    # a secretary's copy of a form under a new id (tests/test_form_folders.py) is no kind of paper
    forms["probation-report"] = FormInfo("candidate", "", bundled=False)
    found, problems = _read(DOSSIER.read_text(encoding="utf-8"), engine, forms)
    assert problems == [] and found is not None


def test_forms_lint_names_a_broken_dossier_toml_and_a_command_writes_nothing(tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    path = forms / "_shared" / "dossier.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('form = "comments-summary"',
                                                              'form = "comment-summary"'), encoding="utf-8")
    line = f'{path}: [[admission]] comments_summary không có mẫu "comment-summary" (có phải "comments-summary"?)'
    lint = CliRunner().invoke(main, ["--forms-dir", str(forms), "forms", "lint"])
    assert lint.exit_code == 4, lint.output
    assert line in lint.stdout.splitlines(), lint.stdout
    out = tmp_path / "out"
    made = CliRunner().invoke(main, ["--forms-dir", str(forms), "admission-decision", str(HUONG), "--org",
                                     str(ROOT / "samples" / "org.json"), "-o", str(out), "--format", "docx"])
    assert made.exit_code == 4 and not out.exists()
    assert any(got.strip() == line for got in made.stderr.splitlines()), made.stderr


# -- stages -----------------------------------------------------------------------------------------
TODAY = date(2026, 3, 1)


def test_each_stage(engine):
    assert status(engine, sympathiser(HUONG), TODAY).stage == "sympathiser"
    candidate = without(read_json(DAT), "admission.decision", "admission.ceremony", "admission.committee_resolution")
    assert status(engine, candidate, TODAY).stage == "candidate"
    found = status(engine, read_json(DAT), TODAY)
    assert (found.stage, found.stage_label) == ("probationary", "Đảng viên dự bị")
    assert status(engine, read_json(LAN), TODAY).stage == "probationary"


def _recognised(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["recognition"] = {"decision": {"date": "2027-04-20"}}
    return data


def test_a_dated_recognition_decision_makes_the_member_official(engine):
    data = _recognised(read_json(DAT))
    record = record_from_data(data, "candidate", engine.library.registry)
    assert record.problems == []
    found = dossier_status(Inputs({"candidate": record}), engine.library, engine.rulebook, TODAY)
    assert (found.stage, found.stage_label, found.deadline) == ("official", "Đảng viên chính thức", None)
    assert found.note == "Đã là đảng viên chính thức: hồ sơ kết nạp không còn hạn nào phải theo dõi."
    # without its date the recorded group is named, and the stage stays where the dates prove it
    undated = copy.deepcopy(data)
    undated["recognition"]["decision"] = {"date": None}
    found = dossier_status(Inputs({"candidate": Record("candidate", undated)}), engine.library, engine.rulebook, TODAY)
    assert found.stage == "probationary"


# -- deadlines, each on its edge against the rule that enforces it -----------------------------------
def test_sympathiser_the_first_paper_to_go_stale_sets_the_cells_deadline(engine):
    data = sympathiser(HUONG)   # introducer 2025-08-25, Youth Union 2025-08-28, comments 2025-09-15
    found = status(engine, data, TODAY)
    d = found.deadline
    assert d is not None and found.note == ""
    assert d.due == date(2026, 8, 25)
    assert d.what == ("Chi bộ phải họp xét kết nạp chậm nhất ngày 25 tháng 8 năm 2026: giấy giới thiệu của đồng chí "
                      f"{data['introducers'][0]['full_name']} lập ngày 25 tháng 8 năm 2025 chỉ có giá trị 12 tháng, "
                      "quá hạn đó phải làm lại.")
    assert d.source == engine.rulebook.specs["papers.stale"].source
    # the rule passes a meeting on the due day and refuses one a day later
    for meeting, stale in ((d.due, False), (d.due + timedelta(days=1), True)):
        met = copy.deepcopy(read_json(HUONG))
        met["admission"]["cell_meeting"]["date"] = meeting.isoformat()
        problems = engine.rulebook.run([engine.rulebook.specs["papers.stale"]], inputs(engine, met),
                                       engine.library.registry)
        assert bool(problems) is stale


def test_sympathiser_the_certificate_when_it_runs_out_first(engine):
    data = sympathiser(LAN)   # certificate 2021-06-30: its 60 months end before the papers' 12
    d = status(engine, data, TODAY).deadline
    assert d is not None and d.due == date(2026, 6, 30)
    assert "giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng cấp ngày 30 tháng 6 năm 2021 có giá trị 60 tháng" \
        in d.what
    assert d.source == engine.rulebook.specs["certificate.validity"].source


def test_sympathiser_with_no_date_to_count_from_has_a_note_not_a_deadline(engine):
    data = sympathiser(DAT)
    data = without(data, "candidate.awareness_course", "comments.date")
    for introducer in data["introducers"]:
        introducer.pop("signed_on")
    found = status(engine, data, TODAY)
    assert found.deadline is None
    assert "candidate.awareness_course.certificate_date" in found.note and found.note.startswith("Chưa tính được hạn")


def _candidate(meeting: str, extension: int | None = None) -> dict:
    data = without(read_json(DAT), "admission.decision", "admission.ceremony", "admission.committee_resolution")
    data["admission"]["cell_meeting"]["date"] = meeting
    if extension is not None:
        data["admission"]["deadline_extension"] = {"working_days": extension, "reason": "Thẩm tra bổ sung lý lịch"}
    return data


def _decision_late(engine: Engine, data: dict, decided: date) -> bool:
    data = copy.deepcopy(data)
    data["admission"]["decision"] = {"number": 7, "date": decided.isoformat()}
    return bool(list(deadline_decision(inputs(engine, data), rule_params(engine, "deadline.decision"))))


def test_candidate_the_decision_within_45_working_days_across_tet(engine):
    data = _candidate("2026-01-12")
    d = status(engine, data, TODAY).deadline
    assert d is not None
    cal = engine.library.work_calendar
    meeting = date(2026, 1, 12)
    assert cal.working_days_between(meeting, d.due) == 45
    assert d.due - meeting > timedelta(days=63)   # 9 weeks of 5 days, plus the Tết holidays in between
    next_day = cal.add_working_days(d.due, 1)
    assert not _decision_late(engine, data, d.due) and _decision_late(engine, data, next_day)
    assert d.what.startswith(f"Cấp ủy có thẩm quyền phải ra quyết định kết nạp chậm nhất ngày {d.due.day:02d}")
    assert "45 ngày làm việc kể từ ngày chi bộ có nghị quyết (ngày 12 tháng 01 năm 2026)" in d.what
    assert d.source == engine.rulebook.specs["deadline.decision"].source


def test_candidate_a_recorded_extension_moves_the_deadline_up_to_its_maximum(engine):
    cal = engine.library.work_calendar
    meeting = date(2026, 1, 12)
    data = _candidate("2026-01-12", 10)
    d = status(engine, data, TODAY).deadline
    assert d is not None and d.due == cal.add_working_days(meeting, 55)
    assert "cộng 10 ngày gia hạn" in d.what
    assert not _decision_late(engine, data, d.due) and _decision_late(engine, data, cal.add_working_days(d.due, 1))
    d = status(engine, _candidate("2026-01-12", 20), TODAY).deadline
    assert d is not None and d.due == cal.add_working_days(meeting, 60)
    assert "Hồ sơ ghi gia hạn 20 ngày, vượt mức tối đa 15 ngày: hạn được tính với 15 ngày." in d.what


def _probationary(received_on: str | None) -> dict:
    data = without(read_json(DAT), "admission.ceremony", "admission.decision.received_on")
    if received_on:
        data["admission"]["decision"]["received_on"] = received_on
    return data


def _ceremony_late(engine: Engine, data: dict, held: date) -> bool:
    data = copy.deepcopy(data)
    data["admission"]["ceremony"] = {"date": held.isoformat()}
    return bool(list(deadline_ceremony(inputs(engine, data), rule_params(engine, "deadline.ceremony"))))


@pytest.mark.parametrize("received_on", ["2026-02-09", None])
def test_probationary_the_ceremony_within_30_working_days(engine, received_on):
    data = _probationary(received_on)
    d = status(engine, data, TODAY).deadline
    assert d is not None
    cal = engine.library.work_calendar
    start = date.fromisoformat(received_on or "2026-02-05")   # else the decision's date, which is said
    assert cal.working_days_between(start, d.due) == 30
    assert not _ceremony_late(engine, data, d.due) and _ceremony_late(engine, data, cal.add_working_days(d.due, 1))
    assert ("vì hồ sơ chưa có ngày chi bộ nhận quyết định (admission.decision.received_on)" in d.what) is (
        received_on is None)
    assert d.source == engine.rulebook.specs["deadline.ceremony"].source


def test_probationary_after_the_ceremony_the_cell_considers_recognition(engine):
    data = read_json(DAT)   # ceremony 2026-03-03
    d = status(engine, data, TODAY).deadline
    assert d is not None
    cal = engine.library.work_calendar
    end = date(2027, 3, 3)
    assert cal.working_days_between(end, d.due) == 30 and d.due == cal.add_working_days(end, 30)
    assert "thời gian dự bị 12 tháng tính từ lễ kết nạp (ngày 03 tháng 3 năm 2026) hết ngày 03 tháng 3 năm 2027" \
        in d.what
    assert d.source == engine.rulebook.specs["deadline.recognition_meeting"].source
    assert "294-QĐ/TW §4.2.1" in d.source
    # the due day is the last one deadline.recognition_meeting accepts
    assert not _recognition_late(engine, data, d.due)
    assert _recognition_late(engine, data, cal.add_working_days(d.due, 1))


def _recognition_late(engine: Engine, data: dict, held: date) -> bool:
    data = copy.deepcopy(data)
    data["recognition"] = {"cell_meeting": {"date": held.isoformat()}}
    return bool(list(deadline_recognition_meeting(inputs(engine, data),
                                                  rule_params(engine, "deadline.recognition_meeting"))))


def test_a_recognition_ceremony_date_counts_the_probation_when_the_admission_has_none(engine):
    data = without(read_json(DAT), "admission.ceremony")
    data["recognition"] = {"ceremony_date": "2026-03-03"}
    d = status(engine, data, TODAY).deadline
    assert d is not None and "hết ngày 03 tháng 3 năm 2027" in d.what


def test_overdue_and_days_left_on_the_edge(engine):
    data = sympathiser(HUONG)
    due = date(2026, 8, 25)
    for today, overdue, left in ((due - timedelta(days=31), False, 31), (due - timedelta(days=30), False, 30),
                                 (due, False, 0), (due + timedelta(days=1), True, -1)):
        d = status(engine, data, today).deadline
        assert d is not None and (d.due, d.overdue, d.days_left) == (due, overdue, left)


def test_a_group_recorded_without_its_date_gives_a_note_not_a_wrong_deadline(engine):
    data = without(read_json(DAT), "admission.decision.date", "admission.ceremony")
    found = status(engine, data, TODAY)
    assert (found.stage, found.deadline) == ("candidate", None)
    label = engine.library.registry.label("admission.decision.date")
    assert found.note == (f'Hồ sơ có admission.decision nhưng thiếu "{label}" (admission.decision.date): chưa xác '
                          "định được giai đoạn tiếp theo và hạn của nó; hãy ghi ngày này.")
    # a cell meeting recorded without its date: not a sympathiser's papers deadline either
    data = without(read_json(DAT), "admission.cell_meeting.date", "admission.decision", "admission.ceremony",
                   "admission.committee_resolution")
    found = status(engine, data, TODAY)
    assert (found.stage, found.deadline) == ("sympathiser", None)
    assert "(admission.cell_meeting.date)" in found.note


def test_a_deadline_whose_rule_is_missing_is_said(engine):
    book = SimpleNamespace(specs={k: v for k, v in engine.rulebook.specs.items() if k != "deadline.decision"})
    found = dossier_status(inputs(engine, _candidate("2026-01-12")), engine.library, book, TODAY)  # type: ignore
    assert found.deadline is None
    assert found.note == ('Chưa tính được hạn: tệp rules.toml đang dùng không có quy tắc "deadline.decision" mà hạn '
                          "này tính theo.")


def test_dossier_status_needs_a_candidate(engine):
    with pytest.raises(ValueError, match="candidate"):
        dossier_status(Inputs({}), engine.library, engine.rulebook, TODAY)
