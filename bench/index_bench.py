"""Benchmark the inspector reads on the event index as a user runs them: `history`, `show`,
`log --type`, `list`, each the whole `awards` process minus `awards --help` (process start).

Runs the command and `awards --help` in turn (A B A B …, so drift hits both), each in a fresh
process whose wall time, CPU time (user + system) and peak RSS are its own (``os.wait4``), and
prints the medians: the command's time beyond process start, and its peak memory. Targets
(issue 12): `show` and `history` of one person ≤ 50 ms beyond process start at 1M events, peak
≤ 100 MB. With ``--backfill`` it first times filling the index of a copy of the ledger made
without one (the one-off cost for ledgers older than the index).

Run: ``.venv/bin/python -m bench.index_bench [--ledger bench/results/ledgers/1M.db] [--runs 5]
[--participant ID] [--backfill]``; writes bench/results/index.json. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AWARDS = str(Path(".venv/bin/awards"))


def run_once(args: list[str]) -> tuple[float, float, float]:
    """(wall s, cpu s, peak MB) of one process running `args` (output discarded)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def beyond_start(ledger: str, command: list[str], runs: int) -> dict[str, float]:
    """Medians of the command's wall and CPU time minus `awards --help`'s, and its peak MB."""
    mine: list[tuple[float, float, float]] = []
    base: list[tuple[float, float, float]] = []
    run_once([AWARDS, "--ledger", ledger, *command])  # warm the page cache
    for _ in range(runs):
        mine.append(run_once([AWARDS, "--ledger", ledger, *command]))
        base.append(run_once([AWARDS, "--help"]))
    return {
        "wall_ms": 1000 * statistics.median(m[0] - b[0] for m, b in zip(mine, base, strict=True)),
        "cpu_ms": 1000 * statistics.median(m[1] - b[1] for m, b in zip(mine, base, strict=True)),
        "peak_mb": statistics.median(m[2] for m in mine),
        "start_wall_ms": 1000 * statistics.median(b[0] for b in base),
    }


def a_participant(ledger: Path) -> str:
    """The first participant the index names (SQLite ledgers)."""
    with sqlite3.connect(ledger) as conn:
        row = conn.execute(
            "SELECT key FROM stored_events_index WHERE kind = 'participant' LIMIT 1"
        ).fetchone()
    if row is None:
        raise SystemExit("the ledger has no event index yet: run with --backfill first")
    return str(row[0])


def backfill(ledger: Path) -> dict[str, float]:
    """Time filling the index of a copy of `ledger` from which it was dropped."""
    with tempfile.TemporaryDirectory(dir=ledger.parent) as tmp:
        copy = Path(tmp) / ledger.name
        shutil.copyfile(ledger, copy)
        with sqlite3.connect(copy) as conn:
            conn.execute("DROP TABLE IF EXISTS stored_events_index")
        wall, cpu, peak = run_once([AWARDS, "--ledger", str(copy), "list", "movements"])
    return {"wall_s": wall, "cpu_s": cpu, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=Path, default=Path("bench/results/ledgers/1M.db"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--participant", default=None)
    parser.add_argument("--backfill", action="store_true")
    args = parser.parse_args()
    ledger = str(args.ledger)
    figures: dict[str, Any] = {"ledger": ledger, "runs": args.runs}
    if args.backfill:
        figures["backfill"] = backfill(args.ledger)
        print(f"backfill: {figures['backfill']}")
    run_once([AWARDS, "--ledger", ledger, "list", "movements"])  # the index is current
    participant = args.participant or a_participant(args.ledger)
    cases = {
        f"history {participant}": ["history", participant],
        "show 500000": ["show", "500000"],
        "log --type Decision.Recorded --limit 50": [
            "log", "--type", "Decision.Recorded", "--limit", "50",
        ],
        "list movements": ["list", "movements"],
    }  # fmt: skip
    figures["cases"] = {}
    for name, command in cases.items():
        found = beyond_start(ledger, command, args.runs)
        figures["cases"][name] = found
        print(
            f"{name:>42}: +{found['wall_ms']:6.1f} ms wall, +{found['cpu_ms']:6.1f} ms cpu "
            f"beyond start ({found['start_wall_ms']:.0f} ms); peak {found['peak_mb']:.0f} MB"
        )
    figures["measured_at"] = datetime.now(UTC).isoformat()
    figures["load_average_1m"] = os.getloadavg()[0]
    results = Path("bench/results")
    results.mkdir(parents=True, exist_ok=True)
    (results / "index.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
