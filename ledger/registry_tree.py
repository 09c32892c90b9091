"""The signer registry a checkpoint commits to: one record per signer, a tree over them, and
the checkpoint extension line carrying that tree's size and root (docs/FORMAT.md §9, §11).

At tree size N the registry is every signer registered by events 0 … N−1, each as a
:class:`SignerRecord` (its registration's fields, the seq of its ``Signer.Registered`` and the
seq of its ``Signer.Revoked``, or null when not revoked before N). The records are sorted by
name (bytes); each leaf is a record's canonical JSON; the tree is RFC 6962 (ledger/merkle.py).
A receipt carries its signer's record and an inclusion proof in this tree, so it proves that
the signer was registered, with its roles, and not revoked at the event's position.
"""

from __future__ import annotations

import base64
import bisect
from typing import Any

import msgspec

from domain.errors import MalformedNoteError
from domain.registry import Signer
from ledger.application import LedgerApp
from ledger.mapper import decode_stored, topic_of
from ledger.merkle import HASH_SIZE, leaf_hash, root_of
from ledger.note import Checkpoint, SignedNote

REGISTRY_LINE = "award-ledger/registry"
REGISTRY_TOPICS = (topic_of(Signer.Registered), topic_of(Signer.Revoked))


class SignerRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One signer as the registry stands at a tree size; encoded with its fields in this
    order, no whitespace, bytes as base64 (the same canonical JSON as a body, §5)."""

    name: str
    public_key: bytes
    roles: list[str]
    competence: list[str]
    unit: str | None
    person: str | None
    registered: int
    revoked: int | None

    def to_bytes(self) -> bytes:
        """The record's canonical JSON: the exact bytes of its leaf."""
        return msgspec.json.encode(self)


_RECORD_DECODER = msgspec.json.Decoder(SignerRecord)


def decode_record(data: bytes) -> SignerRecord:
    """Strictly decode a record leaf: the fields above, and nothing but their canonical form
    (so one leaf cannot be read two ways). Raises msgspec.DecodeError or ValueError."""
    record = _RECORD_DECODER.decode(data)
    if record.to_bytes() != data:
        raise ValueError("not in canonical form")
    return record


class RegistryClaim(msgspec.Struct, frozen=True):
    """What a checkpoint's registry line says: the number of records and their tree's root."""

    count: int
    root: bytes

    def to_line(self) -> str:
        return f"{REGISTRY_LINE} {self.count} {base64.b64encode(self.root).decode('ascii')}"


def claim_of(records: list[SignerRecord]) -> RegistryClaim:
    """The registry line for these (sorted) records."""
    return RegistryClaim(len(records), root_of(record_leaves(records)))


def record_leaves(records: list[SignerRecord]) -> list[bytes]:
    """The leaf hashes of the registry tree: SHA-256(0x00 ‖ record JSON), in record order."""
    return [leaf_hash(record.to_bytes()) for record in records]


def registry_claim(checkpoint: Checkpoint) -> RegistryClaim | None:
    """The checkpoint's registry line, or None for a checkpoint without one (made before
    registries were committed: it claims nothing about the registry). Other extension lines
    are ignored. Raises MalformedNoteError for a registry line that does not parse, or two."""
    lines = [line for line in checkpoint.extensions if line.split(" ", 1)[0] == REGISTRY_LINE]
    if not lines:
        return None
    if len(lines) > 1:
        raise MalformedNoteError("checkpoint: more than one registry line")
    parts = lines[0].split(" ")
    count, root = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
    raw = _strict_b64(root)
    if not count.isdigit() or not count.isascii() or (len(count) > 1 and count[0] == "0"):
        raise MalformedNoteError(f"checkpoint: registry line {lines[0]!r} has no record count")
    if raw is None or len(raw) != HASH_SIZE:
        raise MalformedNoteError(f"checkpoint: registry line {lines[0]!r} has no 32-byte root")
    return RegistryClaim(int(count), raw)


def claim_of_note(note: str) -> RegistryClaim | None:
    """:func:`registry_claim` of a signed checkpoint note's body (the signature unchecked)."""
    return registry_claim(Checkpoint.from_body(SignedNote.from_text(note).text))


def _strict_b64(text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


class RegistryHistory:
    """The registry events of a log with their seqs (in seq order), folded into the record
    set at any tree size."""

    def __init__(self) -> None:
        self._seqs: list[int] = []
        self._events: list[Signer.Registered | Signer.Revoked] = []
        self._memo: dict[int, list[SignerRecord]] = {}  # by the number of events folded
        self._claims: dict[int, RegistryClaim] = {}

    def apply(self, seq: int, event: object) -> None:
        """Note one event at `seq` (seqs ascending; events of other kinds are ignored)."""
        if isinstance(event, Signer.Registered | Signer.Revoked):
            self._seqs.append(seq)
            self._events.append(event)

    def records_at(self, size: int) -> list[SignerRecord]:
        """The registry of the tree of `size`: records sorted by name (UTF-8 bytes)."""
        count = bisect.bisect_left(self._seqs, size)
        if count not in self._memo:
            self._memo[count] = self._fold(count)
        return self._memo[count]

    def claim_at(self, size: int) -> RegistryClaim:
        """The registry line of the tree of `size` (hashed once per distinct registry)."""
        count = bisect.bisect_left(self._seqs, size)
        if count not in self._claims:
            self._claims[count] = claim_of(self.records_at(size))
        return self._claims[count]

    def _fold(self, count: int) -> list[SignerRecord]:
        names: dict[Any, str] = {}
        records: dict[str, SignerRecord] = {}
        for seq, event in zip(self._seqs[:count], self._events[:count], strict=True):
            if isinstance(event, Signer.Registered):
                names[event.originator_id] = event.name
                records[event.name] = SignerRecord(
                    name=event.name,
                    public_key=event.public_key,
                    roles=list(event.roles),
                    competence=list(event.competence),
                    unit=event.unit,
                    person=event.person,
                    registered=seq,
                    revoked=None,
                )
            else:
                name = names.get(event.originator_id)
                record = records.get(name) if name is not None else None
                if name is not None and record is not None and record.revoked is None:
                    records[name] = msgspec.structs.replace(record, revoked=seq)
        return [records[name] for name in sorted(records, key=lambda n: n.encode("utf-8"))]


def history_of(app: LedgerApp, size: int) -> RegistryHistory:
    """The registry events among the first `size` events, read on the topic index: each row's
    seq is the count of rows before it (counted between consecutive registry rows, so the
    whole count is one pass over the id index, not a read of the log). Raises
    AwardLedgerError for a registry row that does not decode."""
    history = RegistryHistory()
    seq, last_id = 0, 0
    for notification_id, topic, state in app.rows_of_topics(REGISTRY_TOPICS):
        seq += app.count_rows(last_id, notification_id)  # this row's seq; [last_id, id) counted
        last_id = notification_id
        if seq >= size:
            break
        history.apply(seq, decode_stored(topic, state))
    return history


def registry_line(app: LedgerApp, size: int) -> str:
    """The registry line a checkpoint of `size` carries."""
    return claim_of(history_of(app, size).records_at(size)).to_line()
