"""Bindings and small-order keys through the CLI: `signer add` refuses a small-order key
(exit 3, one line, nothing recorded); `verify` and `verify-receipt` exit 4 naming the event
and the broken binding, on both backends."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.keys import generate_key, raw_public_key
from ledger.receipt import assemble_receipt, encode_receipt
from ledger.registry_tree import registry_line
from ledger.usecases import registry
from tests.conftest import LEDGER_SIZE, Cli, Keys, RawRows, one_error_line
from tests.forge import IDENTITY, decision, insert, store_unaudited_checkpoint

# SubjectPublicKeyInfo of an Ed25519 key: this DER prefix, then the 32 key bytes
_SPKI_ED25519 = bytes.fromhex("302a300506032b6570032100")


def _pem(raw: bytes) -> str:
    body = base64.b64encode(_SPKI_ED25519 + raw).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"


@pytest.mark.parametrize(
    "encoded",
    ["01" + "00" * 31, "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"],
    ids=["identity", "order 8"],
)
def test_signer_add_refuses_a_small_order_key(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path, encoded: str
) -> None:
    pub = tmp_path / "ghost.pub"
    pub.write_text(_pem(bytes.fromhex(encoded)))
    before = raw.snapshot()

    result = awards(
        "signer", "add", "ghost", "--pub", pub, "--role", "secretary", "--key", keys.op_key
    )

    assert result.exit_code == 3, result.output
    line = one_error_line(result)
    assert line == (
        f"error: signer add rejected: signer 'ghost': key {encoded} is a point of small order "
        "(anyone could sign for it)"
    )
    assert raw.snapshot() == before


def _forged_decision(ledger: LedgerApp, raw: RawRows, keys: Keys) -> int:
    """Authority 'b' signs a decision naming authority 'a'; returns its seq."""
    a, b = generate_key(), generate_key()
    for name, key in (("a", a), ("b", b)):
        registry.add_signer(
            ledger, keys.op, name, raw_public_key(key), ["authority"], None, ["advanced_worker"]
        )
    return insert(raw, decision("QĐ-9", authority="a"), "b", b)


def test_verify_names_the_event_and_the_broken_binding(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    seq = _forged_decision(ledger, raw, keys)
    assert seq == LEDGER_SIZE + 4

    result = awards("verify")

    assert result.exit_code == 4
    line = one_error_line(result)
    assert re.match(rf"error: verify failed: event {seq} \(Decision\.Recorded v1\): ", line), line
    assert "payload.authority = body.signer broken: 'a' is not the signer 'b'" in line


def test_verify_receipt_names_the_broken_binding(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path
) -> None:
    seq = _forged_decision(ledger, raw, keys)
    refused = awards("checkpoint", "--key", keys.op_key)  # an honest operator signs nothing
    assert refused.exit_code == 4 and "checkpoint refused" in one_error_line(refused)
    size = ledger.tree()[0].size  # one who skips the audit: the receipt still fails
    store_unaudited_checkpoint(ledger, keys.op, "op", (registry_line(ledger, size),))
    out = tmp_path / "receipt.json"
    out.write_bytes(encode_receipt(assemble_receipt(ledger, seq)))

    result = awards("verify-receipt", out, "--operator-pub", keys.op_pub, ledger=False)

    assert result.exit_code == 4
    assert one_error_line(result) == (
        "error: receipt: Decision.Recorded v1: payload.authority = body.signer broken: 'a' is "
        "not the signer 'b'"
    )


def _small_order_public_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the use cases see the identity point as the public half of any private key (a
    real private key never has one: its public key is a multiple of the base point)."""
    monkeypatch.setattr("ledger.usecases.registry.raw_public_key", lambda _key: IDENTITY)


def test_init_refuses_a_small_order_operator_key(
    ledger_url: str, awards: Cli, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_order_public_key(monkeypatch)

    result = awards("init", "--origin", "a.example/log", "--operator", "op", "--key", keys.op_key)

    assert result.exit_code == 3
    assert one_error_line(result) == (
        f"error: init rejected: operator 'op': key {IDENTITY.hex()} is a point of small order "
        "(anyone could sign for it)"
    )
    assert RawRows(ledger_url).count() == 0


def test_operator_rotate_refuses_a_small_order_key(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = raw.snapshot()
    _small_order_public_key(monkeypatch)

    result = awards(
        "operator", "rotate", "--new-name", "op2", "--new-key", keys.other_key,
        "--key", keys.op_key,
    )  # fmt: skip

    assert result.exit_code == 3
    assert one_error_line(result).startswith(
        "error: operator rotate rejected: new operator 'op2': key 0100"
    )
    assert raw.snapshot() == before
