"""Read model: review sessions (bình xét) — roster, votes or ballots, certified tally, close — and
their results against threshold and quorum.

The fold keeps what each session's events recorded; results are counted with the domain's own
pure functions (`domain.tally`), so a report and the decision checks can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from sys import intern
from typing import Any
from uuid import UUID

import msgspec

from domain.base import DomainEvent
from domain.rulebook import Share, Threshold
from domain.session import ReviewSession
from domain.tally import SessionResults, TallyLine, Vote, session_results
from projections.stream import EventMeta


class SessionView(msgspec.Struct):
    """One review session as the ledger recorded it."""

    id: str
    movement: str
    title: str
    nominees: list[str]
    members: list[str]
    mode: str
    threshold: Threshold
    quorum: Share
    at: datetime
    time: datetime
    seq: int
    chair: str
    votes: dict[str, Vote] = msgspec.field(default_factory=dict)
    ballots: list[str] = msgspec.field(default_factory=list)
    written: list[str] = msgspec.field(default_factory=list)  # absent members voting in writing
    tally: list[TallyLine] | None = None
    counter: str | None = None
    tally_seq: int | None = None
    closed_at: datetime | None = None
    closed_seq: int | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def taking_part(self) -> int:
        """Members who voted (open mode) or cast a ballot (secret mode), in writing or not."""
        return len(self.votes) if self.mode == "open" else len(self.ballots)

    def results(self) -> SessionResults:
        """Turnout, quorum and per-nominee yes / no / passed (`domain.tally.session_results`,
        the function `ReviewSession.results` uses)."""
        return session_results(
            self.mode,
            self.nominees,
            len(self.members),
            self.votes,
            self.ballots,
            self.tally,
            self.written,
            self.threshold,
            self.quorum,
        )


class Sessions(msgspec.Struct):
    by_id: dict[str, SessionView] = msgspec.field(default_factory=dict)
    ids: dict[UUID, str] = msgspec.field(default_factory=dict)

    def of(self, movement: str) -> list[SessionView]:
        return [s for s in self.by_id.values() if s.movement == movement]

    def _get(self, originator_id: UUID) -> SessionView | None:
        return self.by_id.get(self.ids.get(originator_id, ""))


def _opened(state: Sessions, event: ReviewSession.Opened, meta: EventMeta) -> None:
    state.ids[event.originator_id] = event.session_id
    state.by_id[event.session_id] = SessionView(
        id=event.session_id,
        movement=event.movement,
        title=event.title,
        nominees=[intern(n) for n in event.nominees],
        members=[intern(m) for m in event.members],
        mode=event.mode,
        threshold=event.threshold,
        quorum=event.quorum,
        at=event.at,
        time=meta.time,
        seq=meta.seq,
        chair=meta.signer,
    )


def _vote(state: Sessions, event: ReviewSession.VoteCast, meta: EventMeta) -> None:
    session = state._get(event.originator_id)
    if session is not None:
        session.votes[intern(event.member)] = Vote(
            [intern(n) for n in event.yes], [intern(n) for n in event.no]
        )
        if event.document_hash is not None:
            session.written.append(intern(event.member))


def _ballot(state: Sessions, event: ReviewSession.BallotCast, meta: EventMeta) -> None:
    session = state._get(event.originator_id)
    if session is not None:
        session.ballots.append(intern(event.member))
        if event.document_hash is not None:
            session.written.append(intern(event.member))


def _tally(state: Sessions, event: ReviewSession.TallyCertified, meta: EventMeta) -> None:
    session = state._get(event.originator_id)
    if session is not None:
        session.tally, session.counter = list(event.results), event.counter
        session.tally_seq = meta.seq


def _closed(state: Sessions, event: ReviewSession.Closed, meta: EventMeta) -> None:
    session = state._get(event.originator_id)
    if session is not None:
        session.closed_at, session.closed_seq = event.at, meta.seq


HANDLERS: dict[type[DomainEvent], Callable[[Sessions, Any, EventMeta], None]] = {
    ReviewSession.Opened: _opened,
    ReviewSession.VoteCast: _vote,
    ReviewSession.BallotCast: _ballot,
    ReviewSession.TallyCertified: _tally,
    ReviewSession.Closed: _closed,
}


def fold_sessions(state: Sessions, event: DomainEvent, meta: EventMeta) -> Sessions:
    """Fold one event (see the module docstring); other events leave `state` as it is."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, meta)
    return state
