"""The strict reading of a receipt file, and the signer record a v2 receipt carries.

Two readers must never see two different receipts in one file: a duplicate JSON key (msgspec
keeps the last, other readers the first) and non-canonical base64 (spare bits that decode to
the same bytes) are refused. A v2 receipt carries its signer's registry record with an
inclusion proof in the registry tree the checkpoint commits to (ledger/registry_tree.py);
:func:`check_record` proves with it that the signer was registered, with its roles, and not
revoked at the event's position (docs/FORMAT.md §11).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import msgspec

from domain.errors import MalformedReceiptError, VerificationError
from domain.registry import Signer
from ledger.merkle import HASH_SIZE, inclusion_proof_of, leaf_hash, verify_inclusion
from ledger.registry_tree import RegistryClaim, SignerRecord, decode_record, record_leaves


class ProvenRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A signer's registry record (base64 of its canonical JSON) at leaf `index` of the
    registry tree the checkpoint commits to, with its inclusion proof (base64 hashes)."""

    index: int
    record: str
    proof: list[str]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    """Decode padded standard base64 that must be in its canonical form."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise MalformedReceiptError(f"receipt: {what} is not base64") from exc
    if b64(raw) != text:
        raise MalformedReceiptError(f"receipt: {what} is not canonical base64")
    return raw


def proof_hashes(proof: list[str], what: str) -> list[bytes]:
    """An inclusion proof's hashes: canonical base64, 32 bytes each."""
    hashes = [unb64(p, f"{what} proof hash {i}") for i, p in enumerate(proof)]
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise MalformedReceiptError(
                f"receipt: {what} proof hash {i} has {len(h)} bytes, want {HASH_SIZE}"
            )
    return hashes


def reject_duplicate_keys(data: bytes) -> None:
    """Refuse a receipt with the same key twice in any object (call after msgspec accepted
    the file, so it is valid UTF-8 JSON)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise MalformedReceiptError(f"receipt: duplicate key {key!r}")
            seen.add(key)
        return dict(items)

    try:
        json.loads(data.decode("utf-8"), object_pairs_hook=pairs)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, MalformedReceiptError):
            raise
        raise MalformedReceiptError(f"receipt: {exc}") from exc


def prove_record(records: list[SignerRecord], name: str) -> ProvenRecord | None:
    """The record of signer `name` with its inclusion proof, or None if it is not there."""
    for index, record in enumerate(records):
        if record.name == name:
            proof = inclusion_proof_of(record_leaves(records), index)
            return ProvenRecord(index, b64(record.to_bytes()), [b64(h) for h in proof])
    return None


def check_record(
    proven: ProvenRecord,
    claim: RegistryClaim,
    event_seq: int,
    signer: str,
    registration_seq: int,
    registration: Signer.Registered,
) -> SignerRecord:
    """Steps 5a–5c of a v2 receipt: the record is in the committed registry, it is the
    registration's signer as registered at `registration_seq`, and that signer was
    registered at or before `event_seq` and not revoked before it. Returns the record."""
    # (5a): a leaf of the registry tree the checkpoint's registry line commits to
    data = unb64(proven.record, "signer record")
    proof = proof_hashes(proven.proof, "signer record")
    verify_inclusion(leaf_hash(data), proven.index, claim.count, proof, claim.root)
    try:
        record = decode_record(data)
    except (msgspec.DecodeError, ValueError) as exc:
        raise VerificationError(f"receipt: signer record is not a registry record: {exc}") from exc
    # (5b): the event's signer, exactly as its registration entry registered it
    if record.name != signer:
        raise VerificationError(f"receipt: signer record is for {record.name!r}, not {signer!r}")
    registered = (
        registration.name,
        registration.public_key,
        list(registration.roles),
        list(registration.competence),
        registration.unit,
        registration.person,
        registration_seq,
    )
    held = (
        record.name,
        record.public_key,
        record.roles,
        record.competence,
        record.unit,
        record.person,
        record.registered,
    )
    if held != registered:
        raise VerificationError("receipt: signer record differs from the registration entry")
    # (5c): registered at or before the event, and not revoked before it
    if record.registered > event_seq:
        raise VerificationError(
            f"receipt: signer {signer!r} was registered at event {record.registered}, "
            f"after event {event_seq}"
        )
    if record.revoked is not None and record.revoked < event_seq:
        raise VerificationError(
            f"receipt: signer {signer!r} was revoked at event {record.revoked}, "
            f"before event {event_seq}"
        )
    return record
