"""The demo summary's account of each proposal path, folded from the ledger (the proposals read
model and its working-day clocks, as `awards proposal show` and the reports tell them), one
line per proposal: every level with what it did and its days against the limit, the public
comment and the objections, and the decision."""

from __future__ import annotations

from collections.abc import Iterable

from domain.actor import local_date
from ledger.application import LedgerApp
from projections.proposals import ProposalRow, proposal_rows
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW


def path_line(row: ProposalRow) -> str:
    """One proposal's path in a line (see the module docstring)."""
    steps = []
    for s in row.steps:
        days = "" if s.working_days is None else f" {s.working_days}/{s.limit_days} working days"
        steps.append(f"{s.holder} {s.action or 'pending'}{days}{' LATE' if s.late else ''}")
    line = f"proposal {row.proposal}: {row.unit} -> " + " -> ".join(steps)
    if row.comment is not None:
        line += f"; public comment until {row.comment.ends.isoformat()}"
    outcomes = [f"{o.objection} {o.outcome or 'unresolved'}" for o in row.objections]
    if outcomes:
        line += f"; objections: {', '.join(outcomes)}"
    if row.decision is not None:
        line += f"; decision {row.decision}"
    return line


def path_lines(app: LedgerApp, movements: Iterable[str]) -> dict[str, list[str]]:
    """Each movement's proposal paths, one line each (a pending step's clock runs to the day
    of the last event)."""
    folded = Runner(app).read(LEDGER_VIEW, Cut())
    time = folded.position.time
    found: dict[str, list[str]] = {}
    for movement in movements:
        rows = (
            proposal_rows(folded.state.proposals, local_date(time), movement)
            if time is not None
            else []
        )
        found[movement] = [path_line(row) for row in rows]
    return found
