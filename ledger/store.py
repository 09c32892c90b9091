"""Where a ledger lives: turn a `--ledger` URL into eventsourcing settings, and raw row access.

A path (or ``sqlite:///path``) means SQLite, the embedded default; ``postgresql://user@host:port/db``
means PostgreSQL through eventsourcing's postgres module. ``?schema=NAME`` on a PostgreSQL URL
keeps the ledger's tables in that schema (created by `awards init` when missing; a read command
never creates one). A password in the URL never appears in a message: `LedgerLocation.url` is
the URL with the password masked (`redact_url`), and `mask_password` cleans any other text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit
from uuid import UUID

from domain.errors import StorageError, UsageError

DEFAULT_LEDGER = "awards.db"
APP_NAME = "AwardLedger"


@dataclass(frozen=True)
class LedgerLocation:
    """A parsed `--ledger` value: the backend and the eventsourcing environment for it.
    `url` is for messages: its password, if any, is masked."""

    url: str
    backend: str  # "sqlite" | "postgres"
    env: dict[str, str]
    schema: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgres"


def redact_url(url: str) -> str:
    """`url` with the password of a ``scheme://user:password@host`` URL shown as ``***``."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def mask_password(text: str, url: str) -> str:
    """`text` with the password of `url` (as written, and percent-decoded) replaced by ``***``:
    the last defence for messages that quote a driver's error."""
    _, sep, rest = url.partition("://")
    userinfo, at, _ = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return text
    return mask_secret(text, userinfo.split(":", 1)[1])


def mask_secret(text: str, password: str) -> str:
    """`text` with `password` (as written, and percent-decoded) replaced by ``***``."""
    for secret in sorted({password, unquote(password)}, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


def parse_location(url: str) -> LedgerLocation:
    """Parse a `--ledger` value; raise UsageError for anything else than a path or postgres URL.

    Timeouts come from env AWARDS_LOCK_TIMEOUT (seconds a write waits for the database lock,
    default 30) and AWARDS_CONNECT_TIMEOUT (PostgreSQL, default 10). The settings are given to
    eventsourcing under its application-prefixed names too, so stray ``AWARDLEDGER_*`` variables
    in the environment cannot send a command to another database."""
    location = _parse(url)
    pinned = {f"{APP_NAME.upper()}_{key}": value for key, value in location.env.items()}
    return LedgerLocation(
        location.url, location.backend, {**location.env, **pinned}, location.schema
    )


def read_only(location: LedgerLocation) -> LedgerLocation:
    """The same SQLite ledger opened as an immutable file (``immutable=1``): no locks, no
    -shm or -wal files, every write refused. Only for a file no one is writing."""
    path = Path(location.env["SQLITE_DBNAME"]).resolve()
    uri = f"file:{quote(str(path))}?immutable=1"
    env = {
        key: uri if key.endswith("SQLITE_DBNAME") else value for key, value in location.env.items()
    }
    return LedgerLocation(location.url, location.backend, env, location.schema)


def sqlite_is_quiescent(location: LedgerLocation) -> bool:
    """Whether a SQLite ledger file exists with no write-ahead log beside it (no writer)."""
    path = Path(location.env["SQLITE_DBNAME"])
    return path.is_file() and not path.with_name(path.name + "-wal").exists()


def _timeout(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        if float(value) <= 0:
            raise ValueError(value)
    except ValueError as exc:
        raise UsageError(f"{name} {value!r} is not a positive number of seconds") from exc
    return value


def _parse(url: str) -> LedgerLocation:
    if url.startswith(("postgresql://", "postgres://")):
        return _postgres(url)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///") - 1 :]
    if "://" in url:
        raise UsageError(f"ledger {url!r}: use a file path or a postgresql:// URL")
    path = Path(url)
    if path.is_dir():
        raise UsageError(f"ledger {url!r} is a directory, not a database file")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": _timeout("AWARDS_LOCK_TIMEOUT", "30"),
        "APPLICATION_RECORDER_TOPIC": "ledger.sqlite_recorder:LedgerSQLiteRecorder",
    }
    return LedgerLocation(url=url, backend="sqlite", env=env)


def _postgres(url: str) -> LedgerLocation:
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port out of 0-65535 or not a number
    except ValueError as exc:
        raise UsageError(f"ledger {shown!r}: not a valid PostgreSQL URL ({exc})") from exc
    dbname = parts.path.lstrip("/")
    if not dbname or not parts.hostname:
        raise UsageError(f"ledger {shown!r}: a PostgreSQL URL needs a host and a database")
    if port == 0:
        raise UsageError(f"ledger {shown!r}: port 0 is not a valid PostgreSQL port")
    query = parse_qs(parts.query)
    schema = query.get("schema", [None])[0]
    if schema is not None and not schema.replace("_", "").isalnum():
        raise UsageError(f"ledger {shown!r}: schema {schema!r} must be letters, digits and _")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": str(int(float(_timeout("AWARDS_CONNECT_TIMEOUT", "10")))),
        "POSTGRES_LOCK_TIMEOUT": _timeout("AWARDS_LOCK_TIMEOUT", "30"),
        "POSTGRES_POOL_SIZE": "2",
        "APPLICATION_RECORDER_TOPIC": "ledger.pg_recorder:LedgerPostgresRecorder",
    }
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    return LedgerLocation(url=shown, backend="postgres", env=env, schema=schema)


def ensure_schema(location: LedgerLocation) -> None:
    """Create the PostgreSQL schema named in the URL if it does not exist yet."""
    if not location.is_postgres or not location.schema:
        return
    try:
        import psycopg
    except ImportError as exc:
        raise StorageError(
            "postgresql ledger: install the 'postgres' extra (pip install 'award-ledger[postgres]')"
        ) from exc
    env = location.env
    try:
        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.schema}"')
    except psycopg.Error as exc:
        message = mask_secret(str(exc), env["POSTGRES_PASSWORD"])
        raise StorageError(f"ledger {location.url!r}: cannot connect: {message}") from exc


class RawRow(NamedTuple):
    """One stored row as the database holds it, before any decoding or type conversion."""

    id: int
    originator_id: Any
    originator_version: Any
    topic: Any
    state: Any


def _rows_statement(recorder: Any, postgres: bool, columns: str) -> str:
    table = recorder.events_table_name
    if postgres:
        return (
            f'SELECT notification_id, {columns} FROM "{recorder.datastore.schema}"."{table}" '
            f"WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        )
    return f"SELECT rowid, {columns} FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT ?"


def _fetch(recorder: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run a SELECT; rows as plain tuples (eventsourcing's SQLite cursor makes sqlite3.Row
    objects and psycopg dicts: converting a million of them costs more than reading them)."""
    with recorder.datastore.transaction(commit=False) as cursor:
        sqlite_cursor = getattr(cursor, "sqlite_cursor", None)
        if sqlite_cursor is not None:
            sqlite_cursor.row_factory = None
        cursor.execute(sql, params)
        rows: list[Any] = cursor.fetchall()
    return rows if sqlite_cursor is not None else [_tuple(row) for row in rows]


def select_rows(recorder: Any, postgres: bool, start: int, limit: int) -> list[RawRow]:
    """Up to `limit` rows with notification id ≥ `start`, in notification order, read raw
    from eventsourcing's events table (its own reader converts types and fails on bad rows)."""
    sql = _rows_statement(recorder, postgres, "originator_id, originator_version, topic, state")
    return list(map(RawRow._make, _fetch(recorder, sql, start, limit)))


def select_topic_state(
    recorder: Any, postgres: bool, start: int, limit: int
) -> list[tuple[int, str, bytes]]:
    """Like select_rows, but only (notification id, topic, state): what a read model folds."""
    sql = _rows_statement(recorder, postgres, "topic, state")
    return [
        (row[0], row[1] if isinstance(row[1], str) else "", state_bytes(row[2]))
        for row in _fetch(recorder, sql, start, limit)
    ]


def state_bytes(state: Any) -> bytes:
    """A stored state as bytes, whatever an edited row holds (text, NULL, a number): a read
    model then finds it unreadable (exit 4, "run awards verify") instead of crashing."""
    if type(state) is bytes:
        return state
    if isinstance(state, str):
        return state.encode("utf-8", errors="surrogateescape")
    if isinstance(state, bytes | bytearray | memoryview):
        return bytes(state)
    return b"" if state is None else str(state).encode()


def notification_id_at(recorder: Any, postgres: bool, seq: int) -> int | None:
    """The notification id of the row at dense position `seq` (the database skips the rows
    before it on its index, without sending them), or None if the log is shorter."""
    table = recorder.events_table_name
    if postgres:
        sql = (
            f'SELECT notification_id FROM "{recorder.datastore.schema}"."{table}" '
            f"ORDER BY notification_id LIMIT 1 OFFSET %s"
        )
    else:
        sql = f"SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET ?"
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(sql, (seq,))
        row = cursor.fetchone()
    if row is None:
        return None
    return int(next(iter(row.values())) if isinstance(row, dict) else row[0])


def count_through(recorder: Any, postgres: bool, last_id: int) -> int:
    """How many rows have a notification id ≤ `last_id`, in one statement (one snapshot).

    SQLite counts a whole table on its smallest index without reading rows, but a range of
    rowids row by row; so it counts all and subtracts the few rows after `last_id`."""
    table = recorder.events_table_name
    if postgres:
        sql = (
            f'SELECT count(*) FROM "{recorder.datastore.schema}"."{table}" '
            "WHERE notification_id <= %s"
        )
    else:
        sql = (
            f"SELECT (SELECT count(*) FROM {table}) "
            f"- (SELECT count(*) FROM {table} WHERE rowid > ?)"
        )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(sql, (last_id,))
        row = cursor.fetchone()
    return int(next(iter(row.values())) if isinstance(row, dict) else row[0])


def select_aggregate_rows(
    recorder: Any, postgres: bool, originator_id: UUID, before: int | None = None
) -> list[RawRow]:
    """The rows of one aggregate (on the primary-key index), in version order; with `before`,
    only those with a notification id below it."""
    table = recorder.events_table_name
    columns = "originator_id, originator_version, topic, state"
    if postgres:
        sql = (
            f'SELECT notification_id, {columns} FROM "{recorder.datastore.schema}"."{table}" '
            f"WHERE originator_id = %s ORDER BY originator_version"
        )
        key: Any = originator_id
    else:
        sql = (
            f"SELECT rowid, {columns} FROM {table} "
            "WHERE originator_id = ? ORDER BY originator_version"
        )
        key = originator_id.hex  # eventsourcing's SQLite recorder stores the bare hex
    rows = _fetch(recorder, sql, key)
    return [RawRow._make(row) for row in rows if before is None or row[0] < before]


def select_rows_before(
    recorder: Any, postgres: bool, before: int, limit: int, cursor: Any = None
) -> list[RawRow]:
    """Up to `limit` rows just below notification id `before`, in notification order; on
    `cursor` when given (inside a transaction the caller holds), else in a read of its own."""
    table = recorder.events_table_name
    columns = "originator_id, originator_version, topic, state"
    if postgres:
        sql = (
            f'SELECT notification_id, {columns} FROM "{recorder.datastore.schema}"."{table}" '
            f"WHERE notification_id < %s ORDER BY notification_id DESC LIMIT %s"
        )
    else:
        sql = f"SELECT rowid, {columns} FROM {table} WHERE rowid < ? ORDER BY rowid DESC LIMIT ?"
    if cursor is not None:
        cursor.execute(sql, (before, limit))
        rows = [_tuple(row) for row in cursor.fetchall()]
    else:
        rows = _fetch(recorder, sql, before, limit)
    return list(map(RawRow._make, reversed(rows)))


def _tuple(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def _table(recorder: Any, postgres: bool) -> str:
    table = recorder.events_table_name
    return f'"{recorder.datastore.schema}"."{table}"' if postgres else table


def create_topic_index(recorder: Any, postgres: bool) -> None:
    """Index the events table on its topic, so the few registry rows a checkpoint commits to
    are found without reading the log (made where the tables are made, never by a read)."""
    name = f"{recorder.events_table_name}_topic_idx"
    index = f'"{name}"' if postgres else name
    sql = f"CREATE INDEX IF NOT EXISTS {index} ON {_table(recorder, postgres)} (topic)"
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(sql)


def select_topic_rows(
    recorder: Any, postgres: bool, topics: Sequence[str]
) -> list[tuple[int, str, bytes]]:
    """Every row of the given event types as (notification id, topic, state), in ledger order.
    Uses the topic index when the ledger has one; the same query scans the table otherwise."""
    if not topics:
        return []
    id_column = "notification_id" if postgres else "rowid"
    marks = ", ".join(["%s" if postgres else "?"] * len(topics))
    sql = (
        f"SELECT {id_column}, topic, state FROM {_table(recorder, postgres)} "
        f"WHERE topic IN ({marks}) ORDER BY {id_column}"
    )
    return [(int(r[0]), str(r[1]), bytes(r[2])) for r in _fetch(recorder, sql, *topics)]


def count_rows(recorder: Any, postgres: bool, start: int, stop: int) -> int:
    """How many rows have a notification id in [start, stop) (counted on the id's index)."""
    id_column = "notification_id" if postgres else "rowid"
    mark = "%s" if postgres else "?"
    sql = (
        f"SELECT COUNT(*) FROM {_table(recorder, postgres)} "
        f"WHERE {id_column} >= {mark} AND {id_column} < {mark}"
    )
    return int(_fetch(recorder, sql, start, stop)[0][0])


def select_rows_by_ids(recorder: Any, postgres: bool, ids: Sequence[int]) -> list[RawRow]:
    """The rows with these notification ids (on the id's index), in notification order;
    ids with no row are left out."""
    if not ids:
        return []
    id_column = "notification_id" if postgres else "rowid"
    marks = ", ".join(["%s" if postgres else "?"] * len(ids))
    sql = (
        f"SELECT {id_column}, originator_id, originator_version, topic, state "
        f"FROM {_table(recorder, postgres)} WHERE {id_column} IN ({marks}) ORDER BY {id_column}"
    )
    return list(map(RawRow._make, _fetch(recorder, sql, *ids)))
