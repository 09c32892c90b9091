"""Scenarios of `decide` and `annul` on both backends: every rule refused with its name and
recipient and nothing recorded; overrides signed into the decision; annulment cascades."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.decision import Decision
from domain.errors import (
    AlreadyAnnulledError,
    AlreadyExistsError,
    NotCompetentError,
    NotFoundError,
    RuleViolationError,
    SignerNotAllowedError,
    UnsuitableAwardError,
    UsageError,
)
from domain.register import AwardRegister, RecipientRecord
from ledger.application import LedgerApp
from ledger.usecases import decisions, review, workflow
from ledger.usecases.decisions import DecisionResult
from tests.conftest import Keys, RawRows
from tests.world import (
    BACKENDS,
    MOVEMENT,
    World,
    at,
    build_world,
    closed_session,
    file_dossier,
    refused,
    shared_world,
)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    return w


def prepare_refusals(w: World) -> None:
    """S-AW closed; 1/QĐ: advanced_worker to P1, P2 (P2's annulled); P1's fighter FB/QĐ."""
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    fighter_ready(w)
    decide(w, "FB/QĐ", "emulation_fighter_base", ["P1"], basis="S-FB", override_reason="thử")
    decisions.annul_award(
        w.app, w.key("auth"), "1/QĐ", recipient="P2", ground="standard_not_met", reason="Không đạt"
    )


@pytest.fixture(scope="module", params=BACKENDS)
def frozen(
    request: pytest.FixtureRequest, session_keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per backend for the refusal cases (they record nothing)."""
    with shared_world(request.param, session_keys, tmp_path_factory, prepare_refusals) as w:
        yield w


def decide(
    world: World,
    number: str,
    award: str,
    recipients: list[str],
    basis: str | None = None,
    signer: str = "auth",
    day: str = "2019-12-28",
    override_reason: str | None = None,
) -> DecisionResult:
    return decisions.decide_award(
        world.app,
        world.key(signer),
        number,
        movement_id=MOVEMENT,
        award=award,
        recipients=recipients,
        basis=basis,
        decided_on=date.fromisoformat(day),
        override_reason=override_reason,
        at=at(day),
    )


def fighter_ready(world: World) -> None:
    """P1 and P2 advanced workers (1/QĐ), P1 has an initiative and passed a fighter review."""
    decide(world, "1/QĐ", "advanced_worker", ["P1", "P2"], basis="S-AW")
    workflow.recognise(
        world.app, world.key("ic"), "SK-P1", person="P1", name="Sáng kiến", scope="base", year=2019
    )
    closed_session(world, "S-FB", "emulation_fighter_base", ["P1"])


# -- decide --------------------------------------------------------------------------------------


def test_decide_saves_decision_register_and_records_in_one_write(
    world: World, raw: RawRows
) -> None:
    before = raw.count()
    result = decide(world, "1/QĐ", "advanced_worker", ["P1", "P2"], basis="S-AW")
    # Decision.Recorded, AwardRegister.Opened + AwardsEntered, 2 x (RecipientRecord.Opened +
    # AwardEntered): all in one receipt
    assert result.receipt.seqs == list(range(before, before + 7)) and result.overridden == ()
    assert result.receipt.root == raw.root()
    decision = world.app.load(Decision, Decision.id_for("1/QĐ"), "decision")
    assert (decision.award, decision.authority, decision.basis) == (
        "advanced_worker",
        "auth",
        "S-AW",
    )
    assert [(r.id, r.kind, r.unit) for r in decision.recipients] == [
        ("P1", "person", "U1"),
        ("P2", "person", "U1"),
    ]
    register = world.app.load(AwardRegister, AwardRegister.id_for(MOVEMENT), "register")
    assert register.count("advanced_worker", "U1", 2019) == 2
    record = world.app.load(RecipientRecord, RecipientRecord.id_for("P2"), "record")
    assert record.holds("advanced_worker", 2019) is not None


def test_decide_a_form_needs_no_basis(world: World) -> None:
    result = decide(world, "7/QĐ", "certificate_of_merit", ["U1", "P3"], signer="auth2")
    decision = world.app.load(Decision, Decision.id_for("7/QĐ"), "decision")
    assert [r.kind for r in decision.recipients] == ["unit", "person"] and not result.overridden


def rule_refused(raw: RawRows, rule: str, match: str, command: Callable[[], object]) -> None:
    error = refused(raw, RuleViolationError, match, command)
    assert isinstance(error, RuleViolationError) and error.rule == rule


@pytest.mark.parametrize(
    ("case", "rule", "match"),
    [
        ("competence", "competence", "authority 'auth2' may not decide advanced_worker"),
        (
            "order",
            "order",
            "decision dated 2019-12-19 is before its basis session S-AW closed on 2019-12-20",
        ),
        ("no-basis", "review", "advanced_worker is a title and needs a basis session"),
        ("not-nominee", "review", "recipient 'P3' was not a nominee of session S-AW"),
        (
            "one-award",
            "one_award",
            "recipient 'P1' already holds advanced_worker for 2019 by decision 1/QĐ",
        ),
    ],
)
def test_decide_rejected_by_rule(frozen: World, case: str, rule: str, match: str) -> None:
    signer, day, recipients = "auth", "2019-12-28", ["P1"]
    basis: str | None = "S-AW"
    if case == "competence":
        signer = "auth2"
    elif case == "order":
        day = "2019-12-19"
    elif case == "no-basis":
        basis = None
    elif case == "not-nominee":
        recipients = ["P3"]
    rule_refused(
        frozen.raw,
        rule,
        match,
        lambda: decide(
            frozen, "2/QĐ", "advanced_worker", recipients, basis=basis, signer=signer, day=day
        ),
    )


def test_decide_rejected_when_recipient_did_not_pass(world: World, raw: RawRows) -> None:
    review.open_session(
        world.app,
        world.key("ch"),
        "S-NO",
        movement_id=MOVEMENT,
        title="advanced_worker",
        nominees=["P2"],
        members=["ch", "m1", "m2"],
        at=at("2019-12-20"),
    )
    review.vote(world.app, world.key("ch"), "S-NO", yes=["P2"], at=at("2019-12-20"))
    review.vote(world.app, world.key("m2"), "S-NO", no=["P2"], at=at("2019-12-20"))
    review.close_session(world.app, world.key("ch"), "S-NO", at=at("2019-12-21"))
    file_dossier(world, "S-NO", at=at("2019-12-21", 11))
    rule_refused(
        raw,
        "review",
        r"recipient 'P2' did not pass session S-NO: 1 yes of 3 members, "
        "needs more than 50 %$",
        lambda: decide(world, "2/QĐ", "advanced_worker", ["P2"], basis="S-NO"),
    )


def test_decide_rejected_above_the_fighter_quota(world: World, raw: RawRows) -> None:
    fighter_ready(world)
    rule_refused(
        raw,
        "quota",
        "unit 'U1' would have 1 emulation_fighter_base for 2 advanced_worker "
        "in 2019, above the statute's quota 15 %",
        lambda: decide(world, "2/QĐ", "emulation_fighter_base", ["P1"], basis="S-FB"),
    )


def test_decide_rejected_without_prerequisites_counted_against_headcount(
    world: World, raw: RawRows
) -> None:
    decide(world, "1/QĐ", "advanced_worker", ["P1"], basis="S-AW")
    closed_session(world, "S-EC", "excellent_collective", ["U1"])
    rule_refused(
        raw,
        "prerequisites",
        r"recipient 'U1' has 1 advanced_worker of 2 members in 2019, below 70 %",
        lambda: decide(world, "3/QĐ", "excellent_collective", ["U1"], basis="S-EC"),
    )


def test_decide_rejected_on_self_scores_only(world: World, raw: RawRows) -> None:
    workflow.score(world.app, world.key("sc1"), MOVEMENT, "P2", [("c1", 10.0)], self_score=True)
    rule_refused(
        raw,
        "conflict_of_interest",
        "recipient 'P2' has only self scores in movement TD-2019",
        lambda: decide(world, "4/QĐ", "certificate_of_merit", ["P2"]),
    )


def test_decide_with_override_signs_every_violation(world: World) -> None:
    fighter_ready(world)
    result = decide(
        world,
        "2/QĐ",
        "emulation_fighter_base",
        ["P1"],
        basis="S-FB",
        override_reason="Thành tích đột xuất",
    )
    assert [v.rule for v in result.overridden] == ["quota"]
    decision = world.app.load(Decision, Decision.id_for("2/QĐ"), "decision")
    assert (decision.override_reason, decision.overridden_rules) == (None, ["quota"])
    assert [(o.rule, o.reason) for o in decision.overrides] == [("quota", "Thành tích đột xuất")]
    assert decision.regime == "2003"


@pytest.mark.parametrize(
    ("number", "award", "recipients", "basis", "signer", "error", "match"),
    [
        (
            "1/QĐ",
            "advanced_worker",
            ["P1"],
            "S-AW",
            "auth",
            AlreadyExistsError,
            "decision '1/QĐ' already exists",
        ),
        (
            "2/QĐ",
            "advanced_worker",
            ["NOPE"],
            "S-AW",
            "auth",
            NotFoundError,
            "recipient 'NOPE' not found",
        ),
        (
            "2/QĐ",
            "advanced_worker",
            ["P1"],
            "S-9",
            "auth",
            NotFoundError,
            "session 'S-9' not found",
        ),
        (
            "2/QĐ",
            "emulation_flag",
            ["P1"],
            None,
            "auth",
            UnsuitableAwardError,
            "emulation_flag does not suit person 'P1'",
        ),
        (
            "2/QĐ",
            "certificate_of_merit",
            ["P1", "P1"],
            None,
            "auth",
            UsageError,
            "recipient 'P1' is given twice",
        ),
    ],
    ids=["exists", "unknown-recipient", "unknown-basis", "unsuitable", "repeated"],
)
def test_decide_rejected(
    frozen: World,
    number: str,
    award: str,
    recipients: list[str],
    basis: str | None,
    signer: str,
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw, error, match, lambda: decide(frozen, number, award, recipients, basis, signer)
    )


def test_decide_by_a_non_authority_is_refused_even_with_override(frozen: World) -> None:
    refused(
        frozen.raw,
        SignerNotAllowedError,
        "'sec' may not sign Decision.Recorded",
        lambda: decide(
            frozen, "5/QĐ", "certificate_of_merit", ["P3"], signer="sec", override_reason="thử"
        ),
    )


def test_decide_in_unknown_movement_rejected(frozen: World) -> None:
    refused(
        frozen.raw,
        NotFoundError,
        "decision 5/QĐ rejected: movement 'TD-X' not found",
        lambda: decisions.decide_award(
            frozen.app,
            frozen.key("auth"),
            "5/QĐ",
            movement_id="TD-X",
            award="certificate_of_merit",
            recipients=["P3"],
        ),
    )


# -- annul ---------------------------------------------------------------------------------------


@pytest.fixture
def granted(world: World) -> World:
    """1/QĐ: advanced_worker to P1 and P2; 2/QĐ: P1's fighter title (quota overridden)."""
    fighter_ready(world)
    decide(world, "2/QĐ", "emulation_fighter_base", ["P1"], basis="S-FB", override_reason="thử")
    return world


def test_annul_frees_the_award_and_flags_what_relied_on_it(granted: World, raw: RawRows) -> None:
    before = raw.count()
    result = decisions.annul_award(
        granted.app,
        granted.key("auth"),
        "1/QĐ",
        recipient="P1",
        ground="false_declaration",
        reason="Kê khai sai",
        at=at("2020-03-01"),
    )
    assert result.receipt.seqs == [before, before + 1, before + 2]
    [flag] = result.dependents
    assert (flag.recipient, flag.award, flag.year, flag.decision) == (
        "P1",
        "emulation_fighter_base",
        2019,
        "2/QĐ",
    )
    assert "lacks advanced_worker for 2019" in flag.reason
    decision = granted.app.load(Decision, Decision.id_for("1/QĐ"), "decision")
    assert decision.annulled == {"P1": "false_declaration"}
    register = granted.app.load(AwardRegister, AwardRegister.id_for(MOVEMENT), "register")
    assert register.count("advanced_worker", "U1", 2019) == 1


@pytest.mark.parametrize(
    ("number", "recipient", "ground", "reason", "signer", "error", "match"),
    [
        (
            "9/QĐ",
            "P1",
            "false_declaration",
            "x",
            "auth",
            NotFoundError,
            "decision '9/QĐ' not found",
        ),
        (
            "1/QĐ",
            "P3",
            "false_declaration",
            "x",
            "auth",
            NotFoundError,
            "recipient 'P3' is not in decision 1/QĐ",
        ),
        (
            "1/QĐ",
            "P1",
            "bad",
            "x",
            "auth",
            UsageError,
            "ground 'bad' is not one of false_declaration",
        ),
        ("1/QĐ", "P1", "false_declaration", " ", "auth", UsageError, "reason must not be empty"),
        (
            "1/QĐ",
            "P1",
            "false_declaration",
            "x",
            "auth2",
            NotCompetentError,
            "authority 'auth2' may not annul advanced_worker",
        ),
        ("1/QĐ", "P2", "standard_not_met", "x", "auth", AlreadyAnnulledError, "already annulled"),
    ],
    ids=["unknown-decision", "not-recipient", "bad-ground", "no-reason", "not-competent", "twice"],
)
def test_annul_rejected(
    frozen: World,
    number: str,
    recipient: str,
    ground: str,
    reason: str,
    signer: str,
    error: type[Exception],
    match: str,
) -> None:
    refused(
        frozen.raw,
        error,
        match,
        lambda: decisions.annul_award(
            frozen.app,
            frozen.key(signer),
            number,
            recipient=recipient,
            ground=ground,
            reason=reason,
        ),
    )
