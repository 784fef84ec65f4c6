"""Check stage: the party rules, one function per rule id of ``forms/_shared/rules.toml``.

Each function reads typed values from the inputs and yields a :class:`Violation` per breach;
metadata, thresholds and wording stay in the data file. A function returns quietly when a
value it needs is missing or malformed: the required-field check reports that.
"""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..domain.vietnamese import long_date
from ..domain.votes import vote_base
from ..domain.workdays import add_months, age_in_months, probation_end
from ..errors import DataProblems, closest, toml_key
from ..load.model import Inputs, Record
from ..sandbox import DataTemplateError, check_text
from .engine import _RULES, Violation, rule

if TYPE_CHECKING:
    from ..domain.elections import Attendance

# The congress rules import the election arithmetic (docgen.domain.elections) where they use it:
# an admission paper's check needs none of it, and importing it costs every paper 5 ms.

# The thresholds each rule reads from its ``params`` in rules.toml, with the range each may take
# (so that no threshold can send a date past the calendar's end). A rule not listed takes none.
PARAMS: dict[str, dict[str, tuple[int, int]]] = {
    "age.minimum": {"min_years": (0, 150)},
    "age.maximum": {"max_years": (0, 150)},
    "introducer.route": {"youth_age_min": (0, 150), "youth_age_max": (0, 150)},
    "introducer.route_unknown": {"youth_age_min": (0, 150), "youth_age_max": (0, 150)},
    "introducer.joint_work": {"months": (0, 1200)},
    "certificate.validity": {"months": (0, 1200)},
    "papers.stale": {"months": (0, 1200)},
    "deadline.decision": {"working_days": (0, 1000), "max_extension": (0, 1000)},
    "deadline.ceremony": {"working_days": (0, 1000)},
    "election.surplus": {"limit_percent": (0, 100)},
    "election.nominee": {"limit_percent": (0, 100)},
    "election.structure": {"max_committee": (1, 100)},
    "deadline.ratification": {"working_days": (0, 1000)},
    "deadline.ratification_decision": {"working_days": (0, 1000)},
    "recognition.meeting_before_end": {"months": (1, 1200)},
    "deadline.recognition_meeting": {"working_days": (0, 1000)},
    "deadline.recognition_decision": {"working_days": (0, 1000)},
    "deadline.recognition_extension": {"max_extension": (0, 1000)},
    "recognition.fourth_vote": {"failed_votes": (1, 100)},
}
# Rules whose function reads another rule's thresholds (the probation's months, the longest
# extension): a rules.toml with the one must have the other.
NEEDS = {
    "deadline.recognition_meeting": "recognition.meeting_before_end",
    "deadline.recognition_decision": "deadline.recognition_extension",
}
RULE_KEYS = ("severity", "source", "message", "path", "forms", "params", "exception_allowed")
SEVERITIES = ("error", "warning")


def read_rules(path: Path, sink: DataProblems, file: str | None = None, registry=None,
               form_ids=None) -> dict[str, dict]:
    """The rules of ``rules.toml`` by id, each problem recorded in ``sink`` (``file``: how
    messages name the file): a rule docgen has no function for, a missing or mistyped key, a
    threshold out of range, a field (``path``) or form (``forms``) that does not exist, a
    message that does not compile. ``registry`` and ``form_ids``, when given, are what ``path``
    and ``forms`` must name."""
    file = str(file or path)
    raw = sink.read_toml(path, file)
    if raw is None:
        return {}
    root = sink.table(file, raw)
    root.unknown(("rule",))
    rules = root.sub("rule")
    out = {}
    for rid in rules.raw:
        r = rules.sub(rid, label=f"[rule.{toml_key(rid)}]")
        if not r.ok:
            continue
        before = len(sink.items)
        if rid not in _RULES:
            r.problem("", f"không có phần kiểm tra tương ứng trong docgen{closest(rid, _RULES)}")
        severity = r.text("severity", default="error")
        if severity not in SEVERITIES:
            r.problem("severity", f'khóa "severity" phải là "error" hoặc "warning", đang là "{severity}"')
        r.text("source", required=True, nonempty=True)
        message = r.text("message", required=True, nonempty=True)
        if message:
            where = f"{r.label} message"
            try:
                check_text(message, f"{file}: {where}")
            except DataTemplateError as exc:
                text = str(exc)
                r.sink.add(file, r.key("message"), text[len(file) + 2:] if text.startswith(file + ": ") else text)
        field_path = r.text("path")
        if field_path and registry is not None and field_path not in registry.declared:
            r.problem("path", f'trường "{field_path}" không có trong danh mục trường (fields.toml)'
                              f"{closest(field_path, registry.fields)}")
        for form_id in r.texts("forms"):
            if form_ids is not None and form_id not in form_ids:
                r.problem("forms", f'mẫu "{form_id}" không có trong thư mục mẫu{closest(form_id, form_ids)}')
        r.boolean("exception_allowed")
        expected = PARAMS.get(rid, {})
        params = r.sub("params", required=bool(expected))
        for name, (lo, hi) in expected.items():
            params.integer(name, required=True, lo=lo, hi=hi)
        params.unknown(expected, what="tham số")
        lo_years, hi_years = params.raw.get("youth_age_min"), params.raw.get("youth_age_max")
        if isinstance(lo_years, int) and isinstance(hi_years, int) and lo_years > hi_years:
            params.problem("youth_age_min", "youth_age_min lớn hơn youth_age_max")
        r.unknown(RULE_KEYS)
        needed = NEEDS.get(rid)
        if needed and needed not in rules.raw:
            r.problem("", f'quy tắc này dùng tham số của quy tắc "{needed}", nhưng tệp không có quy tắc đó')
        if len(sink.items) == before:
            out[rid] = r.raw
    return out


def _candidate(inputs: Inputs) -> Record | None:
    return inputs.records.get("candidate")


def _introducers(c: Record) -> list[tuple[int, Record]]:
    items = c.raw("introducers")
    if not isinstance(items, list):
        return []
    return [(i, Record("introducer", it)) for i, it in enumerate(items) if isinstance(it, dict)]


def _meeting(c: Record) -> date | None:
    return c.date("admission.cell_meeting.date")


# -- age -------------------------------------------------------------------------------------
def _age(c: Record) -> tuple[date, date, int] | None:
    """Date of birth, meeting date and the age in months at the meeting, when both are known."""
    born, meeting = c.date("candidate.date_of_birth"), _meeting(c)
    return (born, meeting, age_in_months(born, meeting)) if born and meeting else None


@rule("age.minimum")
def age_minimum(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Below the minimum age at the meeting: no exception lifts it (294-QĐ/TW §1.1.2 excepts
    only the upper bound)."""
    c = _candidate(inputs)
    age = _age(c) if c else None
    if age is None:
        return
    born, meeting, months = age
    lo = params["min_years"] * 12
    if months < lo:
        yield Violation("candidate.date_of_birth", years=months // 12, months=months % 12, meeting=meeting,
                        min_years=params["min_years"], from_date=add_months(born, lo).replace(day=1))


@rule("age.maximum")
def age_maximum(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    age = _age(c) if c else None
    if age is None:
        return
    _, meeting, months = age
    if months > params["max_years"] * 12:
        yield Violation("candidate.date_of_birth", years=months // 12, months=months % 12, meeting=meeting,
                        max_years=params["max_years"])


# -- introducers -----------------------------------------------------------------------------
@rule("introducer.official")
def introducer_official(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Official on the day the introducer signs, and on the day the cell meets."""
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None:
        return
    for i, it in _introducers(c):
        official, admitted, signed = it.date("official_on"), it.date("admitted_on"), it.date("signed_on")
        name = it.text("full_name")
        path = f"introducers[{i}].official_on"
        if official and signed and official > signed:
            yield Violation(path, name=name, official=official, meeting=meeting, signed=signed, at_signing=True,
                            admitted=None)
        elif official and meeting and official > meeting:
            yield Violation(path, name=name, official=official, meeting=meeting, signed=signed, at_signing=False,
                            admitted=None)
        elif admitted and official and official < admitted and meeting:
            yield Violation(path, name=name, official=official, meeting=meeting, signed=signed, at_signing=False,
                            admitted=admitted)


@rule("introducer.joint_work")
def introducer_joint_work(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """12 months of joint work by the meeting, except for a replacement introducer (294-QĐ/TW
    §3.2.2) and for a candidate who moved units (06-HD/TW §3.9a)."""
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None or not meeting or c.raw("candidate.moved_units") is True:
        return
    months = params["months"]
    for i, it in _introducers(c):
        since = it.date("worked_together_since")
        if it.raw("replacement") is True:
            continue
        if since and add_months(since, months) > meeting:
            yield Violation(f"introducers[{i}].worked_together_since", name=it.text("full_name"), since=since,
                            months=months, meeting=meeting, needed=add_months(since, months))


def _youth_age(c: Record, params: dict) -> int | None:
    """The candidate's age in full years at the meeting when it is within youth age, else None
    (also None when the age is unknown)."""
    age = _age(c)
    if age is None:
        return None
    years = age[2] // 12
    return years if params["youth_age_min"] <= years <= params["youth_age_max"] else None


@rule("introducer.route")
def introducer_route(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Two official members; or the Youth Union's resolution and one member (a Youth Union member
    of youth age); or the base trade-union committee's resolution and one member (a trade-union
    member). A candidate of youth age in a unit with a Youth Union takes the Youth Union route."""
    c = _candidate(inputs)
    if c is None or not isinstance(c.raw("introducers"), list):
        return
    n = len(c.raw("introducers"))
    youth_res = isinstance(c.raw("youth_union_resolution"), dict)
    union_res = isinstance(c.raw("trade_union_resolution"), dict)
    age = _age(c)
    years = age[2] // 12 if age else None
    youth = _youth_age(c, params)
    values = dict(count=n, years=years, youth_age_min=params["youth_age_min"],
                  youth_age_max=params["youth_age_max"])
    if youth_res and union_res:
        yield Violation("trade_union_resolution", case="both_resolutions", **values)
    elif n == 2 and (youth_res or union_res):
        yield Violation("introducers", case="two_and_resolution", youth_res=youth_res, **values)
    elif n == 1 and youth_res:
        if c.raw("candidate.youth_union_member") is not True:
            yield Violation("candidate.youth_union_member", case="youth_not_member", **values)
        elif age is not None and youth is None:
            yield Violation("youth_union_resolution", case="youth_age", **values)
    elif n == 1 and union_res:
        if c.raw("candidate.trade_union_member") is not True:
            yield Violation("candidate.trade_union_member", case="union_not_member", **values)
        elif youth is not None and c.raw("candidate.unit_has_youth_union") is True:
            yield Violation("trade_union_resolution", case="youth_route_required", **values)
    elif n == 2:
        if youth is not None and c.raw("candidate.unit_has_youth_union") is True:
            yield Violation("introducers", case="youth_route_required", **values)
    elif n == 1:
        yield Violation("introducers", case="one_alone", **values)
    else:
        yield Violation("introducers", case="count", **values)


@rule("introducer.route_unknown")
def introducer_route_unknown(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A candidate of youth age introduced without the Youth Union, when the profile does not say
    whether the unit has a Youth Union: the route rule cannot tell, so it is named."""
    c = _candidate(inputs)
    if c is None or not isinstance(c.raw("introducers"), list) or c.has("candidate.unit_has_youth_union"):
        return
    n = len(c.raw("introducers"))
    union_route = n == 1 and isinstance(c.raw("trade_union_resolution"), dict) \
        and not isinstance(c.raw("youth_union_resolution"), dict)
    two = n == 2 and not isinstance(c.raw("youth_union_resolution"), dict) \
        and not isinstance(c.raw("trade_union_resolution"), dict)
    years = _youth_age(c, params)
    if years is not None and (two or union_route):
        yield Violation("candidate.unit_has_youth_union", count=n, years=years,
                        youth_age_min=params["youth_age_min"], youth_age_max=params["youth_age_max"])


# -- certificate and papers ------------------------------------------------------------------
@rule("certificate.validity")
def certificate_validity(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    cert, meeting = c.date("candidate.awareness_course.certificate_date"), _meeting(c)
    if cert and meeting and meeting > add_months(cert, params["months"]):
        yield Violation("candidate.awareness_course.certificate_date", cert=cert, meeting=meeting,
                        months=params["months"], expired=add_months(cert, params["months"]))


def _papers(c: Record) -> list[tuple[str, str, date | None]]:
    """The papers the cell meeting considers, as (path, what it is, its date): the
    nominations, the Youth Union's or trade union's resolution, the comments summary."""
    papers = [(f"introducers[{i}].signed_on", f"giấy giới thiệu của đồng chí {it.text('full_name')}",
               it.date("signed_on")) for i, it in _introducers(c)]
    papers += [
        ("youth_union_resolution.date", "nghị quyết giới thiệu của Ban Chấp hành Đoàn",
         c.date("youth_union_resolution.date")),
        ("trade_union_resolution.date", "nghị quyết giới thiệu của Ban Chấp hành Công đoàn cơ sở",
         c.date("trade_union_resolution.date")),
        ("comments.date", "bản tổng hợp ý kiến nhận xét", c.date("comments.date")),
    ]
    return papers


@rule("papers.stale")
def papers_stale(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None or not meeting:
        return
    months = params["months"]
    for path, paper, when in _papers(c):
        if when and add_months(when, months) < meeting:
            yield Violation(path, paper=paper, paper_date=when, meeting=meeting, months=months)


@rule("dates.papers_before_meeting")
def papers_before_meeting(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The papers the cell meeting considered, and the biography's certification, are dated on
    or before it."""
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None or not meeting:
        return
    papers = _papers(c) + [("candidate.biography.certified_on", "chứng nhận lý lịch của cấp ủy cơ sở",
                            c.date("candidate.biography.certified_on"))]
    yield from _after_meeting(papers, meeting)


def _after_meeting(papers: list[tuple[str, str, date | None]], meeting: date, **values) -> Iterator[Violation]:
    """Each of ``papers`` (path, what it is, its date) dated after the cell's ``meeting``."""
    for path, paper, when in papers:
        if when and when > meeting:
            yield Violation(path, paper=paper, paper_date=when, meeting=meeting, **values)


# -- votes -----------------------------------------------------------------------------------
# The cell's vote and the committee's are counted alike at admission (admission.*) and at
# recognition (recognition.*, 06-HD/TW §4.5a: "as at admission"): each function takes the group.
ADMISSION_CELL, ADMISSION_COMMITTEE = "admission.cell_meeting", "admission.committee_resolution"
CELL_COUNTS = ("members_total", "members_official", "members_probationary", "present_official",
               "present_probationary", "approve", "reject")
COMMITTEE_COUNTS = ("members_total", "present", "approve", "reject")


def _cell_counts(c: Record, group: str = ADMISSION_CELL) -> dict[str, int] | None:
    vals: dict[str, int] = {}
    for k in CELL_COUNTS:
        v = c.int(f"{group}.{k}")
        if v is None:
            return None
        vals[k] = v
    items = c.raw(f"{group}.not_counted")
    vals["not_counted"] = len(items) if isinstance(items, list) else 0
    return vals


def _two_thirds(inputs: Inputs, group: str) -> Iterator[Violation]:
    """At least two thirds of the official members less those not counted (294-QĐ/TW §9.3.2)."""
    c = _candidate(inputs)
    counts = _cell_counts(c, group) if c else None
    if not counts:
        return
    base = vote_base(counts["members_official"], counts["not_counted"])
    if base <= 0:
        return
    approve = counts["approve"]
    if 3 * approve < 2 * base:
        yield Violation(f"{group}.approve", approve=approve, base=base, needed=(2 * base + 2) // 3)


@rule("vote.two_thirds")
def vote_two_thirds(inputs: Inputs, params: dict) -> Iterator[Violation]:
    yield from _two_thirds(inputs, ADMISSION_CELL)


def _vote_counts(inputs: Inputs, group: str) -> Iterator[Violation]:
    c = _candidate(inputs)
    counts = _cell_counts(c, group) if c else None
    if not counts:
        return
    p = group + "."
    k = counts
    if k["members_official"] + k["members_probationary"] != k["members_total"]:
        yield Violation(p + "members_total", problem=(
            f"tổng số đảng viên ({k['members_total']}) phải bằng chính thức ({k['members_official']}) "
            f"cộng dự bị ({k['members_probationary']})"))
    if k["present_official"] > k["members_official"]:
        yield Violation(p + "present_official", problem=(
            f"số đảng viên chính thức có mặt ({k['present_official']}) nhiều hơn số đảng viên chính thức "
            f"({k['members_official']})"))
    if k["present_probationary"] > k["members_probationary"]:
        yield Violation(p + "present_probationary", problem=(
            f"số đảng viên dự bị có mặt ({k['present_probationary']}) nhiều hơn số đảng viên dự bị "
            f"({k['members_probationary']})"))
    if k["approve"] + k["reject"] > k["present_official"]:
        yield Violation(p + "approve", problem=(
            f"tán thành ({k['approve']}) cộng không tán thành ({k['reject']}) nhiều hơn số đảng viên chính thức "
            f"có mặt ({k['present_official']})"))
    absent = k["members_official"] - k["present_official"]
    if k["not_counted"] > max(absent, 0):
        yield Violation(p + "not_counted", problem=(
            f"có {k['not_counted']} đảng viên không tính vào số biểu quyết nhưng chỉ {max(absent, 0)} đảng viên "
            f"chính thức vắng mặt; chỉ được trừ đảng viên chính thức vắng mặt (Quy định 294-QĐ/TW §9.3.2)"))
    base = k["members_official"] - k["not_counted"]
    if k["not_counted"] <= max(absent, 0) and k["approve"] + k["reject"] > base:
        yield Violation(p + "approve", problem=(
            f"tán thành ({k['approve']}) cộng không tán thành ({k['reject']}) nhiều hơn số đảng viên chính thức "
            f"làm căn cứ biểu quyết ({base})"))


@rule("vote.counts")
def vote_counts(inputs: Inputs, params: dict) -> Iterator[Violation]:
    yield from _vote_counts(inputs, ADMISSION_CELL)


def _committee_vote(inputs: Inputs, group: str) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    p = group + "."
    total, present = c.int(p + "members_total"), c.int(p + "present")
    approve, reject = c.int(p + "approve"), c.int(p + "reject")
    if total is None or present is None or approve is None or reject is None or total == 0:
        return
    items = c.raw(p + "not_counted")
    left_out = len(items) if isinstance(items, list) else 0
    base = total - left_out
    if present > total or approve + reject > present:
        yield Violation(p + "present", problem=(
            f"có mặt {present}/{total}, tán thành {approve}, không tán thành {reject}: các số không khớp nhau"))
    elif left_out > total - present:
        yield Violation(p + "not_counted", problem=(
            f"có {left_out} ủy viên không tính vào số biểu quyết nhưng chỉ {total - present} ủy viên vắng mặt; "
            f"chỉ được trừ ủy viên vắng mặt (Quy định 294-QĐ/TW §9.3.3)"))
    elif base > 0 and 3 * approve < 2 * base:
        yield Violation(p + "approve", problem=(
            f"tán thành {approve}/{base} ủy viên, chưa đạt hai phần ba (cần ít nhất {(2 * base + 2) // 3})"))


@rule("committee_vote.two_thirds")
def committee_vote(inputs: Inputs, params: dict) -> Iterator[Violation]:
    yield from _committee_vote(inputs, ADMISSION_COMMITTEE)


# -- dates -----------------------------------------------------------------------------------
@rule("dates.decision_after_meeting")
def decision_after_meeting(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    meeting, decision = _meeting(c), c.date("admission.decision.date")
    if meeting and decision and decision < meeting:
        yield Violation("admission.decision.date", decision=decision, meeting=meeting)


@rule("dates.order")
def dates_order(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Certificate and application before the meeting; meeting ≤ committee resolution ≤
    decision ≤ the day the cell received it."""
    c = _candidate(inputs)
    if c is None:
        return
    meeting = _meeting(c)
    committee = c.date("admission.committee_resolution.date")
    decision = c.date("admission.decision.date")
    before, after = "trước", "sau"
    chain = [
        ("candidate.awareness_course.certificate_date", "ngày cấp giấy chứng nhận bồi dưỡng nhận thức về Đảng",
         c.date("candidate.awareness_course.certificate_date"), before, "ngày chi bộ họp xét", meeting),
        ("candidate.application_date", "ngày làm đơn xin vào Đảng", c.date("candidate.application_date"), before,
         "ngày chi bộ họp xét", meeting),
        ("admission.committee_resolution.date", "ngày nghị quyết của đảng ủy", committee, after,
         "ngày chi bộ họp xét", meeting),
        ("admission.decision.date", "ngày quyết định kết nạp", decision, after, "ngày nghị quyết của đảng ủy",
         committee),
        ("admission.decision.received_on", "ngày chi bộ nhận quyết định kết nạp",
         c.date("admission.decision.received_on"), after, "ngày quyết định kết nạp", decision),
    ]
    for path, what, when, relation, other_name, other in chain:
        if not (when and other):
            continue
        if (relation == after and when < other) or (relation == before and when > other):
            yield Violation(path, what=what, when=when, other_name=other_name, other=other, relation=relation)


# -- deadlines -------------------------------------------------------------------------------
@rule("deadline.decision")
def deadline_decision(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    meeting, decision = _meeting(c), c.date("admission.decision.date")
    if not (meeting and decision) or decision < meeting:
        return
    cal = params["calendar"]
    limit, max_ext = params["working_days"], params["max_extension"]
    used = cal.working_days_between(meeting, decision)
    ext = c.int("admission.deadline_extension.working_days")
    if ext is not None and ext > max_ext:
        yield Violation("admission.deadline_extension.working_days", used=used, limit=limit, extension=ext,
                        max_extension=max_ext, last_day=cal.add_working_days(meeting, limit + max_ext),
                        case="extension_too_long")
        return
    allowed = limit + (ext or 0)
    if used > allowed:
        yield Violation("admission.decision.date", used=used, limit=limit, extension=ext or 0,
                        max_extension=max_ext, last_day=cal.add_working_days(meeting, allowed),
                        case="late_with_extension" if ext else "late")


def _received(record: Record, received: str, sent: str) -> tuple[date, bool] | None:
    """The day a deadline counted from receipt runs from: the ``received`` date, else the
    paper's own date ``sent`` (True when it is that fallback, which a warning names)."""
    on = record.date(received)
    if on:
        return on, False
    fallback = record.date(sent)
    return (fallback, True) if fallback else None


def _ceremony_start(c: Record) -> tuple[date, bool] | None:
    """The ceremony's 30 working days run from the day the cell received the decision."""
    return _received(c, "admission.decision.received_on", "admission.decision.date")


@rule("deadline.ceremony")
def deadline_ceremony(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The ceremony within 30 working days of the day the cell received the decision (294-QĐ/TW
    §4.1); over that only with the superior's consent (an approved exception)."""
    c = _candidate(inputs)
    if c is None:
        return
    ceremony, start = c.date("admission.ceremony.date"), _ceremony_start(c)
    decision = c.date("admission.decision.date")
    if not (ceremony and start and decision) or start[0] < decision:
        return  # a receipt before the decision is dates.order's
    cal = params["calendar"]
    day, fallback = start
    start_name = "ngày ký quyết định" if fallback else "ngày chi bộ nhận quyết định"
    values = dict(ceremony=ceremony, start=day, start_name=start_name, limit=params["working_days"],
                  last_day=cal.add_working_days(day, params["working_days"]))
    if ceremony < day:
        yield Violation("admission.ceremony.date", used=0, before=True, **values)
        return
    used = cal.working_days_between(day, ceremony)
    if used > params["working_days"]:
        yield Violation("admission.ceremony.date", used=used, before=False, **values)


@rule("deadline.ceremony_start")
def deadline_ceremony_start(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A ceremony date without the day the cell received the decision: the count ran from the
    decision's date, which is named."""
    c = _candidate(inputs)
    if c is None or not c.date("admission.ceremony.date"):
        return
    start = _ceremony_start(c)
    if start and start[1]:
        yield Violation("admission.decision.received_on", decision=start[0])


# -- recognition as an official member (Mẫu 10- to 16-KNĐ) -----------------------------------
RECOGNITION_CELL, RECOGNITION_COMMITTEE = "recognition.cell_meeting", "recognition.committee_resolution"
CEREMONY_PATHS = ("recognition.ceremony_date", "admission.ceremony.date")


def recognition_ceremony(c: Record) -> tuple[date, str] | None:
    """The ceremony the probation counts from (Charter Art. 5), with the path it was read from:
    ``recognition.ceremony_date``, else ``admission.ceremony.date``."""
    for path in CEREMONY_PATHS:
        when = c.date(path)
        if when:
            return when, path
    return None


def recognition_end(c: Record, months: int) -> date | None:
    """The end of probation: the day the member is official (294-QĐ/TW §4.2.2)."""
    start = recognition_ceremony(c)
    return probation_end(start[0], months) if start else None


def _probation_months(params: dict) -> int:
    return params["rule_params"]["recognition.meeting_before_end"]["months"]


def _recognition_meeting(inputs: Inputs) -> tuple[Record, date] | None:
    c = _candidate(inputs)
    meeting = c.date(f"{RECOGNITION_CELL}.date") if c else None
    return (c, meeting) if c and meeting else None


@rule("recognition.meeting_before_end")
def recognition_meeting_before_end(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The cell considers recognition no earlier than the end of probation (Charter Art. 5), which
    it cannot know without the ceremony's date."""
    found = _recognition_meeting(inputs)
    if found is None:
        return
    c, meeting = found
    months, start = params["months"], recognition_ceremony(c)
    if start is None:
        yield Violation(CEREMONY_PATHS[0], case="no_ceremony", meeting=meeting, months=months)
        return
    end = probation_end(start[0], months)
    if meeting < end:
        yield Violation(f"{RECOGNITION_CELL}.date", case="before", meeting=meeting, months=months, ceremony=start[0],
                        ceremony_path=start[1], end=end)


@rule("deadline.recognition_meeting")
def deadline_recognition_meeting(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The cell considers recognition within ``working_days`` after the end of probation
    (294-QĐ/TW §4.2.1); late, the member is official from the end all the same (§4.2.2)."""
    found = _recognition_meeting(inputs)
    end = recognition_end(found[0], _probation_months(params)) if found else None
    if found is None or end is None or found[1] < end:
        return  # recognition.meeting_before_end's
    meeting, cal, limit = found[1], params["calendar"], params["working_days"]
    used = cal.working_days_between(end, meeting)
    if used > limit:
        yield Violation(f"{RECOGNITION_CELL}.date", meeting=meeting, end=end, used=used, limit=limit,
                        last_day=cal.add_working_days(end, limit))


def _decider(inputs: Inputs) -> dict:
    """Who decides, for a message: the delegated grassroots committee, or the authority whose
    standing committee decides (294-QĐ/TW §4.3.2); empty names when the organisation is unknown."""
    org = inputs.records.get("org")
    if org is None:
        return dict(delegated=False, committee="", authority="")
    return dict(delegated=org.raw("committee.delegated") is True, committee=org.text("committee.name"),
                authority=org.text("authority.name"))


@rule("deadline.recognition_decision")
def deadline_recognition_decision(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The competent committee decides within ``working_days`` of the cell's resolution, plus the
    recorded extension (294-QĐ/TW §4.3.1); late, the member is official from the end of probation
    all the same (§4.2.2). An extension over the maximum is deadline.recognition_extension's: the
    count then allows the maximum."""
    found = _recognition_meeting(inputs)
    decision = found[0].date("recognition.decision.date") if found else None
    if found is None or decision is None or decision < found[1]:
        return  # recognition.dates_order's
    c, meeting = found
    cal, limit = params["calendar"], params["working_days"]
    most = params["rule_params"]["deadline.recognition_extension"]["max_extension"]
    extension = min(c.int("recognition.deadline_extension.working_days") or 0, most)
    used = cal.working_days_between(meeting, decision)
    if used > limit + extension:
        yield Violation("recognition.decision.date", decision=decision, meeting=meeting, used=used, limit=limit,
                        extension=extension, max_extension=most,
                        last_day=cal.add_working_days(meeting, limit + extension),
                        end=recognition_end(c, _probation_months(params)) or "", **_decider(inputs))


@rule("deadline.recognition_extension")
def deadline_recognition_extension(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    extension = c.int("recognition.deadline_extension.working_days") if c else None
    if extension is not None and extension > params["max_extension"]:
        yield Violation("recognition.deadline_extension.working_days", extension=extension,
                        max_extension=params["max_extension"])


@rule("recognition.vote_two_thirds")
def recognition_vote_two_thirds(inputs: Inputs, params: dict) -> Iterator[Violation]:
    yield from _two_thirds(inputs, RECOGNITION_CELL)


@rule("recognition.vote_counts")
def recognition_vote_counts(inputs: Inputs, params: dict) -> Iterator[Violation]:
    yield from _vote_counts(inputs, RECOGNITION_CELL)


@rule("recognition.committee_vote")
def recognition_committee_vote(inputs: Inputs, params: dict) -> Iterator[Violation]:
    yield from _committee_vote(inputs, RECOGNITION_COMMITTEE)


def _previous_votes(c: Record) -> list[tuple[int, date | None, int | None, int | None]]:
    items = c.raw("recognition.previous_votes")
    out = []
    for i, it in enumerate(items if isinstance(items, list) else []):
        if isinstance(it, dict):
            v = Record("vote", it)
            out.append((i, v.date("date"), v.int("approve"), v.int("base")))
    return out


@rule("recognition.fourth_vote")
def recognition_fourth_vote(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """After ``failed_votes`` votes without two thirds, the cell votes no more: the superior
    committee decides (294-QĐ/TW §4.2.3). Each earlier vote recorded is one that failed: one that
    reached two thirds would have been the cell's resolution."""
    c = _candidate(inputs)
    if c is None:
        return
    failed = []
    for i, when, approve, base in _previous_votes(c):
        if approve is None or base is None:
            continue
        values = dict(approve=approve, base=base, vote_date=when or "", number=i + 1, failed_votes=0, dates="")
        if base == 0 or approve > base:
            yield Violation(f"recognition.previous_votes[{i}].approve", case="counts", **values)
        elif 3 * approve >= 2 * base:
            yield Violation(f"recognition.previous_votes[{i}].approve", case="passed",
                            needed=(2 * base + 2) // 3, **values)
        else:
            failed.append(when)
    if len(failed) >= params["failed_votes"] and c.has(RECOGNITION_CELL):
        yield Violation(f"{RECOGNITION_CELL}.date", case="fourth", failed=len(failed),
                        failed_votes=params["failed_votes"],
                        dates=", ".join(long_date(d) for d in failed if d))


@rule("recognition.certificate")
def recognition_certificate(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The new-member course certificate is in the dossier the cell considers (06-HD/TW §8.1.b),
    so it is dated no later than the cell's meeting."""
    c = _candidate(inputs)
    if c is None or not c.has(RECOGNITION_CELL):
        return
    path = "recognition.new_member_course.certificate_date"
    cert, meeting = c.date(path), c.date(f"{RECOGNITION_CELL}.date")
    if cert is None:
        yield Violation(path, case="missing", cert="", meeting=meeting or "")
    elif cert and meeting and cert > meeting:
        yield Violation(path, case="after", cert=cert, meeting=meeting)


@rule("recognition.dates_order")
def recognition_dates_order(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """One ceremony date, on or after the admission decision; the helpers assigned before they
    sign; every earlier vote before the cell's meeting; meeting ≤ branch appraisal ≤ committee
    resolution ≤ decision."""
    c = _candidate(inputs)
    if c is None:
        return
    own, admitted = c.date("recognition.ceremony_date"), c.date("admission.ceremony.date")
    meeting = c.date(f"{RECOGNITION_CELL}.date")
    appraisal = c.date("recognition.branch_appraisal.date")
    committee = c.date(f"{RECOGNITION_COMMITTEE}.date")
    decision = c.date("recognition.decision.date")
    # (path, case, when, other, the order: "after" when ≥ other, "before" when < other, "same")
    chain: list[tuple[str, str, date | None, date | None, str]] = [
        ("recognition.ceremony_date", "ceremony_twice", own, admitted, "same"),
        ("recognition.ceremony_date", "ceremony_before_decision", own, c.date("admission.decision.date"), "after"),
    ]
    for i, it in _listed_records(c, "recognition.helpers"):
        chain.append((f"recognition.helpers[{i}].signed_on", "helper_before_assigned", it.date("signed_on"),
                      it.date("assigned_on"), "after"))
    for i, when, _approve, _base in _previous_votes(c):
        chain.append((f"recognition.previous_votes[{i}].date", "previous_after_meeting", when, meeting, "before"))
    chain += [
        ("recognition.branch_appraisal.date", "appraisal_before_meeting", appraisal, meeting, "after"),
        (f"{RECOGNITION_COMMITTEE}.date", "committee_before_appraisal" if appraisal else "committee_before_meeting",
         committee, appraisal or meeting, "after"),
        ("recognition.decision.date", "decision_before_committee" if committee else "decision_before_meeting",
         decision, committee or meeting, "after"),
    ]
    for path, case, when, other, order in chain:
        if when and other and ((order == "same" and when != other) or (order == "after" and when < other)
                               or (order == "before" and when >= other)):
            name = c.text(path.rpartition(".")[0] + ".full_name") if case.startswith("helper") else ""
            yield Violation(path, case=case, when=when, other=other, name=name)


def _listed_records(c: Record, path: str) -> list[tuple[int, Record]]:
    items = c.raw(path)
    return [(i, Record("item", it)) for i, it in enumerate(items if isinstance(items, list) else [])
            if isinstance(it, dict)]


@rule("recognition.papers_before_meeting")
def recognition_papers_before_meeting(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The papers of the probationary year the cell considers (06-HD/TW §8.1.b: the self-review,
    the helpers' comments, the summary of comments) are dated on or before its meeting."""
    found = _recognition_meeting(inputs)
    if found is None:
        return
    c, meeting = found
    papers = [("recognition.self_review.date", "self_review", c.date("recognition.self_review.date")),
              ("recognition.comments.date", "comments", c.date("recognition.comments.date"))]
    for i, it in _listed_records(c, "recognition.helpers"):
        papers.append((f"recognition.helpers[{i}].signed_on", f"helper:{it.text('full_name')}", it.date("signed_on")))
    for v in _after_meeting(papers, meeting):
        kind, _, name = str(v.values["paper"]).partition(":")
        v.values.update(paper=kind, name=name)
        yield v


# The recognition rules that cannot run when a group is recorded without what they read: the
# group, the paths it lacks (any one missing stops the rules) and the rules, named in a warning.
RECOGNITION_NEEDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (RECOGNITION_CELL, (f"{RECOGNITION_CELL}.date",),
     ("recognition.meeting_before_end", "deadline.recognition_meeting", "recognition.certificate",
      "recognition.papers_before_meeting")),
    (RECOGNITION_CELL, tuple(f"{RECOGNITION_CELL}.{k}" for k in CELL_COUNTS),
     ("recognition.vote_two_thirds", "recognition.vote_counts")),
    (RECOGNITION_COMMITTEE, tuple(f"{RECOGNITION_COMMITTEE}.{k}" for k in COMMITTEE_COUNTS),
     ("recognition.committee_vote",)),
    ("recognition.decision", ("recognition.decision.date", f"{RECOGNITION_CELL}.date"),
     ("deadline.recognition_decision",)),
)


@rule("recognition.incomplete")
def recognition_incomplete(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A recognition group recorded without a value a rule reads: the rule is not silently
    skipped, it is named with the value it lacks (a form that prints the value requires it)."""
    c = _candidate(inputs)
    if c is None:
        return
    lacking: dict[str, tuple[str, list[str]]] = {}   # path: the first group that needs it, the rules
    for group, paths, rules in RECOGNITION_NEEDS:
        for path in paths if c.has(group) else ():
            if not c.has(path):
                lacking.setdefault(path, (group, []))[1].extend(rules)
    for path, (group, names) in lacking.items():
        yield Violation(path, group=group, missing=path, rules=", ".join(names))


# -- exceptions and the legal basis ----------------------------------------------------------
@rule("exceptions.rule")
def exceptions_rule(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Each approved exception names a rule that accepts one (``params["rules"]``: every rule
    id, with whether it accepts an exception)."""
    rules: dict[str, bool] = params["rules"]
    allowed = sorted(r for r, ok in rules.items() if ok)
    for record in inputs.records.values():
        items = record.raw("exceptions")
        if not isinstance(items, list):
            continue
        for i, it in enumerate(items):
            rid = it.get("rule") if isinstance(it, dict) else None
            if isinstance(rid, str) and not rules.get(rid, False):
                near = difflib.get_close_matches(rid, allowed, n=1, cutoff=0.6)
                yield Violation(f"exceptions[{i}].rule", rule_id=rid, known=rid in rules,
                                suggestion=near[0] if near else "", allowed=", ".join(allowed))


@rule("exceptions.unused")
def exceptions_unused(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """An approved exception for a rule the profile does not break: the decision would cite a
    consent (to admit someone over 60) that nothing needed."""
    accepts: dict[str, bool] = params["rules"]
    for record in inputs.records.values():
        items = record.raw("exceptions")
        if not isinstance(items, list):
            continue
        for i, it in enumerate(items):
            rid = it.get("rule") if isinstance(it, dict) else None
            if not (isinstance(rid, str) and accepts.get(rid) and rid in _RULES):
                continue  # exceptions.rule names it
            own = {**params, **params["rule_params"].get(rid, {})}
            if next(iter(_RULES[rid](inputs, own)), None) is None:
                yield Violation(f"exceptions[{i}].rule", rule_id=rid)


@rule("dates.delegation")
def dates_delegation(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A delegated committee decides by the delegation: its resolution that admits and its
    decision cannot be older than the paper that delegated the power."""
    org, c = inputs.records.get("org"), _candidate(inputs)
    if org is None or c is None or org.raw("committee.delegated") is not True:
        return
    delegated_on = org.date("committee.delegation.date")
    if delegated_on is None:
        return
    for path in ("admission.committee_resolution.date", "admission.decision.date"):
        when = c.date(path)
        if when and when < delegated_on:
            yield Violation(path, when=when, delegated_on=delegated_on,
                            number=org.text("committee.delegation.number"), paper=path.split(".")[1])


@rule("legal_basis.verified")
def legal_basis_verified(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A document dated after the day the newest edition of the legal basis was last checked
    as the text in force (``params["verified_until"]``)."""
    verified, edition = params["verified_until"], params["edition"]
    if verified is None:
        return
    papers = [("recognition.decision.date", "ngày quyết định công nhận đảng viên chính thức"),
              ("recognition.committee_resolution.date",
               "ngày nghị quyết của đảng ủy xét công nhận đảng viên chính thức"),
              ("recognition.cell_meeting.date", "ngày chi bộ họp xét công nhận đảng viên chính thức"),
              ("admission.decision.date", "ngày quyết định kết nạp"),
              ("admission.committee_resolution.date", "ngày nghị quyết của đảng ủy"),
              ("admission.cell_meeting.date", "ngày chi bộ họp xét kết nạp"),
              ("congress.ratification.date", "ngày tờ trình đề nghị chuẩn y"),
              ("congress.date", "ngày đại hội")]
    for kind in ("candidate", "congress"):
        record = inputs.records.get(kind)
        if record is None:
            continue
        for path, what in papers:
            when = record.date(path)
            if when and when > verified:
                yield Violation(path, what=what, when=when, verified=verified, edition=edition)
                break  # the latest paper of the record says it


# -- congress ----------------------------------------------------------------------------------
def _congress(inputs: Inputs) -> Record | None:
    return inputs.records.get("congress")


def _elections(cg: Record) -> list[tuple[int, dict]]:
    items = cg.raw("congress.elections")
    return [(i, e) for i, e in enumerate(items) if isinstance(e, dict)] if isinstance(items, list) else []


def _int(e: dict, key: str):
    v = e.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _attendance(cg: Record, params: dict) -> Attendance:
    from ..domain.elections import attendance

    return attendance(cg.raw("congress.members.absent"), params["congress"]["not_counted"])


def _base(cg: Record, params: dict) -> int | None:
    """The official members counted for the congress's votes and elections (294-QĐ/TW §9.3.2)."""
    official, att = cg.int("congress.members.official"), _attendance(cg, params)
    if official is not None and att.absent_official > official:
        return None  # congress.counts names it; no base can be worked out
    return vote_base(official, att.not_counted)


def _present_official(cg: Record, params: dict) -> int | None:
    official = cg.int("congress.members.official")
    absent = _attendance(cg, params).absent_official
    return None if official is None or absent > official else official - absent  # else congress.counts


def _key(name: object) -> str:
    """A name as compared across the congress's lists: case and spacing do not matter."""
    return " ".join(name.split()).casefold() if isinstance(name, str) else ""


def _named(cg: Record, path: str) -> list[tuple[int, str]]:
    """The people of a list of ``path``: strings, or objects with a ``full_name``."""
    items = cg.raw(path)
    out = []
    for i, it in enumerate(items if isinstance(items, list) else []):
        name = it.get("full_name") if isinstance(it, dict) else it
        if isinstance(name, str) and name.strip():
            out.append((i, name))
    return out


def _listed(e: dict) -> list[tuple[int, str]]:
    """The candidates of an election's first ballot, by index."""
    cands = e.get("candidates")
    return [(j, c["full_name"]) for j, c in enumerate(cands if isinstance(cands, list) else [])
            if isinstance(c, dict) and isinstance(c.get("full_name"), str)]


def _all_listed(cg: Record) -> dict[str, str]:
    """Everyone on any list of the congress (every ballot of every election, and every nominee),
    by compared name: the office they stood for."""
    out: dict[str, str] = {}
    for _, e in _elections(cg):
        office = str(e.get("office", ""))
        further = e.get("rounds")
        ballots = [e] + [r for r in (further if isinstance(further, list) else []) if isinstance(r, dict)]
        for b in ballots:
            for _, name in _listed(b):
                out.setdefault(_key(name), office)
    items = cg.raw("congress.nominations")
    for n in items if isinstance(items, list) else []:
        if not isinstance(n, dict):
            continue
        nominees = n.get("nominees")
        for it in nominees if isinstance(nominees, list) else []:
            if isinstance(it, dict):
                out.setdefault(_key(it.get("full_name")), str(n.get("office", "")))
    return out


@rule("congress.counts")
def congress_counts(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The members convened, those absent (congress.members.absent[]) and the present counts
    agree; only an absentee can be left out of the base, so those not counted never exceed
    the absent official members."""
    cg = _congress(inputs)
    if cg is None:
        return
    p = "congress.members."
    o, pr = cg.int(p + "official"), cg.int(p + "probationary")
    if o is None or pr is None:
        return
    att = _attendance(cg, params)
    if att.absent_official > o:
        yield Violation(p + "absent", problem=f"có {att.absent_official} đảng viên chính thức vắng mặt, "
                                              f"nhiều hơn số được triệu tập ({o})")
    if att.absent_probationary > pr:
        yield Violation(p + "absent", problem=f"có {att.absent_probationary} đảng viên dự bị vắng mặt, "
                                              f"nhiều hơn số được triệu tập ({pr})")
    for key, convened, absent, what in (("present_official", o, att.absent_official, "chính thức"),
                                        ("present_probationary", pr, att.absent_probationary, "dự bị")):
        given = cg.int(p + key)
        if given is not None and given != convened - absent:
            yield Violation(p + key, problem=f"số đảng viên {what} có mặt ghi {given}, nhưng {convened} được "
                                             f"triệu tập và {absent} vắng mặt (congress.members.absent) "
                                             f"thì có mặt {convened - absent}")
    seen: set[str] = set()
    for i, name in _named(cg, p + "absent"):
        if _key(name) in seen:
            yield Violation(f"{p}absent[{i}].full_name", problem=f"đồng chí {name} được ghi vắng mặt hai lần")
        seen.add(_key(name))
    staff = cg.int("congress.staff_total")
    if staff is not None and staff < o + pr:
        yield Violation("congress.staff_total",
                        problem=f"tổng số cán bộ của đơn vị ({staff}) ít hơn số đảng viên ({o + pr})")


@rule("congress.counting_board")
def congress_counting_board(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The counting board: official members present who are on no list and not guests, with
    one head (294-QĐ/TW §12.4.1)."""
    cg = _congress(inputs)
    if cg is None:
        return
    listed = _all_listed(cg)
    guests = {_key(n) for _, n in _named(cg, "congress.guests")}
    absent = {_key(n) for _, n in _named(cg, "congress.members.absent")}
    board = _named(cg, "congress.counting_board")
    for i, name in board:
        path = f"congress.counting_board[{i}].full_name"
        if _key(name) in listed:
            yield Violation(path, name=name, case="listed", office=listed[_key(name)])
        elif _key(name) in guests:
            yield Violation(path, name=name, case="guest", office="")
        elif _key(name) in absent:
            yield Violation(path, name=name, case="absent", office="")
    items = cg.raw("congress.counting_board")
    if isinstance(items, list) and items:
        head = params["congress"]["vote_counters"]["head"]
        heads = sum(1 for it in items if isinstance(it, dict) and it.get("role") == head)
        if heads != 1:
            yield Violation("congress.counting_board", name="", case="heads", office="", heads=heads, head=head)


@rule("congress.presidium")
def congress_presidium(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The presidium and the secretariat are the cell's own members present, never a guest
    (294-QĐ/TW §12.1.1); the superior's speaker is one of the guests."""
    cg = _congress(inputs)
    if cg is None:
        return
    guests = {_key(n) for _, n in _named(cg, "congress.guests")}
    absent = {_key(n) for _, n in _named(cg, "congress.members.absent")}
    for body in ("presidium", "secretariat"):
        for i, name in _named(cg, f"congress.{body}"):
            if _key(name) in guests:
                yield Violation(f"congress.{body}[{i}]", name=name, body=body, case="guest")
            elif _key(name) in absent:
                yield Violation(f"congress.{body}[{i}]", name=name, body=body, case="absent")
    speaker = cg.text("congress.superior_speaker")
    if speaker and _key(speaker) not in guests:
        yield Violation("congress.superior_speaker", name=speaker, body="", case="speaker")


@rule("election.structure")
def election_structure(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """294-QĐ/TW §23.2: from ``min_official`` official members a cell elects a chi ủy of at
    most ``max_committee``, then a bí thư and one phó bí thư from among the chi ủy just
    elected; a smaller cell elects no chi ủy, a bí thư and at most one phó bí thư."""
    cg = _congress(inputs)
    if cg is None:
        return
    from ..domain.elections import elected_in, election_rounds

    official = cg.int("congress.members.official")
    conf, least = params["congress"], params["min_official"]
    committee, secretary, deputy = conf["committee_office"], conf["secretary_office"], conf["deputy_office"]
    values = dict(official=official, min_official=least, max_committee=params["max_committee"])
    elections = _elections(cg)
    seen: set[str] = set()
    for i, e in elections:
        office = e.get("office")
        if isinstance(office, str) and office in seen:
            yield Violation(f"congress.elections[{i}].office", case="duplicate", office=office, **values)
        seen.add(str(office))
        seats = _int(e, "seats")
        if office in (secretary, deputy) and seats is not None and seats != 1:
            yield Violation(f"congress.elections[{i}].seats", case="one_seat", office=office, seats=seats, **values)
    if official is None:
        return
    committees = [(i, e) for i, e in elections if e.get("office") == committee]
    if official < least:
        for i, _e in committees:
            yield Violation(f"congress.elections[{i}].office", case="small_cell", office=committee, **values)
        return
    for i, e in committees:
        seats = _int(e, "seats")
        if seats is not None and seats > params["max_committee"]:
            yield Violation(f"congress.elections[{i}].seats", case="committee_seats", office=committee, seats=seats,
                            **values)
    base = _base(cg, params)
    elected: set[str] | None = None
    if committees and base is not None:
        elected = {_key(c.full_name) for c in elected_in(election_rounds(committees[0][1], base))}
    for i, e in elections:
        office = e.get("office")
        if office not in (secretary, deputy):
            continue
        if not committees:
            yield Violation(f"congress.elections[{i}].office", case="no_committee", office=office, **values)
            continue
        for j, name in _listed(e):
            if elected is not None and _key(name) not in elected:
                yield Violation(f"congress.elections[{i}].candidates[{j}].full_name", case="not_in_committee",
                                office=office, name=name, **values)


@rule("election.surplus")
def election_surplus(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """190-QĐ/TW Art. 14: a committee's list is longer than its seats, by at most
    ``limit_percent``; a list is never shorter than the seats (a one-seat bí thư or phó bí thư
    election may have one candidate)."""
    cg = _congress(inputs)
    if cg is None:
        return
    from ..domain.elections import surplus_over_limit

    limit = params["limit_percent"]
    committee = params["congress"]["committee_office"]
    for i, e in _elections(cg):
        seats = _int(e, "seats")
        cands = e.get("candidates") if isinstance(e.get("candidates"), list) else None
        if seats is None or cands is None or seats == 0:
            continue
        n = len(cands)
        values = dict(office=e.get("office"), listed=n, seats=seats, limit=limit, most=seats + seats * limit // 100)
        if n < seats:
            yield Violation(f"congress.elections[{i}].candidates", case="too_few", **values)
        elif n == seats and e.get("office") == committee:
            yield Violation(f"congress.elections[{i}].candidates", case="no_surplus", **values)
        elif surplus_over_limit(n, seats, limit):
            yield Violation(f"congress.elections[{i}].candidates", case="too_many", **values)


@rule("election.delegates")
def election_delegates(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The number of delegates to the superior congress is allotted by the superior committee,
    not voted: that election names the allotting paper, and no other election does."""
    cg = _congress(inputs)
    if cg is None:
        return
    delegates = params["congress"]["delegates_office"]
    for i, e in _elections(cg):
        allotted = isinstance(e.get("allotted_by_superior"), str) and e["allotted_by_superior"].strip() != ""
        if e.get("office") == delegates and not allotted:
            yield Violation(f"congress.elections[{i}].allotted_by_superior", missing=True, office=e.get("office"))
        elif e.get("office") != delegates and "allotted_by_superior" in e:
            yield Violation(f"congress.elections[{i}].allotted_by_superior", missing=False, office=e.get("office"))


@rule("election.nominee")
def election_nominee(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """190-QĐ/TW Art. 14.3: a person nominated or self-nominated at the congress joins the list
    only with more than ``limit_percent`` of the official members present; one who withdrew
    is not on it; a nomination is for an election the congress holds."""
    cg = _congress(inputs)
    items = cg.raw("congress.nominations") if cg is not None else None
    if cg is None or not isinstance(items, list):
        return
    present = _present_official(cg, params)
    limit = params["limit_percent"]
    by_office = {e.get("office"): (i, e) for i, e in _elections(cg)}
    for k, n in enumerate(items):
        if not isinstance(n, dict):
            continue
        p = f"congress.nominations[{k}]"
        office = n.get("office")
        if office not in by_office:
            yield Violation(p + ".office", case="no_election", office=office, name="", votes=0, present=present,
                            limit=limit)
            continue
        listed = {_key(name) for _, name in _listed(by_office[office][1])}
        withdrawn = {_key(name) for _, name in _named(Record("n", n), "withdrawals")}
        nominees = n.get("nominees")
        for j, it in enumerate(nominees if isinstance(nominees, list) else []):
            votes = _int(it, "votes") if isinstance(it, dict) else None
            name = it.get("full_name") if isinstance(it, dict) else None
            if votes is None or not isinstance(name, str) or present is None:
                continue
            values = dict(office=office, name=name, votes=votes, present=present, limit=limit)
            if votes > present:
                yield Violation(f"{p}.nominees[{j}].votes", case="votes_over", **values)
            elif 100 * votes <= limit * present and _key(name) in listed:
                yield Violation(f"{p}.nominees[{j}].votes", case="below", **values)
            elif 100 * votes > limit * present and _key(name) not in listed and _key(name) not in withdrawn:
                yield Violation(f"{p}.nominees[{j}].full_name", case="missing", **values)
        for j, name in _named(Record("n", n), "withdrawals"):
            if _key(name) in listed:
                yield Violation(f"{p}.withdrawals[{j}].full_name", case="withdrawn", office=office, name=name,
                                votes=0, present=present, limit=limit)


@rule("congress.votes")
def congress_votes(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Each show-of-hands tally is cast by the official members present and adopts only with
    more than half of the base; the number of chi ủy members is voted exactly when a chi ủy is
    elected (294-QĐ/TW §14.3)."""
    cg = _congress(inputs)
    if cg is None:
        return
    from ..domain.elections import VOTES, over_half

    present, base = _present_official(cg, params), _base(cg, params)
    for key in VOTES:
        p = f"congress.votes.{key}."
        approve, reject = cg.int(p + "approve"), cg.int(p + "reject")
        if approve is None:
            continue
        values = dict(approve=approve, reject=reject or 0, present=present, base=base)
        if present is not None and approve + (reject or 0) > present:
            yield Violation(p + "approve", case="over", **values)
        elif base is not None and not over_half(approve, base):
            yield Violation(p + "approve", case="not_passed", **values)
    committee = params["congress"]["committee_office"]
    has_committee = any(e.get("office") == committee for _, e in _elections(cg))
    voted = cg.int("congress.votes.committee_size.approve") is not None
    if has_committee and not voted:
        yield Violation("congress.votes.committee_size.approve", case="missing_size", approve=0, reject=0,
                        present=present, base=base)
    elif voted and not has_committee:
        yield Violation("congress.votes.committee_size.approve", case="size_without_committee", approve=0, reject=0,
                        present=present, base=base)


def _ballots(e: dict, p: str, office: object, present: int | None, seats: int | None) -> Iterator[Violation]:
    issued, returned, valid = _int(e, "ballots_issued"), _int(e, "ballots_returned"), _int(e, "ballots_valid")
    if issued is None or returned is None or valid is None:
        return
    if returned > issued:
        yield Violation(p + "ballots_returned", office=office,
                        problem=f"số phiếu thu về ({returned}) nhiều hơn số phiếu phát ra ({issued})")
    if valid > returned:
        yield Violation(p + "ballots_valid", office=office,
                        problem=f"số phiếu hợp lệ ({valid}) nhiều hơn số phiếu thu về ({returned})")
    if present is not None and issued > present:
        yield Violation(p + "ballots_issued", office=office,
                        problem=f"số phiếu phát ra ({issued}) nhiều hơn số đảng viên chính thức có mặt ({present})")
    cands = e.get("candidates")
    total_votes = 0
    for j, c in enumerate(cands if isinstance(cands, list) else []):
        votes = _int(c, "votes") if isinstance(c, dict) else None
        if votes is None:
            continue
        total_votes += votes
        if votes > valid:
            yield Violation(f"{p}candidates[{j}].votes", office=office,
                            problem=f"đồng chí {c.get('full_name', '')} có {votes} phiếu, "
                                    f"nhiều hơn số phiếu hợp lệ ({valid})")
    if seats is not None and total_votes > valid * seats:
        yield Violation(p + "ballots_valid", office=office,
                        problem=f"tổng số phiếu bầu ({total_votes}) nhiều hơn "
                                f"số phiếu hợp lệ nhân số cần bầu ({valid} × {seats})")


@rule("election.ballots")
def election_ballots(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    from ..domain.elections import election_rounds

    present, base = _present_official(cg, params), _base(cg, params)
    for i, e in _elections(cg):
        p = f"congress.elections[{i}]."
        yield from _ballots(e, p, e.get("office"), present, _int(e, "seats"))
        if base is None or _int(e, "seats") is None:
            continue
        for r in election_rounds(e, base)[1:]:
            seats = r.tally.seats or None  # a round with no seat left is election.rounds'
            yield from _ballots(r.source, f"{p}rounds[{r.number - 2}].", e.get("office"), present, seats)


def _outcomes(cg: Record, params: dict):
    """Each election with its rounds, and the path of the last round's candidates."""
    from ..domain.elections import election_rounds

    base = _base(cg, params)
    if base is None:
        return
    for i, e in _elections(cg):
        if _int(e, "seats") is None:
            continue
        rounds = election_rounds(e, base)
        last = rounds[-1]
        where = f"congress.elections[{i}]" + (f".rounds[{last.number - 2}]" if last.number > 1 else "")
        left_empty = isinstance(e.get("seats_left_empty"), dict)
        yield i, e, rounds, where, left_empty, base


@rule("election.tie")
def election_tie(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A tie across the last seat of the last round: a further round among the tied
    (congress.elections[].rounds[]), or the congress's decision to leave the seat empty."""
    cg = _congress(inputs)
    if cg is None:
        return
    for _i, e, rounds, where, left_empty, _base_n in _outcomes(cg, params):
        t = rounds[-1].tally
        if t.tied and not left_empty:
            yield Violation(f"{where}.candidates", office=e.get("office"),
                            names=", ".join(c.full_name for c in t.tied), votes=t.tied[0].votes,
                            seats_left=t.seats - len(t.elected))


@rule("election.unfilled")
def election_unfilled(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """Fewer elected than seats after the last round: a further round, or the congress's
    recorded decision to leave the seats empty (congress.elections[].seats_left_empty)."""
    cg = _congress(inputs)
    if cg is None:
        return
    from ..domain.elections import elected_in, least_over_half

    for i, e, rounds, _where, left_empty, base in _outcomes(cg, params):
        t = rounds[-1].tally
        elected = len(elected_in(rounds))
        seats = _int(e, "seats") or 0
        if not t.tied and elected < seats and not left_empty:
            yield Violation(f"congress.elections[{i}].seats_left_empty", office=e.get("office"), seats=seats,
                            elected=elected, base=base, needed=least_over_half(base))


@rule("election.rounds")
def election_rounds_rule(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A further round only while seats are empty, and a decision to leave seats empty only
    when some are."""
    cg = _congress(inputs)
    if cg is None:
        return
    from ..domain.elections import elected_in

    for i, e, rounds, _where, left_empty, _base_n in _outcomes(cg, params):
        for r in rounds[1:]:
            if r.tally.seats == 0:
                yield Violation(f"congress.elections[{i}].rounds[{r.number - 2}]", office=e.get("office"),
                                case="round_not_needed", round=r.number)
        if left_empty and len(elected_in(rounds)) >= (_int(e, "seats") or 0):
            yield Violation(f"congress.elections[{i}].seats_left_empty", office=e.get("office"),
                            case="nothing_empty", round=rounds[-1].number)


@rule("deadline.ratification")
def deadline_ratification(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    held, sent = cg.date("congress.date"), cg.date("congress.ratification.date")
    if not (held and sent):
        return
    cal = params["calendar"]
    used = cal.working_days_between(held, sent)
    if sent < held or used > params["working_days"]:
        yield Violation("congress.ratification.date", used=used, limit=params["working_days"], before=sent < held,
                        last_day=cal.add_working_days(held, params["working_days"]))


def _ratification_received(cg: Record) -> tuple[date, bool] | None:
    """The ratification's 15 working days run from the day the committee received the request."""
    return _received(cg, "congress.ratification_decision.received_on", "congress.ratification.date")


@rule("deadline.ratification_decision")
def deadline_ratification_decision(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """The superior's ratification within 15 working days of receiving the request (294-QĐ/TW
    §16.1.2); received no earlier than the request, decided no earlier than received."""
    cg = _congress(inputs)
    if cg is None:
        return
    decided, start = cg.date("congress.ratification_decision.date"), _ratification_received(cg)
    if not (decided and start):
        return
    day, fallback = start
    sent = cg.date("congress.ratification.date")
    cal, limit = params["calendar"], params["working_days"]
    values = dict(start=day, fallback=fallback, decision=decided, sent=sent or "", limit=limit,
                  last_day=cal.add_working_days(day, limit))
    if sent and day < sent:
        yield Violation("congress.ratification_decision.received_on", case="received_before_sent", used=0, **values)
        return
    if decided < day:
        yield Violation("congress.ratification_decision.date", case="before", used=0, **values)
        return
    used = cal.working_days_between(day, decided)
    if used > limit:
        yield Violation("congress.ratification_decision.date", case="late", used=used, **values)


@rule("deadline.ratification_decision_start")
def deadline_ratification_decision_start(inputs: Inputs, params: dict) -> Iterator[Violation]:
    """A ratification decision without the day the committee received the request: the count
    ran from the request's date, which is named."""
    cg = _congress(inputs)
    if cg is None or not cg.date("congress.ratification_decision.date"):
        return
    start = _ratification_received(cg)
    if start and start[1]:
        yield Violation("congress.ratification_decision.received_on", sent=start[0])
