"""The README's command tables match `awards --help`: every command is in a table, every
command a table names exists, every option a row names is an option of that command, and every
required option and argument of a command is in its row (so the table is a usage line)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from cli.main import cli

README = Path(__file__).resolve().parents[2] / "README.md"
COMMON = {"--help", "--json", "--key", "--passphrase-file"}  # said once, above the tables


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    ctx = click.Context(group)  # the root group loads each command on first use
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found.update(leaf_commands(command, (*prefix, name)))
        else:
            found[" ".join((*prefix, name))] = command
    return found


COMMANDS = leaf_commands(cli)


def table_usages() -> list[tuple[str, str]]:
    """(command path, usage text) of every backticked usage in the first cell of a table row."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    usages: list[tuple[str, str]] = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = re.split(r"(?<!\\)\|", line)[1]
        in_row: list[str] = []
        for usage in re.findall(r"`([^`]+)`", first_cell):
            words = usage.replace("\\|", "|").split()
            for n in range(len(words), 0, -1):
                path = " ".join(words[:n])
                if path in COMMANDS:
                    usages.append((path, usage))
                    in_row.append(path)
                    break
            else:  # options shared by the row's commands ("each `[--as-of DT]`"), or unknown
                if not words[0].startswith(("[", "--")):
                    usages.append((words[0], usage))
                usages += [(path, usage) for path in in_row]
    return usages


def test_every_command_is_in_the_readme_and_every_readme_command_exists() -> None:
    named = {path for path, _ in table_usages()}
    assert sorted(set(COMMANDS) - named) == [], "commands missing from the README tables"
    assert sorted(named - set(COMMANDS)) == [], "README names commands that do not exist"


def test_readme_rows_name_real_options_and_every_required_one() -> None:
    problems: list[str] = []
    usages: dict[str, str] = {}
    for path, usage in table_usages():
        usages[path] = usages.get(path, "") + " " + usage
    for path, usage in sorted(usages.items()):
        command = COMMANDS.get(path)
        if command is None:
            continue  # reported by the test above
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        for named in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", usage)) - options:
            problems.append(f"{path}: README names {named}, not an option")
        for param in command.params:
            if not param.required or set(param.opts) & COMMON:
                continue
            if isinstance(param, click.Option) and not set(param.opts) & set(usage.split()):
                problems.append(f"{path}: required {param.opts[0]} missing from the README")
    assert problems == []
