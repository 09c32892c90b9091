"""Vietnamese working days: which days count on the proposal path's clocks, and its limits.

The calendar is data shipped in the package (`domain/regimes/workdays.toml`): per year, the days
off for civil servants (public holidays of the Labour Code 2019 Điều 112 — Tết by the lunar
calendar — their compensatory days and swapped weekdays) and the weekend days worked in
exchange. A day of a year the file does not cover is refused (MalformedInputError): a clock
never guesses a lunar holiday. The step limits (QĐ 311/QĐ-BNV 2025) are in the same file.
Pure: no clock, no I/O beyond reading the packaged file once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

from domain.errors import MalformedInputError

STEPS = ("return_incomplete", "appraise_and_submit", "forward_decision")


@dataclass(frozen=True)
class Year:
    """One year's days off and swapped working days, with the notice that fixes them."""

    citation: str
    days_off: frozenset[date]
    workdays: frozenset[date]
    note: str = ""


@dataclass(frozen=True)
class Calendar:
    """The years the calendar covers, and the step limits in working days."""

    years: dict[int, Year]
    deadlines: dict[str, int]
    deadlines_citation: str


def _dates(where: str, raw: Any) -> frozenset[date]:
    if not isinstance(raw, list) or not all(type(d) is date for d in raw):
        raise MalformedInputError(f"working-day calendar: {where} must be a list of dates")
    return frozenset(raw)


def _keys(where: str, table: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise MalformedInputError(f"working-day calendar: {where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise MalformedInputError(f"working-day calendar: {where}: unknown keys {unknown}")
    return table


def parse_calendar(text: str) -> Calendar:
    """The calendar of one TOML text; any unknown key, missing limit or stray date is refused."""
    try:
        data = _keys("file", tomllib.loads(text), {"citation", "deadlines", "years"})
    except tomllib.TOMLDecodeError as exc:
        raise MalformedInputError(f"working-day calendar: {exc}") from exc
    limits = _keys("[deadlines]", data.get("deadlines"), {"citation", *STEPS})
    if set(STEPS) - set(limits) or not all(type(limits[s]) is int and limits[s] > 0 for s in STEPS):
        raise MalformedInputError(
            f"working-day calendar: [deadlines] needs positive whole {', '.join(STEPS)}"
        )
    years: dict[int, Year] = {}
    for key, raw in _keys("[years]", data.get("years"), set(data.get("years") or {})).items():
        table = _keys(f"year {key}", raw, {"citation", "note", "days_off", "workdays"})
        if not str(key).isdigit() or not table.get("citation"):
            raise MalformedInputError(f"working-day calendar: year {key} needs a citation")
        year = int(key)
        off = _dates(f"year {key} days_off", table.get("days_off"))
        worked = _dates(f"year {key} workdays", table.get("workdays", []))
        stray = sorted(d for d in off | worked if d.year != year)
        if stray or any(d.weekday() < 5 for d in worked) or off & worked:
            raise MalformedInputError(
                f"working-day calendar: year {key}: days must fall in the year, workdays on a "
                "weekend, and no day both off and worked"
            )
        years[year] = Year(str(table["citation"]), off, worked, str(table.get("note", "")))
    return Calendar(years, {s: int(limits[s]) for s in STEPS}, str(limits.get("citation", "")))


CALENDAR = parse_calendar(
    resources.files("domain").joinpath("regimes", "workdays.toml").read_text(encoding="utf-8")
)


def _year(d: date, calendar: Calendar) -> Year:
    year = calendar.years.get(d.year)
    if year is None:
        covered = ", ".join(str(y) for y in sorted(calendar.years))
        raise MalformedInputError(
            f"working-day calendar: {d.isoformat()} is outside the years it covers ({covered})"
        )
    return year


def is_working_day(d: date, calendar: Calendar = CALENDAR) -> bool:
    """True on a weekday that is not a day off, and on a weekend day worked in exchange."""
    year = _year(d, calendar)
    if d in year.workdays:
        return True
    return d.weekday() < 5 and d not in year.days_off


def add_working_days(d: date, n: int, calendar: Calendar = CALENDAR) -> date:
    """The day on which `n` working days after `d` end (`d` itself not counted); n >= 0.

    With n == 0, `d` itself. A step received on day `d` with a limit of n days is late after
    add_working_days(d, n).
    """
    if n < 0:
        raise ValueError("add_working_days counts forward: n must be >= 0")
    day = d
    while n:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            n -= 1
    return day


def working_days_between(a: date, b: date, calendar: Calendar = CALENDAR) -> int:
    """Working days after `a` up to and including `b` (0 when b <= a): the days a step took."""
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)
    return count


def deadline(step: str, received: date, calendar: Calendar = CALENDAR) -> date:
    """The last day for `step` (a name of STEPS) on a file received on `received`."""
    if step not in calendar.deadlines:
        raise MalformedInputError(f"unknown proposal step {step!r}; known: {', '.join(STEPS)}")
    return add_working_days(received, calendar.deadlines[step], calendar)
