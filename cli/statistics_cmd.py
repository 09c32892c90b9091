"""`awards statistics YEAR`: the yearly statistics forms 0601–0603.N/BNV-TĐKT of Circular
02/2023/TT-BNV, as JSON, CSV, Excel or HTML (projections/statistics.py counts them,
projections/statistics_render.py draws them)."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import LedgerContext, force_option, pass_ctx
from cli.progress import progress
from cli.read_check import check_view_read
from cli.render import echo_line
from cli.report_cmd import time_travel_options
from domain.errors import UsageError
from domain.text import counted
from ledger.files import check_target, write_file
from projections.runner import Runner
from projections.statistics import FORM_KEYS
from projections.statistics_render import (
    LANGS,
    csv_tables,
    html_text,
    json_bytes,
    write_csv_tables,
    xlsx_bytes,
    yearly_statistics,
)
from projections.stream import Cut

FIRST_YEAR, LAST_YEAR = 1945, 9999


@click.command("statistics")
@click.argument("year", type=click.IntRange(FIRST_YEAR, LAST_YEAR))
@click.option("--form", "form", type=click.Choice(FORM_KEYS), default=None, help="One form only.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx", "html"]),
    default="json",
    show_default=True,
)
@click.option("--lang", type=click.Choice(list(LANGS)), default="vi", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (json, html: default stdout; xlsx: required), or folder for csv "
    "(required unless one --form is asked for, which then goes to stdout).",
)
@force_option
@time_travel_options
@pass_ctx
def statistics(
    obj: LedgerContext,
    year: int,
    form: str | None,
    fmt: str,
    lang: str,
    out: Path | None,
    force: bool,
    cut: Cut,
) -> None:
    """The yearly statistics forms 0601–0603.N/BNV-TĐKT for YEAR (by decision date, across
    every movement; annulled awards counted apart)."""
    if fmt == "xlsx" and out is None:
        raise UsageError("statistics --format xlsx writes a workbook: give --out FILE.xlsx")
    if fmt == "csv" and form is None and (out is None or out.is_file()):
        raise UsageError(
            "statistics --format csv writes one file per form: give --out FOLDER (or one --form)"
        )
    to_folder = fmt == "csv" and form is None
    if out is not None and not to_folder:
        check_target(out, force)  # refused before anything is read
    check_view_read(obj)
    keys = FORM_KEYS if form is None else (form,)
    with progress(f"statistics {year}") as meter:
        runner = Runner(obj.app, on_progress=meter.on_progress)
        stats = yearly_statistics(obj.app, year, cut, runner, keys)
    if to_folder and out is not None:
        written = write_csv_tables(stats, out, lang, replace=force)
        echo_line(f"statistics {year}: {counted(len(written), 'file')} in {out}")
        return
    if fmt == "csv":
        data = next(iter(csv_tables(stats, lang)))[1]
    elif fmt == "xlsx":
        data = xlsx_bytes(stats, lang)
    elif fmt == "html":
        data = html_text(stats, lang).encode("utf-8")
    else:
        data = json_bytes(stats)
    if out is None:
        click.echo(data, nl=False)
        return
    write_file(out, [data], replace=force)
    echo_line(f"statistics {year}: {out} ({counted(stats.as_of.seq, 'event')})")


COMMANDS = [statistics]
