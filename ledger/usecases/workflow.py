"""Use cases of a movement's first steps: launch, registration, scores, initiatives, clusters.

Each function takes primitive values (and parsed domain values such as criteria and a
rulebook), the actor's private key and the effective time `at` the signer claims (None: now),
runs ONE atomic write through `LedgerApp.write` and returns its receipt, or a small result
holding it. Review sessions are in `ledger.usecases.review`, decisions in
`ledger.usecases.decisions`, CSV imports in `ledger.usecases.imports`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import Actor, local_date
from domain.base import Aggregate
from domain.cluster import Cluster
from domain.errors import AlreadyExistsError, NotFoundError, UsageError
from domain.hold import SubjectHolds
from domain.initiative import Initiative, recognise_initiative
from domain.movement import Criterion, Movement, movement_spec
from domain.participation import Participation
from domain.register import RecipientRecord
from domain.registry import Person, Signer, Unit
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook
from ledger.application import LedgerApp, WriteReceipt
from ledger.codec import ENCODER
from ledger.usecases.lookup import effective_time, load_movement, participant_kind


@dataclass(frozen=True)
class LaunchResult:
    """A launched movement's receipt and the SHA-256 of its spec (criteria, formula, rules)."""

    receipt: WriteReceipt
    spec_hash: bytes


@dataclass(frozen=True)
class RegistrationResult:
    """A registration's receipt; `late` when it was accepted after its deadline (override)."""

    receipt: WriteReceipt
    late: bool
    deadline: date


def spec_hash_of(criteria: Sequence[Criterion], formula: str, rulebook: Rulebook) -> bytes:
    """SHA-256 of the canonical msgspec JSON of the movement's spec (shown in reports)."""
    return hashlib.sha256(ENCODER.encode(movement_spec(criteria, formula, rulebook))).digest()


def launch_movement(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    movement_id: str,
    name: str,
    *,
    start: date,
    end: date,
    deadline: date | None,
    cluster_deadline: date | None = None,
    criteria: Sequence[Criterion] = (),
    rulebook: Rulebook = DEFAULT_RULEBOOK,
    theme: str = "",
    kind: str = "regular",
    formula: str = "weighted_sum",
    at: datetime | None = None,
) -> LaunchResult:
    """Launch a movement with its criteria, formula, deadlines and rulebook (secretary)."""
    when = effective_time(at)
    spec_hash = spec_hash_of(criteria, formula, rulebook)

    def build(_: Signer) -> list[Aggregate]:
        if app.find(Movement, Movement.id_for(movement_id)) is not None:
            raise AlreadyExistsError(
                f"movement launch rejected: movement {movement_id!r} already exists"
            )
        movement = Movement.launch(
            movement_id,
            name,
            start=start,
            end=end,
            unit_deadline=deadline,
            cluster_deadline=cluster_deadline,
            theme=theme,
            kind=kind,
            criteria=criteria,
            formula=formula,
            rulebook=rulebook,
            spec_hash=spec_hash,
            at=when,
        )
        return [movement]

    return LaunchResult(app.write(key, build, signs=Movement.Launched), spec_hash)


def register(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    movement_id: str,
    participant: str,
    titles: Sequence[str],
    *,
    at: datetime | None = None,
    override_reason: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> RegistrationResult:
    """Register a person, unit or cluster for a movement and the titles it aims at (secretary).

    A registration after its deadline is refused (RuleViolationError, rule "deadline") unless
    `overrides={"deadline": reason}` (or `override_reason`) is given; then it is recorded as
    late with the reason. A participant under a hold standing on the registration day is
    refused likewise (rule "hold"), unless `overrides={"hold": reason}`.
    """
    when = effective_time(at)
    registered: list[Participation] = []

    def build(_: Signer) -> list[Aggregate]:
        subject = "registration rejected"
        movement = load_movement(app, movement_id, subject)
        kind = participant_kind(app, participant, subject)
        if app.find(Participation, Participation.id_for(movement_id, participant)) is not None:
            raise AlreadyExistsError(
                f"{subject}: participant {participant!r} is already registered in movement "
                f"{movement_id}"
            )
        participation = Participation.register(
            movement,
            participant,
            kind,
            titles,
            at=when,
            override_reason=override_reason,
            overrides=overrides,
            holds=app.find(SubjectHolds, SubjectHolds.id_for(participant)),
        )
        registered[:] = [participation]
        return [participation]

    receipt = app.write(key, build, signs=Participation.Registered)
    return RegistrationResult(receipt, registered[0].late, registered[0].deadline)


def load_participation(
    app: LedgerApp, movement_id: str, participant: str, subject: str
) -> Participation:
    """The participant's registration in the movement; NotFoundError (rule 8) if none."""
    participation = app.find(Participation, Participation.id_for(movement_id, participant))
    if participation is None:
        raise NotFoundError(
            f"{subject}: participant {participant!r} is not registered in movement {movement_id}"
        )
    return participation


def score(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    movement_id: str,
    participant: str,
    points: Sequence[tuple[str, float]],
    *,
    self_score: bool = False,
    reason: str | None = None,
    at: datetime | None = None,
) -> WriteReceipt:
    """Score a registered participant on one or more criteria (scorer = the signer).

    `points` is (criterion, points) pairs, one event each; `self_score` records self scores
    (tự chấm), else appraisal scores. A second score on a criterion needs `reason`.
    """
    when = effective_time(at)
    if not points:
        raise UsageError("score rejected: give at least one CRITERION=POINTS")
    criteria = [c for c, _ in points]
    for criterion in criteria:
        if criteria.count(criterion) > 1:
            raise UsageError(f"score rejected: criterion {criterion!r} is given twice")
    kind = "self" if self_score else "appraisal"

    def build(signer: Signer) -> list[Aggregate]:
        subject = "score rejected"
        movement = load_movement(app, movement_id, subject)
        participation = load_participation(app, movement_id, participant, subject)
        scorer = Actor.from_signer(signer)
        for criterion, value in points:
            participation.score(
                movement, criterion, value, kind, scorer=scorer, at=when, reason=reason
            )
        return [participation]

    return app.write(key, build, signs=Participation.Scored)


def recognise(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    initiative_id: str,
    *,
    person: str,
    name: str,
    scope: str,
    year: int | None = None,
    at: datetime | None = None,
) -> WriteReceipt:
    """Recognise a person's initiative (initiative council); noted on the person's record.

    `year` defaults to the year of `at` in Vietnam.
    """
    when = effective_time(at)
    in_year = year if year is not None else local_date(when).year

    def build(_: Signer) -> list[Aggregate]:
        subject = "initiative rejected"
        if app.find(Initiative, Initiative.id_for(initiative_id)) is not None:
            raise AlreadyExistsError(f"{subject}: initiative {initiative_id!r} already exists")
        if app.find(Person, Person.id_for(person)) is None:
            raise NotFoundError(f"{subject}: person {person!r} not found")
        record = app.find(RecipientRecord, RecipientRecord.id_for(person))
        initiative, record = recognise_initiative(
            initiative_id,
            person=person,
            name=name,
            scope=scope,
            year=in_year,
            at=when,
            record=record,
        )
        return [initiative, record]

    return app.write(key, build, signs=Initiative.Recognised)


def form_cluster(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    cluster_id: str,
    name: str,
    *,
    kind: str,
    members: Sequence[str],
    at: datetime | None = None,
) -> WriteReceipt:
    """Form an emulation cluster or block of recorded units (secretary)."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        subject = "cluster form rejected"
        if app.find(Cluster, Cluster.id_for(cluster_id)) is not None:
            raise AlreadyExistsError(f"{subject}: cluster {cluster_id!r} already exists")
        for unit in members:
            if app.find(Unit, Unit.id_for(unit)) is None:
                raise NotFoundError(f"{subject}: unit {unit!r} not found")
        return [Cluster.form(cluster_id, name, kind=kind, members=members, at=when)]

    return app.write(key, build, signs=Cluster.Formed)


def sign_pact(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    cluster_id: str,
    unit: str,
    movement_id: str,
    *,
    at: datetime | None = None,
) -> WriteReceipt:
    """Record that a member unit signed the cluster's emulation pact for a movement."""
    when = effective_time(at)

    def build(_: Signer) -> list[Aggregate]:
        subject = "pact rejected"
        cluster = app.find(Cluster, Cluster.id_for(cluster_id))
        if cluster is None:
            raise NotFoundError(f"{subject}: cluster {cluster_id!r} not found")
        load_movement(app, movement_id, subject)
        cluster.sign_pact(unit, movement=movement_id, at=when)
        return [cluster]

    return app.write(key, build, signs=Cluster.PactSigned)
