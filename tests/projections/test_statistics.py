"""The yearly statistics forms 0601–0603.N/BNV-TĐKT counted from a world built here: persons
who work directly, leaders by level, collectives, an annulled award counted apart, a decision
of another year left out, and a state-level award on form 0602.

Given the workflow world of tests/world.py with its `statistics_awards` (leaders by level, a
Certificate of Merit of 2019 with one annulment, one of 2020, a Labour Order of 2019).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.errors import MalformedInputError
from projections.statistics import FORM_KEYS, StatForm, parse_forms
from projections.statistics_render import yearly_statistics
from tests.conftest import Keys
from tests.world import World, shared_world, statistics_awards


@pytest.fixture(scope="module")
def world(session_keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_world("sqlite", session_keys, tmp_path_factory, statistics_awards) as made:
        yield made


def form(world: World, year: int, key: str) -> StatForm:
    [found] = yearly_statistics(world.app, year, keys=(key,)).forms
    return found


def values(found: StatForm, row: str) -> dict[str, int]:
    [match] = [r for r in [*found.rows, found.total] if r.key == row]
    return match.values


def test_0603_counts_persons_direct_workers_leaders_and_collectives(world: World) -> None:
    # when the 2019 statistics are read, then the Certificate of Merit row splits its standing
    # awards: 2 collectives, 5 persons (L2's annulled), of whom P2 and L4 work directly, and
    # one leader at agency level, none at department level (annulled) and two at division level
    assert values(form(world, 2019, "0603"), "certificate_of_merit") == {
        "collectives": 2,
        "persons": 5,
        "direct_workers": 2,
        "leaders_agency": 1,
        "leaders_department": 0,
        "leaders_division": 2,
        "annulled": 1,
    }


def test_0603_total_is_the_sum_of_its_rows(world: World) -> None:
    found = form(world, 2019, "0603")
    for column in found.total.values:
        assert found.total.values[column] == sum(r.values[column] for r in found.rows)
    assert found.total.values["persons"] == 5


def test_a_state_award_is_counted_on_0602_only(world: World) -> None:
    assert values(form(world, 2019, "0602"), "order_labour_3")["collectives"] == 1
    assert values(form(world, 2019, "0603"), "total")["collectives"] == 2


def test_awards_count_in_the_year_of_their_decision_date(world: World) -> None:
    # the decision of 10/01/2020 is in 2020's form, not 2019's; nothing falls in 2021
    assert values(form(world, 2020, "0603"), "certificate_of_merit")["persons"] == 1
    assert values(form(world, 2021, "0603"), "total") == dict.fromkeys(
        values(form(world, 2021, "0603"), "total"), 0
    )


def test_0601_counts_the_movement_its_registrations_and_its_awards(world: World) -> None:
    # TD-2019 is regular and starts in 2019: U1 and P1, P2 registered; 7 + 1 standing awards
    assert values(form(world, 2019, "0601"), "regular") == {
        "movements": 1,
        "units_registered": 1,
        "persons_registered": 2,
        "awards": 8,
    }
    assert values(form(world, 2019, "0601"), "thematic")["movements"] == 0
    assert values(form(world, 2020, "0601"), "regular") == {
        "movements": 0,
        "units_registered": 0,
        "persons_registered": 0,
        "awards": 1,
    }


def test_every_form_is_filled_by_default_in_the_data_files_order(world: World) -> None:
    stats = yearly_statistics(world.app, 2019)
    assert [f.key for f in stats.forms] == list(FORM_KEYS) == ["0601", "0602", "0603"]
    assert stats.year == 2019 and stats.as_of.seq > 0


def test_the_forms_file_is_checked_when_read() -> None:
    text = (Path(__file__).parents[2] / "projections" / "statistics_forms.toml").read_text("utf-8")
    bad = text.replace('awards = ["letter_of_commendation"]', 'awards = ["gold_star"]')
    with pytest.raises(MalformedInputError, match=r"statistics form 0603: bad award 'gold_star'"):
        parse_forms(bad)
    bad = text.replace('key = "annulled"', 'key = "heroes"')
    with pytest.raises(MalformedInputError, match=r"bad column 'heroes'"):
        parse_forms(bad)
