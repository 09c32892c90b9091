"""The audit: replay the whole log (or what is new since a trusted checkpoint) and check it.

:func:`audit` runs these steps over every stored event, in ledger order, and reports every
problem found, first bad event first:

(1) strict decode: the entry splits into body and signature; the body decodes as the exact
    event type its row names, with no unknown or missing field;
(2) binding: the body's origin is this ledger's, and its aggregate id, version and type equal
    the row's columns;
(3) authority: the signer is registered, unrevoked and holds a role the event type requires,
    as the registry stood just before this event (the registry is itself replayed from the log);
(4) signature: Ed25519 over exactly the stored body bytes, with the key registered to the
    signer — checked in batches on every core;
(5) continuity: each aggregate's versions run 1, 2, 3 … with no gap, repeat or reorder;
(6) stored checkpoints: each operator-signed note verifies, and its size and root (and stored
    frontier) equal the tree recomputed from the events;
(7) given checkpoints (``--checkpoint FILE``): signed by the operator, and the ledger still
    holds their tree — a shorter or rewritten log fails here.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from uuid import UUID

import msgspec

from domain.errors import AwardLedgerError, CheckpointError, LedgerNotInitialisedError
from domain.registry import OPERATOR, Ledger, Signer
from ledger import codec
from ledger.application import Entry, LedgerApp
from ledger.mapper import decode_stored, event_class_for, topic_of
from ledger.merkle import CompactRange, MerkleTree, leaf_hash
from ledger.note import Checkpoint, SignedNote, open_checkpoint
from ledger.signing import failures_in_chunk

CHUNK = 4000


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with the log: where (seq, or None for the log as a whole) and what."""

    seq: int | None
    step: int
    message: str


class AuditReport(msgspec.Struct):
    """The outcome of an audit (``awards verify --json`` prints exactly this)."""

    ok: bool
    size: int
    root: str
    checked_from: int = 0
    checkpoints: int = 0
    problems: list[Problem] = msgspec.field(default_factory=list)


@dataclass
class _SignerState:
    public_key: bytes
    roles: frozenset[str]
    revoked: bool = False


@dataclass
class _Registry:
    signers: dict[str, _SignerState] = field(default_factory=dict)
    names: dict[UUID, str] = field(default_factory=dict)
    operator_keys: list[bytes] = field(default_factory=list)  # in force: the last one

    def apply(self, event: object) -> None:
        if isinstance(event, Ledger.Initialised):
            self.signers[event.operator] = _SignerState(event.operator_key, frozenset({OPERATOR}))
            self.operator_keys.append(event.operator_key)
        elif isinstance(event, Ledger.OperatorRotated):
            self.operator_keys.append(event.operator_key)
        elif isinstance(event, Signer.Registered):
            self.signers[event.name] = _SignerState(event.public_key, frozenset(event.roles))
            self.names[event.originator_id] = event.name
        elif isinstance(event, Signer.Revoked):
            name = self.names.get(event.originator_id)
            if name in self.signers:
                self.signers[name].revoked = True


REGISTRY_TOPICS = tuple(
    topic_of(cls)
    for cls in (Ledger.Initialised, Ledger.OperatorRotated, Signer.Registered, Signer.Revoked)
)


class _Signatures:
    """Checks signatures in chunks on a process pool while the log is still being read."""

    def __init__(self, workers: int | None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pending: list[tuple[bytes, bytes, bytes]] = []
        self.seqs: list[int] = []
        self.futures: list[tuple[list[int], Future[list[int]]]] = []
        self.failed: list[int] = []
        self.pool: ProcessPoolExecutor | None = None

    def add(self, seq: int, public_key: bytes, message: bytes, signature: bytes) -> None:
        self.pending.append((public_key, message, signature))
        self.seqs.append(seq)
        if len(self.pending) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        items, seqs = self.pending, self.seqs
        self.pending, self.seqs = [], []
        if not items:
            return
        if self.workers > 1 and (self.pool is not None or len(self.futures) == 0):
            if self.pool is None:
                context = multiprocessing.get_context("spawn")
                self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
            self.futures.append((seqs, self.pool.submit(failures_in_chunk, 0, items)))
        else:
            self.failed.extend(seqs[i] for i in failures_in_chunk(0, items))

    def finish(self) -> list[int]:
        if self.pool is None:  # small log: verify the remainder here, no pool start-up
            self.failed.extend(self.seqs[i] for i in failures_in_chunk(0, self.pending))
            self.pending, self.seqs = [], []
        else:
            self._flush()
        for seqs, future in self.futures:
            self.failed.extend(seqs[i] for i in future.result())
        if self.pool is not None:
            self.pool.shutdown()
        return sorted(self.failed)


def audit(
    app: LedgerApp,
    checkpoints: Sequence[str | bytes] = (),
    operator_key: bytes | None = None,
    since: str | bytes | None = None,
    workers: int | None = None,
) -> AuditReport:
    """Check the ledger; see the module docstring for the steps. Never raises for bad data:
    every finding becomes a Problem (a storage failure still raises StorageError)."""
    problems: list[Problem] = []
    genesis = _genesis(app)
    if genesis is None:
        first = Problem(0, 1, "event 0: not a well-formed, self-signed genesis")
        return AuditReport(ok=False, size=0, root="", problems=[first])
    origin = genesis.origin
    if operator_key is not None and operator_key != genesis.operator_key:
        problems.append(Problem(0, 3, "genesis: operator key differs from the pinned one"))
    start = 0
    tree = MerkleTree()
    compact: CompactRange | None = None
    registry = _Registry()
    versions: dict[UUID, int] = {}
    if since is not None:
        trusted_size = _unverified_size(since)
        first_new = next(iter(app.entries(trusted_size)), None)
        for n in app.notifications_of(REGISTRY_TOPICS):
            if first_new is not None and n.id >= first_new.notification_id:
                break
            registry.apply(decode_stored(n.topic, n.state))
        start, compact = _trusted_start(app, since, origin, registry.operator_keys, problems)
    signatures = _Signatures(workers)
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]] = []
    cosigned: list[tuple[int, Ledger.CosignaturesAttached, bytes]] = []
    size = start
    for entry in app.entries(start):
        size = entry.seq + 1
        digest = leaf_hash(entry.state)
        if compact is not None:
            compact.append(digest)
        else:
            tree.append(digest)
        event = _check_entry(app, entry, origin, registry, versions, signatures, problems)
        if isinstance(event, Ledger.CheckpointSigned):
            stored.append((entry.seq, event, registry.operator_keys[-1]))
        elif isinstance(event, Ledger.CosignaturesAttached):
            cosigned.append((entry.seq, event, registry.operator_keys[-1]))
    for seq in signatures.finish():
        problems.append(Problem(seq, 4, f"event {seq}: signature does not verify"))
    root = compact.root() if compact is not None else tree.root()
    if compact is None:
        _check_stored(stored, tree, origin, problems)
        _check_cosigned(cosigned, tree, origin, problems)
        for text in checkpoints:
            _check_given(text, tree, origin, registry.operator_keys, problems)
    else:
        _check_tail(stored, compact, origin, problems)
    problems.sort(key=lambda p: (p.seq if p.seq is not None else -1, p.step))
    return AuditReport(
        ok=not problems,
        size=size,
        root=root.hex(),
        checked_from=start,
        checkpoints=len(stored) + len(checkpoints),
        problems=problems,
    )


def _check_entry(
    app: LedgerApp,
    entry: Entry,
    origin: str,
    registry: _Registry,
    versions: dict[UUID, int],
    signatures: _Signatures,
    problems: list[Problem],
) -> object | None:
    seq = entry.seq
    where = f"event {seq} ({entry.topic.rpartition(':')[2]} v{entry.originator_version})"
    # (1): strict decode
    try:
        split = codec.split_entry(entry.state)
        body, event = codec.decode_event(split.body, event_class_for(entry.topic))
    except AwardLedgerError as exc:
        problems.append(Problem(seq, 1, f"{where}: {exc}"))
        _check_version(app, entry, versions, where, problems)
        return None
    # (2): the signed body binds the row
    if body.origin != origin:
        problems.append(Problem(seq, 2, f"{where}: signed for origin {body.origin!r}"))
    if (body.aggregate, body.version, body.type) != (
        entry.originator_id,
        entry.originator_version,
        entry.topic,
    ):
        problems.append(Problem(seq, 2, f"{where}: row does not match its signed body"))
    # (3): the signer held a required role at this point
    signer = registry.signers.get(body.signer)
    if seq == 0 and isinstance(event, Ledger.Initialised):
        signer = _SignerState(event.operator_key, frozenset({OPERATOR}))
        if body.signer != event.operator:
            problems.append(Problem(seq, 3, f"{where}: genesis not signed by its operator"))
    elif seq == 0:
        problems.append(Problem(seq, 3, f"{where}: the first event is not the genesis"))
    if signer is None:
        problems.append(Problem(seq, 3, f"{where}: signer {body.signer!r} is not registered"))
    else:
        if signer.revoked:
            problems.append(Problem(seq, 3, f"{where}: signer {body.signer!r} was revoked"))
        needed = type(event).required_roles
        if not needed & signer.roles:
            problems.append(
                Problem(
                    seq,
                    3,
                    f"{where}: signer {body.signer!r} lacks role {' or '.join(sorted(needed))}",
                )
            )
        # (4): queued; checked on all cores
        signatures.add(seq, signer.public_key, codec.signing_input(split.body), split.signature)
    # (5): continuity
    _check_version(app, entry, versions, where, problems)
    registry.apply(event)
    return event


def _check_version(
    app: LedgerApp, entry: Entry, versions: dict[UUID, int], where: str, problems: list[Problem]
) -> None:
    last = versions.get(entry.originator_id)
    if last is None and entry.originator_version > 1:
        last = _version_before(app, entry)
    expected = (last or 0) + 1
    if entry.originator_version != expected:
        problems.append(
            Problem(
                entry.seq,
                5,
                f"{where}: version {entry.originator_version}, "
                f"expected {expected} for aggregate {entry.originator_id}",
            )
        )
    versions[entry.originator_id] = max(entry.originator_version, last or 0)


def _version_before(app: LedgerApp, entry: Entry) -> int | None:
    """In an incremental audit, the aggregate's latest version stored before this entry."""
    rows = app.recorder.select_events(
        entry.originator_id, lte=entry.originator_version - 1, desc=True, limit=1
    )
    return rows[0].originator_version if rows else None


def _check_stored(
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


def _check_cosigned(
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


def _open_with_any(text: str | bytes, origin: str, keys: Sequence[bytes]) -> Checkpoint:
    """Open a checkpoint signed by any operator key the log has had (newest first)."""
    error: AwardLedgerError | None = None
    for key in reversed(keys):
        try:
            return open_checkpoint(text, origin, origin, key)
        except AwardLedgerError as exc:
            error = error or exc
    raise error or CheckpointError("checkpoint: the ledger has no operator key")


def _unverified_size(text: str | bytes) -> int:
    """The size a checkpoint claims (verified later, once the operator keys are known)."""
    note = SignedNote.from_text(text)
    return Checkpoint.from_body(note.text).size


def _check_given(
    text: str | bytes,
    tree: MerkleTree,
    origin: str,
    keys: Sequence[bytes],
    problems: list[Problem],
) -> None:
    # (7): a checkpoint the inspector kept must still be a prefix of this log
    try:
        cp = _open_with_any(text, origin, keys)
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


def _trusted_start(
    app: LedgerApp,
    text: str | bytes,
    origin: str,
    keys: Sequence[bytes],
    problems: list[Problem],
) -> tuple[int, CompactRange | None]:
    """Open a trusted checkpoint and the stored frontier that reproduces its root."""
    cp = _open_with_any(text, origin, keys)
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


def _genesis(app: LedgerApp) -> Ledger.Initialised | None:
    """Event 0 decoded strictly, or None when it is missing or not a genesis."""
    if app.is_empty():
        raise LedgerNotInitialisedError(f"ledger {app.location.url!r} is not initialised")
    first = next(iter(app.entries()))
    try:
        split = codec.split_entry(first.state)
        _, event = codec.decode_event(split.body, Ledger.Initialised)
    except AwardLedgerError:
        return None
    return event if isinstance(event, Ledger.Initialised) else None


def _check_tail(
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]],
    compact: CompactRange,
    origin: str,
    problems: list[Problem],
) -> None:
    """In an incremental audit, the newest stored checkpoint must match the folded root."""
    for seq, event, op_key in stored[-1:]:
        if event.size != compact.size:
            continue
        try:
            cp = open_checkpoint(event.note, origin, origin, op_key)
        except AwardLedgerError as exc:
            problems.append(Problem(seq, 6, f"event {seq}: {exc}"))
            continue
        if cp.root_hash != compact.root():
            problems.append(Problem(seq, 6, f"event {seq}: checkpoint root mismatch"))
