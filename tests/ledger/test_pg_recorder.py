"""Large saves: one transaction however many rows, also when PostgreSQL inserts in chunks."""

from __future__ import annotations

import pytest

from domain.errors import ConcurrencyError
from domain.registry import Unit
from ledger import pg_recorder
from ledger.application import open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.usecases import registry


def test_a_conflict_in_the_last_chunk_leaves_nothing(
    ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_recorder, "CHUNK", 2)  # 5 rows: chunks of 2, 2 and 1
    app = open_ledger(ledger_url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/chunks", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    registry.add_unit(app, sec, "TAKEN", "Đơn vị", "office")
    before = [e.state for e in app.entries()]
    units = [Unit.add(f"N{i}", f"Mới {i}", "office", None) for i in range(4)]
    units.append(Unit.add("TAKEN", "Trùng", "office", None))  # version 1 again: a conflict
    with pytest.raises(ConcurrencyError):
        app.save_signed("sec", sec, units)
    assert [e.state for e in open_ledger(ledger_url).entries()] == before


def test_chunked_save_keeps_ledger_order_and_receipt(
    ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_recorder, "CHUNK", 3)
    app = open_ledger(ledger_url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/chunks", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    units = [Unit.add(f"N{i}", f"Mới {i}", "office", None) for i in range(10)]
    receipt = app.save_signed("sec", sec, units)
    assert receipt.seqs == list(range(5, 15))
    tree = MerkleTree(leaf_hash(e.state) for e in open_ledger(ledger_url).entries())
    assert (receipt.size, receipt.root) == (tree.size, tree.root().hex())
