"""Recovery after an annulment (Law 2022 Art. 93(2)) and the bonus data it is computed from.

An annulment signs what is to be recovered: the certificate or medal, and the bonus money —
a multiple of the base salary in force on the decision's date, per regime (Decree 91/2017,
98/2023, 152/2025 Art. 50). Each recovery is a later signed event; money may come back in
parts; nothing is recovered that is not due, twice, or beyond what is owed."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.bonus import bonus_for, bonus_table, parse_bonus_table
from domain.decision import Decision, annul
from domain.errors import (
    AlreadyRecoveredError,
    MalformedInputError,
    NotFoundError,
    RecoveryNotDueError,
    UsageError,
)
from domain.recovery import RecoveryDue, outstanding, recoveries_due
from domain.regimes import all_regimes
from tests.domain.scenario import AUTHORITY, Books, at, movement, person, unit
from tests.gwt import recorded

M = movement()
SECRETARY = Actor("sec", roles=frozenset({"secretary"}))
HEAD = Actor("bt", roles=frozenset({"authority"}), competence=frozenset({"letter_of_commendation"}))


def annulled(award: str = "advanced_worker", recipient: str = "P1") -> Decision:
    """Given: decision 1/QĐ of `award` to P1 and P2 (28/12/2019), `recipient`'s annulled."""
    books = Books()
    writes = books.award("1/QĐ", M, award, [person("P1"), person("P2")])
    undone = annul(
        writes.decision,
        books.registers["TD-2019"],
        books.records[recipient],
        recipient,
        "false_declaration",
        "hồ sơ khai man",
        AUTHORITY,
        at=at("2020-03-01"),
    )
    [event] = recorded(undone.decision, Decision.RecipientAnnulled)
    assert event.recoveries == undone.decision.recoveries_due[recipient]  # signed as applied
    return undone.decision


# -- the bonus data ------------------------------------------------------------------------------


def test_every_regime_has_bonus_figures_and_every_figure_a_citation() -> None:
    # given the shipped table, then each regime id has a section, and each figure's citation
    # (its own or its regime's) names a decree
    table = bonus_table()
    assert {r.id for r in all_regimes()} == set(table.regime)
    for regime in table.regime.values():
        for entry in regime.kinds.values():
            assert "Nghị định" in (entry.citation or regime.citation)
    assert all(row.citation.startswith("Nghị định") for row in table.base_salary)


@pytest.mark.parametrize(
    ("award", "kind", "day", "amount", "verified"),
    [
        # Decree 91/2017: no rounding; 0.3 × 1,490,000 (Decree 38/2019)
        ("advanced_worker", "person", "2019-12-28", 447_000, True),
        # the day before the base salary rose, and the day it did (Decree 24/2023)
        ("emulation_fighter_base", "person", "2023-06-30", 1_490_000, True),
        ("emulation_fighter_base", "person", "2023-07-01", 1_800_000, True),
        # Decree 98/2023 from 2024-01-01: rounded up to the ten thousand dong
        ("advanced_worker", "person", "2024-06-30", 540_000, True),
        ("advanced_worker", "person", "2024-07-01", 710_000, True),  # 702,000 rounded up
        # Decree 152/2025 Art. 50 from 2025-07-01
        ("emulation_fighter_national", "person", "2025-07-01", 10_530_000, True),
        ("emulation_flag_government", "unit", "2025-08-01", 28_080_000, True),
        # a figure carried over and not yet checked is marked so
        ("certificate_of_merit_pm", "person", "2025-08-01", 8_190_000, False),
        ("order_independence_1", "unit", "2024-08-01", 70_200_000, False),
    ],
)
def test_bonus_is_the_multiple_of_the_base_salary_on_the_decision_date(
    award: str, kind: str, day: str, amount: int, verified: bool
) -> None:
    bonus = bonus_for(award, kind, date.fromisoformat(day))
    assert bonus is not None
    assert (bonus.amount, bonus.verified) == (amount, verified)


def test_no_figure_is_none_not_a_guess() -> None:
    # a person title has no unit figure; no base salary is held before 2016-05-01
    assert bonus_for("advanced_worker", "unit", date(2024, 8, 1)) is None
    assert bonus_for("advanced_worker", "person", date(2015, 12, 28)) is None
    assert bonus_for("not_a_kind", "person", date(2024, 8, 1)) is None


def test_a_bonus_file_that_claims_a_figure_it_lacks_is_refused() -> None:
    text = """
[[base_salary]]
from = 2024-07-01
vnd = 2340000
citation = "Nghị định 73/2024/NĐ-CP"
verified = true

[regime.2025]
citation = "Nghị định 152/2025/NĐ-CP, Điều 50"
round_up_to = 10000

[regime.2025.kinds.advanced_worker]
person = 0.3
verified = ["unit"]
"""
    with pytest.raises(MalformedInputError, match=r"verified names a recipient kind"):
        parse_bonus_table(text)
    with pytest.raises(MalformedInputError, match=r"unknown field|Object contains unknown"):
        parse_bonus_table(text.replace("round_up_to", "rounding"))


# -- what an annulment records ------------------------------------------------------------------


def test_annulment_records_the_certificate_and_the_bonus_to_recover() -> None:
    # given P1's advanced worker title of 28/12/2019, when it is annulled
    decision = annulled()
    # then the annulment signed both items, the money at 0.3 × 1,490,000 VND with its basis
    [certificate, money] = decision.recoveries_due["P1"]
    assert certificate == RecoveryDue(item="certificate")
    assert (money.item, money.amount, money.multiple, money.base_salary) == (
        "money", 447_000, "0.3", 1_490_000
    )  # fmt: skip
    assert money.citation is not None and "Nghị định 91/2017/NĐ-CP" in money.citation


def test_annulment_of_an_award_without_a_figure_still_owes_money_of_unknown_amount() -> None:
    due = recoveries_due("advanced_worker", "unit", date(2024, 8, 1))
    assert [d.item for d in due] == ["certificate", "money"]
    assert due[1].amount is None


# -- recording recoveries -----------------------------------------------------------------------


def test_a_secretary_records_the_certificate_then_the_money_in_two_parts() -> None:
    decision = annulled()
    # when the secretary records the certificate recovered
    decision.record_recovery("P1", "certificate", SECRETARY, at=at("2020-04-01"), reference="BB 1")
    [event] = recorded(decision, Decision.RecoveryRecorded)
    assert (event.item, event.amount, event.recorded_by, event.reference) == (
        "certificate", None, "sec", "BB 1"
    )  # fmt: skip
    # and 100,000 VND of the money, then the rest (the default is all that is outstanding)
    assert decision.record_recovery("P1", "money", SECRETARY, at=at("2020-04-02"), amount=100_000)
    assert decision.record_recovery("P1", "money", AUTHORITY, at=at("2020-05-02")) == 347_000
    recorded(decision, Decision.RecoveryRecorded, Decision.RecoveryRecorded)
    # then nothing is outstanding
    rows = outstanding(decision.recoveries_due["P1"], decision.recovered["P1"])
    assert all(r.done for r in rows) and rows[1].recovered == 447_000


@pytest.mark.parametrize(
    ("recipient", "item", "amount", "error", "message"),
    [
        ("P2", "money", None, RecoveryNotDueError, r"P2.*rejected: the award is not annulled"),
        ("P9", "money", None, NotFoundError, r"recipient 'P9' is not in decision 1/QĐ"),
        ("P1", "medal", None, UsageError, r"item 'medal' is not one of certificate, money"),
        ("P1", "certificate", 5, UsageError, r"--amount is for money only"),
        ("P1", "money", 447_001, UsageError, r"447,001 VND is more than the 447,000 VND"),
        ("P1", "money", 0, UsageError, r"amount must be a whole number of VND above 0"),
    ],
)
def test_a_recovery_not_due_or_beyond_what_is_owed_is_refused(
    recipient: str, item: str, amount: int | None, error: type[Exception], message: str
) -> None:
    decision = annulled()
    with pytest.raises(error, match=message):
        decision.record_recovery(recipient, item, SECRETARY, at=at("2020-04-01"), amount=amount)
    recorded(decision)


def test_a_recovery_recorded_twice_is_refused() -> None:
    decision = annulled()
    decision.record_recovery("P1", "certificate", SECRETARY, at=at("2020-04-01"))
    decision.record_recovery("P1", "money", SECRETARY, at=at("2020-04-01"))
    decision.collect_events()
    for item in ("certificate", "money"):
        with pytest.raises(
            AlreadyRecoveredError, match=rf"recovery of {item} .* already recovered"
        ):
            decision.record_recovery("P1", item, SECRETARY, at=at("2020-04-02"))
    recorded(decision)


def test_money_of_unknown_amount_needs_an_amount_and_is_then_done() -> None:
    # given a unit's letter of commendation decided in 2015, before any base salary the data
    # holds, and annulled
    books = Books()
    writes = books.decide(
        "2/QĐ", M, "letter_of_commendation", [unit("U1")], decided_on="2015-12-28", authority=HEAD
    )
    undone = annul(
        writes.decision, books.registers["TD-2019"], books.records["U1"], "U1",
        "standard_not_met", "không đủ tiêu chuẩn", HEAD, at=at("2020-03-01"),
    )  # fmt: skip
    decision = undone.decision
    assert decision.recoveries_due["U1"][1].amount is None  # no base salary held for 2015
    with pytest.raises(UsageError, match=r"not in the bonus data; give --amount VND"):
        decision.record_recovery("U1", "money", SECRETARY, at=at("2020-04-01"))
    decision.record_recovery("U1", "money", SECRETARY, at=at("2020-04-01"), amount=250_000)
    with pytest.raises(AlreadyRecoveredError):
        decision.record_recovery("U1", "money", SECRETARY, at=at("2020-04-02"), amount=1)
