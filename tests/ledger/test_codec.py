"""The entry codec's strict rules (ledger/codec.py): one stored form per signed event."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actor import VIETNAM_TZ
from domain.errors import MalformedInputError
from domain.participation import Participation
from ledger import codec
from ledger.mapper import event_class_for

HAPPY = json.loads(
    (Path(__file__).resolve().parent.parent / "vectors/format/entry-happy-path.json").read_text()
)
ENTRY = base64.b64decode(HAPPY["entry"])
TOPIC = HAPPY["row"]["topic"]
BODY, SIGNATURE = ENTRY[:-89], ENTRY[-88:]
B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def test_a_stored_entry_splits_into_its_body_and_signature() -> None:
    split = codec.split_entry(ENTRY)
    assert (split.body, split.signature) == (BODY, base64.b64decode(SIGNATURE))
    assert codec.split_raw(ENTRY) == (split.body, split.signature)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (BODY, "no signature line after the body"),
        (BODY + b" " + SIGNATURE, "no signature line after the body"),
        (BODY + b"\n" + SIGNATURE[:-1], "no signature line after the body"),
        (BODY + b"\n" + b"!" + SIGNATURE[1:], "signature is not valid base64"),
        (BODY + b"\n" + SIGNATURE[:-2] + b"A=", "signature is 65 bytes, want 64"),
        (BODY + b"\n" + SIGNATURE[:-3] + b"B==", "signature base64 is not canonical"),
    ],
    ids=["no-newline", "no-line", "short-line", "not-base64", "65-bytes", "spare-bits"],
)
def test_a_malformed_signature_line_is_refused_naming_why(entry: bytes, reason: str) -> None:
    with pytest.raises(MalformedInputError, match=reason):
        codec.split_raw(entry)


def _old_rule(line: bytes) -> bool:
    """The rule as first written: strict decode, 64 bytes, and re-encoding gives the line."""
    try:
        signature = binascii.a2b_base64(line, strict_mode=True)
    except binascii.Error:
        return False
    return len(signature) == 64 and binascii.b2a_base64(signature, newline=False) == line


@given(
    st.binary(min_size=86, max_size=86).map(lambda b: bytes(B64[x % 64] for x in b))
    | st.binary(min_size=88, max_size=88),
    st.sampled_from([b"==", b"A=", b"=A", b"AA", b"\n=", b"= "]),
)
def test_the_spare_bits_check_accepts_exactly_the_canonical_lines(
    digits: bytes, tail: bytes
) -> None:
    line = (digits + tail)[:88]
    try:
        codec.split_raw(b"{}\n" + line)
        accepted = True
    except MalformedInputError:
        accepted = False
    assert accepted == _old_rule(line)


@pytest.mark.parametrize(
    "time",
    [b'"2020-02-18T02:31:00+00:00"', b'"2020-02-18T09:31:00+07:00"', b'"2020-02-18T02:31:00"'],
    ids=["utc-as-offset", "hanoi-offset", "naive"],
)
def test_a_body_whose_time_is_not_written_in_utc_is_not_canonical(time: bytes) -> None:
    cls = event_class_for(TOPIC)
    codec.decode_body(BODY, cls)  # the stored one is
    body = BODY.replace(b'"2020-02-18T02:31:00Z"', time)
    assert body != BODY
    with pytest.raises(MalformedInputError, match="not in canonical form"):
        codec.decode_body(body, cls)
    codec.decode_body(body, cls, canonical=False)  # read models still fold it


def test_a_format_1_body_is_refused_with_a_clear_message() -> None:
    """Format 2 signs stable type names; there are no format-1 ledgers to migrate."""
    cls = event_class_for(TOPIC)
    old = BODY.replace(b'{"format":2,', b'{"format":1,')
    assert old != BODY
    with pytest.raises(MalformedInputError, match=r"format 1 .*regenerate the ledger"):
        codec.decode_body(old, cls)


def test_a_format_1_type_name_is_refused_with_a_clear_message() -> None:
    with pytest.raises(MalformedInputError, match=r"format-1 type name.*regenerate the ledger"):
        event_class_for("domain.registry:Person.Added")


def _scored(at: datetime) -> bytes:
    event = Participation.Scored(
        originator_id=Participation.id_for("TD-2019", "P1"),
        originator_version=2,
        timestamp=datetime(2020, 2, 18, 2, 31, tzinfo=UTC),
        criterion="c1",
        points=8.5,
        kind="appraisal",
        scorer="sc1",
        reason=None,
        at=at,
    )
    return codec.encode_body("awards.example/ledger", event, "Participation.Scored", "sc1")


def test_payload_datetimes_are_written_in_utc_and_other_offsets_are_refused() -> None:
    """FORMAT.md §5: every datetime of a body is UTC with Z, the payload's as the envelope's."""
    hanoi = datetime(2019, 2, 20, 9, 0, tzinfo=VIETNAM_TZ)
    body = _scored(hanoi)
    assert b'"at":"2019-02-20T02:00:00Z"' in body
    decoded = codec.decode_body(body, Participation.Scored)
    assert decoded.payload.at == hanoi and decoded.payload.at.tzinfo is UTC
    offset = body.replace(b'"at":"2019-02-20T02:00:00Z"', b'"at":"2019-02-20T09:00:00+07:00"')
    with pytest.raises(MalformedInputError, match="not in canonical form"):
        codec.decode_body(offset, Participation.Scored)
