"""Forging for binding attacks: sign a crafted event with a real key and insert it raw.

The entry is made exactly as the SigningMapper makes it (canonical body, Ed25519 over the
signing input), so only the binding checks can tell it from an honest one. The row is
appended with raw SQL (tests/conftest.py RawRows), bypassing the application's own checks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.utils import get_topic

from domain.base import DomainEvent
from domain.decision import Decision
from domain.events import topic_of
from domain.register import Recipient
from domain.registry import Signer
from ledger import codec
from ledger.application import LedgerApp
from ledger.note import Checkpoint, sign_checkpoint
from tests.conftest import ORIGIN, RawRows

AT = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)
IDENTITY = bytes([1]) + bytes(31)  # the identity point: order 1
# R = identity, S = 0: verifies under the identity key for ANY message (cofactorless check)
IDENTITY_SIGNATURE = IDENTITY + bytes(32)


def entry(event: DomainEvent, signer: str, key: Ed25519PrivateKey | None) -> bytes:
    """The stored entry of `event` signed as `signer` (with the trivial signature if no key)."""
    body = codec.encode_body(ORIGIN, event, topic_of(type(event)), signer)
    signed = codec.signing_input(body)
    return codec.join_entry(body, key.sign(signed) if key else IDENTITY_SIGNATURE)


def insert(raw: RawRows, event: DomainEvent, signer: str, key: Ed25519PrivateKey | None) -> int:
    """Append the signed event as a raw row; return its seq."""
    raw.insert(
        event.originator_id,
        event.originator_version,
        topic_of(type(event)),
        entry(event, signer, key),
    )
    return raw.count() - 1


def created(cls: type[DomainEvent], aggregate: UUID, owner: type, **payload: Any) -> DomainEvent:
    """A first event (version 1) of `owner` at `aggregate`, with its payload fields."""
    return cls(
        originator_id=aggregate,
        originator_version=1,
        timestamp=AT,
        originator_topic=get_topic(owner),
        **payload,
    )


def registration(
    name: str, public_key: bytes, roles: list[str], aggregate: UUID | None = None, **more: Any
) -> DomainEvent:
    """A Signer.Registered for `name` (at its own aggregate unless `aggregate` is given)."""
    return created(
        Signer.Registered,
        aggregate or Signer.id_for(name),
        Signer,
        name=name,
        public_key=public_key,
        roles=roles,
        **more,
    )


def decision(number: str, authority: str, aggregate: UUID | None = None) -> DomainEvent:
    """A Decision.Recorded of `number` naming `authority`, for P1 (at its own aggregate
    unless `aggregate` is given)."""
    return created(
        Decision.Recorded,
        aggregate or Decision.id_for(number),
        Decision,
        number=number,
        movement="TD-2019",
        award="advanced_worker",
        year=2019,
        recipients=[Recipient("P1", "person", "U1")],
        authority=authority,
        date=date(2020, 3, 1),
        basis=None,
        override_reason=None,
        overridden_rules=[],
        violations=[],
        at=AT,
    )


def store_unaudited_checkpoint(
    app: LedgerApp, key: Ed25519PrivateKey, name: str, lines: tuple[str, ...]
) -> str:
    """Sign and store a checkpoint over the whole tree with exactly these extension lines,
    as an operator would who skipped every check (the real key signs what it is given)."""
    tree, _ = app.tree()
    note = sign_checkpoint(Checkpoint(app.origin, tree.size, tree.root(), lines), app.origin, key)
    ledger = app.genesis()
    ledger.record_checkpoint(tree.size, tree.root(), note, tree.compact_range())
    app.save_signed(name, key, [ledger])
    return note
