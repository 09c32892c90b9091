"""`awards discipline add`: a person's discipline, its level and period (domain/discipline.py)."""

from __future__ import annotations

from datetime import datetime

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import parse_date
from cli.write import Written, write_command
from domain.discipline import levels
from ledger.application import LedgerApp
from ledger.usecases import disciplines


@click.group("discipline")
def discipline() -> None:
    """Disciplines: a person's achievements count only after the period; collective titles
    look at their members' (secretary or authority)."""


@discipline.command("add")
@click.argument("person", metavar="PERSON")
@click.option("--level", required=True, help=f"{', '.join(levels())} (mildest first).")
@click.option("--from", "start", required=True, metavar="DATE", help="First day of the period.")
@click.option("--until", default=None, metavar="DATE", help="Last day of the period.")
@click.option("--decision", "decision_ref", required=True, help="The discipline decision's number.")
@click.option("--reason", required=True)
@write_command()
def discipline_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    person: str,
    level: str,
    start: str,
    until: str | None,
    decision_ref: str,
    reason: str,
) -> Written:
    """Enter a discipline of PERSON decided by the competent head (its decision number)."""
    first = parse_date(start, "--from")
    last = parse_date(until, "--until") if until is not None else None
    receipt = disciplines.add(
        app, key, person, decision_ref=decision_ref, level=level, start=first, until=last,
        reason=reason, at=at,
    )  # fmt: skip
    return Written(receipt, f"discipline {decision_ref} of {person} entered ({level})")



@discipline.command("end")
@click.argument("person", metavar="PERSON")
@click.option("--decision", "decision_ref", required=True, help="The discipline's decision number.")
@click.option("--until", required=True, metavar="DATE", help="The period's new last day.")
@click.option("--reason", required=True)
@write_command()
def discipline_end(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    person: str,
    decision_ref: str,
    until: str,
    reason: str,
) -> Written:
    """End PERSON's discipline (its decision number) on a day: lifted early, or the end of one
    entered without."""
    last = parse_date(until, "--until")
    receipt = disciplines.end(
        app, key, person, decision_ref=decision_ref, until=last, reason=reason, at=at
    )
    return Written(receipt, f"discipline {decision_ref} of {person} ends on {last}")


COMMANDS: list[click.Command] = [discipline]
