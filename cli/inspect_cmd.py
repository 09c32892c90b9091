"""Inspector reads on the event index: `show SEQ` and `list movements|sessions|decisions|signers`
(`log` and `history` use the same index from cli/log_cmd.py and cli/report_cmd.py)."""

from __future__ import annotations

import click

from cli.context import LedgerContext, json_option, pass_ctx
from cli.progress import progress
from cli.read_check import check_read
from cli.render import echo_line, echo_row, emit_json
from domain.actor import format_time
from ledger.event_reads import EventIndex
from projections.indexed import LISTS, listing, show


def open_index(obj: LedgerContext, what: str, quiet: bool, whole: bool = False) -> EventIndex:
    """The event index, made current first (a ledger without one is filled once, with
    progress on a terminal); `whole`: its log check also counts the rows (`EventIndex`)."""
    with progress(f"{what}: indexing events", quiet=quiet) as meter:
        return EventIndex(obj.app, meter.on_progress, whole)


@click.command("show")
@click.argument("seq", type=click.IntRange(min=0))
@json_option
@pass_ctx
def show_cmd(obj: LedgerContext, seq: int, as_json: bool) -> None:
    """One whole event: its signed body, signature, signer and proof status against the
    newest signed checkpoint."""
    index = open_index(obj, "show", as_json)
    shown = show(index, seq)
    check_read(obj, index.check, index.problems)
    if as_json:
        emit_json(shown)
        return
    echo_row("seq", shown.seq)
    echo_row("type", shown.type)
    echo_row("aggregate", f"{shown.aggregate} version {shown.version}")
    echo_row("appended", format_time(shown.time) if shown.time else "?")
    key = f" (key {shown.signer_key_id})" if shown.signer_key_id else ""
    echo_row("signer", f"{shown.signer}{key}")
    echo_row("signature", shown.signature)
    echo_row("proof", shown.proof)
    if isinstance(shown.payload, dict):
        for name, value in shown.payload.items():
            echo_row(f"payload.{name}", value)
    else:
        echo_row("payload", "unreadable: run 'awards verify'")


@click.command("list")
@click.argument("what", type=click.Choice(sorted(LISTS)))
@click.option("--movement", default=None, help="Only the sessions or decisions of MOVEMENT.")
@json_option
@pass_ctx
def list_cmd(obj: LedgerContext, what: str, movement: str | None, as_json: bool) -> None:
    """The movements, sessions, decisions or signers recorded, from the event index."""
    index = open_index(obj, "list", as_json)
    rows = listing(index, what, movement)
    check_read(obj, index.check, index.problems)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        echo_line(f"no {what} recorded")
    for row in rows:
        values = [", ".join(map(str, v)) if isinstance(v, list) else v for v in row.fields.values()]
        echo_row(row.seq, *("-" if v is None else v for v in values))


COMMANDS = [show_cmd, list_cmd]
