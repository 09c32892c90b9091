"""Collecting witness cosignatures over HTTP for a checkpoint just signed (`awards checkpoint
--witness-url`), and storing them as `Ledger.CosignaturesAttached`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import ConsistencyError
from domain.text import counted
from ledger.application import LedgerApp, WriteReceipt
from ledger.note import Checkpoint, SignedNote
from ledger.tiled_proofs import checked_consistency, recomputed_tree
from ledger.usecases.registry import attach_cosignatures
from ledger.witness_http import WitnessAnswer, ask_witness


@dataclass(frozen=True)
class Witnessed:
    """Each witness's answer, and the receipt of the stored cosigned note (None if none)."""

    answers: list[WitnessAnswer]
    receipt: WriteReceipt | None

    @property
    def cosigned(self) -> int:
        return sum(1 for a in self.answers if a.lines)


def previous_cosigned_size(app: LedgerApp) -> int:
    """The size of the newest checkpoint with stored cosignatures (0 if none): the size the
    witnesses most likely cosigned last. Only a hint: a witness answers 409 with its own."""
    note = app.genesis().cosigned_note
    if note is None:
        return 0
    return Checkpoint.from_body(SignedNote.from_text(note).text).size


def collect_cosignatures(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    note: str,
    urls: Sequence[str],
    old_size: int,
    timeout: float = 10.0,
) -> Witnessed:
    """Ask every witness in `urls` to cosign `note` (the latest checkpoint, just signed) from
    `old_size`, then store the note with every cosignature line received. Consistency proofs
    come from the stored tiles, checked against the signed checkpoint (ledger/tiled_proofs.py),
    or from the tree recomputed from the log when the tiles cannot answer."""
    size = Checkpoint.from_body(SignedNote.from_text(note).text).size

    def proof_for(old: int) -> list[bytes]:
        if not 0 < old <= size:
            raise ConsistencyError(f"size {old} is not between 1 and {size}")
        checked = checked_consistency(app, app.genesis().latest_checkpoint, old, size)
        if checked is not None:  # from the tiles, verified against the signed checkpoint
            return checked[3]
        tree = recomputed_tree(app)  # no usable tiles: the tree from the log
        if size > tree.size:
            raise ConsistencyError(
                f"size {size} is beyond the ledger's {counted(tree.size, 'event')}"
            )
        return tree.consistency_proof(old, size)

    answers = [ask_witness(url, note, old_size, proof_for, timeout) for url in urls]
    lines = [line for answer in answers for line in answer.lines]
    if not lines:
        return Witnessed(answers, None)
    signed = SignedNote.from_text(note)
    cosigned = SignedNote(signed.text, (*signed.signatures, *lines))
    return Witnessed(answers, attach_cosignatures(app, key, cosigned.to_text()))
