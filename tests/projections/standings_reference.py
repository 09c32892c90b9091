"""The standings as first defined, a row at a time: the oracle the column-by-column read
models are checked against (projections/movement_view.py and projections/participations.py
keep the same participations as columns; cli/standings_render.py prints the same rows).

Per (movement, participant) the fold keeps the registration (a late one's Lateness) and the
*latest* score per criterion, appraisal and self scores apart, corrections replacing earlier
scores; `rank_standings` applies the movement's formula (the domain's own function) and ranks
by total, equal totals sharing a rank (1, 2, 2, 4), ties listed by participant id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from sys import intern
from typing import Any
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.movement import Criterion, formula_of
from domain.participation import Participation
from projections.standings import Lateness, Standing, ranking
from projections.stream import EventMeta
from projections.viewspec import ViewSpec


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


REFERENCE_VIEW: ViewSpec[Participations] = ViewSpec(
    name="reference-participations",
    version="reference-participations/1",
    state_type=Participations,
    initial=Participations,
    fold=fold_participations,
    event_types=tuple(HANDLERS),
)
