"""The c2sp.org/tlog-tiles layout of a static publication: paths, hash tiles, entry bundles.

Pure computation and careful file reading; no database. Owns

- the paths: ``tile/<L>/<N>`` and ``tile/entries/<N>``, ``<N>`` in groups of three digits, every
  group but the last prefixed with ``x`` (1234067 -> ``x001/x234/067``), and ``.p/<W>`` for a
  partial tile of W (1..255) hashes or entries at the right edge;
- :class:`TileBuilder`: hash tiles built in one streaming pass over the leaf hashes. A level-0
  tile holds 256 leaf hashes; a level-L tile holds 256 hashes of nodes of height 8·L (each the
  RFC 6962 root of one full tile below). The builder keeps only the right edge (the hashes not
  yet in a full tile, one list per level), so it can continue from a publication's partial
  tiles; the tree's root follows from that edge alone;
- entry bundles: each entry a big-endian uint16 length then its bytes (:func:`bundle`,
  :func:`split_bundle`);
- :func:`read_plain`, :func:`file_digest`: reading (or hashing) a file of a publication without
  following a symlink; :func:`put_file`, :func:`put_chunks`: writing one only when its bytes
  change.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from domain.errors import MalformedInputError, StorageError, UsageError
from ledger.files import write_file
from ledger.merkle import EMPTY_ROOT, HASH_SIZE, CompactRange, MerkleTree

T = TypeVar("T")

TILE_WIDTH = 256
TILE_HEIGHT = 8  # log2(TILE_WIDTH)
MAX_ENTRY = 0xFFFF  # an entry's length must fit the bundle's 2-byte prefix


def index_path(index: int) -> str:
    """``<N>`` of tlog-tiles: 3-digit groups, all but the last prefixed with ``x``."""
    text = f"{index % 1000:03d}"
    while index >= 1000:
        index //= 1000
        text = f"x{index % 1000:03d}/{text}"
    return text


def tile_path(level: int | str, index: int, width: int = TILE_WIDTH) -> str:
    """The path of hash tile (`level`, `index`) of `width` hashes (``entries`` for a bundle)."""
    path = f"tile/{level}/{index_path(index)}"
    return path if width == TILE_WIDTH else f"{path}.p/{width}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """The path of entry bundle `index` holding `width` entries."""
    return tile_path("entries", index, width)


def edge_tiles(size: int) -> list[tuple[int, int, int]]:
    """(level, index, width) of every partial hash tile of a tree of `size` leaves."""
    found, level = [], 0
    while size >> (TILE_HEIGHT * level):
        count = size >> (TILE_HEIGHT * level)
        if count % TILE_WIDTH:
            found.append((level, count // TILE_WIDTH, count % TILE_WIDTH))
        level += 1
    return found


def bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length, then its bytes."""
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


def split_bundle(data: bytes, what: str) -> list[bytes]:
    """The entries of a bundle. Raises MalformedInputError when a length runs past the end."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise MalformedInputError(f"{what}: truncated length prefix at byte {at}")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise MalformedInputError(f"{what}: entry at byte {at} runs past the end")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def subtree_root(hashes: Sequence[bytes]) -> bytes:
    """The RFC 6962 root over `hashes` taken as the leaves' hashes of a subtree."""
    return MerkleTree(hashes).root()


class TileBuilder:
    """Hash tiles of a growing tree, one leaf hash at a time (see the module docstring)."""

    def __init__(self, size: int = 0, edge: Sequence[Sequence[bytes]] = ()) -> None:
        """Continue a tree of `size` leaves whose partial tiles hold `edge` (level 0 first);
        the caller checks the result against a signed root before trusting it."""
        self.size = size
        self.edge: list[list[bytes]] = [list(hashes) for hashes in edge]
        if [(lv, w) for lv, _, w in edge_tiles(size)] != [
            (lv, len(h)) for lv, h in enumerate(self.edge) if h
        ]:
            raise MalformedInputError(f"tiles: the right edge does not fit a tree of {size}")

    def add(self, leaf: bytes) -> Iterator[tuple[int, int, bytes]]:
        """Add one leaf hash; yield (level, index, 256 hashes) of each tile it completes."""
        self.size += 1
        value, level = leaf, 0
        while True:
            if level == len(self.edge):
                self.edge.append([])
            hashes = self.edge[level]
            hashes.append(value)
            if len(hashes) < TILE_WIDTH:
                return
            index = (self.size >> (TILE_HEIGHT * level)) // TILE_WIDTH - 1
            yield level, index, b"".join(hashes)
            value = subtree_root(hashes)
            hashes.clear()
            level += 1

    def partial(self) -> list[tuple[int, int, bytes]]:
        """(level, index, hashes) of each partial tile at the current size."""
        return [
            (level, index, b"".join(self.edge[level])) for level, index, _ in edge_tiles(self.size)
        ]

    def root(self) -> bytes:
        """The tree's root, from the right edge: each level's partial tile folded into its
        complete subtrees, highest level first, gives the tree's compact range."""
        if self.size == 0:
            return EMPTY_ROOT
        frontier: list[bytes] = []
        for hashes in reversed(self.edge):
            level = CompactRange()
            level.extend(hashes)
            frontier.extend(level.hashes)
        return CompactRange.from_hashes(self.size, frontier).root()


def hashes_of(data: bytes, what: str) -> list[bytes]:
    """A tile's bytes as its 32-byte hashes. Raises MalformedInputError."""
    if len(data) % HASH_SIZE:
        raise MalformedInputError(f"{what}: {len(data)} bytes is not a whole number of hashes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def read_plain(root: Path, relative: str) -> bytes | None:
    """The bytes of `root`/`relative`, None when it does not exist. No component below `root`
    may be a symbolic link (UsageError): a publication is read and written only inside it."""
    return _read(root, relative, lambda handle: handle.read())


def file_digest(root: Path, relative: str) -> str | None:
    """The SHA-256 (hex) of `root`/`relative`, read a piece at a time as :func:`read_plain`
    reads it (a report's 87 MB of JSON is never held); None when it does not exist."""
    return _read(root, relative, lambda handle: hashlib.file_digest(handle, "sha256").hexdigest())


def _read(root: Path, relative: str, use: Callable[[io.BufferedReader], T]) -> T | None:
    """`use` of `root`/`relative` opened for reading (never through a symbolic link), None
    when it does not exist."""
    path = _plain(root, relative)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            return use(handle)
    except OSError as exc:
        raise StorageError(f"cannot read '{path}': {exc.strerror}") from exc


def _plain(root: Path, relative: str) -> Path | None:
    """`root`/`relative` when it is a regular file reached through no symbolic link (UsageError
    for one, MalformedInputError for another kind of file); None when it does not exist."""
    path = root
    for part in relative.split("/"):
        path = path / part
        try:
            info = path.lstat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read '{path}': {exc.strerror}") from exc
        if stat.S_ISLNK(info.st_mode):
            raise UsageError(f"'{path}' is a symbolic link: refusing to follow it")
    if not stat.S_ISREG(info.st_mode):
        raise MalformedInputError(f"'{path}' is not a regular file")
    return path


def make_dirs(root: Path, relative: str) -> Path:
    """Create the directories of `relative` (a file's path) below `root`, refusing any that is
    a symbolic link or not a directory (UsageError); returns the file's full path."""
    path = root
    parts = relative.split("/")
    for part in parts[:-1]:
        path = path / part
        try:
            info = path.lstat()
        except FileNotFoundError:
            try:
                path.mkdir()
            except OSError as exc:
                raise StorageError(f"cannot create '{path}': {exc.strerror}") from exc
            continue
        if stat.S_ISLNK(info.st_mode):
            raise UsageError(f"'{path}' is a symbolic link: refusing to write through it")
        if not stat.S_ISDIR(info.st_mode):
            raise UsageError(f"'{path}' exists and is not a directory")
    return path / parts[-1]


def put_file(root: Path, relative: str, data: bytes) -> bool:
    """Write `root`/`relative` (ledger/files.py: temporary file, rename, no symlink followed)
    unless it already holds exactly `data`; True if it was written."""
    return put_chunks(root, relative, [data], hashlib.sha256(data).hexdigest())[0]


def put_chunks(
    root: Path, relative: str, chunks: Iterable[bytes], sha256: str | None = None
) -> tuple[bool, str]:
    """:func:`put_file` of the bytes `chunks` make, written as they come: whether the file was
    written (not when it held the same bytes already: same SHA-256) and their SHA-256 (hex).
    With their `sha256` known beforehand, a file that holds them already is not written at all
    (otherwise it is written to a temporary file, then dropped)."""
    path = make_dirs(root, relative)
    try:
        old = file_digest(root, relative)
    except MalformedInputError:  # not a regular file: write_file refuses it, naming it
        old = None
    if sha256 is not None and sha256 == old:
        return False, sha256
    made = hashlib.sha256()

    def hashed() -> Iterator[bytes]:
        for chunk in chunks:
            made.update(chunk)
            yield chunk

    written = write_file(
        path, hashed(), replace=old is not None, unless=lambda: made.hexdigest() == old
    )
    return written, made.hexdigest()
