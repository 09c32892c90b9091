"""`decide` and `register` with `--override RULE=REASON`: a refusal names every broken rule,
each is acknowledged with its own signed reason, and a lone `--override-reason` is accepted only
when exactly one rule is broken (issue 13, item 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from domain.decision import Decision
from ledger.application import LedgerApp
from tests.cli.test_workflow_cmd import failed, ok
from tests.conftest import Cli, Keys, RawRows
from tests.world import MOVEMENT, World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def decide(awards: Cli, world: World, number: str, *extra: str) -> object:
    """A base fighter title for P1 with no basis session, no advanced_worker and no initiative:
    it breaks review, prerequisites and quota (2019: Decree 91/2017's 15 %)."""
    return awards(
        "decide", number, "--movement", MOVEMENT, "--award", "emulation_fighter_base",
        "--recipient", "P1", "--date", "2019-12-30", *extra, "--key", world.key_file("auth"),
    )  # fmt: skip


@SQLITE_ONLY
def test_decide_refusal_names_every_broken_rule(world: World, awards: Cli, raw: RawRows) -> None:
    before = raw.snapshot()
    result = decide(awards, world, "7/QĐ")
    failed(result, 1, "(rules review, prerequisites, quota)")
    assert "--override review=REASON --override prerequisites=REASON --override quota=REASON" in (
        result.stderr  # type: ignore[attr-defined]
    )
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_one_override_reason_for_three_broken_rules_is_refused(
    world: World, awards: Cli, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = decide(awards, world, "7/QĐ", "--override-reason", "Quyết định đặc cách")
    failed(result, 1, "--override-reason covers one broken rule, not 3 (review, prerequisites, "
           "quota)")  # fmt: skip
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_decide_with_one_override_per_rule_signs_each(
    world: World, awards: Cli, raw: RawRows
) -> None:
    extra = [
        "--override", "quota=Đơn vị mới thành lập",
        "--override", "review=Hội đồng họp bất thường",
        "--override", "prerequisites=Hồ sơ bổ sung sau",
    ]  # fmt: skip
    data = ok(decide(awards, world, "7/QĐ", *extra, "--json"))
    overridden: list[dict[str, str]] = data["overridden"]  # type: ignore[assignment]
    assert [v["rule"] for v in overridden] == ["review", "prerequisites", "quota"]
    decision = world.app.load(Decision, Decision.id_for("7/QĐ"), "decision")
    assert [(o.rule, o.reason) for o in decision.overrides] == [
        ("prerequisites", "Hồ sơ bổ sung sau"),
        ("quota", "Đơn vị mới thành lập"),
        ("review", "Hội đồng họp bất thường"),
    ]
    assert decision.override_reason is None and decision.regime == "2003"


@SQLITE_ONLY
def test_a_missing_override_is_named_and_nothing_recorded(
    world: World, awards: Cli, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = decide(awards, world, "7/QĐ", "--override", "review=x", "--override", "quota=y")
    failed(result, 1, "decision 7/QĐ rejected: recipient 'P1' lacks advanced_worker for 2019")
    assert "give --override prerequisites=REASON" in result.stderr  # type: ignore[attr-defined]
    assert raw.snapshot() == before


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--override", "quota"], "override 'quota' is not valid: use --override RULE=REASON"),
        (["--override", "hold=x", "--override", "quota=y", "--override", "review=z",
          "--override", "prerequisites=w"], "--override hold names a rule this decision does "
         "not break (it breaks review, prerequisites, quota)"),
        (["--override", "quota=a", "--override-reason", "b"], "give --override RULE=REASON or "
         "--override-reason, not both"),
    ],
)  # fmt: skip
def test_bad_overrides_are_usage_errors(
    world: World, awards: Cli, raw: RawRows, extra: list[str], message: str
) -> None:
    before = raw.snapshot()
    failed(decide(awards, world, "7/QĐ", *extra), 2, message)
    assert raw.snapshot() == before


def register_late(awards: Cli, world: World, *extra: str) -> object:
    return awards(
        "register", MOVEMENT, "U2", "--title", "advanced_collective", "--at", "2019-02-19",
        *extra, "--key", world.key_file("sec"),
    )  # fmt: skip


@SQLITE_ONLY
def test_register_late_with_override_of_deadline(world: World, awards: Cli) -> None:
    data = ok(register_late(awards, world, "--override", "deadline=Gửi bưu điện 17/02", "--json"))
    assert (data["late"], data["deadline"]) == (True, "2019-02-18")


@SQLITE_ONLY
def test_register_refuses_an_override_of_another_rule(
    world: World, awards: Cli, raw: RawRows
) -> None:
    before = raw.snapshot()
    message = "--override quota names a rule a registration does not break (only deadline or hold)"
    failed(register_late(awards, world, "--override", "quota=x"), 2, message)
    assert raw.snapshot() == before
