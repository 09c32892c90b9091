"""Tests for ledger.keys: key files, passphrases, key ids."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import KeyFileError, UsageError
from ledger.keys import (
    PASSPHRASE_ENV,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    public_key_from_raw,
    raw_public_key,
    read_passphrase,
    write_key_pair,
)

# RFC 8032 §7.1 TEST 1 public key.
TEST1_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _pem_private(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_write_key_pair_creates_0600_key_and_0644_pub(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # prove the mode comes from os.open, not from the umask
    try:
        key_path, pub_path = write_key_pair("operator", tmp_path, None)
    finally:
        os.umask(old_umask)
    assert key_path == tmp_path / "operator.key"
    assert pub_path == tmp_path / "operator.pub"
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert pub_path.stat().st_mode & 0o777 == 0o644
    private = load_private_key(key_path, None)
    public = load_public_key(pub_path)
    assert raw_public_key(private) == raw_public_key(public)


def test_write_key_pair_encrypted_round_trip(tmp_path: Path) -> None:
    key_path, pub_path = write_key_pair("op", tmp_path, b"correct horse")
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key_path.read_bytes()
    private = load_private_key(key_path, b"correct horse")
    assert raw_public_key(private) == raw_public_key(load_public_key(pub_path))


def test_load_private_key_wrong_passphrase(tmp_path: Path) -> None:
    key_path, _ = write_key_pair("op", tmp_path, b"right")
    with pytest.raises(KeyFileError, match=r"key file '.*op\.key': wrong passphrase"):
        load_private_key(key_path, b"wrong")


def test_load_private_key_encrypted_without_passphrase(tmp_path: Path) -> None:
    key_path, _ = write_key_pair("op", tmp_path, b"right")
    with pytest.raises(KeyFileError, match="is encrypted: give --passphrase-file or AWARDS_KEY"):
        load_private_key(key_path, None)


def test_load_private_key_ignores_passphrase_for_unencrypted_key(tmp_path: Path) -> None:
    key_path, pub_path = write_key_pair("op", tmp_path, None)
    private = load_private_key(key_path, b"not needed")
    assert raw_public_key(private) == raw_public_key(load_public_key(pub_path))


def test_load_private_key_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"key file '.*nope\.key': cannot read"):
        load_private_key(tmp_path / "nope.key", None)


def test_load_private_key_not_pem(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.key", b"just some text\n")
    with pytest.raises(KeyFileError, match=r"key file '.*x\.key' is not a PEM file"):
        load_private_key(path, None)


def test_load_private_key_garbled_pem(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "x.key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(KeyFileError, match="is not a readable PEM private key"):
        load_private_key(path, None)


def test_load_private_key_public_key_file(tmp_path: Path) -> None:
    _, pub_path = write_key_pair("op", tmp_path, None)
    with pytest.raises(KeyFileError, match="is not a readable PEM private key"):
        load_private_key(pub_path, None)


def test_load_private_key_too_large(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.key", b"-----BEGIN " + b"A" * 70_000)
    with pytest.raises(KeyFileError, match="is larger than 65536 bytes"):
        load_private_key(path, None)


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_load_private_key_rejects_other_algorithms(tmp_path: Path, kind: str) -> None:
    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    path = _write(tmp_path / f"{kind}.key", _pem_private(other))
    with pytest.raises(KeyFileError, match="is not an ed25519 private key"):
        load_private_key(path, None)
    pub_path = _write(
        tmp_path / f"{kind}.pub",
        other.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    with pytest.raises(KeyFileError, match="is not an ed25519 public key"):
        load_public_key(pub_path)


def test_load_public_key_not_a_public_key(tmp_path: Path) -> None:
    key_path, _ = write_key_pair("op", tmp_path, None)
    with pytest.raises(KeyFileError, match="is not a readable PEM public key"):
        load_public_key(key_path)


def test_write_key_pair_refuses_to_overwrite(tmp_path: Path) -> None:
    key_path = _write(tmp_path / "op.key", b"precious")
    with pytest.raises(KeyFileError, match=r"key file '.*op\.key' already exists"):
        write_key_pair("op", tmp_path, None)
    assert key_path.read_bytes() == b"precious"
    assert not (tmp_path / "op.pub").exists()


def test_write_key_pair_refuses_existing_pub(tmp_path: Path) -> None:
    _write(tmp_path / "op.pub", b"precious")
    with pytest.raises(KeyFileError, match=r"key file '.*op\.pub' already exists"):
        write_key_pair("op", tmp_path, None)
    assert not (tmp_path / "op.key").exists()


def test_write_key_pair_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot create"):
        write_key_pair("op", tmp_path / "missing", None)


@pytest.mark.parametrize("name", ["", ".hidden", "-dash", "a/b", "a b", "é", "x" * 65])
def test_write_key_pair_rejects_bad_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match=r"key name '.*' is invalid"):
        write_key_pair(name, tmp_path, None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["a", "op_1", "ops.example-2", "_x", "x" * 64])
def test_write_key_pair_accepts_good_name(tmp_path: Path, name: str) -> None:
    key_path, _ = write_key_pair(name, tmp_path, None)
    assert key_path.name == f"{name}.key"


def test_write_key_pair_rejects_empty_passphrase(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="passphrase is empty"):
        write_key_pair("op", tmp_path, b"")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"secret\n", b"secret"),
        (b"secret\r\n", b"secret"),
        (b"secret", b"secret"),
        (b"secret\n\n", b"secret\n"),
        (b" secret \n", b" secret "),
        (b"secret\r", b"secret\r"),
    ],
)
def test_read_passphrase_strips_one_trailing_newline(
    tmp_path: Path, content: bytes, expected: bytes
) -> None:
    path = _write(tmp_path / "pass", content)
    assert read_passphrase(path, {}) == expected


@pytest.mark.parametrize("content", [b"", b"\n", b"\r\n"])
def test_read_passphrase_empty_file(tmp_path: Path, content: bytes) -> None:
    path = _write(tmp_path / "pass", content)
    with pytest.raises(KeyFileError, match=r"passphrase file '.*pass' is empty"):
        read_passphrase(path, {})


def test_read_passphrase_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"passphrase file '.*nope': cannot read"):
        read_passphrase(tmp_path / "nope", {})


def test_read_passphrase_file_wins_over_env(tmp_path: Path) -> None:
    path = _write(tmp_path / "pass", b"from-file\n")
    assert read_passphrase(path, {PASSPHRASE_ENV: "from-env"}) == b"from-file"


def test_read_passphrase_from_env_or_none() -> None:
    assert read_passphrase(None, {PASSPHRASE_ENV: "from-env\n"}) == b"from-env\n"
    assert read_passphrase(None, {}) is None


def test_read_passphrase_empty_env() -> None:
    with pytest.raises(KeyFileError, match="passphrase from AWARDS_KEY_PASSPHRASE is empty"):
        read_passphrase(None, {PASSPHRASE_ENV: ""})


def test_key_id_is_16_hex_of_sha256_and_stable() -> None:
    assert key_id(TEST1_PUBLIC) == "21fe31dfa154a261"
    assert key_id(TEST1_PUBLIC) == hashlib.sha256(TEST1_PUBLIC).hexdigest()[:16]
    fresh = key_id(raw_public_key(generate_key()))
    assert len(fresh) == 16
    assert fresh == fresh.lower()
    int(fresh, 16)


def test_key_id_rejects_wrong_length() -> None:
    with pytest.raises(KeyFileError, match="public key: expected 32 bytes, got 31"):
        key_id(TEST1_PUBLIC[:31])


def test_public_key_from_raw_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    raw = raw_public_key(key)
    assert len(raw) == 32
    assert raw_public_key(public_key_from_raw(raw)) == raw


def test_public_key_from_raw_wrong_length() -> None:
    with pytest.raises(KeyFileError, match="public key: expected 32 bytes, got 33"):
        public_key_from_raw(TEST1_PUBLIC + b"\x00")
