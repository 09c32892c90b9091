"""The publication's public comment pages, ``comment.vi.html`` and ``comment.en.html``: every
movement's lists of award proposals open for public comment on one day (who is proposed, until
when, how to object; projections/report/render_comment.py), from a fold at the published
checkpoint's size. The day is the publish's (the CLI's today), so `awards publish` rewrites the
pages on every run, even when the log has not moved; `put_file` writes only changed bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.actor import local_date
from ledger.application import LedgerApp
from ledger.publication import put_file
from projections.report.paths import open_for_comment
from projections.report.render_comment import CommentGroup, comment_page
from projections.runner import Folded, Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW, LedgerView

COMMENT_PAGES = ("comment.vi.html", "comment.en.html")


def folder_of(movement: str) -> str:
    """The folder name of a movement id, as projections/publication.py names it."""
    name = movement.replace("/", "_")
    return "_" + name[1:] if name.startswith(".") else name


def write_comment_pages(
    app: LedgerApp, folded: Folded[LedgerView], root: Path, size: int, today: date | None
) -> int:
    """Write both pages for `today` (None: the day of the newest event folded) from `folded`;
    returns how many files were written."""
    time = folded.position.time
    day = today if today is not None else (local_date(time) if time else date.min)
    view = folded.state
    groups = []
    for movement in sorted(view.catalog.movements):
        items = open_for_comment(view.proposals, view.catalog, day, movement)
        if items:
            name = view.catalog.movements[movement].name
            groups.append(CommentGroup(movement, name, folder_of(movement), items))
    written = 0
    for page, lang in zip(COMMENT_PAGES, ("vi", "en"), strict=True):
        written += put_file(root, page, comment_page(groups, day, app.origin, size, lang).encode())
    return written


def publish_comment_pages(app: LedgerApp, root: Path, size: int, today: date) -> int:
    """Only the comment pages (the log has not moved, the day may have): files written."""
    folded = Runner(app).read(LEDGER_VIEW, Cut(at_seq=size))
    return write_comment_pages(app, folded, root, size, today)
