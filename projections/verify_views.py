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

import msgspec

from domain.text import counted
from ledger.application import LedgerApp, state_bytes
from ledger.findings import Problem
from ledger.merkle import Tree
from ledger.verify_caches import cache_problem, check_seal, ends_at
from projections.store import ViewRow, ViewStore, tracking_name
from projections.stream import Position

_POSITION = msgspec.json.Decoder(Position)


def check_views(
    app: LedgerApp, tree: Tree, problems: list[Problem], notes: list[str]
) -> None:
    """See the module docstring."""
    store = ViewStore(app)
    views, tracking = stored_rows(store)
    tracked: dict[str, list[int]] = defaultdict(list)
    for view, notification_id in tracking:
        tracked[view].append(notification_id)
    for row in views:
        where = f"stored view {row.name!r} of local key {row.key_id}"
        position = _check_position(app, tree, row, where, problems)
        check_seal(store.opens(row), where, tree, problems, notes)
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
    try:
        with store.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT name, key_id, version, seq, position, state, seal "
                f"FROM {store.views_table} ORDER BY name, key_id"
            )
            views = [
                ViewRow(
                    str(r["name"]),
                    str(r["key_id"]),
                    str(r["version"]),
                    _int(r["seq"]),
                    state_bytes(r["position"]),
                    state_bytes(r["state"]),
                    state_bytes(r["seal"]),
                )
                for r in cursor.fetchall()
            ]
            cursor.execute(
                f"SELECT view, notification_id FROM {store.tracking_table} "
                "ORDER BY view, notification_id"
            )
            tracking = [(str(r["view"]), _int(r["notification_id"])) for r in cursor.fetchall()]
    except Exception:  # no tables: nothing stored
        return [], []
    return views, tracking


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
