"""Audit step (8) for the stored views: each row checked against the tree the audit rebuilt.

For every row of ``award_sealed_views`` (of any local key): its position decodes, its seq
column agrees with it, it stands inside the ledger, its frontier equals the recomputed tree's
compact range at its seq and it ends on the row at seq − 1; a row of this machine's key must
open its seal (a row of another key is noted: its state cannot be checked here, and it is
never used here). The tracking table must hold exactly one record per view row, at its
position's notification id. The state itself is not refolded here: the seal binds it to the
position, and a read refolds it from the log when the seal does not open.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import msgspec

from domain.text import counted
from ledger.application import LedgerApp, state_bytes
from ledger.findings import Problem
from ledger.merkle import Tree
from ledger.verify_caches import cache_problem, check_seal, ends_at
from projections.store import ViewRow, ViewStore, tracking_name
from projections.stream import Position

_POSITION = msgspec.json.Decoder(Position)


STATE_CHUNK = 1 << 20  # bytes of a stored state read at a time for its seal check
# a chunk of a state as bytes (SQLite keeps what a column is given: an edited one may be text)
_SQLITE_CUT = (
    "CASE typeof(state) WHEN 'blob' THEN substr(state, {0}, {1}) "
    "ELSE substr(CAST(state AS BLOB), {0}, {1}) END"
)


def check_views(
    app: LedgerApp, tree: Tree, problems: list[Problem], notes: list[str]
) -> None:
    """See the module docstring. The rows are read one at a time, and each state a megabyte
    at a time into its seal (the ledger view's is tens of megabytes at a million events)."""
    store = ViewStore(app)
    tracked: dict[str, list[int]] = defaultdict(list)
    for view, notification_id in _tracking(store):
        tracked[view].append(notification_id)
    for at, row, size in _view_rows(store):
        where = f"stored view {row.name!r} of local key {row.key_id}"
        position = _check_position(app, tree, row, where, problems)
        opened = store.opens_chunked(row, size, _state_chunks(store, at, size))
        check_seal(opened, where, tree, problems, notes)
        records = tracked.pop(tracking_name(row.name, row.key_id), [])
        expected = [] if position is None else [position.notification_id]
        if position is not None and records != expected:
            problems.append(
                cache_problem(
                    tree,
                    f"{where}: its tracking records {records} do not match its position "
                    f"(notification {position.notification_id})",
                )
            )
    for view, records in sorted(tracked.items()):
        problems.append(
            cache_problem(tree, f"tracking records {records} of {view!r} name no stored view")
        )


def stored_rows(store: ViewStore) -> tuple[list[ViewRow], list[tuple[str, int]]]:
    """Every view row of every key, and every tracking record, as stored (empty when the
    tables do not exist): read raw, so an edited row is reported rather than fatal."""
    rows = [
        msgspec.structs.replace(row, state=b"".join(_state_chunks(store, at, size)))
        for at, row, size in _view_rows(store)
    ]
    return rows, _tracking(store)


def _view_rows(store: ViewStore) -> Iterator[tuple[int, ViewRow, int]]:
    """Each view row in (name, key) order, read one at a time without its state: (its place
    in that order, the row with an empty state, the state's size in bytes). None without the
    table."""
    size = (
        "octet_length(state)"
        if store.postgres
        else "CASE typeof(state) WHEN 'blob' THEN length(state) "
        "ELSE length(CAST(state AS BLOB)) END"
    )
    at = 0
    while True:
        found = _one_row(
            store, f"name, key_id, version, seq, position, seal, {size} AS size", at
        )
        if found is None:
            return
        yield at, ViewRow(
            str(found["name"]),
            str(found["key_id"]),
            str(found["version"]),
            _int(found["seq"]),
            state_bytes(found["position"]),
            b"",
            state_bytes(found["seal"]),
        ), _int(found["size"])
        at += 1


def _state_chunks(store: ViewStore, at: int, size: int) -> Iterator[bytes]:
    """The state of the view row at place `at`, STATE_CHUNK bytes at a time: on SQLite a
    blob is read in place (incremental blob I/O: neither SQLite nor Python holds it whole),
    else (PostgreSQL, an edited SQLite row) a substring at a time."""
    if not store.postgres:
        with store.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT rowid, typeof(state) FROM {store.views_table} "
                f"ORDER BY name, key_id LIMIT 1 OFFSET {at}"
            )
            found = cursor.fetchall()
            raw = getattr(cursor, "sqlite_cursor", None)
            if found and found[0][1] == "blob" and raw is not None:
                table, rowid = store.views_table, found[0][0]
                with raw.connection.blobopen(table, "state", rowid, readonly=True) as blob:
                    while chunk := blob.read(STATE_CHUNK):
                        yield chunk
                return
    cut = "substring(state from {} for {})" if store.postgres else _SQLITE_CUT
    for start in range(0, size, STATE_CHUNK):
        found = _one_row(store, cut.format(start + 1, STATE_CHUNK) + " AS part", at)
        if found is None:
            return
        yield state_bytes(found["part"])


def _one_row(store: ViewStore, columns: str, at: int) -> Any:
    """`columns` of the view row at place `at` in (name, key) order (None: no such row, or
    no table)."""
    try:
        with store.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {store.views_table} "
                f"ORDER BY name, key_id LIMIT 1 OFFSET {at}"
            )
            found = cursor.fetchall()
    except Exception:  # no table: nothing stored
        return None
    return found[0] if found else None


def _tracking(store: ViewStore) -> list[tuple[str, int]]:
    """Every tracking record (view, notification id), as stored (none without the table)."""
    try:
        with store.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT view, notification_id FROM {store.tracking_table} "
                "ORDER BY view, notification_id"
            )
            return [(str(r["view"]), _int(r["notification_id"])) for r in cursor.fetchall()]
    except Exception:  # no table: nothing stored
        return []


def _int(value: object) -> int:
    return value if type(value) is int else -1


def _check_position(
    app: LedgerApp, tree: Tree, row: ViewRow, where: str, problems: list[Problem]
) -> Position | None:
    try:
        position = _POSITION.decode(row.position)
    except msgspec.DecodeError:
        problems.append(cache_problem(tree, f"{where}: its position is unreadable"))
        return None
    seq = position.seq
    if row.seq != seq:
        problems.append(
            cache_problem(tree, f"{where}: its seq column {row.seq} is not its position's {seq}")
        )
    if not 0 < seq <= tree.size:
        problems.append(
            cache_problem(
                tree,
                f"{where}: stands at {counted(seq, 'event')}, the ledger holds {tree.size}",
            )
        )
    elif position.frontier != tree.compact_range(seq):
        problems.append(
            cache_problem(tree, f"{where}: its frontier does not match the tree of size {seq}")
        )
    elif not ends_at(app, tree, seq, position.notification_id):
        problems.append(cache_problem(tree, f"{where}: does not end on event {seq - 1}"))
    return position
