"""The annulment cascade (rule 9): which standing awards relied on an annulled one.

An award relies on an annulled title when the title is among its prerequisites (rule 2, see
`domain.rules`) within their window: `advanced_worker` or `excellent_completion` of year Y for
`emulation_fighter_base` of Y; `emulation_fighter_base` of the N years ending with a ministry
title's year; `emulation_fighter_ministry` of the M years ending with a national title's year;
and a person's `advanced_worker` or `emulation_fighter_base` of year Y for the
`excellent_collective` of the person's unit in the same movement and year. It is flagged only
if, without the annulled title, the prerequisites now fail: a fighter title that also had an
initiative survives the annulment of the `excellent_completion` rating.

The rules applied are the regime in force on each dependent award's date, tightened by the
annulled decision's movement's rulebook (windows rarely differ between movements; a report that
needs each movement's own may re-run the checks).

How the application uses this: `decision.annul(..., movement=m)` returns the dependents; a
report calls `dependent_awards(record, held_award, rulebook, register, headcounts)` for each
annulled award it lists, and shows the dependents as flags.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from domain.law import consecutive_in_force
from domain.regimes import regime_on
from domain.register import AwardRegister, HeldAward, Recipient, RecipientRecord
from domain.rulebook import (
    ADVANCED_WORKER,
    EXCELLENT_COLLECTIVE,
    EXCELLENT_COMPLETION,
    FIGHTER_BASE,
    FIGHTER_MINISTRY,
    FIGHTER_NATIONAL,
    Rulebook,
)
from domain.rules import prerequisite_violations


class Dependent(msgspec.Struct, frozen=True):
    """A standing award that relied on an annulled one and no longer has its prerequisites."""

    recipient: str
    award: str
    year: int
    decision: str
    reason: str


_RELIES_ON = {
    FIGHTER_BASE: (ADVANCED_WORKER, EXCELLENT_COMPLETION),
    FIGHTER_MINISTRY: (FIGHTER_BASE,),
    FIGHTER_NATIONAL: (FIGHTER_MINISTRY,),
}


def dependent_awards(
    record: RecipientRecord,
    annulled: HeldAward,
    rulebook: Rulebook,
    register: AwardRegister | None = None,
    headcounts: Mapping[str, int] | None = None,
) -> list[Dependent]:
    """Rule 9: standing awards that relied on `annulled` and now fail their prerequisites.

    Call with the record (and the annulled decision's register) *after* the annulment. Looks
    at the recipient's later titles, and at excellent_collective grants of the person's unit
    in the register; a unit whose headcount is not given is flagged for review.
    """
    me = Recipient(record.recipient, record.recipient_kind, record.recipient)
    out = []
    for held in record.standing():
        regime = regime_on(held.date)
        ministry, national = consecutive_in_force(regime, rulebook)
        windows = {FIGHTER_BASE: 1, FIGHTER_MINISTRY: ministry, FIGHTER_NATIONAL: national}
        relies = annulled.award in _RELIES_ON.get(held.award, ())
        if relies and held.year - windows[held.award] < annulled.year <= held.year:
            for v in prerequisite_violations(
                held.award, held.year, me, record, rulebook, regime, decision=held.decision
            ):
                out.append(Dependent(me.id, held.award, held.year, held.decision, v.message))
    if register is None or annulled.award not in (ADVANCED_WORKER, FIGHTER_BASE):
        return out
    units = {g.recipient.unit for g in register.grants if g.recipient.id == record.recipient}
    for grant in register.standing():
        unit = grant.recipient
        if grant.award != EXCELLENT_COLLECTIVE or grant.year != annulled.year:
            continue
        if unit.id not in units:
            continue
        problems = prerequisite_violations(
            EXCELLENT_COLLECTIVE,
            grant.year,
            unit,
            None,
            rulebook,
            regime_on(annulled.date),
            register,
            (headcounts or {}).get(unit.id),
        )
        for v in problems:
            out.append(Dependent(unit.id, grant.award, grant.year, grant.decision, v.message))
    return out
