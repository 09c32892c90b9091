"""Incremental audit (`since`): new checkpoints are compared with the tree folded from the
trusted checkpoint's frontier."""

from __future__ import annotations

from typing import Any

import pytest

from ledger import verify_checkpoints
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.note import Checkpoint, sign_checkpoint
from ledger.usecases import registry
from ledger.verify import audit


def test_a_new_checkpoint_with_a_wrong_root_is_caught_incrementally(ledger_url: str) -> None:
    app = open_ledger(ledger_url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/incremental", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    trusted, _ = registry.sign_new_checkpoint(app, op)
    registry.add_unit(app, sec, "U1", "Đơn vị", "office")
    registry.sign_new_checkpoint(app, op)
    assert audit(open_ledger(ledger_url), since=trusted).ok

    # The operator signs a checkpoint over the right size but a made-up root.
    tree, _ = app.tree()
    wrong_root = bytes(32)
    note = sign_checkpoint(Checkpoint(app.origin, tree.size, wrong_root), app.origin, op)
    ledger = app.genesis()
    ledger.record_checkpoint(tree.size, wrong_root, note, tree.compact_range())
    app.save_signed("op", op, [ledger])

    report = audit(open_ledger(ledger_url), since=trusted)
    assert not report.ok
    assert "root mismatch" in report.problems[0].message
    assert report.problems[0].seq == tree.size


def _ledger_with_checkpoint(url: str) -> tuple[LedgerApp, Any, Any, str]:
    app = open_ledger(url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/incremental", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    for n in range(5):
        registry.add_unit(app, sec, f"U{n}", "Đơn vị", "office")
    return app, op, sec, registry.sign_new_checkpoint(app, op)[0]


def test_the_start_is_found_when_writes_landed_between_the_tree_and_its_checkpoint(
    ledger_url: str,
) -> None:
    # An office writes while the operator signs: the checkpoint event then sits after an
    # event its tree does not cover, so the rows just before it are not the tree's last leaves.
    app, op, sec, _ = _ledger_with_checkpoint(ledger_url)
    tree, _ = app.tree()
    size, root, frontier = tree.size, tree.root(), tree.compact_range()
    registry.add_unit(app, sec, "LATE", "Đơn vị", "office")
    note = sign_checkpoint(Checkpoint(app.origin, size, root), app.origin, op)
    ledger = app.genesis()
    ledger.record_checkpoint(size, root, note, frontier)
    app.save_signed("op", op, [ledger])
    registry.add_unit(app, sec, "NEW", "Đơn vị", "office")

    report = audit(open_ledger(ledger_url), since=note)

    full = audit(open_ledger(ledger_url))
    assert report.ok, report.problems
    assert (report.checked_from, report.size, report.root) == (size, full.size, full.root)


def test_counting_rows_on_the_index_finds_the_same_start(
    ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _, sec, trusted = _ledger_with_checkpoint(ledger_url)
    registry.add_unit(app, sec, "NEW", "Đơn vị", "office")
    hashed = audit(open_ledger(ledger_url), since=trusted)
    monkeypatch.setattr(verify_checkpoints, "BOUNDARY_ROWS", 0)  # never hash: always count

    counted = audit(open_ledger(ledger_url), since=trusted)

    assert hashed.ok and counted.ok
    assert (counted.checked_from, counted.size, counted.root) == (
        hashed.checked_from,
        hashed.size,
        hashed.root,
    )


def test_a_signer_revoked_before_the_trusted_checkpoint_is_still_revoked_after_it(
    ledger_url: str,
) -> None:
    # The incremental audit reads no registry by scanning the log: each signer's history
    # before the checkpoint is loaded when a new event names it, and must include this.
    app, op, sec, _ = _ledger_with_checkpoint(ledger_url)
    registry.revoke_signer(app, op, "sec", "moved to another office")
    trusted, _ = registry.sign_new_checkpoint(app, op)
    unit = registry.new_unit(app, "FORGED", "Đơn vị", "office", None, {})
    app.save_signed("sec", sec, [unit])  # bypasses the write path's own check

    report = audit(open_ledger(ledger_url), since=trusted)

    assert not report.ok
    assert [(p.step, p.message.rpartition(": ")[2]) for p in report.problems] == [
        (3, "signer 'sec' was revoked")
    ]
    assert report.problems[0].seq == report.size - 1  # after the checkpoint event itself


def test_a_signer_registered_after_the_trusted_checkpoint_may_sign(ledger_url: str) -> None:
    app, op, _, trusted = _ledger_with_checkpoint(ledger_url)
    clerk = generate_key()
    registry.add_signer(app, op, "clerk", raw_public_key(clerk), ["secretary"])
    registry.add_unit(app, clerk, "BY-CLERK", "Đơn vị", "office")

    report = audit(open_ledger(ledger_url), since=trusted)

    assert report.ok, report.problems
    # new: the checkpoint event, the clerk's registration (signer and key records), the unit
    assert report.size - report.checked_from == 4
