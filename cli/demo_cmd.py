"""`awards demo [--out DIR]`: the seed scenarios end to end, then the report step, summarised."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import json_option
from cli.progress import progress
from cli.render import emit_json
from domain.errors import VerificationError
from ledger.application import open_ledger
from ledger.demo import DemoSummary, ScenarioSummary, build_demo
from projections.report import write_reports as report_files


def write_reports(summary: DemoSummary, quiet: bool = False) -> list[Path]:
    """Write each demo movement's public reports (HTML vi/en, JSON, CSV) into
    `summary.reports_dir` (here, not in ledger/demo.py: the ledger layer imports no projection)."""
    app = open_ledger(str(summary.ledger), create=False)
    paths: list[Path] = []
    with progress("demo: reports", len(summary.movements), unit="movements", quiet=quiet) as meter:
        for movement in summary.movements:
            paths.extend(report_files(app, movement, Path(summary.reports_dir)))
            meter.advance()
    return paths


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def describe(letter: str, scenario: ScenarioSummary) -> list[str]:
    """Text lines of one scenario's summary."""
    plural = "" if scenario.decisions == 1 else "s"
    lines = [f"({letter}) {scenario.title}"]
    lines.append(f"    movement {scenario.movement}: {scenario.decisions} decision{plural}")
    for award, counts in scenario.awards.items():
        parts = [count(counts["unit"], "collective")] if counts["unit"] else []
        parts += [count(counts["person"], "individual")] if counts["person"] else []
        lines.append(f"    {award}: {', '.join(parts)}")
    levels = ", ".join(f"{n} {level} level" for level, n in scenario.collectives_by_level.items())
    lines.append(
        f"    honoured: {scenario.collectives} collectives"
        + (f" ({levels})" if levels else "")
        + f" and {scenario.individuals} individuals"
        + (f"; {scenario.annulled} award annulled" if scenario.annulled else "")
    )
    lines += [f"    refused, nothing recorded: {refusal}" for refusal in scenario.refusals]
    lines += [f"    flagged by the annulment: {flag}" for flag in scenario.flags]
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
    """Run DOMAIN.md's seed scenarios on a fresh SQLite ledger in DIR, checkpoint and verify."""
    with progress("demo: scenarios", unit="steps", quiet=as_json) as meter:
        summary = build_demo(out, meter.on_progress)
    reports = write_reports(summary, quiet=as_json)
    if as_json:
        emit_json({"summary": summary, "reports": [str(p) for p in reports]})
    else:
        click.echo(f"awards demo: ledger {summary.ledger}")
        for line in REGIMES:
            click.echo(line)
        for letter, scenario in zip("abc", summary.scenarios, strict=False):
            for line in describe(letter, scenario):
                click.echo(line)
        verdict = "ok" if summary.verify_ok else "FAILED"
        size, root = summary.checkpoint.splitlines()[1:3]
        click.echo(f"ledger: {summary.events} events, {summary.signers} signers; verify {verdict}")
        click.echo(f"checkpoint: size {size}, root {root} -> {summary.checkpoint_file}")
        click.echo(f"keys in {out / 'keys'}, inputs in {out / 'inputs'}")
        for path in reports:
            click.echo(f"report: {path}")
    if not summary.verify_ok:
        raise VerificationError(f"demo ledger did not verify: {summary.problems[0]}")


COMMANDS: list[click.Command] = [demo]
