"""Audit step (8): everything cached beside the log, checked against the tree the audit rebuilt.

Run by a full audit after steps (1)–(7), when the whole recomputed tree is at hand (an
incremental audit does not hold it and skips this step). Each check appends a Problem (step 8,
at the ledger's size: after every problem of the log itself) for a cached row that does not
match, and a note for what it cannot check here. The ledger's own checks are the write-receipt
frontier (ledger/cache.py), the hash tiles (ledger/tiles.py) and the event index
(ledger/event_index.py, recomputed from the log); the CLI adds the stored views'
(projections/verify_views.py).
"""

from __future__ import annotations

from collections.abc import Callable

from domain.text import counted
from ledger.application import LedgerApp
from ledger.cache import split_hashes
from ledger.event_index import IndexRow, IndexStore, index_rows
from ledger.findings import Problem
from ledger.merkle import MerkleTree
from ledger.store import state_bytes
from ledger.tiles import META_LEVEL, TileEnd, TileStore, tiles_of

STEP = 8

# (app, the recomputed tree, problems to append to, notes to append to)
CacheCheck = Callable[[LedgerApp, MerkleTree, list[Problem], list[str]], None]


def cache_problem(tree: MerkleTree, message: str) -> Problem:
    """A step-8 problem, placed after the log's own problems."""
    return Problem(tree.size, STEP, message)


def check_seal(
    opened: bool | None,
    where: str,
    tree: MerkleTree,
    problems: list[Problem],
    notes: list[str],
) -> None:
    """A cached row's seal: a problem when it fails, a note when another key made it (its seal
    is not checkable here, and the row is never used here)."""
    if opened is None:
        notes.append(f"{where}: sealed by another key; not checkable here, never used here")
    elif not opened:
        problems.append(
            cache_problem(tree, f"{where}: fails its seal (edited outside award-ledger)")
        )


def ends_at(app: LedgerApp, tree: MerkleTree, size: int, row_id: int | None) -> bool:
    """Whether the tree of `size` leaves ends on the stored row `row_id` (counted on the index)."""
    return size == 0 or app.notification_id_of(size - 1) == row_id


def check_frontier(
    app: LedgerApp, tree: MerkleTree, problems: list[Problem], notes: list[str]
) -> None:
    """Each cached frontier row (of any key) equals the tree's compact range at its size and
    ends on the right row; this machine's key's row also opens its seal."""
    cache = app.frontier_cache
    for row in cache.rows():
        where = f"frontier cache of local key {row.key_id}"
        hashes = split_hashes(row.size, row.hashes)
        if row.size <= 0 or hashes is None:
            problems.append(cache_problem(tree, f"{where}: unreadable (size {row.size})"))
            continue
        if row.size > tree.size:
            problems.append(
                cache_problem(
                    tree,
                    f"{where}: covers {counted(row.size, 'event')}, the ledger holds {tree.size}",
                )
            )
            continue
        if hashes != tree.compact_range(row.size):
            problems.append(
                cache_problem(tree, f"{where}: does not match the tree of size {row.size}")
            )
        elif row.last_hash != tree.leaf_hash_at(row.size - 1) or not ends_at(
            app, tree, row.size, row.last_id
        ):
            problems.append(cache_problem(tree, f"{where}: does not end on event {row.size - 1}"))
        check_seal(cache.opens(row), where, tree, problems, notes)


def check_tiles(
    app: LedgerApp, tree: MerkleTree, problems: list[Problem], notes: list[str]
) -> None:
    """The stored hash tiles (ledger/tiles.py) equal the tiles of the recomputed tree at the
    size they claim, and end on the right row; a missing table is only a note."""
    store = TileStore(app.recorder, app.location.is_postgres)
    try:
        rows = store.load_all()
    except Exception:  # no table: an older ledger, or one whose table was dropped
        notes.append("hash tiles: none stored (rebuilt by the next read that needs them)")
        return
    if not rows:
        return
    stored = {(level, index): blob for level, index, blob in rows}
    end = TileEnd.decode(stored.pop((META_LEVEL, 0), b""))
    if end is None or end.size > tree.size:
        claimed = "unreadable" if end is None else f"covers {counted(end.size, 'event')}"
        problems.append(
            cache_problem(tree, f"hash tiles: end row {claimed}, the ledger holds {tree.size}")
        )
        return
    if not ends_at(app, tree, end.size, end.last_id):
        problems.append(cache_problem(tree, f"hash tiles: do not end on event {end.size - 1}"))
    want = tiles_of(tree, end.size)
    for level, index in sorted(set(stored) | set(want)):
        if stored.get((level, index)) != want.get((level, index)):
            problems.append(
                cache_problem(
                    tree,
                    f"hash tiles: tile {level}/{index} does not match the tree of size {end.size}",
                )
            )


MAX_INDEX_PROBLEMS = 20  # index rows named one by one; the rest are counted


def check_index(
    app: LedgerApp, tree: MerkleTree, problems: list[Problem], notes: list[str]
) -> None:
    """The event index (ledger/event_index.py) recomputed from the log with the writers' own
    ledger/event_keys.py, up to its mark: every missing row, every extra row (one no event
    files, or placed at another seq or notification id) is a problem; a missing table a note."""
    store = IndexStore(app.recorder, app.location.is_postgres)
    try:
        end = store.load_end()
    except Exception:  # no table: a ledger made before the index
        notes.append("event index: none stored (filled by the next read that needs it)")
        return
    covered = 0 if end is None else min(end.size, tree.size)
    if end is not None and (end.size > tree.size or not ends_at(app, tree, end.size, end.last_id)):
        problems.append(
            cache_problem(
                tree, f"event index: its mark ({end.size} events) does not end on the log's row"
            )
        )
    found: list[str] = []
    for first, rows in app.reader.pages(0):
        if first >= covered:
            break
        rows = rows[: covered - first]
        want = set(index_rows(first, [(row.id, state_bytes(row.state)) for row in rows]))
        have = set(store.rows_between(first, first + len(rows)))
        found += [f"row {_index_row(r)} is missing" for r in sorted(want - have)]
        found += [f"row {_index_row(r)} is not the log's" for r in sorted(have - want)]
    found += [f"row {_index_row(r)} is beyond its mark" for r in store.rows_outside(covered)]
    for message in found[:MAX_INDEX_PROBLEMS]:
        problems.append(cache_problem(tree, f"event index: {message}"))
    if len(found) > MAX_INDEX_PROBLEMS:
        more = len(found) - MAX_INDEX_PROBLEMS
        problems.append(cache_problem(tree, f"event index: {more} more rows do not match"))


def _index_row(row: IndexRow) -> str:
    kind, key, seq, nid = row
    return f"({kind} {key!r}) of event {seq} (notification id {nid})"
