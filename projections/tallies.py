"""Read model: review sessions (bình xét) — roster, votes or ballots, certified tally, close — and
their results against threshold and quorum.

The fold keeps what each session's events recorded; results are counted with the domain's own
pure functions (`domain.tally`), so a report and the decision checks can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


class CastVote(msgspec.Struct, array_like=True, gc=False, frozen=True):
    """One member's open vote as kept: the nominees it voted yes and no, each as its position
    in the session's `nominees` (a name only when it is not one of them, as a vote stored
    before the door refused such could name). A session of 50 nominees and 7 members held
    350 strings decoded afresh; positions below 257 are shared small ints."""

    yes: list[int | str]
    no: list[int | str]


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
    voted: dict[str, CastVote] = msgspec.field(default_factory=dict)  # open mode, by member
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
        return len(self.voted) if self.mode == "open" else len(self.ballots)

    @property
    def votes(self) -> dict[str, Vote]:
        """Each member's open vote, naming the nominees (made from `voted`)."""
        nominees = self.nominees

        def named(kept: list[int | str]) -> list[str]:
            return [nominees[n] if isinstance(n, int) else n for n in kept]

        return {member: Vote(named(v.yes), named(v.no)) for member, v in self.voted.items()}

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
        at = {nominee: n for n, nominee in enumerate(session.nominees)}

        def kept(named: Sequence[str]) -> list[int | str]:
            return [at[nominee] if nominee in at else intern(nominee) for nominee in named]

        session.voted[intern(event.member)] = CastVote(kept(event.yes), kept(event.no))
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
