"""Hostile text through the CLI (issue 10, item 8): control, bidi and invisible characters are
refused at the door in every text field (the ledger unchanged), lookalike ids are refused or are
the same id, and whatever an older ledger holds is escaped when printed."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

import domain.base
import domain.registry
from ledger.application import LedgerApp
from ledger.usecases import registry
from tests.conftest import Cli, Keys, RawRows, one_error_line

HOSTILE = {
    "escape": ("Phòng\x1b[2J\x1b[1;1H", "U+001B"),
    "newline": ("Phòng Một\n5\t2026\top\tUnit.Added\tforged", "U+000A"),
    "c1": ("Phòng\x9b2J", "U+009B"),
    "bidi override": ("Phòng \u202eexe.gpj", "U+202E"),
    "line separator": ("Phòng\u2028Một", "U+2028"),
}


def _refused(result: object, code: int, *fragments: str) -> str:
    assert getattr(result, "exit_code") == code, getattr(result, "output")  # noqa: B009
    line = one_error_line(result)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in line, line
    assert getattr(result, "stdout") == ""  # noqa: B009
    assert "\x1b" not in line and "\u202e" not in line
    return line


@pytest.mark.parametrize(("text", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_name_with_a_control_character_is_refused_and_nothing_recorded(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, text: str, code: str
) -> None:
    before = raw.snapshot()
    unit = awards(
        "unit", "add", "U9", "--name", text, "--level", "department", "--key", keys.sec_key
    )
    _refused(unit, 2, "unit 'U9': name", code)
    person = awards("person", "add", "P9", "--name", text, "--unit", "U1", "--key", keys.sec_key)
    _refused(person, 2, "person 'P9': name", code)
    revoke = awards("signer", "revoke", "sec", "--reason", text, "--key", keys.op_key)
    _refused(revoke, 2, "reason", code)
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_a_movement_name_theme_and_a_score_reason_are_checked_too(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    launch = [
        "movement", "launch", "M1", "--start", "2020-01-01", "--end", "2020-12-31",
        "--deadline", "2020-03-01", "--key", keys.sec_key,
    ]  # fmt: skip
    _refused(awards(*launch, "--name", "Thi đua\x1b]0;owned\x07"), 2, "name", "U+001B")
    _refused(awards(*launch, "--name", "Thi đua", "--theme", "a\u2066b"), 2, "theme", "U+2066")
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_a_csv_name_with_a_bidi_override_is_malformed_input_naming_the_line(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "id,name,unit,category,direct_worker\nP8,Lê Văn C,U1,,false\nP9,Lê \u202eC,U1,,false\n",
        encoding="utf-8",
    )
    before = raw.snapshot()
    result = awards("import", "people", people, "--key", keys.sec_key)
    _refused(result, 3, "people.csv line 3", "U+202E")
    assert raw.snapshot() == before


def test_an_id_typed_decomposed_is_the_id_typed_precomposed(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    composed = "HỦ-1"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    added = awards(
        "person", "add", decomposed, "--name", "Hồ Thị Ủ", "--unit", "U1", "--key", keys.sec_key
    )
    assert added.exit_code == 0, added.output
    before = raw.snapshot()

    again = awards(
        "person", "add", composed, "--name", "Hồ Thị Ủ", "--unit", "U1", "--key", keys.sec_key
    )

    _refused(again, 1, "already")
    assert raw.snapshot() == before
    history = json.loads(awards("history", decomposed, "--json").stdout)
    assert [e["type"] for e in history["events"]] == ["Person.Added"]


@pytest.mark.backend_agnostic
@pytest.mark.parametrize(
    "lookalike",
    ["P\u04201", "\u0420P1", "U\u0399", "\uff30\uff11"],  # Cyrillic Er, Greek Iota, fullwidth
)
def test_a_lookalike_id_is_refused(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, lookalike: str
) -> None:
    before = raw.snapshot()
    result = awards(
        "person", "add", lookalike, "--name", "Giả Mạo", "--unit", "U1", "--key", keys.sec_key
    )
    _refused(result, 2, "person id")
    assert raw.snapshot() == before


def _old_ledger_holds(
    app: LedgerApp, keys: Keys, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Write a unit named `name` as a ledger made before the door checked text would hold it
    (the checks switched off; the event is signed by the real secretary key)."""
    with monkeypatch.context() as patched:
        patched.setattr(domain.base, "check_event_text", lambda *args: None)
        patched.setattr(domain.registry, "check_text", lambda value, what: value)
        registry.add_unit(app, keys.sec, "U9", name, "department")


FORGED = "Evil\x1b[2J\x1b[1;1H\n9\t2026-01-01\top\tSigner.Revoked\tforged\u202eexe.gpj"


def test_log_history_and_json_escape_what_an_older_ledger_holds(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_ledger_holds(ledger, keys, monkeypatch, FORGED)
    count = raw.count()

    log = awards("log")
    history = awards("history", "U9")

    assert log.exit_code == 0 and history.exit_code == 0, (log.output, history.output)
    for out in (log.stdout, history.stdout):
        assert "\x1b" not in out and "\u202e" not in out
        assert "Evil\\x1b[2J\\x1b[1;1H\\x0a9\\x092026-01-01" in out
    assert len(log.stdout.splitlines()) == count  # one line an event: nothing forged
    assert all(len(line.split("\t")) == 5 for line in log.stdout.splitlines())
    rows = json.loads(awards("log", "--json").stdout)
    assert [r for r in rows if r["type"] == "Unit.Added"][-1]["summary"].find(FORGED) >= 0


def test_an_error_line_escapes_a_hostile_file_name(
    ledger: LedgerApp, awards: Cli, tmp_path: Path
) -> None:
    result = awards("verify", "--checkpoint", tmp_path / "cp\x1b[2J\u202e.txt")
    line = _refused(result, 3, "checkpoint")
    assert "cp\\x1b[2J\\u202e.txt" in line
