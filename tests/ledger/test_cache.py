"""The frontier cache: write receipts fold only new rows, and agree with a full recompute."""

from __future__ import annotations

from ledger.application import open_ledger
from ledger.cache import Frontier
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.usecases import registry


def _full_root(url: str) -> tuple[int, str]:
    tree = MerkleTree(leaf_hash(e.state) for e in open_ledger(url).entries())
    return tree.size, tree.root().hex()


def test_receipts_match_a_full_recompute_across_processes(ledger_url: str) -> None:
    op, sec = generate_key(), generate_key()
    app = open_ledger(ledger_url)
    registry.initialise(app, "example.gov.vn/cache", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    for i in range(5):
        # A fresh app each time stands for a fresh CLI process: only the cache carries over.
        receipt = registry.add_unit(open_ledger(ledger_url), sec, f"U{i}", f"Đơn vị {i}", "office")
        assert (receipt.size, receipt.root) == _full_root(ledger_url)
        assert receipt.seqs == [receipt.size - 1]
    cached = app.frontier_cache.load()
    assert cached is not None and cached.size == receipt.size


def test_a_stale_or_corrupt_cache_is_ignored_or_overtaken(ledger_url: str) -> None:
    op, sec = generate_key(), generate_key()
    app = open_ledger(ledger_url)
    registry.initialise(app, "example.gov.vn/cache", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    # A frontier whose hash count cannot match its size is not used at all.
    app.frontier_cache.store(
        Frontier(size=1000, last_id=10**9, last_hash=b"\x00" * 32, hashes=[b"\x00" * 32])
    )
    receipt = registry.add_unit(open_ledger(ledger_url), sec, "U1", "Đơn vị", "office")
    assert (receipt.size, receipt.root) == _full_root(ledger_url)
