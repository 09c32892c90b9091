"""The c2sp.org/tlog-witness protocol over real HTTP servers on 127.0.0.1 (issue 12, item 5):
status codes, rollbacks and forks refused, 409 then success, a restarted witness keeping its
state, and concurrent requests for one log serialised."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.note import Checkpoint, SignedNote, sign_checkpoint
from ledger.witness import WitnessKey, WitnessState, verify_cosignature
from ledger.witness_http import (
    SIZE_TYPE,
    WitnessConfig,
    WitnessServer,
    ask_witness,
    encode_request,
)

ORIGIN = "vpqh.gov.vn/awards"
OPERATOR = generate_key()
W1 = generate_key()
NAME = "thanhtra.gov.vn/w1"
TREE = MerkleTree(leaf_hash(f"event {i}".encode()) for i in range(40))
OTHER = MerkleTree(leaf_hash(f"forged {i}".encode()) for i in range(40))


def _note(size: int, tree: MerkleTree = TREE, key: object = OPERATOR) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, tree.root(size)), ORIGIN, key)  # type: ignore[arg-type]


class Running:
    """A witness server on an ephemeral port, served from a thread."""

    def __init__(self, state: Path) -> None:
        config = WitnessConfig(NAME, W1, raw_public_key(OPERATOR), WitnessState(state))
        self.server = WitnessServer(("127.0.0.1", 0), config, lambda _: None)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def post(self, body: bytes, path: str = "/add-checkpoint") -> tuple[int, str, bytes]:
        request = urllib.request.Request(self.url + path, data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers["Content-Type"], exc.read()


@pytest.fixture
def witness(tmp_path: Path) -> Iterator[Running]:
    running = Running(tmp_path / "w1.json")
    try:
        yield running
    finally:
        running.stop()


def _state(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "w1.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _cosigns(status: int, body: bytes, size: int) -> None:
    assert status == 200, body
    note = SignedNote.from_text(SignedNote.from_text(_note(size)).text + "\n" + body.decode())
    assert verify_cosignature(note, WitnessKey(NAME, raw_public_key(W1))) is not None


def test_cosigns_then_extends_with_a_proof(witness: Running, tmp_path: Path) -> None:
    status, _, body = witness.post(encode_request(0, [], _note(10)))
    _cosigns(status, body, 10)
    proof = TREE.consistency_proof(10, 25)
    status, _, body = witness.post(encode_request(10, proof, _note(25)))
    _cosigns(status, body, 25)
    assert _state(tmp_path)[ORIGIN] == {"size": 25, "root": TREE.root(25).hex()}


def test_stale_old_size_is_409_with_the_current_size(witness: Running, tmp_path: Path) -> None:
    witness.post(encode_request(0, [], _note(10)))
    status, content_type, body = witness.post(encode_request(0, [], _note(20)))
    assert (status, content_type, body) == (409, SIZE_TYPE, b"10\n")
    assert _state(tmp_path)[ORIGIN] == {"size": 10, "root": TREE.root(10).hex()}


def test_rollback_and_fork_and_bad_proof_are_refused(witness: Running, tmp_path: Path) -> None:
    witness.post(encode_request(0, [], _note(20)))
    before = _state(tmp_path)
    assert witness.post(encode_request(20, [], _note(10)))[0] == 400  # rollback: old > size
    assert witness.post(encode_request(10, [], _note(10)))[0] == 409  # rollback: stale old
    fork = witness.post(encode_request(20, [], _note(20, OTHER)))
    assert fork[0] == 409 and fork[1] != SIZE_TYPE  # fork at the same size: no retry size
    forged = witness.post(encode_request(20, OTHER.consistency_proof(20, 30), _note(30, OTHER)))
    assert forged[0] == 422
    assert _state(tmp_path) == before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 1\n",
        b"new 0\n\nx",
        b"old -1\n\n" + _note(3).encode(),
        b"old 01\n\n" + _note(3).encode(),
        b"old 0\nnot base64!\n\n" + _note(3).encode(),
        b"old 0\nAAAA\n\n" + _note(3).encode(),
        b"old 0\n\nnot a note",
    ],
)
def test_a_malformed_request_is_400_and_changes_nothing(
    witness: Running, tmp_path: Path, body: bytes
) -> None:
    assert witness.post(body)[0] == 400
    assert _state(tmp_path) == {}


def test_wrong_operator_key_is_403(witness: Running, tmp_path: Path) -> None:
    status, _, _ = witness.post(encode_request(0, [], _note(5, key=generate_key())))
    assert status == 403
    assert _state(tmp_path) == {}


def test_other_paths_and_methods_and_huge_bodies(witness: Running) -> None:
    assert witness.post(encode_request(0, [], _note(5)), "/other")[0] == 404
    assert witness.post(b"x" * (65 * 1024))[0] == 413
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(witness.url + "/add-checkpoint", timeout=10)
    assert err.value.code == 405
    err.value.close()


def test_client_retries_once_from_the_size_in_a_409(witness: Running) -> None:
    witness.post(encode_request(0, [], _note(12)))
    answer = ask_witness(witness.url, _note(30), 0, lambda old: TREE.consistency_proof(old, 30))
    assert answer.problem is None and [s.name for s in answer.lines] == [NAME]


def test_client_reports_a_witness_that_is_down() -> None:
    running = Running(Path("/nonexistent/never-written.json"))
    url = running.url
    running.stop()
    answer = ask_witness(url, _note(3), 0, lambda old: [], timeout=2)
    assert answer.lines == () and answer.problem is not None
    assert "unreachable" in answer.problem


def test_a_restarted_witness_keeps_its_state(tmp_path: Path) -> None:
    first = Running(tmp_path / "w1.json")
    try:
        assert first.post(encode_request(0, [], _note(20)))[0] == 200
    finally:
        first.stop()
    second = Running(tmp_path / "w1.json")
    try:
        assert second.post(encode_request(0, [], _note(20, OTHER))) == (409, SIZE_TYPE, b"20\n")
        assert second.post(encode_request(20, [], _note(20, OTHER)))[0] == 409
        status, _, body = second.post(encode_request(20, TREE.consistency_proof(20, 33), _note(33)))
        _cosigns(status, body, 33)
    finally:
        second.stop()


def test_concurrent_requests_for_one_log_are_serialised(witness: Running, tmp_path: Path) -> None:
    """Each round, eight clients send the witness's current size as old, for different new
    sizes: exactly one may win (the others see 409 with its size). Without the lock several
    would cosign from the same old size (this test then fails in most rounds)."""
    current = 0
    for _ in range(4):
        sizes = list(range(current + 1, current + 9))

        def send(n: int, old: int = current) -> tuple[int, str, bytes]:
            proof = TREE.consistency_proof(old, n) if old else []
            return witness.post(encode_request(old, proof, _note(n)))

        with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
            answers = list(pool.map(send, sizes))
        statuses = [a[0] for a in answers]
        assert sorted(statuses) == [200] + [409] * (len(sizes) - 1), answers
        current = sizes[statuses.index(200)]
        assert _state(tmp_path)[ORIGIN] == {"size": current, "root": TREE.root(current).hex()}
        assert all(a[2] == f"{current}\n".encode() for a in answers if a[0] == 409)
