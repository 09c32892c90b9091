"""Receipts: `awards prove SEQ --out` then `awards verify-receipt` with only the operator's key.

Every edit of a receipt must fail: exit 4 (verification failed) for a well-formed receipt that
does not check out, exit 3 for one that is not a receipt at all; one `error:` line each.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cli.main import cli as awards_cli
from domain.errors import AwardLedgerError, NotFoundError
from ledger.application import LedgerApp, open_ledger
from ledger.keys import key_id, load_private_key, load_public_key, raw_public_key, write_key_pair
from ledger.receipt import build_receipt, encode_receipt, parse_receipt, verify_receipt
from ledger.usecases import registry
from tests.conftest import (
    LEDGER_SIZE,
    ORIGIN,
    SEQ_CHECKPOINT,
    SEQ_P1,
    SEQ_SEC_REGISTERED,
    SEQ_UNIT,
    Cli,
    Keys,
    checkpoint_note,
    one_error_line,
    populate,
)

# -- round trip on both backends -------------------------------------------------------------------


def test_prove_out_then_verify_receipt(
    ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"

    proved = awards("prove", str(SEQ_P1), "--out", out)

    assert proved.exit_code == 0, proved.stderr
    assert proved.stdout.startswith(f"event {SEQ_P1} in tree size {SEQ_CHECKPOINT}, root ")
    checked = awards("verify-receipt", out, "--operator-pub", keys.op_pub, ledger=False)
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout == (
        f"ok: event {SEQ_P1} (Person.Added) signed by sec is in {ORIGIN} "
        f"at tree size {SEQ_CHECKPOINT}\n"
        f"signer sec: registered at event {SEQ_SEC_REGISTERED}, "
        f"not revoked as of tree size {SEQ_CHECKPOINT}\n"
    )
    assert checked.stderr == ""


def test_verify_receipt_json(ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_bytes(encode_receipt(build_receipt(ledger, SEQ_UNIT, shown={"unit_id": "U1"})))

    result = awards("verify-receipt", out, "--operator-pub", keys.op_pub, "--json", ledger=False)

    assert result.exit_code == 0, result.stderr
    doc = msgspec.json.decode(result.stdout)
    latest = registry.latest_checkpoint(ledger)
    assert latest is not None
    assert doc["ok"] is True
    assert (doc["seq"], doc["signer"], doc["origin"], doc["tree_size"]) == (
        SEQ_UNIT,
        "sec",
        ORIGIN,
        SEQ_CHECKPOINT,
    )
    assert doc["type"] == "Unit.Added"
    assert doc["roles"] == ["secretary"]
    assert doc["root"] == latest.root_hash.hex()
    assert doc["shown"] == {"unit_id": "U1"}


def test_receipt_shows_checked_fields(
    ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    out.write_bytes(encode_receipt(build_receipt(ledger, SEQ_UNIT, shown={"unit_id": "U1"})))
    result = awards("verify-receipt", out, "--operator-pub", keys.op_pub, ledger=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("; unit_id=U1")


def test_every_covered_event_after_genesis_has_a_valid_receipt(
    ledger: LedgerApp, keys: Keys
) -> None:
    for seq in range(1, SEQ_CHECKPOINT):
        check = verify_receipt(encode_receipt(build_receipt(ledger, seq)), keys.public("op"))
        assert (check.seq, check.tree_size) == (seq, SEQ_CHECKPOINT)


def test_genesis_has_a_receipt(ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert awards("prove", "0", "--out", out).exit_code == 0
    assert awards("verify-receipt", out, "--operator-pub", keys.op_pub).exit_code == 0


def test_receipt_needs_a_checkpoint_covering_the_event(
    ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path
) -> None:
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    with pytest.raises(NotFoundError, match="event 9 is not covered by a signed checkpoint yet"):
        build_receipt(ledger, LEDGER_SIZE)
    out = tmp_path / "r.json"

    result = awards("prove", str(LEDGER_SIZE), "--size", str(LEDGER_SIZE + 1), "--out", out)

    assert result.exit_code == 1
    assert "is not covered by a signed checkpoint yet" in one_error_line(result)
    assert not out.exists()


def test_prove_out_for_an_event_after_the_latest_checkpoint_exits_1(
    ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path
) -> None:
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    out = tmp_path / "r.json"

    result = awards("prove", str(LEDGER_SIZE), "--out", out)

    assert result.exit_code == 1
    assert "not covered by a signed checkpoint yet" in one_error_line(result)
    assert not out.exists()


# -- edits of a receipt (one SQLite ledger for the module) ----------------------------------------


@dataclass(frozen=True)
class Made:
    """A receipt for P1's Person.Added, one for U1 showing unit_id, and the key files."""

    plain: bytes
    shown: bytes
    of_op_event: bytes  # a receipt for an event the operator signed (registration = op's)
    op_pub: Path
    sec_pub: Path
    keys_dir: Path
    operator_key: bytes


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    base = tmp_path_factory.mktemp("receipts")
    loaded = {}
    for name in ("op", "sec", "other"):
        key_path, _ = write_key_pair(name, base, None)
        loaded[name] = load_private_key(key_path, None)
    keys = Keys(base, loaded["op"], loaded["sec"], loaded["other"])
    app = open_ledger(str(base / "ledger.db"))
    try:
        populate(app, keys)
        plain = encode_receipt(build_receipt(app, SEQ_P1))
        shown = encode_receipt(build_receipt(app, SEQ_UNIT, shown={"unit_id": "U1"}))
        of_op = encode_receipt(build_receipt(app, 4))
        assert checkpoint_note(app)
    finally:
        app.close()
    return Made(plain, shown, of_op, keys.op_pub, keys.sec_pub, base, keys.public("op"))


def _b64_flip(text: str, index: int = 40) -> str:
    data = bytearray(base64.b64decode(text))
    data[index % len(data)] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


def _edit_checkpoint_line(doc: dict[str, Any], line: int, new: str) -> None:
    lines = doc["checkpoint"].split("\n")
    lines[line] = new
    doc["checkpoint"] = "\n".join(lines)


# name: (edit of the JSON document, exit code, message fragment)
EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], int, str]] = {
    "event entry byte": (
        lambda d: d["event"].update(entry=_b64_flip(d["event"]["entry"], 200)),
        4,
        "root mismatch",
    ),
    "event proof element": (
        lambda d: d["event"]["proof"].__setitem__(0, _b64_flip(d["event"]["proof"][0], 3)),
        4,
        "root mismatch",
    ),
    "event proof element dropped": (lambda d: d["event"]["proof"].pop(), 3, "proof"),
    "event seq": (lambda d: d["event"].update(seq=d["event"]["seq"] + 1), 4, "root mismatch"),
    "checkpoint root": (
        lambda d: _edit_checkpoint_line(d, 2, base64.b64encode(b"\x07" * 32).decode()),
        4,
        "note",
    ),
    "checkpoint size": (lambda d: _edit_checkpoint_line(d, 1, "7"), 4, "note"),
    "checkpoint signature": (
        lambda d: _edit_checkpoint_line(d, -2, d["checkpoint"].split("\n")[-2][:-6] + "AAAAA="),
        4,
        "note",
    ),
    "registration entry byte": (
        lambda d: d["registration"].update(entry=_b64_flip(d["registration"]["entry"], 150)),
        4,
        "root mismatch",
    ),
    "registration seq": (
        lambda d: d["registration"].update(seq=d["registration"]["seq"] - 1),
        4,
        "root mismatch",
    ),
    "genesis entry byte": (
        lambda d: d["genesis"].update(entry=_b64_flip(d["genesis"]["entry"], 120)),
        4,
        "root mismatch",
    ),
    "genesis replaced by the registration": (
        lambda d: d.update(genesis=d["registration"]),
        4,
        "genesis entry is not event 0",
    ),
    "shown field not in the event": (
        lambda d: d.update(shown={"recipient": "P1"}),
        4,
        "shown field 'recipient' is not in the signed event",
    ),
    "shown signer": (lambda d: d.update(shown={"signer": "op"}), 4, "receipt: shown "),
    "format": (lambda d: d.update(format="award-ledger/receipt/v3"), 3, "format"),
    "unknown field": (lambda d: d.update(extra="x"), 3, "extra"),
    "missing genesis": (lambda d: d.pop("genesis"), 3, "genesis"),
    "entry not base64": (lambda d: d["event"].update(entry="not base64!"), 3, "not base64"),
    "seq not a number": (lambda d: d["event"].update(seq="6"), 3, "seq"),
}


def _run_verify(tmp_path: Path, data: bytes, operator_pub: Path) -> Result:
    path = tmp_path / "edited.json"
    path.write_bytes(data)
    return CliRunner().invoke(
        awards_cli, ["verify-receipt", str(path), "--operator-pub", str(operator_pub)]
    )


@pytest.mark.parametrize("case", list(EDITS), ids=list(EDITS))
def test_edited_receipt_fails(made: Made, tmp_path: Path, case: str) -> None:
    edit, code, fragment = EDITS[case]
    doc = json.loads(made.plain)
    edit(doc)

    result = _run_verify(tmp_path, json.dumps(doc, ensure_ascii=False).encode(), made.op_pub)

    assert result.exit_code == code, result.stderr
    assert fragment in one_error_line(result)
    assert result.stdout == ""


def test_registration_of_another_signer_fails(made: Made, tmp_path: Path) -> None:
    doc = json.loads(made.plain)
    doc["registration"] = json.loads(made.of_op_event)["registration"]
    result = _run_verify(tmp_path, json.dumps(doc).encode(), made.op_pub)
    assert result.exit_code == 4
    assert "registration is for 'op', event signed by 'sec'" in one_error_line(result)


def test_edited_shown_value_fails(made: Made, tmp_path: Path) -> None:
    assert _run_verify(tmp_path, made.shown, made.op_pub).exit_code == 0
    doc = json.loads(made.shown)
    doc["shown"]["unit_id"] = "U2"

    result = _run_verify(tmp_path, json.dumps(doc).encode(), made.op_pub)

    assert result.exit_code == 4
    assert one_error_line(result).startswith(
        "error: receipt: shown unit_id 'U2' differs from the signed value"
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"{", b"[]", b"null", b"\xff\xfe", b'{"format": "award-ledger/receipt/v1"}'],
    ids=["empty", "truncated", "array", "null", "not utf-8", "only format"],
)
def test_malformed_receipt_file_is_exit_3(made: Made, tmp_path: Path, data: bytes) -> None:
    result = _run_verify(tmp_path, data, made.op_pub)
    assert result.exit_code == 3
    assert one_error_line(result).startswith("error: receipt: ")


def test_receipt_with_invalid_utf8_in_a_string_is_exit_3(made: Made, tmp_path: Path) -> None:
    data = made.plain.replace(b'"award-ledger/receipt/v2"', b'"\xffaward-ledger/receipt/v2"')
    assert data != made.plain
    result = _run_verify(tmp_path, data, made.op_pub)
    assert result.exit_code == 3
    assert one_error_line(result).startswith("error: receipt: ")


def test_missing_receipt_file_is_exit_3(made: Made, tmp_path: Path) -> None:
    argv = ["verify-receipt", str(tmp_path / "nope.json"), "--operator-pub", str(made.op_pub)]
    result = CliRunner().invoke(awards_cli, argv)
    assert result.exit_code == 3
    assert "receipt" in one_error_line(result)


def test_wrong_operator_key_fails_naming_the_key_mismatch(made: Made, tmp_path: Path) -> None:
    for pub in (made.sec_pub, made.keys_dir / "other.pub"):
        result = _run_verify(tmp_path, made.plain, pub)
        assert result.exit_code == 4
        line = one_error_line(result)
        given = key_id(raw_public_key(load_public_key(pub)))
        assert f"receipt: operator key mismatch: the key given (id {given}) is not" in line
        assert result.stdout == ""


def test_operator_pub_that_is_not_a_public_key_is_exit_3(made: Made, tmp_path: Path) -> None:
    result = _run_verify(tmp_path, made.plain, made.keys_dir / "op.key")
    assert result.exit_code == 3
    assert "is not a readable PEM public key" in one_error_line(result)


def _meaning(data: bytes) -> tuple[Any, ...]:
    """What a receipt says, independent of its JSON and base64 spelling."""
    r = parse_receipt(data)

    def proven(p: Any) -> tuple[Any, ...]:
        return (p.seq, base64.b64decode(p.entry), [base64.b64decode(h) for h in p.proof])

    def proven_record(p: Any) -> tuple[Any, ...]:
        return (p.index, base64.b64decode(p.record), [base64.b64decode(h) for h in p.proof])

    return (
        r.format,
        r.checkpoint,
        proven(r.event),
        proven(r.genesis),
        proven(r.registration),
        r.shown,
        r.signer_record and proven_record(r.signer_record),
    )


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_bit_flip_in_a_receipt_fails_or_changes_nothing(made: Made, data: Any) -> None:
    original = made.shown
    index = data.draw(st.integers(0, len(original) - 1), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    mutated = bytearray(original)
    mutated[index] ^= 1 << bit
    try:
        bytes(mutated).decode("utf-8")
    except UnicodeDecodeError:
        assume(False)  # see test_receipt_with_invalid_utf8_in_a_string_is_exit_3

    try:
        verify_receipt(bytes(mutated), made.operator_key)
    except AwardLedgerError:
        return
    # Accepted: then it must say exactly what the original says (e.g. spare base64 bits).
    assert _meaning(bytes(mutated)) == _meaning(original)


def test_receipt_round_trips_through_its_codec(made: Made) -> None:
    assert encode_receipt(parse_receipt(made.plain)) == made.plain
    assert raw_public_key(load_private_key(made.keys_dir / "op.key", None)) == made.operator_key
