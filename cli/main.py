"""The `awards` command: the root group, the one place errors become exit codes."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from cli import (
    demo_cmd,
    import_cmd,
    inspect_cmd,
    keys_cmd,
    log_cmd,
    publish_cmd,
    registry_cmd,
    report_cmd,
    witness_cmd,
    workflow_cmd,
)
from cli.context import LedgerContext, nfc_arguments
from cli.progress import clear_lines
from cli.render import echo_line
from domain.errors import AwardLedgerError
from ledger.store import DEFAULT_LEDGER, mask_password


class _Warnings(logging.Handler):
    """Prints the library's warnings (logger ``award_ledger``) as one `warning: ...` line each
    on the stderr in use at that moment."""

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        clear_lines()  # never after a half-drawn progress line
        click.echo(f"warning: {message}", err=True)


_LOG = logging.getLogger("award_ledger")
_LOG.setLevel(logging.WARNING)
_LOG.propagate = False
if not any(isinstance(h, _Warnings) for h in _LOG.handlers):
    _LOG.addHandler(_Warnings())


class LedgerGroup(click.Group):
    """Maps every AwardLedgerError to one line on stderr and SPEC.md's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AwardLedgerError as exc:
            message = " ".join(exc.diagnostics().split())  # always one line
            if isinstance(ctx.obj, LedgerContext):  # a driver may quote the connection string
                message = mask_password(message, ctx.obj.url)
            echo_line(f"error: {message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LedgerGroup)
@click.option(
    "--ledger",
    envvar="AWARDS_LEDGER",
    default=DEFAULT_LEDGER,
    show_default=True,
    help="SQLite file path, or postgresql://user@host:port/db[?schema=NAME].",
)
@click.option(
    "--strict",
    is_flag=True,
    envvar="AWARDS_STRICT",
    help="Read commands exit 4, instead of warning, when the log they read does not match "
    "the newest signed checkpoint.",
)
@click.version_option(package_name="award-ledger")
@click.pass_context
def cli(ctx: click.Context, ledger: str, strict: bool) -> None:
    """Tamper-evident ledger for emulation and commendation award decisions."""
    ctx.obj = LedgerContext(ledger, strict)


for module in (
    keys_cmd,
    registry_cmd,
    workflow_cmd,
    import_cmd,
    log_cmd,
    inspect_cmd,
    report_cmd,
    witness_cmd,
    demo_cmd,
    publish_cmd,
):
    for command in module.COMMANDS:
        cli.add_command(command)
nfc_arguments(cli)


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True))
