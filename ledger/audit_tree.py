"""The tree an audit recomputes, held in memory as one hash per 256 leaves.

A full audit hashes every leaf once, in order. Holding every level of that tree (as
``MerkleTree`` does) costs 64 bytes a leaf — 64 MB at a million events, 640 MB at ten
million — though the checks after the pass ask only a few questions of it: roots and compact
ranges at the sizes of the checkpoints and caches, a leaf hash here and there, and the hash
tiles. :class:`AuditTree` keeps instead:

- the root of each complete block of 256 leaves (a level-1 hash tile's entries, tree level 8)
  and every level above, in a ``MerkleTree`` whose "leaves" are those roots (node hashing is
  the same on every level, so its level k is the tree's level 8 + k);
- the leaf hashes of the incomplete block at the right edge;
- where each block starts in the log (its first row's notification id).

A question that needs a node below level 8 inside a complete block reads that block's 256
rows again (``leaves_of``), hashes them, and checks that they hash to the block's root from
the pass (rows changed since raise StorageError); the last block read is kept. A million
leaves then take about 260 KB, and a check costs at most one block's reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from domain.errors import MalformedProofError, StorageError
from ledger.merkle import HASH_SIZE, MerkleTree, Tree
from ledger.tiles import HEIGHT, WIDTH, tile_root

LeavesOf = Callable[[int, int], list[bytes]]  # (first row's id, count) -> those leaf hashes


class AuditTree(Tree):
    """An append-only RFC 6962 tree of which only blocks' roots are kept (module docstring).

    `leaves_of(first_id, count)` returns the leaf hashes of `count` rows from notification id
    `first_id`, as the pass hashed them."""

    def __init__(self, leaves_of: LeavesOf) -> None:
        self._blocks = MerkleTree()  # its leaf i: the root of leaves [256 i, 256 i + 256)
        self._edge: list[bytes] = []  # the leaf hashes after the last complete block
        self._starts: list[int] = []  # the notification id of each block's first row
        self._leaves_of = leaves_of
        self._read: tuple[int, list[bytes]] = (-1, [])  # the last block read again

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._blocks.size * WIDTH + len(self._edge)

    @property
    def blocks(self) -> MerkleTree:
        """The tree of the complete blocks' roots (level k is the tree's level 8 + k)."""
        return self._blocks

    def extend(self, leaf_hashes: Sequence[bytes], ids: Sequence[int]) -> None:
        """Append leaf hashes of rows whose notification ids are `ids` (parallel)."""
        edge, starts = self._edge, self._starts
        for leaf, row_id in zip(leaf_hashes, ids, strict=True):
            if len(leaf) != HASH_SIZE:
                raise MalformedProofError(f"leaf hash {self.size}: {len(leaf)} bytes")
            if not edge:
                starts.append(row_id)
            edge.append(leaf)
            if len(edge) == WIDTH:
                self._blocks.append(tile_root(b"".join(edge)))
                edge.clear()

    def block_leaves(self, block: int) -> list[bytes]:
        """The leaf hashes of block `block` (complete, or the edge), read again if needed."""
        if block == self._blocks.size:
            return self._edge
        if not 0 <= block < self._blocks.size:
            raise MalformedProofError(f"block {block} out of range")
        if self._read[0] == block:
            return self._read[1]
        leaves = self._leaves_of(self._starts[block], WIDTH)
        if len(leaves) != WIDTH or tile_root(b"".join(leaves)) != self._blocks.leaf_hash_at(block):
            first = block * WIDTH
            raise StorageError(
                f"events {first}-{first + WIDTH - 1} changed while the audit read them; "
                "run it again"
            )
        self._read = (block, leaves)
        return leaves

    def node(self, level: int, index: int) -> bytes:
        if level >= HEIGHT:
            return self._blocks.node(level - HEIGHT, index)
        first = index << level
        leaves = self.block_leaves(first // WIDTH)
        offset = first % WIDTH
        run = leaves[offset : offset + (1 << level)]
        return run[0] if level == 0 else tile_root(b"".join(run))

    def level_tile(self, level: int, index: int, size: int) -> bytes:
        """Hash tile `level`/`index` of the tree of the first `size` leaves (empty when that
        tree has no such tile): what ledger/tiles.py stores there. A full level-0 tile below
        the edge is read again; use :meth:`tile_matches` to check one without reading."""
        count = size >> (HEIGHT * level)  # hashes on the tile level at `size`
        lo = index * WIDTH
        if lo >= count:
            return b""
        hi = min(lo + WIDTH, count)
        if level == 0:
            return b"".join(self.block_leaves(index)[: hi - lo])
        hashes = self._blocks.level_hashes(HEIGHT * (level - 1))
        return hashes[lo * HASH_SIZE : hi * HASH_SIZE]

    def tile_matches(self, level: int, index: int, size: int, stored: bytes) -> bool:
        """Whether `stored` is tile `level`/`index` of the tree of `size` leaves. A full
        level-0 tile is checked by its root against the pass's (SHA-256 being collision
        resistant, equal roots of 256 hashes mean equal hashes), never read again."""
        full = (size >> (HEIGHT * level)) >= (index + 1) * WIDTH
        if level == 0 and full and index < self._blocks.size:
            return (
                len(stored) == WIDTH * HASH_SIZE
                and tile_root(stored) == self._blocks.leaf_hash_at(index)
            )
        return stored == self.level_tile(level, index, size)

    def tile_count(self, level: int, size: int) -> int:
        """How many tiles level `level` has at tree size `size` (the partial one counted)."""
        count = size >> (HEIGHT * level)
        return -(-count // WIDTH)


def tile_levels(size: int) -> Iterable[int]:
    """The tile levels a tree of `size` leaves has (none when empty)."""
    level = 0
    while size >> (HEIGHT * level):
        yield level
        level += 1
