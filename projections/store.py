"""Stored read models: a view's sealed state and its tracked position, written in one transaction.

Two tables live next to the ledger's events (in the same SQLite file, or the same PostgreSQL
schema), reached through the ledger application's own eventsourcing datastore:

``award_sealed_views``   one row per (view, local key id): version, position (seq, notification
                         id, time, Merkle frontier) as JSON, the state as its view's codec
                         stores it (`ViewSpec.codec`: JSON, or deflated), and the seal;
``award_view_tracking``  (view, notification_id) primary key: the tracking record, as
                         eventsourcing's tracking recorders keep one per processed position
                         (``view`` is ``<name>@<key id>``).

Nothing in these tables is believed as stored. The **seal** is HMAC-SHA256 under this user's
local key (ledger/localkey.py) over the ledger's origin, the view name, the key id, the version,
the stored position bytes and the stored state bytes; `load` reports whether it opens (`intact`)
and the runner never uses a copy that does not. Rows of other keys (another office sharing a
PostgreSQL ledger) are never read here. Without a usable local key nothing is stored.

`ViewStore.save` inserts the tracking record and moves the view row from the position it was
read at to the new one in the same transaction. Saving a position already recorded (a replay)
breaks the tracking key; saving from a position that is no longer the stored one (a stale
writer: another process caught up first) matches no row. Either way the transaction rolls back
and `ViewConflictError` is raised: each position is applied to the stored copy exactly once.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

import msgspec
from eventsourcing.persistence import IntegrityError

from domain.errors import StorageError
from ledger.application import LedgerApp, state_bytes
from ledger.localkey import LocalKey, key_path, local_key
from projections.stream import Position

_ENCODER = msgspec.json.Encoder()
_POSITION = msgspec.json.Decoder(Position)


class ViewConflictError(StorageError):
    """Raised when a view's position was already recorded or moved on since it was read."""


SEAL_DOMAIN = b"award-ledger/view/v1\n"
OLD_TABLE = "award_views"  # the unsealed table of earlier versions: dropped on creation


class StoredView(msgspec.Struct, frozen=True):
    """A view row as stored: its version, position and state bytes (not yet decoded), and
    whether its seal opened under the local key (never use the state when it did not)."""

    version: str
    position: Position
    state: bytes
    intact: bool = True


class ViewRow(msgspec.Struct, frozen=True):
    """A row of the views table as stored, of any key, unchecked (for `verify`)."""

    name: str
    key_id: str
    version: str
    seq: int
    position: bytes
    state: bytes
    seal: bytes


def seal_parts(
    origin: str, name: str, key_id: str, version: str, position: bytes, state: bytes
) -> list[bytes]:
    """What a view row's seal covers, in order."""
    return [origin.encode(), name.encode(), key_id.encode(), version.encode(), position, state]


def tracking_name(name: str, key_id: str) -> str:
    """The tracking table's `view` value for view `name` kept under key `key_id`."""
    return f"{name}@{key_id}"


def _integrity_errors() -> tuple[type[BaseException], ...]:
    """What a duplicate key raises: the drivers' errors, or eventsourcing's translation."""
    errors: list[type[BaseException]] = [sqlite3.IntegrityError, IntegrityError]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - PostgreSQL extra not installed
        return tuple(errors)
    errors.append(psycopg.errors.IntegrityError)
    return tuple(errors)


class ViewStore:
    """The stored views of one ledger (see the module docstring)."""

    def __init__(self, app: LedgerApp, key: LocalKey | None = None) -> None:
        self._app = app
        self._key = key
        self.postgres = app.location.is_postgres  # which SQL the store speaks
        self._mark = "%s" if self.postgres else "?"
        prefix = ""
        if self.postgres:  # the schema eventsourcing keeps the events in ("public" by default)
            recorder: Any = app.recorder
            prefix = f'"{recorder.datastore.schema}".'

        self._views = self.views_table = f"{prefix}award_sealed_views"
        self._tracking = self.tracking_table = f"{prefix}award_view_tracking"
        blob, big = ("BYTEA", "BIGINT") if self.postgres else ("BLOB", "INTEGER")
        self._create = (
            f"DROP TABLE IF EXISTS {prefix}{OLD_TABLE}",
            f"CREATE TABLE IF NOT EXISTS {self._views} (name TEXT NOT NULL, "
            f"key_id TEXT NOT NULL, version TEXT NOT NULL, seq {big} NOT NULL, "
            f"position {blob} NOT NULL, state {blob} NOT NULL, seal {blob} NOT NULL, "
            "PRIMARY KEY (name, key_id))",
            f"CREATE TABLE IF NOT EXISTS {self._tracking} (view TEXT NOT NULL, "
            f"notification_id {big} NOT NULL, PRIMARY KEY (view, notification_id))",
        )
        self._ready = False

    @property
    def key(self) -> LocalKey | None:
        """The local key this store seals and opens rows with (None: nothing is stored)."""
        if self._key is None:
            self._key = local_key()
        return self._key

    def _seal(self, key: LocalKey, name: str, version: str, position: bytes, state: bytes) -> bytes:
        parts = seal_parts(self._app.origin, name, key.key_id, version, position, state)
        return key.seal(SEAL_DOMAIN, *parts)

    @contextmanager
    def transaction(self, commit: bool) -> Any:
        """A transaction on the ledger's own datastore (yields its cursor)."""
        recorder: Any = self._app.recorder
        datastore: Any = recorder.datastore
        with datastore.transaction(commit=commit) as cursor:
            yield cursor

    def _sql(self, text: str) -> str:
        return text.replace("?", self._mark)

    def _ensure(self) -> None:
        if self._ready:
            return
        for attempt in range(2):
            try:
                with self.transaction(commit=True) as cursor:
                    for statement in self._create:
                        cursor.execute(statement)
                break
            except _integrity_errors():  # two processes creating the tables at once
                if attempt:
                    raise
        self._ready = True

    def load(self, name: str) -> StoredView | None:
        """This key's stored row of view `name` (`intact` False when its seal does not open),
        or None (no row, or no usable local key)."""
        key = self.key
        if key is None:
            return None
        try:
            self._ensure()
            with self.transaction(commit=False) as cursor:
                cursor.execute(
                    self._sql(
                        f"SELECT version, seq, position, state, seal FROM {self._views} "
                        "WHERE name = ? AND key_id = ?"
                    ),
                    (name, key.key_id),
                )
                row = cursor.fetchone()
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"view {name!r}: cannot read: {exc}") from exc
        if row is None:
            return None
        version, blob, state = (
            str(row["version"]),
            state_bytes(row["position"]),
            state_bytes(row["state"]),
        )
        intact = hmac.compare_digest(
            state_bytes(row["seal"]), self._seal(key, name, version, blob, state)
        )
        try:
            position = _POSITION.decode(blob)
        except msgspec.DecodeError:
            intact, position = False, Position()
        if intact and position.seq != row["seq"]:
            intact = False  # the seq column the update matches on was edited
        if not intact:  # keep what the update must match, never the state
            seq = row["seq"] if type(row["seq"]) is int else -1
            position, state = Position(seq=seq), b""
        return StoredView(version, position, state, intact)

    def opens(self, row: ViewRow) -> bool | None:
        """Whether `row`'s seal opens under the local key; None when it is another key's."""
        return self.opens_chunked(row, len(row.state), (row.state,))

    def opens_chunked(self, row: ViewRow, size: int, state: Iterable[bytes]) -> bool | None:
        """:meth:`opens` of `row` whose state (`size` bytes) is given in chunks (its
        `state` field is not read): a big view is checked without being held whole."""
        key = self.key
        if key is None or row.key_id != key.key_id:
            return None
        head = seal_parts(self._app.origin, row.name, key.key_id, row.version, row.position, b"")
        parts = [*((len(part), (part,)) for part in head[:-1]), (size, state)]
        try:
            return hmac.compare_digest(row.seal, key.seal_chunked(SEAL_DOMAIN, parts))
        except ValueError:  # the state changed while it was read: not the sealed one
            return False

    def save(
        self,
        name: str,
        version: str,
        read_at: StoredView | None,
        position: Position,
        state: bytes,
        replace: bool = False,
    ) -> None:
        """Record `state` at `position` for view `name`, if the row is still `read_at`; with
        `replace` (or `read_at` refused), the state was folded from nothing, not from that row.

        Raises ViewConflictError (a replayed or stale position: nothing written) or
        StorageError."""
        if position.notification_id is None:
            raise ValueError("a view position without events is never stored")
        key = self.key
        if key is None:
            raise StorageError(f"view {name!r}: no usable local key ({local_key_hint()})")
        blob = _ENCODER.encode(position)
        seal = self._seal(key, name, version, blob, state)
        tracked = tracking_name(name, key.key_id)
        try:
            self._ensure()
            with self.transaction(commit=True) as cursor:
                if read_at is None or not read_at.intact or replace:
                    # a copy folded from nothing: the records of the row it replaces (which was
                    # not used) do not bind it
                    cursor.execute(
                        self._sql(f"DELETE FROM {self._tracking} WHERE view = ?"), (tracked,)
                    )
                cursor.execute(
                    self._sql(
                        f"INSERT INTO {self._tracking} (view, notification_id) VALUES (?, ?)"
                    ),
                    (tracked, position.notification_id),
                )
                if read_at is None:
                    cursor.execute(
                        self._sql(
                            f"INSERT INTO {self._views} (name, key_id, version, seq, position, "
                            "state, seal) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        ),
                        (name, key.key_id, version, position.seq, blob, state, seal),
                    )
                else:
                    # a copy folded onto the row must find it as it was read; one folded from
                    # nothing replaces the row whatever it holds now (it was not used)
                    rebuilt = replace or not read_at.intact
                    matched = "" if rebuilt else " AND version = ? AND seq = ?"
                    cursor.execute(
                        self._sql(
                            f"UPDATE {self._views} SET version = ?, seq = ?, position = ?, "
                            f"state = ?, seal = ? WHERE name = ? AND key_id = ?{matched} "
                            "RETURNING name"
                        ),
                        (
                            version,
                            position.seq,
                            blob,
                            state,
                            seal,
                            name,
                            key.key_id,
                            *(() if rebuilt else (read_at.version, read_at.position.seq)),
                        ),
                    )
                    if cursor.fetchone() is None:
                        raise ViewConflictError(
                            f"view {name!r}: stored position moved on since it was read "
                            f"(read at {read_at.position.seq})"
                        )
                cursor.execute(
                    self._sql(
                        f"DELETE FROM {self._tracking} WHERE view = ? AND notification_id < ?"
                    ),
                    (tracked, position.notification_id),
                )
        except StorageError:
            raise
        except _integrity_errors() as exc:
            raise ViewConflictError(
                f"view {name!r}: position {position.seq} (notification "
                f"{position.notification_id}) is already recorded"
            ) from exc
        except Exception as exc:
            raise StorageError(f"view {name!r}: cannot write: {exc}") from exc

    def drop(self, name: str) -> None:
        """Forget view `name`, of every key (it will be rebuilt from nothing on next use)."""
        self._ensure()
        with self.transaction(commit=True) as cursor:
            cursor.execute(self._sql(f"DELETE FROM {self._views} WHERE name = ?"), (name,))
            cursor.execute(
                self._sql(f"DELETE FROM {self._tracking} WHERE view LIKE ?"), (f"{name}@%",)
            )


def local_key_hint() -> str:
    """Where the local key was looked for, for messages."""
    try:
        return f"key file {str(key_path())!r}"
    except RuntimeError:
        return "no home directory"
