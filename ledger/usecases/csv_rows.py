"""Reading the CSV files of `awards import`: strict UTF-8, the README's headers, cells by line.

Malformed text (bad UTF-8; a control, bidi or invisible character of domain/text.py, TAB too;
a wrong header or column count, an empty required cell, a bad number, date or flag) raises
MalformedInputError naming the file and line ("units.csv line 7: level '' is empty").
`row_errors` puts the same "FILE line N" in front of a domain refusal of the row, keeping its
type (exit 1) — except that a usage problem of a row is malformed input (exit 3) and a rule
broken by a row becomes ImportRuleViolationError, whose advice fits an import (it has no
--override-reason).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from domain.actor import VIETNAM_TZ, require_in_range
from domain.errors import DomainError, MalformedInputError, RuleViolationError, UsageError
from domain.text import describe, nfc, unsafe_char

HEADERS = {
    "units": ["id", "name", "level", "parent"],
    "people": ["id", "name", "unit", "category", "direct_worker", "leader_level"],
    "registrations": ["participant", "titles", "at"],
    "scores": ["participant", "criterion", "points", "kind"],
}
# Columns added after files without them were in use: a header may end before them, and its rows
# then read them as empty.
LATER_COLUMNS = {"people": ["leader_level"]}
_BOOLEANS = {"true": True, "false": False}


class ImportRuleViolationError(RuleViolationError):
    """Raised when a row of an import breaks a movement rule (an import has no override)."""

    def diagnostics(self) -> str:
        return (
            f"{self} (rule {self.rule}); nothing was imported: enter this row with its own "
            "command and --override-reason to record it knowingly"
        )


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file: its line number and its cells, stripped."""

    line: int
    cells: list[str]


def read_rows(data: bytes, source: str, kind: str) -> list[Row]:
    """Decode and split a CSV file of `kind`; MalformedInputError naming `source` and line.
    Cells are stripped; every cell but a name is put in Unicode NFC (ids are NFC, names are
    kept as written)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MalformedInputError(
            f"{source} line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from exc
    text = text.removeprefix("\ufeff")
    for number, content in enumerate(text.split("\n"), start=1):
        bad = unsafe_char(content.removesuffix("\r"))
        if bad is not None:
            raise MalformedInputError(
                f"{source} line {number}: control character {describe(bad)} "
                "(cells are one line of visible text; is the file UTF-16 or binary?)"
            )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        for cells in reader:
            yield reader.line_num, cells

    try:
        return checked_rows(records(), source, kind)
    except csv.Error as exc:
        raise MalformedInputError(f"{source} line {reader.line_num}: {exc}") from exc


def checked_rows(records: Iterable[tuple[int, list[str]]], source: str, kind: str) -> list[Row]:
    """The data rows of a file of `kind` from its (line number, cells) records, the first being
    the header: the README's header (or it without its `LATER_COLUMNS`, which then read as
    empty), the right number of columns, blank rows skipped, cells
    stripped and put in NFC (names kept as written). Shared by CSV and XLSX."""
    header = HEADERS[kind]
    rest = iter(records)
    first = next(rest, None)
    if first is None:
        raise MalformedInputError(f"{source} is empty: expected the header {','.join(header)}")
    line, cells = first
    later = LATER_COLUMNS.get(kind, [])
    earlier = header[: len(header) - len(later)]
    if [cell.strip() for cell in cells] == earlier:
        header, missing = earlier, [""] * len(later)
    elif [cell.strip() for cell in cells] == header:
        missing = []
    else:
        raise MalformedInputError(
            f"{source} line {line}: header must be {','.join(header)}, got {','.join(cells)}"
        )
    rows: list[Row] = []
    for line, cells in rest:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise MalformedInputError(
                f"{source} line {line}: expected {len(header)} columns "
                f"({','.join(header)}), got {len(cells)}"
            )
        rows.append(Row(line, _cells(header, cells) + missing))
    if not rows:
        raise MalformedInputError(f"{source} has no rows after the header")
    return rows


def _cells(header: list[str], cells: list[str]) -> list[str]:
    return [
        cell.strip() if column == "name" else nfc(cell.strip())
        for column, cell in zip(header, cells, strict=True)
    ]


@contextmanager
def row_errors(where: str) -> Iterator[None]:
    """Re-raise a row's refusal with `where` (file and line) in front of its message."""
    try:
        yield
    except RuleViolationError as exc:
        raise ImportRuleViolationError(exc.rule, f"{where}: {exc}") from exc
    except DomainError as exc:
        raise type(exc)(f"{where}: {exc}") from exc
    except (UsageError, MalformedInputError) as exc:
        raise MalformedInputError(f"{where}: {exc}") from exc


def required(where: str, column: str, value: str) -> str:
    if not value:
        raise MalformedInputError(f"{where}: {column} '' is empty")
    return value


def boolean(where: str, column: str, value: str) -> bool:
    try:
        return _BOOLEANS[value.lower()]
    except KeyError:
        raise MalformedInputError(f"{where}: {column} {value!r} is not true or false") from None


def number(where: str, column: str, value: str) -> float:
    try:
        parsed = float(required(where, column, value))
    except ValueError:
        raise MalformedInputError(f"{where}: {column} {value!r} is not a number") from None
    if not math.isfinite(parsed):
        raise MalformedInputError(f"{where}: {column} {value!r} is not finite")
    return parsed


def moment(where: str, column: str, value: str) -> datetime | None:
    """ISO 8601 date or datetime (no zone: Asia/Ho_Chi_Minh); empty: None (now)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedInputError(
            f"{where}: {column} {value!r} is not an ISO 8601 date or datetime"
        ) from None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=VIETNAM_TZ)
    try:
        return require_in_range(parsed, f"{where}: {column}")
    except UsageError as exc:
        raise MalformedInputError(str(exc)) from exc
