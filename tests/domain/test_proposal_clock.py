"""The working-day clock of each proposal step (domain/proposal_clock.py), given/when/then:
which limit a step is measured against, days taken, late or not, across Tết 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.actor import Actor
from domain.proposal import Level, Proposal, Step, propose
from domain.proposal_clock import path_clock, step_clock
from domain.register import Recipient
from tests.domain.scenario import at

SECRETARY = Actor("sec-vu", frozenset({"secretary"}), unit="VU")
BO = Actor("sec-bo", frozenset({"secretary"}), unit="BO")


def proposal(day: str) -> Proposal:
    """Given: VU proposed P1 to BO on `day`."""
    return propose(
        "TT-1", movement="M", award="hero_labour", nominees=[Recipient("P1", "person", "VU")],
        proposer=SECRETARY, target=Level("BO"), basis=None, documents=[], at=at(day), holds={},
    )  # fmt: skip


def test_an_endorsement_within_twenty_working_days_across_tet_is_on_time() -> None:
    # given the file reached BO on Friday 6 Feb 2026, a week before Tết (16-20 Feb)
    p = proposal("2026-02-06")
    # when BO endorses it on Friday 13 March: 20 working days (Tết and weekends not counted)
    p.endorse(BO, Level("BAN"), at=at("2026-03-13"), holds={})
    [first, _] = path_clock(p.steps, "VU", today=date(2026, 3, 13))
    # then its deadline is 13 March and it is on time; one day later it would be late
    assert (first.limit_step, first.limit, first.deadline) == (
        "appraise_and_submit", 20, date(2026, 3, 13)
    )  # fmt: skip
    assert (first.days, first.late) == (20, False)
    late = proposal("2026-02-06")
    late.endorse(BO, Level("BAN"), at=at("2026-03-16"), holds={})
    assert (path_clock(late.steps, "VU", date(2026, 3, 16))[0].days, late.steps[0].action) == (
        21, "endorsed"
    )  # fmt: skip
    assert path_clock(late.steps, "VU", date(2026, 3, 16))[0].late


def test_a_return_is_measured_against_five_working_days() -> None:
    # given the file reached BO on Thursday 12 Feb 2026; Tết starts Monday 16 Feb
    p = proposal("2026-02-12")
    # when BO returns it on Tuesday 24 Feb: 13 Feb, 23 Feb, 24 Feb = 3 working days
    p.return_to_unit(BO, "Thiếu Mẫu 05", at=at("2026-02-24"))
    returned, at_unit = path_clock(p.steps, "VU", today=date(2026, 3, 31))
    assert (returned.limit_step, returned.deadline, returned.days, returned.late) == (
        "return_incomplete", date(2026, 2, 26), 3, False
    )  # fmt: skip
    # and the proposing unit's own hold of the returned file has no limit, however long
    assert (at_unit.holder, at_unit.limit, at_unit.late, at_unit.days) == ("VU", None, False, None)


def test_a_pending_step_is_counted_up_to_today_and_late_past_its_deadline() -> None:
    step = Step(holder="BO", received=at("2026-01-05"))
    on_time = step_clock(step, "VU", today=date(2026, 2, 2))  # deadline Mon 2 Feb
    assert (on_time.action, on_time.deadline, on_time.days, on_time.late) == (
        None, date(2026, 2, 2), 20, False
    )  # fmt: skip
    assert step_clock(step, "VU", today=date(2026, 2, 3)).late


def test_a_step_outside_the_calendar_has_no_deadline_and_says_so() -> None:
    step = Step(holder="BO", received=at("2020-02-18"), acted=at("2020-04-01"), action="endorsed")
    clock = step_clock(step, "VU", today=date(2026, 1, 1))
    assert (clock.limit, clock.deadline, clock.days, clock.late) == (20, None, None, False)
    assert clock.note == "the working-day calendar covers 2025, 2026 only"


def test_the_clock_uses_vietnam_dates() -> None:
    # an endorsement at 23:30 UTC on 12 Feb is 06:30 on 13 Feb in Hà Nội: 1 working day
    step = Step(
        holder="BO", received=at("2026-02-12"), acted=datetime(2026, 2, 12, 23, 30, tzinfo=UTC),
        action="endorsed",
    )  # fmt: skip
    assert step_clock(step, "VU", today=date(2026, 2, 13)).days == 1


def test_the_decision_is_forwarded_within_ten_working_days() -> None:
    # given the PM decided on Friday 6 March 2026 (the file reached it on 12 Feb)
    p = proposal("2026-02-02")
    pm = Actor("pm", frozenset({"authority"}), competence=frozenset({"hero_labour"}))
    p.endorse(BO, Level("authority:pm", authority="pm", competence=pm.competence),
              at=at("2026-02-12"), holds={})  # fmt: skip
    p.decided("QĐ-1", pm, at=at("2026-03-06"))
    # then a forwarding step runs from the decision, measured against 10 working days
    *_, forwarding = path_clock(p.steps, "VU", today=date(2026, 3, 20))
    assert (forwarding.holder, forwarding.action, forwarding.limit_step, forwarding.deadline) == (
        "authority:pm", None, "forward_decision", date(2026, 3, 20)
    )  # fmt: skip
    assert not forwarding.late
    # when it is forwarded on Monday 23 March, that step is late (11 working days)
    p.forward(pm, at=at("2026-03-23"))
    *_, forwarded = path_clock(p.steps, "VU", today=date(2026, 12, 1))
    assert (forwarded.action, forwarded.days, forwarded.late) == ("forwarded", 11, True)
