"""What `awards standings` prints, made column by column (cli/standings_render.py), is byte for
byte the row-at-a-time forms that define it: the table as `row_text` prints each Standing, and
the JSON document as `json_document` prints the answer with its rows. Checked on the scenario
ledger and on a world of hostile and awkward rows (names to escape, an id beyond ASCII, unscored
rows, zero and negative zero, two UTC offsets, a registration made again)."""

from __future__ import annotations

from array import array
from datetime import UTC, datetime
from uuid import uuid4

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.render import json_document, line_text, row_text
from cli.report_cmd import _where_line, standings_bytes
from cli.standings_render import BATCH, JSON, TEXT, patched_pieces, standings_pieces
from domain.actor import Actor
from domain.base import DomainEvent
from domain.movement import Movement
from domain.participation import Participation
from domain.registry import Person, Unit
from projections import queries
from projections.movement_view import MovementStandings, fold_movement, movement_view
from projections.report.model import AsOf, movement_info
from projections.standings import Standing
from projections.standings_patch import index_bytes, patch
from projections.stream import EventMeta
from tests.projections.builder import MOVEMENT, at
from tests.projections.conftest import Scenario, _template, shared
from tests.projections.movement_world import SECOND, names_world

__all__ = ["_template", "shared"]  # fixtures used here

HOSTILE = "Phòng\x1b[2J\x1b[1;1H\t9\ngiả\u202eexe"


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _table_by_rows(answer: queries.StandingsAnswer) -> bytes:
    """The table as it is defined: the movement's line, where it stands, the header, then
    `row_text` of each Standing."""
    m, criteria = answer.movement, [c.id for c in answer.movement.criteria]
    lines = [
        line_text(f"{m.id} {m.name}: formula {m.formula}, spec hash {m.spec_hash}") + "\n",
        _where_line(answer.as_of),
        row_text("rank", "participant", "total", *criteria, "self", "name") + "\n",
    ]
    for row in answer.standings:
        self_scores = ",".join(f"{c}={p:g}" for c, p in sorted(row.self_scores.items()))
        fields = (
            row.rank,
            row.participant,
            f"{row.total:g}",
            *(_points(row.criteria.get(c)) for c in criteria),
            self_scores or "-",
            row.name or "",
        )
        lines.append(row_text(*fields) + "\n")
    return "".join(lines).encode("utf-8")


def _hostile_world() -> list[tuple[DomainEvent, EventMeta]]:
    """The names world, and: a unit whose id is beyond ASCII and whose name (stored before
    the door refused it) holds an escape, a tab, a newline and a bidi control; a person
    scored zero and one scored negative zero; and a crowd of twelve more, so that ranks
    run past 9 (a patch's new ranks may then be a digit longer or shorter)."""
    pairs = names_world()
    m = next(e for e, _ in pairs if isinstance(e, Movement.Launched) and e.movement_id == SECOND)
    movement = Movement.launch(
        SECOND, m.name, start=m.start, end=m.end, unit_deadline=m.unit_deadline,
        criteria=m.criteria, spec_hash=m.spec_hash, at=at("2020-01-02"),
    )  # fmt: skip
    unit = Unit.add("ĐV-Ư", "Đơn vị", "agency", None)
    events: list[DomainEvent] = [msgspec.structs.replace(unit.collect_events()[0], name=HOSTILE)]
    events.extend(Person.add("ZERO", "Số không", unit, "civil_servant", False).collect_events())
    scorer = Actor("sc", frozenset({"scorer"}))
    for pid, kind, points in [
        ("ĐV-Ư", "unit", 3.25),
        ("ZERO", "person", 0.0),
        ("NEG", "person", -0.0),
        *((f"C{n:02d}", "person", n / 4) for n in range(12)),
    ]:
        title = "advanced_collective" if kind == "unit" else "advanced_worker"
        part = Participation.register(movement, pid, kind, [title], at=at("2020-02-03"))
        part.score(movement, "c1", points, "appraisal", scorer=scorer, at=at("2020-11-02"))
        part.score(movement, "c2", points, "self", scorer=scorer, at=at("2020-11-02"))
        events.extend(part.collect_events())
    time = at("2021-01-01")
    return pairs + [(e, EventMeta(len(pairs) + n, time, "sec")) for n, e in enumerate(events)]


def _answers(
    pairs: list[tuple[DomainEvent, EventMeta]],
) -> tuple[queries.StandingsAnswer, MovementStandings]:
    state = movement_view(SECOND).initial()
    for event, meta in pairs:
        state = fold_movement(state, event, meta)
    assert state.launched is not None
    as_of = AsOf(len(pairs), datetime(2021, 1, 1, tzinfo=UTC), "seq", "ab" * 32)
    return queries.StandingsAnswer(movement_info(state.launched), as_of, []), state


@pytest.mark.parametrize("batch", [1, 2, BATCH], ids=["batch-1", "batch-2", "batch"])
def test_the_columns_print_what_the_rows_define(
    monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    # given the hostile world's standings, in batches of every size
    monkeypatch.setattr("cli.standings_render.BATCH", batch)
    answer, state = _answers(_hostile_world())
    rows = list(state.table().rows())
    whole = msgspec.structs.replace(answer, standings=rows)
    by = {row.participant: row for row in rows}
    assert by["ĐV-Ư"].name == HOSTILE and by["NEG"].total == 0.0
    assert str(by["NEG"].criteria["c1"]) == "-0.0" and by["ANON"].criteria == {}
    # when printed column by column
    text = standings_bytes(answer, state.table(), as_json=False)
    document = standings_bytes(answer, state.table(), as_json=True)
    # then each is byte for byte its definition, the hostile name escaped in the table
    assert text == _table_by_rows(whole)
    assert document == json_document(whole)
    assert b"\x1b" not in text and "\u202e".encode() not in text
    assert len(text.splitlines()) == 3 + len(rows)
    assert b"\tNEG\t0\t-0\t-\tc2=-0\t\n" in text


def test_no_rows_print_the_header_and_the_empty_document() -> None:
    # given a movement launched and nothing registered
    pairs = [(e, m) for e, m in names_world() if isinstance(e, Movement.Launched)]
    answer, state = _answers(pairs)
    assert not len(state.table())
    # then the table is its header, the document its empty list
    assert standings_bytes(answer, state.table(), as_json=False) == _table_by_rows(answer)
    assert standings_bytes(answer, state.table(), as_json=True) == json_document(answer)


def test_the_scenario_standings_print_what_the_rows_define(shared: Scenario) -> None:
    # given the scenario's standings as a fold gives them
    answer, table, _ = queries.standings_folded(shared.app, MOVEMENT)
    rows: list[Standing] = list(table.rows())
    assert len(rows) > 1
    whole = msgspec.structs.replace(answer, standings=rows)
    # then both forms are their definitions
    assert standings_bytes(answer, table, as_json=True) == json_document(whole)
    assert standings_bytes(answer, table, as_json=False) == _table_by_rows(whole)


# -- a kept answer patched after new scores (projections/standings_patch.py) ----------------

POINTS = st.sampled_from([0.0, -0.0, 1.0, 2.5, 4.0, 5.0, 7.0, 10.0])
SCORES = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from(["c1", "c2"]), POINTS, st.booleans()),
    min_size=1,
    max_size=8,
)


def _made(
    answer: queries.StandingsAnswer, state: MovementStandings, as_json: bool
) -> tuple[bytes, bytes]:
    """The standings made whole, and the index kept with them."""
    table, ends = state.table(), array("Q")
    where = _where_line(answer.as_of)
    whole = b"".join(standings_pieces(answer, table, as_json, where, ends))
    return whole, index_bytes(table, ends)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rounds=st.lists(SCORES, min_size=1, max_size=3),
    as_json=st.booleans(),
    longer=st.integers(0, 3),
)
def test_a_kept_answer_patched_after_scores_is_the_answer_made_whole(
    rounds: list[list[tuple[int, str, float, bool]]], as_json: bool, longer: int
) -> None:
    # given the hostile world's standings made whole and kept with their index, their head
    # perhaps longer by now (as a kept answer carried over new events may say where it
    # stands in more digits)
    pairs = _hostile_world()
    answer, state = _answers(pairs)
    registered = [e for e, _ in pairs if isinstance(e, Participation.Registered)]
    ids = [e.originator_id for e in registered if e.movement == SECOND]
    template = next(e for e, _ in pairs if isinstance(e, Participation.Scored))
    kept, index = _made(answer, state, as_json)
    kept = b"9" * longer + kept
    form = JSON if as_json else TEXT
    for n, scores in enumerate(rounds):
        # when scores are folded (some rows more than once, some of another movement's)
        touched = set()
        for pick, criterion, points, self_score in scores:
            of = ids[pick % len(ids)] if pick < 30 else uuid4()  # not a row of this movement
            event = msgspec.structs.replace(
                template, originator_id=of, criterion=criterion, points=points,
                kind="self" if self_score else "appraisal", correction=bool(pick % 3),
            )  # fmt: skip
            fold_movement(state, event, EventMeta(len(pairs) + n, at("2021-02-01"), "sc"))
            row = state.row_of(of.bytes)
            if row is not None:
                touched.add(row)
        now = msgspec.structs.replace(
            answer, as_of=AsOf(len(pairs) + n + 1, None, "seq", "cd" * 32)
        )
        change = patch(state, index, touched, len(kept), len(form.tail))
        assert change is not None
        ends = array("Q")
        where = _where_line(now.as_of)
        patched = b"".join(patched_pieces(now, change, [kept], as_json, where, ends))
        # then the patched answer is the answer made whole now, and so is its index
        whole, whole_index = _made(now, state, as_json)
        assert patched == whole
        assert index_bytes(change.table, ends) == whole_index
        kept, index = patched, whole_index  # and the next round patches the patched answer


def test_an_index_that_does_not_describe_the_rows_is_not_patched() -> None:
    # given an answer kept with its index, then a participant registered
    answer, state = _answers(_hostile_world())
    kept, index = _made(answer, state, as_json=False)
    rows = len(state)
    # then an index of another length, of an answer shorter than its rows, or garbled,
    # patches nothing
    assert patch(state, index, set(), len(kept), 0) is not None
    assert patch(state, index, set(), len(kept) - len(kept.splitlines()[0]), 0) is not None
    assert patch(state, index, set(), 3, 0) is None  # shorter than its rows
    assert patch(state, index[:-8], set(), len(kept), 0) is None
    assert patch(state, b"\x93garbled", set(), len(kept), 0) is None
    assert patch(state, index, {rows}, len(kept), 0) is None
    # nor an index whose order is not the ranking's (reversed), once a row is touched
    order, ends, totals = msgspec.msgpack.decode(index)
    backwards = array("I", order)
    backwards.reverse()
    forged = msgspec.msgpack.encode([backwards.tobytes(), ends, totals])
    assert patch(state, forged, set(), len(kept), 0) is not None  # nothing to place
    assert patch(state, forged, {backwards[1]}, len(kept), 0) is None
    movement = next(e for e, _ in _hostile_world() if isinstance(e, Movement.Launched))
    newcomer = Participation.register(
        Movement.launch(
            SECOND, movement.name, start=movement.start, end=movement.end,
            unit_deadline=movement.unit_deadline, criteria=movement.criteria,
            spec_hash=movement.spec_hash, at=at("2020-01-02"),
        ),
        "NEW", "person", ["advanced_worker"], at=at("2020-02-10"),
    )  # fmt: skip
    fold_movement(state, newcomer.collect_events()[0], EventMeta(999, at("2021-03-01"), "sec"))
    assert len(state) == rows + 1 and patch(state, index, set(), len(kept), 0) is None


def test_kept_rows_shifted_show_their_rank_moved_and_nothing_else() -> None:
    # given table rows as kept, ranked 9, 9 and 10 (a total of 99 in the second)
    rows = b"9\tA\t99\n9\tB\t99\n10\tC\t1\n"
    # then shifted they show their ranks moved, every other byte as kept, and count as rows
    assert TEXT.shifted(rows, 1) == (b"10\tA\t99\n10\tB\t99\n11\tC\t1\n", 3)
    assert TEXT.shifted(rows, -1) == (b"8\tA\t99\n8\tB\t99\n9\tC\t1\n", 3)
    # and a JSON row's rank is the one after its marker, not a number elsewhere
    row = b'{\n      "participant": "7",\n      "total": 7,\n      "rank": 7,\n      "x": 7\n    }'
    assert JSON.shifted(row, 2) == (row.replace(b'"rank": 7', b'"rank": 9'), 1)
    assert JSON.shifted(b'{\n      "participant": "A"\n    }', 2)[1] == 0


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
@pytest.mark.parametrize(
    ("scored", "like"),
    [("C01", "C05"), ("C11", "C05"), ("C00", "C07"), ("C09", "C00")],
    ids=["ties-before", "ties-after", "rises-into-tie", "falls-into-tie"],
)
def test_a_row_scored_to_tie_others_is_patched_in_among_them_by_participant(
    scored: str, like: str, as_json: bool
) -> None:
    # given the hostile world's standings kept, then one of its crowd scored to the total of
    # another (the tied rows ordered by participant id, on either side of it)
    pairs = _hostile_world()
    answer, state = _answers(pairs)
    kept, index = _made(answer, state, as_json)
    template = next(e for e, _ in pairs if isinstance(e, Participation.Scored))
    points = {f"C{n:02d}": n / 4 for n in range(12)}[like]
    of = Participation.id_for(SECOND, scored)
    event = msgspec.structs.replace(
        template, originator_id=of, criterion="c1", points=points, kind="appraisal",
        correction=True,
    )  # fmt: skip
    fold_movement(state, event, EventMeta(len(pairs), at("2021-02-01"), "sc"))
    row = state.row_of(of.bytes)
    assert row is not None
    form = JSON if as_json else TEXT
    change = patch(state, index, {row}, len(kept), len(form.tail))
    assert change is not None
    ends = array("Q")
    patched = b"".join(
        patched_pieces(answer, change, [kept], as_json, _where_line(answer.as_of), ends)
    )
    # then it is the answer made whole, and so is its index
    whole, whole_index = _made(answer, state, as_json)
    assert patched == whole and index_bytes(change.table, ends) == whole_index
