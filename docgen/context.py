"""Context stage: the only place that formats — every value leaves here as finished Vietnamese text.

The render context holds plain data only (str, int, bool, lists and dicts of them): both
writers read it, neither sees the raw inputs, and the sandbox gets nothing callable.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .checks import Inputs
from .forms import FormLibrary, FormSpec
from .model import Record
from .sandbox import render_text
from .vietnamese import doc_number, long_date, place_date_line, upper


def _org_context(org: Record) -> dict[str, Any]:
    def named(path: str) -> dict[str, str]:
        name = org.text(path)
        return {"name": name, "name_upper": upper(name)}

    on_behalf = org.text("committee.signer.on_behalf_of")
    committee = named("committee.name")
    if on_behalf == "BAN THƯỜNG VỤ":
        authority = f"BAN THƯỜNG VỤ {committee['name_upper']}"
    else:
        authority = committee["name_upper"]
    return {
        "superior": named("superior.name"),
        "committee": {
            **committee,
            "symbol": org.text("committee.symbol"),
            "place": org.text("committee.place"),
            "advisory_body": org.text("committee.advisory_body"),
            "authority_line": authority,
            "signer": {
                "on_behalf": f"T/M {on_behalf}" if on_behalf else "",
                "title": org.text("committee.signer.title"),
                "full_name": org.text("committee.signer.full_name"),
            },
        },
        "cell": {
            **named("cell.name"),
            "symbol": org.text("cell.symbol"),
            "signer": {
                "on_behalf": "T/M CHI BỘ",
                "title": org.text("cell.secretary.title", "BÍ THƯ"),
                "full_name": org.text("cell.secretary.full_name"),
            },
        },
    }


def date_text(d: date | None) -> dict[str, str]:
    """A date in the forms' three spellings."""
    if d is None:
        return {"long": "", "short": "", "iso": ""}
    return {"long": long_date(d), "short": f"{d.day:02d}/{d.month:02d}/{d.year}", "iso": d.isoformat()}


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
    }


def _admission_context(c: Record) -> dict[str, Any]:
    return {
        "cell_meeting": {"date": date_text(c.date("admission.cell_meeting.date"))},
        "decision": {
            "number": c.int("admission.decision.number"),
            "date": date_text(c.date("admission.decision.date")),
        },
    }


def legal_basis_lines(form: FormSpec, when: date, org: dict, library: FormLibrary) -> list[str]:
    """The form's "Căn cứ" lines from the edition in force on ``when``; empty lines dropped."""
    edition = library.edition_for(when)
    _, common = library.legal
    values = {
        "org": org,
        "cell_name": org["cell"]["name"],
        "committee_name": org["committee"]["name"],
        "advisory_body": org["committee"]["advisory_body"],
        "delegation": org.get("delegation", ""),
    }
    lines = []
    for key in form.legal_basis:
        source = edition.lines.get(key, common.get(key))
        if source is None:
            continue
        text = render_text(source, values).strip()
        if text:
            lines.append(text)
    return lines


def build_context(form: FormSpec, inputs: Inputs, library: FormLibrary) -> dict[str, Any]:
    """The render context of one document of ``form``."""
    org = inputs["org"]
    ctx: dict[str, Any] = _org_context(org)
    ctx["delegation"] = org.text("committee.delegation")
    subject = inputs.records.get(form.subject)
    doc_date = subject.date(form.date_field) if subject else None
    number = subject.int(form.number_field) if subject and form.number_field else None
    symbol = ctx["cell"]["symbol"] if form.issuer == "cell" else ctx["committee"]["symbol"]
    ctx["form"] = {"code": form.code, "title": form.title, "doc_type": form.doc_type, "summary": form.summary}
    ctx["doc"] = {
        "number": doc_number(number, form.doc_type_abbr, symbol),
        "date": date_text(doc_date),
        "place_date": place_date_line(ctx["committee"]["place"], doc_date) if doc_date else "",
    }
    if form.subject == "candidate" and subject is not None:
        ctx["candidate"] = _candidate_context(subject)
        ctx["admission"] = _admission_context(subject)
    ctx["legal_basis"] = legal_basis_lines(form, doc_date, ctx, library) if doc_date and form.legal_basis else []
    return ctx
