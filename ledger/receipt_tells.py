"""What a receipt tells beyond "ok": the overrides signed into its event, and the ledger's
unsigned statements about the award as of the receipt's checkpoint.

- **Overrides** are read from the signed payload, never from the receipt's clear text: a
  decision or registration may carry ``overrides`` (``[{"rule", "reason"}]``, one reason per
  rule) or the older ``override_reason`` with ``overridden_rules`` (one reason for every rule
  listed). `signed_overrides` reads whichever is present, so old and new events both tell.
- **Statements** (``Receipt.statements``) are what the ledger knew when the receipt was made
  — the annulment cascade flags this award, a hold open on its recipient — and are NOT signed
  by the event's signer. Each names the tree size it speaks for; `check_statements` refuses
  one that speaks for another tree than the receipt's checkpoint or for another recipient than
  the one shown, so a statement cannot be moved between receipts unnoticed. Their truth is
  the ledger operator's word, checkable with ``awards verify`` and the report of that size.
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.errors import VerificationError

STATEMENT_KINDS = ("cascade_flag", "open_hold", "outstanding_recovery")


class Override(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One rule knowingly overridden, and the reason signed with it."""

    rule: str
    reason: str


class Statement(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An unsigned statement of the ledger about the receipt's award (module docstring)."""

    kind: str
    subject: str
    as_of_size: int
    text: str


def signed_overrides(event: Any) -> list[Override]:
    """The overrides the signed event carries (either field form), in the order signed."""
    listed = getattr(event, "overrides", None)
    if listed:
        return [_override(item) for item in listed]
    reason = getattr(event, "override_reason", None)
    if not reason:
        return []
    rules = list(getattr(event, "overridden_rules", None) or [])
    if not rules:
        rules = sorted({v.rule for v in getattr(event, "violations", None) or []}) or ["?"]
    return [Override(rule, reason) for rule in rules]


def _override(item: Any) -> Override:
    if isinstance(item, dict):
        return Override(str(item["rule"]), str(item["reason"]))
    return Override(str(item.rule), str(item.reason))


def check_statements(
    statements: list[Statement], tree_size: int, shown: dict[str, str]
) -> list[Statement]:
    """`statements`, if each speaks for `tree_size` and for the shown recipient; else
    VerificationError naming the statement."""
    recipient = shown.get("recipient")
    for s in statements:
        where = f"receipt: statement {s.kind!r}"
        if s.kind not in STATEMENT_KINDS:
            raise VerificationError(f"{where} is not one of {', '.join(STATEMENT_KINDS)}")
        if s.as_of_size != tree_size:
            raise VerificationError(
                f"{where} speaks for tree size {s.as_of_size}, the checkpoint is of {tree_size}"
            )
        if recipient is not None and s.subject != recipient:
            raise VerificationError(
                f"{where} is about {s.subject!r}, the receipt shows {recipient!r}"
            )
    return list(statements)
