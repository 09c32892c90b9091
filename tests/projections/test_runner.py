"""The runner and its view store: incremental catch-up equals a rebuild, each position is
applied to the stored copy exactly once, and a replayed or stale position is refused."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.base import DomainEvent
from domain.registry import Person, Unit
from ledger.application import LedgerApp
from ledger.usecases import registry
from projections.runner import Runner
from projections.store import StoredView, ViewConflictError, ViewStore
from projections.stream import Cut, EventMeta, Position
from projections.view import LEDGER_VIEW, LedgerView, ViewSpec, fold
from tests.projections.builder import Written
from tests.projections.conftest import Scenario

Pairs = list[tuple[DomainEvent, EventMeta]]


def _cuts(size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, size), max_size=6).map(sorted)


def _spec(counter: list[int] | None = None) -> ViewSpec[LedgerView]:
    """The ledger view under a fresh name, optionally counting the events it folds."""

    def counting(state: LedgerView, event: DomainEvent, meta: EventMeta) -> LedgerView:
        if counter is not None:
            counter.append(meta.seq)
        return fold(state, event, meta)

    return dataclasses.replace(LEDGER_VIEW, name=f"test-{uuid.uuid4().hex[:8]}", fold=counting)


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_fold_prefix_then_suffix_equals_fold_all(
    events: tuple[Written, Pairs], data: st.DataObject
) -> None:
    _, pairs = events
    cuts = data.draw(_cuts(len(pairs)))
    whole = LedgerView()
    for event, meta in pairs:
        whole = fold(whole, event, meta)

    state, start = LedgerView(), 0
    for cut in [*cuts, len(pairs)]:
        for event, meta in pairs[start:cut]:
            state = fold(state, event, meta)
        # between chunks the state goes through its stored form, as the runner keeps it
        state = LEDGER_VIEW.decode(LEDGER_VIEW.encode(state))
        start = max(start, cut)

    assert state == whole
    assert LEDGER_VIEW.encode(state) == LEDGER_VIEW.encode(whole)


@given(data=st.data())
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_runner_catching_up_in_chunks_equals_a_rebuild(
    sqlite_scenario: Scenario, data: st.DataObject
) -> None:
    app, size = sqlite_scenario.app, sqlite_scenario.written.size
    spec = _spec()
    runner = Runner(app, lag=0)  # store every catch-up
    for cut in data.draw(_cuts(size)):
        runner.read(spec, Cut(at_seq=cut))

    caught_up = runner.read(spec)
    rebuilt = Runner(app, persist=False).read(LEDGER_VIEW)

    assert caught_up.state == rebuilt.state
    assert caught_up.position == rebuilt.position
    assert caught_up.position.seq == size
    assert caught_up.position.root() == bytes.fromhex(app.tree()[0].root().hex())


def test_runner_stores_the_view_at_the_signed_checkpoint_and_folds_only_new_events(
    scenario: Scenario,
) -> None:
    app, size = scenario.app, scenario.written.size
    signed = scenario.written.checkpoint_size
    folded: list[int] = []
    spec = _spec(folded)

    first = Runner(app).read(spec)
    assert first.stored and first.position.seq == size
    stored = ViewStore(app).load(spec.name)
    assert stored is not None and stored.position.seq == signed  # anchored, not at the head
    assert folded and folded[-1] < size
    folded.clear()

    again = Runner(app).read(spec)  # a new process: starts from the stored copy
    assert folded and all(signed < seq < size for seq in folded) and not again.stored
    assert again.state == first.state
    folded.clear()

    registry.add_unit(app, scenario.keys["sec"], "PH2", "Phòng Tổng hợp", "division", "VU1")
    after = Runner(app).read(spec)  # one new event, no new checkpoint: nothing stored
    assert folded[-1] == size and folded[0] > signed and not after.stored
    assert after.state.catalog.units["PH2"].name == "Phòng Tổng hợp"
    assert after.position.root() == app.tree()[0].root()
    folded.clear()

    registry.sign_new_checkpoint(app, scenario.keys["op"])  # covers size + 1 events
    moved = Runner(app).read(spec)
    assert moved.stored and folded[0] > signed
    stored = ViewStore(app).load(spec.name)
    assert stored is not None and stored.position.seq == size + 1
    folded.clear()
    assert Runner(app).read(spec).state == moved.state and folded == []


def _save_at(store: ViewStore, spec: ViewSpec[LedgerView], app: object, seq: int) -> None:
    """Store the view folded to `seq` directly (the runner itself only stores at checkpoints)."""
    assert isinstance(app, LedgerApp)
    folded = Runner(app, persist=False).read(spec, Cut(at_seq=seq))
    store.save(spec.name, spec.stored_version, None, folded.position, spec.encode(folded.state))


def test_a_replayed_position_is_refused_and_changes_nothing(shared: Scenario) -> None:
    store, spec = ViewStore(shared.app), _spec()
    _save_at(store, spec, shared.app, 40)
    stored = store.load(spec.name)
    assert stored is not None and stored.position.seq == 40
    later = Runner(shared.app, persist=False).read(spec)
    blob = spec.encode(later.state)

    store.save(spec.name, spec.stored_version, stored, later.position, blob)
    with pytest.raises(ViewConflictError, match="already recorded"):
        store.save(spec.name, spec.stored_version, stored, later.position, blob)

    final = store.load(spec.name)
    assert final is not None and final.position == later.position


def test_a_stale_writer_is_refused(shared: Scenario) -> None:
    store, spec = ViewStore(shared.app), _spec()
    _save_at(store, spec, shared.app, 30)
    read_by_both = store.load(spec.name)
    assert read_by_both is not None
    ahead = Runner(shared.app, persist=False).read(spec, Cut(at_seq=50))
    further = Runner(shared.app, persist=False).read(spec, Cut(at_seq=60))
    store.save(spec.name, spec.stored_version, read_by_both, ahead.position, b"first")

    with pytest.raises(ViewConflictError, match="moved on"):
        store.save(spec.name, spec.stored_version, read_by_both, further.position, b"second")

    final = store.load(spec.name)
    assert final is not None and (final.position.seq, final.state) == (50, b"first")


def test_two_readers_catching_up_at_once_store_one_copy(shared: Scenario) -> None:
    store, spec = ViewStore(shared.app), _spec()
    _save_at(store, spec, shared.app, 20)
    stale = store.load(spec.name)
    winner = Runner(shared.app, store).read(spec)
    assert winner.stored

    # a reader that loaded the old copy finishes later: its save is refused, its answer stands
    runner = Runner(shared.app, store)
    runner.store = _Frozen(store, stale)
    loser = runner.read(spec)
    assert not loser.stored and loser.state == winner.state


class _Frozen(ViewStore):
    """A store whose `load` returns an old row, as a slow concurrent reader would have seen."""

    def __init__(self, inner: ViewStore, row: StoredView | None) -> None:
        self.__dict__.update(inner.__dict__)
        self._row = row

    def load(self, name: str) -> StoredView | None:
        return self._row


def test_a_stored_copy_of_another_version_is_rebuilt(sqlite_scenario: Scenario) -> None:
    app = sqlite_scenario.app
    old = dataclasses.replace(_spec(), version="ledger-view/0")
    Runner(app).read(old, Cut(at_seq=10))
    new = dataclasses.replace(old, version="ledger-view/1")
    folded: list[int] = []
    counting = dataclasses.replace(new, fold=_spec(folded).fold)

    result = Runner(app).read(counting)

    assert result.stored and folded[0] < 10  # started from nothing
    stored = ViewStore(app).load(new.name)
    assert stored is not None and stored.version == new.stored_version


def test_an_unreadable_stored_state_is_rebuilt(sqlite_scenario: Scenario) -> None:
    app, spec = sqlite_scenario.app, _spec()
    store = ViewStore(app)
    _save_at(store, spec, app, 10)
    first = Runner(app, persist=False).read(spec, Cut(at_seq=10))
    stored = store.load(spec.name)
    assert stored is not None
    bad = Position(12, 999, first.position.time, first.position.frontier)
    store.save(spec.name, spec.stored_version, stored, bad, b"{not json")

    result = Runner(app, store).read(spec)

    assert result.state == Runner(app, persist=False).read(LEDGER_VIEW).state


def test_time_travel_behind_the_stored_copy_leaves_it_alone(sqlite_scenario: Scenario) -> None:
    app, spec = sqlite_scenario.app, _spec()
    store = ViewStore(app)
    Runner(app, store).read(spec)
    before = store.load(spec.name)

    past = Runner(app, store).read(spec, Cut(at_seq=30))

    assert past.position.seq == 30 and not past.stored
    assert store.load(spec.name) == before


def test_a_view_of_an_empty_position_is_never_stored(sqlite_scenario: Scenario) -> None:
    spec = _spec()

    result = Runner(sqlite_scenario.app).read(spec, Cut(at_seq=0))

    assert result.position == Position() and not result.stored
    assert ViewStore(sqlite_scenario.app).load(spec.name) is None


def test_people_added_after_a_stored_copy_are_folded(sqlite_scenario: Scenario) -> None:
    app, spec = sqlite_scenario.app, _spec()
    Runner(app).read(spec)
    keys = sqlite_scenario.keys
    registry.add_person(app, keys["sec"], "P9", "Đỗ Thị Giang", "PH1", direct_worker=True)

    state = Runner(app).read(spec).state

    assert state.catalog.people["P9"].name == "Đỗ Thị Giang"
    assert state.catalog.headcounts()["PH1"] == 3
    assert app.find(Person, Person.id_for("P9")) is not None
    assert app.find(Unit, Unit.id_for("PH1")) is not None
