"""Receipts from the stored hash tiles (issue 12, item 1): built from the rows they carry, read
on indexes, never from a pass over the log; a tile that disagrees with the signed checkpoint
refuses the receipt (exit 4) and nothing is written. A witness's consistency proof comes from
the tiles too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.errors import VerificationError
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, raw_public_key, write_key_pair
from ledger.note import Checkpoint, SignedNote
from ledger.receipt import build_receipt, encode_receipt, verify_receipt
from ledger.receipt_record import b64
from ledger.usecases import registry, witnessing
from tests.cli.test_witness_serve import Served
from tests.conftest import SEQ_P1, SEQ_UNIT, Keys, RawRows, populate
from tests.ledger.test_tiles import _awards, _flip_tile


def _ledger_of(url: str, fillers: int) -> tuple[LedgerApp, bytes]:
    """Genesis, signer 'sec', `fillers` units, a signed checkpoint over them all."""
    app = open_ledger(url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "example.gov.vn/receipt", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    units = [registry.new_unit(app, f"F{n}", "Đơn vị", "office", None, {}) for n in range(fillers)]
    app.save_signed("sec", sec, units)
    registry.sign_new_checkpoint(app, op)
    return app, raw_public_key(op)


def test_a_receipt_reads_the_rows_it_carries_not_the_log(
    ledger_url: str, sibling_url: str, rows_read: list[int]
) -> None:
    read = rows_read
    small, small_key = _ledger_of(ledger_url, 10)
    large, large_key = _ledger_of(sibling_url, 600)
    for app, key, seq in ((small, small_key, 7), (large, large_key, 500)):
        read.append(0)
        receipt = build_receipt(app, seq)
        assert verify_receipt(encode_receipt(receipt), key).seq == seq
        app.close()

    assert read[0] == read[1]  # the same registry and Ledger rows; the log's size is not read
    assert read[0] < 20  # the event, the genesis, sec's rows, the registry and Ledger rows


@pytest.fixture
def tiled(ledger_url: str, keys: Keys) -> Iterator[LedgerApp]:
    app = open_ledger(ledger_url)
    populate(app, keys)
    yield app
    app.close()


@pytest.mark.parametrize("at", [0, SEQ_UNIT * 32])  # the genesis's leaf, the event's leaf
def test_a_receipt_over_an_edited_tile_is_refused_and_nothing_written(
    tiled: LedgerApp, ledger_url: str, tmp_path: Path, at: int
) -> None:
    raw = RawRows(ledger_url)
    out = tmp_path / "receipt.json"
    assert _awards(ledger_url, "prove", str(SEQ_UNIT), "--out", str(out))[0] == 0
    out.unlink()
    _flip_tile(raw, 0, 0, at)
    snapshot = raw.snapshot()

    with pytest.raises(VerificationError, match="stored hash tiles do not match"):
        build_receipt(tiled, SEQ_UNIT)
    code, stdout, stderr = _awards(ledger_url, "prove", str(SEQ_UNIT), "--out", str(out))

    assert (code, stdout) == (4, "")
    assert stderr.startswith("error: stored hash tiles do not match the signed checkpoint")
    assert len(stderr.splitlines()) == 1
    assert not out.exists()
    assert raw.snapshot() == snapshot


def test_a_receipt_finds_its_event_when_notification_ids_skip(
    tiled: LedgerApp, keys: Keys, ledger_url: str, apps: Callable[[str], LedgerApp]
) -> None:
    # Ids skip (a rolled-back write burns one on PostgreSQL): the row with id seq + 1 is then
    # another event; its hash is not the leaf at seq, so the event is found by counting.
    raw = RawRows(ledger_url)
    for shift, above in ((1000, 3), (-999, 1000)):  # ids 1, 2, 3, 5, 6, …: one skipped
        raw.execute(
            f"UPDATE {raw.table} SET {raw.id_col} = {raw.id_col} + {shift} "
            f"WHERE {raw.id_col} > {above}"
        )
    assert [r.notification_id for r in raw.rows()][2:5] == [3, 5, 6]
    app = apps(ledger_url)

    for seq in (SEQ_UNIT, SEQ_P1):
        check = verify_receipt(encode_receipt(build_receipt(app, seq)), keys.public("op"))
        assert check.seq == seq
    assert build_receipt(app, SEQ_UNIT).event.entry == b64(raw.row(SEQ_UNIT).state)


def test_a_witness_gets_its_consistency_proof_from_the_tiles(
    tiled: LedgerApp, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w_key, _ = write_key_pair("w1", tmp_path, None)
    served = Served(keys, w_key, tmp_path / "w1.json")
    try:
        first, _ = registry.sign_new_checkpoint(tiled, keys.op)
        assert witnessing.collect_cosignatures(tiled, keys.op, first, [served.url], 0).cosigned
        registry.add_unit(tiled, keys.sec, "U7", "Phòng", "division")
        second, _ = registry.sign_new_checkpoint(tiled, keys.op)

        def no_full_read(self: LedgerApp) -> Any:
            raise AssertionError("the whole log was read for a witness's proof")

        monkeypatch.setattr(LedgerApp, "tree", no_full_read)
        old = Checkpoint.from_body(SignedNote.from_text(first).text).size
        done = witnessing.collect_cosignatures(tiled, keys.op, second, [served.url], old)
    finally:
        served.stop()

    assert done.cosigned == 1, done.answers  # the witness checked the proof and cosigned
