"""The stored checkpoints a report can name: which one commits to a report's events.

A report made from the first N events names the newest stored checkpoint whose tree size is at
most N (the checkpoint *event* itself may come later in the log: a checkpoint of size N is
stored at seq N or after). When witnesses' cosignatures were attached to that checkpoint, the
cosigned note is named instead (same checkpoint, more signatures).

Signing a checkpoint appends an event (and attaching cosignatures another), so a log is never
exactly the size of its newest checkpoint. `covered_size` says when the events after it are
only that bookkeeping: a report made then is made at the checkpoint's size, fully covered.
"""

from __future__ import annotations

import msgspec
from eventsourcing.persistence import PersistenceError

from domain.errors import StorageError
from domain.registry import Ledger
from ledger.application import LedgerApp
from ledger.mapper import decode_stored, topic_of

_TOPICS = (topic_of(Ledger.CheckpointSigned), topic_of(Ledger.CosignaturesAttached))


class StoredCheckpoint(msgspec.Struct, frozen=True):
    size: int
    root: bytes
    note: str


def stored_checkpoints(app: LedgerApp) -> list[StoredCheckpoint]:
    """Every stored checkpoint in ledger order, each with its latest (cosigned) note.

    Checkpoints are events of the one `Ledger` aggregate: read through its index, not by
    scanning the log."""
    found: dict[int, StoredCheckpoint] = {}
    try:
        stored = app.recorder.select_events(Ledger.ID)
    except PersistenceError as exc:
        raise StorageError(f"ledger {app.location.url!r}: cannot read: {exc}") from exc
    for row in stored:
        if row.topic not in _TOPICS:
            continue
        event = decode_stored(row.topic, row.state)
        if isinstance(event, Ledger.CheckpointSigned):
            found[event.size] = StoredCheckpoint(event.size, event.root_hash, event.note)
        elif isinstance(event, Ledger.CosignaturesAttached) and event.size in found:
            signed = found[event.size]
            found[event.size] = StoredCheckpoint(signed.size, signed.root, event.note)
    return sorted(found.values(), key=lambda c: c.size)


def checkpoint_for(checkpoints: list[StoredCheckpoint], size: int) -> StoredCheckpoint | None:
    """The newest checkpoint of at most `size` events, or None."""
    best = None
    for checkpoint in checkpoints:
        if checkpoint.size <= size:
            best = checkpoint
    return best


def covered_size(app: LedgerApp, checkpoints: list[StoredCheckpoint]) -> int | None:
    """The newest checkpoint's size when every event after it is a checkpoint signed or a
    cosignature attached (none of which a movement's report shows), else None.

    Counted on the index: the bookkeeping rows at or after the event at that size against all
    the rows there, without reading the log."""
    if not checkpoints:
        return None
    size = checkpoints[-1].size
    start = app.notification_id_of(size)
    if start is None:
        return size  # the log ends at the checkpoint
    last = app.last_notification_id()
    if last is None:
        return None
    bookkeeping = sum(1 for row in app.rows_of_topics(_TOPICS) if row[0] >= start)
    return size if bookkeeping == app.count_rows(start, last + 1) else None
