"""Witness cosigning (C2SP tlog-witness / tlog-cosignature) and the witness policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.errors import CheckpointError, ConsistencyError, SignatureError
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.note import Checkpoint, NoteSignature, SignedNote, sign_checkpoint
from ledger.witness import (
    WitnessKey,
    WitnessState,
    check_witness_policy,
    cosign,
    cosigned_message,
    cosigner_key_id,
    verify_cosignature,
    witness_cosign,
)

ORIGIN = "vpqh.gov.vn/awards"
OPERATOR = generate_key()
OP_PUB = raw_public_key(OPERATOR)
W1 = generate_key()
W2 = generate_key()


def _tree(n: int) -> MerkleTree:
    return MerkleTree(leaf_hash(f"event {i}".encode()) for i in range(n))


def _note(tree: MerkleTree, size: int) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, tree.root(size)), ORIGIN, OPERATOR)


def test_cosigner_key_id_uses_type_0x04() -> None:
    import hashlib

    want = hashlib.sha256(b"w\n\x04" + raw_public_key(W1)).digest()[:4]
    assert cosigner_key_id("w", raw_public_key(W1)) == want


def test_cosigned_message_layout() -> None:
    assert cosigned_message("o\n1\nAA==\n", 17) == b"cosignature/v1\ntime 17\no\n1\nAA==\n"


def test_cosign_then_verify_returns_timestamp() -> None:
    note = SignedNote.from_text(_note(_tree(5), 5))
    cosigned = cosign(note, "w1", W1, 1_700_000_000)
    assert verify_cosignature(cosigned, WitnessKey("w1", raw_public_key(W1))) == 1_700_000_000
    assert verify_cosignature(cosigned, WitnessKey("w2", raw_public_key(W2))) is None
    # The operator's own signature is untouched and still verifies.
    cosigned.verify(ORIGIN, OP_PUB)


def test_forged_cosignature_is_refused() -> None:
    note = SignedNote.from_text(_note(_tree(5), 5))
    cosigned = cosign(note, "w1", W1, 1)
    line = cosigned.signatures[-1]
    bad = NoteSignature(
        line.name, line.key_id, line.signature[:-1] + bytes([line.signature[-1] ^ 1])
    )
    forged = SignedNote(cosigned.text, (*cosigned.signatures[:-1], bad))
    with pytest.raises(SignatureError, match="cosignature by 'w1'"):
        verify_cosignature(forged, WitnessKey("w1", raw_public_key(W1)))


def test_witness_cosigns_a_consistent_extension(tmp_path: Path) -> None:
    tree = _tree(12)
    state = WitnessState(tmp_path / "w.json")
    first = witness_cosign(_note(tree, 5), OP_PUB, [], state, "w1", W1, now=10)
    assert verify_cosignature(first, WitnessKey("w1", raw_public_key(W1))) == 10
    proof = tree.consistency_proof(5, 12)
    second = witness_cosign(_note(tree, 12), OP_PUB, proof, state, "w1", W1, now=11)
    assert verify_cosignature(second, WitnessKey("w1", raw_public_key(W1))) == 11
    assert state.load()[ORIGIN].size == 12


def test_witness_refuses_rollback_and_keeps_state(tmp_path: Path) -> None:
    tree = _tree(12)
    state = WitnessState(tmp_path / "w.json")
    witness_cosign(_note(tree, 12), OP_PUB, [], state, "w1", W1, now=10)
    with pytest.raises(ConsistencyError, match="rolls back the log"):
        witness_cosign(_note(tree, 5), OP_PUB, [], state, "w1", W1, now=11)
    assert state.load()[ORIGIN].size == 12


def test_witness_refuses_fork_at_same_size(tmp_path: Path) -> None:
    state = WitnessState(tmp_path / "w.json")
    witness_cosign(_note(_tree(7), 7), OP_PUB, [], state, "w1", W1, now=10)
    other = MerkleTree(leaf_hash(f"other {i}".encode()) for i in range(7))
    with pytest.raises(ConsistencyError, match="forks the log at size 7"):
        witness_cosign(_note(other, 7), OP_PUB, [], state, "w1", W1, now=11)
    assert state.load()[ORIGIN].root_hash == _tree(7).root()


def test_witness_refuses_a_forked_history_with_its_proof(tmp_path: Path) -> None:
    state = WitnessState(tmp_path / "w.json")
    witness_cosign(_note(_tree(5), 5), OP_PUB, [], state, "w1", W1, now=10)
    forked = MerkleTree(leaf_hash(f"rewritten {i}".encode()) for i in range(12))
    with pytest.raises(ConsistencyError, match="not consistent with the cosigned size 5"):
        witness_cosign(
            _note(forked, 12), OP_PUB, forked.consistency_proof(5, 12), state, "w1", W1, now=11
        )
    assert state.load()[ORIGIN].size == 5


def test_witness_refuses_a_checkpoint_not_signed_by_the_operator(tmp_path: Path) -> None:
    state = WitnessState(tmp_path / "w.json")
    impostor = sign_checkpoint(Checkpoint(ORIGIN, 5, _tree(5).root()), ORIGIN, generate_key())
    with pytest.raises(CheckpointError, match="no signature by key"):
        witness_cosign(impostor, OP_PUB, [], state, "w1", W1, now=10)
    assert state.load() == {}


def test_policy_counts_only_valid_trusted_cosignatures() -> None:
    note = SignedNote.from_text(_note(_tree(5), 5))
    both = cosign(cosign(note, "w1", W1, 1), "w2", W2, 2).to_text()
    keys = [WitnessKey("w1", raw_public_key(W1)), WitnessKey("w2", raw_public_key(W2))]
    assert check_witness_policy(both, keys, 2) == ["w1", "w2"]
    one = cosign(note, "w1", W1, 1).to_text()
    assert check_witness_policy(one, keys, 1) == ["w1"]
    with pytest.raises(CheckpointError, match="has 1 valid cosignatures, need 2"):
        check_witness_policy(one, keys, 2)
    with pytest.raises(CheckpointError, match="only 2 witness keys given"):
        check_witness_policy(both, keys, 3)
