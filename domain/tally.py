"""Counting a review session (rule 3): votes, ballots' tallies and results, in exact integers.

Quorum is met when members present / all members >= the quorum share (a member absent from the
meeting who votes in writing, where the regime allows it, is counted in the votes but not in
the quorum); a nominee passes
when the quorum is met and yes / *all* members meets the threshold (`Threshold.met_by`: 9 of 10
meets "at least 90 %", 5 of 10 fails "more than half"). Open mode: a member takes part by
casting a vote, and a nominee it leaves out is an abstention. Secret mode: a member takes part
by casting a ballot, and the yes / no counts come from the certified tally.

How the application uses this: `ReviewSession.results()` returns a `SessionResults`; the CLI
parses `ballot tally --result P=YES:NO` with `tally_line_from_text`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import msgspec

from domain.errors import TallyError, UsageError
from domain.rulebook import Share, Threshold


class TallyLine(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The counting committee's count for one nominee."""

    nominee: str
    yes: int
    no: int


class Vote(msgspec.Struct, frozen=True):
    """One member's open vote (state)."""

    yes: list[str]
    no: list[str]


class NomineeResult(msgspec.Struct, frozen=True):
    """One nominee's count and outcome."""

    nominee: str
    yes: int
    no: int
    passed: bool


class SessionResults(msgspec.Struct, frozen=True):
    """A session's turnout, quorum and per-nominee results (in nomination order).

    `taking_part` counts the members present (the quorum's measure); `written` the absent
    members whose written votes are counted in the yes / no totals."""

    members: int
    taking_part: int
    quorum_met: bool
    results: list[NomineeResult]
    written: int = 0


def tally_line_from_text(text: str) -> TallyLine:
    """Parse `--result P=YES:NO` (e.g. "P1=7:2"), raising UsageError."""
    nominee, _, counts = text.partition("=")
    yes, _, no = counts.partition(":")
    if not (nominee and yes.isdigit() and no.isdigit()):
        raise UsageError(f"tally result {text!r} is not valid: use NOMINEE=YES:NO")
    return TallyLine(nominee.strip(), int(yes), int(no))


def check_tally_fits(
    subject: str, nominees: Sequence[str], cast: int, lines: Sequence[TallyLine]
) -> None:
    """Every nominee counted once, and yes + no == ballots cast (blank marks count as no)."""
    counted = [line.nominee for line in lines]
    if sorted(counted) != sorted(nominees):
        missing = sorted(set(nominees) - set(counted))
        extra = sorted(set(counted) - set(nominees))
        problem = f"misses nominee {missing[0]!r}" if missing else f"lists {extra[0]!r} wrongly"
        raise TallyError(f"{subject}: the tally {problem}")
    for line in lines:
        if line.yes < 0 or line.no < 0 or line.yes + line.no != cast:
            raise TallyError(
                f"{subject}: nominee {line.nominee!r} has {line.yes} yes + {line.no} no, "
                f"but {cast} ballots were cast"
            )


def open_counts(nominees: Sequence[str], votes: Mapping[str, Vote]) -> dict[str, tuple[int, int]]:
    """Yes and no per nominee over the open votes cast (one pass over the votes; a name given
    twice in one vote counts once; names that are not nominees are ignored)."""
    yes = dict.fromkeys(nominees, 0)
    no = dict.fromkeys(nominees, 0)
    for vote in votes.values():
        for nominee in set(vote.yes):
            if nominee in yes:
                yes[nominee] += 1
        for nominee in set(vote.no):
            if nominee in no:
                no[nominee] += 1
    return {n: (yes[n], no[n]) for n in nominees}


def results_from_counts(
    counts: Mapping[str, tuple[int, int]],
    members: int,
    taking_part: int,
    threshold: Threshold,
    quorum: Share,
    written: int = 0,
) -> SessionResults:
    """Apply quorum and threshold to the counts (see the module docstring); `taking_part` are
    the members present, `written` the absent members who voted in writing."""
    quorum_met = quorum.at_least(taking_part, members)
    return SessionResults(
        members=members,
        taking_part=taking_part,
        quorum_met=quorum_met,
        results=[
            NomineeResult(n, yes, no, quorum_met and threshold.met_by(yes, members))
            for n, (yes, no) in counts.items()
        ],
        written=written,
    )


def session_results(
    mode: str,
    nominees: Sequence[str],
    members: int,
    votes: Mapping[str, Vote],
    ballots: Sequence[str],
    tally: Sequence[TallyLine] | None,
    written: Collection[str],
    threshold: Threshold,
    quorum: Share,
) -> SessionResults:
    """A session's results from what it recorded (one implementation for the aggregate and the
    read model): open mode counts the votes, secret mode the certified tally; members present
    are those who voted or cast a ballot other than in writing."""
    if mode == "open":
        voted, counts = len(votes), open_counts(nominees, votes)
    else:
        lines = {line.nominee: (line.yes, line.no) for line in tally or []}
        voted, counts = len(ballots), {n: lines.get(n, (0, 0)) for n in nominees}
    return results_from_counts(
        counts, members, voted - len(written), threshold, quorum, len(written)
    )
