"""Annulments (Law 2022 Art. 93) and the cascade to the awards that relied on them (rule 9)."""

from __future__ import annotations

import pytest

from domain.actor import Actor
from domain.cascade import Dependent, dependent_awards
from domain.decision import Decision, DecisionWrites, annul
from domain.errors import (
    AlreadyAnnulledError,
    NotCompetentError,
    NotFoundError,
    RuleViolationError,
    UsageError,
)
from domain.register import AwardRegister, RecipientRecord
from tests.domain.scenario import AUTHORITY, Books, at, movement, note_initiative, person, unit
from tests.gwt import recorded

M = movement()
WHEN = at("2020-03-01")


def annul_in(
    books: Books, writes: DecisionWrites, recipient: str, authority: Actor = AUTHORITY, **kw: object
) -> DecisionWrites:
    undone = annul(
        writes.decision,
        books.registers[writes.decision.movement],
        books.records[recipient],
        recipient,
        kw.pop("ground", "false_declaration"),  # type: ignore[arg-type]
        kw.pop("reason", "hồ sơ khai man"),  # type: ignore[arg-type]
        authority,
        at=WHEN,
        movement=M,
        **kw,  # type: ignore[arg-type]
    )
    return undone


def test_annul_marks_decision_register_and_record() -> None:
    books = Books()
    writes = books.award("1/QĐ", M, "advanced_worker", [person("P1"), person("P2")])
    undone = annul_in(books, writes, "P1")
    [event] = recorded(undone.decision, Decision.RecipientAnnulled)
    assert (event.recipient, event.ground, event.reason) == (
        "P1",
        "false_declaration",
        "hồ sơ khai man",
    )
    recorded(undone.register, AwardRegister.AwardAnnulled)
    [record] = undone.records
    recorded(record, RecipientRecord.AwardAnnulled)
    assert undone.decision.annulled == {"P1": "false_declaration"}
    assert books.registers["TD-2019"].count("advanced_worker", "U1", 2019) == 1
    assert books.records["P1"].holds("advanced_worker", 2019) is None
    assert books.records["P2"].holds("advanced_worker", 2019) is not None


def test_annulment_frees_quota() -> None:
    books = Books()
    books.grant("AW", M, "advanced_worker", [person(f"P{i}") for i in range(7)])
    for pid in ("P1", "P2"):
        note_initiative(books, pid, 2019)
    first = books.award("CS1", M, "emulation_fighter_base", [person("P1")])
    with pytest.raises(RuleViolationError, match=r"would have 2 emulation_fighter_base"):
        books.award("CS2", M, "emulation_fighter_base", [person("P2")])
    books.keep(annul_in(books, first, "P1", ground="standard_not_met"))
    books.award("CS2", M, "emulation_fighter_base", [person("P2")])


def test_annulled_award_may_be_decided_again() -> None:
    books = Books()
    writes = books.decide("1/QĐ", M, "certificate_of_merit", [person("P1")])
    books.keep(annul_in(books, writes, "P1", ground="unlawful_procedure"))
    books.decide("2/QĐ", M, "certificate_of_merit", [person("P1")])


@pytest.mark.parametrize(
    ("recipient", "kw", "error", "message"),
    [
        ("P1", {"ground": "mistake"}, UsageError, r"ground 'mistake' is not one of false_decla"),
        ("P1", {"reason": "  "}, UsageError, r"annulment of 'P1' in decision 1/QĐ: reason must"),
        (
            "P1",
            {"authority": Actor("vp", competence=frozenset({"emulation_flag"}))},
            NotCompetentError,
            r"authority 'vp' may not annul advanced_worker",
        ),
    ],
)
def test_annul_rejected(
    recipient: str, kw: dict[str, object], error: type[Exception], message: str
) -> None:
    books = Books()
    writes = books.award("1/QĐ", M, "advanced_worker", [person("P1")])
    authority = kw.pop("authority", AUTHORITY)
    with pytest.raises(error, match=message):
        annul_in(books, writes, recipient, authority, **kw)  # type: ignore[arg-type]
    recorded(writes.decision)
    recorded(books.registers["TD-2019"])
    recorded(books.records["P1"])


def test_annul_rejected_for_someone_not_in_the_decision() -> None:
    books = Books()
    writes = books.award("1/QĐ", M, "advanced_worker", [person("P1")])
    books.award("2/QĐ", M, "advanced_worker", [person("P2")])
    with pytest.raises(NotFoundError, match=r"recipient 'P2' is not in decision 1/QĐ"):
        annul_in(books, writes, "P2")
    recorded(writes.decision)


def test_annul_twice_rejected() -> None:
    books = Books()
    writes = books.award("1/QĐ", M, "advanced_worker", [person("P1")])
    books.keep(annul_in(books, writes, "P1"))
    with pytest.raises(
        AlreadyAnnulledError,
        match=r"annulment of 'P1' in decision 1/QĐ "
        r"rejected: already annulled",
    ):
        annul_in(books, writes, "P1")
    recorded(writes.decision)


# -- cascade (rule 9) ----------------------------------------------------------------------------


def test_annulling_advanced_worker_flags_the_fighter_title() -> None:
    books = Books()
    aw = books.award("AW", M, "advanced_worker", [person(f"P{i}") for i in range(7)])
    note_initiative(books, "P1", 2019)
    cs = books.award("CS", M, "emulation_fighter_base", [person("P1")])
    undone = annul_in(books, aw, "P1")
    assert undone.dependents == (
        Dependent(
            "P1",
            "emulation_fighter_base",
            2019,
            "CS",
            "recipient 'P1' lacks advanced_worker for 2019, which emulation_fighter_base needs",
        ),
    )
    assert cs.decision.number == "CS"


def test_annulling_a_base_title_flags_the_ministry_title_in_its_window() -> None:
    books = Books()
    for year in (2017, 2018, 2019):
        m = movement(
            f"TD-{year}",
            start=f"{year}-01-01",
            end=f"{year}-12-31",
            deadline=f"{year}-02-18",
            cluster_deadline=None,
        )
        base = books.decide(
            f"CS-{year}",
            m,
            "emulation_fighter_base",
            [person("P1")],
            overrides=dict.fromkeys(("prerequisites", "quota", "review"), "history"),
        )
    note_initiative(books, "P1", 2019, scope="ministry")
    books.award("CSB", M, "emulation_fighter_ministry", [person("P1")])
    undone = annul_in(books, base, "P1")  # the 2019 base title
    [dependent] = undone.dependents
    assert (dependent.award, dependent.year, dependent.decision) == (
        "emulation_fighter_ministry",
        2019,
        "CSB",
    )


def test_alternative_evidence_keeps_the_fighter_title_standing() -> None:
    m = movement(
        "TD-2024",
        start="2024-01-01",
        end="2024-12-31",
        deadline="2024-02-18",
        cluster_deadline=None,
    )
    books = Books()
    books.award("AW", m, "advanced_worker", [person(f"P{i}") for i in range(7)])
    rating = books.decide("HT", m, "excellent_completion", [person("P1")])
    note_initiative(books, "P1", 2024)
    books.award("CS", m, "emulation_fighter_base", [person("P1")])
    books.keep(annul_in(books, rating, "P1"))
    record = books.records["P1"]
    [held] = [a for a in record.awards if a.decision == "HT"]
    assert dependent_awards(record, held, m.rulebook) == []


def test_annulling_an_advanced_worker_flags_the_excellent_collective() -> None:
    books = Books()
    aw = books.award("AW", M, "advanced_worker", [person(f"P{i}") for i in range(7)])
    note_initiative(books, "P0", 2019)
    books.award("CS", M, "emulation_fighter_base", [person("P0")])
    books.award("TT", M, "excellent_collective", [unit("U1")], headcounts={"U1": 10})
    undone = annul_in(books, aw, "P3", headcounts={"U1": 10})
    assert undone.dependents == (
        Dependent(
            "U1",
            "excellent_collective",
            2019,
            "TT",
            "recipient 'U1' has 6 advanced_worker of 10 members in 2019, below 70 %",
        ),
    )
