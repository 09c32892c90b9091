"""`awards document add|check`: dossier documents, stored content-addressed beside the ledger."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import LedgerContext, json_option, pass_ctx
from cli.inputs import read_input
from cli.render import echo_line, emit_json
from cli.write import Written, write_command
from domain.document import KINDS
from domain.errors import NotFoundError, VerificationError
from ledger.application import LedgerApp
from ledger.usecases import documents

FILE = click.Path(dir_okay=False, path_type=Path)


@click.group("document")
def document() -> None:
    """Dossier documents: the ledger holds their SHA-256, kind, size and name."""


@document.command("add")
@click.argument("path", metavar="FILE", type=FILE)
@click.option("--kind", required=True, help=f"One of: {', '.join(KINDS)}.")
@click.option("--for", "subject", required=True, metavar="ID", help="What it is for.")
@click.option("--hash-only", is_flag=True, help="Record the hash alone (state-secret files).")
@write_command()
def document_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    path: Path,
    kind: str,
    subject: str,
    hash_only: bool,
) -> Written:
    """Record FILE for a dossier (secretary) and store it beside the ledger, unless
    --hash-only."""
    content = read_input(path, "document")
    receipt, sha = documents.add(
        app, key, content, name=path.name, kind=kind, subject=subject, hash_only=hash_only, at=at
    )
    kept = "hash only" if hash_only else documents.store_of(app).where(sha)
    return Written(
        receipt,
        f"document {path.name} ({kind}) for {subject}",
        extra={"sha256": sha, "size": len(content), "stored": None if hash_only else kept},
        notes=[f"SHA-256 {sha}", f"kept: {kept}"],
    )


@document.command("check")
@click.argument("path", metavar="FILE", type=FILE)
@json_option
@pass_ctx
def document_check(obj: LedgerContext, path: Path, as_json: bool) -> None:
    """Say whether the ledger holds FILE (by SHA-256), for what, and where its copy is kept.

    Exit 1 if it is not held, 4 if the stored copy no longer matches its hash."""
    held = documents.check(obj.app, read_input(path, "document"))
    found = held.document
    if found is None:
        raise NotFoundError(f"document '{path}' (SHA-256 {held.sha256}) is not held by the ledger")
    if held.copy is not None and not held.copy.intact:
        raise VerificationError(
            f"document '{path}': the stored copy at {held.copy.where} no longer matches "
            f"SHA-256 {held.sha256}"
        )
    kept = "hash only" if found.hash_only else held.copy.where if held.copy else "not stored"
    if as_json:
        emit_json(
            {
                "sha256": held.sha256,
                "kind": found.kind,
                "for": found.subject,
                "name": found.name,
                "size": found.size,
                "added_at": found.added_at.isoformat(),
                "hash_only": found.hash_only,
                "stored": held.copy.where if held.copy else None,
            }
        )
        return
    echo_line(f"held: {path.name} SHA-256 {held.sha256}")
    echo_line(f"  {found.kind} ({KINDS[found.kind]}) for {found.subject}, {found.size} bytes")
    echo_line(f"  added {found.added_at.isoformat()}; kept: {kept}")


COMMANDS: list[click.Command] = [document]
