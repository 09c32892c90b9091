"""Raw Ed25519 signing and verification, one at a time or in batches over every core.

Owns the translation of cryptography's ``InvalidSignature`` (and malformed public keys) into
``SignatureError``. Keys on the wire are the raw 32-byte RFC 8032 encoding.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.errors import SignatureError, UsageError

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


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


# Items per chunk (≈ 0.1 s of verifying): small enough that the pool's last queued chunks
# leave little tail after reading ends, large enough that handing one over costs nothing.
QUEUE_CHUNK = 1000
POOL_AFTER = 2  # chunks verified in this process before a pool is started


class PackedChunk:
    """Signature checks packed for a worker: messages ``prefix ‖ body`` with the bodies laid
    end to end, the signatures likewise, and each item's key as an index into `keys`.

    A few large byte strings cross the process boundary instead of thousands of small
    objects (pickling and unpickling those cost ≈ 1.9 µs per item, 2% of a verify). The
    items' seqs stay with the sender: they are not pickled."""

    def __init__(self, prefix: bytes) -> None:
        self.prefix = prefix
        self.seqs: list[int] = []
        self.keys: list[bytes] = []
        self._key_index: dict[bytes, int] = {}
        self.key_of = array("I")
        self.bodies = bytearray()
        self.ends = array("Q")
        self.signatures = bytearray()
        self.bad: list[int] = []  # items whose signature is not 64 bytes long

    def __len__(self) -> int:
        return len(self.ends)

    def add(self, seq: int, public_key: bytes, body: bytes, signature: bytes) -> int:
        """Add one check; return the number of items now in the chunk."""
        self.seqs.append(seq)
        index = self._key_index.get(public_key)
        if index is None:
            index = self._key_index[public_key] = len(self.keys)
            self.keys.append(public_key)
        self.key_of.append(index)
        self.bodies += body
        self.ends.append(len(self.bodies))
        if len(signature) == SIGNATURE_SIZE:
            self.signatures += signature
        else:
            self.bad.append(len(self.ends) - 1)
            self.signatures += bytes(SIGNATURE_SIZE)
        return len(self.seqs)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_key_index", "seqs")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)


def failures_in_packed(chunk: PackedChunk) -> list[int]:
    """The indexes of the items in `chunk` that do not verify (run in a worker)."""
    bad = set(chunk.bad)
    publics: list[Ed25519PublicKey | None] = []
    for raw in chunk.keys:
        try:
            publics.append(
                Ed25519PublicKey.from_public_bytes(raw) if len(raw) == PUBLIC_KEY_SIZE else None
            )
        except (ValueError, UnsupportedAlgorithm):
            publics.append(None)
    prefix, bodies, signatures = chunk.prefix, bytes(chunk.bodies), bytes(chunk.signatures)
    failed: list[int] = []
    start = 0
    for i, (end, key) in enumerate(zip(chunk.ends, chunk.key_of, strict=True)):
        public = publics[key]
        if public is None or i in bad:
            failed.append(i)
        else:
            try:
                at = i * SIGNATURE_SIZE
                signature = signatures[at : at + SIGNATURE_SIZE]
                public.verify(signature, prefix + bodies[start:end])
            except InvalidSignature:
                failed.append(i)
        start = end
    return failed


class SignatureQueue:
    """Checks signatures in chunks while the log is still being read, on every core.

    `workers` processes verify in all (default: one per core): this one, which also reads
    and decodes the log, and a pool of the others. A chunk goes to the pool while the pool
    has room in its queue; when the pool is behind, this process verifies the chunk itself
    instead of waiting. So there are never more busy processes than cores (a third process
    on two cores costs every process its caches), and no core idles while the log is read.
    Each item's message is ``prefix ‖ body``; :meth:`finish` returns the seqs that failed.
    """

    def __init__(self, workers: int | None, prefix: bytes = b"") -> None:
        """`workers`: processes that verify, this one included (None: one per core).
        Raises UsageError when it is below 1."""
        if workers is not None and workers < 1:
            raise UsageError(f"workers must be at least 1, got {workers}")
        self.workers = workers or os.cpu_count() or 1
        self.prefix = prefix
        self.pending = PackedChunk(prefix)
        self.futures: list[tuple[list[int], PackedChunk, Future[list[int]]]] = []
        self.failed: list[int] = []
        self.pool: ProcessPoolExecutor | None = None
        self.flushed = 0

    def add(self, seq: int, public_key: bytes, body: bytes, signature: bytes) -> None:
        if self.pending.add(seq, public_key, body, signature) >= QUEUE_CHUNK:
            self._flush()

    def _flush(self) -> None:
        chunk = self.pending
        self.pending = PackedChunk(self.prefix)
        seqs = chunk.seqs
        if not seqs:
            return
        others = self.workers - 1
        while self.futures and self.futures[0][2].done():
            self._collect()
        self.flushed += 1
        # Two chunks queued per pool worker keep it busy while this process reads or verifies.
        # Unless told to expect many (see expect), the pool starts with the third chunk: a log
        # of a few thousand events is verified here sooner than a worker process starts.
        started = self.pool is not None or (self.flushed > POOL_AFTER and self._start_pool())
        if started and len(self.futures) < 2 * others:
            try:
                assert self.pool is not None
                self.futures.append((seqs, chunk, self.pool.submit(failures_in_packed, chunk)))
                return
            except (OSError, BrokenProcessPool):  # no processes to be had: verify here
                self.workers = 1
        self.failed.extend(seqs[i] for i in failures_in_packed(chunk))

    def expect(self, items: int) -> None:
        """A hint: about `items` checks will follow. When that is many, the pool starts now
        and its workers start up while this process reads the first chunks (a worker takes
        ≈ 0.1 s to start: 2% of an audit of 100k events)."""
        if self.pool is None and items > 2 * POOL_AFTER * QUEUE_CHUNK:
            self._start_pool()

    def _start_pool(self) -> bool:
        """Start the pool of the other workers, if there are any; False when there are none
        or no process can be had (then every chunk is verified here)."""
        others = self.workers - 1
        if others < 1:
            return False
        try:
            # "spawn" keeps children free of the locks and threads this process holds
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(others, mp_context=context)
            self.pool.submit(os.getpid)  # the executor starts its processes on a first task
            return True
        except (OSError, BrokenProcessPool):
            self.workers, self.pool = 1, None
            return False

    def _collect(self) -> None:
        seqs, chunk, future = self.futures.pop(0)
        try:
            failed = future.result()
        except BrokenProcessPool:  # a worker was killed (out of memory, say): redo it here
            self.workers = 1
            failed = failures_in_packed(chunk)
        self.failed.extend(seqs[i] for i in failed)

    def finish(self) -> list[int]:
        """Verify what is left, wait for the pool, and return the failing seqs in order."""
        chunk, self.pending = self.pending, PackedChunk(self.prefix)
        self.failed.extend(chunk.seqs[i] for i in failures_in_packed(chunk))
        while self.futures:
            self._collect()
        if self.pool is not None:
            self.pool.shutdown()
        return sorted(self.failed)
