"""The pure rule checks behind an award decision, and the annulment cascade.

Each `*_violations` function returns a list of `Violation(rule, subject, message)` and changes
nothing; `decision.decide` raises for the first one (or records them all under an override),
and reports can run the same functions to show their "checks". Rule names:

    competence            rule 5  the authority's competence list holds the award kind
    order                 rule 8  the basis session is closed, and closed on or before the date
    review                rule 3  each recipient passed the basis session (titles need one)
    one_award             rule 7  not the same award twice for one recipient, movement and year
                                  (titles and ratings: not twice in one year in any movement)
    prerequisites         rule 2  see `prerequisite_violations`
    quota                 rule 1  fighters <= share x advanced workers, per unit and year
    conflict_of_interest  rule 6  a self score is never the only score behind an award

Prerequisites (rule 2), with the award year Y = the movement's end year:
- emulation_fighter_base: advanced_worker for Y, and evidence for Y: under the 2003 law a
  recognised initiative; under the 2022 law (Art. 23) a recognised initiative or the rating
  `excellent_completion` (decided and annullable like an award).
- emulation_fighter_ministry: emulation_fighter_base in each of the N years ending with Y
  (N = 3); emulation_fighter_national: emulation_fighter_ministry in the M years ending with Y
  (M = 2); both from the recipient's record across movements.
- excellent_collective: in this movement's register, the unit's persons hold advanced_worker
  for Y at >= 70 % of its headcount (passed in by the application) and >= 1 fighter.

The annulment cascade (rule 9) is in `domain.cascade`.

How the application uses this: through `decision.decide`; reports may call
`decision_violations(DecisionCheck(...))` directly to show their "checks".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import msgspec

from domain.actor import Actor
from domain.movement import Movement
from domain.participation import Participation
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.rulebook import (
    ADVANCED_WORKER,
    EXCELLENT_COLLECTIVE,
    EXCELLENT_COMPLETION,
    FIGHTER_BASE,
    FIGHTER_MINISTRY,
    FIGHTER_NATIONAL,
    Rulebook,
)
from domain.session import ReviewSession

RULES = (
    "competence",
    "order",
    "review",
    "one_award",
    "prerequisites",
    "quota",
    "conflict_of_interest",
    "hold",  # domain/hold.py (law2)
)


class Violation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One broken rule: its name, what it is about, and one sentence saying why."""

    rule: str
    subject: str
    message: str


@dataclass(frozen=True)
class DecisionCheck:
    """Everything the checks of one decision read (aggregates as loaded, before the write)."""

    award: str
    decided_on: date
    movement: Movement
    recipients: Sequence[Recipient]
    authority: Actor
    basis: ReviewSession | None = None
    register: AwardRegister | None = None
    records: Mapping[str, RecipientRecord] = field(default_factory=dict)
    participations: Mapping[str, Participation] = field(default_factory=dict)
    headcounts: Mapping[str, int] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.movement.year


def competence_violations(authority: Actor, award: str) -> list[Violation]:
    if award in authority.competence:
        return []
    held = ", ".join(sorted(authority.competence)) or "none"
    return [
        Violation(
            "competence",
            authority.name,
            f"authority {authority.name!r} may not decide {award} (competence: {held})",
        )
    ]


def basis_violations(check: DecisionCheck) -> list[Violation]:
    """Rules 8 (order) and 3 (review) against the basis session."""
    basis, award = check.basis, check.award
    if basis is None:
        category = check.movement.rulebook.award_category(award)
        if category in ("person_title", "collective_title"):
            return [Violation("review", award, f"{award} is a title and needs a basis session")]
        return []
    sid, out = basis.session_id, list[Violation]()
    if basis.movement != check.movement.movement_id or basis.title != award:
        out.append(
            Violation(
                "review",
                sid,
                f"basis session {sid} reviewed {basis.title} in movement {basis.movement}, "
                f"not {award} in {check.movement.movement_id}",
            )
        )
    closed_on = basis.closed_on
    if closed_on is None:
        out.append(Violation("order", sid, f"basis session {sid} is not closed"))
    elif check.decided_on < closed_on:
        out.append(
            Violation(
                "order",
                sid,
                f"decision dated {check.decided_on} is before its basis session {sid} "
                f"closed on {closed_on}",
            )
        )
    results = basis.results()
    by_nominee = {r.nominee: r for r in results.results}
    for recipient in check.recipients:
        result = by_nominee.get(recipient.id)
        if result is None:
            message = f"recipient {recipient.id!r} was not a nominee of session {sid}"
        elif not result.passed:
            message = (
                f"recipient {recipient.id!r} did not pass session {sid}: {result.yes} yes of "
                f"{results.members} members, needs {basis.threshold}"
            )
            if not results.quorum_met:
                message += f", and {results.taking_part} took part, short of the quorum"
        else:
            continue
        out.append(Violation("review", recipient.id, message))
    return out


def one_award_violations(check: DecisionCheck) -> list[Violation]:
    """Rule 7 in this movement's register; for titles and ratings also across movements."""
    out = []
    yearly = check.movement.rulebook.award_category(check.award) != "form"
    for recipient in check.recipients:
        record = check.records.get(recipient.id)
        earlier = check.register and check.register.holder_of(recipient.id, check.award, check.year)
        held = record.holds(check.award, check.year) if record and yearly else None
        if earlier:
            where = f"decision {earlier}"
        elif held is not None:
            where = f"decision {held.decision} (movement {held.movement})"
        else:
            continue
        out.append(
            Violation(
                "one_award",
                recipient.id,
                f"recipient {recipient.id!r} already holds {check.award} for {check.year} "
                f"by {where}",
            )
        )
    return out


def prerequisite_violations(
    award: str,
    year: int,
    recipient: Recipient,
    record: RecipientRecord | None,
    rulebook: Rulebook,
    regime: str,
    register: AwardRegister | None = None,
    headcount: int | None = None,
) -> list[Violation]:
    """Rule 2 for one recipient (see the module docstring)."""
    rid = recipient.id

    def held(kind: str, in_year: int) -> bool:
        return record is not None and record.holds(kind, in_year) is not None

    def lacks(message: str) -> list[Violation]:
        return [Violation("prerequisites", rid, f"recipient {rid!r} {message}")]

    if award == FIGHTER_BASE:
        if not held(ADVANCED_WORKER, year):
            return lacks(f"lacks {ADVANCED_WORKER} for {year}, which {award} needs")
        initiative = record is not None and record.has_initiative(year)
        if regime == "2003" and not initiative:
            return lacks(f"has no recognised initiative for {year} (2003 law)")
        if regime == "2022" and not (initiative or held(EXCELLENT_COMPLETION, year)):
            return lacks(f"has no recognised initiative or {EXCELLENT_COMPLETION} for {year}")
    chains = {
        FIGHTER_MINISTRY: (FIGHTER_BASE, rulebook.ministry_consecutive_base),
        FIGHTER_NATIONAL: (FIGHTER_MINISTRY, rulebook.national_consecutive_ministry),
    }
    if award in chains:
        needed, count = chains[award]
        for in_year in range(year - count + 1, year + 1):
            if not held(needed, in_year):
                return lacks(
                    f"lacks {needed} for {in_year} ({award} needs {count} consecutive years "
                    f"{year - count + 1}-{year})"
                )
    if award == EXCELLENT_COLLECTIVE:
        advanced = register.count(ADVANCED_WORKER, rid, year) if register else 0
        fighters = register.count(FIGHTER_BASE, rid, year) if register else 0
        share = rulebook.excellent_collective_share
        if not headcount:
            return lacks(f"has no recorded members to measure {ADVANCED_WORKER} against")
        if not share.at_least(advanced, headcount):
            return lacks(
                f"has {advanced} {ADVANCED_WORKER} of {headcount} members in {year}, below {share}"
            )
        if fighters < rulebook.excellent_collective_min_fighters:
            return lacks(
                f"has {fighters} {FIGHTER_BASE} in {year}, needs "
                f"{rulebook.excellent_collective_min_fighters}"
            )
    return []


def quota_violations(check: DecisionCheck) -> list[Violation]:
    """Rule 1: fighters (counting this decision) <= share x advanced workers, per unit."""
    if check.award != FIGHTER_BASE:
        return []
    share, out = check.movement.rulebook.fighter_quota, []
    units = sorted({r.unit for r in check.recipients if r.kind == "person"})
    for unit in units:
        new = sum(1 for r in check.recipients if r.kind == "person" and r.unit == unit)
        fighters = new + (
            check.register.count(FIGHTER_BASE, unit, check.year) if check.register else 0
        )
        advanced = check.register.count(ADVANCED_WORKER, unit, check.year) if check.register else 0
        if fighters * share.den > share.num * advanced:
            out.append(
                Violation(
                    "quota",
                    unit,
                    f"unit {unit!r} would have {fighters} {FIGHTER_BASE} for {advanced} "
                    f"{ADVANCED_WORKER} in {check.year}, above the quota {share}",
                )
            )
    return out


def self_score_violations(check: DecisionCheck) -> list[Violation]:
    """Rule 6: a recipient whose only scores are self scores."""
    out = []
    for recipient in check.recipients:
        participation = check.participations.get(recipient.id)
        if participation is None or participation.movement != check.movement.movement_id:
            continue
        if participation.only_self_scored:
            out.append(
                Violation(
                    "conflict_of_interest",
                    recipient.id,
                    f"recipient {recipient.id!r} has only self scores in movement "
                    f"{participation.movement}",
                )
            )
    return out


def decision_violations(check: DecisionCheck) -> list[Violation]:
    """Every violation of one decision, in the order of `RULES`."""
    rulebook = check.movement.rulebook
    regime = rulebook.regime_for(check.decided_on)
    prerequisites = [
        v
        for r in check.recipients
        for v in prerequisite_violations(
            check.award,
            check.year,
            r,
            check.records.get(r.id),
            rulebook,
            regime,
            check.register,
            check.headcounts.get(r.id),
        )
    ]
    found = [
        *competence_violations(check.authority, check.award),
        *basis_violations(check),
        *one_award_violations(check),
        *prerequisites,
        *quota_violations(check),
        *self_score_violations(check),
    ]
    return sorted(found, key=lambda v: RULES.index(v.rule))
