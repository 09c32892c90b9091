"""Audit step (8) for the document store: every stored dossier file against its signed record.

Documents are a cache beside the log (ledger/documents.py: a directory next to a SQLite file,
a table in PostgreSQL) that anyone able to write there can change without a key. A full audit
reads every `Document.Added` on the topic index (the log's own steps check those rows) and
re-hashes each stored copy: a copy that no longer hashes to its record, whose size is not the
signed size, or that is missing is a problem naming the document and where its copy is kept; a
hash-only record (a state-secret file) needs no copy, and one found stored for it is a problem
too (its content was meant to stay out). A stored copy no record names (left behind by a
refused `document add` that could not take it back) is a note.
"""

from __future__ import annotations

from domain.document import Document
from domain.errors import AwardLedgerError
from ledger.application import LedgerApp
from ledger.documents import DocumentStore, sha256_hex
from ledger.findings import Problem
from ledger.mapper import decode_stored, topic_of
from ledger.merkle import Tree
from ledger.verify_caches import cache_problem


def recorded_documents(app: LedgerApp) -> dict[str, Document.Added]:
    """Every document the log records, by SHA-256 (rows that do not decode are left to the
    audit's own steps, which report them)."""
    found: dict[str, Document.Added] = {}
    for _, topic, state in app.rows_of_topics([topic_of(Document.Added)]):
        try:
            event = decode_stored(topic, state)
        except AwardLedgerError:
            continue
        if isinstance(event, Document.Added):
            found[event.sha256] = event
    return found


def check_documents(
    app: LedgerApp, tree: Tree, problems: list[Problem], notes: list[str]
) -> None:
    """Each recorded document's stored copy hashes to its record and has its signed size."""
    store = DocumentStore(app.location, app.recorder)
    recorded = recorded_documents(app)
    for sha, added in recorded.items():
        what = f"document {sha[:12]}… ({added.kind} for {added.subject})"
        content = store.content(sha)
        where = store.where(sha)
        if content is None:
            if not added.hash_only:
                problems.append(cache_problem(tree, f"{what}: its stored copy {where} is missing"))
        elif added.hash_only:
            problems.append(
                cache_problem(tree, f"{what}: recorded hash-only, yet a copy is stored at {where}")
            )
        elif sha256_hex(content) != sha:
            problems.append(
                cache_problem(tree, f"{what}: its stored copy {where} no longer matches its hash")
            )
        elif len(content) != added.size:
            problems.append(
                cache_problem(
                    tree,
                    f"{what}: its stored copy {where} holds {len(content)} bytes, "
                    f"the record says {added.size}",
                )
            )
    for sha in sorted(set(store.stored()) - set(recorded)):
        notes.append(f"document store: {store.where(sha)} is recorded by no event")
