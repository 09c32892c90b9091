"""The proposal path (domain/proposal.py), told as given/when/then: propose, endorse level by
level, return and resubmit, public comment and objections, and what a decision needs."""

from __future__ import annotations

from datetime import date

import pytest

from domain.actor import Actor
from domain.errors import (
    AlreadyExistsError,
    NotCompetentError,
    NotFoundError,
    OutOfOrderError,
    RuleViolationError,
    UsageError,
)
from domain.hold import SubjectHolds, place_hold
from domain.proposal import (
    DECIDED,
    PENDING,
    RETURNED,
    Level,
    Objection,
    Proposal,
    authority_holder,
    check_decision,
    comment_violations,
    propose,
    raise_objection,
)
from domain.register import Recipient
from tests.domain.scenario import at
from tests.gwt import recorded, replay

SHA = "ab" * 32
SECRETARY = Actor("sec-vu", frozenset({"secretary"}), unit="VU")  # a department's secretary
BO_SECRETARY = Actor("sec-bo", frozenset({"secretary"}), unit="BO")  # the ministry's
BAN = Actor("sec-ban", frozenset({"secretary"}), unit="BAN")  # the Central Board's office
PM = Actor("pm", frozenset({"authority"}), competence=frozenset({"hero_labour"}))
TO_BO = Level("BO")
TO_BAN = Level("BAN")
TO_PM = Level(authority_holder("pm"), authority="pm", competence=PM.competence)


def fresh(**changes: object) -> Proposal:
    """Department VU proposes P1 and P2 for hero_labour to the ministry BO on 2026-02-02."""
    args: dict[str, object] = {
        "movement": "M-2026",
        "award": "hero_labour",
        "nominees": [Recipient("P1", "person", "VU"), Recipient("P2", "person", "VU")],
        "proposer": SECRETARY,
        "target": TO_BO,
        "basis": "S-1",
        "documents": [SHA],
        "at": at("2026-02-02"),
        "holds": {},
    }
    args.update(changes)
    return propose("TT-1", **args)  # type: ignore[arg-type]


def proposed(**changes: object) -> Proposal:
    """Given: `fresh`'s proposal as stored (nothing pending)."""
    given: Proposal = replay(*recorded(fresh(**changes), Proposal.Proposed))
    return given


def at_pm() -> Proposal:
    """Given: the proposal endorsed by BO to the Board, and by the Board to the Prime Minister."""
    proposal = fresh()
    proposal.endorse(BO_SECRETARY, TO_BAN, at=at("2026-02-05"), holds={})
    proposal.endorse(BAN, TO_PM, at=at("2026-02-12"), holds={})
    steps = recorded(proposal, Proposal.Proposed, Proposal.Endorsed, Proposal.Endorsed)
    given: Proposal = replay(*steps)
    return given


def held(subject: str) -> dict[str, SubjectHolds]:
    _, index = place_hold(
        "H-1",
        subject=subject,
        kind="discipline",
        reason="Đang xem xét kỷ luật",
        until=None,
        at=at("2026-01-05"),
        index=None,
    )
    return {subject: index}


def test_a_secretary_proposes_and_the_file_sits_with_the_first_level() -> None:
    # when VU's secretary proposes P1 and P2 to the ministry
    proposal = propose(
        "TT-1",
        movement="M-2026",
        award="hero_labour",
        nominees=[Recipient("P1", "person", "VU"), Recipient("P2", "person", "VU")],
        proposer=SECRETARY,
        target=TO_BO,
        basis="S-1",
        documents=[SHA],
        at=at("2026-02-02"),
        holds={},
    )
    # then one signed Proposed names the unit, signer, first level and documents
    [event] = recorded(proposal, Proposal.Proposed)
    assert event.payload() == {
        "proposal_id": "TT-1",
        "movement": "M-2026",
        "award": "hero_labour",
        "nominees": ["P1", "P2"],
        "unit": "VU",
        "by": "sec-vu",
        "to": "BO",
        "basis": "S-1",
        "documents": [SHA],
        "overrides": [],
        "at": at("2026-02-02"),
    }
    assert (proposal.status, proposal.holder, proposal.chain) == (PENDING, "BO", ["VU", "BO"])


@pytest.mark.parametrize(
    ("proposer", "target", "error", "words"),
    [
        (Actor("x", frozenset({"scorer"}), unit="VU"), TO_BO, NotCompetentError, "secretary"),
        (Actor("x", frozenset({"secretary"})), TO_BO, NotCompetentError, "has no unit"),
        (SECRETARY, Level("VU"), UsageError, "proposing unit itself"),
        (SECRETARY, Level("TO", ancestors=("VU", "BO")), UsageError, "below 'VU'"),
        (
            SECRETARY,
            Level(authority_holder("x"), authority="x", competence=frozenset({"order_labour_3"})),
            NotCompetentError,
            "may not decide hero_labour",
        ),
    ],
)
def test_a_proposal_from_the_wrong_signer_or_to_the_wrong_level_is_refused(
    proposer: Actor, target: Level, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        proposed(proposer=proposer, target=target)


def test_a_nominee_under_a_hold_blocks_the_proposal_unless_overridden() -> None:
    # given P2 is under a discipline hold; when VU proposes P2, then rule `hold` refuses it
    with pytest.raises(RuleViolationError, match="P2 is under an open hold") as refused:
        proposed(holds=held("P2"))
    assert refused.value.rules == ["hold"]
    # when the secretary overrides it, then the reason is signed into the proposal
    proposal = propose(
        "TT-1",
        movement="M-2026",
        award="hero_labour",
        nominees=[Recipient("P2", "person", "VU")],
        proposer=SECRETARY,
        target=TO_BO,
        basis=None,
        documents=[],
        at=at("2026-02-02"),
        holds=held("P2"),
        overrides={"hold": "Kỷ luật đã hết hiệu lực"},
    )
    [event] = recorded(proposal, Proposal.Proposed)
    assert [(o.rule, o.reason) for o in event.overrides] == [("hold", "Kỷ luật đã hết hiệu lực")]


def test_each_level_endorses_and_forwards_until_the_deciding_authority() -> None:
    proposal = proposed()
    # when the ministry's secretary endorses it to the Board, and the Board to the PM
    proposal.endorse(BO_SECRETARY, TO_BAN, at=at("2026-02-10"), holds={})
    proposal.endorse(BAN, TO_PM, at=at("2026-03-02"), holds={})
    # then each endorsement names its signer, the level it left and the next one
    first, second = recorded(proposal, Proposal.Endorsed, Proposal.Endorsed)
    assert (first.by, first.holder, first.to) == ("sec-bo", "BO", "BAN")
    assert (second.by, second.holder, second.to) == ("sec-ban", "BAN", "authority:pm")
    assert proposal.chain == ["VU", "BO", "BAN", "authority:pm"]
    assert [s.action for s in proposal.steps] == ["endorsed", "endorsed", None]


@pytest.mark.parametrize(
    ("actor", "words"),
    [
        (BAN, "the file is with unit 'BO'"),  # a level above, not yet holding it
        (Actor("x", frozenset({"scorer"}), unit="BO"), "only its secretary or authority"),
        (SECRETARY, "not with|only its secretary"),  # the proposer cannot endorse itself
    ],
)
def test_only_the_level_holding_the_file_may_endorse_it(actor: Actor, words: str) -> None:
    proposal = proposed()
    with pytest.raises(NotCompetentError, match=words):
        proposal.endorse(actor, TO_BAN, at=at("2026-02-10"), holds={})
    recorded(proposal)


def test_an_endorsement_that_sends_the_file_back_down_or_round_a_loop_is_refused() -> None:
    proposal = proposed()
    proposal.endorse(BO_SECRETARY, TO_BAN, at=at("2026-02-10"), holds={})
    recorded(proposal, Proposal.Endorsed)
    with pytest.raises(UsageError, match="already been at"):
        proposal.endorse(BAN, TO_BO, at=at("2026-02-11"), holds={})
    with pytest.raises(UsageError, match="below 'BAN'"):
        proposal.endorse(BAN, Level("CUC", ancestors=("BAN",)), at=at("2026-02-11"), holds={})
    recorded(proposal)


def test_an_endorsement_is_refused_while_a_nominee_is_under_a_hold() -> None:
    proposal = proposed()
    with pytest.raises(RuleViolationError, match="P1 is under an open hold"):
        proposal.endorse(BO_SECRETARY, TO_BAN, at=at("2026-02-10"), holds=held("P1"))
    recorded(proposal)


def test_a_returned_proposal_goes_back_to_its_unit_and_can_be_resubmitted() -> None:
    proposal = proposed()
    # when the ministry returns it for a missing achievement report
    proposal.return_to_unit(BO_SECRETARY, "Thiếu báo cáo thành tích Mẫu 05", at=at("2026-02-04"))
    assert (proposal.status, proposal.holder) == (RETURNED, "VU")
    # then nobody can endorse it until the unit resubmits
    with pytest.raises(OutOfOrderError, match="returned to 'VU'"):
        proposal.endorse(BO_SECRETARY, TO_BAN, at=at("2026-02-05"), holds={})
    # when VU's secretary resubmits it with the report, it goes back to the ministry
    proposal.resubmit(SECRETARY, None, documents=["cd" * 32], at=at("2026-02-06"), holds={})
    returned, resubmitted = recorded(proposal, Proposal.Returned, Proposal.Resubmitted)
    assert (returned.holder, returned.reason) == ("BO", "Thiếu báo cáo thành tích Mẫu 05")
    assert (resubmitted.to, resubmitted.documents) == ("BO", ["cd" * 32])
    assert (proposal.status, proposal.holder, proposal.documents) == (
        PENDING,
        "BO",
        [SHA, "cd" * 32],
    )
    assert [s.action for s in proposal.steps] == ["returned", "resubmitted", None]


def test_only_the_proposing_units_secretary_resubmits_and_only_a_returned_file() -> None:
    proposal = proposed()
    with pytest.raises(OutOfOrderError, match="pending with 'BO'"):
        proposal.resubmit(SECRETARY, None, documents=[], at=at("2026-02-06"), holds={})
    proposal.return_to_unit(BO_SECRETARY, "Thiếu hồ sơ", at=at("2026-02-04"))
    recorded(proposal, Proposal.Returned)
    with pytest.raises(NotCompetentError, match="only a secretary of the proposing unit"):
        proposal.resubmit(BO_SECRETARY, None, documents=[], at=at("2026-02-06"), holds={})
    with pytest.raises(UsageError, match="reason must not be empty"):
        proposed().return_to_unit(BO_SECRETARY, "  ", at=at("2026-02-04"))
    recorded(proposal)


def test_a_step_dated_before_the_file_arrived_is_refused() -> None:
    proposal = proposed()
    with pytest.raises(OutOfOrderError, match="before the file reached 'BO'"):
        proposal.endorse(BO_SECRETARY, TO_BAN, at=at("2026-01-30"), holds={})


def test_public_comment_runs_for_working_days_over_tet() -> None:
    proposal = at_pm()
    # when the PM's office publishes the list on Friday 2026-02-13 for 7 working days
    proposal.open_comment(PM, 7, at=at("2026-02-13"))
    [event] = recorded(proposal, Proposal.CommentOpened)
    # then Tết (16-20 Feb) and the weekends do not count: the first day counted is Monday
    # 23 Feb, and the seventh is Tuesday 3 March
    assert (event.days, event.ends) == (7, date(2026, 3, 3))
    with pytest.raises(AlreadyExistsError, match="ends 2026-03-03"):
        proposal.open_comment(PM, 7, at=at("2026-02-14"))
    with pytest.raises(UsageError, match="1 to 60"):
        at_pm().open_comment(PM, 0, at=at("2026-03-03"))


def test_objections_are_numbered_per_proposal_and_resolved_once() -> None:
    proposal = at_pm()
    clerk = Actor("sec-ban", frozenset({"secretary"}), unit="BAN")
    # when two objections come in, one by letter about P1, one by hotline about P2
    first = raise_objection(
        proposal, about="P1", channel="letter", sha256=SHA, actor=clerk, at=at("2026-03-03")
    )
    second = raise_objection(
        proposal, about="P2", channel="hotline", sha256="cd" * 32, actor=clerk, at=at("2026-03-03")
    )
    # then each is its own record and the proposal notes both, in order
    assert (first.objection_id, second.objection_id) == ("TT-1-O1", "TT-1-O2")
    recorded(first, Objection.Raised)
    recorded(proposal, Proposal.ObjectionNoted, Proposal.ObjectionNoted)
    assert proposal.objections == ["TT-1-O1", "TT-1-O2"]
    # when P1's objection is dismissed with reasons, it cannot be resolved again
    first.resolve(PM, "dismissed", "Nội dung không có căn cứ", at=at("2026-03-05"))
    [resolved] = recorded(first, Objection.Resolved)
    assert (resolved.outcome, resolved.by) == ("dismissed", "pm")
    with pytest.raises(AlreadyExistsError, match="already dismissed"):
        first.resolve(PM, "upheld", "x", at=at("2026-03-06"))
    with pytest.raises(UsageError, match="upheld, dismissed"):
        second.resolve(PM, "maybe", "x", at=at("2026-03-06"))
    with pytest.raises(NotFoundError, match="'P9' is not a nominee"):
        raise_objection(
            proposal, about="P9", channel="letter", sha256=SHA, actor=clerk, at=at("2026-03-03")
        )
    with pytest.raises(UsageError, match="--channel 'fax'"):
        raise_objection(
            proposal, about="P1", channel="fax", sha256=SHA, actor=clerk, at=at("2026-03-03")
        )


def test_a_decision_needs_the_chain_to_end_at_the_deciding_authority() -> None:
    other = Actor("minister", frozenset({"authority"}), unit="BO")
    with pytest.raises(NotCompetentError, match="has not reached authority 'pm'"):
        check_decision(
            proposed(), authority=PM, movement="M-2026", award="hero_labour", recipients=["P1"]
        )
    with pytest.raises(NotCompetentError, match="has not reached authority 'minister'"):
        check_decision(
            at_pm(), authority=other, movement="M-2026", award="hero_labour", recipients=["P1"]
        )
    with pytest.raises(UsageError, match="proposes hero_labour"):
        check_decision(
            at_pm(), authority=PM, movement="M-2026", award="order_labour_3", recipients=["P1"]
        )
    with pytest.raises(UsageError, match="P3 not among its nominees"):
        check_decision(
            at_pm(), authority=PM, movement="M-2026", award="hero_labour", recipients=["P1", "P3"]
        )
    returned = at_pm()
    returned.return_to_unit(PM, "Chưa đủ điều kiện", at=at("2026-03-03"))
    with pytest.raises(OutOfOrderError, match="returned to 'VU'"):
        check_decision(
            returned, authority=PM, movement="M-2026", award="hero_labour", recipients=["P1"]
        )
    fine = at_pm()
    check_decision(fine, authority=PM, movement="M-2026", award="hero_labour", recipients=["P1"])
    fine.decided("QĐ-1", PM, at=at("2026-03-20"))
    [event] = recorded(fine, Proposal.Decided)
    assert (event.decision, fine.status) == ("QĐ-1", DECIDED)


def test_public_comment_rule_period_and_objections() -> None:
    proposal = at_pm()

    def broken(objections: list[Objection], day: str, needs: bool = True) -> list[str]:
        return [
            v.message
            for v in comment_violations(
                proposal,
                objections,
                recipients=["P1"],
                decided_on=date.fromisoformat(day),
                needs_comment=needs,
            )
        ]

    # a national kind never published: broken; a kind that does not need it: fine
    assert broken([], "2026-03-20") == ["proposal TT-1 (hero_labour) was not put to public comment"]
    assert broken([], "2026-03-20", needs=False) == []
    proposal.open_comment(PM, 7, at=at("2026-02-13"))
    # on the period's last day it has not ended; the day after it has
    assert broken([], "2026-03-03") == ["the public comment on proposal TT-1 runs until 2026-03-03"]
    assert broken([], "2026-03-04") == []
    clerk = Actor("sec-ban", frozenset({"secretary"}), unit="BAN")
    o1 = raise_objection(
        proposal, about="P1", channel="letter", sha256=SHA, actor=clerk, at=at("2026-03-03")
    )
    o2 = raise_objection(
        proposal, about="P2", channel="email", sha256=SHA, actor=clerk, at=at("2026-03-03")
    )
    assert broken([o1, o2], "2026-03-05") == [
        "objection TT-1-O1 about P1 is not resolved",
        "objection TT-1-O2 about P2 is not resolved",
    ]
    o1.resolve(PM, "upheld", "Đúng phản ánh", at=at("2026-03-05"))
    o2.resolve(PM, "upheld", "Đúng phản ánh", at=at("2026-03-05"))
    # an upheld objection bars its nominee only: P2 is not among the recipients
    assert broken([o1, o2], "2026-03-06") == ["objection TT-1-O1 about P1 was upheld"]


def test_an_incomplete_dossier_is_refused_at_propose_and_resubmit_naming_every_rule() -> None:
    # given a dossier with the Form 01 only, and P2 under a hold
    with pytest.raises(RuleViolationError) as refused:
        proposed(dossier={"to_trinh_mau_01"}, holds=held("P2"))
    # then both rules are named, each to be overridden on its own
    assert refused.value.rules == ["hold", "dossier"]
    assert "lacks bao_cao_mau_05, minutes, ballot_result" in str(refused.value)
    complete = {"to_trinh_mau_01", "bao_cao_mau_05", "minutes", "ballot_result"}  # hero: secret
    proposal = proposed(dossier=complete)
    proposal.return_to_unit(BO_SECRETARY, "Biên bản chưa ký", at=at("2026-02-04"))
    recorded(proposal, Proposal.Returned)
    with pytest.raises(RuleViolationError, match="lacks minutes"):
        proposal.resubmit(
            SECRETARY, None, documents=[], at=at("2026-02-05"), holds={},
            dossier={"to_trinh_mau_01", "bao_cao_mau_05", "ballot_result"},
        )  # fmt: skip
    proposal.resubmit(
        SECRETARY, None, documents=[], at=at("2026-02-05"), holds={}, dossier=set(),
        overrides={"dossier": "Hồ sơ giấy đã nộp đủ"},
    )  # fmt: skip
    [event] = recorded(proposal, Proposal.Resubmitted)
    assert [o.rule for o in event.overrides] == ["dossier"]
