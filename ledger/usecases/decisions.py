"""Use cases of award decisions and annulments: the consistency boundary, in one write.

`decide` loads everything the rules read — the movement, its `AwardRegister`, each
recipient's `RecipientRecord` and `Participation`, the basis session and its dossier (the
kinds of the documents recorded for it, rule `dossier`), (for excellent_collective) the units'
headcounts and (for a fighter quota) the mergers of the units counted, so a merged unit counts as
its successor — and saves the new `Decision` together with the register and the records in ONE
atomic save. Two offices deciding in the same movement at once both load the same register
version; the second save conflicts, `LedgerApp.write` rebuilds it from fresh state, and the rules
then see the first decision (a quota only one fits is never passed twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import Actor, local_date
from domain.base import Aggregate
from domain.cascade import Dependent
from domain.decision import Decision, annul, decide
from domain.errors import AlreadyExistsError, NotFoundError
from domain.hold import SubjectHolds
from domain.movement import Movement
from domain.participation import Participation
from domain.prerequisites import ADVANCED_COLLECTIVE
from domain.recovery import Outstanding, RecoveryDue, outstanding
from domain.register import AwardRegister, RecipientRecord
from domain.registry import Signer, successors_of
from domain.rulebook import ADVANCED_WORKER, EXCELLENT_COLLECTIVE, FIGHTER_BASE
from domain.rules import Violation
from ledger.application import LedgerApp, WriteReceipt
from ledger.usecases.documents import held_kinds
from ledger.usecases.lookup import (
    collective_facts,
    disciplines_of,
    effective_time,
    headcounts,
    load_movement,
    merged_into,
    mergers_of,
    recipient_for,
    require_past_day,
    unit_level,
    unit_merger,
)
from ledger.usecases.proposals import load_proposal, proposal_objections
from ledger.usecases.review import load_session


@dataclass(frozen=True)
class DecisionResult:
    """A decision's receipt, the rule violations knowingly overridden (empty if none) and its
    recipients."""

    receipt: WriteReceipt
    overridden: tuple[Violation, ...]
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnulmentResult:
    """An annulment's receipt, and the standing awards that relied on it (rule 9 flags)."""

    receipt: WriteReceipt
    dependents: tuple[Dependent, ...]
    recoveries: tuple[RecoveryDue, ...] = ()


@dataclass(frozen=True)
class RecoveryResult:
    """A recovery's receipt, the amount recorded (money) and what is still outstanding."""

    receipt: WriteReceipt
    amount: int | None
    outstanding: tuple[Outstanding, ...]


def decide_award(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    number: str,
    *,
    movement_id: str,
    award: str,
    recipients: Sequence[str],
    basis: str | None = None,
    decided_on: date | None = None,
    override_reason: str | None = None,
    at: datetime | None = None,
    overrides: Mapping[str, str] | None = None,
    proposal: str | None = None,
) -> DecisionResult:
    """Record award decision `number` (authority); rules checked, see the module docstring.

    Broken rules raise RuleViolationError naming every one, unless each is acknowledged in
    `overrides` (rule -> reason; `override_reason` alone only when exactly one is broken): then
    every violation and override is signed into the decision. With `proposal`, the decision
    is on that proposal's endorsed chain (`Proposal.Decided` is saved with it).
    """
    when = effective_time(at)
    day = require_past_day(decided_on, "--date") if decided_on is not None else local_date(when)
    outcome: list[Decision] = []

    def build(signer: Signer) -> list[Aggregate]:
        subject = f"decision {number} rejected"
        if app.find(Decision, Decision.id_for(number)) is not None:
            raise AlreadyExistsError(f"{subject}: decision {number!r} already exists")
        movement = load_movement(app, movement_id, subject)
        path = load_proposal(app, proposal, subject) if proposal is not None else None
        named = recipients or (path.nominees if path is not None else [])
        chosen = [recipient_for(app, r, subject) for r in named]  # repeats: domain
        session = load_session(app, basis, subject) if basis is not None else None
        records = {
            r.id: record
            for r in chosen
            if (record := app.find(RecipientRecord, RecipientRecord.id_for(r.id))) is not None
        }
        participations = {
            r.id: p
            for r in chosen
            if (p := app.find(Participation, Participation.id_for(movement_id, r.id))) is not None
        }
        units = [r.id for r in chosen if r.kind == "unit"] if award == EXCELLENT_COLLECTIVE else []
        register = app.find(AwardRegister, AwardRegister.id_for(movement_id))
        quota_units = {r.unit for r in chosen if r.kind == "person"} | (
            register.person_units() if register is not None else set()
        )
        collective = award in (ADVANCED_COLLECTIVE, EXCELLENT_COLLECTIVE)
        writes = decide(
            number,
            movement=movement,
            award=award,
            recipients=chosen,
            authority=Actor.from_signer(signer),
            decided_on=day,
            at=when,
            basis=session,
            register=register,
            records=records,
            participations=participations,
            headcounts=headcounts(app, units),
            override_reason=override_reason,
            overrides=overrides,
            authority_level=unit_level(app, signer.unit),
            authority_merged=unit_merger(app, signer.unit),
            mergers=mergers_of(app, quota_units) if award == FIGHTER_BASE else {},
            disciplines=disciplines_of(app, [r.id for r in chosen if r.kind == "person"]),
            collectives=collective_facts(
                app, [r.id for r in chosen if r.kind == "unit"] if collective else [], movement.year
            ),
            dossier=held_kinds(app, basis) if basis is not None else (),  # rule `dossier`
            holds={  # rule `hold`: each recipient's holds, if any (law2)
                r.id: held
                for r in chosen
                if (held := app.find(SubjectHolds, SubjectHolds.id_for(r.id))) is not None
            },
            proposal=path,
            objections=proposal_objections(app, path) if path is not None else (),
        )
        outcome[:] = [writes.decision]
        return list(writes.aggregates())

    receipt = app.write(key, build, signs=Decision.Recorded)
    decision = outcome[0]
    return DecisionResult(
        receipt, tuple(decision.violations), tuple(r.id for r in decision.recipients)
    )


def deciding_units(app: LedgerApp, authority: str) -> list[str]:
    """The unit of the signer that decided, then each unit it was merged into (none if the
    signer has no unit)."""
    signer = app.find(Signer, Signer.id_for(authority))
    if signer is None or signer.unit is None:
        return []

    return successors_of(signer.unit, lambda uid: merged_into(app, uid))


def annul_award(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    number: str,
    *,
    recipient: str,
    ground: str,
    reason: str,
    at: datetime | None = None,
) -> AnnulmentResult:
    """Annul one recipient's award in decision `number` (authority competent for its kind).

    The register frees its quota place, the record marks it annulled, and the awards that
    relied on it (rule 9) are returned as flags for the receipt.
    """
    when = effective_time(at)
    flagged: list[Dependent] = []

    def build(signer: Signer) -> list[Aggregate]:
        subject = f"annulment in decision {number} rejected"
        decision = app.find(Decision, Decision.id_for(number))
        if decision is None:
            raise NotFoundError(f"{subject}: decision {number!r} not found")
        if recipient not in {r.id for r in decision.recipients}:
            raise NotFoundError(f"{subject}: recipient {recipient!r} is not in decision {number}")
        register = app.load(
            AwardRegister, AwardRegister.id_for(decision.movement), f"register of {number}"
        )
        record = app.load(
            RecipientRecord, RecipientRecord.id_for(recipient), f"record of {recipient!r}"
        )
        movement = app.load(
            Movement, Movement.id_for(decision.movement), f"movement {decision.movement!r}"
        )
        units: list[str] = []
        if decision.award in (ADVANCED_WORKER, FIGHTER_BASE):
            units = sorted(
                {g.recipient.unit for g in register.standing() if g.award == EXCELLENT_COLLECTIVE}
            )
        writes = annul(
            decision,
            register,
            record,
            recipient,
            ground,
            reason,
            Actor.from_signer(signer),
            at=when,
            movement=movement,
            headcounts=headcounts(app, units),
            deciding_units=deciding_units(app, decision.authority),
        )
        flagged[:] = writes.dependents
        due[:] = decision.recoveries_due.get(recipient, [])
        return list(writes.aggregates())

    due: list[RecoveryDue] = []
    receipt = app.write(key, build, signs=Decision.RecipientAnnulled)
    return AnnulmentResult(receipt, tuple(flagged), tuple(due))


def record_recovery(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    number: str,
    *,
    recipient: str,
    item: str,
    amount: int | None = None,
    reference: str | None = None,
    at: datetime | None = None,
) -> RecoveryResult:
    """Record that `item` was recovered from `recipient` after the annulment in decision
    `number` (authority or secretary); see `Decision.record_recovery`."""
    when = effective_time(at)
    done: list[tuple[int | None, tuple[Outstanding, ...]]] = []

    def build(signer: Signer) -> list[Aggregate]:
        decision = app.find(Decision, Decision.id_for(number))
        if decision is None:
            raise NotFoundError(
                f"recovery in decision {number} rejected: decision {number!r} not found"
            )
        recorded = decision.record_recovery(
            recipient, item, Actor.from_signer(signer), at=when, amount=amount, reference=reference
        )
        left = outstanding(
            decision.recoveries_due.get(recipient, []), decision.recovered.get(recipient, [])
        )
        done[:] = [(recorded, tuple(left))]
        return [decision]

    receipt = app.write(key, build, signs=Decision.RecoveryRecorded)
    return RecoveryResult(receipt, *done[0])
