"""A receipt's unsigned statements (projections/receipt_statements.py) cost nothing when the log
holds nothing to state: no annulment anywhere and no hold on the recipient before the
checkpoint means the ledger view is not folded (at 1M events the fold was most of a receipt's
second and 260 MB); an annulment or a hold on the recipient before it still gets the fold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.receipt import build_award_receipt
from ledger.usecases import decisions, holds, registry
from projections import receipt_statements
from projections.receipt_statements import with_statements
from tests.conftest import Keys
from tests.world import MOVEMENT, World, at, build_world, closed_session


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    """advanced_worker to P1 and P2 (1/QĐ), a checkpoint over it."""
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    decisions.decide_award(
        w.app, w.key("auth"), "1/QĐ", movement_id=MOVEMENT, award="advanced_worker",
        recipients=["P1", "P2"], basis="S-AW", decided_on=date(2019, 12, 28),
        at=at("2019-12-28"),
    )  # fmt: skip
    registry.sign_new_checkpoint(w.app, keys.op)
    return w


def folds(world: World, monkeypatch: pytest.MonkeyPatch, recipient: str = "P1") -> bool:
    """Whether making P1's receipt of 1/QĐ folds the ledger view."""
    folded: list[int] = []
    real = receipt_statements.Runner

    class Counting(real):  # type: ignore[misc, valid-type]
        def read(self, *args: object, **kwargs: object) -> object:
            folded.append(1)
            return super().read(*args, **kwargs)

    monkeypatch.setattr(receipt_statements, "Runner", Counting)
    built = build_award_receipt(world.app, "1/QĐ", recipient)
    with_statements(world.app, built, "1/QĐ", recipient)
    return bool(folded)


@pytest.mark.parametrize("ledger_url", ["sqlite", "postgres"], indirect=True)
def test_no_annulment_and_no_hold_on_the_recipient_means_no_fold(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a hold on P2 only, then when P1's receipt is made, the view is not folded
    holds.place(world.app, world.key("sec"), "H-2", subject="P2", kind="press", reason="Báo",
                at=at("2020-01-02"))  # fmt: skip
    registry.sign_new_checkpoint(world.app, world.key("op"))
    assert not folds(world, monkeypatch)


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_a_hold_on_the_recipient_after_the_checkpoint_is_not_stated_and_not_folded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a hold on P1 placed after the newest checkpoint: the receipt's tree does not hold it
    holds.place(world.app, world.key("sec"), "H-1", subject="P1", kind="press", reason="Báo",
                at=at("2020-01-02"))  # fmt: skip
    assert not folds(world, monkeypatch)


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_a_hold_on_the_recipient_or_any_annulment_before_the_checkpoint_is_folded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a hold on P1 under the checkpoint, then the view is folded (and the hold stated)
    holds.place(world.app, world.key("sec"), "H-1", subject="P1", kind="press", reason="Báo",
                at=at("2020-01-02"))  # fmt: skip
    registry.sign_new_checkpoint(world.app, world.key("op"))
    assert folds(world, monkeypatch)
    built = build_award_receipt(world.app, "1/QĐ", "P1")
    stated = with_statements(world.app, built, "1/QĐ", "P1").statements
    assert [s.kind for s in stated] == ["open_hold"]
    # and an annulment of P2's award makes P1's receipt fold too (a flag can fall on anyone)
    decisions.annul_award(world.app, world.key("auth"), "1/QĐ", recipient="P2",
                          ground="false_declaration", reason="Khai man",
                          at=at("2020-01-10"))  # fmt: skip
    registry.sign_new_checkpoint(world.app, world.key("op"))
    assert folds(world, monkeypatch, "P1")
