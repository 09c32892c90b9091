"""Shared fixtures: a ledger on each backend, actors' keys, a small populated ledger, raw rows.

PostgreSQL runs only when ``AWARDS_TEST_POSTGRES`` names a server database, for example
``postgresql://postgres@127.0.0.1:5432/test``; every test gets a fresh schema, dropped after.
If the variable is set but the server cannot be reached, the test fails (it is never skipped).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli import context as cli_context
from cli.main import cli as awards_cli
from ledger import localkey, store
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, load_private_key, raw_public_key, write_key_pair
from ledger.merkle import MerkleTree, leaf_hash
from ledger.store import APP_NAME, parse_location
from ledger.usecases import registry

POSTGRES_ENV = "AWARDS_TEST_POSTGRES"
ORIGIN = "example.gov.vn/awards/test"
OTHER_ORIGIN = "other.gov.vn/awards/test"

# The `ledger` fixture's layout (dense seqs in ledger order).
SEQ_GENESIS = 0  # Ledger.Initialised (then op's Signer.Registered 1, SignerKey.Claimed 2)
SEQ_SEC_REGISTERED = 3  # Signer.Registered of 'sec' (then its SignerKey.Claimed 4)
SEQ_UNIT = 5  # Unit.Added U1
SEQ_P1 = 6  # Person.Added P1
SEQ_P2 = 7  # Person.Added P2
SEQ_CHECKPOINT = 8  # Ledger.CheckpointSigned over the first 8 events
LEDGER_SIZE = 9


# -- the local cache key (ledger/localkey.py): one per test worker, never the user's own --------


@pytest.fixture(scope="session", autouse=True)
def _local_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("state") / "view.key"
    before = os.environ.get(localkey.ENV)
    os.environ[localkey.ENV] = str(path)
    yield path
    if before is None:
        os.environ.pop(localkey.ENV, None)
    else:
        os.environ[localkey.ENV] = before


# -- backends ------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backend_agnostic: input checking whose storage path other tests already cover on both "
        "backends; runs on SQLite only (the PostgreSQL case is deselected to keep the suite fast)",
    )
    config.addinivalue_line(
        "markers", "sqlite_only: a case PostgreSQL's column types cannot even express"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("ledger_url") == "postgres"
        marked = item.get_closest_marker("backend_agnostic") or item.get_closest_marker(
            "sqlite_only"
        )
        (drop if on_postgres and marked else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _postgres_base() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _pg_connect(base: str) -> Any:
    import psycopg

    return psycopg.connect(base, autocommit=True, connect_timeout=10)


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The `--ledger` value of a fresh, empty ledger on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    base = _postgres_base()
    if base is None:
        pytest.skip(f"{POSTGRES_ENV} not set: PostgreSQL tests skipped")
    try:
        conn = _pg_connect(base)
    except Exception as exc:  # the variable is set: an unreachable server is a failure
        pytest.fail(f"{POSTGRES_ENV}={base!r} is set but the server cannot be reached: {exc}")
    conn.close()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield _with_schema(base, schema)
    with _pg_connect(base) as conn:
        conn.execute("SET lock_timeout = '20s'")
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sibling_url(ledger_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh, empty ledger on the same backend as `ledger_url`."""
    location = parse_location(ledger_url)
    if not location.is_postgres:
        yield str(tmp_path / "sibling.db")
        return
    base = ledger_url.split("?schema=")[0].split("&schema=")[0]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield _with_schema(base, schema)
    with _pg_connect(base) as conn:
        conn.execute("SET lock_timeout = '20s'")
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def apps() -> Iterator[Callable[[str], LedgerApp]]:
    """Open ledgers by URL; every app opened here is closed at teardown."""
    opened: list[LedgerApp] = []

    def open_app(url: str) -> LedgerApp:
        app = open_ledger(url)
        opened.append(app)
        return app

    yield open_app
    for app in opened:
        app.close()


# -- keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    """Actors' keys: the objects, and their PEM files for CLI tests."""

    dir: Path
    op: Ed25519PrivateKey
    sec: Ed25519PrivateKey
    other: Ed25519PrivateKey  # never registered anywhere

    @property
    def op_key(self) -> Path:
        return self.dir / "op.key"

    @property
    def op_pub(self) -> Path:
        return self.dir / "op.pub"

    @property
    def sec_key(self) -> Path:
        return self.dir / "sec.key"

    @property
    def sec_pub(self) -> Path:
        return self.dir / "sec.pub"

    @property
    def other_key(self) -> Path:
        return self.dir / "other.key"

    @property
    def other_pub(self) -> Path:
        return self.dir / "other.pub"

    def public(self, name: str) -> bytes:
        key: Ed25519PrivateKey = getattr(self, name)
        return raw_public_key(key)


@pytest.fixture(scope="session")
def session_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    directory = tmp_path_factory.mktemp("keys")
    loaded = {}
    for name in ("op", "sec", "other"):
        key_path, _ = write_key_pair(name, directory, None)
        loaded[name] = load_private_key(key_path, None)
    assert raw_public_key(loaded["op"]) != raw_public_key(generate_key())
    return Keys(directory, loaded["op"], loaded["sec"], loaded["other"])


@pytest.fixture
def keys(session_keys: Keys) -> Keys:
    """Operator `op`, secretary `sec` and an unregistered `other`, with PEM files.

    Generated once per test session (tests only read the files)."""
    return session_keys


# -- a populated ledger --------------------------------------------------------------------------


def populate(app: LedgerApp, keys: Keys, origin: str = ORIGIN) -> str:
    """Genesis, signer 'sec' (secretary), unit U1, people P1 and P2, then one checkpoint.

    Returns the checkpoint note (over the first 8 events; the checkpoint event is the 9th).
    """
    registry.initialise(app, origin, "op", keys.op)
    registry.add_signer(app, keys.op, "sec", keys.public("sec"), ["secretary"])
    registry.add_unit(app, keys.sec, "U1", "Phòng Một", "department")
    registry.add_person(app, keys.sec, "P1", "Nguyễn Văn A", "U1", "civil_servant")
    registry.add_person(app, keys.sec, "P2", "Trần Thị B", "U1", direct_worker=True)
    note, _ = registry.sign_new_checkpoint(app, keys.op)
    return note


def _with_schema(base: str, schema: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


class Templates:
    """The `ledger` fixture's contents, written once per backend and test session through the
    real write path (open_ledger, initialise, …), then copied row for row into each test's
    fresh ledger (a populated ledger per test costs ~6 writes; a copy costs one statement)."""

    def __init__(self, keys: Keys, directory: Path) -> None:
        self.keys = keys
        self.directory = directory
        self._sqlite: Path | None = None
        self._postgres: dict[str, str] = {}  # server base URL -> template schema

    def _build(self, url: str) -> None:
        app = open_ledger(url)
        try:
            populate(app, self.keys)
        finally:
            app.close()

    def sqlite_template(self) -> Path:
        if self._sqlite is None:
            path = self.directory / "template.db"
            self._build(str(path))
            self._sqlite = path
        return self._sqlite

    def postgres_template(self, base: str) -> str:
        if base not in self._postgres:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            self._postgres[base] = schema
            self._build(_with_schema(base, schema))
        return self._postgres[base]

    def clone(self, url: str, open_app: Callable[[str], LedgerApp]) -> LedgerApp:
        """Fill the empty ledger at `url` with the template's rows; return it opened."""
        location = parse_location(url)
        if not location.is_postgres:
            source = sqlite3.connect(self.sqlite_template())
            target = sqlite3.connect(location.env["SQLITE_DBNAME"])
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
            return open_app(url)
        base = url.split("?schema=")[0].split("&schema=")[0]
        template = self.postgres_template(base)
        app = open_app(url)  # creates the tables
        table = f"{APP_NAME.lower()}_events"
        target_table = f'"{location.schema}".{table}'
        columns = "notification_id, originator_id, originator_version, topic, state"
        with _pg_connect(base) as conn:
            conn.execute(
                f'INSERT INTO {target_table} ({columns}) SELECT {columns} FROM "{template}".{table}'
            )
            conn.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                f"(SELECT max(notification_id) FROM {target_table}))",
                (target_table,),
            )
        return app

    def close(self) -> None:
        for base, schema in self._postgres.items():
            with _pg_connect(base) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def templates(session_keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(session_keys, tmp_path_factory.mktemp("templates"))
    yield made
    made.close()


@pytest.fixture
def ledger(ledger_url: str, templates: Templates, apps: Callable[[str], LedgerApp]) -> LedgerApp:
    """An initialised ledger: 'sec' registered as secretary, U1, P1, P2 and one checkpoint
    (see `populate`; LEDGER_SIZE events, the checkpoint covering all but itself)."""
    return templates.clone(ledger_url, apps)


def checkpoint_note(app: LedgerApp) -> str:
    """The newest stored checkpoint note of `app`."""
    latest = registry.latest_checkpoint(app)
    assert latest is not None
    return latest.note


# -- raw rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One stored event row as the database holds it, at dense position `seq`."""

    seq: int
    notification_id: int
    originator_id: uuid.UUID
    originator_version: int
    topic: str
    state: bytes


class RawRows:
    """Read and tamper with a ledger's stored rows directly, on SQLite or PostgreSQL.

    `seq` is the dense position in notification order (the Merkle leaf index).
    """

    def __init__(self, url: str) -> None:
        self.location = parse_location(url)
        if self.location.is_postgres:
            schema = self.location.schema or "public"
            self.table = f'"{schema}".{APP_NAME.lower()}_events'
            self.id_col = "notification_id"
            self.mark = "%s"
        else:
            self.table = "stored_events"
            self.id_col = "rowid"
            self.mark = "?"

    def _connect(self) -> Any:
        env = self.location.env
        if self.location.is_postgres:
            import psycopg

            return psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                autocommit=True,
                connect_timeout=10,
            )
        return sqlite3.connect(env["SQLITE_DBNAME"], timeout=30, isolation_level=None)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        sql = sql.replace("?", self.mark)
        conn = self._connect()
        try:
            cursor = conn.execute(sql, tuple(params))
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            conn.close()

    def side_table(self, name: str) -> str:
        """The qualified name of a table kept beside the events (views, caches)."""
        if self.location.is_postgres:
            return f'"{self.location.schema or "public"}".{name}'
        return name

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run `sql` (``?`` placeholders) as anyone able to edit the database would: no key."""
        return self._run(sql, params)

    def zero_first_leaf_hash(self) -> None:
        """Overwrite the first leaf hash of the stored hash tiles with zeros (the tiles must
        exist): tiles that no longer reach the signed root."""
        table = self.side_table(
            ("awardledger_events" if self.location.is_postgres else "stored_events") + "_tiles"
        )
        blob = bytes(self.execute(f"SELECT hashes FROM {table} WHERE level = 0 AND idx = 0")[0][0])
        self.execute(
            f"UPDATE {table} SET hashes = ? WHERE level = 0 AND idx = 0", (bytes(32) + blob[32:],)
        )

    def _uuid(self, value: uuid.UUID) -> Any:
        return value if self.location.is_postgres else value.hex

    def rows(self) -> list[Row]:
        found = self._run(
            f"SELECT {self.id_col}, originator_id, originator_version, topic, state "
            f"FROM {self.table} ORDER BY {self.id_col}"
        )
        return [
            Row(seq, int(nid), uuid.UUID(str(oid)), int(version), topic, bytes(state))
            for seq, (nid, oid, version, topic, state) in enumerate(found)
        ]

    def count(self) -> int:
        return len(self.rows())

    def row(self, seq: int) -> Row:
        return self.rows()[seq]

    def root(self) -> str:
        """The hex Merkle root over the stored rows (recomputed here, not by the app)."""
        return MerkleTree(leaf_hash(r.state) for r in self.rows()).root().hex()

    def snapshot(self) -> tuple[int, str]:
        """(row count, root): equal before and after a refused command."""
        rows = self.rows()
        return len(rows), MerkleTree(leaf_hash(r.state) for r in rows).root().hex()

    def _nid(self, seq: int) -> int:
        return self.rows()[seq].notification_id

    def update_state(self, seq: int, new: bytes) -> None:
        self._run(
            f"UPDATE {self.table} SET state = ? WHERE {self.id_col} = ?", (new, self._nid(seq))
        )

    def update_topic(self, seq: int, topic: str) -> None:
        self._run(
            f"UPDATE {self.table} SET topic = ? WHERE {self.id_col} = ?", (topic, self._nid(seq))
        )

    def update_version(self, seq: int, version: int) -> None:
        self._run(
            f"UPDATE {self.table} SET originator_version = ? WHERE {self.id_col} = ?",
            (version, self._nid(seq)),
        )

    def delete(self, seq: int) -> None:
        self._run(f"DELETE FROM {self.table} WHERE {self.id_col} = ?", (self._nid(seq),))

    def swap_states(self, a: int, b: int) -> None:
        rows = self.rows()
        self.update_state(a, rows[b].state)
        self.update_state(b, rows[a].state)

    def swap_rows(self, a: int, b: int) -> None:
        """Exchange the whole contents of rows `a` and `b` (a reorder of two events)."""
        rows = self.rows()
        parking = uuid.uuid4()
        for seq, source in ((a, None), (b, rows[a]), (a, rows[b])):
            nid = rows[seq].notification_id
            if source is None:  # first move row a out of the way of the primary key
                values: tuple[Any, ...] = (self._uuid(parking), 1, "", b"")
            else:
                values = (
                    self._uuid(source.originator_id),
                    source.originator_version,
                    source.topic,
                    source.state,
                )
            self._run(
                f"UPDATE {self.table} SET originator_id = ?, originator_version = ?, topic = ?, "
                f"state = ? WHERE {self.id_col} = ?",
                (*values, nid),
            )

    def truncate_after(self, n: int) -> None:
        """Keep only the first `n` rows."""
        rows = self.rows()
        if n < len(rows):
            self._run(
                f"DELETE FROM {self.table} WHERE {self.id_col} >= ?", (rows[n].notification_id,)
            )

    def set_column(self, seq: int, column: str, value: Any) -> None:
        """Store any value (NULL, text in a BLOB column, …) in one column of row `seq`."""
        assert column in {"originator_id", "originator_version", "topic", "state"}
        self._run(
            f"UPDATE {self.table} SET {column} = ? WHERE {self.id_col} = ?", (value, self._nid(seq))
        )

    def insert(self, originator_id: uuid.UUID, version: int, topic: str, state: bytes) -> None:
        """Append a row (it takes the next notification id, so it lands at the end)."""
        self._run(
            f"INSERT INTO {self.table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            (self._uuid(originator_id), version, topic, state),
        )


@pytest.fixture
def raw(ledger_url: str) -> RawRows:
    """Raw row access to the ledger at `ledger_url`."""
    return RawRows(ledger_url)


# -- the CLI -------------------------------------------------------------------------------------


class Cli:
    """Runs `awards --ledger URL ...` in-process and closes every ledger the command opened."""

    def __init__(self, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.url = url
        self.runner = CliRunner()
        self._opened: list[LedgerApp] = []

        def tracking_open(ledger_url: str, create: bool = True) -> LedgerApp:
            app = open_ledger(ledger_url, create=create)
            self._opened.append(app)
            return app

        monkeypatch.setattr(cli_context, "open_ledger", tracking_open)
        monkeypatch.delenv("AWARDS_KEY_PASSPHRASE", raising=False)
        monkeypatch.delenv("AWARDS_LEDGER", raising=False)

    def __call__(self, *args: str | Path, ledger: bool = True) -> Result:
        argv = [str(a) for a in args]
        if ledger:
            argv = ["--ledger", self.url, *argv]
        try:
            return self.runner.invoke(awards_cli, argv, catch_exceptions=False)
        finally:
            self.close()

    def close(self) -> None:
        while self._opened:
            self._opened.pop().close()


@pytest.fixture
def awards(ledger_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """`awards(...)` runs the CLI against the ledger at `ledger_url`."""
    runner = Cli(ledger_url, monkeypatch)
    yield runner
    runner.close()


def one_error_line(result: Result) -> str:
    """The command's stderr, asserted to be exactly one `error: ...` line; returns it."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"want one stderr line, got {result.stderr!r}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


@pytest.fixture
def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the rows the ledger's raw reads (ledger/store.py) return: append a 0 to start a
    count; every read after that adds its rows to the last one (reads before are not counted).
    For tests that a read's cost does not grow with the log."""
    fetch = store._fetch
    read: list[int] = []

    def counting(recorder: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        rows = fetch(recorder, sql, *params)
        if read:
            read[-1] += len(rows)
        return rows

    monkeypatch.setattr(store, "_fetch", counting)
    return read
