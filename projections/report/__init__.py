"""The public transparency report of a movement: built once (`model`), rendered as JSON, CSV
(one file per table) or one self-contained HTML page (Vietnamese or English)."""

from __future__ import annotations

from pathlib import Path

from domain.errors import StorageError
from ledger.application import LedgerApp
from projections.checkpoints import stored_checkpoints
from projections.report.model import Report, build_report
from projections.report.render_csv import write_csv
from projections.report.render_html import write_html
from projections.report.render_json import write_json
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW


def movement_report(
    app: LedgerApp, movement: str, cut: Cut | None = None, runner: Runner | None = None
) -> Report:
    """The report of `movement` as the ledger stood at `cut` (default: now)."""
    cut = cut or Cut()
    folded = (runner or Runner(app)).read(LEDGER_VIEW, cut)
    return build_report(folded.state, folded.position, movement, stored_checkpoints(app), cut.as_of)


def write_reports(app: LedgerApp, movement: str, folder: Path) -> list[Path]:
    """Write every form of `movement`'s report into `folder`: ``<id>.vi.html``, ``<id>.en.html``,
    ``<id>.json`` and the ``<id>-csv/`` tables (ids with ``/`` get ``_``). Returns the paths."""
    report = movement_report(app, movement)
    stem = movement.replace("/", "_")
    paths = [folder / f"{stem}.vi.html", folder / f"{stem}.en.html", folder / f"{stem}.json"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, lang in zip(paths[:2], ("vi", "en"), strict=True):
            with path.open("w", encoding="utf-8") as out:
                write_html(report, out, lang)
        with paths[2].open("wb") as binary:
            write_json(report, binary)
    except OSError as exc:
        raise StorageError(f"report: cannot write into '{folder}': {exc.strerror}") from exc
    write_csv(report, folder / f"{stem}-csv")
    return [*paths, folder / f"{stem}-csv"]
