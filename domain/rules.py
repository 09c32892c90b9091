"""The pure rule checks behind an award decision, and the annulment cascade.

Each `*_violations` function returns a list of `Violation(rule, subject, message)` and changes
nothing; `decision.decide` raises naming every one (or records them all under per-rule
overrides), and reports can run the same functions to show their "checks". Every
decision is judged by the regime in force on its date (`domain.regimes`, data files with the
legal citation of each rule), tightened by the movement's rulebook (`domain.law`). Rule names:

    regime                a decision the rulebook allows but the statute in force forbids: a
                          quota above the statute's ceiling, a session passed below the
                          statute's threshold or quorum or voted openly where a secret ballot
                          is required (the detail names the statute; the citation is its rule's)
    competence            rule 5  the authority's competence list holds the award kind, the
                                  decision's date lies in its registered competence period, and
                                  the regime's matrix allows it for the level of its unit
                                  (commune chairs from 2025-07-01; district level abolished)
    order                 rule 8  the basis session is closed, and closed on or before the date
    review                rule 3  each recipient passed the basis session (titles need one)
    one_award             rule 7  not the same award twice for one recipient, movement and year
                                  (titles and ratings: not twice in one year in any movement)
    prerequisites         rule 2  see `prerequisite_violations`
    quota                 rule 1  fighters <= quota x advanced workers, per unit and year (the
                                  rulebook's quota, else the statute's; none from 2024); a unit
                                  merged by the decision's date counts as its successor
    conflict_of_interest  rule 6  a self score is never the only score behind an award

Prerequisites (rule 2), with the award year Y = the movement's end year, by the regime's data:
- emulation_fighter_base: advanced_worker for Y, and evidence for Y: regime 2003 a recognised
  initiative; regimes 2024/2025 a recognised initiative or the rating `excellent_completion`
  (decided and annullable like an award).
- emulation_fighter_ministry: emulation_fighter_base in each of the N years ending with Y
  (N = 3) and an initiative of ministry/province (or national) scope recognised in those years;
  emulation_fighter_national: emulation_fighter_ministry in the M years ending with Y (M = 2)
  and an initiative of national scope; both from the recipient's record across movements.
- one initiative is the basis of one award only: the initiative a fighter title rests on is
  signed into the record (`RecipientRecord.AwardEntered.initiative`) and not counted again.
- collective titles by their member conditions, and a disciplined person's achievements
  counted only from the end of the discipline period: see `domain.prerequisites` (the
  application passes `disciplines` and the units' `collectives` facts).

Modules: the rule in force, statute against rulebook, and the checks on plain counts shared
with the reports (`quota_breaches`, `statute_review_violations`) are in `domain.law`; the
prerequisites and the initiative a title rests on in `domain.prerequisites`; `Violation` in
`domain.violation`; the annulment cascade (rule 9) in `domain.cascade`.

How the application uses this: through `decision.decide`; reports may call
`decision_violations(DecisionCheck(...))` directly to show their "checks".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from domain.actor import Actor
from domain.discipline import DisciplineEntry
from domain.law import quota_breaches, statute_review_violations
from domain.movement import Movement
from domain.participation import Participation
from domain.prerequisites import CollectiveFacts, initiative_basis, prerequisite_violations
from domain.regime import Regime
from domain.regimes import regime_on
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.registry import successor_on
from domain.rulebook import ADVANCED_WORKER, FIGHTER_BASE
from domain.session import ReviewSession
from domain.violation import Violation

RULES = (
    "regime",
    "competence",
    "order",
    "review",
    "one_award",
    "prerequisites",
    "quota",
    "conflict_of_interest",
    "hold",  # domain/hold.py (law2)
)


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
    # each person recipient's disciplines, and each unit recipient's members (rule 2)
    disciplines: Mapping[str, Sequence[DisciplineEntry]] = field(default_factory=dict)
    collectives: Mapping[str, CollectiveFacts] = field(default_factory=dict)
    authority_level: str | None = None  # the level of the authority's unit, if it has one
    # the unit the authority's unit was merged into and the day, if it was: its competence ends
    authority_merged: tuple[str, date] | None = None
    # each merged unit among the recipients' and the register's units (and their successors):
    # its successor and the day; quota counts follow the succession (`successor_on`)
    mergers: Mapping[str, tuple[str, date]] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.movement.year

    @property
    def regime(self) -> Regime:
        """The law in force on the decision's date."""
        return regime_on(self.decided_on)


def competence_violations(
    authority: Actor,
    award: str,
    regime: Regime | None = None,
    level: str | None = None,
    merged: tuple[str, date] | None = None,
    decided_on: date | None = None,
) -> list[Violation]:
    """Rule 5: the kind is in the signer's registered competence list, the decision's date
    lies in the competence's registered period (if it has one), the statutory matrix of the
    regime in force allows it for the level of the authority's unit, and that unit had not
    been merged into another (`merged`: successor and day) by the decision's date."""
    out = []
    outside = period_problem(authority, decided_on)
    if outside:
        out.append(Violation("competence", authority.name, outside))
    if merged is not None and decided_on is not None and decided_on >= merged[1]:
        out.append(
            Violation(
                "competence",
                authority.name,
                f"authority {authority.name!r}: its unit {authority.unit!r} was merged into "
                f"{merged[0]!r} on {merged[1]}; decisions from then are its successor's",
            )
        )
    if award not in authority.competence:
        held = ", ".join(sorted(authority.competence)) or "none"
        out.append(
            Violation(
                "competence",
                authority.name,
                f"authority {authority.name!r} may not decide {award} (competence: {held})",
            )
        )
    problem = regime.competence_problem(level, award) if regime else None
    if problem:
        out.append(
            Violation("competence", authority.name, f"authority {authority.name!r}: {problem}")
        )
    return out


def period_problem(authority: Actor, decided_on: date | None) -> str | None:
    """Why a decision dated `decided_on` lies outside the authority's registered competence
    period (both ends inclusive), or None."""
    start, end = authority.competent_from, authority.competent_until
    if decided_on is None or (start is None and end is None):
        return None
    if (start is None or decided_on >= start) and (end is None or decided_on <= end):
        return None
    span = f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}"
    return (
        f"authority {authority.name!r}: a decision dated {decided_on} lies outside its "
        f"competence period {span}"
    )


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
    passed = [r.id for r in check.recipients if (f := by_nominee.get(r.id)) and f.passed]
    out += statute_review_violations(check.regime, sid, basis.title, basis.mode, results, passed)
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


def quota_violations(check: DecisionCheck) -> list[Violation]:
    """Rule 1 per unit of the recipients, counting this decision (see `quota_breaches`).

    A unit merged into another by the decision's date counts as its successor: the successor's
    quota covers the people and awards of the units merged into it (`successor_on`)."""
    if check.award != FIGHTER_BASE:
        return []
    regime, rulebook, out = check.regime, check.movement.rulebook, []

    def unit_of(unit: str) -> str:
        return successor_on(unit, check.decided_on, check.mergers)

    persons = [r for r in check.recipients if r.kind == "person"]
    register, year = check.register, check.year
    for unit in sorted({unit_of(r.unit) for r in persons}):
        new = sum(1 for r in persons if unit_of(r.unit) == unit)
        fighters = new + (register.count(FIGHTER_BASE, unit, year, unit_of) if register else 0)
        advanced = register.count(ADVANCED_WORKER, unit, year, unit_of) if register else 0
        counts = (
            f"unit {unit!r} would have {fighters} {FIGHTER_BASE} for {advanced} "
            f"{ADVANCED_WORKER} in {check.year}"
        )
        for breach in quota_breaches(fighters, advanced, regime, rulebook):
            if breach.rule == "quota":
                message = f"{counts}, above the {breach.source}'s quota {breach.share}"
                out.append(Violation("quota", unit, message))
            else:
                message = (
                    f"{counts}, above the statute's quota {breach.share} ({regime.id}: "
                    f"{regime.citation('quota')}); the rulebook's {rulebook.fighter_quota} "
                    "cannot loosen it"
                )
                out.append(Violation("regime", unit, message))
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
    rulebook, regime = check.movement.rulebook, check.regime
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
            disciplines=check.disciplines.get(r.id, ()),
            collective=check.collectives.get(r.id),
        )
    ]
    found = [
        *competence_violations(
            check.authority,
            check.award,
            regime,
            check.authority_level,
            check.authority_merged,
            check.decided_on,
        ),
        *basis_violations(check),
        *one_award_violations(check),
        *prerequisites,
        *quota_violations(check),
        *self_score_violations(check),
    ]
    return sorted(found, key=lambda v: RULES.index(v.rule))


__all__ = [
    "RULES",
    "DecisionCheck",
    "Violation",
    "basis_violations",
    "competence_violations",
    "decision_violations",
    "initiative_basis",
    "one_award_violations",
    "period_problem",
    "prerequisite_violations",
    "quota_violations",
    "self_score_violations",
    "statute_review_violations",
]
