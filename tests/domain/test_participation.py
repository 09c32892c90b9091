"""Registration (rule 4: deadlines) and scoring (corrections, ranges, rule 6 conflicts)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.errors import (
    ConflictOfInterestError,
    RuleViolationError,
    ScoreOutOfRangeError,
    UnknownCriterionError,
    UnsuitableAwardError,
    UsageError,
)
from domain.participation import Participation
from tests.domain.scenario import SCORER, at, movement, registered
from tests.gwt import recorded, replay


def test_register_on_the_deadline_day_is_on_time() -> None:
    m = movement()  # unit deadline 2019-02-18, cluster deadline 2019-02-28
    p = Participation.register(m, "P1", "person", ["advanced_worker"], at=at("2019-02-18", 23))
    [event] = recorded(p, Participation.Registered)
    assert (event.late, event.override_reason, event.deadline) == (False, None, date(2019, 2, 18))
    assert p.id == Participation.id_for("TD-2019", "P1")


def test_register_uses_vietnam_local_date() -> None:
    m = movement()
    late_utc_evening = at("2019-02-19", 2)  # 18 Feb 19:00 UTC is already 19 Feb in Hà Nội
    with pytest.raises(RuleViolationError, match="registered 2019-02-19 after the deadline"):
        Participation.register(m, "P1", "person", ["advanced_worker"], at=late_utc_evening)


def test_register_rejected_after_deadline() -> None:
    m = movement()
    with pytest.raises(
        RuleViolationError,
        match=r"registration rejected: participant 'U1' "
        r"registered 2019-02-20 after the deadline 2019-02-18",
    ) as info:
        Participation.register(m, "U1", "unit", ["emulation_flag"], at=at("2019-02-20"))
    assert info.value.rule == "deadline"


def test_register_late_with_override_is_recorded_late() -> None:
    m = movement()
    p = Participation.register(
        m, "U1", "unit", ["emulation_flag"], at=at("2019-02-20"), override_reason="công văn đến"
    )
    [event] = recorded(p, Participation.Registered)
    assert event.late is True
    assert event.override_reason == "công văn đến"


def test_override_reason_is_dropped_when_not_late() -> None:
    m = movement()
    p = Participation.register(
        m, "P1", "person", ["advanced_worker"], at=at("2019-02-01"), override_reason="just in case"
    )
    assert (p.late, p.override_reason) == (False, None)


def test_cluster_uses_the_cluster_deadline() -> None:
    m = movement()
    p = Participation.register(m, "BTB", "cluster", [], at=at("2019-02-25"))
    assert not p.late
    with pytest.raises(RuleViolationError, match="after the deadline 2019-02-28"):
        Participation.register(m, "BTB", "cluster", [], at=at("2019-03-01"))


@pytest.mark.parametrize(
    ("kind", "titles", "error", "message"),
    [
        ("person", ["emulation_flag"], UnsuitableAwardError, r"emulation_flag does not suit pe"),
        ("unit", ["advanced_worker"], UnsuitableAwardError, r"advanced_worker does not suit unit"),
        ("person", ["gold_star"], UsageError, r"unknown award kind 'gold_star'"),
        ("person", [], UsageError, r"participant 'X1' names no title"),
        ("robot", ["advanced_worker"], UsageError, r"participant kind 'robot' is not one of"),
        ("person", ["advanced_worker"] * 2, UsageError, r"title 'advanced_worker' is given twice"),
    ],
)
def test_register_rejects_titles(
    kind: str, titles: list[str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Participation.register(movement(), "X1", kind, titles, at=at("2019-02-01"))


def test_forms_suit_persons_and_units() -> None:
    m = movement()
    registered(m, "P1", "person", ["certificate_of_merit", "advanced_worker"])
    registered(m, "U1", "unit", ["certificate_of_merit", "excellent_collective"])


def test_score_records_self_and_appraisal_apart() -> None:
    m = movement()
    p = registered(m, "P1", "person", ["advanced_worker"])
    p.score(m, "c1", 9.0, "self", scorer=SCORER, at=at("2019-06-01"))
    p.score(m, "c1", 7.5, "appraisal", scorer=SCORER, at=at("2019-06-02"))
    p.score(m, "c2", 5, "appraisal", scorer=SCORER, at=at("2019-06-02"))
    events = recorded(p, Participation.Scored, Participation.Scored, Participation.Scored)
    assert [(e.kind, e.points, e.correction) for e in events] == [
        ("self", 9.0, False),
        ("appraisal", 7.5, False),
        ("appraisal", 5.0, False),
    ]
    assert p.total(m) == 2.0 * 7.5 + 1.0 * 5.0  # self scores excluded


def test_score_correction_needs_a_reason_and_keeps_history() -> None:
    m = movement()
    p = registered(m, "P1", "person", ["advanced_worker"])
    p.score(m, "c1", 6.0, "appraisal", scorer=SCORER, at=at("2019-06-01"))
    recorded(p, Participation.Scored)
    with pytest.raises(UsageError, match=r"criterion 'c1' already has a appraisal score; a corr"):
        p.score(m, "c1", 8.0, "appraisal", scorer=SCORER, at=at("2019-06-02"))
    recorded(p)
    p.score(m, "c1", 8.0, "appraisal", scorer=SCORER, at=at("2019-06-02"), reason="sai sót")
    [event] = recorded(p, Participation.Scored)
    assert (event.correction, event.reason) == (True, "sai sót")
    assert [s.points for s in p.scores] == [6.0, 8.0]
    assert p.latest_points() == {"c1": 8.0}
    assert p.total(m) == 16.0


@pytest.mark.parametrize("points", [-1.0, 10.5, float("nan")])
def test_score_rejected_outside_range(points: float) -> None:
    m = movement()
    p = registered(m, "P1", "person", ["advanced_worker"])
    with pytest.raises(ScoreOutOfRangeError, match=r"for criterion 'c1' outside 0..10"):
        p.score(m, "c1", points, "appraisal", scorer=SCORER, at=at("2019-06-01"))
    recorded(p)


def test_score_rejected_for_unknown_criterion() -> None:
    m = movement()
    p = registered(m, "P1", "person", ["advanced_worker"])
    with pytest.raises(UnknownCriterionError, match=r"criterion 'c7' is not one of"):
        p.score(m, "c7", 1.0, "appraisal", scorer=SCORER, at=at("2019-06-01"))
    recorded(p)


def test_score_rejected_for_unknown_kind() -> None:
    m = movement()
    p = registered(m, "P1", "person", ["advanced_worker"])
    with pytest.raises(UsageError, match=r"kind 'peer' is not one of self, appraisal"):
        p.score(m, "c1", 1.0, "peer", scorer=SCORER, at=at("2019-06-01"))
    recorded(p)


@pytest.mark.parametrize(
    ("participant", "kind", "scorer"),
    [
        ("P1", "person", Actor("p1", person="P1", unit="U1")),
        ("U1", "unit", Actor("head", person="P7", unit="U1")),
    ],
)
def test_appraisal_of_oneself_or_own_unit_rejected(
    participant: str, kind: str, scorer: Actor
) -> None:
    m = movement()
    p = registered(m, participant, kind, ["certificate_of_merit"])
    with pytest.raises(ConflictOfInterestError, match=r"may not appraise itself or its own unit"):
        p.score(m, "c1", 9.0, "appraisal", scorer=scorer, at=at("2019-06-01"))
    recorded(p)
    p.score(m, "c1", 9.0, "self", scorer=scorer, at=at("2019-06-01"))  # self scoring is fine
    assert p.only_self_scored


def test_colleague_in_the_same_unit_may_appraise() -> None:
    m = movement()
    p = registered(m, "P1", "person", ["advanced_worker"])
    p.score(
        m, "c1", 9.0, "appraisal", scorer=Actor("p2", person="P2", unit="U1"), at=at("2019-06-01")
    )
    recorded(p, Participation.Scored)


def test_replayed_participation_equals_the_original() -> None:
    m = movement()
    p = Participation.register(m, "P1", "person", ["advanced_worker"], at=at("2019-02-01"))
    p.score(m, "c1", 9.0, "appraisal", scorer=SCORER, at=at("2019-06-01"))
    assert replay(*p.collect_events()) == p
