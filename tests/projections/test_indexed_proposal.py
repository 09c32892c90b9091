"""`awards proposal show` from the event index (projections/indexed.py `proposal`) is the path
the ledger view gives, at every cut it answers, reading only the proposal's own events and its
objections'."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotFoundError
from ledger.application import LedgerApp
from ledger.event_reads import EventIndex
from projections import indexed, queries
from projections.stream import Cut
from tests.world import World, at

TODAY = date(2026, 3, 2)


def same_paths(app: LedgerApp, proposal: str, cuts: list[Cut]) -> tuple[int, int]:
    """Assert the index's path equals the view's at each cut it answers (or that both find no
    proposal, with the same words); return how many it answered and where the view found it."""
    index = EventIndex(app)
    answered = found_at = 0
    for cut in cuts:
        try:
            want = queries.proposal(app, proposal, TODAY, cut)
        except NotFoundError as exc:
            try:
                assert indexed.proposal(index, proposal, TODAY, cut) is None
            except NotFoundError as found:
                assert str(found) == str(exc)
            continue
        found_at += 1
        got = indexed.proposal(index, proposal, TODAY, cut)
        if got is not None:
            assert got == want, cut
            answered += 1
    assert index.problems == []
    return answered, found_at


def _cuts(app: LedgerApp) -> list[Cut]:
    size = app.count_through(app.last_notification_id() or 0)
    return [Cut(), *(Cut(at_seq=n) for n in range(size + 1))]


def test_a_path_with_a_return_a_comment_and_an_objection_reads_the_same(proposed: World) -> None:
    cuts = _cuts(proposed.app)
    cuts += [Cut(effective=at(day, 23)) for day in ("2026-02-12", "2026-02-25", "2026-02-26")]
    answered, found = same_paths(proposed.app, "TT-1", cuts)
    assert answered == found > 10
    [objection] = queries.proposal(proposed.app, "TT-1", TODAY).proposal.objections
    assert objection.about == "P8"


def test_the_demo_proposal_decided_on_its_path_reads_the_same(demo_app: LedgerApp) -> None:
    answered, found = same_paths(demo_app, "215-TTr/VPTW", _cuts(demo_app)[::5])
    assert answered == found > 0


def test_a_proposal_reads_only_its_own_events(
    demo_app: LedgerApp, rows_read: list[int]
) -> None:
    index = EventIndex(demo_app)
    rows_read.append(0)
    answer = indexed.proposal(index, "215-TTr/VPTW", TODAY, Cut())
    assert answer is not None and answer.proposal.steps
    assert rows_read[0] < 100


def test_an_append_time_cut_is_left_to_the_fold(demo_app: LedgerApp) -> None:
    index = EventIndex(demo_app)
    late = Cut(as_of=at("2030-01-01"))
    assert indexed.proposal(index, "215-TTr/VPTW", TODAY, late) is None
    with pytest.raises(NotFoundError, match="proposal 'TT-9' not found in the first"):
        indexed.proposal(index, "TT-9", TODAY, Cut())
