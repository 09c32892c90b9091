"""The runner: keeps a stored copy of each view current, and answers time-travel questions.

`Runner.read(spec, cut)` loads the view's stored copy (state and tracked position), polls the
ledger's notifications from that position (``select_notifications``, paged: the SQLite recorder
has no subscription), folds what is new and stores the result with its new position in one
transaction (`projections.store`). Catching up happens on demand, when a read command runs.

Time travel (`Cut`): the state exactly as the ledger stood at seq N or at an append time is the
fold of that prefix. A stored copy at or before the cut is a head start; one beyond it is of no
use (a fold cannot be undone), so the prefix is folded from nothing and nothing is stored.
A stored copy of another version (the code changed) is rebuilt from nothing and replaced. A
catch-up is stored once it adds at least `LAG` (5 %) of the events the copy holds, so reading
a big ledger does not rewrite its whole copy for a handful of new events.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import msgspec

from domain.errors import StorageError, UsageError
from ledger.application import LedgerApp
from projections.store import StoredView, ViewConflictError, ViewStore
from projections.stream import Cut, Position, Tail
from projections.view import ViewSpec

S = TypeVar("S", bound=msgspec.Struct)

_ENCODER = msgspec.json.Encoder()
# A stored copy is rewritten once a catch-up adds at least this share of what it holds (and
# at least one event): a read of a big ledger does not rewrite megabytes for a few new events;
# the next read folds those few again.
LAG = 0.05


def encode_state(state: msgspec.Struct) -> bytes:
    """A view state as stored: JSON, which keeps every datetime's own UTC offset (msgpack's
    timestamps would turn an effective time claimed in Vietnam into UTC)."""
    return _ENCODER.encode(state)


def decode_state(data: bytes, state_type: type[S]) -> S:
    """The inverse of `encode_state`; msgspec.DecodeError if `data` is not a `state_type`."""
    return msgspec.json.decode(data, type=state_type)


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
    """Folds views over one ledger, keeping their stored copies (see the module docstring)."""

    def __init__(
        self,
        app: LedgerApp,
        store: ViewStore | None = None,
        persist: bool = True,
        lag: float = LAG,
    ) -> None:
        self.app = app
        self.store = store if store is not None else ViewStore(app)
        self.persist = persist
        self.lag = lag

    def _start(self, spec: ViewSpec[S], stored: StoredView | None, cut: Cut) -> tuple[S, Position]:
        if stored is None or stored.version != spec.stored_version:
            return spec.initial(), Position()
        if not cut.admits(stored.position):
            return spec.initial(), Position()
        try:
            return decode_state(stored.state, spec.state_type), stored.position
        except msgspec.DecodeError:
            return spec.initial(), Position()

    def read(self, spec: ViewSpec[S], cut: Cut | None = None) -> Folded[S]:
        """The view folded up to `cut` (default: the whole ledger), catching up its stored copy.

        Raises UsageError when ``cut.at_seq`` is past the end of the ledger."""
        cut = cut or Cut()
        self.app.genesis()
        persist, stored = self.persist, None
        if persist:
            try:
                stored = self.store.load(spec.name)
            except StorageError:  # e.g. a read-only ledger: fold from nothing, keep no copy
                persist = False
        state, start = self._start(spec, stored, cut)
        if stored is not None:  # keep its version and position for the save, not its bytes
            stored = msgspec.structs.replace(stored, state=b"")
        tail = Tail(self.app, start, cut, spec.topics)
        with _no_cyclic_gc():  # a fold allocates much and frees little: skip the GC passes
            for event, meta in tail:
                state = spec.fold(state, event, meta)
        position = tail.position
        if cut.at_seq is not None and position.seq < cut.at_seq:
            raise UsageError(
                f"--at-seq {cut.at_seq} is past the end of the ledger ({position.seq} events)"
            )
        saved = persist and self._save(spec, stored, position, state)
        return Folded(state, position, cut, saved)

    def _save(
        self, spec: ViewSpec[S], stored: StoredView | None, position: Position, state: S
    ) -> bool:
        """Store the new state if it moves the stored copy forward; False if not stored."""
        if position.notification_id is None:
            return False
        if stored is not None and stored.version == spec.stored_version:
            behind = stored.position.seq
            if position.seq - behind < max(1, int(behind * self.lag)):
                return False  # too little new to be worth rewriting the whole copy
        try:
            self.store.save(spec.name, spec.stored_version, stored, position, encode_state(state))
        except ViewConflictError:
            return False  # another reader stored this or a later position first
        except StorageError:
            return False  # a read-only ledger: the answer stands, only the copy is not kept
        return True
