"""Scenarios of the review-session use cases on both backends: open, vote, ballot, tally, close."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from domain.errors import (
    AlreadyExistsError,
    AlreadyVotedError,
    BallotModeError,
    ConflictOfInterestError,
    DomainError,
    NotFoundError,
    OutOfOrderError,
    SessionClosedError,
    SignerNotAllowedError,
    TallyError,
    UsageError,
)
from domain.rulebook import Share, Threshold, share_from_text, threshold_from_text
from domain.session import ReviewSession
from domain.tally import TallyLine
from ledger.application import LedgerApp
from ledger.usecases import review
from tests.conftest import Keys, RawRows
from tests.world import (
    BACKENDS,
    COUNCIL,
    MOVEMENT,
    World,
    at,
    build_world,
    closed_session,
    refused,
    shared_world,
)


def prepare_refusals(w: World) -> None:
    """S0 (P2), open session S1 (P1, P2) where m2 voted, secret S-SEC with 2 ballots in."""
    review.open_session(
        w.app,
        w.key("ch"),
        "S0",
        movement_id=MOVEMENT,
        title="advanced_worker",
        nominees=["P2"],
        members=COUNCIL,
    )
    open_s1(w)
    review.vote(w.app, w.key("m2"), "S1", yes=["P2"])
    review.open_session(
        w.app,
        w.key("ch"),
        "S-SEC",
        movement_id=MOVEMENT,
        title="advanced_worker",
        nominees=["P1", "P2"],
        members=COUNCIL,
        mode="secret",
    )
    for member in ("ch", "m2"):
        review.cast_ballot(w.app, w.key(member), "S-SEC")


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


def open_s1(
    world: World,
    mode: str = "open",
    threshold: Threshold | None = None,
    quorum: Share | None = None,
) -> None:
    review.open_session(
        world.app,
        world.key("ch"),
        "S1",
        movement_id=MOVEMENT,
        title="advanced_worker",
        nominees=["P1", "P2"],
        members=COUNCIL,
        mode=mode,
        threshold=threshold,
        quorum=quorum,
        at=at("2019-12-18", 8),
    )


def session(world: World, session_id: str = "S1") -> ReviewSession:
    return world.app.load(ReviewSession, ReviewSession.id_for(session_id), "session")


# -- open --------------------------------------------------------------------------------------


def test_open_session_with_rulebook_defaults(world: World) -> None:
    open_s1(world)
    s = session(world)
    assert (s.title, s.nominees, s.members, s.mode) == (
        "advanced_worker",
        ["P1", "P2"],
        COUNCIL,
        "open",
    )
    assert s.threshold == Threshold(Share(1, 2), strict=True) and s.quorum == Share(2, 3)


def test_open_session_with_stricter_threshold_and_quorum(world: World) -> None:
    open_s1(
        world,
        threshold=threshold_from_text("90%", "--threshold"),
        quorum=share_from_text("1", "--quorum"),
    )
    s = session(world)
    assert (s.threshold, s.quorum) == (Threshold(Share(9, 10)), Share(1, 1))


@pytest.mark.parametrize(
    ("signer", "session_id", "nominees", "members", "error", "match"),
    [
        ("ch", "S0", ["P1"], COUNCIL, AlreadyExistsError, "session 'S0' already exists"),
        ("ch", "S3", ["P1"], ["ch", "zz"], NotFoundError, "member 'zz' is not a registered signer"),
        (
            "ch",
            "S3",
            ["P1"],
            ["ch", "sc"],
            SignerNotAllowedError,
            "member 'sc' holds no council role",
        ),
        (
            "ch",
            "S3",
            ["P3"],
            COUNCIL,
            OutOfOrderError,
            "nominee 'P3' is not registered in movement TD-2019",
        ),
        (
            "sec",
            "S3",
            ["P1"],
            COUNCIL,
            SignerNotAllowedError,
            "'sec' may not sign ReviewSession.Opened",
        ),
    ],
    ids=["exists", "unknown-member", "member-not-council", "unregistered-nominee", "not-chair"],
)
def test_open_session_rejected(
    frozen: World,
    signer: str,
    session_id: str,
    nominees: list[str],
    members: list[str],
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: review.open_session(
            frozen.app,
            frozen.key(signer),
            session_id,
            movement_id=MOVEMENT,
            title="advanced_worker",
            nominees=nominees,
            members=members,
        ),
    )


def test_open_session_with_weaker_threshold_rejected(world: World, raw: RawRows) -> None:
    refused(
        raw,
        DomainError,
        "threshold at least 10 % is below the more than 50 % in force for advanced_worker",
        lambda: open_s1(world, threshold=threshold_from_text("0.1", "--threshold")),
    )


# -- open-mode votes ---------------------------------------------------------------------------


def test_votes_count_against_all_members(world: World) -> None:
    open_s1(world)
    review.vote(world.app, world.key("ch"), "S1", yes=["P1", "P2"], at=at("2019-12-18"))
    review.vote(world.app, world.key("m2"), "S1", yes=["P1"], no=["P2"], at=at("2019-12-18"))
    review.vote(world.app, world.key("m1"), "S1", yes=["P2"], at=at("2019-12-18"))  # abstains on P1
    results = session(world).results()
    assert results.quorum_met and results.taking_part == 3
    assert [(r.nominee, r.yes, r.no, r.passed) for r in results.results] == [
        ("P1", 2, 0, True),
        ("P2", 2, 1, True),
    ]


@pytest.mark.parametrize(
    ("member", "yes", "error", "match"),
    [
        (
            "m1",
            ["P1"],
            ConflictOfInterestError,
            "member 'm1' may not vote on itself or its own unit 'P1'",
        ),
        ("m2", ["P1"], AlreadyVotedError, "signer 'm2' already voted in session S1"),
        # A counter holds no council role: refused for the role before any session rule.
        ("kp", ["P1"], SignerNotAllowedError, "'kp' may not sign ReviewSession.VoteCast"),
        ("ch", ["P3"], UsageError, "'P3' is not a nominee of session S1"),
    ],
    ids=["own-person", "twice", "not-member", "not-nominee"],
)
def test_vote_rejected(
    frozen: World, member: str, yes: list[str], error: type[Exception], match: str
) -> None:
    refused(
        frozen.raw, error, match, lambda: review.vote(frozen.app, frozen.key(member), "S1", yes=yes)
    )


def test_vote_rejected_after_close_and_in_secret_mode(world: World, raw: RawRows) -> None:
    closed_session(world, "S1", "advanced_worker", ["P1", "P2"])
    refused(
        raw,
        SessionClosedError,
        "vote rejected: session S1 is closed",
        lambda: review.vote(world.app, world.key("m2"), "S1", yes=["P1"]),
    )
    review.open_session(
        world.app,
        world.key("ch"),
        "S2",
        movement_id=MOVEMENT,
        title="advanced_worker",
        nominees=["P2"],
        members=COUNCIL,
        mode="secret",
    )
    refused(
        raw,
        BallotModeError,
        "session S2 is in secret mode; use 'ballot cast'",
        lambda: review.vote(world.app, world.key("m2"), "S2", yes=["P2"]),
    )
    refused(
        raw,
        NotFoundError,
        "vote rejected: session 'S9' not found",
        lambda: review.vote(world.app, world.key("m2"), "S9", yes=["P2"]),
    )


# -- secret ballots, the tally and closing -----------------------------------------------------


def test_secret_session_ballots_tally_and_close(world: World) -> None:
    open_s1(world, mode="secret")
    for member in ("ch", "m2"):
        review.cast_ballot(world.app, world.key(member), "S1", at=at("2019-12-18"))
    review.certify_tally(
        world.app,
        world.key("kp"),
        "S1",
        [TallyLine("P1", 2, 0), TallyLine("P2", 1, 1)],
        at=at("2019-12-18", 10),
    )
    review.close_session(world.app, world.key("ch"), "S1", at=at("2019-12-18", 11))
    s = session(world)
    assert (s.ballots, s.counter, s.closed_on) == (["ch", "m2"], "kp", at("2019-12-18").date())
    assert [(r.nominee, r.passed) for r in s.results().results] == [("P1", True), ("P2", False)]


def test_ballot_rejected(world: World, raw: RawRows) -> None:
    open_s1(world, mode="secret")
    refused(
        raw,
        ConflictOfInterestError,
        "member 'm1' is or heads nominee 'P1'",
        lambda: review.cast_ballot(world.app, world.key("m1"), "S1"),
    )
    review.cast_ballot(world.app, world.key("m2"), "S1")
    refused(
        raw,
        AlreadyVotedError,
        "signer 'm2' already voted in session S1",
        lambda: review.cast_ballot(world.app, world.key("m2"), "S1"),
    )
    refused(
        raw,
        SignerNotAllowedError,
        "'kp' may not sign ReviewSession.BallotCast: needs role council_chair or council_member",
        lambda: review.cast_ballot(world.app, world.key("kp"), "S1"),
    )


@pytest.mark.parametrize(
    ("signer", "lines", "error", "match"),
    [
        (
            "kp",
            [("P1", 2, 1), ("P2", 1, 1)],
            TallyError,
            "nominee 'P1' has 2 yes \\+ 1 no, but 2 ballots",
        ),
        ("kp", [("P1", 2, 0)], TallyError, "the tally misses nominee 'P2'"),
        (
            "m2",
            [("P1", 2, 0), ("P2", 1, 1)],
            SignerNotAllowedError,
            "'m2' may not sign ReviewSession.TallyCertified",
        ),
    ],
    ids=["counts", "missing-nominee", "not-counter"],
)
def test_tally_rejected(
    frozen: World,
    signer: str,
    lines: list[tuple[str, int, int]],
    error: type[Exception],
    match: str,
) -> None:
    results = [TallyLine(*line) for line in lines]
    refused(
        frozen.raw,
        error,
        match,
        lambda: review.certify_tally(frozen.app, frozen.key(signer), "S-SEC", results),
    )


def test_close_rejected(world: World, raw: RawRows) -> None:
    open_s1(world, mode="secret")
    for member in ("ch", "m2"):
        review.cast_ballot(world.app, world.key(member), "S1")
    refused(
        raw,
        OutOfOrderError,
        "session S1 has 2 ballots and no certified tally",
        lambda: review.close_session(world.app, world.key("ch"), "S1"),
    )
    lines = [TallyLine("P1", 2, 0), TallyLine("P2", 0, 2)]
    review.certify_tally(world.app, world.key("kp"), "S1", lines)
    refused(
        raw,
        SignerNotAllowedError,
        "'m2' may not sign ReviewSession.Closed",
        lambda: review.close_session(world.app, world.key("m2"), "S1"),
    )
    review.close_session(world.app, world.key("ch"), "S1")
    refused(
        raw,
        SessionClosedError,
        "session close rejected: session S1 is already closed",
        lambda: review.close_session(world.app, world.key("ch"), "S1"),
    )
