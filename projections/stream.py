"""The event stream every read model folds: decoded events with their ledger metadata, in order.

A fold sees ``(event, EventMeta(seq, time, signer))`` for every stored event it asks for, in
ledger order; ``time`` is the append time from the signed body (the writer's clock when the
event was made), ``seq`` the dense leaf index. Reading starts from a `Position` (what a stored
view has already folded: the next seq, the last notification id, the Merkle frontier) and stops
at a `Cut` (time travel: only events with seq < ``at_seq``, or up to the first event appended
after ``as_of``, or skipping every event whose effective time is after ``effective``). The log
is read in pages of rows: nothing holds the whole log.

Reading is fast rather than suspicious: rows are polled like ``select_notifications`` (the
notification id, topic and stored bytes only), each body is decoded strictly as the type its
row names, but signatures and canonical form are not checked here — that is ``awards verify``.
A row that does not decode stops the read with a VerificationError naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import msgspec

from domain.base import DomainEvent
from domain.errors import AwardLedgerError, UsageError, VerificationError
from ledger.application import LedgerApp
from ledger.merkle import CompactRange
from ledger.reader import HEADER, body_of, decoder_for, fold_leaf

Row = tuple[int, str, bytes]  # notification id, topic, stored entry


class EventMeta(msgspec.Struct, frozen=True):
    """Where and when an event stands in the ledger, and who signed it."""

    seq: int
    time: datetime
    signer: str


class Position(msgspec.Struct, frozen=True):
    """How far a fold has read: `seq` events folded (0..seq-1), the last one's notification id,
    the latest append time among them, and their Merkle frontier (so the root is known)."""

    seq: int = 0
    notification_id: int | None = None
    time: datetime | None = None
    frontier: list[bytes] = msgspec.field(default_factory=list)

    def root(self) -> bytes:
        """The RFC 6962 root of the events folded so far."""
        return CompactRange.from_hashes(self.seq, self.frontier).root()


class Cut(msgspec.Struct, frozen=True):
    """Time travel on one of three clocks: fold only events with seq < `at_seq`; and/or stop at
    the first event appended after `as_of` (append time, CLI ``--appended-before``); and/or fold
    only events whose effective time is at most `effective` (CLI ``--as-of``). An event's
    effective time is the `at` it claims (the ``--at``/``--date`` it was entered with), its
    append time when it claims none; an effective cut reads the whole log, since an event
    entered late may claim an early time. The empty cut means the whole ledger."""

    at_seq: int | None = None
    as_of: datetime | None = None
    effective: datetime | None = None

    def __post_init__(self) -> None:
        if self.at_seq is not None and self.at_seq < 0:
            raise UsageError(f"--at-seq {self.at_seq} must not be negative")
        for name, when in (("--appended-before", self.as_of), ("--as-of", self.effective)):
            if when is not None and (when.tzinfo is None or when.utcoffset() is None):
                raise UsageError(f"{name} {when.isoformat()} has no time zone")

    @property
    def clock(self) -> str:
        """Which clock the cut reads: ``effective`` (--as-of), ``appended`` (--appended-before)
        or ``seq`` (--at-seq, or no cut: the first N events; the same report either way)."""
        if self.effective is not None:
            return "effective"
        if self.as_of is not None:
            return "appended"
        return "seq"

    @property
    def asked(self) -> datetime | None:
        """The time asked for, on whichever clock (None for a seq cut or no cut)."""
        return self.effective or self.as_of

    def admits(self, position: Position) -> bool:
        """Whether everything folded up to `position` lies inside this cut (never for an
        effective cut: a stored fold holds events whatever time they claim)."""
        if self.effective is not None:
            return False
        if self.at_seq is not None and position.seq > self.at_seq:
            return False
        return not (
            self.as_of is not None and position.time is not None and position.time > self.as_of
        )

    def excludes(self, event: DomainEvent, appended: datetime) -> bool:
        """Whether an effective cut leaves out `event` (appended at `appended`)."""
        if self.effective is None:
            return False
        claimed = getattr(event, "at", None)
        when = claimed if isinstance(claimed, datetime) else appended
        return when > self.effective


# -- decoding ------------------------------------------------------------------------------------


def last_appended(app: LedgerApp, position: Position) -> Position:
    """`position` with `time` the append time of its last event (seq - 1), read alone by its
    notification id, as the reads on the event index give it: a document made from a fold
    (a report, a proposal's path) and the same made from the index then say the same "last
    appended". A fold's `time` is the latest among the events folded, which may be an earlier
    row's: a write stores its events aggregate by aggregate, not in the order they were made.
    `position` unchanged when that row cannot be read (the read check reports it)."""
    if position.notification_id is None or not position.seq:
        return position
    entry = app.entry_by_id(position.notification_id, position.seq - 1)
    try:
        time = HEADER.decode(body_of(entry.state)).time if entry is not None else None
    except (msgspec.DecodeError, ValueError):
        time = None
    return position if time is None else msgspec.structs.replace(position, time=time)


def _unreadable(seq: int, topic: str, exc: Exception) -> VerificationError:
    return VerificationError(
        f"event {seq} ({topic.rpartition(':')[2]}) is unreadable: {exc}; run 'awards verify'"
    )


# -- the tail of the log ---------------------------------------------------------------------------


class Tail:
    """The events after a position up to a cut; iterate once, then read `position`."""

    def __init__(
        self,
        app: LedgerApp,
        start: Position,
        cut: Cut,
        wanted: frozenset[str] | None,
        on_seq: Callable[[int], None] | None = None,
    ) -> None:
        self._app, self._cut, self._wanted = app, cut, wanted
        self._on_seq = on_seq  # progress: called with about the seq reached, once a page
        self.position = start

    def __iter__(self) -> Iterator[tuple[DomainEvent, EventMeta]]:
        start, cut, wanted = self.position, self._cut, self._wanted
        frontier, seq = list(start.frontier), start.seq
        last_id, latest = start.notification_id, start.time
        on_seq, on_page = self._on_seq, None
        if on_seq is not None:

            def on_page(read: int) -> None:
                on_seq(start.seq + read)

        at_seq, as_of, effective = cut.at_seq, cut.as_of, cut.effective  # read once a fold
        decoders: dict[str, Any] = {}
        try:
            rows = self._app.reader.rows_after(start.notification_id, on_page)
            for notification_id, topic, state in rows:
                if at_seq is not None and seq >= at_seq:
                    break
                event: DomainEvent | None = None
                try:
                    if wanted is None or topic in wanted:
                        decode = decoders.get(topic)
                        if decode is None:
                            decode = decoders[topic] = decoder_for(topic)
                        body, event = decode(body_of(state))
                        time = body.time
                    else:  # not folded, but its time counts for --as-of and the position
                        time = HEADER.decode(body_of(state)).time
                except (msgspec.DecodeError, ValueError, TypeError, AwardLedgerError) as exc:
                    raise _unreadable(seq, topic, exc) from exc
                if as_of is not None and time > as_of:
                    break
                fold_leaf(frontier, seq, state)
                seq, last_id = seq + 1, notification_id
                latest = time if latest is None or time > latest else latest
                if event is not None and (effective is None or not cut.excludes(event, time)):
                    yield event, EventMeta(seq - 1, time, body.signer)
        finally:
            self.position = Position(seq, last_id, latest, frontier)
