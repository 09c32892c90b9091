"""Read model: the proposal path (domain/proposal.py) of every proposal, with its clocks.

Folding is pure (state and event only): each proposal keeps what was proposed, every step (who
held the file, when it arrived, who acted on it, how, when, at which seq), its public comment
period and objections (each with its resolution), and the decision that closed it. Reports
and `awards proposal show` read it through `proposal_rows(proposals, today)`: one row per
proposal with its steps and their working-day clock (domain/proposal_clock.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from domain.actor import local_date
from domain.base import DomainEvent
from domain.overrides import Override
from domain.proposal import DECIDED, PENDING, RETURNED, Objection, Proposal
from domain.proposal_clock import StepClock, step_clock
from projections.stream import EventMeta


class StepView(msgspec.Struct, kw_only=True):
    """One level's hold of the file: received (by the event at `received_seq`), then acted on
    (the event at `seq`) or pending."""

    holder: str
    received: datetime
    received_seq: int
    acted: datetime | None = None
    action: str | None = None  # endorsed | returned | resubmitted | decided | forwarded
    by: str | None = None
    seq: int | None = None
    reason: str | None = None  # a return's reasons
    overrides: list[Override] = msgspec.field(default_factory=list)
    forwarding: bool = False  # after the decision, until it is forwarded to the unit


class CommentView(msgspec.Struct, kw_only=True):
    """The public comment period: opened when, by whom, for how many working days."""

    opened: datetime
    days: int
    ends: date
    by: str
    seq: int


class ObjectionView(msgspec.Struct, kw_only=True):
    """One objection and, once resolved, its resolution."""

    objection: str
    proposal: str
    about: str
    channel: str
    sha256: str
    raised_at: datetime
    raised_by: str
    seq: int
    outcome: str | None = None
    reason: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolved_seq: int | None = None


class ProposalView(msgspec.Struct, kw_only=True):
    """One proposal as the ledger states it."""

    proposal: str
    movement: str
    award: str
    nominees: list[str]
    unit: str
    proposer: str
    basis: str | None
    documents: list[str]
    proposed_at: datetime
    seq: int
    status: str  # pending | returned | decided
    holder: str
    steps: list[StepView]
    overrides: list[Override] = msgspec.field(default_factory=list)
    comment: CommentView | None = None
    objections: list[str] = msgspec.field(default_factory=list)
    decision: str | None = None


class Proposals(msgspec.Struct):
    by_id: dict[str, ProposalView] = msgspec.field(default_factory=dict)
    id_of: dict[str, str] = msgspec.field(default_factory=dict)  # aggregate id -> proposal id
    objections: dict[str, ObjectionView] = msgspec.field(default_factory=dict)
    objection_of: dict[str, str] = msgspec.field(default_factory=dict)  # aggregate id -> id

    def of(self, event: DomainEvent) -> ProposalView:
        return self.by_id[self.id_of[str(event.originator_id)]]

    def in_movement(self, movement: str) -> list[ProposalView]:
        """The proposals of `movement`, in ledger order."""
        return sorted((p for p in self.by_id.values() if p.movement == movement), key=_seq)

    def open_for_comment(self, day: date) -> list[ProposalView]:
        """The proposals whose comment period runs on `day` (not decided), in ledger order."""
        return sorted(
            (
                p
                for p in self.by_id.values()
                if p.comment is not None
                and p.status != DECIDED
                and local_date(p.comment.opened) <= day <= p.comment.ends
            ),
            key=_seq,
        )


def _seq(p: ProposalView) -> int:
    return p.seq


def _close(view: ProposalView, action: str, e: Any, meta: EventMeta) -> StepView:
    step = view.steps[-1]
    step.acted, step.action, step.by, step.seq = e.at, action, e.by, meta.seq
    return step


def _proposed(state: Proposals, e: Proposal.Proposed, meta: EventMeta) -> None:
    state.by_id[e.proposal_id] = ProposalView(
        proposal=e.proposal_id,
        movement=e.movement,
        award=e.award,
        nominees=list(e.nominees),
        unit=e.unit,
        proposer=e.by,
        basis=e.basis,
        documents=list(e.documents),
        proposed_at=e.at,
        seq=meta.seq,
        status=PENDING,
        holder=e.to,
        steps=[StepView(holder=e.to, received=e.at, received_seq=meta.seq)],
        overrides=list(e.overrides),
    )
    state.id_of[str(e.originator_id)] = e.proposal_id


def _endorsed(state: Proposals, e: Proposal.Endorsed, meta: EventMeta) -> None:
    view = state.of(e)
    _close(view, "endorsed", e, meta).overrides = list(e.overrides)
    view.holder = e.to
    view.steps.append(StepView(holder=e.to, received=e.at, received_seq=meta.seq))


def _returned(state: Proposals, e: Proposal.Returned, meta: EventMeta) -> None:
    view = state.of(e)
    _close(view, "returned", e, meta).reason = e.reason
    view.status, view.holder = RETURNED, view.unit
    view.steps.append(StepView(holder=view.unit, received=e.at, received_seq=meta.seq))


def _resubmitted(state: Proposals, e: Proposal.Resubmitted, meta: EventMeta) -> None:
    view = state.of(e)
    _close(view, "resubmitted", e, meta).overrides = list(e.overrides)
    view.documents += [d for d in e.documents if d not in view.documents]
    view.status, view.holder = PENDING, e.to
    view.steps.append(StepView(holder=e.to, received=e.at, received_seq=meta.seq))


def _comment(state: Proposals, e: Proposal.CommentOpened, meta: EventMeta) -> None:
    state.of(e).comment = CommentView(
        opened=e.at, days=e.days, ends=e.ends, by=e.by, seq=meta.seq
    )


def _noted(state: Proposals, e: Proposal.ObjectionNoted, meta: EventMeta) -> None:
    state.of(e).objections.append(e.objection_id)


def _decided(state: Proposals, e: Proposal.Decided, meta: EventMeta) -> None:
    view = state.of(e)
    _close(view, "decided", e, meta)
    view.status, view.decision = DECIDED, e.decision
    view.steps.append(
        StepView(holder=view.holder, received=e.at, received_seq=meta.seq, forwarding=True)
    )


def _forwarded(state: Proposals, e: Proposal.Forwarded, meta: EventMeta) -> None:
    _close(state.of(e), "forwarded", e, meta)


def _raised(state: Proposals, e: Objection.Raised, meta: EventMeta) -> None:
    state.objections[e.objection_id] = ObjectionView(
        objection=e.objection_id,
        proposal=e.proposal,
        about=e.about,
        channel=e.channel,
        sha256=e.sha256,
        raised_at=e.at,
        raised_by=e.by,
        seq=meta.seq,
    )
    state.objection_of[str(e.originator_id)] = e.objection_id


def _resolved(state: Proposals, e: Objection.Resolved, meta: EventMeta) -> None:
    view = state.objections[state.objection_of[str(e.originator_id)]]
    view.outcome, view.reason, view.resolved_at = e.outcome, e.reason, e.at
    view.resolved_by, view.resolved_seq = e.by, meta.seq


HANDLERS: dict[type[DomainEvent], Callable[[Proposals, Any, EventMeta], None]] = {
    Proposal.Proposed: _proposed,
    Proposal.Endorsed: _endorsed,
    Proposal.Returned: _returned,
    Proposal.Resubmitted: _resubmitted,
    Proposal.CommentOpened: _comment,
    Proposal.ObjectionNoted: _noted,
    Proposal.Decided: _decided,
    Proposal.Forwarded: _forwarded,
    Objection.Raised: _raised,
    Objection.Resolved: _resolved,
}


# -- the pure read function reports and `awards proposal show` use ------------------------------


class StepRow(msgspec.Struct, kw_only=True):
    """One step with its clock: who held the file, what they did, against which limit."""

    holder: str
    received: datetime
    received_seq: int
    action: str | None
    acted: datetime | None
    by: str | None
    seq: int | None
    reason: str | None
    overrides: list[Override]
    forwarding: bool
    limit_step: str | None
    limit_days: int | None
    deadline: date | None
    working_days: int | None
    late: bool
    note: str


class ProposalRow(msgspec.Struct, kw_only=True):
    """One proposal with its steps and clocks, comment period and objections."""

    proposal: str
    movement: str
    award: str
    nominees: list[str]
    unit: str
    proposer: str
    basis: str | None
    documents: list[str]
    proposed_at: datetime
    seq: int
    status: str
    holder: str
    decision: str | None
    overrides: list[Override]
    steps: list[StepRow]
    late_steps: int
    comment: CommentView | None
    objections: list[ObjectionView]


def step_row(step: StepView, clock: StepClock) -> StepRow:
    return StepRow(
        holder=step.holder,
        received=step.received,
        received_seq=step.received_seq,
        action=step.action,
        acted=step.acted,
        by=step.by,
        seq=step.seq,
        reason=step.reason,
        overrides=step.overrides,
        forwarding=step.forwarding,
        limit_step=clock.limit_step,
        limit_days=clock.limit,
        deadline=clock.deadline,
        working_days=clock.days,
        late=clock.late,
        note=clock.note,
    )


def proposal_row(proposals: Proposals, view: ProposalView, today: date) -> ProposalRow:
    """One proposal's row; `today` (a Vietnam date) ends the clock of a pending step."""
    steps = [step_row(s, step_clock(s, view.unit, today)) for s in view.steps]
    return ProposalRow(
        proposal=view.proposal,
        movement=view.movement,
        award=view.award,
        nominees=view.nominees,
        unit=view.unit,
        proposer=view.proposer,
        basis=view.basis,
        documents=view.documents,
        proposed_at=view.proposed_at,
        seq=view.seq,
        status=view.status,
        holder=view.holder,
        decision=view.decision,
        overrides=view.overrides,
        steps=steps,
        late_steps=sum(s.late for s in steps),
        comment=view.comment,
        # an --at-seq cut may fall inside the write that raised an objection and noted it on
        # the proposal (the proposal's rows come first): the objection is not in yet
        objections=[proposals.objections[o] for o in view.objections if o in proposals.objections],
    )


def proposal_rows(
    proposals: Proposals, today: date, movement: str | None = None
) -> list[ProposalRow]:
    """Every proposal (of `movement`, if given) with its steps and clocks, in ledger order."""
    views = (
        proposals.in_movement(movement)
        if movement is not None
        else sorted(proposals.by_id.values(), key=_seq)
    )
    return [proposal_row(proposals, v, today) for v in views]
