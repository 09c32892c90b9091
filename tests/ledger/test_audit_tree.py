"""The audit's tree (ledger/audit_tree.py): a hash per 256 leaves in memory, every answer the
whole tree's; blocks read again only when a question needs a node inside one, and checked."""

from __future__ import annotations

import hashlib

import pytest

from domain.errors import StorageError
from ledger.audit_tree import AuditTree, tile_levels
from ledger.merkle import MerkleTree
from ledger.tiles import WIDTH, tiles_of

SIZES = [0, 1, 2, 255, 256, 257, 511, 512, 513, 700, WIDTH * WIDTH + 3]


class _Log:
    """Leaf hashes as a log would give them again, counting the reads."""

    def __init__(self, count: int) -> None:
        self.leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(count)]
        self.ids = [10 + 2 * i for i in range(count)]  # notification ids with gaps
        self.reads: list[tuple[int, int]] = []

    def leaves_of(self, first_id: int, count: int) -> list[bytes]:
        self.reads.append((first_id, count))
        at = self.ids.index(first_id)
        return self.leaves[at : at + count]

    def tree(self, page: int = 97) -> AuditTree:
        tree = AuditTree(self.leaves_of)
        for at in range(0, len(self.leaves), page):  # pages that do not line up with blocks
            tree.extend(self.leaves[at : at + page], self.ids[at : at + page])
        return tree


def _samples(size: int) -> list[int]:
    return sorted({0, 1, size // 3, size // 2, size - 256, size - 255, size - 1, size} & set(
        range(size + 1)
    ))


@pytest.mark.parametrize("size", SIZES)
def test_every_answer_is_the_whole_trees(size: int) -> None:
    log = _Log(size)
    tree, whole = log.tree(), MerkleTree(log.leaves)
    assert tree.size == whole.size == size
    assert tree.root() == whole.root()
    for at in _samples(size):
        assert tree.root(at) == whole.root(at)
        assert tree.compact_range(at) == whole.compact_range(at)
        if at:
            assert tree.leaf_hash_at(at - 1) == whole.leaf_hash_at(at - 1)
            assert tree.inclusion_proof(at // 2, at) == whole.inclusion_proof(at // 2, at)
            assert tree.consistency_proof(max(at // 3, 1), at) == whole.consistency_proof(
                max(at // 3, 1), at
            )
        want = tiles_of(whole, at)
        for level in tile_levels(at):
            count = tree.tile_count(level, at)
            assert count == len([key for key in want if key[0] == level])
            for index in range(count):
                assert tree.level_tile(level, index, at) == want[(level, index)]
                assert tree.tile_matches(level, index, at, want[(level, index)])


def test_only_a_hash_per_block_is_kept_and_blocks_are_read_only_when_needed() -> None:
    log = _Log(3 * WIDTH + 10)
    tree = log.tree()
    assert tree.blocks.size == 3 and log.reads == []
    tree.root(2 * WIDTH)  # complete blocks only
    tree.compact_range(3 * WIDTH + 5)  # the edge is in memory
    tiles = tiles_of(MerkleTree(log.leaves))
    assert tree.tile_matches(0, 1, tree.size, tiles[(0, 1)])  # a full tile: by its root
    assert log.reads == []
    tree.root(WIDTH + 7)  # inside block 1: read once, then kept
    tree.leaf_hash_at(WIDTH + 3)
    assert log.reads == [(log.ids[WIDTH], WIDTH)]


def test_a_block_changed_after_the_pass_is_refused() -> None:
    log = _Log(2 * WIDTH)
    tree = log.tree()
    log.leaves[5] = hashlib.sha256(b"edited").digest()
    with pytest.raises(StorageError, match="events 0-255 changed while the audit read them"):
        tree.root(7)


@pytest.mark.parametrize(
    ("level", "index", "at"),
    [(0, 0, 0), (0, 1, 255 * 32 + 31), (0, 2, 3 * 32), (1, 0, 32)],  # full, full, edge, level 1
)
def test_an_edited_tile_does_not_match(level: int, index: int, at: int) -> None:
    log = _Log(2 * WIDTH + 9)
    tree = log.tree()
    good = tiles_of(MerkleTree(log.leaves))[(level, index)]
    assert tree.tile_matches(level, index, tree.size, good)
    bad = bytearray(good)
    bad[at] ^= 1
    assert not tree.tile_matches(level, index, tree.size, bytes(bad))
    assert not tree.tile_matches(level, index, tree.size, good[:-32])  # one hash short
    assert not tree.tile_matches(level, index, tree.size, good + good[:32])  # one too many
