"""SQLite recorder that folds the write's receipt and extends the hash tiles and the event index
in the insert's transaction.

eventsourcing's SQLiteApplicationRecorder inserts a save's rows in one transaction; this
subclass, once the rows are in (the connection then holds SQLite's write lock, so no other row
can land between the cache, the tiles and these), folds them into the cached Merkle frontier
(ledger/cache.py `fold_inserted`, as the PostgreSQL recorder does: the write's receipt then
reads nothing back) and extends the tiles (ledger/tiles.py) by the new rows before the
transaction commits — all three from one ledger/inserted.py `Inserted` (the row before them
looked up and their leaves hashed once): rows, frontier and tiles commit together or not at
all. Tiles that do not end just before the new rows (an older ledger, a dropped table) are
left for a read to rebuild. The event index (ledger/event_index.py) is extended the same way,
in a savepoint of its own. A failing extension never fails the write: it runs in a savepoint,
rolled back on error.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.cache import Fold, Frontier, FrontierCache, LastFold, fold_inserted
from ledger.event_index import IndexStore
from ledger.inserted import Inserted
from ledger.tiles import TileStore


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLiteApplicationRecorder whose inserts also extend the hash tiles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frontier_cache = FrontierCache(self, postgres=False)
        self.tiles = TileStore(self, postgres=False)
        self.index = IndexStore(self, postgres=False)
        self._last = LastFold()
        self._pending = threading.local()  # this thread's fold, until its insert commits

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        self._last.set(None)
        self._pending.fold = None
        ids = super().insert_events(stored_events, **kwargs)
        self._last.set(self._pending.fold)  # committed
        return ids

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            try:
                inserted = Inserted.read(self, False, c, ids, [s.state for s in stored_events])
            except Exception:  # nothing beside the log is extended; the write still commits
                inserted = None
            if inserted is not None:
                self._pending.fold = _fold_in_savepoint(c, self.frontier_cache, inserted)
                extend_in_savepoint(c, self.tiles, inserted)
                extend_in_savepoint(c, self.index, inserted)
        return ids

    def folded(self, notification_ids: Sequence[int]) -> tuple[list[int], Frontier] | None:
        """The seqs of `notification_ids` and the frontier after them, if this thread's last
        committed save folded exactly those rows (ledger/cache.py `LastFold`)."""
        return self._last.folded(notification_ids)


def _fold_in_savepoint(cursor: Any, cache: FrontierCache, inserted: Inserted) -> Fold | None:
    """`fold_inserted` inside a savepoint; None (and nothing of it kept) on any error."""
    cursor.execute("SAVEPOINT award_fold")
    try:
        fold = fold_inserted(cache, cursor, inserted)
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT award_fold")
        fold = None
    cursor.execute("RELEASE SAVEPOINT award_fold")
    return fold


class SideTable(Protocol):
    """A table kept beside the log and extended by each insert (tiles, the event index)."""

    def extend(self, cursor: Any, inserted: Inserted) -> bool: ...


def extend_in_savepoint(cursor: Any, side: SideTable, inserted: Inserted) -> None:
    """`side.extend` inside a savepoint of the caller's transaction; an error undoes only
    that table's part (the rows still commit, and it is rebuilt or filled later)."""
    cursor.execute("SAVEPOINT award_side")
    try:
        side.extend(cursor, inserted)
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT award_side")
    cursor.execute("RELEASE SAVEPOINT award_side")
