"""Incremental audit (`since`): new checkpoints are compared with the tree folded from the
trusted checkpoint's frontier."""

from __future__ import annotations

from ledger.application import open_ledger
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
