"""Property: replaying any accepted history rebuilds an equal aggregate; refusals record nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.actor import Actor
from domain.decision import annul, decide
from domain.errors import AwardLedgerError
from domain.participation import Participation
from domain.register import AwardRegister, RecipientRecord
from domain.session import ReviewSession
from domain.tally import TallyLine
from tests.domain.scenario import AUTHORITY, COUNTER, SCORER, at, member, movement, person
from tests.gwt import replay

M = movement()
NOMINEES = ["P1", "P2", "U1"]
T = at("2019-12-20")


def attempt(aggregates: list[Any], command: Callable[[], object]) -> None:
    """Run a command; if it is refused, no aggregate has a new pending event."""
    before = [len(a.pending_events) for a in aggregates]
    try:
        command()
    except AwardLedgerError:
        assert [len(a.pending_events) for a in aggregates] == before


def assert_replays(*aggregates: Any) -> None:
    for aggregate in aggregates:
        assert replay(*aggregate.collect_events()) == aggregate


session_steps = st.lists(
    st.tuples(
        st.sampled_from(["vote", "ballot", "tally", "close"]),
        st.integers(0, 6),  # member index (6 may be outside the roster)
        st.lists(st.sampled_from([*NOMINEES, "P9"]), max_size=3),
        st.lists(st.sampled_from(NOMINEES), max_size=2),
        st.sampled_from([None, "P1", "U1"]),  # the member's own person / unit
        st.integers(0, 6),  # yes count for the tally
    ),
    max_size=14,
)


def session_command(
    s: ReviewSession, action: str, voter: Actor, yes: list[str], no: list[str], tally_yes: int
) -> Callable[[], object]:
    cast = len(s.ballots)
    counts = (min(tally_yes, cast), cast - min(tally_yes, cast))
    commands: dict[str, Callable[[], object]] = {
        "vote": lambda: s.cast_vote(voter, yes, no, at=T),
        "ballot": lambda: s.cast_ballot(voter, at=T),
        "tally": lambda: s.certify_tally(COUNTER, [TallyLine(n, *counts) for n in NOMINEES], at=T),
        "close": lambda: s.close(at=T),
    }
    return commands[action]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["open", "secret"]), st.integers(1, 6), session_steps)
def test_replay_rebuilds_any_accepted_session(mode: str, size: int, steps: list[Any]) -> None:
    s = ReviewSession.open(
        "S-1",
        M,
        "advanced_worker",
        NOMINEES,
        [f"m{i}" for i in range(size)],
        at=T,
        registered=NOMINEES,
        mode=mode,
    )
    for action, index, yes, no, own, tally_yes in steps:
        voter = member(
            f"m{index}", person=own if own == "P1" else None, unit=own if own == "U1" else None
        )
        attempt([s], session_command(s, action, voter, yes, no, tally_yes))
    results = s.results()
    assert all(r.yes + r.no <= results.taking_part for r in results.results)
    assert_replays(s)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "c9"]),
            st.floats(-1, 12, allow_nan=False),
            st.sampled_from(["self", "appraisal"]),
            st.sampled_from([None, "sửa sai"]),
        ),
        max_size=12,
    )
)
def test_replay_rebuilds_any_accepted_participation(steps: list[Any]) -> None:
    p = Participation.register(M, "P1", "person", ["advanced_worker"], at=at("2019-02-01"))
    for criterion, points, kind, reason in steps:
        attempt(
            [p], partial(p.score, M, criterion, points, kind, scorer=SCORER, at=T, reason=reason)
        )
    assert_replays(p)


decision_steps = st.lists(
    st.tuples(
        st.sampled_from(["decide", "annul"]),
        st.sampled_from(["advanced_worker", "emulation_fighter_base", "certificate_of_merit"]),
        st.lists(st.sampled_from(["P1", "P2", "P3"]), min_size=1, max_size=2, unique=True),
        st.booleans(),  # override
    ),
    max_size=10,
)


@settings(max_examples=40, deadline=None)
@given(decision_steps)
def test_replay_rebuilds_registers_records_and_decisions(steps: list[Any]) -> None:
    register: AwardRegister | None = None
    records: dict[str, RecipientRecord] = {}
    decisions = []
    for number, (action, award, recipients, override) in enumerate(steps):
        if action == "decide":
            try:
                writes = decide(
                    f"{number}/QĐ",
                    movement=M,
                    award=award,
                    recipients=[person(r) for r in recipients],
                    authority=AUTHORITY,
                    decided_on=date(2019, 12, 28),
                    at=T,
                    register=register,
                    records=records,
                    override_reason="ý kiến" if override else None,
                )
            except AwardLedgerError:
                continue
            register = writes.register
            records.update({r.recipient: r for r in writes.records})
            decisions.append(writes.decision)
        elif decisions and register is not None:
            decision = decisions[number % len(decisions)]
            target = decision.recipients[0].id
            touched: list[Any] = [decision, register, records[target]]
            why = ("standard_not_met", "kiểm tra lại", AUTHORITY)
            attempt(
                touched, partial(annul, decision, register, records[target], target, *why, at=T)
            )
    assert_replays(*decisions, *records.values(), *([register] if register else []))
