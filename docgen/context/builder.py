"""Context stage: the only place that formats — every value leaves here as finished Vietnamese text.

The render context holds plain data only (str, int, bool, lists and dicts of them): both
writers read it, neither sees the raw inputs, and the sandbox gets nothing callable.

No wording lives here: what is printed besides the templates' own text (a default title, the
"T/M" lines, "không" for an empty reason, the congress's name…) comes from the forms folder's
``_shared/wording.toml`` and ``_shared/congress.toml`` through the :class:`FormLibrary`
(``library.wording``, ``library.congress_conf``); the language's own rules (number words,
dates, capitals) are :mod:`docgen.domain.vietnamese`'s. ``tests/test_wording.py`` checks that
no string here holds a Vietnamese letter.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from ..domain.vietnamese import (
    dashed_date,
    doc_number,
    long_date,
    number_in_words,
    percent,
    place_date_line,
    roman,
    sentence,
    short_date,
    two_digit,
    upper,
)
from ..domain.votes import vote_base
from ..domain.workdays import probation_end
from ..errors import MissingRuleError
from ..load.fields import get_path
from ..load.forms import FormLibrary, FormSpec
from ..load.model import Inputs, Record
from ..sandbox import render_text

if TYPE_CHECKING:
    from ..domain.elections import Round

# A congress's contexts import the election arithmetic (docgen.domain.elections) where they use
# it: an admission paper needs none of it, and importing it costs every paper 5 ms.


def _org_context(org: Record, wording: dict) -> dict[str, Any]:
    """The organisation: the superior, the grassroots committee, the committee that decides
    on admission when it is not delegated (``authority``), and of the two the one that decides
    (``decider``: the grassroots committee when ``committee.delegated``, else the authority)."""
    def named(path: str) -> dict[str, str]:
        name = org.text(path)
        return {"name": name, "name_upper": upper(name)}

    of_committee, of_authority, of_cell = wording["committee"], wording["authority"], wording["cell"]
    committee = named("committee.name")
    org_name = org.text("committee.organization_name") or _organization_of(committee["name"], wording)
    delegated = org.raw("committee.delegated") is True
    secretary_title = org.text("cell.secretary.title", of_cell["secretary_title"])
    superior = named("superior.name")
    committee_ctx = {
        **committee,
        "symbol": org.text("committee.symbol"),
        "place": org.text("committee.place"),
        "authority_line": render_text(of_committee["authority_line"], {"name_upper": committee["name_upper"]}),
        "delegated": delegated,
        "delegation": {
            "number": org.text("committee.delegation.number"),
            "date": date_text(org.date("committee.delegation.date")),
            "issuer": org.text("committee.delegation.issuer"),
        },
        "organization_name": org_name,
        "organization_name_upper": upper(org_name),
        "signer": {
            "on_behalf": of_committee["on_behalf"],
            "title": org.text("committee.signer.title"),
            "full_name": org.text("committee.signer.full_name"),
        },
    }
    authority = named("authority.name")
    authority_ctx = {
        **authority,
        "superior": named("authority.superior"),
        "symbol": org.text("authority.symbol"),
        "place": org.text("authority.place"),
        "authority_line": render_text(of_authority["authority_line"], {"name_upper": authority["name_upper"]}),
        "signer": {
            "on_behalf": of_authority["on_behalf"],
            "title": org.text("authority.signer.title"),
            "full_name": org.text("authority.signer.full_name"),
        },
    }
    decider = {**committee_ctx, "superior": superior} if delegated else authority_ctx
    return {
        "superior": superior,
        "committee": committee_ctx,
        "authority": authority_ctx,
        "decider": {k: decider[k] for k in ("name", "name_upper", "superior", "symbol", "place", "authority_line",
                                            "signer")},
        "cell": {
            **named("cell.name"),
            "symbol": org.text("cell.symbol"),
            # its on_behalf line depends on whether the cell has a chi ủy: see _cell_committee
            "committee_signer": {
                "title": secretary_title,
                "full_name": org.text("cell.secretary.full_name"),
            },
            "signer": {
                "on_behalf": of_cell["on_behalf"],
                "title": secretary_title,
                "full_name": org.text("cell.secretary.full_name"),
            },
        },
    }


def _cell_committee(org: Record, subject: Record | None, form: FormSpec, cell: dict, wording: dict) -> dict:
    """The cell's context with ``has_committee`` and its committee signer's "T/M" line: as
    org.json's cell.has_committee says, else from the official members the document's input
    counts (a chi ủy from wording.toml's [cell_committee] min_official, 294-QĐ/TW §23.2)."""
    has = org.raw("cell.has_committee")
    if not isinstance(has, bool):
        official = None
        if subject is not None:
            paths = [OFFICIAL_MEMBERS.get(form.subject, "")]
            if form.date_field.startswith(RECOGNITION_STAGE):
                # a paper of the probationary year: the cell as it met on recognition, when the profile has it
                paths.insert(0, RECOGNITION_OFFICIAL_MEMBERS)
            official = next((n for n in map(subject.int, paths) if n is not None), None)
        has = official is not None and official >= wording["cell_committee"]["min_official"]
    of_cell = wording["cell"]
    on_behalf = of_cell["on_behalf_committee"] if has else of_cell["on_behalf_secretary"]
    return {**cell, "has_committee": has, "committee_signer": {**cell["committee_signer"], "on_behalf": on_behalf}}


# where each kind of input counts the cell's official members
OFFICIAL_MEMBERS = {"candidate": "admission.cell_meeting.members_official", "congress": "congress.members.official"}
# a paper dated by a field of this group belongs to the probationary year (Mẫu 10- to 16-KNĐ); the cell's
# official members it counts are first those of the recognition meeting, else those of the admission's
RECOGNITION_STAGE = "recognition."
RECOGNITION_OFFICIAL_MEMBERS = "recognition.cell_meeting.members_official"


def _organization_of(committee_name: str, wording: dict) -> str:
    """The party organisation a committee leads: the start of its name replaced as wording.toml's
    ``organization_of`` says (the committee "X" of "Đảng ủy X" leads the "Đảng bộ X")."""
    for prefix, org in wording["organization_of"].items():
        if committee_name.startswith(prefix):
            return org + committee_name[len(prefix):]
    return committee_name


def date_text(d: date | None) -> dict[str, str]:
    """A date in the forms' three spellings."""
    if d is None:
        return {"long": "", "long_cap": "", "short": "", "dashed": "", "iso": ""}
    text = long_date(d)
    return {"long": text, "long_cap": "N" + text[1:], "short": short_date(d),
            "dashed": dashed_date(d), "iso": d.isoformat()}


def _candidate_context(c: Record) -> dict[str, Any]:
    name = c.text("candidate.full_name")
    return {
        "full_name": name,
        "full_name_upper": upper(name),
        "gender": c.text("candidate.gender"),
        "date_of_birth": date_text(c.date("candidate.date_of_birth")),
        "hometown": c.text("candidate.hometown"),
        "residence": c.text("candidate.residence"),
        "workplace": c.text("candidate.workplace"),
        "application_date": date_text(c.date("candidate.application_date")),
        "certificate_date": date_text(c.date("candidate.awareness_course.certificate_date")),
        "youth_union_member": c.raw("candidate.youth_union_member") is True,
    }


def share(part: int | None, whole: int | None) -> str:
    """A percentage as the party writes it, or "" when it cannot be computed."""
    if part is None or not whole:
        return ""
    return percent(part, whole)


def count(n: int | None) -> dict[str, Any]:
    """A count with its spellings: digits, two digits ("01"), words ("mười bốn")."""
    if n is None:
        return {"n": "", "padded": "", "words": ""}
    return {"n": str(n), "padded": f"{n:02d}", "words": number_in_words(n)}


def _introducer_context(item: dict, cell_name: str, none: str) -> dict[str, Any]:
    r = Record("introducer", item)
    name = r.text("full_name")
    return {
        "full_name": name,
        "full_name_upper": upper(name),
        "date_of_birth": date_text(r.date("date_of_birth")),
        "hometown": r.text("hometown"),
        "admitted_on": date_text(r.date("admitted_on")),
        "official_on": date_text(r.date("official_on")),
        "party_position": r.text("party_position"),
        "government_position": r.text("government_position") or none,
        "mass_org_position": r.text("mass_org_position") or none,
        "worked_together_since": date_text(r.date("worked_together_since")),
        "assigned_on": date_text(r.date("assigned_on")),
        "signed_on": date_text(r.date("signed_on")),
        "background_notes": r.text("background_notes"),
        "strengths": r.text("strengths"),
        "weaknesses": r.text("weaknesses"),
        "cell_name": cell_name,
    }


def not_counted_items(c: Record, path: str) -> list[dict]:
    """The members a vote's base leaves out (``path``: a ``….not_counted`` list), as given."""
    items = c.raw(path)
    return [it for it in items if isinstance(it, dict)] if isinstance(items, list) else []


def _not_counted_context(items: list[dict], words: dict) -> dict[str, Any]:
    """Who a vote's base leaves out: the count, each case with its count (in the order of
    wording.toml's cases), and the note that explains the base ("" when nobody is left out)."""
    groups = []
    for category in words:
        n = sum(1 for it in items if it.get("category") == category)
        if n and category not in ("group", "note"):
            groups.append(render_text(words["group"], {"n": f"{n:02d}", "category": words[category]}))
    return {
        **count(len(items)),
        "names": [it["full_name"] for it in items if isinstance(it.get("full_name"), str)],
        "groups": groups,
        "note": render_text(words["note"], {"groups": "; ".join(groups)}) if groups else "",
    }


def _cell_meeting_context(c: Record, symbol: str, none: str, words: dict,
                          p: str = "admission.cell_meeting.") -> dict[str, Any]:
    """A cell's meeting on a candidate (``p``: ``admission.cell_meeting.``) or on a probationary
    member's recognition (``recognition.cell_meeting.``): membership, attendance, vote and base."""
    g = lambda k: c.int(p + k)  # noqa: E731
    official, prob = g("members_official"), g("members_probationary")
    pres_o, pres_p = g("present_official"), g("present_probationary")
    left_out = not_counted_items(c, p + "not_counted")
    base = vote_base(official, len(left_out))
    not_counted = _not_counted_context(left_out, words)
    approve, reject = g("approve"), g("reject")

    def diff(a, b):
        return a - b if a is not None and b is not None else None

    present = pres_o + pres_p if pres_o is not None and pres_p is not None else None
    return {
        "date": date_text(c.date(p + "date")),
        "number": doc_number(g("resolution_number"), "NQ", symbol),
        # as another paper cites it ("09-NQ/CB"), "" without a number
        "number_cited": f"{two_digit(n)}-NQ/{symbol}" if (n := g("resolution_number")) is not None else "",
        "members": {"total": count(g("members_total")), "official": count(official), "probationary": count(prob)},
        "present": {"total": count(present), "official": count(pres_o), "probationary": count(pres_p)},
        "absent": {
            "total": count(diff(g("members_total"), present)),
            "official": count(diff(official, pres_o)),
            "probationary": count(diff(prob, pres_p)),
        },
        "absent_reasons": c.text(p + "absent_reasons") or none,
        "chair": {"full_name": c.text(p + "chair.full_name"), "title": c.text(p + "chair.title")},
        "secretary": c.text(p + "secretary"),
        "conclusions": {k: c.text(f"{p}conclusions.{k}")
                        for k in ("background", "political_awareness", "strengths", "weaknesses")},
        "resolution_number": g("resolution_number"),
        "base": count(base),
        "not_counted": not_counted,
        "base_note": not_counted["note"],
        "approve": {**count(approve), "pct": share(approve, base)},
        "reject": {**count(reject), "pct": share(reject, base)},
        "reject_reasons": c.text(p + "reject_reasons") or none,
    }


def _committee_resolution_context(c: Record, p: str, symbol: str, place: str, words: dict) -> dict[str, Any]:
    """The grassroots committee's resolution on a candidate (``p``: ``admission.committee_resolution.``)
    or on a recognition (``recognition.committee_resolution.``), with its vote on its own base."""
    total, present = c.int(p + "members_total"), c.int(p + "present")
    approve, reject = c.int(p + "approve"), c.int(p + "reject")
    res_date = c.date(p + "date")
    left_out = not_counted_items(c, p + "not_counted")
    base = vote_base(total, len(left_out))  # 294-QĐ/TW §9.3.3: the committee's base
    return {
        "number": doc_number(c.int(p + "number"), "NQ", symbol),
        "number_cited": f"{two_digit(n)}-NQ/{symbol}" if (n := c.int(p + "number")) is not None else "",
        "date": date_text(res_date),
        "place_date": place_date_line(place, res_date) if res_date else "",
        "members_total": count(total),
        "present": count(present),
        "absent": count(total - present if total is not None and present is not None else None),
        "base": count(base),
        "not_counted": _not_counted_context(left_out, words),
        "approve": {**count(approve), "pct": share(approve, base)},
        "reject": {**count(reject), "pct": share(reject, base)},
    }


def _admission_context(c: Record, cell_symbol: str, committee_symbol: str, place: str, none: str,
                       words: dict) -> dict[str, Any]:
    return {
        "cell_meeting": _cell_meeting_context(c, cell_symbol, none, words),
        "committee_resolution": _committee_resolution_context(c, "admission.committee_resolution.",
                                                              committee_symbol, place, words),
        "ceremony": {"date": date_text(c.date("admission.ceremony.date"))},
        "decision": {
            "number": c.int("admission.decision.number"),
            "date": date_text(c.date("admission.decision.date")),
            "received_on": date_text(c.date("admission.decision.received_on")),
        },
    }


def legal_basis_lines(form: FormSpec, when: date, ctx: dict, library: FormLibrary) -> list[str]:
    """The form's "Căn cứ" lines from the edition in force on ``when``; empty lines dropped."""
    edition = library.edition_for(when)
    _, common = library.legal
    values = {"cell_name": ctx["cell"]["name"], **_basis_values(ctx)}
    lines = []
    for key in form.legal_basis:
        if key == "exceptions":
            cited = (render_text(common["exception"], e).strip() for e in ctx.get("exceptions", []))
            lines += [line for line in cited if line]
            continue
        source = edition.lines.get(key, common.get(key))
        if source is None:
            continue
        text = render_text(source, values).strip()
        if text:
            lines.append(text)
    return lines


def _basis_values(ctx: dict) -> dict[str, Any]:
    """What the "Căn cứ" and "Xét" lines of legal_basis.toml may name besides the cell's name:
    the grassroots committee, its delegation, and the resolutions a decision rests on (``cited``)."""
    committee = ctx["committee"]
    delegation = committee["delegation"]
    return {
        "committee_name": committee["name"],
        "delegated": committee["delegated"],
        "delegation_number": delegation["number"],
        "delegation_date": delegation["date"]["dashed"],
        "delegation_issuer": delegation["issuer"],
        **ctx.get("cited", {}),
    }


def _cited_context(c: Record, cell_symbol: str, committee_symbol: str, part: str = "admission",
                  name: str = "") -> dict[str, str]:
    """The cell's and the grassroots committee's resolutions as a decision cites them: number
    ("09-NQ/CB"), date ("20-10-2025") and vote ("10" of "14" counted); "" for what the profile
    lacks. ``part``: the profile group (``admission``, ``recognition``); ``name``: what the
    names of legal_basis.toml start with ("" for the admission's, ``recognition_``)."""
    def number(path: str, symbol: str) -> str:
        n = c.int(path)
        return f"{two_digit(n)}-NQ/{symbol}" if n is not None else ""

    def dashed(path: str) -> str:
        d = c.date(path)
        return dashed_date(d) if d else ""

    def n(value: int | None) -> str:
        return "" if value is None else str(value)

    cell, committee = f"{part}.cell_meeting.", f"{part}.committee_resolution."
    # 294-QĐ/TW §9.3.2: the official members less those not counted, as the cell's resolution prints it
    base = vote_base(c.int(cell + "members_official"), len(not_counted_items(c, cell + "not_counted")))
    return {
        name + "cell_resolution_number": number(cell + "resolution_number", cell_symbol),
        name + "cell_resolution_date": dashed(cell + "date"),
        name + "cell_approve": n(c.int(cell + "approve")),
        name + "cell_base": n(base),
        name + "committee_resolution_number": number(committee + "number", committee_symbol),
        name + "committee_resolution_date": dashed(committee + "date"),
        name + "committee_approve": n(c.int(committee + "approve")),
        name + "committee_members": n(c.int(committee + "members_total")),
    }


def _appraisal_cited(c: Record) -> dict[str, str]:
    """The đảng ủy bộ phận's appraisal (14-KNĐ) as the committee's resolution cites it: its
    name and date ("20-10-2026"); "" without one."""
    when = c.date("recognition.branch_appraisal.date")
    return {"branch_appraisal_name": c.text("recognition.branch_appraisal.name"),
            "branch_appraisal_date": dashed_date(when) if when else ""}


def _recognition_context(c: Record, cell_symbol: str, committee_symbol: str, place: str, none: str,
                         words: dict, probation_months: int) -> dict[str, Any]:
    """A probationary member's recognition as an official member (13- to 16-KNĐ): the cell's
    meeting and the committee's resolution in the admission's shapes, the đảng ủy bộ phận's
    appraisal, the decision, and the end of probation: ``probation_months`` from the ceremony
    (``recognition.ceremony_date``, else ``admission.ceremony.date``), the day the member is
    official whatever the cell's or the committee's delay (Charter Art. 5; 294-QĐ/TW §4.2.2)."""
    p = "recognition."
    ceremony = c.date(p + "ceremony_date") or c.date("admission.ceremony.date")
    end = probation_end(ceremony, probation_months) if ceremony else None
    appraisal_date = c.date(p + "branch_appraisal.date")
    return {
        "ceremony_date": date_text(ceremony),
        "probation_end": date_text(end),
        "probation_months": count(probation_months),
        # party age counts from the admission decision's date (294-QĐ/TW §4.5.1)
        "admitted_on": date_text(c.date("admission.decision.date")),
        "cell_meeting": _cell_meeting_context(c, cell_symbol, none, words, p + "cell_meeting."),
        "branch_appraisal": {
            "given": c.has(p + "branch_appraisal"),
            "number": count(c.int(p + "branch_appraisal.number")),
            "date": date_text(appraisal_date),
            "place_date": place_date_line(place, appraisal_date) if appraisal_date else "",
            "name": c.text(p + "branch_appraisal.name"),
            "name_upper": upper(c.text(p + "branch_appraisal.name")),
            "conclusion": c.text(p + "branch_appraisal.conclusion"),
        },
        "committee_resolution": _committee_resolution_context(c, p + "committee_resolution.", committee_symbol,
                                                              place, words),
        "decision": {
            "number": c.int(p + "decision.number"),
            "date": date_text(c.date(p + "decision.date")),
        },
    }


def _youth_union_context(c: Record, place: str, words: dict) -> dict[str, Any]:
    p = "youth_union_resolution."
    when = c.date(p + "date")
    number = c.int(p + "number")
    total, approve = c.int(p + "members_total"), c.int(p + "approve")
    superior = c.text(p + "superior")
    issuer = c.text(p + "issuer")
    return {
        # the Youth Union's own style, not the party's (wording.toml [youth_union])
        "number": render_text(words["number"], {"number": f"{number:02d}"}) if number is not None
        else words["number_blank"],
        "date": date_text(when),
        "place_date": place_date_line(place, when) if when else "",
        "superior_upper": upper(superior) if superior else words["superior"],
        "issuer": issuer,
        "issuer_upper": upper(issuer),
        "branch": c.text(p + "branch"),
        "members_total": count(total),
        "approve": {**count(approve), "pct": share(approve, total)},
        "strengths": c.text(p + "strengths"),
        "weaknesses": c.text(p + "weaknesses"),
        "signer": {"title": c.text(p + "signer.title", words["signer_title"]),
                   "full_name": c.text(p + "signer.full_name")},
    }


def _comments_context(c: Record, place: str, p: str = "comments.") -> dict[str, Any]:
    """A comments summary (5-KNĐ from ``comments.``; 12-KNĐ from ``recognition.comments.``)."""
    when = c.date(p + "date")
    total, agree = c.int(p + "organizations_total"), c.int(p + "organizations_agree")
    orgs = c.raw(p + "organizations") or []
    return {
        "date": date_text(when),
        "place_date": place_date_line(place, when) if when else "",
        "organizations": [o for o in orgs if isinstance(o, str)],
        "total": count(total),
        "agree": count(agree),
        "disagree": count(total - agree if total is not None and agree is not None else None),
        "strengths": c.text(p + "strengths"),
        "weaknesses": c.text(p + "weaknesses"),
    }


def _exception_lines(c: Record) -> list[dict[str, str]]:
    """The approved exceptions: each one's rule id, and the approving paper with the reason
    (legal_basis.toml's ``exception`` line decides which a paper cites)."""
    items = c.raw("exceptions") or []
    lines = []
    for it in items:
        if isinstance(it, dict) and it.get("approved_by") and it.get("reason"):
            lines.append({"rule": str(it.get("rule", "")), "approval": f"{it['approved_by']} ({it['reason']})"})
    return lines


def _recognition_member_context(c: Record, place: str, cell_name: str) -> dict[str, Any]:
    """The probationary member's own papers (Mẫu 10-, 11-, 12-KNĐ): the day the member joined
    (the admission decision's date, from which party age counts: Charter Art. 5 §4), the
    ceremony that began the probation (``recognition.ceremony_date``, else
    ``admission.ceremony.date``), the member's self-review, each assigned helper's review, and
    the summary of comments over the probationary year. Texts the profile lacks are "" (the
    templates print lines to write on by hand)."""
    p = "recognition."
    review = c.date(p + "self_review.date")
    ceremony = c.date(p + "ceremony_date") or c.date("admission.ceremony.date")

    def helper(item: dict) -> dict[str, Any]:
        r = Record("helper", item)
        name = r.text("full_name")
        return {
            "full_name": name,
            "full_name_upper": upper(name),
            "party_position": r.text("party_position"),
            "assigned_on": date_text(r.date("assigned_on")),
            "signed_on": date_text(r.date("signed_on")),
            "strengths": r.text("strengths"),
            "weaknesses": r.text("weaknesses"),
            "cell_name": cell_name,
        }

    helpers = c.raw(p + "helpers")
    return {
        "admitted_on": date_text(c.date("admission.decision.date")),
        "ceremony_date": date_text(ceremony),
        "self_review": {
            "date": date_text(review),
            "place_date": place_date_line(place, review) if review else "",
            **{k: c.text(f"{p}self_review.{k}") for k in ("strengths", "weaknesses", "direction")},
        },
        "helpers": [helper(it) for it in helpers if isinstance(it, dict)] if isinstance(helpers, list) else [],
        "comments": _comments_context(c, place, p + "comments."),
    }


def candidate_sections(c: Record, org_ctx: dict, wording: dict, wanted: set[str] | None = None, *,
                       probation_months: Callable[[], int]) -> dict[str, Any]:
    """Everything about one candidate (or only the ``wanted`` sections), formatted once
    (``wording``: the forms folder's wording.toml, ``library.wording``; ``probation_months``: the
    probation's length from the forms folder's rules.toml, asked only for the recognition)."""
    place = org_ctx["committee"]["place"]
    cell_name = org_ctx["cell"]["name"]

    def introducers():
        items = c.raw("introducers")
        return [_introducer_context(it, cell_name, wording["none"]) for it in items if isinstance(it, dict)] \
            if isinstance(items, list) else []

    builders = {
        "candidate": lambda: _candidate_context(c),
        "admission": lambda: _admission_context(c, org_ctx["cell"]["symbol"], org_ctx["committee"]["symbol"], place,
                                                wording["none"], wording["not_counted"]),
        "introducers": introducers,
        "youth_union_resolution": lambda: _youth_union_context(c, place, wording["youth_union"]),
        "comments": lambda: _comments_context(c, place),
        "exceptions": lambda: _exception_lines(c),
        # the member's own papers (10- to 12-KNĐ) and the cell's, the committee's and the decision (13- to 16-KNĐ)
        "recognition": lambda: {
            **_recognition_member_context(c, place, cell_name),
            **_recognition_context(c, org_ctx["cell"]["symbol"], org_ctx["committee"]["symbol"], place,
                                   wording["none"], wording["not_counted"], probation_months())},
        "cited": lambda: {**_cited_context(c, org_ctx["cell"]["symbol"], org_ctx["committee"]["symbol"]),
                          **_cited_context(c, org_ctx["cell"]["symbol"], org_ctx["committee"]["symbol"],
                                           "recognition", "recognition_"),
                          **_appraisal_cited(c)},
    }
    return {k: build() for k, build in builders.items() if wanted is None or k in wanted}


def _people(names) -> list[str]:
    return [n for n in (names or []) if isinstance(n, str)]


def _members_context(cg: Record, conf: dict, not_counted_words: dict, none: str) -> tuple[dict[str, Any], int | None]:
    """Who belongs to the cell and who came, from the membership and congress.members.absent[]:
    counts, absences, shares and the vote base; and the number of members (None when a count
    is missing). ``conf``: congress.toml; ``not_counted_words``: wording.toml's [not_counted]."""
    from ..domain.elections import attendance, least_over_half

    p = "congress.members."
    official, probationary = cg.int(p + "official"), cg.int(p + "probationary")
    items = cg.raw(p + "absent")
    absentees = [it for it in items if isinstance(it, dict)] if isinstance(items, list) else []
    att = attendance(absentees, conf["not_counted"])
    total = present = came_official = came_probationary = None
    if official is not None and probationary is not None:
        total = official + probationary
        came_official, came_probationary = official - att.absent_official, probationary - att.absent_probationary
        present = came_official + came_probationary
    words = conf["absent"]
    listed = []
    for it in absentees:
        category = str(it.get("category", ""))
        status = str(it.get("status", ""))
        listed.append({
            "full_name": str(it.get("full_name", "")),
            "status": words.get(status, status),
            "category": not_counted_words.get(category) or words.get(category, category),
            "reason": it.get("reason") if isinstance(it.get("reason"), str) else "",
            "counted": not (status == "official" and category in conf["not_counted"]),
        })
    lines = [render_text(words["item"], {k: v for k, v in it.items() if k != "counted"}) for it in listed]
    base = vote_base(official, att.not_counted)
    return {
        "total": count(total),
        "official": count(official),
        "probationary": count(probationary),
        "present": count(present),
        "present_official": count(came_official),
        "present_probationary": count(came_probationary),
        "absent": count(att.absent_official + att.absent_probationary if total is not None else None),
        "absent_official": count(att.absent_official),
        "absent_probationary": count(att.absent_probationary),
        "absentees": listed,
        "absent_reasons": "; ".join(lines) or none,
        "not_counted": count(att.not_counted),
        "base": count(base),
        # the fewest votes that elect or pass a vote: more than half of the base (domain.md §4.6)
        "over_half": count(least_over_half(base) if base is not None else None),
        "present_pct": share(present, total),
        "present_official_pct": share(came_official, official),
    }, total if present is not None else None


def _votes_context(cg: Record, base: int | None) -> dict[str, Any]:
    """The show-of-hands tallies (congress.votes): each with ``given`` (False when the file
    gives none), its counts and the share of the base."""
    from ..domain.elections import VOTES

    out: dict[str, Any] = {}
    for key in VOTES:
        approve, reject = cg.int(f"congress.votes.{key}.approve"), cg.int(f"congress.votes.{key}.reject")
        out[key] = {"given": approve is not None, "approve": {**count(approve), "pct": share(approve, base)},
                    "reject": {**count(reject if reject is not None else (0 if approve is not None else None)),
                               "pct": share(reject or 0, base) if approve is not None else ""}}
    return out


def _ballots_context(source: dict, none: str) -> dict[str, Any]:
    issued, returned, valid = (source.get(k) if isinstance(source.get(k), int) else None
                               for k in ("ballots_issued", "ballots_returned", "ballots_valid"))
    return {
        "issued": count(issued), "returned": count(returned), "valid": count(valid),
        "invalid": count(returned - valid if returned is not None and valid is not None else None),
        "invalid_reasons": source.get("invalid_reasons") or none,
    }


def _round_context(r: Round, base: int | None, none: str) -> dict[str, Any]:
    """One ballot of an election: its list with votes, who it elected, its ballots."""
    t = r.tally
    elected_idx = {c.index for c in t.elected}
    rows = [{
        "n": c.index + 1,
        "full_name": c.full_name,
        "date_of_birth": date_text(Record("c", source).date("date_of_birth")),
        "position": source.get("position", "") if isinstance(source.get("position"), str) else "",
        "votes": count(c.votes),
        "pct": share(c.votes, base),
        "elected": c.index in elected_idx,
    } for c, source in zip(t.candidates, r.ordered, strict=True)]
    return {
        "n": r.number,
        "seats": count(t.seats),
        "listed": count(len(rows)),
        "candidates": rows,
        "elected": [{"n": i + 1, "full_name": c.full_name, "votes": count(c.votes), "pct": share(c.votes, base)}
                    for i, c in enumerate(t.elected)],
        "tied_names": ", ".join(c.full_name for c in t.tied),
        "unfilled": count(t.unfilled) if t.unfilled > 0 else None,
        "ballots": _ballots_context(r.source, none),
    }


def _nominations_context(cg: Record, office: str, present: int | None) -> dict[str, Any]:
    """The nominations from the floor for one office: each nominee with the votes to join the
    list and their share of the official members present, and the withdrawals."""
    items = cg.raw("congress.nominations")
    nominees, withdrawals = [], []
    for n in items if isinstance(items, list) else []:
        if not isinstance(n, dict) or n.get("office") != office:
            continue
        listed, left = n.get("nominees"), n.get("withdrawals")
        for it in listed if isinstance(listed, list) else []:
            if isinstance(it, dict):
                votes = it.get("votes") if isinstance(it.get("votes"), int) else None
                nominees.append({"full_name": str(it.get("full_name", "")), "votes": count(votes),
                                 "pct": share(votes, present)})
        for it in left if isinstance(left, list) else []:
            if isinstance(it, dict):
                withdrawals.append({"full_name": str(it.get("full_name", "")),
                                    "reason": it.get("reason") if isinstance(it.get("reason"), str) else ""})
    return {"nominees": nominees, "withdrawals": withdrawals}


def _election_context(e: dict, conf: dict, base: int | None, none: str, nominations: dict | None = None,
                      ) -> dict[str, Any]:
    """One election: its office, its first ballot (candidates with their votes and shares of the
    base, ballots), any further rounds, who was elected over all rounds, and the decisions
    around it (``conf``: congress.toml)."""
    from ..domain.elections import elected_in, election_rounds

    offices = conf["offices"]
    named = e.get("office")
    if not isinstance(named, str):
        named = ""
    office = offices.get(named, {"title": named.capitalize(), "body": named, "member": named})
    rounds = election_rounds(e, base or 0)
    first = _round_context(rounds[0], base, none)
    further = [_round_context(r, base, none) for r in rounds[1:]]
    everyone = elected_in(rounds)
    seats, listed = rounds[0].tally.seats, len(first["candidates"])
    winners: list[dict[str, Any]] = [
        {"n": i + 1, "full_name": c.full_name, "votes": count(c.votes), "pct": share(c.votes, base)}
        for i, c in enumerate(everyone)]
    unfilled = seats - len(everyone)
    left_empty = e.get("seats_left_empty")
    allotted = e.get("allotted_by_superior")
    on_list = {row["full_name"].casefold() for row in first["candidates"]}
    floor = nominations or {"nominees": [], "withdrawals": []}
    floor = {"nominees": [{**n, "joined": n["full_name"].casefold() in on_list} for n in floor["nominees"]],
             "withdrawals": floor["withdrawals"]}
    return {
        "office": office["body"],
        "title": office["title"],
        "title_upper": upper(office["title"]),
        "member": office["member"],
        # how the number to elect was set: voted by the congress (the chi ủy), one by rule
        # (bí thư, phó bí thư), or allotted by the superior (delegates)
        "is_committee": named == conf["committee_office"],
        "is_delegates": named == conf["delegates_office"],
        "allotted_by_superior": allotted if isinstance(allotted, str) else "",
        "seats": count(seats),
        "listed": count(listed),
        "surplus": listed > seats,
        "surplus_count": count(listed - seats),
        "surplus_pct": share(listed - seats, seats) if listed > seats else "0%",
        "candidates": first["candidates"],
        "first_elected": first["elected"],
        "first_unfilled": first["unfilled"],
        "tied_names": first["tied_names"],
        "rounds": further,
        "elected": winners,
        "elected_names": ", ".join(w["full_name"] for w in winners),
        "summary": "; ".join(render_text(conf["election"]["elected"], {
            "full_name": w["full_name"], "votes": w["votes"]["n"], "pct": w["pct"]}) for w in winners),
        "unfilled": count(unfilled) if unfilled > 0 else None,
        "seats_left_empty": ({"count": count(max(unfilled, 0)), "reason": str(left_empty.get("reason", ""))}
                             if isinstance(left_empty, dict) else None),
        "ballots": first["ballots"],
        **floor,
    }


def _guest_line(conf: dict, guest: dict) -> str:
    return render_text(conf["guest"]["line"], {"full_name": guest["full_name"], "title": guest["title"]})


def _bodies_context(cg: Record, conf: dict) -> dict[str, Any]:
    """The congress's bodies: presidium, secretariat, counting board, guests and the superior's
    speaker; the first named of the presidium chairs it, of the secretariat keeps the minutes,
    and the counting board's head is the member whose role says so; the signature labels
    follow the number of people (``conf``: congress.toml)."""
    p = "congress."
    presidium, secretariat = _people(cg.raw(p + "presidium")), _people(cg.raw(p + "secretariat"))
    items = cg.raw(p + "counting_board")
    board = [it for it in items if isinstance(it, dict)] if isinstance(items, list) else []
    head_role = conf["vote_counters"]["head"]
    heads = [str(it.get("full_name", "")) for it in board if it.get("role") == head_role]
    counters: list[dict[str, Any]] = [
        {"n": i + 1, "full_name": str(it.get("full_name", "")), "role": str(it.get("role", ""))}
        for i, it in enumerate(board)]
    items = cg.raw(p + "guests")
    guests = [{"full_name": str(it.get("full_name", "")), "title": str(it.get("title", ""))}
              for it in (items if isinstance(items, list) else []) if isinstance(it, dict)]
    guests = [{**g, "line": _guest_line(conf, g)} for g in guests]
    speaker_name = cg.text(p + "superior_speaker")
    speaker = next((g for g in guests if g["full_name"].casefold() == speaker_name.casefold()), None) \
        if speaker_name else None
    signs = conf["signatures"]
    return {
        "presidium": presidium,
        "presidium_joined": ", ".join(presidium),
        "chair": presidium[0] if presidium else "",
        "chair_label": signs["presidium_one"] if len(presidium) == 1 else signs["presidium_many"],
        "secretariat": secretariat,
        "secretariat_joined": ", ".join(secretariat),
        "secretary": secretariat[0] if secretariat else "",
        "secretary_label": signs["secretariat_one"] if len(secretariat) == 1 else signs["secretariat_many"],
        "counting_board": counters,
        "vote_counters": counters,
        "vote_counters_joined": ", ".join(c["full_name"] for c in counters),
        "vote_count_head": heads[0] if heads else "",
        "vote_count_members": [c["full_name"] for c in counters if c["role"] != head_role],
        "guests": guests,
        "guests_joined": ", ".join(g["line"] for g in guests),
        "superior_speaker": speaker,
    }


def _standing_committee_ratifies(cg: Record, conf: dict) -> bool:
    """Whether the grassroots committee's standing committee ratifies the results (294-QĐ/TW
    §16.1.2): as the congress file says, else congress.toml's standing_committee_ratifies."""
    given = cg.raw("congress.ratification_decision.standing_committee")
    return given if isinstance(given, bool) else conf["standing_committee_ratifies"] is True


def _ratification_context(cg: Record, org_ctx: dict, when: date | None, addressee: str,
                          standing: bool = True) -> dict[str, Any]:
    """The submission asking the superior committee to ratify the results."""
    p = "congress.ratification."
    on = cg.date(p + "date") or when
    number = doc_number(cg.int(p + "number"), "TTr", org_ctx["cell"]["symbol"])
    return {
        "number": number,
        # as another paper cites it ("01-TTr/CB")
        "number_cited": number.split(" ", 1)[1].strip(),
        "date": date_text(on),
        "place_date": place_date_line(org_ctx["committee"]["place"], on) if on else "",
        "addressee": cg.text(p + "addressee")
        or render_text(addressee, {"committee_name": org_ctx["committee"]["name"], "standing_committee": standing}),
    }


def _elected_list_context(held: list[dict], elections: list[dict], conf: dict) -> list[dict[str, Any]]:
    """The danh sách trích ngang: each person elected, once, in the order of the elections and
    of their votes, with the short CV of their first entry on a list and every office they won
    (294-QĐ/TW §16.1.1). Only those ``elections`` (the context's tallies) count as elected."""
    people: dict[tuple[str, str], dict[str, Any]] = {}
    offices = conf["offices"]
    for source, election in zip(held, elections, strict=True):
        entries = [c for c in source.get("candidates") or [] if isinstance(c, dict)]
        named = source.get("office") if isinstance(source.get("office"), str) else ""
        member = offices.get(named, {}).get("member", named)
        for winner in election["elected"]:
            entry = next((c for c in entries if c.get("full_name") == winner["full_name"]), {})
            r = Record("c", entry)
            key = (winner["full_name"], r.text("date_of_birth"))
            if key not in people:
                people[key] = {
                    "full_name": winner["full_name"],
                    "full_name_upper": upper(winner["full_name"]),
                    "date_of_birth": date_text(r.date("date_of_birth")),
                    "hometown": r.text("hometown"),
                    "education": r.text("education"),
                    "political_theory": r.text("political_theory"),
                    "joined_party_on": date_text(r.date("joined_party_on")),
                    "position": r.text("position"),
                    "offices": [],
                }
            if member not in people[key]["offices"]:
                people[key]["offices"].append(member)
    return [{**person, "n": i + 1, "elected_as": sentence(", ".join(person["offices"]))}
            for i, person in enumerate(people.values())]


def _ratification_decision_context(cg: Record, org_ctx: dict, conf: dict, held: list[dict],
                                   elections: list[dict], standing: bool) -> dict[str, Any]:
    """The grassroots committee's decision ratifying the elected of the offices congress.toml's
    ``ratified_offices`` lists (294-QĐ/TW §16.1.2): only those the tallies elected, by office."""
    p = "congress.ratification_decision."
    committee = org_ctx["committee"]
    names = {"standing_committee": standing, "committee_name_upper": committee["name_upper"]}
    words = conf["ratification_decision"]
    offices = []
    for source, election in zip(held, elections, strict=True):
        if source.get("office") not in conf["ratified_offices"] or not election["elected"]:
            continue
        who = [w["full_name"] for w in election["elected"]]
        offices.append({"title": election["title"], "office": election["office"], "names": who,
                        "joined": ", ".join(who), "count": count(len(who)), "several": len(who) > 1})
    return {
        "date": date_text(cg.date(p + "date")),
        "received_on": date_text(cg.date(p + "received_on")),
        "standing_committee": standing,
        "authority_line": render_text(words["authority_line"], names),
        "offices": offices,
        "offices_joined": ", ".join(o["office"] for o in offices),
        "signer": {**committee["signer"], "on_behalf": render_text(words["on_behalf"], names)},
    }


def _congress_context(cg: Record, org_ctx: dict, conf: dict, none: str, not_counted_words: dict,
                      ) -> dict[str, Any]:
    """A congress: its name and term, the members, the bodies, each election, the new
    secretary and the ratification request (``conf``: congress.toml, ``library.congress_conf``)."""
    p = "congress."
    cell = org_ctx["cell"]["name"]
    ordinal = cg.int(p + "ordinal") or 0
    term = f"{cg.int(p + 'term.start')} - {cg.int(p + 'term.end')}"
    when = cg.date(p + "date")
    members, total = _members_context(cg, conf, not_counted_words, none)
    base = vote_base(cg.int(p + "members.official"), int(members["not_counted"]["n"] or 0))
    present = int(members["present_official"]["n"]) if members["present_official"]["n"] else None
    staff = cg.int(p + "staff_total")
    admitted, target = cg.int(p + "admitted_in_term"), cg.int(p + "admission_target")
    held = [e for e in cg.raw(p + "elections") or [] if isinstance(e, dict)]
    elections = [_election_context(e, conf, base, none, _nominations_context(cg, str(e.get("office", "")), present))
                 for e in held]
    secretary = next((e["elected"][0]["full_name"] for source, e in zip(held, elections, strict=True)
                      if source.get("office") == conf["secretary_office"] and e["elected"]),
                     org_ctx["cell"]["signer"]["full_name"])
    named = {"cell": cell, "ordinal_roman": roman(ordinal) if ordinal else "", "term": term}
    return {
        "ordinal": count(ordinal),
        "ordinal_roman": named["ordinal_roman"],
        "term": term,
        "name": render_text(conf["name"], named),
        "issuer_upper": upper(render_text(conf["issuer"], named)),
        "term_upper": render_text(conf["term_upper"], named),
        "date": date_text(when),
        "place_date": place_date_line(org_ctx["committee"]["place"], when) if when else "",
        "venue": cg.text(p + "venue"),
        "opening_time": cg.text(p + "opening_time"),
        "closing_time": cg.text(p + "closing_time"),
        "members": members,
        "staff_total": count(staff),
        "party_share": share(total, staff),
        "admitted": count(admitted),
        "admission_target": count(target),
        "admission_pct": share(admitted, target),
        "targets": _people(cg.raw(p + "targets")),
        "results": _people(cg.raw(p + "results")),
        "tasks": _people(cg.raw(p + "tasks")),
        "votes": _votes_context(cg, base),
        **_bodies_context(cg, conf),
        "elections": elections,
        "offices_joined": ", ".join(e["office"] for e in elections),
        # the chi ủy's election, whose number of seats the congress votes (None without one)
        "committee_election": next((e for e in elections if e["is_committee"]), None),
        "new_secretary": secretary,
        "ratification": _ratification_context(cg, org_ctx, when, conf["ratification"]["addressee"],
                                              _standing_committee_ratifies(cg, conf)),
        "elected_list": _elected_list_context(held, elections, conf),
        "ratification_decision": _ratification_decision_context(cg, org_ctx, conf, held, elections,
                                                                _standing_committee_ratifies(cg, conf)),
    }


# the rule of rules.toml whose params give the probation's length (Charter Art. 5)
PROBATION_RULE = "recognition.meeting_before_end"


def _probation_months(library: FormLibrary) -> int:
    """The probation's months, as the rule that checks the recognition meeting counts them: from
    the rules.toml the check stage read, else (a library used without the check stage, as
    ``forms lint`` may) from the file itself."""
    try:
        rules = library.later("rules.toml")
    except KeyError:
        import tomllib

        try:
            rules = tomllib.loads(library.shared_file("rules.toml").read_text(encoding="utf-8")).get("rule", {})
        except (OSError, tomllib.TOMLDecodeError):
            rules = {}
    try:
        return int(rules[PROBATION_RULE]["params"]["months"])
    except (KeyError, TypeError, ValueError):
        raise MissingRuleError(PROBATION_RULE, "months") from None


def build_context(form: FormSpec, inputs: Inputs, library: FormLibrary, item: int | None = None,
                  names: set[str] | None = None, number: int | None = None) -> dict[str, Any]:
    """The render context of one document of ``form`` (``item``: which list item, for forms
    made once per item, such as one nomination per introducer). With ``names`` (the
    template's top-level names) only the sections the template reads are formatted."""
    org = inputs["org"]
    wording = library.wording
    made = org.cache.get("context")
    if made is None or made[0] is not wording:  # made with this forms folder's wording
        made = org.cache["context"] = (wording, _org_context(org, wording))
    ctx: dict[str, Any] = dict(made[1])  # its parts are never changed below (only replaced)
    subject = inputs.records.get(form.subject)
    ctx["cell"] = _cell_committee(org, subject, form, ctx["cell"], wording)
    doc_date = subject.date(form.item_path(form.date_field, item)) if subject else None
    if doc_date is None and subject and form.date_fallback:
        doc_date = subject.date(form.date_fallback)
    if number is None and subject and form.number_field:
        number = subject.int(form.item_path(form.number_field, item))
    symbol = {"cell": ctx["cell"]["symbol"], "congress": library.congress_conf["symbol"],
              "decider": ctx["decider"]["symbol"]}.get(form.issuer, ctx["committee"]["symbol"])
    place = ctx["decider"]["place"] if form.issuer == "decider" else ctx["committee"]["place"]
    ctx["form"] = {"code": form.code, "title": form.title, "doc_type": form.doc_type, "summary": form.summary,
                   # style.toml's print_form_code: the code on every paper that has one, or on none
                   "print_code": bool(form.code) and library.style.get("print_form_code", True) is True}
    # the body in whose number series the document is (a congress's: the cell's congress)
    issuer = {"cell": ctx["cell"], "congress": ctx["cell"], "decider": ctx["decider"]}.get(form.issuer,
                                                                                         ctx["committee"])
    ctx["doc"] = {
        "number": doc_number(number, form.doc_type_abbr, symbol),
        "number_int": number,
        "symbol": symbol,
        "issuer": issuer.get("name", ""),
        "date": date_text(doc_date),
        "place_date": place_date_line(place, doc_date) if doc_date else "",
    }
    if form.subject == "candidate" and subject is not None:
        wanted = None
        if names is not None:
            wanted = set(names) | set(form.sections)
            if form.number_from:
                wanted.add(form.number_from.split(".")[0])
            if form.each:
                wanted.add(form.each.split(".")[0])  # "recognition.helpers": the recognition section
            if "exceptions" in form.legal_basis:
                wanted.add("exceptions")
            if form.legal_basis:
                wanted.add("cited")
        ctx.update(candidate_sections(subject, ctx, wording, wanted,
                                      probation_months=lambda: _probation_months(library)))
    if form.number_from and subject is not None:
        # the number is another paper's, as the form's manifest says (the youth union's resolution)
        ctx["doc"]["number"] = get_path(ctx, form.number_from)
    if form.subject == "congress" and subject is not None:
        ctx["congress"] = _congress_context(subject, ctx, library.congress_conf, wording["none"],
                                            wording["not_counted"])
    if form.each and item is not None:
        ctx[form.item_name] = get_path(ctx, form.each)[item]
    ctx["legal_basis"] = []
    if doc_date and form.legal_basis:
        edition = library.edition_for(doc_date)
        excepted = tuple((e["rule"], e["approval"]) for e in ctx.get("exceptions", ()))
        key = (form.id, edition.id, excepted, tuple(sorted(ctx.get("cited", {}).items())))
        # depends only on the organisation, the edition, the exceptions and the resolutions; the
        # resolutions are each candidate's, so a batch would add an entry per item: kept bounded
        lines = org.cache.setdefault("legal_basis", {})
        if key not in lines:
            if len(lines) >= 64:
                lines.clear()
            lines[key] = legal_basis_lines(form, doc_date, ctx, library)
        ctx["legal_basis"] = list(lines[key])
    return ctx
