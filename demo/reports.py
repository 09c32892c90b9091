"""The demo's report step: each demo movement's public reports (HTML vi/en, JSON, CSV).

Here, beside the demo, not in the CLI: demo/ sits beside cli/ and may import projections/.
"""

from __future__ import annotations

from pathlib import Path

from demo.build import DemoSummary
from ledger.application import open_ledger
from ledger.progress import Progress
from projections.report import write_reports as report_files


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
    finally:
        app.close()
    return paths
