"""Exit codes and messages as the README says (issue 13, item 12): a missing thing is named
with the reason, a usage slip is ONE `error:` line with exit 2 (never click's three lines), an
output into a missing directory is the user's slip (2), not a storage failure (5), another
ledger's checkpoint is "different origin". Every refusal leaves the ledger unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.application import LedgerApp, open_ledger
from ledger.keys import write_key_pair
from ledger.usecases import registry
from tests.conftest import LEDGER_SIZE, Cli, Keys, RawRows, checkpoint_note, one_error_line

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_prove_of_an_event_past_the_end_says_there_is_no_such_event(
    ledger: LedgerApp, awards: Cli, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards("prove", "99999")
    assert result.exit_code == 1  # not found: a domain refusal, like every unknown id
    assert one_error_line(result) == (
        f"error: prove: no such event 99999: the ledger holds {LEDGER_SIZE} events "
        f"(0 to {LEDGER_SIZE - 1})"
    )
    assert result.stdout == "" and raw.snapshot() == before


@SQLITE_ONLY
@pytest.mark.parametrize(
    "command",
    [
        ["report", "TD-2019", "--format", "json", "--out", "{dir}/report.json"],
        ["prove", "1", "--out", "{dir}/receipt.json"],
        ["checkpoint", "--key", "{op_key}", "--out", "{dir}/checkpoint.txt"],
    ],
    ids=["report", "prove", "checkpoint"],
)
def test_out_into_a_missing_directory_is_a_usage_error(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no" / "such"
    argv = [a.format(dir=missing, op_key=keys.op_key) for a in command]
    before = raw.snapshot()
    result = awards(*argv)
    assert result.exit_code == 2, result.output
    assert f"directory '{missing}' does not exist" in one_error_line(result)
    assert raw.snapshot() == before  # the checkpoint was refused before it was signed
    assert not missing.exists()


@SQLITE_ONLY
def test_out_under_a_file_is_a_usage_error(ledger: LedgerApp, awards: Cli, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    result = awards("prove", "1", "--out", tmp_path / "plain" / "receipt.json")
    assert result.exit_code == 2
    assert f"directory '{tmp_path / 'plain'}' is not a directory" in one_error_line(result)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["nosuch"], "error: awards: no such command 'nosuch'; see 'awards --help'"),
        (["prove"], "error: awards prove: missing argument 'SEQ'; see 'awards prove --help'"),
        (
            ["log", "--limit", "abc"],
            "error: awards log: invalid value for '--limit': 'abc' is not a valid integer "
            "range; see 'awards log --help'",
        ),
        (
            ["log", "--bogus"],
            "error: awards log: no such option '--bogus'; see 'awards log --help'",
        ),
        (
            ["signer", "add", "x"],
            "error: awards signer add: missing option '--pub'; see 'awards signer add --help'",
        ),
        (
            ["log", "--limit"],
            "error: awards log: option '--limit' requires an argument; see 'awards log --help'",
        ),
    ],
    ids=["command", "argument", "value", "option", "required-option", "option-argument"],
)
def test_a_usage_error_is_one_error_line(
    ledger: LedgerApp, awards: Cli, raw: RawRows, argv: list[str], line: str
) -> None:
    before = raw.snapshot()
    result = awards(*argv)
    assert result.exit_code == 2
    assert result.stderr == line + "\n"
    assert result.stdout == "" and raw.snapshot() == before


def test_help_and_version_still_print_and_exit_0(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    helped = CliRunner().invoke(cli, ["prove", "--help"])
    assert helped.exit_code == 0 and "Usage: awards prove" in helped.stdout
    assert CliRunner().invoke(cli, ["--version"]).exit_code == 0


@SQLITE_ONLY
def test_verify_with_another_ledgers_checkpoint_says_different_origin(
    ledger: LedgerApp, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    other_key, _ = write_key_pair("op2", tmp_path, None)
    other = open_ledger(str(tmp_path / "other.db"))
    try:
        from ledger.keys import load_private_key

        op2 = load_private_key(other_key, None)
        registry.initialise(other, "other.example/ledger", "op2", op2)
        registry.sign_new_checkpoint(other, op2)
        note = checkpoint_note(other)
    finally:
        other.close()
    (tmp_path / "other-checkpoint.txt").write_text(note, encoding="utf-8")
    before = raw.snapshot()
    result = awards("verify", "--checkpoint", tmp_path / "other-checkpoint.txt")
    assert result.exit_code == 4
    line = one_error_line(result)
    assert "given checkpoint: different origin: it is of 'other.example/ledger'" in line
    assert f"this ledger is '{ledger.origin}'" in line
    assert raw.snapshot() == before
