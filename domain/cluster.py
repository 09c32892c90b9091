"""Emulation clusters and blocks (cụm, khối thi đua) and their members' emulation pacts.

A cluster (by territory) or block (by sector) groups units that emulate together; each member
unit signs an emulation pact (giao ước thi đua), once per movement. A cluster or block may
register in a movement itself (participant kind "cluster"), under the cluster deadline.

How the application uses this::

    cluster = Cluster.form("BTB", "Cụm Bắc Trung Bộ", kind="cluster", members=[...], at=at)
    cluster = app.repository.get(Cluster.id_for("BTB"))
    cluster.sign_pact("HNA", movement="TD-2019", at=at)
    app.save(cluster)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import require_aware, require_text, require_unique
from domain.base import Aggregate, aggregate_id
from domain.errors import AlreadyExistsError, NotFoundError, UsageError
from domain.ids import check_id

CLUSTER_KINDS = ("cluster", "block")
_SECRETARY = frozenset({"secretary"})


class Pact(msgspec.Struct, frozen=True):
    """One member unit's emulation pact for one movement (state)."""

    unit: str
    movement: str
    at: datetime


class Cluster(Aggregate):
    """A cluster or block of units, and the pacts its members signed."""

    class Formed(Aggregate.Created, frozen=True, kw_only=True):
        """A cluster or block was formed with its member units."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        cluster_id: str
        name: str
        kind: str
        members: list[str]
        at: datetime

        def apply(self, agg: Cluster) -> None:
            agg.cluster_id, agg.name, agg.kind = self.cluster_id, self.name, self.kind
            agg.members, agg.pacts = list(self.members), []

    class PactSigned(Aggregate.Event, frozen=True, kw_only=True):
        """A member unit signed the emulation pact for a movement."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        unit: str
        movement: str
        at: datetime

        def apply(self, agg: Cluster) -> None:
            agg.pacts.append(Pact(self.unit, self.movement, self.at))

    cluster_id: str
    name: str
    kind: str
    members: list[str]
    pacts: list[Pact]

    @staticmethod
    def id_for(cluster_id: str) -> UUID:
        return aggregate_id("cluster", cluster_id)

    @classmethod
    def form(
        cls, cluster_id: str, name: str, *, kind: str, members: Sequence[str], at: datetime
    ) -> Cluster:
        check_id("cluster", cluster_id)
        subject = f"{kind} {cluster_id!r}"
        require_aware(at, subject)
        if kind not in CLUSTER_KINDS:
            raise UsageError(f"{subject}: kind must be one of {', '.join(CLUSTER_KINDS)}")
        if not members:
            raise UsageError(f"{subject}: give at least one member unit")
        for unit in require_unique(members, f"{subject}: unit"):
            check_id("unit", unit)
        return cls._create(
            cls.Formed,
            id=cls.id_for(cluster_id),
            cluster_id=cluster_id,
            name=require_text(name, f"{subject}: name"),
            kind=kind,
            members=list(members),
            at=at,
        )

    def sign_pact(self, unit: str, *, movement: str, at: datetime) -> None:
        subject = f"pact rejected: unit {unit!r}"
        require_aware(at, subject)
        if unit not in self.members:
            raise NotFoundError(f"{subject} is not a member of {self.kind} {self.cluster_id}")
        if any(p.unit == unit and p.movement == movement for p in self.pacts):
            raise AlreadyExistsError(f"{subject} already signed the pact for {movement}")
        self.trigger_event(self.PactSigned, unit=unit, movement=movement, at=at)
