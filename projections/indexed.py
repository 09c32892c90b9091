"""Inspector reads answered from the event index: `history`, `tally`, `standings` (of a
movement of ordinary size), `log --type/--signer/--movement`, `show SEQ`, `list
movements|sessions|decisions|signers`, and did-you-mean for unknown ids.

Each takes an :class:`EventIndex` (ledger/event_reads.py: current, and checking every event it
hands out against the signed tree) and reads only the events the index names — no scan of the
log. `history` runs the very fold of projections/history.py over those events (the events filed
under the participant, and every event of the aggregates they open: its records, its
participations, the sessions naming it), so its rows are the fold's over the whole log.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.errors import NotFoundError, UsageError
from domain.events import topic_of
from domain.participation import Participation
from domain.proposal import Objection, Proposal
from domain.registry import Signer
from domain.session import ReviewSession
from ledger.event_keys import Key
from ledger.event_reads import EventIndex
from ledger.keys import key_id
from ledger.reader import HEADER, Entry, body_of, decoder_for
from projections.catalog import Catalog, fold_catalog
from projections.history import OPENS_RELATED as HISTORY_OPENS
from projections.history import History, fold_history
from projections.log import LogRow, log_row
from projections.movement_view import MovementStandings, StandingsTable, fold_movement
from projections.proposals import HANDLERS as PROPOSAL_HANDLERS
from projections.proposals import Proposals, proposal_row
from projections.queries import (
    HistoryAnswer,
    ProposalAnswer,
    StandingsAnswer,
    TallyAnswer,
    where_in,
)
from projections.report.model import AsOf, movement_info, session_row
from projections.stream import Cut, EventMeta
from projections.tallies import Sessions, fold_sessions
from projections.view import LedgerView

OPENS_RELATED = frozenset(topic_of(t) for t in HISTORY_OPENS)


# -- did-you-mean ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Compare ids the way people mistype them: case, accents, Đ/đ written as D/d."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """'; did you mean 'X'?' for the known id closest to `word` (empty when none is close)."""
    folded = {_fold(k): k for k in known}
    exact = folded.get(_fold(word))
    if exact is not None and exact != word:
        return f"; did you mean {exact!r}?"
    close = difflib.get_close_matches(_fold(word), list(folded), n=1, cutoff=0.75)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""


def unknown(index: EventIndex, kind: str, what: str, word: str) -> NotFoundError:
    """NotFoundError naming `word` (a `kind` key) with the closest known one, if any."""
    return NotFoundError(f"{what} {word!r} not found{did_you_mean(word, index.keys(kind))}")


# -- where an answer stands --------------------------------------------------------------------


def _time_of(index: EventIndex, seq: int) -> datetime | None:
    spot = index.seq_position(seq)
    entry = None if spot is None else index.app.entry_by_id(spot[1], seq)
    if entry is None:
        return None
    try:
        return HEADER.decode(body_of(entry.state)).time
    except (msgspec.DecodeError, ValueError):
        return None


def stands_at(index: EventIndex, cut: Cut) -> AsOf | None:
    """The first `size` events an indexed answer covers, the time asked for (an effective cut)
    or the last one's append time, and their root (checked against the signed checkpoint);
    None when the tiles cannot say (the caller folds the log instead)."""
    tree = index.check.tree
    if tree is None:
        return None
    size = tree.size if cut.at_seq is None else min(cut.at_seq, tree.size)
    root = index.check.root(size) if size else None
    if size and root is None:
        return None
    time = _time_of(index, size - 1) if size else None
    return AsOf(size, cut.asked or time, cut.clock, root.hex() if root else "")


class Gathered:
    """The events an answer folds, by seq, read through `index` (each checked), before the
    cut's `end`: those filed under some keys (`lookup`, decoded, kept if asked) and every row
    of some aggregates (`aggregates`)."""

    def __init__(self, index: EventIndex, end: int) -> None:
        self.index, self.end = index, end
        self.entries: dict[int, Entry] = {}

    def lookup(self, filters: Sequence[Key], keep: bool = False) -> list[Any]:
        """The events filed under every filter, decoded; kept too when `keep`."""
        found = self.index.events(self.index.positions(filters), filters)
        entries = [e for e in found if e.seq < self.end]
        if keep:
            self.entries.update((e.seq, e) for e in entries)
        return [decoder_for(e.topic)(body_of(e.state))[1] for e in entries]

    def aggregates(self, ids: Iterable[UUID]) -> None:
        """Every row of each aggregate of `ids`; kept."""
        spots: set[tuple[int, int]] = set()
        for aggregate in ids:
            for row in self.index.app.aggregate_rows(aggregate):
                seq = self.index.seq_of(row.id)
                if seq < self.end and seq not in self.entries:
                    spots.add((seq, row.id))
        self.entries.update((e.seq, e) for e in self.index.events(sorted(spots)))

    def folded(self, cut: Cut) -> Iterator[tuple[Any, EventMeta]]:
        """The kept events in ledger order, decoded, with their metadata; under an effective
        cut (--as-of) those claiming a later time left out, as a fold leaves them out."""
        for seq in sorted(self.entries):
            entry = self.entries[seq]
            body, event = decoder_for(entry.topic)(body_of(entry.state))
            if not cut.excludes(event, body.time):
                yield event, EventMeta(seq, body.time, body.signer)


def answerable(index: EventIndex, cut: Cut) -> AsOf | None:
    """Where an answer of the index's at `cut` stands (:func:`stands_at`); None when the index
    cannot give it (a cut by append time, --appended-before, which needs the fold; --at-seq
    past the end; no checked tiles): the caller folds the log."""
    if cut.as_of is not None:
        return None
    tree = index.check.tree
    if tree is None or (cut.at_seq is not None and cut.at_seq > tree.size):
        return None
    return stands_at(index, cut)


# -- history -----------------------------------------------------------------------------------


def history(index: EventIndex, participant: str, cut: Cut) -> HistoryAnswer | None:
    """`awards history` from the index; None when it cannot answer (a cut by append time,
    --appended-before, which needs the fold, or no checked tiles): the caller folds the log.
    An effective cut (--as-of) leaves out the events claiming a later time, as the fold does."""
    if cut.as_of is not None:
        return None
    where = stands_at(index, cut)
    if where is None:
        return None
    mine: Key = ("participant", participant)
    direct = index.events(index.positions([mine]), [mine])
    state = History(participant)
    related = set(state.related)
    related.update(e.originator_id for e in direct if e.topic in OPENS_RELATED)
    spots: set[tuple[int, int]] = {(e.seq, e.notification_id) for e in direct}
    known = {nid for _, nid in spots}
    for aggregate in related:
        for row in index.app.aggregate_rows(aggregate):
            if row.id not in known:
                spots.add((index.seq_of(row.id), row.id))
    seen = {e.seq: e for e in direct}
    extra = [(s, n) for s, n in spots if s not in seen]
    for entry in index.events(extra):
        seen[entry.seq] = entry
    for seq in sorted(seen):
        if seq >= where.seq:
            break
        entry = seen[seq]
        body, event = decoder_for(entry.topic)(body_of(entry.state))
        if not cut.excludes(event, body.time):
            state = fold_history(state, event, EventMeta(seq, body.time, body.signer))
    if not state.rows:
        suggestion = did_you_mean(participant, index.keys("participant"))
        raise NotFoundError(
            f"history: no event touches participant {participant!r} in the first "
            f"{where.seq} events{suggestion}"
        )
    return HistoryAnswer(participant, where, state.rows)


# -- tally -------------------------------------------------------------------------------------

NAMED_BY = ("Person.Added", "Unit.Added", "Cluster.Formed")  # what gives a participant a name


def tally(index: EventIndex, session: str, cut: Cut) -> TallyAnswer | None:
    """`awards tally` from the session's own events (its aggregate's rows, read on the log's
    aggregate index and checked against the signed tree) and its nominees' names; None when
    it cannot answer (a cut by a time, or --at-seq past the end, or no checked tiles): the
    caller folds the log. The rows are the fold's over the whole log: the session's events
    are all of its aggregate, and a name is the one event that added the participant; an
    effective cut (--as-of) leaves out the events claiming a later time, as the fold does."""
    where = answerable(index, cut)
    if where is None:
        return None
    rows = index.app.aggregate_rows(ReviewSession.id_for(session))
    spots = [(index.seq_of(row.id), row.id) for row in rows]
    sessions = Sessions()
    for entry in index.events([s for s in spots if s[0] < where.seq]):
        body, event = decoder_for(entry.topic)(body_of(entry.state))
        if not cut.excludes(event, body.time):
            fold_sessions(sessions, event, EventMeta(entry.seq, body.time, body.signer))
    found = sessions.by_id.get(session)
    if found is None:
        suggestion = did_you_mean(session, index.keys("session"))
        raise NotFoundError(
            f"tally: session {session!r} not found in the first {where.seq} events{suggestion}"
        )
    names = Catalog()
    for nominee in found.nominees:
        for kind in NAMED_BY:
            filters: list[Key] = [("participant", nominee), ("type", kind)]
            for entry in index.events(index.positions(filters), filters):
                if entry.seq < where.seq:
                    body, event = decoder_for(entry.topic)(body_of(entry.state))
                    if not cut.excludes(event, body.time):
                        fold_catalog(names, event, EventMeta(entry.seq, body.time, body.signer))
    view = LedgerView(catalog=names)
    return TallyAnswer(where, found.movement, session_row(found, view), found.at, found.closed_at)


# -- standings ---------------------------------------------------------------------------------

# A movement with more participations is read from its own view (projections/movement_view.py):
# reading each participation's rows one query at a time would cost more than that view's fold.
INDEXED_PARTICIPATIONS = 2_000


def standings(index: EventIndex, movement: str, cut: Cut) -> StandingsAnswer | None:
    """:func:`standings_table` with its rows made (None when it cannot answer so)."""
    found = standings_table(index, movement, cut)
    if found is None:
        return None
    answer, table = found
    answer.standings = list(table.rows())
    return answer


def standings_table(
    index: EventIndex, movement: str, cut: Cut
) -> tuple[StandingsAnswer, StandingsTable] | None:
    """`awards standings` (the answer without its rows, and the ranked table) of a movement of
    at most INDEXED_PARTICIPATIONS participations from its own events: its launch, every row
    of each participation registered for it (the registration, scores, corrections: its
    aggregate's rows) and its participants' names, each checked against the signed tree,
    folded with the movement view's own fold, so the answer is the view's (an effective cut,
    --as-of, leaving out the events claiming a later time, as the fold does). None when it
    cannot answer so (a cut by append time, --at-seq past the end, no checked tiles, a larger
    movement): the caller reads the movement's view."""
    where = answerable(index, cut)
    if where is None:
        return None
    mine: Key = ("movement", movement)
    registered: list[Key] = [mine, ("type", "Participation.Registered")]
    spots = index.positions(registered, limit=INDEXED_PARTICIPATIONS + 1)
    if len(spots) > INDEXED_PARTICIPATIONS:
        return None
    launched: list[Key] = [mine, ("type", "Movement.Launched")]
    entries = {e.seq: e for e in index.events(index.positions(launched), launched)}
    participants: set[str] = set()
    rows: set[tuple[int, int]] = set()
    for entry in index.events(spots, registered):
        _, event = decoder_for(entry.topic)(body_of(entry.state))
        if isinstance(event, Participation.Registered):
            participants.add(event.participant)
            for row in index.app.aggregate_rows(event.originator_id):
                rows.add((index.seq_of(row.id), row.id))
    entries.update((e.seq, e) for e in index.events(sorted(rows)))
    for participant in sorted(participants):
        for kind in NAMED_BY:
            named: list[Key] = [("participant", participant), ("type", kind)]
            entries.update((e.seq, e) for e in index.events(index.positions(named), named))
    state = MovementStandings(movement)
    for seq in sorted(entries):
        if seq >= where.seq:
            break
        entry = entries[seq]
        body, event = decoder_for(entry.topic)(body_of(entry.state))
        if not cut.excludes(event, body.time):
            fold_movement(state, event, EventMeta(seq, body.time, body.signer))
    found = state.launched
    if found is None:
        suggestion = did_you_mean(movement, index.keys("movement"))
        raise NotFoundError(
            f"standings: movement {movement!r} not found in the first {where.seq} events"
            f"{suggestion}"
        )
    return StandingsAnswer(movement_info(found), where, []), state.table()


# -- a proposal's path ---------------------------------------------------------------------------


def proposal(index: EventIndex, proposal_id: str, today: date, cut: Cut) -> ProposalAnswer | None:
    """`awards proposal show` from the proposal's own events (its aggregate's rows) and those of
    the objections noted on it, each checked against the signed tree, folded with the
    proposals' own handlers, so the path is the ledger view's; None when it cannot answer so
    (a cut by append time, --at-seq past the end, no checked tiles): the caller folds the log."""
    where = answerable(index, cut)
    if where is None:
        return None
    got = Gathered(index, where.seq)
    got.aggregates([Proposal.id_for(proposal_id)])
    events = [decoder_for(e.topic)(body_of(e.state))[1] for e in got.entries.values()]
    got.aggregates(
        Objection.id_for(e.objection_id) for e in events if isinstance(e, Proposal.ObjectionNoted)
    )
    state = Proposals()
    for event, meta in got.folded(cut):
        PROPOSAL_HANDLERS[type(event)](state, event, meta)
    found = state.by_id.get(proposal_id)
    if found is None:
        raise NotFoundError(
            f"proposal show: proposal {proposal_id!r} not found {where_in(where.seq)}"
        )
    return ProposalAnswer(where, today, proposal_row(state, found, today))


# -- log with filters --------------------------------------------------------------------------


FILTERED_PAGE = 2000  # events of a filtered log read, checked and shown at a time


def filtered_pages(
    index: EventIndex,
    filters: Sequence[Key],
    start: int,
    limit: int | None,
) -> Iterator[list[LogRow]]:
    """The events filed under every filter (type, signer, movement), from seq `start`, at
    most `limit`, a page of FILTERED_PAGE at a time (each read, checked against the signed
    tree and made into rows before the next: a long answer is never held whole). Unknown
    filter keys raise NotFoundError before the first page."""
    for kind, key in filters:
        if not index.positions([(kind, key)], limit=1):
            raise unknown(index, kind, kind, key)
    return _filtered_pages(index, filters, start, limit)


def _filtered_pages(
    index: EventIndex, filters: Sequence[Key], start: int, limit: int | None
) -> Iterator[list[LogRow]]:
    left = limit
    while left is None or left > 0:
        size = FILTERED_PAGE if left is None else min(FILTERED_PAGE, left)
        spots = index.positions(filters, start, size)
        if not spots:
            return
        yield [log_row(entry) for entry in index.events(spots, filters)]
        start = spots[-1][0] + 1
        if left is not None:
            left -= len(spots)
        if len(spots) < size:
            return


# -- show --------------------------------------------------------------------------------------


class Shown(msgspec.Struct):
    """One whole event: where it is, its signed body, signature, signer and proof status."""

    seq: int
    notification_id: int
    type: str
    aggregate: str
    version: int
    time: datetime | None
    signer: str
    signer_key_id: str | None
    signature: str
    payload: Any
    proof: str


def show(index: EventIndex, seq: int) -> Shown:
    """Event `seq`, read alone (by the index's notification id, else counted on the log)."""
    app = index.app
    spot = index.seq_position(seq)
    entry = app.entry_by_id(spot[1], seq) if spot is not None else None
    if entry is None:
        entry = app.entry_at(seq)
    if entry is None:
        size = index.check.tree.size if index.check.tree is not None else None
        held = f" (the ledger holds {size} events)" if size is not None else ""
        raise NotFoundError(f"show: there is no event {seq}{held}")
    shown = Shown(**_whole(entry), proof=_proof_status(index, entry))
    signer = app.find(Signer, Signer.id_for(shown.signer)) if shown.signer != "?" else None
    if signer is None:
        return shown
    return msgspec.structs.replace(shown, signer_key_id=key_id(signer.public_key))


def _whole(entry: Entry) -> dict[str, Any]:
    cut = entry.state.rfind(b"\n")
    signature = entry.state[cut + 1 :].decode("ascii", "replace") if cut >= 0 else ""
    try:
        header = HEADER.decode(body_of(entry.state))
        payload = msgspec.json.decode(header.payload)
    except (msgspec.DecodeError, ValueError):
        return {
            "seq": entry.seq,
            "notification_id": entry.notification_id,
            "type": entry.topic,
            "aggregate": str(entry.originator_id),
            "version": entry.originator_version,
            "time": None,
            "signer": "?",
            "signer_key_id": None,
            "signature": signature,
            "payload": None,
        }
    return {
        "seq": entry.seq,
        "notification_id": entry.notification_id,
        "type": header.type,
        "aggregate": str(header.aggregate),
        "version": header.version,
        "time": header.time,
        "signer": header.signer,
        "signer_key_id": None,
        "signature": signature,
        "payload": payload,
    }


def _proof_status(index: EventIndex, entry: Entry) -> str:
    check = index.check
    if check.problem is not None:
        return f"NOT CHECKED: {check.problem}"
    if check.signed is None or check.tree is None:
        return f"not checked: {check.unchecked}"
    if check.check_rows([(entry.seq, entry.state)]):
        return (
            f"NOT the event the signed tree holds at {entry.seq}: the log was changed; "
            "run 'awards verify'"
        )
    if entry.seq < check.signed.size:
        return (
            f"included in the signed checkpoint of size {check.signed.size} "
            "(inclusion proof from the hash tiles verified against its root)"
        )
    return (
        f"after the newest signed checkpoint (size {check.signed.size}): matches the hash "
        "tiles, not yet covered by a signature"
    )


# -- list --------------------------------------------------------------------------------------

LISTS: dict[str, str] = {
    "movements": "Movement.Launched",
    "sessions": "ReviewSession.Opened",
    "decisions": "Decision.Recorded",
    "signers": "Signer.Registered",
}
_SHOWN: dict[str, tuple[str, ...]] = {
    "movements": ("movement_id", "name", "start", "end", "unit_deadline"),
    "sessions": ("session_id", "movement", "title", "mode", "nominees"),
    "decisions": ("number", "movement", "award", "date", "authority", "recipients"),
    "signers": ("name", "roles", "unit", "person"),
}


class Listed(msgspec.Struct):
    """One record of `awards list`: where it was recorded, by whom, and its main fields."""

    seq: int
    time: datetime
    signer: str
    fields: dict[str, Any]


def listing(index: EventIndex, what: str, movement: str | None) -> list[Listed]:
    """The movements, sessions, decisions or signers recorded (those of `movement` only)."""
    filters: list[Key] = [("type", LISTS[what])]
    if movement is not None:
        if what in ("movements", "signers"):
            raise UsageError(f"list {what}: --movement applies to sessions and decisions")
        if not index.positions([("movement", movement)], limit=1):
            raise unknown(index, "movement", "movement", movement)
        filters.append(("movement", movement))
    rows: list[Listed] = []
    for entry in index.events(index.positions(filters), filters):
        try:
            header = HEADER.decode(body_of(entry.state))
            payload = msgspec.json.decode(header.payload, type=dict[str, Any])
        except (msgspec.DecodeError, ValueError):
            continue
        fields = {name: _brief(payload.get(name)) for name in _SHOWN[what]}
        rows.append(Listed(entry.seq, header.time, header.signer, fields))
    return rows


def _brief(value: Any) -> Any:
    """Recipients as their ids (a list of records otherwise)."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [item.get("id") for item in value]
    return value
