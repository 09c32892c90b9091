"""The report judges every decision by the law of its date, also decisions signed before the
ledger checked it: an emulation flag decided in 2024 on 4 of 7 votes in an open session, when
only "more than half" was checked, is a violation of Decree 98/2023 Art. 30(7)."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.decision import Decision
from domain.movement import Movement
from domain.register import Recipient
from domain.registry import Signer, Unit
from domain.session import ReviewSession
from projections.awards import award_rows, cascade_flags
from projections.compliance import compliance_checks, quota_use
from projections.view import LedgerView, fold
from tests.domain.scenario import at, member
from tests.projections.builder import CRITERIA, MemorySink

MEMBERS = [f"m{i}" for i in range(7)]
U1 = Recipient("U1", "unit", "U1")


def flag_decided(decided_on: date, session_day: str, yes: int) -> LedgerView:
    """A 2023-24 movement; an open review of a flag for U1 (`yes` of 7 say yes), and a decision
    recorded as one signed before regimes was (no violation, no regime)."""
    sink = MemorySink()
    m = Movement.launch("TD-2024", "Thi đua 2024", start=date(2023, 1, 1),
                        end=date(2024, 12, 31), unit_deadline=date(2023, 2, 18),
                        cluster_deadline=None, criteria=CRITERIA, spec_hash=b"\x01" * 32,
                        at=at("2023-01-02"))  # fmt: skip
    sink.save("sec", [m])
    s = ReviewSession.open("S-CTD", m, "emulation_flag", ["U1"], MEMBERS, at=at(session_day, 8),
                           registered=["U1"], mode="open")  # fmt: skip
    for i, name in enumerate(MEMBERS):
        said = (["U1"], []) if i < yes else ([], ["U1"])
        s.cast_vote(member(name), *said, at=at(session_day, 9))
    s.close(at=at(session_day, 10))
    sink.save("ch", [s])
    kinds = frozenset({"emulation_flag"})
    authority = Actor("bt", roles=frozenset({"authority"}), competence=kinds)
    d = Decision.record("1/QĐ", m, "emulation_flag", [U1], authority, decided_on,
                        at=at(decided_on.isoformat()), basis="S-CTD", overrides={},
                        violations=[], regime=None)  # fmt: skip
    sink.save("bt", [d])
    view = LedgerView()
    for event, meta in sink.pairs:
        view = fold(view, event, meta)
    return view


def checks_of(view: LedgerView) -> list[tuple[str, str, str]]:
    movement = view.catalog.movements["TD-2024"]
    flags = cascade_flags(view.decisions, view.catalog)
    rows = award_rows(view.decisions, view.catalog, "TD-2024", flags)
    found = compliance_checks(view, movement, rows, flags, quota_use(view, movement, rows))
    return [(c.rule, c.status, c.regime or "") for c in found if c.status != "ok"]


def test_a_2024_flag_by_four_of_seven_votes_is_a_violation_of_the_statute() -> None:
    # given a flag reviewed openly at the end of 2023, 4 of 7 members saying yes (more than
    # half), decided on 2024-03-01 by a ledger that did not yet check the statute
    view = flag_decided(date(2024, 3, 1), "2023-12-28", yes=4)
    # when the report checks it
    movement = view.catalog.movements["TD-2024"]
    flags = cascade_flags(view.decisions, view.catalog)
    rows = award_rows(view.decisions, view.catalog, "TD-2024", flags)
    found = compliance_checks(view, movement, rows, flags, quota_use(view, movement, rows))
    # then: two violations of rule regime, judged by regime 2024 with its citation
    beyond = [c for c in found if c.rule == "regime"]
    assert [(c.status, c.subject, c.regime) for c in beyond] == [
        ("violation", "S-CTD", "2024"),
        ("violation", "U1", "2024"),
    ]
    assert "4 yes of 7 members, short of at least 80 %" in beyond[1].detail
    assert "requires a secret ballot for emulation_flag" in beyond[0].detail
    assert all(c.citation for c in found)


def test_the_same_flag_decided_in_2023_is_lawful() -> None:
    view = flag_decided(date(2023, 12, 31), "2023-12-20", yes=4)
    assert [c for c in checks_of(view) if c[0] == "regime"] == []


def test_a_decision_by_the_head_of_a_merged_unit_is_a_competence_violation() -> None:
    # given U1 merged into U2 on 2025-07-01, and U1's head with the kind in its list
    sink = MemorySink()
    u1, u2 = Unit.add("U1", "Phòng Một", "division", None), Unit.add("U2", "Phòng Hai", "division",
                                                                     None)  # fmt: skip
    sink.save("sec", [u1, u2])
    head = Signer.register("hu1", b"\x02" * 32, ["authority"], "U1", ["certificate_of_merit"], None)
    sink.save("op", [head])
    u1.merge_into(u2, "Nghị quyết sắp xếp 2025", at=at("2025-07-01"), chain=["U2"])
    sink.save("sec", [u1])
    m = Movement.launch("TD-2025", "Thi đua 2025", start=date(2025, 1, 1), end=date(2025, 12, 31),
                        unit_deadline=date(2025, 2, 18), cluster_deadline=None,
                        criteria=CRITERIA, spec_hash=b"\x01" * 32, at=at("2025-01-02"))  # fmt: skip
    sink.save("sec", [m])
    actor = Actor("hu1", roles=frozenset({"authority"}), unit="U1",
                  competence=frozenset({"certificate_of_merit"}))  # fmt: skip
    # when a decision of 2025-07-02, recorded as one signed before the check existed
    d = Decision.record("2/QĐ", m, "certificate_of_merit", [U1], actor, date(2025, 7, 2),
                        at=at("2025-07-02"), basis=None, overrides={}, violations=[])  # fmt: skip
    sink.save("hu1", [d])
    view = LedgerView()
    for event, meta in sink.pairs:
        view = fold(view, event, meta)
    # then the report finds it: the unit's competence ended with the merger
    assert view.catalog.units["U1"].merged_into == "U2"
    movement = view.catalog.movements["TD-2025"]
    rows = award_rows(view.decisions, view.catalog, "TD-2025", [])
    found = compliance_checks(view, movement, rows, [], quota_use(view, movement, rows))
    [check] = [c for c in found if c.rule == "competence" and c.status != "ok"]
    assert check.status == "violation" and check.regime == "2025"
    assert "its unit 'U1' was merged into 'U2' on 2025-07-01" in check.detail
