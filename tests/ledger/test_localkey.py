"""The local cache key's seal (ledger/localkey.py): a part given in chunks seals as it does
whole; chunks that do not add up to the length claimed give no seal at all."""

from __future__ import annotations

import pytest

from ledger.localkey import LocalKey, key_id_of

SECRET = bytes(range(32))
KEY = LocalKey(key_id_of(SECRET), SECRET)
PARTS = [b"origin", b"", b"ledger-view/4", bytes(range(256)) * 7]


@pytest.mark.parametrize("chunk", [1, 5, 256, 10_000])
def test_a_part_in_chunks_seals_as_the_part_whole(chunk: int) -> None:
    whole = KEY.seal(b"domain", *PARTS)
    chunked = [
        (len(part), [part[at : at + chunk] for at in range(0, len(part), chunk)])
        for part in PARTS
    ]
    assert KEY.seal_chunked(b"domain", chunked) == whole
    assert KEY.seal(b"other", *PARTS) != whole
    assert KEY.seal(b"domain", *PARTS[:-1], PARTS[-1][:-1]) != whole


@pytest.mark.parametrize("given", [b"abc", b"abcdefgh"])
def test_chunks_that_do_not_add_up_to_the_length_give_no_seal(given: bytes) -> None:
    with pytest.raises(ValueError, match="a sealed part of 5 bytes gave"):
        KEY.seal_chunked(b"domain", [(5, [given])])
