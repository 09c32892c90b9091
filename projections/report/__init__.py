"""The public transparency report of a movement: built once (`model`), rendered as JSON, CSV
(one file per table) or one self-contained HTML page (Vietnamese or English)."""

from __future__ import annotations

from pathlib import Path

from domain.errors import StorageError
from ledger.application import LedgerApp
from ledger.files import write_file
from projections.checkpoints import covered_size, stored_checkpoints
from projections.report.model import Report, build_report
from projections.report.render_csv import write_csv
from projections.report.render_html import html_chunks
from projections.report.render_json import json_chunks
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW


def movement_report(
    app: LedgerApp, movement: str, cut: Cut | None = None, runner: Runner | None = None
) -> Report:
    """The report of `movement` as the ledger stood at `cut` (default: now; when only the
    checkpoint bookkeeping follows the newest checkpoint, at that checkpoint's size: the same
    report, fully covered by the signed note)."""
    checkpoints = stored_checkpoints(app)
    if cut is None or cut == Cut():
        size = covered_size(app, checkpoints)
        cut = Cut() if size is None else Cut(at_seq=size)
    folded = (runner or Runner(app)).read(LEDGER_VIEW, cut)
    return build_report(folded.state, folded.position, movement, checkpoints, cut)


def write_reports(app: LedgerApp, movement: str, folder: Path, replace: bool = False) -> list[Path]:
    """Write every form of `movement`'s report into `folder`: ``<id>.vi.html``, ``<id>.en.html``,
    ``<id>.json`` and the ``<id>-csv/`` tables (ids with ``/`` get ``_``). Returns the paths.
    Files are written as ledger/files.py writes them (existing ones replaced only if
    `replace`)."""
    report = movement_report(app, movement)
    stem = movement.replace("/", "_")
    paths = [folder / f"{stem}.vi.html", folder / f"{stem}.en.html", folder / f"{stem}.json"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"report: cannot write into '{folder}': {exc.strerror}") from exc
    for path, lang in zip(paths[:2], ("vi", "en"), strict=True):
        write_file(path, (c.encode("utf-8") for c in html_chunks(report, lang)), replace)
    write_file(paths[2], json_chunks(report), replace)
    write_csv(report, folder / f"{stem}-csv", replace)
    return [*paths, folder / f"{stem}-csv"]
