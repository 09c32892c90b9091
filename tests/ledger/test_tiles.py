"""Stored hash tiles (ledger/tiles.py): extended in the insert's transaction on SQLite and
PostgreSQL, equal to the recomputed tree's at every level; never trusted — an edited tile is
reported by `verify` and never yields a printed proof; a ledger without them still works."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from cli.main import cli as awards_cli
from domain.registry import Unit
from ledger import tiled_proofs
from ledger.application import LedgerApp, open_ledger
from ledger.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from ledger.tiles import META_LEVEL, WIDTH, TileEnd, TileStore, extend_tiles, tiles_of
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import Keys, RawRows, populate
from tests.ledger.test_concurrency import _run_writers, _unit_add


def _stored(app: LedgerApp) -> tuple[TileEnd | None, dict[tuple[int, int], bytes]]:
    rows = TileStore(app.recorder, app.location.is_postgres).load_all()
    tiles = {(level, index): blob for level, index, blob in rows}
    end = tiles.pop((META_LEVEL, 0), None)
    return (None if end is None else TileEnd.decode(end)), tiles


def _recomputed(raw: RawRows) -> tuple[MerkleTree, int]:
    rows = raw.rows()
    return MerkleTree(leaf_hash(r.state) for r in rows), rows[-1].notification_id


def _assert_tiles_match(app: LedgerApp, raw: RawRows) -> None:
    end, tiles = _stored(app)
    tree, last_id = _recomputed(raw)
    assert end is not None and (end.size, end.last_id) == (tree.size, last_id)
    assert tiles == tiles_of(tree)


def _add_units(app: LedgerApp, keys: Keys, prefix: str, count: int, batch: int) -> None:
    signer = app.signer_for_key(keys.sec)
    for b in range(0, count, batch):
        units = [
            Unit.add(f"{prefix}{b + i}", "Phòng", "division", None)
            for i in range(min(batch, count - b))
        ]
        app.save_signed(signer.name, keys.sec, units)


@pytest.fixture
def tiled(ledger_url: str, keys: Keys) -> Iterator[LedgerApp]:
    """A ledger written through the real write path from genesis (so it has tiles)."""
    app = open_ledger(ledger_url)
    populate(app, keys)
    yield app
    app.close()


def _awards(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(awards_cli, ["--ledger", url, *args])
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, result.exception
    return result.exit_code, result.stdout, result.stderr


# -- the layout ----------------------------------------------------------------------------------


def test_extending_in_batches_gives_the_tiles_of_the_whole_tree() -> None:
    """Three levels (> 256**2 leaves), partial right edges, batches that cross tile edges."""
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(WIDTH**2 + 700)]
    rng = random.Random(12)
    tiles: dict[tuple[int, int], bytes] = {}
    size = 0
    while size < len(leaves):
        step = min(rng.choice([1, 3, 255, 256, 257, 5000]), len(leaves) - size)
        level, count, edges = 0, size, {}
        while count:
            if count % WIDTH:
                edges[level] = tiles[(level, count // WIDTH)]
            level, count = level + 1, count >> 8
        tiles.update(extend_tiles(size, edges, leaves[size : size + step]))
        size += step
        if rng.random() < 0.05 or size == len(leaves):
            assert tiles == tiles_of(MerkleTree(leaves[:size]))
    assert {level for level, _ in tiles} == {0, 1, 2}
    assert len(tiles[(0, len(leaves) // WIDTH)]) == 700 % WIDTH * 32  # partial right edge


# -- written with the entries ----------------------------------------------------------------------


def test_tiles_after_many_writes_equal_the_recomputed_tree(
    tiled: LedgerApp, keys: Keys, ledger_url: str
) -> None:
    raw = RawRows(ledger_url)
    _add_units(tiled, keys, "A", 300, 7)  # crosses the first tile's edge: a level-1 hash
    _add_units(tiled, keys, "B", 260, 130)
    _assert_tiles_match(tiled, raw)
    end, tiles = _stored(tiled)
    assert end is not None and end.size > WIDTH and (1, 0) in tiles


def test_a_failed_write_leaves_the_tiles_unchanged(
    tiled: LedgerApp, keys: Keys, ledger_url: str
) -> None:
    raw = RawRows(ledger_url)
    registry.add_unit(tiled, keys.sec, "U9", "Phòng", "division")
    before = _stored(tiled), raw.snapshot()
    signer = tiled.signer_for_key(keys.sec)
    clash = [Unit.add("N1", "Phòng", "division", None), Unit.add("U9", "Phòng", "division", None)]
    with pytest.raises(Exception, match=r"conflict|nothing recorded"):
        tiled.save_signed(signer.name, keys.sec, clash)  # U9 exists: the whole save rolls back
    assert (_stored(tiled), raw.snapshot()) == before
    _assert_tiles_match(tiled, raw)


def test_concurrent_writers_keep_the_tiles_consistent(
    tiled: LedgerApp, keys: Keys, ledger_url: str
) -> None:
    jobs = [[_unit_add(f"{p}{i}", keys) for i in range(8)] for p in ("A", "B", "C")]
    runs = _run_writers(ledger_url, jobs)
    assert any(r.code == 0 for r in runs) and all(r.code in (0, 5) for r in runs), runs
    _assert_tiles_match(tiled, RawRows(ledger_url))


# -- never trusted ----------------------------------------------------------------------------


def _flip_tile(raw: RawRows, level: int, index: int, at: int) -> None:
    table = raw.side_table(f"{raw.table.split('.')[-1]}_tiles")
    [(blob,)] = raw.execute(
        f"SELECT hashes FROM {table} WHERE level = ? AND idx = ?", (level, index)
    )
    data = bytearray(bytes(blob))
    data[at] ^= 1
    raw.execute(
        f"UPDATE {table} SET hashes = ? WHERE level = ? AND idx = ?", (bytes(data), level, index)
    )


@pytest.mark.parametrize("at", [0, 5 * 32, 8 * 32 + 3])  # genesis, a middle leaf, the last
def test_an_edited_tile_is_reported_and_never_gives_a_wrong_proof(
    tiled: LedgerApp, keys: Keys, ledger_url: str, at: int
) -> None:
    raw = RawRows(ledger_url)
    good = {
        args: _awards(ledger_url, *args)
        for args in [("prove", "5"), ("consistency", "3", "8"), ("consistency", "3")]
    }
    assert all(code == 0 for code, _, _ in good.values()), good
    snapshot = raw.snapshot()
    _flip_tile(raw, 0, 0, at)

    report = audit(tiled)
    assert not report.ok
    assert any("hash tiles: tile 0/0 does not match" in p.message for p in report.problems)
    assert _awards(ledger_url, "verify")[0] == 4
    for args, (_, stdout, _) in good.items():
        code, out, err = _awards(ledger_url, *args)
        assert code == 4 or (code == 0 and out == stdout), (args, code, out, err)
        if code == 4:
            assert out == "" and err.startswith("error: stored hash tiles do not match")
            assert len(err.splitlines()) == 1
    codes = [_awards(ledger_url, *args)[0] for args in good]
    assert 4 in codes  # whichever leaf was edited, some proof needs it: refused
    assert raw.snapshot() == snapshot


@pytest.mark.parametrize(
    "edit", ["flip full 0/1", "flip level 1", "drop 0/0", "extra 0/9", "flip edge 0/2"]
)
def test_the_audit_names_each_edited_tile_of_a_larger_tree(
    tiled: LedgerApp, keys: Keys, ledger_url: str, edit: str
) -> None:
    """Past 512 events the audit checks full leaf tiles by their roots, the edge tile and
    the level-1 tile against the blocks it kept: each edit is named, nothing else."""
    _add_units(tiled, keys, "A", 560, 140)
    raw = RawRows(ledger_url)
    assert audit(tiled).ok
    table = raw.side_table(f"{raw.table.split('.')[-1]}_tiles")
    if edit == "flip full 0/1":
        _flip_tile(raw, 0, 1, 17 * 32 + 4)
        named = "0/1"
    elif edit == "flip level 1":
        _flip_tile(raw, 1, 0, 32)
        named = "1/0"
    elif edit == "flip edge 0/2":
        _flip_tile(raw, 0, 2, 0)
        named = "0/2"
    elif edit == "drop 0/0":
        raw.execute(f"DELETE FROM {table} WHERE level = 0 AND idx = 0")
        named = "0/0"
    else:
        raw.execute(f"INSERT INTO {table} (level, idx, hashes) VALUES (0, 9, ?)", (b"x" * 32,))
        named = "0/9"
    snapshot = raw.snapshot()
    report = audit(tiled)
    tiles = [p.message for p in report.problems if "hash tiles" in p.message]
    assert tiles == [f"hash tiles: tile {named} does not match the tree of size {raw.count()}"]
    assert len(report.problems) == 1
    assert raw.snapshot() == snapshot


def test_the_stored_tree_holds_few_tiles_and_answers_as_the_whole_tree(
    tiled: LedgerApp, keys: Keys, ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proofs from the stored tiles equal the recomputed tree's for every leaf, while only
    KEPT_TILES tiles (with their inner levels) are held at once."""
    monkeypatch.setattr(tiled_proofs, "KEPT_TILES", 2)
    _add_units(tiled, keys, "A", 560, 140)
    whole, _ = _recomputed(RawRows(ledger_url))
    tree = tiled_proofs.stored_tree(tiled)
    assert tree is not None and tree.size == whole.size
    for seq in [*range(0, whole.size, 37), whole.size - 1]:
        assert tree.leaf_hash_at(seq) == whole.leaf_hash_at(seq)
        assert tree.inclusion_proof(seq) == whole.inclusion_proof(seq)
        assert tree.consistency_proof(seq + 1) == whole.consistency_proof(seq + 1)
        assert len(tree._tiles) <= 2
    assert tree.root() == whole.root()


def test_a_forged_consistent_tile_set_is_refused_by_the_checkpoint(
    tiled: LedgerApp, keys: Keys, ledger_url: str
) -> None:
    """Tiles rewritten wholesale for a different log (every level agreeing with itself) are
    refused by the signed root: no proof printed."""
    raw = RawRows(ledger_url)
    end, _ = _stored(tiled)
    assert end is not None
    fake = MerkleTree(hashlib.sha256(bytes([i])).digest() for i in range(end.size))
    store = TileStore(tiled.recorder, tiled.location.is_postgres)
    with store.recorder.datastore.transaction(commit=True) as cursor:
        store.put(cursor, tiles_of(fake), end)
    for args in [("prove", "2"), ("consistency", "2", "8"), ("consistency", "2")]:
        code, out, err = _awards(ledger_url, *args)
        assert (code, out) == (4, ""), (args, code, out, err)
    assert not audit(tiled).ok
    assert raw.count() == end.size


def test_without_tiles_everything_still_works_and_they_are_rebuilt(
    tiled: LedgerApp, keys: Keys, ledger_url: str
) -> None:
    raw = RawRows(ledger_url)
    expected = {
        args: _awards(ledger_url, *args)
        for args in [("prove", "5"), ("consistency", "3", "8"), ("consistency", "3")]
    }
    raw.execute(f"DROP TABLE {raw.side_table(raw.table.split('.')[-1] + '_tiles')}")
    registry.add_unit(tiled, keys.sec, "U7", "Phòng", "division")  # skips: no tiles to extend
    report = audit(tiled)
    assert report.ok and any("hash tiles: none stored" in n for n in report.notes)
    for args, (_, stdout, _) in expected.items():
        if args == ("consistency", "3"):
            continue  # the whole ledger grew by one event
        assert _awards(ledger_url, *args) == (0, stdout, "")
    _assert_tiles_match(tiled, raw)  # the read rebuilt them
    registry.add_unit(tiled, keys.sec, "U8", "Phòng", "division")
    _assert_tiles_match(tiled, raw)  # and the next write extends them again
    assert audit(tiled).ok


def test_proofs_from_tiles_verify_against_the_checkpoint_and_the_log(
    tiled: LedgerApp, keys: Keys, ledger_url: str
) -> None:
    _add_units(tiled, keys, "A", 280, 40)
    registry.sign_new_checkpoint(tiled, keys.op)
    _add_units(tiled, keys, "B", 3, 1)  # beyond the checkpoint
    tree, _ = _recomputed(RawRows(ledger_url))
    latest = registry.latest_checkpoint(tiled)
    assert latest is not None and latest.size < tree.size
    for seq, size in [(0, 1), (5, latest.size), (270, latest.size), (280, tree.size)]:
        code, out, _ = _awards(ledger_url, "prove", str(seq), "--size", str(size))
        assert code == 0
        lines = out.splitlines()
        proof = [bytes.fromhex(line.split()[1]) for line in lines[2:]]
        assert lines[0].endswith(tree.root(size).hex())
        verify_inclusion(tree.leaf_hash_at(seq), seq, size, proof, tree.root(size))
    for old, new in [(1, 9), (9, latest.size), (100, tree.size), (latest.size + 1, tree.size)]:
        code, out, _ = _awards(ledger_url, "consistency", str(old), str(new))
        assert code == 0
        proof = [bytes.fromhex(line.split()[1]) for line in out.splitlines()[1:]]
        verify_consistency(old, new, proof, tree.root(old), tree.root(new))
    code, out, _ = _awards(ledger_url, "consistency", "100")
    assert code == 0 and out.startswith(f"tree 100 ({tree.root(100).hex()}) -> {tree.size} ")
