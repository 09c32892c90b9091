"""Given/when/then helpers for scenario tests (STYLE.md section 8).

    unit = replay(*stored)                       # given: an aggregate rebuilt from its events
    unit.do_something()                          # when
    [event] = recorded(unit, Unit.Something)     # then: exactly these new events

A rejection test ends with ``recorded(agg)``: nothing new was recorded.
"""

from __future__ import annotations

from typing import Any, TypeVar

from domain.base import Aggregate, DomainEvent

E = TypeVar("E", bound=DomainEvent)


def replay(*events: DomainEvent) -> Any:
    """Given: the aggregate rebuilt from `events` (its Created event first), nothing pending."""
    if not events:
        raise ValueError("replay() needs at least the aggregate's Created event")
    aggregate: Any = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Aggregate)
    assert not aggregate.pending_events
    return aggregate


def recorded(aggregate: Aggregate, *types: type[E]) -> list[E]:
    """Then: collect the aggregate's new events and assert they are exactly of `types`, in order.

    With no `types`, asserts that nothing new was recorded.
    """
    events = aggregate.collect_events()
    got = [type(e).__qualname__ for e in events]
    want = [t.__qualname__ for t in types]
    assert got == want, f"recorded {got}, expected {want}"
    return list(events)  # type: ignore[arg-type]
