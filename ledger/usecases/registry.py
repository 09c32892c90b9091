"""Use cases of the registry: genesis, signers, units, people, checkpoints.

Each function takes primitive values and the actor's private key, runs one atomic write and
returns its WriteReceipt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import Aggregate
from domain.errors import (
    AlreadyExistsError,
    AwardLedgerError,
    ConcurrencyError,
    DomainError,
    NotFoundError,
    SignerNotAllowedError,
    VerificationError,
)
from domain.ids import SignerName, check_id, check_signer_name
from domain.registry import Ledger, Person, Signer, SignerKey, Unit, successors_of
from domain.text import counted
from ledger.application import LedgerApp, WriteReceipt, check_roles
from ledger.keys import check_public_key, key_id, raw_public_key
from ledger.note import Checkpoint, SignedNote, open_checkpoint, sign_checkpoint
from ledger.progress import Progress
from ledger.registry_tree import registry_line
from ledger.usecases.lookup import effective_time, merged_into
from ledger.verify import audited_frontier


def initialise(app: LedgerApp, origin: str, operator: str, key: Ed25519PrivateKey) -> WriteReceipt:
    """Write the genesis: the origin, and the operator's key registered with role operator."""
    if not app.is_empty():
        raise AlreadyExistsError(
            f"init rejected: ledger {app.location.url!r} is already initialised "
            f"(origin {app.origin!r})"
        )
    public = check_public_key(raw_public_key(key), f"init rejected: operator {operator!r}: key")
    genesis = Ledger.initialise(origin, SignerName(operator), public)
    signer = Signer.register(operator, public, ["operator"])
    claim = SignerKey.claim(public, operator)
    app.signing_mapper.origin = origin
    try:
        return app.save_signed(operator, key, [genesis, signer, claim])
    except ConcurrencyError as exc:
        raise AlreadyExistsError(
            f"init rejected: ledger {app.location.url!r} was initialised concurrently"
        ) from exc


def add_signer(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    name: str,
    public_key: bytes,
    roles: Sequence[str],
    unit: str | None = None,
    competence: Sequence[str] = (),
    person: str | None = None,
    competent_from: date | None = None,
    competent_until: date | None = None,
) -> WriteReceipt:
    """Register a named public key with roles (operator only); `person` is who the signer is;
    `competent_from`/`competent_until` bound an authority's competence (inclusive days)."""

    check_signer_name(name)
    check_public_key(public_key, f"signer add rejected: signer {name!r}: key")
    if unit is not None:
        check_id("unit", unit)
    if person is not None:
        check_id("person", person)

    def build(_: Signer) -> list[Aggregate]:
        if app.find(Signer, Signer.id_for(name)) is not None:
            raise AlreadyExistsError(f"signer add rejected: signer {name!r} already exists")
        holder = app.find(SignerKey, SignerKey.id_for(public_key))
        if holder is not None:
            raise AlreadyExistsError(
                f"signer add rejected: key {key_id(public_key)} already belongs to "
                f"signer {holder.signer!r}"
            )
        if unit is not None and app.find(Unit, Unit.id_for(unit)) is None:
            raise NotFoundError(f"signer add rejected: unit {unit!r} not found")
        if person is not None and app.find(Person, Person.id_for(person)) is None:
            raise NotFoundError(f"signer add rejected: person {person!r} not found")
        signer = Signer.register(
            name,
            public_key,
            list(roles),
            unit,
            list(competence),
            person,
            competent_from=competent_from,
            competent_until=competent_until,
        )
        return [signer, SignerKey.claim(public_key, name)]

    return app.write(key, build)


def revoke_signer(app: LedgerApp, key: Ed25519PrivateKey, name: str, reason: str) -> WriteReceipt:
    """Revoke a signer: it can sign nothing new; what it signed stays valid (operator only)."""

    def build(actor: Signer) -> list[Aggregate]:
        signer = app.load(Signer, Signer.id_for(name), f"signer {name!r}")
        if signer.name == actor.name:
            raise DomainError(f"signer revoke rejected: signer {name!r} cannot revoke its own key")
        signer.revoke(reason)
        return [signer]

    return app.write(key, build)


def add_unit(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    unit_id: str,
    name: str,
    level: str,
    parent: str | None = None,
) -> WriteReceipt:
    """Record a unit (secretary)."""

    def build(_: Signer) -> list[Aggregate]:
        return [new_unit(app, unit_id, name, level, parent, {})]

    return app.write(key, build)


def new_unit(
    app: LedgerApp,
    unit_id: str,
    name: str,
    level: str,
    parent: str | None,
    batch: dict[str, Unit],
) -> Unit:
    """A new Unit aggregate, checked against the ledger and the units of the same batch."""
    if unit_id in batch or app.find(Unit, Unit.id_for(unit_id)) is not None:
        raise AlreadyExistsError(f"unit add rejected: unit {unit_id!r} already exists")
    parent_unit = None
    if parent:
        parent_unit = batch.get(parent) or app.find(Unit, Unit.id_for(parent))
        if parent_unit is None:
            raise NotFoundError(f"unit add rejected: parent unit {parent!r} not found")
    unit = Unit.add(unit_id, name, level, parent_unit)
    batch[unit_id] = unit
    return unit


def add_person(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    person_id: str,
    name: str,
    unit: str,
    category: str | None = None,
    direct_worker: bool = False,
    leader_level: str | None = None,
) -> WriteReceipt:
    """Record a person (secretary)."""

    def build(_: Signer) -> list[Aggregate]:
        return [
            new_person(app, person_id, name, unit, category, direct_worker, {}, {}, leader_level)
        ]

    return app.write(key, build)


def new_person(
    app: LedgerApp,
    person_id: str,
    name: str,
    unit: str,
    category: str | None,
    direct_worker: bool,
    units: dict[str, Unit],
    batch: dict[str, Person],
    leader_level: str | None = None,
) -> Person:
    """A new Person aggregate, checked against the ledger and the records of the same batch."""
    if person_id in batch or app.find(Person, Person.id_for(person_id)) is not None:
        raise AlreadyExistsError(f"person add rejected: person {person_id!r} already exists")
    home = units.get(unit) or app.find(Unit, Unit.id_for(unit))
    if home is None:
        raise NotFoundError(f"person add rejected: unit {unit!r} not found")
    person = Person.add(person_id, name, home, category, direct_worker, leader_level)
    batch[person_id] = person
    return person


def sign_new_checkpoint(
    app: LedgerApp, key: Ed25519PrivateKey, on_progress: Progress | None = None
) -> tuple[str, WriteReceipt]:
    """Audit what a new checkpoint would cover, then sign it and record it (operator only).

    The audit runs incrementally from the newest stored checkpoint (a full audit when there is
    none), so it costs O(new events); any problem refuses the checkpoint (VerificationError
    naming the first one), nothing recorded. The size, root and frontier signed are the tree
    that audit recomputed, never a cache. The note's key name is the ledger origin; its body
    commits to the signer registry at that size in an ``award-ledger/registry`` extension line
    (ledger/registry_tree.py). Returns the signed note text and the receipt. `on_progress`
    follows the audit (ledger/progress.py)."""
    check_roles(app.signer_for_key(key), [Ledger.CheckpointSigned])  # before any audit
    latest = latest_checkpoint(app)
    since = latest.note if latest is not None else None
    report, frontier = audited_frontier(app, since, on_progress)
    if not report.ok:
        first = report.problems[0]
        raise VerificationError(
            f"checkpoint refused: {first.message} "
            f"({counted(len(report.problems), 'problem')} found "
            "by the audit before signing); nothing signed"
        )
    size, root = report.size, bytes.fromhex(report.root)
    # the registry as it stands at this size, committed by an extension line (§9)
    registry = registry_line(app, size)
    checkpoint = Checkpoint(app.origin, size, root, (registry,))
    note_text = sign_checkpoint(checkpoint, app.origin, key)

    def build(_: Signer) -> list[Aggregate]:
        ledger = app.genesis()
        ledger.record_checkpoint(size, root, note_text, frontier)
        return [ledger]

    receipt = app.write(key, build)
    return note_text, receipt


def attach_cosignatures(app: LedgerApp, key: Ed25519PrivateKey, note_text: str) -> WriteReceipt:
    """Store the latest checkpoint's note as cosigned by witnesses (operator only).

    The note must carry the operator's valid signature over exactly the latest checkpoint body;
    receipts made afterwards carry this cosigned note.
    """

    def build(_: Signer) -> list[Aggregate]:
        ledger = app.genesis()
        checkpoint = open_checkpoint(note_text, ledger.origin, ledger.origin, ledger.operator_key)
        latest = ledger.latest_checkpoint
        if latest is None or SignedNote.from_text(latest.note).text != checkpoint.to_body():
            raise DomainError(
                f"checkpoint attach rejected: the note (size {checkpoint.size}) is not the "
                "latest signed checkpoint"
            )
        ledger.attach_cosignatures(checkpoint.size, SignedNote.from_text(note_text).to_text())
        return [ledger]

    return app.write(key, build)


def rotate_operator(
    app: LedgerApp, key: Ed25519PrivateKey, new_name: str, new_key: Ed25519PrivateKey
) -> WriteReceipt:
    """Hand the operator role to a new key, in one write signed by the outgoing operator: the
    new signer is registered with role operator (and its key claimed), then
    ``Ledger.OperatorRotated``, then the outgoing operator is revoked."""
    new_public = check_public_key(
        raw_public_key(new_key), f"operator rotate rejected: new operator {new_name!r}: key"
    )

    def build(actor: Signer) -> list[Aggregate]:
        ledger = app.genesis()
        if actor.name != ledger.operator:
            raise SignerNotAllowedError(
                f"operator rotate rejected: signer {actor.name!r} is not the current operator "
                f"{ledger.operator!r}"
            )
        if app.find(Signer, Signer.id_for(new_name)) is not None:
            raise AlreadyExistsError(f"operator rotate rejected: signer {new_name!r} exists")
        if app.find(SignerKey, SignerKey.id_for(new_public)) is not None:
            raise AlreadyExistsError("operator rotate rejected: the new key is already registered")
        new_signer = Signer.register(new_name, new_public, ["operator"])
        claim = SignerKey.claim(new_public, new_name)
        ledger.rotate_operator(new_name, new_public)
        actor.revoke(f"operator key rotated to {new_name!r}")
        # In this order: the new operator is registered while the outgoing key is still the
        # operator in force, so a receipt can check that registration (§11 step 5).
        return [new_signer, claim, ledger, actor]

    return app.write(key, build)


class Checkpointed(NamedTuple):
    """A write, and the checkpoint signed right after it that covers it."""

    receipt: WriteReceipt
    note: str
    checkpoint: WriteReceipt


def revoke_and_checkpoint(
    app: LedgerApp, key: Ed25519PrivateKey, name: str, reason: str
) -> Checkpointed:
    """Revoke a signer, then sign a checkpoint covering the revocation at once, so that no
    event can later be slipped in before it without breaking a signed root."""
    receipt = revoke_signer(app, key, name, reason)
    return _checkpoint_after(app, key, receipt, f"signer {name!r} revoked")


def rotate_and_checkpoint(
    app: LedgerApp, key: Ed25519PrivateKey, new_name: str, new_key: Ed25519PrivateKey
) -> Checkpointed:
    """Rotate the operator key, then sign a checkpoint covering the rotation with the new key."""
    receipt = rotate_operator(app, key, new_name, new_key)
    return _checkpoint_after(app, new_key, receipt, f"operator rotated to {new_name!r}")


def _checkpoint_after(
    app: LedgerApp, key: Ed25519PrivateKey, receipt: WriteReceipt, what: str
) -> Checkpointed:
    try:
        note, checkpoint = sign_new_checkpoint(app, key)
    except AwardLedgerError as exc:
        raise type(exc)(f"{what} (events {receipt.seqs}), but {exc}") from exc
    return Checkpointed(receipt, note, checkpoint)


def latest_checkpoint(app: LedgerApp) -> Ledger.CheckpointSigned | None:
    """The newest stored checkpoint event, or None if none was signed yet."""
    return app.genesis().latest_checkpoint


def merge_unit(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    unit_id: str,
    into: str,
    reason: str,
    at: datetime | None = None,
) -> WriteReceipt:
    """Record that unit `unit_id` was merged into `into` (secretary): the successor's
    authorities may annul what the merged unit's authorities decided."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        subject = "unit merge rejected"
        unit = app.find(Unit, Unit.id_for(unit_id))
        if unit is None:
            raise NotFoundError(f"{subject}: unit {unit_id!r} not found")
        successor = app.find(Unit, Unit.id_for(into))
        if successor is None:
            raise NotFoundError(f"{subject}: unit {into!r} not found")
        chain = successors_of(into, lambda uid: merged_into(app, uid))
        unit.merge_into(successor, reason, at=when, chain=chain)
        return [unit]

    return app.write(key, build, signs=Unit.Merged)
