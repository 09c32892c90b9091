"""Working-day clocks on the proposal path, narrated (given / when / then).

The calendar is data (domain/regimes/workdays.toml); these tests pin it to the official
schedules — Tết 2025 off 2025-01-25..2025-02-02, Tết 2026 off 2026-02-14..2026-02-22 — and
compare every covered year with the `holidays` package's Vietnam calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from domain.errors import MalformedInputError
from domain.workdays import (
    CALENDAR,
    add_working_days,
    deadline,
    is_working_day,
    parse_calendar,
    working_days_between,
)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2025, 1, 25), date(2025, 2, 2)), (date(2026, 2, 14), date(2026, 2, 22))],
)
def test_tet_is_nine_days_off_framed_by_working_days(first: date, last: date) -> None:
    # Given the official Tết schedule for civil servants
    # Then every day of it is off, and the days either side are working days
    assert [d for d in days(first, last) if is_working_day(d)] == []
    assert is_working_day(first - timedelta(1))  # the Friday before
    assert is_working_day(last + timedelta(1))  # the Monday after


def test_a_dossier_received_before_tet_is_due_after_it() -> None:
    # Given an incomplete dossier received on Thursday 2026-02-12, two days before Tết
    received = date(2026, 2, 12)
    # When the 5-working-day limit to return it is counted
    due = deadline("return_incomplete", received)
    # Then Friday 13/02 is day 1, Tết (14/02-22/02) counts for nothing, and 26/02 is day 5
    assert due == date(2026, 2, 26)
    assert working_days_between(received, due) == 5
    # And a return on 27/02 took 6 working days: late
    assert working_days_between(received, date(2026, 2, 27)) == 6


def test_swapped_saturday_counts_and_its_weekday_does_not() -> None:
    # Given 2025's swap: Friday 02/05 off, Saturday 26/04 worked instead
    # Then the Saturday is a working day and the Friday is not
    assert is_working_day(date(2025, 4, 26))
    assert not is_working_day(date(2025, 5, 2))
    # And a file received Friday 25/04 is one working day old on Saturday 26/04, and the next
    # working day after Tuesday 29/04 is Monday 05/05 (30/04, 01/05, 02/05 off, then weekend)
    assert working_days_between(date(2025, 4, 25), date(2025, 4, 26)) == 1
    assert add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_holiday_on_a_sunday_is_made_up_on_monday() -> None:
    # Given the Hùng Kings' day 2026 (10/3 lunar) falls on Sunday 26/04
    # Then Monday 27/04 is off in its place
    assert not is_working_day(date(2026, 4, 26))
    assert not is_working_day(date(2026, 4, 27))
    assert is_working_day(date(2026, 4, 28))


def test_step_limits_are_the_decision_311_figures() -> None:
    assert CALENDAR.deadlines == {
        "return_incomplete": 5,
        "appraise_and_submit": 20,
        "forward_decision": 10,
    }
    assert "311/QĐ-BNV" in CALENDAR.deadlines_citation
    # 20 working days from Monday 2025-09-01 (a holiday) end on Tuesday 2025-09-30 (02/09 off too)
    assert deadline("appraise_and_submit", date(2025, 9, 1)) == date(2025, 9, 30)
    # 10 working days across the year boundary: 2025-12-31 -> 2026-01-15 (01/01 off)
    assert deadline("forward_decision", date(2025, 12, 31)) == date(2026, 1, 15)


def test_counting_is_consistent_both_ways() -> None:
    # For every start day in the covered years, counting n forward then measuring gives n back
    for start in days(date(2025, 1, 1), date(2026, 11, 30))[::3]:
        for n in (0, 1, 5, 20):
            end = add_working_days(start, n)
            assert working_days_between(start, end) == n
            assert n == 0 or is_working_day(end)


def test_matches_the_holidays_package_for_every_covered_year() -> None:
    # Given the holidays package's Vietnam calendar (lunar dates computed, swaps as data)
    for year, data in CALENDAR.years.items():
        theirs = holidays.country_holidays("VN", years=year)
        theirs_off = {d for d in theirs if d.weekday() < 5}
        theirs_worked = {d for d in theirs.weekend_workdays if d.year == year}
        # Then our weekday days off and swapped working days are exactly theirs
        assert {d for d in data.days_off if d.weekday() < 5} == theirs_off, year
        assert set(data.workdays) == theirs_worked, year


def test_a_day_outside_the_covered_years_is_refused_not_guessed() -> None:
    with pytest.raises(MalformedInputError, match=r"2027-02-08 is outside the years"):
        is_working_day(date(2027, 2, 8))
    with pytest.raises(MalformedInputError, match="unknown proposal step 'appeal'"):
        deadline("appeal", date(2025, 3, 3))


GOOD = """
[deadlines]
return_incomplete = 5
appraise_and_submit = 20
forward_decision = 10
[years.2025]
citation = "x"
days_off = [2025-01-01]
"""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (GOOD + "extra = 1\n", "unknown keys"),
        (GOOD.replace("forward_decision = 10", ""), "needs positive whole"),
        (GOOD.replace("[2025-01-01]", "[2024-12-31]"), "days must fall in the year"),
        (GOOD + "workdays = [2025-01-02]\n", "workdays on a weekend"),
        (GOOD.replace('citation = "x"', ""), "needs a citation"),
        ("= broken", "working-day calendar"),
    ],
)
def test_a_malformed_calendar_is_refused(text: str, reason: str) -> None:
    assert parse_calendar(GOOD).years[2025].days_off == {date(2025, 1, 1)}
    with pytest.raises(MalformedInputError, match=reason):
        parse_calendar(text)
