"""Tests for ledger.signing: RFC 8032 anchor, single verification, batch verification."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import SignatureError, UsageError
from ledger import signing
from ledger.keys import raw_public_key
from ledger.signing import sign, verify_signature

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def _rfc8032_test1() -> dict[str, str]:
    cases: list[dict[str, str]] = json.loads((VECTORS / "rfc8032-ed25519.json").read_text())
    [case] = [c for c in cases if c["source"].endswith("TEST 1")]
    return case


def test_rfc8032_test1_public_key_and_signature() -> None:
    case = _rfc8032_test1()
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(case["secret_key"]))
    message = bytes.fromhex(case["message"])
    assert raw_public_key(key).hex() == case["public_key"]
    assert sign(key, message).hex() == case["signature"]
    verify_signature(
        bytes.fromhex(case["public_key"]), message, bytes.fromhex(case["signature"]), "test 1"
    )


def test_verify_signature_rejects_tampered_message() -> None:
    key = Ed25519PrivateKey.generate()
    sig = sign(key, b"entry bytes")
    with pytest.raises(SignatureError, match="entry 12: signature does not verify"):
        verify_signature(raw_public_key(key), b"entry bytez", sig, "entry 12")


def test_verify_signature_rejects_other_key() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    with pytest.raises(SignatureError, match="entry 1: signature does not verify"):
        verify_signature(raw_public_key(other), b"m", sign(key, b"m"), "entry 1")


def test_verify_signature_rejects_truncated_signature() -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureError, match="entry 1: signature does not verify"):
        verify_signature(raw_public_key(key), b"m", sign(key, b"m")[:63], "entry 1")


def test_verify_signature_rejects_malformed_public_key() -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureError, match="entry 1: public key has 31 bytes, want 32"):
        verify_signature(raw_public_key(key)[:31], b"m", sign(key, b"m"), "entry 1")


def _items(count: int, keys: int = 5) -> list[tuple[bytes, bytes, bytes]]:
    signers = [Ed25519PrivateKey.from_private_bytes(bytes([k]) * 32) for k in range(keys)]
    items = []
    for index in range(count):
        key = signers[index % keys]
        message = f"entry {index}".encode()
        items.append((raw_public_key(key), message, sign(key, message)))
    return items


def _tamper(items: list[tuple[bytes, bytes, bytes]], bad: set[int]) -> None:
    for index in bad:
        public_raw, message, sig = items[index]
        items[index] = (public_raw, message + b"!", sig)


def _verified(
    items: list[tuple[bytes, bytes, bytes]], workers: int, hinted: bool = False
) -> list[int]:
    queue = signing.SignatureQueue(workers)
    if hinted:  # told how many come: a long log starts its pool before the first chunk
        queue.expect(len(items))
    for seq, (public_raw, message, sig) in enumerate(items):
        queue.add(seq, public_raw, message, sig)
    return queue.finish()


def test_signature_queue_all_good_in_process() -> None:
    assert _verified(_items(40), workers=1) == []
    assert _verified([], workers=1) == []


def test_signature_queue_detects_tampered_items_in_process() -> None:
    items = _items(60)
    _tamper(items, {3, 17, 20, 30, 40, 59})
    assert _verified(items, workers=1) == [3, 17, 20, 30, 40, 59]


def test_signature_queue_rejects_zero_workers() -> None:
    with pytest.raises(UsageError, match="workers must be at least 1, got 0"):
        signing.SignatureQueue(0)


class _NoProcesses:
    """A pool that cannot start a process (e.g. a process limit was reached)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise OSError("Resource temporarily unavailable")


class _DyingWorkers(ProcessPoolExecutor):
    """A pool whose worker is killed (by the out-of-memory killer, say) before it answers."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        return future


@pytest.mark.parametrize("hinted", [False, True], ids=["lazy", "hinted"])
@pytest.mark.parametrize("pool", [_NoProcesses, _DyingWorkers], ids=["cannot start", "dies"])
def test_without_working_worker_processes_every_signature_is_still_checked_here(
    pool: type, hinted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signing, "QUEUE_CHUNK", 100)
    monkeypatch.setattr(signing, "ProcessPoolExecutor", pool)
    items = _items(1000)
    bad = {0, 1, 377, 500, 999}
    _tamper(items, bad)
    assert _verified(items, workers=2, hinted=hinted) == sorted(bad)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_signature_queue_finds_every_failure_whoever_verifies_it(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks so the pool, and this process when the pool is behind, both get some.
    monkeypatch.setattr(signing, "QUEUE_CHUNK", 40)
    prefix = b"award-ledger/event/v1\n"
    signers = [Ed25519PrivateKey.from_private_bytes(bytes([k + 1]) * 32) for k in range(3)]
    queue = signing.SignatureQueue(workers, prefix)
    bad = {0, 39, 40, 41, 333, 499}
    for seq in range(500):
        key = signers[seq % 3]
        body = f'{{"entry":{seq}}}'.encode()
        signature = sign(key, prefix + body)
        if seq == 333:
            signature = signature[:63]  # a short signature fails, it does not raise
        elif seq in bad:
            body += b" "
        queue.add(seq, raw_public_key(key), body, signature)
    assert queue.finish() == sorted(bad)
    assert (queue.pool is not None) == (workers > 1)


def test_a_packed_chunk_keeps_each_key_once_and_survives_pickling() -> None:
    chunk = signing.PackedChunk(b"p:")
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    for n in range(4):
        assert chunk.add(10 + n, raw_public_key(key), b"m%d" % n, sign(key, b"p:m%d" % n)) == n + 1
    copy = pickle.loads(pickle.dumps(chunk))
    assert (len(copy), copy.keys) == (4, [raw_public_key(key)])
    assert chunk.seqs == [10, 11, 12, 13] and not hasattr(copy, "seqs")  # they stay here
    assert signing.failures_in_packed(copy) == []


def test_a_long_log_starts_its_workers_before_the_first_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(signing, "QUEUE_CHUNK", 50)
    items = _items(400)
    _tamper(items, {5, 222})
    few, many = signing.SignatureQueue(2), signing.SignatureQueue(2)
    few.expect(2 * signing.POOL_AFTER * 50)  # a short audit: its first chunks are verified here
    many.expect(len(items))
    assert few.pool is None and many.pool is not None
    for seq, (public_raw, message, sig) in enumerate(items):
        many.add(seq, public_raw, message, sig)
    assert many.futures  # the pool got the first chunks
    assert many.finish() == [5, 222]
    one = signing.SignatureQueue(1)
    one.expect(10**6)
    assert one.pool is None  # no other worker to start
