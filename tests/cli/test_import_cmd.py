"""`awards import` through the CLI: exit codes, one-line errors naming the line, --json receipts,
nothing on stderr off a terminal, and the files of docs/examples imported end to end (progress
on a terminal: tests/cli/test_progress.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.participation import Participation
from domain.registry import Person, Unit
from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


@SQLITE_ONLY
def test_import_units_and_people(world: World, awards: Cli, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "id,name,level,parent\nVPQH,Văn phòng Quốc hội,agency,\n"
        "VPQH-TH,Vụ Tổng hợp,department,VPQH\n",
        encoding="utf-8",
    )
    result = awards("import", "units", units, "--key", world.key_file("sec"))
    assert result.exit_code == 0 and result.stderr == ""  # no progress bar off a terminal
    assert result.stdout.startswith("import units.csv: 2 rows of units: recorded events")
    people = tmp_path / "people.csv"
    people.write_text(
        "id,name,unit,category,direct_worker\nVP-1,Đỗ Thị Ngọc Ánh,VPQH-TH,cadre,true\n",
        encoding="utf-8",
    )
    data = json.loads(
        awards("import", "people", people, "--key", world.key_file("sec"), "--json").stdout
    )
    assert data["rows"] == 1 and len(data["seqs"]) == 1
    assert world.app.load(Unit, Unit.id_for("VPQH-TH"), "unit").name == "Vụ Tổng hợp"
    assert world.app.load(Person, Person.id_for("VP-1"), "person").name == "Đỗ Thị Ngọc Ánh"


@SQLITE_ONLY
def test_import_people_with_leader_levels(world: World, awards: Cli, tmp_path: Path) -> None:
    # given a people file with the leader_level column (one leader, one not)
    people = tmp_path / "people.csv"
    people.write_text(
        "id,name,unit,category,direct_worker,leader_level\n"
        "VP-2,Lãnh đạo Vụ,U1,cadre,false,department\nVP-3,Công nhân,U1,worker,true,\n",
        encoding="utf-8",
    )
    # when it is imported
    result = awards("import", "people", people, "--key", world.key_file("sec"))
    # then each person carries their level (none for the worker)
    assert result.exit_code == 0, result.stderr
    load = world.app.load
    assert load(Person, Person.id_for("VP-2"), "person").leader_level == "department"
    assert load(Person, Person.id_for("VP-3"), "person").leader_level is None


@SQLITE_ONLY
def test_import_people_refuses_an_unknown_leader_level(
    world: World, awards: Cli, tmp_path: Path, raw: RawRows
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "id,name,unit,category,direct_worker,leader_level\nVP-2,X,U1,,false,minister\n",
        encoding="utf-8",
    )
    before = raw.snapshot()
    result = awards("import", "people", people, "--key", world.key_file("sec"))
    assert result.exit_code == 3
    assert one_error_line(result) == (
        "error: people.csv line 2: person 'VP-2': unknown leader level 'minister' "
        "(one of agency, department, division)"
    )
    assert raw.snapshot() == before


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("kind", "content", "extra", "code", "message"),
    [
        (
            "units",
            b"id,name,level,parent\nA,x,division,\nB,y,,\n",
            [],
            3,
            "error: bad.csv line 3: level '' is empty",
        ),
        (
            "people",
            b"id,name,unit,category,direct_worker\nP9,X,U9,,false\n",
            [],
            1,
            "error: bad.csv line 2: unit 'U9' not found",
        ),
        (
            "units",
            b"id,name,level,parent\nA,\xc3\x28,division,\n",
            [],
            3,
            "error: bad.csv line 2: not valid UTF-8",
        ),
        (
            "scores",
            b"participant,criterion,points,kind\nP1,c1,5,appraisal\n",
            [],
            2,
            "error: import scores: give --movement",
        ),
        ("awards", b"a\n", [], 2, "error: import: kind 'awards' is not one of units, people"),
        (
            "registrations",
            b"participant,titles,at\nP3,advanced_worker,2019-03-01\n",
            ["--movement", "TD-2019"],
            1,
            "after the deadline 2019-02-18 (rule deadline); nothing was imported",
        ),
    ],
    ids=["malformed", "domain", "utf8", "no-movement", "kind", "late"],
)
def test_import_refused(
    world: World,
    awards: Cli,
    raw: RawRows,
    tmp_path: Path,
    kind: str,
    content: bytes,
    extra: list[str],
    code: int,
    message: str,
) -> None:
    (tmp_path / "bad.csv").write_bytes(content)
    before = raw.snapshot()
    result = awards("import", kind, tmp_path / "bad.csv", *extra, "--key", world.key_file("sec"))
    assert result.exit_code == code and result.stdout == ""
    assert message in one_error_line(result)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_import_of_a_missing_file_is_malformed_input(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    result = awards("import", "units", tmp_path / "nope.csv", "--key", world.key_file("sec"))
    assert result.exit_code == 3
    assert one_error_line(result).startswith("error: import file ")
    assert "nope.csv': cannot read (No such file or directory)" in one_error_line(result)


def test_docs_examples_import_end_to_end(world: World, awards: Cli, raw: RawRows) -> None:
    """The example files: launch with the criteria and rulebook, then every import."""
    launched = awards(
        "movement",
        "launch",
        "TD-BTB-2019-H1",
        "--name",
        "Thi đua 6 tháng đầu năm 2019",
        "--start",
        "2019-01-01",
        "--end",
        "2019-06-30",
        "--criteria",
        EXAMPLES / "criteria-north-central-2019.csv",
        "--rules",
        EXAMPLES / "rulebook-north-central-2019.toml",
        "--at",
        "2019-01-08",
        "--key",
        world.key_file("sec"),
    )
    assert launched.exit_code == 0, launched.stderr
    for kind, name, key, movement in (
        ("units", "units-north-central.csv", "sec", []),
        ("people", "people-north-central.csv", "sec", []),
        (
            "registrations",
            "registrations-north-central-2019.csv",
            "sec",
            ["--movement", "TD-BTB-2019-H1"],
        ),
        ("scores", "scores-north-central-2019.csv", "sc", ["--movement", "TD-BTB-2019-H1"]),
    ):
        result = awards("import", kind, EXAMPLES / name, *movement, "--key", world.key_file(key))
        assert result.exit_code == 0, (name, result.stderr)
    hna = world.app.load(Participation, Participation.id_for("TD-BTB-2019-H1", "HNA-01"), "hna")
    assert hna.titles == ["advanced_worker", "emulation_fighter_base"]
    assert sorted({s.kind for s in hna.scores}) == ["appraisal", "self"]
    assert world.app.load(Person, Person.id_for("NDH-02"), "person").name == "Vũ Thị Thu, Hà"
