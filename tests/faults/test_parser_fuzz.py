"""Fuzzing every parser of outside input: malformed input ends in an AwardLedgerError.

Parsers: signed notes and checkpoints (ledger/note.py), witness cosignatures and the
witness's state file (ledger/witness.py), receipts (ledger/receipt.py), CSV
imports (ledger/usecases/imports.py, end to end on a real ledger too) and criteria
(domain.movement.parse_criteria_csv), TOML rulebooks (domain/rulebook_toml.py), key files
(ledger/keys.py) and stored entries (ledger/codec.py). Inputs are random text and bytes, and
valid documents mutated byte by byte or, for JSON, node by node.

Property: the parser returns, or raises an AwardLedgerError of the right branch (exit 3 for
malformed input, 4 for verification failures) — never another exception. A mutated document
that still parses must not change what it proves. Known gaps are pinned by strict xfail
tests below (and in tests/ledger/test_receipt.py for invalid UTF-8 in a receipt), and the
fuzzing steps around exactly those inputs so that it keeps checking everything else.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cli.main import cli as awards_cli
from domain.errors import (
    AwardLedgerError,
    KeyFileError,
    MalformedInputError,
    MalformedNoteError,
)
from domain.movement import parse_criteria_csv
from domain.rulebook_toml import parse_rulebook
from ledger import codec
from ledger.application import LedgerApp, open_ledger
from ledger.keys import load_private_key, load_public_key
from ledger.mapper import event_class_for
from ledger.merkle import leaf_hash
from ledger.note import Checkpoint, SignedNote, open_checkpoint
from ledger.receipt import build_receipt, encode_receipt, parse_receipt, verify_receipt
from ledger.usecases import registry, workflow
from ledger.usecases.csv_rows import HEADERS, read_rows
from ledger.usecases.imports import import_csv
from ledger.witness import WitnessKey, WitnessState, check_witness_policy, cosign
from tests.conftest import ORIGIN, SEQ_P1, Keys, RawRows, populate
from tests.faults.conftest import AWARDS, in_process

T = TypeVar("T")
# Valid documents the mutations start from (as in docs/examples/).
CRITERIA_CSV = """id,name,max_points,weight
nhiem-vu,Kết quả phục vụ hoạt động của Đoàn ĐBQH,50,1
giam-sat,"Phục vụ giám sát, tiếp xúc cử tri",30,1
cai-cach,Cải cách hành chính,20,0.5
"""
RULEBOOK_TOML = """# Rulebook of the North Central cluster, first half of 2019.
name = "north-central-2019"
law = "2003"
law_2022_from = 2024-01-01

[quota]
fighter_share = 0.30

[review]
quorum = "2/3"
threshold = ">1/2"
secret_ballot = ["emulation_fighter_ministry", "emulation_fighter_national"]

[review.thresholds]
emulation_fighter_ministry = 0.9
emulation_fighter_national = { share = "90%", strict = false }

[deadlines]
unit = 2019-03-15
cluster = 2019-03-25

[prerequisites]
ministry_consecutive_base = 3
national_consecutive_ministry = 2
excellent_collective_share = 0.7
excellent_collective_min_fighters = 1

[awards]
person_titles = ["good_servant"]
collective_titles = []
forms = []
"""
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def outcome(call: Callable[[], T], allowed: type[AwardLedgerError]) -> T | AwardLedgerError:
    """The call's result, or the `allowed` error it raised; anything else propagates."""
    try:
        return call()
    except allowed as exc:
        return exc


# -- mutation strategies ---------------------------------------------------------------------------


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes, utf8: bool = False) -> bytes:
    """`data` with 1-4 random edits: bit flips, deletions, insertions, a duplicated or cut
    slice. With `utf8`, only results that are still valid UTF-8."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "truncate"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if op == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete" and out:
            del out[at : at + draw(st.integers(1, 8))]
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "duplicate":
            out[at:at] = out[at : at + draw(st.integers(1, 40))]
        elif op == "truncate":
            del out[at:]
    result = bytes(out)
    assume(result != data)
    if utf8:
        assume(_is_utf8(result))
    return result


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([0, 1, -1, 2**63 - 1, 2**64, -(2**63) - 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=24)
    | st.sampled_from(["", "AAAA", "=", "award-ledger/receipt/v1", "2020-02-18T02:31:00Z"])
)
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _nodes(value, (*path, index))


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutated_json(draw: st.DrawFn, doc: Any) -> Any:
    """`doc` with 1-3 node edits: replace a value (random JSON, or another node's value),
    delete a key or element, add a key or element, swap two nodes' values."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _nodes(doc) if p]
        if not paths:
            return draw(_JSON)
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        op = draw(st.sampled_from(["replace", "borrow", "delete", "add", "swap"]))
        if op == "replace":
            parent[key] = draw(_JSON)
        elif op == "borrow":
            parent[key] = copy.deepcopy(_get(doc, draw(st.sampled_from(paths))))
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(_JSON)
        elif op == "add" and isinstance(parent, list):
            parent.insert(key, draw(_JSON))
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            if other[: len(path)] != path and path[: len(other)] != other:
                a, b = _get(doc, path), _get(doc, other)
                _get(doc, other[:-1])[other[-1]] = copy.deepcopy(a)
                parent[key] = copy.deepcopy(b)
    return doc


def _dump(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


# -- the material: a small real ledger, its checkpoint, entries and a receipt ----------------------


@dataclass(frozen=True)
class Made:
    app: LedgerApp
    keys: Keys
    note: str
    receipt: bytes  # of P1's Person.Added, with shown person_id and name
    entries: list[tuple[str, bytes]]  # (topic, entry) of every stored event
    directory: Path

    @property
    def op_public(self) -> bytes:
        return self.keys.public("op")


@pytest.fixture(scope="module")
def made(session_keys: Keys, module_dir: Path) -> Iterator[Made]:
    url = str(module_dir / "parsers.db")
    app = open_ledger(url)
    try:
        populate(app, session_keys)
        registry.add_signer(app, session_keys.op, "sc", session_keys.public("other"), ["scorer"])
        criteria = parse_criteria_csv(CRITERIA_CSV)
        workflow.launch_movement(
            app,
            session_keys.sec,
            "M1",
            "Phong trào 2019",
            start=date(2019, 1, 1),
            end=date(2019, 12, 31),
            deadline=date(2019, 3, 15),
            criteria=criteria,
        )
        import_csv(
            app,
            session_keys.sec,
            "registrations",
            b"participant,titles,at\nP1,advanced_worker,2019-03-01T10:00\n",
            source="seed.csv",
            movement_id="M1",
        )
        note, _ = registry.sign_new_checkpoint(app, session_keys.op)
        receipt = encode_receipt(
            build_receipt(app, SEQ_P1, {"person_id": "P1", "name": "Nguyễn Văn A"})
        )
        entries = [(r.topic, r.state) for r in RawRows(url).rows()]
        yield Made(app, session_keys, note, receipt, entries, module_dir)
    finally:
        app.close()


# -- notes and checkpoints -------------------------------------------------------------------------

_NOTE_ALPHABET = st.sampled_from(list("\n —+/=0123456789abcAZ\t\x00é")) | st.characters(
    codec="utf-8"
)


@FUZZ
@given(
    st.text(_NOTE_ALPHABET, max_size=200)
    | st.binary(max_size=200)
    | st.just("o\n1\n\ud800\n\n\u2014 o QUFBQUFB\n")  # a lone surrogate
)
def test_signed_note_parser_on_random_input(text: str | bytes) -> None:
    outcome(lambda: SignedNote.from_text(text), MalformedNoteError)
    if isinstance(text, str):
        outcome(lambda: Checkpoint.from_body(text), MalformedNoteError)


@FUZZ
@given(data=st.data())
def test_mutated_checkpoint_opens_only_as_it_was(made: Made, data: st.DataObject) -> None:
    original = open_checkpoint(made.note, ORIGIN, ORIGIN, made.op_public)
    mutated = data.draw(
        mutated_bytes(made.note.encode()) | mutated_bytes(made.note.encode(), utf8=True)
    )

    opened = outcome(
        lambda: open_checkpoint(mutated, ORIGIN, ORIGIN, made.op_public), AwardLedgerError
    )

    if isinstance(opened, AwardLedgerError):
        assert opened.exit_code in (3, 4), opened
    else:  # e.g. a cosignature line appended: still the operator's same checkpoint
        assert (opened.origin, opened.size, opened.root_hash) == (
            original.origin,
            original.size,
            original.root_hash,
        )


# -- witness cosignatures and the witness's state file --------------------------------------------


@FUZZ
@given(data=st.data())
def test_witness_policy_on_mutated_cosigned_notes(made: Made, data: st.DataObject) -> None:
    witness = WitnessKey("w1.example", made.keys.public("other"))
    cosigned = cosign(SignedNote.from_text(made.note), witness.name, made.keys.other, 1_700_000_000)
    text = cosigned.to_text().encode()
    mutated = data.draw(mutated_bytes(text) | mutated_bytes(text, utf8=True))

    result = outcome(lambda: check_witness_policy(mutated, [witness], 1), AwardLedgerError)

    if isinstance(result, AwardLedgerError):
        assert result.exit_code in (3, 4), result
    else:  # still carries the witness's valid cosignature over the same checkpoint text
        assert SignedNote.from_text(mutated).text == cosigned.text


_FINITE_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False, max_value=1e300, min_value=-1e300)
    | st.text(max_size=16)
    | st.sampled_from(["", "00" * 32, "zz", "-1"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["size", "root", "x", ORIGIN]), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(_FINITE_JSON.map(json.dumps) | st.text(max_size=80))
def test_witness_state_file_on_random_content(made: Made, content: str) -> None:
    # (a size of 1e400 / Infinity has its own test below)
    path = made.directory / "witness-state.json"
    path.write_text(content, "utf-8")
    outcome(lambda: WitnessState(path).load(), MalformedInputError)


def test_witness_state_with_an_infinite_size_is_malformed_input(made: Made) -> None:
    path = made.directory / "witness-state-inf.json"
    path.write_text(json.dumps({ORIGIN: {"size": 1e400, "root": "00" * 32}}), "utf-8")
    with pytest.raises(MalformedInputError):
        WitnessState(path).load()


# -- receipts --------------------------------------------------------------------------------------


def _check_receipt(made: Made, data: bytes) -> None:
    original = verify_receipt(made.receipt, made.op_public)
    checked = outcome(lambda: verify_receipt(data, made.op_public), AwardLedgerError)
    if isinstance(checked, AwardLedgerError):
        assert checked.exit_code in (3, 4), checked
        return
    # it still verifies: then it proves exactly the same fact
    assert (checked.origin, checked.seq, checked.type, checked.signer) == (
        original.origin,
        original.seq,
        original.type,
        original.signer,
    )
    assert (checked.tree_size, checked.root) == (original.tree_size, original.root)
    for name, value in checked.shown.items():
        assert original.shown.get(name, value) == value


@FUZZ
@given(st.text(max_size=300).map(str.encode) | st.just(b"") | _JSON.map(_dump))
def test_receipt_parser_on_random_input(data: bytes) -> None:
    outcome(lambda: parse_receipt(data), MalformedInputError)


@FUZZ
@given(data=st.data())
def test_receipt_with_mutated_json_is_refused_or_unchanged(made: Made, data: st.DataObject) -> None:
    doc = json.loads(made.receipt)
    _check_receipt(made, _dump(data.draw(mutated_json(doc))))


@FUZZ
@given(data=st.data())
def test_receipt_with_mutated_bytes_is_refused_or_unchanged(
    made: Made, data: st.DataObject
) -> None:
    # (invalid UTF-8 in a receipt: tests/ledger/test_receipt.py)
    _check_receipt(made, data.draw(mutated_bytes(made.receipt, utf8=True)))


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_awards_verify_receipt_on_mutated_files(made: Made, data: st.DataObject) -> None:
    mutated = data.draw(
        mutated_bytes(made.receipt, utf8=True) | mutated_json(json.loads(made.receipt)).map(_dump),
        label="receipt",
    )
    path = made.directory / "mutated-receipt.json"
    path.write_bytes(mutated)

    result = CliRunner().invoke(
        awards_cli, ["verify-receipt", str(path), "--operator-pub", str(made.keys.op_pub)]
    )

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0:  # still valid: the same event at the same checkpoint
        assert f"ok: event {SEQ_P1} (Person.Added) signed by sec" in result.stdout
        return
    assert result.exit_code in (3, 4), (result.exit_code, result.stderr)
    lines = result.stderr.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


@pytest.mark.parametrize("case", ["receipt field", "csv header"])
def test_errors_naming_untrusted_text_stay_on_one_line(made: Made, case: str) -> None:
    """An unknown receipt field or a CSV header cell holding a line break is echoed in the
    error; the message still comes out as one line (cli/main.py folds whitespace)."""
    if case == "receipt field":
        doc = json.loads(made.receipt)
        doc["x\ny"] = 1
        path = made.directory / "newline-field.json"
        path.write_bytes(_dump(doc))
        argv = ["verify-receipt", str(path), "--operator-pub", str(made.keys.op_pub)]
        result = CliRunner().invoke(awards_cli, argv)
        code, stderr = result.exit_code, result.stderr
    else:
        path = made.directory / "newline-header.csv"
        path.write_text('"id\nx",name,level,parent\nA,B,office,\n', "utf-8")
        url = str(made.directory / "parsers.db")
        code, _, stderr = in_process(url, "import", "units", path, "--key", made.keys.sec_key)

    assert code == 3, stderr
    assert stderr.count("\n") == 1, stderr


def test_verify_receipt_imports_nothing_a_crafted_receipt_names(made: Made) -> None:
    """With `rotations` listed, the note's signature is checked only after the entries are
    opened; their `type` must still never import a module (ledger/mapper.py event_class_for
    looks types up in a closed list). The entries here are in a tree the crafter made."""
    body = json.dumps(
        {
            "format": 1, "origin": ORIGIN, "aggregate": "a615cdf8-c517-5d7f-b5ad-e7b2b948dd9c",
            "version": 1, "type": "this:s", "time": "2020-02-18T02:31:00Z", "signer": "sec",
            "payload": {},
        },
        separators=(",", ":"),
    ).encode()  # fmt: skip
    entry = body + b"\n" + base64.b64encode(bytes(64))
    root = base64.b64encode(leaf_hash(entry)).decode()
    note = f"{ORIGIN}\n1\n{root}\n\n— {ORIGIN} {base64.b64encode(bytes(68)).decode()}\n"
    proven = {"seq": 0, "entry": base64.b64encode(entry).decode(), "proof": []}
    crafted = {
        "format": "award-ledger/receipt/v1",
        "checkpoint": note,
        "event": proven,
        "genesis": proven,
        "registration": proven,
        "shown": {},
        "rotations": [proven],
    }
    path = made.directory / "crafted-receipt.json"
    path.write_text(json.dumps(crafted))

    run = subprocess.run(
        [AWARDS, "verify-receipt", str(path), "--operator-pub", str(made.keys.op_pub)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode in (3, 4), run.stderr
    assert "Zen of Python" not in run.stdout


# -- CSV imports and criteria ----------------------------------------------------------------------

SEEDS: dict[str, bytes] = {
    "units": "id,name,level,parent\nUA,Phòng A,office,U1\nUB,Tổ B,division,UA\n".encode(),
    "people": "id,name,unit,category,direct_worker\nPA,Nguyễn Văn Á,U1,civil_servant,true\n"
    "PB,Trần B,U1,,false\n".encode(),
    "registrations": b"participant,titles,at\nP2,advanced_worker;emulation_fighter_base,"
    b"2019-03-01T10:00\nU1,emulation_flag,2019-03-02\n",
    "scores": b"participant,criterion,points,kind\nP1,nhiem-vu,47,appraisal\n"
    b"P1,giam-sat,28.5,self\n",
}
_CSV_ALPHABET = st.sampled_from(
    list(',;"\n\r\t \ufeff0123456789.-:TUPabc\x00\x7fé')
) | st.characters(codec="utf-8")


@FUZZ
@given(
    kind=st.sampled_from(sorted(HEADERS)),
    data=st.binary(max_size=200) | st.text(_CSV_ALPHABET, max_size=200).map(str.encode),
)
def test_csv_reader_on_random_input(kind: str, data: bytes) -> None:
    outcome(lambda: read_rows(data, "f.csv", kind), MalformedInputError)
    header = ",".join(HEADERS[kind]).encode() + b"\n"
    outcome(lambda: read_rows(header + data, "f.csv", kind), MalformedInputError)


@settings(FUZZ, max_examples=80)
@given(kind=st.sampled_from(sorted(HEADERS)), data=st.data())
def test_csv_import_of_a_mutated_file_records_all_or_nothing(
    made: Made, kind: str, data: st.DataObject
) -> None:
    content = data.draw(mutated_bytes(SEEDS[kind]), label="file")
    key = made.keys.other if kind == "scores" else made.keys.sec
    movement = "M1" if kind in ("registrations", "scores") else None
    before = made.app.tree()[0].size

    result = outcome(
        lambda: import_csv(made.app, key, kind, content, source="f.csv", movement_id=movement),
        AwardLedgerError,
    )

    after = made.app.tree()[0].size
    if isinstance(result, AwardLedgerError):
        assert result.exit_code in (1, 3), result
        assert "f.csv" in str(result), result  # the file (and line) is named
        assert after == before  # nothing recorded
    else:
        assert after > before


# (a bare CR inside an unquoted field has its own test below)
_NO_CR = st.characters(codec="utf-8", exclude_characters="\r")


@FUZZ
@given(
    st.text(st.sampled_from(list(',"\n 0123456789.-eE+infa\x00')) | _NO_CR, max_size=200)
    | mutated_bytes(CRITERIA_CSV.encode(), utf8=True)
    .map(bytes.decode)
    .filter(lambda t: "\r" not in t)
)
def test_criteria_parser_on_random_and_mutated_input(text: str) -> None:
    outcome(lambda: parse_criteria_csv(text), MalformedInputError)


@pytest.mark.parametrize(
    "text",
    [
        "id,name,max_points,weight\nc1,Một\rHai,10,1\n",
        "id,name,max_points,weight\nc1," + "x" * 140_000 + ",10,1\n",
    ],
    ids=["bare CR", "huge field"],
)
def test_criteria_parser_reports_csv_errors_as_malformed_input(text: str) -> None:
    with pytest.raises(MalformedInputError):
        parse_criteria_csv(text)


# -- TOML rulebooks --------------------------------------------------------------------------------

_TOML_KEYS = {
    "": ["name", "law", "law_2022_from", "quota", "review", "deadlines", "prerequisites",
         "awards", "extra"],
    "quota": ["fighter_share"],
    "review": ["quorum", "threshold", "secret_ballot", "thresholds"],
    "review.thresholds": ["emulation_fighter_ministry", "advanced_worker", "nope"],
    "deadlines": ["unit", "cluster"],
    "prerequisites": ["ministry_consecutive_base", "national_consecutive_ministry",
                      "excellent_collective_share", "excellent_collective_min_fighters"],
    "awards": ["person_titles", "collective_titles", "forms"],
}  # fmt: skip
_SHARE_TEXT = st.from_regex(r"\A[>=]{0,2} ?-?[0-9]{0,4}(\.[0-9]{1,3})?(/[0-9]{0,3})?%?\Z")
_TOML_SCALARS = (
    st.integers(-(2**65), 2**65)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.dates()
    | _SHARE_TEXT
    | st.sampled_from(["2003", "2022", "", "advanced_worker", "emulation_fighter_base"])
    | st.text(max_size=10)
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int | date):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    return json.dumps(value)


@st.composite
def rulebooks(draw: st.DrawFn) -> str:
    """A TOML document over the rulebook's own keys, with values of any TOML type."""
    values = (
        _TOML_SCALARS
        | st.lists(_TOML_SCALARS, max_size=3)
        | st.dictionaries(st.sampled_from(["share", "strict", "x"]), _TOML_SCALARS, max_size=2)
    )
    lines = []
    for table in draw(st.lists(st.sampled_from(sorted(_TOML_KEYS)), unique=True, max_size=4)):
        if table:
            lines.append(f"[{table}]")
        for key in draw(st.lists(st.sampled_from(_TOML_KEYS[table]), unique=True, max_size=3)):
            lines.append(f"{json.dumps(key)} = {_toml_value(draw(values))}")
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=120)
@given(
    rulebooks()
    | st.text(max_size=120)
    | mutated_bytes(RULEBOOK_TOML.encode(), utf8=True).map(bytes.decode)
)
def test_rulebook_parser_on_random_structured_and_mutated_input(text: str) -> None:
    assume(not _HUGE_EXPONENT.search(text))  # (its own test below)
    outcome(lambda: parse_rulebook(text), MalformedInputError)


_HUGE_EXPONENT = re.compile(r"[eE][+-]?[0-9]{5}")
_SLOW_SHARE = """
import sys
from domain.errors import MalformedInputError
from domain.rulebook_toml import parse_rulebook
try:
    parse_rulebook('[review]\\nquorum = "1e999999999"\\n')
except MalformedInputError:
    sys.exit(0)
sys.exit(2)
"""


def test_a_share_with_a_huge_exponent_is_refused_fast() -> None:
    try:
        run = subprocess.run(
            [sys.executable, "-c", _SLOW_SHARE],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            timeout=3,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("parse_rulebook did not return within 3 s")
    assert run.returncode == 0, run.stderr


# -- key files -------------------------------------------------------------------------------------


def _pem_variants(made: Made) -> list[bytes]:
    from cryptography.hazmat.primitives import serialization

    encrypted = made.keys.sec.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"mat khau"),
    )
    return [made.keys.sec_key.read_bytes(), encrypted, made.keys.sec_pub.read_bytes()]


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_key_loaders_on_random_and_mutated_files(made: Made, data: st.DataObject) -> None:
    seeds = _pem_variants(made)
    content = data.draw(
        st.binary(max_size=300)
        | st.binary(max_size=200).map(lambda b: b"-----BEGIN PRIVATE KEY-----\n" + b)
        | st.sampled_from(seeds).flatmap(mutated_bytes)
        | st.sampled_from(seeds).flatmap(
            lambda pem: st.text("ABCDEFabcdef0123456789+/=\n", max_size=60).map(
                lambda body: (
                    pem.split(b"\n")[0]
                    + b"\n"
                    + body.encode()
                    + b"\n"
                    + pem.split(b"\n")[-2]
                    + b"\n"
                )
            )
        ),
        label="key file",
    )
    passphrase = data.draw(st.sampled_from([None, b"mat khau", b"sai"]), label="passphrase")
    path = made.directory / "fuzzed.pem"
    path.write_bytes(content)

    outcome(lambda: load_private_key(path, passphrase), KeyFileError)
    outcome(lambda: load_public_key(path), KeyFileError)


# -- stored entries --------------------------------------------------------------------------------


def _decode(topic: str, entry: bytes) -> object:
    split = codec.split_entry(entry)
    return codec.decode_event(split.body, event_class_for(topic))


@FUZZ
@given(st.binary(max_size=200) | st.binary(max_size=120).map(lambda b: b + b"\n" + bytes(88)))
def test_split_entry_on_random_bytes(data: bytes) -> None:
    outcome(lambda: codec.split_entry(data), MalformedInputError)


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_decoding_a_mutated_entry(made: Made, data: st.DataObject) -> None:
    topic, entry = data.draw(st.sampled_from(made.entries), label="entry")
    # (invalid UTF-8 in a body has its own tests, here and in test_tamper_fuzz.py)
    mutated = data.draw(mutated_bytes(entry, utf8=True), label="mutated")

    decoded = outcome(lambda: _decode(topic, mutated), MalformedInputError)

    if not isinstance(decoded, MalformedInputError):  # (the signature is not checked here)
        assert codec.split_entry(mutated).body in (codec.split_entry(entry).body, mutated[:-89])


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_decoding_a_body_with_mutated_json(made: Made, data: st.DataObject) -> None:
    topic, entry = data.draw(st.sampled_from(made.entries), label="entry")
    body = codec.split_entry(entry).body
    doc = data.draw(mutated_json(json.loads(body)), label="body")
    compact = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    outcome(lambda: codec.decode_event(compact, event_class_for(topic)), MalformedInputError)


def test_decoding_an_entry_with_invalid_utf8_is_malformed_input(made: Made) -> None:
    topic, entry = made.entries[SEQ_P1]
    bad = entry.replace("Nguyễn".encode(), b"\xceguy\xe1\xbb\x85n", 1)
    assert bad != entry
    with pytest.raises(MalformedInputError):
        _decode(topic, bad)
