"""Audit steps (6) and (7): stored, cosigned and kept checkpoints against the recomputed tree
(and their registry lines against the recomputed registry), and the trusted starting point of
an incremental audit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from domain.errors import AwardLedgerError, CheckpointError
from domain.registry import Ledger
from domain.text import counted
from ledger.application import LedgerApp, state_bytes
from ledger.findings import Problem
from ledger.mapper import decode_stored
from ledger.merkle import CompactRange, Tree, leaf_hash, root_of
from ledger.note import Checkpoint, SignedNote, open_checkpoint
from ledger.registry_tree import RegistryClaim, claim_of_note
from ledger.store import RawRow
from ledger.verify_prefix import PrefixRegistry
from ledger.verify_registry import Registry


def check_stored(
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]],
    tree: Tree,
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
    tree: Tree,
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
    tree: Tree,
    origin: str,
    keys: Sequence[bytes],
    problems: list[Problem],
) -> None:
    # (7): a checkpoint the inspector kept must still be a prefix of this log
    try:
        claimed = Checkpoint.from_body(SignedNote.from_text(text).text).origin
        if claimed != origin:  # another ledger's checkpoint: say so, not "no signature"
            problems.append(
                Problem(
                    None,
                    7,
                    f"given checkpoint: different origin: it is of {claimed!r}, "
                    f"this ledger is {origin!r}",
                )
            )
            return
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
                f"{counted(tree.size, 'event')} (truncated after event {tree.size - 1})",
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
    row before it, the trusted tree's frontier, the registry as it stood there, and the last
    version of each aggregate whose rows before the boundary were checked."""

    seq: int
    after_id: int | None
    compact: CompactRange | None
    registry: Registry
    versions: dict[Any, int] = field(default_factory=dict)
    counted: Callable[[], None] = lambda: None  # waits for the prefix's row count check


def trusted_start(app: LedgerApp, text: str | bytes, origin: str, problems: list[Problem]) -> Start:
    """Open a trusted checkpoint, find the stored frontier that reproduces its root, check that
    the log still holds that tree's size (the frontier's last subtree hashed from the rows, the
    row count on the index), and check every registry row before it (verify_prefix.py).
    Without a matching frontier the finding is a problem and the audit starts at 0.
    Raises CheckpointError (or another AwardLedgerError) for a checkpoint that does not open."""
    ledger_rows = app.aggregate_rows(Ledger.ID)
    keys = [
        e.operator_key
        for e in (_decoded(row) for row in ledger_rows)
        if isinstance(e, Ledger.Initialised | Ledger.OperatorRotated)
    ]
    cp = open_with_any(text, origin, keys)
    for row in ledger_rows:
        event = _decoded(row)
        if not isinstance(event, Ledger.CheckpointSigned) or event.size != cp.size:
            continue
        compact = CompactRange.from_hashes(cp.size, event.frontier)
        if compact.root() == cp.root_hash:
            last_id, counted = _last_covered(app, cp.size, row.id, compact, problems)
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
    prefix = PrefixRegistry(app, origin, ledger_rows, first_new, problems)
    registry = Registry(earlier=prefix.events_of)
    for checked in prefix.ledger:
        registry.apply(checked.event)
    before = sum(1 for row in ledger_rows if row.id < first_new)
    versions = {row.originator_id: before for row in ledger_rows[:1]}
    return Start(cp.size, last_id, compact, registry, versions, counted)


def _last_covered(
    app: LedgerApp, size: int, checkpoint_id: int, compact: CompactRange, problems: list[Problem]
) -> tuple[int | None, Callable[[], None]]:
    """The notification id of the row at seq `size` - 1 (None for an empty tree), checked to
    be the row the frontier ends at: exactly `size` rows up to it (counted on the index) and,
    when the frontier's last subtree spans at most BOUNDARY_ROWS rows, those rows hash to it.

    Usually the checkpoint event directly follows the rows it covers: then the rows just
    before it are hashed, and their count is checked in a thread while the audit goes on
    (the second callable waits for it: counting a million index entries takes ~12 ms, which
    overlaps the new events' signature checks). Otherwise the row is found by counting, and
    the rows before it hashed."""
    if size == 0:
        return None, lambda: None
    width = size & -size  # the leaves under the frontier's smallest subtree
    where = f"trusted checkpoint of size {size}"
    last_id = _subtree_end(app, checkpoint_id, width, compact)
    if last_id is not None:
        counting = ThreadPoolExecutor(1, thread_name_prefix="award-ledger-count")
        count = counting.submit(app.count_through, last_id)
        counting.shutdown(wait=False)

        def check_count() -> None:
            found = count.result()
            if found != size:
                problems.append(
                    Problem(
                        None,
                        7,
                        f"{where}: its last leaf is now event {found - 1}: "
                        f"{counted(abs(found - size), 'event')} before it "
                        f"{'was' if abs(found - size) == 1 else 'were'} "
                        f"{'deleted' if found < size else 'inserted'}",
                    )
                )

        return last_id, check_count
    found = app.notification_id_of(size - 1)
    if found is None:
        problems.append(Problem(None, 7, f"{where}: the ledger holds fewer events"))
        before = app.rows_before(checkpoint_id, 1)
        return (before[-1].id if before else None), lambda: None
    if width <= BOUNDARY_ROWS and _subtree_end(app, found + 1, width, compact) is None:
        problems.append(
            Problem(
                None,
                7,
                f"{where}: events {size - width}-{size - 1} do not hash to its frontier: "
                "events before it were deleted, inserted or edited",
            )
        )
    return found, lambda: None


def _subtree_end(app: LedgerApp, before_id: int, width: int, compact: CompactRange) -> int | None:
    """The notification id of the last of the `width` rows just below `before_id` if they hash
    to the frontier's last subtree (never tried above BOUNDARY_ROWS rows), else None."""
    if width > BOUNDARY_ROWS:
        return None
    rows = app.rows_before(before_id, width)
    leaves = [leaf_hash(state_bytes(row.state)) for row in rows]
    if len(rows) == width and root_of(leaves) == compact.hashes[-1]:
        return int(rows[-1].id)
    return None


def _decoded(row: RawRow) -> object | None:
    """A Ledger row decoded strictly but unchecked (to find keys and frontiers; the rows
    before the boundary are then checked by PrefixRegistry, the later ones by the audit)."""
    try:
        return decode_stored(row.topic, state_bytes(row.state))
    except AwardLedgerError:
        return None


def check_tail(
    stored: Sequence[tuple[int, Ledger.CheckpointSigned | Ledger.CosignaturesAttached, bytes]],
    start: CompactRange,
    leaves: Sequence[bytes],
    origin: str,
    problems: list[Problem],
    behind: Callable[[int], list[bytes] | None] = lambda size: None,
) -> int:
    """In an incremental audit, every checkpoint (and cosigned copy) stored after the boundary
    must match the tree folded from the trusted frontier `start` with the new `leaves`, at the
    size it signs. A checkpoint of a smaller size than the trusted one (signed while a larger
    one was being signed, and stored first) is lined up backwards: its stored frontier,
    extended by the leaves `behind(size)` (seq size … start.size − 1, read just before the
    boundary), must give the trusted frontier. One that cannot be lined up either way (or
    beyond the event itself) is a problem, not skipped. Returns how many were checked."""
    wanted = sorted({event.size for _, event, _ in stored if start.size <= event.size})
    trees: dict[int, tuple[bytes, list[bytes]]] = {}
    compact = CompactRange.from_hashes(start.size, start.hashes)
    for size in wanted:
        compact.extend(leaves[compact.size - start.size : size - start.size])
        if compact.size == size:
            trees[size] = (compact.root(), compact.hashes)
    for _, event, _ in stored:
        if isinstance(event, Ledger.CheckpointSigned) and event.size < start.size:
            tree = _lined_up_backwards(event, start, behind)
            if tree is not None:
                trees.setdefault(event.size, tree)
    checked = 0
    for seq, event, op_key in stored:
        cosigned = isinstance(event, Ledger.CosignaturesAttached)
        where = f"event {seq} ({'cosigned ' if cosigned else ''}checkpoint of size {event.size})"
        tree = trees.get(event.size)
        if tree is None or event.size > seq:
            problems.append(
                Problem(
                    seq,
                    6,
                    f"{where}: cannot be lined up with the tree folded from the trusted "
                    f"checkpoint of size {start.size}",
                )
            )
            continue
        checked += 1
        try:
            cp = open_checkpoint(event.note, origin, origin, op_key)
        except AwardLedgerError as exc:
            problems.append(Problem(seq, 6, f"{where}: {exc}"))
            continue
        root, frontier = tree
        signed = event if isinstance(event, Ledger.CheckpointSigned) else None
        if cp.size != event.size or (signed is not None and cp.root_hash != signed.root_hash):
            problems.append(Problem(seq, 6, f"{where}: note and event disagree"))
        elif cp.root_hash != root:
            problems.append(
                Problem(
                    seq,
                    6,
                    f"{where}: root mismatch: signed {cp.root_hash.hex()}, calculated {root.hex()}",
                )
            )
        elif signed is not None and signed.frontier != frontier:
            problems.append(Problem(seq, 6, f"{where}: stored frontier does not match the tree"))
    return checked


def _lined_up_backwards(
    event: Ledger.CheckpointSigned,
    start: CompactRange,
    behind: Callable[[int], list[bytes] | None],
) -> tuple[bytes, list[bytes]] | None:
    """The (root, frontier) of a checkpoint smaller than the trusted tree, if its stored
    frontier extended by the real leaves up to the trusted size is the trusted frontier."""
    leaves = behind(event.size)
    if leaves is None:
        return None
    try:
        back = CompactRange.from_hashes(event.size, event.frontier)
    except AwardLedgerError:
        return None
    root = back.root()
    back.extend(leaves)
    return (root, list(event.frontier)) if back.hashes == start.hashes else None


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
