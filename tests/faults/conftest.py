"""Helpers shared by the fault tests: the console script, scratch ledgers, and row copies.

The fault tests run the installed `awards` console script in a subprocess wherever the point
is what a user sees (one `error:` line, an exit code, no traceback) or where the process must
be killed, locked out or starved; everything else runs in-process to keep the suite fast.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner

from cli import context as cli_context
from cli.main import cli as awards_cli
from ledger.application import LedgerApp, open_ledger
from ledger.store import APP_NAME, parse_location
from tests.conftest import POSTGRES_ENV, Row

ROOT = Path(__file__).resolve().parents[2]
_VENV_AWARDS = ROOT / ".venv" / "bin" / "awards"
AWARDS = str(_VENV_AWARDS) if _VENV_AWARDS.exists() else (shutil.which("awards") or "awards")
EVENTS_TABLE = f"{APP_NAME.lower()}_events"


@dataclass(frozen=True)
class Run:
    """One finished `awards` command."""

    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


def run_awards(
    url: str,
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    **popen: Any,
) -> Run:
    """The installed console script, as a user runs it: `awards --ledger URL args…`."""
    argv = ("--ledger", url, *(str(a) for a in args))
    full_env = {k: v for k, v in os.environ.items() if k not in ("AWARDS_LEDGER",)}
    full_env.update(env or {})
    done = subprocess.run(
        [AWARDS, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=full_env,
        **popen,
    )
    return Run(argv, done.returncode, done.stdout, done.stderr)


def assert_clean_failure(run: Run, code: int, fragment: str | None = None) -> str:
    """Exit `code`, stderr exactly one plain `error: …` line (no traceback); returns it."""
    assert "Traceback" not in run.stderr, run
    lines = run.stderr.splitlines()
    assert run.code == code, run
    assert len(lines) == 1, f"want one stderr line, got {run.stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    if fragment is not None:
        assert fragment in lines[0], lines[0]
    return lines[0]


def in_process(url: str, *args: str | Path) -> tuple[int, str, str]:
    """`awards --ledger URL args…` in this process (cheap); every ledger it opens is closed."""
    opened: list[LedgerApp] = []

    def tracking_open(ledger_url: str, *more: Any, **options: Any) -> LedgerApp:
        app = open_ledger(ledger_url, *more, **options)
        opened.append(app)
        return app

    try:
        with mock.patch.object(cli_context, "open_ledger", tracking_open):
            result = CliRunner().invoke(
                awards_cli, ["--ledger", url, *(str(a) for a in args)], catch_exceptions=False
            )
    finally:
        for app in opened:
            app.close()
    return result.exit_code, result.stdout, result.stderr


# -- PostgreSQL scratch schemas ------------------------------------------------------------------


def postgres_base() -> str:
    """The test server's base URL; skip (as tests/conftest.py does) when none is configured."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set: PostgreSQL tests skipped")
    return base


def pg_connect(base: str) -> Any:
    import psycopg

    return psycopg.connect(base, autocommit=True, connect_timeout=10)


def base_of(url: str) -> str:
    return url.split("?schema=")[0].split("&schema=")[0]


def new_schema_url(base: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}schema=f_{uuid.uuid4().hex[:12]}"


def drop_schema(url: str) -> None:
    schema = parse_location(url).schema
    with pg_connect(base_of(url)) as conn:
        conn.execute("SET lock_timeout = '20s'")
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def scratch_url(backend: str, directory: Path, name: str) -> str:
    """A fresh, empty ledger location on `backend` (schema created on first open)."""
    if backend == "sqlite":
        return str(directory / f"{name}.db")
    return new_schema_url(postgres_base())


def discard(url: str) -> None:
    """Remove a scratch ledger made by scratch_url()."""
    location = parse_location(url)
    if location.is_postgres:
        drop_schema(url)
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(location.env["SQLITE_DBNAME"] + suffix).unlink(missing_ok=True)


def copy_rows(source_url: str, target_url: str) -> None:
    """Make the ledger at `target_url` hold exactly the stored events of `source_url`, with the
    same notification ids (same backend). The target's other tables are left alone."""
    source, target = parse_location(source_url), parse_location(target_url)
    assert source.backend == target.backend
    if not source.is_postgres:
        src = sqlite3.connect(source.env["SQLITE_DBNAME"])
        dst = sqlite3.connect(target.env["SQLITE_DBNAME"])
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    table = f'"{target.schema}".{EVENTS_TABLE}'
    columns = "notification_id, originator_id, originator_version, topic, state"
    with pg_connect(base_of(target_url)) as conn:
        if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
            open_ledger(target_url).close()  # creates the schema, tables, types and functions
        conn.execute(f"TRUNCATE {table}")
        conn.execute(
            f"INSERT INTO {table} ({columns}) "
            f'SELECT {columns} FROM "{source.schema}".{EVENTS_TABLE}'
        )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
            f"(SELECT max(notification_id) FROM {table}))",
            (table,),
        )


def connect(url: str) -> Any:
    """A raw autocommit connection to the database holding the ledger at `url`."""
    location = parse_location(url)
    if location.is_postgres:
        return pg_connect(base_of(url))
    return sqlite3.connect(location.env["SQLITE_DBNAME"], timeout=30, isolation_level=None)


def insert_row_at(url: str, seq: int, row: Row) -> None:
    """Insert a stored event at dense position `seq` (the rows from there on move up one)."""
    location = parse_location(url)
    if location.is_postgres:
        table, nid, mark = f'"{location.schema}".{EVENTS_TABLE}', "notification_id", "%s"
        oid: Any = row.originator_id
    else:
        table, nid, mark = "stored_events", "rowid", "?"
        oid = row.originator_id.hex
    conn = connect(url)
    try:
        ids = [r[0] for r in conn.execute(f"SELECT {nid} FROM {table} ORDER BY {nid}").fetchall()]
        at = ids[seq] if seq < len(ids) else ids[-1] + 1
        shift = 1_000_000  # in two steps, so no id is ever taken twice
        conn.execute(f"UPDATE {table} SET {nid} = {nid} + {shift} WHERE {nid} >= {mark}", (at,))
        conn.execute(f"UPDATE {table} SET {nid} = {nid} - {shift} + 1 WHERE {nid} >= {shift}")
        conn.execute(
            f"INSERT INTO {table} ({nid}, originator_id, originator_version, topic, state) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
            (at, oid, row.originator_version, row.topic, row.state),
        )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")
