"""Prerequisites (rule 2): the titles, initiatives and ratings an award needs, by regime.

With the award year Y = the movement's end year, by the data of the regime in force on the
decision's date (`domain.regimes`), a rulebook asking for more consecutive years (`domain.law`):
- emulation_fighter_base: advanced_worker for Y, and evidence for Y: regime 2003 a recognised
  initiative; regimes 2024/2025 a recognised initiative or the rating `excellent_completion`;
- emulation_fighter_ministry: emulation_fighter_base in each of the N years ending with Y and an
  initiative of ministry/province (or national) scope recognised in those years;
- emulation_fighter_national: emulation_fighter_ministry in the M years ending with Y and an
  initiative of national scope;
- one initiative is the basis of one award only (`initiative_basis` picks an unused one, the
  narrowest scope first; the decision signs it into the record);
- excellent_collective: the unit's persons hold advanced_worker for Y at >= 70 % of its
  headcount and >= 1 fighter.
"""

from __future__ import annotations

from domain.law import consecutive_in_force
from domain.regime import Regime
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
from domain.violation import Violation

SCOPE_ORDER = ("base", "ministry", "national")


def prerequisite_violations(
    award: str,
    year: int,
    recipient: Recipient,
    record: RecipientRecord | None,
    rulebook: Rulebook,
    regime: Regime,
    register: AwardRegister | None = None,
    headcount: int | None = None,
    decision: str | None = None,
) -> list[Violation]:
    """Rule 2 for one recipient (see the module docstring); `decision` is the award being
    re-checked (the cascade), whose own initiative is not counted as used by another award."""
    rid = recipient.id

    def held(kind: str, in_year: int) -> bool:
        return record is not None and record.holds(kind, in_year) is not None

    def lacks(message: str) -> list[Violation]:
        return [Violation("prerequisites", rid, f"recipient {rid!r} {message}")]

    if award == FIGHTER_BASE and not held(ADVANCED_WORKER, year):
        return lacks(f"lacks {ADVANCED_WORKER} for {year}, which {award} needs")
    ministry, national = consecutive_in_force(regime, rulebook)
    chains = {
        FIGHTER_MINISTRY: (FIGHTER_BASE, ministry),
        FIGHTER_NATIONAL: (FIGHTER_MINISTRY, national),
    }
    if award in chains:
        needed, count = chains[award]
        for in_year in range(year - count + 1, year + 1):
            if not held(needed, in_year):
                return lacks(
                    f"lacks {needed} for {in_year} ({award} needs {count} consecutive years "
                    f"{year - count + 1}-{year})"
                )
    _, problem = initiative_basis(award, year, record, rulebook, regime, decision)
    if problem:
        return lacks(problem)
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


def initiative_basis(
    award: str,
    year: int,
    record: RecipientRecord | None,
    rulebook: Rulebook,
    regime: Regime,
    decision: str | None = None,
) -> tuple[str | None, str | None]:
    """The initiative a fighter title rests on, or why none can (rule 2).

    Returns (initiative id or None, problem or None). A base fighter needs a recognised
    initiative of the award year (any scope), or, where the regime accepts it, the rating
    `excellent_completion` for the year (then no initiative is used); a ministry fighter one of
    the regime's ministry scopes, a national fighter one of its national scopes, recognised
    within the consecutive years. Where the regime says one initiative is the basis of one award
    only, an initiative already named by another standing award does not count."""
    ministry, national = consecutive_in_force(regime, rulebook)
    wanted: dict[str, tuple[tuple[str, ...], int]] = {
        FIGHTER_BASE: (("base", "ministry", "national"), 1),
        FIGHTER_MINISTRY: (tuple(regime.ministry_scopes), ministry),
        FIGHTER_NATIONAL: (tuple(regime.national_scopes), national),
    }
    if award not in wanted:
        return None, None
    if (
        award == FIGHTER_BASE
        and EXCELLENT_COMPLETION in regime.base_evidence
        and record is not None
        and record.holds(EXCELLENT_COMPLETION, year) is not None
    ):
        return None, None
    scopes, span = wanted[award]
    first = year - span + 1
    # the narrowest scope first, so a base title does not use up a ministry-scope initiative
    found = sorted(
        (i for i in (record.initiatives if record else []) if i.scope in scopes),
        key=lambda i: (SCOPE_ORDER.index(i.scope), i.year, i.initiative),
    )
    found = [i for i in found if first <= i.year <= year]
    used = {
        a.initiative: a.decision
        for a in (record.standing() if record else [])
        if a.initiative and a.decision != decision
    }
    if not regime.one_initiative_one_award:
        used = {}
    for initiative in found:
        if initiative.initiative not in used:
            return initiative.initiative, None
    years = str(year) if span == 1 else f"{first}-{year}"
    if found:
        taken = found[0].initiative
        return None, (
            f"has no initiative left for {award}: {taken!r} is already the basis of decision "
            f"{used[taken]} (one initiative, one award)"
        )
    where = "/".join(scopes) if award != FIGHTER_BASE else "any"
    evidence = (
        f" or {EXCELLENT_COMPLETION}"
        if award == FIGHTER_BASE and EXCELLENT_COMPLETION in regime.base_evidence
        else ""
    )
    return None, (
        f"has no recognised initiative of {where} scope{evidence} for {years} (regime {regime.id})"
    )
