"""Witnesses: C2SP tlog-witness behaviour and tlog-cosignature/v1 (Ed25519) cosignatures.

A witness (an inspectorate's) keeps, per log origin, the last checkpoint it cosigned. It
cosigns a new checkpoint only if the operator signed it and a consistency proof shows the new
tree extends the old one; a smaller tree (rollback) or an inconsistent one (fork) is refused.
That stops an operator from showing different histories to different people: each history
would need the same witnesses to cosign both.

Cosignature line (c2sp.org/tlog-cosignature)::

    — <witness name> base64(key_id ‖ u64be(timestamp) ‖ Ed25519 signature)
    key_id  = SHA-256(name ‖ "\\n" ‖ 0x04 ‖ 32-byte public key)[:4]
    message = "cosignature/v1\\n" ‖ "time " decimal(timestamp) "\\n" ‖ checkpoint body
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import (
    AwardLedgerError,
    CheckpointError,
    ConsistencyError,
    MalformedInputError,
    MalformedProofError,
    StorageError,
    WitnessConflictError,
)
from ledger.files import write_text
from ledger.keys import raw_public_key
from ledger.merkle import verify_consistency
from ledger.note import Checkpoint, NoteSignature, SignedNote, open_checkpoint
from ledger.signing import verify_signature

ALG_COSIGNATURE_V1 = 0x04
_TIMESTAMP_BYTES = 8


@dataclass(frozen=True)
class WitnessKey:
    """A witness a verifier trusts: its name and raw Ed25519 public key."""

    name: str
    public_key: bytes


def cosigner_key_id(name: str, public_raw: bytes) -> bytes:
    """The 4-byte key id of an Ed25519 cosigner (signature type 0x04)."""
    material = name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_raw
    return hashlib.sha256(material).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """The exact bytes a cosignature/v1 signs."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(note: SignedNote, name: str, key: Ed25519PrivateKey, timestamp: int) -> SignedNote:
    """Return `note` with this witness's cosignature appended (replacing an older one)."""
    public = raw_public_key(key)
    key_id = cosigner_key_id(name, public)
    signature = key.sign(cosigned_message(note.text, timestamp))
    line = NoteSignature(name, key_id, timestamp.to_bytes(_TIMESTAMP_BYTES, "big") + signature)
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) != (name, key_id))
    return SignedNote(note.text, (*kept, line))


def verify_cosignature(note: SignedNote, witness: WitnessKey) -> int | None:
    """The timestamp of `witness`'s valid cosignature on `note`, or None if it has none.

    Raises SignatureError if a line with its name and key id does not verify.
    """
    key_id = cosigner_key_id(witness.name, witness.public_key)
    found: int | None = None
    for sig in note.signatures:
        if sig.name != witness.name or sig.key_id != key_id:
            continue
        if len(sig.signature) != _TIMESTAMP_BYTES + 64:
            raise CheckpointError(f"cosignature by '{witness.name}' has the wrong length")
        timestamp = int.from_bytes(sig.signature[:_TIMESTAMP_BYTES], "big")
        if timestamp >= 1 << 63:
            raise CheckpointError(f"cosignature by '{witness.name}' has an invalid timestamp")
        verify_signature(
            witness.public_key,
            cosigned_message(note.text, timestamp),
            sig.signature[_TIMESTAMP_BYTES:],
            f"cosignature by '{witness.name}'",
        )
        found = timestamp
    return found


def check_witness_policy(
    note_text: str | bytes, witnesses: Sequence[WitnessKey], min_witnesses: int
) -> list[str]:
    """Require at least `min_witnesses` valid cosignatures from `witnesses`; return their names.

    Each witness counts once: a name or a public key given twice is counted once.
    Raises CheckpointError when the policy is not met (SignatureError for a forged line).
    """
    witnesses = _distinct(witnesses)
    if min_witnesses > len(witnesses):
        raise CheckpointError(
            f"witness policy: {min_witnesses} cosignatures required but only "
            f"{len(witnesses)} witness keys given"
        )
    note = SignedNote.from_text(note_text)
    names = [w.name for w in witnesses if verify_cosignature(note, w) is not None]
    if len(names) < min_witnesses:
        raise CheckpointError(
            f"witness policy: checkpoint has {len(names)} valid cosignatures, need {min_witnesses}"
        )
    return names


def _distinct(witnesses: Sequence[WitnessKey]) -> list[WitnessKey]:
    """`witnesses` without a second entry for a name or a public key already listed."""
    kept: list[WitnessKey] = []
    for witness in witnesses:
        if all(witness.name != k.name and witness.public_key != k.public_key for k in kept):
            kept.append(witness)
    return kept


@dataclass(frozen=True)
class SeenCheckpoint:
    """What a witness last cosigned for one origin."""

    size: int
    root_hash: bytes


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


class WitnessState:
    """The witness's memory: the last checkpoint cosigned per origin, in a JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this state exclusively (threads of this process, and other processes through an
        advisory lock on ``<state>.lock``) for one read-check-sign-write."""
        key = self.path.resolve()
        with _THREAD_LOCKS_GUARD:
            thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
        with thread_lock:
            lock_path = self.path.with_name(self.path.name + ".lock")
            try:
                handle = open(lock_path, "a+b")
            except OSError as exc:
                raise StorageError(f"witness state lock '{lock_path}': {exc.strerror}") from exc
            with handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def load(self) -> dict[str, SeenCheckpoint]:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            return {
                origin: SeenCheckpoint(int(v["size"]), bytes.fromhex(v["root"]))
                for origin, v in raw.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            raise MalformedInputError(f"witness state '{self.path}' is not readable") from exc

    def save(self, seen: dict[str, SeenCheckpoint]) -> None:
        """Replace the state file (its own file: never through a symlink, never half written)."""
        data = {o: {"size": s.size, "root": s.root_hash.hex()} for o, s in sorted(seen.items())}
        write_text(self.path, json.dumps(data, indent=2) + "\n", replace=True)


def witness_cosign(
    note_text: str | bytes,
    operator_key: bytes,
    proof: Sequence[bytes],
    state: WitnessState,
    name: str,
    key: Ed25519PrivateKey,
    now: int | None = None,
) -> SignedNote:
    """Cosign a checkpoint as a witness would (c2sp.org/tlog-witness), updating its state.

    Steps: (1) the checkpoint is signed by the operator (key name = origin); (2) its size is
    not smaller than the last one cosigned for this origin; (3) equal sizes need equal roots,
    larger ones a valid consistency proof from the last one; (4) cosign and remember it.
    Raises CheckpointError / ConsistencyError / RootMismatchError and changes nothing.
    """
    note, checkpoint = _open_note(note_text, operator_key)
    with state.locked():
        seen = state.load()
        return _extend_and_cosign(note, checkpoint, proof, seen, state, name, key, now)


def witness_add_checkpoint(
    note_text: str | bytes,
    old_size: int,
    proof: Sequence[bytes],
    state: WitnessState,
    name: str,
    key: Ed25519PrivateKey,
    operator_key: bytes,
    now: int | None = None,
) -> SignedNote:
    """The add-checkpoint call of c2sp.org/tlog-witness: `witness_cosign` plus the caller's
    `old_size`, which must be the size this witness last cosigned for the origin (0 if none).

    Raises, in the order the protocol checks: MalformedNoteError (400), CheckpointError or
    SignatureError when the operator did not sign it (403), MalformedInputError when `old_size`
    exceeds the checkpoint's size or a proof is given from size 0 (400), WitnessConflictError
    (409) for a stale old size or a fork, ConsistencyError for a bad proof (422). Nothing is
    recorded unless it cosigns; the whole check runs under the state's lock.
    """
    note, checkpoint = _open_note(note_text, operator_key)
    if old_size > checkpoint.size:
        raise MalformedInputError(
            f"witness: old size {old_size} exceeds the checkpoint size {checkpoint.size}"
        )
    if old_size == 0 and proof:
        raise MalformedProofError("witness: a consistency proof from size 0 must be empty")
    with state.locked():
        seen = state.load()
        last = seen.get(checkpoint.origin)
        current = last.size if last is not None else 0
        if old_size != current:
            raise WitnessConflictError(
                f"witness: old size {old_size} is not the size {current} last cosigned", current
            )
        return _extend_and_cosign(note, checkpoint, proof, seen, state, name, key, now)


def _open_note(note_text: str | bytes, operator_key: bytes) -> tuple[SignedNote, Checkpoint]:
    """(1): the note parsed, and its checkpoint signed by the operator (key name = origin)."""
    note = SignedNote.from_text(note_text)
    origin = note.text.split("\n", 1)[0]
    return note, open_checkpoint(note_text, origin, origin, operator_key)


def _extend_and_cosign(
    note: SignedNote,
    checkpoint: Checkpoint,
    proof: Sequence[bytes],
    seen: dict[str, SeenCheckpoint],
    state: WitnessState,
    name: str,
    key: Ed25519PrivateKey,
    now: int | None,
) -> SignedNote:
    """Steps (2)-(4) of `witness_cosign`, with `seen` loaded under the state's lock."""
    last = seen.get(checkpoint.origin)
    if last is not None:
        # (2):
        if checkpoint.size < last.size:
            raise ConsistencyError(
                f"witness: checkpoint size {checkpoint.size} rolls back the log "
                f"(already cosigned size {last.size})"
            )
        # (3):
        if checkpoint.size == last.size and checkpoint.root_hash != last.root_hash:
            raise WitnessConflictError(
                f"witness: checkpoint forks the log at size {checkpoint.size}: root "
                f"{checkpoint.root_hash.hex()} differs from the cosigned {last.root_hash.hex()}",
                None,
            )
        if checkpoint.size > last.size > 0:
            try:
                verify_consistency(
                    last.size,
                    checkpoint.size,
                    list(proof),
                    last.root_hash,
                    checkpoint.root_hash,
                )
            except AwardLedgerError as exc:
                raise ConsistencyError(
                    f"witness: checkpoint of size {checkpoint.size} is not consistent "
                    f"with the cosigned size {last.size}: {exc}"
                ) from exc
    # (4):
    cosigned = cosign(note, name, key, int(time.time()) if now is None else now)
    seen[checkpoint.origin] = SeenCheckpoint(checkpoint.size, checkpoint.root_hash)
    state.save(seen)
    return cosigned
