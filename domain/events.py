"""The closed list of event types a ledger may hold, keyed by their stable type name.

An event's type name (``Decision.Recorded``: aggregate and event, docs/FORMAT.md §7) is what a
body's ``type`` and a row's ``topic`` hold. It is part of the record format, so it never names
a Python module: moving a class must not change a signed byte. Decoding looks a stored name up
here and never imports a module a row names: auditing an untrusted database must not run code
chosen by whoever wrote it.
"""

from __future__ import annotations

from domain import (  # noqa: F401  (imported for their event classes)
    cluster,
    decision,
    discipline,
    document,
    hold,
    initiative,
    movement,
    participation,
    register,
    registry,
    session,
)
from domain.base import CreatedEvent, DomainEvent


def _concrete(cls: type[DomainEvent]) -> list[type[DomainEvent]]:
    found: list[type[DomainEvent]] = []
    for sub in cls.__subclasses__():
        found.extend(_concrete(sub))
        if sub.__module__.startswith("domain.") and sub.__module__ != "domain.base":
            found.append(sub)
    return found


def topic_of(event_class: type[DomainEvent]) -> str:
    """The stable type name of an event class (``Aggregate.Event``), its stored topic."""
    return event_class.__qualname__


def aggregate_topic(event_class: type[DomainEvent]) -> str:
    """The eventsourcing topic of the aggregate an event class belongs to.

    A created event needs it (as ``originator_topic``) to build its aggregate; it is a
    library internal, never signed, and is restored from the type when a body is decoded."""
    return f"{event_class.__module__}:{event_class.__qualname__.rpartition('.')[0]}"


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    topic_of(cls): cls
    for cls in _concrete(DomainEvent)
    if not cls.__qualname__.endswith((".Event", ".Created")) and cls is not CreatedEvent
}
_LOCATIONS = {f"{c.__module__}:{c.__qualname__}" for c in _concrete(DomainEvent)}
if len(_LOCATIONS) != len({location.partition(":")[2] for location in _LOCATIONS}):
    raise RuntimeError("two event classes share a type name")  # pragma: no cover
