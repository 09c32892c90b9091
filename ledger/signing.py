"""Raw Ed25519 signing and verification, one at a time or in batches over every core.

Owns the translation of cryptography's ``InvalidSignature`` (and malformed public keys) into
``SignatureError``. Keys on the wire are the raw 32-byte RFC 8032 encoding.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.errors import SignatureError, UsageError

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
# Below this many items a process pool costs more than it saves (≈ 8k verifies/s per core).
PARALLEL_THRESHOLD = 2000
# Chunks per worker: small enough to balance load, large enough to amortise pickling.
CHUNKS_PER_WORKER = 4

BatchItem = tuple[bytes, bytes, bytes]  # (public_raw, message, signature)


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """Return the 64-byte Ed25519 signature of `message` by `key`."""
    return key.sign(message)


def verify_signature(public_raw: bytes, message: bytes, signature: bytes, what: str) -> None:
    """Check that `signature` is `public_raw`'s Ed25519 signature over exactly `message`.

    `what` names the signed thing in the error ("entry 12"). Returns None or raises
    SignatureError (also for a public key that is not a valid 32-byte Ed25519 key).
    """
    if len(public_raw) != PUBLIC_KEY_SIZE:
        raise SignatureError(
            f"{what}: public key has {len(public_raw)} bytes, want {PUBLIC_KEY_SIZE}"
        )
    try:
        public = Ed25519PublicKey.from_public_bytes(public_raw)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SignatureError(f"{what}: public key is not a valid ed25519 key") from exc
    try:
        public.verify(signature, message)
    except InvalidSignature as exc:
        raise SignatureError(f"{what}: signature does not verify") from exc


def failures_in_chunk(start: int, items: Sequence[BatchItem]) -> list[int]:
    """Return the absolute indexes (start + i) of items in this chunk that do not verify."""
    cache: dict[bytes, Ed25519PublicKey | None] = {}
    failed: list[int] = []
    for offset, (public_raw, message, signature) in enumerate(items):
        if public_raw not in cache:
            try:
                cache[public_raw] = (
                    Ed25519PublicKey.from_public_bytes(public_raw)
                    if len(public_raw) == PUBLIC_KEY_SIZE
                    else None
                )
            except (ValueError, UnsupportedAlgorithm):
                cache[public_raw] = None
        public = cache[public_raw]
        if public is None or len(signature) != SIGNATURE_SIZE:
            failed.append(start + offset)
            continue
        try:
            public.verify(signature, message)
        except InvalidSignature:
            failed.append(start + offset)
    return failed


def verify_batch(items: Sequence[BatchItem], workers: int | None = None) -> list[int]:
    """Verify many (public_raw, message, signature) triples; return the sorted failing indexes.

    An empty list means every signature verifies. A malformed public key or signature counts
    as a failure, never an exception. With more than PARALLEL_THRESHOLD items and `workers`
    other than 1, chunks run in a process pool of `workers` processes (default: every core);
    otherwise, or if no pool can be started, everything runs in this process.
    Raises UsageError when `workers` < 1.
    """
    count = (os.cpu_count() or 1) if workers is None else workers
    if count < 1:
        raise UsageError(f"workers must be at least 1, got {count}")
    if count == 1 or len(items) <= PARALLEL_THRESHOLD:
        return failures_in_chunk(0, items)
    chunk_size = -(-len(items) // (count * CHUNKS_PER_WORKER))
    starts = range(0, len(items), chunk_size)
    chunks = [list(items[start : start + chunk_size]) for start in starts]
    # "spawn" keeps children free of whatever locks or threads the parent holds.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            results = pool.map(failures_in_chunk, starts, chunks)
            failed = [index for chunk_failures in results for index in chunk_failures]
    except (OSError, BrokenProcessPool):
        return failures_in_chunk(0, items)
    return sorted(failed)


# Items per chunk sent to a worker while the caller keeps reading (≈ 0.5 s of verifying).
QUEUE_CHUNK = 4000


class SignatureQueue:
    """Checks signatures in chunks on a process pool while the log is still being read."""

    def __init__(self, workers: int | None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pending: list[tuple[bytes, bytes, bytes]] = []
        self.seqs: list[int] = []
        self.futures: list[tuple[list[int], Future[list[int]]]] = []
        self.failed: list[int] = []
        self.pool: ProcessPoolExecutor | None = None

    def add(self, seq: int, public_key: bytes, message: bytes, signature: bytes) -> None:
        self.pending.append((public_key, message, signature))
        self.seqs.append(seq)
        if len(self.pending) >= QUEUE_CHUNK:
            self._flush()

    def _flush(self) -> None:
        items, seqs = self.pending, self.seqs
        self.pending, self.seqs = [], []
        if not items:
            return
        if self.workers > 1 and (self.pool is not None or len(self.futures) == 0):
            if self.pool is None:
                context = multiprocessing.get_context("spawn")
                self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
            self.futures.append((seqs, self.pool.submit(failures_in_chunk, 0, items)))
            # Backpressure: reading outruns verifying, so without a bound every chunk of the
            # log would wait in memory for a worker.
            while len(self.futures) > 2 * self.workers:
                done_seqs, future = self.futures.pop(0)
                self.failed.extend(done_seqs[i] for i in future.result())
        else:
            self.failed.extend(seqs[i] for i in failures_in_chunk(0, items))

    def finish(self) -> list[int]:
        if self.pool is None:  # small log: verify the remainder here, no pool start-up
            self.failed.extend(self.seqs[i] for i in failures_in_chunk(0, self.pending))
            self.pending, self.seqs = [], []
        else:
            self._flush()
        for seqs, future in self.futures:
            self.failed.extend(seqs[i] for i in future.result())
        if self.pool is not None:
            self.pool.shutdown()
        return sorted(self.failed)
