"""Use cases of the proposal path (domain/proposal.py), each one atomic write.

They load what the domain judges — the levels named by ``--to`` (a unit with its ancestors in
the unit tree, or an authority signer with its competence), the nominees and their holds, the
documents of the dossier (each must already be recorded with `awards document add`; rule
`dossier` reads their kinds and those recorded for the proposal id) — and save what it
returns. An objection's file is stored beside the ledger and recorded as a document of
kind ``objection`` in the same write (taken back if the write is refused), as `document add`
does. `decide --proposal` is ledger/usecases/decisions.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import Actor
from domain.base import Aggregate
from domain.document import Document, Dossier, add_document
from domain.errors import AlreadyExistsError, NotCompetentError, NotFoundError, UsageError
from domain.hold import SubjectHolds
from domain.proposal import Level, Objection, Proposal, holder_authority, parse_level, propose
from domain.proposal import raise_objection as raise_in_domain
from domain.registry import Signer, Unit
from ledger.application import LedgerApp, WriteReceipt
from ledger.documents import sha256_hex
from ledger.usecases.documents import held_kinds, store_of
from ledger.usecases.lookup import effective_time, load_movement, recipient_for
from ledger.usecases.review import load_session


def ancestors(app: LedgerApp, unit_id: str | None) -> tuple[str, ...]:
    """The units above `unit_id` in the unit tree, nearest first (none for no unit)."""
    found: list[str] = []
    unit = app.find(Unit, Unit.id_for(unit_id)) if unit_id is not None else None
    while unit is not None and unit.parent is not None and unit.parent not in found:
        found.append(unit.parent)
        unit = app.find(Unit, Unit.id_for(unit.parent))
    return tuple(found)


def level_for(app: LedgerApp, to: str, what: str) -> Level:
    """The level `--to` names: a recorded unit, or a registered, unrevoked authority."""
    holder = parse_level(to)
    name = holder_authority(holder)
    if name is None:
        if app.find(Unit, Unit.id_for(holder)) is None:
            raise NotFoundError(f"{what}: unit {holder!r} (--to) not found")
        return Level(holder, ancestors(app, holder))
    signer = app.find(Signer, Signer.id_for(name))
    if signer is None:
        raise NotFoundError(f"{what}: signer {name!r} (--to) not found")
    if signer.revoked or "authority" not in signer.roles:
        raise NotCompetentError(
            f"{what}: signer {name!r} (--to) is "
            + ("revoked" if signer.revoked else "not an authority")
        )
    units = ancestors(app, signer.unit)
    return Level(holder, units, authority=name, competence=signer.competence)


def load_proposal(app: LedgerApp, proposal_id: str, what: str) -> Proposal:
    found = app.find(Proposal, Proposal.id_for(proposal_id))
    if found is None:
        raise NotFoundError(f"{what}: proposal {proposal_id!r} not found")
    return found


def nominee_holds(app: LedgerApp, nominees: Sequence[str]) -> dict[str, SubjectHolds]:
    """The holds index of each nominee that has one (rule `hold`)."""
    return {
        n: held
        for n in nominees
        if (held := app.find(SubjectHolds, SubjectHolds.id_for(n))) is not None
    }


def recorded_documents(app: LedgerApp, documents: Sequence[str], what: str) -> list[Document]:
    """The records of `documents` (SHA-256s), each recorded by `awards document add`."""
    found: list[Document] = []
    for sha in documents:
        document = app.find(Document, Document.id_for(sha))
        if document is None:
            raise NotFoundError(
                f"{what}: document {sha} is not recorded; add it with 'awards document add'"
            )
        found.append(document)
    return found


def dossier_kinds(app: LedgerApp, proposal_id: str, documents: Sequence[Document]) -> set[str]:
    """What rule `dossier` reads of a proposal: the kinds of the documents it names and of
    those recorded for the proposal id itself."""
    return {d.kind for d in documents} | held_kinds(app, proposal_id)


def proposal_objections(app: LedgerApp, proposal: Proposal) -> list[Objection]:
    """The objections the proposal's index names, in order."""
    return [
        app.load(Objection, Objection.id_for(oid), f"objection {oid!r}")
        for oid in proposal.objections
    ]


def make_proposal(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    proposal_id: str,
    *,
    movement_id: str,
    award: str,
    nominees: Sequence[str],
    to: str,
    basis: str | None = None,
    documents: Sequence[str] = (),
    at: datetime | None = None,
    overrides: Mapping[str, str] | None = None,
) -> WriteReceipt:
    """Propose `award` for `nominees` and send the file to `to` (a unit's secretary)."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        what = f"proposal {proposal_id} rejected"
        if app.find(Proposal, Proposal.id_for(proposal_id)) is not None:
            raise AlreadyExistsError(f"{what}: proposal {proposal_id!r} already exists")
        movement = load_movement(app, movement_id, what)
        if movement.rulebook.award_category(award) is None:
            raise UsageError(f"{what}: unknown award kind {award!r}")
        chosen = [recipient_for(app, n, what) for n in nominees]
        if basis is not None:
            load_session(app, basis, what)
        named = recorded_documents(app, documents, what)
        proposal = propose(
            proposal_id,
            movement=movement_id,
            award=award,
            nominees=chosen,
            proposer=Actor.from_signer(signer),
            target=level_for(app, to, what),
            basis=basis,
            documents=[d.sha256 for d in named],
            at=when,
            holds=nominee_holds(app, nominees),
            overrides=overrides,
            dossier=dossier_kinds(app, proposal_id, named),
        )
        return [proposal]

    return app.write(key, build, signs=Proposal.Proposed)


def endorse(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    proposal_id: str,
    *,
    to: str,
    at: datetime | None = None,
    overrides: Mapping[str, str] | None = None,
) -> WriteReceipt:
    """Endorse the file and forward it to `to` (the level holding it)."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        what = f"endorsement of proposal {proposal_id} rejected"
        proposal = load_proposal(app, proposal_id, what)
        proposal.endorse(
            Actor.from_signer(signer),
            level_for(app, to, what),
            at=when,
            holds=nominee_holds(app, proposal.nominees),
            overrides=overrides,
        )
        return [proposal]

    return app.write(key, build, signs=Proposal.Endorsed)


def return_proposal(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    proposal_id: str,
    *,
    reason: str,
    at: datetime | None = None,
) -> WriteReceipt:
    """Return the file to the proposing unit with `reason` (the level holding it)."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        proposal = load_proposal(app, proposal_id, f"return of proposal {proposal_id} rejected")
        proposal.return_to_unit(Actor.from_signer(signer), reason, at=when)
        return [proposal]

    return app.write(key, build, signs=Proposal.Returned)


def resubmit(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    proposal_id: str,
    *,
    to: str | None = None,
    documents: Sequence[str] = (),
    at: datetime | None = None,
    overrides: Mapping[str, str] | None = None,
) -> WriteReceipt:
    """Send a returned file again (the proposing unit's secretary), to `to` or to the level
    that returned it."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        what = f"resubmission of proposal {proposal_id} rejected"
        proposal = load_proposal(app, proposal_id, what)
        named = recorded_documents(app, [*proposal.documents, *documents], what)
        proposal.resubmit(
            Actor.from_signer(signer),
            level_for(app, to, what) if to is not None else None,
            documents=list(documents),
            at=when,
            holds=nominee_holds(app, proposal.nominees),
            overrides=overrides,
            dossier=dossier_kinds(app, proposal_id, named),
        )
        return [proposal]

    return app.write(key, build, signs=Proposal.Resubmitted)


def open_comment(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    proposal_id: str,
    *,
    days: int,
    at: datetime | None = None,
) -> WriteReceipt:
    """Publish the nominees for public comment for `days` working days (the holder)."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        what = f"public comment of proposal {proposal_id} rejected"
        proposal = load_proposal(app, proposal_id, what)
        proposal.open_comment(Actor.from_signer(signer), days, at=when)
        return [proposal]

    return app.write(key, build, signs=Proposal.CommentOpened)


def forward_decision(
    app: LedgerApp, key: Ed25519PrivateKey, proposal_id: str, *, at: datetime | None = None
) -> WriteReceipt:
    """Record that the deciding authority sent its decision to the proposing unit."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        proposal = load_proposal(app, proposal_id, f"forwarding of proposal {proposal_id} rejected")
        proposal.forward(Actor.from_signer(signer), at=when)
        return [proposal]

    return app.write(key, build, signs=Proposal.Forwarded)


def add_objection(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    proposal_id: str,
    content: bytes,
    *,
    name: str,
    about: str,
    channel: str,
    hash_only: bool = False,
    at: datetime | None = None,
) -> tuple[WriteReceipt, str]:
    """Record an objection about nominee `about` (a secretary); its file becomes a document
    of kind ``objection``. Returns the receipt and the objection's id."""
    sha = sha256_hex(content)
    when = effective_time(at)
    made: list[str] = []

    def build(signer: Signer) -> list[Aggregate]:
        what = f"objection to proposal {proposal_id} rejected"
        proposal = load_proposal(app, proposal_id, what)
        actor = Actor.from_signer(signer)
        objection = raise_in_domain(
            proposal, about=about, channel=channel, sha256=sha, actor=actor, at=when
        )
        made[:] = [objection.objection_id]
        written: list[Aggregate] = [proposal, objection]
        if app.find(Document, Document.id_for(sha)) is None:
            oid = objection.objection_id
            written += add_document(
                sha,
                kind="objection",
                size=len(content),
                name=name,
                subject=oid,
                hash_only=hash_only,
                at=when,
                dossier=app.find(Dossier, Dossier.id_for(oid)),
            )
        return written

    store = store_of(app)
    stored = False if hash_only else store.put(content)
    try:
        return app.write(key, build, signs=Objection.Raised), made[0]
    except BaseException:
        if stored:
            store.remove(sha)
        raise


def resolve_objection(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    objection_id: str,
    *,
    outcome: str,
    reason: str,
    at: datetime | None = None,
) -> WriteReceipt:
    """Resolve an objection: upheld or dismissed, with reasons (secretary or authority)."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        what = f"resolution of objection {objection_id} rejected"
        objection = app.find(Objection, Objection.id_for(objection_id))
        if objection is None:
            raise NotFoundError(f"{what}: objection {objection_id!r} not found")
        objection.resolve(Actor.from_signer(signer), outcome, reason, at=when)
        return [objection]

    return app.write(key, build, signs=Objection.Resolved)
