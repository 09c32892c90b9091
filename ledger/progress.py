"""The progress callback the library's long loops accept (the library itself never prints).

A long loop (the audit's pages, a read model's fold, an import's rows) takes an optional
``on_progress: Progress | None`` and calls it with ``(done, total)``: how many items it has
handled so far and about how many there are in all (an estimate: ``done`` may end above or
below it). It calls at most once per page of rows, never per event, so the callback costs
nothing measurable; the CLI draws it on a terminal (cli/progress.py) and throttles redraws.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
