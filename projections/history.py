"""Read model: one participant's history — every event touching a person, unit or cluster.

An event touches participant P when it is about P's own records (its Person, Unit or Cluster,
its participations, its recipient record), names P (a nominee, recipient, cluster member, the
unit of a new person or of a signer, the person a signer is), or belongs to a review session
in which P is a nominee (votes, ballots, the tally, the close), or is a hold on P (placed,
lifted). Each row keeps both times —
``at``, the effective time the signer claimed (when the event has one), and ``time``, when it
was appended — and the signer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.bonus import format_vnd
from domain.cluster import Cluster
from domain.decision import Decision
from domain.hold import Hold
from domain.initiative import Initiative
from domain.participation import Participation
from domain.recovery import due_text
from domain.register import AwardRegister, RecipientRecord
from domain.registry import Person, Signer, Unit
from domain.session import ReviewSession
from projections.stream import EventMeta
from projections.view import ViewSpec


class HistoryRow(msgspec.Struct):
    seq: int
    time: datetime
    at: datetime | None
    signer: str
    type: str
    summary: str


class History(msgspec.Struct):
    participant: str
    related: set[UUID] = msgspec.field(default_factory=set)
    rows: list[HistoryRow] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.related:
            self.related = {
                Person.id_for(self.participant),
                Unit.id_for(self.participant),
                Cluster.id_for(self.participant),
                RecipientRecord.id_for(self.participant),
            }


def _pts(value: float) -> str:
    return f"{value:g}"


def _summary(e: Any, p: str) -> str | None:
    """A one-line description of event `e` if it touches participant `p`, else None."""
    match e:
        case Person.Added() if e.person_id == p or e.unit == p:
            worker = ", direct worker" if e.direct_worker else ""
            leads = f", {e.leader_level}-level leader" if e.leader_level else ""
            return f"person {e.person_id} '{e.name}' added to unit {e.unit}{worker}{leads}"
        case Unit.Added() if e.unit_id == p or e.parent == p:
            parent = f" under {e.parent}" if e.parent else ""
            return f"unit {e.unit_id} '{e.name}' ({e.level}) added{parent}"
        case Unit.Merged() if e.into == p:
            return f"a unit was merged into {p} ({e.reason})"
        case Unit.Merged():
            return f"merged into unit {e.into} ({e.reason})"
        case Signer.Registered() if p in (e.person, e.unit):
            return f"signer {e.name} registered ({', '.join(e.roles)}) for {p}"
        case Cluster.Formed() if e.cluster_id == p or p in e.members:
            return f"{e.kind} {e.cluster_id} '{e.name}' formed with {', '.join(e.members)}"
        case Cluster.PactSigned() if e.unit == p:
            return f"unit {e.unit} signed the emulation pact for {e.movement}"
        case Participation.Registered() if e.participant == p:
            late = ""
            if e.late:
                late = f"; late (deadline {e.deadline}), override: {e.override_reason}"
            return f"registered in {e.movement} for {', '.join(e.titles)}{late}"
        case Participation.Scored():
            kind = "correction of the " if e.correction else ""
            reason = f" ({e.reason})" if e.reason else ""
            return f"{kind}{e.kind} score {e.criterion} = {_pts(e.points)} by {e.scorer}{reason}"
        case ReviewSession.Opened() if p in e.nominees:
            return (
                f"nominated in session {e.session_id} for {e.title} ({e.mode} mode, "
                f"{len(e.members)} members, threshold {e.threshold}, quorum {e.quorum})"
            )
        case ReviewSession.VoteCast():
            said = "yes" if p in e.yes else "no" if p in e.no else "abstained"
            written = " in writing" if e.document_hash is not None else ""
            return f"member {e.member} voted {said}{written}"
        case ReviewSession.BallotCast():
            written = " in writing" if e.document_hash is not None else ""
            return f"member {e.member} cast a secret ballot{written}"
        case ReviewSession.TallyCertified():
            mine = [line for line in e.results if line.nominee == p]
            count = f": {mine[0].yes} yes, {mine[0].no} no" if mine else ""
            return f"tally certified by {e.counter}{count}"
        case ReviewSession.Closed():
            return "session closed"
        case Decision.Recorded() if any(r.id == p for r in e.recipients):
            basis = f"basis {e.basis}" if e.basis else "no basis session"
            override = ""
            if e.overrides:  # one signed reason per rule
                each = (f"override of {o.rule}: {o.reason}" for o in e.overrides)
                override = "; " + "; ".join(each)
            elif e.override_reason:  # signed before per-rule overrides
                override = f"; override of {', '.join(e.overridden_rules)}: {e.override_reason}"
            regime = f"; regime {e.regime}" if e.regime else ""
            return (
                f"awarded {e.award} by decision {e.number} of {e.date} ({basis}; authority "
                f"{e.authority}{regime}{override})"
            )
        case Decision.RecipientAnnulled() if e.recipient == p:
            due = "; ".join(due_text(d) for d in e.recoveries)
            return f"award annulled ({e.ground}): {e.reason}" + (
                f"; to recover: {due}" if due else ""
            )
        case Decision.RecoveryRecorded() if e.recipient == p:
            what = f"money {format_vnd(e.amount)}" if e.amount is not None else e.item
            reference = f" ({e.reference})" if e.reference else ""
            return f"recovered {what} after the annulment{reference}, recorded by {e.recorded_by}"
        case AwardRegister.AwardsEntered() if any(r.id == p for r in e.recipients):
            return f"{e.award} for {e.year} entered in the award register (decision {e.decision})"
        case AwardRegister.AwardAnnulled() if e.recipient == p:
            return f"annulment entered in the award register (decision {e.decision})"
        case RecipientRecord.Opened():
            return f"recipient record opened ({e.recipient_kind})"
        case RecipientRecord.AwardEntered():
            return f"{e.award} for {e.year} entered on the record (decision {e.decision})"
        case RecipientRecord.AwardAnnulled():
            return f"award of decision {e.decision} annulled on the record ({e.ground})"
        case RecipientRecord.InitiativeNoted():
            return f"initiative {e.initiative} ({e.scope}, {e.year}) noted on the record"
        case Initiative.Recognised() if e.person == p:
            return f"initiative {e.initiative_id} '{e.name}' recognised ({e.scope}, {e.year})"
        case Hold.Placed() if e.subject == p:
            until = f" until {e.until}" if e.until else ""
            return f"hold {e.hold_id} placed ({e.kind}{until}): {e.reason}"
        case Hold.Lifted():
            return f"hold lifted: {e.reason}"
    return None


# Events judged by their aggregate (known to be P's) rather than by a field naming P.
_BY_AGGREGATE = (
    Participation.Scored,
    ReviewSession.VoteCast,
    ReviewSession.BallotCast,
    ReviewSession.TallyCertified,
    ReviewSession.Closed,
    RecipientRecord.Opened,
    RecipientRecord.AwardEntered,
    RecipientRecord.AwardAnnulled,
    RecipientRecord.InitiativeNoted,
    Hold.Lifted,
)


def fold_history(state: History, event: DomainEvent, meta: EventMeta) -> History:
    """Append a row if `event` touches the participant (see the module docstring)."""
    if isinstance(event, _BY_AGGREGATE) and event.originator_id not in state.related:
        return state
    if (
        isinstance(event, Unit.Merged)
        and event.into != state.participant
        and event.originator_id not in state.related
    ):
        return state
    summary = _summary(event, state.participant)
    if summary is None:
        return state
    if isinstance(event, Participation.Registered | ReviewSession.Opened | Hold.Placed) or (
        isinstance(event, Unit.Added) and event.unit_id == state.participant
    ):
        state.related.add(event.originator_id)
    at: datetime | None = getattr(event, "at", None)
    kind = type(event).__qualname__
    state.rows.append(HistoryRow(meta.seq, meta.time, at, meta.signer, kind, summary))
    return state


HISTORY_EVENTS: tuple[type[DomainEvent], ...] = (
    Person.Added,
    Unit.Added,
    Unit.Merged,
    Signer.Registered,
    Cluster.Formed,
    Cluster.PactSigned,
    Participation.Registered,
    Initiative.Recognised,
    ReviewSession.Opened,
    Decision.Recorded,
    Decision.RecipientAnnulled,
    Decision.RecoveryRecorded,
    Hold.Placed,
    AwardRegister.AwardsEntered,
    AwardRegister.AwardAnnulled,
    *_BY_AGGREGATE,
)


def history_view(participant: str) -> ViewSpec[History]:
    """The history of one participant, as a view the runner can store and keep current."""
    return ViewSpec(
        name=f"history:{participant}",
        version="history/4",
        state_type=History,
        initial=lambda: History(participant),
        fold=fold_history,
        event_types=HISTORY_EVENTS,
    )
