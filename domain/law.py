"""The rule in force: the statute (the regime of the date) as a movement's rulebook tightens it.

A rulebook value stronger than the statute's replaces it; a weaker one does not change the law
(rule `regime`: a decision that keeps to the rulebook but not to the statute is a violation
naming the statute). These are the only places the two are combined, for sessions (at opening)
and decisions (at their date) alike.

How the domain uses this: `ReviewSession.open` takes `threshold_in_force`, `quorum_in_force`
and `secret_required` for the session's date; `domain.rules` takes `quota_in_force` and
`consecutive_in_force` for the decision's date.
"""

from __future__ import annotations

from fractions import Fraction

from domain.regime import Regime
from domain.rulebook import Rulebook, Share, Threshold


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
