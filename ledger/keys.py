"""Ed25519 key files, passphrases and the signer fingerprint (key id) shown in reports.

Owns the on-disk key format: ``NAME.key`` is a PKCS#8 PEM private key (encrypted with the best
available PEM encryption when a passphrase is given) created with mode 0600 from the start, and
``NAME.pub`` is a SubjectPublicKeyInfo PEM public key. Every cryptography exception is translated
into ``KeyFileError`` here, at the boundary. Private key bytes never appear in a message or log.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from domain.errors import KeyFileError, UsageError

PASSPHRASE_ENV = "AWARDS_KEY_PASSPHRASE"
PUBLIC_KEY_SIZE = 32
KEY_ID_BYTES = 8  # key_id() is the first 8 bytes of SHA-256, printed as 16 hex characters
MAX_KEY_FILE_BYTES = 64 * 1024

_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")
_ENCRYPTED_MARKERS = (b"-----BEGIN ENCRYPTED PRIVATE KEY-----", b"Proc-Type: 4,ENCRYPTED")


def generate_key() -> Ed25519PrivateKey:
    """Return a new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the 32-byte RFC 8032 encoding of the public half of `key`."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """Return the Ed25519 public key encoded by the 32 bytes `raw`. Raises KeyFileError."""
    if len(raw) != PUBLIC_KEY_SIZE:
        raise KeyFileError(f"public key: expected {PUBLIC_KEY_SIZE} bytes, got {len(raw)}")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"public key {raw.hex()}: not a valid ed25519 key") from exc


def key_id(public_raw: bytes) -> str:
    """Return the signer fingerprint shown in reports.

    It is the lowercase hex of the first 8 bytes of SHA-256(raw 32-byte public key): 16 hex
    characters. (This is not the 4-byte C2SP note key id, which also hashes the key name.)
    """
    if len(public_raw) != PUBLIC_KEY_SIZE:
        raise KeyFileError(f"public key: expected {PUBLIC_KEY_SIZE} bytes, got {len(public_raw)}")
    return hashlib.sha256(public_raw).digest()[:KEY_ID_BYTES].hex()


def check_key_name(name: str) -> None:
    """Require 1-64 characters of [A-Za-z0-9._-], not starting with '.' or '-'.

    Raises UsageError.
    """
    if not _NAME_RE.fullmatch(name):
        raise UsageError(
            f"key name '{name}' is invalid: use 1-64 of A-Z a-z 0-9 . _ -, "
            "not starting with '.' or '-'"
        )


def write_key_pair(name: str, out_dir: Path, passphrase: bytes | None) -> tuple[Path, Path]:
    """Create a new key pair as ``out_dir/NAME.key`` (0600) and ``out_dir/NAME.pub`` (0644).

    The private key file is created with mode 0600 by ``os.open`` (never written then chmod-ed)
    and is encrypted when `passphrase` is given. Existing files are never overwritten.
    Returns (private key path, public key path). Raises UsageError, KeyFileError.
    """
    check_key_name(name)
    if passphrase is not None and not passphrase:
        raise KeyFileError("passphrase is empty")
    key_path = out_dir / f"{name}.key"
    pub_path = out_dir / f"{name}.pub"
    for path in (key_path, pub_path):
        if path.exists() or path.is_symlink():
            raise KeyFileError(f"key file '{path}' already exists")
    key = generate_key()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase is not None
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _create_file(key_path, private_pem, 0o600)
    try:
        _create_file(pub_path, public_pem, 0o644)
    except KeyFileError:
        key_path.unlink(missing_ok=True)
        raise
    return key_path, pub_path


def _create_file(path: Path, data: bytes, mode: int) -> None:
    """Create `path` exclusively with `mode` and write `data`; never follow or replace a file."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError as exc:
        raise KeyFileError(f"key file '{path}' already exists") from exc
    except OSError as exc:
        raise KeyFileError(f"key file '{path}': cannot create ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise KeyFileError(f"key file '{path}': cannot write ({exc.strerror})") from exc


def _read_key_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"key file '{path}': cannot read ({exc.strerror})") from exc
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"key file '{path}' is larger than {MAX_KEY_FILE_BYTES} bytes")
    if b"-----BEGIN " not in data:
        raise KeyFileError(f"key file '{path}' is not a PEM file")
    return data


def load_private_key(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from a PEM file, decrypting it with `passphrase`.

    A passphrase given for an unencrypted key is accepted and ignored (so one
    AWARDS_KEY_PASSPHRASE can serve a mix of keys). A file readable by group or others is
    refused, as ssh does (`check_private_key_mode`). Raises KeyFileError.
    """
    data = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:
        if passphrase is None:
            raise KeyFileError(
                f"key file '{path}' is encrypted: give --passphrase-file or {PASSPHRASE_ENV}"
            ) from exc
        key = _load_unencrypted(path, data)
    except ValueError as exc:
        if passphrase is not None and any(m in data for m in _ENCRYPTED_MARKERS):
            raise KeyFileError(f"key file '{path}': wrong passphrase") from exc
        raise KeyFileError(f"key file '{path}' is not a readable PEM private key") from exc
    except UnsupportedAlgorithm as exc:
        raise KeyFileError(f"key file '{path}' uses an unsupported key algorithm") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"key file '{path}' is not an ed25519 private key")
    check_private_key_mode(path)
    return key


def check_private_key_mode(path: Path) -> None:
    """Refuse a private key file that group or others may read or write (mode & 0o077), as
    ssh does: someone else may have copied it. Needs POSIX permissions (skipped elsewhere).
    Raises KeyFileError."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # _read_key_file reports a missing or unreadable file
    if mode & 0o077:
        raise KeyFileError(
            f"key file '{path}' is accessible by group or others (mode {mode & 0o777:04o}): "
            f"run 'chmod 600 {path}'"
        )


def _load_unencrypted(path: Path, data: bytes) -> PrivateKeyTypes:
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"key file '{path}' is not a readable PEM private key") from exc
    except UnsupportedAlgorithm as exc:
        raise KeyFileError(f"key file '{path}' uses an unsupported key algorithm") from exc


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Load an Ed25519 public key from a SubjectPublicKeyInfo PEM file. Raises KeyFileError."""
    data = _read_key_file(path)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise KeyFileError(f"key file '{path}' is not a readable PEM public key") from exc
    except UnsupportedAlgorithm as exc:
        raise KeyFileError(f"key file '{path}' uses an unsupported key algorithm") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"key file '{path}' is not an ed25519 public key")
    return key


def read_passphrase(passphrase_file: Path | None, env: Mapping[str, str]) -> bytes | None:
    """Return the key passphrase from `passphrase_file`, else env AWARDS_KEY_PASSPHRASE, else None.

    From a file, exactly one trailing "\\n" or "\\r\\n" is removed; nothing else is stripped.
    An empty passphrase raises KeyFileError.
    """
    if passphrase_file is not None:
        try:
            data = passphrase_file.read_bytes()
        except OSError as exc:
            raise KeyFileError(
                f"passphrase file '{passphrase_file}': cannot read ({exc.strerror})"
            ) from exc
        if data.endswith(b"\r\n"):
            data = data[:-2]
        elif data.endswith(b"\n"):
            data = data[:-1]
        if not data:
            raise KeyFileError(f"passphrase file '{passphrase_file}' is empty")
        return data
    value = env.get(PASSPHRASE_ENV)
    if value is None:
        return None
    if not value:
        raise KeyFileError(f"passphrase from {PASSPHRASE_ENV} is empty")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise KeyFileError(f"passphrase from {PASSPHRASE_ENV} is not valid utf-8") from exc


# -- public-key validity (RFC 8032 §5.1.3 decoding, and no small-order points) ------------------

_P = 2**255 - 19
_D = -121665 * pow(121666, -1, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def public_key_problem(raw: bytes) -> str | None:
    """Why the 32 bytes `raw` are not an acceptable Ed25519 public key, or None if they are.

    Refused: a wrong length; a non-canonical encoding (y ≥ p, or x = 0 with the sign bit
    set); a y with no point on edwards25519; and a point of small order ([8]P is the
    identity, e.g. the identity 0100…00 itself), with which anyone can make a signature that
    verifies for any message. Pure integer arithmetic: only registrations and geneses pay it."""
    if len(raw) != PUBLIC_KEY_SIZE:
        return f"is {len(raw)} bytes, want {PUBLIC_KEY_SIZE}"
    number = int.from_bytes(raw, "little")
    sign, y = number >> 255, number & ((1 << 255) - 1)
    if y >= _P:
        return "is not canonically encoded (y >= p)"
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        if sign:
            return "is not canonically encoded (x = 0 with the sign bit set)"
        x = 0
    else:
        x = pow(x2, (_P + 3) // 8, _P)
        if (x * x - x2) % _P:
            x = x * _SQRT_M1 % _P
        if (x * x - x2) % _P:
            return "is not a point on the curve"
        if x & 1 != sign:
            x = _P - x
    point = (x, y, 1)
    for _ in range(3):
        point = _double(point)
    if point[0] == 0 and point[1] == point[2]:  # [8]P is the identity (0, 1)
        return "is a point of small order (anyone could sign for it)"
    return None


def _double(point: tuple[int, int, int]) -> tuple[int, int, int]:
    """Doubling in projective coordinates on edwards25519 (a = -1), without inversions."""
    x, y, z = point
    b, c, d = (x + y) ** 2 % _P, x * x % _P, y * y % _P
    e = -c % _P
    f = (e + d) % _P
    j = (f - 2 * z * z) % _P
    return (b - c - d) * j % _P, f * (e - d) % _P, f * j % _P


def check_public_key(raw: bytes, what: str = "public key") -> bytes:
    """Return `raw` if it is an acceptable Ed25519 public key (see public_key_problem), else
    raise KeyFileError (exit 3) naming `what` and the reason."""
    problem = public_key_problem(raw)
    if problem is not None:
        raise KeyFileError(f"{what} {raw.hex()[:64]} {problem}")
    return raw
