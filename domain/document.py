"""Dossier documents (hồ sơ): the ledger's record of one file by its SHA-256, kind and size.

Documents are kept outside the ledger, content-addressed (ledger/documents.py); the ledger
holds what anyone with a copy needs to check it: the SHA-256 of its bytes, its kind (the closed
list KINDS), its size and name, and what it is for (a session, proposal, person or unit id).
A state-secret document is recorded hash-only: its content is not stored and its name is
left out. One `Document` per content: the aggregate id is derived from the SHA-256.

Two aggregates, saved together in one write (as for holds):

- `Document` (one per content): what was recorded of the file;
- `Dossier` (one per subject): the hash and kind of each document recorded for it, the index
  the rule `dossier` reads (domain/dossier.py) — a decision knows its basis session, not the
  hashes of its documents.

How the application uses this::

    document, dossier = add_document(sha256, kind="minutes", size=1234, name="bien-ban.pdf",
                                     subject="S-2020", hash_only=False, at=at,
                                     dossier=app.find(Dossier, Dossier.id_for("S-2020")))
    app.save(document, dossier)   # Document.id_for(sha256) exists -> AlreadyExistsError
    dossier.kinds()               # {"minutes", ...}: what `dossier_violations` reads
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import require_aware, require_text
from domain.base import Aggregate, aggregate_id
from domain.errors import MalformedInputError, UsageError
from domain.ids import check_id

# The closed list of document kinds, with their Vietnamese names (Decree 152/2025's appendix
# forms Mẫu 01 and Mẫu 05; the council's minutes and ballot result; the evidence certificates).
KINDS: dict[str, str] = {
    "to_trinh_mau_01": "Tờ trình đề nghị khen thưởng (Mẫu 01)",
    "bao_cao_mau_05": "Báo cáo thành tích (Mẫu 05)",
    "minutes": "Biên bản họp Hội đồng thi đua, khen thưởng",
    "ballot_result": "Biên bản kiểm phiếu",
    "initiative_certificate": "Giấy chứng nhận sáng kiến",
    "excellent_completion_certificate": "Xác nhận hoàn thành xuất sắc nhiệm vụ",
    "objection": "Đơn kiến nghị, phản ánh",
    "other": "Tài liệu khác",
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_sha256(value: str) -> str:
    """`value` if it is a SHA-256 in lowercase hex, else MalformedInputError."""
    if not _SHA256.fullmatch(value):
        raise MalformedInputError(f"document hash {value!r} is not a lowercase hex SHA-256")
    return value


class Document(Aggregate):
    """One document of a dossier, known by the SHA-256 of its content."""

    class Added(Aggregate.Created, frozen=True, kw_only=True):
        """A unit's secretary added a document to a dossier (content stored unless hash-only)."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"secretary"})
        sha256: str
        kind: str
        size: int
        name: str
        subject: str
        hash_only: bool
        at: datetime

        def apply(self, agg: Document) -> None:
            agg.sha256, agg.kind, agg.size, agg.name = self.sha256, self.kind, self.size, self.name
            agg.subject, agg.hash_only, agg.added_at = self.subject, self.hash_only, self.at

    sha256: str
    kind: str
    size: int
    name: str
    subject: str
    hash_only: bool
    added_at: datetime

    @staticmethod
    def id_for(sha256: str) -> UUID:
        return aggregate_id("document", sha256)

    @classmethod
    def add(
        cls,
        sha256: str,
        *,
        kind: str,
        size: int,
        name: str,
        subject: str,
        hash_only: bool,
        at: datetime,
    ) -> Document:
        check_sha256(sha256)
        check_id("record", subject)
        what = f"document {sha256[:12]}…"
        require_aware(at, what)
        if kind not in KINDS:
            raise MalformedInputError(f"{what}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if size < 0:
            raise UsageError(f"{what}: size {size} is negative")
        return cls._create(
            cls.Added,
            id=cls.id_for(sha256),
            sha256=sha256,
            kind=kind,
            size=size,
            name="" if hash_only else require_text(name, f"{what}: name"),
            subject=subject,
            hash_only=hash_only,
            at=at,
        )


class DossierEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One document as its subject's dossier knows it (state)."""

    sha256: str
    kind: str


class Dossier(Aggregate):
    """The documents recorded for one subject (a session, proposal, person or unit id)."""

    class Opened(Aggregate.Created, frozen=True, kw_only=True):
        """The first document recorded for this subject opened its dossier."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"secretary"})
        subject: str

        def apply(self, agg: Dossier) -> None:
            agg.subject, agg.documents = self.subject, []

    class Filed(Aggregate.Event, frozen=True, kw_only=True):
        """A document recorded for this subject was filed in its dossier."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"secretary"})
        sha256: str
        kind: str

        def apply(self, agg: Dossier) -> None:
            agg.documents.append(DossierEntry(sha256=self.sha256, kind=self.kind))

    subject: str
    documents: list[DossierEntry]

    @staticmethod
    def id_for(subject: str) -> UUID:
        return aggregate_id("dossier", subject)

    def kinds(self) -> set[str]:
        """The kinds of the documents filed, what rule `dossier` reads."""
        return {entry.kind for entry in self.documents}


def add_document(
    sha256: str,
    *,
    kind: str,
    size: int,
    name: str,
    subject: str,
    hash_only: bool,
    at: datetime,
    dossier: Dossier | None,
) -> tuple[Document, Dossier]:
    """Record a document and file it in its subject's dossier (opened if new)."""
    document = Document.add(
        sha256, kind=kind, size=size, name=name, subject=subject, hash_only=hash_only, at=at
    )
    if dossier is None:
        dossier = Dossier._create(Dossier.Opened, id=Dossier.id_for(subject), subject=subject)
    dossier.trigger_event(Dossier.Filed, sha256=sha256, kind=kind)
    return document, dossier


def held_kinds(dossier: Dossier | None) -> set[str]:
    """The kinds a subject's dossier holds (none if it has no dossier)."""
    return dossier.kinds() if dossier is not None else set()
