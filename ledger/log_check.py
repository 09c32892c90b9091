"""The cheap check every read command makes: does the log it reads match the newest signed
checkpoint? One function, :func:`check_log`, for every read (log, history, show, list, and the
view reads standings, tally, report), and :meth:`LogCheck.check_rows` for the rows it shows.

On the stored hash tiles (ledger/tiles.py) it costs O(log n) hashes plus the events appended
since the checkpoint: the tiles' root at the checkpoint's size must be the signed root, and every
row after it must be the tiles' leaf at its seq (``tiled_proofs.signed_roots``). A row a read
shows is then checked on its own: before the checkpoint, its leaf hash with the tiles' inclusion
proof must give the signed root; after it, its leaf hash must be the (just checked) tiles' leaf.

Without usable tiles (an older ledger, tiles fallen behind) they are rebuilt from the log first
(``tiled_proofs.recomputed_tree``: one full read, once). Nothing here decides what a mismatch
does: the caller warns, or exits 4 when asked to be strict (cli/context.py ``check_read``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.errors import AwardLedgerError
from domain.registry import Ledger
from ledger.application import LedgerApp
from ledger.merkle import leaf_hash, node_hash, verify_inclusion
from ledger.tiled_proofs import (
    TilesUnavailable,
    TileTree,
    recomputed_tree,
    signed_roots,
    stored_tree,
)

# the lowest level whose proven nodes are kept: a leaf climbs at most this many hashes to a
# kept one (one kept node for 16 leaves)
PROVEN_FROM = 4


@dataclass
class LogCheck:
    """What the check found: `problem` (the log does not match the signed checkpoint, or a row
    shown is not the event the signed tree holds), or `unchecked` (why nothing could be
    checked: no checkpoint yet, no usable tiles). Neither: the log read is the signed one."""

    signed: Ledger.CheckpointSigned | None = None
    problem: str | None = None
    unchecked: str | None = None
    tree: TileTree | None = None
    app: LedgerApp | None = None
    whole: bool = True
    roots: dict[int, bytes] = field(default_factory=dict)  # checked roots, by size
    # nodes of the signed tree proven by an inclusion proof, by (level, index)
    proven: dict[tuple[int, int], bytes] = field(default_factory=dict)

    @property
    def checkpoint(self) -> int | None:
        """The newest signed checkpoint's size (None: none yet)."""
        return None if self.signed is None else self.signed.size

    def root(self, size: int) -> bytes | None:
        """The checked root of the first `size` events (None: nothing to check it with)."""
        if self.tree is None or self.signed is None or self.problem is not None:
            return None
        if size in self.roots:
            return self.roots[size]
        try:
            assert self.app is not None
            self.roots.update(signed_roots(self.app, self.tree, self.signed, [size], self.whole))
            return self.roots[size]
        except (AwardLedgerError, TilesUnavailable):
            return None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def check_rows(self, rows: Iterable[tuple[int, bytes]]) -> list[int]:
        """The seqs of the rows (seq, stored entry) that are not the event the checked tree
        holds at that seq (none when there was nothing to check against)."""
        tree, signed = self.tree, self.signed
        if tree is None or signed is None or self.problem is not None:
            return []
        top = signed.size
        bad: list[int] = []
        for seq, state in rows:
            leaf = leaf_hash(state)
            try:
                if seq < top:
                    if not self._included(tree, seq, leaf, top, signed.root_hash):
                        bad.append(seq)
                elif seq >= tree.size or tree.leaf_hash_at(seq) != leaf:
                    bad.append(seq)
            except (AwardLedgerError, TilesUnavailable):
                bad.append(seq)
        return bad

    def _included(self, tree: TileTree, seq: int, leaf: bytes, top: int, root: bytes) -> bool:
        """Whether `leaf` is leaf `seq` of the signed tree of `top` leaves (raises
        AwardLedgerError when a proof fails). The first leaf of a region is proven by its
        whole inclusion proof against the signed root; the complete subtrees on its path
        (from PROVEN_FROM up) are then known nodes of the signed tree, and a later leaf under
        one of them climbs only to it, hashing the same siblings the proof would use."""
        proven = self.proven
        level, index, node = 0, seq, leaf
        climbed: list[tuple[tuple[int, int], bytes]] = []
        while True:
            if level >= PROVEN_FROM:
                known = proven.get((level, index))
                if known is not None:
                    if known != node:
                        return False
                    break
                climbed.append(((level, index), node))
            if ((index >> 1) + 1) << (level + 1) > top:  # the parent is not complete: prove
                verify_inclusion(leaf, seq, top, tree.inclusion_proof(seq, top), root)
                break
            sibling = tree.node(level, index ^ 1)
            node = node_hash(sibling, node) if index & 1 else node_hash(node, sibling)
            level, index = level + 1, index >> 1
        proven.update(climbed)
        return True

def check_log(app: LedgerApp, whole: bool = True) -> LogCheck:
    """Check the log against the newest signed checkpoint (see the module docstring).

    With `whole` (reads that fold the log: log, standings, tally, report) the rows after the
    checkpoint are also counted to stand at their seqs, which catches a row deleted before
    it (one count on the database's index, ~35 ms at 1M events on SQLite). Reads that show
    only rows they check one by one at their seq (the event index's) pass False."""
    checkpoint: Ledger.CheckpointSigned | None = app.genesis().latest_checkpoint
    if checkpoint is None:
        return LogCheck(unchecked="no signed checkpoint yet: the log read is not checked")
    tree = _usable_tree(app)
    if tree is None:
        return LogCheck(
            signed=checkpoint,
            unchecked="no usable hash tiles: the log read is not checked; run 'awards verify'",
        )
    found = LogCheck(signed=checkpoint, tree=tree, app=app, whole=whole)
    try:
        found.roots.update(signed_roots(app, tree, checkpoint, [tree.size], whole))
    except TilesUnavailable as exc:
        found.unchecked = f"the hash tiles cannot be checked ({exc}); run 'awards verify'"
        found.tree = None
    except AwardLedgerError as exc:
        found.problem = (
            f"the log does not match the signed checkpoint of size {checkpoint.size} "
            f"({exc.diagnostics()}); run 'awards verify'"
        )
    return found


def _usable_tree(app: LedgerApp) -> TileTree | None:
    """The stored tiles when they end on the log's last row; else rebuilt from the log first
    (when the ledger is writable), or None."""
    last = app.last_notification_id()
    tree = stored_tree(app)
    if tree is not None and tree.end.last_id == last:
        return tree
    recomputed_tree(app)
    tree = stored_tree(app)
    return tree if tree is not None and tree.end.last_id == last else None
