"""PostgreSQL recorder for large atomic saves (imported only for postgresql:// ledgers).

eventsourcing 9.5.6 sends a whole save as one INSERT inside a psycopg pipeline; above a few
megabytes of events (≈ 15k rows) the pipeline deadlocks (client in poll, server in
ClientRead) while holding the table's EXCLUSIVE lock, stalling every writer. This recorder does
the same work — one transaction, LOCK TABLE first so notification ids commit in order, then the
inserts — without pipeline mode, in chunks of statements inside that one transaction. All rows
of a save still commit together or not at all.

It also folds the save into the cached Merkle frontier (ledger/cache.py) while it holds the
lock: no other rows can land between the cached frontier and these, so the write's receipt
needs no read back of its own rows and no transactions of its own (they were a quarter of a
save). The cached row is this process's local key's, and only believed when its seal opens
(ledger/cache.py). When the cache does not end just before the new rows (missing, refused,
stale, or a row in between) the fold is skipped and the receipt is made the slow way, after
the commit. A failing fold never fails the write: it runs in a savepoint.

In the same way it extends the stored hash tiles (ledger/tiles.py) and the event index
(ledger/event_index.py) by the new rows, in savepoints of the insert's transaction: rows,
tiles and index commit together. All three work from one ledger/inserted.py `Inserted`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

from ledger.cache import Fold, Frontier, FrontierCache, LastFold, fold_inserted
from ledger.event_index import IndexStore
from ledger.inserted import Inserted
from ledger.tiles import TileStore

CHUNK = 2000


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """PostgresApplicationRecorder whose inserts run without psycopg pipeline mode, and
    which folds each save into the cached frontier before it commits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frontier_cache = FrontierCache(self, postgres=True)
        self.tiles = TileStore(self, postgres=True)
        self.index = IndexStore(self, postgres=True)
        self._last = LastFold()  # this thread's last committed fold

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        ids: list[int] = []
        self._last.set(None)
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                self._lock_table(curs)
                self._notify_channel(curs)
                for start in range(0, len(stored_events), CHUNK):
                    chunk = stored_events[start : start + CHUNK]
                    PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                    fetched = self._fetch_ids_after_insert_events(curs, chunk)
                    ids.extend(fetched or [])
                inserted = self._inserted(conn, curs, ids, stored_events)
                fold = None if inserted is None else self._fold(conn, curs, inserted)
                if inserted is not None:
                    self._extend_sides(conn, curs, inserted)
        self._last.set(fold)  # committed
        return ids

    def _inserted(
        self, conn: Any, curs: Any, ids: list[int], stored_events: Sequence[StoredEvent]
    ) -> Inserted | None:
        """The new rows for the tables beside the log, read in a savepoint (None on any
        error: nothing beside the log is extended, and the write still commits)."""
        try:
            with conn.transaction():  # a savepoint
                return Inserted.read(self, True, curs, ids, [s.state for s in stored_events])
        except Exception:
            return None

    def _fold(self, conn: Any, curs: Any, inserted: Inserted) -> Fold | None:
        """Extend the cached frontier by the new rows (the table is locked), in a savepoint;
        None to skip (ledger/cache.py `fold_inserted`)."""
        try:
            with conn.transaction():  # a savepoint
                return fold_inserted(self.frontier_cache, curs, inserted)
        except Exception:  # the cache is only a shortcut: make the receipt the slow way
            return None

    def _extend_sides(self, conn: Any, curs: Any, inserted: Inserted) -> None:
        """Extend the hash tiles, then the event index, by the new rows, each in a savepoint
        (the table is locked); an error undoes only that part (ledger/tiles.py,
        ledger/event_index.py)."""
        with contextlib.suppress(Exception), conn.transaction():  # a savepoint
            self.tiles.extend(curs, inserted)
        with contextlib.suppress(Exception), conn.transaction():  # a savepoint
            self.index.extend(curs, inserted)

    def folded(self, notification_ids: Sequence[int]) -> tuple[list[int], Frontier] | None:
        """The seqs of `notification_ids` and the frontier after them, if this thread's last
        committed save folded exactly those rows (ledger/cache.py `LastFold`)."""
        return self._last.folded(notification_ids)
