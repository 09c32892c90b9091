"""Read model: registrations and scores per movement, and the standings computed from them.

The fold keeps, per (movement, participant), the registration (for a late one: effective time
`at`, append time, deadline, override reason) and the *latest* score per criterion — appraisal
and self scores apart, corrections replacing earlier scores (the old ones stay in the log and
in `awards history`). Standings apply the movement's formula with the domain's own function
(`domain.movement.formula_total`: ``weighted_sum``, the sum of weight x latest appraisal points;
self scores never count) and rank by total (equal totals share a rank: 1, 2, 2, 4), ties listed
by participant id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from itertools import groupby, repeat
from sys import intern
from typing import Any
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.movement import Criterion, formula_of
from domain.participation import Participation
from projections.stream import EventMeta


class Lateness(msgspec.Struct, gc=False):
    """A registration after its deadline (rule 4): both times, the deadline, the override."""

    at: datetime
    time: datetime
    deadline: date
    override_reason: str | None
    seq: int
    signer: str


class ParticipationView(msgspec.Struct, gc=False):
    """One participant's registration in one movement, and its latest scores.

    Only a late registration keeps its times (`late`); there can be a great many on time."""

    movement: str
    participant: str
    kind: str
    titles: list[str]
    seq: int
    late: Lateness | None = None
    appraisal: dict[str, float] = msgspec.field(default_factory=dict)
    self_scores: dict[str, float] = msgspec.field(default_factory=dict)
    appraisers: list[str] = msgspec.field(default_factory=list)
    scores: int = 0
    corrections: int = 0
    scored_at: datetime | None = None  # the latest effective time among the appraisals

    @property
    def only_self_scored(self) -> bool:
        """It has scores and all are self scores (rule 6, as `Participation.only_self_scored`)."""
        return bool(self.self_scores) and not self.appraisal


class Participations(msgspec.Struct):
    """Every participation, by its aggregate id (which `Participation.id_for` derives from the
    movement and participant), in registration order."""

    by_id: dict[UUID, ParticipationView] = msgspec.field(default_factory=dict)

    def get(self, movement: str, participant: str) -> ParticipationView | None:
        return self.by_id.get(Participation.id_for(movement, participant))

    def of(self, movement: str) -> list[ParticipationView]:
        return [p for p in self.by_id.values() if p.movement == movement]


def _registered(state: Participations, event: Participation.Registered, meta: EventMeta) -> None:
    late = None
    if event.late:
        late = Lateness(
            event.at, meta.time, event.deadline, event.override_reason, meta.seq, meta.signer
        )
    state.by_id[event.originator_id] = ParticipationView(
        movement=intern(event.movement),
        participant=intern(event.participant),
        kind=intern(event.participant_kind),
        titles=[intern(t) for t in event.titles],
        seq=meta.seq,
        late=late,
    )


def _scored(state: Participations, event: Participation.Scored, meta: EventMeta) -> None:
    view = state.by_id.get(event.originator_id)
    if view is None:
        return
    view.scores += 1
    view.corrections += event.correction
    if event.kind == "self":
        view.self_scores[intern(event.criterion)] = event.points
        return
    view.appraisal[intern(event.criterion)] = event.points
    if view.scored_at is None or event.at > view.scored_at:
        view.scored_at = event.at
    if event.scorer not in view.appraisers:
        view.appraisers.append(intern(event.scorer))


HANDLERS: dict[type[DomainEvent], Callable[[Participations, Any, EventMeta], None]] = {
    Participation.Registered: _registered,
    Participation.Scored: _scored,
}


def fold_participations(
    state: Participations, event: DomainEvent, meta: EventMeta
) -> Participations:
    """Fold one event (see the module docstring); other events leave `state` as it is."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, meta)
    return state


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


def rank_standings(
    formula: str,
    criteria: Sequence[Criterion],
    participations: Sequence[ParticipationView],
    names: Callable[[str], str | None] = lambda _: None,
) -> list[Standing]:
    """Standings of a movement's participations: highest total first, competition ranking."""
    total_of = formula_of(formula, criteria)
    rows = [
        Standing(
            participant=p.participant,
            total=round(total_of(p.appraisal), 6),
            rank=0,
            criteria=p.appraisal,  # shared, not copied: scores only name launched criteria
            self_scores=p.self_scores,
            kind=p.kind,
            name=names(p.participant),
            scores=p.scores,
            corrections=p.corrections,
            at=p.scored_at,
        )
        for p in participations
    ]
    ranked = []
    for i, rank in ranking([row.total for row in rows], [row.participant for row in rows]):
        rows[i].rank = rank
        ranked.append(rows[i])
    return ranked


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
