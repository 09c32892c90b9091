"""The read commands' questions, each answered from a view the runner keeps current:
`awards standings` (from the movement's own view, projections/movement_view.py), `awards
tally`, `awards history` and `awards proposal show`, each with time travel (`Cut`); the CLI
asks the event index first (projections/indexed.py) and comes here when it cannot answer.
`on_progress` follows the fold when it reads many events (ledger/progress.py)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from domain.errors import NotFoundError, StorageError
from domain.text import counted
from ledger.application import LedgerApp
from ledger.progress import Progress
from projections.history import HistoryRow, history_view
from projections.movement_view import MovementStandings, StandingsTable, movement_view
from projections.proposals import ProposalRow, proposal_row
from projections.report import ledger_view_at
from projections.report.model import AsOf, MovementInfo, SessionRow, movement_info, session_row
from projections.runner import Runner
from projections.standings import Standing
from projections.store import ViewStore
from projections.stream import Cut, Position
from projections.view import LEDGER_VIEW


class StandingsAnswer(msgspec.Struct):
    movement: MovementInfo
    as_of: AsOf
    standings: list[Standing]


class TallyAnswer(msgspec.Struct):
    as_of: AsOf
    movement: str
    session: SessionRow
    opened_at: datetime
    closed_at: datetime | None


class HistoryAnswer(msgspec.Struct):
    participant: str
    as_of: AsOf
    events: list[HistoryRow]


def as_of(position: Position, cut: Cut) -> AsOf:
    """Where an answer stands: events 0..seq-1, the time asked for or the last event's, root."""
    return AsOf.of(position, cut)


def where_in(seq: int) -> str:
    """Where a read that found nothing looked: the first `seq` events."""
    return f"in the first {counted(seq, 'event')}"


def standings(
    app: LedgerApp, movement: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> StandingsAnswer:
    """Movement standings: latest appraisal per criterion, formula total, rank."""
    answer, table, _ = standings_folded(app, movement, cut, on_progress)
    answer.standings = list(table.rows())
    return answer


def standings_folded(
    app: LedgerApp, movement: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> tuple[StandingsAnswer, StandingsTable, Position]:
    """:func:`standings` without its rows (``standings`` is empty), the ranked table column by
    column (a movement of 65,800 participations is never held as 65,800 row objects), and the
    position the movement's view was folded to."""
    answer, state, position = standings_state(app, movement, cut, on_progress)
    return answer, state.table(), position


def standings_state(
    app: LedgerApp, movement: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> tuple[StandingsAnswer, MovementStandings, Position]:
    """:func:`standings_folded` before its rows are ranked: the movement's view as folded."""
    cut = cut or Cut()
    folded = Runner(app, on_progress=on_progress).read(movement_view(movement), cut)
    view = folded.state
    found = view.launched
    if found is None:
        if folded.stored:  # no copy kept for a movement the ledger does not hold
            ViewStore(app).drop(movement_view(movement).name)
        raise NotFoundError(
            f"standings: movement {movement!r} not found {where_in(folded.position.seq)}"
        )
    answer = StandingsAnswer(movement_info(found), as_of(folded.position, cut), [])
    return answer, view, folded.position


def standings_answer_key(movement: str, form: str, renderer: str) -> tuple[str, str]:
    """The name and version under which the printed standings of `movement` are kept
    (projections/answer_cache.py) in `form` (``text`` or ``json``): the view's name, with the
    form before it unless it is the table (``json:standings:M``; the view's own names begin
    ``standings:``, so no name can be another's), and as version the view's stored version
    and the renderer's own."""
    spec = movement_view(movement)
    name = spec.name if form == "text" else f"{form}:{spec.name}"
    return name, f"{spec.stored_version}+{renderer}"


def standings_topics(movement: str) -> frozenset[str]:
    """The event types the standings of `movement` are folded from (any other new event
    leaves a kept answer standing; projections/answer_cache.py)."""
    return movement_view(movement).topics


def standings_copy(app: LedgerApp, movement: str) -> Position | None:
    """The position of the movement view's stored copy (at or before the newest signed
    checkpoint), when its seal opens and it is of this code's version; else None."""
    spec = movement_view(movement)
    try:
        stored = ViewStore(app).load(spec.name)
    except StorageError:
        return None
    if stored is None or not stored.intact or stored.version != spec.stored_version:
        return None
    return stored.position


def tally(
    app: LedgerApp, session: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> TallyAnswer:
    """A review session's turnout and per-nominee result against threshold and quorum."""
    cut = cut or Cut()
    folded = Runner(app, on_progress=on_progress).read(LEDGER_VIEW, cut)
    found = folded.state.sessions.by_id.get(session)
    if found is None:
        raise NotFoundError(f"tally: session {session!r} not found {where_in(folded.position.seq)}")
    return TallyAnswer(
        as_of(folded.position, cut),
        found.movement,
        session_row(found, folded.state),
        found.at,
        found.closed_at,
    )


def history(
    app: LedgerApp, participant: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> HistoryAnswer:
    """Every event touching a person, unit or cluster, with signers and both times."""
    cut = cut or Cut()
    folded = Runner(app, on_progress=on_progress).read(history_view(participant), cut)
    if not folded.state.rows:
        raise NotFoundError(
            f"history: no event touches participant {participant!r} {where_in(folded.position.seq)}"
        )
    return HistoryAnswer(participant, as_of(folded.position, cut), folded.state.rows)


class ProposalAnswer(msgspec.Struct):
    as_of: AsOf
    today: date
    proposal: ProposalRow


def proposal(
    app: LedgerApp,
    proposal_id: str,
    today: date,
    cut: Cut | None = None,
    on_progress: Progress | None = None,
) -> ProposalAnswer:
    """One proposal's path: each step with who held the file and its working-day clock
    (a pending step counted up to `today`), the comment period and the objections."""
    cut = cut or Cut()
    folded = ledger_view_at(app, cut, Runner(app, on_progress=on_progress))
    proposals = folded.state.proposals
    found = proposals.by_id.get(proposal_id)
    if found is None:
        raise NotFoundError(
            f"proposal show: proposal {proposal_id!r} not found {where_in(folded.position.seq)}"
        )
    return ProposalAnswer(as_of(folded.position, cut), today, proposal_row(proposals, found, today))
