"""Check stage: the party rules, one function per rule id of ``forms/_shared/rules.toml``.

Each function reads typed values from the inputs and yields a :class:`Violation` per breach;
metadata and wording stay in the data file. A function returns quietly when a value it
needs is missing or malformed: the required-field check reports that.
"""

from __future__ import annotations

from typing import Iterator

from .checks import Inputs, Violation, rule


@rule("dates.decision_after_meeting")
def decision_after_meeting(inputs: Inputs, params: dict) -> Iterator[Violation]:
    c = inputs.records.get("candidate")
    if c is None:
        return
    meeting, decision = c.date("admission.cell_meeting.date"), c.date("admission.decision.date")
    if meeting and decision and decision < meeting:
        yield Violation("admission.decision.date", decision=decision, meeting=meeting)
