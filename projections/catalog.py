"""Read model: who and what the ledger names — units, people, clusters, initiatives, signers, and
the movements with their criteria, formula, rulebook and spec hash.

Pure fold: ``fold_catalog(state, event, meta) -> state`` changes only `state` (in place, and
returns it), reads nothing else, and ignores events it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from sys import intern
from typing import Any
from uuid import UUID

import msgspec

from domain.actor import local_date
from domain.base import DomainEvent
from domain.cluster import Cluster
from domain.initiative import Initiative
from domain.movement import Criterion, Movement, deadline_for
from domain.registry import Ledger, Person, Signer, Unit
from domain.rulebook import Rulebook
from projections.signers import SignerView, apply_signer_event
from projections.stream import EventMeta


class UnitView(msgspec.Struct, gc=False):
    id: str
    name: str
    level: str
    parent: str | None
    seq: int
    merged_into: str | None = None  # its successor after a signed merger (Unit.Merged)
    merged_on: date | None = None  # the (Vietnam) day of the merger


class PersonView(msgspec.Struct, gc=False):
    id: str
    name: str
    unit: str
    category: str | None
    direct_worker: bool
    seq: int
    leader_level: str | None = None  # agency / department / division (domain LEADER_LEVELS)


class PactView(msgspec.Struct):
    unit: str
    movement: str
    at: datetime


class ClusterView(msgspec.Struct):
    id: str
    name: str
    kind: str
    members: list[str]
    pacts: list[PactView] = msgspec.field(default_factory=list)


class InitiativeView(msgspec.Struct):
    id: str
    person: str
    name: str
    scope: str
    year: int
    at: datetime
    seq: int


class MovementView(msgspec.Struct):
    """A movement as launched: everything that judges its participants, and who launched it."""

    id: str
    name: str
    theme: str
    kind: str
    start: date
    end: date
    unit_deadline: date
    cluster_deadline: date | None
    criteria: list[Criterion]
    formula: str
    rulebook: Rulebook
    spec_hash: bytes
    at: datetime
    time: datetime
    seq: int
    signer: str

    @property
    def year(self) -> int:
        """The year its awards count for (as `domain.movement.Movement.year`)."""
        return self.end.year

    def deadline_for(self, participant_kind: str) -> date:
        """As `domain.movement.deadline_for`."""
        return deadline_for(participant_kind, self.unit_deadline, self.cluster_deadline)


class Catalog(msgspec.Struct):
    origin: str | None = None
    operator: str | None = None
    units: dict[str, UnitView] = msgspec.field(default_factory=dict)
    people: dict[str, PersonView] = msgspec.field(default_factory=dict)
    clusters: dict[str, ClusterView] = msgspec.field(default_factory=dict)
    initiatives: dict[str, InitiativeView] = msgspec.field(default_factory=dict)
    signers: dict[str, SignerView] = msgspec.field(default_factory=dict)
    signer_ids: dict[UUID, str] = msgspec.field(default_factory=dict)
    cluster_ids: dict[UUID, str] = msgspec.field(default_factory=dict)
    movements: dict[str, MovementView] = msgspec.field(default_factory=dict)

    def unit_level(self, unit: str) -> str | None:
        found = self.units.get(unit)
        return found.level if found else None

    def name_of(self, participant: str) -> str | None:
        """The display name of a person, unit or cluster id, if the ledger names it."""
        for table in (self.people, self.units, self.clusters):
            found = table.get(participant)
            if found is not None:
                return found.name
        return None

    def headcounts(self) -> dict[str, int]:
        """People recorded per unit (the members an excellent_collective is measured against)."""
        counts: dict[str, int] = {}
        for person in self.people.values():
            counts[person.unit] = counts.get(person.unit, 0) + 1
        return counts


def _initialised(state: Catalog, event: Ledger.Initialised, meta: EventMeta) -> None:
    state.origin, state.operator = event.origin, event.operator


def _rotated(state: Catalog, event: Ledger.OperatorRotated, meta: EventMeta) -> None:
    state.operator = event.operator


def _unit(state: Catalog, event: Unit.Added, meta: EventMeta) -> None:
    parent = intern(event.parent) if event.parent else None
    state.units[intern(event.unit_id)] = UnitView(
        intern(event.unit_id), event.name, intern(event.level), parent, meta.seq
    )


def _merged(state: Catalog, event: Unit.Merged, meta: EventMeta) -> None:
    for unit in state.units.values():  # mergers are rare: no id index kept for them
        if Unit.id_for(unit.id) == event.originator_id:
            unit.merged_into, unit.merged_on = intern(event.into), local_date(event.at)
            return


def _person(state: Catalog, event: Person.Added, meta: EventMeta) -> None:
    category = intern(event.category) if event.category else None
    state.people[intern(event.person_id)] = PersonView(
        intern(event.person_id), event.name, intern(event.unit), category, event.direct_worker,
        meta.seq, intern(event.leader_level) if event.leader_level else None,
    )  # fmt: skip


def _signer(state: Catalog, event: Signer.Registered | Signer.Revoked, meta: EventMeta) -> None:
    if isinstance(event, Signer.Registered):
        state.signer_ids[event.originator_id] = event.name
    name = state.signer_ids.get(event.originator_id)
    if name is not None:
        apply_signer_event(state.signers, name, event)


def _cluster(state: Catalog, event: Cluster.Formed, meta: EventMeta) -> None:
    state.cluster_ids[event.originator_id] = event.cluster_id
    state.clusters[event.cluster_id] = ClusterView(
        event.cluster_id, event.name, event.kind, list(event.members)
    )


def _pact(state: Catalog, event: Cluster.PactSigned, meta: EventMeta) -> None:
    cluster = state.clusters.get(state.cluster_ids.get(event.originator_id, ""))
    if cluster is not None:
        cluster.pacts.append(PactView(event.unit, event.movement, event.at))


def _initiative(state: Catalog, event: Initiative.Recognised, meta: EventMeta) -> None:
    state.initiatives[event.initiative_id] = InitiativeView(
        event.initiative_id, event.person, event.name, event.scope, event.year, event.at, meta.seq
    )


def _movement(state: Catalog, event: Movement.Launched, meta: EventMeta) -> None:
    state.movements[event.movement_id] = MovementView(
        id=event.movement_id,
        name=event.name,
        theme=event.theme,
        kind=event.kind,
        start=event.start,
        end=event.end,
        unit_deadline=event.unit_deadline,
        cluster_deadline=event.cluster_deadline,
        criteria=list(event.criteria),
        formula=event.formula,
        rulebook=event.rulebook,
        spec_hash=event.spec_hash,
        at=event.at,
        time=meta.time,
        seq=meta.seq,
        signer=meta.signer,
    )


HANDLERS: dict[type[DomainEvent], Callable[[Catalog, Any, EventMeta], None]] = {
    Ledger.Initialised: _initialised,
    Ledger.OperatorRotated: _rotated,
    Unit.Added: _unit,
    Unit.Merged: _merged,
    Person.Added: _person,
    Signer.Registered: _signer,
    Signer.Revoked: _signer,
    Cluster.Formed: _cluster,
    Cluster.PactSigned: _pact,
    Initiative.Recognised: _initiative,
    Movement.Launched: _movement,
}


def fold_catalog(state: Catalog, event: DomainEvent, meta: EventMeta) -> Catalog:
    """Fold one event into the catalog (see the module docstring)."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, meta)
    return state
