"""The document store: dossier files kept beside the ledger, content-addressed by SHA-256.

For a SQLite ledger, a directory next to the database (``awards.db`` -> ``awards.db.documents/``)
with one file per content, named by its SHA-256 in hex; for PostgreSQL, a table beside the
events table (``<events table>_documents``: sha256, content). The store is untrusted like any
other side storage: every read re-hashes the bytes and a copy whose hash is not its name is
reported as altered, never served. Files are written whole (temporary file, then rename).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import StorageError
from ledger.store import LedgerLocation


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class StoredCopy:
    """What the store holds for one hash: where, and whether the bytes still match it."""

    where: str
    intact: bool


class DocumentStore:
    """Content-addressed document storage for one ledger (see the module docstring)."""

    def __init__(self, location: LedgerLocation, recorder: Any) -> None:
        self.location = location
        self.recorder = recorder
        if location.is_postgres:
            name = f"{recorder.events_table_name}_documents"
            self.table = f'"{recorder.datastore.schema}"."{name}"'
            self.directory = None
        else:
            self.directory = Path(location.env["SQLITE_DBNAME"] + ".documents")

    def put(self, content: bytes) -> bool:
        """Store `content` under its SHA-256; False if a copy was already there."""
        sha = sha256_hex(content)
        try:
            if self.directory is None:
                return self._put_row(sha, content)
            path = self.directory / sha
            if path.exists():
                return False
            self.directory.mkdir(exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(content)
            os.replace(temporary, path)
            return True
        except Exception as exc:  # OSError, or the database's own errors
            raise StorageError(f"document store {self.where(sha)!r}: cannot write: {exc}") from exc

    def remove(self, sha: str) -> None:
        """Take back a copy just put (its ledger write failed)."""
        if self.directory is None:
            with self.recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(f"DELETE FROM {self.table} WHERE sha256 = %s", (sha,))
        else:
            (self.directory / sha).unlink(missing_ok=True)

    def copy(self, sha: str) -> StoredCopy | None:
        """The stored copy of `sha`, re-hashed; None if the store holds none."""
        content = self._get(sha)
        if content is None:
            return None
        return StoredCopy(self.where(sha), sha256_hex(content) == sha)

    def content(self, sha: str) -> bytes | None:
        """The bytes stored under `sha`, as they are (None if none): the audit re-hashes them."""
        return self._get(sha)

    def stored(self) -> list[str]:
        """The names (hashes) of every stored copy; none if the store was never made."""
        try:
            if self.directory is not None:
                if not self.directory.is_dir():
                    return []
                return sorted(p.name for p in self.directory.iterdir() if p.suffix != ".tmp")
            self._create_table()
            with self.recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(f"SELECT sha256 FROM {self.table} ORDER BY sha256")
                rows = cursor.fetchall()
        except Exception as exc:
            where = f"document store of {self.location.url}"
            raise StorageError(f"{where}: cannot list: {exc}") from exc
        return [str(row["sha256"] if isinstance(row, dict) else row[0]) for row in rows]

    def where(self, sha: str) -> str:
        if self.directory is None:
            return f"{self.location.url} table {self.table} row {sha}"
        return str(self.directory / sha)

    def _get(self, sha: str) -> bytes | None:
        try:
            if self.directory is not None:
                path = self.directory / sha
                return path.read_bytes() if path.is_file() else None
            self._create_table()
            with self.recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(f"SELECT content FROM {self.table} WHERE sha256 = %s", (sha,))
                row = cursor.fetchone()
        except Exception as exc:
            raise StorageError(f"document store {self.where(sha)!r}: cannot read: {exc}") from exc
        if row is None:
            return None
        return bytes(row["content"] if isinstance(row, dict) else row[0])

    def _put_row(self, sha: str, content: bytes) -> bool:
        self._create_table()
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (sha256, content) VALUES (%s, %s) "
                "ON CONFLICT (sha256) DO NOTHING",
                (sha, content),
            )
            return bool(cursor.rowcount)

    def _create_table(self) -> None:
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} "
                "(sha256 text PRIMARY KEY, content bytea NOT NULL)"
            )
