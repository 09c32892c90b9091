"""The runner: keeps a checked copy of each view, and answers time-travel questions.

`Runner.read(spec, cut)` loads the view's stored copy (state and tracked position), polls the
ledger's notifications from that position (``select_notifications``, paged: the SQLite recorder
has no subscription), folds what is new, and may store a new copy (`projections.store`).
Catching up happens on demand, when a read command runs.

Nothing stored is believed unchecked. A copy is **sealed** (HMAC under this user's local key,
projections/store.py) and **anchored**: it is only stored at the size m of the newest signed
checkpoint (projections/anchor.py), and only used when its seal opens, its version is this
code's, its seq s ≤ m, and the tree it stands on reaches the signed root at m — directly (s = m:
the root of its stored frontier) or on the way (s < m: the fold passes m and compares the root
it folded to the signed one). A copy that fails any of these is discarded and the view folded
from nothing (a failed seal is also said once on the ``award_ledger`` logger, which the CLI
prints as a warning); if even the log folded from nothing does not reach the signed root at m,
the read fails with VerificationError (exit 4) — nothing is shown.

Time travel (`Cut`): the state exactly as the ledger stood at seq N or at an append time is the
fold of that prefix. A checked copy at or before the cut is a head start; one beyond it is of no
use (a fold cannot be undone), so the prefix is folded from nothing and nothing is stored.
A copy that a cut would keep from being checked (s < m, cut before m) is not used either.
A new copy is stored when the fold passes m and m is at least `LAG` (5 %) past the stored copy,
so reading a big ledger does not rewrite its whole copy for a handful of new events.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import msgspec

from domain.errors import StorageError, UsageError
from domain.text import counted
from ledger.application import LedgerApp
from ledger.progress import Progress
from projections.anchor import Anchor, latest_anchor, mismatch
from projections.store import StoredView, ViewConflictError, ViewStore
from projections.stream import Cut, Position, Tail
from projections.view import ViewSpec

S = TypeVar("S", bound=msgspec.Struct)

# A stored copy is rewritten once a catch-up adds at least this share of what it holds (and
# at least one event): a read of a big ledger does not rewrite megabytes for a few new events;
# the next read folds those few again.
LAG = 0.05
LOG = logging.getLogger("award_ledger")


class Folded(msgspec.Struct, Generic[S]):
    """A view's state and the position it was folded to (events 0..position.seq-1)."""

    state: S
    position: Position
    cut: Cut
    stored: bool = False


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Runner:
    """Folds views over one ledger, keeping their checked copies (see the module docstring)."""

    def __init__(
        self,
        app: LedgerApp,
        store: ViewStore | None = None,
        persist: bool = True,
        lag: float = LAG,
        on_progress: Progress | None = None,
    ) -> None:
        self.app = app
        self.store = store if store is not None else ViewStore(app)
        self.persist = persist
        self.lag = lag
        self.on_progress = on_progress  # the fold's progress, once a page (ledger/progress.py)

    def _start(
        self, spec: ViewSpec[S], stored: StoredView | None, cut: Cut, anchor: Anchor | None
    ) -> tuple[S, Position]:
        """The checked head start a stored copy gives, or the initial state at position 0."""
        if stored is None or not stored.intact or stored.version != spec.stored_version:
            return spec.initial(), Position()
        seq = stored.position.seq
        if anchor is None or seq > anchor.size or not cut.admits(stored.position):
            return spec.initial(), Position()
        if seq == anchor.size and stored.position.root() != anchor.root:
            return spec.initial(), Position()  # not the signed tree: never used
        if seq < anchor.size and cut.at_seq is not None and cut.at_seq < anchor.size:
            return spec.initial(), Position()  # the fold would not reach m to check it
        try:
            return spec.decode(stored.state), stored.position
        except msgspec.DecodeError:
            return spec.initial(), Position()

    def read(self, spec: ViewSpec[S], cut: Cut | None = None) -> Folded[S]:
        """The view folded up to `cut` (default: the whole ledger), from a checked copy.

        Raises UsageError when ``cut.at_seq`` is past the end of the ledger, VerificationError
        when the log does not reach the root of its newest signed checkpoint."""
        cut = cut or Cut()
        self.app.genesis()
        anchor = latest_anchor(self.app)
        persist, stored = self.persist, None
        if persist:
            try:
                stored = self.store.load(spec.name)
            except StorageError:  # e.g. a read-only ledger: fold from nothing, keep no copy
                persist = False
        if stored is not None and not stored.intact:
            LOG.warning(
                "view %r: the stored copy fails its seal (edited outside award-ledger?); "
                "not used, folded again from the log",
                spec.name,
            )
        state, start = self._start(spec, stored, cut, anchor)
        if stored is not None:  # keep its version and position for the save, not its bytes
            stored = msgspec.structs.replace(stored, state=b"")
        # a fold that skips events by their claimed time is no copy of the log: never stored
        want = persist and cut.effective is None and self._worth_storing(start, anchor)
        try:
            state, position, snapshot = self._fold(spec, state, start, cut, anchor, want)
        except _Mismatch:
            if start.seq == 0:
                raise mismatch(anchor.size if anchor else 0) from None
            start = Position()  # the copy was not the signed tree: from nothing
            state, position, snapshot = self._refold(spec, cut, anchor, want)
        if start.seq and anchor is not None and position.seq < anchor.size:
            # the cut stopped before m, so the copy was never checked: fold from nothing
            start = Position()
            state, position, snapshot = self._refold(spec, cut, anchor, False)
        if cut.at_seq is not None and position.seq < cut.at_seq:
            raise UsageError(
                f"--at-seq {cut.at_seq} is past the end of the ledger "
                f"({counted(position.seq, 'event')})"
            )
        if anchor is not None and cut == Cut() and position.seq < anchor.size:
            raise mismatch(anchor.size)  # the log is shorter than its own checkpoint
        saved = snapshot is not None and self._save(spec, stored, snapshot, start.seq == 0)
        return Folded(state, position, cut, saved)

    def _fold(
        self,
        spec: ViewSpec[S],
        state: S,
        start: Position,
        cut: Cut,
        anchor: Anchor | None,
        snapshot: bool,
    ) -> tuple[S, Position, tuple[Position, bytes] | None]:
        """Fold from `start` to `cut`, checking the root where the fold passes the anchor's
        size (raises _Mismatch) and, with `snapshot`, encoding the state there."""
        taken: tuple[Position, bytes] | None = None
        position = start
        report = self._reporter(start, cut)
        with _no_cyclic_gc():  # a fold allocates much and frees little: skip the GC passes
            if anchor is not None and start.seq < anchor.size:
                upto = anchor.size if cut.at_seq is None else min(cut.at_seq, anchor.size)
                to_anchor = Cut(upto, cut.as_of, cut.effective)
                state, position = _fold_tail(self.app, spec, state, position, to_anchor, report)
                if position.seq == anchor.size:
                    if position.root() != anchor.root:
                        raise _Mismatch
                    if snapshot:
                        if spec.forget is not None:
                            spec.forget(state)
                        taken = (position, spec.encode(state))
            state, position = _fold_tail(self.app, spec, state, position, cut, report)
        return state, position, taken

    def _reporter(self, start: Position, cut: Cut) -> Callable[[int], None] | None:
        """What the fold from `start` calls with the seq it reached: `on_progress` with the
        events folded so far and about how many the fold reads (None: no progress asked)."""
        on_progress = self.on_progress
        if on_progress is None:
            return None
        total = (self.app.last_notification_id() or 0) - (start.notification_id or 0)
        if cut.at_seq is not None:
            total = min(total, max(cut.at_seq - start.seq, 0))
        return lambda seq: on_progress(seq - start.seq, total)

    def _refold(
        self, spec: ViewSpec[S], cut: Cut, anchor: Anchor | None, snapshot: bool
    ) -> tuple[S, Position, tuple[Position, bytes] | None]:
        """:meth:`_fold` from nothing; a log that misses the signed root is VerificationError."""
        try:
            return self._fold(spec, spec.initial(), Position(), cut, anchor, snapshot)
        except _Mismatch:
            raise mismatch(anchor.size if anchor else 0) from None

    def _worth_storing(self, start: Position, anchor: Anchor | None) -> bool:
        """Whether a copy at the anchor would move the one the fold starts from (`start`)
        forward enough; a fold from nothing replaces whatever is stored (it was not used)."""
        if anchor is None or start.seq >= anchor.size:
            return False
        behind = start.seq
        return behind == 0 or anchor.size - behind >= max(1, int(behind * self.lag))

    def _save(
        self,
        spec: ViewSpec[S],
        stored: StoredView | None,
        snapshot: tuple[Position, bytes],
        from_nothing: bool,
    ) -> bool:
        """Store the copy taken at the anchor; False if not stored."""
        position, state = snapshot
        if position.notification_id is None:
            return False
        try:
            self.store.save(
                spec.name, spec.stored_version, stored, position, state, replace=from_nothing
            )
        except ViewConflictError:
            return False  # another reader stored this or a later position first
        except StorageError:
            return False  # a read-only ledger or no local key: the answer stands, no copy kept
        return True


class _Mismatch(Exception):
    """The fold reached the anchor's size with another root."""


def _fold_tail(
    app: LedgerApp,
    spec: ViewSpec[S],
    state: S,
    start: Position,
    cut: Cut,
    on_seq: Callable[[int], None] | None = None,
) -> tuple[S, Position]:
    tail = Tail(app, start, cut, spec.topics, on_seq)
    fold = spec.fold
    for event, meta in tail:
        state = fold(state, event, meta)
    return state, tail.position
