"""Inclusion and consistency proofs read from the stored hash tiles, checked before use.

A proof for sizes up to the newest signed checkpoint (size C, root R) is made from the few
tiles it needs (ledger/tiles.py), then checked: the tiles' root at C must be R, the root they
give at any other size s < C must be consistent with R (a consistency proof s → C, also from
the tiles, verified), and the inclusion or consistency proof itself must verify against those
roots. A tile that fails this is VerificationError (exit 4): no proof is printed. Sizes the
checkpoint does not cover, and ledgers without usable tiles, fall back to the tree recomputed
from the log (``LedgerApp.tree``); that read also rebuilds the tiles when the ledger is
writable, so the next proof is cheap again.
"""

from __future__ import annotations

import contextlib
import hashlib

from domain.errors import AwardLedgerError, VerificationError
from domain.registry import Ledger
from ledger.application import LedgerApp
from ledger.merkle import (
    HASH_SIZE,
    NODE_PREFIX,
    MerkleTree,
    verify_consistency,
    verify_inclusion,
)
from ledger.tiles import HEIGHT, WIDTH, TileStore


class TilesUnavailable(Exception):
    """The stored tiles cannot answer (missing table, rows, or short tiles): recompute."""


class TileTree(MerkleTree):
    """A read-only MerkleTree whose nodes come from stored tiles, fetched when first needed.
    Nothing here is checked: see the module docstring."""

    def __init__(self, store: TileStore, size: int) -> None:
        super().__init__()
        self._store, self._size = store, size
        self._tiles: dict[tuple[int, int], bytes] = {}

    @property
    def size(self) -> int:
        return self._size

    def node(self, level: int, index: int) -> bytes:
        tile_level, rise = divmod(level, HEIGHT)
        first = index << rise  # the first hash under this node, on the tile's level
        tile = self._tile(tile_level, first // WIDTH)
        start = (first % WIDTH) * HASH_SIZE
        hashes = tile[start : start + (HASH_SIZE << rise)]
        if len(hashes) != HASH_SIZE << rise:
            raise TilesUnavailable(f"tile {tile_level}/{first // WIDTH} is too short")
        pair = 2 * HASH_SIZE
        while len(hashes) > HASH_SIZE:
            hashes = b"".join(
                hashlib.sha256(NODE_PREFIX + hashes[i : i + pair]).digest()
                for i in range(0, len(hashes), pair)
            )
        return hashes

    def _tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._tiles:
            try:
                blob = self._store.load_tile(level, index)
            except Exception as exc:  # no table, or the database refuses
                raise TilesUnavailable(str(exc)) from exc
            if blob is None:
                raise TilesUnavailable(f"tile {level}/{index} is missing")
            self._tiles[key] = blob
        return self._tiles[key]


def stored_tree(app: LedgerApp) -> TileTree | None:
    """The tree the stored tiles describe, or None when there are none (unchecked)."""
    store = TileStore(app.recorder, app.location.is_postgres)
    try:
        end = store.load_end()
    except Exception:  # no tiles table: an older ledger, or one whose table was dropped
        return None
    return None if end is None else TileTree(store, end.size)


def _refused(checkpoint: Ledger.CheckpointSigned, problem: Exception) -> VerificationError:
    return VerificationError(
        f"stored hash tiles do not match the signed checkpoint of size {checkpoint.size} "
        f"({problem}); no proof printed: run 'awards verify'"
    )


def _anchored(
    tree: MerkleTree, checkpoint: Ledger.CheckpointSigned, sizes: list[int]
) -> dict[int, bytes]:
    """The roots of `tree` at `sizes` (each ≤ the checkpoint's), each proven consistent with
    the signed checkpoint root. Raises VerificationError, TilesUnavailable."""
    top, signed = checkpoint.size, checkpoint.root_hash
    if tree.size < top:
        raise TilesUnavailable(f"tiles cover {tree.size} events, the checkpoint {top}")
    roots: dict[int, bytes] = {}
    try:
        if tree.root(top) != signed:
            raise VerificationError(f"their root at {top} is not the signed root")
        roots[top] = signed
        for size in sizes:
            if size not in roots:
                root = tree.root(size)
                verify_consistency(size, top, tree.consistency_proof(size, top), root, signed)
                roots[size] = root
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc
    return roots


def checked_inclusion(
    app: LedgerApp, checkpoint: Ledger.CheckpointSigned | None, seq: int, size: int
) -> tuple[bytes, list[bytes], bytes] | None:
    """(leaf hash, PATH(seq, D[size]), root at size) from the tiles, checked against the
    signed `checkpoint`; None when the tiles cannot answer (the caller recomputes)."""
    tree = stored_tree(app)
    if tree is None or checkpoint is None or not seq < size <= checkpoint.size:
        return None
    try:
        root = _anchored(tree, checkpoint, [size])[size]
        leaf, proof = tree.leaf_hash_at(seq), tree.inclusion_proof(seq, size)
    except TilesUnavailable:
        return None
    try:
        verify_inclusion(leaf, seq, size, proof, root)
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc
    return leaf, proof, root


def checked_consistency(
    app: LedgerApp, checkpoint: Ledger.CheckpointSigned | None, old: int, new: int | None
) -> tuple[int, bytes, bytes, list[bytes]] | None:
    """(new size, old root, new root, PROOF(old, D[new])) from the tiles, checked against the
    signed `checkpoint`; None when they cannot answer. Without `new`, the whole ledger: the
    tiles' size, when they end on the ledger's last row and the checkpoint covers them."""
    tree = stored_tree(app)
    if tree is None or checkpoint is None:
        return None
    if new is None:
        if tree.size != checkpoint.size or not _ends_on_last_row(app):
            return None
        new = tree.size
    if not 0 < old <= new <= checkpoint.size:
        return None
    try:
        roots = _anchored(tree, checkpoint, [old, new])
        proof = tree.consistency_proof(old, new)
    except TilesUnavailable:
        return None
    try:
        verify_consistency(old, new, proof, roots[old], roots[new])
    except AwardLedgerError as exc:
        raise _refused(checkpoint, exc) from exc
    return new, roots[old], roots[new], proof


def _ends_on_last_row(app: LedgerApp) -> bool:
    store = TileStore(app.recorder, app.location.is_postgres)
    try:
        end = store.load_end()
    except Exception:
        return False
    return end is not None and end.last_id == app.last_notification_id()


def recomputed_tree(app: LedgerApp) -> MerkleTree:
    """The tree recomputed from the log (``LedgerApp.tree``); the tiles are rebuilt from it
    when the ledger is writable (a read-only one keeps it in memory only)."""
    tree, leaf_ids = app.tree()
    with contextlib.suppress(Exception):  # read-only, or a writer got there first
        store = TileStore(app.recorder, app.location.is_postgres)
        end = store.load_end()
        if end is not None and end.size == tree.size and end.last_id == leaf_ids[-1]:
            return tree  # they end where the tree does (a proof beyond the checkpoint)
        store.store_rebuilt(tree, leaf_ids)
    return tree
