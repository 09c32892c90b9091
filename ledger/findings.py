"""What an audit reports: each problem found (where, which step, what), and the summary."""

from __future__ import annotations

import msgspec


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with the log: where (seq, or None for the log as a whole) and what."""

    seq: int | None
    step: int
    message: str


class AuditReport(msgspec.Struct):
    """The outcome of an audit (``awards verify --json`` prints exactly this)."""

    ok: bool
    size: int
    root: str
    checked_from: int = 0
    checkpoints: int = 0
    problems: list[Problem] = msgspec.field(default_factory=list)
    # what the audit could not check here (e.g. a cache sealed by another office's key)
    notes: list[str] = msgspec.field(default_factory=list)
