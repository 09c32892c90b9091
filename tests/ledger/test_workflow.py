"""Scenarios of the workflow use cases on both backends: each success, and each refusal with its
error type, its message, and the ledger unchanged (row count and tree root)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.cluster import Cluster
from domain.errors import (
    AlreadyExistsError,
    ConflictOfInterestError,
    NotFoundError,
    RuleViolationError,
    ScoreOutOfRangeError,
    SignerNotAllowedError,
    UnknownCriterionError,
    UnsuitableAwardError,
    UsageError,
)
from domain.initiative import Initiative
from domain.movement import Movement, movement_spec
from domain.participation import Participation
from domain.register import RecipientRecord
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook
from ledger.application import LedgerApp
from ledger.codec import ENCODER
from ledger.usecases import workflow
from tests.conftest import Keys, RawRows
from tests.world import BACKENDS, CRITERIA, MOVEMENT, World, at, build_world, refused, shared_world


def prepare_refusals(w: World) -> None:
    """What the refusal cases refer to: initiative SK-0, cluster CL with U1's pact."""
    workflow.recognise(w.app, w.key("ic"), "SK-0", person="P2", name="Cũ", scope="base", year=2019)
    workflow.form_cluster(w.app, w.key("sec"), "CL", "Cụm", kind="cluster", members=["U1"])
    workflow.sign_pact(w.app, w.key("sec"), "CL", "U1", MOVEMENT)


@pytest.fixture(scope="module", params=BACKENDS)
def frozen(
    request: pytest.FixtureRequest, session_keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per backend for the refusal cases (they record nothing)."""
    with shared_world(request.param, session_keys, tmp_path_factory, prepare_refusals) as w:
        yield w


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def participation(world: World, participant: str) -> Participation:
    return world.app.load(Participation, Participation.id_for(MOVEMENT, participant), participant)


# -- movement launch -------------------------------------------------------------------------


def test_launch_records_the_movement_with_its_spec_hash(world: World, raw: RawRows) -> None:
    result = workflow.launch_movement(
        world.app,
        world.key("sec"),
        "TD-2020",
        "Thi đua 2020",
        start=date(2020, 1, 1),
        end=date(2020, 12, 31),
        deadline=date(2020, 2, 18),
        cluster_deadline=date(2020, 2, 28),
        criteria=CRITERIA,
        theme="Chủ đề",
        kind="thematic",
        at=at("2020-01-02"),
    )
    expected = hashlib.sha256(
        ENCODER.encode(movement_spec(CRITERIA, "weighted_sum", DEFAULT_RULEBOOK))
    )
    assert result.spec_hash == expected.digest()
    movement = world.app.load(Movement, Movement.id_for("TD-2020"), "movement")
    assert (movement.spec_hash, movement.kind, movement.theme) == (
        result.spec_hash,
        "thematic",
        "Chủ đề",
    )
    assert (movement.unit_deadline, movement.cluster_deadline) == (
        date(2020, 2, 18),
        date(2020, 2, 28),
    )
    assert result.receipt.seqs == [raw.count() - 1]
    assert result.receipt.root == raw.root()


def test_launch_takes_deadlines_from_the_rulebook(world: World) -> None:
    rules = Rulebook(unit_deadline=date(2020, 3, 15), cluster_deadline=date(2020, 3, 25))
    workflow.launch_movement(
        world.app,
        world.key("sec"),
        "TD-2020",
        "Thi đua 2020",
        start=date(2020, 1, 1),
        end=date(2020, 6, 30),
        deadline=None,
        rulebook=rules,
        at=at("2020-01-02"),
    )
    movement = world.app.load(Movement, Movement.id_for("TD-2020"), "movement")
    assert (movement.unit_deadline, movement.cluster_deadline) == (
        date(2020, 3, 15),
        date(2020, 3, 25),
    )


@pytest.mark.parametrize(
    ("signer", "movement_id", "end", "error", "match"),
    [
        ("sec", MOVEMENT, "2019-12-31", AlreadyExistsError, "movement 'TD-2019' already exists"),
        (
            "sc",
            "TD-2020",
            "2020-12-31",
            SignerNotAllowedError,
            "'sc' may not sign Movement.Launched",
        ),
        (
            "sec",
            "TD-2020",
            "2020-01-31",
            UsageError,
            "deadline 2020-02-18 is after the movement's end",
        ),
    ],
    ids=["exists", "not-secretary", "deadline-after-end"],
)
def test_launch_rejected(
    frozen: World,
    signer: str,
    movement_id: str,
    end: str,
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: workflow.launch_movement(
            frozen.app,
            frozen.key(signer),
            movement_id,
            "X",
            start=date(2020, 1, 1),
            end=date.fromisoformat(end),
            deadline=date(2020, 2, 18),
            at=at("2020-01-02"),
        ),
    )


# -- registration ----------------------------------------------------------------------------


def test_register_person_on_time(world: World) -> None:
    result = workflow.register(
        world.app, world.key("sec"), MOVEMENT, "P3", ["advanced_worker"], at=at("2019-02-18", 23)
    )
    assert not result.late and result.deadline == date(2019, 2, 18)
    p = participation(world, "P3")
    assert (p.participant_kind, p.titles, p.late) == ("person", ["advanced_worker"], False)


def test_register_late_with_override_is_recorded_as_late(world: World) -> None:
    result = workflow.register(
        world.app,
        world.key("sec"),
        MOVEMENT,
        "P3",
        ["advanced_worker"],
        at=at("2019-02-19"),
        override_reason="Hồ sơ gửi bưu điện 17/02",
    )
    assert result.late
    p = participation(world, "P3")
    assert (p.late, p.override_reason) == (True, "Hồ sơ gửi bưu điện 17/02")


def test_register_cluster_uses_the_cluster_deadline(world: World) -> None:
    workflow.form_cluster(
        world.app,
        world.key("sec"),
        "CL",
        "Cụm một",
        kind="cluster",
        members=["U1", "U2"],
        at=at("2019-01-05"),
    )
    result = workflow.register(world.app, world.key("sec"), MOVEMENT, "CL", [], at=at("2019-02-25"))
    assert not result.late and result.deadline == date(2019, 2, 28)
    assert participation(world, "CL").participant_kind == "cluster"


def test_register_late_rejected_names_rule_and_participant(frozen: World) -> None:
    error = refused(
        frozen.raw,
        RuleViolationError,
        r"participant 'P3' registered 2019-02-19 after the deadline 2019-02-18",
        lambda: workflow.register(
            frozen.app, frozen.key("sec"), MOVEMENT, "P3", ["advanced_worker"], at=at("2019-02-19")
        ),
    )
    assert isinstance(error, RuleViolationError) and error.rule == "deadline"


@pytest.mark.parametrize(
    ("movement_id", "participant", "title", "error", "match"),
    [
        (MOVEMENT, "NOPE", "advanced_worker", NotFoundError, "participant 'NOPE' not found"),
        ("TD-X", "P3", "advanced_worker", NotFoundError, "movement 'TD-X' not found"),
        (
            MOVEMENT,
            "P1",
            "advanced_worker",
            AlreadyExistsError,
            "participant 'P1' is already registered in movement TD-2019",
        ),
        (
            MOVEMENT,
            "P3",
            "emulation_flag",
            UnsuitableAwardError,
            "emulation_flag does not suit person 'P3'",
        ),
        (MOVEMENT, "P3", "medal_of_nothing", UsageError, "unknown award kind 'medal_of_nothing'"),
    ],
    ids=["unknown-participant", "unknown-movement", "twice", "unsuitable", "unknown-award"],
)
def test_register_rejected(
    frozen: World,
    movement_id: str,
    participant: str,
    title: str,
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: workflow.register(
            frozen.app, frozen.key("sec"), movement_id, participant, [title], at=at("2019-02-01")
        ),
    )


# -- scores ----------------------------------------------------------------------------------


def test_score_records_one_event_per_criterion(world: World) -> None:
    receipt = workflow.score(
        world.app, world.key("sc"), MOVEMENT, "P1", [("c1", 8.0), ("c2", 4.5)], at=at("2019-11-01")
    )
    assert len(receipt.seqs) == 2
    p = participation(world, "P1")
    movement = world.app.load(Movement, Movement.id_for(MOVEMENT), "movement")
    assert [(s.criterion, s.kind, s.scorer) for s in p.scores] == [
        ("c1", "appraisal", "sc"),
        ("c2", "appraisal", "sc"),
    ]
    assert p.total(movement) == 2 * 8.0 + 4.5


def test_self_score_is_kept_apart(world: World) -> None:
    workflow.score(world.app, world.key("sc1"), MOVEMENT, "P1", [("c1", 10.0)], self_score=True)
    p = participation(world, "P1")
    assert [s.kind for s in p.scores] == ["self"] and p.only_self_scored


def test_score_correction_with_reason(world: World) -> None:
    workflow.score(world.app, world.key("sc"), MOVEMENT, "P1", [("c1", 8.0)])
    workflow.score(world.app, world.key("sc"), MOVEMENT, "P1", [("c1", 7.0)], reason="Chấm lại")
    p = participation(world, "P1")
    assert [(s.points, s.correction, s.reason) for s in p.scores] == [
        (8.0, False, None),
        (7.0, True, "Chấm lại"),
    ]


@pytest.mark.parametrize(
    ("signer", "participant", "points", "error", "match"),
    [
        (
            "sc",
            "P3",
            [("c1", 5.0)],
            NotFoundError,
            "participant 'P3' is not registered in movement TD-2019",
        ),
        (
            "sc1",
            "U1",
            [("c1", 5.0)],
            ConflictOfInterestError,
            "scorer 'sc1' may not appraise itself or its own unit",
        ),
        (
            "sc",
            "P1",
            [("c1", 11.0)],
            ScoreOutOfRangeError,
            r"points 11 for criterion 'c1' outside 0..10",
        ),
        ("sc", "P1", [("c9", 1.0)], UnknownCriterionError, "criterion 'c9' is not one of"),
        ("sc", "P1", [("c1", 1.0), ("c1", 2.0)], UsageError, "criterion 'c1' is given twice"),
        (
            "sec",
            "P1",
            [("c1", 1.0)],
            SignerNotAllowedError,
            "'sec' may not sign Participation.Scored",
        ),
    ],
    ids=["unregistered", "own-unit", "out-of-range", "unknown-criterion", "twice", "not-scorer"],
)
def test_score_rejected(
    frozen: World,
    signer: str,
    participant: str,
    points: list[tuple[str, float]],
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: workflow.score(frozen.app, frozen.key(signer), MOVEMENT, participant, points),
    )


def test_score_correction_without_reason_rejected(world: World, raw: RawRows) -> None:
    workflow.score(world.app, world.key("sc"), MOVEMENT, "P1", [("c1", 8.0)])
    refused(
        raw,
        UsageError,
        "a correction needs a reason",
        lambda: workflow.score(world.app, world.key("sc"), MOVEMENT, "P1", [("c1", 7.0)]),
    )


# -- initiatives -----------------------------------------------------------------------------


def test_recognise_initiative_notes_it_on_the_record(world: World) -> None:
    receipt = workflow.recognise(
        world.app,
        world.key("ic"),
        "SK-1",
        person="P1",
        name="Sáng kiến số hóa hồ sơ",
        scope="base",
        at=at("2019-05-01"),
    )
    assert len(receipt.seqs) == 3  # Initiative.Recognised, RecipientRecord.Opened, InitiativeNoted
    initiative = world.app.load(Initiative, Initiative.id_for("SK-1"), "initiative")
    assert (initiative.person, initiative.year, initiative.name) == (
        "P1",
        2019,
        "Sáng kiến số hóa hồ sơ",
    )
    record = world.app.load(RecipientRecord, RecipientRecord.id_for("P1"), "record")
    assert record.has_initiative(2019)


@pytest.mark.parametrize(
    ("signer", "initiative_id", "person", "scope", "error", "match"),
    [
        (
            "ic",
            "SK-1",
            "NOPE",
            "base",
            NotFoundError,
            "initiative rejected: person 'NOPE' not found",
        ),
        ("ic", "SK-0", "P1", "base", AlreadyExistsError, "initiative 'SK-0' already exists"),
        ("ic", "SK-1", "P1", "world", UsageError, "scope 'world' is not one of base, ministry"),
        (
            "sec",
            "SK-1",
            "P1",
            "base",
            SignerNotAllowedError,
            "'sec' may not sign Initiative.Recognised",
        ),
    ],
    ids=["unknown-person", "exists", "bad-scope", "not-council"],
)
def test_recognise_rejected(
    frozen: World,
    signer: str,
    initiative_id: str,
    person: str,
    scope: str,
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: workflow.recognise(
            frozen.app,
            frozen.key(signer),
            initiative_id,
            person=person,
            name="Mới",
            scope=scope,
            year=2019,
        ),
    )


# -- clusters and pacts ----------------------------------------------------------------------


def test_cluster_formed_and_pacts_signed(world: World) -> None:
    workflow.form_cluster(
        world.app,
        world.key("sec"),
        "KHOI-1",
        "Khối một",
        kind="block",
        members=["U1", "U2"],
        at=at("2019-01-05"),
    )
    workflow.sign_pact(world.app, world.key("sec"), "KHOI-1", "U1", MOVEMENT, at=at("2019-01-20"))
    cluster = world.app.load(Cluster, Cluster.id_for("KHOI-1"), "cluster")
    assert (cluster.kind, cluster.members) == ("block", ["U1", "U2"])
    assert [(p.unit, p.movement) for p in cluster.pacts] == [("U1", MOVEMENT)]


def test_cluster_form_rejected(world: World, raw: RawRows) -> None:
    refused(
        raw,
        NotFoundError,
        "cluster form rejected: unit 'U9' not found",
        lambda: workflow.form_cluster(
            world.app, world.key("sec"), "CL", "Cụm", kind="cluster", members=["U1", "U9"]
        ),
    )
    workflow.form_cluster(world.app, world.key("sec"), "CL", "Cụm", kind="cluster", members=["U1"])
    refused(
        raw,
        AlreadyExistsError,
        "cluster 'CL' already exists",
        lambda: workflow.form_cluster(
            world.app, world.key("sec"), "CL", "Cụm", kind="cluster", members=["U2"]
        ),
    )
    refused(
        raw,
        UsageError,
        "kind must be one of cluster, block",
        lambda: workflow.form_cluster(
            world.app, world.key("sec"), "CL2", "Cụm", kind="zone", members=["U2"]
        ),
    )


@pytest.mark.parametrize(
    ("cluster", "unit", "movement_id", "error", "match"),
    [
        (
            "CL",
            "U2",
            MOVEMENT,
            NotFoundError,
            "pact rejected: unit 'U2' is not a member of cluster CL",
        ),
        ("CL", "U1", MOVEMENT, AlreadyExistsError, "unit 'U1' already signed the pact for TD-2019"),
        ("CL", "U1", "TD-X", NotFoundError, "pact rejected: movement 'TD-X' not found"),
        ("CL9", "U1", MOVEMENT, NotFoundError, "pact rejected: cluster 'CL9' not found"),
    ],
    ids=["not-member", "twice", "unknown-movement", "unknown-cluster"],
)
def test_pact_rejected(
    frozen: World,
    cluster: str,
    unit: str,
    movement_id: str,
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: workflow.sign_pact(frozen.app, frozen.key("sec"), cluster, unit, movement_id),
    )
