"""Progress on a terminal (issue 12, item 6): the one facility (cli/progress.py), the library's
once-a-page callbacks, and the commands' wiring — drawn only on a terminal, never with --json,
erased before the result or the one `error:` line."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest

import cli.main  # noqa: F401  (installs the warning handler that erases a progress line)
from cli import progress as progress_module
from cli.progress import Meter, duration, progress
from ledger import reader as reader_module
from ledger.application import LedgerApp
from ledger.usecases import imports, registry
from ledger.verify import audit
from projections import queries
from tests.conftest import LEDGER_SIZE, SEQ_CHECKPOINT, SEQ_P1, Cli, Keys, RawRows

ERASE = "\r\x1b[K"


class Terminal(io.StringIO):
    """An output stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Make stderr and stdout terminals (inside the test: pytest's capture resets sys.stderr
    after fixtures); returns stderr."""
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setenv("TERM", "xterm")
    return err


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pages of 2 rows (the one log reader's), so a small ledger has several."""
    monkeypatch.setattr(reader_module, "PAGE", 2)
    return 2


# -- the facility ---------------------------------------------------------------------------------


def test_meter_draws_count_total_rate_and_time_left_in_place() -> None:
    out, clock = Terminal(), Clock()
    meter = Meter("verify", 1000, stream=out, clock=clock)
    meter.update(100)  # before DELAY: a quick command shows nothing
    assert out.getvalue() == ""
    clock.now += 2
    meter.update(250)
    assert out.getvalue() == "\rverify: 250 / 1,000 events (25%), 125/s, about 6 s left\x1b[K"
    clock.now += progress_module.INTERVAL / 2
    meter.update(260)  # too soon after the last redraw
    assert out.getvalue().count("\r") == 1
    clock.now += 2
    meter.update(1200, 1500)  # a new estimate of the total
    assert out.getvalue().endswith(
        "\rverify: 1,200 / 1,500 events (80%), 296/s, about 1 s left\x1b[K"
    )
    meter.clear()
    assert out.getvalue().endswith(ERASE)


def test_meter_line_without_a_total_and_past_the_estimate() -> None:
    clock = Clock()
    meter = Meter("fold", 0, unit="rows", clock=clock)
    clock.now += 1
    meter.update(5000)
    assert meter.line(clock.now) == "fold: 5,000 rows, 5,000/s"
    meter.update(7, 5)  # ids skip numbers: the estimate can be low
    assert meter.line(clock.now) == "fold: 7 / 7 rows (100%), 7/s"


def test_meter_cuts_the_line_to_the_terminal_and_escapes_its_label(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    out, clock = Terminal(), Clock()
    meter = Meter("importing \x1b[2Jx.csv", 10, unit="rows", stream=out, clock=clock)
    clock.now += 1
    meter.update(5)
    drawn = out.getvalue()
    assert "\x1b[2J" not in drawn  # a file name cannot clear the screen
    assert len(drawn.removeprefix("\r").removesuffix("\x1b[K")) == 29  # never wraps


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "0 s"), (59.6, "1 min 0 s"), (185, "3 min 5 s"), (7800, "2 h 10 min")],
)
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_progress_draws_on_a_terminal_and_erases_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    err = terminal(monkeypatch)
    monkeypatch.setattr(progress_module, "DELAY", -1.0)
    with progress("verify", 10) as meter:
        assert meter.on_progress is not None
        meter.on_progress(4, 10)
        assert "verify: 4 / 10 events (40%)" in err.getvalue()
    assert err.getvalue().endswith(ERASE)


def test_progress_erases_itself_before_an_error_is_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    err = terminal(monkeypatch)
    monkeypatch.setattr(progress_module, "DELAY", -1.0)
    with pytest.raises(KeyError), progress("verify", 10) as meter:
        meter.update(4)
        raise KeyError("boom")
    assert err.getvalue().endswith(ERASE)


def test_a_warning_erases_the_progress_line_first(monkeypatch: pytest.MonkeyPatch) -> None:
    err = terminal(monkeypatch)
    monkeypatch.setattr(progress_module, "DELAY", -1.0)
    with progress("report", 10) as meter:
        meter.update(4)
        logging.getLogger("award_ledger").warning("view 'ledger': the stored copy fails its seal")
        assert err.getvalue().endswith(
            ERASE + "warning: view 'ledger': the stored copy fails its seal\n"
        )


@pytest.mark.parametrize(
    "why", ["stderr not a terminal", "stdout not a terminal", "--json", "TERM=dumb"]
)
def test_progress_is_quiet_off_a_terminal_and_with_json(
    why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "DELAY", -1.0)
    monkeypatch.setenv("TERM", "dumb" if why == "TERM=dumb" else "xterm")
    err = Terminal() if why != "stderr not a terminal" else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(
        sys, "stdout", Terminal() if why != "stdout not a terminal" else io.StringIO()
    )
    with progress("verify", 10, quiet=why == "--json") as meter:
        assert meter.on_progress is None  # the library skips even its estimate
        meter.update(4)
        meter.advance(6)
        assert meter.done == 10
    assert err.getvalue() == ""


# -- the library's callbacks: once a page, the figures unchanged ----------------------------------


def test_audit_reports_progress_once_a_page(ledger: LedgerApp, small_pages: int) -> None:
    seen: list[tuple[int, int]] = []
    report = audit(ledger, on_progress=lambda done, total: seen.append((done, total)))
    assert report.ok and report.size == LEDGER_SIZE
    pages = -(-LEDGER_SIZE // small_pages)
    assert [done for done, _ in seen] == [
        min(n * small_pages, LEDGER_SIZE) for n in range(1, pages + 1)
    ]
    assert {total for _, total in seen} == {LEDGER_SIZE}
    assert audit(ledger) == report  # the same figures with or without a callback


def test_checkpoint_audit_reports_progress(ledger: LedgerApp, keys: Keys, small_pages: int) -> None:
    for n in range(3):
        registry.add_person(ledger, keys.sec, f"P{n + 10}", "Nguyễn Văn D", "U1")
    seen: list[tuple[int, int]] = []
    registry.sign_new_checkpoint(ledger, keys.op, lambda d, t: seen.append((d, t)))
    # only what is new since the stored checkpoint (over the first SEQ_CHECKPOINT events)
    assert seen[-1] == (LEDGER_SIZE - SEQ_CHECKPOINT + 3, LEDGER_SIZE - SEQ_CHECKPOINT + 3)


def test_a_fold_reports_progress_once_a_page(ledger: LedgerApp, small_pages: int) -> None:
    seen: list[tuple[int, int]] = []
    answer = queries.history(ledger, "P1", on_progress=lambda d, t: seen.append((d, t)))
    assert [row.seq for row in answer.events] == [SEQ_P1]
    assert [done for done, _ in seen] == list(range(2, LEDGER_SIZE, 2))  # each full page
    assert {total for _, total in seen} == {LEDGER_SIZE}
    assert queries.history(ledger, "P1") == answer


# -- the commands' wiring -------------------------------------------------------------------------


@pytest.fixture
def on_a_terminal(monkeypatch: pytest.MonkeyPatch, small_pages: int) -> None:
    """The commands believe they run on a terminal; every update draws."""
    monkeypatch.setattr(progress_module, "is_terminal", lambda stream: True)
    monkeypatch.setattr(progress_module, "DELAY", -1.0)
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)
    monkeypatch.setenv("TERM", "xterm")


@pytest.mark.parametrize(
    "command",
    [
        ("verify",),
        ("standings", "M-none", "--appended-before", "2030-01-01"),  # by append time: folds
        ("report", "M-none", "--format", "json", "--appended-before", "2030-01-01"),  # folds
    ],
)
def test_commands_show_progress_on_a_terminal_and_erase_it(
    ledger: LedgerApp, awards: Cli, on_a_terminal: None, command: tuple[str, ...]
) -> None:
    result = awards(*command)
    label = command[0]
    assert f"\r{label}" in result.stderr
    # the line is erased; nothing else on stderr but (for standings) its one error line
    tail = result.stderr.rpartition(ERASE)[2]
    if result.exit_code == 0:
        assert tail == ""
    else:
        assert tail.startswith(f"error: {label}: ") and "not found" in tail
        assert tail.count("\n") == 1
    assert "\r" not in result.stdout


def test_history_shows_progress_while_it_fills_the_event_index(
    ledger: LedgerApp, awards: Cli, on_a_terminal: None, raw: RawRows
) -> None:
    """`history` reads only what it shows; its one long step is filling the index of a ledger
    made before it (here: dropped)."""
    events = "awardledger_events" if raw.location.is_postgres else "stored_events"
    raw.execute(f"DROP TABLE IF EXISTS {raw.side_table(events + '_index2')}")
    result = awards("history", "P1")
    assert result.exit_code == 0 and "\rhistory: indexing events" in result.stderr
    assert result.stderr.rpartition(ERASE)[2] == "" and "\r" not in result.stdout


def test_verify_with_json_or_off_a_terminal_writes_nothing_on_stderr(
    ledger: LedgerApp, awards: Cli, monkeypatch: pytest.MonkeyPatch, small_pages: int
) -> None:
    monkeypatch.setattr(progress_module, "DELAY", -1.0)
    monkeypatch.setenv("TERM", "xterm")
    assert awards("verify").stderr == ""  # CliRunner's streams are no terminal
    monkeypatch.setattr(progress_module, "is_terminal", lambda stream: True)
    result = awards("verify", "--json")
    assert result.exit_code == 0 and result.stderr == ""


def test_a_failed_verify_prints_its_error_on_a_clean_line(
    ledger: LedgerApp, awards: Cli, raw: RawRows, on_a_terminal: None
) -> None:
    raw.update_state(SEQ_P1, raw.row(SEQ_P1).state.replace(b'"name":"Ng', b'"name":"Mg', 1))
    before = raw.snapshot()
    result = awards("verify")
    assert result.exit_code == 4
    assert "\rverify: " in result.stderr
    tail = result.stderr.rpartition(ERASE)[2]
    assert tail.startswith(f"error: verify failed: event {SEQ_P1}") and tail.count("\n") == 1
    assert raw.snapshot() == before


def test_checkpoint_and_import_show_progress(
    ledger: LedgerApp,
    awards: Cli,
    keys: Keys,
    on_a_terminal: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed = awards("checkpoint", "--key", keys.op_key)
    assert signed.exit_code == 0, signed.stderr
    assert "\rcheckpoint: audit" in signed.stderr and signed.stderr.endswith(ERASE)
    people = tmp_path / "people.csv"
    rows = "".join(f"Q{i},Người {i},U1,cadre,false\n" for i in range(3))
    people.write_text(f"id,name,unit,category,direct_worker\n{rows}", encoding="utf-8")
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    done = awards("import", "people", people, "--key", keys.sec_key)
    assert done.exit_code == 0, done.stderr
    assert "\rimporting people.csv: 3 / 3 rows (100%)" in done.stderr
    assert done.stderr.endswith(ERASE)


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)  # the demo makes its own
def test_demo_shows_its_steps(
    awards: Cli, on_a_terminal: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = awards("demo", "--out", tmp_path / "demo", ledger=False)
    assert result.exit_code == 0, result.stderr
    assert "\rdemo: scenarios: 6 / 6 steps (100%)" in result.stderr
    assert "\rdemo: reports: " in result.stderr and result.stderr.endswith(ERASE)
    assert "\r" not in result.stdout


def test_publish_shows_progress_on_a_terminal_and_erases_it(
    ledger: LedgerApp, awards: Cli, on_a_terminal: None, tmp_path: Path
) -> None:
    result = awards("publish", str(tmp_path / "pub"))
    assert result.exit_code == 0, result.stderr
    assert "\rpublish: " in result.stderr and " entries" in result.stderr
    assert result.stderr.rpartition(ERASE)[2] == ""
    assert "\r" not in result.stdout
