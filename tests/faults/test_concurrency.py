"""Four processes writing one ledger at once (SQLite file, PostgreSQL schema) lose nothing.

tests/ledger/test_concurrency.py covers two writers adding single units and racing for the
same unit ids. Here four OS processes each run a mixed sequence, many events per command:
their own CSV imports of units and then people in those units, single unit and person adds,
a checkpoint, a race for the same unit ids, and a race of all four importing the *same*
units file (at most one may win, with all of its rows). Every command prints its receipt
(`--json`). At the end, from `awards log --json`:

- every exit-0 write is there exactly once, at the seqs its receipt names, with all its events;
- every failure exited 5 (storage or concurrency) or 1 (a genuine domain refusal: the id was
  taken by another writer, or the unit its people need was never written) with one `error:`
  line, and left no event of its own;
- nothing else was written, no aggregate is there twice, and `awards verify` exits 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from domain.registry import Ledger, Person, Unit
from ledger.application import LedgerApp
from tests.conftest import LEDGER_SIZE, Keys, RawRows
from tests.faults.conftest import ROOT, assert_clean_failure, run_awards
from tests.faults.conftest import Run as Finished

WRITERS = "ABCD"
RACED_UNITS = [f"S{i}" for i in range(2)]
SHARED_UNITS = [f"Z{i}" for i in range(10)]

# One writer: import everything first, say "ready", then run each [argv…] of the job read
# from stdin as `awards --ledger URL argv…` would (closing the ledger after each command).
DRIVER = """
import json, sys
from click.testing import CliRunner
from cli import context as cli_context
from cli.main import cli
opened = []
real_open = cli_context.open_ledger
def tracking_open(url, *args, **kwargs):
    app = real_open(url, *args, **kwargs)
    opened.append(app)
    return app
cli_context.open_ledger = tracking_open
print("ready", flush=True)
url, commands = json.loads(sys.stdin.readline())
runner = CliRunner()
results = []
for argv in commands:
    r = runner.invoke(cli, ["--ledger", url, *argv])
    crashed = r.exception is not None and not isinstance(r.exception, SystemExit)
    results.append([argv, r.exit_code, r.stdout, r.stderr, repr(r.exception) if crashed else None])
    while opened:
        opened.pop().close()
print(json.dumps(results), flush=True)
"""


@dataclass(frozen=True)
class Command:
    """One write and the aggregates (id, event type) it creates when it succeeds."""

    argv: list[str]
    creates: list[tuple[UUID, str]]


@dataclass(frozen=True)
class Result:
    command: Command
    code: int
    stdout: str
    stderr: str
    crash: str | None


def _csv(path: Path, header: str, rows: list[str]) -> str:
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return str(path)


def _jobs(directory: Path, keys: Keys) -> list[list[Command]]:
    sec, op = ["--key", str(keys.sec_key), "--json"], ["--key", str(keys.op_key), "--json"]
    shared = _csv(
        directory / "shared-units.csv",
        "id,name,level,parent",
        [f"{u},Đơn vị chung {u},office," for u in SHARED_UNITS],
    )
    jobs = []
    for w in WRITERS:
        units = [f"{w}U{i}" for i in range(5)]
        people = [f"{w}P{i}" for i in range(8)]
        units_csv = _csv(
            directory / f"{w}-units.csv",
            "id,name,level,parent",
            [f"{u},Phòng {u},office,{units[0] if i else ''}" for i, u in enumerate(units)],
        )
        people_csv = _csv(
            directory / f"{w}-people.csv",
            "id,name,unit,category,direct_worker",
            [f"{p},Nguyễn Văn {p},{units[i % 5]},civil_servant,{str(i % 2 == 0).lower()}"
             for i, p in enumerate(people)],
        )  # fmt: skip
        singles = [f"{w}X0"]
        unit_added = "Unit.Added"
        job = [
            Command(
                ["import", "units", units_csv, *sec], [(Unit.id_for(u), unit_added) for u in units]
            ),
            Command(
                ["import", "people", people_csv, *sec],
                [(Person.id_for(p), "Person.Added") for p in people],
            ),
            *(
                Command(
                    ["unit", "add", s, "--name", f"Đua {s}", "--level", "office", *sec],
                    [(Unit.id_for(s), unit_added)],
                )
                for s in RACED_UNITS
            ),
            *(
                Command(
                    ["person", "add", x, "--name", f"Lê {x}", "--unit", "U1", *sec],
                    [(Person.id_for(x), "Person.Added")],
                )
                for x in singles
            ),
            Command(["checkpoint", *op], [(Ledger.ID, "Ledger.CheckpointSigned")]),
            Command(
                ["import", "units", shared, *sec],
                [(Unit.id_for(u), unit_added) for u in SHARED_UNITS],
            ),
        ]
        jobs.append(job)
    return jobs


def _run_writers(url: str, jobs: list[list[Command]]) -> Iterator[Result]:
    """One OS process per job, all released at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in jobs
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for proc, job in zip(procs, jobs, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps([url, [c.argv for c in job]]) + "\n")
            proc.stdin.flush()
        for proc, job in zip(procs, jobs, strict=True):
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
            for command, (_, code, stdout, stderr, crash) in zip(job, json.loads(out), strict=True):
                yield Result(command, code, stdout, stderr, crash)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _seqs(result: Result) -> list[int]:
    doc = json.loads(result.stdout)
    seqs: list[int] = (doc.get("receipt") or doc)["seqs"]
    return seqs


def test_four_writers_lose_nothing_and_leave_no_trace_of_failures(
    ledger: LedgerApp, keys: Keys, raw: RawRows, ledger_url: str, tmp_path: Path
) -> None:
    assert raw.count() == LEDGER_SIZE
    jobs = _jobs(tmp_path, keys)

    results = list(_run_writers(ledger_url, jobs))

    log_run = run_awards(ledger_url, "log", "--json")
    assert log_run.code == 0, log_run
    log = json.loads(log_run.stdout)
    assert [row["seq"] for row in log] == list(range(len(log)))
    new = log[LEDGER_SIZE:]
    held = Counter((UUID(row["aggregate"]), row["type"]) for row in new)
    expected: Counter[tuple[UUID, str]] = Counter()
    for r in results:
        assert r.crash is None, r
        if r.code != 0:
            assert r.code in (1, 5), r
            line = assert_clean_failure(
                Finished(tuple(r.command.argv), r.code, "", r.stderr), r.code
            )
            if r.code == 1:
                reasons = ("already exists", "not found", "was stored meanwhile")
                assert any(reason in line for reason in reasons), line
            continue
        assert r.stderr == "", r
        expected.update(r.command.creates)
        # the receipt's seqs hold exactly this command's events
        at = [(UUID(log[s]["aggregate"]), log[s]["type"]) for s in _seqs(r)]
        assert sorted(at) == sorted(r.command.creates), r
    checkpoints = Counter({k: v for k, v in held.items() if k[1] == "Ledger.CheckpointSigned"})
    records = held - checkpoints
    assert max(records.values()) == 1  # nothing twice
    assert held == expected  # every success there; nothing of any failure; nothing else
    winners = [r for r in results if r.command.argv[2].endswith("shared-units.csv") and r.code == 0]
    assert len(winners) <= 1  # all four imported the same file: one at most, whole
    successes = sum(1 for r in results if r.code == 0)
    assert successes >= len(results) // 4, [r.stderr for r in results if r.code]  # not vacuous
    verify = run_awards(ledger_url, "verify")
    assert verify.code == 0, verify
    assert verify.stdout.startswith(f"ok: {len(log)} events checked")
