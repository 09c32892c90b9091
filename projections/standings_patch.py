"""A kept standings answer patched after new scores: what `awards standings` of a movement of
65,800 participations prints right after one more score, without ranking and formatting every
row again.

A kept answer (projections/answer_cache.py) is the table or JSON document as printed, sealed at
the position it was folded to; kept with it is its :class:`StandingsIndex`: the rows of the
movement's view (projections/movement_view.py, registration order) in the order printed, and
each row's total. When the only events appended since, of the types the view folds, are
scores (`touched_rows`: the rows of this movement they score; a score of another movement's
participation touches none), the new answer is the old one with those rows ranked again
(`patch`: their totals from the view folded to the log's end, each taken out and put back
where `ranking` places it) and printed afresh, every other row's bytes as kept except its rank
where that changed (cli/standings_render.py). Any other such event — a registration, a name,
a launch — leaves it to a full read.

The patched answer is what a full read prints, byte for byte (tests/cli checks it after
every score of random sequences, both forms): the rows' order and ranks come from the same
totals by the same rule, and a touched row is rendered by the same code as any row.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import msgspec

from domain.participation import Participation
from ledger.reader import body_of, decoder_for
from projections.movement_view import MovementStandings, StandingsTable
from projections.standings import ranks_of, reranked

MOST_TOUCHED = 4096  # rows patched at most; more, and a full read is as quick


class StandingsIndex(msgspec.Struct, array_like=True):
    """Kept with a standings answer: its rows, state rows in the order printed (`order`,
    uint32); where each ends, counted from the first row's start (`ends`, uint64); each state
    row's total (`totals`, float64); the arrays in this machine's byte order, which the view's
    version names. Where the rows begin is the answer's length less its tail and `ends[-1]`:
    an answer carried over new events (its line saying where it stands written again, perhaps
    longer) keeps its index."""

    order: bytes
    ends: bytes
    totals: bytes


_INDEX = msgspec.msgpack.Decoder(StandingsIndex)
_ENCODER = msgspec.msgpack.Encoder()


def index_bytes(table: StandingsTable, ends: Sequence[int]) -> bytes:
    """The index of an answer printing `table`, its rows ending at `ends`."""
    order, totals = array("I", table.order).tobytes(), array("d", table.totals).tobytes()
    return _ENCODER.encode(StandingsIndex(order, array("Q", ends).tobytes(), totals))


@dataclass
class Patch:
    """What changes from a kept answer to the answer now: the old rows' order and ranks, and
    the new ones (`table`, whose `order`, `ranks` and `totals` are the new ones), the rows
    `touched` (to be rendered afresh), and where the old rows begin (`head`) and end
    (`ends`, counted from the first's start)."""

    head: int
    ends: Sequence[int]
    old_order: Sequence[int]
    old_ranks: Sequence[int]
    touched: set[int]
    table: StandingsTable


def touched_rows(state: MovementStandings, pending: Iterable[tuple[str, bytes]]) -> set[int] | None:
    """The rows of `state` (folded to the log's end) that the events `pending` (topic and
    stored state, each of a type the view folds) score; None when one is not a score."""
    touched: set[int] = set()
    for topic, stored in pending:
        _, event = decoder_for(topic)(body_of(stored))
        if not isinstance(event, Participation.Scored):
            return None
        row = state.row_of(event.originator_id.bytes)
        if row is not None:
            touched.add(row)
            if len(touched) > MOST_TOUCHED:
                return None
    return touched


def patch(
    state: MovementStandings, index: bytes, touched: set[int], length: int, tail: int
) -> Patch | None:
    """The kept answer's rows (`index`) ranked again with the `touched` rows' totals as
    `state` (folded to the log's end) now has them; None when the index does not describe
    `state`'s rows (not one row each, or registered since, or none) or the kept answer's
    `length` bytes (its rows then a `tail` of that many bytes)."""
    try:
        kept = _INDEX.decode(index)
        order, totals, ends = array("I", kept.order), array("d", kept.totals), array("Q")
        ends.frombytes(kept.ends)
    except (msgspec.DecodeError, ValueError):
        return None
    rows = len(state)
    if not rows or len(order) != rows or len(totals) != rows or len(ends) != rows:
        return None
    head = length - tail - ends[-1]
    if head <= 0 or any(r >= rows for r in touched):
        return None
    old_ranks = array("I", ranks_of(order, totals))  # arrays: a list of 65,800 ints is 2.4 MB
    moved = sorted(touched)
    for row, total in zip(moved, state.totals(moved), strict=True):
        totals[row] = total
    new_order = array("I", reranked(order, totals, touched, state.participant))
    new_ranks = array("I", ranks_of(new_order, totals))
    table = StandingsTable(state, totals, new_order, new_ranks)
    return Patch(head, ends, order, old_ranks, touched, table)
