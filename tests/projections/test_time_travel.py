"""Time travel: standings, tallies, history and reports exactly as the ledger stood at a seq or
an append time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.errors import NotFoundError, UsageError
from projections import queries
from projections.report import movement_report
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario


def _time_of(scenario: Scenario, seq: int) -> Cut:
    """The cut at the append time of event `seq` (it and everything before it)."""
    state = Runner(scenario.app, persist=False).read(LEDGER_VIEW, Cut(at_seq=seq + 1))
    assert state.position.time is not None
    return Cut(as_of=state.position.time)


def test_standings_before_a_correction_show_the_old_points(shared: Scenario) -> None:
    seqs = shared.written.seqs

    before = queries.standings(shared.app, MOVEMENT, Cut(at_seq=seqs["correction:P3"]))
    after = queries.standings(shared.app, MOVEMENT, Cut(at_seq=seqs["correction:P3"] + 1))

    def p3(answer: queries.StandingsAnswer) -> tuple[float, dict[str, float]]:
        [row] = [r for r in answer.standings if r.participant == "P3"]
        return row.total, row.criteria

    assert p3(before) == (19.0, {"c1": 8.0, "c2": 3.0})
    assert p3(after) == (21.0, {"c1": 9.0, "c2": 3.0})
    assert before.as_of.seq == seqs["correction:P3"]


def test_as_of_an_append_time_equals_the_seq_cut(shared: Scenario) -> None:
    seq = shared.written.seqs["vote:S-AW:uv1"]

    by_time = queries.tally(shared.app, "S-AW", _time_of(shared, seq))
    by_seq = queries.tally(shared.app, "S-AW", Cut(at_seq=seq + 1))

    assert by_time.session == by_seq.session
    assert by_time.as_of.seq == by_seq.as_of.seq == seq + 1
    assert [(r.nominee, r.yes, r.no) for r in by_seq.session.results] == [
        ("P1", 2, 0),
        ("P2", 2, 0),
        ("P3", 1, 1),
    ]
    assert not by_seq.session.closed


def test_report_before_the_annulment_counts_the_award(shared: Scenario) -> None:
    seq = shared.written.seqs["annul:P1"]

    past = movement_report(shared.app, MOVEMENT, Cut(at_seq=seq))
    now = movement_report(shared.app, MOVEMENT)

    assert not any(a.annulled for a in past.awards)
    assert past.summary.awards["advanced_worker"] == {"person": 3, "unit": 0}
    assert now.summary.awards["advanced_worker"] == {"person": 2, "unit": 0}
    # the checkpoint of size 81 is itself event 81: the one event it cannot cover
    assert past.checkpoint.size == shared.written.checkpoint_size == seq - 1
    assert (past.checkpoint.covers_report, past.checkpoint.uncovered) == (False, 1)
    assert past.checkpoint.later_size is None


def test_report_at_the_checkpoint_is_covered_by_it(shared: Scenario) -> None:
    size = shared.written.checkpoint_size

    report = movement_report(shared.app, MOVEMENT, Cut(at_seq=size))

    assert (report.checkpoint.size, report.checkpoint.covers_report) == (size, True)
    assert report.checkpoint.root == report.as_of.root


def test_history_as_of_a_time_stops_there(shared: Scenario) -> None:
    seq = shared.written.seqs["decide:01/QĐ-VPQH"]

    answer = queries.history(shared.app, "P1", _time_of(shared, seq))

    assert answer.events[-1].seq <= seq
    assert answer.events[-1].type == "Decision.Recorded"
    assert not any("annulled" in row.summary for row in answer.events)


def test_before_the_movement_was_launched_it_is_not_found(shared: Scenario) -> None:
    launch = shared.written.seqs["launch"]

    with pytest.raises(NotFoundError, match=f"movement 'TD-2019' not found in the first {launch}"):
        queries.standings(shared.app, MOVEMENT, Cut(at_seq=launch))


def test_as_of_before_the_first_event_is_an_empty_ledger(shared: Scenario) -> None:
    first = _time_of(shared, 0).as_of
    assert first is not None

    result = Runner(shared.app, persist=False).read(
        LEDGER_VIEW, Cut(as_of=first - timedelta(seconds=1))
    )

    assert result.position.seq == 0 and result.state.catalog.origin is None


def test_at_seq_past_the_end_is_a_usage_error(shared: Scenario) -> None:
    size = shared.written.size

    with pytest.raises(UsageError, match=f"--at-seq {size + 5} is past the end of the ledger"):
        queries.tally(shared.app, "S-AW", Cut(at_seq=size + 5))


def test_a_cut_needs_a_zone_and_a_non_negative_seq() -> None:
    with pytest.raises(UsageError, match="must not be negative"):
        Cut(at_seq=-1)
    with pytest.raises(UsageError, match="has no time zone"):
        Cut(as_of=datetime(2020, 1, 1))
