"""What a user sees when the views stored beside the log were edited (no key needed): read
commands print the log's answer with one warning line, or exit 4 and print nothing when the
log itself misses its signed root; `awards verify` reports the edit (exit 4)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from cli.report_cmd import standings_bytes
from ledger import localkey
from projections import indexed, indexed_report, queries
from projections.history import history_view
from projections.store import ViewStore
from projections.verify_views import stored_rows
from tests.conftest import Cli, RawRows, one_error_line
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario, scenario

__all__ = ["scenario"]  # the fixture used here

REAL, FORGED = "Nguyễn Văn An", "Kẻ Giả Mạo"


@pytest.fixture(autouse=True)
def _large_movements(monkeypatch: pytest.MonkeyPatch) -> None:
    """`standings` reads the movement's own stored view here and `report` the ledger view, as
    they do for a movement larger than the event index answers for (a small one is read from
    the index: test_view_reads_cmd)."""
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 0)
    monkeypatch.setattr(indexed_report, "INDEXED_REPORT", 0)


def _forge(raw: RawRows) -> None:
    """Every stored view's state: P1 renamed, and the history emptied (no key, no seal)."""
    table = raw.side_table("award_sealed_views")
    for name, state in raw.execute(f"SELECT name, state FROM {table}"):
        state = bytes(state)
        forged = state.replace(REAL.encode(), FORGED.encode())
        if forged == state:
            forged = history_view("P1").encode(history_view("P1").initial())
        raw.execute(f"UPDATE {table} SET state = ? WHERE name = ?", (forged, name))


def _commands(scenario: Scenario, out: Path) -> dict[str, list[str]]:
    size, signed = scenario.written.size, scenario.written.checkpoint_size
    return {
        "report-json": ["report", MOVEMENT, "--format", "json"],
        "report-html": ["report", MOVEMENT, "--format", "html", "--lang", "en"],
        "report-csv": ["report", MOVEMENT, "--format", "csv", "--out", str(out), "--force"],
        "report-at-seq": ["report", MOVEMENT, "--format", "json", "--at-seq", str(signed)],
        "standings": ["standings", MOVEMENT, "--json"],
        "standings-at-seq": ["standings", MOVEMENT, "--at-seq", str(size)],
        "tally": ["tally", "S-AW"],
        "history": ["history", "P1", "--json"],
    }


def _csv(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.exists() else {}


@pytest.mark.parametrize(
    "command",
    [
        "report-json",
        "report-html",
        "report-csv",
        "report-at-seq",
        "standings",
        "standings-at-seq",
    ],
)
def test_a_read_after_an_edit_prints_the_log_and_one_warning(
    scenario: Scenario, awards: Cli, raw: RawRows, tmp_path: Path, command: str
) -> None:
    argv = _commands(scenario, tmp_path / "csv")[command]
    first = awards(*argv)
    assert first.exit_code == 0 and first.stderr == "", first.stderr
    files = _csv(tmp_path / "csv")
    _forge(raw)

    again = awards(*argv)

    assert again.exit_code == 0
    assert again.stdout == first.stdout and FORGED not in again.stdout
    assert _csv(tmp_path / "csv") == files
    [warning] = again.stderr.splitlines()
    assert warning.startswith("warning: view ") and "fails its seal" in warning
    assert awards(*argv).stderr == ""  # rebuilt: the next read finds a sealed copy


def test_verify_reports_an_edited_view_and_exits_4(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    assert awards("report", MOVEMENT, "--format", "json").exit_code == 0
    assert awards("verify").exit_code == 0
    _forge(raw)

    result = awards("verify")

    assert result.exit_code == 4
    assert any(
        line.startswith("step 8: stored view 'ledger'") for line in result.stdout.splitlines()
    )
    assert "fails its seal" in one_error_line(result)
    report = json.loads(awards("verify", "--json").stdout)
    assert not report["ok"] and {p["step"] for p in report["problems"]} == {8}


def test_a_log_that_misses_its_signed_root_prints_nothing(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    signed = scenario.written.checkpoint_size
    raw.swap_rows(signed - 3, signed - 2)

    for argv in (
        ["report", MOVEMENT, "--format", "json"],
        ["standings", MOVEMENT],
    ):
        result = awards(*argv)
        assert result.exit_code == 4, result.stderr
        assert result.stdout == ""
        assert one_error_line(result) == (
            f"error: the ledger does not match its signed checkpoint of size {signed}; "
            "run 'awards verify'"
        )


def test_history_refuses_the_moved_events_it_would_show(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    """`history` keeps no view: it reads the event index and checks each event it shows
    against the signed tree (tests/cli/test_inspect_cmd.py); moved rows are not shown."""
    signed = scenario.written.checkpoint_size
    raw.swap_rows(signed - 3, signed - 2)  # P4's award entered in the register, its record

    warned = awards("history", "P4", "--at-seq", str(signed + 1))
    assert warned.exit_code == 0 and "RecipientRecord.Opened" not in warned.stdout
    assert "is not the event the signed tree holds there" in warned.stderr
    strict = awards("--strict", "history", "P4")
    assert strict.exit_code == 4 and strict.stdout == ""
    assert "is not the event the signed tree holds there" in one_error_line(strict)


def test_the_local_key_file_is_made_private_on_first_use(
    scenario: Scenario, awards: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state" / "award-ledger" / "view.key"
    monkeypatch.setenv(localkey.ENV, str(path))

    assert awards("standings", MOVEMENT).exit_code == 0

    mode = path.stat().st_mode
    assert stat.S_IMODE(mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(path.read_bytes()) == localkey.SIZE


def test_without_a_usable_key_views_are_folded_but_not_stored(
    scenario: Scenario, awards: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "view.key"
    path.write_bytes(b"short")
    path.chmod(0o600)
    monkeypatch.setenv(localkey.ENV, str(path))

    result = awards("standings", MOVEMENT)

    assert result.exit_code == 0 and result.stderr == ""
    assert stored_rows(ViewStore(scenario.app)) == ([], [])


@pytest.mark.parametrize("form", [[], ["--json"]], ids=["table", "json"])
def test_without_a_usable_key_a_large_movements_standings_are_printed_whole(
    scenario: Scenario,
    awards: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    form: list[str],
) -> None:
    # given a movement read as a large one (from its own view, printed as the rows are made
    # and kept as printed) and a local key that cannot be used: nothing can be kept
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 0)
    path = tmp_path / "view.key"
    path.write_bytes(b"short")
    path.chmod(0o600)
    monkeypatch.setenv(localkey.ENV, str(path))
    # when the standings are read, then every row is printed all the same, nothing stored
    result = awards("standings", MOVEMENT, *form)
    answer, table, _ = queries.standings_folded(scenario.app, MOVEMENT)
    truth = standings_bytes(answer, table, bool(form))
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.encode("utf-8") == truth and truth.count(b"P1") >= 1
    assert stored_rows(ViewStore(scenario.app)) == ([], [])


@pytest.mark.parametrize(
    "argv",
    [
        ["standings", MOVEMENT],
        ["tally", "S-AW"],
        ["report", MOVEMENT, "--format", "json"],
    ],
)
def test_view_reads_check_the_log_against_the_signed_checkpoint(
    scenario: Scenario, awards: Cli, raw: RawRows, argv: list[str]
) -> None:
    """A view read answers from a sealed copy anchored at the signed checkpoint; it still checks
    the log it stands on (the tiles' root against the signed one, the rows after it against the
    tiles): edited tiles are warned about, and with --strict the read exits 4, printing nothing."""
    assert awards(*argv).exit_code == 0  # a sealed copy is stored: the read would not fold
    awards("log")  # the tiles exist (a PostgreSQL template copy gets them on first need)
    raw.zero_first_leaf_hash()
    before = raw.snapshot()

    warned = awards(*argv)

    assert warned.exit_code == 0
    assert "warning: the log does not match the signed checkpoint of size" in warned.stderr
    strict = awards("--strict", *argv)
    assert strict.exit_code == 4 and strict.stdout == ""
    assert "does not match the signed checkpoint" in one_error_line(strict)
    assert raw.snapshot() == before
