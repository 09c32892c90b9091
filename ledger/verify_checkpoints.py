"""Audit steps (6) and (7): stored, cosigned and kept checkpoints against the recomputed tree
(and their registry lines against the recomputed registry), and the trusted starting point of
an incremental audit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.errors import AwardLedgerError, CheckpointError
from domain.registry import Ledger
from ledger.application import LedgerApp, state_bytes
from ledger.findings import Problem
from ledger.mapper import decode_stored
from ledger.merkle import CompactRange, MerkleTree, leaf_hash, root_of
from ledger.note import Checkpoint, SignedNote, open_checkpoint
from ledger.registry_tree import RegistryClaim, claim_of_note
from ledger.store import RawRow
from ledger.verify_registry import REGISTRY_EVENTS, Registry


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


# A trusted checkpoint's last covered row is found by hashing the rows just before its stored
# event into the frontier's smallest subtree (2**k rows for a size divisible by 2**k exactly);
# above this many rows, counting rows on the index (OFFSET) is cheaper.
BOUNDARY_ROWS = 4096


@dataclass
class Start:
    """Where an incremental audit begins: the first seq to check, the notification id of the
    row before it, the trusted tree's frontier, and the registry as it stood there."""

    seq: int
    after_id: int | None
    compact: CompactRange | None
    registry: Registry


def trusted_start(app: LedgerApp, text: str | bytes, origin: str, problems: list[Problem]) -> Start:
    """Open a trusted checkpoint, find the stored frontier that reproduces its root and the row
    it ends at, and the registry up to there — all on indexes, so the cost does not grow with
    the log. Without a matching frontier the finding is a problem and the audit starts at 0.
    Raises CheckpointError (or another AwardLedgerError) for a checkpoint that does not open."""
    ledger_rows = [(row, _decoded(row, problems, None)) for row in app.aggregate_rows(Ledger.ID)]
    keys = [
        e.operator_key
        for _, e in ledger_rows
        if isinstance(e, Ledger.Initialised | Ledger.OperatorRotated)
    ]
    cp = open_with_any(text, origin, keys)
    for row, event in ledger_rows:
        if not isinstance(event, Ledger.CheckpointSigned) or event.size != cp.size:
            continue
        compact = CompactRange.from_hashes(cp.size, event.frontier)
        if compact.root() == cp.root_hash:
            last_id = _last_covered(app, cp.size, row.id, compact)
            break
    else:
        problems.append(
            Problem(
                None,
                7,
                f"trusted checkpoint of size {cp.size}: the ledger holds no frontier "
                "for it, or its history was rewritten",
            )
        )
        return Start(0, None, None, Registry())
    first_new = 0 if last_id is None else last_id + 1

    def earlier(aggregate_id: UUID) -> list[object]:
        rows = app.aggregate_rows(aggregate_id, before=first_new)
        return [e for e in (_decoded(row, problems, REGISTRY_EVENTS) for row in rows) if e]

    registry = Registry(earlier=earlier)
    for row, event in ledger_rows:
        if row.id < first_new and event is not None:
            registry.apply(event)
    return Start(cp.size, last_id, compact, registry)


def _last_covered(
    app: LedgerApp, size: int, checkpoint_id: int, compact: CompactRange
) -> int | None:
    """The notification id of the row at seq `size` - 1 (None for an empty tree).

    Usually the checkpoint event directly follows the rows it covers: then the rows just
    before it hash to the frontier's last subtree. Otherwise count on the index."""
    if size == 0:
        return None
    width = size & -size  # the leaves under the frontier's smallest subtree
    if width <= BOUNDARY_ROWS:
        rows = app.rows_before(checkpoint_id, width)
        leaves = [leaf_hash(state_bytes(row.state)) for row in rows]
        if len(rows) == width and root_of(leaves) == compact.hashes[-1]:
            return rows[-1].id
    return app.notification_id_of(size - 1)


def _decoded(row: RawRow, problems: list[Problem], kinds: tuple[type, ...] | None) -> object | None:
    """A registry row decoded strictly (of `kinds` only, when given), or None with a problem."""
    try:
        event = decode_stored(row.topic, state_bytes(row.state))
    except AwardLedgerError as exc:
        where = f"registry event {row.originator_id} v{row.originator_version}"
        problems.append(Problem(None, 1, f"{where} before the trusted checkpoint: {exc}"))
        return None
    return event if kinds is None or isinstance(event, kinds) else None


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


def check_registry_lines(
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]],
    claim_at: Callable[[int], RegistryClaim],
    problems: list[Problem],
) -> None:
    """(6): a stored checkpoint's registry line must equal the registry recomputed at its size
    (`claim_at`); a checkpoint without one claims nothing about the registry."""
    for seq, event, _ in stored:
        where = f"event {seq} (checkpoint of size {event.size})"
        try:
            claim = claim_of_note(event.note)
        except AwardLedgerError as exc:
            problems.append(Problem(seq, 6, f"{where}: {exc}"))
            continue
        if claim is None:
            continue
        actual = claim_at(event.size)
        if claim != actual:
            problems.append(
                Problem(
                    seq,
                    6,
                    f"{where}: registry line mismatch: signed {claim.count} signers, root "
                    f"{claim.root.hex()}; calculated {actual.count}, {actual.root.hex()}",
                )
            )
