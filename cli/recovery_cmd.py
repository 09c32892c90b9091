"""`awards recovery record`: a recovery after an annulment (Law 2022 Art. 93(2))."""

from __future__ import annotations

from datetime import datetime

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.write import Written, write_command
from domain.bonus import format_vnd
from domain.recovery import ITEMS, Outstanding, outstanding_text
from ledger.application import LedgerApp
from ledger.usecases import decisions


@click.group("recovery")
def recovery() -> None:
    """Recoveries after an annulment: the certificate or medal and the bonus money (authority
    or secretary)."""


@recovery.command("record")
@click.argument("number", metavar="DECISION")
@click.option("--recipient", required=True, metavar="P")
@click.option("--item", required=True, type=click.Choice(ITEMS), help=f"{', '.join(ITEMS)}.")
@click.option(
    "--amount",
    type=click.IntRange(min=1),
    default=None,
    metavar="VND",
    help="Money recovered (default: all that is outstanding).",
)
@click.option("--reference", default=None, help="The receipt or record of the recovery.")
@write_command()
def recovery_record(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    number: str,
    recipient: str,
    item: str,
    amount: int | None,
    reference: str | None,
) -> Written:
    """Record that ITEM was recovered from P after the annulment in DECISION."""
    result = decisions.record_recovery(
        app, key, number, recipient=recipient, item=item, amount=amount, reference=reference, at=at
    )
    what = f"{format_vnd(result.amount)} of money" if result.amount is not None else item
    left = [o for o in result.outstanding if not o.done]
    return Written(
        result.receipt,
        f"recovery of {what} from {recipient} (decision {number}) recorded",
        {"amount": result.amount, "outstanding": [outstanding_json(o) for o in left]},
        [f"still to recover: {outstanding_text(o)}" for o in left],
    )


def outstanding_json(row: Outstanding) -> dict[str, object]:
    return {
        "item": row.item,
        "due": row.due,
        "recovered": row.recovered,
        "remaining": row.remaining,
    }


COMMANDS: list[click.Command] = [recovery]
