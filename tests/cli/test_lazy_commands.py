"""The root group loads each command's module only when that command is resolved (cli/main.py):
its static table (name -> module, short help) matches the commands the modules really define,
`awards --help` lists them exactly as click would from the loaded commands, without importing
any of them, and a command brings in its own module only."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.context import NfcString
from cli.main import LAZY_COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]
WIDE = 10**6  # a limit no short help reaches: the whole first sentence


def defined_commands() -> dict[str, tuple[str, click.Command]]:
    """Every command of every cli/*_cmd.py module's COMMANDS: name -> (module, command)."""
    found: dict[str, tuple[str, click.Command]] = {}
    for path in sorted((ROOT / "cli").glob("*_cmd.py")):
        module = importlib.import_module(f"cli.{path.stem}")
        for command in module.COMMANDS:
            assert command.name is not None
            assert found.get(command.name, (path.stem,))[0] == path.stem, command.name
            found[command.name] = (path.stem, command)
    return found


def printed_limit(width: int = 78) -> int:
    """The limit click shortens the root's short helps to, on a formatter `width` wide."""
    return width - 6 - max(len(name) for name in LAZY_COMMANDS)


def test_the_table_names_every_command_of_every_module_once_with_its_module() -> None:
    defined = defined_commands()
    assert {name: module for name, (module, _) in defined.items()} == {
        name: module for name, (module, _) in LAZY_COMMANDS.items()
    }


def test_each_short_help_in_the_table_is_the_commands_own() -> None:
    for name, (_, command) in defined_commands().items():
        short = LAZY_COMMANDS[name][1]
        assert not command.hidden and not command.deprecated and command.short_help is None
        assert short == command.get_short_help_str(limit=WIDE), name
        # and shortened to any terminal's width as click shortens the command's
        stand_in = click.Command(name, help=short)
        for limit in (printed_limit(), printed_limit(48), 45, 20):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name


HELP_SCRIPT = """
import contextlib, io, json, sys
import click
import cli.main

def helped(args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            cli.main.cli.main(args, prog_name="awards", standalone_mode=False)
        except SystemExit:
            pass
    return out.getvalue()

args = json.loads(sys.argv[1])
text = helped(args)
modules = sorted(m for m in sys.modules if m.startswith(("cli.", "openpyxl", "demo")))
ctx = click.Context(cli.main.cli)
for name in cli.main.cli.list_commands(ctx):
    assert cli.main.cli.get_command(ctx, name) is not None, name
print(json.dumps({"help": text, "modules": modules, "loaded_help": helped(args)}))
"""


def run_help(args: list[str], columns: int = 80) -> dict[str, object]:
    """`awards ARGS` in a fresh interpreter: its output, the cli/demo/openpyxl modules it
    imported, and the same output once every command is loaded."""
    env = {"COLUMNS": str(columns), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, json.dumps(args)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("columns", [80, 50, 200])
def test_root_help_imports_no_command_and_lists_them_as_click_would(columns: int) -> None:
    seen = run_help(["--help"], columns)
    assert seen["modules"] == ["cli.context", "cli.main", "cli.progress", "cli.render"]
    assert seen["help"] == seen["loaded_help"]  # the table's lines are the commands' own
    text = str(seen["help"])
    listed = [line.split()[0] for line in text.split("\nCommands:\n")[1].splitlines()]
    assert listed == sorted(LAZY_COMMANDS)


def test_a_command_imports_its_own_module_only() -> None:
    modules = run_help(["verify", "--help"])["modules"]
    assert isinstance(modules, list)
    commands = {m for m in modules if m.endswith("_cmd")}
    assert commands == {"cli.log_cmd", "cli.inspect_cmd"}  # log_cmd uses inspect_cmd's index
    assert not any(m.startswith(("openpyxl", "demo")) for m in modules)


def test_a_loaded_command_and_its_subcommands_take_ids_in_nfc() -> None:
    ctx = click.Context(cli)
    hold = cli.get_command(ctx, "hold")
    assert isinstance(hold, click.Group)
    add = hold.commands["add"]
    types = {p.name: p.type for p in add.params}
    assert isinstance(types["hold_id"], NfcString) and isinstance(types["subject"], NfcString)
    assert not isinstance(types["reason"], NfcString)  # free text stays as typed
    assert cli.get_command(ctx, "no-such-command") is None


def test_an_unknown_command_is_one_line_with_every_command_to_suggest() -> None:
    result = CliRunner().invoke(cli, ["verfy"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "error: awards: no such command 'verfy'. (Did you mean one of: 'recovery', 'verify'?);"
        " see 'awards --help'\n"
    )
