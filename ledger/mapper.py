"""The eventsourcing Mapper that signs every event it stores and strictly decodes what it reads.

The signature is made here, over the final stored bytes (see ledger/codec.py), so it binds the
ledger origin, aggregate id, version, event type, time, signer and payload — not only a payload.
Which key signs is set per command with :meth:`SigningMapper.signing_as`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import Mapper, StoredEvent

from domain.base import DomainEvent
from domain.errors import MalformedInputError, VerificationError
from domain.events import EVENT_TYPES, topic_of

__all__ = ["SigningMapper", "decode_stored", "event_class_for", "topic_of"]
from ledger import codec


def event_class_for(topic: str) -> type[DomainEvent]:
    """The domain event class a stored topic names; MalformedInputError if there is none.

    Looked up in the closed list of domain/events.py: a stored topic never makes us import
    anything."""
    cls = EVENT_TYPES.get(topic) if isinstance(topic, str) else None
    if cls is None:
        shown = topic[:80] if isinstance(topic, str) else type(topic).__name__
        if isinstance(topic, str) and topic.startswith("domain.") and ":" in topic:
            raise MalformedInputError(
                f"topic {shown!r} is a format-1 type name (an award-ledger before format 2); "
                "this version reads only format 2: regenerate the ledger"
            )
        raise MalformedInputError(f"topic {shown!r} is not an award-ledger event type")
    return cls


def decode_stored(topic: str, state: bytes) -> DomainEvent:
    """Strictly decode stored bytes of the event type `topic` names (no row checks)."""
    split = codec.split_entry(bytes(state))
    return codec.decode_event(split.body, event_class_for(topic))[1]


class SigningMapper(Mapper[UUID]):
    """Maps domain events to signed entries and back. Refuses to store an unsigned event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origin: str | None = None
        self._signer: tuple[str, Ed25519PrivateKey] | None = None

    @contextmanager
    def signing_as(self, name: str, key: Ed25519PrivateKey) -> Iterator[None]:
        """Within the block, events are signed by signer `name` with `key`."""
        previous = self._signer
        self._signer = (name, key)
        try:
            yield
        finally:
            self._signer = previous

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if self._signer is None or self.origin is None:
            raise RuntimeError("refusing to store an event outside signing_as() with an origin")
        if not isinstance(domain_event, DomainEvent):
            raise TypeError(f"not an award-ledger event: {type(domain_event).__name__}")
        name, key = self._signer
        topic = topic_of(type(domain_event))
        body = codec.encode_body(self.origin, domain_event, topic, name)
        signature = key.sign(codec.signing_input(body))
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic,
            state=codec.join_entry(body, signature),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        where = f"event {stored_event.originator_id} v{stored_event.originator_version}"
        cls = event_class_for(stored_event.topic)
        split = codec.split_entry(bytes(stored_event.state))
        body, event = codec.decode_event(split.body, cls)
        if (
            str(body.aggregate) != str(UUID(str(stored_event.originator_id)))
            or body.version != stored_event.originator_version
            or body.type != stored_event.topic
        ):
            raise VerificationError(f"{where}: stored row does not match its signed body")
        return event
