"""Read model: award decisions and annulments — the award register as the public sees it.

The fold keeps every `Decision.Recorded` (with its basis, authority, overrides and the
violations signed into it), every `Decision.RecipientAnnulled` (with what it says is to be
recovered) and every `Decision.RecoveryRecorded`. The movement's
`AwardRegister` and each recipient's `RecipientRecord` are rebuilt from these (they are written
in the same save as the decision), through the domain's own commands, so that the annulment
cascade (rule 9) is computed by `domain.cascade.dependent_awards`, exactly as the ledger does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from sys import intern
from typing import Any
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.bonus import bonus_for
from domain.cascade import Dependent, dependent_awards
from domain.decision import Decision, Override
from domain.recovery import Outstanding, Recovered, RecoveryDue, outstanding
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.rules import Violation
from projections.catalog import Catalog, InitiativeView
from projections.stream import EventMeta


class RecoveryView(msgspec.Struct):
    """One recovery recorded after an annulment (Law 2022 Art. 93(2))."""

    item: str
    amount: int | None
    reference: str | None
    at: datetime
    time: datetime
    seq: int
    signer: str


class AnnulmentView(msgspec.Struct):
    """One recipient's award annulled (Law 2022 Art. 93): ground, reason, who and when, what
    it said is to be recovered and the recoveries recorded since."""

    ground: str
    reason: str
    at: datetime
    time: datetime
    seq: int
    signer: str
    recoveries: list[RecoveryDue] = msgspec.field(default_factory=list)
    recovered: list[RecoveryView] = msgspec.field(default_factory=list)

    def outstanding(self) -> list[Outstanding]:
        """Each due item with what was recovered (domain.recovery.outstanding)."""
        return outstanding(self.recoveries, [Recovered(r.item, r.amount) for r in self.recovered])


class DecisionView(msgspec.Struct):
    """One award decision as signed, and the annulments made in it since."""

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
    time: datetime
    seq: int
    signer: str
    annulled: dict[str, AnnulmentView] = msgspec.field(default_factory=dict)
    overrides: list[Override] = msgspec.field(default_factory=list)
    regime: str | None = None

    def reason_for(self, rule: str) -> str | None:
        """The signed reason overriding `rule`: its own (per-rule overrides), or the one reason
        a decision signed before them gave for all its rules."""
        for override in self.overrides:
            if override.rule == rule:
                return override.reason
        return self.override_reason if rule in self.overridden_rules else None

    @property
    def override_text(self) -> str | None:
        """Every override in one line ("rule: reason; ..."), or the old single reason."""
        if self.overrides:
            return "; ".join(f"{o.rule}: {o.reason}" for o in self.overrides)
        return self.override_reason


class Decisions(msgspec.Struct):
    by_number: dict[str, DecisionView] = msgspec.field(default_factory=dict)
    ids: dict[UUID, str] = msgspec.field(default_factory=dict)

    def of(self, movement: str) -> list[DecisionView]:
        return [d for d in self.by_number.values() if d.movement == movement]


def _recorded(state: Decisions, event: Decision.Recorded, meta: EventMeta) -> None:
    state.ids[event.originator_id] = event.number
    state.by_number[event.number] = DecisionView(
        number=event.number,
        movement=event.movement,
        award=event.award,
        year=event.year,
        recipients=[
            Recipient(intern(r.id), intern(r.kind), intern(r.unit)) for r in event.recipients
        ],
        authority=event.authority,
        date=event.date,
        basis=event.basis,
        override_reason=event.override_reason,
        overridden_rules=list(event.overridden_rules),
        violations=list(event.violations),
        at=event.at,
        time=meta.time,
        seq=meta.seq,
        signer=meta.signer,
        overrides=list(event.overrides),
        regime=event.regime,
    )


def _annulled(state: Decisions, event: Decision.RecipientAnnulled, meta: EventMeta) -> None:
    decision = state.by_number.get(state.ids.get(event.originator_id, ""))
    if decision is not None:
        decision.annulled[event.recipient] = AnnulmentView(
            event.ground,
            event.reason,
            event.at,
            meta.time,
            meta.seq,
            meta.signer,
            list(event.recoveries),
        )


def _recovered(state: Decisions, event: Decision.RecoveryRecorded, meta: EventMeta) -> None:
    decision = state.by_number.get(state.ids.get(event.originator_id, ""))
    annulment = decision.annulled.get(event.recipient) if decision is not None else None
    if annulment is not None:
        annulment.recovered.append(
            RecoveryView(
                event.item,
                event.amount,
                event.reference,
                event.at,
                meta.time,
                meta.seq,
                meta.signer,
            )
        )


HANDLERS: dict[type[DomainEvent], Callable[[Decisions, Any, EventMeta], None]] = {
    Decision.Recorded: _recorded,
    Decision.RecipientAnnulled: _annulled,
    Decision.RecoveryRecorded: _recovered,
}


def fold_decisions(state: Decisions, event: DomainEvent, meta: EventMeta) -> Decisions:
    """Fold one event (see the module docstring); other events leave `state` as it is."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, meta)
    return state


# -- the register and records, rebuilt for the cascade ---------------------------------------------


def register_of(decisions: Decisions, movement: str) -> AwardRegister:
    """The movement's award register as the ledger holds it (grants in ledger order)."""
    register = AwardRegister.open(movement)
    for d in decisions.of(movement):
        register.enter(d.number, d.award, d.year, list(d.recipients))
        for recipient in d.annulled:
            register.annul(d.number, recipient)
    register.collect_events()
    return register


def record_of(
    recipient: Recipient, held: list[DecisionView], initiatives: list[InitiativeView]
) -> RecipientRecord:
    """A recipient's record: the decisions naming it (ledger order) and its initiatives."""
    record = RecipientRecord.open(recipient.id, recipient.kind)
    for d in held:
        record.enter(d.number, d.award, d.movement, d.year, d.date)
        if recipient.id in d.annulled:
            record.annul(d.number, d.annulled[recipient.id].ground)
    for initiative in initiatives:
        record.note_initiative(initiative.id, initiative.scope, initiative.year)
    record.collect_events()
    return record


class Flag(msgspec.Struct, frozen=True):
    """A standing award flagged by the cascade of an annulment (rule 9)."""

    dependent: Dependent
    annulled_decision: str
    annulled_recipient: str


def cascade_flags(decisions: Decisions, catalog: Catalog) -> list[Flag]:
    """Every standing award whose prerequisites failed once an award it relied on was annulled."""
    annulled = {r for d in decisions.by_number.values() for r in d.annulled}
    if not annulled:
        return []
    held: dict[str, list[DecisionView]] = {r: [] for r in annulled}
    for d in decisions.by_number.values():
        for r in d.recipients:
            if r.id in held:
                held[r.id].append(d)
    initiatives: dict[str, list[InitiativeView]] = {r: [] for r in annulled}
    for initiative in catalog.initiatives.values():
        if initiative.person in initiatives:
            initiatives[initiative.person].append(initiative)
    flags: list[Flag] = []
    headcounts = catalog.headcounts()
    registers: dict[str, AwardRegister] = {}
    for d in decisions.by_number.values():
        movement = catalog.movements.get(d.movement)
        if movement is None or not d.annulled:
            continue
        if d.movement not in registers:
            registers[d.movement] = register_of(decisions, d.movement)
        for recipient in [r for r in d.recipients if r.id in d.annulled]:
            record = record_of(recipient, held[recipient.id], initiatives[recipient.id])
            for award in [a for a in record.awards if a.decision == d.number]:
                for dependent in dependent_awards(
                    record, award, movement.rulebook, registers[d.movement], headcounts
                ):
                    flags.append(Flag(dependent, d.number, recipient.id))
    return flags


# -- rows and summary ------------------------------------------------------------------------------


class AwardRow(msgspec.Struct):
    """One recipient of one decision (the report's ``awards`` list)."""

    decision: str
    award: str
    recipient: str
    recipient_kind: str
    unit_level: str | None
    authority: str
    date: date
    basis: str | None
    annulled: bool
    override_reason: str | None
    recipient_name: str | None
    unit: str
    direct_worker: bool | None
    year: int
    seq: int
    time: datetime
    overridden_rules: list[str]
    annulment: AnnulmentView | None
    flags: list[str]
    unit_name: str | None = None
    bonus: int | None = None  # VND, from the bonus data at the decision's date (None: no figure)
    bonus_verified: bool | None = None  # the figure was confirmed by a published source


def award_rows(
    decisions: Decisions, catalog: Catalog, movement: str, flags: list[Flag]
) -> list[AwardRow]:
    """Every recipient of every decision in `movement`, by decision date then ledger order."""
    flagged: dict[tuple[str, str], list[str]] = {}
    for flag in flags:
        key = (flag.dependent.decision, flag.dependent.recipient)
        flagged.setdefault(key, []).append(
            f"{flag.dependent.reason} (after the annulment in decision {flag.annulled_decision} "
            f"of {flag.annulled_recipient})"
        )
    rows = []
    for d in sorted(decisions.of(movement), key=lambda d: (d.date, d.seq)):
        # one list of each for the decision's rows, never changed (a report's 65,800 rows
        # held two fresh lists each)
        overridden, unflagged = list(d.overridden_rules), list[str]()
        for r in d.recipients:
            person = catalog.people.get(r.id) if r.kind == "person" else None
            bonus = bonus_for(d.award, r.kind, d.date)
            rows.append(
                AwardRow(
                    decision=d.number,
                    award=d.award,
                    recipient=r.id,
                    recipient_kind=r.kind,
                    unit_level=catalog.unit_level(r.unit),
                    authority=d.authority,
                    date=d.date,
                    basis=d.basis,
                    annulled=r.id in d.annulled,
                    override_reason=d.override_text,
                    recipient_name=catalog.name_of(r.id),
                    unit=r.unit,
                    direct_worker=person.direct_worker if person else None,
                    year=d.year,
                    seq=d.seq,
                    time=d.time,
                    overridden_rules=overridden,
                    annulment=d.annulled.get(r.id),
                    flags=flagged.get((d.number, r.id), unflagged),
                    unit_name=catalog.name_of(r.unit),
                    bonus=bonus.amount if bonus else None,
                    bonus_verified=bonus.verified if bonus else None,
                )
            )
    return rows


class RecoveryRow(msgspec.Struct):
    """One item still to be recovered after an annulment (the report's
    ``outstanding_recoveries``): `due` None when the bonus data holds no figure."""

    decision: str
    recipient: str
    recipient_name: str | None
    award: str
    item: str
    due: int | None
    recovered: int
    remaining: int | None
    annulled_at: datetime
    annulment_seq: int
    citation: str | None
    verified: bool | None  # money: the award's bonus figure was confirmed by a source


def outstanding_recoveries(rows: list[AwardRow]) -> list[RecoveryRow]:
    """Every item an annulment in these rows said is to be recovered and that is not yet."""
    found = []
    for row in rows:
        annulment = row.annulment
        if annulment is None:
            continue
        citations = {due.item: due.citation for due in annulment.recoveries}
        for left in annulment.outstanding():
            if not left.done:
                found.append(
                    RecoveryRow(
                        decision=row.decision,
                        recipient=row.recipient,
                        recipient_name=row.recipient_name,
                        award=row.award,
                        item=left.item,
                        due=left.due,
                        recovered=left.recovered,
                        remaining=left.remaining,
                        annulled_at=annulment.at,
                        annulment_seq=annulment.seq,
                        citation=citations.get(left.item),
                        verified=row.bonus_verified if left.due is not None else None,
                    )
                )
    return found


class KindCount(msgspec.Struct):
    person: int = 0
    unit: int = 0


class Summary(msgspec.Struct):
    """Standing awards only: annulled ones are listed in ``awards`` but not counted here."""

    awards: dict[str, KindCount]
    by_unit_level: dict[str, int]
    direct_worker_share: float | None
    by_unit_level_kind: dict[str, KindCount]
    standing: int
    annulled: int
    persons: int
    direct_workers: int


UNKNOWN_LEVEL = "unknown"


def summarise(rows: list[AwardRow]) -> Summary:
    """Counts of the standing awards by kind, by unit level, and the front-line share."""
    by_award: dict[str, KindCount] = {}
    by_level: dict[str, int] = {}
    by_level_kind: dict[str, KindCount] = {}
    standing = [r for r in rows if not r.annulled]
    for row in standing:
        level = row.unit_level or UNKNOWN_LEVEL
        by_level[level] = by_level.get(level, 0) + 1
        for table, key in ((by_award, row.award), (by_level_kind, level)):
            count = table.setdefault(key, KindCount())
            if row.recipient_kind == "person":
                count.person += 1
            else:
                count.unit += 1
    persons = [r for r in standing if r.recipient_kind == "person"]
    direct = sum(1 for r in persons if r.direct_worker)
    return Summary(
        awards=by_award,
        by_unit_level=by_level,
        direct_worker_share=round(direct / len(persons), 4) if persons else None,
        by_unit_level_kind=by_level_kind,
        standing=len(standing),
        annulled=len(rows) - len(standing),
        persons=len(persons),
        direct_workers=direct,
    )
