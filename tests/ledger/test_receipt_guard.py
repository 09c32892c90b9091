"""No receipt for an event whose signer was revoked at or before it, nor for one the audit of
its covering checkpoint would not vouch for (issue 10, item 5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import DomainError
from ledger.application import LedgerApp
from ledger.note import Checkpoint, sign_checkpoint
from ledger.receipt import build_receipt, encode_receipt, verify_receipt
from ledger.tiled_proofs import recomputed_tree
from ledger.tiles import TileStore
from ledger.usecases import registry
from tests.conftest import LEDGER_SIZE, SEQ_P1, SEQ_UNIT, Cli, Keys, RawRows, one_error_line


def _checkpoint_unaudited(app: LedgerApp, key: Ed25519PrivateKey) -> None:
    """A checkpoint over the rows as they are, as `awards checkpoint` signed them before it
    audited first (ledgers keep such checkpoints), with hash tiles rebuilt over those rows."""
    tree, leaf_ids = app.tree()
    TileStore(app.recorder, app.location.is_postgres).store_rebuilt(tree, leaf_ids)
    note = sign_checkpoint(Checkpoint(app.origin, tree.size, tree.root()), app.origin, key)
    genesis = app.genesis()
    genesis.record_checkpoint(tree.size, tree.root(), note, tree.compact_range())
    app.save_signed("op", key, [genesis])


def test_no_receipt_for_an_event_signed_after_its_signer_was_revoked(
    ledger: LedgerApp, keys: Keys, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    registry.revoke_signer(ledger, keys.op, "sec", "key leaked")
    unit = registry.new_unit(ledger, "AFTER", "Đơn vị", "office", None, {})
    ledger.save_signed("sec", keys.sec, [unit])  # the thief, past the write path's check
    _checkpoint_unaudited(ledger, keys.op)
    forged = LEDGER_SIZE + 1

    with pytest.raises(DomainError, match="signer 'sec' of event 10 was revoked at event 9"):
        build_receipt(ledger, forged)
    out = tmp_path / "r.json"
    result = awards("prove", str(forged), "--out", out)
    assert result.exit_code == 1
    assert "receipt refused: signer 'sec' of event 10 was revoked" in one_error_line(result)
    assert not out.exists()
    # what 'sec' signed before the revocation keeps its receipt
    kept = encode_receipt(build_receipt(ledger, SEQ_UNIT, {"unit_id": "U1"}))
    assert verify_receipt(kept, keys.public("op")).seq == SEQ_UNIT


def test_no_receipt_once_a_carried_row_no_longer_hashes_to_the_checkpoint(
    ledger: LedgerApp, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    # The event's own row edited: its hash is no longer the leaf the signed tree holds.
    raw.update_state(SEQ_UNIT, raw.row(SEQ_UNIT).state.replace(b"U1", b"U9", 1))

    with pytest.raises(DomainError, match="no longer matches its checkpoint of size 8"):
        build_receipt(apps(ledger.location.url), SEQ_UNIT)


def test_a_receipt_proves_its_own_rows_not_the_rest_of_the_log(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    # A receipt is built from the rows it carries and the stored tiles (checked against the
    # signed root), not a pass over the log: an edit elsewhere is the audit's to report.
    recomputed_tree(ledger)  # tiles stored (a cloned PostgreSQL template has none yet)
    raw.update_state(SEQ_P1, raw.row(SEQ_P1).state.replace(b"Nguy", b"Ngui", 1))

    built = encode_receipt(build_receipt(apps(ledger.location.url), SEQ_UNIT))
    assert verify_receipt(built, keys.public("op")).seq == SEQ_UNIT


def test_no_receipt_for_a_bad_row_under_an_unaudited_checkpoint(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    raw.update_state(SEQ_P1, raw.row(SEQ_P1).state.replace(b"Nguy", b"Ngui", 1))
    app = apps(ledger.location.url)
    _checkpoint_unaudited(app, keys.op)

    with pytest.raises(DomainError, match="event 6 fails the audit: event 6: signature does not"):
        build_receipt(app, SEQ_P1)
    assert verify_receipt(encode_receipt(build_receipt(app, SEQ_UNIT)), keys.public("op"))
