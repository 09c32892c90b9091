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

import contextlib
import itertools
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from domain.text import counted
from ledger.application import LedgerApp
from ledger.audit_tree import AuditTree, tile_levels
from ledger.cache import split_hashes
from ledger.event_index import IndexRow, IndexStore, index_rows, split_key, stored_rows
from ledger.event_keys import Key
from ledger.findings import Problem
from ledger.merkle import Tree
from ledger.store import state_bytes
from ledger.tiles import META_LEVEL, TileEnd, TileStore

STEP = 8

# (app, the recomputed tree, problems to append to, notes to append to)
CacheCheck = Callable[[LedgerApp, AuditTree, list[Problem], list[str]], None]


def cache_problem(tree: Tree, message: str) -> Problem:
    """A step-8 problem, placed after the log's own problems."""
    return Problem(tree.size, STEP, message)


def check_seal(
    opened: bool | None,
    where: str,
    tree: Tree,
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


def ends_at(app: LedgerApp, tree: Tree, size: int, row_id: int | None) -> bool:
    """Whether the tree of `size` leaves ends on the stored row `row_id` (counted on the index)."""
    return size == 0 or app.notification_id_of(size - 1) == row_id


def check_frontier(
    app: LedgerApp, tree: Tree, problems: list[Problem], notes: list[str]
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
    app: LedgerApp, tree: AuditTree, problems: list[Problem], notes: list[str]
) -> None:
    """The stored hash tiles (ledger/tiles.py) equal the tiles of the recomputed tree at the
    size they claim, and end on the right row; a missing table is only a note. The stored
    rows are read one at a time; a full leaf tile is checked by its root (AuditTree)."""
    store = TileStore(app.recorder, app.location.is_postgres)
    try:
        end = store.load_end()
        rows = store.load_all()
        first = next(rows, None)
    except Exception:  # no table: an older ledger, or one whose table was dropped
        notes.append("hash tiles: none stored (rebuilt by the next read that needs them)")
        return
    if first is None:
        return
    with contextlib.closing(rows):  # its read transaction ends however this one does
        _check_tile_rows(app, tree, end, itertools.chain((first,), rows), problems)


def _check_tile_rows(
    app: LedgerApp,
    tree: AuditTree,
    end: TileEnd | None,
    rows: Iterator[tuple[int, int, bytes]],
    problems: list[Problem],
) -> None:
    """The tile rows (in level, index order) against the tree at the size `end` claims."""
    if end is None or end.size > tree.size:
        claimed = "unreadable" if end is None else f"covers {counted(end.size, 'event')}"
        problems.append(
            cache_problem(tree, f"hash tiles: end row {claimed}, the ledger holds {tree.size}")
        )
        return
    if not ends_at(app, tree, end.size, end.last_id):
        problems.append(cache_problem(tree, f"hash tiles: do not end on event {end.size - 1}"))
    wanted = {level: tree.tile_count(level, end.size) for level in tile_levels(end.size)}
    seen: dict[int, int] = {}  # level -> tiles met in order (0 … count-1 when all is well)
    wrong: list[tuple[int, int]] = []
    for level, index, blob in rows:
        if level == META_LEVEL and index == 0:
            continue
        after = seen.get(level, 0)
        if not after <= index < wanted.get(level, 0):  # a tile the tree has not
            wrong.append((level, index))
            continue
        wrong.extend((level, missing) for missing in range(after, index))
        seen[level] = index + 1
        if not tree.tile_matches(level, index, end.size, blob):
            wrong.append((level, index))
    for level, count in wanted.items():
        wrong.extend((level, index) for index in range(seen.get(level, 0), count))
    for level, index in sorted(set(wrong)):
        problems.append(
            cache_problem(
                tree, f"hash tiles: tile {level}/{index} does not match the tree of size {end.size}"
            )
        )


MAX_INDEX_PROBLEMS = 20  # index rows named one by one; the rest are counted
SCAN_PAGE = 50_000  # stored index rows read at a time
_PRIME = (1 << 127) - 1  # the field the digests are computed in
_SHIFT = (1 << 63) + 1  # a stored 64-bit signed integer to 1 … 2**64: never zero
_SEQ = 1 << 65  # a row's coefficient: seq * 2**65 + nid + _SHIFT (0 <= seq < 2**61: < _PRIME)


def check_index(
    app: LedgerApp, tree: Tree, problems: list[Problem], notes: list[str]
) -> None:
    """The event index (ledger/event_index.py) recomputed from the log with the writers' own
    ledger/event_keys.py, up to its mark: every missing row, every extra row (one no event
    files, or placed at another seq or notification id) is a problem; a missing table a note.

    Neither side is held row by row. Each key's rows, in seq order, fold into a digest: the
    polynomial with a coefficient per row, seq * 2**65 + nid + 2**63 + 1 (one-to-one, never
    zero, for any 64-bit nid and a seq checked to lie in the log), evaluated modulo the prime
    2**127 - 1 at a point drawn at random for this audit. The log's side keeps one value per
    key; the table is walked in primary-key order, one key at a time. Equal rows give equal
    digests; different rows (n of them) collide with probability at most n / 2**127, whatever
    was written, since the point is unknown to the writer. Only keys whose digests differ are
    read again, row by row, to name the rows."""
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
    r = secrets.randbelow(_PRIME - 2) + 2  # the digests' point: unknown to who wrote the rows
    want: dict[str, int] = {}  # by stored key (kind:key)
    for first, rows in _log_pages(app, covered):
        for k, seq, nid in stored_rows(first, rows):
            want[k] = (want.get(k, 0) * r + seq * _SEQ + nid + _SHIFT) % _PRIME
    found: list[str] = []
    differ: list[str] = []
    group: str | None = None  # the stored key being walked, and its digest so far
    value = 0
    after: tuple[Any, ...] | None = None
    while page := store.scan(after, SCAN_PAGE):
        for k, seq, nid in page:
            if type(seq) is not int or type(nid) is not int:
                found.append(f"row {_index_row((*split_key(k), seq, nid))} is not the log's")
                continue
            if not 0 <= seq < covered:
                found.append(f"row {_index_row((*split_key(k), seq, nid))} is beyond its mark")
                continue
            if k != group:
                if group is not None and want.pop(group, None) != value:
                    differ.append(group)
                group, value = k, 0
            value = (value * r + seq * _SEQ + nid + _SHIFT) % _PRIME
        after = page[-1]
    if group is not None and want.pop(group, None) != value:
        differ.append(group)
    differ += want  # keys the log files events under that the table does not hold at all
    keys = [split_key(k) for k in sorted(differ)[:MAX_INDEX_PROBLEMS]]
    found += _differences(app, store, covered, keys)
    for message in found[:MAX_INDEX_PROBLEMS]:
        problems.append(cache_problem(tree, f"event index: {message}"))
    if len(found) > MAX_INDEX_PROBLEMS:
        more = len(found) - MAX_INDEX_PROBLEMS
        problems.append(cache_problem(tree, f"event index: {more} more rows do not match"))
    if len(differ) > MAX_INDEX_PROBLEMS:
        more = len(differ) - MAX_INDEX_PROBLEMS
        problems.append(cache_problem(tree, f"event index: the rows of {more} more keys differ"))


def _log_pages(app: LedgerApp, covered: int) -> Iterator[tuple[int, list[tuple[int, bytes]]]]:
    """The log's first `covered` entries a page at a time: (seq of the first, (nid, state)s)."""
    for first, rows in app.reader.pages(0):
        if first >= covered:
            return
        yield first, [(row.id, state_bytes(row.state)) for row in rows[: covered - first]]


def _differences(app: LedgerApp, store: IndexStore, covered: int, keys: list[Key]) -> list[str]:
    """The rows of `keys` that the log files and the table does not hold, and the reverse
    (in range: out-of-range rows are named by the walk), read again on both sides."""
    if not keys:
        return []
    wanted = set(keys)
    want: set[IndexRow] = set()
    for first, rows in _log_pages(app, covered):
        want.update(r for r in index_rows(first, rows) if (r[0], r[1]) in wanted)
    have = {
        (kind, key, seq, nid)
        for kind, key in keys
        for seq, nid in store.rows_of((kind, key))
        if type(seq) is int and type(nid) is int and 0 <= seq < covered
    }
    return [f"row {_index_row(r)} is missing" for r in sorted(want - have)] + [
        f"row {_index_row(r)} is not the log's" for r in sorted(have - want)
    ]


def _index_row(row: tuple[str, str, Any, Any]) -> str:
    kind, key, seq, nid = row
    return f"({kind} {key!r}) of event {seq} (notification id {nid})"
