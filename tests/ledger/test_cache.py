"""The frontier cache: write receipts fold only new rows, and agree with a full recompute."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.registry import Unit
from ledger.application import LedgerApp, WriteReceipt, open_ledger
from ledger.cache import Frontier
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.usecases import registry
from ledger.verify import audit


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


# -- PostgreSQL: the receipt folded while the insert holds the table's lock ----------------------


def _two_signers(url: str) -> tuple[LedgerApp, Ed25519PrivateKey]:
    op, sec = generate_key(), generate_key()
    app = open_ledger(url)
    registry.initialise(app, "example.gov.vn/cache", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    return app, sec


def _folded(app: LedgerApp, receipt: WriteReceipt) -> tuple[list[int], Frontier] | None:
    """What the recorder folded for the receipt's rows (None: not folded)."""
    folded = getattr(app.recorder, "folded", None)
    ids = [app.notification_id_of(seq) for seq in receipt.seqs]
    return None if folded is None else folded(ids)


def _sql(app: LedgerApp, statement: str, *params: object) -> None:
    with app.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(statement.format(table=app.frontier_cache.table), params)


def test_a_save_folds_its_receipt_before_it_commits(ledger_url: str) -> None:
    # on both backends: the insert's transaction holds the write (table) lock while it folds
    app, sec = _two_signers(ledger_url)
    for i in range(3):
        units = [Unit.add(f"U{i}-{n}", f"Đơn vị {i}.{n}", "office", None) for n in range(4)]
        receipt = app.save_signed("sec", sec, units)
        assert (receipt.size, receipt.root) == _full_root(ledger_url)
        assert receipt.seqs == list(range(receipt.size - 4, receipt.size))
        folded = _folded(app, receipt)
        assert folded is not None and folded[0] == receipt.seqs
        assert folded[1] == app.frontier_cache.load()  # and the cache moved with it
        assert folded[1].size == receipt.size


@pytest.mark.parametrize("case", ["a-row-in-between", "other-bytes-at-its-end"])
def test_a_cache_that_does_not_end_just_before_the_new_rows_is_not_folded(
    ledger_url: str, case: str
) -> None:
    app, sec = _two_signers(ledger_url)
    registry.add_unit(app, sec, "U0", "Đơn vị 0", "office")
    entries = list(app.entries())
    if case == "a-row-in-between":  # a true frontier, one row short of the log
        covered, last_hash = entries[:-1], leaf_hash(entries[-2].state)
    else:  # the right size and row id, but the row's bytes are not the ones it hashed
        covered, last_hash = entries, b"\x01" * 32
    tree = MerkleTree(leaf_hash(e.state) for e in covered)
    p = app.frontier_cache.param
    _sql(
        app,
        f"UPDATE {{table}} SET size = {p}, last_id = {p}, last_hash = {p}, hashes = {p}",
        tree.size,
        covered[-1].notification_id,
        last_hash,
        b"".join(tree.compact_range()),
    )

    receipt = registry.add_unit(app, sec, "U1", "Đơn vị 1", "office")

    assert _folded(app, receipt) is None
    assert (receipt.size, receipt.root) == _full_root(ledger_url)
    assert receipt.seqs == [len(entries)]


def test_a_failing_fold_never_fails_the_write(ledger_url: str) -> None:
    app, sec = _two_signers(ledger_url)
    registry.add_unit(app, sec, "U0", "Đơn vị 0", "office")
    _sql(app, "DROP TABLE {table}")
    receipt = registry.add_unit(app, sec, "U1", "Đơn vị 1", "office")
    assert _folded(app, receipt) is None
    assert (receipt.size, receipt.root) == _full_root(ledger_url)
    assert audit(open_ledger(ledger_url)).ok
    # the slow path put the cache back: the next save folds again (on PostgreSQL)
    receipt = registry.add_unit(open_ledger(ledger_url), sec, "U2", "Đơn vị 2", "office")
    assert (receipt.size, receipt.root) == _full_root(ledger_url)
