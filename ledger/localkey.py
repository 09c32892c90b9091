"""The local cache key: a secret kept outside the database that seals what is cached beside it.

Stored read models and the write-receipt frontier live in the ledger's own database, which
anyone able to edit the database can change without any signing key. Each cached row is
therefore sealed with HMAC-SHA256 under a 32-byte secret that only this user on this machine
holds: the file ``$AWARDS_VIEW_KEY_FILE``, else ``$XDG_STATE_HOME/award-ledger/view.key``, else
``~/.local/state/award-ledger/view.key``. It is created on first use (directory 0700, file 0600,
32 random bytes). A file that is not exactly 32 bytes, not a regular file, or readable by group
or others is not used: then nothing is cached (reads fold from the log, writes read it back).

Rows are keyed by the key's id (``hex(SHA-256("award-ledger/local-key-id\\n" ‖ secret)[:8])``),
so several offices sharing one PostgreSQL ledger each keep, and trust, only their own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ENV = "AWARDS_VIEW_KEY_FILE"
SIZE = 32


@dataclass(frozen=True)
class LocalKey:
    """A local secret and its public id (never the secret itself in any row or message)."""

    key_id: str
    secret: bytes

    def seal(self, domain: bytes, *parts: bytes) -> bytes:
        """HMAC-SHA256 over `domain` and each part, each part preceded by its 8-byte length."""
        return self.seal_chunked(domain, [(len(part), (part,)) for part in parts])

    def seal_chunked(self, domain: bytes, parts: Iterable[tuple[int, Iterable[bytes]]]) -> bytes:
        """:meth:`seal` of parts given as (length, their bytes in chunks): a large part is
        never held whole. Raises ValueError when a part's chunks do not add up to its length
        (there is then no seal of what was claimed)."""
        mac = hmac.new(self.secret, domain, hashlib.sha256)
        for size, chunks in parts:
            mac.update(size.to_bytes(8, "big"))
            given = 0
            for chunk in chunks:
                mac.update(chunk)
                given += len(chunk)
            if given != size:
                raise ValueError(f"a sealed part of {size} bytes gave {given}")
        return mac.digest()

    def opens(self, seal: bytes, domain: bytes, *parts: bytes) -> bool:
        """Whether `seal` is this key's seal over `domain` and `parts` (constant time)."""
        return hmac.compare_digest(seal, self.seal(domain, *parts))


def key_id_of(secret: bytes) -> str:
    return hashlib.sha256(b"award-ledger/local-key-id\n" + secret).digest()[:8].hex()


def key_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where this user's cache key lives (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get(ENV):
        return Path(env[ENV])
    state = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "award-ledger" / "view.key"


_LOADED: dict[Path, LocalKey] = {}


def local_key(create: bool = True) -> LocalKey | None:
    """This user's cache key, created when missing (with `create`); None when unusable."""
    try:
        path = key_path()
    except RuntimeError:  # no home directory to put it in
        return None
    if path in _LOADED:
        return _LOADED[path]
    if create and not path.exists():
        _create(path)
    secret = _read(path)
    if secret is None:
        return None
    key = _LOADED[path] = LocalKey(key_id_of(secret), secret)
    return key


def _create(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # another process made it first, or the directory is read-only
        return
    with os.fdopen(fd, "wb") as out:
        out.write(os.urandom(SIZE))


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_size != SIZE:
            return None
        secret = file.read(SIZE + 1)
    return secret if len(secret) == SIZE else None
