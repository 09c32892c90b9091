"""The proposal path (docs/PROPOSALS.md): a unit proposes, each level
above endorses and forwards or returns, national-level lists go to public comment, and the
competent authority decides on the endorsed chain.

Two aggregates:

- `Proposal` (id from the proposal id): who proposed what award for whom, and where the file
  is now. Its *holder* is a unit id (the unit's secretary or authority appraises it) or
  ``authority:NAME`` (that authority signer). Events: Proposed (the proposing unit's
  secretary, sending it to its first level), Endorsed (the holder forwards it to the next
  level), Returned (the holder sends it back with reasons), Resubmitted (the proposing unit
  sends it again), CommentOpened (the list is published for public comment for N working
  days), ObjectionNoted (an objection was raised: the index a decision reads), Decided (the
  authority holding it decided, `decide --proposal`).
- `Objection` (id ``<proposal>-O<n>``, n from 1 in order): one objection raised in the public
  comment about one nominee, its content by SHA-256 (the file is a dossier document of kind
  ``objection``), and its signed resolution (upheld or dismissed).

Rules: `hold` at propose, endorse and resubmit (domain/hold.py's `hold_violations` on the
event's local date), `dossier` at propose and resubmit (domain/dossier.py, on the kinds of the
proposal's documents), both overridable, the overrides signed into the event; `public_comment`
(`comment_violations`) when deciding. What is not a rule but the path itself (wrong level,
returned or pending chain, award or nominees that differ) is refused outright.
Every event carries the effective time ``at`` and its actor field ``by`` (= the signer,
domain/bindings.py). The clocks of each step are `domain/proposal_clock.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import Actor, local_date, require_aware, require_text, require_unique
from domain.base import Aggregate, aggregate_id
from domain.document import check_sha256
from domain.dossier import dossier_violations
from domain.errors import (
    AlreadyExistsError,
    NotCompetentError,
    NotFoundError,
    OutOfOrderError,
    UsageError,
)
from domain.hold import SubjectHolds, hold_violations
from domain.ids import check_id, check_signer_name
from domain.overrides import Override, acknowledge
from domain.register import Recipient
from domain.violation import Violation
from domain.workdays import add_working_days

PUBLIC_COMMENT = "public_comment"
AUTHORITY_PREFIX = "authority:"
OUTCOMES = ("upheld", "dismissed")
CHANNELS = ("letter", "email", "phone", "in_person", "website", "press", "hotline", "other")
MAX_COMMENT_DAYS = 60
# Status of a proposal: where the file is in its path.
PENDING, RETURNED, DECIDED = "pending", "returned", "decided"
_SECRETARY = frozenset({"secretary"})
_APPRAISERS = frozenset({"secretary", "authority"})
_AUTHORITY = frozenset({"authority"})


def authority_holder(name: str) -> str:
    """The holder string of an authority signer: ``authority:NAME``."""
    return f"{AUTHORITY_PREFIX}{name}"


def holder_authority(holder: str) -> str | None:
    """The authority signer's name if `holder` is ``authority:NAME``, else None (a unit)."""
    return holder[len(AUTHORITY_PREFIX) :] if holder.startswith(AUTHORITY_PREFIX) else None


class Step(msgspec.Struct, kw_only=True):
    """One level's hold of the file (state, not signed): received, then acted on or pending.

    `action` is ``endorsed``, ``returned``, ``resubmitted`` (the proposing unit after a
    return), ``decided`` or, on the step after the decision (`forwarding`), ``forwarded``;
    None while the level still holds it."""

    holder: str
    received: datetime
    acted: datetime | None = None
    action: str | None = None
    by: str | None = None
    forwarding: bool = False  # after the decision: forwarding it to the proposing unit


class CommentPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """A public comment period: opened at `opened`, for `days` working days ending `ends`."""

    opened: datetime
    days: int
    ends: date


class Proposal(Aggregate):
    """One proposal (tờ trình đề nghị khen thưởng) on its way up to the deciding authority."""

    class Proposed(Aggregate.Created, frozen=True, kw_only=True):
        """A unit's secretary proposed an award for nominees, sending it to its first level."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        proposal_id: str
        movement: str
        award: str
        nominees: list[str]
        unit: str
        by: str
        to: str
        basis: str | None
        documents: list[str]
        overrides: list[Override]
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.proposal_id, agg.movement, agg.award = self.proposal_id, self.movement, self.award
            agg.nominees, agg.unit, agg.proposer = list(self.nominees), self.unit, self.by
            agg.basis, agg.documents = self.basis, list(self.documents)
            agg.proposed_at, agg.status, agg.holder = self.at, PENDING, self.to
            agg.steps = [Step(holder=self.to, received=self.at)]
            agg.comment, agg.objections, agg.decision = None, [], None
            agg.returns = 0

    class Endorsed(Aggregate.Event, frozen=True, kw_only=True):
        """The level holding the file endorsed it and forwarded it to the next level `to`."""

        required_roles: ClassVar[frozenset[str]] = _APPRAISERS
        by: str
        holder: str
        to: str
        overrides: list[Override]
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.close_step("endorsed", self.by, self.at)
            agg.holder = self.to
            agg.steps.append(Step(holder=self.to, received=self.at))

    class Returned(Aggregate.Event, frozen=True, kw_only=True):
        """The level holding the file returned it to the proposing unit, with reasons."""

        required_roles: ClassVar[frozenset[str]] = _APPRAISERS
        by: str
        holder: str
        reason: str
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.close_step("returned", self.by, self.at)
            agg.status, agg.holder = RETURNED, agg.unit
            agg.returns += 1
            agg.steps.append(Step(holder=agg.unit, received=self.at))

    class Resubmitted(Aggregate.Event, frozen=True, kw_only=True):
        """The proposing unit sent the returned file again (with more documents) to `to`."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        by: str
        to: str
        documents: list[str]
        overrides: list[Override]
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.close_step("resubmitted", self.by, self.at)
            agg.documents += [d for d in self.documents if d not in agg.documents]
            agg.status, agg.holder = PENDING, self.to
            agg.steps.append(Step(holder=self.to, received=self.at))

    class CommentOpened(Aggregate.Event, frozen=True, kw_only=True):
        """The list of nominees was published for public comment for `days` working days."""

        required_roles: ClassVar[frozenset[str]] = _APPRAISERS
        by: str
        days: int
        ends: date
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.comment = CommentPeriod(opened=self.at, days=self.days, ends=self.ends)

    class ObjectionNoted(Aggregate.Event, frozen=True, kw_only=True):
        """An objection about a nominee was raised (its own `Objection` holds it)."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        objection_id: str
        about: str
        by: str
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.objections.append(self.objection_id)

    class Decided(Aggregate.Event, frozen=True, kw_only=True):
        """The authority holding the file decided on it (decision `decision`)."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        decision: str
        by: str
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.close_step("decided", self.by, self.at)
            agg.status, agg.decision = DECIDED, self.decision
            agg.steps.append(Step(holder=agg.holder, received=self.at, forwarding=True))

    class Forwarded(Aggregate.Event, frozen=True, kw_only=True):
        """The deciding authority forwarded its decision to the proposing unit."""

        required_roles: ClassVar[frozenset[str]] = _AUTHORITY
        by: str
        at: datetime

        def apply(self, agg: Proposal) -> None:
            agg.close_step("forwarded", self.by, self.at)

    proposal_id: str
    movement: str
    award: str
    nominees: list[str]
    unit: str
    proposer: str
    basis: str | None
    documents: list[str]
    proposed_at: datetime
    status: str
    holder: str
    steps: list[Step]
    comment: CommentPeriod | None
    objections: list[str]
    decision: str | None
    returns: int

    @staticmethod
    def id_for(proposal_id: str) -> UUID:
        return aggregate_id("proposal", proposal_id)

    def close_step(self, action: str, by: str, at: datetime) -> None:
        """Mark the open step acted on (called by `apply` only)."""
        step = self.steps[-1]
        step.acted, step.action, step.by = at, action, by

    @property
    def chain(self) -> list[str]:
        """Every level the file reached, in order, without repeats (the proposing unit first)."""
        seen = [self.unit]
        for step in self.steps:
            if step.holder not in seen:
                seen.append(step.holder)
        return seen

    def next_objection_id(self) -> str:
        return f"{self.proposal_id}-O{len(self.objections) + 1}"

    # -- commands ---------------------------------------------------------------------------

    def _what(self, verb: str) -> str:
        return f"{verb} of proposal {self.proposal_id} rejected"

    def _require_holder(self, actor: Actor, what: str) -> None:
        """`actor` is the level holding the file: a secretary or authority of the holding unit,
        or the holding authority itself."""
        named = holder_authority(self.holder)
        if named is not None:
            if actor.name != named:
                raise NotCompetentError(
                    f"{what}: the file is with authority {named!r}, not with {actor.name!r}"
                )
            return
        if actor.unit != self.holder or not actor.roles & _APPRAISERS:
            raise NotCompetentError(
                f"{what}: the file is with unit {self.holder!r}; only its secretary or "
                f"authority may act on it, not {actor.name!r}"
                + (f" (of unit {actor.unit!r})" if actor.unit else " (of no unit)")
            )

    def _require_status(self, want: str, what: str, *, forwarding: bool = False) -> None:
        if self.status == want:
            return
        now = {
            PENDING: f"it is pending with {self.holder!r}",
            RETURNED: f"it was returned to {self.unit!r} and not resubmitted",
            DECIDED: f"it was decided by decision {self.decision!r}",
        }[self.status]
        if forwarding:
            now += "; only a decision is forwarded"
        raise OutOfOrderError(f"{what}: {now}")

    def endorse(
        self,
        actor: Actor,
        target: Level,
        *,
        at: datetime,
        holds: Mapping[str, SubjectHolds],
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        """Endorse and forward the file to `target` (the level holding it)."""
        what = self._what("endorsement")
        require_aware(at, what)
        self._require_status(PENDING, what)
        self._require_holder(actor, what)
        self._require_after(at, what)
        self._check_target(target, what)
        acknowledged = _acknowledge(what, self.nominees, holds, at, overrides)
        self.trigger_event(
            self.Endorsed,
            by=actor.name,
            holder=self.holder,
            to=target.holder,
            overrides=acknowledged,
            at=at,
        )

    def return_to_unit(self, actor: Actor, reason: str, *, at: datetime) -> None:
        """Return the file to the proposing unit with `reason` (the level holding it)."""
        what = self._what("return")
        require_aware(at, what)
        reason = require_text(reason, f"{what}: reason")
        self._require_status(PENDING, what)
        self._require_holder(actor, what)
        self._require_after(at, what)
        self.trigger_event(self.Returned, by=actor.name, holder=self.holder, reason=reason, at=at)

    def resubmit(
        self,
        actor: Actor,
        target: Level | None,
        *,
        documents: Sequence[str],
        at: datetime,
        holds: Mapping[str, SubjectHolds],
        overrides: Mapping[str, str] | None = None,
        dossier: Collection[str] | None = None,
    ) -> None:
        """Send the returned file again: to `target`, or (None) to the level that returned it.
        `dossier`: the kinds of all its documents then, for rule `dossier` (None: unchecked)."""
        what = self._what("resubmission")
        require_aware(at, what)
        self._require_status(RETURNED, what)
        if "secretary" not in actor.roles or actor.unit != self.unit:
            raise NotCompetentError(
                f"{what}: only a secretary of the proposing unit {self.unit!r} may resubmit it, "
                f"not {actor.name!r}"
            )
        self._require_after(at, what)
        returned_by = self.steps[-2].holder  # the step before the proposing unit's
        holder = returned_by if target is None else target.holder
        if target is not None:
            self._check_target(target, what, returning=True)
        documents = _documents(documents, what)
        missing = (
            dossier_of(self.proposal_id, self.award, at, dossier) if dossier is not None else None
        )
        acknowledged = _acknowledge(what, self.nominees, holds, at, overrides, missing)
        self.trigger_event(
            self.Resubmitted,
            by=actor.name,
            to=holder,
            documents=documents,
            overrides=acknowledged,
            at=at,
        )

    def open_comment(self, actor: Actor, days: int, *, at: datetime) -> None:
        """Publish the nominees for public comment for `days` working days (the holder)."""
        what = self._what("public comment")
        require_aware(at, what)
        if self.comment is not None:
            raise AlreadyExistsError(
                f"{what}: a comment period was opened on "
                f"{local_date(self.comment.opened).isoformat()} (ends "
                f"{self.comment.ends.isoformat()})"
            )
        self._require_status(PENDING, what)
        self._require_holder(actor, what)
        self._require_after(at, what)
        if not 1 <= days <= MAX_COMMENT_DAYS:
            raise UsageError(f"{what}: --days {days} is not 1 to {MAX_COMMENT_DAYS} working days")
        ends = add_working_days(local_date(at), days)
        self.trigger_event(self.CommentOpened, by=actor.name, days=days, ends=ends, at=at)

    def note_objection(self, objection: Objection) -> None:
        """Add a new objection to the proposal's index (see `raise_objection`)."""
        self.trigger_event(
            self.ObjectionNoted,
            objection_id=objection.objection_id,
            about=objection.about,
            by=objection.raised_by,
            at=objection.raised_at,
        )

    def decided(self, number: str, actor: Actor, *, at: datetime) -> None:
        """Close the path with decision `number` (checked by `check_decision` first)."""
        self.trigger_event(self.Decided, decision=number, by=actor.name, at=at)

    def forward(self, actor: Actor, *, at: datetime) -> None:
        """Record that the deciding authority sent its decision to the proposing unit."""
        what = self._what("forwarding")
        require_aware(at, what)
        self._require_status(DECIDED, what, forwarding=True)
        if not self.steps[-1].forwarding or self.steps[-1].acted is not None:
            raise AlreadyExistsError(f"{what}: the decision was already forwarded")
        self._require_holder(actor, what)
        self._require_after(at, what)
        self.trigger_event(self.Forwarded, by=actor.name, at=at)

    def _require_after(self, at: datetime, what: str) -> None:
        if at < self.steps[-1].received:
            raise OutOfOrderError(
                f"{what}: {at.isoformat()} is before the file reached {self.holder!r} "
                f"({self.steps[-1].received.isoformat()})"
            )

    def _check_target(self, target: Level, what: str, *, returning: bool = False) -> None:
        """The next level: not the proposing unit, not the level sending it, not one the file
        already passed (no loops), not below the sender in the unit tree, and an authority
        competent for the award."""
        here = self.holder
        if target.holder in (self.unit, here) or (not returning and target.holder in self.chain):
            raise UsageError(
                f"{what}: --to {target.holder} is a level the file has already been at"
            )
        sender = self.unit if returning else here
        if sender in target.ancestors:
            raise UsageError(f"{what}: --to {target.holder} is below {sender!r}")
        if target.authority is not None and not target.competent_for(self.award):
            raise NotCompetentError(
                f"{what}: authority {target.authority!r} may not decide {self.award} "
                "(not in its competence)"
            )


@dataclass(frozen=True)
class Level:
    """A level a file may be sent to (`--to`), as the application found it: a unit or an
    authority signer (with its competence). `ancestors`: the units above it in the unit tree,
    nearest first (an authority's: those above its own unit), so a file is never sent down."""

    holder: str
    ancestors: tuple[str, ...] = ()
    authority: str | None = None
    competence: frozenset[str] = frozenset()

    def competent_for(self, award: str) -> bool:
        return award in self.competence


def parse_level(text: str) -> str:
    """The holder named by a `--to` text: a unit id or ``authority:NAME`` (checked)."""
    name = holder_authority(text)
    if name is not None:
        check_signer_name(name)
        return text
    return check_id("unit", text)


class Objection(Aggregate):
    """One objection raised in a public comment, about one nominee of one proposal."""

    class Raised(Aggregate.Created, frozen=True, kw_only=True):
        """An objection about nominee `about` came in through `channel`; its content by hash."""

        required_roles: ClassVar[frozenset[str]] = _SECRETARY
        objection_id: str
        proposal: str
        about: str
        channel: str
        sha256: str
        by: str
        at: datetime

        def apply(self, agg: Objection) -> None:
            agg.objection_id, agg.proposal, agg.about = self.objection_id, self.proposal, self.about
            agg.channel, agg.sha256, agg.raised_by = self.channel, self.sha256, self.by
            agg.raised_at = self.at
            agg.outcome, agg.reason, agg.resolved_by, agg.resolved_at = None, None, None, None

    class Resolved(Aggregate.Event, frozen=True, kw_only=True):
        """The objection was resolved: upheld or dismissed, with reasons."""

        required_roles: ClassVar[frozenset[str]] = _APPRAISERS
        outcome: str
        reason: str
        by: str
        at: datetime

        def apply(self, agg: Objection) -> None:
            agg.outcome, agg.reason, agg.resolved_by = self.outcome, self.reason, self.by
            agg.resolved_at = self.at

    objection_id: str
    proposal: str
    about: str
    channel: str
    sha256: str
    raised_by: str
    raised_at: datetime
    outcome: str | None
    reason: str | None
    resolved_by: str | None
    resolved_at: datetime | None

    @staticmethod
    def id_for(objection_id: str) -> UUID:
        return aggregate_id("objection", objection_id)

    def resolve(self, actor: Actor, outcome: str, reason: str, *, at: datetime) -> None:
        what = f"resolution of objection {self.objection_id} rejected"
        require_aware(at, what)
        if outcome not in OUTCOMES:
            raise UsageError(f"{what}: --outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        reason = require_text(reason, f"{what}: reason")
        if self.outcome is not None:
            raise AlreadyExistsError(f"{what}: it was already {self.outcome}")
        if at < self.raised_at:
            raise OutOfOrderError(f"{what}: {at.isoformat()} is before it was raised")
        self.trigger_event(self.Resolved, outcome=outcome, reason=reason, by=actor.name, at=at)


def _documents(documents: Sequence[str], what: str) -> list[str]:
    for sha in documents:
        check_sha256(sha)
    return require_unique(list(documents), f"{what}: document")


def _acknowledge(
    what: str,
    nominees: Sequence[str],
    holds: Mapping[str, SubjectHolds],
    at: datetime,
    overrides: Mapping[str, str] | None,
    dossier: list[Violation] | None = None,
) -> list[Override]:
    """Rule `hold` on the nominees on the local date of `at`, and the `dossier` violations
    found (if checked): the overrides to sign, or RuleViolationError naming every rule."""
    given = {
        rule: require_text(reason, f"override of rule {rule}")
        for rule, reason in (overrides or {}).items()
    }
    people = [Recipient(n, "person", n) for n in nominees]  # the rule reads ids only
    violations = hold_violations(people, holds, local_date(at)) + (dossier or [])
    acknowledged = acknowledge(what.removesuffix(" rejected"), violations, given, None)
    return [Override(rule, acknowledged[rule]) for rule in sorted(acknowledged)]


def dossier_of(
    proposal_id: str, award: str, at: datetime, kinds: Collection[str]
) -> list[Violation]:
    """Rule `dossier` on a proposal's documents (`kinds`: those named by --document and those
    recorded for the proposal id), by the regime in force on the local date of `at`."""
    return dossier_violations(award, local_date(at), kinds, proposal_id)


def propose(
    proposal_id: str,
    *,
    movement: str,
    award: str,
    nominees: Sequence[Recipient],
    proposer: Actor,
    target: Level,
    basis: str | None,
    documents: Sequence[str],
    at: datetime,
    holds: Mapping[str, SubjectHolds],
    overrides: Mapping[str, str] | None = None,
    dossier: Collection[str] | None = None,
) -> Proposal:
    """A new proposal by a secretary of the nominees' proposing unit, sent to `target`.
    `dossier`: the kinds of its documents, for rule `dossier` (None: not checked)."""
    check_id("proposal", proposal_id)
    what = f"proposal {proposal_id} rejected"
    require_aware(at, what)
    if "secretary" not in proposer.roles or proposer.unit is None:
        raise NotCompetentError(
            f"{what}: only a unit's secretary may propose; {proposer.name!r} "
            + ("has no unit" if proposer.unit is None else "is not a secretary")
        )
    if not nominees:
        raise UsageError(f"{what}: give at least one --nominee")
    ids = require_unique([n.id for n in nominees], f"{what}: nominee")
    if basis is not None:
        check_id("session", basis)
    docs = _documents(documents, what)
    if target.holder == proposer.unit:
        raise UsageError(f"{what}: --to {target.holder} is the proposing unit itself")
    if proposer.unit in target.ancestors:
        raise UsageError(f"{what}: --to {target.holder} is below {proposer.unit!r}")
    if target.authority is not None and not target.competent_for(award):
        raise NotCompetentError(
            f"{what}: authority {target.authority!r} may not decide {award} (not in its competence)"
        )
    missing = dossier_of(proposal_id, award, at, dossier) if dossier is not None else None
    acknowledged = _acknowledge(what, ids, holds, at, overrides, missing)
    return Proposal._create(
        Proposal.Proposed,
        id=Proposal.id_for(proposal_id),
        proposal_id=proposal_id,
        movement=movement,
        award=award,
        nominees=ids,
        unit=proposer.unit,
        by=proposer.name,
        to=target.holder,
        basis=basis,
        documents=docs,
        overrides=acknowledged,
        at=at,
    )


def raise_objection(
    proposal: Proposal,
    *,
    about: str,
    channel: str,
    sha256: str,
    actor: Actor,
    at: datetime,
) -> Objection:
    """A new objection about nominee `about` of `proposal`, noted in the proposal's index."""
    what = f"objection to proposal {proposal.proposal_id} rejected"
    require_aware(at, what)
    check_sha256(sha256)
    if proposal.status == DECIDED:
        raise OutOfOrderError(f"{what}: it was decided by decision {proposal.decision!r}")
    if about not in proposal.nominees and about != proposal.unit:
        raise NotFoundError(f"{what}: {about!r} is not a nominee ({', '.join(proposal.nominees)})")
    if channel not in CHANNELS:
        raise UsageError(f"{what}: --channel {channel!r} is not one of {', '.join(CHANNELS)}")
    if at < proposal.proposed_at:
        raise OutOfOrderError(f"{what}: {at.isoformat()} is before the proposal was made")
    objection_id = proposal.next_objection_id()
    objection = Objection._create(
        Objection.Raised,
        id=Objection.id_for(objection_id),
        objection_id=objection_id,
        proposal=proposal.proposal_id,
        about=about,
        channel=channel,
        sha256=sha256,
        by=actor.name,
        at=at,
    )
    proposal.note_objection(objection)
    return objection


def check_decision(
    proposal: Proposal,
    *,
    authority: Actor,
    movement: str,
    award: str,
    recipients: Sequence[str],
    decided_on: date | None = None,
) -> None:
    """The path's own conditions for `decide --proposal` (not overridable): the file is
    pending with this authority (since before `decided_on`), and the decision is the
    proposal's award, movement and (some of) its nominees."""
    what = f"decision on proposal {proposal.proposal_id} rejected"
    proposal._require_status(PENDING, what)
    if proposal.holder != authority_holder(authority.name):
        raise NotCompetentError(
            f"{what}: the endorsed chain has not reached authority {authority.name!r}; "
            f"the file is with {proposal.holder!r}"
        )
    reached = local_date(proposal.steps[-1].received)
    if decided_on is not None and decided_on < reached:
        raise OutOfOrderError(
            f"{what}: dated {decided_on.isoformat()}, before the file reached "
            f"{authority.name!r} on {reached.isoformat()}"
        )
    if award != proposal.award or movement != proposal.movement:
        raise UsageError(
            f"{what}: it proposes {proposal.award} in movement {proposal.movement!r}, "
            f"not {award} in {movement!r}"
        )
    extra = [r for r in recipients if r not in proposal.nominees]
    if extra:
        raise UsageError(f"{what}: {', '.join(extra)} not among its nominees")


def comment_violations(
    proposal: Proposal,
    objections: Sequence[Objection],
    *,
    recipients: Sequence[str],
    decided_on: date,
    needs_comment: bool,
) -> list[Violation]:
    """Rule ``public_comment``: the list was published and its period has ended (required for
    the kinds the catalogue marks, and whenever a period was opened), every objection is
    resolved, and no upheld objection is about a recipient."""
    found: list[Violation] = []
    pid = proposal.proposal_id

    def add(subject: str, message: str) -> None:
        found.append(Violation(rule=PUBLIC_COMMENT, subject=subject, message=message))

    period = proposal.comment
    if period is None and needs_comment:
        add(pid, f"proposal {pid} ({proposal.award}) was not put to public comment")
    elif period is not None and decided_on <= period.ends:
        add(pid, f"the public comment on proposal {pid} runs until {period.ends.isoformat()}")
    for objection in objections:
        if objection.outcome is None:
            add(
                objection.about,
                f"objection {objection.objection_id} about {objection.about} is not resolved",
            )
        elif objection.outcome == "upheld" and objection.about in recipients:
            add(
                objection.about,
                f"objection {objection.objection_id} about {objection.about} was upheld",
            )
    return found
