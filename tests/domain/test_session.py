"""Review sessions: both ballot modes, exact thresholds and quorum, rules 3, 6 and 8."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from domain.actor import Actor
from domain.errors import (
    AlreadyVotedError,
    BallotModeError,
    ConflictOfInterestError,
    DomainError,
    NotSessionMemberError,
    OutOfOrderError,
    SessionClosedError,
    TallyError,
    UsageError,
)
from domain.rulebook import Rulebook, Share, Threshold, TitleThreshold
from domain.session import ReviewSession
from domain.tally import NomineeResult, TallyLine, tally_line_from_text
from tests.domain.scenario import COUNTER, at, member, movement
from tests.gwt import recorded, replay

NOMINEES = ["P1", "P2"]
T = at("2019-12-20")


def session(
    title: str = "advanced_worker",
    members: int = 10,
    nominees: Sequence[str] = NOMINEES,
    **kwargs: object,
) -> ReviewSession:
    s = ReviewSession.open(
        "S-1",
        movement(),
        title,
        nominees,
        [f"m{i}" for i in range(members)],
        at=at("2019-12-20", 8),
        registered=nominees,
        **kwargs,  # type: ignore[arg-type]
    )
    s.collect_events()
    return s


def votes(s: ReviewSession, yes_on_p1: int, taking_part: int) -> None:
    """`taking_part` members vote; the first `yes_on_p1` say yes to P1, the rest no."""
    for i in range(taking_part):
        yes, no = (["P1"], []) if i < yes_on_p1 else ([], ["P1"])
        s.cast_vote(member(f"m{i}"), yes, no, at=T)
    s.collect_events()


@pytest.mark.parametrize(
    ("opened", "title", "mode", "threshold"),
    [
        # regime 2003 (Decree 91/2017 Art. 45(8)): 90 % for ministry fighters, mode not fixed
        ("2023-12-31", "emulation_fighter_ministry", "open", Threshold(Share(9, 10))),
        ("2023-12-31", "emulation_fighter_base", "open", Threshold(Share(1, 2), strict=True)),
        ("2023-12-31", "emulation_flag", "open", Threshold(Share(1, 2), strict=True)),
        # regime 2024 (Decree 98/2023 Art. 30(7)): secret ballot, 80 % for base fighters, flags
        ("2024-01-01", "emulation_fighter_ministry", "secret", Threshold(Share(9, 10))),
        ("2024-01-01", "emulation_fighter_base", "secret", Threshold(Share(4, 5))),
        ("2024-01-01", "emulation_flag", "secret", Threshold(Share(4, 5))),
        ("2025-06-30", "hero_labour", "secret", Threshold(Share(9, 10))),
        ("2025-07-01", "emulation_flag_government", "secret", Threshold(Share(4, 5))),
        ("2025-07-01", "advanced_worker", "open", Threshold(Share(1, 2), strict=True)),
    ],
)
def test_open_takes_the_statute_in_force_on_its_date(
    opened: str, title: str, mode: str, threshold: Threshold
) -> None:
    # given a movement with the default rulebook (nothing beyond the statute)
    m = movement(start="2019-01-01", end="2026-12-31")
    # when the chair opens a review of `title` on `opened`
    s = ReviewSession.open("S-1", m, title, ["P1"], ["m0", "m1", "m2"], at=at(opened),
                           registered=["P1"])  # fmt: skip
    # then its mode, threshold and quorum are the statute's of that day
    [event] = recorded(s, ReviewSession.Opened)
    assert (event.mode, event.threshold, event.quorum) == (mode, threshold, Share(2, 3))
    assert s.id == ReviewSession.id_for("S-1")


@pytest.mark.parametrize("opened", ["2024-01-01", "2025-06-30", "2025-07-01"])
def test_open_mode_refused_where_the_statute_requires_a_secret_ballot(opened: str) -> None:
    # given the 2022 law in force; when a chair opens an open-mode review of a flag
    m = movement(start="2019-01-01", end="2026-12-31")
    with pytest.raises(DomainError, match=r"emulation_flag is reviewed by secret ballot under "
                       r"the statute in force \(20(24|25): Nghị định 98/2023"):  # fmt: skip
        ReviewSession.open("S-1", m, "emulation_flag", ["P1"], ["m0"], at=at(opened),
                           registered=["P1"], mode="open")  # fmt: skip
    # then: refused (nothing was created to record)


def test_open_mode_allowed_on_the_last_day_of_the_2003_law() -> None:
    m = movement(start="2019-01-01", end="2026-12-31")
    s = ReviewSession.open("S-1", m, "emulation_flag", ["P1"], ["m0"], at=at("2023-12-31"),
                           registered=["P1"], mode="open")  # fmt: skip
    assert s.mode == "open"


def test_rulebook_tightens_the_statute_never_loosens_it() -> None:
    # given a rulebook asking 95 % for base fighters and 1/2 for flags, and a quorum of 80 %
    rules = Rulebook(
        thresholds=[
            TitleThreshold("emulation_fighter_base", Threshold(Share(19, 20))),
            TitleThreshold("emulation_flag", Threshold(Share(1, 2))),
        ],
        quorum=Share(4, 5),
    )
    m = movement(start="2019-01-01", end="2026-12-31", rulebook=rules)
    opened = at("2024-03-01")
    # when sessions open in 2024
    base = ReviewSession.open("S-1", m, "emulation_fighter_base", ["P1"], ["m0"], at=opened,
                              registered=["P1"])  # fmt: skip
    flag = ReviewSession.open("S-2", m, "emulation_flag", ["P1"], ["m0"], at=opened,
                              registered=["P1"])  # fmt: skip
    # then the stricter rule wins each time: 95 % (rulebook), 80 % (statute), quorum 80 %
    assert (base.threshold, base.quorum) == (Threshold(Share(19, 20)), Share(4, 5))
    assert (flag.threshold, flag.quorum) == (Threshold(Share(4, 5)), Share(4, 5))


def test_open_accepts_a_stricter_threshold() -> None:
    s = session(threshold=Threshold(Share(2, 3)), quorum=Share(3, 4))
    assert (s.threshold, s.quorum) == (Threshold(Share(2, 3)), Share(3, 4))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"registered": ["P1"]}, OutOfOrderError, r"nominee 'P2' is not registered in movement"),
        (
            {"threshold": Threshold(Share(1, 2))},
            DomainError,
            r"threshold at least 50 % is below the more than 50 % in force for advanced_worker "
            r"\(regime 2003 and the rulebook\)",
        ),
        (
            {"quorum": Share(1, 2)},
            DomainError,
            r"quorum 50 % is below the 2/3 in force \(regime 2003 and the rulebook\)",
        ),
        ({"title": "gold_star"}, UsageError, r"unknown award kind 'gold_star'"),
        ({"mode": "show_of_hands"}, UsageError, r"mode 'show_of_hands' is not one of open, secr"),
        ({"nominees": ["P1", "P1"]}, UsageError, r"nominee 'P1' is given twice"),
        ({"members": ["m1", "m1"]}, UsageError, r"member 'm1' is given twice"),
        ({"nominees": []}, UsageError, r"give at least one nominee and one member"),
    ],
)
def test_open_rejected(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    args: dict[str, object] = {
        "title": "advanced_worker",
        "nominees": NOMINEES,
        "members": ["m1", "m2"],
        "registered": NOMINEES,
    }
    args.update(kwargs)
    with pytest.raises(error, match=message):
        ReviewSession.open("S-1", movement(), at=T, **args)  # type: ignore[arg-type]


# -- open mode -----------------------------------------------------------------------------------


def test_vote_records_yes_no_and_abstentions() -> None:
    s = session(members=3)
    s.cast_vote(member("m0"), ["P1"], ["P2"], at=T)
    s.cast_vote(member("m1"), ["P1", "P2"], [], at=T)
    s.cast_vote(member("m2"), [], [], at=T)  # takes part, abstains on both
    events = recorded(s, *[ReviewSession.VoteCast] * 3)
    assert (events[0].member, events[0].yes, events[0].no) == ("m0", ["P1"], ["P2"])
    result = s.results()
    assert (result.members, result.taking_part, result.quorum_met) == (3, 3, True)
    assert result.results == [NomineeResult("P1", 2, 0, True), NomineeResult("P2", 1, 1, False)]


@pytest.mark.parametrize(
    ("title", "yes", "taking_part", "passed"),
    [
        ("emulation_fighter_ministry", 9, 10, True),  # 9 of 10 meets at least 90 %
        ("emulation_fighter_ministry", 8, 10, False),
        ("advanced_worker", 5, 10, False),  # 5 of 10 is not more than half
        ("advanced_worker", 6, 10, True),
        ("advanced_worker", 6, 6, False),  # 6 of 10 take part: short of the 2/3 quorum
        ("advanced_worker", 6, 7, True),  # 7 of 10 take part: quorum met
    ],
)
def test_threshold_and_quorum_counted_against_all_members(
    title: str, yes: int, taking_part: int, passed: bool
) -> None:
    s = session(title, mode="open")
    votes(s, yes, taking_part)
    assert s.result_for("P1") == NomineeResult("P1", yes, taking_part - yes, passed)


def test_vote_after_close_rejected() -> None:
    s = session()
    s.close(at=T)
    recorded(s, ReviewSession.Closed)
    with pytest.raises(SessionClosedError, match=r"vote rejected: session S-1 is closed"):
        s.cast_vote(member("m1"), ["P1"], [], at=T)
    recorded(s)


@pytest.mark.parametrize(
    ("voter", "yes", "no", "error", "message"),
    [
        (member("x9"), ["P1"], [], NotSessionMemberError, r"signer 'x9' is not a member of sess"),
        (member("m0"), ["P3"], [], UsageError, r"vote rejected: 'P3' is not a nominee of session"),
        (member("m0"), ["P1"], ["P1"], UsageError, r"nominee 'P1' is given twice"),
        (
            member("m0", person="P1"),
            ["P1"],
            [],
            ConflictOfInterestError,
            r"member 'm0' may not vote on itself or its own unit 'P1'",
        ),
        (
            member("m0", unit="U1"),
            [],
            ["U1"],
            ConflictOfInterestError,
            r"may not vote on itself or its own unit 'U1'",
        ),
    ],
)
def test_vote_rejected(
    voter: Actor, yes: list[str], no: list[str], error: type[Exception], message: str
) -> None:
    s = session(nominees=["P1", "P2", "U1"])
    with pytest.raises(error, match=message):
        s.cast_vote(voter, yes, no, at=T)
    recorded(s)


def test_member_may_vote_on_the_others_when_nominated() -> None:
    s = session()
    s.cast_vote(member("m0", person="P1"), ["P2"], [], at=T)  # leaves itself out
    recorded(s, ReviewSession.VoteCast)


def test_second_vote_rejected() -> None:
    s = session()
    s.cast_vote(member("m1"), ["P1"], [], at=T)
    recorded(s, ReviewSession.VoteCast)
    with pytest.raises(
        AlreadyVotedError,
        match=r"vote rejected: signer 'm1' already voted in "
        r"session S-1",
    ):
        s.cast_vote(member("m1"), [], ["P1"], at=T)
    recorded(s)


def test_ballot_in_open_session_rejected() -> None:
    s = session()
    with pytest.raises(
        BallotModeError,
        match=r"ballot rejected: session S-1 is in open mode; "
        r"use 'vote'",
    ):
        s.cast_ballot(member("m1"), at=T)
    recorded(s)


# -- secret mode ---------------------------------------------------------------------------------


def secret(members: int = 10, ballots: int = 10) -> ReviewSession:
    s = session("emulation_fighter_ministry", members=members, mode="secret")
    assert s.mode == "secret"
    for i in range(ballots):
        s.cast_ballot(member(f"m{i}"), at=T)
    s.collect_events()
    return s


def test_secret_ballot_tally_and_close() -> None:
    s = secret(members=10, ballots=9)
    s.certify_tally(COUNTER, [TallyLine("P1", 9, 0), TallyLine("P2", 8, 1)], at=T)
    s.close(at=T)
    tally, _ = recorded(s, ReviewSession.TallyCertified, ReviewSession.Closed)
    assert tally.counter == "kp"
    result = s.results()
    assert (result.taking_part, result.quorum_met) == (9, True)
    assert result.results == [NomineeResult("P1", 9, 0, True), NomineeResult("P2", 8, 1, False)]


def test_ballot_records_only_that_it_was_cast() -> None:
    s = session("emulation_fighter_ministry", mode="secret")
    s.cast_ballot(member("m3"), at=T)
    [event] = recorded(s, ReviewSession.BallotCast)
    assert event.payload() == {"member": "m3", "at": T, "document_hash": None}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([TallyLine("P1", 7, 3)], r"the tally misses nominee 'P2'"),
        (
            [TallyLine("P1", 7, 3), TallyLine("P2", 5, 5), TallyLine("P9", 1, 9)],
            r"the tally lists 'P9' wrongly",
        ),
        ([TallyLine("P1", 7, 3), TallyLine("P1", 7, 3)], r"the tally misses nominee 'P2'"),
        (
            [TallyLine("P1", 7, 2), TallyLine("P2", 5, 5)],
            r"nominee 'P1' has 7 yes \+ 2 no, but 10 ballots were cast",
        ),
        ([TallyLine("P1", 11, -1), TallyLine("P2", 5, 5)], r"nominee 'P1' has 11 yes \+ -1 no"),
    ],
)
def test_tally_that_does_not_fit_is_rejected(lines: list[TallyLine], message: str) -> None:
    s = secret()
    with pytest.raises(TallyError, match=message):
        s.certify_tally(COUNTER, lines, at=T)
    recorded(s)


def test_tally_before_quorum_rejected() -> None:
    s = secret(members=10, ballots=6)
    with pytest.raises(TallyError, match=r"has 6 ballots of 10 members, short of the quorum 2/3"):
        s.certify_tally(COUNTER, [TallyLine("P1", 6, 0), TallyLine("P2", 6, 0)], at=T)
    recorded(s)


def test_second_tally_and_late_ballot_rejected() -> None:
    s = secret(members=10, ballots=7)
    s.certify_tally(COUNTER, [TallyLine("P1", 7, 0), TallyLine("P2", 0, 7)], at=T)
    recorded(s, ReviewSession.TallyCertified)
    with pytest.raises(TallyError, match=r"already has a certified tally by kp"):
        s.certify_tally(COUNTER, [TallyLine("P1", 7, 0), TallyLine("P2", 0, 7)], at=T)
    with pytest.raises(TallyError, match=r"ballot rejected: session S-1's tally is already cert"):
        s.cast_ballot(member("m8"), at=T)
    recorded(s)


def test_tally_in_open_mode_rejected() -> None:
    s = session()
    with pytest.raises(BallotModeError, match=r"tally rejected: session S-1 is in open mode"):
        s.certify_tally(COUNTER, [], at=T)
    recorded(s)


@pytest.mark.parametrize(
    ("voter", "error", "message"),
    [
        (member("m0"), AlreadyVotedError, r"ballot rejected: signer 'm0' already voted"),
        (member("zz"), NotSessionMemberError, r"signer 'zz' is not a member of session S-1"),
    ],
)
def test_ballot_rejected(voter: Actor, error: type[Exception], message: str) -> None:
    s = secret(ballots=1)
    with pytest.raises(error, match=message):
        s.cast_ballot(voter, at=T)
    recorded(s)


def test_nominee_may_not_cast_a_secret_ballot() -> None:
    s = session("emulation_fighter_ministry", mode="secret")
    with pytest.raises(ConflictOfInterestError, match=r"member 'm2' is or heads nominee 'P2'"):
        s.cast_ballot(member("m2", person="P2"), at=T)
    recorded(s)


def test_vote_in_secret_session_rejected() -> None:
    s = session("emulation_fighter_ministry", mode="secret")
    with pytest.raises(BallotModeError, match=r"is in secret mode; use 'ballot cast'"):
        s.cast_vote(member("m1"), ["P1"], [], at=T)
    recorded(s)


def test_close_without_tally_rejected_once_quorum_is_in() -> None:
    s = secret(members=10, ballots=7)
    with pytest.raises(OutOfOrderError, match=r"has 7 ballots and no certified tally"):
        s.close(at=T)
    recorded(s)


def test_close_without_quorum_fails_every_nominee() -> None:
    s = secret(members=10, ballots=3)
    s.close(at=T)
    recorded(s, ReviewSession.Closed)
    assert not s.results().quorum_met
    assert [r.passed for r in s.results().results] == [False, False]


def test_close_twice_and_tally_after_close_rejected() -> None:
    s = secret(members=10, ballots=3)
    s.close(at=T)
    recorded(s, ReviewSession.Closed)
    with pytest.raises(SessionClosedError, match=r"session close rejected: session S-1 is alre"):
        s.close(at=T)
    with pytest.raises(SessionClosedError, match=r"tally rejected: session S-1 is closed"):
        s.certify_tally(COUNTER, [], at=T)
    with pytest.raises(SessionClosedError, match=r"ballot rejected: session S-1 is closed"):
        s.cast_ballot(member("m9"), at=T)
    recorded(s)


def test_replayed_session_equals_the_original() -> None:
    s = ReviewSession.open(
        "S-1", movement(), "advanced_worker", NOMINEES, ["m0", "m1"], at=T, registered=NOMINEES
    )
    s.cast_vote(member("m0"), ["P1"], ["P2"], at=T)
    s.close(at=T)
    assert replay(*s.collect_events()) == s


@pytest.mark.parametrize(
    ("text", "line"), [("P1=7:2", TallyLine("P1", 7, 2)), ("U-3=0:9", TallyLine("U-3", 0, 9))]
)
def test_tally_result_option_parses(text: str, line: TallyLine) -> None:
    assert tally_line_from_text(text) == line


@pytest.mark.parametrize("text", ["P1", "P1=7", "=1:2", "P1=a:b", "P1=-1:2"])
def test_tally_result_option_rejects(text: str) -> None:
    with pytest.raises(UsageError, match=r"is not valid: use NOMINEE=YES:NO"):
        tally_line_from_text(text)
