"""Recovery after an annulment through the ledger on both backends (given/when/then): the
annulment signs what is to be recovered, a secretary or authority signs each recovery, a
signer with another role or a recovery not due is refused with nothing recorded, and the
whole log passes the audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from domain.decision import Decision
from domain.errors import (
    AlreadyRecoveredError,
    NotFoundError,
    RecoveryNotDueError,
    SignerNotAllowedError,
)
from ledger.application import LedgerApp
from ledger.usecases import decisions
from ledger.verify import audit
from tests.conftest import Keys
from tests.world import MOVEMENT, World, at, build_world, closed_session, refused


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    """Given: P1 and P2 made advanced workers on 28/12/2019 (decision 1/QĐ), P1's annulled."""
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    decisions.decide_award(
        w.app, w.key("auth"), "1/QĐ", movement_id=MOVEMENT, award="advanced_worker",
        recipients=["P1", "P2"], basis="S-AW", decided_on=date(2019, 12, 28),
        at=at("2019-12-28"),
    )  # fmt: skip
    return w


def annul_p1(world: World) -> decisions.AnnulmentResult:
    return decisions.annul_award(
        world.app, world.key("auth"), "1/QĐ", recipient="P1", ground="false_declaration",
        reason="Khai man thành tích", at=at("2020-03-02"),
    )  # fmt: skip


def recover(world: World, item: str, signer: str = "sec", **more: object) -> object:
    return decisions.record_recovery(
        world.app, world.key(signer), "1/QĐ", recipient="P1", item=item, at=at("2020-04-01"),
        **more,  # type: ignore[arg-type]
    )  # fmt: skip


def test_the_annulment_signs_what_is_due_and_each_recovery_is_signed(world: World) -> None:
    # when the authority annuls P1's title
    result = annul_p1(world)
    # then it signed the certificate and 0.3 × 1,490,000 VND to recover
    assert [(d.item, d.amount) for d in result.recoveries] == [
        ("certificate", None), ("money", 447_000)
    ]  # fmt: skip
    # when the secretary records the certificate and the authority the money
    recover(world, "certificate", reference="Biên bản 12/BB")
    done = decisions.record_recovery(
        world.app, world.key("auth"), "1/QĐ", recipient="P1", item="money", at=at("2020-05-01")
    )
    # then nothing is outstanding, the decision holds both, and the log verifies
    assert done.amount == 447_000 and all(o.done for o in done.outstanding)
    decision = world.app.load(Decision, Decision.id_for("1/QĐ"), "decision")
    assert [(r.item, r.amount) for r in decision.recovered["P1"]] == [
        ("certificate", None), ("money", 447_000)
    ]  # fmt: skip
    report = audit(world.app)
    assert report.ok, report.problems


def test_recoveries_refused_record_nothing(world: World) -> None:
    # before the annulment, nothing is due
    refused(world.raw, RecoveryNotDueError, "the award is not annulled",
            lambda: recover(world, "money"))  # fmt: skip
    annul_p1(world)
    # a scorer may not record a recovery (roles authority or secretary)
    refused(
        world.raw,
        SignerNotAllowedError,
        "needs role authority or secretary",
        lambda: recover(world, "money", signer="sc"),
    )
    refused(world.raw, NotFoundError, "decision '9/QĐ' not found",
            lambda: decisions.record_recovery(world.app, world.key("sec"), "9/QĐ",
                                              recipient="P1", item="money"))  # fmt: skip
    # the same certificate twice
    recover(world, "certificate")
    refused(world.raw, AlreadyRecoveredError, "already recovered",
            lambda: recover(world, "certificate"))  # fmt: skip
