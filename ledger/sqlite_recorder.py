"""SQLite recorder that extends the stored hash tiles in the insert's own transaction.

eventsourcing's SQLiteApplicationRecorder inserts a save's rows in one transaction; this
subclass, once the rows are in (the connection then holds SQLite's write lock, so no other row
can land between the tiles and these), extends the tiles (ledger/tiles.py) by the new rows
before the transaction commits: rows and tiles commit together or not at all. Tiles that do not
end just before the new rows (an older ledger, a dropped table) are left for a read to rebuild.
A failing extension never fails the write: it runs in a savepoint, rolled back on error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.tiles import TileStore


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLiteApplicationRecorder whose inserts also extend the hash tiles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tiles = TileStore(self, postgres=False)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids and len(ids) == len(stored_events):
            extend_in_savepoint(c, self.tiles, ids, [s.state for s in stored_events])
        return ids


def extend_in_savepoint(
    cursor: Any, tiles: TileStore, ids: Sequence[int], states: Sequence[bytes]
) -> None:
    """TileStore.extend inside a savepoint of the caller's transaction; an error undoes only
    the tiles' part (the rows still commit, and the tiles are rebuilt later)."""
    cursor.execute("SAVEPOINT award_tiles")
    try:
        tiles.extend(cursor, ids, states)
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT award_tiles")
    cursor.execute("RELEASE SAVEPOINT award_tiles")
