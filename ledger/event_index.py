"""The event index: which events name a participant, a movement, a session, a decision, a
signer or a type, kept beside the log so "which events" reads do not scan it.

Table ``<events table>_index`` (kind, key, seq, nid), primary key (kind, key, seq), with an
index on seq (the audit's range reads): one row for every (kind, key) of ledger/event_keys.py an
event is filed under, at its dense position `seq` and notification id `nid`. One more row,
kind ``''``, is the high-water mark: the index covers seqs [0, its seq), the last one at
notification id its nid.

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
MARK = ""  # the kind of the high-water mark row
IndexRow = tuple[str, str, int, int]  # kind, key, seq, nid


class IndexEnd(NamedTuple):
    """Where the index ends: it covers `size` events, the last at notification id `last_id`."""

    size: int
    last_id: int


class IndexStore:
    """The `<events table>_index` table on SQLite or PostgreSQL (reads raise what the
    database raises; callers treat a failure as "no index")."""

    def __init__(self, recorder: Any, postgres: bool) -> None:
        self.recorder, self.postgres = recorder, postgres
        events = recorder.events_table_name
        self.name = f"{events}_index"
        schema = f'"{recorder.datastore.schema}".' if postgres else ""
        self.table = f'{schema}"{self.name}"' if postgres else self.name
        self.events = f'{schema}"{events}"' if postgres else events
        self.id_column = "notification_id" if postgres else "rowid"
        self.p = "%s" if postgres else "?"

    # -- writing (on the caller's cursor, inside its transaction) ------------------------------

    def create(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (kind TEXT NOT NULL, key TEXT NOT NULL, "
            "seq BIGINT NOT NULL, nid BIGINT NOT NULL, PRIMARY KEY (kind, key, seq))"
            + ("" if self.postgres else " WITHOUT ROWID")  # SQLite: one B-tree, not two
        )
        seq_index = f'"{self.name}_seq"' if self.postgres else f"{self.name}_seq"
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {seq_index} ON {self.table} (seq)")

    def create_table(self) -> None:
        """:meth:`create` in a transaction of its own (where the ledger's tables are made)."""
        with self.recorder.datastore.transaction(commit=True) as cursor:
            self.create(cursor)

    def end(self, cursor: Any) -> IndexEnd | None:
        """The high-water mark (None: no mark, an empty or unindexed ledger)."""
        cursor.execute(f"SELECT seq, nid FROM {self.table} WHERE kind = {self.p}", (MARK,))
        row = cursor.fetchone()
        if row is None:
            return None
        seq, nid = _values(row)
        return IndexEnd(int(seq), int(nid))

    def put(self, cursor: Any, rows: Sequence[IndexRow], end: IndexEnd) -> None:
        """Add `rows` (ignoring any already there) and move the mark to `end`."""
        p = self.p
        cursor.executemany(
            f"INSERT INTO {self.table} (kind, key, seq, nid) VALUES ({p}, {p}, {p}, {p}) "
            "ON CONFLICT (kind, key, seq) DO NOTHING",
            rows,
        )
        cursor.execute(f"DELETE FROM {self.table} WHERE kind = {p}", (MARK,))
        cursor.execute(
            f"INSERT INTO {self.table} (kind, key, seq, nid) VALUES ({p}, {p}, {p}, {p})",
            (MARK, MARK, end.size, end.last_id),
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
        rows = index_rows(end.size, inserted.rows())
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
            rows_to_put = index_rows(end.size, batch)
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
            return [_values(row) for row in cursor.fetchall()]

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
        sql = (
            f"SELECT a.seq, a.nid FROM {self.table} a "
            f"WHERE a.kind = {p} AND a.key = {p} AND a.seq >= {p}"
        )
        params: list[Any] = [*first, start]
        for kind, key in others:
            sql += (
                f" AND EXISTS (SELECT 1 FROM {self.table} b WHERE b.kind = {p} AND b.key = {p} "
                "AND b.seq = a.seq AND b.nid = a.nid)"
            )
            params += [kind, key]
        sql += " ORDER BY a.seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [(int(seq), int(nid)) for seq, nid in self._select(sql, *params)]

    def keys(self, kind: str) -> list[str]:
        """Every key of `kind` the index holds (for did-you-mean)."""
        sql = f"SELECT DISTINCT key FROM {self.table} WHERE kind = {self.p}"
        return [str(key) for (key,) in self._select(sql, kind)]

    def nid_at(self, seq: int) -> int | None:
        """The notification id the index files event `seq` under (None: not filed)."""
        sql = f"SELECT nid FROM {self.table} WHERE seq = {self.p} AND kind <> {self.p} LIMIT 1"
        rows = self._select(sql, seq, MARK)
        return int(rows[0][0]) if rows else None

    def rows_between(self, first: int, stop: int) -> list[IndexRow]:
        """Every row with seq in [first, stop) (the audit's page), the mark excepted."""
        p = self.p
        sql = (
            f"SELECT kind, key, seq, nid FROM {self.table} "
            f"WHERE seq >= {p} AND seq < {p} AND kind <> {p}"
        )
        return [
            (str(k), str(v), int(s), int(n)) for k, v, s, n in self._select(sql, first, stop, MARK)
        ]

    def rows_outside(self, size: int) -> list[IndexRow]:
        """Rows placed at a seq the log does not have (negative, or ≥ `size`)."""
        p = self.p
        sql = (
            f"SELECT kind, key, seq, nid FROM {self.table} "
            f"WHERE (seq < 0 OR seq >= {p}) AND kind <> {p}"
        )
        return [(str(k), str(v), int(s), int(n)) for k, v, s, n in self._select(sql, size, MARK)]


def index_rows(first: int, rows: Sequence[tuple[int, bytes]]) -> list[IndexRow]:
    """The index rows of the entries `rows` ((nid, state) in ledger order from seq `first`)."""
    out: list[IndexRow] = []
    for seq, (nid, state) in enumerate(rows, first):
        out.extend((kind, key, seq, nid) for kind, key in keys_of(state))
    return out


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)
