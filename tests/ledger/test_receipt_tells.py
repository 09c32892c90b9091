"""ledger/receipt_tells.py: overrides read from either signed field form; statements bound to
the receipt's tree size and recipient."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from domain.errors import VerificationError
from domain.overrides import Override as SignedOverride
from ledger.receipt_tells import Override, Statement, check_statements, signed_overrides


def test_new_decisions_tell_each_rule_with_its_own_reason() -> None:
    event = SimpleNamespace(
        overrides=[SignedOverride("hold", "a"), SignedOverride("quota", "b")],
        override_reason=None,
    )
    assert signed_overrides(event) == [Override("hold", "a"), Override("quota", "b")]


def test_old_decisions_tell_their_one_reason_for_every_rule_listed() -> None:
    old = SimpleNamespace(override_reason="r", overridden_rules=["quota", "review"])
    assert signed_overrides(old) == [Override("quota", "r"), Override("review", "r")]
    assert signed_overrides(SimpleNamespace(override_reason=None, overridden_rules=[])) == []
    assert signed_overrides(SimpleNamespace(person_id="P1")) == []  # not a decision


def test_statements_must_speak_for_the_receipts_tree_and_recipient() -> None:
    ok = Statement("open_hold", "P1", 10, "hold H-1 open")
    assert check_statements([ok], 10, {"recipient": "P1"}) == [ok]
    with pytest.raises(VerificationError, match="speaks for tree size 10, the checkpoint is of 11"):
        check_statements([ok], 11, {"recipient": "P1"})
    with pytest.raises(VerificationError, match="is about 'P1', the receipt shows 'P2'"):
        check_statements([ok], 10, {"recipient": "P2"})
