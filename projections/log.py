"""Read model: the event log as people read it (seq, times, signer, type, a short summary)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import msgspec

from domain.errors import AwardLedgerError
from ledger import codec
from ledger.application import LedgerApp
from ledger.reader import Entry, to_entry

SUMMARY_WIDTH = 160  # characters of a summary a text line shows


class LogRow(msgspec.Struct):
    """One event of `awards log`."""

    seq: int
    time: datetime
    signer: str
    type: str
    aggregate: str
    version: int
    summary: str


def _summary(payload: bytes) -> str:
    try:
        fields = msgspec.json.decode(payload, type=dict[str, object])
    except (msgspec.DecodeError, UnicodeDecodeError):
        return ""
    shown = []
    for key, value in fields.items():
        if key in {"originator_topic", "public_key", "note", "frontier", "root_hash"}:
            continue
        if value in (None, [], ""):
            continue
        shown.append(f"{key}={value}")
    return " ".join(shown)


def log_view(app: LedgerApp, start: int = 0, limit: int | None = None) -> list[LogRow]:
    """Rows from `start`, at most `limit`; an undecodable row shows as 'unreadable'."""
    return [log_row(entry) for page in log_pages(app, start, limit) for entry in page]


def log_pages(app: LedgerApp, start: int = 0, limit: int | None = None) -> Iterator[list[Entry]]:
    """The stored events from seq `start`, at most `limit`, a page at a time (what `awards log`
    shows: it prints a page before reading the next, so it never holds the whole log)."""
    left = limit
    for first, rows in app.reader.pages(start):
        page = [to_entry(first + at, row) for at, row in enumerate(rows[:left])]
        if page:
            yield page
        if left is not None:
            left -= len(page)
            if left <= 0:
                return


def log_row(entry: Entry) -> LogRow:
    """One event as `awards log` shows it: its summary is never cut here (text output cuts
    it, and says so: :func:`cut_summary`)."""
    try:
        body = codec.decode_header(codec.split_entry(entry.state).body)
    except AwardLedgerError:
        return LogRow(
            entry.seq,
            datetime.min,
            "?",
            entry.topic,
            str(entry.originator_id),
            entry.originator_version,
            "unreadable: run 'awards verify'",
        )
    return LogRow(
        seq=entry.seq,
        time=body.time,
        signer=body.signer,
        type=body.type.rpartition(":")[2],
        aggregate=str(body.aggregate),
        version=body.version,
        summary=_summary(bytes(body.payload)),
    )


def cut_summary(summary: str, width: int = SUMMARY_WIDTH) -> str:
    """`summary` as a terminal line shows it: at most `width` characters, and when it had to
    be cut, a marker saying so and where to read it whole."""
    if len(summary) <= width:
        return summary
    return f"{summary[:width]}… [cut: 'awards show SEQ' or --json for all of it]"
