"""The standings of one movement as a view of its own: what `awards standings M` reads for a
movement too large to read from the event index (projections/indexed.py, which folds the
movement's own events with this module's fold), or under a time cut.

The ledger view (projections/view.py) holds every movement, person and decision: reading it
back costs the whole ledger (seconds and hundreds of MB at a million events). This view holds
one movement's part only — its launch, the participations registered for it with their latest
scores (the very handlers of projections/standings.py) — and the display names of people,
units and clusters (names never change once added, and a participant may be named before or
after registering, so all are kept: a few bytes each). Scores name no movement: a score is
kept when its aggregate is a participation of this movement (`_scored` ignores the others).

`movement_view(M)` is a :class:`ViewSpec` named ``standings:M``: the runner (projections/
runner.py) stores it sealed and anchored at the newest signed checkpoint like every view, and
a read folds only the events appended since that copy; `verify` audits its row with the others
(projections/verify_views.py). Its answer equals the ledger view's for M (tests/projections
checks it over worlds with corrections and several movements).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from domain.base import DomainEvent
from domain.cluster import Cluster
from domain.movement import Movement
from domain.participation import Participation
from domain.registry import Person, Unit
from projections import catalog, standings
from projections.stream import EventMeta
from projections.view import ViewSpec


class MovementStandings(msgspec.Struct):
    """One movement's launch, its participations, and every participant's display name."""

    movement: str
    launched: catalog.MovementView | None = None
    participations: standings.Participations = msgspec.field(
        default_factory=standings.Participations
    )
    people: dict[str, str] = msgspec.field(default_factory=dict)
    units: dict[str, str] = msgspec.field(default_factory=dict)
    clusters: dict[str, str] = msgspec.field(default_factory=dict)

    def name_of(self, participant: str) -> str | None:
        """As `Catalog.name_of`: a person's name first, then a unit's, then a cluster's."""
        for table in (self.people, self.units, self.clusters):
            found = table.get(participant)
            if found is not None:
                return found
        return None


def _launched(state: MovementStandings, event: Movement.Launched, meta: EventMeta) -> None:
    if event.movement_id == state.movement:
        launch = catalog.Catalog()
        catalog.HANDLERS[Movement.Launched](launch, event, meta)
        state.launched = launch.movements[event.movement_id]


def _registered(
    state: MovementStandings, event: Participation.Registered, meta: EventMeta
) -> None:
    if event.movement == state.movement:
        standings.HANDLERS[Participation.Registered](state.participations, event, meta)


def _scored(state: MovementStandings, event: Participation.Scored, meta: EventMeta) -> None:
    standings.HANDLERS[Participation.Scored](state.participations, event, meta)


def _person(state: MovementStandings, event: Person.Added, meta: EventMeta) -> None:
    state.people[event.person_id] = event.name


def _unit(state: MovementStandings, event: Unit.Added, meta: EventMeta) -> None:
    state.units[event.unit_id] = event.name


def _cluster(state: MovementStandings, event: Cluster.Formed, meta: EventMeta) -> None:
    state.clusters[event.cluster_id] = event.name


HANDLERS: dict[type[DomainEvent], Callable[[MovementStandings, Any, EventMeta], None]] = {
    Movement.Launched: _launched,
    Participation.Registered: _registered,
    Participation.Scored: _scored,
    Person.Added: _person,
    Unit.Added: _unit,
    Cluster.Formed: _cluster,
}


def fold_movement(
    state: MovementStandings, event: DomainEvent, meta: EventMeta
) -> MovementStandings:
    """Fold one event (see the module docstring); other events leave `state` as it is."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, meta)
    return state


def movement_view(movement: str) -> ViewSpec[MovementStandings]:
    """The standings view of `movement`, which the runner stores and keeps current."""
    return ViewSpec(
        name=f"standings:{movement}",
        version="standings/1",
        state_type=MovementStandings,
        initial=lambda: MovementStandings(movement),
        fold=fold_movement,
        event_types=tuple(HANDLERS),
    )
