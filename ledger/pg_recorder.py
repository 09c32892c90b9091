"""PostgreSQL recorder for large atomic saves (imported only for postgresql:// ledgers).

eventsourcing 9.5.6 sends a whole save as one INSERT inside a psycopg pipeline; above a few
megabytes of events (≈ 15k rows) the pipeline deadlocks (client in poll, server in
ClientRead) while holding the table's EXCLUSIVE lock, stalling every writer. This recorder does
the same work — one transaction, LOCK TABLE first so notification ids commit in order, then the
inserts — without pipeline mode, in chunks of statements inside that one transaction. All rows
of a save still commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

CHUNK = 2000


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """PostgresApplicationRecorder whose inserts run without psycopg pipeline mode."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                self._lock_table(curs)
                self._notify_channel(curs)
                for start in range(0, len(stored_events), CHUNK):
                    chunk = stored_events[start : start + CHUNK]
                    PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                    fetched = self._fetch_ids_after_insert_events(curs, chunk)
                    ids.extend(fetched or [])
        return ids
