"""The `awards` command: the root group, the one place errors become exit codes."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from cli import (
    demo_cmd,
    discipline_cmd,
    document_cmd,
    hold_cmd,
    import_cmd,
    inspect_cmd,
    keys_cmd,
    log_cmd,
    proposal_cmd,
    publish_cmd,
    recovery_cmd,
    registry_cmd,
    report_cmd,
    review_cmd,
    rules_cmd,
    statistics_cmd,
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


class OneLineUsageError(click.UsageError):
    """A usage error click found (unknown command or option, missing argument, bad value),
    shown as ONE `error:` line naming the command, like every other error, instead of
    click's three lines (Usage / Try / Error)."""

    def __init__(self, original: click.UsageError, path: str) -> None:
        super().__init__(original.format_message(), original.ctx)  # exit code 2, like it
        self.path = original.ctx.command_path if original.ctx is not None else path

    def show(self, file: Any = None) -> None:
        path = self.path
        message = " ".join(self.format_message().split()).rstrip(".")
        message = message[:1].lower() + message[1:]
        echo_line(f"error: {path}: {message}; see '{path} --help'", err=True)


def _one_line(exc: click.UsageError, ctx: click.Context | None = None) -> click.UsageError:
    """click's usage error as one line (help asked for by giving no arguments stays help); an
    error without a context (a parser's) is named after the command being invoked in `ctx`."""
    if isinstance(exc, (OneLineUsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    path = "awards"
    if ctx is not None:
        path = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
    return OneLineUsageError(exc, path)


class LedgerGroup(click.Group):
    """Maps every AwardLedgerError to one line on stderr and the exit code of the README's
    table, and click's own usage errors to one `error:` line with exit 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc, ctx) from exc
        except AwardLedgerError as exc:
            message = " ".join(exc.diagnostics().split())  # always one line
            if isinstance(ctx.obj, LedgerContext):  # a driver may quote the connection string
                message = mask_password(message, ctx.obj.url)
            echo_line(f"error: {message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LedgerGroup, name="awards")
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
    hold_cmd,
    discipline_cmd,
    review_cmd,
    recovery_cmd,
    import_cmd,
    log_cmd,
    inspect_cmd,
    report_cmd,
    statistics_cmd,
    witness_cmd,
    demo_cmd,
    publish_cmd,
    recovery_cmd,
    rules_cmd,
    document_cmd,
    proposal_cmd,
):
    for command in module.COMMANDS:
        cli.add_command(command)
nfc_arguments(cli)


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True))
