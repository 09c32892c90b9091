"""Award decisions: every rule refuses with its own message, overrides are signed in."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.decision import Decision, decide, overrides_from_text
from domain.errors import RuleViolationError, UnsuitableAwardError, UsageError
from domain.movement import Movement
from domain.register import AwardRegister, RecipientRecord
from domain.rulebook import Rulebook, Share
from domain.rules import Violation
from domain.session import ReviewSession
from tests.domain.scenario import (
    AUTHORITY,
    COMPLETE_DOSSIER,
    SCORER,
    Books,
    at,
    closed_session,
    movement,
    note_initiative,
    person,
    registered,
    unit,
)
from tests.gwt import recorded, replay

M = movement()


def rejected(books: Books, rule: str, message: str, *args: object, **kwargs: object) -> None:
    """Deciding raises RuleViolationError(rule) and leaves the register and records untouched."""
    versions = {r: rec.version for r, rec in books.records.items()}
    register = books.registers.get(M.movement_id)
    with pytest.raises(RuleViolationError, match=message) as info:
        books.decide(*args, **kwargs)  # type: ignore[arg-type]
    assert info.value.rule == rule
    assert {r: rec.version for r, rec in books.records.items()} == versions
    for record in books.records.values():
        recorded(record)
    if register is not None:
        recorded(register)


def test_decide_records_decision_register_and_records() -> None:
    books = Books()
    writes = books.award("1/QĐ-VPQH", M, "advanced_worker", [person("P1"), person("P2")])
    decision = writes.decision
    assert decision.id == Decision.id_for("1/QĐ-VPQH")
    assert writes.register.id == AwardRegister.id_for("TD-2019")
    assert [r.id for r in writes.records] == [
        RecipientRecord.id_for("P1"),
        RecipientRecord.id_for("P2"),
    ]
    assert (decision.award, decision.year, decision.basis) == (
        "advanced_worker",
        2019,
        "S-1/QĐ-VPQH",
    )
    assert (decision.override_reason, decision.overridden_rules) == (None, [])
    assert books.registers["TD-2019"].count("advanced_worker", "U1", 2019) == 2
    assert books.records["P1"].holds("advanced_worker", 2019) is not None


def test_decide_events_are_the_public_contract() -> None:
    basis = closed_session(M, "S-1", "advanced_worker", ["P1"])
    writes = decide(
        "1/QĐ",
        movement=M,
        award="advanced_worker",
        recipients=[person("P1")],
        authority=AUTHORITY,
        decided_on=date(2019, 12, 28),
        at=at("2019-12-28"),
        basis=basis,
        dossier=COMPLETE_DOSSIER,
    )
    [event] = recorded(writes.decision, Decision.Recorded)
    payload = event.payload()
    # eventsourcing's originator_topic is a library internal: on the event, never signed
    assert event.originator_topic == "domain.decision:Decision"
    assert (payload.pop("overrides"), payload.pop("regime")) == ([], "2003")
    assert payload == {
        "number": "1/QĐ",
        "movement": "TD-2019",
        "award": "advanced_worker",
        "year": 2019,
        "recipients": [person("P1")],
        "authority": "bt",
        "date": date(2019, 12, 28),
        "basis": "S-1",
        "override_reason": None,
        "overridden_rules": [],
        "violations": [],
        "at": at("2019-12-28"),
    }
    recorded(writes.register, AwardRegister.Opened, AwardRegister.AwardsEntered)
    [record] = writes.records
    recorded(record, RecipientRecord.Opened, RecipientRecord.AwardEntered)


def test_decide_rejected_outside_competence() -> None:
    books = Books()
    clerk = Actor("vp", competence=frozenset({"advanced_worker"}))
    rejected(
        books,
        "competence",
        r"decision 2/QĐ rejected: authority 'vp' may not decide "
        r"emulation_flag \(competence: advanced_worker\)",
        "2/QĐ",
        M,
        "emulation_flag",
        [unit("U1")],
        authority=clerk,
        basis=closed_session(M, "S-2", "emulation_flag", ["U1"]),
    )


def test_decide_rejected_before_basis_closed() -> None:
    s = closed_session(M, "S-1", "advanced_worker", ["P1"], closed="2019-12-20")
    rejected(
        Books(),
        "order",
        r"decision dated 2019-12-19 is before its basis session S-1 "
        r"closed on 2019-12-20",
        "1/QĐ",
        M,
        "advanced_worker",
        [person("P1")],
        basis=s,
        decided_on="2019-12-19",
    )


def test_decide_rejected_while_basis_open() -> None:
    s = ReviewSession.open(
        "S-1", M, "advanced_worker", ["P1"], ["m0"], at=at("2019-12-01"), registered=["P1"]
    )
    rejected(
        Books(),
        "order",
        r"basis session S-1 is not closed",
        "1/QĐ",
        M,
        "advanced_worker",
        [person("P1")],
        basis=s,
    )


def test_decide_rejected_when_recipient_did_not_pass() -> None:
    s = closed_session(M, "S-1", "advanced_worker", ["P1", "P2"], members=4, yes=["P1"])
    rejected(
        Books(),
        "review",
        r"recipient 'P2' did not pass session S-1: 0 yes of 4 members, "
        r"needs more than 50 %",
        "1/QĐ",
        M,
        "advanced_worker",
        [person("P1"), person("P2")],
        basis=s,
    )


def test_decide_rejected_for_recipient_not_nominated() -> None:
    s = closed_session(M, "S-1", "advanced_worker", ["P1"])
    rejected(
        Books(),
        "review",
        r"recipient 'P3' was not a nominee of session S-1",
        "1/QĐ",
        M,
        "advanced_worker",
        [person("P1"), person("P3")],
        basis=s,
    )


def test_decide_rejected_for_a_title_without_basis() -> None:
    rejected(
        Books(),
        "review",
        r"advanced_worker is a title and needs a basis session",
        "1/QĐ",
        M,
        "advanced_worker",
        [person("P1")],
    )


def test_decide_rejected_on_basis_of_another_title() -> None:
    s = closed_session(M, "S-1", "advanced_worker", ["P1"])
    rejected(
        Books(),
        "review",
        r"basis session S-1 reviewed advanced_worker in movement TD-2019,"
        r" not certificate_of_merit",
        "1/QĐ",
        M,
        "certificate_of_merit",
        [person("P1")],
        basis=s,
    )


def test_form_needs_no_basis() -> None:
    Books().decide("1/QĐ", M, "certificate_of_merit", [person("P1"), unit("U1")])


def test_decide_rejected_for_the_same_award_twice_in_a_movement() -> None:
    books = Books()
    books.decide("1/QĐ", M, "certificate_of_merit", [person("P1")])
    rejected(
        books,
        "one_award",
        r"recipient 'P1' already holds certificate_of_merit for 2019 by "
        r"decision 1/QĐ$",
        "2/QĐ",
        M,
        "certificate_of_merit",
        [person("P1")],
    )


def test_title_twice_in_a_year_rejected_across_movements() -> None:
    books = Books()
    books.award("1/QĐ", M, "advanced_worker", [person("P1")])
    other = movement("TD-2019B")
    with pytest.raises(
        RuleViolationError,
        match=r"already holds advanced_worker for 2019 by "
        r"decision 1/QĐ \(movement TD-2019\)",
    ):
        books.award("2/QĐ", other, "advanced_worker", [person("P1")])
    books.decide("3/QĐ", other, "certificate_of_merit", [person("P1")])  # forms: per movement


def test_fighter_rejected_without_advanced_worker() -> None:
    rejected(
        Books(),
        "prerequisites",
        r"recipient 'P1' lacks advanced_worker for 2019, which "
        r"emulation_fighter_base needs",
        "1/QĐ",
        M,
        "emulation_fighter_base",
        [person("P1")],
        basis=closed_session(M, "S-1", "emulation_fighter_base", ["P1"]),
    )


def fighter_ready(books: Books, m: Movement = M, pid: str = "P1", advanced: int = 7) -> None:
    """`advanced` advanced workers in U1 (P1 among them) for the movement's year."""
    books.award(
        f"AW-{pid}",
        m,
        "advanced_worker",
        [person(pid)] + [person(f"X{i}") for i in range(advanced - 1)],
    )


def test_fighter_rejected_without_initiative_under_the_2003_law() -> None:
    books = Books()
    fighter_ready(books)
    rejected(
        books,
        "prerequisites",
        r"recipient 'P1' has no recognised initiative of any scope for 2019 "
        r"\(regime 2003\)",
        "2/QĐ",
        M,
        "emulation_fighter_base",
        [person("P1")],
        basis=closed_session(M, "S-2", "emulation_fighter_base", ["P1"]),
    )


def test_fighter_with_advanced_worker_and_initiative_passes() -> None:
    books = Books()
    fighter_ready(books)
    note_initiative(books, "P1", 2019)
    writes = books.award("2/QĐ", M, "emulation_fighter_base", [person("P1")])
    assert writes.decision.violations == []


def test_fighter_under_the_2022_law_accepts_excellent_completion() -> None:
    m = movement(
        "TD-2024",
        start="2024-01-01",
        end="2024-12-31",
        deadline="2024-02-18",
        cluster_deadline=None,
    )
    books = Books()
    fighter_ready(books, m)
    with pytest.raises(
        RuleViolationError,
        match=r"recipient 'P1' has no recognised initiative of any scope "
        r"or excellent_completion for 2024 \(regime 2024\)",
    ):
        books.award("2/QĐ", m, "emulation_fighter_base", [person("P1")])
    books.decide("3/QĐ", m, "excellent_completion", [person("P1")])
    books.award("4/QĐ", m, "emulation_fighter_base", [person("P1")])


def history_of_fighters(books: Books, pid: str, years: list[int], award: str) -> None:
    for year in years:
        m = movement(
            f"TD-{year}",
            start=f"{year}-01-01",
            end=f"{year}-12-31",
            deadline=f"{year}-02-18",
            cluster_deadline=None,
        )
        books.grant(f"{award}-{year}", m, award, [person(pid)])


def test_ministry_fighter_needs_three_consecutive_base_titles() -> None:
    books = Books()
    history_of_fighters(books, "P1", [2017, 2019], "emulation_fighter_base")
    with pytest.raises(
        RuleViolationError,
        match=r"recipient 'P1' lacks emulation_fighter_base "
        r"for 2018 \(emulation_fighter_ministry needs 3 consecutive years "
        r"2017-2019\)",
    ):
        books.award("9/QĐ", M, "emulation_fighter_ministry", [person("P1")])
    history_of_fighters(books, "P1", [2018], "emulation_fighter_base")
    note_initiative(books, "P1", 2018, scope="ministry")
    books.award("9/QĐ", M, "emulation_fighter_ministry", [person("P1")])


def test_national_fighter_needs_two_consecutive_ministry_titles() -> None:
    books = Books()
    history_of_fighters(books, "P1", [2019], "emulation_fighter_ministry")
    with pytest.raises(
        RuleViolationError,
        match=r"lacks emulation_fighter_ministry for 2018 "
        r"\(emulation_fighter_national needs 2 consecutive years 2018-2019\)",
    ):
        books.award("9/QĐ", M, "emulation_fighter_national", [person("P1")])


@pytest.mark.parametrize(
    ("advanced", "fighters", "headcount", "message"),
    [
        (7, 1, 10, None),
        (6, 1, 10, r"recipient 'U1' has 6 advanced_worker of 10 members in 2019, below 70 %"),
        (7, 0, 10, r"recipient 'U1' has 0 emulation_fighter_base in 2019, needs 1"),
        (7, 1, None, r"recipient 'U1' has no recorded members to measure advanced_worker"),
    ],
)
def test_excellent_collective_needs_advanced_workers_and_a_fighter(
    advanced: int, fighters: int, headcount: int | None, message: str | None
) -> None:
    books = Books()
    books.grant("AW", M, "advanced_worker", [person(f"P{i}") for i in range(advanced)])
    if fighters:
        books.grant("CS", M, "emulation_fighter_base", [person("P0")])
    headcounts = {} if headcount is None else {"U1": headcount}
    if message is None:
        books.award("9/QĐ", M, "excellent_collective", [unit("U1")], headcounts=headcounts)
        return
    rejected(
        books,
        "prerequisites",
        message,
        "9/QĐ",
        M,
        "excellent_collective",
        [unit("U1")],
        headcounts=headcounts,
        basis=closed_session(M, "S-9", "excellent_collective", ["U1"]),
    )


@pytest.mark.parametrize(
    ("share", "advanced", "fighters", "fits"),
    [
        (Share(3, 20), 6, 1, False),  # 15 % of 6 is 0.9: no fighter fits
        (Share(3, 20), 7, 1, True),  # 15 % of 7 is 1.05
        (Share(3, 20), 13, 2, False),
        (Share(3, 20), 14, 2, True),
        (Share(3, 10), 4, 1, True),  # the North Central cluster's 30 %
        (Share(3, 10), 6, 2, False),
    ],
)
def test_quota_counts_this_decision_exactly(
    share: Share, advanced: int, fighters: int, fits: bool
) -> None:
    # given a 2003-regime movement whose rulebook sets `share` (the statute's 15 % stands too)
    m = movement(rulebook=Rulebook(fighter_quota=share))
    books = Books()
    books.grant("AW", m, "advanced_worker", [person(f"P{i}") for i in range(advanced)])
    for i in range(fighters):
        note_initiative(books, f"P{i}", 2019)
    nominees = [person(f"P{i}") for i in range(fighters)]
    beyond_statute = share.num * 20 > 3 * share.den and fighters * 20 > 3 * advanced
    overrides = {"regime": "cluster rulebook"} if beyond_statute else {}
    if fits:
        # when the fighters fit the rulebook's quota: decided (beyond 15 % only with an
        # override of rule `regime`, which names the statute)
        writes = books.award("CS", m, "emulation_fighter_base", nominees, overrides=overrides)
        assert [v.rule for v in writes.decision.violations] == list(overrides)
        return
    with pytest.raises(
        RuleViolationError,
        match=rf"unit 'U1' would have {fighters} "
        rf"emulation_fighter_base for {advanced} advanced_worker in 2019, above "
        rf"the rulebook's quota {share}",
    ) as info:
        books.award("CS", m, "emulation_fighter_base", nominees, overrides=overrides)
    assert info.value.rules == ["quota"]


def test_quota_is_per_unit() -> None:
    m = movement(
        "TD-2024", start="2024-01-01", end="2024-12-31", deadline="2024-02-18",
        rulebook=Rulebook(fighter_quota=Share(1, 1)),
    )  # fmt: skip
    books = Books()
    books.grant("AW", m, "advanced_worker", [person("P1", "U1"), person("P2", "U2")])
    books.grant("HT", m, "excellent_completion", [person("P1", "U1"), person("P3", "U2")])
    books.grant("AW2", m, "advanced_worker", [person("P3", "U2")])
    books.award("CS", m, "emulation_fighter_base", [person("P1", "U1"), person("P3", "U2")])
    assert books.registers["TD-2024"].count("emulation_fighter_base", "U2", 2024) == 1


def test_only_self_scores_behind_an_award_rejected() -> None:
    p = registered(M, "P1", "person", ["certificate_of_merit"])
    p.score(M, "c1", 10.0, "self", scorer=SCORER, at=at("2019-06-01"))
    rejected(
        Books(),
        "conflict_of_interest",
        r"recipient 'P1' has only self scores in movement "
        r"TD-2019",
        "1/QĐ",
        M,
        "certificate_of_merit",
        [person("P1")],
        participations={"P1": p},
    )
    p.score(M, "c1", 8.0, "appraisal", scorer=SCORER, at=at("2019-06-02"))
    Books().decide("1/QĐ", M, "certificate_of_merit", [person("P1")], participations={"P1": p})


def test_override_records_every_violation_with_its_own_reason() -> None:
    # given a 2019 decision breaking three rules
    books = Books()
    reasons = {
        "prerequisites": "Hồ sơ Lao động tiên tiến đang bổ sung",
        "quota": "Đơn vị mới thành lập",
        "review": "Hội đồng họp bất thường",
    }
    # when each broken rule is acknowledged with its own reason
    writes = books.decide("1/QĐ", M, "emulation_fighter_base", [person("P1")], overrides=reasons)
    # then every violation, its regime and citation, and every override is signed in
    decision = writes.decision
    assert decision.override_reason is None
    assert decision.overridden_rules == ["prerequisites", "quota", "review"]
    assert [(o.rule, o.reason) for o in decision.overrides] == sorted(reasons.items())
    assert decision.regime == "2003"
    assert decision.violations == [
        Violation(
            "review",
            "emulation_fighter_base",
            "emulation_fighter_base is a title and needs a basis session",
        ),
        Violation(
            "prerequisites",
            "P1",
            "recipient 'P1' lacks advanced_worker for 2019, which emulation_fighter_base needs",
        ),
        Violation(
            "quota",
            "U1",
            "unit 'U1' would have 1 emulation_fighter_base for 0 "
            "advanced_worker in 2019, above the statute's quota 15 %",
        ),
    ]
    assert books.registers["TD-2019"].count("emulation_fighter_base", "U1", 2019) == 1


def test_one_override_reason_is_refused_for_three_broken_rules() -> None:
    # given a decision that breaks review, prerequisites and quota
    books = Books()
    # when the authority gives one reason for all
    with pytest.raises(RuleViolationError) as info:
        books.decide("1/QĐ", M, "emulation_fighter_base", [person("P1")],
                     override_reason="Quyết định của Bộ trưởng")  # fmt: skip
    # then the refusal names every broken rule, and nothing is recorded
    assert info.value.rules == ["review", "prerequisites", "quota"]
    assert "--override-reason covers one broken rule, not 3 (review, prerequisites, quota)" in (
        str(info.value)
    )
    assert "--override review=REASON --override prerequisites=REASON" in info.value.diagnostics()
    assert books.registers == {} and books.records == {}


def test_a_missing_override_names_the_rules_still_broken() -> None:
    books = Books()
    with pytest.raises(RuleViolationError) as info:
        books.decide("1/QĐ", M, "emulation_fighter_base", [person("P1")],
                     overrides={"review": "x"})  # fmt: skip
    assert info.value.rules == ["prerequisites", "quota"]
    assert str(info.value).endswith("(rules prerequisites, quota)")
    assert books.registers == {}


def test_one_override_reason_covers_exactly_one_broken_rule() -> None:
    books = Books()
    fighter_ready(books)
    writes = books.award("2/QĐ", M, "emulation_fighter_base", [person("P1")],
                         override_reason="Sáng kiến đang chờ công nhận")  # fmt: skip
    assert [(o.rule, o.reason) for o in writes.decision.overrides] == [
        ("prerequisites", "Sáng kiến đang chờ công nhận")
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quota": "x"}, r"--override quota names a rule this decision does not break"),
        ({"hold": "x"}, r"--override hold names a rule this decision does not break"),
    ],
)
def test_override_of_an_unbroken_rule_is_refused(overrides: dict[str, str], message: str) -> None:
    books = Books()
    basis = closed_session(M, "S-1", "advanced_worker", ["P1"])
    with pytest.raises(UsageError, match=message):
        books.decide("1/QĐ", M, "advanced_worker", [person("P1")], basis=basis,
                     overrides=overrides)  # fmt: skip
    assert books.registers == {}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["quota"], r"override 'quota' is not valid: use --override RULE=REASON"),
        (["Quota=x"], r"override 'Quota=x' is not valid"),
        (["quota=a", "quota=b"], r"override of rule quota is given twice"),
        (["quota= "], r"override of rule quota: reason must not be empty"),
    ],
)
def test_override_options_are_parsed_strictly(items: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        overrides_from_text(items)


@pytest.mark.parametrize(
    ("award", "recipients", "error", "message"),
    [
        (
            "emulation_flag",
            [person("P1")],
            UnsuitableAwardError,
            r"emulation_flag does not suit "
            r"person 'P1'",
        ),
        ("advanced_worker", [unit("U1")], UnsuitableAwardError, r"does not suit unit 'U1'"),
        ("gold_star", [person("P1")], UsageError, r"unknown award kind 'gold_star'"),
        ("certificate_of_merit", [], UsageError, r"give at least one recipient"),
        ("certificate_of_merit", [person("P1")] * 2, UsageError, r"'P1' is given twice"),
    ],
)
def test_decide_rejects_malformed_commands(
    award: str, recipients: list[object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Books().decide("1/QĐ", M, award, recipients)  # type: ignore[arg-type]


def test_concurrent_decisions_collide_on_the_register_version() -> None:
    given = AwardRegister.open("TD-2019")
    given.enter("AW", "advanced_worker", 2019, [person(f"P{i}") for i in range(7)])
    stored = given.collect_events()

    def fighter(number: str, pid: str) -> AwardRegister:
        """Each office loads the register at the same version and decides on its own."""
        writes = decide(
            number,
            movement=M,
            award="certificate_of_merit",
            recipients=[person(pid)],
            authority=AUTHORITY,
            decided_on=date(2019, 12, 28),
            at=at("2019-12-28"),
            register=replay(*stored),
        )
        return writes.register

    [a] = recorded(fighter("A", "P1"), AwardRegister.AwardsEntered)
    [b] = recorded(fighter("B", "P2"), AwardRegister.AwardsEntered)
    assert (a.originator_id, a.originator_version) == (b.originator_id, b.originator_version)
    # the store's unique (originator_id, originator_version) lets only one of them in
