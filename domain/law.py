"""The rule in force: the statute (the regime of the date) as a movement's rulebook tightens it.

A rulebook value stronger than the statute's replaces it; a weaker one does not change the law
(rule `regime`: a decision that keeps to the rulebook but not to the statute is a violation
naming the statute). These are the only places the two are combined, for sessions (at opening)
and decisions (at their date) alike.

How the domain uses this: `ReviewSession.open` takes `threshold_in_force`, `quorum_in_force`
and `secret_required` for the session's date; `domain.rules` takes `quota_breaches` and
`statute_review_violations` for the decision's date, and the reports call the same two on the
counts they fold (one implementation of each rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import msgspec

from domain.errors import DomainError, UsageError
from domain.regime import Regime
from domain.rulebook import Rulebook, Share, Threshold
from domain.tally import SessionResults
from domain.violation import Violation


def stronger(a: Threshold, b: Threshold | None) -> Threshold:
    """The stricter of two thresholds (`a` when they are equal)."""
    return b if b is not None and a.weaker_than(b) else a


def looser(own: Share, statute: Share) -> bool:
    """True when a rulebook quota `own` allows more than the statute's ceiling."""
    return Fraction(own.num, own.den) > Fraction(statute.num, statute.den)


def threshold_in_force(regime: Regime, rulebook: Rulebook, award: str) -> Threshold:
    return stronger(regime.threshold_for(award), rulebook.threshold_for(award))


def quorum_in_force(regime: Regime, rulebook: Rulebook) -> Share:
    own, statute = rulebook.quorum, regime.quorum
    if own is not None and Fraction(own.num, own.den) > Fraction(statute.num, statute.den):
        return own
    return statute


def secret_required(regime: Regime, rulebook: Rulebook, award: str) -> bool:
    """Whether `award` is reviewed by secret ballot (the statute's or the rulebook's list)."""
    return regime.secret_required(award) or award in rulebook.secret_ballot


SESSION_MODES = ("open", "secret")


def session_rules(
    regime: Regime,
    rulebook: Rulebook,
    title: str,
    mode: str | None,
    threshold: Threshold | None,
    quorum: Share | None,
    subject: str,
) -> tuple[str, Threshold, Share]:
    """The mode, threshold and quorum of a session reviewing `title` under `regime` and the
    rulebook: the ones in force unless given stricter. Raises UsageError for an unknown mode and
    DomainError for an open mode the statute forbids or a weaker threshold or quorum."""
    secret = secret_required(regime, rulebook, title)
    mode = mode or ("secret" if secret else "open")
    if mode not in SESSION_MODES:
        raise UsageError(f"{subject}: mode {mode!r} is not one of {', '.join(SESSION_MODES)}")
    if mode == "open" and regime.secret_required(title):
        raise DomainError(
            f"{subject}: {title} is reviewed by secret ballot under the statute in force "
            f"({regime.id}: {regime.citation('review')})",
        )
    ruled = threshold_in_force(regime, rulebook, title)
    if threshold is not None and threshold.weaker_than(ruled):
        raise DomainError(
            f"{subject}: threshold {threshold} is below the {ruled} in force for {title} "
            f"(regime {regime.id} and the rulebook)",
        )
    quorum_ruled = quorum_in_force(regime, rulebook)
    if quorum is not None and quorum.num * quorum_ruled.den < quorum_ruled.num * quorum.den:
        raise DomainError(
            f"{subject}: quorum {quorum} is below the {quorum_ruled} in force "
            f"(regime {regime.id} and the rulebook)",
        )
    return mode, threshold or ruled, quorum or quorum_ruled


def quota_in_force(regime: Regime, rulebook: Rulebook) -> tuple[Share | None, str]:
    """The fighter quota a decision is held to, and its source ("rulebook" or "statute").

    The rulebook's quota when it sets one (a looser one is also held against the statute's,
    as rule `regime`), else the statute's (None: no quota at all)."""
    if rulebook.fighter_quota is not None:
        return rulebook.fighter_quota, "rulebook"
    return regime.fighter_quota, "statute"


def consecutive_in_force(regime: Regime, rulebook: Rulebook) -> tuple[int, int]:
    """Consecutive years needed: base titles for a ministry fighter, ministry titles for a
    national fighter (a rulebook may ask for more, never fewer)."""
    return (
        max(regime.ministry_consecutive_base, rulebook.ministry_consecutive_base),
        max(regime.national_consecutive_ministry, rulebook.national_consecutive_ministry),
    )


class QuotaBreach(msgspec.Struct, frozen=True):
    """A quota a unit's fighters of a year go beyond: the rule (`quota` or `regime`), the share,
    and its source ("rulebook" or "statute")."""

    rule: str
    share: Share
    source: str


def quota_breaches(
    fighters: int, advanced: int, regime: Regime, rulebook: Rulebook
) -> list[QuotaBreach]:
    """Rule 1 on plain counts (one implementation for decisions and reports).

    The quota in force is the rulebook's if it sets one, else the statute's (none from 2024):
    beyond it is `quota`. A rulebook quota looser than the statute's is also held against the
    statute: beyond the statute is rule `regime`."""
    limit, source = quota_in_force(regime, rulebook)
    statute, out = regime.fighter_quota, []
    if limit is not None and not limit.allows(fighters, advanced):
        out.append(QuotaBreach("quota", limit, source))
    if (
        limit is not None
        and statute is not None
        and looser(limit, statute)
        and not statute.allows(fighters, advanced)
    ):
        out.append(QuotaBreach("regime", statute, "statute"))
    return out


def statute_review_violations(
    regime: Regime,
    session_id: str,
    title: str,
    mode: str,
    results: SessionResults,
    passed: Sequence[str],
) -> list[Violation]:
    """Rule `regime` for a basis session whose nominees `passed` by its own threshold: the
    statute in force on the decision's date must be met too — its threshold and quorum for
    each of them, and its secret ballot where it requires one (a session held under a looser
    rule, or before the law changed). One implementation for decisions and reports."""
    threshold, quorum, out = regime.threshold_for(title), regime.quorum, []
    by_nominee = {r.nominee: r for r in results.results}
    statute = f"the statute ({regime.id}: {regime.citation('review')})"
    for nominee in passed:
        yes, members = by_nominee[nominee].yes, results.members
        problems = []
        if not threshold.met_by(yes, members):
            problems.append(f"{yes} yes of {members} members, short of {threshold}")
        if not quorum.at_least(results.taking_part, members):
            problems.append(
                f"{results.taking_part} of {members} members present, short of {quorum}"
            )
        if problems:
            message = (
                f"recipient {nominee!r} passed session {session_id} with "
                f"{' and '.join(problems)} required by {statute}"
            )
            out.append(Violation("regime", nominee, message))
    if passed and mode == "open" and regime.secret_required(title):
        message = (
            f"session {session_id} voted openly, but {statute} requires a secret ballot for "
            f"{title}"
        )
        out.append(Violation("regime", session_id, message))
    return out
