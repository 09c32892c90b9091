"""The registry: the ledger's genesis, its signers (keys and roles), units and people.

Pure domain: public methods check, then trigger an event whose ``apply`` only mutates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.base import Aggregate, aggregate_id
from domain.errors import DomainError, UsageError
from domain.ids import PersonId, SignerName, UnitId, check_id, check_signer_name, check_token
from domain.text import check_text

OPERATOR = "operator"
ROLES = frozenset(
    {
        OPERATOR,
        "secretary",
        "scorer",
        "council_member",
        "council_chair",
        "counter",
        "initiative_council",
        "authority",
    }
)
CATEGORIES = frozenset({"cadre", "civil_servant", "public_employee", "worker", "contract_worker"})
# The closed list of unit levels (the README's `unit add`): agency (cơ quan), department (cấp Vụ),
# division (cấp Phòng), office, and the administrative levels province (cấp tỉnh), district
# (cấp huyện) and commune (cấp xã) whose chairs' competence the regimes' matrix sets. A new
# level needs its documented reason here and in the README; stored events with another level
# stay readable (only `Unit.add` checks).
KNOWN_UNIT_LEVELS = (
    "agency",
    "department",
    "division",
    "office",
    "province",
    "district",
    "commune",
)
# Leadership levels of a person (lãnh đạo, quản lý), for the yearly statistics forms' "leaders by
# level" (docs/REPORTS.md, "Statistics"): the head or a deputy of an agency, ministry or province
# (cấp Bộ, tỉnh và tương đương), of a department (cấp Vụ, Sở và tương đương) or of a division
# (cấp Phòng và tương đương). A person who leads nothing has none (null).
LEADER_LEVELS = ("agency", "department", "division")

_OPERATOR_ONLY = frozenset({OPERATOR})
_RECORDERS = frozenset({"secretary"})


class Ledger(Aggregate):
    """The ledger's genesis (origin and operator key) and the checkpoints signed over it."""

    ID: ClassVar[UUID] = aggregate_id("ledger", "genesis")

    class Initialised(Aggregate.Created, frozen=True, kw_only=True):
        """The genesis: the first event of every ledger, self-signed by its operator."""

        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        origin: str
        operator: str
        operator_key: bytes

        def apply(self, agg: Ledger) -> None:
            agg.origin = self.origin
            agg.operator = self.operator
            agg.operator_key = self.operator_key
            agg.latest_checkpoint = None
            agg.cosigned_note = None

    class CheckpointSigned(Aggregate.Event, frozen=True, kw_only=True):
        """The operator signed a C2SP checkpoint over the first `size` leaves."""

        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        structured_text: ClassVar[frozenset[str]] = frozenset({"note"})
        size: int
        root_hash: bytes
        note: str
        frontier: list[bytes]

        def apply(self, agg: Ledger) -> None:
            agg.latest_checkpoint = self
            agg.cosigned_note = None

    class OperatorRotated(Aggregate.Event, frozen=True, kw_only=True):
        """The operator handed the log to a new key (signed by the outgoing operator).

        From here on checkpoints are signed by the new key; older checkpoints stay valid."""

        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        operator: str
        operator_key: bytes

        def apply(self, agg: Ledger) -> None:
            agg.operator = self.operator
            agg.operator_key = self.operator_key

    class CosignaturesAttached(Aggregate.Event, frozen=True, kw_only=True):
        """The operator stored a copy of a checkpoint note carrying witness cosignatures."""

        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        structured_text: ClassVar[frozenset[str]] = frozenset({"note"})
        size: int
        note: str

        def apply(self, agg: Ledger) -> None:
            agg.cosigned_note = self.note

    origin: str
    operator: str
    operator_key: bytes
    latest_checkpoint: Ledger.CheckpointSigned | None
    cosigned_note: str | None

    @classmethod
    def initialise(cls, origin: str, operator: SignerName, operator_key: bytes) -> Ledger:
        if (
            not origin
            or "+" in origin
            or any(c.isspace() for c in origin)
            or not origin.isprintable()
        ):
            raise UsageError(
                f"origin {origin!r} is not valid: a non-empty URL without scheme, "
                "no spaces or '+' (it is also the checkpoint key name)"
            )
        check_signer_name(operator)
        return cls._create(
            cls.Initialised, id=cls.ID, origin=origin, operator=operator, operator_key=operator_key
        )

    def record_checkpoint(
        self, size: int, root_hash: bytes, note: str, frontier: list[bytes]
    ) -> None:
        """Store a signed checkpoint. Sizes never go back: a checkpoint smaller than the latest
        stored one (signed while another was being stored) could not be lined up by an
        incremental audit starting from the larger one."""
        latest = self.latest_checkpoint
        if latest is not None and size < latest.size:
            raise DomainError(
                f"checkpoint rejected: a checkpoint of size {latest.size} was stored meanwhile "
                f"(this one covers {size}); run 'awards checkpoint' again"
            )
        self.trigger_event(
            self.CheckpointSigned, size=size, root_hash=root_hash, note=note, frontier=frontier
        )

    def rotate_operator(self, operator: str, operator_key: bytes) -> None:
        check_signer_name(operator)
        if operator_key == self.operator_key:
            raise DomainError("operator rotate rejected: the new key is the current key")
        if len(operator_key) != 32:
            raise UsageError(f"operator key must be 32 bytes, got {len(operator_key)}")
        self.trigger_event(self.OperatorRotated, operator=operator, operator_key=operator_key)

    def attach_cosignatures(self, size: int, note: str) -> None:
        latest = self.latest_checkpoint
        if latest is None or latest.size != size:
            raise DomainError(
                f"checkpoint attach rejected: size {size} is not the latest checkpoint"
            )
        self.trigger_event(self.CosignaturesAttached, size=size, note=note)

    @property
    def published_note(self) -> str | None:
        """The latest checkpoint note, with witness cosignatures when they were attached."""
        if self.latest_checkpoint is None:
            return None
        return self.cosigned_note or self.latest_checkpoint.note


class Signer(Aggregate):
    """A named Ed25519 public key with roles, an optional unit and a competence list.

    `person` links the signer to the person it is (for conflict-of-interest checks: nobody
    scores or votes on themselves or their own unit). An authority's competence may have an
    effective period (`competent_from`, `competent_until`, both inclusive days): a decision
    dated outside it breaks rule `competence`. The period is part of the registration the
    operator signs (docs/FORMAT.md, "Signer.Registered"); a new term is a new registration."""

    class Registered(Aggregate.Created, frozen=True, kw_only=True):
        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        later_fields: ClassVar[tuple[str, ...]] = ("competent_from", "competent_until")
        name: str
        public_key: bytes
        roles: list[str]
        unit: str | None = None
        competence: list[str] = msgspec.field(default_factory=list)
        person: str | None = None
        competent_from: date | None = None
        competent_until: date | None = None

        def apply(self, agg: Signer) -> None:
            agg.person = self.person
            agg.name = self.name
            agg.public_key = self.public_key
            agg.roles = frozenset(self.roles)
            agg.unit = self.unit
            agg.competence = frozenset(self.competence)
            agg.competent_from, agg.competent_until = self.competent_from, self.competent_until
            agg.revoked = False
            agg.revoked_reason = None

    class Revoked(Aggregate.Event, frozen=True, kw_only=True):
        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        reason: str

        def apply(self, agg: Signer) -> None:
            agg.revoked = True
            agg.revoked_reason = self.reason

    name: str
    public_key: bytes
    roles: frozenset[str]
    unit: str | None
    competence: frozenset[str]
    competent_from: date | None
    competent_until: date | None
    person: str | None
    revoked: bool
    revoked_reason: str | None

    @staticmethod
    def id_for(name: str) -> UUID:
        return aggregate_id("signer", name)

    @classmethod
    def register(
        cls,
        name: str,
        public_key: bytes,
        roles: list[str],
        unit: str | None = None,
        competence: list[str] | None = None,
        person: str | None = None,
        competent_from: date | None = None,
        competent_until: date | None = None,
    ) -> Signer:
        check_signer_name(name)
        if len(public_key) != 32:
            raise UsageError(f"signer {name!r}: public key must be 32 bytes, got {len(public_key)}")
        if not roles:
            raise UsageError(f"signer {name!r}: give at least one --role")
        for role in roles:
            if role not in ROLES:
                raise UsageError(
                    f"signer {name!r}: unknown role {role!r} (one of {', '.join(sorted(ROLES))})"
                )
        for award in competence or []:
            check_token("award kind", award)
        if competence and "authority" not in roles:
            raise UsageError(f"signer {name!r}: --competence needs the role 'authority'")
        if (competent_from or competent_until) and not competence:
            raise UsageError(
                f"signer {name!r}: --from/--until bound a competence; give --competence"
            )
        if competent_from and competent_until and competent_until < competent_from:
            raise UsageError(
                f"signer {name!r}: --until {competent_until} is before --from {competent_from}"
            )
        if unit is not None:
            check_id("unit", unit)
        if person is not None:
            check_id("person", person)
        return cls._create(
            cls.Registered,
            id=cls.id_for(name),
            name=name,
            public_key=public_key,
            roles=sorted(set(roles)),
            unit=unit,
            competence=sorted(set(competence or [])),
            person=person,
            competent_from=competent_from,
            competent_until=competent_until,
        )

    def revoke(self, reason: str) -> None:
        if self.revoked:
            raise DomainError(f"signer revoke rejected: signer {self.name!r} is already revoked")
        check_text(reason, f"signer revoke {self.name!r}: reason")
        if not reason.strip():
            raise UsageError(f"signer revoke: give a --reason for revoking {self.name!r}")
        self.trigger_event(self.Revoked, reason=reason)


class SignerKey(Aggregate):
    """Index from a public key to the one signer that holds it (keys are never shared)."""

    class Claimed(Aggregate.Created, frozen=True, kw_only=True):
        required_roles: ClassVar[frozenset[str]] = _OPERATOR_ONLY
        signer: str

        def apply(self, agg: SignerKey) -> None:
            agg.signer = self.signer

    signer: str

    @staticmethod
    def id_for(public_key: bytes) -> UUID:
        return aggregate_id("signer-key", public_key.hex())

    @classmethod
    def claim(cls, public_key: bytes, signer: str) -> SignerKey:
        return cls._create(cls.Claimed, id=cls.id_for(public_key), signer=signer)


class Unit(Aggregate):
    """An organisational unit (đơn vị) with a level and an optional parent."""

    class Added(Aggregate.Created, frozen=True, kw_only=True):
        required_roles: ClassVar[frozenset[str]] = _RECORDERS
        unit_id: str
        name: str
        level: str
        parent: str | None = None

        def apply(self, agg: Unit) -> None:
            agg.unit_id = UnitId(self.unit_id)
            agg.name = self.name
            agg.level = self.level
            agg.parent = UnitId(self.parent) if self.parent else None
            agg.merged_into, agg.merged_at = None, None

    class Merged(Aggregate.Event, frozen=True, kw_only=True):
        """The unit was merged into another (succession, e.g. the 2025 mergers): the other unit
        succeeds to its records and to the competence of its authorities."""

        required_roles: ClassVar[frozenset[str]] = _RECORDERS
        into: str
        reason: str
        at: datetime

        def apply(self, agg: Unit) -> None:
            agg.merged_into = UnitId(self.into)
            agg.merged_at = self.at

    unit_id: UnitId
    name: str
    level: str
    parent: UnitId | None
    merged_into: UnitId | None
    merged_at: datetime | None

    @staticmethod
    def id_for(unit_id: str) -> UUID:
        return aggregate_id("unit", unit_id)

    @classmethod
    def add(cls, unit_id: str, name: str, level: str, parent: Unit | None) -> Unit:
        check_id("unit", unit_id)
        check_token("unit level", level)
        if level not in KNOWN_UNIT_LEVELS:
            raise UsageError(
                f"unit {unit_id!r}: level {level!r} is not one of {', '.join(KNOWN_UNIT_LEVELS)}"
            )
        check_text(name, f"unit {unit_id!r}: name")
        if not name.strip():
            raise UsageError(f"unit {unit_id!r}: name must not be empty")
        return cls._create(
            cls.Added,
            id=cls.id_for(unit_id),
            unit_id=unit_id,
            name=name.strip(),
            level=level,
            parent=parent.unit_id if parent else None,
        )

    def merge_into(self, successor: Unit, reason: str, *, at: datetime, chain: list[str]) -> None:
        """Record that this unit was merged into `successor`; `chain` is the successor's own
        line of successors (so a merge can never close a loop)."""
        subject = f"unit merge rejected: unit {self.unit_id!r}"
        reason = check_text(reason, f"{subject}: reason").strip()
        if not reason:
            raise UsageError(f"{subject}: reason must not be empty")
        if at.tzinfo is None:
            raise UsageError(f"{subject}: time {at.isoformat()} has no time zone")
        if self.merged_into is not None:
            raise DomainError(f"{subject} was already merged into {self.merged_into!r}")
        if successor.unit_id == self.unit_id or self.unit_id in chain:
            raise DomainError(f"{subject} cannot be merged into itself or its own successor")
        self.trigger_event(self.Merged, into=successor.unit_id, reason=reason, at=at)


def successors_of(unit_id: str, merged_into: Callable[[str], str | None]) -> list[str]:
    """`unit_id` and each unit it was merged into, in order (`merged_into` looks one up)."""
    line = [unit_id]
    nxt = merged_into(unit_id)
    while nxt is not None and nxt not in line:
        line.append(nxt)
        nxt = merged_into(nxt)
    return line


def successor_on(unit_id: str, day: date, mergers: Mapping[str, tuple[str, date]]) -> str:
    """The unit that stands for `unit_id` on `day`: the unit itself, or the unit it was merged
    into by then, following each merger dated on or before `day` (`mergers`: a unit's successor
    and the day of its merger). The read side of succession: counts per unit (a quota) follow
    it without rewriting the events that named the old unit."""
    seen = {unit_id}
    while (merger := mergers.get(unit_id)) is not None and merger[1] <= day:
        unit_id = merger[0]
        if unit_id in seen:
            break
        seen.add(unit_id)
    return unit_id


class Person(Aggregate):
    """A person, by pseudonymous id: display name, unit, category, front-line flag and
    leadership level."""

    class Added(Aggregate.Created, frozen=True, kw_only=True):
        required_roles: ClassVar[frozenset[str]] = _RECORDERS
        person_id: str
        name: str
        unit: str
        category: str | None = None
        direct_worker: bool = False
        leader_level: str | None = None  # one of LEADER_LEVELS, or null: leads nothing
        later_fields: ClassVar[tuple[str, ...]] = ("leader_level",)

        def apply(self, agg: Person) -> None:
            agg.person_id = PersonId(self.person_id)
            agg.name = self.name
            agg.unit = UnitId(self.unit)
            agg.category = self.category
            agg.direct_worker = self.direct_worker
            agg.leader_level = self.leader_level

    person_id: PersonId
    name: str
    unit: UnitId
    category: str | None
    direct_worker: bool
    leader_level: str | None

    @staticmethod
    def id_for(person_id: str) -> UUID:
        return aggregate_id("person", person_id)

    @classmethod
    def add(
        cls,
        person_id: str,
        name: str,
        unit: Unit,
        category: str | None,
        direct_worker: bool,
        leader_level: str | None = None,
    ) -> Person:
        check_id("person", person_id)
        check_text(name, f"person {person_id!r}: name")
        if not name.strip():
            raise UsageError(f"person {person_id!r}: name must not be empty")
        if category is not None and category not in CATEGORIES:
            raise UsageError(
                f"person {person_id!r}: unknown category {category!r} "
                f"(one of {', '.join(sorted(CATEGORIES))})"
            )
        if leader_level is not None and leader_level not in LEADER_LEVELS:
            raise UsageError(
                f"person {person_id!r}: unknown leader level {leader_level!r} "
                f"(one of {', '.join(LEADER_LEVELS)})"
            )
        return cls._create(
            cls.Added,
            id=cls.id_for(person_id),
            person_id=person_id,
            name=name.strip(),
            unit=unit.unit_id,
            category=category,
            direct_worker=direct_worker,
            leader_level=leader_level,
        )
