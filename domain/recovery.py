"""Recovery after an annulment (thu hồi, Law 2022 Art. 93(2)): what is due and what is left.

An annulment records what is to be recovered from the recipient (`RecoveryDue`, signed into
`Decision.RecipientAnnulled.recoveries`): the certificate or medal (item `certificate`:
the Bằng, Giấy khen, Huân chương or Cờ that came with the award) and the bonus money (item
`money`), its amount computed from `domain.bonus` at the decision's date (None when the data
holds no figure: the amount is then stated when the recovery is recorded). Each recovery is a
later signed `Decision.RecoveryRecorded`; money may come back in parts. `outstanding` is the
one computation of what is still due, used at append time and by the reports alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import msgspec

from domain.bonus import bonus_for, format_vnd

ITEMS = ("certificate", "money")
CERTIFICATE, MONEY = ITEMS


class RecoveryDue(msgspec.Struct, frozen=True, kw_only=True):
    """One thing an annulment says is to be recovered (money: with its amount and basis)."""

    item: str
    amount: int | None = None  # VND, money only; None: no figure in the data
    multiple: str | None = None  # of the base salary, as in the data ("4.5")
    base_salary: int | None = None  # VND, in force on the decision's date
    citation: str | None = None  # the bonus article and the base salary's decree


class Recovered(msgspec.Struct, frozen=True):
    """One recorded recovery: the item and, for money, the amount."""

    item: str
    amount: int | None


class Outstanding(msgspec.Struct, frozen=True, kw_only=True):
    """What is left of one due item: `remaining` None means an amount not yet known."""

    item: str
    due: int | None
    recovered: int
    done: bool

    @property
    def remaining(self) -> int | None:
        return None if self.due is None else self.due - self.recovered


def recoveries_due(award: str, recipient_kind: str, decided_on: date) -> list[RecoveryDue]:
    """What an annulment of `award` decided on `decided_on` records as to be recovered."""
    bonus = bonus_for(award, recipient_kind, decided_on)
    if bonus is None:
        money = RecoveryDue(item=MONEY)
    else:
        money = RecoveryDue(
            item=MONEY,
            amount=bonus.amount,
            multiple=bonus.multiple,
            base_salary=bonus.base_salary,
            citation=bonus.citation,
        )
    return [RecoveryDue(item=CERTIFICATE), money]


def outstanding(due: Sequence[RecoveryDue], recovered: Sequence[Recovered]) -> list[Outstanding]:
    """For each due item, what was recovered and whether it is done (certificate: once;
    money: its amount reached, or, with no known amount, any recorded recovery)."""
    rows = []
    for item in due:
        mine = [r for r in recovered if r.item == item.item]
        total = sum(r.amount or 0 for r in mine)
        if item.item == MONEY and item.amount is not None:
            done = total >= item.amount
        else:
            done = bool(mine)
        rows.append(Outstanding(item=item.item, due=item.amount, recovered=total, done=done))
    return rows


def due_text(due: RecoveryDue) -> str:
    """One due item for people: "certificate", "money 10,530,000 VND (4.5 × 2,340,000 VND; …)"."""
    if due.item != MONEY:
        return due.item
    if due.amount is None:
        return "money (amount not in the bonus data)"
    return (
        f"money {format_vnd(due.amount)} ({due.multiple} × {format_vnd(due.base_salary or 0)}; "
        f"{due.citation})"
    )


def outstanding_text(row: Outstanding) -> str:
    """What is left of one item for people: "certificate", "money 347,000 VND"."""
    if row.item != MONEY:
        return row.item
    if row.remaining is None:
        return "money (amount not in the bonus data)"
    return f"money {format_vnd(row.remaining)}"


__all__ = [
    "ITEMS",
    "Outstanding",
    "Recovered",
    "RecoveryDue",
    "due_text",
    "outstanding",
    "outstanding_text",
    "recoveries_due",
]
