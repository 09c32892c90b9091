"""The demo's report step: each demo movement's public reports (HTML vi/en, JSON, CSV), and
the yearly statistics forms of every year the demo holds (``statistics-<YEAR>/``).

Here, beside the demo, not in the CLI: demo/ sits beside cli/ and may import projections/.
"""

from __future__ import annotations

from pathlib import Path

from demo.build import DemoSummary
from ledger.application import LedgerApp, open_ledger
from ledger.files import write_file
from ledger.progress import Progress
from projections.publication import statistics_files, statistics_years
from projections.report import write_reports as report_files
from projections.runner import Runner
from projections.statistics_render import yearly_statistics
from projections.stream import Cut
from projections.view import LEDGER_VIEW


def write_reports(summary: DemoSummary, on_progress: Progress | None = None) -> list[Path]:
    """Write every demo movement's reports into `summary.reports_dir`; `on_progress` is called
    after each movement."""
    app = open_ledger(str(summary.ledger), create=False)
    paths: list[Path] = []
    try:
        for done, movement in enumerate(summary.movements, start=1):
            paths.extend(report_files(app, movement, Path(summary.reports_dir)))
            if on_progress is not None:
                on_progress(done, len(summary.movements))
        paths.extend(_statistics(app, Path(summary.reports_dir)))
    finally:
        app.close()
    return paths


def _statistics(app: LedgerApp, folder: Path) -> list[Path]:
    """Each year's statistics forms in `folder`/statistics-<YEAR>/ (the files a publication
    holds for it); returns the folders."""
    folders = []
    for year in statistics_years(Runner(app).read(LEDGER_VIEW, Cut()).state):
        target = folder / f"statistics-{year}"
        target.mkdir(parents=True, exist_ok=True)
        for name, data in statistics_files(yearly_statistics(app, year)):
            write_file(target / name, [data])
        folders.append(target)
    return folders
