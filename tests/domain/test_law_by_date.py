"""The law in force on each decision's date, narrated per regime (given / when / then).

Boundaries: 2023-12-31 is the last day of regime 2003 (Law 15/2003, Decree 91/2017) and
2024-01-01 the first of regime 2024 (Law 06/2022, Decree 98/2023); 2025-06-30 is the last day
of regime 2024 and 2025-07-01 the first of regime 2025 (Decree 152/2025, Decree 129/2025).
Every refusal is checked to have recorded nothing.
"""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from domain.actor import Actor
from domain.decision import Decision, annul
from domain.errors import DomainError, NotCompetentError, RuleViolationError, UsageError
from domain.movement import Movement
from domain.register import Recipient
from domain.registry import successor_on
from domain.rulebook import DEFAULT_RULEBOOK, Share
from domain.session import ReviewSession
from tests.domain.scenario import (
    ALL_AWARDS,
    Books,
    at,
    closed_session,
    member,
    movement,
    note_initiative,
    person,
)
from tests.gwt import recorded


def year_movement(year: int) -> Movement:
    return movement(f"TD-{year}", start=f"{year}-01-01", end=f"{year}-12-31",
                    deadline=f"{year}-02-18", cluster_deadline=None)  # fmt: skip


def refused(books: Books, rules: list[str], *args: object, **kwargs: object) -> str:
    """Then: the decision is refused naming exactly `rules`, and nothing is recorded."""
    registers = {k: list(v.grants) for k, v in books.registers.items()}
    records = {k: list(v.awards) for k, v in books.records.items()}
    with pytest.raises(RuleViolationError) as info:
        books.decide(*args, **kwargs)  # type: ignore[arg-type]
    assert info.value.rules == rules, str(info.value)
    assert {k: list(v.grants) for k, v in books.registers.items()} == registers
    assert {k: list(v.awards) for k, v in books.records.items()} == records
    return str(info.value)


# -- quota (rule 1) ------------------------------------------------------------------------------


def fighters_ready(books: Books, m: Movement, advanced: int, fighters: int) -> list[Recipient]:
    """`advanced` advanced workers of U1, the first `fighters` with an initiative of the year."""
    books.grant("AW", m, "advanced_worker", [person(f"P{i}") for i in range(advanced)])
    for i in range(fighters):
        note_initiative(books, f"P{i}", m.year)
    return [person(f"P{i}") for i in range(fighters)]


def test_quota_2003_a_second_fighter_of_ten_is_beyond_decree_91() -> None:
    # given ten advanced workers of 2023 and two nominees who passed a review
    books, m = Books(), year_movement(2023)
    nominees = fighters_ready(books, m, advanced=10, fighters=2)
    basis = closed_session(m, "S-CS", "emulation_fighter_base", ["P0", "P1"], closed="2023-12-20")
    # when both are decided on 2023-12-31, the last day of Decree 91/2017
    message = refused(books, ["quota"], "CS", m, "emulation_fighter_base", nominees,
                      basis=basis, decided_on="2023-12-31")  # fmt: skip
    # then the statute's 15 % ceiling refuses them
    beyond = "2 emulation_fighter_base for 10 advanced_worker in 2023, above the statute's quota"
    assert f"{beyond} 15 %" in message


def test_quota_2024_no_statutory_quota_from_the_first_day() -> None:
    # given the same unit, the review held (by secret ballot) on 2024-01-01
    books, m = Books(), year_movement(2023)
    nominees = fighters_ready(books, m, advanced=10, fighters=2)
    basis = closed_session(m, "S-CS", "emulation_fighter_base", ["P0", "P1"], closed="2024-01-01")
    # when both are decided on 2024-01-01, under Law 06/2022
    writes = books.decide("CS", m, "emulation_fighter_base", nominees, basis=basis,
                          decided_on="2024-01-01")  # fmt: skip
    # then no quota applies: decided, judged by regime 2024
    assert writes.decision.violations == [] and writes.decision.regime == "2024"


# -- review (rule 3) -----------------------------------------------------------------------------

U1 = Recipient("U1", "unit", "U1")


def two_of_three(m: Movement, closed: str) -> ReviewSession:
    """An emulation flag for U1 reviewed openly on `closed`: 2 of 3 members say yes (67 %)."""
    s = ReviewSession.open("S-CTD", m, "emulation_flag", ["U1"], ["m0", "m1", "m2"],
                           at=at(closed, 8), registered=["U1"], mode="open")  # fmt: skip
    for name, yes in (("m0", True), ("m1", True), ("m2", False)):
        s.cast_vote(member(name), ["U1"] if yes else [], [] if yes else ["U1"], at=at(closed, 9))
    s.close(at=at(closed, 10))
    s.collect_events()
    return s


def test_review_2003_two_of_three_is_more_than_half() -> None:
    # given a flag reviewed openly on 2023-12-20, 2 of 3 members saying yes
    books, m = Books(), year_movement(2023)
    basis = two_of_three(m, "2023-12-20")
    # when it is decided on 2023-12-31 (Decree 91/2017: more than half of all members)
    writes = books.decide("CTD", m, "emulation_flag", [U1], basis=basis, decided_on="2023-12-31")
    # then it is lawful
    assert writes.decision.violations == [] and writes.decision.regime == "2003"


def test_review_2024_the_same_session_falls_short_of_decree_98() -> None:
    # given the same review, held under 2003
    books, m = Books(), year_movement(2023)
    basis = two_of_three(m, "2023-12-20")
    # when the flag is decided on 2024-01-01
    message = refused(books, ["regime"], "CTD", m, "emulation_flag", [U1], basis=basis,
                      decided_on="2024-01-01")  # fmt: skip
    # then the statute is named: 80 % of all members, by secret ballot (Decree 98/2023 Art. 30(7))
    short = "recipient 'U1' passed session S-CTD with 2 yes of 3 members, short of at least"
    assert f"{short} 80 %" in message
    openly = "session S-CTD voted openly, but the statute (2024: Nghị định 98/2023/NĐ-CP, Điều"
    assert f"{openly} 30, khoản 7) requires a secret ballot for emulation_flag" in message


def test_review_2024_an_override_of_the_statute_is_signed_and_shown() -> None:
    books, m = Books(), year_movement(2023)
    basis = two_of_three(m, "2023-12-20")
    writes = books.decide("CTD", m, "emulation_flag", [U1], basis=basis, decided_on="2025-07-01",
                          overrides={"regime": "Hội đồng họp trước ngày luật mới"})  # fmt: skip
    assert writes.decision.regime == "2025"
    assert [v.rule for v in writes.decision.violations] == ["regime", "regime"]


# -- prerequisites (rule 2) ----------------------------------------------------------------------


def base_ready(books: Books, m: Movement) -> None:
    """P1: advanced worker of the year and rated excellent completion, but no initiative."""
    books.grant("AW", m, "advanced_worker", [person("P1")] + [person(f"X{i}") for i in range(9)])
    books.grant("HT", m, "excellent_completion", [person("P1")])


def test_prerequisites_2003_excellent_completion_is_not_enough() -> None:
    books, m = Books(), year_movement(2023)
    base_ready(books, m)
    basis = closed_session(m, "S-CS", "emulation_fighter_base", ["P1"], closed="2023-12-20")
    message = refused(books, ["prerequisites"], "CS", m, "emulation_fighter_base",
                      [person("P1")], basis=basis, decided_on="2023-12-31")  # fmt: skip
    assert "has no recognised initiative of any scope for 2023 (regime 2003)" in message


def test_prerequisites_2024_excellent_completion_is_evidence() -> None:
    books, m = Books(), year_movement(2023)
    base_ready(books, m)
    basis = closed_session(m, "S-CS", "emulation_fighter_base", ["P1"], closed="2024-01-01")
    writes = books.decide("CS", m, "emulation_fighter_base", [person("P1")], basis=basis,
                          decided_on="2024-01-01")  # fmt: skip
    assert writes.decision.violations == []
    [entered] = [a for a in books.records["P1"].awards if a.decision == "CS"]
    assert entered.initiative is None  # no initiative used up


def fighter_history(books: Books, award: str, years: list[int]) -> None:
    for year in years:
        books.grant(f"{award}-{year}", year_movement(year), award, [person("P1")])


@pytest.mark.parametrize(
    ("award", "history", "scope", "passes"),
    [
        ("emulation_fighter_ministry", "emulation_fighter_base", "base", False),
        ("emulation_fighter_ministry", "emulation_fighter_base", "ministry", True),
        ("emulation_fighter_ministry", "emulation_fighter_base", "national", True),
        ("emulation_fighter_national", "emulation_fighter_ministry", "ministry", False),
        ("emulation_fighter_national", "emulation_fighter_ministry", "national", True),
    ],
)
def test_prerequisites_initiative_scope(award: str, history: str, scope: str, passes: bool) -> None:
    # given the consecutive titles the award needs and one initiative of `scope` in 2019
    books, m = Books(), year_movement(2019)
    fighter_history(books, history, [2017, 2018, 2019])
    initiative = note_initiative(books, "P1", 2019, scope=scope)
    basis = closed_session(m, "S", award, ["P1"], members=10, closed="2019-12-20")
    if passes:
        # when decided: then it rests on that initiative, signed into the record
        books.decide("D", m, award, [person("P1")], basis=basis)
        [entered] = [a for a in books.records["P1"].awards if a.decision == "D"]
        assert entered.initiative == initiative
        return
    wanted = "ministry/national" if award.endswith("ministry") else "national"
    message = refused(books, ["prerequisites"], "D", m, award, [person("P1")], basis=basis)
    assert f"has no recognised initiative of {wanted} scope for 2017-2019" in message or (
        "for 2018-2019" in message
    )


def test_one_initiative_is_the_basis_of_one_award_only() -> None:
    # given base fighter titles for 2017 and 2018, and one ministry-scope initiative in 2019
    books, m = Books(), year_movement(2019)
    fighter_history(books, "emulation_fighter_base", [2017, 2018])
    books.grant("AW", m, "advanced_worker", [person("P1")] + [person(f"X{i}") for i in range(9)])
    note_initiative(books, "P1", 2019, scope="ministry")
    # when the 2019 base fighter title is decided on it
    base = closed_session(m, "S-CS", "emulation_fighter_base", ["P1"], closed="2019-12-20")
    books.decide("CS", m, "emulation_fighter_base", [person("P1")], basis=base)
    # then the ministry title cannot rest on the same initiative
    ministry = closed_session(m, "S-CSB", "emulation_fighter_ministry", ["P1"], members=10,
                              closed="2019-12-21")  # fmt: skip
    message = refused(books, ["prerequisites"], "CSB", m, "emulation_fighter_ministry",
                      [person("P1")], basis=ministry)  # fmt: skip
    used = "'SK-P1-2019-ministry' is already the basis of decision CS"
    assert f"{used} (one initiative, one award)" in message
    # and with a second ministry-scope initiative it can
    note_initiative(books, "P1", 2018, scope="ministry")
    books.decide("CSB", m, "emulation_fighter_ministry", [person("P1")], basis=ministry)


def test_a_base_title_prefers_a_base_scope_initiative() -> None:
    books, m = Books(), year_movement(2019)
    books.grant("AW", m, "advanced_worker", [person("P1")] + [person(f"X{i}") for i in range(9)])
    note_initiative(books, "P1", 2019, scope="ministry")
    base_one = note_initiative(books, "P1", 2019, scope="base")
    basis = closed_session(m, "S-CS", "emulation_fighter_base", ["P1"], closed="2019-12-20")
    books.decide("CS", m, "emulation_fighter_base", [person("P1")], basis=basis)
    [entered] = [a for a in books.records["P1"].awards if a.decision == "CS"]
    assert entered.initiative == base_one


# -- competence with dates (rule 5) ---------------------------------------------------------------


def chair(level: str) -> tuple[Actor, str]:
    return Actor(f"ct-{level}", roles=frozenset({"authority"}), unit="X1",
                 competence=ALL_AWARDS), level  # fmt: skip


@pytest.mark.parametrize(
    ("level", "day", "allowed"),
    [
        ("commune", "2025-06-30", False),  # before Decree 129/2025: Giấy khen only
        ("commune", "2025-07-01", True),
        ("district", "2025-06-30", True),
        ("district", "2025-07-01", False),  # district level abolished
        ("agency", "2025-07-01", True),  # not in the matrix: the signer's list decides
    ],
)
def test_competence_follows_the_statutory_matrix_of_the_date(
    level: str, day: str, allowed: bool
) -> None:
    # given a chair whose registered list holds every kind, and a passed review
    authority, level = chair(level)
    books, m = Books(), year_movement(2025)
    basis = closed_session(m, "S-AW", "advanced_worker", ["P1"], closed="2025-06-01")
    args = ("LDTT", m, "advanced_worker", [person("P1")])
    kwargs = {"basis": basis, "decided_on": day, "authority": authority, "authority_level": level}
    if allowed:
        # when it decides advanced workers on `day`: then decided
        assert books.decide(*args, **kwargs).decision.violations == []  # type: ignore[arg-type]
        return
    # when it decides on `day`: then refused by rule competence, naming the regime
    message = refused(books, ["competence"], *args, **kwargs)
    assert (f"authority 'ct-{level}':" in message and "regime 2024" in message) or (
        "no longer exist (regime 2025)" in message
    )


# -- annulment competence (rule 5, Law 2022 Art. 93(8)) -----------------------------------------


def decided_by(unit: str | None) -> tuple[Books, Decision, Actor]:
    head = Actor("cvp-hna", roles=frozenset({"authority"}), unit=unit, competence=ALL_AWARDS)
    books, m = Books(), year_movement(2019)
    writes = books.award("1/QĐ", m, "advanced_worker", [person("P1")], authority=head)
    return books, writes.decision, head


def test_annulment_by_the_authority_that_decided() -> None:
    books, decision, head = decided_by("HNA")
    undone = annul(decision, books.registers["TD-2019"], books.records["P1"], "P1",
                   "false_declaration", "khai man", head, at=at("2020-03-01"))  # fmt: skip
    assert undone.decision.annulled == {"P1": "false_declaration"}


@pytest.mark.parametrize(
    ("successors", "allowed"), [(["HNA"], False), (["HNA", "NBH"], True), ([], False)]
)
def test_annulment_by_another_authority_only_as_the_recorded_successor(
    successors: list[str], allowed: bool
) -> None:
    # given a decision of Hà Nam's head, and Ninh Bình's head (competent for the kind)
    books, decision, _ = decided_by("HNA")
    other = Actor("cvp-nbh", roles=frozenset({"authority"}), unit="NBH", competence=ALL_AWARDS)
    register, record = books.registers["TD-2019"], books.records["P1"]

    def attempt() -> object:
        return annul(decision, register, record, "P1", "false_declaration", "khai man", other,
                     at=at("2025-08-01"), deciding_units=successors)  # fmt: skip

    if allowed:
        # when Hà Nam's office was merged into Ninh Bình's: Ninh Bình's head may annul
        attempt()
        assert decision.annulled == {"P1": "false_declaration"}
        return
    # when no merger is recorded: refused, nothing recorded
    with pytest.raises(NotCompetentError, match=r"only the authority that decided \('cvp-hna'\)"):
        attempt()
    recorded(decision)
    recorded(register)
    recorded(record)


# -- written votes of absent members (rule 3, Decree 98/2023 Art. 30(7)) -------------------------

DOC = bytes.fromhex("ab" * 32)  # the SHA-256 of a written vote's document


def review_of_ten(opened: str) -> ReviewSession:
    m = year_movement(int(opened[:4]))
    s = ReviewSession.open("S-LDTT", m, "advanced_worker", ["P1"], [f"m{i}" for i in range(10)],
                           at=at(opened, 8), registered=["P1"], mode="open")  # fmt: skip
    s.collect_events()
    return s


@pytest.mark.parametrize(
    ("present", "written", "quorum_met", "passed"),
    [
        (7, 1, True, True),  # 7 of 10 present (2/3 met); 6 yes of 10 with the written one
        (6, 2, False, False),  # 8 yes, but only 6 present: short of the quorum of members present
    ],
)
def test_written_votes_count_in_the_votes_not_in_the_quorum(
    present: int, written: int, quorum_met: bool, passed: bool
) -> None:
    # given a 2024 review of ten members; `present` vote at the meeting, 5 of them yes
    s = review_of_ten("2024-12-20")
    for i in range(present):
        s.cast_vote(member(f"m{i}"), ["P1"] if i < 5 else [], [] if i < 5 else ["P1"],
                    at=at("2024-12-20", 9))  # fmt: skip
    # when `written` absent members vote yes in writing, each signing its document's hash
    for i in range(present, present + written):
        s.cast_vote(member(f"m{i}"), ["P1"], [], at=at("2024-12-20", 9), document_hash=DOC)
    # then the written votes are recorded as written, counted as votes, not as presence
    events = recorded(s, *[ReviewSession.VoteCast] * (present + written))
    assert [e.document_hash for e in events[present:]] == [DOC] * written
    results = s.results()
    assert (results.taking_part, results.written, results.quorum_met) == (
        present,
        written,
        quorum_met,
    )
    assert results.results[0].yes == 5 + written and results.results[0].passed is passed


def test_written_votes_are_refused_where_the_regime_has_none() -> None:
    # given a 2023 review (regime 2003 holds no text on votes in writing)
    s = review_of_ten("2023-12-20")
    # when an absent member votes in writing: refused, nothing recorded
    with pytest.raises(DomainError, match=r"regime 2003 does not provide for votes in writing"):
        s.cast_vote(member("m0"), ["P1"], [], at=at("2023-12-20", 9), document_hash=DOC)
    recorded(s)


def test_a_written_vote_needs_a_sha256() -> None:
    s = review_of_ten("2025-07-01")
    with pytest.raises(UsageError, match=r"a written vote's document hash must be SHA-256"):
        s.cast_vote(member("m0"), ["P1"], [], at=at("2025-07-01", 9), document_hash=b"short")
    recorded(s)


@pytest.mark.parametrize(("day", "allowed"), [("2025-06-30", True), ("2025-07-01", False)])
def test_competence_ends_when_the_authority_s_unit_is_merged(day: str, allowed: bool) -> None:
    # given Hà Nam's office head, whose office was merged into Ninh Bình's on 2025-07-01
    head = Actor("cvp-hna", roles=frozenset({"authority"}), unit="HNA", competence=ALL_AWARDS)
    books, m = Books(), year_movement(2025)
    args = ("GK", m, "certificate_of_merit", [person("P1")])
    kwargs = {"decided_on": day, "authority": head, "authority_merged": ("NBH", date(2025, 7, 1))}
    if allowed:
        # when it decides the day before: decided
        assert books.decide(*args, **kwargs).decision.violations == []  # type: ignore[arg-type]
        return
    # when it decides from the merger on: refused, the successor decides now
    message = refused(books, ["competence"], *args, **kwargs)
    assert message.endswith(
        "its unit 'HNA' was merged into 'NBH' on 2025-07-01; decisions from then are its "
        "successor's"
    )


# -- the signer's competence period (rule 5) ----------------------------------------------------


def commune_chair(start: str | None, until: str | None = None) -> Actor:
    """A commune chair whose registration bounds its competence to `start`..`until`."""
    return Actor("ct-xa", roles=frozenset({"authority"}), unit="XA1", competence=ALL_AWARDS,
                 competent_from=date.fromisoformat(start) if start else None,
                 competent_until=date.fromisoformat(until) if until else None)  # fmt: skip


@pytest.mark.parametrize(
    ("day", "rules"),
    [
        ("2025-06-30", ["competence"]),  # the day before its period (and before Decree 129)
        ("2025-07-01", []),  # its first day, and the regime's
        ("2025-12-31", []),  # its last day
        ("2026-01-01", ["competence"]),  # the day after
    ],
)
def test_a_decision_outside_the_signers_competence_period_breaks_competence(
    day: str, rules: list[str]
) -> None:
    # given a commune chair competent from 2025-07-01 until 2025-12-31, and a passed review
    authority = commune_chair("2025-07-01", "2025-12-31")
    books, m = Books(), year_movement(2025)
    basis = closed_session(m, "S-AW", "advanced_worker", ["P1"], closed="2025-06-01")
    args = ("LDTT", m, "advanced_worker", [person("P1")])
    kwargs = {"basis": basis, "decided_on": day, "authority": authority,
              "authority_level": "commune"}  # fmt: skip
    if not rules:
        # when it decides advanced workers on a day inside its period: then decided
        assert books.decide(*args, **kwargs).decision.violations == []  # type: ignore[arg-type]
        return
    # when it decides on a day outside: then refused by rule competence, naming the period
    message = refused(books, rules, *args, **kwargs)
    assert (
        f"authority 'ct-xa': a decision dated {day} lies outside its competence period "
        "2025-07-01 – 2025-12-31"
    ) in message


def test_a_period_open_at_one_end_bounds_only_the_other() -> None:
    # given a chair competent from 2025-07-01 with no end recorded
    authority = commune_chair("2025-07-01")
    books, m = Books(), year_movement(2030)
    basis = closed_session(m, "S-AW", "advanced_worker", ["P1"], closed="2030-06-01")
    # when it decides in 2030: then decided (no end)
    decided = books.decide("LDTT", m, "advanced_worker", [person("P1")], basis=basis,
                           decided_on="2030-06-02", authority=authority)  # fmt: skip
    assert decided.decision.violations == []


def test_a_decision_outside_the_period_may_be_overridden_and_keeps_its_violation() -> None:
    # given a chair competent only from 2025-07-01, and a paper decision of 2025-06-30
    authority = commune_chair("2025-07-01")
    books, m = Books(), year_movement(2025)
    basis = closed_session(m, "S-AW", "advanced_worker", ["P1"], closed="2025-06-01")
    # when it is entered with an override of rule competence
    reason = {"competence": "Quyết định giấy do người tiền nhiệm ký"}
    writes = books.decide("LDTT", m, "advanced_worker", [person("P1")], basis=basis,
                          decided_on="2025-06-30", authority=authority,
                          overrides=reason)  # fmt: skip
    # then it is recorded with the violation it overrode
    assert [v.rule for v in writes.decision.violations] == ["competence"]
    assert "outside its competence period 2025-07-01 – …" in writes.decision.violations[0].message


@pytest.mark.parametrize(("day", "allowed"), [("2025-12-31", True), ("2026-01-01", False)])
def test_an_annulment_outside_the_annullers_period_is_refused(day: str, allowed: bool) -> None:
    # given a decision of a head whose competence ends on 2025-12-31
    head = Actor("cvp-hna", roles=frozenset({"authority"}), unit="HNA", competence=ALL_AWARDS,
                 competent_until=date(2025, 12, 31))  # fmt: skip
    books, m = Books(), year_movement(2025)
    decision = books.award("1/QĐ", m, "advanced_worker", [person("P1")], authority=head).decision
    register, record = books.registers["TD-2025"], books.records["P1"]

    def attempt() -> object:
        return annul(decision, register, record, "P1", "false_declaration", "khai man", head,
                     at=at(day))  # fmt: skip

    if allowed:
        # when it annuls on its last day: annulled
        attempt()
        assert decision.annulled == {"P1": "false_declaration"}
        return
    # when it annuls the day after: refused, nothing recorded
    with pytest.raises(NotCompetentError, match=r"outside its competence period … – 2025-12-31"):
        attempt()
    recorded(decision)
    recorded(register)
    recorded(record)


# -- quota after a merger (rule 1, read side of succession) ------------------------------------

MERGED = {"U1": ("U2", date(2025, 7, 1))}  # U1 was merged into U2 on 2025-07-01


@pytest.mark.parametrize(("day", "rules"), [("2025-06-30", ["quota"]), ("2025-07-01", [])])
def test_a_rulebook_quota_counts_a_merged_unit_with_its_successor(
    day: str, rules: list[str]
) -> None:
    # given a rulebook quota of 20 %, U1 with 5 advanced workers and 1 fighter of 2025, U2 with
    # 10 advanced workers, and U1 merged into U2 on 2025-07-01
    rulebook = msgspec.structs.replace(DEFAULT_RULEBOOK, fighter_quota=Share(1, 5))
    m = movement("TD-2025", start="2025-01-01", end="2025-12-31", deadline="2025-02-18",
                 cluster_deadline=None, rulebook=rulebook)  # fmt: skip
    books = Books()
    books.grant("AW1", m, "advanced_worker", [person(f"P{i}") for i in range(5)])
    books.grant("AW2", m, "advanced_worker", [person(f"Q{i}", "U2") for i in range(10)])
    note_initiative(books, "P0", 2025)
    books.grant("CS0", m, "emulation_fighter_base", [person("P0")], decided_on="2025-06-01")
    note_initiative(books, "P1", 2025)
    basis = closed_session(m, "S-CS", "emulation_fighter_base", ["P1"], closed="2025-06-20")
    args = ("CS1", m, "emulation_fighter_base", [person("P1")])
    kwargs = {"basis": basis, "decided_on": day, "mergers": MERGED}
    if rules:
        # when U1's second fighter is decided the day before the merger: U1 alone, 2 for 5
        message = refused(books, rules, *args, **kwargs)
        assert "unit 'U1' would have 2 emulation_fighter_base for 5 advanced_worker" in message
        return
    # when it is decided from the merger's day: U2 counts U1's people too, 2 for 15: decided
    assert books.decide(*args, **kwargs).decision.violations == []  # type: ignore[arg-type]


def test_successor_on_follows_each_merger_dated_by_then() -> None:
    mergers = {"A": ("B", date(2025, 7, 1)), "B": ("C", date(2025, 9, 1))}
    assert [successor_on("A", date.fromisoformat(d), mergers)
            for d in ("2025-06-30", "2025-07-01", "2025-09-01")] == ["A", "B", "C"]  # fmt: skip
    assert successor_on("C", date(2030, 1, 1), mergers) == "C"
