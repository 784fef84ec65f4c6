"""Check stage: the stage a candidate has reached and the next date that matters.

Pure functions over a loaded profile: ``today`` is passed in, never read from the clock. Each
deadline is counted with the parameters and the source of the rule that checks it afterwards
(rules.toml ``params``, the working-day calendar), so the date shown is the one the rule will
hold the dossier to; the wording is dossier.toml's (``[stage.*]``, ``[deadline.*]``, ``[notes]``),
rendered in the sandbox as the rules' messages are. A deadline that cannot be counted, for lack
of the date it counts from, is no deadline, with a note that says which date is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain.vietnamese import long_date
from ..domain.workdays import add_months, probation_end
from ..load.dossier import STAGES, DossierKind, kinds_for
from ..load.forms import FormLibrary
from ..load.model import Inputs, Record
from ..sandbox import render_text
from .engine import RuleBook
from .rules import _ceremony_start, _papers, recognition_ceremony

# The date that proves each stage after the first, and the group it belongs to. A stage whose
# date is not a field of the registry (recognition.decision.date, until issue 14 adds it) is
# never reached.
STAGE_DATES = (
    ("candidate", "admission.cell_meeting.date", "admission.cell_meeting"),
    ("probationary", "admission.decision.date", "admission.decision"),
    ("official", "recognition.decision.date", "recognition.decision"),
)
CERTIFICATE = "candidate.awareness_course.certificate_date"


@dataclass(frozen=True)
class Deadline:
    """The next date that matters: what is due (Vietnamese), by when, under which clause."""

    what: str
    due: date
    source: str
    overdue: bool     # due < today
    days_left: int    # days from today to due (negative once overdue)


@dataclass(frozen=True)
class Status:
    stage: str          # sympathiser | candidate | probationary | official
    stage_label: str
    deadline: Deadline | None
    note: str           # why there is no deadline, or ""


def stage_of(c: Record, library: FormLibrary) -> tuple[str, str]:
    """The stage ``c`` has reached (the last one whose date it records), and the path of the date
    missing from a group it records without one (``admission.decision`` with no date), or ""."""
    registry = library.registry
    stage, missing = STAGES[0], ""
    for name, path, group in STAGE_DATES:
        if path not in registry:
            break
        if c.date(path):
            stage, missing = name, ""
        elif c.has(group) and not missing:
            missing = path
    if missing and STAGES.index(_stage_proved_by(missing)) < STAGES.index(stage):
        missing = ""  # a later stage is proved: the earlier group's date does not decide anything
    return stage, missing


def _stage_proved_by(path: str) -> str:
    return next(name for name, p, _ in STAGE_DATES if p == path)


def dossier_status(inputs: Inputs, library: FormLibrary, rulebook: RuleBook, today: date) -> Status:
    """The candidate's stage, with its next deadline (or, when there is none, why)."""
    c = inputs.records.get("candidate")
    if c is None:
        raise ValueError("dossier_status needs a candidate profile (inputs.records['candidate'])")
    conf = library.dossier
    stage, missing = stage_of(c, library)
    label = conf.stages[stage]
    if missing:
        group = missing.rpartition(".")[0]
        note = render_text(conf.notes["no_date"], {"group": group, "path": missing,
                                                   "label": library.registry.label(missing)})
        return Status(stage, label, None, note)
    if stage == "official":
        return Status(stage, label, None, render_text(conf.notes["official"], {}))
    found = _deadline(stage, c, library, rulebook)
    if isinstance(found, str):
        return Status(stage, label, None, found)
    name, due, source, values = found
    what = render_text(conf.deadlines[name], {**{k: _fmt(v) for k, v in values.items()}, "due": long_date(due)})
    return Status(stage, label, Deadline(what, due, source, due < today, (due - today).days), "")


def expected(kind: DossierKind, inputs: Inputs) -> bool:
    """Whether the profile calls for this paper at all: it has no ``when``, or a record of the
    inputs has the field or group ``when`` names (the Youth Union's resolution, …)."""
    return not kind.when or any(record.has(kind.when) for record in inputs.records.values())


def kinds_expected(library: FormLibrary, inputs: Inputs, stage: str) -> list[DossierKind]:
    """The kinds of paper a complete candidate dossier holds at ``stage``, in dossier order:
    those whose stage is reached and that the profile calls for (each kind's ``required`` says
    whether its absence makes the dossier incomplete)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
    reached = STAGES[:STAGES.index(stage) + 1]
    return [k for k in kinds_for(library, "candidate") if k.stage in reached and expected(k, inputs)]


Found = tuple[str, date, str, dict[str, Any]]   # deadline name, due, source, the message's values


def _deadline(stage: str, c: Record, library: FormLibrary, rulebook: RuleBook) -> Found | str:
    """The next deadline of ``stage``; else the note saying why there is none."""
    notes = library.dossier.notes
    specs = rulebook.specs

    def rule(rule_id: str):
        return specs.get(rule_id)

    cal = library.work_calendar
    if stage == "sympathiser":
        papers, cert_rule = rule("papers.stale"), rule("certificate.validity")
        for rid, spec in (("papers.stale", papers), ("certificate.validity", cert_rule)):
            if spec is None:
                return render_text(notes["no_rule"], {"rule": rid})
        assert papers is not None and cert_rule is not None
        found: list[Found] = []
        months = papers.params["months"]
        for _path, paper, when in _papers(c):
            if when:
                found.append(("papers", add_months(when, months), papers.source,
                              {"paper": paper, "paper_date": when, "months": months}))
        cert = c.date(CERTIFICATE)
        if cert:
            months = cert_rule.params["months"]
            found.append(("certificate", add_months(cert, months), cert_rule.source,
                          {"cert": cert, "months": months}))
        if not found:
            return render_text(notes["no_start"], {})
        return min(found, key=lambda f: f[1])
    if stage == "candidate":
        spec = rule("deadline.decision")
        if spec is None:
            return render_text(notes["no_rule"], {"rule": "deadline.decision"})
        meeting = c.date("admission.cell_meeting.date")
        assert meeting is not None  # the stage's own date
        limit, most = spec.params["working_days"], spec.params["max_extension"]
        asked = c.int("admission.deadline_extension.working_days") or 0
        extension = min(asked, most)
        return ("decision", cal.add_working_days(meeting, limit + extension), spec.source,
                {"limit": limit, "extension": extension, "meeting": meeting, "capped": asked > most,
                 "asked": asked, "max_extension": most})
    # probationary: the ceremony while there is none, then the cell's recognition meeting
    start = recognition_ceremony(c)   # admission.ceremony.date, or recognition.ceremony_date
    if start is None:
        spec = rule("deadline.ceremony")
        if spec is None:
            return render_text(notes["no_rule"], {"rule": "deadline.ceremony"})
        received = _ceremony_start(c)
        assert received is not None  # the decision's date, at least: the stage's own date
        day, fallback = received
        limit = spec.params["working_days"]
        return ("ceremony", cal.add_working_days(day, limit), spec.source,
                {"limit": limit, "start": day, "fallback": fallback})
    end_rule, meeting_rule = rule("recognition.meeting_before_end"), rule("deadline.recognition_meeting")
    for rid, found_rule in (("recognition.meeting_before_end", end_rule),
                            ("deadline.recognition_meeting", meeting_rule)):
        if found_rule is None:
            return render_text(notes["no_rule"], {"rule": rid})
    assert end_rule is not None and meeting_rule is not None
    months, limit = end_rule.params["months"], meeting_rule.params["working_days"]
    end = probation_end(start[0], months)
    return ("recognition", cal.add_working_days(end, limit), meeting_rule.source,
            {"months": months, "ceremony": start[0], "probation_end": end, "limit": limit})


def _fmt(value: Any) -> Any:
    return long_date(value) if isinstance(value, date) else value
