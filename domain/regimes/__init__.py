"""The regime files shipped with the package, and the regime in force on a date.

The files beside this module (`2003.toml`, `2024.toml`, `2025.toml`) are read once with
importlib.resources: they are read-only data shipped with the code, like a constant, and the
only files the domain reads. Parsing and validation are pure (`domain.regime`).

How the rules use this: `regime_on(decision_date)`; `awards rules` and docs/RULES.md use
`all_regimes()`.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

from domain.regime import Regime, check_coverage, parse_regime

FILES = ("2003.toml", "2024.toml", "2025.toml")


@cache
def all_regimes() -> tuple[Regime, ...]:
    """Every regime, oldest first; they cover every day exactly once (checked on load)."""
    package = resources.files(__name__)
    regimes = tuple(
        parse_regime(package.joinpath(name).read_text(encoding="utf-8"), name) for name in FILES
    )
    check_coverage(regimes)
    return regimes


def regime_on(day: date) -> Regime:
    """The regime in force on `day`."""
    for regime in all_regimes():
        if regime.in_force_on(day):
            return regime
    raise LookupError(f"no regime in force on {day}")  # check_coverage makes this unreachable


def regime_named(regime_id: str) -> Regime | None:
    for regime in all_regimes():
        if regime.id == regime_id:
            return regime
    return None
