"""The audit: replay the whole log (or what is new since a trusted checkpoint) and check it.

:func:`audit` runs these steps over every stored event, in ledger order, and reports every
problem found, first bad event first:

(1) strict decode: the entry splits into body and signature; the body decodes as the exact
    event type its row names, with no unknown or missing field;
(2) binding: the body's origin is this ledger's, and its aggregate id, version and type equal
    the row's columns; and the event keeps every binding of domain/bindings.py (its aggregate
    id follows from its payload, its actor fields name its signer, a registration's roles are
    sorted and known, a name is registered once; ledger/bindings.py);
(3) authority: the signer is registered, unrevoked and holds a role the event type requires,
    as the registry stood just before this event (the registry is itself replayed from the log);
    every public key the log registers is a canonical point of large order;
(4) signature: Ed25519 over exactly the stored body bytes, with the key registered to the
    signer — checked in batches on every core;
(5) continuity: each aggregate's versions run 1, 2, 3 … with no gap, repeat or reorder;
(6) stored checkpoints: each operator-signed note verifies, and its size and root (and stored
    frontier) equal the tree recomputed from the events;
(7) given checkpoints (``--checkpoint FILE``): signed by the operator, and the ledger still
    holds their tree — a shorter or rewritten log fails here;
(8) caches beside the log (a full audit only): each equals what the recomputed tree says
    (ledger/verify_caches.py; the stored documents, ledger/verify_documents.py; the caller
    may add checks, e.g. the stored views').
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from hashlib import sha256
from typing import Any
from uuid import UUID

from domain.base import DomainEvent
from domain.errors import AwardLedgerError, LedgerNotInitialisedError
from domain.events import EVENT_TYPES
from domain.registry import OPERATOR, Ledger
from ledger import codec
from ledger.application import LedgerApp, state_bytes
from ledger.audit_tree import AuditTree, LeavesOf
from ledger.bindings import Broken, broken_bindings
from ledger.findings import AuditReport, Problem
from ledger.mapper import event_class_for
from ledger.merkle import EMPTY_ROOT, LEAF_PREFIX, CompactRange, MerkleTree, leaf_hash
from ledger.progress import Progress
from ledger.registry_tree import RegistryHistory, history_of
from ledger.signing import SignatureQueue
from ledger.store import RawRow, select_topic_state
from ledger.verify_caches import CacheCheck, check_frontier, check_index, check_tiles
from ledger.verify_checkpoints import (
    BOUNDARY_ROWS,
    Start,
    check_cosigned,
    check_given,
    check_registry_lines,
    check_stored,
    check_tail,
    trusted_start,
    unverified_size,
)
from ledger.verify_documents import check_documents
from ledger.verify_registry import REGISTRY_EVENTS, Registry, SignerState

__all__ = ["AuditReport", "Problem", "audit", "audit_rows", "audited_frontier"]

# The event types the audit itself folds (the registry and the checkpoints); every other
# event is checked from its decoded body alone, without building the domain event.
FOLDED = frozenset({*REGISTRY_EVENTS, Ledger.CheckpointSigned, Ledger.CosignaturesAttached})


def audit(
    app: LedgerApp,
    checkpoints: Sequence[str | bytes] = (),
    operator_key: bytes | None = None,
    since: str | bytes | None = None,
    workers: int | None = None,
    caches: Sequence[CacheCheck] = (check_frontier, check_tiles, check_index, check_documents),
    on_progress: Progress | None = None,
) -> AuditReport:
    """Check the ledger; see the module docstring for the steps. Never raises for bad data:
    every finding becomes a Problem (a storage failure still raises StorageError).
    `on_progress` is called once a page with the rows read so far and about how many in all."""
    return _audit(app, checkpoints, operator_key, since, workers, caches, on_progress)[0]


def audited_frontier(
    app: LedgerApp, since: str | bytes | None = None, on_progress: Progress | None = None
) -> tuple[AuditReport, list[bytes]]:
    """The audit of ``audit(app, since=since)`` and the frontier (compact range) of the tree it
    recomputed, at the report's size: what a new checkpoint signs, never taken from a cache."""
    return _audit(app, (), None, since, None, (), on_progress)


def _audit(
    app: LedgerApp,
    checkpoints: Sequence[str | bytes],
    operator_key: bytes | None,
    since: str | bytes | None,
    workers: int | None,
    caches: Sequence[CacheCheck],
    on_progress: Progress | None = None,
) -> tuple[AuditReport, list[bytes]]:
    problems: list[Problem] = []
    notes: list[str] = []
    if checkpoints and app.is_empty():  # every row deleted: the kept checkpoint says otherwise
        sizes = ", ".join(str(unverified_size(text)) for text in checkpoints)
        gone = Problem(0, 7, f"given checkpoint of size {sizes}: the ledger holds no events")
        return AuditReport(ok=False, size=0, root=EMPTY_ROOT.hex(), problems=[gone]), []
    genesis = _genesis(app)
    if genesis is None:
        bad = Problem(0, 1, "event 0: not a well-formed, self-signed genesis")
        return AuditReport(ok=False, size=0, root="", problems=[bad]), []
    origin = genesis.origin
    if operator_key is not None and operator_key != genesis.operator_key:
        problems.append(Problem(0, 3, "genesis: operator key differs from the pinned one"))
    tree = AuditTree(_leaves_of(app))
    signatures = SignatureQueue(workers, codec.SIGNING_PREFIX)
    auditor = _Auditor(origin, signatures, problems, tree, app)
    auditor.registry.operator_keys.append(genesis.operator_key)
    after_id: int | None = None
    start: Start | None = None
    if since is not None:
        start = trusted_start(app, since, origin, problems)
        auditor.registry, auditor.compact = start.registry, start.compact
        auditor.size, after_id = start.seq, start.after_id
        auditor.versions.update(start.versions)
    checked_from = auditor.size
    # the rows to read, about (ids may skip numbers): a long log starts its workers now
    expected = (app.last_notification_id() or 0) - (after_id or 0)
    auditor.signatures.expect(expected)
    with _no_cycle_collection():
        for first, rows in app.reader.pages(checked_from, after_id):
            auditor.check_page(first, rows)
            if on_progress is not None:  # once a page, outside the per-event loop
                on_progress(auditor.size - checked_from, expected)
    for seq in auditor.signatures.finish():
        problems.append(Problem(seq, 4, f"event {seq}: signature does not verify"))
    auditor.versions.clear()  # step (5) is done: its table (a version per aggregate) is freed
    if start is not None:
        start.counted()
    compact = auditor.compact
    if compact is None:
        root = tree.root()
        check_stored(auditor.stored, tree, origin, problems)
        check_registry_lines(auditor.stored, auditor.history.claim_at, problems)
        check_cosigned(auditor.cosigned, tree, origin, problems)
        for text in checkpoints:
            check_given(text, tree, origin, auditor.registry.operator_keys, problems)
        matched, frontier = len(auditor.stored) + len(checkpoints), tree.compact_range()
        for check in caches:  # (8)
            check(app, tree, problems, notes)
    else:
        tail: list[tuple[int, Ledger.CheckpointSigned | Ledger.CosignaturesAttached, bytes]]
        tail = [*auditor.stored, *auditor.cosigned]
        matched = check_tail(
            tail, compact, auditor.new_leaves, origin, problems, _leaves_behind(app, start)
        )
        _check_tail_registry(app, auditor.stored, problems)
        compact.extend(auditor.new_leaves)
        root, frontier = compact.root(), compact.hashes
    problems.sort(key=lambda p: (p.seq if p.seq is not None else -1, p.step))
    report = AuditReport(
        ok=not problems,
        size=auditor.size,
        root=root.hex(),
        checked_from=checked_from,
        checkpoints=matched,
        problems=problems,
        notes=notes,
    )
    return report, frontier


def audit_rows(
    origin: str, pages: Iterable[tuple[int, list[RawRow]]], workers: int | None = None
) -> tuple[list[Problem], MerkleTree, list[bytes]]:
    """Steps (1)–(6) over rows that come without a database (a static publication, whose
    entries are turned into rows by their signed headers): the problems, the recomputed tree,
    and the operator keys the log declares (oldest first). The first row must be the genesis."""
    problems: list[Problem] = []
    tree = MerkleTree()
    signatures = SignatureQueue(workers, codec.SIGNING_PREFIX)
    auditor = _Auditor(origin, signatures, problems, tree)
    with _no_cycle_collection():
        for first, rows in pages:
            if first == 0 and rows:
                genesis = _decoded_genesis(state_bytes(rows[0].state))
                if genesis is None:
                    problems.append(Problem(0, 1, "event 0: not a well-formed genesis"))
                    return problems, tree, []
                auditor.registry.operator_keys.append(genesis.operator_key)
            auditor.check_page(first, rows)
    for seq in auditor.signatures.finish():
        problems.append(Problem(seq, 4, f"event {seq}: signature does not verify"))
    check_stored(auditor.stored, tree, origin, problems)
    check_registry_lines(auditor.stored, auditor.history.claim_at, problems)
    check_cosigned(auditor.cosigned, tree, origin, problems)
    problems.sort(key=lambda p: (p.seq if p.seq is not None else -1, p.step))
    return problems, tree, list(auditor.registry.operator_keys)


class _Auditor:
    """Steps (1)–(5) over the rows in ledger order, and the tree they make (steps 6–7 use it)."""

    def __init__(
        self,
        origin: str,
        signatures: SignatureQueue,
        problems: list[Problem],
        tree: MerkleTree | AuditTree,
        app: LedgerApp | None = None,
    ) -> None:
        self.app, self.origin, self.signatures, self.problems = app, origin, signatures, problems
        self.registry = Registry()
        self.history = RegistryHistory()  # registry events with their seqs (checkpoint lines)
        self.size = 0
        # every level in memory (a publication's rows), or a hash per 256 leaves (a database's,
        # whose rows can be read again)
        self.tree = tree
        self.compact: CompactRange | None = None  # an incremental audit's trusted frontier
        self.new_leaves: list[bytes] = []  # an incremental audit's leaves after it
        self.versions: dict[Any, int] = {}  # by the row's own aggregate id value
        self.stored: list[tuple[int, Ledger.CheckpointSigned, bytes]] = []
        self.cosigned: list[tuple[int, Ledger.CosignaturesAttached, bytes]] = []

    def check_page(self, first: int, rows: list[RawRow]) -> None:
        """Steps (1)–(5) for one page of rows starting at seq `first`.

        The hot loop of every audit: the common case runs inline with local names (a million
        events make each attribute lookup and call count); anything unusual — a problem, the
        genesis, a registry or checkpoint event, an aggregate seen for the first time in an
        incremental audit — goes to the methods below."""
        states = [state if type(state) is bytes else state_bytes(state) for *_, state in rows]
        hashes = [sha256(LEAF_PREFIX + state).digest() for state in states]
        if self.compact is None:
            if isinstance(self.tree, AuditTree):
                self.tree.extend(hashes, [row[0] for row in rows])
            else:
                self.tree.extend(hashes)
        else:
            self.new_leaves.extend(hashes)  # folded once the checkpoints are known
        origin, versions, registry = self.origin, self.versions, self.registry
        signers, bind = registry.signers, broken_bindings
        add_signature = self.signatures.add
        split_raw, decode_body, classes = codec.split_raw, codec.decode_body, EVENT_TYPES
        for seq, row, state in zip(range(first, first + len(rows)), rows, states, strict=True):
            _, aggregate, version, topic, _ = row
            if type(version) is not int:
                version = -1
            # (1): strict decode
            cls = classes.get(topic) if type(topic) is str else None
            try:
                if cls is None:
                    cls = event_class_for(topic)  # raises, naming the stored topic
                signed, signature = split_raw(state)
                body = decode_body(signed, cls)
            except AwardLedgerError as exc:
                self._problem(seq, row, 1, str(exc))
                self._check_version(seq, row, version)
                continue
            # (2): the signed body binds the row
            if body.origin != origin:
                self._problem(seq, row, 2, f"signed for origin {body.origin!r}")
            if not (
                body.version == version
                and body.type == topic
                and (
                    aggregate == body.aggregate.hex
                    if type(aggregate) is str
                    else aggregate == body.aggregate
                )
            ):
                self._problem(seq, row, 2, "row does not match its signed body")
            broken = bind(cls, body.aggregate, body.version, body.signer, body.payload, registry)
            if broken:
                self._broken(seq, row, broken)
            # (3): the signer held a required role at this point
            if cls in FOLDED or seq == 0:
                event = codec.event_of(body, cls)
                signer = self._signer(seq, row, body.signer, event)
            else:
                event = None
                signer = signers.get(body.signer) or self._signer(seq, row, body.signer, None)
            if signer is not None:
                if signer.revoked:
                    self._problem(seq, row, 3, f"signer {body.signer!r} was revoked")
                if signer.roles.isdisjoint(cls.required_roles):
                    needed = " or ".join(sorted(cls.required_roles))
                    self._problem(seq, row, 3, f"signer {body.signer!r} lacks role {needed}")
                # (4): queued; checked on every core
                add_signature(seq, signer.public_key, signed, signature)
            # (5): continuity
            last = versions.get(aggregate)
            if last is not None and version == last + 1:
                versions[aggregate] = version
            else:
                self._check_version(seq, row, version)
            if event is not None:
                self._fold(seq, event)
        self.size = first + len(rows)

    def _fold(self, seq: int, event: DomainEvent) -> None:
        self.registry.apply(event)
        self.history.apply(seq, event)
        if isinstance(event, Ledger.CheckpointSigned):
            self.stored.append((seq, event, self.registry.operator_keys[-1]))
        elif isinstance(event, Ledger.CosignaturesAttached):
            self.cosigned.append((seq, event, self.registry.operator_keys[-1]))

    def _broken(self, seq: int, row: RawRow, broken: Sequence[Broken]) -> None:
        for step, what in broken:
            self._problem(seq, row, step, what)

    def _problem(self, seq: int, row: RawRow, step: int, what: str) -> None:
        self.problems.append(Problem(seq, step, f"{_where(seq, row)}: {what}"))

    def _signer(
        self, seq: int, row: RawRow, name: str, event: DomainEvent | None
    ) -> SignerState | None:
        if seq == 0:  # the genesis signs itself
            if not isinstance(event, Ledger.Initialised):
                self._problem(seq, row, 3, "the first event is not the genesis")
            else:  # its payload.operator = body.signer is a binding (step 2)
                return SignerState(event.operator_key, frozenset({OPERATOR}))
        signer = self.registry.signer(name)
        if signer is None:
            self._problem(seq, row, 3, f"signer {name!r} is not registered")
        return signer

    def _check_version(self, seq: int, row: RawRow, version: int) -> None:
        key = row.originator_id
        last = self.versions.get(key)
        if last is None and version > 1:
            last = self._version_before(key, version)
        expected = (last or 0) + 1
        if version != expected:
            self._problem(
                seq,
                row,
                5,
                f"version {version}, expected {expected} for aggregate {_aggregate(key)}",
            )
        self.versions[key] = max(version, last or 0)

    def _version_before(self, key: Any, version: int) -> int | None:
        """The aggregate's latest version stored before `version` (an incremental audit meets
        aggregates begun before its trusted checkpoint)."""
        aggregate = _aggregate(key)
        if aggregate == NIL_ID or self.app is None:  # no database: nothing before the first
            return None
        rows = self.app.recorder.select_events(aggregate, lte=version - 1, desc=True, limit=1)
        return rows[0].originator_version if rows else None


def _leaves_of(app: LedgerApp) -> LeavesOf:
    """The leaf hashes of `count` rows from notification id `first_id`, read again."""

    def leaves(first_id: int, count: int) -> list[bytes]:
        rows = app.reader.read(select_topic_state, first_id, count)
        return [sha256(LEAF_PREFIX + state).digest() for _, _, state in rows]

    return leaves


def _leaves_behind(app: LedgerApp, start: Start | None) -> Callable[[int], list[bytes] | None]:
    """The leaf hashes of seq `size` … up to the trusted size (the rows just before the
    boundary), for lining up a smaller checkpoint stored after it; None if too many."""

    def behind(size: int) -> list[bytes] | None:
        if start is None or start.after_id is None:
            return None
        count = start.seq - size
        if not 0 < count <= BOUNDARY_ROWS:
            return None
        rows = app.rows_before(start.after_id + 1, count)
        if len(rows) != count:
            return None
        return [leaf_hash(state_bytes(row.state)) for row in rows]

    return behind


def _check_tail_registry(
    app: LedgerApp,
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]],
    problems: list[Problem],
) -> None:
    """(6) in an incremental audit: the new checkpoints' registry lines, against the registry
    read on the topic index (the audit did not replay the registry before its start)."""
    if not stored:
        return
    try:
        history = history_of(app, max(event.size for _, event, _ in stored))
    except AwardLedgerError as exc:
        problems.append(Problem(stored[0][0], 6, f"registry before the checkpoints: {exc}"))
        return
    check_registry_lines(stored, history.claim_at, problems)


NIL_ID = UUID(int=0)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while the log is read (reference counting still
    frees every row, body and hash as soon as it is done with).

    Each page of rows outlives a few young collections and is promoted, so the collector
    kept re-scanning the long-lived heap, the versions table included: 13% of the reading
    process's time at 1M events. The loop makes no reference cycles to collect."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _aggregate(stored: Any) -> UUID:
    try:
        return stored if isinstance(stored, UUID) else UUID(str(stored))
    except ValueError:
        return NIL_ID


def _where(seq: int, row: RawRow) -> str:
    topic = row.topic if isinstance(row.topic, str) else ""
    version = row.originator_version if type(row.originator_version) is int else -1
    return f"event {seq} ({topic.rpartition(':')[2]} v{version})"


def _genesis(app: LedgerApp) -> Ledger.Initialised | None:
    """Event 0 decoded strictly, or None when it is missing or not a genesis."""
    if app.is_empty():
        raise LedgerNotInitialisedError(f"ledger {app.location.url!r} is not initialised")
    first = app.first_row()
    return _decoded_genesis(state_bytes(first.state if first is not None else b""))


def _decoded_genesis(entry: bytes) -> Ledger.Initialised | None:
    """An entry decoded strictly as the genesis, or None when it is not one."""
    try:
        split = codec.split_entry(entry)
        _, event = codec.decode_event(split.body, Ledger.Initialised)
    except AwardLedgerError:
        return None
    return event if isinstance(event, Ledger.Initialised) else None
