"""The standings as `awards standings` prints them — the table, or the JSON document — made
column by column from a ranked :class:`StandingsTable` (projections/movement_view.py).

A movement can hold 65,800 participations, and a read right after a new score prints them all:
made a row at a time (a Standing, a dict per criterion, a JSON document each) that cost about
10 µs a row. Here each column is formatted in one pass over the rows in rank order, every
distinct number once (a movement's points take a handful of values), and rows are joined a
batch at a time. The bytes are exactly those of the row-at-a-time forms, which stay the
definition: the table's rows as `rows_text` prints `(rank, participant, total, points per
criterion, self scores, name)`, and the JSON document as `json_document` prints the answer with
its rows (tests/cli checks both, byte for byte, on tables with unscored rows, names to escape
and several UTC offsets).

It also prints a kept answer patched after new scores (`patched_pieces`, from the ranks and
order of projections/standings_patch.py): the head made anew, the rows scored made anew, and
every other row's bytes copied from the kept answer as it inflates, its rank rewritten where
it changed. Each form says where its rows end and where a row's rank stands (`Form`), and
`standings_pieces` notes where each row it makes ends, kept with the answer for the next
patch.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import msgspec

from cli.render import json_document, line_text, row_text, rows_text
from projections.movement_view import StandingsTable
from projections.queries import StandingsAnswer
from projections.standings_patch import Made, Patch

BATCH = 2048  # rows joined at a time
_ENCODE = msgspec.json.Encoder(order="deterministic").encode


def text_head(answer: StandingsAnswer, where: str) -> str:
    """The table's lines before its rows: the movement's, `where`, the header."""
    m, criteria = answer.movement, [c.id for c in answer.movement.criteria]
    return "".join(
        (
            line_text(f"{m.id} {m.name}: formula {m.formula}, spec hash {m.spec_hash}") + "\n",
            where,
            row_text("rank", "participant", "total", *criteria, "self", "name") + "\n",
        )
    )


def text_rows(
    answer: StandingsAnswer,
    table: StandingsTable,
    rows: Sequence[int],
    ranks: Sequence[int],
    texts: dict[float, Any],
) -> bytes:
    """The table's lines of `rows` (state rows, in the order printed) ranked `ranks`, each
    ending with a newline, as UTF-8; `texts` keeps each distinct number's text between
    calls."""
    scored = dict(zip(table.criteria, table.appraisal, strict=True))
    participants = table.participants(rows)
    columns = [
        [str(rank) for rank in ranks],
        participants,
        _in_order(table.totals, rows, texts),
        *(
            _in_order(scored[c.id], rows, texts) if c.id in scored else ["-"] * len(rows)
            for c in answer.movement.criteria
        ),
        _self_texts(table, rows, texts),
        [name or "" for name in table.names(rows, participants)],
    ]
    return "".join(rows_text(zip(*columns, strict=True), len(rows) or 1)).encode("utf-8")


def _in_order(values: Sequence[float], rows: Sequence[int], texts: dict[float, str]) -> list[str]:
    """`values` of `rows`, as the table prints points (``:g``; "-" when not scored)."""
    return [texts.get(p) or _number_text(p, texts) for p in map(values.__getitem__, rows)]


def _number_text(points: float, texts: dict[float, str]) -> str:
    """`points` as the table prints them, kept in `texts` unless zero (0.0 and -0.0 are one
    key, and print apart)."""
    if points != points:  # NaN: not scored (never found in `texts`: each NaN is its own)
        return "-"
    text = f"{points:g}"
    if points:
        texts[points] = text
    return text


def _self_texts(table: StandingsTable, rows: Sequence[int], texts: dict[float, str]) -> list[str]:
    """The self scores of `rows`, ``c=points`` by criterion id joined by commas ("-" when
    none)."""
    columns = [
        [f"{c}={t}" if t != "-" else "" for t in _in_order(points, rows, texts)]
        for c, points in sorted(zip(table.criteria, table.self_scores, strict=True))
    ]
    if not columns:
        return ["-"] * len(rows)
    return [",".join(filter(None, parts)) or "-" for parts in zip(*columns, strict=True)]


JSON_OPEN = b"[\n    "  # where the rows begin, inside the document (two levels deep)
JSON_BETWEEN = b",\n    "  # between two rows
JSON_CLOSE = b"\n  ]\n}\n"  # after the last row


def json_head(answer: StandingsAnswer) -> bytes:
    """The document before its first row: without rows, opened where its empty list stands."""
    empty = json_document(msgspec.structs.replace(answer, standings=[]))
    return empty[: -len(b"[]\n}\n")] + JSON_OPEN


def json_rows(
    answer: StandingsAnswer,
    table: StandingsTable,
    rows: Sequence[int],
    ranks: Sequence[int],
    numbers: dict[float, Any],
) -> bytes:
    """The JSON of `rows` (state rows, in the order printed) ranked `ranks`, as inside the
    document (each row indented two levels, JSON_BETWEEN between them): the rows encoded
    compact, then formatted by the same formatter inside a list two levels deep (`answer` is
    not read: the signature is `text_rows`', so that a Form holds either)."""
    compact = b",".join(_json_compact(table, rows, ranks, numbers))
    nested = msgspec.json.format(b'{"s":[' + compact + b"]}", indent=2)
    return nested[len(b'{\n  "s": [\n    ') : -len(b"\n  ]\n}")]


def _json_compact(
    table: StandingsTable, rows: Sequence[int], ranks: Sequence[int], numbers: dict[float, bytes]
) -> Iterator[bytes]:
    """Each of `rows` as msgspec encodes its Standing (fields in their order, a dict's keys
    sorted), compact."""
    participants = table.participants(rows)
    kinds, names = table.kinds(rows), table.names(rows, participants)
    criteria = _json_points(table.criteria, table.appraisal, rows, numbers)
    self_scores = _json_points(table.criteria, table.self_scores, rows, numbers)
    times: dict[datetime | None, bytes] = {}
    texts: dict[str, bytes] = {}
    for place, r in enumerate(rows):
        at, kind, total = table.at(r), kinds[place], table.totals[r]
        yield b"".join(
            (
                b'{"participant":',
                _ENCODE(participants[place]),
                b',"total":',
                numbers.get(total) or _number(total, numbers),
                b',"rank":',
                b"%d" % ranks[place],
                b',"criteria":',
                criteria[place],
                b',"self_scores":',
                self_scores[place],
                b',"kind":',
                texts.get(kind) or texts.setdefault(kind, _ENCODE(kind)),
                b',"name":',
                _ENCODE(names[place]),
                b',"scores":',
                b"%d" % table.scores[r],
                b',"corrections":',
                b"%d" % table.corrections[r],
                b',"at":',
                times.get(at) or times.setdefault(at, _ENCODE(at)),
                b"}",
            )
        )


def _number(points: float, numbers: dict[float, bytes]) -> bytes:
    """`points` as JSON, kept in `numbers` unless zero (as `_number_text`)."""
    encoded = _ENCODE(points)
    if points:
        numbers[points] = encoded
    return encoded


def _json_points(
    criteria: list[str],
    columns: list[memoryview[float]],
    rows: Sequence[int],
    numbers: dict[float, bytes],
) -> list[bytes]:
    """The points by criterion of `rows`, as the JSON object msgspec encodes (keys sorted;
    a criterion not scored left out)."""
    pieces = []
    for c, points in sorted(zip(criteria, columns, strict=True)):
        key = _ENCODE(c) + b":"
        pieces.append(
            [
                None if p != p else key + (numbers.get(p) or _number(p, numbers))
                for p in map(points.__getitem__, rows)
            ]
        )
    if not pieces:
        return [b"{}"] * len(rows)
    return [b"{" + b",".join(filter(None, row)) + b"}" for row in zip(*pieces, strict=True)]


# -- the answer assembled, or a kept one patched (projections/standings_patch.py) -----------


class Form:
    """How one form of the standings lays out its rows: its `head` before them, `sep` between
    two rows, `tail` after the last; what ends a row (`boundary`, whose first `offset` bytes
    are the row's last; a row's bytes hold it nowhere else, as none holds a raw newline), and
    what comes just before its rank (`rank`; empty: the rank begins the row)."""

    def __init__(
        self,
        rows: Callable[
            [StandingsAnswer, StandingsTable, Sequence[int], Sequence[int], dict[float, Any]], bytes
        ],
        sep: bytes,
        tail: bytes,
        boundary: bytes,
        offset: int,
        rank: bytes,
    ) -> None:
        self.rows, self.sep, self.tail = rows, sep, tail
        self.boundary, self.offset, self.rank = boundary, offset, rank
        # each row's rank, in rows as printed (the marker is found nowhere else)
        self.ranks = re.compile(re.escape(rank) + rb"(\d+)" if rank else rb"(?m)^(\d+)")

    def ends(self, rows: bytes, at: int) -> list[int]:
        """Where each row of `rows` (rows as printed, `sep` between them) ends, plus `at`."""
        found, boundary, offset, step = [], self.boundary, self.offset, len(self.sep)
        start = rows.find(boundary)
        while start >= 0:
            found.append(at + start + offset)
            start = rows.find(boundary, start + offset + step)
        if not found or found[-1] != at + len(rows):  # the last row, unless its end was found
            found.append(at + len(rows))
        return found

    def shifted(self, rows: bytes, shift: int) -> tuple[bytes, int]:
        """`rows` as kept (rows as printed, `sep` between them), each showing its rank plus
        `shift`, and how many rows they are."""
        pieces: list[bytes] = []
        at = count = 0
        for found in self.ranks.finditer(rows):
            pieces += (rows[at : found.start(1)], b"%d" % (int(found[1]) + shift))
            at, count = found.end(1), count + 1
        pieces.append(rows[at:])
        return b"".join(pieces), count


TEXT = Form(text_rows, sep=b"", tail=b"", boundary=b"\n", offset=1, rank=b"")
JSON = Form(
    json_rows, sep=JSON_BETWEEN, tail=JSON_CLOSE, boundary=b"\n    }" + JSON_BETWEEN + b"{",
    offset=6, rank=b'\n      "rank": ',
)  # fmt: skip


def head_of(answer: StandingsAnswer, as_json: bool, where: str) -> bytes:
    """What the standings print before their first row (`where`: the table's line saying
    where they stand)."""
    return json_head(answer) if as_json else text_head(answer, where).encode("utf-8")


def standings_pieces(
    answer: StandingsAnswer, table: StandingsTable, as_json: bool, where: str, ends: array[int]
) -> Iterator[bytes]:
    """The standings as printed (the JSON document, or the table whose second line is
    `where`), the rows a batch at a time, best first; as they are made, where each row ends
    (counted from the first row's start) is added to `ends`."""
    if as_json and not len(table):
        yield json_document(answer)
        return
    form = JSON if as_json else TEXT
    cache: dict[float, Any] = {}
    yield head_of(answer, as_json, where)
    at = 0
    for first in range(0, len(table), BATCH):
        rows, ranks = table.order[first : first + BATCH], table.ranks[first : first + BATCH]
        made = form.rows(answer, table, rows, ranks, cache)
        if first:
            yield form.sep
            at += len(form.sep)
        ends.extend(form.ends(made, at))
        at += len(made)
        yield made
    yield form.tail


def patched_pieces(
    answer: StandingsAnswer,
    change: Patch,
    kept: Iterable[bytes],
    as_json: bool,
    where: str,
    ends: array[int],
) -> Iterator[bytes]:
    """The standings now, from the answer `kept` (its bytes as printed, in pieces) and
    `change`: the head made anew, then the rows in their new order (its `steps`): runs of
    kept rows copied as kept, or a batch at a time with each rank moved by the run's shift,
    and the rows touched made anew; then the tail. Where each row ends is added to `ends`,
    as `standings_pieces` adds them. The kept answer is read once, in order, never held
    whole (a touched row is a piece of its own: the caller gathers pieces into blocks)."""
    form, table = JSON if as_json else TEXT, change.table
    old_ends, step = change.ends, len(form.sep)

    def start(j: int) -> int:  # where kept row j begins, counted from the first row
        return old_ends[j - 1] + step if j else 0

    cache: dict[float, Any] = {}
    yield head_of(answer, as_json, where)
    old, at, first = _Kept(kept), 0, True
    for done in change.steps:
        if isinstance(done, Made):
            made = form.rows(answer, table, [done.row], [done.rank], cache)
            if not first:
                yield form.sep
                at += step
            at += len(made)
            ends.append(at)
            first = False
            yield made
            continue
        # a run of kept rows: as kept, or (a batch at a time) each ranked anew
        size = BATCH if done.shift else done.last - done.first + 1
        for j0 in range(done.first, done.last + 1, size):
            j1 = min(done.last, j0 + size - 1)
            if not first:
                yield form.sep
                at += step
            first = False
            span = old.span(change.head + start(j0), change.head + old_ends[j1])
            if not done.shift:
                shift = at - start(j0)
                ends.extend(end + shift for end in old_ends[j0 : j1 + 1])
                at = old_ends[j1] + shift
                for part in span:
                    yield bytes(part)
                continue
            made, count = form.shifted(b"".join(span), done.shift)
            if count != j1 - j0 + 1:
                raise ValueError("a kept row without its rank")
            ends.extend(form.ends(made, at))
            at += len(made)
            yield made
    yield form.tail


class _Kept:
    """The bytes of a kept answer, read once in order from its pieces, a span at a time."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._piece, self._at = memoryview(b""), 0  # the piece at hand, where it begins

    def span(self, start: int, end: int) -> Iterator[memoryview]:
        """Bytes [start, end) (after every span read before), as slices of the pieces, each
        piece let go once read past."""
        while start < end:
            while start >= self._at + len(self._piece):
                self._at += len(self._piece)
                self._piece = memoryview(next(self._pieces))
            stop = min(end, self._at + len(self._piece))
            yield self._piece[start - self._at : stop - self._at]
            start = stop
