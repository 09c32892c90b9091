"""What the workflow, review and import commands share: --at, file reading, receipts with extras."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.context import parse_datetime
from cli.render import echo_line, emit_json, emit_receipt
from domain.errors import MalformedInputError
from ledger.application import WriteReceipt

F = TypeVar("F", bound=Callable[..., Any])


def at_option(func: F) -> F:
    """Add --at: the effective time the signer claims (default now)."""
    return click.option(
        "--at",
        "at_text",
        default=None,
        metavar="DATETIME",
        help="Effective time claimed (ISO 8601; no zone = Asia/Ho_Chi_Minh). Default: now.",
    )(func)


def parse_at(value: str | None) -> datetime | None:
    return None if value is None else parse_datetime(value, "--at")


def read_bytes(path: Path, what: str) -> bytes:
    """A file's bytes; MalformedInputError (exit 3) if unreadable."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MalformedInputError(f"{what} '{path}': cannot read ({exc.strerror})") from exc


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file (a leading BOM dropped); MalformedInputError (exit 3) if unreadable or
    not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInputError(f"{what} '{path}': cannot read ({exc.strerror})") from exc
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MalformedInputError(f"{what} '{path}' line {line}: not valid UTF-8") from exc


def emit_outcome(
    receipt: WriteReceipt,
    as_json: bool,
    what: str,
    extra: dict[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> None:
    """The receipt, with a command's extra fields (--json) or note lines (text)."""
    if as_json:
        emit_json(
            {"seqs": receipt.seqs, "size": receipt.size, "root": receipt.root, **(extra or {})}
        )
        return
    emit_receipt(receipt, False, what)
    for note in notes:
        echo_line(f"  {note}")
