"""What the workflow use cases look up before they build: participants, headcounts, the clock.

Ids of different record kinds live in different aggregate-id spaces (`Person.id_for("X")` and
`Unit.id_for("X")` differ), so a bare participant id on the command line is resolved here to
the one kind of record that holds it. The domain never reads the clock; `effective_time`
stamps a command with now, in Vietnam's zone, when the signer claims no `--at`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date, datetime, timedelta

from domain.actor import VIETNAM_TZ, format_time, local_date, require_aware
from domain.cluster import Cluster
from domain.discipline import DisciplineEntry, DisciplineRecord, disciplined_between
from domain.errors import NotFoundError, UsageError
from domain.movement import Movement
from domain.prerequisites import CollectiveFacts
from domain.register import Recipient, RecipientRecord
from domain.registry import Person, Unit
from domain.rulebook import ADVANCED_WORKER, FIGHTER_BASE
from ledger.application import LedgerApp
from ledger.mapper import decode_stored, topic_of

PERSON_ADDED = topic_of(Person.Added)
UNIT_ADDED = topic_of(Unit.Added)


# How far ahead of this machine's clock a claimed effective time may be (clocks drift).
FUTURE_SKEW = timedelta(minutes=5)


def effective_time(at: datetime | None) -> datetime:
    """The time the signer claims for the command (`--at`), else now in Vietnam. A claimed
    time later than now (beyond FUTURE_SKEW) is refused: a record cannot be made in advance."""
    if at is None:
        return datetime.now(VIETNAM_TZ)
    return require_not_future(require_aware(at, "--at"), "--at")


def require_not_future(at: datetime, what: str, now: datetime | None = None) -> datetime:
    """Return `at` unless it is later than `now` (default: the clock) plus FUTURE_SKEW;
    UsageError naming `what` otherwise."""
    now = now if now is not None else datetime.now(VIETNAM_TZ)
    if at > now + FUTURE_SKEW:
        raise UsageError(
            f"{what} {format_time(at)} is in the future (now is {format_time(now)}): "
            "an effective time cannot be later than now"
        )
    return at


def require_past_day(day: date, what: str, now: datetime | None = None) -> date:
    """Return `day` unless it is after today in Vietnam (with FUTURE_SKEW); UsageError."""
    now = now if now is not None else datetime.now(VIETNAM_TZ)
    if day > local_date(now + FUTURE_SKEW):
        raise UsageError(
            f"{what} {day.isoformat()} is in the future (today is {local_date(now)}): "
            "a decision cannot be dated later than today"
        )
    return day


def load_movement(app: LedgerApp, movement_id: str, subject: str) -> Movement:
    """The launched movement; NotFoundError naming the command (`subject`) if missing."""
    movement = app.find(Movement, Movement.id_for(movement_id))
    if movement is None:
        raise NotFoundError(f"{subject}: movement {movement_id!r} not found")
    return movement


def participant_kind(app: LedgerApp, participant: str, subject: str) -> str:
    """The kind of the record `participant` names: "person", "unit" or "cluster".

    Raises NotFoundError if no record has the id, UsageError if several kinds do.
    """
    found = [
        kind
        for kind, cls, aggregate_id in (
            ("person", Person, Person.id_for(participant)),
            ("unit", Unit, Unit.id_for(participant)),
            ("cluster", Cluster, Cluster.id_for(participant)),
        )
        if app.find(cls, aggregate_id) is not None
    ]
    if not found:
        raise NotFoundError(
            f"{subject}: participant {participant!r} not found (no person, unit or cluster)"
        )
    if len(found) > 1:
        raise UsageError(
            f"{subject}: participant {participant!r} names both a {found[0]} and a {found[1]}"
        )
    return found[0]


def recipient_for(app: LedgerApp, recipient: str, subject: str) -> Recipient:
    """The award recipient `recipient` names: a person (with its unit) or a unit."""
    person = app.find(Person, Person.id_for(recipient))
    unit = app.find(Unit, Unit.id_for(recipient))
    if person is not None and unit is not None:
        raise UsageError(f"{subject}: recipient {recipient!r} names both a person and a unit")
    if person is not None:
        return Recipient(recipient, "person", person.unit)
    if unit is not None:
        return Recipient(recipient, "unit", recipient)
    raise NotFoundError(f"{subject}: recipient {recipient!r} not found (no person or unit)")


def headcounts(app: LedgerApp, units: Collection[str]) -> dict[str, int]:
    """The number of people recorded in each of `units` (rule 2's excellent_collective share).

    One pass over the stored `Person.Added` events only (the log is filtered by type in the
    database), so its cost grows with the number of people, not with the whole log.
    """
    wanted = set(units)
    if not wanted:
        return {}
    counts: Counter[str] = Counter()
    for notification in app.reader.rows_of_types([PERSON_ADDED]):
        event = decode_stored(notification.topic, notification.state)
        if isinstance(event, Person.Added) and event.unit in wanted:
            counts[event.unit] += 1
    return {unit: counts[unit] for unit in wanted}


def merged_into(app: LedgerApp, unit_id: str) -> str | None:
    """The unit `unit_id` was merged into, if any (None also for an unknown unit)."""
    unit = app.find(Unit, Unit.id_for(unit_id))
    return unit.merged_into if unit is not None else None


def unit_level(app: LedgerApp, unit_id: str | None) -> str | None:
    """The level of unit `unit_id` (None for no unit or an unknown one)."""
    unit = app.find(Unit, Unit.id_for(unit_id)) if unit_id else None
    return unit.level if unit is not None else None


def unit_merger(app: LedgerApp, unit_id: str | None) -> tuple[str, date] | None:
    """The unit `unit_id` was merged into and the (Vietnam) day of the merger, if it was."""
    unit = app.find(Unit, Unit.id_for(unit_id)) if unit_id else None
    if unit is None or unit.merged_into is None or unit.merged_at is None:
        return None
    return unit.merged_into, local_date(unit.merged_at)


def mergers_of(app: LedgerApp, units: Collection[str]) -> dict[str, tuple[str, date]]:
    """Each unit among `units`, and among their successors, that was merged into another: its
    successor and the day (for `domain.registry.successor_on`)."""
    out: dict[str, tuple[str, date]] = {}
    seen: set[str] = set()
    todo = list(units)
    while todo:
        unit = todo.pop()
        if unit in seen:
            continue
        seen.add(unit)
        merger = unit_merger(app, unit)
        if merger is not None:
            out[unit] = merger
            todo.append(merger[0])
    return out


def unit_family(app: LedgerApp, units: Collection[str]) -> dict[str, set[str]]:
    """Each of `units` with every unit under it: its sub-units (by parent, at any depth) and
    the units merged into it (and theirs). One pass over the stored `Unit.Added` events."""
    parents: dict[str, str | None] = {}
    for notification in app.reader.rows_of_types([UNIT_ADDED]):
        event = decode_stored(notification.topic, notification.state)
        if isinstance(event, Unit.Added):
            parents[event.unit_id] = event.parent
    above: dict[str, list[str]] = {}
    for unit_id, parent in parents.items():
        ups = [parent] if parent else []
        successor = merged_into(app, unit_id)
        if successor is not None:
            ups.append(successor)
        above[unit_id] = ups

    def ancestors(unit_id: str) -> set[str]:
        seen: set[str] = set()
        todo = list(above.get(unit_id, []))
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(above.get(nxt, []))
        return seen

    lines = {unit_id: ancestors(unit_id) for unit_id in parents}
    return {unit: {unit} | {u for u, ups in lines.items() if unit in ups} for unit in units}


def collective_facts(
    app: LedgerApp, units: Collection[str], year: int
) -> dict[str, CollectiveFacts]:
    """What each of `units`' collective titles for `year` is measured on (rule 2): its members
    are the people recorded in the unit, its sub-units and the units merged into it; among them,
    who holds advanced_worker and emulation_fighter_base for `year` (their records, any
    movement), and whose discipline periods meet `year`."""
    if not units:
        return {}
    families = unit_family(app, units)
    people: dict[str, list[str]] = {}
    for notification in app.reader.rows_of_types([PERSON_ADDED]):
        event = decode_stored(notification.topic, notification.state)
        if isinstance(event, Person.Added):
            people.setdefault(event.unit, []).append(event.person_id)
    first, last = date(year, 1, 1), date(year, 12, 31)
    out = {}
    for unit, family in families.items():
        members = sorted(p for u in family for p in people.get(u, []))
        advanced = fighters = 0
        disciplined: list[tuple[str, str]] = []
        for member in members:
            record = app.find(RecipientRecord, RecipientRecord.id_for(member))
            if record is not None and record.holds(ADVANCED_WORKER, year) is not None:
                advanced += 1
            if record is not None and record.holds(FIGHTER_BASE, year) is not None:
                fighters += 1
            found = app.find(DisciplineRecord, DisciplineRecord.id_for(member))
            for entry in disciplined_between(found.entries if found else [], first, last):
                disciplined.append((member, entry.level))
        out[unit] = CollectiveFacts(
            members=len(members),
            advanced=advanced,
            fighters=fighters,
            disciplined=tuple(disciplined),
        )
    return out


def disciplines_of(app: LedgerApp, persons: Collection[str]) -> dict[str, list[DisciplineEntry]]:
    """The recorded disciplines of each of `persons` that has any."""
    return {
        person: list(found.entries)
        for person in persons
        if (found := app.find(DisciplineRecord, DisciplineRecord.id_for(person))) is not None
    }
