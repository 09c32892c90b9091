"""An untrusted cache of the Merkle frontier, so a write's receipt costs O(new events).

After each write the ledger stores the compact range (frontier) of the tree, its size and the
last notification id it covers, in a one-row side table beside the events. The next write
folds only the rows after that id. Nothing that *checks* anything reads this cache: `verify`
and checkpoint signing always recompute from the stored events. A lost or stale cache only
costs a full read.
"""

from __future__ import annotations

import contextlib
from typing import Any

import msgspec

from ledger.merkle import HASH_SIZE, leaf_hash


class Frontier(msgspec.Struct, frozen=True):
    """The tree over the first `size` leaves, which end at notification id `last_id` whose
    leaf hash is `last_hash` (so a cache left behind by a deleted row is noticed)."""

    size: int
    last_id: int
    last_hash: bytes
    hashes: list[bytes]

    def ends_at(self, row_id: int, state: bytes) -> bool:
        """Whether the row the cache says it ends at is still this one (id and contents)."""
        return row_id == self.last_id and leaf_hash(state) == self.last_hash


class FrontierCache:
    """The one-row `<events table>_frontier` table, on SQLite or PostgreSQL."""

    def __init__(self, recorder: Any, postgres: bool) -> None:
        self.recorder = recorder
        self.postgres = postgres
        table = f"{recorder.events_table_name}_frontier"
        if postgres:
            table = f'"{recorder.datastore.schema}"."{table}"'
        self.table = table
        self.param = "%s" if postgres else "?"
        self._created = False

    def _create(self, cursor: Any) -> None:
        blob = "BYTEA" if self.postgres else "BLOB"
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (id INTEGER PRIMARY KEY, "
            f"size BIGINT NOT NULL, last_id BIGINT NOT NULL, last_hash {blob} NOT NULL, "
            f"hashes {blob} NOT NULL)"
        )
        self._created = True

    def load(self) -> Frontier | None:
        """The cached frontier, or None (missing table, no row, or unreadable)."""
        try:
            with self.recorder.datastore.transaction(commit=False) as cursor:
                return self.read(cursor)
        except Exception:  # no table yet, or the database refuses: fall back to a full read
            return None

    def read(self, cursor: Any) -> Frontier | None:
        """:meth:`load` on the caller's cursor (raises what the database raises)."""
        cursor.execute(f"SELECT size, last_id, last_hash, hashes FROM {self.table} WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            return None
        size, last_id, blob = (row["size"], row["last_id"], bytes(row["hashes"]))
        last_hash = bytes(row["last_hash"])
        if len(blob) % HASH_SIZE:
            return None
        hashes = [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]
        if len(hashes) != bin(size).count("1"):
            return None
        return Frontier(int(size), int(last_id), last_hash, hashes)

    def store(self, frontier: Frontier) -> None:
        """Keep `frontier` unless a larger one is already stored. Failures are ignored."""
        with contextlib.suppress(Exception):
            with self.recorder.datastore.transaction(commit=True) as cursor:
                self.write(cursor, frontier)

    def write(self, cursor: Any, frontier: Frontier) -> None:
        """:meth:`store` on the caller's cursor (raises what the database raises)."""
        p = self.param
        if not self._created:
            self._create(cursor)
        cursor.execute(
            f"INSERT INTO {self.table} (id, size, last_id, last_hash, hashes) "
            f"VALUES (1, {p}, {p}, {p}, {p}) "
            f"ON CONFLICT (id) DO UPDATE SET size = excluded.size, "
            f"last_id = excluded.last_id, last_hash = excluded.last_hash, "
            f"hashes = excluded.hashes WHERE {self.table}.size < excluded.size",
            (frontier.size, frontier.last_id, frontier.last_hash, b"".join(frontier.hashes)),
        )
