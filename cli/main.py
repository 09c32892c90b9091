"""The `awards` command: the root group, the one place errors become exit codes."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Mapping
from typing import Any

import click

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


# Every command of the root group, in the modules' order: name -> (its module in cli/, its short
# help, whole: `awards --help` shortens it to the terminal as click does). The root group imports
# a command's module only when that command is run or its help asked for, so `awards --help`
# lists the commands from this table and each process imports its own command's code only.
# tests/cli/test_lazy_commands.py keeps the table equal to the modules' COMMANDS.
LAZY_COMMANDS: Mapping[str, tuple[str, str]] = {
    "keys": ("keys_cmd", "Make and inspect Ed25519 keys."),
    "init": ("registry_cmd", "Create the ledger's genesis, self-signed by the operator's key."),
    "signer": ("registry_cmd", "Register, revoke and list signers (operator)."),
    "unit": ("registry_cmd", "Record units (secretary)."),
    "person": ("registry_cmd", "Record people (secretary)."),
    "operator": ("registry_cmd", "Hand the operator role to a new key."),
    "movement": ("workflow_cmd", "Launch emulation movements (secretary)."),
    "register": (
        "workflow_cmd",
        "Register PARTICIPANT (person, unit or cluster) for MOVEMENT and the titles it aims at.",
    ),
    "score": (
        "workflow_cmd",
        "Score PARTICIPANT in MOVEMENT (appraisal unless --self); the scorer is the signer.",
    ),
    "initiative": ("workflow_cmd", "Recognise initiatives (initiative council)."),
    "cluster": (
        "workflow_cmd",
        "Emulation clusters and blocks, and their members' pacts (secretary).",
    ),
    "hold": (
        "hold_cmd",
        "Holds: no award for a subject while a matter about them is examined (secretary or "
        "authority).",
    ),
    "discipline": (
        "discipline_cmd",
        "Disciplines: a person's achievements count only after the period; collective titles "
        "look at their members' (secretary or authority).",
    ),
    "session": ("review_cmd", "Open and close review sessions (council chair)."),
    "vote": (
        "review_cmd",
        "Cast your open-mode vote in SESSION; nominees left out are abstentions.",
    ),
    "ballot": (
        "review_cmd",
        "Secret-ballot sessions: cast (members) and tally (counting committee).",
    ),
    "decide": (
        "review_cmd",
        "Record award decision NUMBER (authority); every rule is checked first, by the law in "
        "force on its date (see `awards rules --date`).",
    ),
    "annul": ("review_cmd", "Annul one recipient's award in decision NUMBER (Law 2022 Art."),
    "recovery": (
        "recovery_cmd",
        "Recoveries after an annulment: the certificate or medal and the bonus money (authority"
        " or secretary).",
    ),
    "import": (
        "import_cmd",
        "Import every row of a UTF-8 CSV file (a BOM allowed) or of the first sheet of an Excel"
        " .xlsx workbook, in one atomic write (a bad row: nothing recorded; its line number, or"
        " the sheet's row number, is named).",
    ),
    "checkpoint": ("log_cmd", "With --key (operator): sign and store a new checkpoint."),
    "verify": (
        "log_cmd",
        "Check every event, signature, role, version and checkpoint, and (a full check) every "
        "cache kept beside the log.",
    ),
    "log": ("log_cmd", "The events in ledger order, with signer, event time and type."),
    "prove": (
        "log_cmd",
        "Inclusion proof of event SEQ against the latest checkpoint (or tree size N).",
    ),
    "consistency": (
        "log_cmd",
        "Consistency proof from tree size OLD_SIZE to NEW_SIZE (default: the whole ledger).",
    ),
    "verify-receipt": (
        "log_cmd",
        "Check a receipt offline, with only the operator's public key (and, with --witness, the"
        " witnesses' keys).",
    ),
    "show": (
        "inspect_cmd",
        "One whole event: its signed body, signature, signer and proof status against the "
        "newest signed checkpoint.",
    ),
    "list": (
        "inspect_cmd",
        "The movements, sessions, decisions or signers recorded, from the event index.",
    ),
    "standings": (
        "report_cmd",
        "Standings of MOVEMENT: latest appraisal points per criterion, formula total, rank.",
    ),
    "tally": (
        "report_cmd",
        "Turnout and yes / no per nominee of review SESSION, against threshold and quorum.",
    ),
    "history": (
        "report_cmd",
        "Every event touching PARTICIPANT (person, unit or cluster), with signers and times.",
    ),
    "report": (
        "report_cmd",
        "The public report of MOVEMENT, with the checkpoint that commits to it.",
    ),
    "receipt": (
        "report_cmd",
        "An offline-verifiable receipt of award decision NUMBER for one recipient.",
    ),
    "statistics": (
        "statistics_cmd",
        "The yearly statistics forms 0601–0603.N/BNV-TĐKT for YEAR (by decision date, across "
        "every movement; annulled awards counted apart).",
    ),
    "witness": ("witness_cmd", "Cosign checkpoints as an independent witness (C2SP tlog-witness)."),
    "demo": (
        "demo_cmd",
        "Run the seed scenarios (three offices' real cases) on a fresh SQLite ledger in DIR, "
        "checkpoint and verify.",
    ),
    "publish": (
        "publish_cmd",
        "Publish the log up to the newest checkpoint, with its reports, as static files in "
        "DIRECTORY (c2sp.org/tlog-tiles); a rerun writes only what is new.",
    ),
    "verify-publication": (
        "publish_cmd",
        "Audit a static publication with no database: checkpoint, tiles, entry bundles and "
        "every entry as `verify` checks it.",
    ),
    "rules": (
        "rules_cmd",
        "Print the rules in force on DATE (the regime of that day) with their legal citations.",
    ),
    "document": (
        "document_cmd",
        "Dossier documents: the ledger holds their SHA-256, kind, size and name.",
    ),
    "propose": (
        "proposal_cmd",
        "Propose AWARD for nominees and send the file to its first level (a unit's secretary).",
    ),
    "endorse": (
        "proposal_cmd",
        "Endorse proposal ID and forward it to the next level (the level holding it).",
    ),
    "return": (
        "proposal_cmd",
        "Return proposal ID to the proposing unit with reasons (the level holding it).",
    ),
    "resubmit": (
        "proposal_cmd",
        "Send a returned proposal ID again, with more documents (the proposing unit's secretary).",
    ),
    "forward": (
        "proposal_cmd",
        "Record that the decision on proposal ID was sent to the proposing unit (the deciding "
        "authority; its clock: 10 working days from the decision).",
    ),
    "comment": ("proposal_cmd", "Public comment on a proposal's nominees."),
    "objection": ("proposal_cmd", "Objections raised in a public comment, and their resolution."),
    "proposal": ("proposal_cmd", "Read a proposal's path."),
}


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


class LazyLedgerGroup(LedgerGroup):
    """A LedgerGroup whose subcommands are imported on first use (click's "lazy loading
    subcommands"): `lazy` maps a command name to (module in cli/, short help); the module's
    command of that name is loaded, its plain-string parameters put in NFC (nfc_arguments),
    when click resolves the name."""

    def __init__(
        self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self._load(cmd_name))
        return self.commands.get(cmd_name)

    def _load(self, name: str) -> click.Command:
        module_name = f"cli.{self.lazy[name][0]}"
        commands: list[click.Command] = importlib.import_module(module_name).COMMANDS
        for command in commands:
            if command.name == name:
                nfc_arguments(command)
                return command
        raise LookupError(f"{module_name} has no command {name!r}")

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # "did you mean": every name, loaded or not
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=exc.ctx
            ) from exc

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, each not yet loaded standing in as a command with its short
        help from the table (its module left unimported)."""
        listed = {
            name: self.commands.get(name) or click.Command(name, help=self.lazy[name][1])
            for name in self.list_commands(ctx)
        }
        click.Group(self.name, commands=listed).format_commands(ctx, formatter)


@click.group(cls=LazyLedgerGroup, lazy=LAZY_COMMANDS, name="awards")
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


nfc_arguments(cli)  # its own options; each command's when loaded


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True))
