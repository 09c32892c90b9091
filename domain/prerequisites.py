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
- a disciplined person: achievements count only from the end of the discipline period, so a
  person award whose years (Y, or the consecutive years of a fighter chain) meet a discipline
  period is refused (`discipline_violations`);
- collective titles (`collective_violations`, on `CollectiveFacts` counted by the application
  over the unit's members -- its people, its sub-units' and those of units merged into it):
  advanced_collective: members holding advanced_worker for Y at the regime's share, and no
  member disciplined at the regime's bar (warning) or above during Y; excellent_collective:
  every member completed their tasks (a member disciplined at `completion_bar` or above during
  Y did not), advanced_worker at the regime's share (a rulebook may ask more) and >= 1 fighter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import msgspec

from domain.discipline import DisciplineEntry, disciplined_between, levels, rank
from domain.law import consecutive_in_force, stronger
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
    Share,
    Threshold,
)
from domain.violation import Violation

SCOPE_ORDER = ("base", "ministry", "national")
ADVANCED_COLLECTIVE = "advanced_collective"


class CollectiveFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What a collective title of year Y is measured on: the unit's members and, among them,
    those holding advanced_worker and emulation_fighter_base for Y, and the disciplines whose
    period meets Y (member, level)."""

    members: int
    advanced: int
    fighters: int
    disciplined: tuple[tuple[str, str], ...] = ()


def discipline_violations(
    award: str,
    year: int,
    recipient: Recipient,
    disciplines: Sequence[DisciplineEntry],
    regime: Regime,
    rulebook: Rulebook,
) -> list[Violation]:
    """A person's award whose achievement years meet a discipline period: achievements count
    only from the end of the period (Y, or the consecutive years a fighter chain needs)."""
    ministry, national = consecutive_in_force(regime, rulebook)
    span = {FIGHTER_MINISTRY: ministry, FIGHTER_NATIONAL: national}.get(award, 1)
    first = year - span + 1
    found = disciplined_between(disciplines, date(first, 1, 1), date(year, 12, 31))
    out = []
    for entry in found:
        period = f"{entry.start} – {entry.until or '…'}"
        years = str(year) if span == 1 else f"{first}-{year}"
        after = f"from {entry.until + timedelta(days=1)}" if entry.until else "no end recorded"
        message = (
            f"recipient {recipient.id!r} was disciplined ({entry.level}, {entry.decision_ref}, "
            f"{period}): achievements count only after the discipline period ({after}), and "
            f"{award} rests on {years}"
        )
        out.append(Violation("prerequisites", recipient.id, message))
    return out


def collective_violations(
    award: str,
    year: int,
    unit: str,
    facts: CollectiveFacts | None,
    regime: Regime,
    rulebook: Rulebook,
) -> list[Violation]:
    """The member conditions of advanced_collective and excellent_collective (see the module
    docstring); other kinds have none."""
    if award not in (ADVANCED_COLLECTIVE, EXCELLENT_COLLECTIVE):
        return []

    def lacks(message: str) -> list[Violation]:
        return [Violation("prerequisites", unit, f"recipient {unit!r} {message}")]

    if facts is None or facts.members == 0:
        return lacks(f"has no recorded members to measure {ADVANCED_WORKER} against")
    if award == ADVANCED_COLLECTIVE:
        share: Threshold = regime.advanced_collective_share
        bar, fighters_needed = regime.collective_discipline_bar, 0
    else:
        own = rulebook.excellent_collective_share
        share = stronger(regime.excellent_collective_share, Threshold(Share(own.num, own.den)))
        bar = regime.completion_bar
        fighters_needed = max(
            regime.excellent_collective_min_fighters, rulebook.excellent_collective_min_fighters
        )
    out = []
    if not share.met_by(facts.advanced, facts.members):
        out += lacks(
            f"has {facts.advanced} {ADVANCED_WORKER} of {facts.members} members in {year}, "
            f"{'not more than' if share.strict else 'below'} {share.share}"
        )
    if facts.fighters < fighters_needed:
        out += lacks(f"has {facts.fighters} {FIGHTER_BASE} in {year}, needs {fighters_needed}")
    barred = sorted({m for m, level in facts.disciplined if rank(level) >= rank(bar)})
    if barred:
        why = (
            f"disciplined at {levels()[bar].en.lower()} or above"
            if award == ADVANCED_COLLECTIVE
            else "disciplined, so not having completed their tasks"
        )
        out += lacks(f"has members {why} in {year}: {', '.join(barred)} (regime {regime.id})")
    return out


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
    disciplines: Sequence[DisciplineEntry] = (),
    collective: CollectiveFacts | None = None,
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
    if award in (ADVANCED_COLLECTIVE, EXCELLENT_COLLECTIVE):
        if collective is None and register is not None and headcount:
            # the movement's register alone (the cascade re-checks): persons of the unit only
            collective = CollectiveFacts(
                members=headcount,
                advanced=register.count(ADVANCED_WORKER, rid, year),
                fighters=register.count(FIGHTER_BASE, rid, year),
            )
        return collective_violations(award, year, rid, collective, regime, rulebook)
    if recipient.kind == "person":
        return discipline_violations(award, year, recipient, disciplines, regime, rulebook)
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
