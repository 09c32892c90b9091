"""A sealed, checked cache of the Merkle frontier, so a write's receipt costs O(new events).

After each write the ledger stores the compact range (frontier) of the tree, its size, the last
notification id it covers and that row's leaf hash, in a side table beside the events
(``<events table>_frontiers``), one row per local cache key (ledger/localkey.py). The next write
folds only the rows after that id. The row is believed only after two checks:

- its **seal**, HMAC-SHA256 under this user's local key over (key id, size, last id, last hash,
  hashes): someone who can edit the database but does not hold the key cannot change it;
- its **end**: the row at `last_id` still exists and its leaf hash is `last_hash` (a cache left
  behind by a deleted or rewritten row is not used).

A refused row is replaced by the next write. Without a usable local key nothing is cached and a
receipt reads the log back. `verify` recomputes every row against the tree
(ledger/verify_caches.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import msgspec

from ledger.inserted import Inserted
from ledger.localkey import LocalKey, local_key
from ledger.merkle import HASH_SIZE, CompactRange, leaf_hash
from ledger.store import state_bytes

SEAL_DOMAIN = b"award-ledger/frontier-cache/v1\n"
OLD_TABLE = "_frontier"  # the unsealed one-row table of earlier versions: dropped on creation


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


class CachedRow(msgspec.Struct, frozen=True):
    """A row of the frontier table as stored, before any check (for `verify`)."""

    key_id: str
    size: int
    last_id: int
    last_hash: bytes
    hashes: bytes
    seal: bytes


def seal_parts(
    key_id: str, size: int, last_id: int, last_hash: bytes, hashes: bytes
) -> list[bytes]:
    """What a frontier row's seal covers, in order."""
    return [key_id.encode(), str(size).encode(), str(last_id).encode(), last_hash, hashes]


def split_hashes(size: int, blob: bytes) -> list[bytes] | None:
    """The frontier hashes packed in `blob`, or None when they cannot be a frontier of `size`."""
    if size < 0 or len(blob) % HASH_SIZE:
        return None
    hashes = [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]
    return hashes if len(hashes) == bin(size).count("1") else None


class FrontierCache:
    """The `<events table>_frontiers` table, on SQLite or PostgreSQL."""

    def __init__(self, recorder: Any, postgres: bool, key: LocalKey | None = None) -> None:
        self.recorder = recorder
        self.postgres = postgres
        events = recorder.events_table_name
        table, old = f"{events}_frontiers", f"{events}{OLD_TABLE}"
        if postgres:
            schema = recorder.datastore.schema
            table, old = f'"{schema}"."{table}"', f'"{schema}"."{old}"'
        self.table, self._old = table, old
        self.param = "%s" if postgres else "?"
        self._created = False
        self._key = key

    @property
    def key(self) -> LocalKey | None:
        """The local key rows are sealed with (None: nothing is cached)."""
        if self._key is None:
            self._key = local_key()
        return self._key

    def _create(self, cursor: Any) -> None:
        blob = "BYTEA" if self.postgres else "BLOB"
        cursor.execute(f"DROP TABLE IF EXISTS {self._old}")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (key_id TEXT PRIMARY KEY, "
            f"size BIGINT NOT NULL, last_id BIGINT NOT NULL, last_hash {blob} NOT NULL, "
            f"hashes {blob} NOT NULL, seal {blob} NOT NULL)"
        )
        self._created = True

    def load(self) -> Frontier | None:
        """This key's cached frontier if its seal opens, or None (missing table, no row, no
        key, or a row that fails its seal). The caller still checks where it ends."""
        try:
            with self.recorder.datastore.transaction(commit=False) as cursor:
                return self.read(cursor)
        except Exception:  # no table yet, or the database refuses: fall back to a full read
            return None

    def read(self, cursor: Any) -> Frontier | None:
        """:meth:`load` on the caller's cursor (raises what the database raises)."""
        key = self.key
        if key is None:
            return None
        cursor.execute(
            f"SELECT size, last_id, last_hash, hashes, seal FROM {self.table} "
            f"WHERE key_id = {self.param}",
            (key.key_id,),
        )
        row = cursor.fetchone()
        if row is None:
            return None
        size, last_id = _int(row["size"]), _int(row["last_id"])
        last_hash, blob, seal = (
            state_bytes(row["last_hash"]),
            state_bytes(row["hashes"]),
            state_bytes(row["seal"]),
        )
        parts = seal_parts(key.key_id, size, last_id, last_hash, blob)
        if not key.opens(seal, SEAL_DOMAIN, *parts):
            return None
        hashes = split_hashes(size, blob)
        return None if hashes is None else Frontier(size, last_id, last_hash, hashes)

    def rows(self) -> list[CachedRow]:
        """Every row of the table, of every key, unchecked (empty when there is no table)."""
        try:
            with self.recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(
                    f"SELECT key_id, size, last_id, last_hash, hashes, seal FROM {self.table} "
                    "ORDER BY key_id"
                )
                found = cursor.fetchall()
        except Exception:  # no table: nothing cached
            return []
        return [
            CachedRow(
                str(r["key_id"]),
                _int(r["size"]),
                _int(r["last_id"]),
                state_bytes(r["last_hash"]),
                state_bytes(r["hashes"]),
                state_bytes(r["seal"]),
            )
            for r in found
        ]

    def opens(self, row: CachedRow) -> bool | None:
        """Whether `row`'s seal opens under the local key; None when it is another key's."""
        key = self.key
        if key is None or row.key_id != key.key_id:
            return None
        parts = seal_parts(row.key_id, row.size, row.last_id, row.last_hash, row.hashes)
        return key.opens(row.seal, SEAL_DOMAIN, *parts)

    def store(self, frontier: Frontier, replace: bool = False) -> None:
        """Keep `frontier` unless a larger one is already stored (with `replace`: whatever is
        stored, e.g. a row that failed its check). Failures are ignored."""
        with contextlib.suppress(Exception):
            with self.recorder.datastore.transaction(commit=True) as cursor:
                self.write(cursor, frontier, replace)

    def write(self, cursor: Any, frontier: Frontier, replace: bool = False) -> None:
        """:meth:`store` on the caller's cursor (raises what the database raises)."""
        key = self.key
        if key is None:
            return
        p = self.param
        if not self._created:
            self._create(cursor)
        blob = b"".join(frontier.hashes)
        parts = seal_parts(key.key_id, frontier.size, frontier.last_id, frontier.last_hash, blob)
        only_if = "" if replace else f" WHERE {self.table}.size < excluded.size"
        cursor.execute(
            f"INSERT INTO {self.table} (key_id, size, last_id, last_hash, hashes, seal) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}) "
            f"ON CONFLICT (key_id) DO UPDATE SET size = excluded.size, "
            f"last_id = excluded.last_id, last_hash = excluded.last_hash, "
            f"hashes = excluded.hashes, seal = excluded.seal{only_if}",
            (
                key.key_id,
                frontier.size,
                frontier.last_id,
                frontier.last_hash,
                blob,
                key.seal(SEAL_DOMAIN, *parts),
            ),
        )


Fold = tuple[list[int], list[int], Frontier]  # the rows' ids (sorted), their seqs, the frontier


def fold_inserted(cache: FrontierCache, cursor: Any, inserted: Inserted) -> Fold | None:
    """Extend the cached frontier by the rows `inserted` just inserted on `cursor`, whose
    transaction holds the write lock (SQLite) or the table lock (PostgreSQL), so no other row
    can land between the cache and them: the seal and end checks of `read` and
    `Frontier.ends_at` on the row just before them, then the new leaves, written back on the
    same cursor. None when the cache cannot be used (the receipt is then made after the
    commit); raises what the database raises (the caller runs this in a savepoint)."""
    cached = cache.read(cursor)
    if cached is None:
        return None
    before = inserted.before
    if before is None or not cached.ends_at(before.id, inserted.before_state):
        return None
    compact = CompactRange.from_hashes(cached.size, cached.hashes)
    first = compact.size
    for leaf in inserted.leaves:
        compact.append(leaf)
    frontier = Frontier(compact.size, inserted.ids[-1], inserted.leaves[-1], compact.hashes)
    cache.write(cursor, frontier)
    return inserted.ids, list(range(first, compact.size)), frontier


class LastFold:
    """Each thread's last committed fold, for its write's receipt (`folded`)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def set(self, fold: Fold | None) -> None:
        """Record `fold` once its transaction committed (None: the last save folded nothing)."""
        self._local.fold = fold

    def folded(self, notification_ids: Sequence[int]) -> tuple[list[int], Frontier] | None:
        """The seqs of `notification_ids` (in ledger order) and the frontier after them, if
        this thread's last committed save folded exactly those rows."""
        fold = getattr(self._local, "fold", None)
        if fold is None or fold[0] != sorted(notification_ids):
            return None
        return fold[1], fold[2]


def _int(value: Any) -> int:
    """A stored integer, or -1 for whatever an edited row holds instead."""
    return value if type(value) is int else -1
