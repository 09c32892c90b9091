"""Read commands check the log they read (issue 13, item 7): one call after the read.

:func:`check_read` takes what ledger/log_check.py found (and any event-index row a read
refused, ledger/event_reads.py) and prints one ``warning:`` line for each, or, when the user
asked to be strict (``awards --strict …`` or env ``AWARDS_STRICT=1``), fails with exit 4.
Every read command calls it: log, history, show, list here, and the view reads (standings,
tally, report) through :func:`check_view_read`.
"""

from __future__ import annotations

from collections.abc import Sequence

from cli.context import LedgerContext
from cli.render import echo_line
from domain.errors import VerificationError
from ledger.log_check import LogCheck, check_log


def check_read(obj: LedgerContext, check: LogCheck, refused: Sequence[str] = ()) -> None:
    """Warn (or with --strict, exit 4) when the log read does not match the newest signed
    checkpoint, or an index row was refused. A ledger with no checkpoint yet is not warned
    about (there is nothing signed to check against)."""
    problems = ([check.problem] if check.problem else []) + list(refused)
    if check.unchecked and check.signed is not None:
        problems.append(check.unchecked)
    _report(obj, problems)


def check_refused(obj: LedgerContext, refused: Sequence[str]) -> None:
    """:func:`check_read` of the event-index rows a read refused, alone (for a read that
    checked its log before reading the index)."""
    _report(obj, list(refused))


def _report(obj: LedgerContext, problems: list[str]) -> None:
    if not problems:
        return
    if obj.strict:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise VerificationError(f"{problems[0]}{more}")
    for problem in problems:
        echo_line(f"warning: {problem}", err=True)


def check_view_read(obj: LedgerContext) -> LogCheck:
    """:func:`check_read` of the newest signed checkpoint against the log (for reads that
    do not go through the event index: standings, tally, report, log)."""
    check = check_log(obj.app)
    check_read(obj, check)
    return check
