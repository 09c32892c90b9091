"""Inclusion and consistency proofs read from the stored hash tiles, checked before use.

A proof for sizes up to the newest signed checkpoint (size C, root R) is made from the few
tiles it needs (ledger/tiles.py), then checked: the tiles' root at C must be R, the root they
give at any other size s < C must be consistent with R (a consistency proof s → C, also from
the tiles, verified), and the inclusion or consistency proof itself must verify against those
roots. Sizes after the checkpoint (at least its own event) take their roots from the
checkpoint's compact range extended by the log's rows after it, read back from where the tiles
end and compared leaf by leaf. A tile that fails any of this is VerificationError (exit 4): no
proof is printed. Ledgers without usable tiles (none, behind, not ending on the last row) fall
back to the tree recomputed from the log (``LedgerApp.tree``); that read also rebuilds the
tiles when the ledger is writable, so the next proof is cheap again.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict

from domain.errors import AwardLedgerError, VerificationError
from domain.registry import Ledger
from domain.text import counted
from ledger.application import LedgerApp
from ledger.merkle import (
    HASH_SIZE,
    NODE_PREFIX,
    CompactRange,
    MerkleTree,
    Tree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from ledger.store import state_bytes
from ledger.tiles import HEIGHT, WIDTH, TileEnd, TileStore


class TilesUnavailable(Exception):
    """The stored tiles cannot answer (missing table, rows, or short tiles): recompute."""


KEPT_TILES = 64  # tiles held at once, each with its inner levels (about 16 KB a tile)


class TileTree(Tree):
    """A read-only tree whose nodes come from stored tiles, fetched when first needed.
    Nothing here is checked: see the module docstring.

    A node of a tile's own level is read from the tile; one between tile levels is read from
    the tile below, whose inner levels (the hashes of its pairs, quads, … up to its root)
    are computed once when it is fetched. Only the KEPT_TILES tiles used last are held, so
    checking a thousand events spread over the log holds a megabyte, not every node met."""

    def __init__(self, store: TileStore, end: TileEnd) -> None:
        self._store, self._size, self.end = store, end.size, end
        self._tiles: OrderedDict[tuple[int, int], list[bytes]] = OrderedDict()

    @property
    def size(self) -> int:
        return self._size

    def node(self, level: int, index: int) -> bytes:
        """Hash `index` of tree level `level`: from the tile holding it (rise 0), or from the
        inner levels of the tile below it (rise 1 … HEIGHT - 1)."""
        tile_level, rise = divmod(level, HEIGHT)
        first = index << rise  # its first hash on the tile's own level
        inner = self._inner(tile_level, first // WIDTH)
        start = ((first % WIDTH) >> rise) * HASH_SIZE
        found = inner[rise][start : start + HASH_SIZE]
        if len(found) != HASH_SIZE:
            raise TilesUnavailable(f"tile {tile_level}/{first // WIDTH} is too short")
        return found

    def _inner(self, level: int, index: int) -> list[bytes]:
        """Tile `level`/`index` and its inner levels: [the tile, its pairs' hashes, …]."""
        key = (level, index)
        found = self._tiles.get(key)
        if found is not None:
            self._tiles.move_to_end(key)
            return found
        try:
            blob = self._store.load_tile(level, index)
        except Exception as exc:  # no table, or the database refuses
            raise TilesUnavailable(str(exc)) from exc
        if blob is None:
            raise TilesUnavailable(f"tile {level}/{index} is missing")
        found = [blob]
        pair = 2 * HASH_SIZE
        for _ in range(1, HEIGHT):  # a partial tile's odd last hash has no node above it
            below = found[-1]
            found.append(
                b"".join(
                    hashlib.sha256(NODE_PREFIX + below[i : i + pair]).digest()
                    for i in range(0, len(below) - pair + 1, pair)
                )
            )
        self._tiles[key] = found
        if len(self._tiles) > KEPT_TILES:
            self._tiles.popitem(last=False)
        return found


def stored_tree(app: LedgerApp) -> TileTree | None:
    """The tree the stored tiles describe, or None when there are none (unchecked)."""
    store = TileStore(app.recorder, app.location.is_postgres)
    try:
        end = store.load_end()
    except Exception:  # no tiles table: an older ledger, or one whose table was dropped
        return None
    return None if end is None else TileTree(store, end)


def _refused(checkpoint: Ledger.CheckpointSigned, problem: Exception) -> VerificationError:
    return VerificationError(
        f"stored hash tiles do not match the signed checkpoint of size {checkpoint.size} "
        f"({problem}); no proof printed: run 'awards verify'"
    )


def anchored_roots(
    app: LedgerApp, tree: TileTree, checkpoint: Ledger.CheckpointSigned, sizes: list[int]
) -> dict[int, bytes]:
    """The true roots at `sizes` (each ≤ the tiles' size): up to the checkpoint, the tiles'
    roots proven consistent with the signed root; beyond it, the checkpoint's compact range
    (from the tiles, its root the signed one) extended by the log's own rows, which must
    also be the tiles' leaves. Raises VerificationError (worded for a proof),
    TilesUnavailable."""
    try:
        return signed_roots(app, tree, checkpoint, sizes)
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc


def signed_roots(
    app: LedgerApp,
    tree: TileTree,
    checkpoint: Ledger.CheckpointSigned,
    sizes: list[int],
    whole: bool = True,
) -> dict[int, bytes]:
    """:func:`anchored_roots`, its VerificationError naming only what does not match (for
    ledger/log_check.py, which checks reads rather than proofs). Without `whole`, the rows
    after the checkpoint are not counted to be at their seqs (a row deleted before the
    checkpoint then goes unseen: only for reads that check every row they show by its seq)."""
    top, signed = checkpoint.size, checkpoint.root_hash
    if tree.size < max(top, *sizes):
        raise TilesUnavailable(f"tiles cover {counted(tree.size, 'event')}")
    roots: dict[int, bytes] = {}
    if tree.root(top) != signed:
        raise VerificationError(f"the hash tiles' root at {top} is not the signed root")
    roots[top] = signed
    for size in sorted(s for s in sizes if s < top):
        root = tree.root(size)
        verify_consistency(size, top, tree.consistency_proof(size, top), root, signed)
        roots[size] = root
    beyond = sorted(s for s in sizes if s > top)
    if beyond:
        roots.update(_tail_roots(app, tree, top, beyond, whole))
    return roots


def _tail_roots(
    app: LedgerApp, tree: TileTree, top: int, sizes: list[int], whole: bool = True
) -> dict[int, bytes]:
    """The roots at `sizes` (> top, ascending) from the compact range at `top` and the log's
    rows top .. max(sizes) - 1, read back from where the tiles end (on the index)."""
    end = tree.end
    rows = app.rows_before(end.last_id + 1, end.size - top)
    if len(rows) != end.size - top or rows[-1].id != end.last_id:
        raise TilesUnavailable("the tiles do not end on a stored row")
    if whole and app.count_through(rows[0].id) != top + 1:
        raise TilesUnavailable("the tiles' end is not where the log ends")
    compact = CompactRange.from_hashes(top, tree.compact_range(top))
    roots: dict[int, bytes] = {}
    for seq, row in enumerate(rows[: sizes[-1] - top], start=top):
        value = leaf_hash(state_bytes(row.state))
        if value != tree.leaf_hash_at(seq):
            raise VerificationError(f"event {seq} is not their leaf {seq}")
        compact.append(value)
        if compact.size in sizes:
            roots[compact.size] = compact.root()
    return roots


def checked_inclusion(
    app: LedgerApp, checkpoint: Ledger.CheckpointSigned | None, seq: int, size: int
) -> tuple[bytes, list[bytes], bytes] | None:
    """(leaf hash, PATH(seq, D[size]), root at size) from the tiles, checked against the
    signed `checkpoint`; None when the tiles cannot answer (the caller recomputes)."""
    tree = stored_tree(app)
    if tree is None or checkpoint is None or not seq < size <= tree.size:
        return None
    try:
        root = anchored_roots(app, tree, checkpoint, [size])[size]
        leaf, proof = tree.leaf_hash_at(seq), tree.inclusion_proof(seq, size)
    except TilesUnavailable:
        return None
    try:
        verify_inclusion(leaf, seq, size, proof, root)
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc
    return leaf, proof, root


def checked_inclusions(
    app: LedgerApp, checkpoint: Ledger.CheckpointSigned, seqs: list[int]
) -> dict[int, tuple[bytes, list[bytes]]] | None:
    """{seq: (leaf hash, PATH(seq, D[C]))} in the signed `checkpoint`'s tree (size C) from
    the tiles, the tiles' root at C checked to be the signed root and each proof verified
    against it (VerificationError otherwise); None when the tiles cannot answer."""
    tree, size = stored_tree(app), checkpoint.size
    if tree is None or not size <= tree.size or not all(0 <= s < size for s in seqs):
        return None
    try:
        root = anchored_roots(app, tree, checkpoint, [size])[size]
        proofs = {s: (tree.leaf_hash_at(s), tree.inclusion_proof(s, size)) for s in seqs}
    except TilesUnavailable:
        return None
    try:
        for seq, (leaf, proof) in proofs.items():
            verify_inclusion(leaf, seq, size, proof, root)
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc
    return proofs


def checked_consistency(
    app: LedgerApp, checkpoint: Ledger.CheckpointSigned | None, old: int, new: int | None
) -> tuple[int, bytes, bytes, list[bytes]] | None:
    """(new size, old root, new root, PROOF(old, D[new])) from the tiles, checked against the
    signed `checkpoint`; None when they cannot answer. Without `new`, the whole ledger: the
    tiles' size, when they end on the ledger's last row (checked by counting)."""
    tree = stored_tree(app)
    if tree is None or checkpoint is None:
        return None
    if new is None:
        if tree.end.last_id != app.last_notification_id():
            return None
        new = tree.size
    if not 0 < old <= new <= tree.size:
        return None
    try:
        roots = anchored_roots(app, tree, checkpoint, [old, new])
        proof = tree.consistency_proof(old, new)
    except TilesUnavailable:
        return None
    try:
        verify_consistency(old, new, proof, roots[old], roots[new])
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc
    return new, roots[old], roots[new], proof


def recomputed_tree(app: LedgerApp) -> MerkleTree:
    """The tree recomputed from the log (``LedgerApp.tree``); the tiles are rebuilt from it
    when the ledger is writable (a read-only one keeps it in memory only)."""
    tree, leaf_ids = app.tree()
    if not leaf_ids:
        return tree
    tiles = stored_tree(app)
    if tiles is not None and tiles.size == tree.size and tiles.end.last_id == leaf_ids[-1]:
        return tree  # they end where the tree does (a proof beyond the checkpoint)
    with contextlib.suppress(Exception):  # read-only, or a writer got there first
        TileStore(app.recorder, app.location.is_postgres).store_rebuilt(tree, leaf_ids)
    return tree
