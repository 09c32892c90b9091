"""`awards demo [--out DIR]`: the seed scenarios end to end, then the report step, summarised,
then the next steps a newcomer needs (where `awards` is, the operator's key, what to open, a
verify command to paste)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click

from cli.context import json_option
from cli.progress import progress
from cli.render import emit_json
from demo.build import DemoSummary, ScenarioSummary, build_demo
from demo.reports import write_reports
from demo.scenarios import party_central_path
from demo.scenarios.stage import OPERATOR
from domain.errors import VerificationError
from domain.text import counted


def describe(letter: str, scenario: ScenarioSummary) -> list[str]:
    """Text lines of one scenario's summary."""
    lines = [f"({letter}) {scenario.title}"]
    lines.append(f"    movement {scenario.movement}: {counted(scenario.decisions, 'decision')}")
    for award, counts in scenario.awards.items():
        parts = [counted(counts["unit"], "collective")] if counts["unit"] else []
        parts += [counted(counts["person"], "individual")] if counts["person"] else []
        lines.append(f"    {award}: {', '.join(parts)}")
    levels = ", ".join(f"{n} {level} level" for level, n in scenario.collectives_by_level.items())
    lines.append(
        f"    honoured: {counted(scenario.collectives, 'collective')}"
        + (f" ({levels})" if levels else "")
        + f" and {counted(scenario.individuals, 'individual')}"
        + (f"; {counted(scenario.annulled, 'award')} annulled" if scenario.annulled else "")
    )
    lines += [f"    refused, nothing recorded: {refusal}" for refusal in scenario.refusals]
    lines += [f"    flagged by the annulment: {flag}" for flag in scenario.flags]
    lines += [f"    {path}" for path in scenario.paths]
    return lines


# The regimes in three sentences (README.md says the same).
REGIMES = (
    "law: each decision is judged by the law in force on its date: regime 2003 (Law 15/2003, "
    "Decree 91/2017) until 2023-12-31, 2024 (Law 06/2022, Decree 98/2023) to 2025-06-30, 2025 "
    "(Decree 152/2025) from 2025-07-01 (`awards rules --date D`, docs/RULES.md).",
    "law: a movement's rulebook may tighten a rule but never loosen it: the North Central "
    "cluster's 30 % quota of 2019 went beyond Decree 91/2017's 15 %, so each office's fighters "
    "beyond 15 % break rule `regime` and were decided only with a signed override of it.",
    "law: a refusal names every broken rule, and each override is signed rule by rule "
    "(`--override RULE=REASON`), shown in every report with the regime and its citation.",
)


def _shown(path: Path | str) -> str:
    """A path as a newcomer can paste it: relative to the working directory when under it."""
    path = Path(path)
    try:
        return shlex.quote(str(path.resolve().relative_to(Path.cwd().resolve())))
    except ValueError:
        return shlex.quote(str(path))


def next_steps(summary: DemoSummary, reports: list[Path]) -> list[str]:
    """What to do after the demo: activate, the operator's key, the report to open, a verify."""
    bin_dir = Path(sys.executable).parent
    awards = bin_dir / "awards"
    out = Path(summary.out)
    html = [p for p in reports if p.name.endswith(".vi.html")] or reports
    lines = ["next steps:"]
    if os.access(awards, os.X_OK):
        lines.append(
            f"  awards is {_shown(awards)}: activate with  . {_shown(bin_dir / 'activate')}"
            f"  (or call {_shown(awards)} by its path)"
        )
    lines.append(
        f"  the operator is {OPERATOR}: key {_shown(out / 'keys' / (OPERATOR + '.key'))}, "
        f"public key {_shown(out / 'keys' / (OPERATOR + '.pub'))}"
    )
    if html:
        lines.append(f"  open the report: {_shown(html[0])}")
    lines += _path_steps(summary, reports)
    lines.append(
        f"  verify it:  awards --ledger {_shown(summary.ledger)} verify "
        f"--checkpoint {_shown(summary.checkpoint_file)}"
    )
    return lines


def _path_steps(summary: DemoSummary, reports: list[Path]) -> list[str]:
    """Where to see the proposal path of scenario (d): its report's section, `proposal show`,
    and the report as it stood during the public comment (its list open for comment)."""
    movement = party_central_path.MOVEMENT
    page = [p for p in reports if p.name == f"{movement.replace('/', '_')}.vi.html"]
    if movement not in summary.movements or not page:
        return []
    ledger = f"awards --ledger {_shown(summary.ledger)}"
    return [
        f"  the proposal path of the Independence Order: {_shown(page[0])}#proposals",
        f"    or  {ledger} proposal show {shlex.quote(party_central_path.PROPOSAL)}",
        f"    as it stood open for public comment:  {ledger} report {movement} --format html "
        f"--as-of {party_central_path.COMMENT_DAY} --out comment.vi.html",
    ]


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Directory for the demo ledger, keys, inputs and reports (a previous demo is redone).",
)
@json_option
def demo(out: Path, as_json: bool) -> None:
    """Run the seed scenarios (three offices' real cases) on a fresh SQLite ledger in DIR,
    checkpoint and verify."""
    with progress("demo: scenarios", unit="steps", quiet=as_json) as meter:
        summary = build_demo(out, meter.on_progress)
    with progress("demo: reports", len(summary.movements), unit="movements", quiet=as_json) as m:
        reports = write_reports(summary, m.on_progress)
    if as_json:
        emit_json({"summary": summary, "reports": [str(p) for p in reports]})
    else:
        click.echo(f"awards demo: ledger {summary.ledger}")
        for line in REGIMES:
            click.echo(line)
        for letter, scenario in zip("abcd", summary.scenarios, strict=False):
            for line in describe(letter, scenario):
                click.echo(line)
        verdict = "ok" if summary.verify_ok else "FAILED"
        size, root = summary.checkpoint.splitlines()[1:3]
        click.echo(
            f"ledger: {counted(summary.events, 'event')}, {counted(summary.signers, 'signer')};"
            f" verify {verdict}"
        )
        click.echo(f"checkpoint: size {size}, root {root} -> {summary.checkpoint_file}")
        click.echo(f"keys in {out / 'keys'}, inputs in {out / 'inputs'}")
        for path in reports:
            click.echo(f"report: {path}")
        for line in next_steps(summary, reports):
            click.echo(line)
    if not summary.verify_ok:
        raise VerificationError(f"demo ledger did not verify: {summary.problems[0]}")


COMMANDS: list[click.Command] = [demo]
