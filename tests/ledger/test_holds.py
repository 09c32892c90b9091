"""Holds through the ledger on both backends (given/when/then): placed and lifted by a
secretary or authority, an award to a held subject refused naming rule `hold` with nothing
recorded, overridden with a signed reason, passing once the hold is lifted; the stored events
pass the audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from domain.errors import (
    AlreadyExistsError,
    NotFoundError,
    OutOfOrderError,
    RuleViolationError,
    SignerNotAllowedError,
)
from domain.hold import Hold, SubjectHolds
from ledger.application import LedgerApp
from ledger.usecases import decisions, holds
from ledger.verify import audit
from tests.conftest import Keys
from tests.world import MOVEMENT, World, at, build_world, closed_session, refused


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    return w


def place(world: World, hold_id: str = "H-1", subject: str = "P1", signer: str = "sec") -> None:
    holds.place(
        world.app,
        world.key(signer),
        hold_id,
        subject=subject,
        kind="investigation",
        reason="Đơn tố cáo đang xác minh",
        at=at("2019-11-01"),
    )


def decide(world: World, number: str, override_reason: str | None = None) -> list[str]:
    result = decisions.decide_award(
        world.app,
        world.key("auth"),
        number,
        movement_id=MOVEMENT,
        award="advanced_worker",
        recipients=["P1", "P2"],
        basis="S-AW",
        decided_on=date(2019, 12, 28),
        override_reason=override_reason,
        at=at("2019-12-28"),
    )
    return [v.rule for v in result.overridden]


def test_an_award_to_a_held_subject_is_refused_and_nothing_is_recorded(world: World) -> None:
    # given a secretary placed an investigation hold on P1
    place(world)
    index = world.app.load(SubjectHolds, SubjectHolds.id_for("P1"), "holds")
    assert [h.hold_id for h in index.open_on(date(2019, 12, 28))] == ["H-1"]
    # when the authority decides advanced_worker for P1 and P2, then it is refused (`hold`)
    error = refused(
        world.raw,
        RuleViolationError,
        "P1 is under an open hold: H-1 \\(investigation\\)",
        lambda: decide(world, "1/QĐ"),
    )
    assert getattr(error, "rule") == "hold"  # noqa: B009


def test_a_held_award_passes_with_a_signed_override_reason(world: World) -> None:
    place(world)
    assert decide(world, "1/QĐ", override_reason="Kết luận: không vi phạm") == ["hold"]


def test_once_lifted_the_award_passes_and_the_audit_accepts_the_hold_events(
    world: World,
) -> None:
    place(world)
    # when an authority lifts the hold
    holds.lift(world.app, world.key("auth"), "H-1", reason="Không vi phạm", at=at("2019-12-01"))
    hold = world.app.load(Hold, Hold.id_for("H-1"), "hold")
    assert (hold.lift_reason, hold.lifted_at) == ("Không vi phạm", at("2019-12-01"))
    # then the award passes with no override, and the whole log verifies
    assert decide(world, "1/QĐ") == []
    report = audit(world.app)
    assert report.ok, report.problems


def test_hold_refusals_record_nothing(world: World) -> None:
    place(world)
    refused(world.raw, AlreadyExistsError, "hold 'H-1' already exists", lambda: place(world))
    refused(
        world.raw, NotFoundError, "recipient 'NOPE' not found", lambda: place(world, "H-2", "NOPE")
    )
    refused(
        world.raw,
        SignerNotAllowedError,
        "needs role authority or secretary",
        lambda: place(world, "H-2", "P2", signer="sc"),
    )
    refused(
        world.raw,
        NotFoundError,
        "hold 'H-9' not found",
        lambda: holds.lift(world.app, world.key("sec"), "H-9", reason="x"),
    )
    holds.lift(world.app, world.key("sec"), "H-1", reason="Xong", at=at("2019-12-01"))
    refused(
        world.raw,
        OutOfOrderError,
        "already lifted",
        lambda: holds.lift(world.app, world.key("sec"), "H-1", reason="x"),
    )
