"""The human part of a static publication: per-movement reports, the public comment page and
the index page.

Every movement's report is built from one fold of the log at exactly the published checkpoint's
size (``Cut(at_seq=size)``), so each report is the one that checkpoint commits to, and written to
``movements/<ID>/report.{vi,en}.html``, ``report.json`` and its CSV tables (the same renderers as
`awards report`). ``comment.{vi,en}.html`` lists the award proposals open for public comment on
the day given (the CLI's today; default: the day of the newest event covered) from that same
fold, with how to object (projections/report/render_comment.py). ``index.html`` says what the
publication is and how to check it, in Vietnamese and English, and links the comment page.
Files are written through ledger/files.py, and only when their bytes change (a republish at the
same size and day writes nothing here).
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from domain.actor import local_date
from ledger.application import LedgerApp
from ledger.publication import put_file
from projections.checkpoints import stored_checkpoints
from projections.report.model import build_report
from projections.report.paths import open_for_comment
from projections.report.render_comment import CommentGroup, comment_page
from projections.report.render_csv import csv_files
from projections.report.render_html import html_chunks
from projections.report.render_json import json_chunks
from projections.runner import Folded, Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW, LedgerView

COMMENT_PAGES = ("comment.vi.html", "comment.en.html")


def movement_folder(movement: str) -> str:
    """The folder name of a movement id (``/`` and a leading ``.`` made harmless)."""
    name = movement.replace("/", "_")
    return "_" + name[1:] if name.startswith(".") else name


def publish_reports(
    app: LedgerApp, root: Path, size: int, today: date | None = None
) -> tuple[list[str], int]:
    """Write every movement's report at tree size `size` under `root`/movements, and the
    comment pages for `today`; returns the movement ids and how many files were written."""
    folded = Runner(app).read(LEDGER_VIEW, Cut(at_seq=size))
    checkpoints = stored_checkpoints(app)
    movements = sorted(folded.state.catalog.movements)
    written = 0
    for movement in movements:
        report = build_report(folded.state, folded.position, movement, checkpoints, None)
        base = f"movements/{movement_folder(movement)}"
        files: dict[str, bytes] = {
            f"{base}/report.{lang}.html": "".join(html_chunks(report, lang)).encode("utf-8")
            for lang in ("vi", "en")
        }
        files[f"{base}/report.json"] = b"".join(json_chunks(report))
        for name, data in csv_files(report):
            files[f"{base}/{name}"] = data
        for relative, data in files.items():
            written += put_file(root, relative, data)
    return movements, written + _comment_pages(app, folded, root, size, today)


def publish_comment_pages(app: LedgerApp, root: Path, size: int, today: date) -> int:
    """Only the comment pages (the log has not moved, the day may have): files written."""
    return _comment_pages(app, Runner(app).read(LEDGER_VIEW, Cut(at_seq=size)), root, size, today)


def _comment_pages(
    app: LedgerApp, folded: Folded[LedgerView], root: Path, size: int, today: date | None
) -> int:
    time = folded.position.time
    day = today if today is not None else (local_date(time) if time else date.min)
    view = folded.state
    groups = []
    for movement in sorted(view.catalog.movements):
        items = open_for_comment(view.proposals, view.catalog, day, movement)
        if items:
            name = view.catalog.movements[movement].name
            groups.append(CommentGroup(movement, name, movement_folder(movement), items))
    written = 0
    for page, lang in zip(COMMENT_PAGES, ("vi", "en"), strict=True):
        text = comment_page(groups, day, app.origin, size, lang)
        written += put_file(root, page, text.encode("utf-8"))
    return written


_TEXT = {
    "vi": {
        "title": "Sổ cái khen thưởng: bản công bố tĩnh",
        "what": "Đây là bản sao công khai của sổ cái khen thưởng {origin}: mọi sự kiện đã ký "
        "(tile/entries), cây Merkle của chúng (tile/), điểm kiểm tra do nhà vận hành ký "
        "(checkpoint, {size} sự kiện, gốc {root}) và báo cáo từng phong trào.",
        "how": "Cách kiểm tra",
        "tool": "Với award-ledger, không cần cơ sở dữ liệu:",
        "client": "Với bất kỳ ứng dụng nào hiểu c2sp.org/tlog-tiles: mở checkpoint bằng khoá "
        "công khai của nhà vận hành (operator.pub), tính lại gốc từ các tile và so với "
        "checkpoint; mỗi mục trong tile/entries là một sự kiện đã ký theo docs/FORMAT.md.",
        "reports": "Báo cáo theo phong trào",
        "comment": "Danh sách đề nghị khen thưởng đang lấy ý kiến công khai",
    },
    "en": {
        "title": "Award ledger: static publication",
        "what": "This is the public copy of the award ledger {origin}: every signed event "
        "(tile/entries), their Merkle tree (tile/), the operator's signed checkpoint "
        "(checkpoint, {size} events, root {root}) and each movement's report.",
        "how": "How to check it",
        "tool": "With award-ledger, no database needed:",
        "client": "With any c2sp.org/tlog-tiles client: open checkpoint with the operator's "
        "public key (operator.pub), recompute the root from the tiles and compare it with the "
        "checkpoint; each entry in tile/entries is a signed event as docs/FORMAT.md describes.",
        "reports": "Reports by movement",
        "comment": "Award proposals open for public comment",
    },
}


def index_page(origin: str, size: int, root_hex: str, movements: list[str], lang: str) -> str:
    """The index page: what this is and how to verify it, `lang` first, then the other."""
    order = [lang, *(other for other in _TEXT if other != lang)]
    command = "awards verify-publication DIR --operator-pub DIR/operator.pub"
    parts = ["<!doctype html>", f'<html lang="{lang}"><head><meta charset="utf-8">']
    parts.append(f"<title>{escape(_TEXT[lang]['title'])}</title></head><body>")
    for code in order:
        text = _TEXT[code]
        what = text["what"].format(origin=origin, size=size, root=root_hex)
        parts += [
            f'<section lang="{code}"><h1>{escape(text["title"])}</h1><p>{escape(what)}</p>',
            f"<h2>{escape(text['how'])}</h2><p>{escape(text['tool'])}</p>",
            f"<pre>{escape(command)}</pre><p>{escape(text['client'])}</p>",
            f'<p><a href="comment.{code}.html">{escape(text["comment"])}</a></p>',
            f"<h2>{escape(text['reports'])}</h2><ul>",
        ]
        for movement in movements:
            folder = escape(movement_folder(movement), quote=True)
            parts.append(
                f'<li>{escape(movement)}: <a href="movements/{folder}/report.{code}.html">'
                f'HTML</a>, <a href="movements/{folder}/report.json">JSON</a></li>'
            )
        parts.append("</ul></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
