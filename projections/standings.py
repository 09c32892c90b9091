"""The standings of a movement: what a row shows (`Standing`), how rows are ranked
(`ranking`, `ranks_of`), and what a late registration keeps (`Lateness`).

A participation's latest score per criterion counts — appraisal and self scores apart,
corrections replacing earlier scores (the old ones stay in the log and in `awards history`).
Standings apply the movement's formula with the domain's own function
(`domain.movement.formula_totals`: ``weighted_sum``, the sum of weight x latest appraisal
points; self scores never count) and rank by total (equal totals share a rank: 1, 2, 2, 4),
ties listed by participant id. The participations are kept column by column
(projections/movement_view.py); tests/projections/standings_reference.py keeps the first
definition, a row at a time, which the columns are checked against.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from itertools import groupby, repeat

import msgspec


class Lateness(msgspec.Struct, gc=False):
    """A registration after its deadline (rule 4): both times, the deadline, the override."""

    at: datetime
    time: datetime
    deadline: date
    override_reason: str | None
    seq: int
    signer: str


# -- standings -------------------------------------------------------------------------------------


class Standing(msgspec.Struct):
    """One participant's place: total by the formula, rank, latest points per criterion."""

    participant: str
    total: float
    rank: int
    criteria: dict[str, float]
    self_scores: dict[str, float]
    kind: str
    name: str | None = None
    scores: int = 0
    corrections: int = 0
    at: datetime | None = None  # the latest effective time among the appraisals counted


def ranking(totals: Sequence[float], participants: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(index, rank) of each of the rows with these totals and participant ids, best first:
    highest total first, equal totals by participant id and sharing a rank (1, 2, 2, 4)."""
    order = sorted(range(len(totals)), key=participants.__getitem__)
    order.sort(key=totals.__getitem__, reverse=True)  # stable: ties stay by participant
    return zip(order, ranks_of(order, totals), strict=True)


def ranks_of(order: Sequence[int], totals: Sequence[float]) -> list[int]:
    """The ranks of the rows `order` (best first) whose totals are `totals[row]`: a row with
    the total of the one before shares its rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    for _, tied in groupby(map(totals.__getitem__, order)):  # runs of equal totals
        ranks.extend(repeat(len(ranks) + 1, len(list(tied))))
    return ranks
