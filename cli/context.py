"""What every command shares: the ledger URL, the lazily opened app, key loading, options."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import require_day_in_range, require_in_range
from domain.errors import UsageError
from domain.text import nfc
from ledger.application import LedgerApp, open_ledger
from ledger.keys import load_private_key, load_public_key, raw_public_key, read_passphrase
from ledger.witness import WitnessKey

F = TypeVar("F", bound=Callable[..., Any])

try:
    VIETNAM: timezone | ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no tz database: Vietnam keeps UTC+7 without daylight saving
    VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


class LedgerContext:
    """The root group's object: where the ledger is, opened on first use."""

    def __init__(self, url: str, strict: bool = False) -> None:
        self.url = url
        self.strict = strict  # read commands exit 4 (not warn) when the log fails its check
        self._app: LedgerApp | None = None

    @property
    def app(self) -> LedgerApp:
        """The ledger, which must exist (only `init` creates one)."""
        if self._app is None:
            self._app = open_ledger(self.url, create=False)
        return self._app

    def create(self) -> LedgerApp:
        """The ledger, its tables created when missing (for `awards init`)."""
        if self._app is None:
            self._app = open_ledger(self.url, create=True)
        return self._app


pass_ctx = click.make_pass_decorator(LedgerContext)


def key_options(func: F) -> F:
    """Add --key and --passphrase-file; the command receives `key: Ed25519PrivateKey`."""

    func = click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="File holding the key's passphrase (else env AWARDS_KEY_PASSPHRASE).",
    )(func)
    func = click.option(
        "--key",
        "key_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The actor's Ed25519 private key (PKCS#8 PEM).",
    )(func)
    return func


def load_key(key_path: Path, passphrase_file: Path | None) -> Ed25519PrivateKey:
    """The actor's private key; never echoed anywhere."""
    return load_private_key(key_path, read_passphrase(passphrase_file, os.environ))


# Arguments kept exactly as typed: free text (names, reasons: "as is", like CSV names) and
# file paths (a file name in NFD must still open). Every other plain string is an id, a token
# or a number, and is put in Unicode NFC at the door (domain/text.py).
AS_TYPED = frozenset(
    {"name", "reason", "override_reason", "override_items", "theme", "ledger", "witness_specs"}
)


class NfcString(click.types.StringParamType):
    """A plain string argument, in Unicode NFC (so `QĐ` precomposed or not is one id)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        converted = super().convert(value, param, ctx)
        return nfc(converted) if isinstance(converted, str) else converted


def nfc_arguments(command: click.Command) -> None:
    """Make every plain-string parameter of `command` and its subcommands, except those in
    AS_TYPED, an NfcString (cli/main.py: on the root group, and on each command as it is loaded)."""
    for param in command.params:
        if isinstance(param.type, click.types.StringParamType) and param.name not in AS_TYPED:
            param.type = NfcString()
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            nfc_arguments(sub)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace an existing output file (a symbolic link is never followed or replaced).",
)


def parse_datetime(value: str, what: str) -> datetime:
    """ISO 8601 date or datetime; a value without a zone is in Asia/Ho_Chi_Minh."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{what} {value!r} is not an ISO 8601 date or datetime") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VIETNAM)
    return require_in_range(parsed, what)


def parse_date(value: str, what: str) -> date:
    """ISO 8601 date (2020-02-18)."""
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{what} {value!r} is not an ISO 8601 date (YYYY-MM-DD)") from exc
    return require_day_in_range(day, what)


def witness_options(func: F) -> F:
    """Add the witness policy: --witness NAME=PUBFILE (repeat) and --min-witnesses K."""
    func = click.option(
        "--min-witnesses",
        type=click.IntRange(min=0),
        default=None,
        help="Require this many valid witness cosignatures (default: all given witnesses).",
    )(func)
    func = click.option(
        "--witness",
        "witness_specs",
        multiple=True,
        metavar="NAME=PUBFILE",
        help="A trusted witness: its key name and Ed25519 public key file.",
    )(func)
    return func


def parse_witnesses(specs: tuple[str, ...]) -> list[WitnessKey]:
    """Witness keys from NAME=PUBFILE options, each witness once: the same name and key given
    twice count once; one name with two keys, or one key under two names, is a usage error
    (one party would otherwise count as two witnesses)."""
    witnesses: list[WitnessKey] = []
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--witness {spec!r}: use NAME=PUBFILE")
        witness = WitnessKey(name, raw_public_key(load_public_key(Path(path))))
        if witness in witnesses:
            continue
        for other in witnesses:
            if other.name == name:
                raise UsageError(f"--witness {name!r} is given twice with different keys")
            if other.public_key == witness.public_key:
                raise UsageError(
                    f"--witness {name!r} has the same key as {other.name!r}: "
                    "one witness counts once"
                )
        witnesses.append(witness)
    return witnesses


def witness_policy(
    specs: tuple[str, ...], min_witnesses: int | None
) -> tuple[list[WitnessKey], int]:
    """The witnesses and how many of them must have cosigned (0 when none are given)."""
    witnesses = parse_witnesses(specs)
    needed = len(witnesses) if min_witnesses is None else min_witnesses
    if needed and not witnesses:
        raise UsageError("--min-witnesses needs at least one --witness NAME=PUBFILE")
    return witnesses, needed
