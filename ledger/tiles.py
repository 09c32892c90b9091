"""Stored hash tiles: the Merkle tree's hashes beside the log, in the C2SP tlog-tiles layout.

A level-L tile at index i holds the hashes of tree level 8L for nodes [256 i, 256 i + w), packed
32 bytes each; w = 256 for a full tile, fewer for the partial tile at the right edge. Level 0
holds leaf hashes; a level-L+1 hash is the root of a full level-L tile. They are kept in the
table ``<events table>_tiles`` (level, idx, hashes), with one more row, level -1 / idx 0, that
says where they end: the tree size they cover and the notification id of its last leaf.

Tiles are extended by the recorders (ledger/sqlite_recorder.py, ledger/pg_recorder.py) inside
the transaction that inserts the rows, but only when they end on the row just before the new
ones; otherwise they are left behind and rebuilt by a read that needs them (:meth:`rebuild`).
Nothing trusts them: a proof made from them is checked against a signed checkpoint before use
(ledger/tiled_proofs.py), and the audit recomputes every tile (ledger/verify_caches.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Sequence
from typing import Any, NamedTuple

from ledger.inserted import Inserted
from ledger.merkle import HASH_SIZE, NODE_PREFIX, MerkleTree
from ledger.store import state_bytes

WIDTH = 256  # hashes in a full tile
HEIGHT = 8  # tree levels a tile spans: 2**HEIGHT == WIDTH
FULL = WIDTH * HASH_SIZE
META_LEVEL = -1  # the row that says where the tiles end


class TileEnd(NamedTuple):
    """Where the stored tiles end: `size` leaves, the last one at notification id `last_id`."""

    size: int
    last_id: int

    def encode(self) -> bytes:
        return self.size.to_bytes(8, "big") + self.last_id.to_bytes(8, "big")

    @classmethod
    def decode(cls, blob: bytes) -> TileEnd | None:
        if len(blob) != 16:
            return None
        return cls(int.from_bytes(blob[:8], "big"), int.from_bytes(blob[8:], "big"))


def tile_root(tile: bytes | bytearray) -> bytes:
    """The root of a full tile (its 256 hashes hashed up HEIGHT levels), or of any run of a
    power of two hashes: the node above them."""
    level = bytes(tile)
    pair = 2 * HASH_SIZE
    while len(level) > HASH_SIZE:
        level = b"".join(
            hashlib.sha256(NODE_PREFIX + level[i : i + pair]).digest()
            for i in range(0, len(level), pair)
        )
    return level


def tiles_of(tree: MerkleTree, size: int | None = None) -> dict[tuple[int, int], bytes]:
    """Every tile of the tree over its first `size` leaves (default all), by (level, index)."""
    size = tree.size if size is None else size
    tiles: dict[tuple[int, int], bytes] = {}
    level, count = 0, size
    while count:
        hashes = tree.level_hashes(level * HEIGHT)[: count * HASH_SIZE]
        for index, start in enumerate(range(0, len(hashes), FULL)):
            tiles[(level, index)] = hashes[start : start + FULL]
        level, count = level + 1, count >> HEIGHT
    return tiles


def extend_tiles(
    size: int, edges: dict[int, bytes], leaf_hashes: Sequence[bytes]
) -> dict[tuple[int, int], bytes]:
    """The tiles that change when `leaf_hashes` are appended to a tree of `size` leaves whose
    right-edge (partial) tile of each level is `edges[level]` (absent: empty)."""
    changed: dict[tuple[int, int], bytes] = {}
    items: list[bytes] = list(leaf_hashes)
    level = 0
    while items:
        count = size >> (HEIGHT * level)  # hashes on this level before the new ones
        index = count // WIDTH
        tile = bytearray(edges.get(level, b""))
        carry: list[bytes] = []
        for value in items:
            tile += value
            if len(tile) == FULL:
                changed[(level, index)] = bytes(tile)
                carry.append(tile_root(tile))
                index, tile = index + 1, bytearray()
        if tile:
            changed[(level, index)] = bytes(tile)
        items, level = carry, level + 1
    return changed


class TileStore:
    """The `<events table>_tiles` table on SQLite or PostgreSQL (all reads raise what the
    database raises; callers treat a failure as "no tiles")."""

    def __init__(self, recorder: Any, postgres: bool) -> None:
        self.recorder = recorder
        self.postgres = postgres
        name = f"{recorder.events_table_name}_tiles"
        self.name = name
        self.table = f'"{recorder.datastore.schema}"."{name}"' if postgres else name
        events = recorder.events_table_name
        self.events = f'"{recorder.datastore.schema}"."{events}"' if postgres else events
        self.id_column = "notification_id" if postgres else "rowid"
        self.p = "%s" if postgres else "?"

    # -- in a read of their own (raise what the database raises, e.g. no table) ----------------

    def load_end(self) -> TileEnd | None:
        with self.recorder.datastore.transaction(commit=False) as cursor:
            return self.end(cursor)

    def load_tile(self, level: int, index: int) -> bytes | None:
        with self.recorder.datastore.transaction(commit=False) as cursor:
            return self.tile(cursor, level, index)

    def load_all(self) -> Generator[tuple[int, int, bytes], None, None]:
        """Every row (the end row too), unchecked, in (level, idx) order, a row at a time
        (the table is 32 bytes a leaf: an audit holds one tile of it at once)."""
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT level, idx, hashes FROM {self.table} ORDER BY level, idx")
            while (row := cursor.fetchone()) is not None:
                r = _values(row)
                yield _int(r[0]), _int(r[1]), state_bytes(r[2])

    def store_rebuilt(self, tree: MerkleTree, leaf_ids: Sequence[int]) -> None:
        """:meth:`rebuild` in a write transaction of its own, holding the writers' lock."""
        with self.recorder.datastore.transaction(commit=True) as cursor:
            if self.postgres:
                cursor.execute(f"LOCK TABLE {self.events} IN EXCLUSIVE MODE")
            self.rebuild(cursor, tree, leaf_ids)

    # -- on the caller's cursor ----------------------------------------------------------------

    def create_table(self) -> None:
        """:meth:`create` in a transaction of its own (where the ledger's tables are made)."""
        with self.recorder.datastore.transaction(commit=True) as cursor:
            self.create(cursor)

    def create(self, cursor: Any) -> None:
        blob = "BYTEA" if self.postgres else "BLOB"
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (level INTEGER NOT NULL, "
            f"idx BIGINT NOT NULL, hashes {blob} NOT NULL, PRIMARY KEY (level, idx))"
        )

    def end(self, cursor: Any) -> TileEnd | None:
        """Where the tiles say they end (None: no table row, or an unreadable one)."""
        blob = self._get(cursor, META_LEVEL, 0)
        return None if blob is None else TileEnd.decode(blob)

    def tile(self, cursor: Any, level: int, index: int) -> bytes | None:
        return self._get(cursor, level, index)

    def _get(self, cursor: Any, level: int, index: int) -> bytes | None:
        cursor.execute(
            f"SELECT hashes FROM {self.table} WHERE level = {self.p} AND idx = {self.p}",
            (level, index),
        )
        row = cursor.fetchone()
        if row is None:
            return None
        value = row["hashes"] if isinstance(row, dict) else row[0]
        return state_bytes(value)

    def put(self, cursor: Any, tiles: dict[tuple[int, int], bytes], end: TileEnd) -> None:
        """Write `tiles` and the end row (insert or replace each)."""
        p = self.p
        rows = [(level, index, blob) for (level, index), blob in sorted(tiles.items())]
        rows.append((META_LEVEL, 0, end.encode()))
        cursor.executemany(
            f"INSERT INTO {self.table} (level, idx, hashes) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
            rows,
        )

    def edges(self, cursor: Any, size: int) -> dict[int, bytes] | None:
        """The right-edge partial tile of every level of a tree of `size` leaves (None when
        one is missing or the wrong length)."""
        edges: dict[int, bytes] = {}
        level, count = 0, size
        while count:
            width = count % WIDTH
            if width:
                blob = self._get(cursor, level, count // WIDTH)
                if blob is None or len(blob) != width * HASH_SIZE:
                    return None
                edges[level] = blob
            level, count = level + 1, count >> HEIGHT
        return edges

    def extend(self, cursor: Any, inserted: Inserted) -> bool:
        """Inside the insert's transaction (the writer holds the lock): extend the tiles by the
        new rows `inserted`, if the tiles end on the row just before them. Returns whether it
        did. Raises on a ledger without the table (made by :meth:`create` when the ledger is,
        or by a rebuild)."""
        end = self.end(cursor)
        if end is None:
            if inserted.before is not None:
                return False  # an older ledger: rebuilt by the next read that needs them
            end = TileEnd(0, -1)
        elif inserted.before_id != end.last_id:
            return False
        edges = self.edges(cursor, end.size)
        if edges is None:
            return False
        leaves = inserted.leaves
        changed = extend_tiles(end.size, edges, leaves)
        self.put(cursor, changed, TileEnd(end.size + len(leaves), inserted.ids[-1]))
        return True

    def rebuild(self, cursor: Any, tree: MerkleTree, leaf_ids: Sequence[int]) -> None:
        """Replace every tile by the tiles of `tree` (whose leaf `i` is row `leaf_ids[i]`),
        unless a writer's tiles already go further (the caller holds the write lock)."""
        self.create(cursor)
        cursor.execute(f"SELECT max({self.id_column}) AS m FROM {self.events}")
        row = cursor.fetchone()
        last = row["m"] if isinstance(row, dict) else row[0]
        if not leaf_ids or last != leaf_ids[-1]:
            return  # a writer went ahead: its tiles (or the next read) will do
        cursor.execute(f"DELETE FROM {self.table}")
        self.put(cursor, tiles_of(tree), TileEnd(tree.size, leaf_ids[-1]))


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def _int(value: Any) -> int:
    return value if type(value) is int else -2
