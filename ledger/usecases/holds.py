"""Use cases of holds (domain/hold.py): place and lift, each one atomic write.

Placing saves the new `Hold` with its subject's `SubjectHolds` index (opened on the first
hold); lifting saves both again. The subject must be a registered person or unit.
"""

from __future__ import annotations

from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import Aggregate
from domain.errors import AlreadyExistsError, NotFoundError
from domain.hold import Hold, SubjectHolds, lift_hold, place_hold
from domain.registry import Signer
from ledger.application import LedgerApp, WriteReceipt
from ledger.usecases.lookup import effective_time, recipient_for


def place(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    hold_id: str,
    *,
    subject: str,
    kind: str,
    reason: str,
    until: date | None = None,
    at: datetime | None = None,
) -> WriteReceipt:
    """Place hold `hold_id` on person or unit `subject` (secretary or authority)."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        what = f"hold {hold_id} rejected"
        if app.find(Hold, Hold.id_for(hold_id)) is not None:
            raise AlreadyExistsError(f"{what}: hold {hold_id!r} already exists")
        recipient_for(app, subject, what)  # NotFoundError if neither person nor unit
        index = app.find(SubjectHolds, SubjectHolds.id_for(subject))
        hold, index = place_hold(
            hold_id, subject=subject, kind=kind, reason=reason, until=until, at=when, index=index
        )
        return [hold, index]

    return app.write(key, build, signs=Hold.Placed)


def lift(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    hold_id: str,
    *,
    reason: str,
    at: datetime | None = None,
) -> WriteReceipt:
    """Lift hold `hold_id` (secretary or authority)."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        hold = app.find(Hold, Hold.id_for(hold_id))
        if hold is None:
            raise NotFoundError(f"hold lift rejected: hold {hold_id!r} not found")
        index = app.find(SubjectHolds, SubjectHolds.id_for(hold.subject))
        hold, index = lift_hold(hold, index, reason, when)
        return [hold, index]

    return app.write(key, build, signs=Hold.Lifted)
