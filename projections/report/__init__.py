"""The public transparency report of a movement: built once (`model`), rendered as JSON, CSV
(one file per table) or one self-contained HTML page (Vietnamese or English)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from domain.errors import StorageError
from ledger.application import LedgerApp
from ledger.files import write_file
from projections.checkpoints import StoredCheckpoint, covered_size, stored_checkpoints
from projections.report.model import Report, build_report
from projections.report.render_csv import write_csv
from projections.report.render_html import html_chunks
from projections.report.render_json import json_chunks
from projections.runner import Folded, Runner
from projections.stream import Cut, last_appended
from projections.view import LEDGER_VIEW, LedgerView


def movement_report(
    app: LedgerApp, movement: str, cut: Cut | None = None, runner: Runner | None = None
) -> Report:
    """The report of `movement` as the ledger stood at `cut` (default: now; when only the
    checkpoint bookkeeping follows the newest checkpoint, at that checkpoint's size: the same
    report, fully covered by the signed note)."""
    checkpoints = stored_checkpoints(app)
    cut = report_cut(app, cut, checkpoints)
    folded = ledger_view_at(app, cut, runner)
    return build_report(folded.state, folded.position, movement, checkpoints, cut)


def ledger_view_at(app: LedgerApp, cut: Cut, runner: Runner | None = None) -> Folded[LedgerView]:
    """The ledger view folded to `cut`, for a document (a report, the statistics, a proposal's
    path): its position's time is the last event's append time, as a read on the event index
    gives it (`projections.stream.last_appended`), so that a document says the same "last
    appended" whichever way it was made."""
    folded = (runner or Runner(app)).read(LEDGER_VIEW, cut)
    return msgspec.structs.replace(folded, position=last_appended(app, folded.position))


def report_cut(app: LedgerApp, cut: Cut | None, checkpoints: list[StoredCheckpoint]) -> Cut:
    """The cut a report reads at: `cut`, or for the ledger as it stands, when only the
    checkpoint bookkeeping follows the newest checkpoint, that checkpoint's size."""
    if cut is None or cut == Cut():
        size = covered_size(app, checkpoints)
        return Cut() if size is None else Cut(at_seq=size)
    return cut


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
