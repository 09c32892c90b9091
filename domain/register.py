"""The consistency boundary of award decisions: one register per movement, one record per recipient.

Rules that span decisions (quota, one award per achievement, prerequisites across years) are
checked against these two aggregates, and every decision appends to them in the same atomic
save as the new `Decision`. Two offices deciding at once both load the same register version;
the second save conflicts (eventsourcing IntegrityError on the register's, or the record's,
next version), so two decisions can never both pass a quota only one of them fits.

- `AwardRegister` (id `AwardRegister.id_for(movement)`): every (recipient, award, year) granted
  in the movement, with the recipient's unit, so per-unit and per-year counts of
  `advanced_worker` and `emulation_fighter_base` (rule 1) come from one place. Every decision in
  the movement appends `AwardsEntered`, even for kinds no rule counts, to serialise them.
- `RecipientRecord` (id `RecipientRecord.id_for(recipient)`): a person's or unit's awards by
  year across movements, and a person's recognised initiatives (evidence for rule 2).

Both are created by their first write (`AwardRegister.open`, `RecipientRecord.open`): two
concurrent first writers collide on version 1 in the same way.

How the application uses this: load `AwardRegister.id_for(m)` and, per recipient,
`RecipientRecord.id_for(r)` (None when not found) and hand them to `decision.decide` or
`decision.annul`, or to `initiative.recognise_initiative`; save what those return.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.base import Aggregate, aggregate_id
from domain.errors import UsageError

_AUTHORITY = frozenset({"authority"})
RECIPIENT_KINDS = ("person", "unit")


class Recipient(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An award recipient: a person (with its unit) or a unit (whose unit is itself)."""

    id: str
    kind: str
    unit: str


class Grant(msgspec.Struct, frozen=True, kw_only=True):
    """One award held in a movement's register (state)."""

    decision: str
    award: str
    year: int
    recipient: Recipient
    annulled: bool = False


class HeldAward(msgspec.Struct, frozen=True, kw_only=True):
    """One award held by a recipient (state)."""

    decision: str
    award: str
    movement: str
    year: int
    date: date
    annulled: bool = False
    initiative: str | None = None


class HeldInitiative(msgspec.Struct, frozen=True, kw_only=True):
    """One recognised initiative of a person (state)."""

    initiative: str
    scope: str
    year: int


class AwardRegister(Aggregate):
    """Every award granted in one movement: the quota and one-award-per-achievement boundary."""

    class Opened(Aggregate.Created, frozen=True, kw_only=True):
        """The movement's award register was started by its first decision."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        movement: str

        def apply(self, agg: AwardRegister) -> None:
            agg.movement = self.movement
            agg.grants = []

    class AwardsEntered(Aggregate.Event, frozen=True, kw_only=True):
        """A decision's award was entered for its recipients."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        decision: str
        award: str
        year: int
        recipients: list[Recipient]

        def apply(self, agg: AwardRegister) -> None:
            agg.grants.extend(
                Grant(decision=self.decision, award=self.award, year=self.year, recipient=r)
                for r in self.recipients
            )

    class AwardAnnulled(Aggregate.Event, frozen=True, kw_only=True):
        """One recipient's award in a decision was annulled (its quota is freed)."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        decision: str
        recipient: str

        def apply(self, agg: AwardRegister) -> None:
            agg.grants = [
                msgspec.structs.replace(g, annulled=True)
                if g.decision == self.decision and g.recipient.id == self.recipient
                else g
                for g in agg.grants
            ]

    movement: str
    grants: list[Grant]

    @staticmethod
    def id_for(movement_id: str) -> UUID:
        return aggregate_id("award-register", movement_id)

    @classmethod
    def open(cls, movement_id: str) -> AwardRegister:
        return cls._create(cls.Opened, id=cls.id_for(movement_id), movement=movement_id)

    def enter(self, decision: str, award: str, year: int, recipients: list[Recipient]) -> None:
        self.trigger_event(
            self.AwardsEntered, decision=decision, award=award, year=year, recipients=recipients
        )

    def annul(self, decision: str, recipient: str) -> None:
        self.trigger_event(self.AwardAnnulled, decision=decision, recipient=recipient)

    def standing(self) -> list[Grant]:
        """The grants not annulled."""
        return [g for g in self.grants if not g.annulled]

    def holder_of(self, recipient: str, award: str, year: int) -> str | None:
        """The decision that granted `award` to `recipient` for `year` and stands, if any."""
        for g in self.standing():
            if (g.recipient.id, g.award, g.year) == (recipient, award, year):
                return g.decision
        return None

    def count(
        self, award: str, unit: str, year: int, unit_of: Callable[[str], str] | None = None
    ) -> int:
        """Standing `award` grants to persons of `unit` for `year` (rule 1 and rule 2);
        `unit_of` maps the unit a grant names to the unit it counts for (a merged unit's
        successor), else the unit as named."""
        see = unit_of or (lambda u: u)
        return sum(
            1
            for g in self.standing()
            if (g.award, g.year, g.recipient.kind) == (award, year, "person")
            and see(g.recipient.unit) == unit
        )

    def person_units(self) -> set[str]:
        """The units of the persons this register's grants name."""
        return {g.recipient.unit for g in self.grants if g.recipient.kind == "person"}


class RecipientRecord(Aggregate):
    """One recipient's awards by year across movements, and a person's initiatives."""

    class Opened(Aggregate.Created, frozen=True, kw_only=True):
        """The recipient's record was started by its first award or initiative."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"authority", "initiative_council"})
        recipient: str
        recipient_kind: str

        def apply(self, agg: RecipientRecord) -> None:
            agg.recipient, agg.recipient_kind = self.recipient, self.recipient_kind
            agg.awards, agg.initiatives = [], []

    class AwardEntered(Aggregate.Event, frozen=True, kw_only=True):
        """An award was entered on the recipient's record."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        decision: str
        award: str
        movement: str
        year: int
        date: date
        initiative: str | None = None  # the initiative it rests on (one initiative, one award)
        later_fields: ClassVar[tuple[str, ...]] = ("initiative",)

        def apply(self, agg: RecipientRecord) -> None:
            agg.awards.append(
                HeldAward(
                    decision=self.decision,
                    award=self.award,
                    movement=self.movement,
                    year=self.year,
                    date=self.date,
                    initiative=self.initiative,
                )
            )

    class AwardAnnulled(Aggregate.Event, frozen=True, kw_only=True):
        """The recipient's award in a decision was annulled, on a legal ground."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        decision: str
        ground: str

        def apply(self, agg: RecipientRecord) -> None:
            agg.awards = [
                msgspec.structs.replace(a, annulled=True) if a.decision == self.decision else a
                for a in agg.awards
            ]

    class InitiativeNoted(Aggregate.Event, frozen=True, kw_only=True):
        """A recognised initiative of the person was noted (evidence for rule 2)."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"initiative_council"})
        initiative: str
        scope: str
        year: int

        def apply(self, agg: RecipientRecord) -> None:
            agg.initiatives.append(
                HeldInitiative(initiative=self.initiative, scope=self.scope, year=self.year)
            )

    recipient: str
    recipient_kind: str
    awards: list[HeldAward]
    initiatives: list[HeldInitiative]

    @staticmethod
    def id_for(recipient: str) -> UUID:
        return aggregate_id("recipient-record", recipient)

    @classmethod
    def open(cls, recipient: str, recipient_kind: str) -> RecipientRecord:
        if recipient_kind not in RECIPIENT_KINDS:
            raise UsageError(f"recipient {recipient!r}: kind {recipient_kind!r} is not valid")
        return cls._create(
            cls.Opened,
            id=cls.id_for(recipient),
            recipient=recipient,
            recipient_kind=recipient_kind,
        )

    @classmethod
    def open_or_check(
        cls, record: RecipientRecord | None, recipient: str, recipient_kind: str
    ) -> RecipientRecord:
        """`record` if given (its kind must match), else a new record."""
        if record is None:
            return cls.open(recipient, recipient_kind)
        if record.recipient_kind != recipient_kind:
            raise UsageError(
                f"recipient {recipient!r} is a {record.recipient_kind}, not a {recipient_kind}"
            )
        return record

    def enter(
        self,
        decision: str,
        award: str,
        movement: str,
        year: int,
        decided_on: date,
        initiative: str | None = None,
    ) -> None:
        self.trigger_event(
            self.AwardEntered,
            decision=decision,
            award=award,
            movement=movement,
            year=year,
            date=decided_on,
            initiative=initiative,
        )

    def annul(self, decision: str, ground: str) -> None:
        self.trigger_event(self.AwardAnnulled, decision=decision, ground=ground)

    def note_initiative(self, initiative: str, scope: str, year: int) -> None:
        self.trigger_event(self.InitiativeNoted, initiative=initiative, scope=scope, year=year)

    def standing(self) -> list[HeldAward]:
        return [a for a in self.awards if not a.annulled]

    def holds(self, award: str, year: int) -> HeldAward | None:
        """The standing `award` for `year`, if any (from any movement)."""
        for held in self.standing():
            if (held.award, held.year) == (award, year):
                return held
        return None

    def has_initiative(self, year: int) -> bool:
        return any(i.year == year for i in self.initiatives)
