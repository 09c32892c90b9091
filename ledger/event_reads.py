"""Indexed "which events" reads: the events filed under some keys, each checked before use.

:class:`EventIndex` answers from the event index (ledger/event_index.py). Opening it makes the
index current: a ledger without it, or whose index fell behind, is filled from the mark on
(with progress); a read-only ledger files the events past the mark in memory instead. Every
event it hands out is read from the log by its notification id and kept only if

- it is still filed under what was asked (its keys recomputed by ledger/event_keys.py: a row
  pointing at an unrelated event is caught), and
- it is the event the signed tree holds at the index's seq (ledger/log_check.py: a row
  pointing at another seq, or an edited event, is caught).

A row that fails is left out and named in :attr:`EventIndex.problems`; the caller warns or
exits 4 (cli/context.py ``check_read``). A deleted index row cannot be seen by a read: the
audit recomputes the whole index (``awards verify``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ledger.application import LedgerApp
from ledger.event_index import IndexEnd, IndexStore, index_rows
from ledger.event_keys import Key, keys_of
from ledger.log_check import LogCheck, check_log
from ledger.progress import Progress
from ledger.reader import Entry, to_entry
from ledger.store import state_bytes


class EventIndex:
    """The event index of one ledger, current to its last event, with the log check."""

    def __init__(
        self, app: LedgerApp, on_progress: Progress | None = None, whole: bool = False
    ) -> None:
        """`whole`: also count the rows after the checkpoint (``check_log``), for a read whose
        answer would change silently if a row it never sees were deleted (a vote, a score)."""
        self.app = app
        self.store = IndexStore(app.recorder, app.location.is_postgres)
        self.check: LogCheck = check_log(app, whole=whole)
        self.problems: list[str] = []
        self._stored = True
        self._tail: dict[Key, list[tuple[int, int]]] = defaultdict(list)
        self._current(on_progress)

    def _current(self, on_progress: Progress | None) -> None:
        last = self.app.last_notification_id()
        try:
            end = self.store.load_end()
        except Exception:  # no table: a ledger made before the index
            end, self._stored = None, False
        if end is not None and end.last_id == last:
            return
        try:
            behind = (last or 0) - (end.last_id if end is not None else 0)
            self.store.backfill(self.app.reader, on_progress, behind)
            self._stored = True
            return
        except Exception:  # read-only: file what lies past the mark in memory
            pass
        start = end if end is not None and self._stored else IndexEnd(0, -1)
        for first, rows in self.app.reader.pages(start.size, after_id=start.last_id):
            pairs = [(row.id, state_bytes(row.state)) for row in rows]
            for kind, key, seq, nid in index_rows(first, pairs):
                self._tail[(kind, key)].append((seq, nid))

    # -- positions -------------------------------------------------------------------------------

    def positions(
        self, filters: Sequence[Key], start: int = 0, limit: int | None = None
    ) -> list[tuple[int, int]]:
        """(seq, nid) of the events filed under all `filters`, from `start`, in order."""
        found: set[tuple[int, int]] = set()
        if self._stored:
            found.update(self.store.positions(filters, start, limit))
        if self._tail:
            sets = [{p for p in self._tail.get(f, []) if p[0] >= start} for f in filters]
            found.update(set.intersection(*sets) if sets else set())
        ordered = sorted(found)
        return ordered if limit is None else ordered[:limit]

    def keys(self, kind: str) -> list[str]:
        """Every key of `kind` the ledger files events under (for did-you-mean)."""
        keys = set(self.store.keys(kind)) if self._stored else set()
        keys.update(key for k, key in self._tail if k == kind)
        return sorted(keys)

    def seq_of(self, nid: int) -> int:
        """The seq of the event with notification id `nid`: looked up on the index's seq
        column (a binary search; ids only grow with seq), else counted on the log. Every
        event handed out is checked against the tree at this seq anyway."""
        if self._stored and not self._tail:
            end = self.store.load_end()
            lo, hi = 0, 0 if end is None else end.size
            guess = min(max(nid - 1, 0), max(hi - 1, 0))  # SQLite: ids are dense from 1
            if hi and self.store.nid_at(guess) == nid:
                return guess
            while lo < hi:
                mid = (lo + hi) // 2
                at = self.store.nid_at(mid)
                if at is None:
                    break
                if at == nid:
                    return mid
                lo, hi = (mid + 1, hi) if at < nid else (lo, mid)
        return self.app.count_through(nid) - 1

    def seq_position(self, seq: int) -> tuple[int, int] | None:
        """(seq, nid) of event `seq` as the index files it (its type row), else None."""
        if self._stored:
            nid = self.store.nid_at(seq)
            if nid is not None:
                return seq, nid
        for (kind, _), spots in self._tail.items():
            if kind == "type":
                for spot in spots:
                    if spot[0] == seq:
                        return spot
        return None

    # -- checked events --------------------------------------------------------------------------

    def events(
        self, positions: Sequence[tuple[int, int]], filed: Sequence[Key] = ()
    ) -> list[Entry]:
        """The events at `positions` (seq, nid), read from the log, each kept only if it is
        filed under every key of `filed` and is the event the signed tree holds at its seq."""
        wanted = dict((nid, seq) for seq, nid in positions)
        rows = self.app.rows_by_ids(list(wanted))
        entries = {row.id: to_entry(wanted[row.id], row) for row in rows}
        for nid, seq in wanted.items():
            if nid not in entries:
                self._problem(seq, f"names notification id {nid}, which the log does not hold")
        wanted_keys = set(filed)
        kept = []
        for entry in entries.values():
            if not filed or wanted_keys <= keys_of(entry.state):
                kept.append(entry)
            else:
                self._problem(entry.seq, "points at an event not filed under it")
        bad = set(self.check.check_rows((e.seq, e.state) for e in kept))
        for seq in sorted(bad):
            self._problem(seq, "is not the event the signed tree holds there")
        return sorted((e for e in kept if e.seq not in bad), key=lambda e: e.seq)

    def _problem(self, seq: int, what: str) -> None:
        self.problems.append(f"event index row at seq {seq} {what}; not shown")
