"""A sealed, position-bound copy of a rendered answer: what a warm `standings` of a huge
movement prints without decoding its view, ranking and formatting tens of thousands of rows.

An answer (the exact text a read command printed) is kept in the views table
(projections/store.py) under its own name, e.g. ``answer:standings:M``: sealed with the local
key like every view row, its position the one the answer was folded to (so `verify` step 8
audits it with the others: frontier, last row, seal, tracking). It is kept only when the fold
that made it passed the newest signed checkpoint m: with it is kept the position at m (from
the view's stored copy, hashed on over the rows up to m when the copy stands before m), whose
root must be the signed one.

It is used only when, now: its seal opens; its version is this code's (the view's stored
version and the renderer's); the newest signed checkpoint still has size m and the root the
copy recorded there; and the rows after m, hashed again as they stand now, give exactly the
answer's position (same number of events, same last row, same frontier). Then the log is the
one the answer was made from, and a read would print the same text. Anything else: not used,
the caller reads the view as usual (and may keep a new answer).
"""

from __future__ import annotations

import msgspec

from domain.errors import StorageError
from ledger.application import LedgerApp
from ledger.reader import fold_leaf
from projections.anchor import latest_anchor
from projections.store import ViewConflictError, ViewStore
from projections.stream import Position

PREFIX = "answer:"


class CachedAnswer(msgspec.Struct, frozen=True):
    """What an answer row holds: the position at the signed checkpoint, and the text."""

    anchor: Position
    text: bytes


_DECODER = msgspec.msgpack.Decoder(CachedAnswer)
_ENCODER = msgspec.msgpack.Encoder()


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


def cached_answer(app: LedgerApp, name: str, version: str) -> bytes | None:
    """The kept text of answer `name` when it still answers the ledger as it stands (see the
    module docstring), else None."""
    try:
        stored = ViewStore(app).load(PREFIX + name)
    except StorageError:
        return None
    if stored is None or not stored.intact or stored.version != version:
        return None
    try:
        kept = _DECODER.decode(stored.state)
    except msgspec.DecodeError:
        return None
    anchor = latest_anchor(app)
    if anchor is None or kept.anchor.seq != anchor.size or kept.anchor.root() != anchor.root:
        return None
    now = _tail_position(app, kept.anchor)
    held = stored.position
    if (now.seq, now.notification_id, now.frontier) != (
        held.seq,
        held.notification_id,
        held.frontier,
    ):
        return None
    return kept.text


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
        state = _ENCODER.encode(CachedAnswer(at_anchor, text))
        store.save(PREFIX + name, version, previous, position, state, replace=True)
    except (ViewConflictError, StorageError):
        return False
    return True
