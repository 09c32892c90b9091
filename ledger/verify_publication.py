"""Auditing a static publication with no database (`awards verify-publication DIR`).

:func:`verify_publication` checks, in this order:

1. ``checkpoint`` opens with the operator's public key (and meets the witness policy, the
   caller's ledger/witness.py check); its origin names the log;
2. the entry bundles covering its size are all there, each holding exactly its number of
   entries; every hash tile (full and partial, every level) equals the hashes recomputed from
   the entries, and the root recomputed from the entries equals the signed root;
3. every entry passes the audit of ``awards verify`` (ledger/verify.py ``audit_rows``: strict
   decode, bindings, registry, signatures, versions, the checkpoints stored in the log and their
   registry lines) — an entry's row (aggregate, version, type) is read from its own signed
   header, since a publication has no rows; and the checkpoint is signed by the operator key
   the log holds at its size;
4. every movement's ``report.json`` and every year's ``statistics.json`` names, in ``as_of`` and
   ``checkpoint``, tree sizes and roots of this log: each root must be the root the published
   entries give at that size (a report kept from an earlier checkpoint by a republish names
   that checkpoint, a prefix of the published one).

A missing or unreadable ``checkpoint`` is malformed input (exit 3); everything else found is a
Problem (exit 4), the first naming the first bad file or event.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from domain.errors import AwardLedgerError, MalformedInputError
from ledger import codec
from ledger.findings import AuditReport, Problem
from ledger.merkle import leaf_hash
from ledger.note import Checkpoint, SignedNote, open_checkpoint
from ledger.publication import (
    TILE_WIDTH,
    TileBuilder,
    entries_path,
    read_plain,
    split_bundle,
    tile_path,
)
from ledger.store import RawRow
from ledger.verify import audit_rows


def read_checkpoint(root: Path) -> str:
    """DIR/checkpoint as text. Raises MalformedInputError when missing or not a note."""
    data = read_plain(root, "checkpoint")
    if data is None:
        raise MalformedInputError(f"publication '{root}': no checkpoint file")
    try:
        text = data.decode("utf-8")
        Checkpoint.from_body(SignedNote.from_text(text).text)
    except (UnicodeDecodeError, AwardLedgerError) as exc:
        raise MalformedInputError(f"publication '{root}': checkpoint: {exc}") from exc
    return text


def verify_publication(root: Path, operator_key: bytes, workers: int | None = None) -> AuditReport:
    """Check the publication in `root` (see the module docstring). Raises MalformedInputError
    for a missing or garbled checkpoint; every other finding is a Problem of the report."""
    text = read_checkpoint(root)
    origin = Checkpoint.from_body(SignedNote.from_text(text).text).origin
    try:
        cp = open_checkpoint(text, origin, origin, operator_key)
    except AwardLedgerError as exc:
        bad = Problem(None, 6, f"checkpoint: {exc}")
        return AuditReport(ok=False, size=0, root="", problems=[bad])
    files: list[Problem] = []  # a bundle missing or cut: first, the audit stopped there
    tiles: list[Problem] = []
    suspects: list[str] = []  # bundles whose entries do not give their level-0 tile
    builder = TileBuilder()
    sizes, claims = _named_roots(root, cp.size)
    roots: dict[int, bytes] = {0: builder.root()} if 0 in sizes else {}
    pages = _pages(root, cp.size, builder, files, tiles, suspects, sizes, roots)
    problems, tree, operator_keys = audit_rows(origin, pages, workers)
    if not files and tree.size == cp.size:  # all entries read: the right edge and the root
        for level, index, hashes in builder.partial():
            _check_tile(root, level, index, hashes, tiles, suspects)
        if builder.root() != cp.root_hash:
            named = f" ({', '.join(suspects[:3])} do not give their tiles)" if suspects else ""
            calculated = builder.root().hex()
            files.append(
                Problem(
                    None,
                    2,
                    f"checkpoint: root mismatch: signed {cp.root_hash.hex()}, calculated "
                    f"{calculated} from the entry bundles{named}",
                )
            )
    if operator_keys and operator_keys[-1] != operator_key:
        files.append(
            Problem(None, 6, "checkpoint: not signed by the operator key the log holds at its size")
        )
    if not files and tree.size == cp.size:
        files.extend(_check_named(claims, roots))
    found = files + problems + tiles
    return AuditReport(
        ok=not found,
        size=cp.size,
        root=cp.root_hash.hex(),
        checkpoints=1,
        problems=found,
    )


def _pages(
    root: Path,
    size: int,
    builder: TileBuilder,
    files: list[Problem],
    tiles: list[Problem],
    suspects: list[str],
    named: set[int],
    roots: dict[int, bytes],
) -> Iterator[tuple[int, list[RawRow]]]:
    """Each entry bundle as a page of rows, the hash tiles it completes checked on the way, and
    the root at each size in `named` put in `roots`; stops at the first bundle that is missing
    or does not hold its number of entries."""
    for index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        first = index * TILE_WIDTH
        width = min(TILE_WIDTH, size - first)
        where = entries_path(index, width)
        data = read_plain(root, where)
        try:
            if data is None:
                raise MalformedInputError(f"{where}: missing")
            entries = split_bundle(data, where)
            if len(entries) != width:
                raise MalformedInputError(f"{where}: {len(entries)} entries, want {width}")
        except MalformedInputError as exc:
            files.append(Problem(first, 2, str(exc)))
            return
        rows = []
        for seq, entry in enumerate(entries, first):
            for level, tile, hashes in builder.add(leaf_hash(entry)):
                _check_tile(root, level, tile, hashes, tiles, suspects)
            if builder.size in named:
                roots[builder.size] = builder.root()
            rows.append(_row(seq, entry))
        yield first, rows


class _Named(msgspec.Struct):
    size: int | None = None
    seq: int | None = None
    root: str | None = None


class _Reported(msgspec.Struct):
    as_of: _Named
    checkpoint: _Named


_REPORTED = msgspec.json.Decoder(_Reported)


def _named_roots(root: Path, size: int) -> tuple[set[int], list[tuple[str, int, str]]]:
    """The tree sizes the reports and statistics in `root` name, and each claim (file, size,
    root hex); a file that cannot be read as one is a claim no size can meet (-1)."""
    claims: list[tuple[str, int, str]] = []
    for folder, name in (("movements", "report.json"), ("statistics", "statistics.json")):
        try:
            entries = sorted((root / folder).iterdir()) if (root / folder).is_dir() else []
        except OSError:
            entries = []
        for entry in entries:
            relative = f"{folder}/{entry.name}/{name}"
            try:
                data = read_plain(root, relative)
                if data is None:
                    continue
                reported = _REPORTED.decode(data)
            except (AwardLedgerError, msgspec.DecodeError):
                claims.append((relative, -1, ""))
                continue
            for named in (reported.as_of, reported.checkpoint):
                at = named.seq if named.seq is not None else named.size
                if at is not None and named.root is not None:
                    claims.append((relative, at, named.root))
    return {at for _, at, _ in claims if 0 <= at <= size}, claims


def _check_named(claims: list[tuple[str, int, str]], roots: dict[int, bytes]) -> list[Problem]:
    """A problem for each claim whose root is not the published entries' root at its size."""
    found = []
    for relative, at, named in claims:
        if at < 0:
            found.append(Problem(None, 4, f"{relative}: not a report this tool can read"))
        elif at not in roots:
            found.append(Problem(None, 4, f"{relative}: names tree size {at}, past the log"))
        elif roots[at].hex() != named:
            found.append(
                Problem(
                    None,
                    4,
                    f"{relative}: names root {named} at tree size {at}, but the published "
                    f"entries give {roots[at].hex()}",
                )
            )
    return found


def _check_tile(
    root: Path,
    level: int,
    index: int,
    hashes: bytes,
    tiles: list[Problem],
    suspects: list[str],
) -> None:
    """Compare tile (`level`, `index`) in `root` with the `hashes` recomputed from the entries."""
    width = len(hashes) // 32
    where = tile_path(level, index, width)
    data = read_plain(root, where)
    if data == hashes:
        return
    what = "missing" if data is None else "does not match the hashes of the entries"
    tiles.append(Problem(None, 2, f"{where}: {what}"))
    if level == 0 and data is not None:
        suspects.append(entries_path(index, width))


def _row(seq: int, entry: bytes) -> RawRow:
    """The row an entry was stored as, from its signed header (the audit then checks the
    body against it, the signature over it, and the versions it names)."""
    aggregate: Any = None
    version: Any = -1
    topic: Any = ""
    try:
        header = codec.decode_header(codec.split_raw(entry)[0])
        aggregate, version, topic = header.aggregate, header.version, header.type
    except AwardLedgerError:
        pass  # reported by the audit's strict decode (step 1)
    return RawRow(seq, aggregate, version, topic, entry)
