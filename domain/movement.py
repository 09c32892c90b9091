"""Emulation movements (phong trào thi đua): criteria, formula, deadlines and rulebook at launch.

Everything that later judges a participant is fixed by the one `Movement.Launched` event: the
criteria (id, name, max points, weight), the scoring formula, the registration deadlines and
the `Rulebook`. The ledger hashes `movement_spec(criteria, formula, rulebook)` (msgspec bytes of
a deterministic Struct) and passes the hash in as `spec_hash`; reports show it.

Formula "weighted_sum" (the only one so far): total = sum of weight x points over appraisal
scores, taking the latest appraisal score per criterion; self scores never count.

How the application uses this::

    criteria = parse_criteria_csv(text)                       # --criteria FILE.csv
    spec_hash = sha256(codec.encode(movement_spec(criteria, formula, rulebook)))
    movement = Movement.launch("TD-2020", name, start=..., end=..., unit_deadline=...,
                               criteria=criteria, rulebook=rulebook, spec_hash=spec_hash, at=at)
    app.save(movement)       # id: Movement.id_for("TD-2020"); exists already -> AlreadyExistsError
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import require_aware, require_text, require_unique
from domain.base import Aggregate, aggregate_id
from domain.errors import MalformedInputError, UnknownCriterionError, UsageError
from domain.ids import check_id
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook
from domain.text import check_text, nfc

MOVEMENT_KINDS = ("regular", "thematic")
FORMULAS = {
    "weighted_sum": "sum of weight x latest appraisal points per criterion; self scores excluded",
}
CRITERIA_HEADER = ["id", "name", "max_points", "weight"]
_SECRETARY = frozenset({"secretary"})


class Criterion(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One scoring criterion: points run from 0 to `max_points`, the total weighs them."""

    id: str
    name: str
    max_points: float
    weight: float


class MovementSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What `spec_hash` commits to: the criteria (in launch order), formula and rulebook."""

    criteria: list[Criterion]
    formula: str
    rulebook: Rulebook


def formula_total(
    formula: str, criteria: Sequence[Criterion], points: Mapping[str, float]
) -> float:
    """The movement's formula over the latest appraisal points, one implementation for the
    domain and the standings (``weighted_sum`` only so far; ValueError for another)."""
    return formula_of(formula, criteria)(points)


def formula_of(
    formula: str, criteria: Sequence[Criterion]
) -> Callable[[Mapping[str, float]], float]:
    """:func:`formula_total` of one movement as a function of the points, its weights read
    once (standings apply it to every participation; ValueError for an unknown formula)."""
    weights = _weights(formula, criteria)

    def total_of(points: Mapping[str, float]) -> float:
        total = 0.0
        for criterion, weight in weights:
            got = points.get(criterion)
            if got is not None:
                total += weight * got
        return total

    return total_of


def formula_totals(
    formula: str, criteria: Sequence[Criterion], columns: Mapping[str, Sequence[float]], rows: int
) -> list[float]:
    """:func:`formula_of` of `rows` participations given column by column: ``columns[c][r]``
    is row r's points on criterion c, NaN where it has none (a criterion nobody was scored on
    may be missing). The same sums in the same order as `formula_of`, so the same floats; a
    standings view kept in columns (projections/movement_view.py) ranks 65,800 rows with it."""
    totals = [0.0] * rows
    for criterion, weight in _weights(formula, criteria):
        column = columns.get(criterion)
        if column is not None:
            totals = [t + weight * p if p == p else t for t, p in zip(totals, column, strict=True)]
    return totals


def _weights(formula: str, criteria: Sequence[Criterion]) -> list[tuple[str, float]]:
    """Each criterion's weight in `formula`, in launch order (ValueError for another formula
    than ``weighted_sum``, the only one so far)."""
    if formula != "weighted_sum":
        raise ValueError(f"unknown formula {formula!r}")
    return [(c.id, c.weight) for c in criteria]


def movement_spec(criteria: Sequence[Criterion], formula: str, rulebook: Rulebook) -> MovementSpec:
    """The deterministic Struct the ledger hashes into a movement's `spec_hash`."""
    return MovementSpec(criteria=list(criteria), formula=formula, rulebook=rulebook.canonical())


def _number(line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise MalformedInputError(
            f"criteria line {line}: {column} {text!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise MalformedInputError(f"criteria line {line}: {column} {text!r} is not finite")
    return value


def parse_criteria_csv(text: str) -> list[Criterion]:
    """Parse criteria CSV (header `id,name,max_points,weight`); errors name the line."""
    try:
        return _parse_criteria(text)
    except csv.Error as exc:
        raise MalformedInputError(f"criteria file is not valid CSV: {exc}") from exc


def _parse_criteria(text: str) -> list[Criterion]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    if header is None:
        raise MalformedInputError(
            "criteria file is empty: expected the header " + ",".join(CRITERIA_HEADER)
        )
    if [h.strip() for h in header] != CRITERIA_HEADER:
        raise MalformedInputError(
            f"criteria line 1: header must be {','.join(CRITERIA_HEADER)}, got {','.join(header)}"
        )
    criteria: list[Criterion] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CRITERIA_HEADER):
            raise MalformedInputError(f"criteria line {line}: expected 4 columns, got {len(row)}")
        cid, name, max_text, weight_text = (cell.strip() for cell in row)
        cid = nfc(cid)
        try:
            check_id("criterion", cid)
        except UsageError as exc:
            raise MalformedInputError(f"criteria line {line}: {exc}") from exc
        if cid in seen:
            raise MalformedInputError(f"criteria line {line}: id {cid!r} repeats line {seen[cid]}")
        if not name:
            raise MalformedInputError(f"criteria line {line}: name is empty")
        try:
            check_text(name, "name")
        except UsageError as exc:
            raise MalformedInputError(f"criteria line {line}: {exc}") from exc
        max_points = _number(line, "max_points", max_text)
        weight = _number(line, "weight", weight_text)
        if max_points <= 0:
            raise MalformedInputError(
                f"criteria line {line}: max_points must be more than 0, got {max_text}"
            )
        if weight < 0:
            raise MalformedInputError(
                f"criteria line {line}: weight must not be negative, got {weight_text}"
            )
        seen[cid] = line
        criteria.append(Criterion(id=cid, name=name, max_points=max_points, weight=weight))
    if not criteria:
        raise MalformedInputError("criteria file has no criteria after the header")
    return criteria


def deadline_for(participant_kind: str, unit_deadline: date, cluster_deadline: date | None) -> date:
    """Clusters and blocks have their own deadline (else the units'); persons and units not."""
    if participant_kind == "cluster" and cluster_deadline is not None:
        return cluster_deadline
    return unit_deadline


class Movement(Aggregate):
    """One emulation movement, fixed at launch."""

    class Launched(Aggregate.Created, frozen=True, kw_only=True):
        """A movement was launched with its criteria, formula, deadlines and rulebook."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        movement_id: str
        name: str
        theme: str
        kind: str
        start: date
        end: date
        unit_deadline: date
        cluster_deadline: date | None
        criteria: list[Criterion]
        formula: str
        rulebook: Rulebook
        spec_hash: bytes
        at: datetime

        def apply(self, agg: Movement) -> None:
            agg.movement_id = self.movement_id
            agg.name = self.name
            agg.theme = self.theme
            agg.kind = self.kind
            agg.start = self.start
            agg.end = self.end
            agg.unit_deadline = self.unit_deadline
            agg.cluster_deadline = self.cluster_deadline
            agg.criteria = list(self.criteria)
            agg.formula = self.formula
            agg.rulebook = self.rulebook
            agg.spec_hash = self.spec_hash
            agg.launched_at = self.at

    movement_id: str
    name: str
    theme: str
    kind: str
    start: date
    end: date
    unit_deadline: date
    cluster_deadline: date | None
    criteria: list[Criterion]
    formula: str
    rulebook: Rulebook
    spec_hash: bytes
    launched_at: datetime

    @staticmethod
    def id_for(movement_id: str) -> UUID:
        return aggregate_id("movement", movement_id)

    @classmethod
    def launch(
        cls,
        movement_id: str,
        name: str,
        *,
        start: date,
        end: date,
        spec_hash: bytes,
        at: datetime,
        unit_deadline: date | None = None,
        cluster_deadline: date | None = None,
        theme: str = "",
        kind: str = "regular",
        criteria: Sequence[Criterion] = (),
        formula: str = "weighted_sum",
        rulebook: Rulebook = DEFAULT_RULEBOOK,
    ) -> Movement:
        """Launch a movement; deadlines missing here come from the rulebook's [deadlines]."""
        check_id("movement", movement_id)
        subject = f"movement {movement_id!r}"
        name = require_text(name, f"{subject}: name")
        require_aware(at, subject)
        if kind not in MOVEMENT_KINDS:
            raise UsageError(f"{subject}: kind {kind!r} is not one of {', '.join(MOVEMENT_KINDS)}")
        if formula not in FORMULAS:
            raise UsageError(f"{subject}: formula {formula!r} is not one of {', '.join(FORMULAS)}")
        if start > end:
            raise UsageError(f"{subject}: start {start} is after end {end}")
        if not spec_hash:
            raise UsageError(f"{subject}: spec hash must not be empty")
        unit_deadline = _deadline(subject, "--deadline", unit_deadline, rulebook.unit_deadline)
        if unit_deadline is None:
            raise UsageError(f"{subject}: give --deadline or a [deadlines] unit in the rulebook")
        cluster_deadline = _deadline(
            subject, "--cluster-deadline", cluster_deadline, rulebook.cluster_deadline
        )
        for label, day in (("deadline", unit_deadline), ("cluster deadline", cluster_deadline)):
            if day is not None and day > end:
                raise UsageError(f"{subject}: {label} {day} is after the movement's end {end}")
        require_unique([c.id for c in criteria], f"{subject}: criterion")
        return cls._create(
            cls.Launched,
            id=cls.id_for(movement_id),
            movement_id=movement_id,
            name=name,
            theme=theme.strip(),
            kind=kind,
            start=start,
            end=end,
            unit_deadline=unit_deadline,
            cluster_deadline=cluster_deadline,
            criteria=list(criteria),
            formula=formula,
            rulebook=rulebook.canonical(),
            spec_hash=spec_hash,
            at=at,
        )

    @property
    def year(self) -> int:
        """The year its awards count for: the year the movement's period ends."""
        return self.end.year

    def deadline_for(self, participant_kind: str) -> date:
        """The registration deadline for a participant of this kind (see `deadline_for`)."""
        return deadline_for(participant_kind, self.unit_deadline, self.cluster_deadline)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        known = ", ".join(c.id for c in self.criteria) or "none"
        raise UnknownCriterionError(
            f"criterion {criterion_id!r} is not one of movement {self.movement_id}'s "
            f"criteria ({known})"
        )


def _deadline(subject: str, option: str, given: date | None, ruled: date | None) -> date | None:
    if given is not None and ruled is not None and given != ruled:
        raise UsageError(f"{subject}: {option} {given} contradicts the rulebook's {ruled}")
    return given if given is not None else ruled
