"""The yearly statistics forms as output: JSON, CSV (one UTF-8 file with a BOM per form), one
Excel workbook (a sheet per form) and one self-contained HTML page (Vietnamese or English) —
and `yearly_statistics`, which reads them off the ledger the way `awards report` reads a
movement (at the newest checkpoint's size when only checkpoint bookkeeping follows it).

Every label comes from projections/statistics_forms.toml; a label that is our reading of the
form rather than the form's own is marked (``*`` in the HTML and Excel, ``source`` in JSON).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
import msgspec
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.actor import format_time
from ledger.application import LedgerApp
from ledger.files import write_file
from projections.checkpoints import stored_checkpoints
from projections.report import ledger_view_at, report_cut
from projections.report.render_csv import csv_folder, table_chunks
from projections.runner import Runner
from projections.statistics import FORM_KEYS, StatForm, Statistics, build_statistics
from projections.stream import Cut

TEMPLATES = Path(__file__).parent / "report" / "templates"
OURS_MARK = "*"
TEXT = {
    "vi": {
        "title": "Thống kê thi đua, khen thưởng năm {year}",
        "basis": "Biểu mẫu theo Thông tư 02/2023/TT-BNV (kỳ báo cáo năm, hạn gửi 15/12).",
        "item": "Chỉ tiêu",
        "as_of": "Số liệu từ {n} sự kiện đầu tiên của sổ cái (đến {time}).",
        "checkpoint": "Điểm kiểm tra đã ký: {size} sự kiện, gốc {root}.",
        "no_checkpoint": "Chưa có điểm kiểm tra nào được ký.",
        "ours": "* Nhãn do chúng tôi diễn giải, không phải nguyên văn biểu mẫu.",
        "rules": "Khen thưởng tính theo năm của ngày quyết định; khen thưởng đã hủy bỏ chỉ "
        "tính ở cột hủy bỏ.",
    },
    "en": {
        "title": "Emulation and commendation statistics, {year}",
        "basis": "Forms of Circular 02/2023/TT-BNV (yearly period, due 15 December).",
        "item": "Item",
        "as_of": "Figures from the first {n} events of the ledger (up to {time}).",
        "checkpoint": "Signed checkpoint: {size} events, root {root}.",
        "no_checkpoint": "No checkpoint signed yet.",
        "ours": "* Our reading, not the form's own wording.",
        "rules": "Awards count in the year of their decision's date; an annulled award is "
        "counted only in the annulled column.",
    },
}
LANGS = tuple(TEXT)
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def yearly_statistics(
    app: LedgerApp,
    year: int,
    cut: Cut | None = None,
    runner: Runner | None = None,
    keys: tuple[str, ...] = FORM_KEYS,
) -> Statistics:
    """The forms `keys` for `year` as the ledger stood at `cut` (default: now, or the newest
    checkpoint's size when only its bookkeeping follows it, as movement reports are)."""
    checkpoints = stored_checkpoints(app)
    cut = report_cut(app, cut, checkpoints)
    folded = ledger_view_at(app, cut, runner)
    return build_statistics(folded.state, folded.position, year, checkpoints, cut, keys)


def json_bytes(stats: Statistics) -> bytes:
    """The statistics as one JSON document (2-space indent, columns in the form's order)."""
    return msgspec.json.format(msgspec.json.encode(stats), indent=2) + b"\n"


def _label(form: StatForm, key: str, lang: str, mark: bool = True) -> str:
    column = next(c for c in form.columns if c.key == key)
    text = column.vi if lang == "vi" else column.en
    return text + (OURS_MARK if mark and column.source == "ours" else "")


def csv_tables(stats: Statistics, lang: str = "vi") -> Iterator[tuple[str, bytes]]:
    """Each form's file name (``<key>.csv``) and bytes: columns ``row,label`` (in `lang`), then
    one per form column by key; the last row is the total."""
    for form in stats.forms:
        header = ["row", "label", *(c.key for c in form.columns)]
        rows = [
            [r.key, r.vi if lang == "vi" else r.en, *r.values.values()]
            for r in [*form.rows, form.total]
        ]
        yield f"{form.key}.csv", b"".join(table_chunks(header, rows))


def write_csv_tables(stats: Statistics, folder: Path, lang: str, replace: bool) -> list[Path]:
    """Write each form's CSV into `folder` (created if missing); returns the files."""
    csv_folder(folder, "statistics")
    written = []
    for name, data in csv_tables(stats, lang):
        write_file(folder / name, [data], replace)
        written.append(folder / name)
    return written


def _about(stats: Statistics, lang: str) -> list[str]:
    text = TEXT[lang]
    time = format_time(stats.as_of.time) if stats.as_of.time else "-"
    cp = stats.checkpoint
    lines = [text["basis"], text["as_of"].format(n=stats.as_of.seq, time=time)]
    if cp.size is None:
        lines.append(text["no_checkpoint"])
    else:
        lines.append(text["checkpoint"].format(size=cp.size, root=cp.root))
    return [*lines, text["rules"], text["ours"]]


def xlsx_bytes(stats: Statistics, lang: str = "vi") -> bytes:
    """One workbook, a sheet per form (named by its key): the code and title, where the figures
    stand, then the table (labels in `lang`, our readings marked), the total last."""
    book = Workbook()
    book.remove(book.active)
    for form in stats.forms:
        sheet = book.create_sheet(form.key)
        title = form.vi if lang == "vi" else form.en
        sheet.append([f"{form.code} — {title}{OURS_MARK if form.source == 'ours' else ''}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([TEXT[lang]["title"].format(year=stats.year)])
        for line in _about(stats, lang):
            sheet.append([line])
        sheet.append([])
        header = [TEXT[lang]["item"], *(_label(form, c.key, lang) for c in form.columns)]
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in [*form.rows, form.total]:
            sheet.append([row.vi if lang == "vi" else row.en, *row.values.values()])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 48
        for index in range(len(form.columns)):
            sheet.column_dimensions[chr(ord("B") + index)].width = 18
    moment = max(stats.as_of.time or _ZIP_EPOCH, _ZIP_EPOCH)  # a zip holds no earlier time
    book.properties.created = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    book.save(buffer)
    return _steady(buffer.getvalue(), book.properties.created)


def _steady(workbook: bytes, moment: datetime) -> bytes:
    """The workbook with the same bytes for the same statistics: openpyxl stamps the time of
    saving into the zip entries and the document's `modified` property; both are set to
    `moment` (the time the figures stand at), so a republication rewrites nothing."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            target.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("statistics.html.j2")


def html_text(stats: Statistics, lang: str = "vi") -> str:
    """One self-contained page (inline CSS, no script) with every form; values escaped."""
    forms = [
        {
            "code": f.code,
            "title": (f.vi if lang == "vi" else f.en) + (OURS_MARK if f.source == "ours" else ""),
            "columns": [_label(f, c.key, lang) for c in f.columns],
            "rows": [
                (r.vi if lang == "vi" else r.en, list(r.values.values()))
                for r in [*f.rows, f.total]
            ],
        }
        for f in stats.forms
    ]
    return _template().render(
        lang=lang,
        title=TEXT[lang]["title"].format(year=stats.year),
        about=_about(stats, lang),
        item=TEXT[lang]["item"],
        forms=forms,
    )
