"""Election arithmetic of a cell congress (domain.md §4.6, §6.2); the base of its votes is
:func:`docgen.domain.votes.vote_base`.

Pure functions on plain numbers (and, for :func:`election_tally`, one election of the input as
the JSON holds it); the check stage's rules and the context builder both use them. A candidate
is elected only with more than half of the official members counted for the vote
(``2*votes > base``); when more pass than there are seats, the highest votes win, and a tie
across the last seat is left undecided for a re-vote. Integer arithmetic only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .vietnamese import sort_key


@dataclass(frozen=True)
class Candidate:
    index: int  # position in the ballot list
    full_name: str
    votes: int


@dataclass
class Tally:
    """The outcome of one election."""

    seats: int
    base: int
    candidates: list[Candidate]
    elected: list[Candidate] = field(default_factory=list)   # highest votes first
    tied: list[Candidate] = field(default_factory=list)      # over half, tied across the last seat
    passing: list[Candidate] = field(default_factory=list)   # over half, by votes

    @property
    def unfilled(self) -> int:
        """Seats still empty (after a tie, the tied seats are empty too)."""
        return self.seats - len(self.elected)


def over_half(votes: int, base: int) -> bool:
    """More than half of ``base``: ``2*votes > base`` (7 of 14 is not, 8 of 14 is)."""
    return 2 * votes > base


def least_over_half(base: int) -> int:
    """The fewest votes that are more than half of ``base`` (8 of 14, 7 of 13)."""
    return base // 2 + 1


def tally(seats: int, base: int, candidates: list[Candidate]) -> Tally:
    """Who is elected: over half, then by votes; a tie across the last seat elects none of the tied."""
    if seats < 0:  # inputs are bounded (fields.toml); a negative count is a caller's bug
        raise ValueError("tally: the number of seats cannot be negative")
    passing = sorted((c for c in candidates if over_half(c.votes, base)), key=lambda c: (-c.votes, c.index))
    t = Tally(seats=seats, base=base, candidates=list(candidates), passing=passing)
    if seats == 0:  # a round held when every seat was filled elects nobody (election.rounds names it)
        return t
    if len(passing) <= seats:
        t.elected = passing
        return t
    cutoff = passing[seats - 1].votes
    if passing[seats].votes == cutoff:
        t.elected = [c for c in passing if c.votes > cutoff]
        t.tied = [c for c in passing if c.votes == cutoff]
    else:
        t.elected = passing[:seats]
    return t


def surplus_over_limit(listed: int, seats: int, limit_percent: int) -> bool:
    """The list exceeds the seats by more than ``limit_percent`` (190-QĐ/TW Art. 14: 30%)."""
    return 100 * (listed - seats) > limit_percent * seats


def election_tally(e: dict, base: int) -> tuple[list[dict], Tally]:
    """Ballot order (Vietnamese alphabetical) and the tally of one ``congress.elections[]`` item."""
    listed = e.get("candidates")
    raw = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    ordered = sorted(raw, key=lambda c: sort_key(str(c.get("full_name", ""))))
    cands = [Candidate(i, str(c.get("full_name", "")), _count(c.get("votes"))) for i, c in enumerate(ordered)]
    return ordered, tally(_count(e.get("seats")), base, cands)


def _count(value: object) -> int:
    """A count of the input as it is when it is an integer, else 0."""
    return value if isinstance(value, int) else 0


# the show-of-hands votes of a congress, as congress.votes names them (fields.toml)
VOTES = ("agenda", "working_rules", "committee_size", "candidate_list", "resolution")


@dataclass(frozen=True)
class Attendance:
    """Who of the cell was absent, from ``congress.members.absent[]``: the absent official and
    probationary members, and the official members the base leaves out (294-QĐ/TW §9.3.2)."""

    absent_official: int
    absent_probationary: int
    not_counted: int


def attendance(absent: object, excluded: tuple[str, ...] | list[str]) -> Attendance:
    """Count ``absent`` (the JSON list as given; items that are not objects are skipped): an
    official absentee whose ``category`` is in ``excluded`` is not counted in the base. Only an
    absentee can be left out, so ``not_counted`` never exceeds the absent official members."""
    items = [it for it in absent if isinstance(it, dict)] if isinstance(absent, list) else []
    official = [it for it in items if it.get("status") == "official"]
    return Attendance(
        absent_official=len(official),
        absent_probationary=sum(1 for it in items if it.get("status") == "probationary"),
        not_counted=sum(1 for it in official if it.get("category") in excluded),
    )


@dataclass
class Round:
    """One ballot of an election: the first (the election's own list) or a further round."""

    number: int             # 1 for the first ballot
    source: dict            # the JSON object holding candidates and ballots
    ordered: list[dict]     # its candidates in ballot order
    tally: Tally


def election_rounds(e: dict, base: int) -> list[Round]:
    """The first ballot and every further round of one ``congress.elections[]`` item, each
    tallied for the seats still empty after the rounds before it."""
    ordered, t = election_tally(e, base)
    rounds = [Round(1, e, ordered, t)]
    left = t.unfilled
    further = e.get("rounds")
    for i, r in enumerate(further if isinstance(further, list) else []):
        if not isinstance(r, dict):
            continue
        ordered, t = election_tally({**r, "seats": max(left, 0)}, base)
        rounds.append(Round(i + 2, r, ordered, t))
        left = t.unfilled
    return rounds


def elected_in(rounds: list[Round]) -> list[Candidate]:
    """Everyone elected, round by round (highest votes first within a round)."""
    return [c for r in rounds for c in r.tally.elected]
