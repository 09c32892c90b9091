"""Participation in a movement: the registration (đăng ký thi đua) and the scores (chấm điểm).

One `Participation` aggregate per (movement, participant); the participant is a person, a
unit, or a cluster/block. Registration checks the deadline (rule 4): persons and units use the
movement's unit deadline, clusters and blocks the cluster deadline. Scores keep `self` and
`appraisal` apart; a second score for the same criterion and kind is a correction and needs a
reason; the old score stays in the history. Nobody appraises themselves or their own unit
(rule 6; colleagues in the same unit are not a conflict: a unit's council is its colleagues).

How the application uses this::

    pid = Participation.id_for(movement_id, participant)   # exists already -> AlreadyExistsError
    p = Participation.register(movement, participant, "person", ["advanced_worker"], at=at,
                               override_reason=reason,      # RuleViolationError("deadline")
                               holds=subject_holds_or_None) # RuleViolationError("hold")
    p = app.repository.get(pid)                            # missing -> NotFoundError (rule 8)
    p.score(movement, "c1", 8.5, "appraisal", scorer=Actor.from_signer(signer, person), at=at)
    app.save(p)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.actor import (
    Actor,
    local_date,
    optional_text,
    require_aware,
    require_text,
    require_unique,
)
from domain.base import Aggregate, aggregate_id
from domain.errors import (
    ConflictOfInterestError,
    ScoreOutOfRangeError,
    UnsuitableAwardError,
    UsageError,
)
from domain.hold import SubjectHolds, subject_hold_violations
from domain.ids import check_id
from domain.movement import Movement, formula_total
from domain.overrides import Override, acknowledge
from domain.violation import Violation

PARTICIPANT_KINDS = ("person", "unit", "cluster")
SCORE_KINDS = ("self", "appraisal")
REGISTRATION_RULES = ("deadline", "hold")  # the rules a registration can break


class ScoreEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One score in a participation's history (state, not an event)."""

    criterion: str
    points: float
    kind: str
    scorer: str
    reason: str | None
    at: datetime
    correction: bool


class Participation(Aggregate):
    """One participant's registration in one movement, and every score it received."""

    class Registered(Aggregate.Created, frozen=True, kw_only=True):
        """A participant registered for a movement and the titles it aims at."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"secretary"})
        movement: str
        participant: str
        participant_kind: str
        titles: list[str]
        at: datetime
        deadline: date
        late: bool = False
        override_reason: str | None = None
        # rules other than the deadline acknowledged at registration (`hold`), each its reason
        overrides: list[Override] = msgspec.field(default_factory=list)
        later_fields: ClassVar[tuple[str, ...]] = ("overrides",)

        def apply(self, agg: Participation) -> None:
            agg.movement = self.movement
            agg.participant = self.participant
            agg.participant_kind = self.participant_kind
            agg.titles = list(self.titles)
            agg.registered_at = self.at
            agg.deadline = self.deadline
            agg.late = self.late
            agg.override_reason = self.override_reason
            agg.overrides = list(self.overrides)
            agg.scores = []

    class Scored(Aggregate.Event, frozen=True, kw_only=True):
        """A scorer gave points on one criterion (kind self or appraisal)."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"scorer"})
        criterion: str
        points: float
        kind: str
        scorer: str
        reason: str | None
        at: datetime
        correction: bool = False

        def apply(self, agg: Participation) -> None:
            agg.scores.append(
                ScoreEntry(
                    criterion=self.criterion,
                    points=self.points,
                    kind=self.kind,
                    scorer=self.scorer,
                    reason=self.reason,
                    at=self.at,
                    correction=self.correction,
                )
            )

    movement: str
    participant: str
    participant_kind: str
    titles: list[str]
    registered_at: datetime
    deadline: date
    late: bool
    override_reason: str | None
    overrides: list[Override]
    scores: list[ScoreEntry]

    @staticmethod
    def id_for(movement_id: str, participant: str) -> UUID:
        return aggregate_id("participation", f"{movement_id}|{participant}")

    @classmethod
    def register(
        cls,
        movement: Movement,
        participant: str,
        participant_kind: str,
        titles: Sequence[str],
        *,
        at: datetime,
        override_reason: str | None = None,
        overrides: Mapping[str, str] | None = None,
        holds: SubjectHolds | None = None,
    ) -> Participation:
        """Register; late without an override raises RuleViolationError("deadline"), and a
        participant under a hold standing on the registration day (`holds`, its index) raises
        RuleViolationError("hold"), naming both when both are broken.

        Each broken rule is acknowledged by its own override (`overrides={rule: reason}`; the
        lone `override_reason` stands for one broken rule). The deadline's reason is the event's
        `override_reason` (as before holds existed); the hold's is in `overrides`; each is
        recorded only when its rule was broken.
        """
        check_id("participant", participant)
        subject = "registration"
        require_aware(at, f"registration of {participant!r}")
        override_reason = optional_text(override_reason, "override reason")
        given = {
            rule: require_text(reason, f"override of rule {rule}")
            for rule, reason in sorted((overrides or {}).items())
        }
        for rule in given:
            if rule not in REGISTRATION_RULES:
                raise UsageError(
                    f"registration rejected: --override {rule} names a rule a registration "
                    f"does not break (only {' or '.join(REGISTRATION_RULES)})"
                )
        if given and override_reason is not None:
            raise UsageError(
                "registration rejected: give --override RULE=REASON or --override-reason, not both"
            )
        if participant_kind not in PARTICIPANT_KINDS:
            raise UsageError(
                f"registration rejected: participant kind {participant_kind!r} is not one of "
                f"{', '.join(PARTICIPANT_KINDS)}"
            )
        if not titles and participant_kind != "cluster":
            raise UsageError(f"registration rejected: participant {participant!r} names no title")
        for title in require_unique(titles, "registration rejected: title"):
            if movement.rulebook.award_category(title) is None:
                raise UsageError(f"registration rejected: unknown award kind {title!r}")
            if not movement.rulebook.suits(title, participant_kind):
                raise UnsuitableAwardError(
                    f"registration rejected: {title} does not suit {participant_kind} "
                    f"{participant!r}"
                )
        deadline = movement.deadline_for(participant_kind)
        registered_on = local_date(at)
        late = registered_on > deadline
        violations = []
        if late:
            message = (
                f"participant {participant!r} registered {registered_on} after the deadline "
                f"{deadline}"
            )
            violations.append(Violation("deadline", participant, message))
        index = {participant: holds} if holds is not None else {}
        violations += subject_hold_violations([participant], index, registered_on)
        if not violations and (given or override_reason is not None):
            # as before holds: an override of an on-time registration is not recorded
            given, override_reason = {}, None
        if set(given) - {v.rule for v in violations}:
            idle = sorted(set(given) - {v.rule for v in violations})[0]
            raise UsageError(
                f"registration rejected: --override {idle} names a rule this registration "
                "does not break"
            )
        acknowledged = acknowledge(subject, violations, given, override_reason)
        return cls._create(
            cls.Registered,
            id=cls.id_for(movement.movement_id, participant),
            movement=movement.movement_id,
            participant=participant,
            participant_kind=participant_kind,
            titles=list(titles),
            at=at,
            deadline=deadline,
            late=late,
            override_reason=acknowledged.get("deadline"),
            overrides=[
                Override(r, acknowledged[r]) for r in sorted(acknowledged) if r != "deadline"
            ],
        )

    def score(
        self,
        movement: Movement,
        criterion: str,
        points: float,
        kind: str,
        *,
        scorer: Actor,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        """Record a score; a correction (same criterion and kind again) needs a reason."""
        subject = f"score rejected: participant {self.participant!r}"
        if movement.movement_id != self.movement:
            raise UsageError(
                f"{subject}: registered in {self.movement}, not {movement.movement_id}"
            )
        require_aware(at, subject)
        reason = optional_text(reason, "score reason")
        if kind not in SCORE_KINDS:
            raise UsageError(f"{subject}: kind {kind!r} is not one of {', '.join(SCORE_KINDS)}")
        spec = movement.criterion(criterion)
        if not math.isfinite(points) or not 0 <= points <= spec.max_points:
            raise ScoreOutOfRangeError(
                f"{subject}: points {points:g} for criterion {criterion!r} outside "
                f"0..{spec.max_points:g}"
            )
        if kind == "appraisal" and scorer.is_or_belongs_to(self.participant):
            raise ConflictOfInterestError(
                f"{subject}: scorer {scorer.name!r} may not appraise itself or its own unit"
            )
        correction = any(s.criterion == criterion and s.kind == kind for s in self.scores)
        if correction and reason is None:
            raise UsageError(
                f"{subject}: criterion {criterion!r} already has a {kind} score; "
                "a correction needs a reason"
            )
        self.trigger_event(
            self.Scored,
            criterion=criterion,
            points=float(points),
            kind=kind,
            scorer=scorer.name,
            reason=reason,
            at=at,
            correction=correction,
        )

    def latest_points(self, kind: str = "appraisal") -> dict[str, float]:
        """The latest score of `kind` per criterion (corrections replace earlier scores)."""
        return {s.criterion: s.points for s in self.scores if s.kind == kind}

    @property
    def only_self_scored(self) -> bool:
        """True when it has scores and every one of them is a self score (rule 6)."""
        return bool(self.scores) and all(s.kind == "self" for s in self.scores)

    def total(self, movement: Movement) -> float:
        """The movement's formula over this participation's scores (see `domain.movement`)."""
        return formula_total(movement.formula, movement.criteria, self.latest_points("appraisal"))
