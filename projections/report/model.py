"""The public report of one movement: one Struct, from which JSON, CSV and HTML are rendered.

Its top-level keys are exactly those of docs/REPORTS.md (``movement``, ``as_of``, ``checkpoint``,
``awards``, ``summary``, ``sessions``, ``standings``, ``registrations``, ``checks``,
``signers``), ``holds`` (the holds on the movement's participants and recipients, open or
lifted: rule ``hold``), ``outstanding_recoveries`` (what annulments said is to be recovered
and is not yet, Law 2022 Art. 93(2)), ``proposals`` (the proposal path of each of the
movement's proposals, with its working-day clocks) and ``open_for_comment`` (those out for
public comment on the report's day: projections/report/paths.py); nested objects carry the
documented keys first and a few more after them (documented in docs/REPORTS.md). Lists are in a
meaningful order where there is one (awards by decision date and ledger order, sessions as
opened, standings by rank, proposals in ledger order) and sorted otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import overload

import msgspec

from domain.actor import local_date
from domain.errors import NotFoundError
from domain.movement import FORMULAS, Criterion
from domain.text import counted
from projections.awards import (
    AwardRow,
    RecoveryRow,
    award_rows,
    cascade_flags,
    outstanding_recoveries,
    summarise,
)
from projections.catalog import MovementView
from projections.checkpoints import StoredCheckpoint, checkpoint_for
from projections.compliance import Check, QuotaUse, compliance_checks, quota_use
from projections.holds import HoldView
from projections.movement_view import StandingsTable
from projections.report.issuer import Issuer, issuer_of
from projections.report.paths import OpenForComment, ProposalPath, open_for_comment, proposal_paths
from projections.standings import Standing
from projections.stream import Cut, Position
from projections.tallies import SessionView
from projections.view import LedgerView


class MovementInfo(msgspec.Struct, omit_defaults=True):
    id: str
    name: str
    start: date
    end: date
    theme: str
    kind: str
    unit_deadline: date
    cluster_deadline: date | None
    formula: str
    formula_text: str
    spec_hash: str
    criteria: list[Criterion]
    rulebook: str
    fighter_quota: str
    launched_seq: int
    issuer: Issuer | None = None


class AsOf(msgspec.Struct):
    """The report covers events 0..seq-1; `time` is the time asked for (--as-of or
    --appended-before), else the latest append time among the events covered; `clock` says
    which cut made it (`Cut.clock`: effective, appended or seq); `root` is the RFC 6962
    root of those `seq` events (under an effective cut: of the events read, folded or not)."""

    seq: int
    time: datetime | None
    clock: str
    root: str

    @classmethod
    def of(cls, position: Position, cut: Cut | None) -> AsOf:
        """Where an answer folded to `position` under the cut asked for (`cut`) stands."""
        cut = cut or Cut()
        return cls(position.seq, cut.asked or position.time, cut.clock, position.root().hex())


class CheckpointInfo(msgspec.Struct):
    """The newest stored checkpoint of at most as_of.seq events (size, root and note null when
    none exists); `uncovered` events of the report come after it; `later_size` is the size of
    the first stored checkpoint past the report (time travel), whose consistency proof from
    as_of.seq also commits to the report's events."""

    origin: str
    size: int | None
    root: str | None
    note: str | None
    covers_report: bool
    uncovered: int
    later_size: int | None = None


class Summary(msgspec.Struct):
    awards: dict[str, dict[str, int]]
    by_unit_level: dict[str, int]
    direct_worker_share: float | None
    by_unit_level_kind: dict[str, dict[str, int]]
    standing: int
    annulled: int
    persons: int
    direct_workers: int
    quota: list[QuotaUse]


class ResultRow(msgspec.Struct):
    nominee: str
    yes: int
    no: int
    passed: bool
    name: str | None


class SessionRow(msgspec.Struct):
    id: str
    title: str
    mode: str
    members: list[str]
    ballots: int
    results: list[ResultRow]
    threshold: str
    quorum: str
    quorum_met: bool
    closed: bool
    counter: str | None
    chair: str
    seq: int
    threshold_share: float
    written: list[str] = msgspec.field(default_factory=list)
    present: int = 0


class LateRow(msgspec.Struct):
    participant: str
    at: datetime
    deadline: date
    appended: datetime
    override_reason: str | None
    name: str | None
    seq: int


class Registrations(msgspec.Struct):
    total: int
    late: list[LateRow]


class SignerRow(msgspec.Struct):
    name: str
    roles: list[str]
    key_id: str
    revoked: bool
    unit: str | None
    competence: list[str]
    competent_from: date | None = None  # the competence's period (inclusive; null: open)
    competent_until: date | None = None


class Report(msgspec.Struct):
    movement: MovementInfo
    as_of: AsOf
    checkpoint: CheckpointInfo
    awards: list[AwardRow]
    summary: Summary
    sessions: list[SessionRow]
    standings: Sequence[Standing]  # a StandingRows when built from a ledger view
    registrations: Registrations
    checks: list[Check]
    signers: list[SignerRow]
    holds: list[HoldView] = msgspec.field(default_factory=list)  # on the movement's subjects
    outstanding_recoveries: list[RecoveryRow] = msgspec.field(default_factory=list)
    proposals: list[ProposalPath] = msgspec.field(default_factory=list)
    open_for_comment: list[OpenForComment] = msgspec.field(default_factory=list)


def movement_info(m: MovementView) -> MovementInfo:
    return MovementInfo(
        id=m.id,
        name=m.name,
        start=m.start,
        end=m.end,
        theme=m.theme,
        kind=m.kind,
        unit_deadline=m.unit_deadline,
        cluster_deadline=m.cluster_deadline,
        formula=m.formula,
        formula_text=FORMULAS.get(m.formula, m.formula),
        spec_hash=m.spec_hash.hex(),
        criteria=list(m.criteria),
        rulebook=m.rulebook.name,
        fighter_quota=str(m.rulebook.fighter_quota or "statute"),
        launched_seq=m.seq,
    )


def session_row(s: SessionView, view: LedgerView) -> SessionRow:
    results = s.results()
    return SessionRow(
        id=s.id,
        title=s.title,
        mode=s.mode,
        members=list(s.members),
        ballots=s.taking_part,
        results=[
            ResultRow(r.nominee, r.yes, r.no, r.passed, view.catalog.name_of(r.nominee))
            for r in results.results
        ],
        threshold=str(s.threshold),
        quorum=str(s.quorum),
        quorum_met=results.quorum_met,
        closed=s.closed,
        counter=s.counter,
        chair=s.chair,
        seq=s.seq,
        threshold_share=s.threshold.share.num / s.threshold.share.den,
        written=list(s.written),
        present=results.taking_part,
    )


def checkpoint_info(origin: str, checkpoints: list[StoredCheckpoint], size: int) -> CheckpointInfo:
    cp = checkpoint_for(checkpoints, size)
    later = next((c.size for c in checkpoints if c.size > size), None)
    if cp is None:
        return CheckpointInfo(origin, None, None, None, False, size, later)
    return CheckpointInfo(
        origin, cp.size, cp.root.hex(), cp.note, cp.size == size, size - cp.size, later
    )


def _summary(rows: list[AwardRow], quota: list[QuotaUse]) -> Summary:
    s = summarise(rows)

    def plain(table: dict[str, msgspec.Struct]) -> dict[str, dict[str, int]]:
        return {k: msgspec.structs.asdict(v) for k, v in table.items()}

    return Summary(
        awards=plain(dict(s.awards)),
        by_unit_level=s.by_unit_level,
        direct_worker_share=s.direct_worker_share,
        by_unit_level_kind=plain(dict(s.by_unit_level_kind)),
        standing=s.standing,
        annulled=s.annulled,
        persons=s.persons,
        direct_workers=s.direct_workers,
        quota=quota,
    )


class StandingRows(Sequence[Standing]):
    """A report's standings, best first, each named as the catalog names it: made from the
    movement's ranked columns (projections/movement_view.py) a batch of rows at a time as
    they are read, never all at once (65,800 Standings, each with its dicts of points, would
    hold about 60 MB). Each renderer reads them once, in order; the HTML page the first
    HTML_ROWS."""

    def __init__(self, table: StandingsTable | None, names: Callable[[str], str | None]) -> None:
        self._table, self._names = table, names

    def __len__(self) -> int:
        return 0 if self._table is None else len(self._table)

    @overload
    def __getitem__(self, index: int) -> Standing: ...

    @overload
    def __getitem__(self, index: slice) -> list[Standing]: ...

    def __getitem__(self, index: int | slice) -> Standing | list[Standing]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return list(self)[index]
            return self._made(start, stop)
        if not -len(self) <= index < len(self):
            raise IndexError("standings row out of range")
        at = index % len(self)
        return self._made(at, at + 1)[0]

    def __iter__(self) -> Iterator[Standing]:
        if self._table is not None:  # made a batch at a time (StandingsTable.rows)
            yield from self._table.rows(named=self._names)

    def _made(self, start: int, stop: int) -> list[Standing]:
        if self._table is None or start >= stop:
            return []
        return list(self._table.rows(start, stop, self._names))


def build_report(
    view: LedgerView,
    position: Position,
    movement_id: str,
    checkpoints: list[StoredCheckpoint],
    asked: Cut | None = None,
) -> Report:
    """The report of `movement_id` from a ledger view folded to `position`.

    Raises NotFoundError when the movement was not launched within the events folded."""
    return build_report_at(view, AsOf.of(position, asked), movement_id, checkpoints)


def build_report_at(
    view: LedgerView,
    as_of: AsOf,
    movement_id: str,
    checkpoints: list[StoredCheckpoint],
) -> Report:
    """The report of `movement_id` from a view of the events `as_of` covers (all of them, or
    all those the report can show: projections/indexed_report.py).

    Raises NotFoundError when the movement was not launched within them."""
    movement = view.catalog.movements.get(movement_id)
    if movement is None:
        raise NotFoundError(
            f"report: movement {movement_id!r} not found in the first "
            f"{counted(as_of.seq, 'event')}"
        )
    flags = cascade_flags(view.decisions, view.catalog)
    rows = award_rows(view.decisions, view.catalog, movement_id, flags)
    quota = quota_use(view, movement, rows)
    taking_part = view.participations.of(movement_id)
    names = view.catalog.name_of
    day = local_date(as_of.time) if as_of.time is not None else movement.end
    late = [(taking_part.participant(row), x) for row, x in taking_part.lateness()]
    return Report(
        movement=msgspec.structs.replace(movement_info(movement), issuer=issuer_of(view, movement)),
        as_of=as_of,
        checkpoint=checkpoint_info(view.catalog.origin or "", checkpoints, as_of.seq),
        awards=rows,
        summary=_summary(rows, quota),
        sessions=[session_row(s, view) for s in view.sessions.of(movement_id)],
        standings=StandingRows(taking_part.table(movement) if len(taking_part) else None, names),
        registrations=Registrations(
            total=len(taking_part),
            late=[
                LateRow(
                    participant,
                    x.at,
                    x.deadline,
                    x.time,
                    x.override_reason,
                    names(participant),
                    x.seq,
                )
                for participant, x in sorted(late, key=lambda pair: (pair[1].at, pair[0]))
            ],
        ),
        checks=compliance_checks(view, movement, rows, flags, quota),
        signers=[
            SignerRow(
                s.name,
                list(s.roles),
                s.key_id,
                s.revoked,
                s.unit,
                list(s.competence),
                s.competent_from,
                s.competent_until,
            )
            for s in sorted(view.catalog.signers.values(), key=lambda s: s.name)
        ],
        holds=view.holds.on(set(taking_part.participant_ids()) | {r.recipient for r in rows}),
        outstanding_recoveries=outstanding_recoveries(rows),
        proposals=proposal_paths(view.proposals, view.catalog, movement_id, day),
        open_for_comment=open_for_comment(view.proposals, view.catalog, day, movement_id),
    )
