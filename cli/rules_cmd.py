"""`awards rules [--date D] [--json]`: the rules in force on a date, each with its citation."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.context import json_option, parse_date
from cli.render import echo_line, emit_json
from domain.actor import local_date
from projections.rules_doc import rules_document, rules_lines


@click.command("rules")
@click.option(
    "--date", "date_text", default=None, metavar="DATE", help="Default: today in Vietnam."
)
@json_option
def rules(date_text: str | None, as_json: bool) -> None:
    """Print the rules in force on DATE (the regime of that day) with their legal citations."""
    day = parse_date(date_text, "--date") if date_text else local_date(datetime.now(UTC))
    if as_json:
        emit_json(rules_document(day))
        return
    for line in rules_lines(day):
        echo_line(line)


COMMANDS = [rules]
