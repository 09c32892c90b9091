"""Reads on the event index (projections/indexed.py) give what a fold of the whole log gives,
reading only the events they show; did-you-mean finds ids as people mistype them."""

from __future__ import annotations

import pytest

from domain.errors import NotFoundError
from ledger.event_keys import keys_of
from ledger.event_reads import EventIndex
from projections import indexed, queries
from projections.log import LogRow, log_view
from projections.stream import Cut
from tests.projections.builder import MOVEMENT, PEOPLE, UNITS
from tests.projections.conftest import Scenario

PARTICIPANTS = [p[0] for p in PEOPLE] + [u[0] for u in UNITS]


@pytest.mark.parametrize("participant", PARTICIPANTS)
def test_history_from_the_index_is_the_fold_of_the_whole_log(
    shared: Scenario, participant: str
) -> None:
    index = EventIndex(shared.app)
    size = shared.written.size
    for cut in (Cut(), Cut(at_seq=shared.written.checkpoint_size), Cut(at_seq=size // 2)):
        try:
            folded = queries.history(shared.app, participant, cut)
        except NotFoundError:
            with pytest.raises(NotFoundError):
                indexed.history(index, participant, cut)
            continue
        assert indexed.history(index, participant, cut) == folded
    assert index.problems == []


def test_history_reads_only_the_events_it_shows(shared: Scenario, rows_read: list[int]) -> None:
    index = EventIndex(shared.app)
    rows_read.append(0)
    answer = indexed.history(index, "P4", Cut())
    assert answer is not None and answer.events
    assert rows_read[0] < shared.written.size // 3


@pytest.mark.parametrize(
    ("kind", "key"),
    [("type", "Decision.Recorded"), ("signer", "bt"), ("movement", MOVEMENT)],
)
def test_a_filtered_log_is_the_log_filtered(
    shared: Scenario, kind: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rows(start: int = 0, limit: int | None = None) -> list[LogRow]:
        pages = indexed.filtered_pages(EventIndex(shared.app), [(kind, key)], start, limit)
        return [row for page in pages for row in page]

    every = log_view(shared.app)
    entries = {e.seq: e for e in shared.app.entries()}
    want = [r for r in every if (kind, key) in keys_of(entries[r.seq].state)]
    assert rows() == want and len(want) > 3
    monkeypatch.setattr(indexed, "FILTERED_PAGE", 2)  # pages of two, limits across their edges
    assert rows() == want
    assert rows(want[1].seq, 3) == want[1:4]
    assert rows(want[-1].seq + 1) == []


def test_list_sessions_of_a_movement(shared: Scenario) -> None:
    index = EventIndex(shared.app)
    listed = indexed.listing(index, "sessions", MOVEMENT)
    assert sorted(row.fields["session_id"] for row in listed) == ["S-AW", "S-CSTD", "S-TT"]
    decisions = indexed.listing(index, "decisions", None)
    assert "01/QĐ-VPQH" in [row.fields["number"] for row in decisions]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("01/QD-VPQH", "01/QĐ-VPQH"),
        ("01/qđ-vpqh", "01/QĐ-VPQH"),
        ("01/QĐ-VPQH".replace("Đ", "D\u0323"), "01/QĐ-VPQH"),  # a stray combining mark
        ("td-2019", MOVEMENT),
    ],
)
def test_did_you_mean_forgives_case_accents_and_d_for_dj(typed: str, meant: str) -> None:
    known = ["01/QĐ-VPQH", "02/QĐ-VPQH", MOVEMENT]
    assert indexed.did_you_mean(typed, known) == f"; did you mean {meant!r}?"
    assert indexed.did_you_mean("XYZ-NOTHING", known) == ""
