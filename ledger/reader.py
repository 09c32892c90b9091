"""The one reader of the stored log: raw rows in ledger order, paged, tolerantly decoded.

Everything that reads the log in order — the audit, the read models, receipts, publish, the
hash tiles and the event index — reads it here:

- :meth:`LogReader.pages` / :meth:`LogReader.entries`: every row from a dense position `seq`
  (or after a notification id), a page of raw rows at a time (ledger/store.py; PostgreSQL may
  leave gaps in notification ids, so seq is counted, never taken from an id), with an
  optional progress callback once a page;
- :meth:`LogReader.rows_after`: the same rows as (notification id, topic, stored bytes) only,
  what a fold needs, without building row objects;
- :meth:`LogReader.rows_of_types`: only the rows of some event types (on the topic index);
- tolerant decoding: :func:`to_entry` keeps a row an attacker edited into the wrong types
  (for the audit to report), :func:`decoder_for` decodes a body strictly as the type its row
  names (without the canonical-form check, which is the audit's);
- the frontier fold (:func:`fold_leaf`): one leaf appended to an RFC 6962 compact range.

Reads never change anything; a driver error becomes StorageError.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.errors import StorageError
from ledger import codec
from ledger.mapper import event_class_for
from ledger.merkle import LEAF_PREFIX, NODE_PREFIX
from ledger.store import (
    RawRow,
    notification_id_at,
    select_rows,
    select_topic_state,
    state_bytes,
)

R = TypeVar("R")
PAGE = 2000
Row = tuple[int, str, bytes]  # notification id, topic, stored entry
NIL_ID = UUID(int=0)
OnPage = Callable[[int], None]  # called with the number of rows read so far, once a page


class Entry(msgspec.Struct, frozen=True):
    """One stored event at its dense position `seq` in the log (the Merkle leaf index)."""

    seq: int
    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class LogReader:
    """Reads one ledger's events table (SQLite or PostgreSQL) in ledger order."""

    def __init__(self, recorder: Any, postgres: bool, url: str) -> None:
        self.recorder, self.postgres, self.url = recorder, postgres, url

    def read(self, select: Callable[..., R], *args: Any) -> R:
        """Run one of ledger/store.py's raw reads; driver errors become StorageError."""
        try:
            return select(self.recorder, self.postgres, *args)
        except Exception as exc:  # sqlite3 / psycopg errors, raised by the driver
            raise StorageError(f"ledger {self.url!r}: cannot read: {exc}") from exc

    def pages(
        self, start_seq: int = 0, after_id: int | None = None, on_page: OnPage | None = None
    ) -> Iterator[tuple[int, list[RawRow]]]:
        """Every row from `start_seq`, undecoded, a page at a time: (seq of the first, rows).

        With `after_id`, reading starts after that notification id, whose row is taken to be
        at seq `start_seq` - 1 (to continue a tree built up to there). Without it, the rows
        before `start_seq` are skipped on the database's index (OFFSET), not sent."""
        if after_id is None and start_seq > 0:
            after_id = self.read(notification_id_at, start_seq - 1)
            if after_id is None:
                return
        next_id = 0 if after_id is None else after_id + 1
        seq = start_seq
        while True:
            page = self.read(select_rows, next_id, PAGE)
            if page:
                yield seq, page
            if len(page) < PAGE:
                return
            seq += len(page)
            next_id = page[-1].id + 1
            if on_page is not None:
                on_page(seq - start_seq)

    def entries(self, start_seq: int = 0, after_id: int | None = None) -> Iterator[Entry]:
        """:meth:`pages` row by row, as Entries (a row edited into nonsense is still yielded,
        for the audit to report, instead of failing the whole read)."""
        for first, page in self.pages(start_seq, after_id):
            for offset, row in enumerate(page):
                yield to_entry(first + offset, row)

    def rows_after(self, after_id: int | None, on_page: OnPage | None = None) -> Iterator[Row]:
        """Every row after notification id `after_id` (all when None) as (notification id,
        topic, state), in ledger order: what a read model folds."""
        last_id = -1 if after_id is None else after_id
        read = 0
        while True:
            page = self.read(select_topic_state, last_id + 1, PAGE)
            yield from page
            if len(page) < PAGE:
                return
            last_id, read = page[-1][0], read + len(page)
            if on_page is not None:
                on_page(read)

    def rows_of_types(self, topics: Sequence[str]) -> Iterator[Any]:
        """Only the stored events of the given types, in ledger order (eventsourcing's
        notifications: id, originator_id, topic, state; no seq numbers)."""
        next_id: int | None = None
        while True:
            try:
                page = self.recorder.select_notifications(next_id, PAGE, topics=topics)
            except Exception as exc:  # the recorder's PersistenceError, driver errors
                raise StorageError(f"ledger {self.url!r}: cannot read: {exc}") from exc
            yield from page
            if len(page) < PAGE:
                return
            next_id = page[-1].id + 1


def to_entry(seq: int, n: RawRow) -> Entry:
    """An Entry from a stored row, tolerating rows an attacker edited into the wrong types
    (NULLs, text in number columns): the audit then reports them instead of crashing."""
    try:
        originator_id = UUID(str(n.originator_id))
    except ValueError:
        originator_id = NIL_ID
    try:
        version = int(n.originator_version)
    except (TypeError, ValueError):
        version = -1
    return Entry(
        seq=seq,
        notification_id=n.id,
        originator_id=originator_id,
        originator_version=version,
        topic=n.topic if isinstance(n.topic, str) else "",
        state=state_bytes(n.state),
    )


def decode_entry(entry: Entry) -> tuple[codec.EntryBody[Any], DomainEvent]:
    """Strictly (canonical form included) decode a stored entry into its body and event."""
    split = codec.split_entry(entry.state)
    return codec.decode_event(split.body, event_class_for(entry.topic))


@cache
def decoder_for(topic: str) -> Callable[[bytes], tuple[codec.EntryBody[Any], DomainEvent]]:
    """A strict decoder of bodies of the event type `topic` names (cached per topic); the
    canonical-form check is the audit's, not repeated on every read."""
    return codec.read_decoder(event_class_for(topic))


HEADER = msgspec.json.Decoder(codec.EntryBody[msgspec.Raw])


def body_of(state: bytes) -> bytes:
    """The signed body of a stored entry (everything before its signature line)."""
    cut = state.rfind(b"\n")
    if cut < 0:
        raise ValueError("no signature line after the body")
    return state[:cut]


def fold_leaf(frontier: list[bytes], seq: int, state: bytes) -> None:
    """Append the leaf of the entry `state` at index `seq` to the RFC 6962 compact range
    `frontier` of the first `seq` leaves (in place): the frontier fold."""
    sha256 = hashlib.sha256
    digest, carry = sha256(LEAF_PREFIX + state).digest(), seq
    while carry & 1:
        digest, carry = sha256(NODE_PREFIX + frontier.pop() + digest).digest(), carry >> 1
    frontier.append(digest)
