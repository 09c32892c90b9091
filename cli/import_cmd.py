"""`awards import units|people|registrations|scores FILE.csv|FILE.xlsx`: all rows in one write,
or none."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import LedgerContext, json_option, key_options, load_key, pass_ctx
from cli.progress import progress
from cli.workflow_options import emit_outcome
from domain.errors import MalformedInputError, UsageError
from ledger.usecases.csv_rows import HEADERS
from ledger.usecases.imports import import_csv


@click.command("import")
@click.argument("kind", metavar="units|people|registrations|scores")
@click.argument(
    "path", metavar="FILE.csv|FILE.xlsx", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--movement", "movement_id", default=None, help="For registrations and scores.")
@key_options
@json_option
@pass_ctx
def import_command(
    obj: LedgerContext,
    kind: str,
    path: Path,
    movement_id: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Import every row of a UTF-8 CSV file (a BOM allowed) or of the first sheet of an Excel
    .xlsx workbook, in one atomic write (a bad row: nothing recorded; its line number, or the
    sheet's row number, is named).

    \b
    units:         id,name,level,parent
    people:        id,name,unit,category,direct_worker   (direct_worker: true/false)
    registrations: participant,titles,at                 (titles separated by ';')
    scores:        participant,criterion,points,kind     (kind: self/appraisal)
    """
    if kind not in HEADERS:
        raise UsageError(f"import: kind {kind!r} is not one of {', '.join(HEADERS)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInputError(f"{path.name}: cannot read ({exc.strerror})") from exc
    key = load_key(key_path, passphrase_file)
    with progress(f"importing {path.name}", unit="rows", quiet=as_json) as meter:
        result = import_csv(
            obj.app,
            key,
            kind,
            data,
            source=path.name,
            movement_id=movement_id,
            progress=meter.on_progress,
            excel=path.suffix.lower() == ".xlsx",
        )
    emit_outcome(
        result.receipt,
        as_json,
        f"import {path.name}: {result.rows} rows of {kind}",
        {"rows": result.rows},
    )


COMMANDS: list[click.Command] = [import_command]
