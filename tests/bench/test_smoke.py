"""`make bench` at a tiny size, so that `make test` catches a broken benchmark: the generator,
every phase of bench/phases.py (in this process, sizes cut down), bench/run.py's per-size
figures and table, bench/cli_bench.py (real `awards` processes, one run each: one read,
verify, publish, republish; every read's command line in-process), and the profile's paths.
No figure is judged: only that each runs and reports what the table needs. About 7 s of CPU
(its wall time grows with the machine's load: the appends and the verify pool wait on it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import cli_bench, generate, phases, profile, run, view_bench
from bench.ledger_bench import proof_times
from tests.conftest import Cli

TINY = 300  # events asked for: one block of the mix (≈ 760) and the 1,000 units after C1


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("ledgers")
    info = generate.generate(TINY, "tiny", folder=folder)
    yield folder / "tiny.db", info


def test_the_generator_lays_out_a_checkpointed_ledger_with_new_events_after_it(
    tiny: tuple[Path, dict[str, Any]],
) -> None:
    # given the tiny generated ledger, then its sidecar describes it
    db, info = tiny
    assert db.exists() and generate.cached("tiny", db.parent) == info
    assert info["new_events"] == generate.NEW_EVENTS + 2  # the units, C1's and C2's own events
    assert info["events"] == info["trusted_size"] + info["new_events"]


def test_every_phase_and_the_table_run_at_a_tiny_size(
    tiny: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the phases cut down and run in this process, and the CLI bench at one run each
    db, info = tiny
    monkeypatch.setattr(phases, "RAW_VERIFY_N", 200)
    monkeypatch.setattr(phases, "RAW_SIGN_N", 200)
    monkeypatch.setattr(phases, "PROOF_SAMPLES", 5)
    monkeypatch.setenv("BENCH_APPEND_EVENTS", "500")

    def in_process(name: str, ledger: Path | None = None, env: Any = None) -> Any:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        return phases.run_phase(name, ledger or Path("-"), tmp_path)

    measure, cases = cli_bench.measure, cli_bench.read_cases
    monkeypatch.setattr(run, "phase", in_process)
    monkeypatch.setattr(run, "paths", lambda label: generate.paths(label, db.parent))
    monkeypatch.setattr(  # one read as a process (each costs a start): the rest in-process below
        cli_bench, "read_cases", lambda info, out: dict(list(cases(info, out).items())[:1])
    )
    monkeypatch.setattr(
        cli_bench, "measure", lambda ledger, runs, heavy_runs: measure(ledger, 1, 1, warm=False)
    )
    # when bench/run.py collects what `make bench` collects for one size
    figures: dict[str, Any] = {
        "append": in_process("append", env={"BENCH_APPEND_ROUNDS": "1"}),
        "append_sides": in_process("append-sides", env={"BENCH_AB_ROUNDS": "1"}),
        "sizes": {"tiny": run.bench_size("tiny", {**info, "generated_now": True}, quick=True)},
        "proofs_synthetic_1m": proof_times(1000, samples=5),
        "cores": os.cpu_count() or 1,
        "python": "3",
        "load_average": {"start": 0.0, "max": 0.0, "end": 0.0},
        "measured_at": "2026-01-01T00:00:00",
        "seconds": 1.0,
    }
    text = run.table(figures)
    # then every figure is in the table, and the figures are JSON
    size = figures["sizes"]["tiny"]
    assert size["verify"]["ok"] and size["verify_since"]["ok"]
    assert (
        size["cli"]["publish"]["republish"]["sizes"][0] == info["events"] + cli_bench.NEW_EVENTS + 1
    )
    for row in ("signed bulk append", "tiles + event index", "full verify", "publish", "awards"):
        assert row in text
    assert len(size["cli"]["reads"]) == 1
    json.dumps(figures)
    assert "figure" in cli_bench.table(size["cli"])


def test_every_timed_read_is_a_command_that_succeeds(
    tiny: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the tiny ledger, when each of cli_bench's reads runs (in-process), then it succeeds
    db, info = tiny
    awards = Cli(str(db), monkeypatch)
    try:
        for name, argv in cli_bench.read_cases(info, tmp_path).items():
            done = awards(*argv(0))
            assert done.exit_code == 0, f"{name}: {done.stderr}"
    finally:
        awards.close()


def test_view_bench_shares_the_process_timer() -> None:
    # then bench/view_bench.py (standings and tally, run by bench/run.py) times with cli_bench's
    assert view_bench.run_once is cli_bench.run_once


def test_the_profile_paths_run(tiny: tuple[Path, dict[str, Any]]) -> None:
    # given the tiny ledger, when the profiled paths run, then they finish
    db, _ = tiny
    for path in ("verify-since", "rebuild"):
        profile.run(path, db)


def test_the_benchmarks_that_open_the_index_table_find_it(
    tiny: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the tiny ledger: its registrations are counted on the index
    import sqlite3

    from ledger.event_index import TABLE

    db, _ = tiny
    assert view_bench._participants(db) > 0
    # and the backfill figure: the index of a copy really dropped, then filled by `awards`
    seen: list[tuple[int, int]] = []
    timed = cli_bench.run_once

    def checked(argv: list[str]) -> tuple[float, float, float]:
        def count() -> int:
            with sqlite3.connect(argv[2]) as conn:
                query = "SELECT count(*) FROM sqlite_master WHERE name = ?"
                return int(conn.execute(query, (f"stored_events{TABLE}",)).fetchone()[0])

        before = count()
        figures = timed(argv)
        seen.append((before, count()))
        return figures

    monkeypatch.setattr(cli_bench, "run_once", checked)
    figures = cli_bench.backfill(db, tmp_path)
    assert seen == [(0, 1)] and figures["wall_s"] > 0 and figures["peak_mb"] > 0


def test_the_view_bench_appends_a_score_of_the_movement_and_a_checkpoint(
    tiny: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    # given a copy of the tiny ledger
    import shutil

    from ledger.application import open_ledger

    db, info = tiny
    copy = tmp_path / "copy.db"
    shutil.copyfile(db, copy)
    app = open_ledger(str(copy))
    size, signed = len(list(app.entries())), app.genesis().latest_checkpoint
    app.close()
    # when the bench scores the movement's participant B00000-P01 again
    view_bench.new_score(copy, info["keys"], 0)
    # then two events follow: a score, and a checkpoint over the ledger up to it
    app = open_ledger(str(copy))
    try:
        assert len(list(app.entries())) == size + 2
        checkpoint = app.genesis().latest_checkpoint
        assert checkpoint is not None and checkpoint.size == size + 1 and checkpoint != signed
    finally:
        app.close()


def test_the_table_judges_standings_after_a_new_score_by_its_worst_peak() -> None:
    # given figures of standings right after new scores, one run's peak above the target
    scored = {"wall_ms": 150.0, "cpu_ms": 140.0, "peak_mb": 90.0, "max_peak_mb": 101.0}
    figures = {"participants": 65_800, "standings_scored": scored}
    # when the table's rows are made at 1m, then the row says so and misses the target
    [row] = run.view_rows(figures, "1m")
    assert "after a new score" in row[0] and "peak 101 MB" in row[2]
    assert row[-1] == run._ok(False) != run._ok(True)
    # and a report within both targets is judged met, one above 5 s missed
    report = {"wall_ms": 3200.0, "cpu_ms": 3100.0, "peak_mb": 95.0}
    [met] = run.view_rows({"participants": 1, "report_first": report}, "1m")
    slow = {**report, "cpu_ms": 5100.0}
    [missed] = run.view_rows({"participants": 1, "report_scored": slow}, "1m")
    assert "3.10 cpu" in met[2] and met[-1] == run._ok(True) and missed[-1] == run._ok(False)


def test_each_read_is_measured_against_its_own_command_help(tmp_path: Path) -> None:
    # given cli_bench's reads, then each one's baseline is `awards CMD --help`, which succeeds
    from click.testing import CliRunner

    from cli.main import cli

    info = {"events": 1000, "requested": 1000}
    for name, argv in cli_bench.read_cases(info, tmp_path).items():
        start = cli_bench.start_argv(argv(0))
        assert start == [cli_bench.AWARDS, name.split()[0], "--help"]
        helped = CliRunner().invoke(cli, start[1:])
        assert helped.exit_code == 0 and f"Usage: awards {start[1]} " in helped.stdout, name
    assert [view_bench.started(k) for k in ("tally_cold", "json_scored", "report_first")] == [
        "tally", "standings", "report",
    ]  # fmt: skip
