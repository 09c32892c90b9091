"""The read commands' questions, each answered from a view the runner keeps current:
`awards standings` (from the movement's own view, projections/movement_view.py), `awards
tally` and `awards history`, each with time travel (`Cut`); the CLI asks the event index first
(projections/indexed.py) and comes here when it cannot answer.
`on_progress` follows the fold when it reads many events (ledger/progress.py)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.errors import NotFoundError
from domain.text import counted
from ledger.application import LedgerApp
from ledger.progress import Progress
from projections.history import HistoryRow, history_view
from projections.movement_view import movement_view
from projections.report.model import AsOf, MovementInfo, SessionRow, movement_info, session_row
from projections.runner import Runner
from projections.standings import Standing, rank_standings
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


def _where(position: Position) -> str:
    return f"in the first {counted(position.seq, 'event')}"


def standings(
    app: LedgerApp, movement: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> StandingsAnswer:
    """Movement standings: latest appraisal per criterion, formula total, rank."""
    cut = cut or Cut()
    folded = Runner(app, on_progress=on_progress).read(movement_view(movement), cut)
    view = folded.state
    found = view.launched
    if found is None:
        if folded.stored:  # no copy kept for a movement the ledger does not hold
            ViewStore(app).drop(movement_view(movement).name)
        raise NotFoundError(f"standings: movement {movement!r} not found {_where(folded.position)}")
    rows = rank_standings(
        found.formula,
        found.criteria,
        list(view.participations.by_id.values()),
        view.name_of,
    )
    return StandingsAnswer(movement_info(found), as_of(folded.position, cut), rows)


def tally(
    app: LedgerApp, session: str, cut: Cut | None = None, on_progress: Progress | None = None
) -> TallyAnswer:
    """A review session's turnout and per-nominee result against threshold and quorum."""
    cut = cut or Cut()
    folded = Runner(app, on_progress=on_progress).read(LEDGER_VIEW, cut)
    found = folded.state.sessions.by_id.get(session)
    if found is None:
        raise NotFoundError(f"tally: session {session!r} not found {_where(folded.position)}")
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
            f"history: no event touches participant {participant!r} {_where(folded.position)}"
        )
    return HistoryAnswer(participant, as_of(folded.position, cut), folded.state.rows)
