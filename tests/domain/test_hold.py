"""Holds (rule `hold`, Decree 152/2025 Art. 4(4)), told as given/when/then."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotFoundError, OutOfOrderError, RuleViolationError, UsageError
from domain.hold import Hold, SubjectHolds, hold_violations, lift_hold, place_hold
from tests.domain.scenario import Books, at, movement, person
from tests.gwt import recorded, replay

M = movement()


def placed(hold_id: str = "H-1", subject: str = "P1", until: date | None = None) -> SubjectHolds:
    """Given: `subject`'s index after hold `hold_id` was placed on 2019-10-01 (nothing pending)."""
    _, index = place_hold(
        hold_id,
        subject=subject,
        kind="investigation",
        reason="Đơn tố cáo đang xác minh",
        until=until,
        at=at("2019-10-01"),
        index=None,
    )
    given: SubjectHolds = replay(*recorded(index, SubjectHolds.Opened, SubjectHolds.Noted))
    return given


def test_placing_a_hold_records_the_hold_and_notes_it_on_the_subject() -> None:
    # when a secretary places a hold on P1 until the end of the year
    hold, index = place_hold(
        "H-1",
        subject="P1",
        kind="press",
        reason="Báo nêu vụ việc",
        until=date(2019, 12, 31),
        at=at("2019-10-01"),
        index=None,
    )
    # then the hold is one signed fact and the subject's index opens and notes it
    [event] = recorded(hold, Hold.Placed)
    assert event.payload() == {
        "hold_id": "H-1",
        "subject": "P1",
        "kind": "press",
        "reason": "Báo nêu vụ việc",
        "until": date(2019, 12, 31),
        "at": at("2019-10-01"),
    }
    recorded(index, SubjectHolds.Opened, SubjectHolds.Noted)
    assert [h.hold_id for h in index.open_on(date(2019, 12, 31))] == ["H-1"]
    assert index.open_on(date(2020, 1, 1)) == []  # past --until it no longer stands


def test_a_second_hold_on_the_same_subject_is_noted_on_its_existing_index() -> None:
    index = placed("H-1")
    _, index = place_hold(
        "H-2",
        subject="P1",
        kind="complaint",
        reason="Khiếu nại",
        until=None,
        at=at("2019-11-01"),
        index=index,
    )
    recorded(index, SubjectHolds.Noted)
    assert [h.hold_id for h in index.open_on(date(2019, 12, 1))] == ["H-1", "H-2"]


@pytest.mark.parametrize(
    ("kind", "until", "message"),
    [
        ("rumour", None, "kind 'rumour' is not one of discipline, investigation"),
        ("press", date(2019, 9, 30), "--until 2019-09-30 is before the hold is placed"),
    ],
)
def test_a_bad_hold_is_refused_and_nothing_is_noted(
    kind: str, until: date | None, message: str
) -> None:
    index = placed("H-1")
    with pytest.raises(UsageError, match=message):
        place_hold(
            "H-2",
            subject="P1",
            kind=kind,
            reason="x",
            until=until,
            at=at("2019-10-01"),
            index=index,
        )
    recorded(index)


def test_an_award_to_a_subject_under_an_open_hold_is_refused_naming_the_rule() -> None:
    # given P1 under an open investigation hold
    books, holds = Books(), {"P1": placed("H-1")}
    # when an authority decides an advanced_worker award to P1 and P2
    with pytest.raises(RuleViolationError, match="P1 is under an open hold: H-1") as info:
        books.award("1/QĐ", M, "advanced_worker", [person("P1"), person("P2")], holds=holds)
    # then the rule is `hold` and nothing was recorded
    assert info.value.rule == "hold"
    assert books.records == {} and books.registers == {}


def test_a_hold_overridden_with_a_reason_is_signed_into_the_decision() -> None:
    books, holds = Books(), {"P1": placed("H-1")}
    writes = books.award(
        "1/QĐ",
        M,
        "advanced_worker",
        [person("P1")],
        holds=holds,
        override_reason="Kết luận xác minh: không vi phạm",
    )
    assert [(v.rule, v.subject) for v in writes.decision.violations] == [("hold", "P1")]


def test_after_the_hold_is_lifted_the_award_passes() -> None:
    index = placed("H-1")
    hold = replay(
        *place_hold(
            "H-1",
            subject="P1",
            kind="investigation",
            reason="x",
            until=None,
            at=at("2019-10-01"),
            index=None,
        )[0].collect_events()  # type: ignore[arg-type]
    )
    # when the hold is lifted
    hold, index = lift_hold(hold, index, "Không có vi phạm", at("2019-12-01"))
    [lifted] = recorded(hold, Hold.Lifted)
    assert lifted.reason == "Không có vi phạm"
    recorded(index, SubjectHolds.Cleared)
    # then the award passes and no violation is signed in
    writes = Books().award("1/QĐ", M, "advanced_worker", [person("P1")], holds={"P1": index})
    assert writes.decision.violations == []


def test_a_hold_past_its_until_date_no_longer_blocks() -> None:
    assert (
        hold_violations(
            [person("P1")], {"P1": placed(until=date(2019, 12, 27))}, date(2019, 12, 28)
        )
        == []
    )
    [v] = hold_violations(
        [person("P1")], {"P1": placed(until=date(2019, 12, 28))}, date(2019, 12, 28)
    )
    assert (v.rule, v.subject) == ("hold", "P1")


def test_lifting_twice_or_before_placing_is_refused_and_nothing_is_recorded() -> None:
    hold, index = place_hold(
        "H-1", subject="P1", kind="press", reason="x", until=None, at=at("2019-10-01"), index=None
    )
    hold, index = (
        replay(*recorded(hold, Hold.Placed)),
        replay(*recorded(index, SubjectHolds.Opened, SubjectHolds.Noted)),
    )
    with pytest.raises(OutOfOrderError, match="cannot be lifted before it was placed"):
        lift_hold(hold, index, "sớm", at("2019-09-01"))
    recorded(hold)
    recorded(index)
    lift_hold(hold, index, "xong", at("2019-11-01"))
    hold.collect_events()
    index.collect_events()
    with pytest.raises(OutOfOrderError, match="already lifted"):
        lift_hold(hold, index, "lại", at("2019-11-02"))
    recorded(hold)
    recorded(index)


def test_lifting_a_hold_missing_from_its_subject_index_is_refused() -> None:
    hold, _ = place_hold(
        "H-1", subject="P1", kind="press", reason="x", until=None, at=at("2019-10-01"), index=None
    )
    hold = replay(*recorded(hold, Hold.Placed))
    with pytest.raises(NotFoundError, match="not in the holds of 'P1'"):
        lift_hold(hold, None, "x", at("2019-11-01"))
    recorded(hold)
