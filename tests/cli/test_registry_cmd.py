"""The registry commands (init, signer, unit, person) and the log commands (checkpoint, verify,
log, prove, consistency) through `awards --ledger URL …`, on both backends.

Every refusal: its exit code, one `error: …` line on stderr naming the thing and the reason, and
the ledger unchanged (same row count and root).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledger.application import LedgerApp
from ledger.keys import key_id
from ledger.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from ledger.note import open_checkpoint
from tests.conftest import (
    LEDGER_SIZE,
    ORIGIN,
    SEQ_CHECKPOINT,
    SEQ_P1,
    Cli,
    Keys,
    RawRows,
    checkpoint_note,
    one_error_line,
)

HEX64 = r"[0-9a-f]{64}"


def _json(text: str) -> Any:
    return msgspec.json.decode(text)


def _refused(result: Any, code: int, fragment: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    line = one_error_line(result)
    assert fragment in line, line
    assert result.stdout == ""
    return line


# -- init ------------------------------------------------------------------------------------------


def test_init_prints_its_receipt(awards: Cli, keys: Keys, raw: RawRows) -> None:
    result = awards("init", "--origin", ORIGIN, "--operator", "op", "--key", keys.op_key)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        f"ledger {ORIGIN} initialised: recorded events 0-2; tree size 3, root {raw.root()}\n"
    )


def test_init_json_receipt(awards: Cli, keys: Keys, raw: RawRows) -> None:
    result = awards("init", "--origin", ORIGIN, "--operator", "op", "--key", keys.op_key, "--json")
    assert result.exit_code == 0, result.stderr
    assert _json(result.stdout) == {"seqs": [0, 1, 2], "size": 3, "root": raw.root()}


def test_init_twice_is_refused(ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows) -> None:
    before = raw.snapshot()
    result = awards("init", "--origin", "x.example/log", "--operator", "op", "--key", keys.op_key)
    line = _refused(result, 1, "init rejected:")
    assert f"is already initialised (origin '{ORIGIN}')" in line
    assert raw.snapshot() == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--origin", "has space", "--operator", "op"], "origin 'has space' is not valid"),
        (["--origin", "a+b.example", "--operator", "op"], "origin 'a+b.example' is not valid"),
        (["--origin", ORIGIN, "--operator", "op erator"], "signer name 'op erator' is not valid"),
    ],
    ids=["origin with space", "origin with plus", "operator name"],
)
@pytest.mark.backend_agnostic
def test_init_with_bad_names_is_a_usage_error(
    awards: Cli, keys: Keys, raw: RawRows, args: list[str], fragment: str
) -> None:
    result = awards("init", *args, "--key", keys.op_key)
    _refused(result, 2, fragment)
    assert raw.count() == 0


# -- signer add / revoke / list --------------------------------------------------------------------


def test_signer_add_prints_its_receipt(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards(
        "signer", "add", "alice", "--pub", keys.other_pub, "--role", "scorer",
        "--role", "council_member", "--unit", "U1", "--key", keys.op_key,
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"signer alice registered: recorded events {LEDGER_SIZE}-{LEDGER_SIZE + 1}; "
        f"tree size {LEDGER_SIZE + 2}, root {raw.root()}\n"
    )
    listed = _json(awards("signer", "list", "--json").stdout)
    [alice] = [s for s in listed if s["name"] == "alice"]
    assert alice["roles"] == ["council_member", "scorer"]
    assert alice["unit"] == "U1"
    assert alice["key_id"] == key_id(keys.public("other"))


def test_signer_add_authority_with_competence_json(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards(
        "signer", "add", "boss", "--pub", keys.other_pub, "--role", "authority",
        "--competence", "labour_medal", "--competence", "certificate_of_merit",
        "--key", keys.op_key, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert _json(result.stdout) == {
        "seqs": [LEDGER_SIZE, LEDGER_SIZE + 1],
        "size": LEDGER_SIZE + 2,
        "root": raw.root(),
    }
    listed = awards("signer", "list").stdout
    assert f"boss\tauthority\t{key_id(keys.public('other'))} " in listed
    assert "competence=certificate_of_merit,labour_medal" in listed


SIGNER_ADD_REFUSALS = {
    "unknown role": (["--role", "boss"], 2, "signer 'alice': unknown role 'boss'"),
    "bad signer name": (["--role", "scorer"], 2, "signer name 'al ice' is not valid"),
    "competence without authority": (
        ["--role", "scorer", "--competence", "labour_medal"],
        2,
        "--competence needs the role 'authority'",
    ),
    "bad competence": (
        ["--role", "authority", "--competence", "Labour Medal"],
        2,
        "award kind 'Labour Medal' is not valid",
    ),
    "unknown unit": (["--role", "scorer", "--unit", "U404"], 1, "unit 'U404' not found"),
}


@pytest.mark.parametrize("case", list(SIGNER_ADD_REFUSALS), ids=list(SIGNER_ADD_REFUSALS))
@pytest.mark.backend_agnostic
def test_signer_add_refusals(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, case: str
) -> None:
    extra, code, fragment = SIGNER_ADD_REFUSALS[case]
    name = "al ice" if case == "bad signer name" else "alice"
    before = raw.snapshot()
    result = awards("signer", "add", name, "--pub", keys.other_pub, *extra, "--key", keys.op_key)
    _refused(result, code, fragment)
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_signer_add_with_a_bad_unit_id_is_a_usage_error(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards(
        "signer", "add", "alice", "--pub", keys.other_pub, "--role", "scorer", "--unit", "U 1",
        "--key", keys.op_key,
    )  # fmt: skip
    _refused(result, 2, "unit id 'U 1' is not valid")
    assert raw.snapshot() == before


def test_signer_add_duplicates_are_refused(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    same_name = awards(
        "signer", "add", "sec", "--pub", keys.other_pub, "--role", "scorer", "--key", keys.op_key
    )
    _refused(same_name, 1, "signer add rejected: signer 'sec' already exists")
    same_key = awards(
        "signer", "add", "sec2", "--pub", keys.sec_pub, "--role", "scorer", "--key", keys.op_key
    )
    _refused(
        same_key,
        1,
        f"signer add rejected: key {key_id(keys.public('sec'))} already belongs to signer 'sec'",
    )
    assert raw.snapshot() == before


def test_signer_add_by_a_secretary_is_refused(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards(
        "signer", "add", "alice", "--pub", keys.other_pub, "--role", "secretary",
        "--key", keys.sec_key,
    )  # fmt: skip
    _refused(result, 1, "signer 'sec' may not sign Signer.Registered: needs role operator")
    assert raw.snapshot() == before


@pytest.mark.parametrize("what", ["missing", "not pem", "private key", "rsa public key"])
@pytest.mark.backend_agnostic
def test_signer_add_with_a_bad_pub_file_is_malformed_input(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path, what: str
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pub = tmp_path / "bad.pub"
    if what == "not pem":
        pub.write_text("hello\n")
    elif what == "private key":
        pub = keys.other_key
    elif what == "rsa public key":
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        pub.write_bytes(
            rsa_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    before = raw.snapshot()

    result = awards(
        "signer", "add", "alice", "--pub", pub, "--role", "scorer", "--key", keys.op_key
    )

    expected = {
        "missing": "cannot read",
        "not pem": "is not a PEM file",
        "private key": "is not a readable PEM public key",
        "rsa public key": "is not an ed25519 public key",
    }[what]
    line = _refused(result, 3, expected)
    assert str(pub) in line
    assert raw.snapshot() == before


def test_signer_revoke_then_the_signer_can_sign_nothing(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards("signer", "revoke", "sec", "--reason", "left the office", "--key", keys.op_key)

    assert result.exit_code == 0, result.stderr
    revoked_root = MerkleTree(leaf_hash(r.state) for r in raw.rows()[: LEDGER_SIZE + 1]).root()
    assert result.stdout == (
        f"signer sec revoked: recorded event {LEDGER_SIZE}; tree size {LEDGER_SIZE + 1}, "
        f"root {revoked_root.hex()}\n"
        f"checkpoint signed: recorded event {LEDGER_SIZE + 1}; tree size {LEDGER_SIZE + 2}, "
        f"root {raw.root()}\n"
    )
    signed = open_checkpoint(checkpoint_note(ledger), ORIGIN, ORIGIN, keys.public("op"))
    assert (signed.size, signed.root_hash) == (LEDGER_SIZE + 1, revoked_root)
    listed = awards("signer", "list").stdout.splitlines()
    assert listed[1] == f"sec\tsecretary\t{key_id(keys.public('sec'))} REVOKED"
    before = raw.snapshot()
    refused = awards("unit", "add", "U9", "--name", "X", "--level", "office", "--key", keys.sec_key)
    _refused(refused, 1, "signer 'sec' is revoked (left the office) and can sign nothing")
    again = awards("signer", "revoke", "sec", "--reason", "again", "--key", keys.op_key)
    _refused(again, 1, "signer revoke rejected: signer 'sec' is already revoked")
    assert raw.snapshot() == before
    assert awards("verify").exit_code == 0


@pytest.mark.parametrize(
    ("name", "reason", "key", "code", "fragment"),
    [
        ("nobody", "gone", "op", 1, "signer 'nobody' not found"),
        ("op", "tired", "op", 1, "signer 'op' cannot revoke its own key"),
        ("sec", "  ", "op", 2, "give a --reason for revoking 'sec'"),
        ("op", "coup", "sec", 1, "signer 'sec' may not sign Signer.Revoked"),
    ],
    ids=["unknown signer", "own key", "blank reason", "not operator"],
)
def test_signer_revoke_refusals(
    ledger: LedgerApp,
    awards: Cli,
    keys: Keys,
    raw: RawRows,
    name: str,
    reason: str,
    key: str,
    code: int,
    fragment: str,
) -> None:
    before = raw.snapshot()
    key_file = keys.op_key if key == "op" else keys.sec_key
    result = awards("signer", "revoke", name, "--reason", reason, "--key", key_file)
    _refused(result, code, fragment)
    assert raw.snapshot() == before


def test_signer_list_text_and_json(ledger: LedgerApp, awards: Cli, keys: Keys) -> None:
    text = awards("signer", "list")
    assert text.exit_code == 0
    assert text.stdout.splitlines() == [
        f"op\toperator\t{key_id(keys.public('op'))}",
        f"sec\tsecretary\t{key_id(keys.public('sec'))}",
    ]
    as_json = awards("signer", "list", "--json")
    assert as_json.exit_code == 0
    doc = _json(as_json.stdout)
    assert [s["name"] for s in doc] == ["op", "sec"]
    for signer in doc:
        assert {"name", "roles", "key_id", "revoked"} <= signer.keys()
        assert signer["revoked"] is False


def test_signer_list_on_an_empty_ledger_says_not_initialised(awards: Cli) -> None:
    result = awards("signer", "list")
    line = _refused(result, 5, "is not initialised")
    assert "run 'awards init --origin ORIGIN --operator NAME --key OPERATOR.key'" in line


# -- unit add / person add -------------------------------------------------------------------------


def test_unit_add_prints_its_receipt(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards(
        "unit", "add", "U2", "--name", "Phòng Hai", "--level", "office", "--parent", "U1",
        "--key", keys.sec_key,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"unit U2 added: recorded event {LEDGER_SIZE}; tree size {LEDGER_SIZE + 1}, "
        f"root {raw.root()}\n"
    )
    log = _json(awards("log", "--from", str(LEDGER_SIZE), "--json").stdout)
    assert log[0]["type"] == "Unit.Added"
    assert "name=Phòng Hai" in log[0]["summary"]
    assert "parent=U1" in log[0]["summary"]


@pytest.mark.backend_agnostic
def test_unit_add_json(ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows) -> None:
    result = awards(
        "unit", "add", "U2", "--name", "X", "--level", "office", "--key", keys.sec_key, "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert _json(result.stdout) == {
        "seqs": [LEDGER_SIZE],
        "size": LEDGER_SIZE + 1,
        "root": raw.root(),
    }


UNIT_REFUSALS = {
    "duplicate": (["U1", "--level", "office"], "sec", 1, "unit add rejected: unit 'U1' already"),
    "bad id": (["U 2", "--level", "office"], "sec", 2, "unit id 'U 2' is not valid"),
    "id with leading dash": (["-U2", "--level", "office"], "sec", 2, "unit id '-U2' is not valid"),
    "bad level": (["U2", "--level", "Big Office"], "sec", 2, "unit level 'Big Office' is not"),
    "unknown parent": (
        ["U2", "--level", "office", "--parent", "U404"],
        "sec",
        1,
        "parent unit 'U404' not found",
    ),
    "operator key": (["U2", "--level", "office"], "op", 1, "signer 'op' may not sign Unit.Added"),
    "unregistered key": (["U2", "--level", "office"], "other", 1, "is not registered"),
}


@pytest.mark.parametrize("case", list(UNIT_REFUSALS), ids=list(UNIT_REFUSALS))
@pytest.mark.backend_agnostic
def test_unit_add_refusals(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, case: str
) -> None:
    args, actor, code, fragment = UNIT_REFUSALS[case]
    before = raw.snapshot()
    key_file = keys.dir / f"{actor}.key"
    if case == "id with leading dash":  # an id starting with '-' comes after `--`
        result = awards(
            "unit", "add", *args[1:], "--name", "Đơn vị", "--key", key_file, "--", args[0]
        )
    else:
        result = awards("unit", "add", *args, "--name", "Đơn vị", "--key", key_file)
    _refused(result, code, fragment)
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_unit_add_with_empty_name_is_a_usage_error(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards("unit", "add", "U2", "--name", "  ", "--level", "office", "--key", keys.sec_key)
    _refused(result, 2, "unit 'U2': name must not be empty")
    assert raw.snapshot() == before


def test_person_add_prints_its_receipt(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards(
        "person", "add", "P3", "--name", "Lê Văn C", "--unit", "U1", "--category", "worker",
        "--direct-worker", "--key", keys.sec_key,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"person P3 added: recorded event {LEDGER_SIZE}; tree size {LEDGER_SIZE + 1}, "
        f"root {raw.root()}\n"
    )
    [row] = _json(awards("log", "--from", str(LEDGER_SIZE), "--json").stdout)
    assert row["type"] == "Person.Added"
    assert row["signer"] == "sec"
    assert "direct_worker=True" in row["summary"]
    assert "category=worker" in row["summary"]


@pytest.mark.backend_agnostic
def test_person_add_json(ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows) -> None:
    result = awards(
        "person", "add", "P3", "--name", "C", "--unit", "U1", "--key", keys.sec_key, "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert _json(result.stdout)["seqs"] == [LEDGER_SIZE]


def test_person_add_records_a_leader_level(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    # given a unit; when a department-level leader is added
    result = awards(
        "person", "add", "P3", "--name", "Trần Văn Vụ", "--unit", "U1",
        "--leader-level", "department", "--key", keys.sec_key,
    )  # fmt: skip
    # then the signed event says so, and a person added without it leads nothing
    assert result.exit_code == 0, result.stderr
    [row] = _json(awards("log", "--from", str(LEDGER_SIZE), "--json").stdout)
    assert "leader_level=department" in row["summary"]
    assert awards("person", "add", "P4", "--name", "D", "--unit", "U1",
                  "--key", keys.sec_key).exit_code == 0  # fmt: skip
    [row] = _json(awards("log", "--from", str(LEDGER_SIZE + 1), "--json").stdout)
    assert "leader_level" not in row["summary"]  # nulls are not summarised


@pytest.mark.backend_agnostic
def test_person_add_refuses_an_unknown_leader_level(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards(
        "person", "add", "P3", "--name", "X", "--unit", "U1", "--leader-level", "boss",
        "--key", keys.sec_key,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'boss' is not one of 'agency', 'department', 'division'" in result.stderr
    assert raw.snapshot() == before


PERSON_REFUSALS = {
    "duplicate": (["P1", "--unit", "U1"], "sec", 1, "person add rejected: person 'P1' already"),
    "unknown unit": (["P3", "--unit", "U404"], "sec", 1, "unit 'U404' not found"),
    "bad id": (["P 3", "--unit", "U1"], "sec", 2, "person id 'P 3' is not valid"),
    "bad category": (
        ["P3", "--unit", "U1", "--category", "boss"],
        "sec",
        2,
        "unknown category 'boss'",
    ),
    "operator key": (["P3", "--unit", "U1"], "op", 1, "signer 'op' may not sign Person.Added"),
}


@pytest.mark.parametrize("case", list(PERSON_REFUSALS), ids=list(PERSON_REFUSALS))
@pytest.mark.backend_agnostic
def test_person_add_refusals(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, case: str
) -> None:
    args, actor, code, fragment = PERSON_REFUSALS[case]
    before = raw.snapshot()
    result = awards("person", "add", *args, "--name", "Người", "--key", keys.dir / f"{actor}.key")
    _refused(result, code, fragment)
    assert raw.snapshot() == before


@pytest.mark.backend_agnostic
def test_missing_required_option_is_a_click_usage_error(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards("unit", "add", "U2", "--name", "X", "--key", keys.sec_key)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: awards unit add: missing option '--level'; see 'awards unit add --help'\n"
    )
    assert raw.snapshot() == before


# -- checkpoint ------------------------------------------------------------------------------------


def test_checkpoint_without_key_prints_the_latest_note(ledger: LedgerApp, awards: Cli) -> None:
    result = awards("checkpoint")
    assert result.exit_code == 0
    assert result.stdout == checkpoint_note(ledger)


def test_checkpoint_json(ledger: LedgerApp, awards: Cli, keys: Keys) -> None:
    doc = _json(awards("checkpoint", "--json").stdout)
    assert {"origin", "size", "root", "note"} <= doc.keys()
    assert (doc["origin"], doc["size"]) == (ORIGIN, SEQ_CHECKPOINT)
    cp = open_checkpoint(doc["note"], ORIGIN, ORIGIN, keys.public("op"))
    assert cp.root_hash.hex() == doc["root"]


def test_checkpoint_with_key_signs_and_stores_a_new_one(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    root_before = raw.root()
    result = awards("checkpoint", "--key", keys.op_key)

    assert result.exit_code == 0, result.stderr
    stored = awards("checkpoint").stdout
    assert result.stdout == stored + (
        f"checkpoint signed: recorded event {LEDGER_SIZE}; tree size {LEDGER_SIZE + 1}, "
        f"root {raw.root()}\n"
    )
    cp = open_checkpoint(stored, ORIGIN, ORIGIN, keys.public("op"))
    assert (cp.size, cp.root_hash.hex()) == (LEDGER_SIZE, root_before)


def test_checkpoint_with_key_json(ledger: LedgerApp, awards: Cli, keys: Keys) -> None:
    doc = _json(awards("checkpoint", "--key", keys.op_key, "--json").stdout)
    assert doc["note"].startswith(f"{ORIGIN}\n{LEDGER_SIZE}\n")
    assert doc["receipt"]["seqs"] == [LEDGER_SIZE]


def test_checkpoint_by_a_secretary_is_refused(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    result = awards("checkpoint", "--key", keys.sec_key)
    _refused(result, 1, "signer 'sec' may not sign Ledger.CheckpointSigned")
    assert raw.snapshot() == before


def test_checkpoint_when_none_was_signed(awards: Cli, keys: Keys) -> None:
    init = awards("init", "--origin", ORIGIN, "--operator", "op", "--key", keys.op_key)
    assert init.exit_code == 0
    _refused(awards("checkpoint"), 1, "checkpoint: none signed yet")


# -- log -------------------------------------------------------------------------------------------


def test_log_text(ledger: LedgerApp, awards: Cli) -> None:
    result = awards("log")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == LEDGER_SIZE
    fields = [line.split("\t") for line in lines]
    assert [f[0] for f in fields] == [str(i) for i in range(LEDGER_SIZE)]
    assert [f[2] for f in fields] == ["op"] * 5 + ["sec"] * 3 + ["op"]
    assert [f[3] for f in fields] == [
        "Ledger.Initialised",
        "Signer.Registered",
        "SignerKey.Claimed",
        "Signer.Registered",
        "SignerKey.Claimed",
        "Unit.Added",
        "Person.Added",
        "Person.Added",
        "Ledger.CheckpointSigned",
    ]
    assert "person_id=P1" in lines[SEQ_P1]


def test_log_from_and_limit_json(ledger: LedgerApp, awards: Cli) -> None:
    result = awards("log", "--from", "5", "--limit", "2", "--json")
    assert result.exit_code == 0
    rows = _json(result.stdout)
    assert [r["seq"] for r in rows] == [5, 6]
    for row in rows:
        assert {"seq", "time", "signer", "type", "aggregate", "version", "summary"} <= row.keys()
    assert awards("log", "--from", "99").stdout == ""


@pytest.mark.parametrize("args", [["--from", "-1"], ["--limit", "0"], ["--from", "x"]])
@pytest.mark.backend_agnostic
def test_log_bad_options_are_usage_errors(ledger: LedgerApp, awards: Cli, args: list[str]) -> None:
    result = awards("log", *args)
    assert result.exit_code == 2
    assert result.stdout == ""


# -- verify ----------------------------------------------------------------------------------------


def test_verify_text_and_json(ledger: LedgerApp, awards: Cli, raw: RawRows) -> None:
    text = awards("verify")
    assert text.exit_code == 0
    assert re.fullmatch(
        rf"ok: {LEDGER_SIZE} events checked \(tree size {LEDGER_SIZE}, root {HEX64}\); "
        r"1 checkpoint matches\n",
        text.stdout,
    )
    doc = _json(awards("verify", "--json").stdout)
    assert {"ok", "size", "root", "problems"} <= doc.keys()
    assert (doc["ok"], doc["size"], doc["root"], doc["problems"]) == (
        True,
        LEDGER_SIZE,
        raw.root(),
        [],
    )


@pytest.mark.backend_agnostic
def test_verify_since_and_checkpoint_together_is_a_usage_error(
    ledger: LedgerApp, awards: Cli, tmp_path: Path
) -> None:
    cp = tmp_path / "cp.txt"
    cp.write_text(checkpoint_note(ledger))
    result = awards("verify", "--checkpoint", cp, "--since-checkpoint", cp)
    _refused(result, 2, "give either --since-checkpoint or --checkpoint, not both")


def test_verify_an_empty_ledger_says_not_initialised(awards: Cli) -> None:
    _refused(awards("verify"), 5, "is not initialised")


# -- prove / consistency ---------------------------------------------------------------------------


def test_prove_json_is_a_valid_inclusion_proof(ledger: LedgerApp, awards: Cli) -> None:
    result = awards("prove", str(SEQ_P1), "--json")
    assert result.exit_code == 0, result.stderr
    doc = _json(result.stdout)
    assert {"seq", "size", "leaf_hash", "proof", "root", "checkpoint"} <= doc.keys()
    assert (doc["seq"], doc["size"]) == (SEQ_P1, SEQ_CHECKPOINT)
    assert doc["checkpoint"] == checkpoint_note(ledger)
    verify_inclusion(
        bytes.fromhex(doc["leaf_hash"]),
        SEQ_P1,
        SEQ_CHECKPOINT,
        [bytes.fromhex(h) for h in doc["proof"]],
        bytes.fromhex(doc["root"]),
    )


def test_prove_text_and_explicit_size(ledger: LedgerApp, awards: Cli, raw: RawRows) -> None:
    result = awards("prove", "2", "--size", str(LEDGER_SIZE))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"event 2 in tree size {LEDGER_SIZE}, root {raw.root()}"
    assert re.fullmatch(rf"leaf hash {HEX64}", lines[1])
    assert all(re.fullmatch(rf"proof\[\d\] {HEX64}", line) for line in lines[2:])
    assert (
        _json(awards("prove", "2", "--size", str(LEDGER_SIZE), "--json").stdout)["checkpoint"]
        is None
    )


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["8"], 1, "prove: event 8 is not covered by a signed checkpoint yet"),
        (["1", "--size", "99"], 2, "prove: event 1 is not in a tree of size 99 (ledger has 9)"),
    ],
    ids=["beyond checkpoint", "size beyond ledger"],
)
@pytest.mark.backend_agnostic
def test_prove_out_of_range(
    ledger: LedgerApp, awards: Cli, args: list[str], code: int, fragment: str
) -> None:
    _refused(awards("prove", *args), code, fragment)


def test_consistency_json_is_a_valid_proof(ledger: LedgerApp, awards: Cli, raw: RawRows) -> None:
    result = awards("consistency", "3", "--json")
    assert result.exit_code == 0, result.stderr
    doc = _json(result.stdout)
    assert (doc["old_size"], doc["new_size"], doc["new_root"]) == (3, LEDGER_SIZE, raw.root())
    verify_consistency(
        3,
        LEDGER_SIZE,
        [bytes.fromhex(h) for h in doc["proof"]],
        bytes.fromhex(doc["old_root"]),
        bytes.fromhex(doc["new_root"]),
    )
    text = awards("consistency", "3", str(SEQ_CHECKPOINT))
    assert text.stdout.splitlines()[0].startswith("tree 3 (")


@pytest.mark.backend_agnostic
def test_consistency_out_of_range(ledger: LedgerApp, awards: Cli) -> None:
    _refused(awards("consistency", "5", "3"), 2, "consistency: need OLD ≤ NEW ≤ 9, got 5 and 3")
    _refused(awards("consistency", "3", "99"), 2, "got 3 and 99")


# -- the --ledger option ---------------------------------------------------------------------------


@pytest.mark.backend_agnostic
def test_ledger_url_with_an_unknown_scheme_is_a_usage_error(awards: Cli, tmp_path: Path) -> None:
    result = awards("--ledger", "mysql://x/y", "log", ledger=False)
    _refused(result, 2, "ledger 'mysql://x/y': use a file path or a postgresql:// URL")


@pytest.mark.backend_agnostic
def test_ledger_that_is_a_directory_is_a_usage_error(awards: Cli, tmp_path: Path) -> None:
    result = awards("--ledger", str(tmp_path), "log", ledger=False)
    _refused(result, 2, "is a directory, not a database file")


# -- operator rotate -------------------------------------------------------------------------------


def test_operator_rotate_hands_over_the_log(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path
) -> None:
    saved = tmp_path / "cp.txt"
    saved.write_text(checkpoint_note(ledger))

    result = awards(
        "operator", "rotate", "--new-name", "op2", "--new-key", keys.other_key,
        "--key", keys.op_key,
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(
        rf"operator rotated to op2: recorded events {LEDGER_SIZE}-\d+; tree size \d+, "
        rf"root {HEX64}\n"
        rf"checkpoint signed: recorded event \d+; tree size \d+, root {raw.root()}\n",
        result.stdout,
    )
    signed = open_checkpoint(checkpoint_note(ledger), ORIGIN, ORIGIN, keys.public("other"))
    assert signed.size == raw.count() - 1  # the rotation's events, signed by the new key
    listed = awards("signer", "list").stdout.splitlines()
    assert f"op\toperator\t{key_id(keys.public('op'))} REVOKED" in listed
    assert f"op2\toperator\t{key_id(keys.public('other'))}" in listed
    before = raw.snapshot()
    _refused(awards("checkpoint", "--key", keys.op_key), 1, "signer 'op' is revoked")
    assert raw.snapshot() == before
    assert awards("checkpoint", "--key", keys.other_key).exit_code == 0
    verified = awards("verify", "--checkpoint", saved)
    assert verified.exit_code == 0, verified.stderr
    assert "4 checkpoints match" in verified.stdout


@pytest.mark.parametrize(
    ("new_name", "new_key", "actor", "fragment"),
    [
        ("op2", "other", "sec", "signer 'sec' is not the current operator 'op'"),
        ("sec", "other", "op", "operator rotate rejected: signer 'sec' exists"),
        ("op2", "sec", "op", "operator rotate rejected: the new key is already registered"),
    ],
    ids=["not the operator", "taken name", "taken key"],
)
def test_operator_rotate_refusals(
    ledger: LedgerApp,
    awards: Cli,
    keys: Keys,
    raw: RawRows,
    new_name: str,
    new_key: str,
    actor: str,
    fragment: str,
) -> None:
    before = raw.snapshot()
    result = awards(
        "operator", "rotate", "--new-name", new_name, "--new-key", keys.dir / f"{new_key}.key",
        "--key", keys.dir / f"{actor}.key",
    )  # fmt: skip
    _refused(result, 1, fragment)
    assert raw.snapshot() == before


# -- checkpoint --out / --attach -------------------------------------------------------------------


def test_checkpoint_out_writes_the_signed_note(
    ledger: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = tmp_path / "cp.txt"
    result = awards("checkpoint", "--key", keys.op_key, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text() == awards("checkpoint").stdout
    assert result.stdout.startswith(out.read_text())
    assert awards("verify", "--checkpoint", out).exit_code == 0


def test_checkpoint_attach_stores_a_cosigned_copy(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path
) -> None:
    from ledger.note import SignedNote
    from ledger.witness import cosign

    cosigned = cosign(SignedNote.from_text(checkpoint_note(ledger)), "w1", keys.other, 1_700_000)
    (tmp_path / "cosigned.txt").write_text(cosigned.to_text())

    result = awards("checkpoint", "--attach", tmp_path / "cosigned.txt", "--key", keys.op_key)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"cosigned checkpoint attached: recorded event {LEDGER_SIZE}; "
        f"tree size {LEDGER_SIZE + 1}, root {raw.root()}\n"
    )
    assert awards("checkpoint").stdout == cosigned.to_text()
    assert awards("verify").exit_code == 0


def test_checkpoint_attach_refusals(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, tmp_path: Path
) -> None:
    old = tmp_path / "old.txt"
    old.write_text(checkpoint_note(ledger))
    assert awards("checkpoint", "--key", keys.op_key).exit_code == 0
    garbled = tmp_path / "garbled.txt"
    garbled.write_text("not a note\n")
    before = raw.snapshot()

    _refused(awards("checkpoint", "--attach", old), 2, "checkpoint --attach needs --key")
    _refused(
        awards("checkpoint", "--attach", old, "--key", keys.op_key),
        1,
        "checkpoint attach rejected: the note (size 8) is not the latest signed checkpoint",
    )
    _refused(awards("checkpoint", "--attach", garbled, "--key", keys.op_key), 3, "note")
    _refused(
        awards("checkpoint", "--attach", tmp_path / "nope.txt", "--key", keys.op_key),
        3,
        "cannot read",
    )
    assert raw.snapshot() == before
