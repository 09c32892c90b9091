"""Tests for ledger.note: C2SP signed notes and tlog-checkpoints."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    AwardLedgerError,
    CheckpointError,
    KeyFileError,
    MalformedNoteError,
    SignatureError,
)
from ledger.keys import raw_public_key
from ledger.note import (
    MAX_NOTE_BYTES,
    Checkpoint,
    NoteSignature,
    SignedNote,
    add_signature,
    note_key_id,
    open_checkpoint,
    parse_vkey,
    sign_checkpoint,
    sign_note,
    vkey,
)

VECTOR = json.loads(
    (Path(__file__).resolve().parent.parent / "vectors" / "signed-note.json").read_text()
)
OPERATOR = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OPERATOR_RAW = raw_public_key(OPERATOR)
WITNESS = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
WITNESS_RAW = raw_public_key(WITNESS)
ORIGIN = "awards.example/ledger"
ROOT = bytes(range(32))
CHECKPOINT = Checkpoint(ORIGIN, 42, ROOT)
SIGNED_CHECKPOINT = sign_checkpoint(CHECKPOINT, ORIGIN, OPERATOR)
GOOD_SIG_LINE = SIGNED_CHECKPOINT.split("\n\n")[1]


def _vector_key() -> Ed25519PrivateKey:
    # skey = PRIVATE+KEY+<name>+<hash>+base64(0x01 || seed); the base64 may itself contain '+'.
    key64 = VECTOR["skey"].split("+", 4)[4]
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(key64)[1:])


# -- the golang.org/x/mod sumdb/note vector ---------------------------------------------------


def test_sign_note_reproduces_go_vector() -> None:
    note = sign_note(VECTOR["text"], VECTOR["key_name"], _vector_key())
    assert note.to_text() == VECTOR["signed_note"]
    assert note.signatures[0].key_id.hex() == VECTOR["key_id_hex"]


def test_vkey_reproduces_go_verifier_key() -> None:
    assert vkey(VECTOR["key_name"], raw_public_key(_vector_key())) == VECTOR["vkey"]
    assert parse_vkey(VECTOR["vkey"]) == (VECTOR["key_name"], raw_public_key(_vector_key()))


def test_go_vector_parses_and_verifies() -> None:
    name, public_raw = parse_vkey(VECTOR["vkey"])
    note = SignedNote.from_text(VECTOR["signed_note"].encode("utf-8"))
    assert note.text == VECTOR["text"]
    assert note.to_text() == VECTOR["signed_note"]
    note.verify(name, public_raw)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("PeterNeumann+c74f20a3", "is not name\\+keyid\\+base64key"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not name"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not name"),
        ("PeterNeumann+c74f20a3+AhpjZHBw==", "not name"),
        ("PeterNeumann+c74f20a3+AhpjZHBw", "is not an ed25519 key"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "wrong key id"),
        ("PeterNeumanN+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "wrong key id"),
    ],
    ids=["no-key", "space-in-name", "short-hash", "bad-base64", "alg-2", "hash", "name"],
)
def test_parse_vkey_rejects_malformed(text: str, match: str) -> None:
    with pytest.raises(KeyFileError, match=match):
        parse_vkey(text)


def test_note_key_id_follows_c2sp() -> None:
    assert note_key_id(VECTOR["key_name"], raw_public_key(_vector_key())).hex() == "c74f20a3"


# -- parsing: each malformed case has its own message -----------------------------------------


def _many_signatures(count: int) -> str:
    return "text\n\n" + GOOD_SIG_LINE * count


@pytest.mark.parametrize(
    ("note", "match"),
    [
        ("text\n" + GOOD_SIG_LINE, "note: missing blank line before the signatures"),
        ("text\n\n", "note: no signature lines after the blank line"),
        ("text\n\n" + GOOD_SIG_LINE[:-1], "note: last signature line does not end in a newline"),
        ("text\n\n- op AAAAAAA=\n", "signature line 1 does not start with an em dash and a space"),
        ("text\n\n– op AAAAAAA=\n", "signature line 1 does not start with an em dash"),
        ("text\n\n—op AAAAAAA=\n", "signature line 1 does not start with an em dash"),
        ("text\n\n" + GOOD_SIG_LINE + "x\n", "signature line 2 does not start with an em dash"),
        ("text\n\n—  AAAAAAA=\n", "signature line 1 has an invalid key name"),
        ("text\n\n— a+b AAAAAAA=\n", "signature line 1 has an invalid key name"),
        ("text\n\n— a\u00a0b AAAAAAA=\n", "signature line 1 has an invalid key name"),
        ("text\n\n— op\n", "signature line 1 has no signature"),
        ("text\n\n— op \n", "signature line 1 has no signature"),
        ("text\n\n— op !!!!\n", "signature line 1 is not canonical base64"),
        ("text\n\n— op AAAAAAA\n", "signature line 1 is not canonical base64"),
        ("text\n\n— op AAAAAAB=\n", "signature line 1 is not canonical base64"),
        ("text\n\n— op AAAA AAAA\n", "signature line 1 is not canonical base64"),
        ("text\n\n— op AAAAAA==\n", "signature line 1 has 4 bytes, want a 4-byte key id and a"),
        ("text\n\n— op AAAA\n", "signature line 1 has 3 bytes, want a 4-byte key id and a"),
        ("text\r\n\n" + GOOD_SIG_LINE, "note: control character U\\+000D at offset 4"),
        ("te\txt\n\n" + GOOD_SIG_LINE, "note: control character U\\+0009 at offset 2"),
        ("text\n\n" + GOOD_SIG_LINE[:-1] + "\x00\n", "note: control character U\\+0000"),
        ("te\ud800xt\n\n" + GOOD_SIG_LINE, "note: not valid utf-8"),
        (b"te\xffxt\n\n" + GOOD_SIG_LINE.encode(), "note: not valid utf-8"),
        (b"te\xc0\xafxt\n\n" + GOOD_SIG_LINE.encode(), "note: not valid utf-8"),
        (_many_signatures(101), "note: more than 100 signatures"),
        ("x" * MAX_NOTE_BYTES + "\n\n" + GOOD_SIG_LINE, "note: larger than 1048576 bytes"),
    ],
    ids=[
        "missing-blank-line",
        "no-signature-lines",
        "no-final-newline",
        "hyphen-not-em-dash",
        "en-dash",
        "no-space-after-dash",
        "second-line-bad",
        "empty-key-name",
        "plus-in-key-name",
        "nbsp-in-key-name",
        "no-signature",
        "empty-signature",
        "bad-base64",
        "unpadded-base64",
        "noncanonical-base64",
        "space-in-base64",
        "only-key-id",
        "shorter-than-key-id",
        "carriage-return",
        "tab",
        "nul-in-signature-line",
        "lone-surrogate",
        "invalid-utf8-byte",
        "overlong-utf8",
        "too-many-signatures",
        "too-large",
    ],
)
def test_from_text_rejects_malformed(note: str | bytes, match: str) -> None:
    with pytest.raises(MalformedNoteError, match=match):
        SignedNote.from_text(note)


def test_from_text_accepts_100_signatures_and_blank_lines_in_text() -> None:
    assert len(SignedNote.from_text(_many_signatures(100)).signatures) == 100
    note = SignedNote.from_text("a\n\nb\n\n\n" + GOOD_SIG_LINE)
    assert note.text == "a\n\nb\n\n"  # split at the last blank line


def test_from_text_parses_c2sp_checkpoint_example() -> None:
    example = (
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
        "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
        "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    )
    note = SignedNote.from_text(example)
    assert note.to_text() == example
    checkpoint = Checkpoint.from_body(note.text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)


@pytest.mark.parametrize(
    ("text", "name", "match"),
    [
        ("no newline", "op", "note: text does not end in a newline"),
        ("", "op", "note: text does not end in a newline"),
        ("a\rb\n", "op", "note: control character U\\+000D at offset 1"),
        ("ok\n", "a b", "note: key name 'a b' is empty or has a space"),
        ("ok\n", "a+b", "note: key name 'a\\+b' is empty or has a space, '\\+'"),
        ("ok\n", "", "note: key name '' is empty"),
    ],
    ids=["no-newline", "empty-text", "control-char", "space-in-name", "plus-in-name", "no-name"],
)
def test_sign_note_rejects_malformed(text: str, name: str, match: str) -> None:
    with pytest.raises(MalformedNoteError, match=match):
        sign_note(text, name, OPERATOR)


# -- verifying ---------------------------------------------------------------------------------


def test_unknown_key_signature_is_ignored_while_known_verifies() -> None:
    note = add_signature(sign_note("hello\n", "op", OPERATOR), "witness", WITNESS)
    reparsed = SignedNote.from_text(note.to_text())
    reparsed.verify("op", OPERATOR_RAW)
    reparsed.verify("witness", WITNESS_RAW)
    stranger = raw_public_key(Ed25519PrivateKey.from_private_bytes(bytes(32)))
    with pytest.raises(CheckpointError, match="note: no signature by key 'stranger'"):
        reparsed.verify("stranger", stranger)


def test_same_name_other_key_is_ignored() -> None:
    note = sign_note("hello\n", "op", WITNESS)  # a rotated-out key under the same name
    with pytest.raises(CheckpointError, match="note: no signature by key 'op'"):
        note.verify("op", OPERATOR_RAW)
    assert len(add_signature(note, "op", OPERATOR).signatures) == 2
    add_signature(note, "op", OPERATOR).verify("op", OPERATOR_RAW)


def test_add_signature_replaces_same_key() -> None:
    note = sign_note("hello\n", "op", OPERATOR)
    again = add_signature(note, "op", OPERATOR)
    assert len(again.signatures) == 1


def test_tampered_text_fails() -> None:
    text = sign_note("hello\n", "op", OPERATOR).to_text().replace("hello", "jello")
    with pytest.raises(SignatureError, match="note by key 'op': signature does not verify"):
        SignedNote.from_text(text).verify("op", OPERATOR_RAW)


def test_tampered_signature_with_right_key_id_fails() -> None:
    good = sign_note("hello\n", "op", OPERATOR).signatures[0]
    bad = NoteSignature(good.name, good.key_id, bytes(64))
    with pytest.raises(SignatureError, match="note by key 'op': signature does not verify"):
        SignedNote("hello\n", (good, bad)).verify("op", OPERATOR_RAW)


# -- checkpoints -------------------------------------------------------------------------------


def test_checkpoint_body_is_exact_and_round_trips() -> None:
    root64 = base64.b64encode(ROOT).decode()
    assert CHECKPOINT.to_body() == f"{ORIGIN}\n42\n{root64}\n"
    assert Checkpoint.from_body(CHECKPOINT.to_body()) == CHECKPOINT
    extended = Checkpoint(ORIGIN, 0, ROOT, ("ext one", "ext two"))
    assert extended.to_body().endswith("\next one\next two\n")
    assert Checkpoint.from_body(extended.to_body()) == extended


def test_checkpoint_accepts_largest_size() -> None:
    body = f"{ORIGIN}\n{2**64 - 1}\n{base64.b64encode(ROOT).decode()}\n"
    assert Checkpoint.from_body(body).size == 2**64 - 1


ROOT64 = base64.b64encode(ROOT).decode()
URLSAFE64 = base64.urlsafe_b64encode(b"\xfb\xff" * 16).decode()  # has '-' and '_'


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (f"{ORIGIN}\n42\n{ROOT64}", "checkpoint: body does not end in a newline"),
        (f"\n42\n{ROOT64}\n", "checkpoint: empty origin line"),
        ("\n", "checkpoint: empty origin line"),
        (f"{ORIGIN}\n", "checkpoint: missing tree size line"),
        (f"{ORIGIN}\n42\n", "checkpoint: missing root hash line"),
        (f"{ORIGIN}\n\n{ROOT64}\n", "checkpoint: tree size '' is not a decimal number"),
        (f"{ORIGIN}\n042\n{ROOT64}\n", "checkpoint: tree size '042' has leading zeros"),
        (f"{ORIGIN}\n00\n{ROOT64}\n", "checkpoint: tree size '00' has leading zeros"),
        (f"{ORIGIN}\n-1\n{ROOT64}\n", "checkpoint: tree size '-1' is not a decimal number"),
        (f"{ORIGIN}\n+1\n{ROOT64}\n", "checkpoint: tree size '\\+1' is not a decimal number"),
        (f"{ORIGIN}\n 1\n{ROOT64}\n", "checkpoint: tree size ' 1' is not a decimal number"),
        (f"{ORIGIN}\n0x1\n{ROOT64}\n", "checkpoint: tree size '0x1' is not a decimal number"),
        (f"{ORIGIN}\n４２\n{ROOT64}\n", "checkpoint: tree size '４２' is not a decimal number"),
        (f"{ORIGIN}\n{2**64}\n{ROOT64}\n", "tree size 18446744073709551616 does not fit in 64"),
        (f"{ORIGIN}\n{'9' * 5000}\n{ROOT64}\n", "checkpoint: tree size 9+… does not fit in 64"),
        (f"{ORIGIN}\n42\n{ROOT64[:-1]}\n", "checkpoint: root hash '.*' is not base64"),
        (f"{ORIGIN}\n42\n{ROOT64.replace('=', '')}\n", "checkpoint: root hash '.*' is not base64"),
        (f"{ORIGIN}\n42\n{URLSAFE64}\n", "checkpoint: root hash '.*' is not base64"),
        (
            f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n",
            "checkpoint: root hash has 31 bytes, want 32",
        ),
        (f"{ORIGIN}\n42\n{ROOT64}\n\n", "checkpoint: extension line 1 is empty"),
        (f"{ORIGIN}\r\n42\n{ROOT64}\n", "checkpoint: control character U\\+000D"),
    ],
    ids=[
        "no-final-newline",
        "empty-origin",
        "only-newline",
        "missing-size",
        "missing-root",
        "empty-size",
        "leading-zero",
        "double-zero",
        "negative-size",
        "plus-sign",
        "leading-space",
        "hex-size",
        "fullwidth-digits",
        "size-2-pow-64",
        "size-5000-digits",
        "root-bad-base64",
        "root-unpadded",
        "root-urlsafe",
        "root-31-bytes",
        "empty-extension",
        "carriage-return",
    ],
)
def test_checkpoint_from_body_rejects_malformed(body: str, match: str) -> None:
    with pytest.raises(MalformedNoteError, match=match):
        Checkpoint.from_body(body)


def test_checkpoint_constructor_rejects_bad_root() -> None:
    with pytest.raises(MalformedNoteError, match="checkpoint: root hash has 31 bytes, want 32"):
        Checkpoint(ORIGIN, 1, ROOT[:31])


def test_open_checkpoint_round_trip() -> None:
    assert open_checkpoint(SIGNED_CHECKPOINT, ORIGIN, ORIGIN, OPERATOR_RAW) == CHECKPOINT
    cosigned = add_signature(SignedNote.from_text(SIGNED_CHECKPOINT), "witness", WITNESS)
    assert open_checkpoint(cosigned.to_text(), ORIGIN, ORIGIN, OPERATOR_RAW) == CHECKPOINT


def test_open_checkpoint_wrong_origin() -> None:
    with pytest.raises(
        CheckpointError,
        match=r"checkpoint: origin 'awards\.example/ledger' is not this ledger's origin 'other'",
    ):
        open_checkpoint(SIGNED_CHECKPOINT, "other", ORIGIN, OPERATOR_RAW)


def test_open_checkpoint_not_signed_by_operator() -> None:
    text = sign_checkpoint(CHECKPOINT, ORIGIN, WITNESS)
    with pytest.raises(CheckpointError, match=f"note: no signature by key '{ORIGIN}'"):
        open_checkpoint(text, ORIGIN, ORIGIN, OPERATOR_RAW)


def test_open_checkpoint_signed_but_malformed_body() -> None:
    text = sign_note(f"{ORIGIN}\n042\n{ROOT64}\n", ORIGIN, OPERATOR).to_text()
    with pytest.raises(MalformedNoteError, match="tree size '042' has leading zeros"):
        open_checkpoint(text, ORIGIN, ORIGIN, OPERATOR_RAW)


def test_open_checkpoint_tampered_size() -> None:
    text = SIGNED_CHECKPOINT.replace("\n42\n", "\n43\n")
    with pytest.raises(SignatureError, match="signature does not verify"):
        open_checkpoint(text, ORIGIN, ORIGIN, OPERATOR_RAW)


# -- properties --------------------------------------------------------------------------------

_text_char = st.characters(exclude_categories=("Cs", "Cc")) | st.just("\n")
note_texts = st.text(alphabet=_text_char, max_size=80).map(lambda text: text + "\n")
key_names = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="+"),
    min_size=1,
    max_size=20,
).filter(lambda name: not any(char.isspace() for char in name))
note_signatures = st.builds(
    NoteSignature, key_names, st.binary(min_size=4, max_size=4), st.binary(min_size=1, max_size=80)
)
signed_notes = st.builds(
    SignedNote, note_texts, st.lists(note_signatures, min_size=1, max_size=6).map(tuple)
)
_line_text = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1)
checkpoints = st.builds(
    Checkpoint,
    _line_text,
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(_line_text, max_size=3).map(tuple),
)


@given(signed_notes)
def test_from_text_inverts_to_text(note: SignedNote) -> None:
    assert SignedNote.from_text(note.to_text()) == note
    assert SignedNote.from_text(note.to_text().encode("utf-8")) == note


@given(checkpoints)
def test_from_body_inverts_to_body(checkpoint: Checkpoint) -> None:
    assert Checkpoint.from_body(checkpoint.to_body()) == checkpoint


_mutations = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 400), st.integers(1, 8), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, 400), st.just(0), st.text(max_size=4)),
    st.tuples(st.just("replace"), st.integers(0, 400), st.integers(1, 3), st.text(max_size=3)),
)


@given(st.lists(_mutations, min_size=1, max_size=3))
def test_mutated_checkpoint_raises_only_ledger_errors(
    mutations: list[tuple[str, int, int, str]],
) -> None:
    text = SIGNED_CHECKPOINT
    for _kind, at, length, insert in mutations:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + length :]
    try:
        opened = open_checkpoint(text, ORIGIN, ORIGIN, OPERATOR_RAW)
    except AwardLedgerError:
        return
    assert opened == CHECKPOINT  # only a harmless mutation can still open


@given(st.integers(0, 10_000), st.integers(1, 255))
def test_bit_flipped_checkpoint_bytes_raise_only_ledger_errors(position: int, mask: int) -> None:
    data = bytearray(SIGNED_CHECKPOINT.encode("utf-8"))
    data[position % len(data)] ^= mask
    with pytest.raises(AwardLedgerError):
        open_checkpoint(bytes(data), ORIGIN, ORIGIN, OPERATOR_RAW)
