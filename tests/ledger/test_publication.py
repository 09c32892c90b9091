"""The c2sp.org/tlog-tiles layout (ledger/publication.py) against an independent reading of the
spec: paths, tiles at every level, partial tiles, and a root recomputed from tiles alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from domain.errors import MalformedInputError, UsageError
from ledger import publication
from ledger.merkle import inclusion_proof_of, root_of, verify_inclusion
from ledger.publication import (
    TileBuilder,
    bundle,
    edge_tiles,
    entries_path,
    file_digest,
    put_chunks,
    put_file,
    read_plain,
    split_bundle,
    tile_path,
)


def _leaf(i: int) -> bytes:
    return hashlib.sha256(b"\x00" + i.to_bytes(4, "big")).digest()


def _spec_path(level: str, n: int, width: int) -> str:
    """tlog-tiles: N as 3-digit groups, each but the last prefixed by x; .p/W when partial
    (transcribed from the spec's Go reference, written separately from the module)."""
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    path = "/".join(["x" + g for g in reversed(groups[1:])] + [groups[0]])
    return f"tile/{level}/{path}" + ("" if width == 256 else f".p/{width}")


@pytest.mark.parametrize("n", [0, 7, 999, 1000, 1234067, 10**9 + 5])
def test_paths_follow_the_spec(n: int) -> None:
    assert tile_path(0, n) == _spec_path("0", n, 256)
    assert tile_path(2, n, 17) == _spec_path("2", n, 17)
    assert entries_path(n, 3) == _spec_path("entries", n, 3)
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"


def _tiles(size: int) -> dict[str, bytes]:
    builder, files = TileBuilder(), {}
    for i in range(size):
        for level, index, hashes in builder.add(_leaf(i)):
            files[tile_path(level, index)] = hashes
    for level, index, hashes in builder.partial():
        files[tile_path(level, index, len(hashes) // 32)] = hashes
    return files


def _client_root(files: dict[str, bytes], size: int) -> bytes:
    """What a client that knows only tlog-tiles does: read the level-0 tiles the size needs,
    check each full one against the level-1 tile above it, and hash the leaves to the root."""
    leaves: list[bytes] = []
    for n in range((size + 255) // 256):
        width = min(256, size - 256 * n)
        data = files[_spec_path("0", n, width)]
        assert len(data) == 32 * width
        leaves += [data[i : i + 32] for i in range(0, len(data), 32)]
    for n in range(size // 256):
        above = files[_spec_path("1", n // 256, min(256, size // 256 - 256 * (n // 256)))]
        slot = n % 256
        assert above[32 * slot : 32 * slot + 32] == root_of(leaves[256 * n : 256 * n + 256])
    return root_of(leaves)


@pytest.mark.parametrize("size", [1, 255, 256, 257, 256 * 256, 256 * 256 + 256 * 3 + 5])
def test_a_client_recomputes_the_root_from_the_tiles(size: int) -> None:
    leaves = [_leaf(i) for i in range(size)]
    files = _tiles(size)
    assert _client_root(files, size) == root_of(leaves)
    builder = TileBuilder()
    for leaf in leaves:
        list(builder.add(leaf))
    assert builder.root() == root_of(leaves)
    # a proof from the tiles' hashes verifies against that root
    index = size // 2
    proof = inclusion_proof_of(leaves, index)
    verify_inclusion(leaves[index], index, size, proof, root_of(leaves))
    # exactly the tiles the spec names for this size, no more
    expected = {_spec_path(str(lv), n, w) for lv, n, w in edge_tiles(size)}
    for level in range(3):
        full = size >> (8 * (level + 1))
        expected |= {_spec_path(str(level), n, 256) for n in range(full)}
    assert set(files) == expected


def test_a_builder_continues_from_the_right_edge_alone() -> None:
    size, more = 256 * 256 + 77, 700
    whole = _tiles(size + more)
    edge: list[list[bytes]] = [[], [], []]
    for level, index, width in edge_tiles(size):
        data = _tiles(size)[tile_path(level, index, width)]
        edge[level] = [data[i : i + 32] for i in range(0, len(data), 32)]
    builder = TileBuilder(size, edge)
    assert builder.root() == root_of([_leaf(i) for i in range(size)])
    written = {}
    for i in range(size, size + more):
        for level, index, hashes in builder.add(_leaf(i)):
            written[tile_path(level, index)] = hashes
    for level, index, hashes in builder.partial():
        written[tile_path(level, index, len(hashes) // 32)] = hashes
    assert all(whole[path] == data for path, data in written.items())
    assert builder.root() == root_of([_leaf(i) for i in range(size + more)])


def test_an_edge_that_does_not_fit_the_size_is_refused() -> None:
    with pytest.raises(MalformedInputError):
        TileBuilder(300, [[_leaf(0)] * 43])


def test_bundles_prefix_each_entry_with_its_length() -> None:
    entries = [b"", b"a", b"x" * 300]
    data = bundle(entries)
    assert data[:2] == b"\x00\x00" and data[2:5] == b"\x00\x01a" and data[5:7] == b"\x01\x2c"
    assert split_bundle(data, "b") == entries
    with pytest.raises(MalformedInputError, match="runs past the end"):
        split_bundle(data[:-1], "b")


def test_a_file_is_written_as_its_pieces_come_and_only_when_its_bytes_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = [b"x" * 70_000, b"y" * 3, b"z" * 1_000_000]
    whole = b"".join(pieces)
    written, sha256 = put_chunks(tmp_path, "movements/M/report.json", iter(pieces))
    path = tmp_path / "movements" / "M" / "report.json"
    assert written and sha256 == hashlib.sha256(whole).hexdigest()
    assert path.read_bytes() == whole and file_digest(tmp_path, "movements/M/report.json") == sha256
    inode = path.stat().st_ino
    # the same bytes again, in other pieces: the file is kept as it is
    assert put_chunks(tmp_path, "movements/M/report.json", [whole]) == (False, sha256)
    assert path.stat().st_ino == inode and not put_file(tmp_path, "movements/M/report.json", whole)
    # bytes known whole, already there: not even written to a temporary file
    writes: list[Path] = []
    monkeypatch.setattr(publication, "write_file", lambda path, *a, **k: writes.append(path))
    assert not put_file(tmp_path, "movements/M/report.json", whole) and writes == []
    monkeypatch.undo()
    # other bytes: written
    assert put_file(tmp_path, "movements/M/report.json", whole + b"!")
    assert path.read_bytes() == whole + b"!" and path.stat().st_ino != inode
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.json"]  # no temporary left


def test_a_file_is_never_written_or_hashed_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    root = tmp_path / "pub"
    root.mkdir()
    (root / "checkpoint").symlink_to(outside)
    with pytest.raises(UsageError, match="symbolic link"):
        file_digest(root, "checkpoint")
    with pytest.raises(UsageError, match="symbolic link"):
        put_chunks(root, "checkpoint", [b"forged"])
    assert outside.read_bytes() == b"secret"
    assert file_digest(root, "missing") is None and read_plain(root, "missing") is None
