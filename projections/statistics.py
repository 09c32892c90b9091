"""Read model: the yearly statistics forms 0601–0603.N/BNV-TĐKT (Circular 02/2023/TT-BNV).

A pure read of the ledger view (the award register, the catalog and the registrations) for one
calendar year, across every movement: awards count in the year of their decision's date; an
annulled award is counted in no column but `annulled`. Persons are split into those who work
directly (`direct_worker`) and leaders by level (`Person.Added.leader_level`); collectives are
every recipient that is not a person. Form 0601 counts movements by the year their period
starts, with their registrations, and the awards decided in the year by their movement's kind.

The forms' layout (rows, columns, Vietnamese and English labels, and which labels are the
form's and which are our reading) is data: ``projections/statistics_forms.toml``.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import msgspec

from domain.catalogue import KINDS
from domain.errors import MalformedInputError
from domain.registry import LEADER_LEVELS
from projections.checkpoints import StoredCheckpoint
from projections.report.model import AsOf, CheckpointInfo, checkpoint_info
from projections.stream import Cut, Position
from projections.view import LedgerView


class Column(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One column of a form: its key (what is counted), labels, and `source` (form or ours)."""

    key: str
    vi: str
    en: str
    source: str


class RowSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One row of a form as the data file gives it: a movement kind, or award kinds."""

    kind: str | None = None
    awards: list[str] = msgspec.field(default_factory=list)
    other: bool = False
    vi: str | None = None
    en: str | None = None


class FormSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: str
    code: str
    vi: str
    en: str
    source: str
    rows_by: str
    row: list[RowSpec]
    column: list[Column] = msgspec.field(default_factory=list)


class _FormsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    form: list[FormSpec]
    award_column: list[Column]


MOVEMENT_COLUMNS = ("movements", "units_registered", "persons_registered", "awards")
AWARD_COLUMNS = (
    "collectives",
    "persons",
    "direct_workers",
    *(f"leaders_{level}" for level in LEADER_LEVELS),
    "annulled",
)
SOURCES = ("form", "ours")


def parse_forms(text: str) -> list[FormSpec]:
    """The forms of a layout file's text, each with its columns; MalformedInputError names the
    form (a column this module cannot count, an unknown award kind, a bad source)."""
    try:
        raw = msgspec.convert(tomllib.loads(text), _FormsFile)
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise MalformedInputError(f"statistics forms: {exc}") from exc
    forms = []
    for form in raw.form:
        columns = form.column if form.rows_by == "movement_kind" else raw.award_column
        known = MOVEMENT_COLUMNS if form.rows_by == "movement_kind" else AWARD_COLUMNS
        problems = [f"rows_by {form.rows_by!r}"] * (form.rows_by not in ("movement_kind", "award"))
        problems += [f"column {c.key!r}" for c in columns if c.key not in known]
        sources = [form.source, *(c.source for c in columns)]
        problems += [f"source {source!r}" for source in sources if source not in SOURCES]
        problems += [f"award {a!r}" for r in form.row for a in r.awards if a not in KINDS]
        problems += [
            f"a row without labels ({r.awards or r.kind})"
            for r in form.row
            if not r.awards and not (r.vi and r.en)
        ]
        if problems:
            raise MalformedInputError(f"statistics form {form.key}: bad {', '.join(problems)}")
        forms.append(msgspec.structs.replace(form, column=list(columns)))
    return forms


FORMS = parse_forms(
    resources.files("projections").joinpath("statistics_forms.toml").read_text(encoding="utf-8")
)
FORM_KEYS = tuple(form.key for form in FORMS)


class StatRow(msgspec.Struct):
    """One row of a filled form: its key, labels and a count per column (in column order)."""

    key: str
    vi: str
    en: str
    values: dict[str, int]


class StatForm(msgspec.Struct):
    """One filled form: code, title, columns (with the source of each label), rows and total."""

    key: str
    code: str
    vi: str
    en: str
    source: str
    columns: list[Column]
    rows: list[StatRow]
    total: StatRow


class Statistics(msgspec.Struct):
    """The yearly statistics of `year`, as of a cut of the ledger, with its checkpoint."""

    year: int
    as_of: AsOf
    checkpoint: CheckpointInfo
    forms: list[StatForm]


def _row(spec: RowSpec, columns: list[Column]) -> StatRow:
    first = spec.awards[0] if spec.awards else None
    key = spec.kind or first or "other"
    vi = spec.vi or (KINDS[first].vi if first else key)
    en = spec.en or (KINDS[first].en if first else key)
    return StatRow(key, vi, en, {c.key: 0 for c in columns})


def _total(rows: list[StatRow], columns: list[Column]) -> StatRow:
    sums = {c.key: sum(r.values[c.key] for r in rows) for c in columns}
    return StatRow("total", "Tổng số", "Total", sums)


def _award_rows(forms: list[FormSpec]) -> dict[str, tuple[str, int]]:
    """Award kind -> (form key, row index) over every award form; "" for the `other` row."""
    placed: dict[str, tuple[str, int]] = {}
    for form in forms:
        for index, spec in enumerate(form.row):
            for award in spec.awards:
                placed.setdefault(award, (form.key, index))
            if spec.other:
                placed.setdefault("", (form.key, index))
    return placed


def fill_forms(view: LedgerView, year: int, keys: tuple[str, ...] = FORM_KEYS) -> list[StatForm]:
    """The forms named by `keys` (in the data file's order) filled for `year`."""
    rows = {f.key: [_row(spec, f.column) for spec in f.row] for f in FORMS}
    placed = _award_rows([f for f in FORMS if f.rows_by == "award"])
    catalog = view.catalog
    by_kind = {r.key: r for f in FORMS if f.rows_by == "movement_kind" for r in rows[f.key]}
    for movement in catalog.movements.values():
        counts = by_kind.get(movement.kind)
        if counts is None or movement.start.year != year:
            continue
        counts.values["movements"] += 1
        taking_part = view.participations.of(movement.id)
        for row in range(len(taking_part)):
            registered = "persons" if taking_part.kind(row) == "person" else "units"
            counts.values[f"{registered}_registered"] += 1
    for decision in view.decisions.by_number.values():
        if decision.date.year != year:
            continue
        launched = catalog.movements.get(decision.movement)
        form_key, index = placed.get(decision.award) or placed.get("", ("", -1))
        for recipient in decision.recipients:
            annulled = recipient.id in decision.annulled
            if launched is not None and launched.kind in by_kind and not annulled:
                by_kind[launched.kind].values["awards"] += 1
            if not form_key:
                continue
            values = rows[form_key][index].values
            person = catalog.people.get(recipient.id) if recipient.kind == "person" else None
            if annulled:
                values["annulled"] += 1
            elif recipient.kind != "person":
                values["collectives"] += 1
            else:
                values["persons"] += 1
                if person is not None and person.direct_worker:
                    values["direct_workers"] += 1
                if person is not None and person.leader_level in LEADER_LEVELS:
                    values[f"leaders_{person.leader_level}"] += 1
    filled = []
    for f in FORMS:
        if f.key in keys:
            table, total = rows[f.key], _total(rows[f.key], f.column)
            filled.append(StatForm(f.key, f.code, f.vi, f.en, f.source, f.column, table, total))
    return filled


def build_statistics(
    view: LedgerView,
    position: Position,
    year: int,
    checkpoints: list[StoredCheckpoint],
    asked: Cut | None = None,
    keys: tuple[str, ...] = FORM_KEYS,
) -> Statistics:
    """The statistics of `year` from a ledger view folded to `position`."""
    return Statistics(
        year=year,
        as_of=AsOf.of(position, asked),
        checkpoint=checkpoint_info(view.catalog.origin or "", checkpoints, position.seq),
        forms=fill_forms(view, year, keys),
    )
