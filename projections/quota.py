"""Quota use (rule 1) per unit and year, for the report's summary and compliance checks.

Standing `advanced_worker` and `emulation_fighter_base` awards to persons are counted per unit
and year and judged by the domain's own rule (`domain.law.quota_breaches`) with the quota in
force on the latest fighter decision's date: the rulebook's if it sets one, else the statute's
(none from 2024); a looser rulebook quota is also held against the statute (rule `regime`).
"""

from __future__ import annotations

from datetime import date

import msgspec

from domain.law import QuotaBreach, quota_breaches, quota_in_force
from domain.regimes import regime_on
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
    for row in rows:
        if row.recipient_kind != "person" or row.award not in (ADVANCED_WORKER, FIGHTER_BASE):
            continue
        key = (row.unit, row.year)
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
