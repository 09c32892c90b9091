"""The aggregate and event base classes: frozen msgspec Structs that are eventsourcing events.

Every domain event is a frozen, tagged ``msgspec.Struct`` (so the ledger can encode it to
canonical bytes without reflection tricks) and an eventsourcing aggregate event (so aggregates
are rebuilt by replaying them). Pure: no crypto, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from hashlib import sha1
from typing import Any, ClassVar, Self
from uuid import UUID, uuid5

import msgspec
from eventsourcing.domain import (
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    datetime_now_with_tzinfo,
)

from domain.text import check_event_text

# Namespace for the deterministic aggregate ids of award-ledger (uuid5 over "kind:natural-id").
NAMESPACE = UUID("6f1d2a4e-3c5b-5e7a-9b8c-0d1e2f3a4b5c")

# Fields an event carries outside its signed payload: the body's envelope holds the id, version
# and time; a created event's ``originator_topic`` (which aggregate class eventsourcing builds)
# is a library internal, restored from the stable type name when a body is decoded.
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
)


def aggregate_id(kind: str, natural_id: str) -> UUID:
    """The deterministic aggregate id of the `kind` record named `natural_id`."""
    return uuid5(NAMESPACE, f"{kind}:{natural_id}")


_NAMESPACE_BYTES = NAMESPACE.bytes
_UUID5_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)  # all but version, variant
_UUID5_SET = (0x5000 << 64) | (0x8000 << 48)  # version 5, RFC 4122 variant


def aggregate_id_int(kind: str, natural_id: str) -> int:
    """``aggregate_id(kind, natural_id).int``, the same RFC 9562 uuid5 computed without
    building a UUID object (a quarter of the cost: the audit checks every first event's id)."""
    digest = sha1(_NAMESPACE_BYTES + f"{kind}:{natural_id}".encode()).digest()
    return int.from_bytes(digest[:16]) & _UUID5_KEEP | _UUID5_SET


class DomainEvent(
    msgspec.Struct,
    CanMutateAggregate[UUID],
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
):
    """A signed fact about one aggregate. Subclasses declare their payload fields."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime = msgspec.field(default_factory=datetime_now_with_tzinfo)

    # The roles one of which the signer must hold for the ledger to accept this event.
    required_roles: ClassVar[frozenset[str]] = frozenset()
    # Text fields that are multi-line by definition (signed notes); every other text field of
    # a new event must be one line of visible text (domain/text.py).
    structured_text: ClassVar[frozenset[str]] = frozenset()
    # Payload fields appended (with a default) after the event type shipped: a body signed
    # before them omits them and is still canonical when they hold their default
    # (ledger/codec.py, docs/FORMAT.md §5). New bodies always write them.
    later_fields: ClassVar[tuple[str, ...]] = ()

    def _as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}

    def payload(self) -> dict[str, Any]:
        """The event's own fields, without the envelope's id, version and time."""
        return {f: getattr(self, f) for f in self.__struct_fields__ if f not in ENVELOPE_FIELDS}


class CreatedEvent(DomainEvent, CanInitAggregate[UUID], frozen=True, kw_only=True):
    """The first event of an aggregate."""

    originator_topic: str


def _init_from_events(self: Any) -> None:
    """Aggregates take their state only from their Created event's ``apply``."""


class Aggregate(BaseAggregate[UUID]):
    """Base aggregate whose id is given by the application (deterministic, see aggregate_id).

    Subclasses annotate their state attributes for the type checker; the state is set by the
    ``apply`` of their events, never by ``__init__`` keyword arguments (eventsourcing would
    otherwise turn the annotations into a dataclass ``__init__``).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "__init__" not in cls.__dict__:
            cls.__init__ = _init_from_events  # type: ignore[method-assign]
        super().__init_subclass__(**kwargs)

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Self:
        check_event_text(event_class.__qualname__, kwargs, event_class.structured_text)
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        check_event_text(event_class.__qualname__, kwargs, event_class.structured_text)
        super().trigger_event(event_class, **kwargs)

    class Event(DomainEvent, frozen=True, kw_only=True):
        pass

    class Created(Event, CreatedEvent, frozen=True, kw_only=True):
        pass
