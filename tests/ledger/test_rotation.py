"""Operator key rotation: the outgoing operator hands over; verification spans the switch."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import AlreadyExistsError, CheckpointError, SignerNotAllowedError
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.receipt import build_receipt, encode_receipt, verify_receipt
from ledger.usecases import registry
from ledger.verify import audit

ORIGIN = "example.gov.vn/awards/rotation"


def _ledger(
    url: str,
) -> tuple[LedgerApp, Ed25519PrivateKey, Ed25519PrivateKey, Ed25519PrivateKey]:
    app = open_ledger(url)
    op, sec, op2 = generate_key(), generate_key(), generate_key()
    registry.initialise(app, ORIGIN, "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    return app, op, sec, op2


def test_rotate_then_verify_across_the_switch(ledger_url: str) -> None:
    app, op, sec, op2 = _ledger(ledger_url)
    first, _ = registry.sign_new_checkpoint(app, op)
    receipt = registry.rotate_operator(app, op, "op2", op2)
    assert len(receipt.seqs) == 4  # rotation, new signer, its key, the old one revoked
    registry.add_unit(app, sec, "U1", "Đơn vị một", "agency")
    second, _ = registry.sign_new_checkpoint(app, op2)
    report = audit(open_ledger(ledger_url), checkpoints=[first, second])
    assert report.ok, report.problems
    assert app.genesis().operator == "op2"


def test_old_operator_key_signs_nothing_after_rotation(ledger_url: str) -> None:
    app, op, _sec, op2 = _ledger(ledger_url)
    registry.rotate_operator(app, op, "op2", op2)
    size = app.tree()[0].size
    with pytest.raises(SignerNotAllowedError, match="'op' is revoked"):
        registry.sign_new_checkpoint(app, op)
    assert app.tree()[0].size == size


def test_rotation_refused_to_a_taken_name_or_by_a_non_operator(ledger_url: str) -> None:
    app, op, sec, op2 = _ledger(ledger_url)
    size = app.tree()[0].size
    with pytest.raises(AlreadyExistsError, match="signer 'sec' exists"):
        registry.rotate_operator(app, op, "sec", op2)
    with pytest.raises(SignerNotAllowedError):
        registry.rotate_operator(app, sec, "op2", op2)
    assert app.tree()[0].size == size


def test_receipt_verifies_with_old_or_new_operator_key_only(ledger_url: str) -> None:
    app, op, sec, op2 = _ledger(ledger_url)
    registry.rotate_operator(app, op, "op2", op2)
    unit = registry.add_unit(app, sec, "U1", "Đơn vị một", "agency")
    registry.sign_new_checkpoint(app, op2)
    data = encode_receipt(build_receipt(app, unit.seqs[0], {"unit_id": "U1"}))
    for key in (op, op2):
        assert verify_receipt(data, raw_public_key(key)).shown == {"unit_id": "U1"}
    with pytest.raises(CheckpointError, match="operator key mismatch"):
        verify_receipt(data, raw_public_key(sec))
