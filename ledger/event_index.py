"""The event index: which events name a participant, a movement, a session, a decision, a
signer or a type, kept beside the log so "which events" reads do not scan it.

Table ``<events table>_index2`` (key, seq, nid), primary key (key, seq) and no other index
(each would cost every appended row; the audit walks the table in key order): one row for
every (kind, key) of ledger/event_keys.py an event is filed under, stored as ``kind:key``, at
its dense position `seq` and notification id `nid`. One more row, key ``''``, is the
high-water mark: the index covers seqs [0, its seq), the last one at notification id its nid.

It is extended by the recorders (ledger/sqlite_recorder.py, ledger/pg_recorder.py) inside the
transaction that inserts the rows — exactly like the hash tiles, and only when it ends on the
row just before the new ones, in a savepoint that never fails the write. A ledger made before
the index (or one whose index fell behind) is filled on first need by :meth:`backfill`, a
batch at a time, each batch committed under the writers' lock and only if the mark did not
move meanwhile; what lies past the mark is read from the log's tail.

The index is not signed and proves nothing: a read checks every row it shows against the
tiles and the newest signed checkpoint (ledger/log_check.py), and ``awards verify``
recomputes the whole index (ledger/verify_caches.py, :func:`check_index`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ledger.event_keys import Key, keys_of
from ledger.inserted import Inserted
from ledger.progress import Progress
from ledger.reader import LogReader
from ledger.store import state_bytes

BATCH = 20_000  # events a backfill commits at a time
MARK = ""  # the stored key of the high-water mark row
IndexRow = tuple[str, str, int, int]  # kind, key, seq, nid
StoredRow = tuple[str, int, int]  # kind:key, seq, nid
TABLE = "_index2"  # the table's name after the events table's
OLD_TABLE = "_index"  # the table of earlier versions, (kind, key, seq, nid): dropped, refilled


def stored_key(kind: str, key: str) -> str:
    """The one column a (kind, key) is stored in: ``kind:key`` (a kind holds no colon)."""
    return f"{kind}:{key}"


def split_key(stored: Any) -> tuple[str, str]:
    """(kind, key) of a stored key (an edited one without a colon: kind "", key itself)."""
    kind, colon, key = str(stored).partition(":")
    return (kind, key) if colon else ("", kind)


class IndexEnd(NamedTuple):
    """Where the index ends: it covers `size` events, the last at notification id `last_id`."""

    size: int
    last_id: int


class IndexStore:
    """The `<events table>_index2` table on SQLite or PostgreSQL (reads raise what the
    database raises; callers treat a failure as "no index")."""

    def __init__(self, recorder: Any, postgres: bool) -> None:
        self.recorder, self.postgres = recorder, postgres
        events = recorder.events_table_name
        schema = f'"{recorder.datastore.schema}".' if postgres else ""
        self.name = f"{events}{TABLE}"
        self.old = f'{schema}"{events}{OLD_TABLE}"' if postgres else f"{events}{OLD_TABLE}"
        self.table = f'{schema}"{self.name}"' if postgres else self.name
        self.events = f'{schema}"{events}"' if postgres else events
        self.id_column = "notification_id" if postgres else "rowid"
        self.p = "%s" if postgres else "?"
        self._types: list[str] | None = None  # the type keys, read on first need by nid_at

    # -- writing (on the caller's cursor, inside its transaction) ------------------------------

    def create(self, cursor: Any) -> None:
        cursor.execute(
            # PostgreSQL: byte order whatever the database's collation (an ICU one sorts
            # "type:Z" after "type;", which would empty the kind's key range that keys() reads)
            f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT "
            + ('COLLATE "C" ' if self.postgres else "")
            + "NOT NULL, "
            "seq BIGINT NOT NULL, nid BIGINT NOT NULL, PRIMARY KEY (key, seq))"
            + ("" if self.postgres else " WITHOUT ROWID")  # SQLite: one B-tree, not two
        )
        # Earlier versions kept (kind, key) in two columns and a second index on seq: every
        # row paid for both on append (a third of the index's cost). Their table is dropped;
        # the first read that needs the index fills this one.
        cursor.execute(f"DROP TABLE IF EXISTS {self.old}")

    def create_table(self) -> None:
        """:meth:`create` in a transaction of its own (where the ledger's tables are made)."""
        with self.recorder.datastore.transaction(commit=True) as cursor:
            self.create(cursor)

    def end(self, cursor: Any) -> IndexEnd | None:
        """The high-water mark (None: no mark, an empty or unindexed ledger)."""
        cursor.execute(f"SELECT seq, nid FROM {self.table} WHERE key = {self.p}", (MARK,))
        row = cursor.fetchone()
        if row is None:
            return None
        seq, nid = _values(row)
        return IndexEnd(int(seq), int(nid))

    def put(self, cursor: Any, rows: Sequence[StoredRow], end: IndexEnd) -> None:
        """Add `rows` (ignoring any already there) and move the mark to `end`."""
        p = self.p
        cursor.executemany(
            f"INSERT INTO {self.table} (key, seq, nid) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (key, seq) DO NOTHING",
            rows,
        )
        cursor.execute(f"DELETE FROM {self.table} WHERE key = {p}", (MARK,))
        cursor.execute(
            f"INSERT INTO {self.table} (key, seq, nid) VALUES ({p}, {p}, {p})",
            (MARK, end.size, end.last_id),
        )

    def extend(self, cursor: Any, inserted: Inserted) -> bool:
        """Inside the insert's transaction (the writer holds the lock): file the new rows
        `inserted` if the index ends on the row just before them (a new ledger: if there is
        none). Returns whether it did."""
        end = self.end(cursor)
        if end is None:
            if inserted.before is not None:
                return False  # an older ledger: filled by the next read that needs it
            end = IndexEnd(0, -1)
        elif inserted.before_id != end.last_id:
            return False
        rows = stored_rows(end.size, inserted.rows())
        self.put(cursor, rows, IndexEnd(end.size + len(inserted.ids), inserted.ids[-1]))
        return True

    def backfill(self, reader: LogReader, on_progress: Progress | None, total: int = 0) -> None:
        """File every event after the mark (all of them on an unindexed ledger), BATCH at a
        time; each batch commits only if the mark has not moved (a writer or another reader
        went ahead: it continues from there). `on_progress` gets the events filed so far, of
        about `total`."""
        done = 0
        while True:
            try:
                end = self.load_end() or IndexEnd(0, -1)
            except Exception:  # no table yet: made by the first batch's transaction
                end = IndexEnd(0, -1)
            batch: list[tuple[int, bytes]] = []
            for _, rows in reader.pages(end.size, after_id=end.last_id):
                batch.extend((row.id, state_bytes(row.state)) for row in rows)
                if len(batch) >= BATCH:
                    break
            if not batch:
                return
            rows_to_put = stored_rows(end.size, batch)
            with self.recorder.datastore.transaction(commit=True) as cursor:
                if self.postgres:
                    cursor.execute(f"LOCK TABLE {self.events} IN EXCLUSIVE MODE")
                self.create(cursor)
                if (self.end(cursor) or IndexEnd(0, -1)) != end:
                    continue
                self.put(cursor, rows_to_put, IndexEnd(end.size + len(batch), batch[-1][0]))
            done += len(batch)
            if on_progress is not None:
                on_progress(done, total)

    # -- reading (in a read of their own) ------------------------------------------------------

    def _select(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, params)
            rows: list[Any] = cursor.fetchall()
        if rows and isinstance(rows[0], dict):  # PostgreSQL's rows
            return [tuple(row.values()) for row in rows]
        return rows  # SQLite's rows index and unpack like tuples

    def load_end(self) -> IndexEnd | None:
        with self.recorder.datastore.transaction(commit=False) as cursor:
            return self.end(cursor)

    def positions(
        self, filters: Sequence[Key], start: int = 0, limit: int | None = None
    ) -> list[tuple[int, int]]:
        """(seq, nid) of the events filed under every one of `filters`, from seq `start`, in
        ledger order, at most `limit`. The rows of the first filter are walked in seq order and
        each other filter is one primary-key lookup per row (not a set of its own: a type's
        rows can be a million), so put the most selective filter first."""
        p = self.p
        first, *others = filters
        sql = f"SELECT a.seq, a.nid FROM {self.table} a WHERE a.key = {p} AND a.seq >= {p}"
        params: list[Any] = [stored_key(*first), start]
        for kind, key in others:
            sql += (
                f" AND EXISTS (SELECT 1 FROM {self.table} b WHERE b.key = {p} "
                "AND b.seq = a.seq AND b.nid = a.nid)"
            )
            params.append(stored_key(kind, key))
        sql += " ORDER BY a.seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [(int(seq), int(nid)) for seq, nid in self._select(sql, *params)]

    def keys(self, kind: str) -> list[str]:
        """Every key of `kind` the index holds, in order (for did-you-mean, and the types
        :meth:`nid_at` looks under): one primary-key seek a key, not a walk of its rows (a
        type's rows can be a million)."""
        p, t = self.p, self.table
        low, high = stored_key(kind, ""), f"{kind};"  # ";" follows ":"
        sql = (
            "WITH RECURSIVE k(key) AS ("
            f"SELECT (SELECT key FROM {t} WHERE key >= {p} AND key < {p} ORDER BY key LIMIT 1) "
            f"UNION ALL SELECT (SELECT key FROM {t} WHERE key > k.key AND key < {p} "
            "ORDER BY key LIMIT 1) FROM k WHERE k.key IS NOT NULL"
            ") SELECT key FROM k WHERE key IS NOT NULL"
        )
        return [split_key(key)[1] for (key,) in self._select(sql, low, high, high)]

    def nid_at(self, seq: int) -> int | None:
        """The notification id the index files event `seq` under (None: not filed), read on
        the event's type row: one primary-key seek per type the index knows."""
        for fresh in (False, True):
            if fresh or self._types is None:
                self._types = [stored_key("type", key) for key in self.keys("type")]
            if not self._types:
                return None
            p = self.p
            sql = (
                f"SELECT nid FROM {self.table} "
                f"WHERE key IN ({', '.join([p] * len(self._types))}) AND seq = {p} LIMIT 1"
            )
            rows = self._select(sql, *self._types, seq)
            if rows:
                return int(rows[0][0])
        return None  # not even under a type written since the types were read

    def scan(self, after: tuple[Any, ...] | None, limit: int) -> list[tuple[Any, ...]]:
        """Up to `limit` stored rows (key, seq, nid) in primary-key order, after the stored
        row `after` (None: from the first), the mark excepted; values as stored (the audit's
        walk, ledger/verify_caches.py)."""
        p = self.p
        sql = f"SELECT key, seq, nid FROM {self.table} WHERE key <> {p}"
        params: list[Any] = [MARK]
        if after is not None:
            sql += f" AND (key, seq) > ({p}, {p})"
            params += after[:2]
        sql += f" ORDER BY key, seq LIMIT {int(limit)}"
        return self._select(sql, *params)

    def rows_of(self, key: Key) -> list[tuple[Any, Any]]:
        """(seq, nid) of every row filed under `key`, as stored."""
        sql = f"SELECT seq, nid FROM {self.table} WHERE key = {self.p} ORDER BY seq"
        return [(seq, nid) for seq, nid in self._select(sql, stored_key(*key))]


def index_rows(first: int, rows: Sequence[tuple[int, bytes]]) -> list[IndexRow]:
    """The index rows of the entries `rows` ((nid, state) in ledger order from seq `first`)."""
    out: list[IndexRow] = []
    for seq, (nid, state) in enumerate(rows, first):
        out.extend([(kind, key, seq, nid) for kind, key in keys_of(state)])
    return out


def stored_rows(first: int, rows: Sequence[tuple[int, bytes]]) -> list[StoredRow]:
    """:func:`index_rows` as the table stores them: (``kind:key``, seq, nid)."""
    out: list[StoredRow] = []
    for seq, (nid, state) in enumerate(rows, first):  # stored_key inlined: every append's path
        out.extend([(f"{kind}:{key}", seq, nid) for kind, key in keys_of(state)])
    return out


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)
