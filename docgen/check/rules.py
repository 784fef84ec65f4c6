"""Check stage: the party rules, one function per rule id of ``forms/_shared/rules.toml``.

Each function reads typed values from the inputs and yields a :class:`Violation` per breach;
metadata, thresholds and wording stay in the data file. A function returns quietly when a
value it needs is missing or malformed: the required-field check reports that.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

from ..domain.elections import election_tally, surplus_over_limit, vote_base
from ..domain.workdays import add_months, age_in_months
from ..errors import DataProblems, closest, toml_key
from ..load.model import Inputs, Record
from ..sandbox import DataTemplateError, check_text
from .engine import _RULES, Violation, rule

# The thresholds each rule reads from its ``params`` in rules.toml, with the range each may take
# (so that no threshold can send a date past the calendar's end). A rule not listed takes none.
PARAMS: dict[str, dict[str, tuple[int, int]]] = {
    "age.range": {"min_years": (0, 150), "max_years": (0, 150)},
    "introducer.joint_work": {"months": (0, 1200)},
    "certificate.validity": {"months": (0, 1200)},
    "papers.stale": {"months": (0, 1200)},
    "deadline.decision": {"working_days": (0, 1000), "max_extension": (0, 1000)},
    "deadline.ceremony": {"working_days": (0, 1000)},
    "election.surplus": {"limit_percent": (0, 100)},
    "deadline.ratification": {"working_days": (0, 1000)},
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
        lo_years, hi_years = params.raw.get("min_years"), params.raw.get("max_years")
        if rid == "age.range" and isinstance(lo_years, int) and isinstance(hi_years, int) and lo_years > hi_years:
            params.problem("min_years", "min_years lớn hơn max_years")
        r.unknown(RULE_KEYS)
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
@rule("age.range")
def age_range(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    born, meeting = c.date("candidate.date_of_birth"), _meeting(c)
    if not (born and meeting):
        return
    months = age_in_months(born, meeting)
    lo, hi = params["min_years"] * 12, params["max_years"] * 12
    if not lo <= months <= hi:
        yield Violation("candidate.date_of_birth", years=months // 12, months=months % 12, meeting=meeting,
                        min_years=params["min_years"], max_years=params["max_years"],
                        from_date=add_months(born, lo).replace(day=1))


# -- introducers -----------------------------------------------------------------------------
@rule("introducer.official")
def introducer_official(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None or not meeting:
        return
    for i, it in _introducers(c):
        official, admitted = it.date("official_on"), it.date("admitted_on")
        name = it.text("full_name")
        if official and official > meeting:
            yield Violation(f"introducers[{i}].official_on", name=name, official=official, meeting=meeting,
                            admitted=None)
        elif admitted and official and official < admitted:
            yield Violation(f"introducers[{i}].official_on", name=name, official=official, meeting=meeting,
                            admitted=admitted)


@rule("introducer.joint_work")
def introducer_joint_work(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None or not meeting:
        return
    months = params["months"]
    for i, it in _introducers(c):
        since = it.date("worked_together_since")
        if since and add_months(since, months) > meeting:
            yield Violation(f"introducers[{i}].worked_together_since", name=it.text("full_name"), since=since,
                            months=months, meeting=meeting, needed=add_months(since, months))


@rule("introducer.route")
def introducer_route(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None or not isinstance(c.raw("introducers"), list):
        return
    n = len(c.raw("introducers"))
    youth = c.raw("candidate.youth_union_member") is True
    has_resolution = isinstance(c.raw("youth_union_resolution"), dict)
    if n == 2 and not has_resolution:
        return
    if n == 1 and youth and has_resolution:
        return
    yield Violation("introducers", count=n, youth=youth, has_resolution=has_resolution)


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


@rule("papers.stale")
def papers_stale(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    meeting = _meeting(c) if c else None
    if c is None or not meeting:
        return
    months = params["months"]
    papers = [(f"introducers[{i}].signed_on", f"giấy giới thiệu của đồng chí {it.text('full_name')}",
               it.date("signed_on")) for i, it in _introducers(c)]
    papers.append(("youth_union_resolution.date", "nghị quyết giới thiệu của Ban Chấp hành Đoàn",
                   c.date("youth_union_resolution.date")))
    papers.append(("comments.date", "bản tổng hợp ý kiến nhận xét", c.date("comments.date")))
    for path, paper, when in papers:
        if when and add_months(when, months) < meeting:
            yield Violation(path, paper=paper, paper_date=when, meeting=meeting, months=months)


# -- votes -----------------------------------------------------------------------------------
def _cell_counts(c: Record) -> dict[str, int] | None:
    keys = ("members_total", "members_official", "members_probationary", "present_official",
            "present_probationary", "approve", "reject")
    vals: dict[str, int] = {}
    for k in keys:
        v = c.int(f"admission.cell_meeting.{k}")
        if v is None:
            return None
        vals[k] = v
    vals["not_counted"] = c.int("admission.cell_meeting.members_not_counted", 0)
    return vals


@rule("vote.two_thirds")
def vote_two_thirds(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    counts = _cell_counts(c) if c else None
    if not counts:
        return
    base = vote_base(counts["members_official"], counts["not_counted"])
    if base <= 0:
        return
    approve = counts["approve"]
    if 3 * approve < 2 * base:
        yield Violation("admission.cell_meeting.approve", approve=approve, base=base, needed=(2 * base + 2) // 3)


@rule("vote.counts")
def vote_counts(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    counts = _cell_counts(c) if c else None
    if not counts:
        return
    p = "admission.cell_meeting."
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
    if k["not_counted"] > k["members_official"]:
        yield Violation(p + "members_not_counted", problem=(
            f"số không tính khi biểu quyết ({k['not_counted']}) nhiều hơn số đảng viên chính thức "
            f"({k['members_official']})"))


@rule("committee_vote.two_thirds")
def committee_vote(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    p = "admission.committee_resolution."
    total, present = c.int(p + "members_total"), c.int(p + "present")
    approve, reject = c.int(p + "approve"), c.int(p + "reject")
    if total is None or present is None or approve is None or reject is None or total == 0:
        return
    if present > total or approve + reject > present:
        yield Violation(p + "present", problem=(
            f"có mặt {present}/{total}, tán thành {approve}, không tán thành {reject}: các số không khớp nhau"))
    elif 3 * approve < 2 * total:
        yield Violation(p + "approve", problem=(
            f"tán thành {approve}/{total} ủy viên, chưa đạt hai phần ba (cần ít nhất {(2 * total + 2) // 3})"))


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
    """Certificate and application before the meeting; meeting ≤ committee resolution ≤ decision."""
    c = _candidate(inputs)
    if c is None:
        return
    meeting = _meeting(c)
    committee = c.date("admission.committee_resolution.date")
    decision = c.date("admission.decision.date")
    chain = [
        ("candidate.awareness_course.certificate_date", "ngày cấp giấy chứng nhận bồi dưỡng nhận thức về Đảng",
         c.date("candidate.awareness_course.certificate_date"), "ngày chi bộ họp xét", meeting),
        ("candidate.application_date", "ngày làm đơn xin vào Đảng", c.date("candidate.application_date"),
         "ngày chi bộ họp xét", meeting),
        ("admission.committee_resolution.date", "ngày nghị quyết của đảng ủy", committee,
         "ngày chi bộ họp xét", meeting),
        ("admission.decision.date", "ngày quyết định kết nạp", decision, "ngày nghị quyết của đảng ủy", committee),
    ]
    for i, (path, what, when, other_name, other) in enumerate(chain):
        if not (when and other):
            continue
        later_required = i >= 2  # the last two must come after, the first two before
        if (later_required and when < other) or (not later_required and when > other):
            yield Violation(path, what=what, when=when, other_name=other_name, other=other,
                            relation="sau" if later_required else "trước")


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


@rule("deadline.ceremony")
def deadline_ceremony(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = _candidate(inputs)
    if c is None:
        return
    decision, ceremony = c.date("admission.decision.date"), c.date("admission.ceremony.date")
    if not (decision and ceremony):
        return
    cal = params["calendar"]
    if ceremony < decision:
        yield Violation("admission.ceremony.date", used=0, limit=params["working_days"], before=True,
                        last_day=cal.add_working_days(decision, params["working_days"]))
        return
    used = cal.working_days_between(decision, ceremony)
    if used > params["working_days"]:
        yield Violation("admission.ceremony.date", used=used, limit=params["working_days"], before=False,
                        last_day=cal.add_working_days(decision, params["working_days"]))


# -- congress ----------------------------------------------------------------------------------
def _congress(inputs: Inputs) -> Record | None:
    return inputs.records.get("congress")


def _elections(cg: Record) -> list[tuple[int, dict]]:
    items = cg.raw("congress.elections")
    return [(i, e) for i, e in enumerate(items) if isinstance(e, dict)] if isinstance(items, list) else []


def _int(e: dict, key: str):
    v = e.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


@rule("congress.counts")
def congress_counts(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    p = "congress.members."
    o, pr = cg.int(p + "official"), cg.int(p + "probationary")
    po, pp = cg.int(p + "present_official"), cg.int(p + "present_probationary")
    nc = cg.int(p + "not_counted", 0)
    if o is None or pr is None or po is None or pp is None:
        return
    if po > o:
        yield Violation(p + "present_official",
                        problem=f"số đảng viên chính thức có mặt ({po}) nhiều hơn số được triệu tập ({o})")
    if pp > pr:
        yield Violation(p + "present_probationary",
                        problem=f"số đảng viên dự bị có mặt ({pp}) nhiều hơn số được triệu tập ({pr})")
    if nc > o:
        yield Violation(p + "not_counted",
                        problem=f"số không tính khi bầu cử ({nc}) nhiều hơn số đảng viên chính thức ({o})")
    staff = cg.int("congress.staff_total")
    if staff is not None and staff < o + pr:
        yield Violation("congress.staff_total",
                        problem=f"tổng số cán bộ của đơn vị ({staff}) ít hơn số đảng viên ({o + pr})")


@rule("election.ballots")
def election_ballots(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    present = cg.int("congress.members.present_official")
    for i, e in _elections(cg):
        p = f"congress.elections[{i}]."
        issued, returned, valid = _int(e, "ballots_issued"), _int(e, "ballots_returned"), _int(e, "ballots_valid")
        if None in (issued, returned, valid):
            continue
        if returned > issued:
            yield Violation(p + "ballots_returned", office=e.get("office"),
                            problem=f"số phiếu thu về ({returned}) nhiều hơn số phiếu phát ra ({issued})")
        if valid > returned:
            yield Violation(p + "ballots_valid", office=e.get("office"),
                            problem=f"số phiếu hợp lệ ({valid}) nhiều hơn số phiếu thu về ({returned})")
        if present is not None and issued > present:
            yield Violation(p + "ballots_issued", office=e.get("office"),
                            problem=f"số phiếu phát ra ({issued}) nhiều hơn số đảng viên chính thức có mặt ({present})")
        cands = e.get("candidates")
        if not isinstance(cands, list):
            cands = []
        total_votes = 0
        for j, c in enumerate(cands):
            votes = _int(c, "votes") if isinstance(c, dict) else None
            if votes is None:
                continue
            total_votes += votes
            if votes > valid:
                yield Violation(f"{p}candidates[{j}].votes", office=e.get("office"),
                                problem=f"đồng chí {c.get('full_name', '')} có {votes} phiếu, "
                                        f"nhiều hơn số phiếu hợp lệ ({valid})")
        seats = _int(e, "seats")
        if seats is not None and total_votes > valid * seats:
            yield Violation(p + "ballots_valid", office=e.get("office"),
                            problem=f"tổng số phiếu bầu ({total_votes}) nhiều hơn "
                                    f"số phiếu hợp lệ nhân số cần bầu ({valid} × {seats})")


@rule("election.surplus")
def election_surplus(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    limit = params["limit_percent"]
    for i, e in _elections(cg):
        seats = _int(e, "seats")
        cands = e.get("candidates") if isinstance(e.get("candidates"), list) else None
        if seats is None or cands is None or seats == 0:
            continue
        n = len(cands)
        if n < seats:
            yield Violation(f"congress.elections[{i}].candidates", office=e.get("office"), listed=n, seats=seats,
                            limit=limit, too_few=True, most=seats + seats * limit // 100)
        elif surplus_over_limit(n, seats, limit):
            yield Violation(f"congress.elections[{i}].candidates", office=e.get("office"), listed=n, seats=seats,
                            limit=limit, too_few=False, most=seats + seats * limit // 100)


def _tallies(cg: Record):
    base = vote_base(cg.int("congress.members.official"), cg.int("congress.members.not_counted", 0))
    if base is None:
        return
    for i, e in _elections(cg):
        if _int(e, "seats") is None:
            continue
        _, t = election_tally(e, base)
        yield i, e, t, base


@rule("election.tie")
def election_tie(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    for i, e, t, _base in _tallies(cg):
        if t.tied:
            yield Violation(f"congress.elections[{i}].candidates", office=e.get("office"),
                            names=", ".join(c.full_name for c in t.tied), votes=t.tied[0].votes,
                            seats_left=t.seats - len(t.elected))


@rule("election.unfilled")
def election_unfilled(inputs: Inputs, params: dict) -> Iterator[Violation]:
    cg = _congress(inputs)
    if cg is None:
        return
    for i, e, t, base in _tallies(cg):
        if not t.tied and t.unfilled > 0:
            yield Violation(f"congress.elections[{i}].candidates", office=e.get("office"), seats=t.seats,
                            elected=len(t.elected), base=base, needed=base // 2 + 1)


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
