"""The closed list of event types a ledger may hold, keyed by their stored topic.

Decoding looks a stored topic up here and never imports a module a row names: auditing an
untrusted database must not run code chosen by whoever wrote it.
"""

from __future__ import annotations

from domain import (  # noqa: F401  (imported for their event classes)
    cluster,
    decision,
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
    """The stored topic of an event type: ``module:QualifiedName``."""
    return f"{event_class.__module__}:{event_class.__qualname__}"


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    topic_of(cls): cls
    for cls in _concrete(DomainEvent)
    if not cls.__qualname__.endswith((".Event", ".Created")) and cls is not CreatedEvent
}
