"""Per-rule overrides (issue 13 item 2): each broken rule acknowledged with its own reason.

A refusal names every broken rule; the authority acknowledges each with `--override
RULE=REASON`; a lone `--override-reason` stands for the one broken rule and is refused when more
than one is broken. The decision signs `overrides: [{rule, reason}]`, sorted by rule (decisions
signed before carry one `override_reason` for all their rules).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import msgspec

from domain.actor import require_text
from domain.errors import RuleViolationError, UsageError
from domain.violation import Violation


class Override(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One broken rule acknowledged by the deciding authority, with its own signed reason."""

    rule: str
    reason: str


_RULE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def overrides_from_text(items: Sequence[str]) -> dict[str, str]:
    """Parse `--override RULE=REASON` options (each rule once), raising UsageError."""
    out: dict[str, str] = {}
    for item in items:
        rule, sep, reason = item.partition("=")
        rule = rule.strip()
        if not sep or not _RULE_NAME.fullmatch(rule):
            raise UsageError(f"override {item!r} is not valid: use --override RULE=REASON")
        if rule in out:
            raise UsageError(f"override of rule {rule} is given twice")
        out[rule] = require_text(reason, f"override of rule {rule}: reason")
    return out


def acknowledge(
    subject: str,
    violations: Sequence[Violation],
    overrides: Mapping[str, str],
    override_reason: str | None,
) -> dict[str, str]:
    """The override of each broken rule, or RuleViolationError naming every rule still broken.

    `override_reason` alone stands for the one broken rule only; an override naming a rule that
    is not broken is a usage error (it would sign an acknowledgement of nothing)."""
    broken = sorted({v.rule for v in violations}, key=[v.rule for v in violations].index)
    idle = sorted(set(overrides) - set(broken))
    if idle:
        raise UsageError(
            f"{subject}: --override {idle[0]} names a rule this decision does not break"
            + (f" (it breaks {', '.join(broken)})" if broken else "")
        )
    if override_reason is not None and len(broken) == 1:
        return {broken[0]: override_reason}
    missing = [rule for rule in broken if rule not in overrides]
    if not missing:
        return dict(overrides)
    found = "; ".join(v.message for v in violations if v.rule in missing)
    lone = (
        f"--override-reason covers one broken rule, not {len(broken)} "
        f"({', '.join(broken)}): "
        if override_reason is not None
        else ""
    )
    named = f" (rules {', '.join(missing)})" if len(missing) > 1 and not lone else ""
    raise RuleViolationError(missing, f"{subject} rejected: {lone}{found}{named}")
