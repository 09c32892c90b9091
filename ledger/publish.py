"""Writing the log part of a static publication (`awards publish DIR`) from a ledger.

:func:`publish_log` writes, under DIR, the hash tiles and entry bundles (ledger/publication.py)
covering exactly the newest stored checkpoint's size, ``operator.pub``, and last of all
``checkpoint`` (the note with its witness cosignatures). The tree is built in one streaming pass
over the entries and its root must equal the signed root before the checkpoint is written, so a
publication never shows a checkpoint its tiles do not reproduce.

Incremental: when DIR already holds a checkpoint (opened with the operator key) whose partial
tiles and partial entry bundle reproduce its root, only the entries after it are read and only
new tiles and the new right edge are written; full tiles and full bundles already there are never
rewritten. Anything in DIR that does not check out is not built upon: the publication is rebuilt
from the first entry (files whose bytes are already right are left untouched, wrong ones
replaced). A DIR whose checkpoint is larger than the ledger's newest is refused (exit 1): a
publication never goes back. Partial tiles of earlier sizes stay, so a client holding an older
checkpoint can still read its tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from domain.errors import (
    AwardLedgerError,
    DomainError,
    MalformedInputError,
    NotFoundError,
    VerificationError,
)
from ledger.application import LedgerApp, state_bytes
from ledger.keys import public_key_from_raw
from ledger.merkle import leaf_hash
from ledger.note import Checkpoint, open_checkpoint
from ledger.progress import Progress
from ledger.publication import (
    MAX_ENTRY,
    TILE_WIDTH,
    TileBuilder,
    bundle,
    edge_tiles,
    entries_path,
    hashes_of,
    put_file,
    read_plain,
    split_bundle,
    tile_path,
)


@dataclass
class Published:
    """What one run did: the checkpoint's size, where it started reading, files written."""

    size: int
    start: int
    written: int
    rebuilt: bool  # DIR held a publication that did not check out
    start_root: bytes  # the root of the tree of the first `start` entries
    root: bytes  # the published checkpoint's root (that of the first `size` entries)


def publish_log(
    app: LedgerApp,
    root: Path,
    on_progress: Progress | None = None,
    on_entry: Callable[[int, bytes], None] | None = None,
) -> Published:
    """Publish the log up to the newest stored checkpoint into `root` (see the module
    docstring). Raises NotFoundError without a checkpoint, VerificationError when the log
    does not reproduce the signed root (nothing is then written as `checkpoint`).
    `on_progress` is called once a page with the entries read and how many there are to read;
    `on_entry` with each entry read (its seq and stored bytes; the log is checked against the
    signed root only after the last, so a caller acts on what it saw once this returns)."""
    ledger = app.genesis()
    note = ledger.published_note
    if note is None:
        raise NotFoundError("publish: no checkpoint signed yet: run awards checkpoint first")
    origin = app.origin
    cp = open_checkpoint(note, origin, origin, ledger.operator_key)
    root.mkdir(parents=True, exist_ok=True)
    writer = _Writer(root)
    builder, entries, rebuilt = _resume(root, origin, ledger.operator_key, cp.size)
    start, start_root = builder.size, builder.root()
    if start < cp.size:
        for first, rows in app.reader.pages(start):
            for seq, row in enumerate(rows[: cp.size - first], first):
                entry = state_bytes(row.state)
                if len(entry) > MAX_ENTRY:
                    raise MalformedInputError(
                        f"publish: entry {seq} is {len(entry)} bytes, more than an entry "
                        f"bundle can hold ({MAX_ENTRY})"
                    )
                for level, index, hashes in builder.add(leaf_hash(entry)):
                    writer.put(tile_path(level, index), hashes)
                entries.append(entry)
                if on_entry is not None:
                    on_entry(seq, entry)
                if len(entries) == TILE_WIDTH:
                    writer.put(entries_path(seq // TILE_WIDTH), bundle(entries))
                    entries.clear()
            if on_progress is not None:
                on_progress(min(first + len(rows), cp.size) - start, cp.size - start)
            if first + len(rows) >= cp.size:
                break
    if builder.size != cp.size or builder.root() != cp.root_hash:
        raise VerificationError(
            f"publish: the log's first {cp.size} entries do not hash to the root of the "
            f"signed checkpoint of size {cp.size} (run awards verify)"
        )
    for level, index, hashes in builder.partial():
        writer.put(tile_path(level, index, len(hashes) // 32), hashes)
    if entries:
        writer.put(entries_path(cp.size // TILE_WIDTH, len(entries)), bundle(entries))
    pem = public_key_from_raw(ledger.operator_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    writer.put("operator.pub", pem)
    writer.put("checkpoint", note.encode("utf-8"))
    return Published(cp.size, start, writer.written, rebuilt, start_root, cp.root_hash)


class _Writer:
    """Counts the files of the publication written (those whose bytes changed)."""

    def __init__(self, root: Path) -> None:
        self.root, self.written = root, 0

    def put(self, relative: str, data: bytes) -> None:
        self.written += put_file(self.root, relative, data)


def _resume(
    root: Path, origin: str, operator_key: bytes, size: int
) -> tuple[TileBuilder, list[bytes], bool]:
    """The builder and pending entries to continue from DIR's own checkpoint, checked (see the
    module docstring); a fresh start otherwise, and whether DIR held something unusable."""
    text = read_plain(root, "checkpoint")
    if text is None:
        return TileBuilder(), [], False
    try:
        old = open_checkpoint(text, origin, origin, operator_key)
        builder, entries = _edge(root, old)
    except AwardLedgerError:
        return TileBuilder(), [], True
    if old.size > size:
        raise DomainError(
            f"publish: '{root}' already publishes a checkpoint of size {old.size}, newer than "
            f"this ledger's newest ({size}): refusing to take it back"
        )
    return builder, entries, False


def _edge(root: Path, old: Checkpoint) -> tuple[TileBuilder, list[bytes]]:
    """The right edge of the publication of `old`: its partial tiles, which must reproduce its
    root, and its partial entry bundle, whose entries must hash to the level-0 edge."""
    edge: list[list[bytes]] = []
    for level, index, width in edge_tiles(old.size):
        where = tile_path(level, index, width)
        data = read_plain(root, where)
        if data is None or len(data) != 32 * width:
            raise VerificationError(f"{where}: missing or of the wrong length")
        edge.extend([] for _ in range(level - len(edge)))
        edge.append(hashes_of(data, where))
    builder = TileBuilder(old.size, edge)
    if builder.root() != old.root_hash:
        raise VerificationError("tiles do not reproduce the published checkpoint")
    width = old.size % TILE_WIDTH
    if not width:
        return builder, []
    where = entries_path(old.size // TILE_WIDTH, width)
    data = read_plain(root, where)
    entries = split_bundle(data or b"", where)
    if [leaf_hash(e) for e in entries] != builder.edge[0]:
        raise VerificationError(f"{where}: does not match its tile")
    return builder, entries
