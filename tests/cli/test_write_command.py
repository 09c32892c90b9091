"""The write commands' plumbing (cli/write.py): `@write_command` hands each command the ledger,
the actor's key and the parsed --at, and prints the receipt it returns; every write command is
registered at the root, in cli/main.py, and loads its key and ledger the same way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli import review_cmd, workflow_cmd
from cli.context import LedgerContext
from cli.main import LAZY_COMMANDS, LedgerGroup, cli
from cli.write import Written, write_command
from ledger.application import LedgerApp, WriteReceipt
from ledger.keys import raw_public_key
from tests.conftest import Cli, Keys, one_error_line
from tests.world import World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Any, tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def probe_cli(seen: dict[str, Any]) -> click.Group:
    """A root group with one write command that records what the decorator handed it."""

    @click.group(cls=LedgerGroup)
    @click.option("--ledger", required=True)
    @click.pass_context
    def root(ctx: click.Context, ledger: str) -> None:
        ctx.obj = LedgerContext(ledger)

    @root.command("probe")
    @click.argument("thing")
    @write_command()
    def probe(app: LedgerApp, key: Ed25519PrivateKey, at: datetime | None, thing: str) -> Written:
        """Probe."""
        seen.update(app=app, key=key, at=at, thing=thing)
        receipt = WriteReceipt(seqs=[7, 8], size=9, root="ab" * 32)
        return Written(receipt, f"{thing} probed", {"extra": 1}, ["a note"])

    return root


@SQLITE_ONLY
def test_write_command_hands_app_key_and_at_and_prints_the_receipt(
    world: World, ledger_url: str
) -> None:
    seen: dict[str, Any] = {}
    args = ["--ledger", ledger_url, "probe", "X1", "--key", str(world.key_file("sec"))]
    result = CliRunner().invoke(probe_cli(seen), [*args, "--at", "2020-02-18T09:30"])
    assert result.exit_code == 0, result.output
    assert seen["thing"] == "X1" and isinstance(seen["app"], LedgerApp)
    assert raw_public_key(seen["key"].public_key()) == raw_public_key(world.key("sec").public_key())
    assert seen["at"] == datetime(2020, 2, 18, 2, 30, tzinfo=UTC)
    assert seen["at"].utcoffset() == timedelta(hours=7)  # no zone given: Asia/Ho_Chi_Minh
    assert result.stdout == (
        f"X1 probed: recorded events 7-8; tree size 9, root {'ab' * 32}\n  a note\n"
    )
    seen.clear()
    as_json = CliRunner().invoke(probe_cli(seen), [*args, "--json"])
    assert json.loads(as_json.stdout) == {"seqs": [7, 8], "size": 9, "root": "ab" * 32, "extra": 1}
    assert seen["at"] is None  # no --at: the use case takes now


@SQLITE_ONLY
def test_write_command_with_a_bad_key_stops_before_the_command(
    world: World, ledger_url: str, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}
    (tmp_path / "bad.key").write_text("not a key", encoding="utf-8")
    args = ["--ledger", ledger_url, "probe", "X1", "--key", str(tmp_path / "bad.key")]
    result = CliRunner().invoke(probe_cli(seen), args)
    assert result.exit_code == 3
    assert "bad.key" in one_error_line(result)
    assert seen == {}


def test_the_review_commands_are_registered_in_main_like_the_rest() -> None:
    review = {c.name for c in review_cmd.COMMANDS}
    assert review == {"session", "vote", "ballot", "decide", "annul"}
    assert review <= set(cli.list_commands(click.Context(cli)))
    assert not review & {c.name for c in workflow_cmd.COMMANDS}
    assert {LAZY_COMMANDS[name][0] for name in review} == {"review_cmd"}


def _subcommands(group: click.Group) -> dict[str, click.Command]:
    """Every subcommand of `group`, loaded (the root group loads each on first use)."""
    ctx = click.Context(group)
    found = {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def _write_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(_subcommands(group).items()):
        if isinstance(command, click.Group):
            found += _write_commands(command, f"{prefix}{name} ")
        elif any(p.name == "key_path" for p in command.params) and name not in {
            "checkpoint",  # --key optional: without it, prints the latest checkpoint
            "cosign",  # the witness's key, not a ledger write
            "serve",
        }:
            found.append((prefix + name, command))
    return found


def test_every_write_command_goes_through_write_command() -> None:
    commands = _write_commands(cli)
    assert len(commands) >= 15
    for name, command in commands:
        assert getattr(command.callback, "__wrapped__", None) is not None, name
        options = {p.name for p in command.params}
        assert {"key_path", "passphrase_file", "as_json"} <= options, name


@SQLITE_ONLY
def test_a_write_into_a_missing_ledger_file_is_a_storage_error(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "ledger.db"
    result = awards(
        "--ledger", missing, "unit", "add", "U9", "--name", "Chín", "--level", "office",
        "--key", world.key_file("sec"),
    )  # fmt: skip
    assert result.exit_code == 5, result.output
    assert "ledger" in one_error_line(result)
    assert not missing.exists() and not missing.parent.exists()
