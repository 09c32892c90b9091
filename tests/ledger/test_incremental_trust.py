"""Incremental audit (`since`) trusts nothing it did not check: the registry rows before its
boundary, the prefix's size, and every checkpoint stored after it (issue 10, item 3)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from domain.errors import DomainError, VerificationError
from domain.registry import Signer
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.note import Checkpoint, sign_checkpoint
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import SEQ_P1, SEQ_SEC_REGISTERED, Keys, RawRows, checkpoint_note


def _new_units(app: LedgerApp, keys: Keys, *ids: str) -> None:
    for unit_id in ids:
        registry.add_unit(app, keys.sec, unit_id, "Đơn vị", "office")


def _checkpoint_unaudited(app: LedgerApp, key: Any, name: str) -> str:
    """Sign and store a checkpoint over the rows as they are, without auditing them first."""
    tree, _ = app.tree()
    note = sign_checkpoint(Checkpoint(app.origin, tree.size, tree.root()), app.origin, key)
    genesis = app.genesis()
    genesis.record_checkpoint(tree.size, tree.root(), note, tree.compact_range())
    app.save_signed(name, key, [genesis])
    return note


def _trusted_beyond(app: LedgerApp, keys: Keys) -> str:
    """A checkpoint over 10 events: only events 8 and 9 (its last subtree) are hashed by an
    incremental audit, so an edit of an earlier row is found only by checking it."""
    _new_units(app, keys, "U2")
    note, _ = registry.sign_new_checkpoint(app, keys.op)
    return note


def test_an_edited_registration_before_the_boundary_is_caught(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    # The attacker swaps sec's registered key for their own, then signs a new event as 'sec':
    # the new event verifies against the swapped key, so only checking the old row finds it.
    trusted = _trusted_beyond(ledger, keys)
    row = raw.row(SEQ_SEC_REGISTERED)
    real, fake = (base64.b64encode(keys.public(n)) for n in ("sec", "other"))
    assert real in row.state
    raw.update_state(SEQ_SEC_REGISTERED, row.state.replace(real, fake))
    unit = registry.new_unit(ledger, "FORGED", "Đơn vị", "office", None, {})
    ledger.save_signed("sec", keys.other, [unit])

    report = audit(apps(ledger.location.url), since=trusted)

    assert not report.ok
    assert (report.problems[0].seq, report.problems[0].step) == (None, 4)
    assert "Signer.Registered v1" in report.problems[0].message
    assert "before the trusted checkpoint: signature does not verify" in report.problems[0].message
    # the trusted checkpoint's registry line committed to the real key: it no longer matches
    assert all(p.step == 6 and "registry line" in p.message for p in report.problems[1:])


def test_a_registration_with_a_bad_signature_before_the_boundary_is_caught(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    trusted = _trusted_beyond(ledger, keys)
    state = raw.row(SEQ_SEC_REGISTERED).state
    body, _, signature = state.rpartition(b"\n")
    forged = base64.b64encode(bytes(64 - 1) + b"\x01")
    raw.update_state(SEQ_SEC_REGISTERED, body + b"\n" + forged)
    assert forged != signature
    _new_units(ledger, keys, "U3")

    report = audit(apps(ledger.location.url), since=trusted)

    assert [(p.seq, p.step) for p in report.problems] == [(None, 4)]
    assert audit(apps(ledger.location.url)).problems[0].seq == SEQ_SEC_REGISTERED


def test_a_registration_signed_by_a_non_operator_before_the_boundary_is_caught(
    ledger_url: str, apps: Callable[[str], LedgerApp]
) -> None:
    app = apps(ledger_url)
    op, sec, clerk = generate_key(), generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/prefix", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    # the secretary registers a signer of its own (the write path would refuse it)
    app.save_signed("sec", sec, [Signer.register("clerk", raw_public_key(clerk), ["secretary"])])
    trusted = _checkpoint_unaudited(app, op, "op")  # `awards checkpoint` would refuse it now
    app.save_signed("clerk", clerk, [registry.new_unit(app, "U1", "Đơn vị", "office", None, {})])

    report = audit(apps(ledger_url), since=trusted)

    assert [(p.seq, p.step) for p in report.problems] == [(None, 3)]
    assert "signer 'sec' lacks role operator" in report.problems[0].message


@pytest.mark.parametrize("last_subtree", [8, 2], ids=["in-the-hashed-subtree", "counted"])
def test_a_deleted_row_before_the_boundary_is_caught(
    ledger: LedgerApp,
    keys: Keys,
    raw: RawRows,
    apps: Callable[[str], LedgerApp],
    last_subtree: int,
) -> None:
    # The trusted checkpoint covers 8 events (its last subtree: all 8, hashed) or 10 (its
    # last subtree: events 8 and 9, hashed; the deleted event 6 lies before it: counted).
    if last_subtree == 8:
        trusted = checkpoint_note(ledger)
    else:
        _new_units(ledger, keys, "U2")
        trusted, _ = registry.sign_new_checkpoint(ledger, keys.op)
    _new_units(ledger, keys, "U3")
    assert audit(apps(ledger.location.url), since=trusted).ok
    raw.delete(SEQ_P1)

    report = audit(apps(ledger.location.url), since=trusted)

    assert not report.ok
    first = report.problems[0]
    assert (first.seq, first.step) == (None, 7)
    assert first.message.startswith("trusted checkpoint of size")
    assert "deleted" in first.message


def test_a_row_inserted_before_the_boundary_is_caught(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    trusted = _trusted_beyond(ledger, keys)
    _new_units(ledger, keys, "U3")
    # A copy of a real, signed row (as another aggregate) appended, then moved to seq 6:
    # every later row, the trusted checkpoint's included, moves one place on.
    copy = raw.row(SEQ_P1)
    raw.insert(uuid.uuid4(), 1, copy.topic, copy.state)
    for here in range(raw.count() - 1, SEQ_P1, -1):
        raw.swap_rows(here - 1, here)

    report = audit(apps(ledger.location.url), since=trusted)

    messages = [p.message for p in report.problems]
    assert messages[0].endswith("1 event before it was inserted"), messages


def _race(ledger: LedgerApp, keys: Keys, forge: bool) -> tuple[str, int, int]:
    """Two checkpoint commands race: X signs size s, rows land, Y signs size n > s; X stores
    first (at seq n), Y after it. Returns (Y's note, s, X's seq). With `forge`, X's signed root
    and stored frontier are not the tree's."""
    tree, _ = ledger.tree()
    small = tree.size
    root, frontier = tree.root(small), tree.compact_range(small)
    if forge:
        root, frontier = bytes(32), [bytes(32)] * len(frontier)
    x_note = sign_checkpoint(Checkpoint(ledger.origin, small, root), ledger.origin, keys.op)
    _new_units(ledger, keys, "U2", "U3", "U4")
    tree, _ = ledger.tree()
    big = tree.size
    y_note = sign_checkpoint(Checkpoint(ledger.origin, big, tree.root()), ledger.origin, keys.op)
    y_frontier = tree.compact_range()
    genesis = ledger.genesis()
    genesis.record_checkpoint(small, root, x_note, frontier)
    ledger.save_signed("op", keys.op, [genesis])
    genesis = ledger.genesis()
    genesis.record_checkpoint(big, tree.root(big), y_note, y_frontier)
    ledger.save_signed("op", keys.op, [genesis])
    return y_note, small, big


def test_a_smaller_checkpoint_stored_after_the_trusted_one_is_lined_up_backwards(
    ledger: LedgerApp, keys: Keys, apps: Callable[[str], LedgerApp]
) -> None:
    trusted, _, _ = _race(ledger, keys, forge=False)
    assert audit(apps(ledger.location.url)).ok

    report = audit(apps(ledger.location.url), since=trusted)

    assert report.ok, report.problems
    assert report.checkpoints == 2  # X, lined up backwards from Y's frontier, and Y itself
    registry.sign_new_checkpoint(ledger, keys.op)  # the next checkpoint's audit accepts it


def test_a_checkpoint_that_cannot_be_lined_up_is_a_problem_not_a_match(
    ledger: LedgerApp, keys: Keys, apps: Callable[[str], LedgerApp]
) -> None:
    # X's note is the operator's, but its root and frontier are not the tree's: the fold from
    # the trusted frontier cannot reach it forwards, and backwards it does not line up.
    trusted, _, x_seq = _race(ledger, keys, forge=True)
    assert not audit(apps(ledger.location.url)).ok  # the full audit checks it against the tree

    report = audit(apps(ledger.location.url), since=trusted)

    assert [(p.seq, p.step) for p in report.problems] == [(x_seq, 6)]
    assert "cannot be lined up" in report.problems[0].message
    assert report.checkpoints == 1  # the trusted checkpoint's own event only
    with pytest.raises(VerificationError, match="checkpoint refused"):
        registry.sign_new_checkpoint(ledger, keys.op)


def test_a_checkpoint_signed_while_writes_landed_is_checked_not_skipped(
    ledger: LedgerApp, keys: Keys, apps: Callable[[str], LedgerApp]
) -> None:
    # The note is over size N, its event lands after a later write (seq N + 1): the fold
    # passes N on the way, so it is compared there — a wrong root is caught.
    trusted = checkpoint_note(ledger)
    _new_units(ledger, keys, "U2")
    tree, _ = ledger.tree()
    size, frontier = tree.size, tree.compact_range()
    _new_units(ledger, keys, "U3")
    wrong = bytes(32)
    note = sign_checkpoint(Checkpoint(ledger.origin, size, wrong), ledger.origin, keys.op)
    genesis = ledger.genesis()
    genesis.record_checkpoint(size, wrong, note, frontier)
    ledger.save_signed("op", keys.op, [genesis])

    report = audit(apps(ledger.location.url), since=trusted)

    assert [(p.seq, p.step) for p in report.problems] == [(size + 1, 6)]
    assert "root mismatch" in report.problems[0].message


def test_late_checkpoints_and_cosigned_copies_that_line_up_are_counted(
    ledger: LedgerApp, keys: Keys, apps: Callable[[str], LedgerApp]
) -> None:
    trusted = checkpoint_note(ledger)
    _new_units(ledger, keys, "U2")
    tree, _ = ledger.tree()
    size, root, frontier = tree.size, tree.root(), tree.compact_range()
    _new_units(ledger, keys, "U3")
    note = sign_checkpoint(Checkpoint(ledger.origin, size, root), ledger.origin, keys.op)
    genesis = ledger.genesis()
    genesis.record_checkpoint(size, root, note, frontier)
    ledger.save_signed("op", keys.op, [genesis])
    registry.attach_cosignatures(ledger, keys.op, note)

    report = audit(apps(ledger.location.url), since=trusted)

    assert report.ok, report.problems
    assert report.checkpoints == 3  # the trusted one's event, the late one, its cosigned copy


def _ledger_with_prefix(url: str, fillers: int) -> tuple[LedgerApp, str]:
    """A ledger with `fillers` workflow events before its trusted checkpoint (whose last
    subtree is always 4 events wide), then 5 new events."""
    app = open_ledger(url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/prefix", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    size = 5 + fillers
    fillers += (4 - size) % 8  # a tree size of 4 modulo 8
    units = [registry.new_unit(app, f"F{n}", "Đơn vị", "office", None, {}) for n in range(fillers)]
    app.save_signed("sec", sec, units)
    trusted, _ = registry.sign_new_checkpoint(app, op)
    for n in range(5):
        registry.add_unit(app, sec, f"N{n}", "Đơn vị", "office")
    return app, trusted


def test_the_rows_an_incremental_audit_reads_do_not_grow_with_the_prefix(
    ledger_url: str, sibling_url: str, rows_read: list[int]
) -> None:
    read = rows_read
    small, small_note = _ledger_with_prefix(ledger_url, 10)
    large, large_note = _ledger_with_prefix(sibling_url, 300)
    for app, note in ((small, small_note), (large, large_note)):
        read.append(0)
        report = audit(app, since=note)
        assert report.ok, report.problems
        assert report.size - report.checked_from == 6  # its checkpoint event and 5 units
        app.close()

    assert read[0] == read[1]
    assert read[0] < 30  # the Ledger's and sec's rows, the 4 hashed rows, the new rows


def test_a_registration_by_a_rotated_out_operator_before_the_boundary_is_caught(
    ledger_url: str, apps: Callable[[str], LedgerApp]
) -> None:
    app = apps(ledger_url)
    op, op2, late = generate_key(), generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/prefix", "op", op)
    registry.rotate_operator(app, op, "op2", op2)
    # the old operator, revoked by the rotation, registers a signer of its own
    app.save_signed("op", op, [Signer.register("late", raw_public_key(late), ["secretary"])])
    trusted = _checkpoint_unaudited(app, op2, "op2")
    app.save_signed("late", late, [registry.new_unit(app, "U1", "Đơn vị", "office", None, {})])

    report = audit(apps(ledger_url), since=trusted)

    assert [(p.seq, p.step) for p in report.problems] == [(None, 3)]
    assert "signer 'op' was revoked" in report.problems[0].message


def test_a_checkpoint_smaller_than_the_latest_stored_is_refused(
    ledger: LedgerApp, keys: Keys
) -> None:
    # Two checkpoint commands race: the one that signed the smaller tree stores last. Storing it
    # would put a checkpoint no incremental audit from the larger one can line up.
    registry.sign_new_checkpoint(ledger, keys.op)
    genesis = ledger.genesis()
    assert genesis.latest_checkpoint is not None
    size = genesis.latest_checkpoint.size
    before = ledger.last_notification_id()
    with pytest.raises(DomainError, match=f"a checkpoint of size {size} was stored meanwhile"):
        genesis.record_checkpoint(size - 1, bytes(32), "note", [])
    assert ledger.last_notification_id() == before
