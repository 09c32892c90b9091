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
version and the renderer's); and the rows after m, hashed again as they stand now from the
position kept at m, give exactly the answer's position (same number of events, same last row,
same frontier) and reach the root of the newest signed checkpoint (m's own, when no newer one
was signed). If the log ends there, it is the one the answer was made from, and a read would
print the same text.

It is carried forward over new events that cannot change it: when the rows after m, hashed
again, pass the answer's position unchanged and every event after that position is of a type
the answer's view does not fold (`topics`: read from each entry's signed body, and its stored
topic must agree), and the hashing reaches the root of the newest signed checkpoint. The
answer then stands at the log's end; only the part that says where it stands (its `where`,
found in the answer when it was kept) is written again; once the log is KEEP_AGAIN_AFTER rows
past the answer's checkpoint, the carried answer is kept at the new position (inflated whole
first: bytes that do not inflate are then not used), and until then only printed. A new
checkpoint, a decision or a vote does not make a 65,800-row answer be ranked again.

When events of a type the view folds were appended after it (checked the same way), the
answer is handed back with those events (`pending`, when the caller asks for them) and the
caller's own index kept with it, for the caller to patch: the standings patch the rows a score
touches (projections/standings_patch.py); a registration or a name makes them read the view.

Anything else: not used, the caller reads the view as usual (and may keep a new answer).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

import msgspec

from domain.errors import StorageError
from ledger.application import LedgerApp
from ledger.reader import HEADER, body_of, fold_leaf
from projections.anchor import Anchor, latest_anchor
from projections.store import StoredView, ViewConflictError, ViewStore
from projections.stream import Position

PREFIX = "answer:"


# an answer row's state: the length of the anchor's encoding (4 bytes, big-endian), the
# position at the signed checkpoint (msgpack), where the answer says where it stands (start
# and end offsets, 4 bytes each; 0 and 0: not found, never carried forward), the answer's
# length (8 bytes), the length of the caller's index (4 bytes) and the index (what the
# caller needs to patch the answer, such as the rank order of the standings' rows; may be
# empty), then the answer's bytes as printed, deflated (zlib): a 65,800-row JSON answer of
# 31 MB is kept in 0.6 MB and printed a piece at a time, never held whole; the layout is part
# of the row's version
LAYOUT = "+answer/5"
HEAD = 1 << 16  # the part saying where an answer stands lies in its first 64 KiB
MOST_PENDING = 4096  # events of its topics after an answer, at most, handed to be patched
# rows after a kept answer's checkpoint (each read hashes them again) before an answer carried
# or patched from it is worth keeping in its place: until then a read after a checkpoint or a
# score prints the answer carried or patched and writes nothing (inflating it whole, deflating
# and sealing a 31 MB answer again costs more than the carrying or the patch)
KEEP_AGAIN_AFTER = 256
Where = Callable[[Position], bytes]  # the bytes an answer folded to a position says it at
_ANCHOR = msgspec.msgpack.Decoder(Position)
_ENCODER = msgspec.msgpack.Encoder()
_PIECE = 1 << 20  # bytes of the answer inflated at a time


class KeptAnswer:
    """A kept answer's bytes, `length` of them; `pieces` yields them in order (on a carried
    answer, with bytes [start, end), where it says where it stands, replaced).

    Its row's seal opened (projections/store.py), so the bytes are those `_keep` wrote; they
    are inflated once, as printed (a 31 MB answer inflates in 30-40 ms). Should they not
    inflate to `length` (a fault of the writer: an intact seal rules out an edit), printing
    stops with a StorageError."""

    def __init__(
        self, deflated: memoryview, length: int, start: int = 0, end: int = 0, index: bytes = b""
    ) -> None:
        self._deflated = deflated
        self.length = length  # of the answer's bytes, as kept
        self.start, self.end = start, end
        self.index = index  # the caller's, kept with the answer
        self._where: bytes | None = None  # set on a carried answer only
        # the events after the answer of the types its view folds, as (topic, stored state)
        # (when asked for them: the caller patches the answer, or reads its view again)
        self.pending: list[tuple[str, bytes]] = []
        self.position: Position | None = None  # where the log ends, when pending
        self.anchored = 0  # the size of the checkpoint it was kept at

    def lagging(self) -> bool:
        """Whether the log ends KEEP_AGAIN_AFTER rows or more past the checkpoint it was kept
        at (when pending): an answer patched from it is then worth keeping."""
        return self.position is not None and _lagging(self.anchored, self.position)

    def _inflated(self) -> Iterator[bytes]:
        inflate, seen = zlib.decompressobj(), 0
        rest: bytes | memoryview = self._deflated
        try:
            while rest:
                piece = inflate.decompress(rest, _PIECE)
                seen += len(piece)
                yield piece
                rest = inflate.unconsumed_tail
            piece = inflate.flush()
        except zlib.error as exc:
            raise StorageError(f"a kept answer does not inflate: {exc}") from exc
        yield piece
        if not inflate.eof or seen + len(piece) != self.length:
            raise StorageError("a kept answer ends before its length")

    def head(self) -> bytes:
        """The answer's first HEAD bytes, as kept."""
        out = b""
        for piece in self._inflated():
            out += piece
            if len(out) >= HEAD:
                break
        return out[:HEAD]

    def pieces(self) -> Iterator[bytes]:
        """The answer's bytes, at most about 1 MiB at a time (StorageError, after those
        printed, if they do not inflate to its length)."""
        if self._where is None:
            yield from self._inflated()
            return
        done, said = 0, False  # bytes of the kept answer gone by; whether `where` was
        for piece in self._inflated():
            first, done = done, done + len(piece)
            if done <= self.start or first >= self.end:  # wholly before or after the part
                yield piece
                continue
            if first < self.start:
                yield piece[: self.start - first]
            if not said:
                yield self._where
                said = True
            if self.end < done:
                yield piece[self.end - first :]

    def carried(self, where: bytes) -> KeptAnswer:
        """This answer with its bytes [start, end) replaced by `where` (no second check)."""
        answer = KeptAnswer.__new__(KeptAnswer)
        answer.__dict__.update(self.__dict__)
        answer._where = where
        return answer


def _split(state: bytes) -> tuple[Position, KeptAnswer]:
    """The anchor and the answer of a row's state (ValueError or a msgspec.DecodeError, if
    malformed)."""
    size = int.from_bytes(state[:4], "big")
    at = 4 + size
    if len(state) < at + 20:
        raise ValueError("answer row shorter than its anchor")
    start, end = (int.from_bytes(state[n : n + 4], "big") for n in (at, at + 4))
    length = int.from_bytes(state[at + 8 : at + 16], "big")
    indexed = int.from_bytes(state[at + 16 : at + 20], "big")
    if not start <= end <= min(HEAD, length):
        raise ValueError("answer row's where offsets out of range")
    if len(state) < at + 20 + indexed:
        raise ValueError("answer row shorter than its index")
    index = state[at + 20 : at + 20 + indexed]
    deflated = memoryview(state)[at + 20 + indexed :]
    anchor = _ANCHOR.decode(state[4:at])
    answer = KeptAnswer(deflated, length, start, end, index)
    answer.anchored = anchor.seq
    return anchor, answer


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


def cached_answer(
    app: LedgerApp,
    name: str,
    version: str,
    topics: frozenset[str] = frozenset(),
    where: Where | None = None,
    pending: bool = False,
) -> KeptAnswer | None:
    """The kept answer `name` when it still answers the ledger as it stands, or carried
    forward over events not of `topics` (the types its view folds) to the log's end, naming
    it with `where` (see the module docstring); else None. With `pending`, an answer after
    which events of `topics` were appended (checked like the others) is returned too, not
    carried, with those events in its `pending` and the log's end in its `position`: the
    caller may patch it (and keep the patched answer at that end), or read its view."""
    try:
        stored = ViewStore(app).load(PREFIX + name)
    except StorageError:
        return None
    if stored is None or not stored.intact or stored.version != version + LAYOUT:
        return None
    try:
        kept, text = _split(stored.state)
    except ValueError:  # msgspec.DecodeError is a ValueError
        return None
    anchor = latest_anchor(app)
    if anchor is None or kept.seq > anchor.size:
        return None
    held = stored.position
    carried = _carried(app, kept, held, anchor, topics, text.pending if pending else None)
    if carried is None:
        return None
    at_anchor, position = carried
    if text.pending:  # events its view folds: the caller's to patch
        text.position = position
        return text
    if position.seq == held.seq:  # nothing after it: the log is the one it was made from
        return text
    start, end = text.start, text.end
    try:  # when kept again: inflated whole to be kept, before anything is printed
        if where is None or start == end or text.head()[start:end] != where(held):
            return None
        answer = text.carried(where(position))
        if _lagging(kept.seq, position):
            _keep(
                app, name, version, stored, at_anchor, position, answer.pieces(), where, text.index
            )
    except StorageError:  # it does not inflate: not used
        return None
    return answer


def _lagging(anchored: int, end: Position) -> bool:
    """Whether the log ends KEEP_AGAIN_AFTER rows or more past a kept answer's checkpoint."""
    return end.seq - anchored >= KEEP_AGAIN_AFTER


def _carried(
    app: LedgerApp,
    kept: Position,
    held: Position,
    anchor: Anchor,
    topics: frozenset[str],
    pending: list[tuple[str, bytes]] | None = None,
) -> tuple[Position, Position] | None:
    """The positions at the newest signed checkpoint and at the log's end, when the rows
    after `kept` (the answer's checkpoint), hashed as they stand now, pass `held` (the
    answer's position) unchanged, every event after it is of a type not in `topics` (or,
    given `pending`, is added to it as (topic, stored state)) and its stored topic is its
    signed body's type, and the hashing reaches `anchor`'s root; else None."""
    frontier, seq, last_id = list(kept.frontier), kept.seq, kept.notification_id
    latest, at_anchor = held.time, kept if kept.seq == anchor.size else None
    for notification_id, topic, state in app.reader.rows_after(kept.notification_id):
        if seq == held.seq and not _at(held, last_id, frontier):
            return None
        if seq >= held.seq:
            try:
                body = HEADER.decode(body_of(state))
            except (msgspec.DecodeError, ValueError):
                return None
            if body.type != topic or (topic in topics and pending is None):
                return None
            if topic in topics and pending is not None:
                if len(pending) == MOST_PENDING:  # as quick to read the view again
                    return None
                pending.append((topic, bytes(state)))
            latest = body.time if latest is None or body.time > latest else latest
        fold_leaf(frontier, seq, state)
        seq, last_id = seq + 1, notification_id
        if seq == anchor.size:
            at_anchor = Position(seq, last_id, None, list(frontier))
    if seq < held.seq or (seq == held.seq and not _at(held, last_id, frontier)):
        return None
    if at_anchor is None or at_anchor.root() != anchor.root:
        return None
    return at_anchor, Position(seq, last_id, latest, frontier)


def _at(held: Position, last_id: int | None, frontier: list[bytes]) -> bool:
    """Whether a fold that reached `held.seq` ends on `held`'s row with `held`'s frontier."""
    return (last_id, frontier) == (held.notification_id, held.frontier)


def keep_answer(
    app: LedgerApp,
    name: str,
    version: str,
    copy: Position,
    position: Position,
    pieces: Iterable[bytes],
    where: Where | None = None,
    index: bytes | Callable[[], bytes] = b"",
) -> bool:
    """Keep the answer whose bytes are `pieces` in order (read once, as they come: a large
    answer is never held whole), folded to `position` through `copy` (the position of the
    view's stored copy, at or before the newest signed checkpoint: the rows from there to
    the checkpoint are hashed on, and must reach its root), with where it says it stands
    (the bytes `where(position)` in its first 64 KiB, for carrying it forward) and the
    caller's `index` (read by the caller only, sealed with the answer; given as a function,
    called once `pieces` are all read, so that it may be made as they are); False when not
    kept (no checkpoint, no local key, a read-only ledger, or another reader kept one
    first), and then `pieces` may be left unread."""
    anchor = latest_anchor(app)
    if anchor is None or copy.seq > anchor.size:
        return False
    at_anchor = copy if copy.seq == anchor.size else _tail_position(app, copy, anchor.size)
    if at_anchor.seq != anchor.size or at_anchor.root() != anchor.root:
        return False
    try:
        previous = ViewStore(app).load(PREFIX + name)
    except StorageError:
        return False
    return _keep(app, name, version, previous, at_anchor, position, pieces, where, index)


def _keep(
    app: LedgerApp,
    name: str,
    version: str,
    previous: StoredView | None,
    at_anchor: Position,
    position: Position,
    pieces: Iterable[bytes],
    where: Where | None,
    index: bytes | Callable[[], bytes],
) -> bool:
    """Store the answer `pieces` at `position` with `index`, anchored at `at_anchor` (checked
    by the caller to be the newest signed checkpoint), replacing the row `previous` (as
    read)."""
    if position.notification_id is None or position.seq < at_anchor.seq:
        return False
    store = ViewStore(app)
    deflate, parts, head, length = zlib.compressobj(1), [], b"", 0
    for piece in pieces:
        if len(head) < HEAD:
            head += piece[: HEAD - len(head)]
        length += len(piece)
        parts.append(deflate.compress(piece))
    parts.append(deflate.flush())
    if callable(index):
        index = index()
    said = b"" if where is None else where(position)
    start = head.find(said) if said else -1
    offsets = (0, 0) if start < 0 else (start, start + len(said))
    anchor_bytes = _ENCODER.encode(at_anchor)
    state = b"".join(
        (
            len(anchor_bytes).to_bytes(4, "big"),
            anchor_bytes,
            offsets[0].to_bytes(4, "big"),
            offsets[1].to_bytes(4, "big"),
            length.to_bytes(8, "big"),
            len(index).to_bytes(4, "big"),
            index,
            *parts,
        )
    )
    try:
        store.save(PREFIX + name, version + LAYOUT, previous, position, state, replace=True)
    except (ViewConflictError, StorageError):
        return False
    return True
