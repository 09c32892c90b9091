"""Quota use (rule 1) per unit and year, for the report's summary and compliance checks.

Standing `advanced_worker` and `emulation_fighter_base` awards to persons are counted per unit
and year and judged by the domain's own rule (`domain.law.quota_breaches`) with the quota in
force on the latest fighter decision's date: the rulebook's if it sets one, else the statute's
(none from 2024); a looser rulebook quota is also held against the statute (rule `regime`).
A unit merged into another counts as its successor from the merger's day, as at append time
(`domain.registry.successor_on`; the events still name the old unit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import msgspec

from domain.law import QuotaBreach, quota_breaches, quota_in_force
from domain.regimes import regime_on
from domain.registry import successor_on
from domain.rulebook import ADVANCED_WORKER, FIGHTER_BASE
from projections.awards import AwardRow
from projections.catalog import MovementView
from projections.view import LedgerView

OK, VIOLATION, OVERRIDE = "ok", "violation", "override"  # a check's status


class QuotaUse(msgspec.Struct):
    """Rule 1 for one unit and year: fighters against the advanced workers they are a share of
    (`share` "none" and `limit` -1 where neither the statute nor the rulebook sets a quota;
    `statute` names the statute's ceiling a looser rulebook quota goes beyond)."""

    unit: str
    year: int
    advanced: int
    fighters: int
    limit: int
    share: str
    status: str
    flagged: int = 0
    regime: str | None = None
    on: date | None = None
    statute: str | None = None
    statute_status: str = "ok"


def quota_use(view: LedgerView, movement: MovementView, rows: list[AwardRow]) -> list[QuotaUse]:
    """Standing advanced_worker and emulation_fighter_base awards to persons, per unit and year,
    against the quota in force on the latest fighter decision's date (`domain.rules`)."""
    rulebook = movement.rulebook
    counts: dict[tuple[str, int], list[int]] = {}  # advanced, fighters, flagged fighters
    overridden: dict[tuple[str, int], set[str]] = {}
    latest: dict[tuple[str, int], date] = {}
    rows = [
        r
        for r in rows
        if r.recipient_kind == "person" and r.award in (ADVANCED_WORKER, FIGHTER_BASE)
    ]
    unit_of = _succession(view, rows)
    for row in rows:
        key = (unit_of(row.unit, row.year), row.year)
        if row.award == FIGHTER_BASE:
            overridden.setdefault(key, set()).update(row.overridden_rules)
            latest[key] = max(latest.get(key, row.date), row.date)
        if row.annulled:
            continue
        counted = counts.setdefault(key, [0, 0, 0])
        counted[row.award == FIGHTER_BASE] += 1
        counted[2] += bool(row.flags) and row.award == FIGHTER_BASE
    out = []
    for (unit, year), (advanced, fighters, flagged) in sorted(counts.items()):
        on = latest.get((unit, year), movement.end)
        regime = regime_on(on)
        share, _ = quota_in_force(regime, rulebook)
        breaches = {b.rule: b for b in quota_breaches(fighters, advanced, regime, rulebook)}
        acknowledged = overridden.get((unit, year), set())

        def status(rule: str, breaches: dict[str, QuotaBreach] = breaches) -> str:
            if rule not in breaches:
                return OK
            return OVERRIDE if rule in acknowledged else VIOLATION  # noqa: B023

        limit = -1 if share is None else share.num * advanced // share.den
        statute = breaches["regime"].share if "regime" in breaches else None
        out.append(
            QuotaUse(unit, year, advanced, fighters, limit, str(share) if share else "none",
                     status("quota"), flagged, regime.id, on,
                     str(statute) if statute else None, status("regime"))
        )  # fmt: skip
    return out


def _succession(view: LedgerView, rows: list[AwardRow]) -> Callable[[str, int], str]:
    """The unit a row's unit counts for in a year: its successor (`successor_on`) as of the
    latest fighter decision of that year among the units that share its final successor — the
    day the append-time check of that decision counted them on, so report and append agree
    (with no fighter decision, the latest decision: nothing to breach, only the grouping)."""
    mergers = {
        u.id: (u.merged_into, u.merged_on)
        for u in view.catalog.units.values()
        if u.merged_into is not None and u.merged_on is not None
    }
    if not mergers:
        return lambda unit, year: unit
    any_last: dict[tuple[str, int], date] = {}
    fighter_last: dict[tuple[str, int], date] = {}  # the decisions append time checked
    for row in rows:
        key = (successor_on(row.unit, date.max, mergers), row.year)
        any_last[key] = max(any_last.get(key, row.date), row.date)
        if row.award == FIGHTER_BASE:
            fighter_last[key] = max(fighter_last.get(key, row.date), row.date)
    last = {**any_last, **fighter_last}

    def unit_of(unit: str, year: int) -> str:
        day = last.get((successor_on(unit, date.max, mergers), year), date.min)
        return successor_on(unit, day, mergers)

    return unit_of
