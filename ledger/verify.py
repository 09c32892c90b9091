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

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from domain.errors import AwardLedgerError, LedgerNotInitialisedError
from domain.registry import OPERATOR, Ledger, Signer
from ledger import codec
from ledger.application import Entry, LedgerApp
from ledger.findings import AuditReport, Problem
from ledger.mapper import decode_stored, event_class_for, topic_of
from ledger.merkle import EMPTY_ROOT, CompactRange, MerkleTree, leaf_hash
from ledger.signing import SignatureQueue
from ledger.verify_checkpoints import (
    check_cosigned,
    check_given,
    check_stored,
    check_tail,
    trusted_start,
    unverified_size,
)

__all__ = ["AuditReport", "Problem", "audit"]


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


CHECKPOINT_TOPIC = topic_of(Ledger.CheckpointSigned)
REGISTRY_TOPICS = tuple(
    topic_of(cls)
    for cls in (Ledger.Initialised, Ledger.OperatorRotated, Signer.Registered, Signer.Revoked)
)


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
    if checkpoints and app.is_empty():  # every row deleted: the kept checkpoint says otherwise
        sizes = ", ".join(str(unverified_size(text)) for text in checkpoints)
        gone = Problem(0, 7, f"given checkpoint of size {sizes}: the ledger holds no events")
        return AuditReport(ok=False, size=0, root=EMPTY_ROOT.hex(), problems=[gone])
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
    registry = _Registry(operator_keys=[genesis.operator_key])
    versions: dict[UUID, int] = {}
    if since is not None:
        trusted_size = unverified_size(since)
        first_new = next(iter(app.entries(trusted_size)), None)
        for n in app.notifications_of(REGISTRY_TOPICS):
            if first_new is not None and n.id >= first_new.notification_id:
                break
            try:
                registry.apply(decode_stored(n.topic, n.state))
            except AwardLedgerError as exc:
                where = f"registry event {n.originator_id} v{n.originator_version}"
                problems.append(Problem(None, 1, f"{where} before the trusted checkpoint: {exc}"))
        start, compact = trusted_start(app, since, origin, registry.operator_keys, problems)
    signatures = SignatureQueue(workers)
    folded: dict[int, tuple[int, bytes]] = {}
    stored: list[tuple[int, Ledger.CheckpointSigned, bytes]] = []
    cosigned: list[tuple[int, Ledger.CosignaturesAttached, bytes]] = []
    size = start
    for entry in app.entries(start):
        size = entry.seq + 1
        digest = leaf_hash(entry.state)
        if compact is not None:
            if entry.topic == CHECKPOINT_TOPIC:  # the tree just before a new checkpoint
                folded[entry.seq] = (compact.size, compact.root())
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
        check_stored(stored, tree, origin, problems)
        check_cosigned(cosigned, tree, origin, problems)
        for text in checkpoints:
            check_given(text, tree, origin, registry.operator_keys, problems)
    else:
        check_tail(stored, folded, origin, problems)
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
    signatures: SignatureQueue,
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
