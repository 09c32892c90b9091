"""Use cases of discipline records (domain/discipline.py): enter one discipline, or end one's
period, each one write.

The person must be registered; the record is opened by the person's first discipline.
"""

from __future__ import annotations

from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import Aggregate
from domain.discipline import DisciplineRecord, record_discipline
from domain.errors import NotFoundError
from domain.registry import Person, Signer
from ledger.application import LedgerApp, WriteReceipt
from ledger.usecases.lookup import effective_time


def add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    person: str,
    *,
    decision_ref: str,
    level: str,
    start: date,
    until: date | None,
    reason: str,
    at: datetime | None = None,
) -> WriteReceipt:
    """Enter discipline `decision_ref` of `person` (secretary or authority)."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        if app.find(Person, Person.id_for(person)) is None:
            raise NotFoundError(f"discipline rejected: person {person!r} not found")
        record = app.find(DisciplineRecord, DisciplineRecord.id_for(person))
        return [
            record_discipline(
                record,
                person,
                decision_ref=decision_ref,
                level=level,
                start=start,
                until=until,
                reason=reason,
                at=when,
            )
        ]

    return app.write(key, build, signs=DisciplineRecord.Entered)


def end(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    person: str,
    *,
    decision_ref: str,
    until: date,
    reason: str,
    at: datetime | None = None,
) -> WriteReceipt:
    """End discipline `decision_ref` of `person` on `until` (secretary or authority)."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        record = app.find(DisciplineRecord, DisciplineRecord.id_for(person))
        if record is None:
            raise NotFoundError(f"discipline rejected: {person!r} has no discipline entered")
        record.end(decision_ref, until, reason, when)
        return [record]

    return app.write(key, build, signs=DisciplineRecord.Ended)
