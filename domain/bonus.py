"""Bonus money (tiền thưởng) of an award, as data: a multiple of the base salary on a date.

The figures live in `domain/regimes/bonus.toml` (shipped with the package, read once with
importlib.resources like the regime files): the base salary (mức lương cơ sở) by the day it
took effect, and per regime the multiple for each award kind and recipient kind, each with its
citation and whether a published source confirmed it (`verified`). The amount of an award is
the multiple times the base salary in force on the decision's date, rounded up as the regime
says (Decree 98/2023 and after: to the ten thousand dong).

How the domain uses this: `bonus_for(award, recipient_kind, decided_on)` gives a `Bonus` or
None (no figure held); an annulment records the money to recover from it (`domain.recovery`),
the award register shows it per award.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import ROUND_CEILING, Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import msgspec

from domain.errors import MalformedInputError
from domain.regimes import regime_on

RECIPIENT_KINDS = ("person", "unit")


class BaseSalary(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename={"start": "from"}):
    """The base salary in VND from `start` (until the next row's start)."""

    start: date
    vnd: int
    citation: str
    verified: bool
    source: str | None = None


class KindBonus(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One award kind's multiples of the base salary (None: no figure for that recipient)."""

    verified: list[str]
    person: float | None = None
    unit: float | None = None
    citation: str | None = None
    source: str | None = None


class RegimeBonus(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A regime's bonus article: its citation, rounding and kinds."""

    citation: str
    round_up_to: int
    kinds: dict[str, KindBonus]
    note: str | None = None


class BonusTable(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    base_salary: list[BaseSalary]
    regime: dict[str, RegimeBonus]


class Bonus(msgspec.Struct, frozen=True, kw_only=True):
    """The bonus money of one award: amount = multiple × base salary, rounded up."""

    amount: int
    multiple: str  # as written in the data ("4.5")
    base_salary: int
    citation: str  # the bonus article, then the base salary's decree
    verified: bool  # both the multiple and the base salary were confirmed by a source


def parse_bonus_table(text: str, source: str = "bonus.toml") -> BonusTable:
    """The strict parse of the bonus file; MalformedInputError names what is wrong."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
        table = msgspec.convert(raw, BonusTable)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise MalformedInputError(f"{source}: {exc}") from exc
    starts = [row.start for row in table.base_salary]
    if not starts or starts != sorted(set(starts)) or any(r.vnd <= 0 for r in table.base_salary):
        raise MalformedInputError(
            f"{source}: base_salary rows must have rising dates and amounts > 0"
        )
    for regime_id, regime in table.regime.items():
        if regime.round_up_to <= 0:
            raise MalformedInputError(f"{source}: regime {regime_id}: round_up_to must be > 0")
        for kind, entry in regime.kinds.items():
            given = [k for k in RECIPIENT_KINDS if getattr(entry, k) is not None]
            where = f"{source}: regime {regime_id}, kind {kind}"
            if not given or any(getattr(entry, k) <= 0 for k in given):
                raise MalformedInputError(f"{where}: give a multiple > 0 for person or unit")
            if not set(entry.verified) <= set(given):
                raise MalformedInputError(
                    f"{where}: verified names a recipient kind without a figure"
                )
    return table


@cache
def bonus_table() -> BonusTable:
    """The shipped table (read once)."""
    text = resources.files("domain").joinpath("regimes", "bonus.toml").read_text(encoding="utf-8")
    return parse_bonus_table(text)


def base_salary_on(day: date, table: BonusTable | None = None) -> BaseSalary | None:
    """The base salary in force on `day` (None before the first row the table holds)."""
    found = None
    for row in (table or bonus_table()).base_salary:
        if row.start <= day:
            found = row
    return found


def bonus_for(
    award: str, recipient_kind: str, decided_on: date, table: BonusTable | None = None
) -> Bonus | None:
    """The bonus of `award` to a `recipient_kind` decided on `decided_on`, or None when the
    table holds no multiple for it (or no base salary for that day)."""
    if table is None:  # the shipped table: the same few answers for every award of a report
        return _shipped_bonus(award, recipient_kind, decided_on)
    return _bonus(award, recipient_kind, decided_on, table)


@lru_cache(maxsize=4096)
def _shipped_bonus(award: str, recipient_kind: str, decided_on: date) -> Bonus | None:
    return _bonus(award, recipient_kind, decided_on, bonus_table())


def _bonus(award: str, recipient_kind: str, decided_on: date, table: BonusTable) -> Bonus | None:
    regime = table.regime.get(regime_on(decided_on).id)
    entry = regime.kinds.get(award) if regime is not None else None
    multiple = getattr(entry, recipient_kind, None) if entry is not None else None
    salary = base_salary_on(decided_on, table)
    if regime is None or entry is None or multiple is None or salary is None:
        return None
    text = _decimal_text(multiple)
    step = Decimal(regime.round_up_to)
    exact = Decimal(text) * salary.vnd
    amount = int((exact / step).to_integral_value(rounding=ROUND_CEILING) * step)
    return Bonus(
        amount=amount,
        multiple=text,
        base_salary=salary.vnd,
        citation=f"{entry.citation or regime.citation}; {salary.citation}",
        verified=recipient_kind in entry.verified and salary.verified,
    )


def _decimal_text(value: float) -> str:
    """A multiple as written: 4.5 → "4.5", 1.0 → "1"."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def format_vnd(amount: int) -> str:
    """An amount for people: "2,340,000 VND"."""
    return f"{amount:,} VND"


__all__ = ["Bonus", "BonusTable", "base_salary_on", "bonus_for", "bonus_table", "format_vnd"]
