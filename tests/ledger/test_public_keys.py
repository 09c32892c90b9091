"""Public-key validity (ledger/keys.py public_key_problem): RFC 8032 keys pass; small-order
points and non-canonical encodings (the libsodium blocklist, "Taming the many EdDSAs",
Chalkias et al. 2020, table of small-order points) are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.errors import KeyFileError
from ledger.keys import check_public_key, generate_key, public_key_problem, raw_public_key
from tests.forge import IDENTITY, IDENTITY_SIGNATURE

VECTORS = Path(__file__).resolve().parents[1] / "vectors"

RFC8032_PUBLIC_KEYS = [
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",  # TEST 1
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",  # TEST 2
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",  # TEST 3
    "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",  # TEST 1024
    "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",  # TEST SHA(abc)
]

# The canonical encodings of the eight points of order 1, 2, 4 and 8.
SMALL_ORDER = {
    "identity (order 1)": "01" + "00" * 31,
    "order 2": "ec" + "ff" * 30 + "7f",
    "order 4, x > 0": "00" * 32,
    "order 4, x < 0": "00" * 31 + "80",
    "order 8, a": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "order 8, b": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "order 8, c": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "order 8, d": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
}

NON_CANONICAL = {
    "identity with the sign bit": "01" + "00" * 30 + "80",
    "order 2 with the sign bit": "ec" + "ff" * 31,
    "y = p": "ed" + "ff" * 30 + "7f",
    "y = p, sign bit": "ed" + "ff" * 31,
    "y = p + 1": "ee" + "ff" * 30 + "7f",
    "y = p + 1, sign bit": "ee" + "ff" * 31,
    "y = 2^255 - 1": "ff" * 31 + "7f",
}


def test_the_rfc_8032_vectors_and_fresh_keys_are_accepted() -> None:
    published = json.loads((VECTORS / "rfc8032-ed25519.json").read_text())
    keys = [*RFC8032_PUBLIC_KEYS, *(v["public_key"] for v in published)]
    keys += [raw_public_key(generate_key()).hex() for _ in range(50)]
    for key in keys:
        assert public_key_problem(bytes.fromhex(key)) is None, key
        assert check_public_key(bytes.fromhex(key)) == bytes.fromhex(key)


@pytest.mark.parametrize("encoded", SMALL_ORDER.values(), ids=SMALL_ORDER.keys())
def test_small_order_points_are_refused(encoded: str) -> None:
    assert public_key_problem(bytes.fromhex(encoded)) == (
        "is a point of small order (anyone could sign for it)"
    )
    with pytest.raises(KeyFileError, match=rf"signer 'x': key {encoded} is a point of small"):
        check_public_key(bytes.fromhex(encoded), "signer 'x': key")


@pytest.mark.parametrize("encoded", NON_CANONICAL.values(), ids=NON_CANONICAL.keys())
def test_non_canonical_encodings_are_refused(encoded: str) -> None:
    problem = public_key_problem(bytes.fromhex(encoded))
    assert problem is not None and problem.startswith("is not canonically encoded"), problem


def test_points_off_the_curve_and_wrong_lengths_are_refused() -> None:
    assert public_key_problem(bytes([2]) + bytes(31)) == "is not a point on the curve"
    assert public_key_problem(bytes(31)) == "is 31 bytes, want 32"


def test_why_the_identity_key_is_refused() -> None:
    # R = identity, S = 0 verifies for any message under the identity key: anyone can sign
    public = Ed25519PublicKey.from_public_bytes(IDENTITY)
    public.verify(IDENTITY_SIGNATURE, b"any message at all")
