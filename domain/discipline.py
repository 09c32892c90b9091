"""Discipline records (kỷ luật): the signed facts behind "after discipline, achievements count
only from the end of the discipline period" (Decree 152/2025 Art. 4(4)) and the collective
titles' "no member disciplined at warning or above".

The levels are data (`domain/regimes/discipline.toml`, mildest first, with their Vietnamese
names). A discipline is decided outside the ledger by the competent head (its decision number
is `decision_ref`); the ledger records it as a signed fact, entered by a `secretary` (the
standing office that keeps the files, as it enters people and units) or an `authority` — the
same two who place holds. A discipline is never edited: a wrong entry is shown as it was, and
its period is ended (lifted early, or an end given to one entered without) by a later signed
`Ended` event naming its decision; a withdrawn discipline decision has no event of its own.

One aggregate per person, `DisciplineRecord` (id `discipline-record:<person>`): the person's
disciplines, each with its level and period (from, until; no `until`: no end recorded). The
rules read it as plain facts (`DisciplineEntry`), in `domain.prerequisites`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import require_aware, require_text
from domain.base import Aggregate, aggregate_id
from domain.errors import AlreadyExistsError, MalformedInputError, NotFoundError, UsageError
from domain.ids import check_id

_RECORDERS = frozenset({"secretary", "authority"})


class Level(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One discipline level: its names (its rank is its place in the file)."""

    vi: str
    en: str


def parse_levels(text: str) -> dict[str, Level]:
    """The levels of a discipline file's text, mildest first; MalformedInputError names one."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MalformedInputError(f"discipline levels are not valid TOML: {exc}") from exc
    levels = {}
    for level_id, raw in data.items():
        try:
            levels[level_id] = msgspec.convert(raw, Level)
        except msgspec.ValidationError as exc:
            raise MalformedInputError(f"discipline level {level_id!r}: {exc}") from exc
    return levels


@cache
def levels() -> dict[str, Level]:
    """The discipline levels shipped with the package, mildest first."""
    text = resources.files("domain.regimes").joinpath("discipline.toml").read_text("utf-8")
    return parse_levels(text)


def rank(level: str) -> int:
    """The severity of `level` (0 = mildest); a level not known ranks above every known one
    (a stored event of a level later removed from the data still counts)."""
    names = list(levels())
    return names.index(level) if level in names else len(names)


class DisciplineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One discipline of a person (state; the plain fact the rules read)."""

    decision_ref: str
    level: str
    start: date
    until: date | None

    def overlaps(self, first: date, last: date) -> bool:
        """Whether the discipline period meets the days `first`..`last`."""
        return self.start <= last and (self.until is None or self.until >= first)


class DisciplineRecord(Aggregate):
    """The disciplines of one person."""

    class Opened(Aggregate.Created, frozen=True, kw_only=True):
        """The person's first discipline opened the record."""

        required_roles: ClassVar[frozenset[str]] = _RECORDERS
        person: str

        def apply(self, agg: DisciplineRecord) -> None:
            agg.person, agg.entries = self.person, []

    class Entered(Aggregate.Event, frozen=True, kw_only=True):
        """A discipline decided by the competent head was entered, with its period."""

        required_roles: ClassVar[frozenset[str]] = _RECORDERS
        decision_ref: str
        level: str
        start: date
        until: date | None
        reason: str
        at: datetime

        def apply(self, agg: DisciplineRecord) -> None:
            agg.entries.append(
                DisciplineEntry(
                    decision_ref=self.decision_ref,
                    level=self.level,
                    start=self.start,
                    until=self.until,
                )
            )

    class Ended(Aggregate.Event, frozen=True, kw_only=True):
        """A discipline's period was ended on `until` (its last day): lifted early by the
        competent head, or the end of one entered with none; the entry keeps its start."""

        required_roles: ClassVar[frozenset[str]] = _RECORDERS
        decision_ref: str
        until: date
        reason: str
        at: datetime

        def apply(self, agg: DisciplineRecord) -> None:
            agg.entries = [
                msgspec.structs.replace(e, until=self.until)
                if e.decision_ref == self.decision_ref
                else e
                for e in agg.entries
            ]

    person: str
    entries: list[DisciplineEntry]

    @staticmethod
    def id_for(person: str) -> UUID:
        return aggregate_id("discipline-record", person)

    def end(self, decision_ref: str, until: date, reason: str, at: datetime) -> None:
        """End discipline `decision_ref` on `until` (its new last day, not before its start);
        NotFoundError for a discipline not entered, UsageError for a day before its start."""
        what = f"discipline {decision_ref!r} of {self.person!r}"
        require_aware(at, what)
        entry = next((e for e in self.entries if e.decision_ref == decision_ref), None)
        if entry is None:
            raise NotFoundError(f"{what} not found")
        if until < entry.start:
            raise UsageError(f"{what}: --until {until} is before its start {entry.start}")
        self.trigger_event(
            self.Ended,
            decision_ref=decision_ref,
            until=until,
            reason=require_text(reason, f"{what}: reason"),
            at=at,
        )


def record_discipline(
    record: DisciplineRecord | None,
    person: str,
    *,
    decision_ref: str,
    level: str,
    start: date,
    until: date | None,
    reason: str,
    at: datetime,
) -> DisciplineRecord:
    """Enter a discipline on `person`'s record (opened if new); UsageError for a level not in
    the data or a period that ends before it starts, AlreadyExistsError for a decision entered
    twice."""
    check_id("person", person)
    what = f"discipline {decision_ref!r} of {person!r}"
    decision_ref = require_text(decision_ref, "discipline: --decision").strip()
    require_aware(at, what)
    if level not in levels():
        raise UsageError(f"{what}: level {level!r} is not one of {', '.join(levels())}")
    if until is not None and until < start:
        raise UsageError(f"{what}: --until {until} is before --from {start}")
    if record is not None and any(e.decision_ref == decision_ref for e in record.entries):
        raise AlreadyExistsError(f"{what} rejected: decision {decision_ref!r} is already entered")
    if record is None:
        record = DisciplineRecord._create(
            DisciplineRecord.Opened, id=DisciplineRecord.id_for(person), person=person
        )
    record.trigger_event(
        DisciplineRecord.Entered,
        decision_ref=decision_ref,
        level=level,
        start=start,
        until=until,
        reason=require_text(reason, f"{what}: reason"),
        at=at,
    )
    return record


def disciplined_between(
    entries: Iterable[DisciplineEntry], first: date, last: date
) -> list[DisciplineEntry]:
    """The disciplines whose period meets `first`..`last`, by start."""
    return sorted((e for e in entries if e.overlaps(first, last)), key=lambda e: e.start)
