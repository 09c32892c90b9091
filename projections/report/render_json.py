"""The report as one JSON document: docs/REPORTS.md's keys, UTF-8, dict keys sorted, 2-space indent.

Written piece by piece (each list element is encoded on its own), so a report of a million
events never holds its whole text in memory; the bytes are exactly those of
``msgspec.json.format(encode(report), indent=2)`` plus a final newline.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec

from projections.report.model import Report, StandingRows

_ENCODER = msgspec.json.Encoder(order="deterministic")


def _pretty(value: Any, depth: int) -> bytes:
    """`value` as indented JSON, its continuation lines indented for nesting `depth`."""
    text = msgspec.json.format(_ENCODER.encode(value), indent=2)
    return text.replace(b"\n", b"\n" + b"  " * depth)


def json_chunks(report: Report) -> Iterator[bytes]:
    """The report's JSON text in pieces (see the module docstring)."""
    yield b"{"
    for i, name in enumerate(report.__struct_fields__):
        value = getattr(report, name)
        yield (b",\n  " if i else b"\n  ") + _ENCODER.encode(name) + b": "
        if isinstance(value, list | StandingRows) and value:
            yield b"["
            for j, item in enumerate(value):
                yield (b",\n    " if j else b"\n    ") + _pretty(item, 2)
            yield b"\n  ]"
        elif isinstance(value, StandingRows):
            yield b"[]"
        else:
            yield _pretty(value, 1)
    yield b"\n}\n"


def write_json(report: Report, out: BinaryIO) -> None:
    """Write the report's JSON to a binary stream."""
    for chunk in json_chunks(report):
        out.write(chunk)


def render_json(report: Report) -> bytes:
    """The report's JSON bytes, ending in a newline (stable: the same ledger gives the same
    bytes)."""
    buffer = io.BytesIO()
    write_json(report, buffer)
    return buffer.getvalue()
