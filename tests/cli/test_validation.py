"""What the door refuses or normalises (issue 13, item 13): unit levels outside the closed
list, effective times in the future, ids in decomposed Unicode (put in NFC wherever they enter:
arguments, CSV rows, recipients files); counts in the right number; one time format for people.
Each refusal leaves the ledger unchanged."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.actor import VIETNAM_TZ, format_time
from domain.registry import KNOWN_UNIT_LEVELS, Person, Unit
from domain.text import counted
from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import MOVEMENT, World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Any, tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def _future(days: int = 1) -> str:
    return (datetime.now(VIETNAM_TZ) + timedelta(days=days)).replace(microsecond=0).isoformat()


# -- unit levels --------------------------------------------------------------------------------


@SQLITE_ONLY
def test_unit_add_refuses_a_level_outside_the_closed_list(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards("unit", "add", "U7", "--name", "Tổ", "--level", "team", "--key", keys.sec_key)
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "error: unit 'U7': level 'team' is not one of agency, department, division, office, "
        "province, district, commune"
    )
    assert raw.snapshot() == before


@SQLITE_ONLY
@pytest.mark.parametrize("level", KNOWN_UNIT_LEVELS)
def test_unit_add_takes_every_level_of_the_list(
    ledger: LedgerApp, awards: Cli, keys: Keys, level: str
) -> None:
    result = awards("unit", "add", f"U-{level}", "--name", "Đơn vị", "--level", level,
                    "--key", keys.sec_key)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert ledger.load(Unit, Unit.id_for(f"U-{level}"), "unit").level == level


@SQLITE_ONLY
def test_import_refuses_a_unit_row_with_an_unknown_level_by_its_line(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text("id,name,level,parent\nU5,Vụ A,department,\nU6,Tổ B,team,U5\n", "utf-8")
    before = raw.snapshot()
    result = awards("import", "units", csv, "--key", world.key_file("sec"))
    assert result.exit_code == 3, result.output
    line = one_error_line(result)
    assert "units.csv line 3" in line and "level 'team' is not one of agency" in line
    assert raw.snapshot() == before


# -- future effective times ---------------------------------------------------------------------


@SQLITE_ONLY
def test_register_at_a_future_time_is_refused(world: World, awards: Cli, raw: RawRows) -> None:
    before = raw.snapshot()
    result = awards("register", MOVEMENT, "P3", "--title", "advanced_worker", "--at", _future(),
                    "--key", world.key_file("sec"))  # fmt: skip
    assert result.exit_code == 2
    assert "is in the future" in one_error_line(result)
    assert one_error_line(result).startswith("error: --at ")
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_a_time_within_the_clock_skew_is_accepted(world: World, awards: Cli) -> None:
    soon = (datetime.now(VIETNAM_TZ) + timedelta(minutes=1)).isoformat()
    result = awards("register", MOVEMENT, "P3", "--title", "advanced_worker", "--at", soon,
                    "--override-reason", "late", "--key", world.key_file("sec"))  # fmt: skip
    assert result.exit_code == 0, result.output


@SQLITE_ONLY
def test_decide_dated_in_the_future_is_refused(world: World, awards: Cli, raw: RawRows) -> None:
    tomorrow = (datetime.now(VIETNAM_TZ) + timedelta(days=2)).date().isoformat()
    before = raw.snapshot()
    result = awards("decide", "9/QĐ", "--movement", MOVEMENT, "--award", "advanced_worker",
                    "--recipient", "P1", "--date", tomorrow, "--override-reason", "test",
                    "--key", world.key_file("auth"))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"--date {tomorrow} is in the future" in one_error_line(result)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_import_refuses_a_registration_row_in_the_future(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    csv = tmp_path / "registrations.csv"
    csv.write_text(f"participant,titles,at\nP3,advanced_worker,{_future(30)}\n", "utf-8")
    before = raw.snapshot()
    result = awards("import", "registrations", csv, "--movement", MOVEMENT,
                    "--key", world.key_file("sec"))  # fmt: skip
    assert result.exit_code == 3, result.output
    line = one_error_line(result)
    assert "registrations.csv line 2: at " in line and "is in the future" in line
    assert raw.snapshot() == before


# -- NFC ----------------------------------------------------------------------------------------


@SQLITE_ONLY
def test_an_id_in_a_csv_row_typed_decomposed_is_stored_precomposed(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    composed = "NĐ-Ủ9"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    csv = tmp_path / "people.csv"
    csv.write_text(f"id,name,unit,category,direct_worker\n{decomposed},Hồ Ủ,U1,,false\n", "utf-8")
    result = awards("import", "people", csv, "--key", world.key_file("sec"))
    assert result.exit_code == 0, result.output
    person = world.app.load(Person, Person.id_for(composed), "person")
    assert person.person_id == composed


@SQLITE_ONLY
def test_a_recipients_file_in_nfd_names_the_same_people(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("id,name,unit,category,direct_worker\nNĐ-1,Hồ Ủ,U1,,false\n", "utf-8")
    assert awards("import", "people", csv, "--key", world.key_file("sec")).exit_code == 0
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(unicodedata.normalize("NFD", "NĐ-1\n"), "utf-8")
    result = awards("decide", "9/QĐ", "--movement", MOVEMENT, "--award", "advanced_worker",
                    "--recipients-file", recipients, "--override-reason", "test",
                    "--key", world.key_file("auth"), "--json")  # fmt: skip
    # found (the id is NFC now): refused or recorded by the rules, never "not found"
    assert "not found" not in result.output, result.output


# -- counts and times for people ----------------------------------------------------------------


def test_counted_puts_the_noun_in_the_right_number() -> None:
    assert counted(0, "event") == "0 events"
    assert counted(1, "event") == "1 event"
    assert counted(2, "event") == "2 events"
    assert counted(1, "checkpoint matches", "checkpoints match") == "1 checkpoint matches"
    assert counted(3, "checkpoint matches", "checkpoints match") == "3 checkpoints match"


def test_no_hand_made_plural_is_left_in_the_code() -> None:
    root = Path(__file__).resolve().parents[2]
    found = []
    for layer in ("cli", "demo", "domain", "ledger", "projections"):
        for path in (root / layer).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if 'f"' in line and re.search(r"[a-z]\(s\)|\} problems\b|\} recipients\b", line):
                    found.append(f"{path.relative_to(root)}: {line.strip()}")
    assert found == []


def test_format_time_is_vietnam_time_to_the_second() -> None:
    at = datetime(2020, 2, 18, 2, 30, 15, 123456, tzinfo=UTC)
    assert format_time(at) == "2020-02-18T09:30:15+07:00"
    assert format_time(datetime.min) == "0001-01-01T00:00:00"  # an unreadable row's time
    assert format_time(datetime.max.replace(tzinfo=UTC)) == "9999-12-31T23:59:59+00:00"


@SQLITE_ONLY
def test_log_and_history_show_times_in_the_one_format(world: World, awards: Cli) -> None:
    log = awards("log", "--limit", "3")
    assert log.exit_code == 0
    for line in log.stdout.splitlines():
        shown = line.split("\t")[1]
        assert shown == format_time(datetime.fromisoformat(shown)), shown
        assert shown.endswith("+07:00") and "." not in shown
    history = awards("history", "P1")
    rows = [line.split("\t") for line in history.stdout.splitlines()[1:]]
    assert rows
    for row in rows:
        for shown in (row[1], row[2]):
            assert shown == "-" or (shown.endswith("+07:00") and "." not in shown), shown
    as_json = json.loads(awards("log", "--limit", "1", "--json").stdout)
    assert as_json  # JSON keeps the stored value (full precision); only text is formatted


@SQLITE_ONLY
def test_an_id_in_an_xlsx_row_typed_decomposed_is_stored_precomposed(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    from tests.cli.test_import_xlsx import sheet

    composed = "NĐ-Ủ8"
    rows: list[list[Any]] = [
        ["id", "name", "unit", "category", "direct_worker"],
        [unicodedata.normalize("NFD", composed), "Hồ Ủ", "U1", "", "false"],
    ]
    result = awards("import", "people", sheet(tmp_path / "people.xlsx", rows),
                    "--key", world.key_file("sec"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert world.app.load(Person, Person.id_for(composed), "person").person_id == composed
    level = [["id", "name", "level", "parent"], ["U8", "Tổ", "team", ""]]
    before = raw.snapshot()
    refused = awards("import", "units", sheet(tmp_path / "units.xlsx", level),
                     "--key", world.key_file("sec"))  # fmt: skip
    assert refused.exit_code == 3
    assert "units.xlsx line 2" in one_error_line(refused)
    assert raw.snapshot() == before
