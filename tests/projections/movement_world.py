"""A world of events (not a ledger) for one movement's columnar standings view
(projections/movement_view.py) and what prints it (cli/standings_render.py): names given before
and after registering, a registration made again, self scores, appraisals in two UTC offsets,
unscored rows and another movement's participation."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from domain.actor import Actor
from domain.base import DomainEvent
from domain.movement import Movement
from domain.participation import Participation
from domain.registry import Person, Unit
from projections.stream import EventMeta
from tests.projections.builder import CRITERIA, at

SECOND = "TD-2020"

PARTICIPANTS = [
    ("DUP", "person"),
    ("LATE", "person"),
    ("ANON", "unit"),
    ("P1", "person"),
    ("BOTH", "person"),
]


def names_world() -> list[tuple[DomainEvent, EventMeta]]:
    """Events (not a ledger) testing what the columns keep: a participant named as a unit and
    then as a person (after registering), one named only after registering, one never named,
    a registration made again (its scores start again), self scores given out of criterion
    order, appraisals from two UTC offsets, and a participant of another movement."""
    launch = dict(start=date(2020, 1, 1), end=date(2020, 12, 31), unit_deadline=date(2020, 2, 18))
    m = Movement.launch(SECOND, "Phong trào", criteria=CRITERIA, spec_hash=bytes(32),
                        at=at("2020-01-02"), **launch)  # type: ignore[arg-type]  # fmt: skip
    other = Movement.launch("TD-OTHER", "Khác", criteria=CRITERIA, spec_hash=bytes(32),
                            at=at("2020-01-02"), **launch)  # type: ignore[arg-type]  # fmt: skip
    hq = Unit.add("DUP", "Đơn vị DUP", "agency", None)
    both = Unit.add("BOTH", "Đơn vị BOTH", "agency", None)
    events: list[DomainEvent] = [*m.collect_events(), *other.collect_events(), *hq.collect_events()]
    events.extend(both.collect_events())  # named as a unit, then as a person, then registered
    events.extend(Person.add("BOTH", "Người BOTH", hq, "civil_servant", False).collect_events())
    scorer = Actor("sc", frozenset({"scorer"}))
    title = {"person": "advanced_worker", "unit": "advanced_collective"}
    regs = {
        pid: Participation.register(m, pid, kind, [title[kind]], at=at("2020-02-01"))
        for pid, kind in PARTICIPANTS
    }
    when = at("2020-02-01")
    elsewhere = Participation.register(other, "P1", "person", [title["person"]], at=when)
    for r in (*regs.values(), elsewhere):
        events.extend(r.collect_events())
    events.extend(Person.add("DUP", "Người DUP", hq, "civil_servant", False).collect_events())
    events.extend(Person.add("LATE", "Người đến sau", hq, "civil_servant", False).collect_events())
    events.extend(Unit.add("LATE", "Đơn vị LATE", "agency", None).collect_events())  # not shown
    vietnam, utc = at("2020-11-01"), at("2020-11-01").astimezone(UTC)
    for pid, points in [("DUP", 7.0), ("LATE", 9.0), ("P1", 4.0)]:
        regs[pid].score(m, "c2", 4.0, "self", scorer=scorer, at=vietnam)
        regs[pid].score(m, "c1", 5.0, "self", scorer=scorer, at=vietnam)
        regs[pid].score(m, "c1", points, "appraisal", scorer=scorer, at=vietnam)
        regs[pid].score(
            m, "c2", points / 2, "appraisal", scorer=scorer, at=utc + timedelta(hours=1)
        )
    elsewhere.score(other, "c1", 10.0, "appraisal", scorer=scorer, at=vietnam)
    for r in (*regs.values(), elsewhere):
        events.extend(r.collect_events())
    again = Participation.register(m, "LATE", "person", ["advanced_worker"], at=at("2020-02-02"))
    events.extend(again.collect_events())
    newcomer = Participation.register(m, "P3", "person", ["advanced_worker"], at=at("2020-02-02"))
    newcomer.score(m, "c2", 1.5, "appraisal", scorer=scorer, at=vietnam)  # after the columns
    events.extend(newcomer.collect_events())
    time = at("2021-01-01")
    return [(e, EventMeta(seq, time, "sec")) for seq, e in enumerate(events)]
