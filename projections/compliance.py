"""Compliance checks: every rule of docs/RULES.md, for one movement, as ok / violation / override.

Two sources, kept apart on purpose:
- what the ledger *signed*: a decision recorded under an override carries its violations and
  the reason (`Decision.Recorded.violations`); each becomes an ``override`` row;
- what the read models *show now*: the checks are re-run here (quota per unit and year over
  the standing awards, each decision's basis session passed and closed before the decision,
  the authority's competence and its period, one award per achievement, self-score-only
  awards, nobody scoring or voting on themselves, late registrations) and a failure nobody
  overrode is a ``violation``. Annulments (Law 2022 Art. 93) and the awards their cascade
  flags (rule 9) are listed as violations found after the fact.

The re-run checks call the domain's own rules wherever one exists (`domain.rules`:
`quota_breaches` on the counts per unit and year, `competence_violations` with the regime of the
decision's date; `domain.tally` for every session's result), so a report and an append can
never disagree on a rule. Each row names the regime it was judged by and the rule's citation
there (the decision's date; else the movement's end).

A rule with no finding gets one ``ok`` row saying what was checked. Rows are sorted by rule (in
docs/RULES.md's order), then subject.
"""

from __future__ import annotations

from datetime import date

import msgspec

from domain.actor import Actor, format_time, local_date
from domain.law import statute_review_violations
from domain.regime import RULE_NAMES
from domain.regimes import regime_named, regime_on
from domain.rulebook import ADVANCED_WORKER, FIGHTER_BASE
from domain.rules import competence_violations
from projections.awards import AwardRow, DecisionView, Flag
from projections.catalog import MovementView
from projections.quota import OK, OVERRIDE, VIOLATION, QuotaUse, quota_use
from projections.view import LedgerView

RULE_ORDER = (
    "regime",
    "quota",
    "prerequisites",
    "review",
    "deadline",
    "competence",
    "conflict_of_interest",
    "one_award",
    "order",
    "annulment",
    "cascade",
)


class Check(msgspec.Struct):
    """One finding (or one all-clear) of one rule, with the regime it was judged by and the
    legal citation of the rule there (`on`: the date that chose the regime, when known)."""

    rule: str
    status: str
    subject: str
    detail: str
    seq: int | None = None
    regime: str | None = None
    citation: str | None = None
    on: date | None = None


def _decision_status(d: DecisionView, rule: str) -> str:
    return OVERRIDE if rule in d.overridden_rules else VIOLATION


def _override_note(d: DecisionView, rule: str) -> str:
    reason = d.reason_for(rule)
    return f"; override: {reason}" if reason else ""


def _registration_checks(view: LedgerView, movement: MovementView) -> list[Check]:
    out: list[Check] = []
    taking_part = view.participations.of(movement.id)
    total = len(taking_part)
    for row, late in taking_part.lateness():
        status = OVERRIDE if late.override_reason else VIOLATION
        detail = (
            f"registered {format_time(late.at)} (appended {format_time(late.time)}), after the "
            f"deadline {late.deadline}"
            + (f"; override: {late.override_reason}" if late.override_reason else "")
        )
        out.append(Check("deadline", status, taking_part.participant(row), detail, late.seq))
    if not out:
        out.append(Check("deadline", OK, movement.id, f"{total} registrations, none late"))
    return out


def _conflict_checks(view: LedgerView, movement: MovementView, rows: list[AwardRow]) -> list[Check]:
    out: list[Check] = []
    signers = view.catalog.signers

    def is_self(signer: str, participant: str) -> bool:
        found = signers.get(signer)
        return found is not None and participant in (found.person, found.unit)

    taking_part = view.participations.of(movement.id)
    participants = taking_part.participant_ids()
    bound = {name for name, s in signers.items() if s.person or s.unit}  # who could be "self"
    for at in taking_part.appraised_by(bound):
        participant = participants[at]
        for scorer in taking_part.appraisers_of(at):
            if is_self(scorer, participant):
                detail = f"scorer {scorer} appraised itself or its own unit {participant}"
                seq = taking_part.seq(at)
                out.append(Check("conflict_of_interest", VIOLATION, participant, detail, seq))
    for s in view.sessions.of(movement.id):
        for member, vote in s.votes.items():
            for nominee in [*vote.yes, *vote.no]:
                if is_self(member, nominee):
                    detail = f"member {member} voted on itself or its own unit in session {s.id}"
                    out.append(Check("conflict_of_interest", VIOLATION, nominee, detail, s.seq))
    signed = {
        (d.number, v.subject)
        for d in view.decisions.of(movement.id)
        for v in d.violations
        if v.rule == "conflict_of_interest"
    }
    by_participant = {participant: at for at, participant in enumerate(participants)}
    for row in rows:
        part = by_participant.get(row.recipient)
        if row.annulled or part is None or not taking_part.only_self_scored(part):
            continue
        if (row.decision, row.recipient) in signed:
            continue  # listed as the override signed into the decision
        status = OVERRIDE if "conflict_of_interest" in row.overridden_rules else VIOLATION
        detail = f"{row.award} by decision {row.decision} rests on self scores only"
        if row.override_reason and status == OVERRIDE:
            detail += f"; override: {row.override_reason}"
        out.append(Check("conflict_of_interest", status, row.recipient, detail, row.seq))
    return out


def _decision_checks(view: LedgerView, movement: MovementView) -> list[Check]:
    out: list[Check] = []
    rechecked = ("review", "order", "competence")
    for d in view.decisions.of(movement.id):
        signed = {(v.rule, v.subject) for v in d.violations}
        for v in d.violations:
            out.append(Check(v.rule, OVERRIDE, v.subject, v.message + _override_note(d, v.rule),
                             d.seq, d.regime, None, d.date))  # fmt: skip
        signer = view.catalog.signers.get(d.authority)
        if signer is not None and ("competence", d.authority) not in signed:
            # the domain's own rule: the signer's list, and the matrix of the decision's date
            actor = Actor(
                signer.name,
                unit=signer.unit,
                competence=frozenset(signer.competence),
                competent_from=signer.competent_from,
                competent_until=signer.competent_until,
            )
            unit = view.catalog.units.get(signer.unit) if signer.unit else None
            level = unit.level if unit else None
            merged = None
            if unit is not None and unit.merged_into and unit.merged_on:
                merged = (unit.merged_into, unit.merged_on)
            found = competence_violations(actor, d.award, regime_on(d.date), level, merged, d.date)
            for v in found:
                note = _override_note(d, "competence")
                out.append(Check("competence", _decision_status(d, "competence"), d.authority,
                                 f"{v.message} (decision {d.number}){note}", d.seq,
                                 on=d.date))  # fmt: skip
        session = view.sessions.by_id.get(d.basis) if d.basis else None
        if d.basis and session is None:
            out.append(Check("review", VIOLATION, d.basis, f"basis of {d.number} not found", d.seq))
        if session is None:
            continue
        closed = local_date(session.closed_at) if session.closed_at else None
        if (closed is None or d.date < closed) and not any(r == "order" for r, _ in signed):
            detail = f"decision {d.number} of {d.date} before its basis {session.id} closed"
            out.append(Check("order", _decision_status(d, "order"), session.id, detail, d.seq,
                             on=d.date))  # fmt: skip
        counted = session.results()
        results = {r.nominee: r for r in counted.results}
        for r in d.recipients:
            result = results.get(r.id)
            if (result is None or not result.passed) and ("review", r.id) not in signed:
                detail = f"{r.id} did not pass basis session {session.id} of decision {d.number}"
                out.append(Check("review", _decision_status(d, "review"), r.id, detail, d.seq,
                                 on=d.date))  # fmt: skip
        # the statute of the decision's date, re-run for decisions signed before it was checked
        passed = [r.id for r in d.recipients if (x := results.get(r.id)) and x.passed]
        for v in statute_review_violations(regime_on(d.date), session.id, session.title,
                                           session.mode, counted, passed):  # fmt: skip
            if ("regime", v.subject) not in signed:
                detail = f"{v.message} (decision {d.number}){_override_note(d, 'regime')}"
                out.append(Check("regime", _decision_status(d, "regime"), v.subject, detail,
                                 d.seq, on=d.date))  # fmt: skip
    for rule in rechecked:
        if not any(c.rule == rule for c in out):
            count = len(view.decisions.of(movement.id))
            out.append(Check(rule, OK, movement.id, f"{count} decisions checked"))
    return out


def _one_award_checks(rows: list[AwardRow]) -> list[Check]:
    seen: dict[tuple[str, str, int], AwardRow] = {}
    out: list[Check] = []
    for row in sorted(rows, key=lambda r: r.seq):
        if row.annulled:
            continue
        key = (row.recipient, row.award, row.year)
        first = seen.setdefault(key, row)
        if first is not row and not any(c.subject == row.recipient for c in out):
            status = OVERRIDE if "one_award" in row.overridden_rules else VIOLATION
            detail = f"{row.award} for {row.year} twice: {first.decision} and {row.decision}"
            out.append(Check("one_award", status, row.recipient, detail, row.seq))
    return out


def _annulment_checks(rows: list[AwardRow], flags: list[Flag]) -> list[Check]:
    out = []
    for row in rows:
        if row.annulment is not None:
            a = row.annulment
            detail = f"{row.award} of decision {row.decision} annulled ({a.ground}): {a.reason}"
            out.append(Check("annulment", VIOLATION, row.recipient, detail, a.seq))
    for flag in flags:
        dep = flag.dependent
        detail = (
            f"{dep.award} of decision {dep.decision} relied on the award annulled in "
            f"{flag.annulled_decision}: {dep.reason}"
        )
        out.append(Check("cascade", VIOLATION, dep.recipient, detail))
    return out


def compliance_checks(
    view: LedgerView,
    movement: MovementView,
    rows: list[AwardRow],
    flags: list[Flag],
    quota: list[QuotaUse],
) -> list[Check]:
    """Every rule's findings for `movement` (see the module docstring): the cascade rows only
    for awards of `movement` (`flags` may hold every movement's)."""
    own = {row.decision for row in rows}
    flags = [flag for flag in flags if flag.dependent.decision in own]
    found: list[Check] = [
        *_registration_checks(view, movement),
        *_conflict_checks(view, movement, rows),
        *_decision_checks(view, movement),
        *_one_award_checks(rows),
        *_annulment_checks(rows, flags),
    ]
    for q in quota:
        counted = f"{q.fighters} {FIGHTER_BASE} for {q.advanced} {ADVANCED_WORKER} in {q.year}"
        if q.limit < 0:
            detail = f"{counted}: no quota in regime {q.regime} nor in the rulebook"
        else:
            detail = f"{counted}: at most {q.limit} within {q.share}"
        if q.flagged:
            detail += f"; {q.flagged} of the fighters flagged by an annulment (rule 9)"
        found.append(Check("quota", q.status, q.unit, detail, on=q.on))
        if q.statute is not None:
            detail = (
                f"{counted}: beyond the statute's quota {q.statute} (regime {q.regime}); the "
                f"rulebook's {q.share} does not loosen the statute"
            )
            found.append(Check("regime", q.statute_status, q.unit, detail, regime=q.regime,
                               citation=regime_cite(q.regime, "quota"), on=q.on))  # fmt: skip
    # The overrides signed into decisions already name their rule; keep one row per finding
    # (a unit's fighters beyond the statute's quota are shown by the decisions' own overrides).
    signed = {(c.rule, c.subject) for c in found if c.status == OVERRIDE and c.seq is not None}
    found = [
        c for c in found if not (c.rule == "regime" and c.seq is None and (c.rule, c.subject)
                                 in signed)
    ]  # fmt: skip
    unique: dict[tuple[str, str, str, str], Check] = {}
    for check in found:
        unique.setdefault((check.rule, check.status, check.subject, check.detail), check)
    checks = list(unique.values())
    for rule in RULE_ORDER:
        if not any(c.rule == rule for c in checks):
            checks.append(Check(rule, OK, movement.id, "no finding"))
    for check in checks:
        cite(check, check.on or movement.end)
    rank = {rule: i for i, rule in enumerate(RULE_ORDER)}
    return sorted(checks, key=lambda c: (rank.get(c.rule, len(rank)), c.subject, c.detail))


def regime_cite(regime_id: str | None, rule: str) -> str | None:
    regime = regime_named(regime_id) if regime_id else None
    return regime.citation(rule) if regime else None


def cite(check: Check, on: date) -> None:
    """Fill in the regime in force on `on` and the citation of the check's rule there (a
    violation signed into a decision keeps the regime and citation it was signed with)."""
    if check.regime is None:
        check.regime = regime_on(on).id
    if check.citation is None:
        regime = regime_named(check.regime) or regime_on(on)
        if check.rule in RULE_NAMES:
            check.citation = regime.citation(check.rule)
        elif check.rule == "annulment":
            check.citation = regime.citation("competence")


__all__ = ["Check", "QuotaUse", "compliance_checks", "quota_use"]
