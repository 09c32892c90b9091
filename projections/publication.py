"""The human part of a static publication: per-movement reports, yearly statistics, the public
comment pages and the index page.

Every movement's report is built from one fold of the log at exactly the published checkpoint's
size (``Cut(at_seq=size)``), so each report is the one that checkpoint commits to, and written to
``movements/<ID>/report.{vi,en}.html``, ``report.json`` and its CSV tables (the same renderers as
`awards report`); the yearly statistics of every year it holds, from the same fold, go to
``statistics/<YEAR>/`` (the renderers of `awards statistics`); the lists open for public comment
on the publish's day, from the same fold too, to ``comment.{vi,en}.html``
(projections/comment_pages.py). ``index.html`` says what the publication is and how to check
it, in Vietnamese and English, and links the comment page. Files are written through
ledger/files.py, and only when their bytes change (a republish at the same size and day writes
nothing here). A republish after entries that cannot change any report or statistic keeps them
all as made (`keep_reports`; projections/publication_state.py says which entries those are and
how DIR's record of what was made is checked), and ``RULES.md``, the rules the reports check
(projections/rules_doc.py), is written beside them for their links.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

import msgspec

from ledger.application import LedgerApp
from ledger.documents import sha256_hex
from ledger.publication import put_chunks
from ledger.publish import Published as PublishedLog
from projections.checkpoints import StoredCheckpoint, stored_checkpoints
from projections.comment_pages import (
    COMMENT_PAGES,
    folder_of,
    publish_comment_pages,
    write_comment_pages,
)
from projections.publication_state import (
    VERSION,
    NewEntries,
    PublicationState,
    digests_of,
    files_hold,
    read_state,
    strings_in,
    write_state,
)
from projections.report import ledger_view_at
from projections.report.model import build_report
from projections.report.render_csv import csv_files
from projections.report.render_html import html_chunks
from projections.report.render_json import json_chunks
from projections.rules_doc import rules_markdown
from projections.runner import Folded
from projections.statistics import Statistics, build_statistics
from projections.statistics_render import csv_tables, html_text, json_bytes, xlsx_bytes
from projections.stream import Cut
from projections.view import LedgerView

# the rules each report checks, with their citations (docs/RULES.md of the source, made from
# the regime files): the publication carries its own copy, which its reports link
RULES_FILE = "RULES.md"


def movement_folder(movement: str) -> str:
    """The folder name of a movement id (``/`` and a leading ``.`` made harmless)."""
    return folder_of(movement)


class Published(NamedTuple):
    """What `publish_reports` or `republish_reports` did: the movements and statistics years,
    how many files were written, and the tree size each movement's report and the statistics
    were made at."""

    movements: list[str]
    written: int
    years: list[int]
    made_at: dict[str, int]
    statistics_made_at: int


def publish_reports(app: LedgerApp, root: Path, size: int, today: date | None = None) -> Published:
    """Write every movement's report, and the yearly statistics of every year the ledger holds
    a movement or a decision of, at tree size `size` under `root`
    (``movements/``, ``statistics/``), the comment pages for `today`, and the publication's
    state (projections/publication_state.py); returns the movement ids, how many files were
    written, and the years."""
    folded = ledger_view_at(app, Cut(at_seq=size))
    made = _Made(root, folded, stored_checkpoints(app))
    movements = sorted(folded.state.catalog.movements)
    for movement in movements:
        made.movement(movement)
    made.put(RULES_FILE, rules_markdown().encode("utf-8"))
    years = made.statistics()
    written = made.written + write_comment_pages(app, folded, root, size, today)
    state = PublicationState(
        version=VERSION,
        origin=app.origin,
        size=size,
        root=folded.position.root().hex(),
        movements=movements,
        made_at=dict.fromkeys(movements, size),
        years=years,
        statistics_made_at=size,
        files=made.digests,
        participations=made.participations,
        comment_day=today.isoformat() if today is not None else None,
        comment_files=digests_of(root, COMMENT_PAGES),
        mentioned=sorted(made.mentioned),
    )
    written += write_state(root, state)
    return Published(movements, written, years, state.made_at, size)


class _Made:
    """Renders the human part from one fold into `root`, counting the files written, noting
    each one's digest and the strings its JSON mentions, and the movement of every
    participation the fold holds (projections/publication_state.py)."""

    def __init__(
        self,
        root: Path,
        folded: Folded[LedgerView],
        checkpoints: list[StoredCheckpoint],
        digests: dict[str, str] | None = None,
        mentioned: set[str] | None = None,
    ) -> None:
        self.root, self.folded, self.checkpoints, self.written = root, folded, checkpoints, 0
        self.digests = dict(digests or {})
        self.mentioned = set(mentioned or ())
        # the movement of every participation the fold holds (of every movement)
        self.participations = {
            str(UUID(bytes=aggregate)): movement
            for aggregate, movement in folded.state.participations.owners()
        }

    def put(self, relative: str, data: bytes | Iterable[bytes]) -> None:
        """Write one file of the publication (the bytes, or the pieces they are made in: a
        report's JSON and pages are never held whole) and record its SHA-256."""
        if isinstance(data, bytes):  # whole: not written again when the file holds it
            written, sha256 = put_chunks(self.root, relative, [data], sha256_hex(data))
        else:
            written, sha256 = put_chunks(self.root, relative, data)
        self.written += written
        self.digests[relative] = sha256

    def movement(self, movement: str) -> None:
        """Render `movement`'s report: HTML vi/en, JSON and its CSV tables."""
        view, position = self.folded.state, self.folded.position
        report = build_report(view, position, movement, self.checkpoints, None)
        base = f"movements/{movement_folder(movement)}"
        for lang in ("vi", "en"):
            page = html_chunks(report, lang, RULES_FILE, f"../../{RULES_FILE}")
            self.put(f"{base}/report.{lang}.html", (piece.encode() for piece in page))
        self.put(f"{base}/report.json", json_chunks(report))
        self.mentioned |= strings_in(report)
        for name, data in csv_files(report):
            self.put(f"{base}/{name}", data)

    def statistics(self) -> list[int]:
        """Render the statistics of every year; returns the years."""
        view, position = self.folded.state, self.folded.position
        years = statistics_years(view)
        for year in years:
            stats = build_statistics(view, position, year, self.checkpoints, None)
            for name, data in statistics_files(stats):
                self.put(f"statistics/{year}/{name}", data)
            self.mentioned |= strings_in(stats)
        return years


def republish_reports(
    app: LedgerApp,
    root: Path,
    done: PublishedLog,
    new: NewEntries,
    today: date,
) -> Published | None:
    """Render again only what the new entries `new` saw can change, when DIR's state checks
    out at the checkpoint the publication `done` continued from (projections/
    publication_state.py): nothing for inert entries; for registrations and scores, their
    movements' reports (and, for registrations, the statistics, which count them); then the
    comment pages (when the day changed) and the state. None when everything must be rendered
    again (`publish_reports`)."""
    if done.rebuilt or done.start == 0:
        return None
    state = read_state(root, app.origin, done.start, done.start_root.hex())
    if state is None or not new.untouched(set(state.mentioned)):
        return None
    dirty = new.movements(state.participations)
    if dirty is None or not dirty <= set(state.movements):
        return None
    made_at, statistics_made_at = dict(state.made_at), state.statistics_made_at
    written, comment_files = 0, state.comment_files
    folded: Folded[LedgerView] | None = None
    made = None
    if dirty:
        folded = ledger_view_at(app, Cut(at_seq=done.size))
        made = _Made(
            root,
            folded,
            stored_checkpoints(app),
            state.files,
            set(state.mentioned),
        )
        for movement in sorted(dirty):
            made.movement(movement)
            made_at[movement] = done.size
        if new.registrations:
            if made.statistics() != state.years:
                return None  # a year came or went: render everything
            statistics_made_at = done.size
        written += made.written
    if state.comment_day != today.isoformat() or not files_hold(root, comment_files):
        if folded is None:
            written += publish_comment_pages(app, root, done.size, today)
        else:
            written += write_comment_pages(app, folded, root, done.size, today)
        comment_files = digests_of(root, COMMENT_PAGES)
    kept = msgspec.structs.replace(
        state,
        size=done.size,
        root=done.root.hex(),
        made_at=made_at,
        statistics_made_at=statistics_made_at,
        files=made.digests if made else state.files,
        participations=made.participations if made else state.participations,
        mentioned=sorted(made.mentioned) if made else state.mentioned,
        comment_day=today.isoformat(),
        comment_files=comment_files,
    )
    written += write_state(root, kept)
    return Published(state.movements, written, state.years, made_at, statistics_made_at)


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
        "comment": "Danh sách đề nghị khen thưởng đang lấy ý kiến công khai",
        "rules": "Các quy tắc được kiểm tra, với căn cứ pháp lý",
        "made_at": "lập tại điểm kiểm tra {made_at} sự kiện, một phần đầu đã kiểm tra của "
        "checkpoint này: không sự kiện nào sau đó liên quan",
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
        "comment": "Award proposals open for public comment",
        "rules": "The rules checked, with their legal citations",
        "made_at": "made at the checkpoint of {made_at} events, a checked prefix of this one: "
        "no event since concerns it",
    },
}


def _made_note(text: dict[str, str], at: int | None, size: int) -> str:
    """What the index says of files made at an earlier tree size `at` (escaped; "" if none)."""
    return "" if at is None or at == size else escape(text["made_at"].format(made_at=at))


def index_page(
    origin: str,
    size: int,
    root_hex: str,
    movements: list[str],
    lang: str,
    years: Sequence[int] = (),
    made_at: dict[str, int] | None = None,
    statistics_made_at: int | None = None,
) -> str:
    """The index page: what this is and how to verify it, `lang` first, then the other; the
    movements' reports, each made at tree size `made_at[movement]`, and the statistics of
    `years`, made at `statistics_made_at` (default: `size`; an earlier size is said)."""
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
            f'<p><a href="{RULES_FILE}">{escape(text["rules"])}</a></p>',
            f"<h2>{escape(text['reports'])}</h2><ul>",
        ]
        for movement in movements:
            folder = escape(movement_folder(movement), quote=True)
            note = _made_note(text, (made_at or {}).get(movement), size)
            parts.append(
                f'<li>{escape(movement)}: <a href="movements/{folder}/report.{code}.html">'
                f'HTML</a>, <a href="movements/{folder}/report.json">JSON</a>'
                f"{f' ({note})' if note else ''}</li>"
            )
        parts.append("</ul>")
        if years:
            parts.append(f"<h2>{escape(text['statistics'])}</h2>")
            note = _made_note(text, statistics_made_at, size)
            parts.append(f"<p>{note}</p><ul>" if note else "<ul>")
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
