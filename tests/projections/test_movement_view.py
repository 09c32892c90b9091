"""`standings` reads one movement's own view (projections/movement_view.py) and `tally` one
session's own events (projections/indexed.py): each answer is the one a fold of the whole log
gives, over a ledger with two movements, corrections before and after the checkpoint, and
sessions in both modes; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import msgspec
import pytest

from domain.actor import Actor
from domain.errors import NotFoundError
from domain.movement import Movement, movement_spec
from domain.participation import Participation
from domain.registry import Signer
from domain.rulebook import DEFAULT_RULEBOOK
from ledger import codec
from ledger.event_reads import EventIndex
from ledger.usecases import registry
from projections import indexed, queries
from projections import movement_view as movement_view_module
from projections.movement_view import movement_view
from projections.report.model import AsOf, StandingRows, movement_info
from projections.runner import Runner
from projections.store import ViewStore
from projections.stream import Cut
from projections.view import LEDGER_VIEW
from tests.projections.builder import CRITERIA, MOVEMENT, at
from tests.projections.conftest import Scenario
from tests.projections.movement_world import PARTICIPANTS, SECOND, names_world
from tests.projections.standings_reference import REFERENCE_VIEW, rank_standings

SESSIONS = ["S-AW", "S-CSTD", "S-TT"]


def _full_fold_standings(scenario: Scenario, movement: str, cut: Cut) -> queries.StandingsAnswer:
    """The standings as the ledger view (every movement, folded from the whole log) has them."""
    folded = Runner(scenario.app, persist=False).read(LEDGER_VIEW, cut)
    view = folded.state
    found = view.catalog.movements[movement]
    taking_part = Runner(scenario.app, persist=False).read(REFERENCE_VIEW, cut).state
    rows = rank_standings(
        found.formula, found.criteria, taking_part.of(movement), view.catalog.name_of
    )
    return queries.StandingsAnswer(movement_info(found), AsOf.of(folded.position, cut), rows)


def _timeless(answer: queries.StandingsAnswer) -> queries.StandingsAnswer:
    """The answer without its as_of time: an indexed read gives the last event's append time,
    a fold the latest among the events (they differ where append times go backwards, as right
    after a checkpoint event); the seq and root they stand at are the same."""
    as_of = msgspec.structs.replace(answer.as_of, time=None)
    return msgspec.structs.replace(answer, as_of=as_of)


def _second_movement(scenario: Scenario) -> tuple[int, int]:
    """A second movement with some of the same participants, scores and a correction, signed;
    then one more correction after the checkpoint. Returns (checkpoint size, ledger size)."""
    app, keys = scenario.app, scenario.keys
    scorer_signer = app.find(Signer, Signer.id_for("sc"))
    assert scorer_signer is not None
    scorer = Actor.from_signer(scorer_signer)
    spec = hashlib.sha256(
        codec.ENCODER.encode(movement_spec(CRITERIA, "weighted_sum", DEFAULT_RULEBOOK))
    )
    m = Movement.launch(
        SECOND, "Phong trào thi đua năm 2020", start=date(2020, 1, 1), end=date(2020, 12, 31),
        unit_deadline=date(2020, 2, 18), criteria=CRITERIA, spec_hash=spec.digest(),
        at=at("2020-01-02"),
    )  # fmt: skip
    app.save_signed("sec", keys["sec"], [m])
    parts = {
        pid: Participation.register(m, pid, kind, [title], at=at("2020-02-01"))
        for pid, kind, title in [
            ("P1", "person", "advanced_worker"),
            ("P3", "person", "advanced_worker"),
            ("PH1", "unit", "advanced_collective"),
        ]
    }
    app.save_signed("sec", keys["sec"], list(parts.values()))
    for pid, marks in [("P1", (3, 4)), ("P3", (9, 5)), ("PH1", (5, 2))]:
        for criterion, points in zip(("c1", "c2"), marks, strict=True):
            parts[pid].score(m, criterion, points, "appraisal", scorer=scorer, at=at("2020-11-01"))
    parts["P1"].score(m, "c1", 8.0, "self", scorer=scorer, at=at("2020-11-01"))
    app.save_signed("sc", keys["sc"], list(parts.values()))
    parts["P3"].score(m, "c1", 1.0, "appraisal", scorer=scorer, at=at("2020-11-03"), reason="sai")
    app.save_signed("sc", keys["sc"], [parts["P3"]])
    registry.sign_new_checkpoint(app, keys["op"])
    signed = app.genesis().latest_checkpoint
    assert signed is not None
    parts["P1"].score(m, "c1", 10.0, "appraisal", scorer=scorer, at=at("2020-11-04"), reason="lại")
    app.save_signed("sc", keys["sc"], [parts["P1"]])
    return signed.size, len(list(app.entries()))


def test_standings_of_each_movement_are_the_full_folds_at_every_cut(scenario: Scenario) -> None:
    # given a ledger with two movements sharing participants, corrections on both sides of
    # the newest checkpoint
    signed, size = _second_movement(scenario)
    cuts = [Cut(), Cut(at_seq=signed), Cut(at_seq=size - 1), Cut(at_seq=signed - 3)]
    for movement in (MOVEMENT, SECOND):
        for cut in cuts:
            # when the standings are read at the cut, twice (cold, then from the stored copy)
            cold = queries.standings(scenario.app, movement, cut)
            warm = queries.standings(scenario.app, movement, cut)
            # then both are the whole ledger view's, folded from the log
            assert cold == warm == _full_fold_standings(scenario, movement, cut)
    # and the event index gives the same answers, reading only each movement's own events
    index = EventIndex(scenario.app, whole=True)
    for movement in (MOVEMENT, SECOND):
        for cut in cuts:
            from_index = indexed.standings(index, movement, cut)
            assert from_index is not None
            folded = queries.standings(scenario.app, movement, cut)
            assert _timeless(from_index) == _timeless(folded)
    assert index.problems == []
    second = queries.standings(scenario.app, SECOND)
    assert second.standings[0].participant == "P1"  # the correction after the checkpoint
    assert {r.participant for r in second.standings} == {"P1", "P3", "PH1"}
    # and each movement keeps a view of its own, holding only its participations
    stored = ViewStore(scenario.app).load(movement_view(SECOND).name)
    assert stored is not None and stored.intact and b"TD-2019" not in stored.state


def test_standings_of_an_unknown_movement_keep_no_copy(scenario: Scenario) -> None:
    with pytest.raises(NotFoundError, match="movement 'TD-1999' not found"):
        queries.standings(scenario.app, "TD-1999")
    assert ViewStore(scenario.app).load(movement_view("TD-1999").name) is None
    index = EventIndex(scenario.app, whole=True)
    meant = r"movement 'td-2019' not found.*did you mean 'TD-2019'"
    with pytest.raises(NotFoundError, match=meant):
        indexed.standings(index, "td-2019", Cut())


def test_standings_from_the_index_read_only_the_movements_events(
    shared: Scenario, rows_read: list[int]
) -> None:
    index = EventIndex(shared.app, whole=True)
    rows_read.append(0)
    answer = indexed.standings(index, MOVEMENT, Cut())
    assert answer is not None and len(answer.standings) == 5
    assert rows_read[0] < shared.written.size  # a fold reads every row


def test_a_large_movement_or_an_append_time_cut_is_left_to_the_view(
    shared: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = EventIndex(shared.app, whole=True)
    assert indexed.standings(index, MOVEMENT, Cut(as_of=at("2019-12-31"))) is None
    assert indexed.standings(index, MOVEMENT, Cut(at_seq=shared.written.size + 5)) is None
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 4)  # the movement has 5
    assert indexed.standings(index, MOVEMENT, Cut()) is None


@pytest.mark.parametrize("session", [*SESSIONS, "S-NONE"])
def test_tally_from_the_sessions_own_events_is_the_full_fold(
    shared: Scenario, session: str
) -> None:
    index = EventIndex(shared.app, whole=True)
    size = shared.written.size
    for cut in (Cut(), Cut(at_seq=shared.written.checkpoint_size), Cut(at_seq=size // 2)):
        try:
            folded = queries.tally(shared.app, session, cut)
        except NotFoundError:
            with pytest.raises(NotFoundError, match=f"session '{session}' not found"):
                indexed.tally(index, session, cut)
            continue
        assert indexed.tally(index, session, cut) == folded
    assert index.problems == []


def test_tally_reads_only_the_sessions_events(shared: Scenario, rows_read: list[int]) -> None:
    index = EventIndex(shared.app, whole=True)
    rows_read.append(0)
    answer = indexed.tally(index, "S-AW", Cut())
    assert answer is not None and answer.session.results
    assert rows_read[0] < 20


def test_tally_on_the_append_clock_leaves_it_to_the_fold(shared: Scenario) -> None:
    index = EventIndex(shared.app, whole=True)
    assert indexed.tally(index, "S-AW", Cut(as_of=at("2019-12-31"))) is None
    assert indexed.tally(index, "S-AW", Cut(at_seq=shared.written.size + 5)) is None


@pytest.mark.parametrize("searches", [0, 1, 10_000], ids=["mapped", "searched-once", "searched"])
def test_the_columns_rank_as_the_ledger_view_through_every_stored_step(
    monkeypatch: pytest.MonkeyPatch, searches: int
) -> None:
    # given events that exercise names, re-registration, offsets and another movement
    monkeypatch.setattr(movement_view_module, "SEARCHES", searches)
    pairs = names_world()
    spec = movement_view(SECOND)
    # when folded by the movement's view, through its stored form after every event
    state = spec.initial()
    for event, meta in pairs:
        state = spec.decode(spec.encode(spec.fold(state, event, meta)))
    # and by the ledger view, as the report reads them
    whole, reference = LEDGER_VIEW.initial(), REFERENCE_VIEW.initial()
    for event, meta in pairs:
        whole = LEDGER_VIEW.fold(whole, event, meta)
        reference = REFERENCE_VIEW.fold(reference, event, meta)
    found = whole.catalog.movements[SECOND]
    truth = rank_standings(
        found.formula, found.criteria, reference.of(SECOND), whole.catalog.name_of
    )
    # then the standings are the same, rows and order
    assert list(state.ranked()) == truth
    by = {row.participant: row for row in truth}
    assert by["DUP"].name == "Người DUP" and by["LATE"].name == "Người đến sau"
    assert by["ANON"].name is None and by["LATE"].scores == 0  # registered again: unscored
    assert by["P1"].at is not None and by["P1"].at.utcoffset() == timedelta(0)
    assert by["P1"].criteria == {"c1": 4.0, "c2": 2.0}
    assert by["BOTH"].name == "Người BOTH"
    assert len(state) == len(PARTICIPANTS) + 1  # one row each, the one registered again too
    assert bytes(state.participants) == "".join([*(p for p, _ in PARTICIPANTS), "P3"]).encode()
    assert by["P3"].criteria == {"c2": 1.5} and by["P3"].total == 1.5
    assert {len(c) for c in (*state.appraisal, *state.self_scores)} == {8 * len(state)}


@pytest.mark.parametrize("batch", [1, 2, 3])
def test_rows_made_a_batch_at_a_time_and_read_in_slices_are_the_rows_made_at_once(
    monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    # given a movement's standings made whole, one batch of every row
    state = movement_view(SECOND).initial()
    for event, meta in names_world():
        state = movement_view(SECOND).fold(state, event, meta)
    whole = list(state.ranked())
    assert len(whole) > 3
    # when made in batches of `batch` rows, and as a report's StandingRows (renamed, sliced)
    monkeypatch.setattr(movement_view_module, "_ROWS", batch)
    table = state.table()
    rows = StandingRows(table, lambda participant: f"tên {participant}")
    named = [msgspec.structs.replace(r, name=f"tên {r.participant}") for r in whole]
    # then they are the same rows, in the same order, however they are read
    assert list(state.ranked()) == whole
    assert list(rows) == named and len(rows) == len(whole)
    assert rows[1:4] == named[1:4] and rows[-1] == named[-1] and rows[::2] == named[::2]
    assert list(StandingRows(None, str)) == [] and StandingRows(None, str)[0:3] == []
    with pytest.raises(IndexError):
        rows[len(whole)]
