"""The write commands' plumbing: `@write_command` and what a write command returns.

Every command that writes takes the same options and does the same around its one call:

    @click.command("vote")
    @click.argument("session_id", metavar="SESSION")
    @write_command()
    def vote(app: LedgerApp, key: Ed25519PrivateKey, at: datetime | None,
             session_id: str) -> Written:
        return Written(review.vote(app, key, session_id, at=at), f"vote in {session_id}")

`write_command` adds ``--key``, ``--passphrase-file``, ``--json`` and (unless ``with_at=False``)
``--at``; it parses ``--at`` (a usage error, exit 2, before anything is read), loads the key
(exit 3 if unreadable), opens the ledger (exit 5 if missing; ``create=True`` only for `init`),
calls the command with ``(app, key, at, **its own arguments)`` and prints the receipt it
returns: text for people, or one JSON document with ``--json``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from cli.context import LedgerContext, json_option, key_options, load_key, pass_ctx
from cli.render import echo_line, emit_json, emit_receipt
from cli.workflow_options import at_option, parse_at
from ledger.application import WriteReceipt
from ledger.usecases.registry import Checkpointed

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Written:
    """What a write command hands back: the ledger's receipt and what it did, in a few words
    (a `Checkpointed` when the command signs a checkpoint right after its write); with
    ``extra`` fields for --json and ``notes`` lines for people."""

    receipt: WriteReceipt | Checkpointed
    what: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    notes: Sequence[str] = ()


def emit_written(written: Written, as_json: bool) -> None:
    """Print a write command's receipt (text, or one JSON document)."""
    receipt = written.receipt
    if isinstance(receipt, Checkpointed):
        if as_json:
            emit_json(
                {
                    **msgspec.structs.asdict(receipt.receipt),
                    **written.extra,
                    "checkpoint": {"note": receipt.note, "receipt": receipt.checkpoint},
                }
            )
            return
        emit_receipt(receipt.receipt, False, written.what)
        emit_receipt(receipt.checkpoint, False, "checkpoint signed")
    elif as_json:
        emit_json({**msgspec.structs.asdict(receipt), **written.extra})
        return
    else:
        emit_receipt(receipt, False, written.what)
    for note in written.notes:
        echo_line(f"  {note}")


def json_requested() -> bool:
    """Whether the running write command was given --json (for a progress meter to keep
    quiet)."""
    return bool(click.get_current_context().params.get("as_json"))


def write_command(*, with_at: bool = True, create: bool = False) -> Callable[[F], F]:
    """Make `func(app, key, at, **arguments) -> Written` a write command's callback (see the
    module docstring). Put it under the command's own arguments and options."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(
            obj: LedgerContext,
            *args: Any,
            key_path: Path,
            passphrase_file: Path | None,
            as_json: bool,
            at_text: str | None = None,
            **kwargs: Any,
        ) -> None:
            at = parse_at(at_text)
            key = load_key(key_path, passphrase_file)
            app = obj.create() if create else obj.app
            emit_written(func(app, key, at, *args, **kwargs), as_json)

        wrapped: Any = pass_ctx(command)
        if with_at:
            wrapped = at_option(wrapped)
        wrapped = key_options(wrapped)
        wrapped = json_option(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate
