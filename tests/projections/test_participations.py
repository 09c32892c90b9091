"""The ledger view keeps every movement's participations column by column
(projections/participations.py): what each consumer reads of a participation — its participant,
kind, registration seq, lateness, appraisers, points, counts, latest appraisal time — is what
the row-at-a-time definition (tests/projections/standings_reference.py) keeps, over worlds with
two movements, a registration made again, a late registration with its override, scores in
two UTC offsets and several appraisers; folded straight, and through the stored form after
every event (with the id maps made early or never)."""

from __future__ import annotations

import math
from datetime import timedelta
from uuid import UUID

import msgspec
import pytest

from domain.actor import Actor
from domain.base import DomainEvent
from domain.movement import Movement
from domain.participation import Participation
from projections import movement_view, participations
from projections.stream import EventMeta
from projections.view import LEDGER_VIEW, LedgerView
from tests.projections.builder import Written, at
from tests.projections.movement_world import SECOND, names_world
from tests.projections.standings_reference import REFERENCE_VIEW
from tests.projections.standings_reference import Participations as Reference

Pairs = list[tuple[DomainEvent, EventMeta]]


def _appraisers_world() -> Pairs:
    """The names world, and: P1 appraised by a second signer (whose id sorts first) then by
    the first again (its appraisers stay in the order they first appraised), a late
    registration with an override, then registered again (on time: its lateness goes, its
    seq is the new one)."""
    pairs = names_world()
    launched = next(
        e for e, _ in pairs if isinstance(e, Movement.Launched) and e.movement_id == SECOND
    )
    m = Movement.launch(
        SECOND, launched.name, start=launched.start, end=launched.end,
        unit_deadline=launched.unit_deadline, criteria=launched.criteria,
        spec_hash=launched.spec_hash, at=at("2020-01-02"),
    )  # fmt: skip
    p1 = Participation.register(m, "P1", "person", ["advanced_worker"], at=at("2020-02-01"))
    p1.collect_events()  # already registered in the world: only the scores below are new
    second, first = Actor("ab", frozenset({"scorer"})), Actor("sc", frozenset({"scorer"}))
    p1.score(m, "c1", 3.0, "appraisal", scorer=second, at=at("2020-11-03"), reason="lại")
    p1.score(m, "c2", 1.0, "appraisal", scorer=first, at=at("2020-11-04"), reason="lại")
    late_day = m.unit_deadline + timedelta(days=30)
    late = Participation.register(
        m, "TARDY", "person", ["advanced_worker"], at=at(late_day.isoformat()),
        override_reason="hồ sơ giấy",
    )  # fmt: skip
    events = [*p1.collect_events(), *late.collect_events()]
    again = Participation.register(m, "TARDY", "person", ["advanced_worker"], at=at("2020-02-03"))
    events.extend(again.collect_events())
    time = at("2021-01-05")
    return pairs + [(e, EventMeta(len(pairs) + n, time, "sec")) for n, e in enumerate(events)]


def _compare(view: LedgerView, reference: Reference) -> int:
    """Assert every movement's participations agree with the reference; the rows compared."""
    compared = 0
    movements = {p.movement for p in reference.by_id.values()}
    assert set(view.participations.movements) == movements
    for movement in movements:
        taking_part = view.participations.of(movement)
        truth = [p for p in reference.by_id.values() if p.movement == movement]
        assert taking_part.participant_ids() == [p.participant for p in truth]
        late = dict(taking_part.lateness())
        table = taking_part.table(view.catalog.movements[movement])
        for row, p in enumerate(truth):
            assert taking_part.kind(row) == p.kind
            assert taking_part.seq(row) == p.seq
            assert taking_part.appraisers_of(row) == p.appraisers
            assert taking_part.only_self_scored(row) == p.only_self_scored
            kept = late.get(row)
            assert msgspec.json.encode(kept) == msgspec.json.encode(p.late)  # offsets too
            for columns, points in (
                (table.appraisal, p.appraisal),
                (table.self_scores, p.self_scores),
            ):
                found = {
                    c: column[row]
                    for c, column in zip(taking_part.criteria, columns, strict=True)
                    if not math.isnan(column[row])
                }
                assert found == points
            assert (table.scores[row], table.corrections[row]) == (p.scores, p.corrections)
            when = table.at(row)
            assert when == p.scored_at
            assert (when and when.utcoffset()) == (p.scored_at and p.scored_at.utcoffset())
            compared += 1
    return compared


def _worlds(events: tuple[Written, Pairs]) -> list[Pairs]:
    return [events[1], names_world(), _appraisers_world()]


@pytest.mark.parametrize("world", [0, 1, 2], ids=["scenario", "names", "appraisers"])
def test_the_columns_keep_what_the_row_at_a_time_fold_keeps(
    events: tuple[Written, Pairs], world: int
) -> None:
    pairs = _worlds(events)[world]
    view, reference = LEDGER_VIEW.initial(), REFERENCE_VIEW.initial()
    for event, meta in pairs:
        view = LEDGER_VIEW.fold(view, event, meta)
        reference = REFERENCE_VIEW.fold(reference, event, meta)
    assert _compare(view, reference) >= 5


@pytest.mark.parametrize("searches", [0, 64], ids=["maps-at-once", "searched"])
def test_the_columns_read_back_after_every_event_keep_the_same(
    events: tuple[Written, Pairs], monkeypatch: pytest.MonkeyPatch, searches: int
) -> None:
    monkeypatch.setattr(participations, "SEARCHES", searches)
    monkeypatch.setattr(movement_view, "SEARCHES", searches)
    for pairs in _worlds(events):
        view, reference = LEDGER_VIEW.initial(), REFERENCE_VIEW.initial()
        for event, meta in pairs:
            view = LEDGER_VIEW.decode(LEDGER_VIEW.encode(LEDGER_VIEW.fold(view, event, meta)))
            reference = REFERENCE_VIEW.fold(reference, event, meta)
        _compare(view, reference)


def test_the_appraisers_world_has_what_it_says(events: tuple[Written, Pairs]) -> None:
    # the world the tests above rest on: P1 appraised by two signers in that order, a late
    # registration made again on time, and the scenario's late registration kept with its
    # override and its own UTC offset
    view = LEDGER_VIEW.initial()
    world = _appraisers_world()
    for event, meta in world[:-1]:
        view = LEDGER_VIEW.fold(view, event, meta)
    before = view.participations.of(SECOND)
    [(row, late)] = before.lateness()
    assert before.participant(row) == "TARDY" and late.override_reason == "hồ sơ giấy"
    view = LEDGER_VIEW.fold(view, *world[-1])
    taking_part = view.participations.of(SECOND)
    rows = taking_part.participant_ids()
    assert taking_part.appraisers_of(rows.index("P1")) == ["sc", "ab"]
    assert rows.count("TARDY") == 1 and dict(taking_part.lateness()) == {}
    scenario = LEDGER_VIEW.initial()
    for event, meta in events[1]:
        scenario = LEDGER_VIEW.fold(scenario, event, meta)
    late = [
        x for taking in scenario.participations.movements.values() for _, x in taking.lateness()
    ]
    assert late and late[0].override_reason and late[0].at.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize("searches", [0, 64], ids=["map-made", "searched"])
def test_every_participation_is_listed_with_its_movement_once_scores_are_folded(
    events: tuple[Written, Pairs], monkeypatch: pytest.MonkeyPatch, searches: int
) -> None:
    # given every world folded, scores included (with SEARCHES 0 the id map is made at once)
    monkeypatch.setattr(participations, "SEARCHES", searches)
    for pairs in _worlds(events):
        view, reference = LEDGER_VIEW.initial(), REFERENCE_VIEW.initial()
        for event, meta in pairs:
            view = LEDGER_VIEW.fold(view, event, meta)
            reference = REFERENCE_VIEW.fold(reference, event, meta)
        # then each participation is listed once, with its movement (what a publication
        # reads to tell which reports a new score changes)
        listed = [(UUID(bytes=key), movement) for key, movement in view.participations.owners()]
        assert sorted(listed) == sorted((k, p.movement) for k, p in reference.by_id.items())


def test_a_scorer_appraising_its_own_unit_is_a_conflict_the_report_names(
    events: tuple[Written, Pairs],
) -> None:
    # given the scenario, and its unit VU1 registered and appraised by "sc", a scorer of
    # VU1 (a score stored before the door refused it: the event made directly)
    from projections.compliance import compliance_checks
    from projections.view import fold

    _, pairs = events
    view = LedgerView()
    for event, meta in pairs:
        view = fold(view, event, meta)
    movement = next(m for m in view.catalog.movements.values())
    registered = next(e for e, _ in pairs if isinstance(e, Participation.Registered))
    scored = next(e for e, _ in pairs if isinstance(e, Participation.Scored))
    unit = msgspec.structs.replace(
        registered, originator_id=Participation.id_for(movement.id, "VU1"),
        participant="VU1", participant_kind="unit", late=False,
    )  # fmt: skip
    score = msgspec.structs.replace(
        scored, originator_id=unit.originator_id, scorer="sc", kind="appraisal", correction=False
    )
    seq = len(pairs)
    view = fold(view, unit, EventMeta(seq, pairs[-1][1].time, "sec"))
    view = fold(view, score, EventMeta(seq + 1, pairs[-1][1].time, "sc"))
    # then the report's checks name the conflict, at the registration's seq
    checks = compliance_checks(view, movement, [], [], [])
    found = [c for c in checks if c.rule == "conflict_of_interest" and c.subject == "VU1"]
    assert [(c.status, c.seq) for c in found] == [("violation", seq)]
    assert "scorer sc appraised itself or its own unit VU1" in found[0].detail
