"""Audit steps (6) and (7): stored, cosigned and kept checkpoints against the recomputed tree,
and the trusted starting point of an incremental audit.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import AwardLedgerError, CheckpointError
from domain.registry import Ledger
from ledger.application import LedgerApp
from ledger.findings import Problem
from ledger.mapper import decode_stored, topic_of
from ledger.merkle import CompactRange, MerkleTree
from ledger.note import Checkpoint, SignedNote, open_checkpoint


def check_stored(
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]],
    tree: MerkleTree,
    origin: str,
    problems: list[Problem],
) -> None:
    # (6): every stored checkpoint is signed by the operator key then in force and commits to
    # the recomputed tree
    for seq, event, op_key in stored:
        where = f"event {seq} (checkpoint of size {event.size})"
        try:
            cp = open_checkpoint(event.note, origin, origin, op_key)
        except AwardLedgerError as exc:
            problems.append(Problem(seq, 6, f"{where}: {exc}"))
            continue
        if cp.size != event.size or cp.root_hash != event.root_hash or cp.size > seq:
            problems.append(Problem(seq, 6, f"{where}: note and event disagree"))
            continue
        calculated = tree.root(cp.size)
        if calculated != cp.root_hash:
            problems.append(
                Problem(
                    seq,
                    6,
                    f"{where}: root mismatch: signed {cp.root_hash.hex()}, "
                    f"calculated {calculated.hex()}",
                )
            )
        elif event.frontier != tree.compact_range(cp.size):
            problems.append(Problem(seq, 6, f"{where}: stored frontier does not match the tree"))


def check_cosigned(
    cosigned: list[tuple[int, Ledger.CosignaturesAttached, bytes]],
    tree: MerkleTree,
    origin: str,
    problems: list[Problem],
) -> None:
    # (6): a stored cosigned copy is still the operator's note over the recomputed tree
    for seq, event, op_key in cosigned:
        where = f"event {seq} (cosigned checkpoint of size {event.size})"
        try:
            cp = open_checkpoint(event.note, origin, origin, op_key)
        except AwardLedgerError as exc:
            problems.append(Problem(seq, 6, f"{where}: {exc}"))
            continue
        if cp.size != event.size or cp.size > seq or tree.root(cp.size) != cp.root_hash:
            problems.append(Problem(seq, 6, f"{where}: does not match the recomputed tree"))


def open_with_any(text: str | bytes, origin: str, keys: Sequence[bytes]) -> Checkpoint:
    """Open a checkpoint signed by any operator key the log has had (newest first)."""
    error: AwardLedgerError | None = None
    for key in reversed(keys):
        try:
            return open_checkpoint(text, origin, origin, key)
        except AwardLedgerError as exc:
            error = error or exc
    raise error or CheckpointError("checkpoint: the ledger has no operator key")


def unverified_size(text: str | bytes) -> int:
    """The size a checkpoint claims (verified later, once the operator keys are known)."""
    note = SignedNote.from_text(text)
    return Checkpoint.from_body(note.text).size


def check_given(
    text: str | bytes,
    tree: MerkleTree,
    origin: str,
    keys: Sequence[bytes],
    problems: list[Problem],
) -> None:
    # (7): a checkpoint the inspector kept must still be a prefix of this log
    try:
        cp = open_with_any(text, origin, keys)
    except AwardLedgerError as exc:
        problems.append(Problem(None, 7, f"given checkpoint: {exc}"))
        return
    if cp.size > tree.size:
        problems.append(
            Problem(
                tree.size,
                7,
                f"given checkpoint of size {cp.size}: the ledger holds only "
                f"{tree.size} events (truncated after event {tree.size - 1})",
            )
        )
        return
    calculated = tree.root(cp.size)
    if calculated != cp.root_hash:
        problems.append(
            Problem(
                None,
                7,
                f"given checkpoint of size {cp.size}: root mismatch: signed "
                f"{cp.root_hash.hex()}, calculated {calculated.hex()}",
            )
        )


def trusted_start(
    app: LedgerApp,
    text: str | bytes,
    origin: str,
    keys: Sequence[bytes],
    problems: list[Problem],
) -> tuple[int, CompactRange | None]:
    """Open a trusted checkpoint and the stored frontier that reproduces its root."""
    cp = open_with_any(text, origin, keys)
    for n in app.notifications_of((topic_of(Ledger.CheckpointSigned),)):
        event = decode_stored(n.topic, n.state)
        if not isinstance(event, Ledger.CheckpointSigned) or event.size != cp.size:
            continue
        compact = CompactRange.from_hashes(cp.size, event.frontier)
        if compact.root() == cp.root_hash:
            return cp.size, compact
    problems.append(
        Problem(
            None,
            7,
            f"trusted checkpoint of size {cp.size}: the ledger holds no frontier "
            "for it, or its history was rewritten",
        )
    )
    return 0, None


def check_tail(
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]],
    folded: dict[int, tuple[int, bytes]],
    origin: str,
    problems: list[Problem],
) -> None:
    """In an incremental audit, every new checkpoint signed over the whole tree before it must
    match the root folded from the trusted frontier (`folded`: seq -> size and root there)."""
    for seq, event, op_key in stored:
        size, root = folded.get(seq, (-1, b""))
        if event.size != size:
            continue  # signed while other writes landed: the full audit checks it
        try:
            cp = open_checkpoint(event.note, origin, origin, op_key)
        except AwardLedgerError as exc:
            problems.append(Problem(seq, 6, f"event {seq}: {exc}"))
            continue
        if cp.size != event.size or cp.root_hash != root:
            problems.append(
                Problem(
                    seq,
                    6,
                    f"event {seq} (checkpoint of size {event.size}): root mismatch: "
                    f"signed {cp.root_hash.hex()}, calculated {root.hex()}",
                )
            )
