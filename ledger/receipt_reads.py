"""What a receipt reads (ledger/receipt.py): the few rows it carries and their inclusion
proofs, on indexes and the stored hash tiles, never a pass over the log.

The event is read by notification id (guessed, kept only if it hashes to the checked leaf at
its seq, else found by counting), the signer's registration on its aggregate at the seq the
registry history gives it, the operator rotations on the Ledger aggregate; the proofs come
from the tiles, checked against the signed checkpoint (ledger/tiled_proofs.py), or from the
tree recomputed from the log when the tiles cannot answer. The caller checks that every row
it carries hashes to the leaf at its seq (ledger/receipt_guard.py refuses the receipt if not).
"""

from __future__ import annotations

from domain.registry import Ledger, Signer
from ledger.application import LedgerApp
from ledger.mapper import topic_of
from ledger.merkle import MerkleTree, leaf_hash
from ledger.reader import Entry
from ledger.registry_tree import RegistryHistory
from ledger.tiled_proofs import checked_inclusions, recomputed_tree

ROTATION_TOPIC = topic_of(Ledger.OperatorRotated)
REGISTERED_TOPIC = topic_of(Signer.Registered)


class ReceiptProofs:
    """Inclusion proofs in the checkpoint's tree: from the stored tiles, checked against the
    signed root (VerificationError if they disagree), or, when the tiles cannot answer, from
    the tree recomputed from the log (none at all when that tree is not the signed one)."""

    def __init__(self, app: LedgerApp, latest: Ledger.CheckpointSigned) -> None:
        self.app, self.latest = app, latest
        self._tree: MerkleTree | None = None

    def get(self, seqs: list[int]) -> dict[int, tuple[bytes, list[bytes]]]:
        """{seq: (leaf hash, inclusion proof)}; empty when the log is not the signed tree."""
        if self._tree is None:
            checked = checked_inclusions(self.app, self.latest, seqs)
            if checked is not None:
                return checked
            self._tree = recomputed_tree(self.app)
        tree, size = self._tree, self.latest.size
        if tree.size < size or tree.root(size) != self.latest.root_hash:
            return {}
        return {s: (tree.leaf_hash_at(s), tree.inclusion_proof(s, size)) for s in seqs}


def entry_at(app: LedgerApp, seq: int, proofs: ReceiptProofs) -> Entry | None:
    """The event at `seq`. Notification ids usually run 1, 2, 3, … (a rolled-back write can
    skip one), so the row with id seq + 1 is read first and taken only when it hashes to the
    checkpoint tree's leaf at `seq`; else the row is found by counting on the index."""
    guess = app.entry_by_id(seq + 1, seq)
    leaf = proofs.get([seq]).get(seq) if guess is not None else None
    if guess is not None and leaf is not None and leaf_hash(guess.state) == leaf[0]:
        return guess
    return app.entry_at(seq)


def seq_of_row(app: LedgerApp, notification_id: int, state: bytes) -> int:
    """The seq of the row with this notification id and stored `state`: its id minus one when
    the newest checkpoint's tree holds `state`'s leaf there (ids usually run dense from 1; the
    leaf read from the stored tiles, checked against the signed root), else counted on the
    index (a pass over it: about 90 ms at 1M events)."""
    latest = app.genesis().latest_checkpoint
    guess = notification_id - 1
    if latest is not None:
        leaves = checked_inclusions(app, latest, [guess])
        if leaves is not None and leaves[guess][0] == leaf_hash(state):
            return guess
    return app.count_through(notification_id) - 1


def registration_of(
    app: LedgerApp, signer: str, event: Entry, history: RegistryHistory
) -> Entry | None:
    """The signer's first `Signer.Registered` row at or before `event` (on the aggregate),
    at the seq the registry history gives it (checked against its leaf by the caller)."""
    records = history.records_at(event.seq + 1)
    seq = next((r.registered for r in records if r.name == signer), None)
    for row in app.aggregate_rows(Signer.id_for(signer), before=event.notification_id + 1):
        if row.topic == REGISTERED_TOPIC:
            return app.entry_of(row, seq)
    return None


def rotations_in(app: LedgerApp, size: int) -> list[Entry]:
    """Every operator rotation among the first `size` events (the Ledger aggregate's rows;
    only a rotation's seq is counted)."""
    rows = [row for row in app.aggregate_rows(Ledger.ID) if row.topic == ROTATION_TOPIC]
    return [entry for entry in map(app.entry_of, rows) if entry.seq < size]
