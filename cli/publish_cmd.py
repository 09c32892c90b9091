"""`awards publish DIR` and `awards verify-publication DIR`: the static publication.

`publish` writes the log part (ledger/publish.py: c2sp.org/tlog-tiles hash tiles and entry
bundles, ``operator.pub``, ``checkpoint``) and the human part (projections/publication.py: the
movements' reports and the yearly statistics at the checkpoint's size — or, when no new event
can change them, kept as made at an earlier checkpoint (projections/publication_state.py) —
the page of proposals open for public comment today, rewritten when the day moves, and
``index.html``). `verify-publication`
needs no database (ledger/verify_publication.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from cli.context import LedgerContext, json_option, pass_ctx, witness_options, witness_policy
from cli.progress import progress
from cli.render import echo_line, emit_json
from domain.actor import local_date
from domain.errors import VerificationError
from domain.text import counted
from ledger.findings import AuditReport
from ledger.keys import load_public_key, raw_public_key
from ledger.publication import put_file
from ledger.publish import publish_log
from ledger.verify_publication import read_checkpoint, verify_publication
from ledger.witness import check_witness_policy
from projections.publication import index_page, publish_reports, republish_reports
from projections.publication_state import NewEntries
from projections.report.i18n import LANGS


@click.command("publish")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(list(LANGS)),
    default="vi",
    show_default=True,
    help="The index page's first language (it always holds both).",
)
@json_option
@pass_ctx
def publish(obj: LedgerContext, directory: Path, lang: str, as_json: bool) -> None:
    """Publish the log up to the newest checkpoint, with its reports, as static files in
    DIRECTORY (c2sp.org/tlog-tiles); a rerun writes only what is new."""
    app = obj.app
    new = NewEntries()
    with progress("publish", unit="entries", quiet=as_json) as meter:
        done = publish_log(app, directory, meter.on_progress, new.see)
    written = done.written
    movements: list[str] = []
    years: list[int] = []
    made_at: dict[str, int] = {}
    statistics_made_at = done.size
    today = local_date(datetime.now(UTC))
    if done.size:
        human = republish_reports(app, directory, done, new, today)
        if human is None:
            human = publish_reports(app, directory, done.size, today)
        movements, years, made_at = human.movements, human.years, human.made_at
        statistics_made_at = human.statistics_made_at
        written += human.written
        page = index_page(
            app.origin, done.size, done.root.hex(), movements, lang, years, made_at,
            statistics_made_at,
        )
        written += put_file(directory, "index.html", page.encode("utf-8"))
    if as_json:
        emit_json(
            {
                "size": done.size,
                "read_from": done.start,
                "files_written": written,
                "rebuilt": done.rebuilt,
                "movements": movements,
                "statistics_years": years,
                "reports_made_at": made_at,
                "statistics_made_at": statistics_made_at,
            }
        )
        return
    if done.rebuilt:
        echo_line(f"note: {directory} held a publication that did not check out: rebuilt")
    echo_line(
        f"published {done.size} entries to {directory} ({done.size - done.start} new, "
        f"{written} files written)"
    )


@click.command("verify-publication")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--operator-pub",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The operator's public key, obtained independently of the publication.",
)
@witness_options
@json_option
def verify_publication_cmd(
    directory: Path,
    operator_pub: Path,
    witness_specs: tuple[str, ...],
    min_witnesses: int | None,
    as_json: bool,
) -> None:
    """Audit a static publication with no database: checkpoint, tiles, entry bundles and
    every entry as `verify` checks it. Exit 0 valid, 4 not, 3 malformed."""
    operator_key = raw_public_key(load_public_key(operator_pub))
    witnesses, needed = witness_policy(witness_specs, min_witnesses)
    report = verify_publication(directory, operator_key)
    if needed and report.ok:
        check_witness_policy(read_checkpoint(directory), witnesses, needed)
    if as_json:
        emit_json(report)
    elif report.ok:
        click.echo(
            f"ok: {report.size} entries checked; tiles, entry bundles and checkpoint "
            f"(root {report.root}) match"
        )
    else:
        for problem in report.problems:
            echo_line(f"step {problem.step}: {problem.message}")
    if not report.ok:
        raise _failed(report)


def _failed(report: AuditReport) -> VerificationError:
    first = report.problems[0]
    return VerificationError(
        f"verify-publication failed: {first.message} ({counted(len(report.problems), 'problem')})"
    )


COMMANDS: list[click.Command] = [publish, verify_publication_cmd]
