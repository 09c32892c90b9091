"""`awards keys new`, and every way a `--key` / `--passphrase-file` given to a write can be bad.

Bad key input is malformed input (exit 3) with one `error:` line naming the file; the ledger is
unchanged (same row count and root).
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ledger.application import LedgerApp
from ledger.keys import key_id, load_private_key, load_public_key, raw_public_key
from tests.conftest import LEDGER_SIZE, Cli, Keys, RawRows, one_error_line


@pytest.fixture
def plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI for commands that need no ledger."""
    return Cli(str(tmp_path / "unused.db"), monkeypatch)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- keys new --------------------------------------------------------------------------------------


def test_keys_new_writes_a_0600_key_and_its_public_half(plain: Cli, tmp_path: Path) -> None:
    out = tmp_path / "k"

    result = plain("keys", "new", "alice", "--out-dir", out, ledger=False)

    assert result.exit_code == 0, result.stderr
    private, public = out / "alice.key", out / "alice.pub"
    kid = key_id(raw_public_key(load_public_key(public)))
    assert result.stdout == f"key alice: id {kid}; wrote {private} (0600) and {public}\n"
    assert result.stderr == f"warning: {private} is not encrypted: anyone who can read it can " + (
        "sign as alice (give --passphrase-file or AWARDS_KEY_PASSPHRASE to encrypt it)\n"
    )
    assert _mode(private) == 0o600
    assert _mode(public) == 0o644
    key = load_private_key(private, None)
    assert raw_public_key(key) == raw_public_key(load_public_key(public))
    assert b"-----BEGIN PRIVATE KEY-----" in private.read_bytes()
    assert private.read_bytes().decode() not in result.stdout


def test_keys_new_defaults_to_the_current_directory(
    plain: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = plain("keys", "new", "bob", ledger=False)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "bob.key").exists()
    assert (tmp_path / "bob.pub").exists()


def test_keys_new_json(plain: Cli, tmp_path: Path) -> None:
    result = plain("keys", "new", "alice", "--out-dir", tmp_path, "--json", ledger=False)
    assert result.exit_code == 0, result.stderr
    doc = msgspec.json.decode(result.stdout)
    assert doc == {
        "name": "alice",
        "key_id": key_id(raw_public_key(load_public_key(tmp_path / "alice.pub"))),
        "private": str(tmp_path / "alice.key"),
        "public": str(tmp_path / "alice.pub"),
        "encrypted": False,
    }


def test_keys_new_with_passphrase_file_encrypts_the_key(plain: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_bytes(b"correct horse\n")

    result = plain(
        "keys", "new", "alice", "--out-dir", tmp_path, "--passphrase-file", secret, "--json",
        ledger=False,
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert msgspec.json.decode(result.stdout)["encrypted"] is True
    data = (tmp_path / "alice.key").read_bytes()
    assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert _mode(tmp_path / "alice.key") == 0o600
    key = load_private_key(tmp_path / "alice.key", b"correct horse")  # one "\n" stripped
    assert raw_public_key(key) == raw_public_key(load_public_key(tmp_path / "alice.pub"))


def test_keys_new_with_passphrase_from_env(
    plain: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWARDS_KEY_PASSPHRASE", "from env")
    result = plain("keys", "new", "alice", "--out-dir", tmp_path, ledger=False)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "alice.key").read_bytes().startswith(b"-----BEGIN ENCRYPTED")
    load_private_key(tmp_path / "alice.key", b"from env")


@pytest.mark.parametrize("existing", ["alice.key", "alice.pub"])
def test_keys_new_refuses_to_overwrite(plain: Cli, tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_bytes(b"precious")

    result = plain("keys", "new", "alice", "--out-dir", tmp_path, ledger=False)

    assert result.exit_code == 3
    assert one_error_line(result) == (f"error: key file '{tmp_path / existing}' already exists")
    assert (tmp_path / existing).read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


def test_keys_new_twice_keeps_the_first_pair(plain: Cli, tmp_path: Path) -> None:
    assert plain("keys", "new", "alice", "--out-dir", tmp_path, ledger=False).exit_code == 0
    first = (tmp_path / "alice.key").read_bytes(), (tmp_path / "alice.pub").read_bytes()

    again = plain("keys", "new", "alice", "--out-dir", tmp_path, ledger=False)

    assert again.exit_code == 3
    assert "already exists" in one_error_line(again)
    assert ((tmp_path / "alice.key").read_bytes(), (tmp_path / "alice.pub").read_bytes()) == first


@pytest.mark.parametrize("name", ["a b", ".hidden", "-dash", "../escape", "x" * 65, ""])
def test_keys_new_with_a_bad_name_is_a_usage_error(plain: Cli, tmp_path: Path, name: str) -> None:
    out = tmp_path / "k"
    out.mkdir()
    result = plain("keys", "new", "--out-dir", out, "--", name, ledger=False)
    assert result.exit_code == 2
    assert f"key name '{name}' is invalid" in one_error_line(result)
    assert list(out.iterdir()) == []
    assert not (tmp_path / "escape.key").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "is empty"), (b"\n", "is empty"), (None, "cannot read")],
    ids=["empty", "only newline", "missing"],
)
def test_keys_new_with_a_bad_passphrase_file_is_malformed_input(
    plain: Cli, tmp_path: Path, content: bytes | None, fragment: str
) -> None:
    secret = tmp_path / "pw"
    if content is not None:
        secret.write_bytes(content)
    out = tmp_path / "k"
    result = plain(
        "keys", "new", "alice", "--out-dir", out, "--passphrase-file", secret, ledger=False
    )
    assert result.exit_code == 3
    assert f"passphrase file '{secret}'" in one_error_line(result)
    assert fragment in result.stderr
    assert not (out / "alice.key").exists()


# -- bad --key input to a write --------------------------------------------------------------------


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _bad_key(kind: str, tmp_path: Path, keys: Keys) -> tuple[Path, str]:
    """A --key file of the given kind and the fragment its error line must contain."""
    path = tmp_path / "bad.key"
    if kind == "missing":
        return path, "cannot read (No such file or directory)"
    if kind == "not a key":
        path.write_text("unit U1, name, level\n")
        return path, "is not a PEM file"
    if kind == "garbled pem":
        path.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
        return path, "is not a readable PEM private key"
    if kind == "public key":
        return keys.sec_pub, "is not a readable PEM private key"
    if kind == "rsa key":
        path.write_bytes(_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)))
        return path, "is not an ed25519 private key"
    if kind == "ec key":
        path.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
        return path, "is not an ed25519 private key"
    if kind == "too large":
        path.write_bytes(b"-----BEGIN PRIVATE KEY-----\n" + b"A" * 70_000)
        return path, "is larger than 65536 bytes"
    raise AssertionError(kind)


BAD_KEYS = ["missing", "not a key", "garbled pem", "public key", "rsa key", "ec key", "too large"]


@pytest.mark.parametrize("kind", BAD_KEYS)
@pytest.mark.backend_agnostic
def test_bad_key_file_is_malformed_input_and_changes_nothing(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path, kind: str
) -> None:
    path, fragment = _bad_key(kind, tmp_path, keys)
    before = raw.snapshot()

    result = awards("unit", "add", "U9", "--name", "X", "--level", "office", "--key", path)

    assert result.exit_code == 3
    line = one_error_line(result)
    assert line.startswith(f"error: key file '{path}'"), line
    assert fragment in line
    assert result.stdout == ""
    assert raw.snapshot() == before


@pytest.fixture
def encrypted(ledger: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path) -> tuple[Path, Path]:
    """An encrypted key registered as secretary 'enc'; returns (key file, passphrase file)."""
    secret = tmp_path / "pw"
    secret.write_text("s3cret phrase\n")
    made = awards(
        "keys", "new", "enc", "--out-dir", tmp_path, "--passphrase-file", secret, ledger=False
    )
    assert made.exit_code == 0, made.stderr
    added = awards(
        "signer", "add", "enc", "--pub", tmp_path / "enc.pub", "--role", "secretary",
        "--key", keys.op_key,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return tmp_path / "enc.key", secret


def test_encrypted_key_with_its_passphrase_file_signs(
    encrypted: tuple[Path, Path], awards: Cli
) -> None:
    key, secret = encrypted
    result = awards(
        "unit", "add", "U9", "--name", "X", "--level", "office", "--key", key,
        "--passphrase-file", secret,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"unit U9 added: recorded event {LEDGER_SIZE + 2};")


@pytest.mark.backend_agnostic
def test_encrypted_key_with_passphrase_from_env_signs(
    encrypted: tuple[Path, Path], awards: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = encrypted
    monkeypatch.setenv("AWARDS_KEY_PASSPHRASE", "s3cret phrase")
    result = awards("unit", "add", "U9", "--name", "X", "--level", "office", "--key", key)
    assert result.exit_code == 0, result.stderr


@pytest.mark.backend_agnostic
def test_encrypted_key_without_passphrase_is_malformed_input(
    encrypted: tuple[Path, Path], awards: Cli, raw: RawRows
) -> None:
    key, _ = encrypted
    before = raw.snapshot()
    result = awards("unit", "add", "U9", "--name", "X", "--level", "office", "--key", key)
    assert result.exit_code == 3
    assert one_error_line(result) == (
        f"error: key file '{key}' is encrypted: give --passphrase-file or AWARDS_KEY_PASSPHRASE"
    )
    assert raw.snapshot() == before


@pytest.mark.parametrize("how", ["file", "env"])
def test_wrong_passphrase_is_malformed_input(
    encrypted: tuple[Path, Path],
    awards: Cli,
    raw: RawRows,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    key, _ = encrypted
    before = raw.snapshot()
    args: list[str | Path] = []
    if how == "file":
        wrong = tmp_path / "wrong"
        wrong.write_text("not it\n")
        args = ["--passphrase-file", wrong]
    else:
        monkeypatch.setenv("AWARDS_KEY_PASSPHRASE", "not it")

    result = awards("unit", "add", "U9", "--name", "X", "--level", "office", "--key", key, *args)

    assert result.exit_code == 3
    assert one_error_line(result) == f"error: key file '{key}': wrong passphrase"
    assert "not it" not in result.stderr
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_missing_passphrase_file_is_malformed_input(
    encrypted: tuple[Path, Path], awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    key, _ = encrypted
    before = raw.snapshot()
    result = awards(
        "unit", "add", "U9", "--name", "X", "--level", "office", "--key", key,
        "--passphrase-file", tmp_path / "nope",
    )  # fmt: skip
    assert result.exit_code == 3
    assert f"passphrase file '{tmp_path / 'nope'}': cannot read" in one_error_line(result)
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_passphrase_for_an_unencrypted_key_is_ignored(
    ledger: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("whatever\n")
    result = awards(
        "unit", "add", "U9", "--name", "X", "--level", "office", "--key", keys.sec_key,
        "--passphrase-file", secret,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


@pytest.mark.backend_agnostic
def test_key_is_checked_before_the_ledger_is_touched(
    awards: Cli, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path
) -> None:
    path, _ = _bad_key("not a key", tmp_path, keys)
    result = awards("init", "--origin", "a.example/log", "--operator", "op", "--key", path)
    assert result.exit_code == 3
    assert "is not a PEM file" in one_error_line(result)
    assert apps(awards.url).is_empty()
