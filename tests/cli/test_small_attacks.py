"""The small things an attacker uses (issue 10, item 9), each performed through the CLI: extreme
times, a deeply nested rulebook, bad PostgreSQL URLs and their passwords, read commands on a
missing schema, a row with NULL state, a witness counted twice, `--out` through a symlink or
over a file, and a private key others can read. None may end in a traceback; each refusal is
one `error:` line with the README's exit code and leaves the ledger unchanged."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.note import SignedNote
from ledger.witness import cosign
from tests.conftest import (
    POSTGRES_ENV,
    Cli,
    Keys,
    RawRows,
    _pg_connect,
    checkpoint_note,
    one_error_line,
)
from tests.world import MOVEMENT, World, build_world


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


@pytest.fixture
def plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI with `--ledger` given by each test."""
    return Cli(str(tmp_path / "unused.db"), monkeypatch)


def _refused(result: object, code: int, *fragments: str) -> str:
    assert getattr(result, "exit_code") == code, getattr(result, "output")  # noqa: B009
    line = one_error_line(result)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in line, line
    return line


# -- extreme times -------------------------------------------------------------------------------


@pytest.mark.backend_agnostic
@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00", "0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00", "1899-12-31"]
)
def test_an_extreme_at_is_a_usage_error_and_records_nothing(
    world: World, awards: Cli, moment: str
) -> None:
    before = world.raw.snapshot()
    result = awards(
        "register", MOVEMENT, "P3", "--title", "advanced_worker", "--at", moment,
        "--key", world.key_file("sec"),
    )  # fmt: skip
    _refused(result, 2, "--at", "out of range")
    standings = awards("standings", MOVEMENT, "--as-of", moment)
    _refused(standings, 2, "--as-of", "out of range")
    appended = awards("standings", MOVEMENT, "--appended-before", moment)
    _refused(appended, 2, "--appended-before", "out of range")
    assert world.raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_an_extreme_date_is_a_usage_error(world: World, awards: Cli) -> None:
    before = world.raw.snapshot()
    result = awards(
        "movement", "launch", "M-1", "--name", "x", "--start", "0001-01-01", "--end",
        "0001-01-02", "--deadline", "0001-01-01", "--key", world.key_file("sec"),
    )  # fmt: skip
    _refused(result, 2, "--start", "out of range")
    assert world.raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_an_extreme_time_in_a_csv_row_is_malformed_input(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    csv = tmp_path / "registrations.csv"
    csv.write_text("participant,titles,at\nP3,advanced_worker,0001-01-01T00:00\n", "utf-8")
    before = world.raw.snapshot()
    result = awards(
        "import", "registrations", csv, "--movement", MOVEMENT, "--key", world.key_file("sec")
    )
    _refused(result, 3, "line 2", "out of range")
    assert world.raw.snapshot() == before


# -- a deeply nested rulebook --------------------------------------------------------------------


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("nested", ["a = " + "[" * 50_000 + "]" * 50_000, "a = " + "{b = " * 5000])
def test_a_deeply_nested_rulebook_is_malformed_input(
    world: World, awards: Cli, tmp_path: Path, nested: str
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(nested, "utf-8")
    before = world.raw.snapshot()
    result = awards(
        "movement", "launch", "M-1", "--name", "x", "--start", "2020-01-01", "--end",
        "2020-12-31", "--deadline", "2020-03-01", "--rules", rules, "--key", world.key_file("sec"),
    )  # fmt: skip
    _refused(result, 3, "rulebook", "nested too deeply")
    assert world.raw.snapshot() == before


# -- PostgreSQL URLs and passwords ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:s3cr3t-pw@localhost:99999/db",
        "postgresql://u:s3cr3t-pw@localhost:port/db",
        "postgresql://u:s3cr3t-pw@[::1/db",
        "postgresql://u:s3cr3t-pw@localhost/db?schema=bad-name",
        "postgresql://u:s3cr3t-pw@localhost:0/db",
    ],
)
def test_a_bad_postgresql_url_is_a_usage_error_without_its_password(plain: Cli, url: str) -> None:
    result = plain("--ledger", url, "log", ledger=False)
    _refused(result, 2, "ledger 'postgresql://u:***@")
    assert "s3cr3t" not in result.output


@pytest.mark.parametrize("password", ["s3cr3t-pw", "p%40ss%2Fw0rd-x"])
def test_a_postgresql_password_never_appears_in_a_storage_error(
    plain: Cli, monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    monkeypatch.setenv("AWARDS_CONNECT_TIMEOUT", "1")
    url = f"postgresql://u:{password}@127.0.0.1:1/db?schema=s1"  # nothing listens on port 1
    for command in (["log"], ["init", "--origin", "o.example/x", "--operator", "op", "--key",
                               "/nonexistent.key"]):  # fmt: skip
        result = plain("--ledger", url, *command, ledger=False)
        assert result.exit_code in (3, 5), result.output
        for secret in (password, "s3cr3t", "p@ss/w0rd", "p%40ss"):
            assert secret not in result.output


def test_read_commands_never_create_a_schema_or_a_file(
    ledger_url: str, plain: Cli, tmp_path: Path
) -> None:
    if "?schema=" not in ledger_url and "&schema=" not in ledger_url:
        missing = str(tmp_path / "missing.db")
        for command in (["log"], ["verify"], ["signer", "list"], ["history", "P1"]):
            _refused(plain("--ledger", missing, *command, ledger=False), 5, "not initialised")
        assert not Path(missing).exists()
        return
    base = os.environ[POSTGRES_ENV]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    for command in (["log"], ["verify"], ["signer", "list"], ["history", "P1"]):
        _refused(plain("--ledger", url, *command, ledger=False), 5, "not initialised")
    with _pg_connect(base) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    assert found == (0,)


# -- a row with NULL (or odd) state --------------------------------------------------------------


ODD_COLUMNS = {
    "null state": ("state", None),
    "text state": ("state", "text state"),
    "int state": ("state", 42),
    "empty state": ("state", b""),
    "null topic": ("topic", None),
    "null version": ("originator_version", None),
    "text version": ("originator_version", "x"),
}


@pytest.mark.parametrize(("column", "value"), ODD_COLUMNS.values(), ids=ODD_COLUMNS.keys())
def test_a_row_with_a_null_or_odd_column_never_crashes_a_read(
    world: World, awards: Cli, column: str, value: object
) -> None:
    raw = world.raw
    seq = raw.count() - 1  # the last registration
    try:
        raw.set_column(seq, column, value)
    except Exception as exc:  # PostgreSQL's types and NOT NULL cannot hold every value
        if not raw.location.is_postgres:
            raise
        pytest.skip(f"PostgreSQL refuses {column} = {value!r}: {type(exc).__name__}")

    verify = awards("verify")
    log = awards("log")
    history = awards("history", "U1")
    report = awards("report", MOVEMENT, "--format", "json")
    standings = awards("standings", MOVEMENT)

    _refused(verify, 4, f"event {seq}")
    for result in (log, history, report, standings):
        assert result.exit_code in (0, 4), result.output
        if result.exit_code == 4:
            _refused(result, 4, f"event {seq}", "awards verify")


# -- witnesses count once ------------------------------------------------------------------------


def test_a_witness_given_twice_counts_once(
    ledger: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    note = SignedNote.from_text(checkpoint_note(ledger))
    cosigned = tmp_path / "cosigned.txt"
    cosigned.write_text(cosign(note, "w1", keys.other, 1_700_000_000).to_text(), "utf-8")
    spec = f"w1={keys.other_pub}"
    base = ["verify", "--checkpoint", cosigned]

    assert awards(*base, "--witness", spec).exit_code == 0
    twice = awards(*base, "--witness", spec, "--witness", spec, "--min-witnesses", "2")
    _refused(twice, 4, "witness policy", "2 cosignatures required but only 1")
    renamed = awards(*base, "--witness", spec, "--witness", f"w2={keys.other_pub}")
    _refused(renamed, 2, "--witness 'w2' has the same key as 'w1'")
    rekeyed = awards(*base, "--witness", spec, "--witness", f"w1={keys.sec_pub}")
    _refused(rekeyed, 2, "--witness 'w1' is given twice with different keys")


# -- --out: no symlink followed, no file silently replaced ---------------------------------------


def test_out_refuses_a_symlink_and_an_existing_file(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    before = raw.snapshot()

    _refused(awards("prove", "1", "--out", link), 2, "symbolic link")
    _refused(awards("prove", "1", "--out", link, "--force"), 2, "symbolic link")
    _refused(awards("prove", "1", "--out", victim), 2, "already exists", "--force")
    _refused(awards("checkpoint", "--key", keys.op_key, "--out", link), 2, "symbolic link")
    _refused(awards("checkpoint", "--key", keys.op_key, "--out", victim), 2, "already exists")

    assert victim.read_text("utf-8") == "precious\n"
    assert raw.snapshot() == before  # the checkpoint was refused before it was signed
    assert awards("prove", "1", "--out", victim, "--force").exit_code == 0
    assert json.loads(victim.read_text("utf-8"))["event"]
    assert not link.resolve().is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.backend_agnostic
def test_report_and_receipt_out_go_through_a_temporary_file(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    assert awards("report", MOVEMENT, "--format", "json", "--out", out).exit_code == 0
    first = out.read_bytes()
    _refused(awards("report", MOVEMENT, "--format", "json", "--out", out), 2, "already exists")
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "awards.csv").symlink_to(out)
    _refused(awards("report", MOVEMENT, "--format", "csv", "--out", folder), 2, "symbolic link")
    assert out.read_bytes() == first
    assert awards("report", MOVEMENT, "--format", "json", "--out", out, "--force").exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.backend_agnostic
def test_witness_cosign_refuses_an_existing_out_before_its_state_moves(
    ledger: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    note = tmp_path / "cp.txt"
    note.write_text(checkpoint_note(ledger), "utf-8")
    state = tmp_path / "state.json"
    out = tmp_path / "out.txt"
    out.write_text("mine\n", "utf-8")
    command = [
        "witness", "cosign", note, "--name", "w1", "--key", keys.other_key, "--state", state,
        "--operator-pub", keys.op_pub, "--out", out,
    ]  # fmt: skip
    _refused(awards(*command), 2, "already exists")
    assert not state.exists() and out.read_text("utf-8") == "mine\n"
    assert awards(*command, "--force").exit_code == 0
    assert "— w1 " in out.read_text("utf-8") and state.exists()


# -- private keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_private_key_others_can_read_is_refused(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path, mode: int
) -> None:
    key = tmp_path / "sec.key"
    key.write_bytes(keys.sec_key.read_bytes())
    key.chmod(mode)
    before = raw.snapshot()

    result = awards("unit", "add", "U9", "--name", "Phòng", "--level", "department", "--key", key)

    _refused(result, 3, str(key), f"mode {mode:04o}", f"chmod 600 {key}")
    assert raw.snapshot() == before
    key.chmod(0o600)
    assert awards("unit", "add", "U9", "--name", "Phòng", "--level", "department",
                  "--key", key).exit_code == 0  # fmt: skip


def test_keys_new_with_a_passphrase_does_not_warn(plain: Cli, tmp_path: Path) -> None:
    passphrase = tmp_path / "pass"
    passphrase.write_text("correct horse\n", "utf-8")
    result = plain(
        "keys", "new", "bob", "--out-dir", tmp_path, "--passphrase-file", passphrase, ledger=False
    )
    assert result.exit_code == 0 and result.stderr == ""
    unencrypted = plain("keys", "new", "eve", "--out-dir", tmp_path, ledger=False)
    assert unencrypted.stderr.startswith(f"warning: {tmp_path / 'eve.key'} is not encrypted")
