"""The ledger view: the read models reports and read commands share, folded in one pass.

``fold(state, event, meta) -> state`` hands each event to the one read model that handles its
type (catalog, participations, sessions, decisions, holds, proposals); it is pure in the sense that
matters here: its result depends only on the state and the event, it reads no clock, database
or file, and folding a prefix then the rest equals folding everything (tests/projections checks
this with hypothesis). It updates `state` in place and returns it, so that a million events do
not cost a million copies.

`ViewSpec` names a fold for the runner (`projections.runner`): the state type, how to start,
the event types it reads (others are skipped undecoded), and a version that changes whenever
the state's shape or meaning changes (a stored copy of another version is rebuilt).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

import msgspec

from domain.base import DomainEvent
from ledger.mapper import topic_of
from projections import awards, catalog, standings, tallies
from projections.holds import HANDLERS as HOLD_HANDLERS
from projections.holds import Holds
from projections.proposals import HANDLERS as PROPOSAL_HANDLERS
from projections.proposals import Proposals
from projections.stream import EventMeta

S = TypeVar("S", bound=msgspec.Struct)

# JSON keeps every datetime's own UTC offset (msgpack's timestamps would turn an effective
# time claimed in Vietnam into UTC): a view holding datetimes as such is stored as JSON
_JSON = msgspec.json.Encoder()
_MSGPACK = msgspec.msgpack.Encoder()


@dataclass(frozen=True)
class ViewSpec(Generic[S]):
    """A named fold the runner can keep current: see the module docstring."""

    name: str
    version: str
    state_type: type[S]
    initial: Callable[[], S]
    fold: Callable[[S, DomainEvent, EventMeta], S]
    event_types: tuple[type[DomainEvent], ...]
    # how the state is stored: JSON unless the view says otherwise ("msgpack-zlib": a
    # columnar view keeps its columns as raw bytes in MessagePack, deflated by zlib, level 1:
    # 10.2 MB of columns stored in 1.6 MB); part of the stored version
    codec: str = "json"
    # drops what a fold keeps beside the state and makes again when needed (maps, memoryviews):
    # called before the state is encoded to be stored, so that both are not held at once
    forget: Callable[[S], None] | None = None

    def encode(self, state: S) -> bytes:
        """The state as stored (see `codec`)."""
        if self.codec == "msgpack-zlib":
            return zlib.compress(_MSGPACK.encode(state), 1)
        return _JSON.encode(state)

    def decode(self, data: bytes) -> S:
        """The inverse of `encode`; msgspec.DecodeError if `data` is not a stored state."""
        if self.codec == "msgpack-zlib":
            try:
                data = zlib.decompress(data)
            except zlib.error as exc:
                raise msgspec.DecodeError(f"not a deflated state: {exc}") from exc
            return msgspec.msgpack.decode(data, type=self.state_type)
        return msgspec.json.decode(data, type=self.state_type)

    @cached_property
    def topics(self) -> frozenset[str]:
        return frozenset(topic_of(t) for t in self.event_types)

    @cached_property
    def stored_version(self) -> str:
        """`version` plus a hash of the state's schema: a shape change forces a rebuild."""
        schema = msgspec.json.encode(msgspec.json.schema(self.state_type), order="sorted")
        codec = "" if self.codec == "json" else f"+{self.codec}"
        return f"{self.version}{codec}:{hashlib.sha256(schema).hexdigest()[:16]}"


class LedgerView(msgspec.Struct):
    """Everything a report reads: the catalog and the workflow read models."""

    catalog: catalog.Catalog = msgspec.field(default_factory=catalog.Catalog)
    participations: standings.Participations = msgspec.field(
        default_factory=standings.Participations
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
        ("participations", standings.HANDLERS),
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
    version="ledger-view/3",
    state_type=LedgerView,
    initial=LedgerView,
    fold=fold,
    event_types=tuple(ROUTES),
)
