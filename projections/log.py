"""Read model: the event log as people read it (seq, times, signer, type, a short summary)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.errors import AwardLedgerError
from ledger import codec
from ledger.application import LedgerApp


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
    return " ".join(shown)[:160]


def log_view(app: LedgerApp, start: int = 0, limit: int | None = None) -> list[LogRow]:
    """Rows from `start`, at most `limit`; an undecodable row shows as 'unreadable'."""
    rows: list[LogRow] = []
    for entry in app.entries(start):
        if limit is not None and len(rows) >= limit:
            break
        try:
            body = codec.decode_header(codec.split_entry(entry.state).body)
        except AwardLedgerError:
            rows.append(
                LogRow(
                    entry.seq,
                    datetime.min,
                    "?",
                    entry.topic,
                    str(entry.originator_id),
                    entry.originator_version,
                    "unreadable: run 'awards verify'",
                )
            )
            continue
        rows.append(
            LogRow(
                seq=entry.seq,
                time=body.time,
                signer=body.signer,
                type=body.type.rpartition(":")[2],
                aggregate=str(body.aggregate),
                version=body.version,
                summary=_summary(bytes(body.payload)),
            )
        )
    return rows
