"""The frontier cache is never believed as stored: a row edited without the local key is
refused (the receipt after it carries the true root, also in PostgreSQL's in-transaction fold),
replaced by the next write, and reported by `verify`; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.application import LedgerApp, WriteReceipt, open_ledger
from ledger.cache import Frontier
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import RawRows


def _two_signers(url: str) -> tuple[LedgerApp, Ed25519PrivateKey]:
    op, sec = generate_key(), generate_key()
    app = open_ledger(url)
    registry.initialise(app, "example.gov.vn/cache", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    for i in range(3):
        registry.add_unit(app, sec, f"U{i}", f"Đơn vị {i}", "office")
    return app, sec


def _true_root(url: str) -> tuple[int, str]:
    app = open_ledger(url)
    try:
        tree = MerkleTree(leaf_hash(e.state) for e in app.entries())
    finally:
        app.close()
    return tree.size, tree.root().hex()


def _folded(app: LedgerApp, receipt: WriteReceipt) -> object:
    folded = getattr(app.recorder, "folded", None)
    ids = [app.notification_id_of(seq) for seq in receipt.seqs]
    return None if folded is None else folded(ids)


def _flip(blob: object) -> bytes:
    data = bytearray(bytes(blob))  # type: ignore[arg-type]
    data[0] ^= 1
    return bytes(data)


def _edit_hashes(app: LedgerApp, raw: RawRows) -> None:
    """Change the cached frontier's first subtree hash, leaving size and last row alone: the
    root a receipt folds onto it would be a lie."""
    table = app.frontier_cache.table
    [(hashes,)] = raw.execute(f"SELECT hashes FROM {table}")
    raw.execute(f"UPDATE {table} SET hashes = ?", (_flip(hashes),))


def _edit_consistently(app: LedgerApp, raw: RawRows) -> None:
    """A whole forged row: a tree of one leaf fewer, ending on the true previous row, with the
    seal left as it was."""
    entries = list(app.entries())
    tree = MerkleTree(leaf_hash(e.state) for e in entries[:-1])
    raw.execute(
        f"UPDATE {app.frontier_cache.table} SET size = ?, last_id = ?, last_hash = ?, hashes = ?",
        (
            tree.size,
            entries[-2].notification_id,
            leaf_hash(entries[-2].state),
            b"".join(tree.compact_range()),
        ),
    )


EDITS: dict[str, Callable[[LedgerApp, RawRows], None]] = {
    "hashes": _edit_hashes,
    "whole-row": _edit_consistently,
    "seal": lambda app, raw: raw.execute(
        f"UPDATE {app.frontier_cache.table} SET seal = ?", (b"\x02" * 32,)
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_frontier_is_refused_and_the_receipt_has_the_true_root(
    ledger_url: str, edit: str
) -> None:
    app, sec = _two_signers(ledger_url)
    raw = RawRows(ledger_url)
    assert app.frontier_cache.load() is not None
    EDITS[edit](app, raw)
    assert app.frontier_cache.load() is None  # its seal no longer opens

    receipt = registry.add_unit(app, sec, "U9", "Đơn vị 9", "office")

    assert (receipt.size, receipt.root) == _true_root(ledger_url)
    assert _folded(app, receipt) is None  # PostgreSQL's in-lock fold refused it too
    cached = app.frontier_cache.load()  # and the write put a sealed, true row back
    assert cached is not None and cached.size == receipt.size
    again = registry.add_unit(open_ledger(ledger_url), sec, "U10", "Đơn vị 10", "office")
    assert (again.size, again.root) == _true_root(ledger_url)


@pytest.mark.parametrize("edit", list(EDITS))
def test_verify_reports_an_edited_frontier(ledger_url: str, edit: str) -> None:
    app, _ = _two_signers(ledger_url)
    assert audit(app).ok
    EDITS[edit](app, RawRows(ledger_url))

    report = audit(app)

    assert not report.ok
    messages = [p.message for p in report.problems]
    assert {p.step for p in report.problems} == {8}, messages
    assert any("fails its seal" in m for m in messages), messages
    if edit == "hashes":
        assert any("does not match the tree" in m for m in messages), messages


def test_another_keys_row_is_checked_against_the_tree_but_never_used(ledger_url: str) -> None:
    app, sec = _two_signers(ledger_url)
    raw, table = RawRows(ledger_url), app.frontier_cache.table
    raw.execute(f"UPDATE {table} SET key_id = ?", ("0123456789abcdef",))  # another office's

    report = audit(app)
    assert report.ok and any("sealed by another key" in n for n in report.notes)
    assert app.frontier_cache.load() is None  # not ours: never used here

    receipt = registry.add_unit(app, sec, "U9", "Đơn vị 9", "office")
    assert (receipt.size, receipt.root) == _true_root(ledger_url)

    _edit_hashes_of(raw, table, "0123456789abcdef")
    messages = [p.message for p in audit(app).problems]
    assert messages == [
        f"frontier cache of local key 0123456789abcdef: does not match the tree of size "
        f"{receipt.size - 1}"
    ]


def _edit_hashes_of(raw: RawRows, table: str, key_id: str) -> None:
    [(hashes,)] = raw.execute(f"SELECT hashes FROM {table} WHERE key_id = ?", (key_id,))
    raw.execute(f"UPDATE {table} SET hashes = ? WHERE key_id = ?", (_flip(hashes), key_id))


def test_without_a_usable_local_key_nothing_is_cached(
    ledger_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loose = tmp_path / "view.key"
    loose.write_bytes(b"k" * 32)
    loose.chmod(0o644)  # readable by others: not a secret, not used
    monkeypatch.setenv("AWARDS_VIEW_KEY_FILE", str(loose))
    app, sec = _two_signers(ledger_url)

    receipt = registry.add_unit(app, sec, "U9", "Đơn vị 9", "office")

    assert (receipt.size, receipt.root) == _true_root(ledger_url)
    assert app.frontier_cache.key is None and app.frontier_cache.rows() == []


def test_a_frontier_sealed_for_one_size_is_not_accepted_at_another(ledger_url: str) -> None:
    app, sec = _two_signers(ledger_url)
    cached = app.frontier_cache.load()
    assert cached is not None
    # a larger size with the same hashes: the seal covers the size
    app.frontier_cache.store(Frontier(cached.size, cached.last_id, cached.last_hash, cached.hashes))
    raw = RawRows(ledger_url)
    raw.execute(f"UPDATE {app.frontier_cache.table} SET size = ?", (cached.size + 2**20,))
    assert app.frontier_cache.load() is None
    receipt = registry.add_unit(app, sec, "U9", "Đơn vị 9", "office")
    assert (receipt.size, receipt.root) == _true_root(ledger_url)
