"""`awards unit merge` and annulment competence: only the authority that decided, or an
authority of the unit that succeeded its unit by a signed merger, may annul (Law 2022 Art.
93(8)); refusals record nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import msgspec
import pytest

from domain.errors import RuleViolationError
from domain.prerequisites import prerequisite_violations
from domain.regimes import regime_on
from domain.register import Recipient, RecipientRecord
from domain.registry import Unit
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook, Share
from ledger.application import LedgerApp
from ledger.keys import write_key_pair
from ledger.usecases.decisions import decide_award
from ledger.usecases.lookup import collective_facts
from projections.report import movement_report
from tests.cli.test_workflow_cmd import failed, ok
from tests.conftest import Cli, Keys, RawRows
from tests.world import MOVEMENT, World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
MERGER = "Nghị quyết sắp xếp đơn vị năm 2025"


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def heads(world: World, awards: Cli, tmp_path: Path) -> dict[str, Path]:
    """Two heads of unit, hu1 (of U1) and hu2 (of U2), each competent for certificates."""
    found = {}
    for name, unit in (("hu1", "U1"), ("hu2", "U2")):
        private, public = write_key_pair(name, tmp_path, None)
        ok(awards("signer", "add", name, "--pub", public, "--role", "authority", "--unit", unit,
                  "--competence", "certificate_of_merit", "--key", world.key_file("op"),
                  "--json"))  # fmt: skip
        found[name] = private
    return found


def annul_by(awards: Cli, key: Path) -> object:
    return awards("annul", "6/QĐ", "--recipient", "P3", "--ground", "standard_not_met",
                  "--reason", "Phát hiện sau thanh tra", "--key", key)  # fmt: skip


@SQLITE_ONLY
def test_a_successor_unit_may_annul_only_after_a_recorded_merger(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    # given a certificate of merit decided by the head of U1
    key = heads(world, awards, tmp_path)
    ok(awards("decide", "6/QĐ", "--movement", MOVEMENT, "--award", "certificate_of_merit",
              "--recipient", "P3", "--key", key["hu1"], "--json"))  # fmt: skip
    # when the head of U2 annuls it: refused, nothing recorded
    before = raw.snapshot()
    failed(annul_by(awards, key["hu2"]), 1, "only the authority that decided ('hu1') or its "
           "successor after a merger may annul it, not 'hu2'")  # fmt: skip
    assert raw.snapshot() == before
    # when U1 is merged into U2 (signed by the secretary)
    ok(awards("unit", "merge", "U1", "--into", "U2", "--reason", MERGER, "--at", "2025-07-01",
              "--key", world.key_file("sec"), "--json"))  # fmt: skip
    unit = world.app.load(Unit, Unit.id_for("U1"), "unit")
    assert unit.merged_into == "U2"
    # and the head of U1 can no longer decide (its unit is gone): refused, nothing recorded
    before = raw.snapshot()
    failed(awards("decide", "7/QĐ", "--movement", MOVEMENT, "--award", "certificate_of_merit",
                  "--recipient", "P3", "--date", "2025-07-02", "--key", key["hu1"]), 1,
           "its unit 'U1' was merged into 'U2' on 2025-07-01")  # fmt: skip
    assert raw.snapshot() == before
    # then the head of U2, the successor, may annul it
    result = annul_by(awards, key["hu2"])
    assert getattr(result, "exit_code") == 0, getattr(result, "stderr")  # noqa: B009


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["U9", "--into", "U2"], 1, "unit merge rejected: unit 'U9' not found"),
        (["U1", "--into", "U1"], 1, "cannot be merged into itself or its own successor"),
        (["U1", "--into", "U2", "--reason", " "], 2, "unit merge rejected: unit 'U1': reason "
         "must not be empty"),
    ],
)  # fmt: skip
def test_unit_merge_refused(
    world: World, awards: Cli, raw: RawRows, args: list[str], code: int, message: str
) -> None:
    before = raw.snapshot()
    reason = [] if "--reason" in args else ["--reason", MERGER]
    failed(awards("unit", "merge", *args, *reason, "--key", world.key_file("sec")), code, message)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_a_merger_cannot_be_undone_or_repeated(world: World, awards: Cli, raw: RawRows) -> None:
    sec = world.key_file("sec")
    ok(awards("unit", "merge", "U1", "--into", "U2", "--reason", MERGER, "--key", sec, "--json"))
    before = raw.snapshot()
    failed(awards("unit", "merge", "U1", "--into", "U2", "--reason", MERGER, "--key", sec), 1,
           "unit merge rejected: unit 'U1' was already merged into 'U2'")  # fmt: skip
    failed(awards("unit", "merge", "U2", "--into", "U1", "--reason", MERGER, "--key", sec), 1,
           "cannot be merged into itself or its own successor")  # fmt: skip
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_history_of_both_units_shows_the_merger(world: World, awards: Cli) -> None:
    sec = world.key_file("sec")
    ok(awards("unit", "merge", "U1", "--into", "U2", "--reason", MERGER, "--key", sec, "--json"))
    merged = awards("history", "U1")
    assert merged.exit_code == 0, merged.stderr
    assert f"merged into unit U2 ({MERGER})" in merged.stdout
    successor = awards("history", "U2")
    assert f"a unit was merged into U2 ({MERGER})" in successor.stdout
    assert "merged into" not in awards("history", "P3").stdout


@SQLITE_ONLY
def test_a_collective_counts_the_people_of_its_sub_units_and_of_units_merged_into_it(
    world: World, awards: Cli
) -> None:
    # given U2 (P3) gains a sub-unit U3 with P4, and U1 (P1, P2) is merged into U2
    sec = world.key_file("sec")
    ok(awards("unit", "add", "U3", "--name", "Tổ Ba", "--level", "office", "--parent", "U2",
              "--key", sec, "--json"))  # fmt: skip
    ok(awards("person", "add", "P4", "--name", "Phạm Thị D", "--unit", "U3", "--key", sec,
              "--json"))  # fmt: skip
    before = collective_facts(world.app, ["U1", "U2"], 2025)
    assert (before["U1"].members, before["U2"].members) == (2, 2)
    ok(awards("unit", "merge", "U1", "--into", "U2", "--reason", MERGER, "--at", "2025-07-01",
              "--key", sec, "--json"))  # fmt: skip
    # when the collective facts of U2 are counted, then its members are P1-P4
    after = collective_facts(world.app, ["U2"], 2025)
    assert after["U2"].members == 4


def test_consecutive_titles_survive_a_merger_because_the_record_is_the_persons() -> None:
    # given P1's three base fighter titles 2021-2023 decided under unit U1 (record by person)
    record = RecipientRecord.open("P1", "person")
    for year in (2021, 2022, 2023):
        record.enter(f"{year}/QĐ", "emulation_fighter_base", "TD", year, date(year, 12, 28))
    record.note_initiative("SK-B", "ministry", 2023)
    # when a ministry fighter for 2023 is decided after U1 was merged into U2 (P1 now counted
    # under U2), then the chain counts: the record follows the person, not the unit
    regime = regime_on(date(2025, 7, 1))
    p1 = Recipient("P1", "person", "U2")
    assert (
        prerequisite_violations("emulation_fighter_ministry", 2023, p1, record, Rulebook(), regime)
        == []
    )


def given_award(world: World, number: str, award: str, who: list[str], day: str) -> None:
    """History given to a scenario: decided whatever the rules say (each broken rule overridden
    with its own reason)."""
    try:
        decide_award(world.app, world.key("auth"), number, movement_id=MOVEMENT, award=award,
                     recipients=who, decided_on=date.fromisoformat(day))  # fmt: skip
    except RuleViolationError as refused:
        decide_award(world.app, world.key("auth"), number, movement_id=MOVEMENT, award=award,
                     recipients=who, decided_on=date.fromisoformat(day),
                     overrides={rule: "given history" for rule in refused.rules})  # fmt: skip


def broken_rules(world: World, number: str, who: str, day: str) -> list[str]:
    """The rules a base fighter decision for `who` on `day` breaks (nothing is recorded)."""
    with pytest.raises(RuleViolationError) as refused:
        decide_award(world.app, world.key("auth"), number, movement_id=MOVEMENT,
                     award="emulation_fighter_base", recipients=[who],
                     decided_on=date.fromisoformat(day))  # fmt: skip
    return refused.value.rules


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_a_rulebook_quota_follows_the_merger_at_append_and_in_the_report(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path, awards: Cli
) -> None:
    # given a rulebook quota of 2/3: U1's P1 and P2 and U2's P3 advanced workers, P1 a fighter
    rulebook = msgspec.structs.replace(DEFAULT_RULEBOOK, fighter_quota=Share(2, 3))
    world = build_world(apps(ledger_url), keys, tmp_path / "world-keys", rulebook)
    given_award(world, "1/QĐ", "advanced_worker", ["P1", "P2", "P3"], "2025-06-01")
    given_award(world, "2/QĐ", "emulation_fighter_base", ["P1"], "2025-06-01")
    # and U1 merged into U2 on 2025-07-01
    ok(awards("unit", "merge", "U1", "--into", "U2", "--reason", MERGER, "--at", "2025-07-01",
              "--key", world.key_file("sec"), "--json"))  # fmt: skip
    # when P2 (still named under U1) is a fighter the day before: U1 alone, 2 for 2: quota
    assert "quota" in broken_rules(world, "3/QĐ", "P2", "2025-06-30")
    # when on the merger's day: U2 counts U1's people, 2 fighters for 3: no quota
    assert "quota" not in broken_rules(world, "3/QĐ", "P2", "2025-07-01")
    given_award(world, "3/QĐ", "emulation_fighter_base", ["P2"], "2025-07-01")
    # then the report counts one unit, U2, within its quota
    rows = [(q.unit, q.year, q.advanced, q.fighters, q.status)
            for q in movement_report(world.app, MOVEMENT).summary.quota]  # fmt: skip
    assert rows == [("U2", 2019, 3, 2, "ok")]
