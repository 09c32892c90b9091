"""Storage faults: every one is exit 5, one plain `error:` line, no traceback, nothing written.

Each case runs the installed `awards` console script in a subprocess against a real store and
checks the ledger before and after (row count and Merkle root): never a half write.

How each fault is made (these tests may run as root, where chmod stops nothing):

- read-only SQLite file or directory: chmod 0444/0555 when not root; as root, `chattr +i`
  (immutable: even root cannot write, create or unlink there). Skipped only if neither works.
- locked SQLite database: this test process holds `BEGIN EXCLUSIVE` on the file. The ledger's
  lock timeout is 30 s (ledger/store.py puts SQLITE_LOCK_TIMEOUT=30 in the application's
  constructor env, which beats a plain SQLITE_LOCK_TIMEOUT in the environment); eventsourcing
  AWARDS_LOCK_TIMEOUT=1 gives the command a 1 s lock wait.
- unreachable PostgreSQL: a port nothing listens on (AWARDS_CONNECT_TIMEOUT=1,
  else the pool waits 10 s before giving up).
- PostgreSQL connection lost mid-write: this process holds a ROW SHARE lock on the events
  table, so the command's insert (which takes an EXCLUSIVE lock) waits; its backend is then
  terminated with pg_terminate_backend — every time it reconnects (eventsourcing retries an
  insert 10 times), or once.
- full disk: a 4 MiB tmpfs filled up to the last 48 KiB (needs root/CAP_SYS_ADMIN); elsewhere
  RLIMIT_FSIZE in the command's process (writes past the limit fail with EFBIG).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.registry import Unit
from ledger.application import open_ledger
from ledger.store import parse_location
from ledger.verify import audit
from tests.conftest import Keys, RawRows, Templates
from tests.faults.conftest import (
    AWARDS,
    EVENTS_TABLE,
    Run,
    assert_clean_failure,
    base_of,
    drop_schema,
    in_process,
    new_schema_url,
    pg_connect,
    postgres_base,
    run_awards,
)


def _units_csv(directory: Path, prefix: str, rows: int) -> Path:
    path = directory / f"{prefix}-units.csv"
    lines = ["id,name,level,parent"]
    lines += [f"{prefix}{i},Đơn vị {prefix} {i},office," for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _people_csv(directory: Path, prefix: str, rows: int) -> Path:
    path = directory / f"{prefix}-people.csv"
    lines = ["id,name,unit,category,direct_worker"]
    lines += [
        f"{prefix}{i:05d},Nguyễn Văn {prefix} {i},U1,civil_servant,false" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, templates: Templates) -> str:
    """A populated SQLite ledger (see tests/conftest.py populate) alone in its directory."""
    directory = tmp_path / "store"
    directory.mkdir()
    url = str(directory / "ledger.db")
    templates.clone(url, open_ledger).close()
    return url


@pytest.fixture
def pg_url(templates: Templates) -> Iterator[str]:
    """A populated PostgreSQL ledger in a fresh schema."""
    url = new_schema_url(postgres_base())
    templates.clone(url, open_ledger).close()
    yield url
    drop_schema(url)


# -- read-only SQLite ------------------------------------------------------------------------------


@contextlib.contextmanager
def _read_only(*paths: Path) -> Iterator[None]:
    """Make files and directories unwritable for this user, even root."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: no way to make a file read-only")
    made = subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"running as root and chattr +i fails here: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


@pytest.mark.parametrize(
    ("what", "fragment"),
    [
        ("file", "cannot write, nothing recorded: attempt to write a readonly database"),
        # opened as an immutable file (so read commands work), it refuses the write
        ("file and directory", "cannot write, nothing recorded: attempt to write a readonly"),
    ],
)
def test_write_to_a_read_only_sqlite_ledger_fails_cleanly(
    sqlite_url: str, session_keys: Keys, tmp_path: Path, what: str, fragment: str
) -> None:
    path = Path(sqlite_url)
    raw = RawRows(sqlite_url)
    before = raw.snapshot()
    units = _units_csv(tmp_path, "R", 30)
    targets = [path] if what == "file" else [path, path.parent]

    with _read_only(*targets):
        run = run_awards(sqlite_url, "import", "units", units, "--key", session_keys.sec_key)
        if what == "file":  # a read-only file in a writable directory can still be checked
            assert in_process(sqlite_url, "verify")[0] == 0

    assert_clean_failure(run, 5, fragment)
    assert raw.snapshot() == before
    assert in_process(sqlite_url, "verify")[0] == 0


def test_a_ledger_in_a_read_only_directory_can_still_be_verified(sqlite_url: str) -> None:
    # A read-only mount, an archived copy, an inspector's read-only access: SQLite cannot
    # create the -shm file a WAL database needs, so the file is opened as immutable.
    path = Path(sqlite_url)
    with _read_only(path, path.parent):
        code, out, stderr = in_process(sqlite_url, "verify")
        assert (code, stderr) == (0, "")
        assert out.startswith("ok: ")
        assert not path.with_name(path.name + "-shm").exists()


def test_a_ledger_with_a_live_write_ahead_log_is_not_opened_as_immutable(
    sqlite_url: str,
) -> None:
    # A -wal file means a writer may be at work: reading the file as immutable could see a
    # half-applied log, so the open fails as before, with a clear sentence.
    path = Path(sqlite_url)
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"")
    try:
        with _read_only(path, path.parent, wal):
            code, _, stderr = in_process(sqlite_url, "verify")
    finally:
        wal.unlink()
    assert code == 5
    assert stderr.startswith("error: ledger ") and "cannot open" in stderr


# -- locked SQLite ---------------------------------------------------------------------------------


def test_locked_sqlite_database_fails_cleanly_after_the_lock_timeout(
    sqlite_url: str, session_keys: Keys, tmp_path: Path
) -> None:
    raw = RawRows(sqlite_url)
    before = raw.snapshot()
    units = _units_csv(tmp_path, "L", 30)
    holder = sqlite3.connect(sqlite_url, isolation_level=None, timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        run = run_awards(
            sqlite_url,
            "import",
            "units",
            units,
            "--key",
            session_keys.sec_key,
            env={"AWARDS_LOCK_TIMEOUT": "1"},
        )
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert_clean_failure(run, 5, "cannot write, nothing recorded: database is locked")
    assert waited < 25, (  # the 1 s timeout applied, not the built-in 30 s
        "AWARDS_LOCK_TIMEOUT no longer shortens the lock wait: give this test the new way to set it"
    )
    assert raw.snapshot() == before
    code, _, stderr = in_process(
        sqlite_url, "import", "units", units, "--key", session_keys.sec_key
    )
    assert code == 0, stderr  # once the lock is gone the same import goes through
    assert raw.count() == before[0] + 30


def test_the_ledger_location_comes_from_ledger_alone(
    tmp_path: Path, session_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, elsewhere = str(tmp_path / "a.db"), tmp_path / "b.db"
    monkeypatch.setenv("AWARDLEDGER_SQLITE_DBNAME", str(elsewhere))

    code, _, stderr = in_process(
        url, "init", "--origin", "example.gov.vn/awards/x", "--operator", "op",
        "--key", session_keys.op_key,
    )  # fmt: skip

    assert code == 0, stderr
    assert not elsewhere.exists()
    assert RawRows(url).count() == 3


# -- PostgreSQL connections ------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_postgres_server_fails_cleanly(session_keys: Keys) -> None:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/awards"

    run = run_awards(
        url,
        "unit",
        "add",
        "U9",
        "--name",
        "Đơn vị chín",
        "--level",
        "office",
        "--key",
        session_keys.sec_key,
        env={"AWARDS_CONNECT_TIMEOUT": "1"},
    )

    assert_clean_failure(run, 5, f"ledger {url!r}: cannot ")


def test_unreachable_postgres_server_with_a_schema_fails_with_one_line() -> None:
    """(ensure_schema's psycopg message has a second, tab-indented line; it is folded.)"""
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/awards?schema=s1"

    code, _, stderr = in_process(url, "verify")

    assert_clean_failure(Run(("verify",), code, "", stderr), 5, "ledger")


def _terminate_waiting_backends(
    proc: subprocess.Popen[str], base: str, schema: str, times: int | None
) -> int:
    """Terminate the command's backend each time it waits for the table lock (`times` at
    most) until the command exits; the number of backends terminated."""
    terminated = 0
    deadline = time.monotonic() + 90
    with pg_connect(base) as probe:
        while proc.poll() is None and time.monotonic() < deadline:
            if times is not None and terminated >= times:
                break
            waiting = probe.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE %s AND pid <> pg_backend_pid()",
                (f"%{schema}%",),
            ).fetchall()
            for (pid,) in waiting:
                probe.execute("SELECT pg_terminate_backend(%s)", (pid,))
                terminated += 1
            time.sleep(0.02)
    return terminated


def _start(url: str, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [AWARDS, "--ledger", url, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> Run:
    out, err = proc.communicate(timeout=120)
    return Run(tuple(map(str, proc.args)), proc.returncode, out, err)  # type: ignore[arg-type]


@pytest.mark.parametrize("drops", [None, 1], ids=["every retry", "once"])
def test_postgres_connection_lost_mid_write(
    pg_url: str, session_keys: Keys, tmp_path: Path, drops: int | None
) -> None:
    """Lost for good: exit 5, one line, nothing recorded. Lost once: eventsourcing reconnects
    and retries the one-statement insert, so the import lands exactly once (or, should the
    drop hit where it does not retry, exit 5 with nothing recorded) — never half, never twice."""
    raw = RawRows(pg_url)
    before = raw.snapshot()
    units = _units_csv(tmp_path, "D", 30)
    base, schema = base_of(pg_url), parse_location(pg_url).schema
    assert schema is not None
    import psycopg

    with psycopg.connect(base, connect_timeout=10) as holder:  # a transaction left open
        holder.execute(f'LOCK TABLE "{schema}".{EVENTS_TABLE} IN ROW SHARE MODE')
        proc = _start(pg_url, "import", "units", units, "--key", session_keys.sec_key)
        try:
            terminated = _terminate_waiting_backends(proc, base, schema, drops)
        finally:
            holder.rollback()
        run = _finish(proc)

    assert terminated >= 1
    if drops is None or run.code != 0:
        # (the driver's wording varies with the moment: "the connection is lost",
        # "terminating connection due to administrator command", …)
        assert_clean_failure(run, 5, "cannot write, nothing recorded: ")
        assert raw.snapshot() == before
        return
    ids = {Unit.id_for(f"D{i}") for i in range(30)}
    stored = [r.originator_id for r in raw.rows() if r.originator_id in ids]
    assert sorted(stored) == sorted(ids)  # every row once: no duplicate from the retry
    assert raw.count() == before[0] + 30
    app = open_ledger(pg_url)
    try:
        assert audit(app).ok
    finally:
        app.close()


# -- full disk -------------------------------------------------------------------------------------

SPARE = 48 * 1024  # left free on the small file system: room for the -shm index, not the WAL


@dataclass
class _Disk:
    """A ledger on a nearly full file system; `preexec` caps a command (RLIMIT fallback)."""

    url: str
    preexec: Callable[[], None] | None = None
    filler: Path | None = None

    def free(self) -> None:
        if self.filler is not None:
            self.filler.unlink()
        self.preexec = None


@contextlib.contextmanager
def _full_disk(url: str, directory: Path) -> Iterator[_Disk]:
    """A copy of the ledger on a 4 MiB tmpfs filled up to SPARE bytes (root), else the ledger
    itself with a file-size limit for the command."""
    mount = directory / "small"
    mount.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None
    if mounted:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        )
        mounted = done.returncode == 0
    if not mounted:
        limit = max(Path(url).stat().st_size, 32 * 1024) + 16 * 1024

        def cap() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        yield _Disk(url, preexec=cap)
        return
    try:
        target = mount / "ledger.db"
        shutil.copyfile(url, target)
        filler = mount / "filler"
        stat = os.statvfs(mount)
        fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            os.posix_fallocate(fd, 0, stat.f_bavail * stat.f_frsize - SPARE)
        finally:
            os.close(fd)
        yield _Disk(str(target), filler=filler)
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def test_full_disk_fails_cleanly_and_the_import_succeeds_once_there_is_room(
    sqlite_url: str, session_keys: Keys, tmp_path: Path
) -> None:
    people = _people_csv(tmp_path, "F", 600)  # some 1 MB of WAL: far more than is left
    with _full_disk(sqlite_url, tmp_path) as disk:
        raw = RawRows(disk.url)
        before = raw.snapshot()

        run = run_awards(
            disk.url, "import", "people", people, "--key", session_keys.sec_key,
            preexec_fn=disk.preexec,
        )  # fmt: skip

        line = assert_clean_failure(run, 5, "cannot write, nothing recorded: ")
        assert "database or disk is full" in line or "disk I/O error" in line, line
        disk.free()
        assert raw.snapshot() == before
        assert in_process(disk.url, "verify")[0] == 0
        code, _, stderr = in_process(
            disk.url, "import", "people", people, "--key", session_keys.sec_key
        )
        assert code == 0, stderr  # with room again, the same import goes through
        assert raw.count() == before[0] + 600
