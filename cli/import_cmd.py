"""`awards import units|people|registrations|scores FILE.csv|FILE.xlsx`: all rows in one write,
or none."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.inputs import read_input
from cli.progress import progress
from cli.write import Written, json_requested, write_command
from domain.errors import UsageError
from ledger.application import LedgerApp
from ledger.usecases.csv_rows import HEADERS
from ledger.usecases.imports import import_csv


@click.command("import")
@click.argument("kind", metavar="units|people|registrations|scores")
@click.argument(
    "path", metavar="FILE.csv|FILE.xlsx", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--movement", "movement_id", default=None, help="For registrations and scores.")
@write_command(with_at=False)
def import_command(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    kind: str,
    path: Path,
    movement_id: str | None,
) -> Written:
    """Import every row of a UTF-8 CSV file (a BOM allowed) or of the first sheet of an Excel
    .xlsx workbook, in one atomic write (a bad row: nothing recorded; its line number, or the
    sheet's row number, is named).

    \b
    units:         id,name,level,parent
    people:        id,name,unit,category,direct_worker[,leader_level]
                   (direct_worker: true/false; leader_level: agency/department/
                   division or empty; a file without that column is read as before)
    registrations: participant,titles,at                 (titles separated by ';')
    scores:        participant,criterion,points,kind     (kind: self/appraisal)
    """
    if kind not in HEADERS:
        raise UsageError(f"import: kind {kind!r} is not one of {', '.join(HEADERS)}")
    data = read_input(path, "import file")
    with progress(f"importing {path.name}", unit="rows", quiet=json_requested()) as meter:
        result = import_csv(
            app,
            key,
            kind,
            data,
            source=path.name,
            movement_id=movement_id,
            progress=meter.on_progress,
            excel=path.suffix.lower() == ".xlsx",
        )
    return Written(
        result.receipt,
        f"import {path.name}: {result.rows} rows of {kind}",
        {"rows": result.rows},
    )


COMMANDS: list[click.Command] = [import_command]
