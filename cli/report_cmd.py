"""Read commands over the projections: `standings`, `tally`, `history`, `report`, `receipt`.

Each reads the ledger as it stands now, or on one of three clocks: `--as-of DATETIME` (the
events whose effective time, the `--at`/`--date` they claim, is at most DATETIME),
`--appended-before DATETIME` (up to the first event appended after it) or `--at-seq N` (the
first N events); the stored views are caught up on the way (projections/runner.py).
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import msgspec

from cli.context import LedgerContext, force_option, json_option, parse_datetime, pass_ctx
from cli.inspect_cmd import open_index
from cli.progress import progress
from cli.read_check import check_read, check_refused
from cli.render import (
    echo_line,
    echo_row,
    emit_json,
    json_document,
)
from cli.standings_render import JSON, TEXT, patched_pieces, standings_pieces
from domain.actor import format_time
from domain.errors import UsageError
from domain.text import counted
from ledger.files import check_target, write_file
from ledger.receipt import build_award_receipt, encode_receipt, tlog_proof_text
from projections import indexed, queries
from projections.answer_cache import KeptAnswer, cached_answer, keep_answer
from projections.checkpoints import stored_checkpoints
from projections.indexed_report import indexed_report
from projections.movement_view import MovementStandings, StandingsTable
from projections.receipt_statements import with_statements
from projections.report import movement_report, report_cut
from projections.report.i18n import LANGS
from projections.report.model import AsOf
from projections.report.render_csv import write_csv
from projections.report.render_html import html_chunks
from projections.report.render_json import json_chunks
from projections.runner import Runner
from projections.standings_patch import index_bytes, patch, touched_rows
from projections.stream import Cut, Position

F = TypeVar("F", bound=Callable[..., Any])


def time_travel_options(func: F) -> F:
    """Add --as-of, --appended-before and --at-seq; the command receives their `cut`."""

    @functools.wraps(func)
    def with_cut(
        *args: Any,
        as_of: str | None,
        appended_before: str | None,
        at_seq: int | None,
        **kwargs: Any,
    ) -> Any:
        return func(*args, cut=make_cut(as_of, appended_before, at_seq), **kwargs)

    command = cast(F, with_cut)
    command = click.option(
        "--at-seq",
        type=click.IntRange(min=0),
        default=None,
        help="Show the ledger as it stood with its first N events (seq < N).",
    )(command)
    command = click.option(
        "--appended-before",
        metavar="DATETIME",
        default=None,
        help="Show the ledger as it stood at this append time: the events appended up to it "
        "(ISO 8601; Asia/Ho_Chi_Minh if no zone).",
    )(command)
    command = click.option(
        "--as-of",
        metavar="DATETIME",
        default=None,
        help="Show the events whose effective time (the --at/--date each claims; its append "
        "time if none) is at most DATETIME, whenever they were appended; with --at-seq N, "
        "among the first N events (ISO 8601; Asia/Ho_Chi_Minh if no zone).",
    )(command)
    return command


def make_cut(as_of: str | None, appended_before: str | None, at_seq: int | None) -> Cut:
    """The time-travel cut of --as-of / --appended-before / --at-seq: one of them, or --as-of
    within the first N events (--at-seq N), which pins an effective-time read to a log size."""
    if appended_before is not None and (as_of is not None or at_seq is not None):
        raise UsageError("give --appended-before alone, not with --as-of or --at-seq")
    return Cut(
        at_seq=at_seq,
        as_of=parse_datetime(appended_before, "--appended-before") if appended_before else None,
        effective=parse_datetime(as_of, "--as-of") if as_of else None,
    )


_CLOCKS = {
    "effective": "effective as of {time}, by the time each event claims",
    "appended": "appended up to {time}",
    "seq": "last appended {time}",
}


def where_text(as_of: AsOf) -> str:
    """Where a read stands, naming the clock its cut used (`Cut.clock`)."""
    if not as_of.seq or as_of.time is None:
        return "as of an empty ledger"
    clock = _CLOCKS[as_of.clock].format(time=format_time(as_of.time))
    return f"as of the first {counted(as_of.seq, 'event')} ({clock})"


@click.command("standings")
@click.argument("movement")
@time_travel_options
@json_option
@pass_ctx
def standings(obj: LedgerContext, movement: str, cut: Cut, as_json: bool) -> None:
    """Standings of MOVEMENT: latest appraisal points per criterion, formula total, rank."""
    index = open_index(obj, "standings", as_json, whole=True)
    check_read(obj, index.check)
    # a large movement's answer as printed (the table, or the JSON document), once printed
    # from its own view, is kept sealed at its position and printed again while the log
    # stays as it was, or has grown only by events the view does not fold (then with where
    # it stands written again; projections/answer_cache.py), or patched when it has grown
    # by scores (projections/standings_patch.py); only a large movement's is kept, so one
    # found needs no look at the event index to tell the movement is large
    form = "json" if as_json else "text"
    name, version = queries.standings_answer_key(movement, form, STANDINGS_RENDER[form])
    where = _standings_where_json if as_json else _standings_where_text
    topics = queries.standings_topics(movement)
    kept = None
    if cut == Cut():
        kept = cached_answer(obj.app, name, version, topics, where, pending=True)
    if kept is None:  # a movement of ordinary size is read from its own events
        found = indexed.standings_table(index, movement, cut)
        check_refused(obj, index.problems)
        if found is not None:
            click.echo(standings_bytes(*found, as_json), nl=False)
            return
    # a large movement, or a time cut: its own view
    if kept is not None and not kept.pending:
        for piece in kept.pieces():
            click.echo(piece, nl=False)
        return
    with progress("standings", quiet=as_json) as meter:
        answer, state, position = queries.standings_state(obj.app, movement, cut, meter.on_progress)
    line = _where_line(answer.as_of)
    ends = array("Q")  # where each row printed ends, kept to patch the answer
    made = _standings_patched(answer, state, position, kept, as_json, line, ends)
    if made is None:  # every row made, a batch at a time as printed
        table = state.table()
        pieces = standings_pieces(answer, table, as_json, line, ends)
    else:
        table, pieces = made
        if kept is not None and not kept.lagging():  # patched again by the next read
            for piece in pieces:
                click.echo(piece, nl=False)
            return
    # printed as made, and kept as printed: 65,800 participations are never held whole as
    # text, and with the answer its rows' order, ends and totals, to patch it after a score
    printed = _echoed(pieces)
    copy = queries.standings_copy(obj.app, movement) if cut == Cut() else None
    if copy is not None:
        keep_answer(
            obj.app, name, version, copy, position, printed, where,
            lambda: index_bytes(table, ends),
        )  # fmt: skip
    for _ in printed:  # whatever keeping did not read (not kept: no copy, no local key…)
        pass


def _standings_patched(
    answer: queries.StandingsAnswer,
    state: MovementStandings,
    position: Position,
    kept: KeptAnswer | None,
    as_json: bool,
    line: str,
    ends: array[int],
) -> tuple[StandingsTable, Iterator[bytes]] | None:
    """The kept answer patched with the scores appended after it (the table it now prints,
    and its pieces, which add where each row ends to `ends`), when `state` is folded to the
    end `kept` was checked to, every event since of a type the view folds is a score, and
    its index describes `state`'s rows and its bytes; else None
    (projections/standings_patch.py)."""
    if kept is None or kept.position is None or not _same_end(kept.position, position):
        return None
    touched = touched_rows(state, kept.pending)
    if touched is None:
        return None
    tail = len(JSON.tail if as_json else TEXT.tail)
    change = patch(state, kept.index, touched, kept.length, tail)
    if change is None:
        return None
    pieces = patched_pieces(answer, change, kept.pieces(), as_json, line, ends)
    return change.table, _blocks(pieces, 1 << 20)


def _same_end(checked: Position, folded: Position) -> bool:
    """Whether a fold reached the very end a kept answer's events were checked to."""
    return (checked.seq, checked.notification_id, checked.frontier) == (
        folded.seq, folded.notification_id, folded.frontier,
    )  # fmt: skip


def _echoed(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """`pieces`, each printed as it is read."""
    for piece in pieces:
        click.echo(piece, nl=False)
        yield piece


# the version of what `standings` prints, per form: change it whenever the printed bytes
# change (cli/standings_render.py, or the JSON of StandingsAnswer), so that no answer printed
# by an earlier version is printed again (projections/answer_cache.py)
STANDINGS_RENDER = {"text": "standings-text/2", "json": "standings-json/1"}


def standings_bytes(answer: queries.StandingsAnswer, table: StandingsTable, as_json: bool) -> bytes:
    """The standings as `standings` prints them: the JSON document, or the table."""
    where = _where_line(answer.as_of)
    return b"".join(standings_pieces(answer, table, as_json, where, array("Q")))


def _standings_where_text(position: Position) -> bytes:
    """The table's line saying where the standings stand (`_standings_text`'s second)."""
    return _where_line(AsOf.of(position, Cut())).encode("utf-8")


def _where_line(as_of: AsOf) -> str:
    return f"{where_text(as_of)}; root {as_of.root}\n"


def _standings_where_json(position: Position) -> bytes:
    """The JSON document's ``"as_of"`` member at `position`, as `json_document` indents it
    inside the document (one level deep)."""
    alone = json_document({"as_of": AsOf.of(position, Cut())})  # "{\n" … "\n}\n"
    return alone[2 : -len(b"\n}\n")]


@click.command("tally")
@click.argument("session")
@time_travel_options
@json_option
@pass_ctx
def tally(obj: LedgerContext, session: str, cut: Cut, as_json: bool) -> None:
    """Turnout and yes / no per nominee of review SESSION, against threshold and quorum."""
    index = open_index(obj, "tally", as_json, whole=True)
    answer = indexed.tally(index, session, cut)
    check_read(obj, index.check, index.problems)
    if answer is None:  # an --as-of time, or no checked tiles: fold the log
        with progress("tally", quiet=as_json) as meter:
            answer = queries.tally(obj.app, session, cut, meter.on_progress)
    if as_json:
        emit_json(answer)
        return
    s = answer.session
    state = "closed" if s.closed else "open"
    quorum = "met" if s.quorum_met else "not met"
    written = f" ({len(s.written)} in writing: {', '.join(s.written)})" if s.written else ""
    echo_line(
        f"session {s.id} ({s.title}, {s.mode} mode) in {answer.movement}, {state}: "
        f"{s.ballots} of {len(s.members)} members took part{written}, quorum {s.quorum} "
        f"{quorum}; threshold {s.threshold} of all members"
    )
    click.echo(where_text(answer.as_of))
    for r in s.results:
        verdict = "passed" if r.passed else "not passed"
        echo_row(r.nominee, f"{r.yes} yes", f"{r.no} no", verdict, r.name or "")


@click.command("history")
@click.argument("participant")
@time_travel_options
@json_option
@pass_ctx
def history(obj: LedgerContext, participant: str, cut: Cut, as_json: bool) -> None:
    """Every event touching PARTICIPANT (person, unit or cluster), with signers and times."""
    index = open_index(obj, "history", as_json)
    answer = indexed.history(index, participant, cut)
    check_read(obj, index.check, index.problems)
    if answer is None:  # an --as-of time, or no checked tiles: fold the log
        with progress("history", quiet=as_json) as meter:
            answer = queries.history(obj.app, participant, cut, meter.on_progress)
    if as_json:
        emit_json(answer)
        return
    echo_line(f"history of {participant}, {where_text(answer.as_of)}")
    for row in answer.events:
        at = format_time(row.at) if row.at else "-"
        echo_row(row.seq, format_time(row.time), at, row.signer, row.type, row.summary)


@click.command("report")
@click.argument("movement")
@click.option(
    "--format", "fmt", required=True, type=click.Choice(["html", "json", "csv"]), help="Output."
)
@click.option("--lang", type=click.Choice(list(LANGS)), default="vi", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (html, json; default stdout), or folder for csv (required).",
)
@force_option
@time_travel_options
@pass_ctx
def report(
    obj: LedgerContext,
    movement: str,
    fmt: str,
    lang: str,
    out: Path | None,
    force: bool,
    cut: Cut,
) -> None:
    """The public report of MOVEMENT, with the checkpoint that commits to it."""
    if fmt == "csv" and (out is None or out.is_file()):
        raise UsageError("report --format csv writes one file per table: give --out FOLDER")
    if fmt != "csv" and out is not None:  # refused before the report is made
        check_target(out, force)
    index = open_index(obj, f"report {movement}", quiet=False, whole=True)
    check_read(obj, index.check)
    # a movement of ordinary size from its own events (projections/indexed_report.py); a
    # larger one, or under --appended-before, from the whole ledger view
    checkpoints = stored_checkpoints(obj.app)
    result = indexed_report(index, movement, report_cut(obj.app, cut, checkpoints), checkpoints)
    check_refused(obj, index.problems)
    if result is None:
        with progress(f"report {movement}") as meter:
            runner = Runner(obj.app, on_progress=meter.on_progress)
            result = movement_report(obj.app, movement, cut, runner)
    if fmt == "csv" and out is not None:
        written = write_csv(result, out, replace=force)
        echo_line(f"report {movement}: {len(written)} files in {out}")
        return
    chunks = _blocks(json_chunks(result) if fmt == "json" else html_chunks(result, lang))
    if out is None:
        for block in chunks:
            click.echo(block, nl=False)
        return
    _write(out, chunks, force)
    cp = result.checkpoint
    if cp.size is None:
        covered = "no checkpoint signed yet"
    elif cp.covers_report:
        covered = f"checkpoint of size {cp.size} covers it"
    else:
        covered = (
            f"checkpoint of size {cp.size}, {counted(cp.uncovered, 'event')} after it not covered"
        )
    echo_line(f"report {movement}: {out} ({counted(result.as_of.seq, 'event')}; {covered})")


def _blocks(chunks: Iterable[str] | Iterable[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """Small pieces (text or bytes) gathered into blocks of about `size`, each joined and
    encoded once (a page is rendered in over a million pieces)."""
    pending: list[Any] = []
    held = 0
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        if held >= size:
            yield _joined(pending)
            pending, held = [], 0
    if pending:
        yield _joined(pending)


def _joined(pieces: list[Any]) -> bytes:
    # a plain str join: jinja's pieces may be Markup, whose own join would escape the rest
    if isinstance(pieces[0], str):
        return "".join(pieces).encode("utf-8")
    return b"".join(pieces)


def _write(path: Path, blocks: Iterable[bytes], force: bool) -> None:
    write_file(path, blocks, replace=force)


@click.command("receipt")
@click.argument("number")
@click.option("--recipient", required=True, help="The recipient the receipt is for.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--tlog-proof",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the event's proof in the C2SP tlog-proof text form.",
)
@force_option
@json_option
@pass_ctx
def receipt(
    obj: LedgerContext,
    number: str,
    recipient: str,
    out: Path,
    tlog_proof: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """An offline-verifiable receipt of award decision NUMBER for one recipient."""
    built = with_statements(
        obj.app, build_award_receipt(obj.app, number, recipient), number, recipient
    )
    for target in (out, tlog_proof):  # refuse before writing either
        if target is not None:
            check_target(target, force)
    _write(out, [encode_receipt(built)], force)
    if tlog_proof is not None:
        _write(tlog_proof, [tlog_proof_text(built).encode("utf-8")], force)
    size = built.checkpoint.split("\n")[1]
    if as_json:
        emit_json(
            {
                "number": number,
                "recipient": recipient,
                "seq": built.event.seq,
                "tree_size": int(size),
                "out": str(out),
                "tlog_proof": str(tlog_proof) if tlog_proof else None,
                "statements": [msgspec.structs.asdict(x) for x in built.statements or []],
                "chain": [p.seq for p in built.chain or []],
            }
        )
        return
    echo_line(
        f"receipt: decision {number} for {recipient} (event {built.event.seq}, checkpoint of "
        f"size {size}) -> {out}" + (f"; tlog-proof -> {tlog_proof}" if tlog_proof else "")
    )
    for statement in built.statements or []:
        echo_line(f"stated by the ledger as of tree size {size} (unsigned): {statement.text}")
    if built.chain:
        seqs = ", ".join(str(p.seq) for p in built.chain)
        echo_line(f"with the proposal's endorsement chain, proven: events {seqs}")


COMMANDS: list[click.Command] = [standings, tally, history, report, receipt]
