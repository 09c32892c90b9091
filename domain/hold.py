"""Holds (rule ``hold``, Decree 152/2025 Art. 4(4)): no award for a subject under an open hold.

A hold is placed on a person or unit while a discipline, investigation, inspection, complaint
or press-reported matter about them is being examined, and lifted by a later signed event.
Who may place or lift one: a ``secretary`` (the emulation council's standing office, which
prepares the files) or an ``authority`` (who decides awards) — the two who learn of such a
matter in practice; nobody else.

Two aggregates, saved together in one write:

- `Hold` (one per hold id): what was placed, why, until when, and whether it was lifted;
- `SubjectHolds` (one per subject): the ids of the subject's holds, the index a decision
  reads (a decision knows its recipients, not the hold ids).

`hold_violations` is the rule itself, a function of the loaded `SubjectHolds` and the
decision's date, called by domain/decision.py's `decide` (overridable like every rule);
`subject_hold_violations` is the same rule on bare subject ids, for registrations
(`Participation.register`) and proposals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import local_date, require_aware, require_text
from domain.base import Aggregate, aggregate_id
from domain.errors import NotFoundError, OutOfOrderError, UsageError
from domain.ids import check_id
from domain.register import Recipient
from domain.violation import Violation

HOLD = "hold"
HOLD_KINDS = ("discipline", "investigation", "inspection", "complaint", "press")
_PLACERS = frozenset({"secretary", "authority"})


class HoldEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One hold as a subject's index knows it (state)."""

    hold_id: str
    kind: str
    until: date | None
    lifted: bool = False

    def open_on(self, day: date) -> bool:
        """Whether the hold still stands on `day` (not lifted, not past its end date)."""
        return not self.lifted and (self.until is None or day <= self.until)


class Hold(Aggregate):
    """One hold on one subject."""

    class Placed(Aggregate.Created, frozen=True, kw_only=True):
        """A hold was placed on a subject for a matter being examined."""

        required_roles: ClassVar[frozenset[str]] = _PLACERS
        hold_id: str
        subject: str
        kind: str
        reason: str
        until: date | None
        at: datetime

        def apply(self, agg: Hold) -> None:
            agg.hold_id, agg.subject, agg.kind = self.hold_id, self.subject, self.kind
            agg.reason, agg.until, agg.placed_at = self.reason, self.until, self.at
            agg.lift_reason, agg.lifted_at = None, None

    class Lifted(Aggregate.Event, frozen=True, kw_only=True):
        """The hold was lifted (the matter closed)."""

        required_roles: ClassVar[frozenset[str]] = _PLACERS
        reason: str
        at: datetime

        def apply(self, agg: Hold) -> None:
            agg.lift_reason, agg.lifted_at = self.reason, self.at

    hold_id: str
    subject: str
    kind: str
    reason: str
    until: date | None
    placed_at: datetime
    lift_reason: str | None
    lifted_at: datetime | None

    @staticmethod
    def id_for(hold_id: str) -> UUID:
        return aggregate_id("hold", hold_id)

    def lift(self, reason: str, at: datetime) -> None:
        subject = f"hold {self.hold_id!r}"
        require_aware(at, subject)
        if self.lifted_at is not None:
            raise OutOfOrderError(f"{subject}: already lifted")
        if at < self.placed_at:
            raise OutOfOrderError(f"{subject}: cannot be lifted before it was placed")
        self.trigger_event(self.Lifted, reason=require_text(reason, f"{subject}: reason"), at=at)


class SubjectHolds(Aggregate):
    """The holds of one person or unit (the index `decide` reads)."""

    class Opened(Aggregate.Created, frozen=True, kw_only=True):
        """The first hold on this subject opened its index."""

        required_roles: ClassVar[frozenset[str]] = _PLACERS
        subject: str

        def apply(self, agg: SubjectHolds) -> None:
            agg.subject, agg.holds = self.subject, {}

    class Noted(Aggregate.Event, frozen=True, kw_only=True):
        """A hold on this subject was placed."""

        required_roles: ClassVar[frozenset[str]] = _PLACERS
        hold_id: str
        kind: str
        until: date | None

        def apply(self, agg: SubjectHolds) -> None:
            agg.holds[self.hold_id] = HoldEntry(
                hold_id=self.hold_id, kind=self.kind, until=self.until
            )

    class Cleared(Aggregate.Event, frozen=True, kw_only=True):
        """A hold on this subject was lifted."""

        required_roles: ClassVar[frozenset[str]] = _PLACERS
        hold_id: str

        def apply(self, agg: SubjectHolds) -> None:
            entry = agg.holds[self.hold_id]
            agg.holds[self.hold_id] = msgspec.structs.replace(entry, lifted=True)

    subject: str
    holds: dict[str, HoldEntry]

    @staticmethod
    def id_for(subject: str) -> UUID:
        return aggregate_id("subject-holds", subject)

    def open_on(self, day: date) -> list[HoldEntry]:
        """The holds standing on `day`, by id."""
        return [h for _, h in sorted(self.holds.items()) if h.open_on(day)]


def place_hold(
    hold_id: str,
    *,
    subject: str,
    kind: str,
    reason: str,
    until: date | None,
    at: datetime,
    index: SubjectHolds | None,
) -> tuple[Hold, SubjectHolds]:
    """Place hold `hold_id` on `subject` and note it in the subject's index (opened if new)."""
    check_id("hold", hold_id)
    check_id("subject", subject)
    what = f"hold {hold_id!r}"
    require_aware(at, what)
    if kind not in HOLD_KINDS:
        raise UsageError(f"{what}: kind {kind!r} is not one of {', '.join(HOLD_KINDS)}")
    if until is not None and until < local_date(at):
        raise UsageError(f"{what}: --until {until.isoformat()} is before the hold is placed")
    hold = Hold._create(
        Hold.Placed,
        id=Hold.id_for(hold_id),
        hold_id=hold_id,
        subject=subject,
        kind=kind,
        reason=require_text(reason, f"{what}: reason"),
        until=until,
        at=at,
    )
    if index is None:
        index = SubjectHolds._create(
            SubjectHolds.Opened, id=SubjectHolds.id_for(subject), subject=subject
        )
    index.trigger_event(SubjectHolds.Noted, hold_id=hold_id, kind=kind, until=until)
    return hold, index


def lift_hold(
    hold: Hold, index: SubjectHolds | None, reason: str, at: datetime
) -> tuple[Hold, SubjectHolds]:
    """Lift `hold` and clear it in its subject's index."""
    if index is None or hold.hold_id not in index.holds:
        raise NotFoundError(f"hold {hold.hold_id!r}: not in the holds of {hold.subject!r}")
    hold.lift(reason, at)
    index.trigger_event(SubjectHolds.Cleared, hold_id=hold.hold_id)
    return hold, index


def subject_hold_violations(
    subjects: Sequence[str], holds: Mapping[str, SubjectHolds], day: date
) -> list[Violation]:
    """Rule ``hold`` for bare subject ids (a registration, a proposal): one violation per
    subject under a hold standing on `day`; `holds` maps a subject to its index, if any."""
    found: list[Violation] = []
    for subject in subjects:
        index = holds.get(subject)
        standing = index.open_on(day) if index is not None else []
        if standing:
            named = ", ".join(f"{h.hold_id} ({h.kind})" for h in standing)
            found.append(
                Violation(
                    rule=HOLD,
                    subject=subject,
                    message=f"{subject} is under an open hold: {named} (Decree 152/2025 Art. 4(4))",
                )
            )
    return found


def hold_violations(
    recipients: Sequence[Recipient], holds: Mapping[str, SubjectHolds], decided_on: date
) -> list[Violation]:
    """Rule ``hold``: one violation per recipient under a hold standing on the decision date
    (decisions, and proposals through `subject_hold_violations`)."""
    return subject_hold_violations([r.id for r in recipients], holds, decided_on)
