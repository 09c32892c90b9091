"""Award decisions (quyết định khen thưởng) and annulments (hủy bỏ, Law 2022 Art. 93).

`decide` is the one command behind `awards decide`: it checks the rules of `domain.rules`
(and `hold`, and `dossier` of the basis session: domain/dossier.py) against the movement's
`AwardRegister` and the recipients' `RecipientRecord`s and raises RuleViolationError
naming EVERY broken rule unless each is acknowledged by its own override
(`overrides={rule: reason}`; a lone `override_reason` stands for the one broken rule, and is
refused when more than one is broken). Then every violation and the overrides, sorted by rule,
are signed into `Decision.Recorded` (`overrides: [{rule, reason}]`; decisions signed before it
carry one `override_reason` for all their rules), and it appends to the new `Decision`, the
register and each record (with the initiative each fighter title rests on).
The application saves `DecisionWrites.aggregates()` in ONE `save`; a
concurrent decision in the same movement then conflicts on the register's version.

`annul` marks one recipient's award annulled in the decision, the register (which frees its
quota) and the record, and returns the awards that depended on it (rule 9) for the receipt.
The annulment signs what is to be recovered (`domain.recovery`: the certificate or medal and
the bonus money at the decision's date); `Decision.record_recovery` signs each recovery.

How the application uses this::

    writes = decide(number, movement=m, award=a, recipients=[Recipient(p, "person", unit)],
                    authority=Actor.from_signer(signer), decided_on=date, at=at,
                    basis=session_or_None, register=register_or_None,
                    records={r: record for r in found}, participations={r: p for r in found},
                    headcounts={unit_id: n}, overrides={"quota": reason},
                    dossier={"minutes", ...})   # kinds of the basis session's documents
    app.save(*writes.aggregates())         # Decision.id_for(number) exists -> AlreadyExistsError
    undone = annul(decision, register, record, recipient, ground, reason, authority, at=at)
    app.save(*undone.aggregates())
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import (
    Actor,
    local_date,
    optional_text,
    require_aware,
    require_text,
    require_unique,
)
from domain.base import Aggregate, aggregate_id
from domain.cascade import Dependent, dependent_awards
from domain.catalogue import needs_public_comment
from domain.discipline import DisciplineEntry
from domain.dossier import dossier_violations
from domain.errors import (
    AlreadyAnnulledError,
    AlreadyRecoveredError,
    NotCompetentError,
    NotFoundError,
    RecoveryNotDueError,
    UnsuitableAwardError,
    UsageError,
)
from domain.hold import SubjectHolds, hold_violations
from domain.ids import check_id
from domain.movement import Movement
from domain.overrides import Override, acknowledge, overrides_from_text
from domain.participation import Participation
from domain.prerequisites import CollectiveFacts
from domain.proposal import Objection, Proposal, check_decision, comment_violations
from domain.recovery import ITEMS, MONEY, Recovered, RecoveryDue, outstanding, recoveries_due
from domain.register import RECIPIENT_KINDS, AwardRegister, Recipient, RecipientRecord
from domain.rules import (
    DecisionCheck,
    Violation,
    decision_violations,
    initiative_basis,
    period_problem,
)
from domain.session import ReviewSession

Day = date  # `date` is also a field name inside Decision
GROUNDS = ("false_declaration", "forged_documents", "unlawful_procedure", "standard_not_met")
_AUTHORITY = frozenset({"authority"})
_RECOVERERS = frozenset({"authority", "secretary"})


class Decision(Aggregate):
    """One signed award decision: one award kind to one or more recipients."""

    class Recorded(Aggregate.Created, frozen=True, kw_only=True):
        """An authority decided an award for recipients, on a basis, maybe overriding rules."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        number: str
        movement: str
        award: str
        year: int
        recipients: list[Recipient]
        authority: str
        date: date
        basis: str | None
        override_reason: str | None
        overridden_rules: list[str]
        violations: list[Violation]
        at: datetime
        overrides: list[Override] = msgspec.field(default_factory=list)
        regime: str | None = None
        later_fields: ClassVar[tuple[str, ...]] = ("overrides", "regime")

        def apply(self, agg: Decision) -> None:
            agg.number, agg.movement, agg.award = self.number, self.movement, self.award
            agg.year, agg.recipients = self.year, list(self.recipients)
            agg.authority, agg.date, agg.basis = self.authority, self.date, self.basis
            agg.override_reason = self.override_reason
            agg.overridden_rules = list(self.overridden_rules)
            agg.violations = list(self.violations)
            agg.overrides = list(self.overrides)
            agg.regime = self.regime
            agg.recorded_at = self.at
            agg.annulled = {}
            agg.recoveries_due = {}
            agg.recovered = {}

    class RecipientAnnulled(Aggregate.Event, frozen=True, kw_only=True):
        """One recipient's award was annulled (Law 2022 Art. 93), with ground and reason."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        recipient: str
        ground: str
        reason: str
        at: datetime
        recoveries: list[RecoveryDue] = msgspec.field(default_factory=list)
        later_fields: ClassVar[tuple[str, ...]] = ("recoveries",)

        def apply(self, agg: Decision) -> None:
            agg.annulled[self.recipient] = self.ground
            agg.recoveries_due[self.recipient] = list(self.recoveries)

    class RecoveryRecorded(Aggregate.Event, frozen=True, kw_only=True):
        """Something an annulment said is to be recovered was recovered (Law 2022 Art. 93(2)):
        the certificate or medal, or (part of) the bonus money, with a reference."""

        required_roles: ClassVar[frozenset[str]] = _RECOVERERS
        recipient: str
        item: str
        amount: int | None
        reference: str | None
        recorded_by: str
        at: datetime

        def apply(self, agg: Decision) -> None:
            agg.recovered.setdefault(self.recipient, []).append(Recovered(self.item, self.amount))

    number: str
    movement: str
    award: str
    year: int
    recipients: list[Recipient]
    authority: str
    date: date
    basis: str | None
    override_reason: str | None
    overridden_rules: list[str]
    violations: list[Violation]
    overrides: list[Override]
    regime: str | None
    recorded_at: datetime
    annulled: dict[str, str]
    recoveries_due: dict[str, list[RecoveryDue]]
    recovered: dict[str, list[Recovered]]

    @staticmethod
    def id_for(number: str) -> UUID:
        return aggregate_id("decision", number)

    @classmethod
    def record(
        cls,
        number: str,
        movement: Movement,
        award: str,
        recipients: Sequence[Recipient],
        authority: Actor,
        decided_on: Day,
        *,
        at: datetime,
        basis: str | None,
        overrides: Mapping[str, str],
        violations: list[Violation],
        regime: str | None = None,
    ) -> Decision:
        """Record a checked decision (use `decide`, which runs the checks first)."""
        return cls._create(
            cls.Recorded,
            id=cls.id_for(number),
            number=number,
            movement=movement.movement_id,
            award=award,
            year=movement.year,
            recipients=list(recipients),
            authority=authority.name,
            date=decided_on,
            basis=basis,
            override_reason=None,
            overridden_rules=sorted({v.rule for v in violations}),
            violations=violations,
            at=at,
            overrides=[Override(rule, overrides[rule]) for rule in sorted(overrides)],
            regime=regime,
        )

    def annul(
        self,
        recipient: str,
        ground: str,
        reason: str,
        authority: Actor,
        *,
        at: datetime,
        deciding_units: Sequence[str] = (),
    ) -> None:
        """Annul one recipient's award here (`annul` also updates the register and record).

        Only the authority that decided may annul (Law 2022 Art. 93(8)): the signer that signed
        the decision, or an authority of its unit or of a unit that succeeded it by a recorded
        merger (`deciding_units`: the deciding signer's unit, then each unit it was merged
        into), holding the award kind in its competence, on a day inside its competence
        period (the annulment's day in Vietnam)."""
        subject = f"annulment of {recipient!r} in decision {self.number}"
        require_aware(at, subject)
        reason = require_text(reason, f"{subject}: reason")
        if ground not in GROUNDS:
            raise UsageError(f"{subject}: ground {ground!r} is not one of {', '.join(GROUNDS)}")
        if recipient not in {r.id for r in self.recipients}:
            raise NotFoundError(f"recipient {recipient!r} is not in decision {self.number}")
        if self.award not in authority.competence:
            raise NotCompetentError(
                f"{subject} rejected: authority {authority.name!r} may not annul {self.award}"
            )
        outside = period_problem(authority, local_date(at))
        if outside:
            raise NotCompetentError(f"{subject} rejected: {outside}")
        successor = authority.unit is not None and authority.unit in deciding_units
        if authority.name != self.authority and not successor:
            raise NotCompetentError(
                f"{subject} rejected: only the authority that decided ({self.authority!r}) or "
                f"its successor after a merger may annul it, not {authority.name!r}"
            )
        if recipient in self.annulled:
            raise AlreadyAnnulledError(f"{subject} rejected: already annulled")
        kind = next(r.kind for r in self.recipients if r.id == recipient)
        self.trigger_event(
            self.RecipientAnnulled,
            recipient=recipient,
            ground=ground,
            reason=reason,
            at=at,
            recoveries=recoveries_due(self.award, kind, self.date),
        )

    def record_recovery(
        self,
        recipient: str,
        item: str,
        actor: Actor,
        *,
        at: datetime,
        amount: int | None = None,
        reference: str | None = None,
    ) -> int | None:
        """Record that `item` was recovered from `recipient` (money: `amount` VND, by default
        all that is outstanding); returns the amount recorded. Refused when the annulment
        recorded no such recovery, when it is already recovered in full, or for more money
        than is outstanding."""
        subject = f"recovery of {item} from {recipient!r} in decision {self.number}"
        require_aware(at, subject)
        reference = optional_text(reference, f"{subject}: reference")
        if item not in ITEMS:
            raise UsageError(f"{subject}: item {item!r} is not one of {', '.join(ITEMS)}")
        if recipient not in {r.id for r in self.recipients}:
            raise NotFoundError(f"recipient {recipient!r} is not in decision {self.number}")
        if recipient not in self.annulled:
            raise RecoveryNotDueError(f"{subject} rejected: the award is not annulled")
        rows = outstanding(
            self.recoveries_due.get(recipient, []), self.recovered.get(recipient, [])
        )
        row = next((r for r in rows if r.item == item), None)
        if row is None:
            raise RecoveryNotDueError(
                f"{subject} rejected: the annulment recorded no recovery of it"
            )
        if row.done:
            raise AlreadyRecoveredError(f"{subject} rejected: already recovered")
        if item != MONEY and amount is not None:
            raise UsageError(f"{subject}: --amount is for money only")
        if item == MONEY:
            remaining = row.remaining
            if amount is None and remaining is None:
                raise UsageError(
                    f"{subject}: the amount due is not in the bonus data; give --amount VND"
                )
            amount = remaining if amount is None else amount
            if amount is None or amount <= 0:
                raise UsageError(f"{subject}: amount must be a whole number of VND above 0")
            if remaining is not None and amount > remaining:
                raise UsageError(
                    f"{subject}: amount {amount:,} VND is more than the "
                    f"{remaining:,} VND outstanding"
                )
        self.trigger_event(
            self.RecoveryRecorded,
            recipient=recipient,
            item=item,
            amount=amount,
            reference=reference,
            recorded_by=actor.name,
            at=at,
        )
        return amount


@dataclass(frozen=True)
class DecisionWrites:
    """The aggregates one command touched; save them together."""

    decision: Decision
    register: AwardRegister
    records: tuple[RecipientRecord, ...]
    dependents: tuple[Dependent, ...] = field(default=())
    proposal: Proposal | None = None  # decided on (`decide --proposal`): its path closes

    def aggregates(self) -> tuple[Decision | AwardRegister | RecipientRecord | Proposal, ...]:
        path = (self.proposal,) if self.proposal is not None else ()
        return (self.decision, self.register, *self.records, *path)


def decide(
    number: str,
    *,
    movement: Movement,
    award: str,
    recipients: Sequence[Recipient],
    authority: Actor,
    decided_on: date,
    at: datetime,
    basis: ReviewSession | None = None,
    register: AwardRegister | None = None,
    records: Mapping[str, RecipientRecord] | None = None,
    participations: Mapping[str, Participation] | None = None,
    headcounts: Mapping[str, int] | None = None,
    override_reason: str | None = None,
    holds: Mapping[str, SubjectHolds] | None = None,
    overrides: Mapping[str, str] | None = None,
    authority_level: str | None = None,
    authority_merged: tuple[str, date] | None = None,
    proposal: Proposal | None = None,
    objections: Sequence[Objection] = (),
    disciplines: Mapping[str, Sequence[DisciplineEntry]] | None = None,
    collectives: Mapping[str, CollectiveFacts] | None = None,
    dossier: Collection[str] = (),
    mergers: Mapping[str, tuple[str, date]] | None = None,
) -> DecisionWrites:
    """Check the rules and record the decision; see the module docstring. On a `proposal`
    (with its `objections`), the path must end at this authority (domain/proposal.py
    `check_decision`) and rule `public_comment` is checked too."""
    check_id("decision", number)
    subject = f"decision {number}"
    require_aware(at, subject)
    override_reason = optional_text(override_reason, "override reason")
    given = {
        rule: require_text(reason, f"override of rule {rule}")
        for rule, reason in (overrides or {}).items()
    }
    if override_reason is not None and given:
        raise UsageError(f"{subject}: give --override RULE=REASON or --override-reason, not both")
    rulebook = movement.rulebook
    if rulebook.award_category(award) is None:
        raise UsageError(f"{subject}: unknown award kind {award!r}")
    if not recipients:
        raise UsageError(f"{subject}: give at least one recipient")
    require_unique([r.id for r in recipients], f"{subject}: recipient")
    for recipient in recipients:
        if recipient.kind not in RECIPIENT_KINDS:
            raise UsageError(f"{subject}: recipient kind {recipient.kind!r} is not person or unit")
        if recipient.kind == "unit" and recipient.unit != recipient.id:
            raise UsageError(f"{subject}: unit recipient {recipient.id!r} must be its own unit")
        if not rulebook.suits(award, recipient.kind):
            raise UnsuitableAwardError(
                f"{subject} rejected: {award} does not suit {recipient.kind} {recipient.id!r}"
            )
    records = dict(records or {})
    check = DecisionCheck(
        award=award,
        decided_on=decided_on,
        movement=movement,
        recipients=recipients,
        authority=authority,
        basis=basis,
        register=register,
        records=records,
        participations=participations or {},
        headcounts=headcounts or {},
        authority_level=authority_level,
        authority_merged=authority_merged,
        disciplines=disciplines or {},
        collectives=collectives or {},
        mergers=mergers or {},
    )
    violations = decision_violations(check)
    violations += hold_violations(recipients, holds or {}, decided_on)  # rule `hold` (law2)
    if proposal is not None:  # the proposal path (issue 15): its own checks, then the rule
        ids = [r.id for r in recipients]
        check_decision(
            proposal,
            authority=authority,
            movement=movement.movement_id,
            award=award,
            recipients=ids,
            decided_on=decided_on,
        )
        violations += comment_violations(
            proposal,
            objections,
            recipients=ids,
            decided_on=decided_on,
            needs_comment=needs_public_comment(award),
        )
    if basis is not None:  # rule `dossier`: the basis session's documents (`dossier`: kinds)
        violations += dossier_violations(award, decided_on, dossier, basis.session_id)
    acknowledged = acknowledge(subject, violations, given, override_reason)
    decision = Decision.record(
        number,
        movement,
        award,
        recipients,
        authority,
        decided_on,
        at=at,
        basis=basis.session_id if basis else None,
        overrides=acknowledged,
        violations=violations,
        regime=check.regime.id,
    )
    register = register or AwardRegister.open(movement.movement_id)
    register.enter(number, award, movement.year, list(recipients))
    touched = []
    for recipient in recipients:
        record = RecipientRecord.open_or_check(
            records.get(recipient.id), recipient.id, recipient.kind
        )
        initiative, _ = initiative_basis(
            award, movement.year, records.get(recipient.id), rulebook, check.regime
        )
        record.enter(number, award, movement.movement_id, movement.year, decided_on, initiative)
        touched.append(record)
    if proposal is not None:
        proposal.decided(number, authority, at=at)
    return DecisionWrites(decision, register, tuple(touched), proposal=proposal)

def annul(
    decision: Decision,
    register: AwardRegister,
    record: RecipientRecord,
    recipient: str,
    ground: str,
    reason: str,
    authority: Actor,
    *,
    at: datetime,
    movement: Movement | None = None,
    headcounts: Mapping[str, int] | None = None,
    deciding_units: Sequence[str] = (),
) -> DecisionWrites:
    """Annul one recipient's award; given the `movement`, it also computes the dependents.
    `deciding_units`: see `Decision.annul`."""
    if record.recipient != recipient or register.movement != decision.movement:
        raise UsageError(
            f"annulment of {recipient!r} in decision {decision.number}: wrong register or record"
        )
    decision.annul(recipient, ground, reason, authority, at=at, deciding_units=deciding_units)
    register.annul(decision.number, recipient)
    record.annul(decision.number, ground)
    dependents: list[Dependent] = []
    if movement is not None:
        for annulled in [a for a in record.awards if a.decision == decision.number]:
            dependents += dependent_awards(
                record, annulled, movement.rulebook, register, headcounts
            )
    return DecisionWrites(decision, register, (record,), tuple(dependents))


__all__ = ["Decision", "DecisionWrites", "Override", "annul", "decide", "overrides_from_text"]
