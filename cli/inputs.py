"""The one place the CLI reads an input file (CSV, TOML, recipients, checkpoints, receipts,
notes): a file that cannot be read, or is not UTF-8 where text is expected, is malformed input
(exit 3) named with what it was for. Keys are read by ledger/keys.py, with their own checks."""

from __future__ import annotations

from pathlib import Path

from domain.errors import MalformedInputError


def read_input(path: Path, what: str) -> bytes:
    """The bytes of input file `path`; MalformedInputError (exit 3) if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MalformedInputError(f"{what} '{path}': cannot read ({reason})") from exc


def read_input_text(path: Path, what: str) -> str:
    """A UTF-8 text input file (a leading BOM dropped); MalformedInputError (exit 3) if it
    cannot be read or is not UTF-8, naming the first bad line."""
    data = read_input(path, what)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MalformedInputError(f"{what} '{path}' line {line}: not valid UTF-8") from exc
