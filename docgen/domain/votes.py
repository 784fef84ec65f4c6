"""The base of a party vote (294-QĐ/TW §9.3.2): what a cell's two-thirds vote on an admission
and a congress's majority are counted against.

Apart from :mod:`docgen.domain.elections`, which counts a congress's ballots: an admission paper
needs this alone, and importing the election arithmetic (its classes) costs every paper 5 ms.
"""

from __future__ import annotations

from typing import overload


@overload
def vote_base(official: int, not_counted: int = 0) -> int: ...
@overload
def vote_base(official: int | None, not_counted: int = 0) -> int | None: ...


def vote_base(official: int | None, not_counted: int = 0) -> int | None:
    """The base of a party vote: the official members, less those not counted (294-QĐ/TW
    §9.3.2). A cell's two-thirds vote on an admission and a congress's majority in an election
    are counted against it. None when the number of official members is not known."""
    if official is None:
        return None
    return official - not_counted
