"""CSV imports: units, people, registrations and scores, all rows of a file in ONE write.

A file is strict UTF-8 (a leading BOM is allowed), its first row is exactly SPEC.md's header,
and every row is checked before anything is saved: a bad row fails the whole import with its
line number, and nothing is recorded. Malformed text (bad UTF-8, NUL or control characters,
a wrong column count, an empty required cell, a bad number, date or flag) is a
MalformedInputError (exit 3); a row that breaks a domain rule raises that rule's DomainError
(exit 1); both name the file and line ("units.csv line 7: level '' is empty").

Rows may refer to earlier rows of the same file (a unit's parent, a person's unit). The rows
are built in one pass and saved in one eventsourcing save, so a 100k-row file is one
transaction; `progress` is called with the number of rows built since its last call.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import VIETNAM_TZ, Actor
from domain.base import Aggregate
from domain.errors import (
    AlreadyExistsError,
    DomainError,
    MalformedInputError,
    RuleViolationError,
    UsageError,
)
from domain.participation import Participation
from domain.registry import Person, Signer, Unit
from ledger.application import LedgerApp, WriteReceipt
from ledger.usecases.lookup import effective_time, load_movement, participant_kind
from ledger.usecases.registry import new_person, new_unit
from ledger.usecases.workflow import load_participation

HEADERS = {
    "units": ["id", "name", "level", "parent"],
    "people": ["id", "name", "unit", "category", "direct_worker"],
    "registrations": ["participant", "titles", "at"],
    "scores": ["participant", "criterion", "points", "kind"],
}
NEEDS_MOVEMENT = ("registrations", "scores")
PROGRESS_EVERY = 1000
_BOOLEANS = {"true": True, "false": False}
_CONTROLS = {chr(c) for c in range(32) if chr(c) not in "\t\r\n"} | {"\x7f"}

Progress = Callable[[int], None]


class ImportRuleViolationError(RuleViolationError):
    """Raised when a row of an import breaks a movement rule (an import has no override)."""

    def diagnostics(self) -> str:
        return (
            f"{self} (rule {self.rule}); nothing was imported: enter this row with its own "
            "command and --override-reason to record it knowingly"
        )


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file: its line number and its cells, stripped."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class ImportResult:
    """The import's receipt and the number of rows it recorded."""

    receipt: WriteReceipt
    rows: int


def read_rows(data: bytes, source: str, kind: str) -> list[Row]:
    """Decode and split a CSV file of `kind`; MalformedInputError naming `source` and line."""
    header = HEADERS[kind]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MalformedInputError(
            f"{source} line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from exc
    text = text.removeprefix("\ufeff")
    for number, content in enumerate(text.split("\n"), start=1):
        bad = next((c for c in content if c in _CONTROLS), None)
        if bad is not None:
            raise MalformedInputError(
                f"{source} line {number}: control character U+{ord(bad):04X} "
                "(is the file UTF-16 or binary?)"
            )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        first = next(reader, None)
        if first is None:
            raise MalformedInputError(f"{source} is empty: expected the header {','.join(header)}")
        if [cell.strip() for cell in first] != header:
            raise MalformedInputError(
                f"{source} line 1: header must be {','.join(header)}, got {','.join(first)}"
            )
        rows: list[Row] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise MalformedInputError(
                    f"{source} line {reader.line_num}: expected {len(header)} columns "
                    f"({','.join(header)}), got {len(cells)}"
                )
            rows.append(Row(reader.line_num, [cell.strip() for cell in cells]))
    except csv.Error as exc:
        raise MalformedInputError(f"{source} line {reader.line_num}: {exc}") from exc
    if not rows:
        raise MalformedInputError(f"{source} has no rows after the header")
    return rows


@contextmanager
def row_errors(where: str) -> Iterator[None]:
    """Re-raise a row's refusal with `where` (file and line) in front of its message."""
    try:
        yield
    except RuleViolationError as exc:
        raise ImportRuleViolationError(exc.rule, f"{where}: {exc}") from exc
    except DomainError as exc:
        raise type(exc)(f"{where}: {exc}") from exc
    except (UsageError, MalformedInputError) as exc:
        raise MalformedInputError(f"{where}: {exc}") from exc


def required(where: str, column: str, value: str) -> str:
    if not value:
        raise MalformedInputError(f"{where}: {column} '' is empty")
    return value


def boolean(where: str, column: str, value: str) -> bool:
    try:
        return _BOOLEANS[value.lower()]
    except KeyError:
        raise MalformedInputError(f"{where}: {column} {value!r} is not true or false") from None


def number(where: str, column: str, value: str) -> float:
    try:
        parsed = float(required(where, column, value))
    except ValueError:
        raise MalformedInputError(f"{where}: {column} {value!r} is not a number") from None
    if not math.isfinite(parsed):
        raise MalformedInputError(f"{where}: {column} {value!r} is not finite")
    return parsed


def moment(where: str, column: str, value: str) -> datetime | None:
    """ISO 8601 date or datetime (no zone: Asia/Ho_Chi_Minh); empty: None (now)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedInputError(
            f"{where}: {column} {value!r} is not an ISO 8601 date or datetime"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=VIETNAM_TZ)


def import_csv(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    kind: str,
    data: bytes,
    *,
    source: str,
    movement_id: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import every row of a `kind` CSV file (`source` names it in errors) in one write."""
    if kind not in HEADERS:
        raise UsageError(f"import: kind {kind!r} is not one of {', '.join(HEADERS)}")
    if kind in NEEDS_MOVEMENT and movement_id is None:
        raise UsageError(f"import {kind}: give --movement")
    if kind not in NEEDS_MOVEMENT and movement_id is not None:
        raise UsageError(f"import {kind}: --movement applies only to registrations and scores")
    rows = read_rows(data, source, kind)
    now = effective_time(None)
    tick = _Ticker(progress)

    def build(signer: Signer) -> list[Aggregate]:
        tick.restart()
        job = _Job(app, signer, rows, source, movement_id or "", now, tick)
        return _BUILDERS[kind](job)

    receipt = app.write(key, build)
    tick.flush()
    return ImportResult(receipt, len(rows))


class _Ticker:
    """Counts built rows and reports them to `progress` every PROGRESS_EVERY rows."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.pending = progress, 0

    def restart(self) -> None:
        self.pending = 0

    def __call__(self) -> None:
        self.pending += 1
        if self.pending >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.progress is not None and self.pending:
            self.progress(self.pending)
        self.pending = 0


@dataclass(frozen=True)
class _Job:
    """One attempt at building an import's aggregates."""

    app: LedgerApp
    signer: Signer
    rows: Sequence[Row]
    source: str
    movement_id: str
    now: datetime
    tick: _Ticker

    def where(self, row: Row) -> str:
        return f"{self.source} line {row.line}"


def _units(job: _Job) -> list[Aggregate]:
    batch: dict[str, Unit] = {}
    for row in job.rows:
        where = job.where(row)
        unit_id, name, level, parent = row.cells
        required(where, "id", unit_id)
        required(where, "name", name)
        required(where, "level", level)
        with row_errors(where):
            new_unit(job.app, unit_id, name, level, parent or None, batch)
        job.tick()
    return list(batch.values())


def _people(job: _Job) -> list[Aggregate]:
    units: dict[str, Unit] = {}
    batch: dict[str, Person] = {}
    for row in job.rows:
        where = job.where(row)
        person_id, name, unit, category, direct = row.cells
        required(where, "id", person_id)
        required(where, "name", name)
        required(where, "unit", unit)
        direct_worker = boolean(where, "direct_worker", direct)
        if unit not in units and (found := job.app.find(Unit, Unit.id_for(unit))) is not None:
            units[unit] = found
        with row_errors(where):
            new_person(
                job.app, person_id, name, unit, category or None, direct_worker, units, batch
            )
        job.tick()
    return list(batch.values())


def _registrations(job: _Job) -> list[Aggregate]:
    movement = load_movement(job.app, job.movement_id, f"import {job.source} rejected")
    batch: dict[str, Participation] = {}
    for row in job.rows:
        where = job.where(row)
        participant, titles_text, at_text = row.cells
        required(where, "participant", participant)
        titles = [t.strip() for t in titles_text.split(";") if t.strip()]
        at = moment(where, "at", at_text) or job.now
        with row_errors(where):
            kind = participant_kind(job.app, participant, "registration rejected")
            pid = Participation.id_for(job.movement_id, participant)
            if participant in batch or job.app.find(Participation, pid) is not None:
                raise AlreadyExistsError(
                    f"registration rejected: participant {participant!r} is already "
                    f"registered in movement {job.movement_id}"
                )
            batch[participant] = Participation.register(movement, participant, kind, titles, at=at)
        job.tick()
    return list(batch.values())


def _scores(job: _Job) -> list[Aggregate]:
    movement = load_movement(job.app, job.movement_id, f"import {job.source} rejected")
    scorer = Actor.from_signer(job.signer)
    touched: dict[str, Participation] = {}
    for row in job.rows:
        where = job.where(row)
        participant, criterion, points_text, kind = row.cells
        required(where, "participant", participant)
        required(where, "criterion", criterion)
        points = number(where, "points", points_text)
        required(where, "kind", kind)
        with row_errors(where):
            if participant not in touched:
                touched[participant] = load_participation(
                    job.app, job.movement_id, participant, "score rejected"
                )
            touched[participant].score(movement, criterion, points, kind, scorer=scorer, at=job.now)
        job.tick()
    return list(touched.values())


_BUILDERS: dict[str, Callable[[_Job], list[Aggregate]]] = {
    "units": _units,
    "people": _people,
    "registrations": _registrations,
    "scores": _scores,
}
