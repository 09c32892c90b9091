"""Discipline and collective titles by their member conditions, per regime (given/when/then),
with the boundary dates 2023-12-31/2024-01-01 and 2025-06-30/2025-07-01."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.discipline import DisciplineRecord, levels, rank, record_discipline
from domain.errors import AlreadyExistsError, NotFoundError, UsageError
from domain.prerequisites import CollectiveFacts, collective_violations, discipline_violations
from domain.regimes import regime_on
from domain.register import Recipient
from domain.rulebook import Rulebook, Share
from tests.gwt import recorded

AT = datetime(2023, 3, 2, 2, 0, tzinfo=UTC)
P1 = Recipient("P1", "person", "U1")
RULEBOOK = Rulebook()


def warning(start: date, until: date | None) -> DisciplineRecord:
    return record_discipline(
        None, "P1", decision_ref="12/QĐ-KL", level="warning", start=start, until=until,
        reason="Vi phạm quy chế", at=AT,
    )  # fmt: skip


def test_the_levels_are_data_mildest_first() -> None:
    assert list(levels())[:2] == ["reprimand", "warning"]
    assert levels()["removal"].vi == "Cách chức" and levels()["dismissal"].vi == "Buộc thôi việc"
    assert rank("reprimand") < rank("warning") < rank("dismissal") < rank("unknown-later")


def test_a_discipline_is_entered_once_with_a_known_level_and_a_period_in_order() -> None:
    record = warning(date(2023, 3, 1), date(2024, 2, 29))
    [_, entered] = recorded(record, DisciplineRecord.Opened, DisciplineRecord.Entered)
    assert (entered.level, entered.until) == ("warning", date(2024, 2, 29))  # type: ignore[attr-defined]
    with pytest.raises(AlreadyExistsError, match="already entered"):
        record_discipline(record, "P1", decision_ref="12/QĐ-KL", level="warning",
                          start=date(2023, 3, 1), until=None, reason="x", at=AT)  # fmt: skip
    with pytest.raises(UsageError, match="level 'scolding' is not one of"):
        record_discipline(None, "P1", decision_ref="1", level="scolding",
                          start=date(2023, 3, 1), until=None, reason="x", at=AT)  # fmt: skip
    with pytest.raises(UsageError, match="before --from"):
        warning(date(2023, 3, 1), date(2023, 2, 1))
    recorded(record)


@pytest.mark.parametrize(
    ("award", "year", "refused"),
    [
        ("emulation_fighter_base", 2023, True),   # the period meets 2023
        ("emulation_fighter_base", 2024, True),   # ... and 2024 (until 2024-02-29)
        ("emulation_fighter_base", 2025, False),  # achievements count from 2024-03-01
        ("emulation_fighter_ministry", 2026, True),  # 2024-2026: 2024 meets the period
        ("emulation_fighter_ministry", 2027, False),  # 2025-2027
    ],
)  # fmt: skip
def test_after_discipline_achievements_count_only_from_the_end_of_the_period(
    award: str, year: int, refused: bool
) -> None:
    # given P1 warned from 2023-03-01 to 2024-02-29
    entries = warning(date(2023, 3, 1), date(2024, 2, 29)).entries
    # when a title resting on `year` (and its chain's years) is checked, in each regime
    for day in (date(2023, 12, 31), date(2024, 1, 1), date(2025, 6, 30), date(2025, 7, 1)):
        found = discipline_violations(award, year, P1, entries, regime_on(day), RULEBOOK)
        # then it is refused exactly when those years meet the period
        assert bool(found) is refused, (day, found)
        assert all(v.rule == "prerequisites" for v in found)


SIX_OF_TEN = CollectiveFacts(members=10, advanced=6, fighters=1)


@pytest.mark.parametrize(
    ("day", "passes"),
    [
        (date(2023, 12, 31), True),   # Law 15/2003 Art. 28: more than half
        (date(2024, 1, 1), False),    # Law 06/2022: at least 70 %
        (date(2025, 6, 30), False),
        (date(2025, 7, 1), False),
    ],
)  # fmt: skip
def test_an_advanced_collective_needs_its_regimes_share_of_advanced_workers(
    day: date, passes: bool
) -> None:
    # given a unit of 10 members, 6 of them advanced workers, when its title is checked
    found = collective_violations("advanced_collective", 2023, "U1", SIX_OF_TEN, regime_on(day),
                                  RULEBOOK)  # fmt: skip
    # then it passes under the 2003 law only
    assert (found == []) is passes, found
    if not passes:
        assert "has 6 advanced_worker of 10 members in 2023, below 70 %" in found[0].message


@pytest.mark.parametrize("day", [date(2023, 12, 31), date(2024, 1, 1), date(2025, 7, 1)])
def test_no_member_disciplined_at_warning_or_above_for_an_advanced_collective(day: date) -> None:
    # given 8 of 10 advanced workers; one member reprimanded, then one warned, in the year
    reprimanded = CollectiveFacts(members=10, advanced=8, fighters=0,
                                  disciplined=(("P4", "reprimand"),))  # fmt: skip
    warned = CollectiveFacts(members=10, advanced=8, fighters=0,
                             disciplined=(("P4", "reprimand"), ("P5", "warning")))  # fmt: skip
    regime = regime_on(day)
    # then a reprimand does not bar the title, a warning does, naming the member
    assert collective_violations("advanced_collective", 2023, "U1", reprimanded, regime,
                                 RULEBOOK) == []  # fmt: skip
    [v] = collective_violations("advanced_collective", 2023, "U1", warned, regime, RULEBOOK)
    assert "disciplined at warning or above in 2023: P5" in v.message


@pytest.mark.parametrize("day", [date(2023, 12, 31), date(2024, 1, 1), date(2025, 7, 1)])
def test_an_excellent_collective_needs_every_member_to_complete_and_a_fighter(day: date) -> None:
    regime = regime_on(day)
    ok = CollectiveFacts(members=10, advanced=7, fighters=1)
    assert collective_violations("excellent_collective", 2023, "U1", ok, regime, RULEBOOK) == []
    # when one member was reprimanded in the year and there is no fighter
    short = CollectiveFacts(members=10, advanced=7, fighters=0,
                            disciplined=(("P4", "reprimand"),))  # fmt: skip
    found = collective_violations("excellent_collective", 2023, "U1", short, regime, RULEBOOK)
    # then both conditions are named
    assert [v.message.split(" in 2023")[0] for v in found] == [
        "recipient 'U1' has 0 emulation_fighter_base",
        "recipient 'U1' has members disciplined, so not having completed their tasks",
    ]
    # and a rulebook may ask for more (80 %), never less
    strict = Rulebook(excellent_collective_share=Share(4, 5))
    [v] = collective_violations("excellent_collective", 2023, "U1", ok, regime, strict)
    assert "below 80 %" in v.message


def test_a_collective_without_recorded_members_is_refused() -> None:
    regime = regime_on(date(2025, 7, 1))
    found = collective_violations("advanced_collective", 2025, "U9", None, regime, RULEBOOK)
    assert "has no recorded members" in found[0].message


def test_a_discipline_lifted_early_counts_the_years_after_its_new_end() -> None:
    regime = regime_on(date(2024, 12, 28))

    def refused_in(year: int, record: DisciplineRecord) -> bool:
        found = discipline_violations("emulation_fighter_base", year, P1, record.entries,
                                      regime, RULEBOOK)  # fmt: skip
        return bool(found)

    # given P1's warning from 2023-03-01 with no end recorded: 2024 does not count
    record = warning(date(2023, 3, 1), None)
    record.collect_events()
    assert refused_in(2024, record)
    # when the head ends it on 2023-08-31
    record.end("12/QĐ-KL", date(2023, 8, 31), "Chấm dứt kỷ luật trước thời hạn", AT)
    [ended] = recorded(record, DisciplineRecord.Ended)
    assert ended.until == date(2023, 8, 31)  # type: ignore[attr-defined]
    # then 2024 counts again, 2023 still not; the start and level stay as entered
    [entry] = record.entries
    assert (entry.start, entry.until, entry.level) == (
        date(2023, 3, 1),
        date(2023, 8, 31),
        "warning",
    )
    assert not refused_in(2024, record) and refused_in(2023, record)


def test_ending_a_discipline_not_entered_or_before_its_start_is_refused() -> None:
    record = warning(date(2023, 3, 1), None)
    record.collect_events()
    with pytest.raises(NotFoundError, match="discipline '9/QĐ-KL' of 'P1' not found"):
        record.end("9/QĐ-KL", date(2023, 8, 31), "x", AT)
    with pytest.raises(UsageError, match="--until 2023-02-28 is before its start 2023-03-01"):
        record.end("12/QĐ-KL", date(2023, 2, 28), "x", AT)
    recorded(record)
