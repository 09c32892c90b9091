"""Review sessions (bình xét): the council roster, the nominees, votes or ballots, tally, close.

Open mode: each member signs one `VoteCast` naming the nominees it votes yes and no on; a
nominee it leaves out is an abstention. Secret mode: each member signs only `BallotCast`, and
the counting committee signs one `TallyCertified` (yes / no per nominee).

Decisions this module makes where the law text we hold is silent:
- A tally needs yes + no == ballots cast for every nominee: a blank or spoilt mark counts as
  "no". It changes no outcome, because the threshold is measured against *all* members.
- A tally may be certified once at least a quorum of ballots is in, not necessarily all.
- In secret mode a member who is a nominee (or whose unit is) may not cast a ballot: a secret
  ballot cannot show that it skipped its own name, so the member stands aside (rule 6).
- A session's threshold and quorum are those in force on its opening date: the statute's
  (`domain.regimes`) tightened by the rulebook (`domain.law`); given ones may be stricter, never
  weaker, and a title the statute reviews by secret ballot cannot be opened in open mode
  (DomainError: a session has no override). A decision dated under a
  later regime is held to that regime's threshold too (rule `regime`, `domain.rules`).

Results (rule 3) are counted in `domain.tally`, in exact integers.

How the application uses this::

    s = ReviewSession.open("S-1", movement, "advanced_worker", nominees, members, at=at,
                           registered=[n for n in nominees if participation exists])
    s = app.repository.get(ReviewSession.id_for("S-1"))
    s.cast_vote(Actor.from_signer(signer, person), yes=[...], no=[...], at=at)
    s.cast_ballot(actor, at=at); s.certify_tally(actor, [TallyLine(...)], at=at); s.close(at=at)
    s.results()                                # SessionResults for `awards tally` and reports
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from domain.actor import Actor, local_date, require_aware, require_unique
from domain.base import Aggregate, aggregate_id
from domain.errors import (
    AlreadyVotedError,
    BallotModeError,
    ConflictOfInterestError,
    DomainError,
    NotSessionMemberError,
    OutOfOrderError,
    SessionClosedError,
    TallyError,
    UsageError,
)
from domain.ids import check_id, check_signer_name
from domain.law import session_rules
from domain.movement import Movement
from domain.regimes import regime_on
from domain.rulebook import Share, Threshold
from domain.tally import (
    NomineeResult,
    SessionResults,
    TallyLine,
    Vote,
    check_tally_fits,
    session_results,
)

MODES = ("open", "secret")
_CHAIR = frozenset({"council_chair"})
_MEMBERS = frozenset({"council_member", "council_chair"})


class ReviewSession(Aggregate):
    """One council review of one title for a list of nominees."""

    class Opened(Aggregate.Created, frozen=True, kw_only=True):
        """The chair opened a review of one title: nominees, roster, mode, threshold, quorum."""

        required_roles: ClassVar[frozenset[str]] = _CHAIR
        session_id: str
        movement: str
        title: str
        nominees: list[str]
        members: list[str]
        mode: str
        threshold: Threshold
        quorum: Share
        at: datetime

        def apply(self, agg: ReviewSession) -> None:
            agg.session_id, agg.movement, agg.title = self.session_id, self.movement, self.title
            agg.nominees, agg.members = list(self.nominees), list(self.members)
            agg.mode, agg.threshold, agg.quorum = self.mode, self.threshold, self.quorum
            agg.opened_at = self.at
            agg.votes, agg.ballots, agg.written = {}, [], []
            agg.tally, agg.counter, agg.closed_at = None, None, None

    class VoteCast(Aggregate.Event, frozen=True, kw_only=True):
        """An open-mode vote: the nominees one member said yes and no to."""

        required_roles: ClassVar[frozenset[str]] = _MEMBERS
        member: str
        yes: list[str]
        no: list[str]
        at: datetime
        # an absent member's vote in writing: the SHA-256 of the written document
        document_hash: bytes | None = None
        later_fields: ClassVar[tuple[str, ...]] = ("document_hash",)

        def apply(self, agg: ReviewSession) -> None:
            agg.votes[self.member] = Vote(list(self.yes), list(self.no))
            if self.document_hash is not None:
                agg.written.append(self.member)

    class BallotCast(Aggregate.Event, frozen=True, kw_only=True):
        """A secret-mode ballot was cast by this member (its content is not recorded)."""

        required_roles: ClassVar[frozenset[str]] = _MEMBERS
        member: str
        at: datetime
        document_hash: bytes | None = None  # a ballot sent in writing by an absent member
        later_fields: ClassVar[tuple[str, ...]] = ("document_hash",)

        def apply(self, agg: ReviewSession) -> None:
            agg.ballots.append(self.member)
            if self.document_hash is not None:
                agg.written.append(self.member)

    class TallyCertified(Aggregate.Event, frozen=True, kw_only=True):
        """The counting committee certified the yes / no count per nominee."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"counter"})
        counter: str
        results: list[TallyLine]
        at: datetime

        def apply(self, agg: ReviewSession) -> None:
            agg.tally, agg.counter = list(self.results), self.counter

    class Closed(Aggregate.Event, frozen=True, kw_only=True):
        """The chair closed the session: no more votes, ballots or tallies."""

        required_roles: ClassVar[frozenset[str]] = _CHAIR
        at: datetime

        def apply(self, agg: ReviewSession) -> None:
            agg.closed_at = self.at

    session_id: str
    movement: str
    title: str
    nominees: list[str]
    members: list[str]
    mode: str
    threshold: Threshold
    quorum: Share
    opened_at: datetime
    votes: dict[str, Vote]
    ballots: list[str]
    written: list[str]
    tally: list[TallyLine] | None
    counter: str | None
    closed_at: datetime | None

    @staticmethod
    def id_for(session_id: str) -> UUID:
        return aggregate_id("session", session_id)

    @classmethod
    def open(
        cls,
        session_id: str,
        movement: Movement,
        title: str,
        nominees: Sequence[str],
        members: Sequence[str],
        *,
        at: datetime,
        registered: Collection[str],
        mode: str | None = None,
        threshold: Threshold | None = None,
        quorum: Share | None = None,
    ) -> ReviewSession:
        """Open a session; `registered` lists the nominees registered in the movement."""
        check_id("session", session_id)
        subject = f"session open rejected: session {session_id}"
        require_aware(at, subject)
        rulebook = movement.rulebook
        if rulebook.award_category(title) is None:
            raise UsageError(f"{subject}: unknown award kind {title!r}")
        if not nominees or not members:
            raise UsageError(f"{subject}: give at least one nominee and one member")
        for nominee in require_unique(nominees, "nominee"):
            check_id("nominee", nominee)
            if nominee not in registered:
                raise OutOfOrderError(
                    f"{subject}: nominee {nominee!r} is not registered in movement "
                    f"{movement.movement_id}"
                )
        for member in require_unique(members, "member"):
            check_signer_name(member)
        mode, threshold, quorum = session_rules(
            regime_on(local_date(at)), rulebook, title, mode, threshold, quorum, subject
        )
        return cls._create(
            cls.Opened,
            id=cls.id_for(session_id),
            session_id=session_id,
            movement=movement.movement_id,
            title=title,
            nominees=list(nominees),
            members=list(members),
            mode=mode,
            threshold=threshold,
            quorum=quorum,
            at=at,
        )

    # -- guards ----------------------------------------------------------------------------------

    def check_can_take_part(self, what: str, member: Actor, mode: str, at: datetime) -> None:
        require_aware(at, f"{what} rejected")
        if self.closed_at is not None:
            raise SessionClosedError(f"{what} rejected: session {self.session_id} is closed")
        if self.mode != mode:
            other = "'ballot cast'" if self.mode == "secret" else "'vote'"
            raise BallotModeError(
                f"{what} rejected: session {self.session_id} is in {self.mode} mode; use {other}"
            )
        if member.name not in self.members:
            raise NotSessionMemberError(
                f"{what} rejected: signer {member.name!r} is not a member of session "
                f"{self.session_id}"
            )
        if member.name in self.votes or member.name in self.ballots:
            raise AlreadyVotedError(
                f"{what} rejected: signer {member.name!r} already voted in session "
                f"{self.session_id}"
            )

    # -- commands --------------------------------------------------------------------------------

    def check_written(self, what: str, document_hash: bytes | None) -> None:
        """A vote in writing needs a regime (of the session's opening date) that allows it, and
        the written document's SHA-256 (32 bytes)."""
        if document_hash is None:
            return
        regime = regime_on(local_date(self.opened_at))
        if not regime.written_votes:
            raise DomainError(
                f"{what} rejected: session {self.session_id}: regime {regime.id} does not "
                "provide for votes in writing"
            )
        if len(document_hash) != 32:
            raise UsageError(f"{what} rejected: a written vote's document hash must be SHA-256")

    def cast_vote(
        self,
        member: Actor,
        yes: Sequence[str],
        no: Sequence[str],
        *,
        at: datetime,
        document_hash: bytes | None = None,
    ) -> None:
        """Open mode: one vote per member; nominees left out are abstentions. An absent
        member's vote in writing carries the written document's SHA-256 (`document_hash`)."""
        self.check_can_take_part("vote", member, "open", at)
        self.check_written("vote", document_hash)
        named = require_unique([*yes, *no], "vote rejected: nominee")
        for nominee in named:
            if nominee not in self.nominees:
                raise UsageError(
                    f"vote rejected: {nominee!r} is not a nominee of session {self.session_id}"
                )
            if member.is_or_belongs_to(nominee):
                raise ConflictOfInterestError(
                    f"vote rejected: member {member.name!r} may not vote on itself or its own "
                    f"unit {nominee!r}"
                )
        self.trigger_event(
            self.VoteCast,
            member=member.name,
            yes=list(yes),
            no=list(no),
            at=at,
            document_hash=document_hash,
        )

    def cast_ballot(
        self, member: Actor, *, at: datetime, document_hash: bytes | None = None
    ) -> None:
        """Secret mode: record only that `member` cast a ballot (in writing, when absent: with
        the written document's SHA-256)."""
        self.check_can_take_part("ballot", member, "secret", at)
        self.check_written("ballot", document_hash)
        if self.tally is not None:
            raise TallyError(
                f"ballot rejected: session {self.session_id}'s tally is already certified"
            )
        for nominee in self.nominees:
            if member.is_or_belongs_to(nominee):
                raise ConflictOfInterestError(
                    f"ballot rejected: member {member.name!r} is or heads nominee {nominee!r}; "
                    "a secret ballot cannot show it skipped its own name"
                )
        self.trigger_event(self.BallotCast, member=member.name, at=at, document_hash=document_hash)

    def certify_tally(self, counter: Actor, results: Sequence[TallyLine], *, at: datetime) -> None:
        """Secret mode: the count, once a quorum of ballots is in; yes + no == ballots."""
        subject = f"tally rejected: session {self.session_id}"
        require_aware(at, subject)
        if self.closed_at is not None:
            raise SessionClosedError(f"{subject} is closed")
        if self.mode != "secret":
            raise BallotModeError(f"{subject} is in open mode; votes are counted as cast")
        if self.tally is not None:
            raise TallyError(f"{subject} already has a certified tally by {self.counter}")
        cast, members = len(self.ballots), len(self.members)
        present = cast - len(self.written)
        if not self.quorum.at_least(present, members):
            more = f" ({len(self.written)} more in writing)" if self.written else ""
            raise TallyError(
                f"{subject} has {present} ballots of {members} members{more}, short of the "
                f"quorum {self.quorum}"
            )
        check_tally_fits(subject, self.nominees, cast, results)
        self.trigger_event(self.TallyCertified, counter=counter.name, results=list(results), at=at)

    def close(self, *, at: datetime) -> None:
        """Close the session (the chair); a secret session with a quorum needs its tally."""
        subject = f"session close rejected: session {self.session_id}"
        require_aware(at, subject)
        if self.closed_at is not None:
            raise SessionClosedError(f"{subject} is already closed")
        if at < self.opened_at:
            raise UsageError(f"{subject}: close time {at} is before it opened {self.opened_at}")
        cast = len(self.ballots)
        if (
            self.mode == "secret"
            and self.tally is None
            and self.quorum.at_least(cast - len(self.written), len(self.members))
        ):
            raise OutOfOrderError(f"{subject} has {cast} ballots and no certified tally")
        self.trigger_event(self.Closed, at=at)

    # -- results ---------------------------------------------------------------------------------

    @property
    def closed_on(self) -> date | None:
        """The local date the session closed, or None while open."""
        return None if self.closed_at is None else local_date(self.closed_at)

    def results(self) -> SessionResults:
        """Turnout, quorum and, per nominee, yes / no and whether it passed (rule 3)."""
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

    def result_for(self, nominee: str) -> NomineeResult | None:
        for result in self.results().results:
            if result.nominee == nominee:
                return result
        return None
