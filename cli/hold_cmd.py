"""`awards hold add|lift`: holds on a person or unit (rule `hold`, domain/hold.py)."""

from __future__ import annotations

from datetime import datetime

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import parse_date
from cli.write import Written, write_command
from domain.hold import HOLD_KINDS
from ledger.application import LedgerApp
from ledger.usecases import holds


@click.group("hold")
def hold() -> None:
    """Holds: no award for a subject while a matter about them is examined (secretary or
    authority)."""


@hold.command("add")
@click.argument("hold_id", metavar="ID")
@click.option("--subject", required=True, metavar="P", help="Person or unit id.")
@click.option("--kind", required=True, help=f"{', '.join(HOLD_KINDS)}.")
@click.option("--reason", required=True)
@click.option("--until", default=None, metavar="DATE", help="Last day the hold stands.")
@write_command()
def hold_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    hold_id: str,
    subject: str,
    kind: str,
    reason: str,
    until: str | None,
) -> Written:
    """Place hold ID on a person or unit: awards to them are refused while it stands."""
    end = parse_date(until, "--until") if until is not None else None
    receipt = holds.place(
        app, key, hold_id, subject=subject, kind=kind, reason=reason, until=end, at=at
    )
    return Written(receipt, f"hold {hold_id} on {subject} placed")


@hold.command("lift")
@click.argument("hold_id", metavar="ID")
@click.option("--reason", required=True)
@write_command()
def hold_lift(
    app: LedgerApp, key: Ed25519PrivateKey, at: datetime | None, hold_id: str, reason: str
) -> Written:
    """Lift hold ID (the matter is closed)."""
    receipt = holds.lift(app, key, hold_id, reason=reason, at=at)
    return Written(receipt, f"hold {hold_id} lifted")


COMMANDS: list[click.Command] = [hold]
