"""Read model: the signers, folded from the registry events of the log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.registry import Signer
from ledger.application import LedgerApp
from ledger.keys import key_id
from ledger.mapper import decode_stored, topic_of


class SignerView(msgspec.Struct):
    """One signer as reports show it (`key_id` is the fingerprint of its public key)."""

    name: str
    roles: list[str]
    key_id: str
    revoked: bool
    unit: str | None = None
    competence: list[str] = msgspec.field(default_factory=list)
    revoked_reason: str | None = None
    person: str | None = None
    competent_from: date | None = None  # the competence's period (inclusive; None: open)
    competent_until: date | None = None


def apply_signer_event(
    views: dict[str, SignerView], name: str, event: Signer.Registered | Signer.Revoked
) -> None:
    """Fold one signer event, for the signer `name` (a Revoked event names only its aggregate)."""
    if isinstance(event, Signer.Registered):
        views[name] = SignerView(
            name=event.name,
            roles=list(event.roles),
            key_id=key_id(event.public_key),
            revoked=False,
            unit=event.unit,
            competence=list(event.competence),
            person=event.person,
            competent_from=event.competent_from,
            competent_until=event.competent_until,
        )
    elif name in views:
        views[name].revoked = True
        views[name].revoked_reason = event.reason


def fold_signers(events: Iterable[DomainEvent]) -> list[SignerView]:
    """Fold registry events (in ledger order) into the signer list, sorted by name."""
    views: dict[str, SignerView] = {}
    names: dict[UUID, str] = {}
    for event in events:
        if isinstance(event, Signer.Registered):
            names[event.originator_id] = event.name
        if isinstance(event, Signer.Registered | Signer.Revoked):
            name = names.get(event.originator_id)
            if name is not None:
                apply_signer_event(views, name, event)
    return sorted(views.values(), key=lambda v: v.name)


SIGNER_TOPICS = (topic_of(Signer.Registered), topic_of(Signer.Revoked))


def signer_list(app: LedgerApp) -> list[SignerView]:
    """The current signer list of the ledger."""
    app.genesis()
    events = (decode_stored(n.topic, n.state) for n in app.reader.rows_of_types(SIGNER_TOPICS))
    return fold_signers(events)
