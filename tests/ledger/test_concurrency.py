"""Several OS processes writing to one ledger (SQLite file or PostgreSQL) at the same time.

Each writer is its own Python process that runs the `awards` command (cli.main.cli, the
console script's entry point, fresh ledger connection per command) once per write, so many
writes overlap; a race for the same ids uses the installed `awards` console script itself.
Every write that exits 0 is in the ledger exactly once, at the seq its receipt names; every
failure exits 5 (storage/concurrency) or 1 (a domain rule) with one `error:` line and records
nothing; `awards verify` passes afterwards.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.registry import Unit
from ledger.application import LedgerApp
from ledger.merkle import MerkleTree, leaf_hash
from ledger.store import parse_location
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import LEDGER_SIZE, Keys, RawRows

ROOT = Path(__file__).resolve().parents[2]
_VENV_AWARDS = ROOT / ".venv" / "bin" / "awards"
AWARDS = str(_VENV_AWARDS) if _VENV_AWARDS.exists() else (shutil.which("awards") or "awards")
RECEIPT = re.compile(
    r"(?:unit (?P<unit>\S+) added|checkpoint signed): recorded event (?P<seq>\d+); "
    r"tree size (?P<size>\d+), root (?P<root>[0-9a-f]{64})$",
    re.MULTILINE,
)

# One writer process: import once, say "ready", read [url, [argv...]] from stdin, run each
# command as `awards --ledger URL argv…` would (closing its ledger after), print the results.
DRIVER = """
import json, sys
from click.testing import CliRunner
from cli import context as cli_context
from cli.main import cli
opened = []
real_open = cli_context.open_ledger
def tracking_open(url, create=True):
    app = real_open(url, create=create)
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
    crash = repr(r.exception) if crashed else None
    results.append([" ".join(argv[:3]), r.exit_code, r.stdout, r.stderr, crash])
    while opened:
        opened.pop().close()
print(json.dumps(results), flush=True)
"""


@dataclass(frozen=True)
class Run:
    label: str
    code: int
    stdout: str
    stderr: str
    crash: str | None = None


Command = list[str]


def _run_writers(url: str, jobs: list[list[Command]]) -> list[Run]:
    """One OS process per job list, all released at once; their results in job order."""
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
        for proc in procs:  # wait until every writer has imported everything
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr
        for proc, commands in zip(procs, jobs, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps([url, commands]) + "\n")
            proc.stdin.flush()
        runs: list[Run] = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            runs.extend(Run(*row) for row in json.loads(out))
        return runs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _awards(url: str, *args: str) -> Run:
    """The installed console script, as a user runs it."""
    done = subprocess.run(
        [AWARDS, "--ledger", url, *args], capture_output=True, text=True, timeout=120, check=False
    )
    crash = done.stderr if "Traceback" in done.stderr else None
    return Run(" ".join(args[:3]), done.returncode, done.stdout, done.stderr, crash)


def _assert_one_error_line(run: Run) -> None:
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run


def _unit_rows(raw: RawRows, ids: list[str]) -> Counter[str]:
    by_id = {Unit.id_for(unit_id): unit_id for unit_id in ids}
    return Counter(by_id[r.originator_id] for r in raw.rows() if r.originator_id in by_id)


def _check_receipt(run: Run, raw: RawRows) -> int:
    """The receipt's seq holds the written event and its root is the tree of that size."""
    match = RECEIPT.search(run.stdout)
    assert match, run
    rows = raw.rows()
    seq, size = int(match["seq"]), int(match["size"])
    assert seq < size <= len(rows)
    if match["unit"] is not None:
        assert rows[seq].originator_id == Unit.id_for(match["unit"])
        assert rows[seq].topic == "Unit.Added"
    else:
        assert rows[seq].topic == "Ledger.CheckpointSigned"
    assert match["root"] == MerkleTree(leaf_hash(r.state) for r in rows[:size]).root().hex()
    return seq


def _unit_add(unit_id: str, keys: Keys) -> Command:
    return ["unit", "add", unit_id, "--name", f"Đơn vị {unit_id}", "--level", "office",
            "--key", str(keys.sec_key)]  # fmt: skip


def test_parallel_writers_with_distinct_ids(
    ledger: LedgerApp, keys: Keys, raw: RawRows, ledger_url: str
) -> None:
    ids = {p: [f"{p}{i}" for i in range(15)] for p in ("A", "B")}
    jobs = [[_unit_add(unit_id, keys) for unit_id in ids[p]] for p in ("A", "B")]
    jobs.append([["checkpoint", "--key", str(keys.op_key)]] * 4)  # contends on the genesis
    before = raw.count()

    runs = _run_writers(ledger_url, jobs)

    assert len(runs) == 34
    ok = [r for r in runs if r.code == 0]
    seqs = []
    for run in runs:
        assert run.crash is None, run
        assert run.code in (0, 5), run
        if run.code == 5:
            _assert_one_error_line(run)
        else:
            assert run.stderr == "", run
            seqs.append(_check_receipt(run, raw))
    committed = ok
    written = Counter(r.label.split()[2] for r in committed if r.label.startswith("unit add"))
    stored = _unit_rows(raw, ids["A"] + ids["B"])
    assert stored == written  # every exit-0 write is there, exactly once; failures left nothing
    assert max(stored.values()) == 1
    assert len(ok) >= len(runs) // 2, [r.stderr for r in runs if r.code]
    assert len(set(seqs)) == len(ok)  # one event each, in a dense log
    assert set(seqs) <= set(range(before, before + len(committed)))
    assert raw.count() == before + len(committed)
    verify = _awards(ledger_url, "verify")
    assert verify.code == 0, verify
    assert verify.stdout.startswith(f"ok: {raw.count()} events checked")


def test_console_scripts_racing_for_the_same_ids(
    ledger: LedgerApp, keys: Keys, raw: RawRows, ledger_url: str
) -> None:
    ids = [f"S{i}" for i in range(2)]
    commands = [_unit_add(unit_id, keys) for unit_id in ids]

    def writer(_: int) -> list[Run]:
        return [_awards(ledger_url, *command) for command in commands]

    with ThreadPoolExecutor(2) as pool:
        runs = [run for runs in pool.map(writer, range(2)) for run in runs]

    for run in runs:
        assert run.crash is None, run
        assert run.code in (0, 1, 5), run
        if run.code == 0:
            _check_receipt(run, raw)
        else:
            _assert_one_error_line(run)
            if run.code == 1:
                assert "already exists" in run.stderr, run
    winners = Counter(r.label.split()[2] for r in runs if r.code == 0)
    assert _unit_rows(raw, ids) == winners
    assert max(winners.values()) == 1
    assert audit(ledger).ok


def test_parallel_writers_racing_for_the_same_ids(
    ledger: LedgerApp, keys: Keys, raw: RawRows, ledger_url: str
) -> None:
    ids = [f"S{i}" for i in range(12)]
    jobs = [[_unit_add(unit_id, keys) for unit_id in ids] for _ in range(2)]

    runs = _run_writers(ledger_url, jobs)

    for run in runs:
        assert run.crash is None, run
        assert run.code in (0, 1, 5), run
        if run.code == 0:
            _check_receipt(run, raw)
        else:
            _assert_one_error_line(run)
            if run.code == 1:
                assert f"unit add rejected: unit '{run.label.split()[2]}' already" in run.stderr
    winners = Counter(r.label.split()[2] for r in runs if r.code == 0)
    assert _unit_rows(raw, ids) == winners
    assert set(winners) == set(ids)  # a conflict is retried: someone always wins
    assert max(winners.values()) == 1


def test_opening_a_postgres_ledger_while_another_process_opens_it(
    ledger: LedgerApp, ledger_url: str, apps: Callable[[str], LedgerApp]
) -> None:
    location = parse_location(ledger_url)
    if not location.is_postgres:
        pytest.skip("PostgreSQL only: opening a SQLite ledger runs no concurrent DDL")
    import psycopg

    schema = location.schema
    base = ledger_url.split("?")[0]
    with psycopg.connect(base, connect_timeout=10) as holder:  # a transaction left open:
        holder.execute(  # another opener is half-way through re-creating the insert function
            f'ALTER FUNCTION "{schema}".es_insert_events_uuid("{schema}".stored_event_uuid[]) '
            "COST 101"
        )
        with ThreadPoolExecutor(1) as pool:
            opening = pool.submit(apps, ledger_url)
            deadline = time.monotonic() + 10
            while not opening.done() and time.monotonic() < deadline:
                with psycopg.connect(base, autocommit=True) as probe:
                    waiting = probe.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE %s",
                        (f"%{schema}%es_insert_events_uuid%",),
                    ).fetchone()
                if waiting and waiting[0]:
                    break
                time.sleep(0.05)
            holder.commit()
            opened = opening.result(timeout=30)
    assert opened.tree()[0].size == ledger.tree()[0].size


def test_receipt_names_its_event_when_another_write_cached_first(
    ledger: LedgerApp,
    keys: Keys,
    raw: RawRows,
    ledger_url: str,
    apps: Callable[[str], LedgerApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours, theirs = apps(ledger_url), apps(ledger_url)  # two offices on one ledger
    real_load = ours.frontier_cache.load
    interleaved: list[bool] = []

    def load_after_another_office_wrote() -> object:
        if not interleaved:  # between our commit and our receipt, the other office writes
            interleaved.append(True)
            registry.add_unit(theirs, keys.sec, "B1", "Của họ", "office")
        return real_load()

    monkeypatch.setattr(ours.frontier_cache, "load", load_after_another_office_wrote)
    # the receipt made after the commit: as when the insert could not fold it (its cache was
    # stale, or it failed its seal), so the other office's write can land in between
    monkeypatch.setattr(ours.recorder, "folded", lambda notification_ids: None)

    receipt = registry.add_unit(ours, keys.sec, "A1", "Của ta", "office")

    assert interleaved
    rows = raw.rows()
    assert rows[LEDGER_SIZE].originator_id == Unit.id_for("A1")
    assert receipt.seqs == [LEDGER_SIZE]
    assert receipt.size == LEDGER_SIZE + 2
    assert receipt.root == raw.root()
