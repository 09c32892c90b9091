"""The report as CSV: one UTF-8 file per table in a folder (plus the checkpoint note as text).

Each file starts with a UTF-8 byte order mark: Excel, which most offices open a CSV with, reads
a file without one in the machine's legacy code page and garbles Vietnamese. Python readers
use ``encoding="utf-8-sig"``; `awards import` accepts the mark.

Cells: empty for null, ``true``/``false`` for booleans, ISO 8601 for dates and times, lists
joined with ``;``; text that starts like a spreadsheet formula (``= + - @``) gets a leading
``'`` so that opening the file runs nothing. Every file has a header row; docs/REPORTS.md
lists the files and columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.errors import StorageError, UsageError
from ledger.files import write_file, write_text
from projections.report.model import Report

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # Text from the ledger that a spreadsheet would run as a formula is quoted (OWASP).
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    return str(value)


def tables(report: Report) -> dict[str, tuple[list[str], Iterable[list[Any]]]]:
    """Every table of the report: file name -> (header, rows); rows are made as written."""
    m, a, cp, s = report.movement, report.as_of, report.checkpoint, report.summary
    criteria = [c.id for c in m.criteria]
    about: list[list[Any]] = [
        ["movement", "id", m.id],
        ["movement", "name", m.name],
        ["movement", "start", m.start],
        ["movement", "end", m.end],
        ["movement", "unit_deadline", m.unit_deadline],
        ["movement", "cluster_deadline", m.cluster_deadline],
        ["movement", "formula", m.formula],
        ["movement", "spec_hash", m.spec_hash],
        ["movement", "fighter_quota", m.fighter_quota],
        ["as_of", "seq", a.seq],
        ["as_of", "time", a.time],
        ["as_of", "clock", a.clock],
        ["as_of", "root", a.root],
        ["checkpoint", "origin", cp.origin],
        ["checkpoint", "size", cp.size],
        ["checkpoint", "root", cp.root],
        ["checkpoint", "covers_report", cp.covers_report],
        ["checkpoint", "uncovered", cp.uncovered],
        ["summary", "standing", s.standing],
        ["summary", "annulled", s.annulled],
        ["summary", "persons", s.persons],
        ["summary", "direct_workers", s.direct_workers],
        ["summary", "direct_worker_share", s.direct_worker_share],
        ["registrations", "total", report.registrations.total],
        ["registrations", "late", len(report.registrations.late)],
    ]
    award_columns = [
        "decision", "award", "recipient", "recipient_kind", "unit_level", "authority", "date",
        "basis", "annulled", "override_reason", "recipient_name", "unit", "direct_worker",
        "year", "seq", "overridden_rules", "bonus", "bonus_verified",
    ]  # fmt: skip
    return {
        "report.csv": (["section", "key", "value"], about),
        "criteria.csv": (
            ["id", "name", "max_points", "weight"],
            ([c.id, c.name, c.max_points, c.weight] for c in m.criteria),
        ),
        "awards.csv": (
            [*award_columns, "annulment_ground", "annulment_reason", "flags"],
            (
                [getattr(r, c) for c in award_columns]
                + [
                    r.annulment.ground if r.annulment else None,
                    r.annulment.reason if r.annulment else None,
                    r.flags,
                ]
                for r in report.awards
            ),
        ),
        "summary_awards.csv": (
            ["award", "person", "unit"],
            ([k, v["person"], v["unit"]] for k, v in sorted(s.awards.items())),
        ),
        "summary_unit_levels.csv": (
            ["unit_level", "person", "unit", "total"],
            (
                [k, v["person"], v["unit"], s.by_unit_level.get(k, 0)]
                for k, v in sorted(s.by_unit_level_kind.items())
            ),
        ),
        "quota.csv": (
            ["unit", "year", "advanced", "fighters", "limit", "share", "status", "flagged",
             "regime", "statute", "statute_status"],
            (
                [q.unit, q.year, q.advanced, q.fighters, q.limit, q.share, q.status, q.flagged,
                 q.regime, q.statute, q.statute_status]
                for q in s.quota
            ),
        ),
        "sessions.csv": (
            ["id", "title", "mode", "members", "ballots", "threshold", "quorum", "quorum_met",
             "closed", "counter", "chair"],
            (
                [x.id, x.title, x.mode, x.members, x.ballots, x.threshold, x.quorum,
                 x.quorum_met, x.closed, x.counter, x.chair]
                for x in report.sessions
            ),
        ),
        "session_results.csv": (
            ["session", "nominee", "name", "yes", "no", "passed"],
            (
                [x.id, r.nominee, r.name, r.yes, r.no, r.passed]
                for x in report.sessions
                for r in x.results
            ),
        ),
        "standings.csv": (
            ["rank", "participant", "name", "kind", "total"]
            + criteria
            + [f"self_{c}" for c in criteria]
            + ["at"],
            (
                [x.rank, x.participant, x.name, x.kind, x.total]
                + [x.criteria.get(c) for c in criteria]
                + [x.self_scores.get(c) for c in criteria]
                + [x.at]
                for x in report.standings
            ),
        ),
        "late_registrations.csv": (
            ["participant", "name", "at", "appended", "deadline", "override_reason", "seq"],
            (
                [x.participant, x.name, x.at, x.appended, x.deadline, x.override_reason, x.seq]
                for x in report.registrations.late
            ),
        ),
        "checks.csv": (
            ["rule", "status", "subject", "detail", "seq", "regime", "citation"],
            (
                [c.rule, c.status, c.subject, c.detail, c.seq, c.regime, c.citation]
                for c in report.checks
            ),
        ),
        "signers.csv": (
            ["name", "roles", "key_id", "revoked", "unit", "competence"],
            ([x.name, x.roles, x.key_id, x.revoked, x.unit, x.competence] for x in report.signers),
        ),
        "holds.csv": (
            ["hold", "subject", "kind", "reason", "until", "placed_at", "placed_by", "seq",
             "lifted_at", "lifted_by", "lift_reason"],
            (
                [x.hold, x.subject, x.kind, x.reason, x.until, x.placed_at, x.placed_by, x.seq,
                 x.lifted_at, x.lifted_by, x.lift_reason]
                for x in report.holds
            ),
        ),
        "outstanding_recoveries.csv": (
            ["decision", "recipient", "name", "award", "item", "due", "recovered", "remaining",
             "annulled_at", "annulment_seq", "citation", "verified"],
            (
                [x.decision, x.recipient, x.recipient_name, x.award, x.item, x.due, x.recovered,
                 x.remaining, x.annulled_at, x.annulment_seq, x.citation, x.verified]
                for x in report.outstanding_recoveries
            ),
        ),
    }  # fmt: skip


BOM = "\ufeff".encode()  # so that Excel opens the file as UTF-8 (Vietnamese intact)


def table_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """One CSV table as this module writes every table: the BOM, the header, cells as above."""
    yield BOM
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        if buffer.tell() >= 1 << 16:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_folder(folder: Path, what: str) -> None:
    """Make `folder` (and its parents) for CSV files of `what`; a symlink is refused
    (UsageError), a folder that cannot be made is StorageError."""
    if folder.is_symlink():
        raise UsageError(f"{what}: '{folder}' is a symbolic link: refusing to write through it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{what}: cannot write CSV files to '{folder}': {exc.strerror}") from exc


def write_csv(report: Report, folder: Path, replace: bool = False) -> list[Path]:
    """Write every table into `folder` (created if missing); returns the files written. Each
    file goes through ledger/files.py: no symlink followed, no existing file replaced unless
    `replace`; a `folder` that is a symlink is refused."""
    csv_folder(folder, "report")
    written = []
    for name, (header, rows) in tables(report).items():
        write_file(folder / name, table_chunks(header, rows), replace)
        written.append(folder / name)
    if report.checkpoint.note:
        note = folder / "checkpoint.txt"
        write_text(note, report.checkpoint.note, replace)
        written.append(note)
    return written


def csv_files(report: Report) -> Iterator[tuple[str, bytes]]:
    """Each table's file name and whole CSV bytes (for writers that compare before writing)."""
    for name, (header, rows) in tables(report).items():
        yield name, b"".join(table_chunks(header, rows))
