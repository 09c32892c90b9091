"""An import killed with SIGKILL records all of its rows or none, on SQLite and PostgreSQL.

`awards import people FILE.csv` (2000 rows, one write of 2000 events) runs as the installed
console script and is killed with SIGKILL: in one trial after a random delay anywhere in its
run (start-up, reading, building and signing, writing, the receipt), in the others a random
few milliseconds after its write began (the SQLite WAL file growing; the PostgreSQL insert
or table lock showing in pg_stat_activity). Then:

- the ledger holds either every row of the import or none of it, and nothing else changed;
- `awards verify` exits 0;
- running the same import again completes it (exit 0, every row once) if nothing was
  recorded, or refuses it cleanly (exit 1, "already exists", nothing recorded) if it was.

The delays come from a seeded generator; the seed is in every assertion message.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.registry import Person
from ledger.application import LedgerApp
from ledger.store import parse_location
from tests.conftest import Keys, RawRows
from tests.faults.conftest import AWARDS, Run, assert_clean_failure, base_of, in_process, pg_connect

ROWS = 2000
# trial: (when the kill is aimed, jitter range in seconds)
TRIALS = {
    "anytime": ("start", (0.3, 3.0)),
    "as the write begins": ("write", (0.0, 0.02)),
    "during the write": ("write", (0.02, 0.25)),
}


def _people_csv(path: Path, prefix: str) -> Path:
    lines = ["id,name,unit,category,direct_worker"]
    lines += [
        f"{prefix}{i:05d},Nguyễn Văn {prefix} {i},U1,civil_servant,false" for i in range(ROWS)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _write_began(url: str) -> Callable[[], bool]:
    """A probe: has the import's write transaction started?"""
    location = parse_location(url)
    if not location.is_postgres:
        wal = Path(location.env["SQLITE_DBNAME"] + "-wal")
        start = wal.stat().st_size if wal.exists() else 0

        def wal_grew() -> bool:
            return wal.exists() and wal.stat().st_size > start + 64 * 1024

        return wal_grew
    probe = pg_connect(base_of(url))
    pattern = f'%"{location.schema}"%'

    def inserting() -> bool:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND state = 'active' AND query LIKE %s "
            "AND (query LIKE 'LOCK TABLE%%' OR query LIKE %s OR query LIKE 'INSERT%%')",
            (pattern, "%es_insert_events%"),
        ).fetchone()
        return bool(row and row[0])

    inserting.close = probe.close  # type: ignore[attr-defined]
    return inserting


def _kill_import(url: str, csv: Path, key: Path, aim: str, delay: float) -> tuple[int, str]:
    """Start the import, SIGKILL it as aimed; its exit status and when it was killed."""
    began = _write_began(url) if aim == "write" else None
    proc = subprocess.Popen(
        [AWARDS, "--ledger", url, "import", "people", str(csv), "--key", str(key)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    phase = "finished first"
    try:
        if began is None:
            time.sleep(delay)
            phase = f"{delay:.3f} s after start"
        else:
            deadline = started + 60
            while proc.poll() is None and time.monotonic() < deadline and not began():
                time.sleep(0.002)
            time.sleep(delay)
            phase = f"{delay:.3f} s after the write began ({time.monotonic() - started:.2f} s)"
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        else:
            phase = f"finished first ({time.monotonic() - started:.2f} s)"
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        close = getattr(began, "close", None)
        if close is not None:
            close()
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr
    return proc.returncode, phase


def _settle(url: str) -> None:
    """On PostgreSQL, wait until the server has finished with the killed client's session
    (a COMMIT it had already received still lands): only then is the outcome final."""
    location = parse_location(url)
    if not location.is_postgres:
        return  # SQLite: the killed process was the only writer; its file state is final
    deadline = time.monotonic() + 30
    with pg_connect(base_of(url)) as probe:
        while time.monotonic() < deadline:
            row = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND state <> 'idle' AND query LIKE %s",
                (f'%"{location.schema}"%',),
            ).fetchone()
            if not (row and row[0]):
                return
            time.sleep(0.01)
    raise AssertionError("the killed import's session is still busy after 30 s")


@pytest.mark.parametrize("trial", list(TRIALS))
def test_killed_import_records_all_or_nothing(
    ledger: LedgerApp,
    keys: Keys,
    raw: RawRows,
    ledger_url: str,
    tmp_path: Path,
    trial: str,
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    aim, (low, high) = TRIALS[trial]
    delay = rng.uniform(low, high)
    ids = {Person.id_for(f"K{i:05d}") for i in range(ROWS)}
    csv = _people_csv(tmp_path / "people.csv", "K")
    before = raw.snapshot()

    code, phase = _kill_import(ledger_url, csv, keys.sec_key, aim, delay)
    _settle(ledger_url)

    where = f"seed {seed}, killed {phase}, exit {code}"
    imported = sum(1 for r in raw.rows() if r.originator_id in ids)
    killed = raw.snapshot()
    assert imported in (0, ROWS), where
    assert killed[0] == before[0] + imported, where  # nothing else either
    if imported == 0:
        assert killed == before, where
    if code == 0:
        assert imported == ROWS, where
    verify = in_process(ledger_url, "verify", "--workers", "1")
    assert verify[0] == 0, (where, verify)

    code, _, stderr = in_process(ledger_url, "import", "people", csv, "--key", keys.sec_key)

    if imported == 0:
        assert code == 0, (where, stderr)
        assert sum(1 for r in raw.rows() if r.originator_id in ids) == ROWS, where
        assert in_process(ledger_url, "verify", "--workers", "1")[0] == 0, where
    else:
        line = assert_clean_failure(Run(("import",), code, "", stderr), 1, "already exists")
        assert raw.snapshot() == killed, (where, line)
