"""Receipts that prove what they claim (issue 10, items 6 and 7).

Each attack is performed for real: a receipt file edited by hand, a crafted event signed with
a real key, a checkpoint whose registry line lies signed with the real operator key. Every
refusal is checked with its exit code or error, and with the ledger unchanged where a write
was attempted.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import CliRunner, Result

from cli.main import cli as awards_cli
from domain.errors import DomainError, MalformedNoteError, VerificationError
from domain.registry import Unit
from ledger.application import LedgerApp
from ledger.keys import generate_key, load_private_key, raw_public_key, write_key_pair
from ledger.note import Checkpoint
from ledger.receipt import (
    RECEIPT_FORMAT,
    RECEIPT_FORMAT_V1,
    assemble_receipt,
    build_receipt,
    encode_receipt,
    verify_receipt,
)
from ledger.receipt_guard import ReceiptGuard
from ledger.registry_tree import (
    REGISTRY_LINE,
    RegistryClaim,
    claim_of,
    claim_of_note,
    history_of,
    registry_claim,
    registry_line,
)
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import (
    LEDGER_SIZE,
    SEQ_CHECKPOINT,
    SEQ_SEC_REGISTERED,
    SEQ_UNIT,
    Keys,
    RawRows,
    one_error_line,
)
from tests.forge import store_unaudited_checkpoint


def _verify_cli(tmp_path: Path, data: bytes, pub: Path, *extra: str) -> Result:
    path = tmp_path / "receipt.json"
    path.write_bytes(data)
    argv = ["verify-receipt", str(path), "--operator-pub", str(pub), *extra]
    return CliRunner().invoke(awards_cli, argv)


# -- item 6: duplicate keys, non-canonical base64, the genesis's shown fields ----------------------


def _receipt(ledger: LedgerApp, seq: int, shown: dict[str, str] | None = None) -> bytes:
    return encode_receipt(build_receipt(ledger, seq, shown))


def test_receipt_is_v2_and_says_the_signer_was_not_revoked(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    data = _receipt(ledger, SEQ_UNIT, {"unit_id": "U1"})
    assert json.loads(data)["format"] == RECEIPT_FORMAT == "award-ledger/receipt/v2"

    result = _verify_cli(tmp_path, data, keys.op_pub, "--json")

    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["registered"], doc["revoked"], doc["not_revoked_proven"]) == (
        SEQ_SEC_REGISTERED,
        None,
        True,
    )


@pytest.mark.backend_agnostic
def test_duplicate_key_in_a_receipt_is_refused(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    data = _receipt(ledger, SEQ_UNIT, {"unit_id": "U1"})
    # a reader where the first key wins sees U9; msgspec (last wins) would see the signed U1
    forged = data.replace(b'"unit_id": "U1"', b'"unit_id": "U9", "unit_id": "U1"')
    assert forged != data
    # and a whole second event object before the real one, at the top level
    other = json.dumps(json.loads(_receipt(ledger, SEQ_UNIT + 1))["event"]).encode()
    forged_top = data.replace(b'  "event": ', b'  "event": ' + other + b',\n  "event": ', 1)

    for bad in (forged, forged_top):
        result = _verify_cli(tmp_path, bad, keys.op_pub)
        assert result.exit_code == 3, result.stdout
        assert one_error_line(result).startswith("error: receipt: duplicate key ")
        assert result.stdout == ""


def _spare_bits_set(text: str) -> str:
    """The same bytes in non-canonical base64: the last data character's unused bits set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    data = text.rstrip("=")
    unused = {1: 2, 2: 4}[text.count("=")]
    last = alphabet.index(data[-1]) | ((1 << unused) - 1)
    forged = data[:-1] + alphabet[last] + "=" * text.count("=")
    assert forged != text and base64.b64decode(forged) == base64.b64decode(text)
    return forged


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("where", ["event proof hash", "record proof hash", "record"])
def test_non_canonical_base64_in_a_receipt_is_refused(
    ledger: LedgerApp, keys: Keys, tmp_path: Path, where: str
) -> None:
    # op's record (seq 1) is one byte shorter than sec's, whose length is a multiple of 3
    doc = json.loads(_receipt(ledger, 1 if where == "record" else SEQ_UNIT))
    if where == "event proof hash":
        doc["event"]["proof"][0] = _spare_bits_set(doc["event"]["proof"][0])
    elif where == "record proof hash":
        doc["signer_record"]["proof"][0] = _spare_bits_set(doc["signer_record"]["proof"][0])
    else:
        record = doc["signer_record"]["record"]
        assert record.endswith("="), "the fixture's record has spare bits to set"
        doc["signer_record"]["record"] = _spare_bits_set(record)

    result = _verify_cli(tmp_path, json.dumps(doc).encode(), keys.op_pub)

    assert result.exit_code == 3
    assert "is not canonical base64" in one_error_line(result)


@pytest.mark.backend_agnostic
def test_proof_hash_of_the_wrong_length_is_refused(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    doc = json.loads(_receipt(ledger, SEQ_UNIT))
    doc["event"]["proof"][0] = base64.b64encode(b"\x00" * 31).decode()
    result = _verify_cli(tmp_path, json.dumps(doc).encode(), keys.op_pub)
    assert result.exit_code == 3
    assert "proof hash 0 has 31 bytes, want 32" in one_error_line(result)


def test_shown_fields_of_the_genesis_are_checked(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    data = _receipt(ledger, 0, {"operator": "op"})
    ok = _verify_cli(tmp_path, data, keys.op_pub)
    assert ok.exit_code == 0, ok.stderr
    assert "; operator=op" in ok.stdout
    for field, value in (("operator", "op2"), ("origin", "other.gov.vn"), ("unit_id", "U1")):
        doc = json.loads(data)
        doc["shown"] = {field: value}
        result = _verify_cli(tmp_path, json.dumps(doc).encode(), keys.op_pub)
        assert result.exit_code == 4, (field, result.stdout)
        assert one_error_line(result).startswith("error: receipt: shown ")


# -- item 6: receipts on each side of an operator rotation ---------------------------------------


def test_receipts_on_each_side_of_a_rotation(ledger: LedgerApp, keys: Keys, tmp_path: Path) -> None:
    key_path, op2_pub = write_key_pair("op2", tmp_path, None)
    op2, sec2 = load_private_key(key_path, None), generate_key()
    rotation = registry.rotate_operator(ledger, keys.op, "op2", op2)
    after = registry.add_signer(ledger, op2, "sec2", raw_public_key(sec2), ["secretary"])
    unit = registry.add_unit(ledger, sec2, "U2", "Phòng Hai", "office")
    registry.sign_new_checkpoint(ledger, op2)
    assert audit(ledger).ok
    cases = {
        "before (signed by op)": SEQ_UNIT,
        "the new operator's registration (signed by op)": rotation.seqs[0],
        "after (signed by op2)": after.seqs[0],
        "after (signed by sec2, registered by op2)": unit.seqs[0],
    }
    for what, seq in cases.items():
        data = _receipt(ledger, seq)
        for pub in (keys.op_pub, op2_pub):
            result = _verify_cli(tmp_path, data, pub)
            assert result.exit_code == 0, (what, result.stderr)
    # the old operator signed until its own revocation, which comes after the rotation
    check = verify_receipt(_receipt(ledger, 1), keys.public("op"))
    assert check.revoked == rotation.seqs[-1] and check.not_revoked_proven


def test_rotation_registers_the_new_operator_before_handing_over(
    ledger: LedgerApp, keys: Keys
) -> None:
    op2 = generate_key()
    seqs = registry.rotate_operator(ledger, keys.op, "op2", op2).seqs
    topics = [e.topic.rpartition(":")[2] for e in ledger.entries(seqs[0])]
    assert topics == [
        "Signer.Registered",
        "SignerKey.Claimed",
        "Ledger.OperatorRotated",
        "Signer.Revoked",
    ]


# -- item 7: non-revocation ----------------------------------------------------------------------


def test_receipt_for_an_event_signed_before_its_signers_revocation_verifies_and_says_so(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    revoked = registry.revoke_signer(ledger, keys.op, "sec", "left the office").seqs[0]
    registry.sign_new_checkpoint(ledger, keys.op)

    result = _verify_cli(tmp_path, _receipt(ledger, SEQ_UNIT), keys.op_pub)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        f"signer sec: registered at event {SEQ_SEC_REGISTERED}, revoked at event {revoked}, "
        f"not before event {SEQ_UNIT}"
    )


def test_receipt_for_an_event_signed_after_its_signers_revocation_is_refused(
    ledger: LedgerApp, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    revoked = registry.revoke_signer(ledger, keys.op, "sec", "key lost").seqs[0]
    # The attack: the revoked secretary's key signs an event that is stored anyway (the write
    # path refuses revoked signers; this goes under it, as a thief with database access could).
    forged_unit = Unit.add("U9", "Đơn vị giả", "office", None)
    forged = ledger.save_signed("sec", keys.sec, [forged_unit]).seqs[0]
    store_unaudited_checkpoint(ledger, keys.op, "op", (registry_line(ledger, forged + 1),))
    assert any(p.step == 3 and p.seq == forged for p in audit(ledger).problems)

    # an honest issuer refuses; a dishonest one (its guard cut out) still cannot get it verified
    with pytest.raises(DomainError, match=f"was revoked at event {revoked}, before it"):
        build_receipt(ledger, forged)
    monkeypatch.setattr(ReceiptGuard, "check", lambda *args, **kwargs: None)
    with pytest.raises(VerificationError, match=f"revoked at event {revoked}, before event"):
        build_receipt(ledger, forged)  # verified before it is handed out
    data = encode_receipt(assemble_receipt(ledger, forged, {"unit_id": "U9"}))
    with pytest.raises(VerificationError, match=f"revoked at event {revoked}, before event"):
        verify_receipt(data, keys.public("op"))
    result = _verify_cli(tmp_path, data, keys.op_pub)
    assert result.exit_code == 4
    assert f"'sec' was revoked at event {revoked}, before event {forged}" in one_error_line(result)


def test_checkpoint_whose_registry_line_lies_is_reported_by_verify(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    honest = registry.sign_new_checkpoint(ledger, keys.op)[0]
    registry.revoke_signer(ledger, keys.op, "sec", "key lost")
    size = ledger.tree()[0].size
    # The operator's real key signs a registry where the revocation never happened.
    stale = claim_of(history_of(ledger, size).records_at(size - 1))
    lie = store_unaudited_checkpoint(ledger, keys.op, "op", (stale.to_line(),))
    lie_seq = raw.count() - 1

    for report in (audit(ledger), audit(ledger, since=honest)):
        problems = [p for p in report.problems if p.step == 6]
        assert [p.seq for p in problems] == [lie_seq], report.problems
        assert "registry line mismatch: signed 2 signers" in problems[0].message
    before = raw.snapshot()
    with pytest.raises(VerificationError, match="commits to another signer registry"):
        build_receipt(ledger, SEQ_UNIT)
    assert raw.snapshot() == before
    assert claim_of_note(lie) == stale


@pytest.mark.backend_agnostic
def test_malformed_registry_line_is_reported_by_verify(ledger: LedgerApp, keys: Keys) -> None:
    size = ledger.tree()[0].size
    good = registry_line(ledger, size)
    store_unaudited_checkpoint(ledger, keys.op, "op", (good, good))
    report = audit(ledger)
    assert not report.ok
    assert "more than one registry line" in report.problems[0].message


def test_old_checkpoint_without_registry_line_gives_a_v1_receipt_that_says_so(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    store_unaudited_checkpoint(ledger, keys.op, "op", ())
    assert audit(ledger).ok  # old checkpoints stay valid: they claim nothing about the registry
    data = _receipt(ledger, SEQ_UNIT)
    assert json.loads(data)["format"] == RECEIPT_FORMAT_V1

    result = _verify_cli(tmp_path, data, keys.op_pub)

    assert result.exit_code == 0, result.stderr
    assert "NOT proven unrevoked at event 5 (a v1 receipt" in result.stdout
    assert not verify_receipt(data, keys.public("op")).not_revoked_proven


@pytest.mark.backend_agnostic
def test_tampered_or_swapped_signer_record_is_refused(
    ledger: LedgerApp, keys: Keys, tmp_path: Path
) -> None:
    registry.revoke_signer(ledger, keys.op, "sec", "key lost")
    registry.sign_new_checkpoint(ledger, keys.op)
    doc = json.loads(_receipt(ledger, SEQ_UNIT))
    record = json.loads(base64.b64decode(doc["signer_record"]["record"]))
    assert record["revoked"] is not None

    # the revocation edited out of the record (re-encoded canonically)
    unrevoked = {**record, "revoked": None}
    edited = json.loads(json.dumps(doc))
    text = json.dumps(unrevoked, separators=(",", ":"), ensure_ascii=False).encode()
    edited["signer_record"]["record"] = base64.b64encode(text).decode()
    result = _verify_cli(tmp_path, json.dumps(edited).encode(), keys.op_pub)
    assert result.exit_code == 4
    assert "root mismatch" in one_error_line(result)

    # another signer's record, with its valid proof
    swapped = json.loads(json.dumps(doc))
    swapped["signer_record"] = json.loads(_receipt(ledger, 1))["signer_record"]
    result = _verify_cli(tmp_path, json.dumps(swapped).encode(), keys.op_pub)
    assert result.exit_code == 4
    assert "signer record is for 'op', not 'sec'" in one_error_line(result)

    # a v2 receipt stripped of its record
    stripped = json.loads(json.dumps(doc))
    del stripped["signer_record"]
    result = _verify_cli(tmp_path, json.dumps(stripped).encode(), keys.op_pub)
    assert result.exit_code == 3
    assert "needs its signer_record" in one_error_line(result)

    # ... and passed off as v1, which proves nothing about revocation
    stripped["format"] = RECEIPT_FORMAT_V1
    result = _verify_cli(tmp_path, json.dumps(stripped).encode(), keys.op_pub)
    assert result.exit_code == 4
    assert "a v1 receipt against a checkpoint that commits to" in one_error_line(result)


# -- the registry commitment itself ---------------------------------------------------------------


def test_checkpoint_commits_to_the_registry_at_its_size(ledger: LedgerApp, keys: Keys) -> None:
    claim = claim_of_note(checkpoint_note_of(ledger))
    assert claim is not None and claim.count == 2  # op and sec
    records = history_of(ledger, SEQ_CHECKPOINT).records_at(SEQ_CHECKPOINT)
    assert [(r.name, r.registered, r.revoked) for r in records] == [
        ("op", 1, None),
        ("sec", SEQ_SEC_REGISTERED, None),
    ]
    assert claim == claim_of(records)
    # a signer revoked at or after a size is unrevoked in that size's registry
    revoked = registry.revoke_signer(ledger, keys.op, "sec", "gone").seqs[0]
    history = history_of(ledger, LEDGER_SIZE + 1)
    assert history.records_at(revoked)[1].revoked is None
    assert history.records_at(revoked + 1)[1].revoked == revoked


def checkpoint_note_of(app: LedgerApp) -> str:
    latest = registry.latest_checkpoint(app)
    assert latest is not None
    return latest.note


@pytest.mark.parametrize(
    "line",
    [
        f"{REGISTRY_LINE} 02 " + base64.b64encode(b"\x00" * 32).decode(),
        f"{REGISTRY_LINE} 2",
        f"{REGISTRY_LINE} 2 " + base64.b64encode(b"\x00" * 31).decode(),
        f"{REGISTRY_LINE} -2 " + base64.b64encode(b"\x00" * 32).decode(),
        f"{REGISTRY_LINE}  2 " + base64.b64encode(b"\x00" * 32).decode(),
    ],
)
def test_registry_line_parses_strictly(line: str) -> None:
    with pytest.raises(MalformedNoteError):
        registry_claim(Checkpoint("o", 1, b"\x00" * 32, (line,)))


def test_registry_line_round_trips_and_other_extensions_are_ignored() -> None:
    claim = RegistryClaim(3, bytes(range(32)))
    cp = Checkpoint("o", 1, b"\x00" * 32, ("example.org/other ext", claim.to_line()))
    assert registry_claim(Checkpoint.from_body(cp.to_body())) == claim
    assert registry_claim(Checkpoint("o", 1, b"\x00" * 32)) is None


@pytest.mark.sqlite_only
def test_topic_index_is_made_by_init_and_optional(ledger_url: str, keys: Keys) -> None:
    from ledger.application import open_ledger

    app = open_ledger(ledger_url)
    registry.initialise(app, "o.example/x", "op", keys.op)
    db = app.location.env["SQLITE_DBNAME"]
    import sqlite3

    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")]
        assert any(re.search("topic_idx$", n) for n in names), names
        conn.execute(f"DROP INDEX {next(n for n in names if n.endswith('topic_idx'))}")
    note, _ = registry.sign_new_checkpoint(app, keys.op)  # the same query, unindexed
    assert claim_of_note(note) == claim_of(history_of(app, 3).records_at(3))
    app.close()


def test_registry_seqs_count_rows_not_ids(ledger: LedgerApp, keys: Keys, raw: RawRows) -> None:
    # A rolled-back insert leaves a gap in PostgreSQL's ids: here, a row stored and removed.
    raw.insert(uuid4(), 1, "domain.registry:Unit.Added", b"x")
    raw.delete(raw.count() - 1)
    other = generate_key()
    added = registry.add_signer(ledger, keys.op, "sec2", raw_public_key(other), ["secretary"])
    registry.revoke_signer(ledger, keys.op, "sec2", "moved")
    note, _ = registry.sign_new_checkpoint(ledger, keys.op)
    size = ledger.tree()[0].size

    records = history_of(ledger, size).records_at(size)

    assert [(r.name, r.registered) for r in records][-1] == ("sec2", added.seqs[0])
    assert records[-1].revoked == added.seqs[-1] + 1
    assert audit(ledger).ok
    assert claim_of_note(note) == claim_of(records)
