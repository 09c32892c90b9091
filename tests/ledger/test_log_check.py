"""The rows a read shows, checked against the signed checkpoint (ledger/log_check.py): proven
nodes shorten later leaves' climbs, and never let a changed row or tile through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.registry import Unit
from ledger.application import LedgerApp, open_ledger
from ledger.log_check import PROVEN_FROM, check_log
from ledger.usecases import registry
from tests.conftest import Keys, RawRows, populate


@pytest.fixture
def signed(ledger_url: str, keys: Keys) -> Iterator[LedgerApp]:
    """About 600 events (three leaf tiles and more), all under a signed checkpoint."""
    app = open_ledger(ledger_url)
    populate(app, keys)
    signer = app.signer_for_key(keys.sec)
    for b in range(0, 600, 150):
        units = [Unit.add(f"A{b + i}", "Phòng", "division", None) for i in range(150)]
        app.save_signed(signer.name, keys.sec, units)
    registry.sign_new_checkpoint(app, keys.op)
    yield app
    app.close()


def _rows(raw: RawRows) -> list[tuple[int, bytes]]:
    return [(row.seq, bytes(row.state)) for row in raw.rows()]


def test_every_row_passes_and_later_leaves_climb_to_proven_nodes(
    signed: LedgerApp, ledger_url: str
) -> None:
    raw = RawRows(ledger_url)
    check = check_log(signed, whole=False)
    assert check.ok and check.signed is not None and check.signed.size == raw.count() - 1
    assert check.check_rows(_rows(raw)) == []
    assert check.proven and min(level for level, _ in check.proven) == PROVEN_FROM


@pytest.mark.parametrize("first", [True, False])
def test_a_changed_row_fails_whether_or_not_its_neighbours_were_proven(
    signed: LedgerApp, ledger_url: str, first: bool
) -> None:
    raw = RawRows(ledger_url)
    rows = _rows(raw)
    target = 300  # inside the second leaf tile, with neighbours on both sides
    changed = rows[target][1].replace(b"\"A", b"\"B", 1)
    assert changed != rows[target][1]
    check = check_log(signed, whole=False)
    if not first:
        assert check.check_rows(rows[target - 20 : target]) == []  # its region proven first
    edited = [*rows[:target], (target, changed), *rows[target + 1 :]]
    assert check.check_rows(edited) == [target]


def test_a_changed_leaf_in_a_tile_fails_the_rows_whose_proof_needs_it(
    signed: LedgerApp, ledger_url: str
) -> None:
    raw = RawRows(ledger_url)
    table = raw.side_table(f"{raw.table.split('.')[-1]}_tiles")
    [(blob,)] = raw.execute(f"SELECT hashes FROM {table} WHERE level = 0 AND idx = 1")
    data = bytearray(bytes(blob))
    data[5 * 32] ^= 1  # leaf 256 + 5 as the tile says it
    raw.execute(f"UPDATE {table} SET hashes = ? WHERE level = 0 AND idx = 1", (bytes(data),))
    check = check_log(signed, whole=False)
    rows = _rows(raw)
    bad = check.check_rows(rows)
    assert 256 + 4 in bad  # its proof uses the changed hash as a sibling
    assert all(256 <= seq < 512 for seq in bad)
