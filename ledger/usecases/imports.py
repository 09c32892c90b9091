"""CSV and XLSX imports: units, people, registrations and scores, all rows of a file in ONE write.

A CSV file is strict UTF-8 (a leading BOM is allowed, as Excel writes it; an .xlsx workbook is
read from its first sheet, with the sheet's row numbers), its first row is exactly the README's
header (reading and cell checks: `ledger.usecases.csv_rows`), and every row is checked before
anything is saved: a bad row fails the whole import with its line number, and nothing is recorded.
Malformed text is a MalformedInputError (exit 3); a row that breaks a domain rule raises that
rule's DomainError (exit 1); both name the file and line ("units.csv line 7: level '' is
empty").

Rows may refer to earlier rows of the same file (a unit's parent, a person's unit). The rows
are built in one pass and saved in one eventsourcing save, so a 100k-row file is one
transaction on either backend (ledger/pg_recorder.py); `progress` is called every
PROGRESS_EVERY rows with the rows built so far and the rows of the file (ledger/progress.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import Actor
from domain.base import Aggregate, DomainEvent
from domain.cluster import Cluster
from domain.errors import AlreadyExistsError, MalformedInputError, NotFoundError, UsageError
from domain.participation import Participation
from domain.registry import Person, Signer, Unit
from ledger.application import LedgerApp, WriteReceipt
from ledger.mapper import topic_of
from ledger.progress import Progress
from ledger.usecases.csv_rows import (
    HEADERS,
    Row,
    boolean,
    moment,
    number,
    read_rows,
    required,
    row_errors,
)
from ledger.usecases.lookup import effective_time, load_movement, require_not_future
from ledger.usecases.workflow import load_participation
from ledger.usecases.xlsx_rows import read_xlsx_rows

NEEDS_MOVEMENT = ("registrations", "scores")
PROGRESS_EVERY = 1000
SCAN_AT = 200  # from this many rows, existing ids are scanned once instead of looked up


@dataclass(frozen=True)
class ImportResult:
    """The import's receipt and the number of rows it recorded."""

    receipt: WriteReceipt
    rows: int


def import_csv(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    kind: str,
    data: bytes,
    *,
    source: str,
    movement_id: str | None = None,
    progress: Progress | None = None,
    excel: bool = False,
) -> ImportResult:
    """Import every row of a `kind` CSV file (`source` names it in errors) in one write; with
    `excel`, of the first sheet of an .xlsx workbook (ledger/usecases/xlsx_rows.py)."""
    if kind not in HEADERS:
        raise UsageError(f"import: kind {kind!r} is not one of {', '.join(HEADERS)}")
    if kind in NEEDS_MOVEMENT and movement_id is None:
        raise UsageError(f"import {kind}: give --movement")
    if kind not in NEEDS_MOVEMENT and movement_id is not None:
        raise UsageError(f"import {kind}: --movement applies only to registrations and scores")
    rows = read_xlsx_rows(data, source, kind) if excel else read_rows(data, source, kind)
    now = effective_time(None)
    tick = _Ticker(progress, len(rows))

    def build(signer: Signer) -> list[Aggregate]:
        tick.restart()
        job = _Job(app, signer, rows, source, movement_id or "", now, tick)
        return _BUILDERS[kind](job)

    receipt = app.write(key, build)
    tick.flush()
    return ImportResult(receipt, len(rows))


class _Ticker:
    """Counts built rows and reports them, of `total`, to `progress` every PROGRESS_EVERY rows
    (a retried build starts again from 0)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done, self.pending = progress, total, 0, 0

    def restart(self) -> None:
        self.done = self.pending = 0

    def __call__(self) -> None:
        self.pending += 1
        if self.pending >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.progress is not None and self.pending:
            self.done += self.pending
            self.progress(self.done, self.total)
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


class _Directory:
    """Which records exist: for a large file, one scan of the ids of the given event types
    (no payload decoded); for a small one, a lookup per row."""

    def __init__(self, job: _Job, *created: type[DomainEvent]) -> None:
        self.app = job.app
        self.known: set[UUID] | None = None
        if len(job.rows) >= SCAN_AT:
            topics = [topic_of(cls) for cls in created]
            self.known = {UUID(str(n.originator_id)) for n in job.app.reader.rows_of_types(topics)}

    def has(self, cls: type[Aggregate], aggregate_id: UUID) -> bool:
        if self.known is not None:
            return aggregate_id in self.known
        return self.app.find(cls, aggregate_id) is not None


def _units(job: _Job) -> list[Aggregate]:
    directory = _Directory(job, Unit.Added)
    batch: dict[str, Unit] = {}
    for row in job.rows:
        where = job.where(row)
        unit_id, name, level, parent_id = row.cells
        required(where, "id", unit_id)
        required(where, "name", name)
        required(where, "level", level)
        with row_errors(where):
            if unit_id in batch or directory.has(Unit, Unit.id_for(unit_id)):
                raise AlreadyExistsError(f"unit {unit_id!r} already exists")
            parent = None
            if parent_id:
                parent = batch.get(parent_id) or job.app.find(Unit, Unit.id_for(parent_id))
                if parent is None:
                    raise NotFoundError(f"parent unit {parent_id!r} not found")
            batch[unit_id] = Unit.add(unit_id, name, level, parent)
        job.tick()
    return list(batch.values())


def _people(job: _Job) -> list[Aggregate]:
    directory = _Directory(job, Person.Added)
    units: dict[str, Unit | None] = {}
    batch: dict[str, Person] = {}
    for row in job.rows:
        where = job.where(row)
        person_id, name, unit_id, category, direct, leader = row.cells
        required(where, "id", person_id)
        required(where, "name", name)
        required(where, "unit", unit_id)
        direct_worker = boolean(where, "direct_worker", direct)
        with row_errors(where):
            if person_id in batch or directory.has(Person, Person.id_for(person_id)):
                raise AlreadyExistsError(f"person {person_id!r} already exists")
            if unit_id not in units:
                units[unit_id] = job.app.find(Unit, Unit.id_for(unit_id))
            unit = units[unit_id]
            if unit is None:
                raise NotFoundError(f"unit {unit_id!r} not found")
            batch[person_id] = Person.add(
                person_id, name, unit, category or None, direct_worker, leader or None
            )
        job.tick()
    return list(batch.values())


def _registrations(job: _Job) -> list[Aggregate]:
    movement = load_movement(job.app, job.movement_id, f"import {job.source} rejected")
    directory = _Directory(job, Person.Added, Unit.Added, Cluster.Formed, Participation.Registered)
    batch: dict[str, Participation] = {}
    for row in job.rows:
        where = job.where(row)
        participant, titles_text, at_text = row.cells
        required(where, "participant", participant)
        titles = [t.strip() for t in titles_text.split(";") if t.strip()]
        at = moment(where, "at", at_text) or job.now
        try:
            require_not_future(at, f"{where}: at", job.now)
        except UsageError as exc:
            raise MalformedInputError(str(exc)) from exc
        with row_errors(where):
            kinds = [
                kind
                for kind, cls, aggregate_id in (
                    ("person", Person, Person.id_for(participant)),
                    ("unit", Unit, Unit.id_for(participant)),
                    ("cluster", Cluster, Cluster.id_for(participant)),
                )
                if directory.has(cls, aggregate_id)
            ]
            if len(kinds) != 1:
                raise (
                    NotFoundError(f"participant {participant!r} not found")
                    if not kinds
                    else UsageError(f"participant {participant!r} names a {' and a '.join(kinds)}")
                )
            pid = Participation.id_for(job.movement_id, participant)
            if participant in batch or directory.has(Participation, pid):
                raise AlreadyExistsError(
                    f"participant {participant!r} is already registered in movement "
                    f"{job.movement_id}"
                )
            batch[participant] = Participation.register(
                movement, participant, kinds[0], titles, at=at
            )
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
