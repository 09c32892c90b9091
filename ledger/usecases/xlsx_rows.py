"""Reading the Excel workbooks of `awards import`: the first sheet of an .xlsx file, read as
the CSV files are (ledger/usecases/csv_rows.py: same header, same cell checks).

Offices keep their lists in Excel; this reads them without a CSV export. Row numbers in errors
are the sheet's own (the row number Excel shows), so "units.xlsx line 7" is row 7 of the sheet.
Cells come as Excel stores them and are turned into the text a CSV would hold: numbers without
a trailing ``.0``, TRUE/FALSE as ``true``/``false``, dates and times in ISO 8601 (a time with no
zone is Asia/Ho_Chi_Minh, as in CSV), an empty cell as empty text; a formula counts by the value
Excel last saved with it. A file that is not an .xlsx workbook is MalformedInputError (exit 3).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from domain.errors import MalformedInputError
from domain.text import describe, unsafe_char
from ledger.usecases.csv_rows import Row, checked_rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def read_xlsx_rows(data: bytes, source: str, kind: str) -> list[Row]:
    """The data rows of the first sheet of an .xlsx workbook of `kind`; MalformedInputError
    naming `source` and the sheet's row number."""
    from openpyxl import load_workbook  # imported here: only an Excel import pays for it

    try:
        with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported":
            warnings.simplefilter("ignore")  # noise for a reader who gets one line per problem
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise MalformedInputError(
            f"{source} is not an Excel .xlsx workbook ({type(exc).__name__}); "
            "save it from Excel as .xlsx, or export it as UTF-8 CSV"
        ) from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise MalformedInputError(f"{source} has no sheet")

        def records() -> Iterator[tuple[int, list[str]]]:
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                cells = [_text(v) for v in values]
                while cells and not cells[-1].strip():  # Excel's blank trailing columns
                    cells.pop()
                for cell in cells:
                    bad = unsafe_char(cell)
                    if bad is not None:
                        raise MalformedInputError(
                            f"{source} line {number}: control character {describe(bad)} "
                            "(cells are one line of visible text)"
                        )
                yield number, cells

        return checked_rows(_padded(records()), source, kind)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:  # a damaged sheet
        raise MalformedInputError(
            f"{source}: the workbook is damaged ({type(exc).__name__}); save it again from Excel"
        ) from exc
    finally:
        book.close()


def _padded(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """A row whose last cells are empty is as wide as the header: the trailing blanks Excel
    drops are put back (the header row decides the width)."""
    width = 0
    for number, cells in records:
        if not width:
            width = len(cells)
        elif cells and len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        yield number, cells
