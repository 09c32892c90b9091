"""Stored read models: a view's state and its tracked position, written in one transaction.

Two tables live next to the ledger's events (in the same SQLite file, or the same PostgreSQL
schema), reached through the ledger application's own eventsourcing datastore:

``award_views``          one row per view: name, version, position (seq, notification id, time,
                         Merkle frontier) and the state, both as JSON;
``award_view_tracking``  (view, notification_id) primary key: the tracking record, as
                         eventsourcing's tracking recorders keep one per processed position.

`ViewStore.save` inserts the tracking record and moves the view row from the position it was
read at to the new one in the same transaction. Saving a position already recorded (a replay)
breaks the tracking key; saving from a position that is no longer the stored one (a stale
writer: another process caught up first) matches no row. Either way the transaction rolls back
and `ViewConflictError` is raised: each position is applied to the stored copy exactly once.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Any

import msgspec
from eventsourcing.persistence import IntegrityError

from domain.errors import StorageError
from ledger.application import LedgerApp
from projections.stream import Position

_ENCODER = msgspec.json.Encoder()
_POSITION = msgspec.json.Decoder(Position)


class ViewConflictError(StorageError):
    """Raised when a view's position was already recorded or moved on since it was read."""


class StoredView(msgspec.Struct, frozen=True):
    """A view row as stored: its version, position and state bytes (not yet decoded)."""

    version: str
    position: Position
    state: bytes


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

    def __init__(self, app: LedgerApp) -> None:
        self._app = app
        self._postgres = app.location.is_postgres
        self._mark = "%s" if self._postgres else "?"
        prefix = ""
        if self._postgres:  # the schema eventsourcing keeps the events in ("public" by default)
            recorder: Any = app.recorder
            prefix = f'"{recorder.datastore.schema}".'

        self._views = f"{prefix}award_views"
        self._tracking = f"{prefix}award_view_tracking"
        blob, big = ("BYTEA", "BIGINT") if self._postgres else ("BLOB", "INTEGER")
        self._create = (
            f"CREATE TABLE IF NOT EXISTS {self._views} (name TEXT PRIMARY KEY, "
            f"version TEXT NOT NULL, seq {big} NOT NULL, position {blob} NOT NULL, "
            f"state {blob} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self._tracking} (view TEXT NOT NULL, "
            f"notification_id {big} NOT NULL, PRIMARY KEY (view, notification_id))",
        )
        self._ready = False

    @contextmanager
    def _transaction(self, commit: bool) -> Any:
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
                with self._transaction(commit=True) as cursor:
                    for statement in self._create:
                        cursor.execute(statement)
                break
            except _integrity_errors():  # two processes creating the tables at once
                if attempt:
                    raise
        self._ready = True

    def load(self, name: str) -> StoredView | None:
        """The stored row of view `name`, or None."""
        try:
            self._ensure()
            with self._transaction(commit=False) as cursor:
                cursor.execute(
                    self._sql(f"SELECT version, position, state FROM {self._views} WHERE name = ?"),
                    (name,),
                )
                row = cursor.fetchone()
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"view {name!r}: cannot read: {exc}") from exc
        if row is None:
            return None
        try:
            position = _POSITION.decode(bytes(row["position"]))
        except msgspec.DecodeError:
            return None
        return StoredView(str(row["version"]), position, bytes(row["state"]))

    def save(
        self,
        name: str,
        version: str,
        read_at: StoredView | None,
        position: Position,
        state: bytes,
    ) -> None:
        """Record `state` at `position` for view `name`, if the row is still `read_at`.

        Raises ViewConflictError (a replayed or stale position: nothing written) or
        StorageError."""
        if position.notification_id is None:
            raise ValueError("a view position without events is never stored")
        blob = _ENCODER.encode(position)
        try:
            self._ensure()
            with self._transaction(commit=True) as cursor:
                cursor.execute(
                    self._sql(
                        f"INSERT INTO {self._tracking} (view, notification_id) VALUES (?, ?)"
                    ),
                    (name, position.notification_id),
                )
                if read_at is None:
                    cursor.execute(
                        self._sql(
                            f"INSERT INTO {self._views} (name, version, seq, position, state) "
                            "VALUES (?, ?, ?, ?, ?)"
                        ),
                        (name, version, position.seq, blob, state),
                    )
                else:
                    cursor.execute(
                        self._sql(
                            f"UPDATE {self._views} SET version = ?, seq = ?, position = ?, "
                            "state = ? WHERE name = ? AND version = ? AND seq = ? RETURNING name"
                        ),
                        (
                            version,
                            position.seq,
                            blob,
                            state,
                            name,
                            read_at.version,
                            read_at.position.seq,
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
                    (name, position.notification_id),
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
        """Forget view `name` (it will be rebuilt from nothing on next use)."""
        self._ensure()
        with self._transaction(commit=True) as cursor:
            cursor.execute(self._sql(f"DELETE FROM {self._views} WHERE name = ?"), (name,))
            cursor.execute(self._sql(f"DELETE FROM {self._tracking} WHERE view = ?"), (name,))
