"""Rendering: text for people, one JSON document with --json. Data to stdout only.

Text for people never reaches the terminal raw: a name or reason stored before the door
refused control characters (or put there by someone editing the database) could otherwise
move the cursor, forge a line or reorder what is shown. `echo_line`, `echo_row` and
`rows_text` escape every character domain/text.py refuses (``\x1b``, ``\u202e``; TAB and
newline too, inside a field). JSON stays exact JSON: the encoder escapes C0 controls, and
other characters (DEL, C1, bidi controls) are data that a JSON consumer must treat as data,
not display raw.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import click
import msgspec

from domain.text import escape_text, unsafe_char
from ledger.application import WriteReceipt
from ledger.usecases.registry import Checkpointed

_JSON = msgspec.json.Encoder(order="deterministic")


def json_document(data: Any) -> bytes:
    """`data` as the one JSON document `emit_json` prints, newline included (msgspec encodes
    Structs, bytes as base64; keys in a deterministic order, indented by 2)."""
    return msgspec.json.format(_JSON.encode(data), indent=2) + b"\n"


def json_array_chunks(items: Iterable[Any]) -> Iterator[bytes]:
    """The JSON document `emit_json` prints for the list of `items`, byte for byte, made an
    item at a time (a long answer is printed as it is read, never held whole)."""
    opened = False
    for item in items:
        body = msgspec.json.format(_JSON.encode(item), indent=2).replace(b"\n", b"\n  ")
        yield (b",\n  " if opened else b"[\n  ") + body
        opened = True
    yield b"\n]\n" if opened else b"[]\n"


def emit_json(data: Any) -> None:
    """Print `data` as one JSON document (see `json_document`), as bytes: a large answer is
    not copied into a str first."""
    click.echo(json_document(data), nl=False)


def line_text(text: str) -> str:
    """One line of text for people as `echo_line` prints it (without the newline)."""
    return escape_text(text)


def row_text(*fields: object) -> str:
    """One tab-separated row as `echo_row` prints it (without the newline)."""
    return "\t".join(escape_text(str(field)) for field in fields)


def echo_line(text: str, err: bool = False) -> None:
    """Print one line of text for people, every control, bidi or invisible character escaped."""
    click.echo(line_text(text), err=err)


def echo_row(*fields: object) -> None:
    """Print one tab-separated row; each field escaped, so a field cannot add a column or a line."""
    click.echo(row_text(*fields))


def rows_text(rows: Iterable[Sequence[str]], batch: int = 1024) -> Iterator[str]:
    """`row_text` of many rows of text fields, `batch` rows at a time, each batch one piece
    ending in a newline; a batch whose fields hold nothing to escape (one scan of them all)
    is joined as it is."""
    pending = iter(rows)
    while fields := list(islice(pending, batch)):
        if unsafe_char("".join(map("".join, fields))) is None:
            lines = list(map("\t".join, fields))
        else:
            lines = ["\t".join(map(escape_text, row)) for row in fields]
        lines.append("")
        yield "\n".join(lines)


def emit_receipt(receipt: WriteReceipt, as_json: bool, what: str) -> None:
    """Print a write command's receipt: what the ledger accepted, and the tree after it."""
    if as_json:
        emit_json(receipt)
        return
    seqs = receipt.seqs
    if not seqs:
        echo_line(f"{what}: recorded; tree size {receipt.size}, root {receipt.root}")
        return
    span = f"event {seqs[0]}" if len(seqs) == 1 else f"events {seqs[0]}-{seqs[-1]}"
    if len(seqs) > 1 and seqs != list(range(seqs[0], seqs[-1] + 1)):
        span = "events " + ", ".join(map(str, seqs))
    echo_line(f"{what}: recorded {span}; tree size {receipt.size}, root {receipt.root}")


def emit_checkpointed(done: Checkpointed, as_json: bool, what: str) -> None:
    """Print a write's receipt and that of the checkpoint signed right after it (--json: the
    write's receipt fields, plus ``checkpoint``: the signed note and its own receipt)."""
    if as_json:
        emit_json(
            {
                **msgspec.structs.asdict(done.receipt),
                "checkpoint": {"note": done.note, "receipt": done.checkpoint},
            }
        )
        return
    emit_receipt(done.receipt, False, what)
    emit_receipt(done.checkpoint, False, "checkpoint signed")
