"""Use cases of review sessions (bình xét): open, vote, ballot, tally, close.

The roster is checked here against the registry (each member a registered, unrevoked signer
holding council_member or council_chair); the domain checks everything else. Every function
runs ONE atomic write and returns its receipt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import Actor
from domain.base import Aggregate
from domain.errors import AlreadyExistsError, NotFoundError, SignerNotAllowedError
from domain.participation import Participation
from domain.registry import Signer
from domain.rulebook import Share, Threshold
from domain.session import ReviewSession
from domain.tally import TallyLine
from ledger.application import LedgerApp, WriteReceipt
from ledger.usecases.lookup import effective_time, load_movement

COUNCIL_ROLES = frozenset({"council_member", "council_chair"})


def load_session(app: LedgerApp, session_id: str, subject: str) -> ReviewSession:
    """The review session; NotFoundError naming the command (`subject`) if missing."""
    session = app.find(ReviewSession, ReviewSession.id_for(session_id))
    if session is None:
        raise NotFoundError(f"{subject}: session {session_id!r} not found")
    return session


def check_roster(app: LedgerApp, members: Sequence[str], subject: str) -> None:
    """Every member is a registered, unrevoked signer holding a council role."""
    for name in members:
        signer = app.find(Signer, Signer.id_for(name))
        if signer is None:
            raise NotFoundError(f"{subject}: member {name!r} is not a registered signer")
        if signer.revoked:
            raise SignerNotAllowedError(f"{subject}: member {name!r} is revoked")
        if not signer.roles & COUNCIL_ROLES:
            raise SignerNotAllowedError(
                f"{subject}: member {name!r} holds no council role "
                f"(has {', '.join(sorted(signer.roles))})"
            )


def open_session(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    session_id: str,
    *,
    movement_id: str,
    title: str,
    nominees: Sequence[str],
    members: Sequence[str],
    mode: str | None = None,
    threshold: Threshold | None = None,
    quorum: Share | None = None,
    at: datetime | None = None,
) -> WriteReceipt:
    """Open a review of `title` for registered nominees with a council roster (chair)."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        subject = "session open rejected"
        if app.find(ReviewSession, ReviewSession.id_for(session_id)) is not None:
            raise AlreadyExistsError(f"{subject}: session {session_id!r} already exists")
        movement = load_movement(app, movement_id, subject)
        check_roster(app, members, subject)
        registered = [
            n
            for n in dict.fromkeys(nominees)
            if app.find(Participation, Participation.id_for(movement_id, n)) is not None
        ]
        session = ReviewSession.open(
            session_id,
            movement,
            title,
            nominees,
            members,
            at=when,
            registered=registered,
            mode=mode,
            threshold=threshold,
            quorum=quorum,
        )
        return [session]

    return app.write(key, build, signs=ReviewSession.Opened)


def vote(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    session_id: str,
    *,
    yes: Sequence[str] = (),
    no: Sequence[str] = (),
    at: datetime | None = None,
    written: bytes | None = None,
) -> WriteReceipt:
    """Cast the signer's open-mode vote; nominees left out are abstentions. `written`: the
    document of an absent member's vote in writing (its SHA-256 is signed, not its text)."""
    when = effective_time(at)
    document_hash = hashlib.sha256(written).digest() if written is not None else None

    def build(signer: Signer) -> list[Aggregate]:
        session = load_session(app, session_id, "vote rejected")
        session.cast_vote(Actor.from_signer(signer), yes, no, at=when, document_hash=document_hash)
        return [session]

    return app.write(key, build, signs=ReviewSession.VoteCast)


def cast_ballot(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    session_id: str,
    *,
    at: datetime | None = None,
    written: bytes | None = None,
) -> WriteReceipt:
    """Record that the signer cast a secret ballot (its content is not recorded); `written`:
    the document of an absent member's ballot in writing (its SHA-256 is signed)."""
    when = effective_time(at)
    document_hash = hashlib.sha256(written).digest() if written is not None else None

    def build(signer: Signer) -> list[Aggregate]:
        session = load_session(app, session_id, "ballot rejected")
        session.cast_ballot(Actor.from_signer(signer), at=when, document_hash=document_hash)
        return [session]

    return app.write(key, build, signs=ReviewSession.BallotCast)


def certify_tally(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    session_id: str,
    results: Sequence[TallyLine],
    *,
    at: datetime | None = None,
) -> WriteReceipt:
    """Certify a secret session's count, yes / no per nominee (counting committee)."""
    when = effective_time(at)

    def build(signer: Signer) -> list[Aggregate]:
        session = load_session(app, session_id, "tally rejected")
        session.certify_tally(Actor.from_signer(signer), results, at=when)
        return [session]

    return app.write(key, build, signs=ReviewSession.TallyCertified)


def close_session(
    app: LedgerApp, key: Ed25519PrivateKey, session_id: str, *, at: datetime | None = None
) -> WriteReceipt:
    """Close the session (chair): no more votes, ballots or tallies."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        session = load_session(app, session_id, "session close rejected")
        session.close(at=when)
        return [session]

    return app.write(key, build, signs=ReviewSession.Closed)
