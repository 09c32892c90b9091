"""Read model: the holds of the ledger (domain/hold.py), as reports and history list them.

Each hold keeps what was placed (subject, kind, reason, end date, who and when, its seq) and,
once lifted, the lift's reason, time and signer. Folding is pure (state and event only).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

import msgspec

from domain.base import DomainEvent
from domain.hold import Hold
from projections.stream import EventMeta


class HoldView(msgspec.Struct):
    """One hold as the ledger states it (a report's `holds[]` row)."""

    hold: str
    subject: str
    kind: str
    reason: str
    until: date | None
    placed_at: datetime
    placed_by: str
    seq: int
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None

    def open_on(self, day: date) -> bool:
        """Standing on `day`: not lifted and not past its end date (domain/hold.py's rule)."""
        return self.lifted_at is None and (self.until is None or day <= self.until)


class Holds(msgspec.Struct):
    by_id: dict[str, HoldView] = msgspec.field(default_factory=dict)
    id_of: dict[str, str] = msgspec.field(default_factory=dict)  # aggregate id -> hold id

    def on(self, subjects: Collection[str]) -> list[HoldView]:
        """The holds on any of `subjects`, in ledger order."""
        return sorted((h for h in self.by_id.values() if h.subject in subjects), key=_seq)


def _seq(h: HoldView) -> int:
    return h.seq


def _placed(state: Holds, e: Hold.Placed, meta: EventMeta) -> None:
    state.by_id[e.hold_id] = HoldView(
        e.hold_id, e.subject, e.kind, e.reason, e.until, e.at, meta.signer, meta.seq
    )
    state.id_of[str(e.originator_id)] = e.hold_id


def _lifted(state: Holds, e: Hold.Lifted, meta: EventMeta) -> None:
    view = state.by_id[state.id_of[str(e.originator_id)]]
    view.lifted_at, view.lifted_by, view.lift_reason = e.at, meta.signer, e.reason


HANDLERS: dict[type[DomainEvent], Callable[[Holds, Any, EventMeta], None]] = {
    Hold.Placed: _placed,
    Hold.Lifted: _lifted,
}
