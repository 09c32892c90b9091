"""The working-day clock of each step of a proposal's path (issue 15 item 3), as pure rows.

A *step* is one level's hold of the file: received at one time, acted on (endorsed, returned,
resubmitted, decided) at a later one, or still pending. Each step is measured against the
limit of domain/regimes/workdays.toml that fits what the level did:

- a level that returned the file: ``return_incomplete`` (5 working days);
- a level that endorsed it, decided on it, or still holds it: ``appraise_and_submit`` (20);
- the deciding authority, from its decision until it forwards it to the proposing unit:
  ``forward_decision`` (10);
- the proposing unit holding a returned file: no limit (the law sets none).

A step is late when the day it ended (acted on, or `today` while pending) is after its
deadline: the deadline is `domain.workdays.deadline(limit, received day)`, the days taken are
the working days after the received day up to the end day. Days are Vietnam's local dates.
A step outside the years the calendar covers gets no limit and says so (`note`): a clock
never guesses a lunar holiday.

The domain's `Proposal.steps` and the read model's rows (projections/proposals.py) both have
the fields of `StepLike`, so the same function serves the decision checks, reports and
`awards proposal show`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.actor import local_date
from domain.errors import MalformedInputError
from domain.workdays import CALENDAR, Calendar, deadline, working_days_between

RETURN_INCOMPLETE, APPRAISE_AND_SUBMIT = "return_incomplete", "appraise_and_submit"
FORWARD_DECISION = "forward_decision"


class StepLike(Protocol):
    """What the clock reads of a step."""

    @property
    def holder(self) -> str: ...
    @property
    def received(self) -> datetime: ...
    @property
    def acted(self) -> datetime | None: ...
    @property
    def action(self) -> str | None: ...
    @property
    def forwarding(self) -> bool: ...


@dataclass(frozen=True)
class StepClock:
    """One step's clock: who held the file, from when to when, against which limit."""

    holder: str
    received: date
    ended: date | None  # the day it was acted on; None while pending
    action: str | None
    limit_step: str | None  # the workdays.toml step name the limit comes from
    limit: int | None  # working days
    deadline: date | None
    days: int | None  # working days taken (up to `today` while pending)
    late: bool
    note: str = ""


def limit_of(step: StepLike, proposing_unit: str) -> str | None:
    """The name of the limit a step is measured against (None: the proposing unit's)."""
    if step.forwarding:
        return FORWARD_DECISION
    if step.holder == proposing_unit:
        return None
    return RETURN_INCOMPLETE if step.action == "returned" else APPRAISE_AND_SUBMIT


def step_clock(
    step: StepLike, proposing_unit: str, today: date, calendar: Calendar = CALENDAR
) -> StepClock:
    """The clock of one step (see the module docstring)."""
    received = local_date(step.received)
    ended = local_date(step.acted) if step.acted is not None else None
    name = limit_of(step, proposing_unit)
    if name is None:
        return StepClock(step.holder, received, ended, step.action, None, None, None, None, False)
    end = ended if ended is not None else today
    try:
        due = deadline(name, received, calendar)
        days = working_days_between(received, end, calendar)
    except MalformedInputError:
        covered = ", ".join(str(y) for y in sorted(calendar.years))
        return StepClock(
            step.holder, received, ended, step.action, name, calendar.deadlines[name], None,
            None, False, f"the working-day calendar covers {covered} only",
        )  # fmt: skip
    return StepClock(
        step.holder, received, ended, step.action, name, calendar.deadlines[name], due, days,
        end > due,
    )  # fmt: skip


def path_clock(
    steps: Sequence[StepLike], proposing_unit: str, today: date, calendar: Calendar = CALENDAR
) -> list[StepClock]:
    """The clock of every step of one proposal, in order."""
    return [step_clock(s, proposing_unit, today, calendar) for s in steps]
