"""Tests for ledger.signing: RFC 8032 anchor, single verification, batch verification."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import SignatureError, UsageError
from ledger import signing
from ledger.keys import raw_public_key
from ledger.signing import sign, verify_batch, verify_signature

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


def test_verify_batch_all_good_in_process() -> None:
    assert verify_batch(_items(40)) == []
    assert verify_batch([]) == []


def test_verify_batch_detects_tampered_indexes_in_process() -> None:
    items = _items(60)
    _tamper(items, {3, 17, 59})
    public_raw, message, sig = items[20]
    items[20] = (public_raw[:31], message, sig)  # malformed key: a failure, not an exception
    public_raw, message, sig = items[30]
    items[30] = (public_raw, message, sig[:10])  # malformed signature
    public_raw, message, sig = items[40]
    items[40] = (public_raw, message, bytes(64))  # well-formed but wrong
    assert verify_batch(items, workers=1) == [3, 17, 20, 30, 40, 59]


def test_verify_batch_rejects_zero_workers() -> None:
    with pytest.raises(UsageError, match="workers must be at least 1, got 0"):
        verify_batch(_items(2), workers=0)


class _RecordingPool(ProcessPoolExecutor):
    """Records whether each pool's `with` block finished without an exception."""

    outcomes: ClassVar[list[bool]] = []

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> Any:
        _RecordingPool.outcomes.append(exc_type is None)
        return super().__exit__(exc_type, exc_val, exc_tb)


def test_verify_batch_detects_tampered_indexes_with_two_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = _items(3000)
    bad = {0, 1, 777, 1500, 2048, 2999}
    _tamper(items, bad)
    _RecordingPool.outcomes = []
    monkeypatch.setattr(signing, "ProcessPoolExecutor", _RecordingPool)
    assert verify_batch(items, workers=2) == sorted(bad)
    assert _RecordingPool.outcomes == [True]  # the pool ran; no in-process fallback
    assert verify_batch(items, workers=1) == sorted(bad)


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
        chunk.add(raw_public_key(key), b"m%d" % n, sign(key, b"p:m%d" % n))
    copy = pickle.loads(pickle.dumps(chunk))
    assert (len(copy), copy.keys) == (4, [raw_public_key(key)])
    assert signing.failures_in_packed(copy) == []
