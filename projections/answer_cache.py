"""A sealed, position-bound copy of a rendered answer: what a warm `standings` of a huge movement
prints without decoding its view, ranking and formatting tens of thousands of rows.

An answer (the exact bytes a read command printed: a table, or a JSON document) is kept in the
views table (projections/store.py) under its own name, e.g. ``answer:standings:M`` or
``answer:json:standings:M``: sealed with the local key like every view row, its position the
one the answer was folded to (so `verify` step 8 audits it with the others: frontier, last row,
seal, tracking). It is kept only when the fold that made it passed the newest signed checkpoint
m: with it is kept the position at m (from the view's stored copy, hashed on over the rows up
to m when the copy stands before m), whose root must be the signed one.

It is used only when, now: its seal opens; its version is this code's (the view's stored
version and the renderer's); the newest signed checkpoint still has size m and the root the
copy recorded there; and the rows after m, hashed again as they stand now, give exactly the
answer's position (same number of events, same last row, same frontier). Then the log is the
one the answer was made from, and a read would print the same text. Anything else: not used,
the caller reads the view as usual (and may keep a new answer).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import msgspec

from domain.errors import StorageError
from ledger.application import LedgerApp
from ledger.reader import fold_leaf
from projections.anchor import latest_anchor
from projections.store import ViewConflictError, ViewStore
from projections.stream import Position

PREFIX = "answer:"


# an answer row's state: the length of the anchor's encoding (4 bytes, big-endian), the
# position at the signed checkpoint (msgpack), then the answer's bytes as printed, deflated
# (zlib): a 65,800-row JSON answer of 31 MB is kept in 0.6 MB and printed a piece at a time,
# never held whole; the layout is part of the row's version
LAYOUT = "+answer/2"
_ANCHOR = msgspec.msgpack.Decoder(Position)
_ENCODER = msgspec.msgpack.Encoder()
_PIECE = 1 << 20  # bytes of the answer inflated at a time


class KeptAnswer:
    """A kept answer's bytes, checked to inflate whole; `pieces` yields them in order."""

    def __init__(self, deflated: memoryview) -> None:
        self._deflated = deflated
        for _ in self.pieces():  # inflates whole before anything is printed, or zlib.error
            pass

    def pieces(self) -> Iterator[bytes]:
        """The answer's bytes, at most 1 MiB at a time (zlib.error if they do not inflate)."""
        inflate = zlib.decompressobj()
        rest: bytes | memoryview = self._deflated
        while rest:
            yield inflate.decompress(rest, _PIECE)
            rest = inflate.unconsumed_tail
        yield inflate.flush()
        if not inflate.eof:
            raise zlib.error("the kept answer ends early")


def _split(state: bytes) -> tuple[Position, KeptAnswer]:
    """The anchor and the answer of a row's state (ValueError, a msgspec.DecodeError or a
    zlib.error, if malformed)."""
    size = int.from_bytes(state[:4], "big")
    if len(state) < 4 + size:
        raise ValueError("answer row shorter than its anchor")
    return _ANCHOR.decode(state[4 : 4 + size]), KeptAnswer(memoryview(state)[4 + size :])


def _tail_position(app: LedgerApp, start: Position, stop: int | None = None) -> Position:
    """`start` moved over the rows after it as they stand now, up to seq `stop` (default: the
    end of the log): leaves only, nothing decoded."""
    frontier, seq, last_id = list(start.frontier), start.seq, start.notification_id
    for notification_id, _topic, state in app.reader.rows_after(start.notification_id):
        if stop is not None and seq >= stop:
            break
        fold_leaf(frontier, seq, state)
        seq, last_id = seq + 1, notification_id
    return Position(seq, last_id, None, frontier)


def cached_answer(app: LedgerApp, name: str, version: str) -> KeptAnswer | None:
    """The kept answer `name` when it still answers the ledger as it stands (see the
    module docstring), else None."""
    try:
        stored = ViewStore(app).load(PREFIX + name)
    except StorageError:
        return None
    if stored is None or not stored.intact or stored.version != version + LAYOUT:
        return None
    try:
        kept, text = _split(stored.state)
    except (ValueError, zlib.error):  # msgspec.DecodeError is a ValueError
        return None
    anchor = latest_anchor(app)
    if anchor is None or kept.seq != anchor.size or kept.root() != anchor.root:
        return None
    now = _tail_position(app, kept)
    held = stored.position
    if (now.seq, now.notification_id, now.frontier) != (
        held.seq,
        held.notification_id,
        held.frontier,
    ):
        return None
    return text


def keep_answer(
    app: LedgerApp, name: str, version: str, copy: Position, position: Position, text: bytes
) -> bool:
    """Keep `text`, the answer folded to `position` through `copy` (the position of the view's
    stored copy, at or before the newest signed checkpoint: the rows from there to the
    checkpoint are hashed on, and must reach its root); False when not kept (no checkpoint,
    no local key, a read-only ledger, or another reader kept one first)."""
    anchor = latest_anchor(app)
    if anchor is None or copy.seq > anchor.size:
        return False
    at_anchor = copy if copy.seq == anchor.size else _tail_position(app, copy, anchor.size)
    if at_anchor.seq != anchor.size or at_anchor.root() != anchor.root:
        return False
    if position.notification_id is None or position.seq < at_anchor.seq:
        return False
    store = ViewStore(app)
    try:
        previous = store.load(PREFIX + name)
        head = _ENCODER.encode(at_anchor)
        state = b"".join((len(head).to_bytes(4, "big"), head, zlib.compress(text, 1)))
        store.save(PREFIX + name, version + LAYOUT, previous, position, state, replace=True)
    except (ViewConflictError, StorageError):
        return False
    return True
