"""Movement launch and the criteria CSV."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import MalformedInputError, UnknownCriterionError, UsageError
from domain.movement import (
    Criterion,
    Movement,
    formula_of,
    formula_totals,
    movement_spec,
    parse_criteria_csv,
)
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook
from tests.domain.scenario import CRITERIA, at, movement
from tests.gwt import recorded, replay


def launch(**overrides: object) -> Movement:
    kwargs: dict[str, object] = {
        "start": date(2020, 1, 1),
        "end": date(2020, 12, 31),
        "unit_deadline": date(2020, 2, 18),
        "cluster_deadline": date(2020, 2, 28),
        "spec_hash": b"h" * 32,
        "at": at("2020-01-02"),
    }
    kwargs.update(overrides)
    return Movement.launch("VPQH-2020", "Thi đua 2020", **kwargs)  # type: ignore[arg-type]


def test_launch_records_the_whole_spec() -> None:
    m = launch(criteria=CRITERIA, theme="Đổi mới", kind="thematic")
    [event] = recorded(m, Movement.Launched)
    assert event.movement_id == "VPQH-2020"
    assert event.criteria == CRITERIA
    assert event.formula == "weighted_sum"
    assert event.rulebook == DEFAULT_RULEBOOK
    assert event.spec_hash == b"h" * 32
    assert replay(event) == m
    assert m.id == Movement.id_for("VPQH-2020")
    assert m.year == 2020


def test_deadlines_apply_by_participant_kind() -> None:
    m = launch()
    assert m.deadline_for("person") == date(2020, 2, 18)
    assert m.deadline_for("unit") == date(2020, 2, 18)
    assert m.deadline_for("cluster") == date(2020, 2, 28)
    assert launch(cluster_deadline=None).deadline_for("cluster") == date(2020, 2, 18)


def test_deadlines_may_come_from_the_rulebook() -> None:
    rb = Rulebook(unit_deadline=date(2020, 3, 1))
    assert launch(unit_deadline=None, rulebook=rb).unit_deadline == date(2020, 3, 1)


def test_movement_spec_is_deterministic() -> None:
    one = msgspec.json.encode(movement_spec(CRITERIA, "weighted_sum", DEFAULT_RULEBOOK))
    two = msgspec.json.encode(movement_spec(list(CRITERIA), "weighted_sum", Rulebook()))
    assert one == two


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": date(2021, 1, 1)}, r"start 2021-01-01 is after end 2020-12-31"),
        ({"unit_deadline": date(2021, 1, 5)}, r"deadline 2021-01-05 is after the movement's end"),
        ({"unit_deadline": None}, r"give --deadline or a \[deadlines\] unit in the rulebook"),
        (
            {"rulebook": Rulebook(unit_deadline=date(2020, 3, 1))},
            r"--deadline 2020-02-18 contradicts the rulebook's 2020-03-01",
        ),
        ({"kind": "weekly"}, r"kind 'weekly' is not one of regular, thematic"),
        ({"formula": "max"}, r"formula 'max' is not one of weighted_sum"),
        ({"spec_hash": b""}, r"spec hash must not be empty"),
        ({"criteria": CRITERIA + CRITERIA[:1]}, r"criterion 'c1' is given twice"),
        ({"at": at("2020-01-02").replace(tzinfo=None)}, r"has no time zone"),
    ],
)
def test_launch_rejected(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        launch(**overrides)


def test_unknown_criterion_is_named() -> None:
    with pytest.raises(UnknownCriterionError, match=r"criterion 'c9' is not one of .*\(c1, c2\)"):
        movement().criterion("c9")


def test_criteria_csv_parses() -> None:
    text = '\ufeffid,name,max_points,weight\nc1,Hoàn thành,10,2\n\nc2,"Sáng kiến, đề tài",5,0.5\n'
    assert parse_criteria_csv(text) == [
        Criterion(id="c1", name="Hoàn thành", max_points=10.0, weight=2.0),
        Criterion(id="c2", name="Sáng kiến, đề tài", max_points=5.0, weight=0.5),
    ]


HEADER = "id,name,max_points,weight\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"criteria file is empty: expected the header id,name,max_points,weight"),
        ("id,name,points\n", r"criteria line 1: header must be id,name,max_points,weight"),
        (HEADER, r"criteria file has no criteria after the header"),
        (HEADER + "c1,A,10,1\nc2,B,5\n", r"criteria line 3: expected 4 columns, got 3"),
        (HEADER + "c1,A,10,1\nc2,B,x,1\n", r"criteria line 3: max_points 'x' is not a number"),
        (HEADER + "c1,A,10,heavy\n", r"criteria line 2: weight 'heavy' is not a number"),
        (HEADER + "c1,A,inf,1\n", r"criteria line 2: max_points 'inf' is not finite"),
        (HEADER + "c1,A,0,1\n", r"criteria line 2: max_points must be more than 0, got 0"),
        (HEADER + "c1,A,10,-1\n", r"criteria line 2: weight must not be negative, got -1"),
        (HEADER + "c1,,10,1\n", r"criteria line 2: name is empty"),
        (HEADER + "c 1,A,10,1\n", r"criteria line 2: criterion id 'c 1' is not valid"),
        (HEADER + "c1,A,10,1\nc1,B,5,1\n", r"criteria line 3: id 'c1' repeats line 2"),
    ],
)
def test_malformed_criteria_csv_is_rejected(text: str, message: str) -> None:
    with pytest.raises(MalformedInputError, match=message):
        parse_criteria_csv(text)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["c1", "c2", "c3"]),
            st.floats(0, 10, allow_nan=False, allow_infinity=False),
        ),
        max_size=20,
    )
)
def test_totals_over_columns_are_the_formulas_totals_to_the_last_bit(
    rows: list[dict[str, float]],
) -> None:
    # given participations' latest points, and the same points column by column (NaN: none;
    # c3 is no criterion of the movement)
    criteria = [
        Criterion(id="c1", name="Một", max_points=10.0, weight=0.3),
        Criterion(id="c2", name="Hai", max_points=10.0, weight=1.7),
    ]
    nan = float("nan")
    columns = {c: [row.get(c, nan) for row in rows] for c in ("c1", "c3")}  # c2 never kept
    kept = [{c: p for c, p in row.items() if c != "c2"} for row in rows]
    # when totalled both ways, then every total is the same float
    by_row = [formula_of("weighted_sum", criteria)(points) for points in kept]
    assert formula_totals("weighted_sum", criteria, columns, len(rows)) == by_row
    with pytest.raises(ValueError, match="unknown formula"):
        formula_totals("product", criteria, columns, len(rows))
