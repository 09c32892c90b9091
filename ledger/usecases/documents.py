"""Use cases of dossier documents: add one (stored content-addressed beside the ledger, or
hash-only) and check a file against the ledger and the store.

The content is stored before the signed event is written, and taken back if the write is
refused, so a refused `add` leaves neither a ledger entry nor a new stored copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import Aggregate
from domain.document import Document, Dossier, add_document
from domain.document import held_kinds as document_kinds
from domain.errors import AlreadyExistsError
from domain.registry import Signer
from ledger.application import LedgerApp, WriteReceipt
from ledger.documents import DocumentStore, StoredCopy, sha256_hex
from ledger.usecases.lookup import effective_time


def held_kinds(app: LedgerApp, subject: str) -> set[str]:
    """The kinds of the documents recorded for `subject` (what rule `dossier` reads)."""
    return document_kinds(app.find(Dossier, Dossier.id_for(subject)))


def store_of(app: LedgerApp) -> DocumentStore:
    return DocumentStore(app.location, app.recorder)


def add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    content: bytes,
    *,
    name: str,
    kind: str,
    subject: str,
    hash_only: bool = False,
    at: datetime | None = None,
) -> tuple[WriteReceipt, str]:
    """Record a document (a unit's secretary); returns the receipt and the content's SHA-256."""
    sha = sha256_hex(content)
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        found = app.find(Document, Document.id_for(sha))
        if found is not None:
            raise AlreadyExistsError(
                f"document rejected: {name!r} (SHA-256 {sha}) is already recorded, "
                f"for {found.subject!r}"
            )
        document, dossier = add_document(
            sha,
            kind=kind,
            size=len(content),
            name=name,
            subject=subject,
            hash_only=hash_only,
            at=when,
            dossier=app.find(Dossier, Dossier.id_for(subject)),
        )
        return [document, dossier]

    # Check what the event needs before touching the store: a bad kind or id stores nothing.
    Document.add(
        sha, kind=kind, size=len(content), name=name, subject=subject, hash_only=hash_only, at=when
    )
    store = store_of(app)
    stored = False if hash_only else store.put(content)
    try:
        return app.write(key, build, signs=Document.Added), sha
    except BaseException:
        if stored:
            store.remove(sha)
        raise


@dataclass(frozen=True)
class Held:
    """What the ledger holds for one file: its record, and the stored copy if any."""

    sha256: str
    document: Document | None
    copy: StoredCopy | None


def check(app: LedgerApp, content: bytes) -> Held:
    """Whether the ledger records `content` (by SHA-256) and whether its stored copy is intact."""
    sha = sha256_hex(content)
    document = app.find(Document, Document.id_for(sha))
    copy = store_of(app).copy(sha) if document is not None and not document.hash_only else None
    return Held(sha, document, copy)
