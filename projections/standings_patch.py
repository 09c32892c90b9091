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
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import msgspec

from domain.participation import Participation
from ledger.reader import body_of, decoder_for
from projections.movement_view import MovementStandings, StandingsTable

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


@dataclass(frozen=True)
class Kept:
    """Kept rows `first`..`last` (positions in the kept answer, one after another there and
    now), each showing its kept rank plus `shift`."""

    first: int
    last: int
    shift: int


@dataclass(frozen=True)
class Made:
    """A touched row (of the state), now ranked `rank`: rendered afresh."""

    row: int
    rank: int


@dataclass
class Patch:
    """What changes from a kept answer to the answer now: its rows in their new order, as
    `steps` (runs of kept rows, and touched rows), where the old rows begin (`head`) and
    end (`ends`, counted from the first's start), and the new `table` (its `order` and
    `totals` the new ones; for the index kept with the patched answer)."""

    head: int
    ends: Sequence[int]
    steps: list[Kept | Made]
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
    participant = state.participant
    old = {row: (-totals[row], participant(row)) for row in touched}
    moved = sorted(touched)
    for row, total in zip(moved, state.totals(moved), strict=True):
        totals[row] = total
    steps, new_order = _steps(order, totals, old, participant)
    if steps is None:
        return None
    return Patch(head, ends, steps, StandingsTable(state, totals, new_order, None))


def _steps(
    order: array[int],
    totals: array[float],
    old: dict[int, tuple[float, str]],
    participant: Callable[[int], str],
) -> tuple[list[Kept | Made] | None, array[int]]:
    """The rows in their new order as steps, and that order: `order` (rows best first, as
    `ranking` orders them, by (-total, participant)) whose rows `old` (each with its key
    then) now have the `totals` given (every other row's as before). None for steps when
    `order` is not in that order. A row's rank is one more than the rows of a higher total,
    so a kept row's rank moves by as many touched rows as now rise above its total, less
    those that were above it and no longer are: runs of kept rows between the touched rows'
    old and new places and those totals share a shift."""

    def key(row: int) -> tuple[float, str]:
        return -totals[row], participant(row)

    def total_key(row: int) -> float:
        return -totals[row]

    # where each touched row stood (found by its old key), and the rows kept, in order
    gone = []
    for row, was in old.items():
        at = bisect_left(order, was, key=lambda r: old[r] if r in old else key(r))
        if at == len(order) or order[at] != row:
            return None, order
        gone.append(at)
    gone.sort()
    kept, start = array("I"), 0
    for at in gone:
        kept.extend(order[start:at])
        start = at + 1
    kept.extend(order[start:])
    # where each goes among the kept rows (in new order), and the new order
    coming = sorted(old, key=key)
    places = [bisect_left(kept, key(row), key=key) for row in coming]
    new_order, start = array("I"), 0
    for row, place in zip(coming, places, strict=True):
        new_order.extend(kept[start:place])
        new_order.append(row)
        start = place
    new_order.extend(kept[start:])
    # a kept row's shift, by its total t: touched rows above t now, less those above it then
    now_above = sorted(totals[row] for row in old)
    then_above = sorted(-was[0] for was in old.values())

    def shift(total: float) -> int:
        return (len(now_above) - bisect_right(now_above, total)) - (
            len(then_above) - bisect_right(then_above, total)
        )

    # the kept rows split where a touched row left or comes, and where the shift may change
    cuts = {0, len(kept)}
    cuts.update(at - n for n, at in enumerate(gone))
    cuts.update(places)
    for total in {*now_above, *then_above}:
        cuts.add(bisect_right(kept, -total, key=total_key))
    bounds = sorted(cuts)
    steps: list[Kept | Made] = []
    arriving = iter(zip(places, coming, strict=True))
    pending = next(arriving, None)
    left = 0  # touched rows that stood before the kept run at hand
    for first, stop in zip(bounds, [*bounds[1:], len(kept)], strict=True):
        while pending is not None and pending[0] <= first:
            place, row = pending
            above = bisect_left(new_order, -totals[row], key=total_key)
            steps.append(Made(row, above + 1))
            pending = next(arriving, None)
        if first == stop:
            continue
        while left < len(gone) and gone[left] - left <= first:
            left += 1
        run = Kept(first + left, stop - 1 + left, shift(totals[kept[first]]))
        last = steps[-1] if steps else None
        if isinstance(last, Kept) and last.last + 1 == run.first and last.shift == run.shift:
            steps[-1] = Kept(last.first, run.last, run.shift)
        else:
            steps.append(run)
    return steps, new_order
