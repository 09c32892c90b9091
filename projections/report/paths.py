"""The proposal path in the public report: each proposal of the movement with its steps and
their working-day clocks (JSON ``proposals``), and the proposals open for public comment
(JSON ``open_for_comment``), built from the proposals read model (projections/proposals.py).

The clocks are those of `awards proposal show` (domain/proposal_clock.py); a step still
pending is counted up to the report's day — the Vietnam date of ``as_of.time`` — so the same
ledger and cut always give the same report. Ids are given with the names the ledger records
(nominees, the proposing unit, unit levels); an authority level is ``authority:NAME``.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from domain.overrides import Override
from domain.proposal import CHANNELS, holder_authority
from projections.catalog import Catalog
from projections.proposals import (
    CommentView,
    ObjectionView,
    ProposalRow,
    Proposals,
    StepRow,
    proposal_rows,
)


class Named(msgspec.Struct):
    """A nominee: its id, and the name and kind the ledger records (null: not recorded in the
    events the report covers)."""

    id: str
    name: str | None
    kind: str | None  # person | unit | cluster


class PathStep(msgspec.Struct):
    """One level's hold of the file, with its clock (see projections/proposals.StepRow)."""

    level: str  # a unit id, or authority:NAME
    level_name: str | None
    received: datetime
    action: str | None  # endorsed | returned | resubmitted | decided | forwarded; null: pending
    forwarding: bool  # the authority's step from its decision until it is forwarded to the unit
    acted: datetime | None
    by: str | None
    reason: str | None
    limit_step: str | None  # domain/regimes/workdays.toml's step name; null: no limit
    limit_days: int | None
    deadline: date | None
    working_days: int | None
    late: bool
    note: str
    received_seq: int
    seq: int | None


class PathObjection(msgspec.Struct):
    """One objection raised in the public comment and its outcome (null until resolved)."""

    objection: str
    about: str
    about_name: str | None
    channel: str
    outcome: str | None  # upheld | dismissed
    reason: str | None
    raised_at: datetime
    resolved_at: datetime | None
    raised_by: str
    resolved_by: str | None
    sha256: str
    seq: int
    resolved_seq: int | None


class ProposalPath(msgspec.Struct):
    """One proposal of the movement and the path its file took."""

    proposal: str
    award: str
    status: str  # pending | returned | decided
    nominees: list[Named]
    unit: str
    unit_name: str | None
    decision: str | None
    holder: str
    steps: list[PathStep]
    late_steps: int
    comment: CommentView | None
    objections: list[PathObjection]
    proposer: str
    proposed_at: datetime
    basis: str | None
    documents: list[str]
    overrides: list[Override]
    seq: int


class OpenForComment(msgspec.Struct):
    """A proposal whose list is out for public comment on the report's day: who is proposed,
    until when, and where an objection goes (the level holding the file)."""

    proposal: str
    award: str
    nominees: list[Named]
    ends: date
    unit: str
    unit_name: str | None
    holder: str
    holder_name: str | None
    opened: datetime
    days: int
    objections: int
    channels: list[str]


def _kind(catalog: Catalog, participant: str) -> str | None:
    for kind, table in (("person", catalog.people), ("unit", catalog.units)):
        if participant in table:
            return kind
    return "cluster" if participant in catalog.clusters else None


def named(catalog: Catalog, participant: str) -> Named:
    return Named(participant, catalog.name_of(participant), _kind(catalog, participant))


def level_name(catalog: Catalog, level: str) -> str | None:
    """A unit level's recorded name (None for an authority level or an unknown unit)."""
    return None if holder_authority(level) is not None else catalog.name_of(level)


def path_step(catalog: Catalog, s: StepRow) -> PathStep:
    return PathStep(
        level=s.holder,
        level_name=level_name(catalog, s.holder),
        received=s.received,
        action=s.action,
        forwarding=s.forwarding,
        acted=s.acted,
        by=s.by,
        reason=s.reason,
        limit_step=s.limit_step,
        limit_days=s.limit_days,
        deadline=s.deadline,
        working_days=s.working_days,
        late=s.late,
        note=s.note,
        received_seq=s.received_seq,
        seq=s.seq,
    )


def path_objection(catalog: Catalog, o: ObjectionView) -> PathObjection:
    return PathObjection(
        objection=o.objection,
        about=o.about,
        about_name=catalog.name_of(o.about),
        channel=o.channel,
        outcome=o.outcome,
        reason=o.reason,
        raised_at=o.raised_at,
        resolved_at=o.resolved_at,
        raised_by=o.raised_by,
        resolved_by=o.resolved_by,
        sha256=o.sha256,
        seq=o.seq,
        resolved_seq=o.resolved_seq,
    )


def proposal_path(catalog: Catalog, row: ProposalRow) -> ProposalPath:
    return ProposalPath(
        proposal=row.proposal,
        award=row.award,
        status=row.status,
        nominees=[named(catalog, n) for n in row.nominees],
        unit=row.unit,
        unit_name=catalog.name_of(row.unit),
        decision=row.decision,
        holder=row.holder,
        steps=[path_step(catalog, s) for s in row.steps],
        late_steps=row.late_steps,
        comment=row.comment,
        objections=[path_objection(catalog, o) for o in row.objections],
        proposer=row.proposer,
        proposed_at=row.proposed_at,
        basis=row.basis,
        documents=list(row.documents),
        overrides=list(row.overrides),
        seq=row.seq,
    )


def proposal_paths(
    proposals: Proposals, catalog: Catalog, movement: str, day: date
) -> list[ProposalPath]:
    """Every proposal of `movement`, in ledger order, its clocks counted up to `day`."""
    return [proposal_path(catalog, row) for row in proposal_rows(proposals, day, movement)]


def open_for_comment(
    proposals: Proposals, catalog: Catalog, day: date, movement: str | None = None
) -> list[OpenForComment]:
    """The proposals (of `movement`, if given) whose comment period runs on `day` and that
    are not decided, in ledger order."""
    found = []
    for p in proposals.open_for_comment(day):
        if p.comment is None or (movement is not None and p.movement != movement):
            continue
        found.append(
            OpenForComment(
                proposal=p.proposal,
                award=p.award,
                nominees=[named(catalog, n) for n in p.nominees],
                ends=p.comment.ends,
                unit=p.unit,
                unit_name=catalog.name_of(p.unit),
                holder=p.holder,
                holder_name=level_name(catalog, p.holder),
                opened=p.comment.opened,
                days=p.comment.days,
                objections=len(p.objections),
                channels=list(CHANNELS),
            )
        )
    return found
