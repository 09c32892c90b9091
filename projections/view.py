"""The ledger view: the read models reports and read commands share, folded in one pass.

``fold(state, event, meta) -> state`` hands each event to the one read model that handles its
type (catalog, participations, sessions, decisions, holds, proposals); it is pure in the sense that
matters here: its result depends only on the state and the event, it reads no clock, database
or file, and folding a prefix then the rest equals folding everything (tests/projections checks
this with hypothesis). It updates `state` in place and returns it, so that a million events do
not cost a million copies.

`LEDGER_VIEW` names it for the runner (`projections.runner`) as a `ViewSpec`
(projections/viewspec.py): the state type, how to start, the event types it reads (others are
skipped undecoded), and a version that changes whenever the state's shape or meaning changes
(a stored copy of another version is rebuilt).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from domain.base import DomainEvent
from projections import awards, catalog, participations, tallies
from projections.holds import HANDLERS as HOLD_HANDLERS
from projections.holds import Holds
from projections.proposals import HANDLERS as PROPOSAL_HANDLERS
from projections.proposals import Proposals
from projections.stream import EventMeta
from projections.viewspec import ViewSpec

__all__ = ["LEDGER_VIEW", "LedgerView", "ViewSpec", "fold"]


class LedgerView(msgspec.Struct):
    """Everything a report reads: the catalog and the workflow read models."""

    catalog: catalog.Catalog = msgspec.field(default_factory=catalog.Catalog)
    participations: participations.Participations = msgspec.field(
        default_factory=participations.Participations
    )
    sessions: tallies.Sessions = msgspec.field(default_factory=tallies.Sessions)
    decisions: awards.Decisions = msgspec.field(default_factory=awards.Decisions)
    holds: Holds = msgspec.field(default_factory=Holds)
    proposals: Proposals = msgspec.field(default_factory=Proposals)


Route = Callable[[LedgerView, Any, EventMeta], None]


def _to(part: str, handler: Callable[[Any, Any, EventMeta], None]) -> Route:
    """A route handing the event to `handler` with the view's read model `part`."""

    def route(state: LedgerView, event: Any, meta: EventMeta) -> None:
        handler(getattr(state, part), event, meta)

    return route


def _route() -> dict[type[DomainEvent], Route]:
    routes: dict[type[DomainEvent], Route] = {}
    for part, handlers in (
        ("catalog", catalog.HANDLERS),
        ("participations", participations.HANDLERS),
        ("sessions", tallies.HANDLERS),
        ("decisions", awards.HANDLERS),
        ("holds", HOLD_HANDLERS),
        ("proposals", PROPOSAL_HANDLERS),
    ):
        for event_type, handler in handlers.items():
            routes[event_type] = _to(part, handler)
    return routes


ROUTES = _route()


def fold(state: LedgerView, event: DomainEvent, meta: EventMeta) -> LedgerView:
    """Fold one event into the ledger view (see the module docstring)."""
    route = ROUTES.get(type(event))
    if route is not None:
        route(state, event, meta)
    return state


LEDGER_VIEW: ViewSpec[LedgerView] = ViewSpec(
    name="ledger",
    version="ledger-view/4",
    state_type=LedgerView,
    initial=LedgerView,
    fold=fold,
    event_types=tuple(ROUTES),
    forget=lambda state: state.participations.forget(),
    codec="json-zlib",
)
