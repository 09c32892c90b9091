"""The human part of a static publication: per-movement reports, yearly statistics and the
index page.

Every movement's report is built from one fold of the log at exactly the published checkpoint's
size (``Cut(at_seq=size)``), so each report is the one that checkpoint commits to, and written to
``movements/<ID>/report.{vi,en}.html``, ``report.json`` and its CSV tables (the same renderers as
`awards report`); the yearly statistics of every year it holds, from the same fold, go to
``statistics/<YEAR>/`` (the renderers of `awards statistics`). ``index.html`` says what the
publication is and how to check it, in Vietnamese and English. Files are written through
ledger/files.py, and only when their bytes change (a republish at the same size writes nothing
here).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path
from typing import NamedTuple

from ledger.application import LedgerApp
from ledger.publication import put_file
from projections.checkpoints import stored_checkpoints
from projections.report.model import build_report
from projections.report.render_csv import csv_files
from projections.report.render_html import html_chunks
from projections.report.render_json import json_chunks
from projections.runner import Runner
from projections.statistics import Statistics, build_statistics
from projections.statistics_render import csv_tables, html_text, json_bytes, xlsx_bytes
from projections.stream import Cut
from projections.view import LEDGER_VIEW, LedgerView


def movement_folder(movement: str) -> str:
    """The folder name of a movement id (``/`` and a leading ``.`` made harmless)."""
    name = movement.replace("/", "_")
    return "_" + name[1:] if name.startswith(".") else name


class Published(NamedTuple):
    """What `publish_reports` wrote: the movements and statistics years, and how many files."""

    movements: list[str]
    written: int
    years: list[int]


def publish_reports(app: LedgerApp, root: Path, size: int) -> Published:
    """Write every movement's report, and the yearly statistics of every year the ledger holds
    a movement or a decision of, at tree size `size` under `root` (``movements/``,
    ``statistics/``); returns the movement ids, how many files were written, and the years."""
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
    years = statistics_years(folded.state)
    for year in years:
        stats = build_statistics(folded.state, folded.position, year, checkpoints, None)
        for name, data in statistics_files(stats):
            written += put_file(root, f"statistics/{year}/{name}", data)
    return Published(movements, written, years)


def statistics_years(view: LedgerView) -> list[int]:
    """Every year a movement of the ledger starts in or a decision is dated in."""
    starts = {m.start.year for m in view.catalog.movements.values()}
    return sorted(starts | {d.date.year for d in view.decisions.by_number.values()})


def statistics_files(stats: Statistics) -> Iterator[tuple[str, bytes]]:
    """The files of one year's statistics: the HTML page in each language, the JSON, the
    Excel workbook (Vietnamese) and one CSV per form (Vietnamese labels)."""
    for lang in ("vi", "en"):
        yield f"statistics.{lang}.html", html_text(stats, lang).encode("utf-8")
    yield "statistics.json", json_bytes(stats)
    yield "statistics.xlsx", xlsx_bytes(stats)
    yield from csv_tables(stats)


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
        "statistics": "Thống kê thi đua, khen thưởng hằng năm (biểu 0601–0603.N/BNV-TĐKT)",
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
        "statistics": "Yearly statistics (forms 0601–0603.N/BNV-TĐKT)",
    },
}


def index_page(
    origin: str,
    size: int,
    root_hex: str,
    movements: list[str],
    lang: str,
    years: Sequence[int] = (),
) -> str:
    """The index page: what this is and how to verify it, `lang` first, then the other; the
    movements' reports and the statistics of `years`."""
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
            f"<h2>{escape(text['reports'])}</h2><ul>",
        ]
        for movement in movements:
            folder = escape(movement_folder(movement), quote=True)
            parts.append(
                f'<li>{escape(movement)}: <a href="movements/{folder}/report.{code}.html">'
                f'HTML</a>, <a href="movements/{folder}/report.json">JSON</a></li>'
            )
        parts.append("</ul>")
        if years:
            parts.append(f"<h2>{escape(text['statistics'])}</h2><ul>")
            for year in years:
                base = f"statistics/{year}"
                parts.append(
                    f'<li>{year}: <a href="{base}/statistics.{code}.html">HTML</a>, '
                    f'<a href="{base}/statistics.xlsx">Excel</a>, '
                    f'<a href="{base}/statistics.json">JSON</a></li>'
                )
            parts.append("</ul>")
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
