"""Time travel by effective time (`Cut.effective`, CLI ``--as-of``): a 2019 movement entered in
2026 reads as it stood in 2019, whatever its append times; the append-time cut (``--appended-
before``) of the same moment sees nothing; an effective read neither uses nor stores a copy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from domain.errors import NotFoundError, UsageError
from ledger.event_reads import EventIndex
from projections import indexed, queries
from projections.report import movement_report
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW
from tests.projections.builder import MOVEMENT, PEOPLE, at
from tests.projections.conftest import Scenario


def _effective(day: str, hour: int = 9) -> Cut:
    return Cut(effective=at(day, hour))


def _p3(answer: queries.StandingsAnswer) -> tuple[float, dict[str, float]]:
    [row] = [r for r in answer.standings if r.participant == "P3"]
    return row.total, row.criteria


def test_standings_as_of_a_2019_day_give_the_2019_picture(shared: Scenario) -> None:
    # every event was appended in 2026; the scores claim 2019-11-01, the correction 2019-11-05
    before = queries.standings(shared.app, MOVEMENT, _effective("2019-11-03"))
    after = queries.standings(shared.app, MOVEMENT, _effective("2019-11-06"))

    assert _p3(before) == (19.0, {"c1": 8.0, "c2": 3.0})
    [p3] = [r for r in before.standings if r.participant == "P3"]
    assert p3.at == at("2019-11-01")  # the correction claiming 2019-11-05 is not in yet
    assert _p3(after) == (21.0, {"c1": 9.0, "c2": 3.0})
    assert (before.as_of.clock, before.as_of.time) == ("effective", at("2019-11-03"))
    # the effective cut reads the whole log: its position is the ledger's end
    assert before.as_of.seq == shared.written.size


def test_before_any_score_was_claimed_nobody_has_points(shared: Scenario) -> None:
    answer = queries.standings(shared.app, MOVEMENT, _effective("2019-06-01"))

    assert {r.participant for r in answer.standings} >= {"P1", "P2", "P3"}
    assert all(not r.criteria and r.total == 0 for r in answer.standings)


def test_the_append_clock_of_the_same_day_sees_an_empty_ledger(shared: Scenario) -> None:
    with pytest.raises(NotFoundError, match="movement 'TD-2019' not found in the first 0"):
        queries.standings(shared.app, MOVEMENT, Cut(as_of=at("2019-11-03")))


def test_before_the_launch_claimed_the_movement_is_not_found(shared: Scenario) -> None:
    with pytest.raises(NotFoundError, match="movement 'TD-2019' not found"):
        queries.standings(shared.app, MOVEMENT, _effective("2019-01-01"))


def test_tally_between_the_votes_and_the_close(shared: Scenario) -> None:
    open_ = queries.tally(shared.app, "S-AW", _effective("2019-12-19", 12))
    closed = queries.tally(shared.app, "S-AW", _effective("2019-12-20", 12))

    assert not open_.session.closed and closed.session.closed
    assert open_.session.ballots == closed.session.ballots == 3
    assert open_.as_of.clock == "effective"


def test_history_shows_only_what_was_claimed_by_then(shared: Scenario) -> None:
    asked = at("2019-11-03")
    answer = queries.history(shared.app, "P3", Cut(effective=asked))
    everything = queries.history(shared.app, "P3")

    assert answer.events and all(row.at is None or row.at <= asked for row in answer.events)
    assert len(answer.events) < len(everything.events)
    assert {r.seq for r in answer.events} <= {r.seq for r in everything.events}


def test_report_before_the_annulment_was_claimed(shared: Scenario) -> None:
    past = movement_report(shared.app, MOVEMENT, _effective("2020-02-01"))
    now = movement_report(shared.app, MOVEMENT)

    assert not any(a.annulled for a in past.awards)
    assert any(a.annulled for a in now.awards)
    assert (past.as_of.clock, past.as_of.time) == ("effective", at("2020-02-01"))
    assert now.as_of.clock == "seq"


def test_an_effective_read_neither_uses_nor_stores_a_copy(scenario: Scenario) -> None:
    runner = Runner(scenario.app)
    runner.read(LEDGER_VIEW)  # leaves a stored copy at the checkpoint
    stored = runner.store.load(LEDGER_VIEW.name)
    assert stored is not None

    folded = Runner(scenario.app).read(LEDGER_VIEW, _effective("2019-11-03"))

    assert not folded.stored
    assert Runner(scenario.app).store.load(LEDGER_VIEW.name) == stored
    assert not Cut(effective=at("2030-01-01")).admits(stored.position)


def test_an_effective_cut_needs_a_zone() -> None:
    with pytest.raises(UsageError, match="--as-of 2019-06-01T00:00:00 has no time zone"):
        Cut(effective=datetime(2019, 6, 1))
    with pytest.raises(UsageError, match=r"--appended-before .* has no time zone"):
        Cut(as_of=datetime(2019, 6, 1))


# the days the world's effective times turn on: before the launch, between the scores and
# their correction, between the votes and the close, after everything
DAYS = [
    ("2019-01-01", 9),
    ("2019-11-03", 9),
    ("2019-12-19", 12),
    ("2019-12-20", 12),
    ("2030-01-01", 9),
]


@pytest.mark.parametrize(("day", "hour"), DAYS)
def test_the_event_index_answers_an_effective_cut_as_the_fold_does(
    shared: Scenario, day: str, hour: int
) -> None:
    """history, tally and standings of an ordinary movement, read on the event index under
    --as-of, equal the fold of the whole log under the same cut (or fail alike)."""
    index = EventIndex(shared.app, whole=True)
    cut = _effective(day, hour)
    reads: list[tuple[Callable[..., Any], Callable[..., Any], str]] = [
        *((queries.history, indexed.history, p[0]) for p in PEOPLE),
        *((queries.tally, indexed.tally, session) for session in ("S-AW", "S-NONE")),
        (queries.standings, indexed.standings, MOVEMENT),
    ]
    for folded_read, indexed_read, key in reads:
        try:
            folded = folded_read(shared.app, key, cut)
        except NotFoundError:
            with pytest.raises(NotFoundError):
                indexed_read(index, key, cut)
            continue
        from_index = indexed_read(index, key, cut)
        assert from_index is not None
        assert from_index == folded, (day, key)
    assert index.problems == []
