"""Use cases of the proposal path (ledger/usecases/proposals.py) on both backends: races that
the proposal's version settles (two objections at once get two numbers; an objection raised
while the decision is being made is seen by it), and the audit of a ledger holding the path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.errors import RuleViolationError
from domain.proposal import Objection, Proposal
from ledger.application import LedgerApp, open_ledger
from ledger.usecases import decisions, documents, proposals
from ledger.verify import audit
from tests.conftest import Keys, RawRows
from tests.proposal_world import AWARD, M, path_world
from tests.world import World, at


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    """The proposal world with TT-1 endorsed up to the Prime Minister and open for comment
    for 2 working days from Friday 13 Feb 2026 (Tết follows: it ends Tuesday 24 Feb)."""
    w = path_world(apps(ledger_url), keys, tmp_path / "world-keys")
    app = w.app
    form = b"to trinh"
    for content, kind in ((form, "to_trinh_mau_01"), (b"bao cao", "bao_cao_mau_05"),
                          (b"bien ban", "minutes")):  # fmt: skip
        documents.add(app, w.key("sec-vu"), content, name=f"{kind}.pdf", kind=kind,
                      subject="TT-1", at=at("2026-02-02", 8))  # fmt: skip
    proposals.make_proposal(
        app, w.key("sec-vu"), "TT-1", movement_id=M, award=AWARD, nominees=["P7", "P8"],
        to="BO", documents=[hashlib.sha256(form).hexdigest()], at=at("2026-02-02"),
    )  # fmt: skip
    proposals.endorse(app, w.key("sec-bo"), "TT-1", to="BAN", at=at("2026-02-05"))
    proposals.endorse(app, w.key("sec-ban"), "TT-1", to="authority:pm", at=at("2026-02-12"))
    proposals.open_comment(app, w.key("pm"), "TT-1", days=2, at=at("2026-02-13"))
    return w


def object_to(world: World, app: LedgerApp, about: str, text: bytes) -> str:
    _, oid = proposals.add_objection(
        app, world.key("sec-ban"), "TT-1", text, name="don.txt", about=about,
        channel="email", at=at("2026-02-23"),
    )  # fmt: skip
    return oid


def test_two_objections_raised_at_once_get_two_numbers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a second office raises its objection while the first one's write is being built
    other = open_ledger(world.app.location.url)
    real = proposals.raise_in_domain
    raced: list[str] = []

    def racing(proposal: Proposal, **kwargs: Any) -> Objection:
        if not raced:
            raced.append("")
            raced[0] = object_to(world, other, "P7", b"thu thu hai")
        return real(proposal, **kwargs)

    monkeypatch.setattr(proposals, "raise_in_domain", racing)
    try:
        # when the first write saves, it conflicts on the proposal's version and is rebuilt
        first = object_to(world, world.app, "P8", b"thu thu nhat")
    finally:
        other.close()
    # then each objection has its own number, and the proposal notes both
    assert (raced[0], first) == ("TT-1-O1", "TT-1-O2")
    proposal = world.app.load(Proposal, Proposal.id_for("TT-1"), "proposal")
    assert proposal.objections == ["TT-1-O1", "TT-1-O2"]
    abouts = [
        world.app.load(Objection, Objection.id_for(o), "o").about for o in ["TT-1-O1", "TT-1-O2"]
    ]
    assert abouts == ["P7", "P8"]


def test_an_objection_raised_while_the_decision_is_made_is_seen_by_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the decision's write is being built when an objection about P8 comes in
    other = open_ledger(world.app.location.url)
    real = proposals.proposal_objections
    raced: list[str] = []

    def racing(app: LedgerApp, proposal: Proposal) -> list[Objection]:
        if not raced:
            raced.append(object_to(world, other, "P8", b"phan anh"))
        return real(app, proposal)

    monkeypatch.setattr(decisions, "proposal_objections", racing)
    raw = RawRows(world.app.location.url)
    before = raw.snapshot()
    try:
        # when the decision saves, it conflicts on the proposal and is rebuilt: refused
        with pytest.raises(RuleViolationError, match="TT-1-O1 about P8 is not resolved"):
            decisions.decide_award(
                world.app, world.key("pm"), "QĐ-9", movement_id=M, award=AWARD, recipients=[],
                proposal="TT-1", at=at("2026-02-26"),
            )  # fmt: skip
    finally:
        other.close()
    # then only the objection was recorded: Objection, ObjectionNoted, its Document and the
    # objection's dossier (opened, filed)
    assert raw.snapshot()[0] == before[0] + 5


def test_a_ledger_holding_the_whole_path_passes_the_audit(world: World) -> None:
    oid = object_to(world, world.app, "P8", b"phan anh")
    proposals.resolve_objection(
        world.app, world.key("pm"), oid, outcome="dismissed", reason="Không có căn cứ",
        at=at("2026-02-25"),
    )  # fmt: skip
    decided = decisions.decide_award(
        world.app, world.key("pm"), "QĐ-9", movement_id=M, award=AWARD, recipients=[],
        proposal="TT-1", at=at("2026-02-26"),
    )  # fmt: skip
    assert decided.recipients == ("P7", "P8")
    report = audit(world.app)
    assert report.ok, report
