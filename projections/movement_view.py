"""The standings of one movement as a view of its own: what `awards standings M` reads for a
movement too large to read from the event index (projections/indexed.py, which folds the
movement's own events with this module's fold), or under a time cut.

The ledger view (projections/view.py) holds every movement, person and decision: reading it
back costs the whole ledger (seconds and hundreds of MB at a million events). This view holds
one movement's part only — its launch, the participations registered for it with what the
standings show of them — and the display names of people, units and clusters (names never
change once added, and a participant may be named before or after registering: the name it
had when it registered is kept beside its row, the others — of participants not registered,
or given after registering — by kind, and a row's name is read as `Catalog.name_of` gives it,
a person's first, then a unit's, then a cluster's). Scores name no movement: a score is kept
when its aggregate is a participation of this movement (others are ignored).

The participations are kept **column by column**, not as one object each: a column of 16-byte
aggregate ids, the participant ids and names as UTF-8 one after another (with where each
ends), and raw machine arrays (bytearrays read through memoryviews) for the kind, the latest
appraisal and self points per criterion (NaN: not scored), the counts of scores and
corrections, the latest appraisal's effective time (UTC microseconds and its own UTC
offset), the registration's seq and the signers who appraised it (an index into the lists of
appraisers seen; a late registration's Lateness is kept by row, as JSON, which keeps its
times' own UTC offsets). No Python object is made per participation until the rows are
ranked. The ledger view keeps every movement's participations as one of these each
(projections/participations.py), without the names and launch the catalog holds. The bench's
65,800 participations take 10.2 MB of columns and as much decoded, against 26 MB of JSON and
114 MB of objects (1.7 KB a participation) before, so a read after a new score decodes,
folds and ranks them within the read target's memory. The state is stored as MessagePack
deflated by zlib (`ViewSpec.codec`; the columns as raw bytes, in this machine's byte order,
which the version names): 1.6 MB, so that loading or storing it does not hold two large
copies at once. A fold keeps beside the columns (never stored) their memoryviews and a map of
ids to rows, made only after SEARCHES look-ups by search (and dropped, `forget`, before the
state is encoded to be stored). What it keeps is exactly what the row-at-a-time definition
keeps of a participation (tests/projections/standings_reference.py, `rank_standings`): both
fold the same events to the same answer (tests/projections checks it over worlds with
corrections, names given before and after registering, a registration made again, late
registrations, several appraisers, several movements, and the state stored and read back
after every event).

`movement_view(M)` is a :class:`ViewSpec` named ``standings:M``: the runner (projections/
runner.py) stores it sealed and anchored at the newest signed checkpoint like every view, and
a read folds only the events appended since that copy; `verify` audits its row with the others
(projections/verify_views.py).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from sys import intern
from typing import Any

import msgspec

from domain.base import DomainEvent
from domain.cluster import Cluster
from domain.movement import Movement, formula_totals
from domain.participation import Participation
from domain.registry import Person, Unit
from projections import catalog
from projections.standings import Lateness, Standing, ranking, ranks_of
from projections.stream import EventMeta
from projections.viewspec import ViewSpec

NOT_SCORED = float("nan")
NO_TIME = -(1 << 63)  # in the time column: no appraisal yet
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_ID = 16  # bytes of an aggregate id
PERSON, UNIT, CLUSTER, UNNAMED = range(4)  # what named a participant (a person's name first)
SEARCHES = 64  # participation ids looked up by searching the id column before a map is made
# the columns' item formats (as their memoryview casts, native): points, counts, times, offsets
_POINTS, _COUNT, _TIME, _OFFSET = "d", "I", "q", "i"
_SEQ = "Q"  # a registration's seq
_LATE = msgspec.json.Encoder()  # a Lateness kept as JSON: each time keeps its own UTC offset
_LATENESS = msgspec.json.Decoder(Lateness)


def _pack(fmt: str, value: float) -> bytes:
    """One item of a column in format `fmt`, in this machine's byte order and size."""
    return struct.pack(fmt, value)


class MovementStandings(msgspec.Struct, dict=True):
    """One movement's launch, its participations column by column, and every participant's
    display name (see the module docstring). Row r of every column is the participation
    registered r-th; `criteria[k]` names the k-th column of `appraisal` and `self_scores`,
    in the order criteria were first scored."""

    movement: str
    launched: catalog.MovementView | None = None
    ids: bytearray = msgspec.field(default_factory=bytearray)
    # each row's participant id, as UTF-8 one after another, and where each ends (uint32)
    participants: bytearray = msgspec.field(default_factory=bytearray)
    participant_ends: bytearray = msgspec.field(default_factory=bytearray)
    kind_names: list[str] = msgspec.field(default_factory=list)
    kinds: bytearray = msgspec.field(default_factory=bytearray)  # 1 byte: in kind_names
    criteria: list[str] = msgspec.field(default_factory=list)
    appraisal: list[bytearray] = msgspec.field(default_factory=list)
    self_scores: list[bytearray] = msgspec.field(default_factory=list)
    scores: bytearray = msgspec.field(default_factory=bytearray)
    corrections: bytearray = msgspec.field(default_factory=bytearray)
    scored_at: bytearray = msgspec.field(default_factory=bytearray)  # UTC µs, or NO_TIME
    scored_offset: bytearray = msgspec.field(default_factory=bytearray)  # seconds east
    # each row's registration seq (uint64); the signers who appraised it, in the order they
    # first did (uint32: a list in `appraiser_sets`, the first empty); and a late one's
    # Lateness (by row, as JSON, which keeps each time's own UTC offset: MessagePack would
    # keep UTC only)
    seqs: bytearray = msgspec.field(default_factory=bytearray)
    appraisers: bytearray = msgspec.field(default_factory=bytearray)
    appraiser_sets: list[list[str]] = msgspec.field(default_factory=lambda: [[]])
    late: dict[int, bytes] = msgspec.field(default_factory=dict)
    # each row's name when it registered (UTF-8, as the participants), and which kind named
    # it (1 byte: PERSON… UNNAMED, whose name is empty)
    names: bytearray = msgspec.field(default_factory=bytearray)
    name_ends: bytearray = msgspec.field(default_factory=bytearray)
    named_by: bytearray = msgspec.field(default_factory=bytearray)
    # the other names, each kind apart (PERSON, UNIT, CLUSTER): of participants not registered
    # here, and any given to one after it registered (the latest of a kind wins, as ever)
    named: list[dict[str, str]] = msgspec.field(default_factory=lambda: [{}, {}, {}])

    # -- what a fold keeps beside the columns, never stored (the instance's __dict__) --------

    def row_of(self, key: bytes) -> int | None:
        """The row of participation id `key`, if registered here. The first few are found by
        searching the id column (a read after a new score folds one or two events: a map of
        65,800 ids would cost 7 MB); past SEARCHES, a map of every row is made and kept."""
        rows: dict[bytes, int] | None = self.__dict__.get("rows")
        if rows is not None:
            return rows.get(key)
        searched = self.__dict__.get("searched", 0)
        if searched < SEARCHES:
            self.__dict__["searched"] = searched + 1
            return _search(self.ids, key)
        ids = self.ids
        rows = {bytes(ids[r * _ID : (r + 1) * _ID]): r for r in range(len(self))}
        self.__dict__["rows"] = rows
        return rows.get(key)

    def _add_row(self, key: bytes, participant: str) -> None:
        """A new row for participation id `key` of `participant` (the columns grow), named
        by the names given it until now (taken from `named`)."""
        self._release()
        rows: dict[bytes, int] | None = self.__dict__.get("rows")
        if rows is not None:
            rows[key] = len(self)
        self.ids += key
        _append(self.participants, self.participant_ends, participant)
        name, by = "", UNNAMED
        for kind in (CLUSTER, UNIT, PERSON):  # the first kind that names it wins
            found = self.named[kind].pop(participant, None)
            if found is not None:
                name, by = found, kind
        _append(self.names, self.name_ends, name)
        self.named_by.append(by)

    def name_of(self, views: _Views, row: int, participant: str) -> str | None:
        """The name of `participant`, of `row`, as `Catalog.name_of` gives it: the latest
        name of the first kind that names it (person, unit, cluster), given before it
        registered (kept in the row) or after (still in `named`)."""
        by = self.named_by[row]
        for kind, later in enumerate(self.named):
            found = later.get(participant) if later else None
            if found is not None:
                return found
            if by == kind:
                return _text(self.names, views.name_ends, row)
        return None

    def _views(self) -> _Views:
        views: _Views | None = self.__dict__.get("views")
        if views is None:
            views = self.__dict__["views"] = _Views(self)
        return views

    def forget(self) -> None:
        """Drop the maps and memoryviews kept beside the columns (made again when needed,
        the maps after SEARCHES look-ups again): before the state is encoded to be stored."""
        self._release()
        for cached in ("rows", "searched", "sets"):
            self.__dict__.pop(cached, None)

    def _release(self) -> None:
        """Let go of the memoryviews, so that the columns may grow."""
        views: _Views | None = self.__dict__.pop("views", None)
        if views is not None:
            views.release()

    def _column(self, criterion: str) -> int:
        """The column of `criterion`, added (not scored in any row) when new."""
        columns: dict[str, int] | None = self.__dict__.get("columns")
        if columns is None:
            columns = self.__dict__["columns"] = {c: k for k, c in enumerate(self.criteria)}
        found = columns.get(criterion)
        if found is None:
            self._release()
            found = columns[intern(criterion)] = len(self.criteria)
            self.criteria.append(intern(criterion))
            blank = _pack(_POINTS, NOT_SCORED) * len(self)
            self.appraisal.append(bytearray(blank))
            self.self_scores.append(bytearray(blank))
        return found

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.participant_ends) // 4

    def ranked(self) -> Iterator[Standing]:
        """The standings, best first, as the definition ranks the same participations; one
        row made at a time (never the whole table at once). Needs the launch."""
        return self.table().rows()

    def table(self, launched: catalog.MovementView | None = None) -> StandingsTable:
        """The standings ranked, column by column (see :class:`StandingsTable`). Needs the
        launch (`launched`, else the one folded); the columns may not grow while the table
        is read."""
        totals = self.totals(range(len(self)), launched)
        views = self._views()
        participants = _texts(self.participants, views.participant_ends, len(self))
        ranked = list(ranking(totals, participants))
        order = array("I", [r for r, _ in ranked])  # arrays: 65,800 ints as a list is 2.4 MB
        ranks = array("I", [rank for _, rank in ranked])
        return StandingsTable(self, totals, order, ranks, participants)

    def totals(
        self, rows: Sequence[int], launched: catalog.MovementView | None = None
    ) -> list[float]:
        """The totals of `rows` by the movement's formula, rounded to 6 places as the standings
        show them. Needs the launch (`launched`, else the one folded)."""
        launched = launched or self.launched
        if launched is None:
            raise ValueError(f"movement {self.movement!r} is not launched")
        views = self._views()
        every = rows == range(len(self))  # every row, in order: the columns as they are
        columns = {
            c: column if every else [column[r] for r in rows]
            for c, column in zip(self.criteria, views.appraisal, strict=True)
        }
        totals = formula_totals(launched.formula, launched.criteria, columns, len(rows))
        return [round(total, 6) for total in totals]

    def participant(self, row: int) -> str:
        """Row `row`'s participant id."""
        return _text(self.participants, self._views().participant_ends, row)

    def participant_ids(self) -> list[str]:
        """Every row's participant id, in registration order."""
        return _texts(self.participants, self._views().participant_ends, len(self))

    def kind(self, row: int) -> str:
        """Row `row`'s participant kind (person, unit, cluster)."""
        return self.kind_names[self.kinds[row]]

    def seq(self, row: int) -> int:
        """The seq of row `row`'s registration."""
        return self._views().seqs[row]

    def appraisers_of(self, row: int) -> list[str]:
        """The signers who appraised row `row`, in the order they first did."""
        return self.appraiser_sets[self._views().appraisers[row]]

    def appraised_by(self, scorers: set[str]) -> list[int]:
        """The rows appraised by any of `scorers`, in registration order."""
        sets = {n for n, names in enumerate(self.appraiser_sets) if scorers.intersection(names)}
        if not sets:
            return []
        return [row for row, n in enumerate(self._views().appraisers) if n in sets]

    def lateness(self) -> list[tuple[int, Lateness]]:
        """The rows registered late, with their Lateness, in registration order."""
        return [(row, _LATENESS.decode(self.late[row])) for row in sorted(self.late)]

    def only_self_scored(self, row: int) -> bool:
        """Row `row` has scores and all are self scores (rule 6)."""
        views = self._views()
        return any(p[row] == p[row] for p in views.self_scores) and not any(
            p[row] == p[row] for p in views.appraisal
        )

    def _appraised_by(self, row: int, scorer: str) -> None:
        """Note that `scorer` appraised row `row` (once, in the order signers first did)."""
        views = self._views()
        now = self.appraiser_sets[views.appraisers[row]]
        if scorer in now:
            return
        sets: dict[tuple[str, ...], int] | None = self.__dict__.get("sets")
        if sets is None:
            sets = self.__dict__["sets"] = {tuple(s): n for n, s in enumerate(self.appraiser_sets)}
        grown = (*now, intern(scorer))
        found = sets.get(grown)
        if found is None:
            found = sets[grown] = len(self.appraiser_sets)
            self.appraiser_sets.append(list(grown))
        views.appraisers[row] = found


class StandingsTable:
    """One movement's standings, ranked as `projections.standings.ranking` ranks, kept column
    by column: the rows of the state (registration order) best first (`order`, each with its
    `ranks`), each row's total (`totals`, by row), and what else a row shows read from the
    state's columns (points per criterion, NaN when not scored; kind, name, counts, time). No
    object is made per row unless asked (`rows`, `at`): what prints 65,800 rows formats each
    column a batch of rows at a time (cli/standings_render.py)."""

    def __init__(
        self,
        state: MovementStandings,
        totals: Sequence[float],
        order: Sequence[int],
        ranks: Sequence[int] | None,
        participants: list[str] | None = None,
    ) -> None:
        self.state, self.totals, self.order = state, totals, order
        self._ranks = ranks  # None: made from the order and totals when first asked for
        self._participants = participants  # every row's, when decoded already
        views = self.views = state._views()
        self.criteria = state.criteria
        self.appraisal = views.appraisal
        self.self_scores = views.self_scores
        self.scores, self.corrections = views.scores, views.corrections
        self._times: dict[tuple[int, int], datetime] = {}  # rows scored at one time share it

    def __len__(self) -> int:
        return len(self.order)

    @property
    def ranks(self) -> Sequence[int]:
        """Each row's rank, in `order`."""
        if self._ranks is None:
            self._ranks = array("I", ranks_of(self.order, self.totals))
        return self._ranks

    def participants(self, rows: Sequence[int]) -> list[str]:
        """The participant ids of `rows`."""
        every = self._participants
        if every is not None:
            return [every[r] for r in rows]
        return [self.state.participant(r) for r in rows]

    def kinds(self, rows: Sequence[int]) -> list[str]:
        """The participant kinds of `rows`."""
        names, kinds = self.state.kind_names, self.state.kinds
        return [names[kinds[r]] for r in rows]

    def names(self, rows: Sequence[int], participants: Sequence[str]) -> list[str | None]:
        """The display names of `rows` (whose participants are `participants`), as
        `Catalog.name_of` gives them (`MovementStandings.name_of`: the latest name of the
        first kind that names one, person, unit, cluster)."""
        state, views = self.state, self.views
        texts, ends, named_by = state.names, views.name_ends, state.named_by
        names = [None if named_by[r] == UNNAMED else _text(texts, ends, r) for r in rows]
        if any(state.named):
            for i, (r, participant) in enumerate(zip(rows, participants, strict=True)):
                if any(participant in later for later in state.named):
                    names[i] = state.name_of(views, r, participant)
        return names

    def at(self, row: int) -> datetime | None:
        """Row `row`'s latest appraisal's effective time, in its own UTC offset (None: none)."""
        micros = self.views.scored_at[row]
        if micros == NO_TIME:
            return None
        kept = (micros, self.views.scored_offset[row])
        at = self._times.get(kept)
        if at is None:
            at = self._times[kept] = _time(*kept)
        return at

    def rows(
        self,
        start: int = 0,
        stop: int | None = None,
        named: Callable[[str], str | None] | None = None,
    ) -> Iterator[Standing]:
        """The rows as Standings, best first (those ranked `start` to `stop`, counted from
        0), made a batch at a time (each batch's points column by column); named by `named`
        when given, else by the names folded."""
        stop = len(self.order) if stop is None else min(stop, len(self.order))
        for first in range(start, stop, _ROWS):
            yield from self._batch(first, min(first + _ROWS, stop), named)

    def _batch(
        self, start: int, stop: int, named: Callable[[str], str | None] | None
    ) -> Iterator[Standing]:
        order, criteria = self.order[start:stop], self.criteria
        participants = self.participants(order)
        kinds = self.kinds(order)
        names = [named(p) for p in participants] if named else self.names(order, participants)
        appraisal = _points(criteria, self.appraisal, order)
        self_scores = _points(criteria, self.self_scores, order)
        for place, (r, rank) in enumerate(zip(order, self.ranks[start:stop], strict=True)):
            yield Standing(
                participant=participants[place],
                total=self.totals[r],
                rank=rank,
                criteria=appraisal[place],
                self_scores=self_scores[place],
                kind=kinds[place],
                name=names[place],
                scores=self.scores[r],
                corrections=self.corrections[r],
                at=self.at(r),
            )


_ROWS = 2048  # Standings made at a time


def _points(
    criteria: list[str], columns: list[memoryview[float]], rows: Sequence[int]
) -> list[dict[str, float]]:
    """Each of `rows`' points by criterion (NaN: not scored, left out), column by column."""
    found: list[dict[str, float]] = [{} for _ in rows]
    for criterion, column in zip(criteria, columns, strict=True):
        for points, p in zip(found, map(column.__getitem__, rows), strict=True):
            if p == p:
                points[criterion] = p
    return found


class _Views:
    """Typed memoryviews over a state's columns (while they exist, the columns cannot grow)."""

    def __init__(self, state: MovementStandings) -> None:
        self.appraisal = [memoryview(c).cast("d") for c in state.appraisal]
        self.self_scores = [memoryview(c).cast("d") for c in state.self_scores]
        self.scores = memoryview(state.scores).cast("I")
        self.corrections = memoryview(state.corrections).cast("I")
        self.scored_at = memoryview(state.scored_at).cast("q")
        self.scored_offset = memoryview(state.scored_offset).cast("i")
        self.seqs = memoryview(state.seqs).cast("Q")
        self.appraisers = memoryview(state.appraisers).cast("I")
        self.participant_ends = memoryview(state.participant_ends).cast("I")
        self.name_ends = memoryview(state.name_ends).cast("I")

    def release(self) -> None:
        for points in (*self.appraisal, *self.self_scores):
            points.release()
        for column in (
            self.scores,
            self.corrections,
            self.scored_at,
            self.scored_offset,
            self.seqs,
            self.appraisers,
            self.participant_ends,
            self.name_ends,
        ):
            column.release()


def _append(texts: bytearray, ends: bytearray, text: str) -> None:
    """Add `text` to a text column (UTF-8 one after another, and where each ends)."""
    texts += text.encode("utf-8")
    ends += _pack(_COUNT, len(texts))


def _text(texts: bytearray, ends: memoryview[int], row: int) -> str:
    """Row `row` of a text column."""
    return texts[ends[row - 1] if row else 0 : ends[row]].decode("utf-8")


def _texts(texts: bytearray, ends: memoryview[int], rows: int) -> list[str]:
    """The first `rows` rows of a text column (decoded at once when all ASCII, as ids are)."""
    if rows and texts.isascii():  # one decode, then slices
        whole, starts = texts.decode("ascii"), (0, *ends[: rows - 1])
        return [whole[a:b] for a, b in zip(starts, ends[:rows], strict=True)]
    return [_text(texts, ends, row) for row in range(rows)]


def _search(ids: bytearray, key: bytes) -> int | None:
    """The row whose 16-byte id in `ids` is `key`, by search (a match must start on a row)."""
    at = ids.find(key)
    while at >= 0 and at % _ID:
        at = ids.find(key, at + 1)
    return None if at < 0 else at // _ID


def _micros(when: datetime) -> int:
    return (when - _EPOCH) // _MICRO


def _offset(when: datetime) -> int:
    offset = when.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def _time(micros: int, offset: int) -> datetime:
    """The time kept as UTC microseconds, in its own UTC offset again."""
    zone = UTC if offset == 0 else timezone(timedelta(seconds=offset))
    return (_EPOCH + micros * _MICRO).astimezone(zone)


# -- the fold --------------------------------------------------------------------------------


def _launched(state: MovementStandings, event: Movement.Launched, meta: EventMeta) -> None:
    if event.movement_id == state.movement:
        launch = catalog.Catalog()
        catalog.HANDLERS[Movement.Launched](launch, event, meta)
        state.launched = launch.movements[event.movement_id]


def _kind(state: MovementStandings, kind: str) -> int:
    try:
        return state.kind_names.index(kind)
    except ValueError:
        state.kind_names.append(intern(kind))
        return len(state.kind_names) - 1


def _registered(state: MovementStandings, event: Participation.Registered, meta: EventMeta) -> None:
    """A new row; registered again (as the ledger view replaces the participation): the row
    starts again, unscored."""
    if event.movement != state.movement:
        return
    key, kind = event.originator_id.bytes, _kind(state, event.participant_kind)
    row = state.row_of(key)
    if row is not None:
        views = state._views()  # the same participant: the id is made from it
        state.kinds[row] = kind
        for points in (*views.appraisal, *views.self_scores):
            points[row] = NOT_SCORED
        views.scores[row] = views.corrections[row] = views.scored_offset[row] = 0
        views.appraisers[row] = 0
        views.scored_at[row] = NO_TIME
        views.seqs[row] = meta.seq
        _note_late(state, row, event, meta)
        return
    state._add_row(key, event.participant)
    _note_late(state, len(state) - 1, event, meta)
    state.seqs += _pack(_SEQ, meta.seq)
    state.appraisers += _COUNT_ZERO
    state.kinds.append(kind)
    for grown in (*state.appraisal, *state.self_scores):
        grown += _NOT_SCORED
    state.scores += _COUNT_ZERO
    state.corrections += _COUNT_ZERO
    state.scored_at += _NO_TIME
    state.scored_offset += _OFFSET_ZERO


def _note_late(
    state: MovementStandings, row: int, event: Participation.Registered, meta: EventMeta
) -> None:
    """Keep row `row`'s Lateness when `event` registered it late (and none when not)."""
    state.late.pop(row, None)
    if event.late:
        late = Lateness(
            event.at, meta.time, event.deadline, event.override_reason, meta.seq, meta.signer
        )
        state.late[row] = _LATE.encode(late)


def _scored(state: MovementStandings, event: Participation.Scored, meta: EventMeta) -> None:
    row = state.row_of(event.originator_id.bytes)
    if row is None:
        return
    column = state._column(event.criterion)
    views = state._views()
    views.scores[row] += 1
    if event.correction:
        views.corrections[row] += 1
    if event.kind == "self":
        views.self_scores[column][row] = event.points
        return
    views.appraisal[column][row] = event.points
    state._appraised_by(row, event.scorer)
    at = _micros(event.at)
    if views.scored_at[row] == NO_TIME or at > views.scored_at[row]:
        views.scored_at[row] = at
        views.scored_offset[row] = _offset(event.at)


def _person(state: MovementStandings, event: Person.Added, meta: EventMeta) -> None:
    state.named[PERSON][event.person_id] = event.name


def _unit(state: MovementStandings, event: Unit.Added, meta: EventMeta) -> None:
    state.named[UNIT][event.unit_id] = event.name


def _cluster(state: MovementStandings, event: Cluster.Formed, meta: EventMeta) -> None:
    state.named[CLUSTER][event.cluster_id] = event.name


_NOT_SCORED = _pack(_POINTS, NOT_SCORED)
_COUNT_ZERO = _pack(_COUNT, 0)
_NO_TIME = _pack(_TIME, NO_TIME)
_OFFSET_ZERO = _pack(_OFFSET, 0)

HANDLERS: dict[type[DomainEvent], Callable[[MovementStandings, Any, EventMeta], None]] = {
    Movement.Launched: _launched,
    Participation.Registered: _registered,
    Participation.Scored: _scored,
    Person.Added: _person,
    Unit.Added: _unit,
    Cluster.Formed: _cluster,
}


def fold_movement(
    state: MovementStandings, event: DomainEvent, meta: EventMeta
) -> MovementStandings:
    """Fold one event (see the module docstring); other events leave `state` as it is."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, meta)
    return state


def movement_view(movement: str) -> ViewSpec[MovementStandings]:
    """The standings view of `movement`, which the runner stores and keeps current."""
    return ViewSpec(
        name=f"standings:{movement}",
        version=f"standings/3-{sys.byteorder}",
        state_type=MovementStandings,
        initial=lambda: MovementStandings(movement),
        fold=fold_movement,
        event_types=tuple(HANDLERS),
        codec="msgpack-zlib",
        forget=MovementStandings.forget,
    )
