"""The read models as pure folds over hand-built events (no ledger, no database).

The events come from the domain's own commands (tests/projections/builder.py) with metadata a
test assigns; each read model is checked against what the domain itself computes.
"""

from __future__ import annotations

import copy
from datetime import date

import msgspec
import pytest

from domain.base import DomainEvent
from domain.movement import Movement, formula_total
from domain.participation import Participation
from domain.registry import Signer
from domain.session import ReviewSession
from projections.awards import award_rows, cascade_flags, summarise
from projections.catalog import Catalog, fold_catalog
from projections.history import History, fold_history
from projections.standings import ranking
from projections.stream import EventMeta
from projections.tallies import Sessions, fold_sessions
from projections.view import LedgerView, fold
from tests.gwt import replay
from tests.projections.builder import CRITERIA, MOVEMENT, T0, Written

Pairs = list[tuple[DomainEvent, EventMeta]]


def view_of(pairs: Pairs) -> LedgerView:
    state = LedgerView()
    for event, meta in pairs:
        state = fold(state, event, meta)
    return state


def aggregate_events(
    pairs: Pairs, event_type: type[DomainEvent], **match: object
) -> list[DomainEvent]:
    """The events of the aggregate whose `event_type` (its Created event) matches `match`."""
    [created] = [
        e for e, _ in pairs
        if isinstance(e, event_type) and all(getattr(e, k) == v for k, v in match.items())
    ]  # fmt: skip
    return [e for e, _ in pairs if e.originator_id == created.originator_id]


# -- the fold itself -------------------------------------------------------------------------------


def test_fold_ignores_events_no_read_model_handles(events: tuple[Written, Pairs]) -> None:
    _, pairs = events
    state = view_of(pairs)
    before = msgspec.json.encode(state)
    checkpoint = next(e for e, _ in pairs if type(e).__qualname__ == "Ledger.CheckpointSigned")

    after = fold(state, checkpoint, EventMeta(999, T0, "op"))

    assert msgspec.json.encode(after) == before


def test_fold_is_deterministic_and_reads_only_its_inputs(events: tuple[Written, Pairs]) -> None:
    _, pairs = events
    assert view_of(pairs) == view_of(copy.deepcopy(pairs))


# -- catalog ---------------------------------------------------------------------------------------


def test_catalog_keeps_units_people_movement_and_signers(events: tuple[Written, Pairs]) -> None:
    _, pairs = events
    catalog = Catalog()
    for event, meta in pairs:
        catalog = fold_catalog(catalog, event, meta)

    assert catalog.origin == "example.gov.vn/awards/test"
    assert catalog.units["PH1"].level == "division"
    assert catalog.people["P1"].direct_worker is True
    assert catalog.name_of("P3") == "Lê Văn Cường"
    assert catalog.headcounts() == {"PH1": 2, "VU1": 3}
    m = catalog.movements[MOVEMENT]
    assert (m.criteria, m.formula, m.unit_deadline) == (CRITERIA, "weighted_sum", date(2019, 2, 18))
    assert catalog.signers["bt"].competence[:1] == ["advanced_collective"]
    assert catalog.signers["sc"].person == "S1"
    assert len(catalog.signers["bt"].key_id) == 16


def test_catalog_marks_a_revoked_signer() -> None:
    signer = Signer.register("uv9", bytes(32), ["council_member"])
    signer.revoke("nghỉ hưu")
    catalog = Catalog()
    for seq, event in enumerate(signer.collect_events()):
        catalog = fold_catalog(catalog, event, EventMeta(seq, T0, "op"))

    assert catalog.signers["uv9"].revoked is True
    assert catalog.signers["uv9"].revoked_reason == "nghỉ hưu"


# -- standings -------------------------------------------------------------------------------------


def _scored(view: LedgerView, participant: str) -> tuple[dict[str, float], dict[str, float]]:
    """`participant`'s latest appraisal and self points in MOVEMENT, by criterion."""
    taking_part = view.participations.of(MOVEMENT)
    row = taking_part.participant_ids().index(participant)
    table = taking_part.table(view.catalog.movements[MOVEMENT])
    points = [
        {c: p[row] for c, p in zip(taking_part.criteria, columns, strict=True) if p[row] == p[row]}
        for columns in (table.appraisal, table.self_scores)
    ]
    return points[0], points[1]


def test_standings_keep_latest_appraisal_and_self_scores_apart(
    events: tuple[Written, Pairs],
) -> None:
    _, pairs = events
    view = view_of(pairs)
    taking_part = view.participations.of(MOVEMENT)
    rows = taking_part.participant_ids()
    p3, p4 = rows.index("P3"), rows.index("P4")
    assert _scored(view, "P3") == ({"c1": 9.0, "c2": 3.0}, {})  # the correction replaced 8.0
    table = taking_part.table(view.catalog.movements[MOVEMENT])
    assert (table.scores[p3], table.corrections[p3]) == (3, 1)
    assert _scored(view, "P4") == ({}, {"c1": 10.0})
    assert taking_part.only_self_scored(p4) and not taking_part.only_self_scored(p3)
    late = dict(taking_part.lateness())
    assert p4 in late and late[p4].override_reason == "hồ sơ giấy nộp đúng hạn"
    assert late[p4].at.isoformat() == "2019-02-20T09:00:00+07:00"
    assert p3 not in late


def test_formula_total_equals_the_domain_total(events: tuple[Written, Pairs]) -> None:
    _, pairs = events
    movement: Movement = replay(*aggregate_events(pairs, Movement.Launched))
    view = view_of(pairs)
    taking_part = view.participations.of(MOVEMENT)
    rows = taking_part.participant_ids()
    for participant in ("P1", "P2", "P3", "P4", "PH1"):
        domain = replay(*aggregate_events(pairs, Participation.Registered, participant=participant))
        appraisal, _ = _scored(view, participant)
        assert formula_total("weighted_sum", CRITERIA, appraisal) == domain.total(movement)
        row = rows.index(participant)
        assert taking_part.only_self_scored(row) == domain.only_self_scored


def test_ranking_shares_ranks_on_equal_totals() -> None:
    participants, totals = ["B", "A", "C", "D"], [22.0, 22.0, 25.0, 2.0]
    ranked = [(participants[i], rank) for i, rank in ranking(totals, participants)]
    assert ranked == [("C", 1), ("A", 2), ("B", 2), ("D", 4)]


def test_unknown_formula_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown formula 'median'"):
        formula_total("median", CRITERIA, {})


# -- tallies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("session_id", ["S-AW", "S-CSTD", "S-TT"])
def test_session_results_equal_the_domain_results(
    events: tuple[Written, Pairs], session_id: str
) -> None:
    _, pairs = events
    state = Sessions()
    for event, meta in pairs:
        state = fold_sessions(state, event, meta)
    domain = replay(*aggregate_events(pairs, ReviewSession.Opened, session_id=session_id))

    assert state.by_id[session_id].results() == domain.results()
    assert state.by_id[session_id].closed


def test_open_votes_are_kept_by_nominee_position_and_read_back_by_name(
    events: tuple[Written, Pairs],
) -> None:
    # given the open sessions' votes, and one more vote naming a nominee the session does not
    # have (as a vote stored before the door refused it could), the member's earlier replaced
    _, pairs = events
    opened = next(
        (e, m) for e, m in pairs if isinstance(e, ReviewSession.Opened) and e.mode == "open"
    )
    vote = next(
        (e, m)
        for e, m in pairs
        if isinstance(e, ReviewSession.VoteCast) and e.originator_id == opened[0].originator_id
    )
    stray = msgspec.structs.replace(vote[0], yes=[*vote[0].yes, "KHÁC"], no=[])
    world = [*pairs, (stray, vote[1])]
    state = Sessions()
    for event, meta in world:
        state = fold_sessions(state, event, meta)
    stored = msgspec.json.decode(msgspec.json.encode(state), type=Sessions)
    session = stored.by_id[opened[0].session_id]
    # then each vote reads back with the nominees' names, the stray name kept as a name, and
    # the positions are what is stored
    assert session.votes[vote[0].member].yes == [*vote[0].yes, "KHÁC"]
    assert session.voted[vote[0].member].yes[-1] == "KHÁC"
    assert all(isinstance(n, int) for n in session.voted[vote[0].member].yes[:-1])
    assert session.votes[vote[0].member].no == []
    for member, cast in session.votes.items():
        if member != vote[0].member:
            named = [e for e, _ in pairs if isinstance(e, ReviewSession.VoteCast)]
            last = [
                e for e in named if e.member == member and e.originator_id == vote[0].originator_id
            ]
            assert (cast.yes, cast.no) == (list(last[-1].yes), list(last[-1].no))


def test_secret_session_keeps_ballots_and_the_certified_tally(
    events: tuple[Written, Pairs],
) -> None:
    _, pairs = events
    session = view_of(pairs).sessions.by_id["S-CSTD"]

    assert session.ballots == ["ct", "uv1", "uv2"]
    assert session.counter == "kp"
    assert [(r.nominee, r.yes, r.no, r.passed) for r in session.results().results] == [
        ("P1", 3, 0, True)
    ]


# -- awards ----------------------------------------------------------------------------------------


def test_annulled_award_is_listed_and_not_counted(events: tuple[Written, Pairs]) -> None:
    _, pairs = events
    view = view_of(pairs)
    flags = cascade_flags(view.decisions, view.catalog)
    rows = award_rows(view.decisions, view.catalog, MOVEMENT, flags)

    annulled = [(r.decision, r.recipient) for r in rows if r.annulled]
    assert annulled == [("01/QĐ-VPQH", "P1")]
    summary = summarise(rows)
    assert summary.awards["advanced_worker"].person == 2  # P2, P3: P1's was annulled
    assert (summary.standing, summary.annulled) == (5, 1)
    assert summary.by_unit_level == {"division": 3, "department": 2}
    assert summary.direct_worker_share == 0.5  # P1 (fighter) and P3 of P1, P2, P3, P4


def test_awards_before_the_annulment_are_all_standing(events: tuple[Written, Pairs]) -> None:
    written, pairs = events
    view = view_of(pairs[: written.seqs["annul:P1"]])
    rows = award_rows(view.decisions, view.catalog, MOVEMENT, [])

    assert not any(r.annulled for r in rows)
    assert summarise(rows).standing == 6


def test_cascade_flags_the_fighter_title_that_relied_on_the_annulled_award(
    events: tuple[Written, Pairs],
) -> None:
    _, pairs = events
    view = view_of(pairs)

    flags = cascade_flags(view.decisions, view.catalog)

    assert [(f.dependent.recipient, f.dependent.award, f.dependent.decision) for f in flags] == [
        ("P1", "emulation_fighter_base", "02/QĐ-VPQH")
    ]
    assert (flags[0].annulled_decision, flags[0].annulled_recipient) == ("01/QĐ-VPQH", "P1")
    rows = award_rows(view.decisions, view.catalog, MOVEMENT, flags)
    [fighter] = [r for r in rows if r.decision == "02/QĐ-VPQH"]
    assert fighter.flags and "lacks advanced_worker" in fighter.flags[0]
    assert not fighter.annulled


def test_decision_keeps_override_and_the_violations_signed_into_it(
    events: tuple[Written, Pairs],
) -> None:
    _, pairs = events
    decision = view_of(pairs).decisions.by_number["02/QĐ-VPQH"]

    assert decision.override_reason is None  # per-rule overrides since regimes
    assert decision.reason_for("quota") == "Cụm thi đua đề nghị tỷ lệ 30 %"
    assert decision.override_text == "quota: Cụm thi đua đề nghị tỷ lệ 30 %"
    assert decision.regime == "2003"
    assert decision.overridden_rules == ["quota"]
    assert [v.rule for v in decision.violations] == ["quota"]
    assert (decision.basis, decision.authority, decision.signer) == ("S-CSTD", "bt", "bt")


# -- history ---------------------------------------------------------------------------------------


def test_history_lists_every_event_touching_a_participant(events: tuple[Written, Pairs]) -> None:
    written, pairs = events
    state = History("P3")
    for event, meta in pairs:
        state = fold_history(state, event, meta)

    kinds = [row.type for row in state.rows]
    assert kinds[:2] == ["Person.Added", "Participation.Registered"]
    assert kinds.count("Participation.Scored") == 3
    assert kinds.count("ReviewSession.VoteCast") == 3  # every vote of the session naming P3
    assert "Decision.Recorded" in kinds
    assert "ReviewSession.BallotCast" not in kinds  # P3 was not a nominee of the secret session
    vote = next(r for r in state.rows if r.seq == written.seqs["vote:S-AW:uv1"])
    assert (vote.signer, vote.summary) == ("uv1", "member uv1 voted no")
    correction = next(r for r in state.rows if r.seq == written.seqs["correction:P3"])
    assert correction.at is not None and correction.time != correction.at
    assert "chấm lại" in correction.summary


def test_history_of_a_unit_includes_its_people_and_its_award(
    events: tuple[Written, Pairs],
) -> None:
    _, pairs = events
    state = History("PH1")
    for event, meta in pairs:
        state = fold_history(state, event, meta)

    summaries = " | ".join(row.summary for row in state.rows)
    assert "person P1 'Nguyễn Văn An' added to unit PH1" in summaries
    assert "awarded advanced_collective by decision 03/QĐ-VPQH" in summaries
    assert "recipient record opened (unit)" in summaries
