"""Generate the golden format vectors in tests/vectors/format/ (deterministic, no database).

Run ``.venv/bin/python -m tests.vectors.generate`` (or ``make vectors``). Every key comes from
a fixed 32-byte seed and every event from the real domain factories with a fixed timestamp, so
Ed25519's deterministic signatures make each run write byte-identical files. The bytes are made
by the same code the ledger uses (ledger.codec, ledger.merkle, ledger.note, ledger.receipt).

One JSON file per case, named ``<kind>-<mutation>.json``, each with ``desc`` and
``want_error`` (null, or the name of the error class a verifier raises). docs/FORMAT.md
describes every field; tests/ledger/test_format_vectors.py checks every file. The same run
rewrites FORMAT.md's generated blocks: the event-type tables (tests/vectors/format_tables.py)
and the worked example (tests/vectors/worked_example.py), both made from these vectors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import Aggregate, DomainEvent
from domain.ids import SignerName
from domain.registry import Ledger, Person, Signer, SignerKey, Unit
from ledger import codec
from ledger.keys import raw_public_key
from ledger.mapper import topic_of
from ledger.merkle import MerkleTree, leaf_hash
from ledger.note import Checkpoint, note_key_id, sign_checkpoint, sign_note
from ledger.receipt import (
    RECEIPT_FORMAT,
    RECEIPT_FORMAT_V1,
    ProvenEntry,
    Receipt,
    encode_receipt,
)
from ledger.receipt_record import prove_record
from ledger.registry_tree import RegistryHistory, claim_of
from tests.vectors import event_vectors, format_tables, ledger_vectors

OUT_DIR = Path(__file__).resolve().parent / "format"

ORIGIN = "awards.example/ledger"
OTHER_ORIGIN = "awards.example/other-ledger"
OPERATOR_NAME = "ops"
CLERK_NAME = "clerk"


def seeded_key(label: bytes) -> Ed25519PrivateKey:
    """The Ed25519 key whose 32-byte seed is SHA-256(`label`)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label).digest())


OPERATOR_KEY = seeded_key(b"award-ledger test operator")
CLERK_KEY = seeded_key(b"award-ledger test secretary")
STRANGER_KEY = seeded_key(b"award-ledger test stranger")
NEW_OPERATOR_KEY = seeded_key(b"award-ledger test operator 2")
NEW_OPERATOR_NAME = "ops2"
OPERATOR_PUB = raw_public_key(OPERATOR_KEY)
CLERK_PUB = raw_public_key(CLERK_KEY)
STRANGER_PUB = raw_public_key(STRANGER_KEY)


def at(hour: int, minute: int, microsecond: int = 0) -> datetime:
    """A fixed UTC time on 2020-02-18."""
    return datetime(2020, 2, 18, hour, minute, 0, microsecond, tzinfo=UTC)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def flip_bit(data: bytes, index: int, bit: int = 0) -> bytes:
    """`data` with bit `bit` of byte `index` inverted."""
    out = bytearray(data)
    out[index] ^= 1 << bit
    return bytes(out)


@dataclass(frozen=True)
class Row:
    """One stored event: its row columns, signed entry and the signer's public key."""

    seq: int
    event: DomainEvent
    topic: str
    signer: str
    public_key: bytes
    body: bytes
    signature: bytes

    @property
    def entry(self) -> bytes:
        return codec.join_entry(self.body, self.signature)

    def columns(self) -> dict[str, Any]:
        return {
            "originator_id": str(self.event.originator_id),
            "originator_version": self.event.originator_version,
            "topic": self.topic,
        }


def signed_row(
    seq: int, event: DomainEvent, signer: str, key: Ed25519PrivateKey, origin: str = ORIGIN
) -> Row:
    """Encode and sign `event` exactly as ledger.mapper.SigningMapper does."""
    topic = topic_of(type(event))
    body = codec.encode_body(origin, event, topic, signer)
    signature = key.sign(codec.signing_input(body))
    return Row(seq, event, topic, signer, raw_public_key(key), body, signature)


def pending(aggregate: Aggregate, when: datetime) -> list[DomainEvent]:
    """The aggregate's new events, each given the fixed timestamp `when`."""
    events = [e for e in aggregate.collect_events() if isinstance(e, DomainEvent)]
    return [msgspec.structs.replace(e, timestamp=when) for e in events]


@dataclass(frozen=True)
class Ledger7:
    """The small ledger: 7 registry events, a checkpoint over them, and a later revocation."""

    rows: list[Row]  # seq 0..8
    tree: MerkleTree  # over seq 0..6
    note: str  # the checkpoint over size 7, with its registry line
    history: RegistryHistory  # the registry events of the rows, with their seqs
    v1_note: str  # the same checkpoint as signed before registries were committed


def signed_rows(plan: list[tuple[Aggregate, datetime, str, Ed25519PrivateKey]]) -> list[Row]:
    rows: list[Row] = []
    for aggregate, when, signer, key in plan:
        for event in pending(aggregate, when):
            rows.append(signed_row(len(rows), event, signer, key))
    return rows


def history_of(rows: list[Row]) -> RegistryHistory:
    history = RegistryHistory()
    for row in rows:
        history.apply(row.seq, row.event)
    return history


def checkpoint_note(rows: list[Row], key: Ed25519PrivateKey, registry: bool = True) -> str:
    """The checkpoint over every row, with the registry line of docs/FORMAT.md §9."""
    tree = MerkleTree(leaf_hash(row.entry) for row in rows)
    line = claim_of(history_of(rows).records_at(tree.size)).to_line()
    cp = Checkpoint(ORIGIN, tree.size, tree.root(), (line,) if registry else ())
    return sign_checkpoint(cp, ORIGIN, key)


def build_ledger() -> Ledger7:
    genesis = Ledger.initialise(ORIGIN, SignerName(OPERATOR_NAME), OPERATOR_PUB)
    operator = Signer.register(OPERATOR_NAME, OPERATOR_PUB, ["operator"])
    operator_claim = SignerKey.claim(OPERATOR_PUB, OPERATOR_NAME)
    clerk = Signer.register(CLERK_NAME, CLERK_PUB, ["secretary"])
    clerk_claim = SignerKey.claim(CLERK_PUB, CLERK_NAME)
    unit = Unit.add("PTCCB", "Phòng Tổ chức cán bộ", "department", None)
    person = Person.add("P-0001", "Nguyễn Thị Lan", unit, "civil_servant", True)

    plan: list[tuple[Aggregate, datetime, str, Ed25519PrivateKey]] = [
        (genesis, at(1, 0), OPERATOR_NAME, OPERATOR_KEY),  # awards init: one transaction
        (operator, at(1, 0), OPERATOR_NAME, OPERATOR_KEY),
        (operator_claim, at(1, 0), OPERATOR_NAME, OPERATOR_KEY),
        (clerk, at(1, 5), OPERATOR_NAME, OPERATOR_KEY),  # awards signer add
        (clerk_claim, at(1, 5), OPERATOR_NAME, OPERATOR_KEY),
        (unit, at(2, 30, 250000), CLERK_NAME, CLERK_KEY),  # awards unit add
        (person, at(2, 31), CLERK_NAME, CLERK_KEY),  # awards person add
    ]
    rows = signed_rows(plan)
    tree = MerkleTree(leaf_hash(row.entry) for row in rows)
    note = checkpoint_note(rows, OPERATOR_KEY)
    v1_note = checkpoint_note(rows, OPERATOR_KEY, registry=False)
    genesis.record_checkpoint(tree.size, tree.root(), note, tree.compact_range())
    clerk.revoke("left the office")
    for aggregate, when in ((genesis, at(3, 0)), (clerk, at(4, 0))):
        for event in pending(aggregate, when):
            rows.append(signed_row(len(rows), event, OPERATOR_NAME, OPERATOR_KEY))
    return Ledger7(rows, tree, note, history_of(rows), v1_note)


@dataclass(frozen=True)
class Rotated:
    """A ledger whose operator rotated: ops registers ops2, hands over and is revoked (one
    write, in that order); ops2 then registers a signer; a checkpoint by ops2 covers all."""

    rows: list[Row]
    tree: MerkleTree
    note: str
    history: RegistryHistory


def build_rotated() -> Rotated:
    """seq 0–2 awards init (ops); 3–4 ops registers clerk; 5–8 awards operator rotate: ops
    registers ops2 and its key, rotates to it and is revoked; 9–10 ops2 registers clerk2."""
    new_pub = raw_public_key(NEW_OPERATOR_KEY)
    genesis = Ledger.initialise(ORIGIN, SignerName(OPERATOR_NAME), OPERATOR_PUB)
    operator = Signer.register(OPERATOR_NAME, OPERATOR_PUB, ["operator"])
    operator_claim = SignerKey.claim(OPERATOR_PUB, OPERATOR_NAME)
    clerk = Signer.register(CLERK_NAME, CLERK_PUB, ["secretary"])
    clerk_claim = SignerKey.claim(CLERK_PUB, CLERK_NAME)
    rows = signed_rows(
        [
            (genesis, at(1, 0), OPERATOR_NAME, OPERATOR_KEY),
            (operator, at(1, 0), OPERATOR_NAME, OPERATOR_KEY),
            (operator_claim, at(1, 0), OPERATOR_NAME, OPERATOR_KEY),
            (clerk, at(1, 5), OPERATOR_NAME, OPERATOR_KEY),
            (clerk_claim, at(1, 5), OPERATOR_NAME, OPERATOR_KEY),
        ]
    )
    new_operator = Signer.register(NEW_OPERATOR_NAME, new_pub, ["operator"])
    new_claim = SignerKey.claim(new_pub, NEW_OPERATOR_NAME)
    genesis.rotate_operator(NEW_OPERATOR_NAME, new_pub)
    operator.revoke("operator key rotated to 'ops2'")
    stranger = Signer.register("clerk2", STRANGER_PUB, ["secretary"])
    stranger_claim = SignerKey.claim(STRANGER_PUB, "clerk2")
    rows += signed_rows(
        [
            (new_operator, at(5, 0), OPERATOR_NAME, OPERATOR_KEY),
            (new_claim, at(5, 0), OPERATOR_NAME, OPERATOR_KEY),
            (genesis, at(5, 0), OPERATOR_NAME, OPERATOR_KEY),
            (operator, at(5, 0), OPERATOR_NAME, OPERATOR_KEY),
            (stranger, at(6, 0), NEW_OPERATOR_NAME, NEW_OPERATOR_KEY),
            (stranger_claim, at(6, 0), NEW_OPERATOR_NAME, NEW_OPERATOR_KEY),
        ]
    )
    rows = [
        Row(i, r.event, r.topic, r.signer, r.public_key, r.body, r.signature)
        for i, r in enumerate(rows)
    ]
    tree = MerkleTree(leaf_hash(row.entry) for row in rows)
    return Rotated(rows, tree, checkpoint_note(rows, NEW_OPERATOR_KEY), history_of(rows))


# -- entries ------------------------------------------------------------------------------------


def entry_case(
    desc: str,
    want_error: str | None,
    row: Row,
    *,
    entry: bytes | None = None,
    columns: dict[str, Any] | None = None,
    origin: str = ORIGIN,
) -> dict[str, Any]:
    entry = row.entry if entry is None else entry
    body, _, _ = entry.rpartition(b"\n")
    return {
        "desc": desc,
        "want_error": want_error,
        "origin": origin,
        "public_key": row.public_key.hex(),
        "row": columns if columns is not None else row.columns(),
        "entry": b64(entry),
        "body": body.decode("utf-8"),
    }


def entry_cases(ledger: Ledger7) -> dict[str, dict[str, Any]]:
    row = ledger.rows[6]  # Person.Added, signed by the clerk
    happy = entry_case(
        "a Person.Added event signed by a secretary: the row, the entry and every derived value",
        None,
        row,
    )
    happy.update(
        signing_input=codec.signing_input(row.body).hex(),
        signature=row.signature.hex(),
        leaf_hash=leaf_hash(row.entry).hex(),
    )
    digit = row.body.index(b'"P-0001"') + 6  # the final "1" of the person id
    bitflip = row.body[:digit] + flip_bit(row.body[digit : digit + 1], 0) + row.body[digit + 1 :]

    foreign = signed_row(6, row.event, CLERK_NAME, CLERK_KEY, origin=OTHER_ORIGIN)

    payload = dict(row.event.payload(), nickname="Lan")
    extra = codec.ENCODER.encode(
        codec.EntryBody(
            format=codec.FORMAT_VERSION,
            origin=ORIGIN,
            aggregate=row.event.originator_id,
            version=row.event.originator_version,
            type=row.topic,
            time=row.event.timestamp,
            signer=CLERK_NAME,
            payload=payload,
        )
    )
    extra_entry = codec.join_entry(extra, CLERK_KEY.sign(codec.signing_input(extra)))

    return {
        "entry-happy-path": happy,
        "entry-body-bitflip": entry_case(
            f"bit 0 of body byte {digit} flipped (person id P-0001 becomes P-0000): the body "
            "still decodes but the signature no longer verifies",
            "SignatureError",
            row,
            entry=codec.join_entry(bitflip, row.signature),
        ),
        "entry-wrong-origin": entry_case(
            f"the same event validly signed for origin {OTHER_ORIGIN!r}, presented to the "
            f"ledger {ORIGIN!r}: the body does not bind this ledger",
            "VerificationError",
            foreign,
        ),
        "entry-row-version-mismatch": entry_case(
            "the row says originator_version 2, the signed body says version 1",
            "VerificationError",
            row,
            columns=dict(row.columns(), originator_version=2),
        ),
        "entry-signature-truncated": entry_case(
            "the base64 signature line lost its last 4 characters (84 instead of 88)",
            "MalformedInputError",
            row,
            entry=row.entry[:-4],
        ),
        "entry-unknown-field": entry_case(
            "a validly signed body whose payload has a field the event type does not declare "
            "(nickname): strict decoding refuses it",
            "MalformedInputError",
            row,
            entry=extra_entry,
        ),
    }


# -- trees --------------------------------------------------------------------------------------

INCLUSION_INDEX = 2
CONSISTENCY_OLD_SIZE = 3


def tree_case(desc: str, want_error: str | None, ledger: Ledger7) -> dict[str, Any]:
    tree = ledger.tree
    entries = [row.entry for row in ledger.rows[: tree.size]]
    return {
        "desc": desc,
        "want_error": want_error,
        "entries": [b64(e) for e in entries],
        "leaf_hashes": [leaf_hash(e).hex() for e in entries],
        "size": tree.size,
        "root": tree.root().hex(),
        "inclusion": {
            "index": INCLUSION_INDEX,
            "entry": b64(entries[INCLUSION_INDEX]),
            "proof": [h.hex() for h in tree.inclusion_proof(INCLUSION_INDEX)],
        },
        "consistency": {
            "old_size": CONSISTENCY_OLD_SIZE,
            "old_root": tree.root(CONSISTENCY_OLD_SIZE).hex(),
            "proof": [h.hex() for h in tree.consistency_proof(CONSISTENCY_OLD_SIZE)],
        },
    }


def tree_cases(ledger: Ledger7) -> dict[str, dict[str, Any]]:
    happy = tree_case(
        "the 7-entry ledger: leaf hashes, root, PATH(2, D[7]) and PROOF(3, D[7])", None, ledger
    )
    wrong_leaf = tree_case(
        "the inclusion proof for leaf 2 presented with entry 3", "RootMismatchError", ledger
    )
    wrong_leaf["inclusion"]["entry"] = b64(ledger.rows[3].entry)
    bitflip = tree_case(
        "bit 0 of the first byte of inclusion proof[0] flipped", "RootMismatchError", ledger
    )
    proof = bitflip["inclusion"]["proof"]
    proof[0] = flip_bit(bytes.fromhex(proof[0]), 0).hex()
    return {
        "tree-happy-path": happy,
        "tree-wrong-leaf": wrong_leaf,
        "tree-proof0-bitflip": bitflip,
    }


# -- checkpoints --------------------------------------------------------------------------------


def checkpoint_case(
    desc: str, want_error: str | None, note: str, public_key: bytes, ledger: Ledger7
) -> dict[str, Any]:
    return {
        "desc": desc,
        "want_error": want_error,
        "origin": ORIGIN,
        "key_name": ORIGIN,
        "public_key": public_key.hex(),
        "key_id": note_key_id(ORIGIN, public_key).hex(),
        "note": note,
        "size": ledger.tree.size,
        "root": ledger.tree.root().hex(),
    }


def checkpoint_cases(ledger: Ledger7) -> dict[str, dict[str, Any]]:
    root64 = b64(ledger.tree.root())
    padded = sign_note(f"{ORIGIN}\n0{ledger.tree.size}\n{root64}\n", ORIGIN, OPERATOR_KEY)
    return {
        "checkpoint-happy-path": checkpoint_case(
            "the operator's checkpoint over the 7-entry ledger (key name = origin)",
            None,
            ledger.note,
            OPERATOR_PUB,
            ledger,
        ),
        "checkpoint-wrong-key": checkpoint_case(
            "the same note checked with another key: no signature line has that key's id",
            "CheckpointError",
            ledger.note,
            STRANGER_PUB,
            ledger,
        ),
        "checkpoint-size-leading-zero": checkpoint_case(
            "a validly signed note whose tree size line is '07': sizes have no leading zeros",
            "MalformedNoteError",
            padded.to_text(),
            OPERATOR_PUB,
            ledger,
        ),
    }


# -- receipts -----------------------------------------------------------------------------------

RECEIPT_SEQ = 6  # Person.Added
REGISTRATION_SEQ = 3  # Signer.Registered clerk


def receipt_document(
    rows: list[Row],
    note: str,
    history: RegistryHistory | None,
    seq: int,
    registration: int,
    shown: dict[str, str],
) -> dict[str, Any]:
    """The receipt ledger.receipt.build_receipt writes, as a JSON object: v2 with the
    signer's registry record when `history` is given, else v1 (a checkpoint without one)."""
    size = int(note.split("\n")[1])
    tree = MerkleTree(leaf_hash(row.entry) for row in rows[:size])

    def proven(at: int) -> ProvenEntry:
        proof = [b64(h) for h in tree.inclusion_proof(at)]
        return ProvenEntry(at, b64(rows[at].entry), proof)

    record = None
    if history is not None:
        record = prove_record(history.records_at(size), rows[seq].signer)
    receipt = Receipt(
        format=RECEIPT_FORMAT if history is not None else RECEIPT_FORMAT_V1,
        checkpoint=note,
        event=proven(seq),
        genesis=proven(0),
        registration=proven(registration),
        shown=shown,
        rotations=[proven(r.seq) for r in rows[:size] if r.topic == ROTATED_TOPIC],
        signer_record=record,
    )
    document: dict[str, Any] = json.loads(encode_receipt(receipt))
    if history is None:
        del document["signer_record"]  # as a v1 file was written
    return document


ROTATED_TOPIC = topic_of(Ledger.OperatorRotated)


def receipt_case(
    desc: str, want_error: str | None, document: dict[str, Any], operator: bytes
) -> dict[str, Any]:
    return {
        "desc": desc,
        "want_error": want_error,
        "operator_public_key": operator.hex(),
        "receipt": document,
    }


SHOWN = {"person_id": "P-0001", "name": "Nguyễn Thị Lan", "direct_worker": "true"}


def receipt_cases(ledger: Ledger7) -> dict[str, dict[str, Any]]:
    shown = SHOWN

    def document(shown: dict[str, str]) -> dict[str, Any]:
        return receipt_document(
            ledger.rows, ledger.note, ledger.history, RECEIPT_SEQ, REGISTRATION_SEQ, shown
        )

    happy = document(shown)
    happy_case = receipt_case(
        "a v2 receipt for event 6 (Person.Added by the secretary 'clerk', registered at 3) "
        "against the checkpoint over 7 entries, with clerk's registry record: not revoked "
        "at size 7 (the revocation at event 8 comes later and does not affect it)",
        None,
        happy,
        OPERATOR_PUB,
    )
    happy_case["want"] = {
        "origin": ORIGIN,
        "seq": RECEIPT_SEQ,
        "type": ledger.rows[RECEIPT_SEQ].topic,
        "signer": CLERK_NAME,
        "roles": ["secretary"],
        "tree_size": ledger.tree.size,
        "root": ledger.tree.root().hex(),
        "format": RECEIPT_FORMAT,
        "registered": REGISTRATION_SEQ,
        "revoked": None,
        "not_revoked_proven": True,
    }
    v1 = receipt_document(ledger.rows, ledger.v1_note, None, RECEIPT_SEQ, REGISTRATION_SEQ, shown)
    v1_case = receipt_case(
        "the same receipt in format v1, against the checkpoint signed without a registry "
        "line: it verifies, but proves nothing about revocation",
        None,
        v1,
        OPERATOR_PUB,
    )
    v1_case["want"] = {**happy_case["want"], "format": RECEIPT_FORMAT_V1}
    v1_case["want"]["not_revoked_proven"] = False
    edited = document(dict(shown, person_id="P-0002"))
    bitflip = document(shown)
    proof0 = base64.b64decode(bitflip["event"]["proof"][0])
    bitflip["event"]["proof"][0] = b64(flip_bit(proof0, 0))
    tampered = document(shown)
    record = json.loads(base64.b64decode(tampered["signer_record"]["record"]))
    record["roles"] = ["authority", "secretary"]  # re-encoded in canonical form
    canonical = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
    tampered["signer_record"]["record"] = b64(canonical)
    return {
        "receipt-happy-path": happy_case,
        "receipt-v1-no-registry": v1_case,
        "receipt-shown-recipient-edited": receipt_case(
            "the shown person id (the receipt's recipient) edited from P-0001 to P-0002",
            "VerificationError",
            edited,
            OPERATOR_PUB,
        ),
        "receipt-proof-bitflip": receipt_case(
            "bit 0 of the first byte of the event's inclusion proof[0] flipped",
            "RootMismatchError",
            bitflip,
            OPERATOR_PUB,
        ),
        "receipt-wrong-operator": receipt_case(
            "an intact receipt checked against another operator's public key",
            "CheckpointError",
            happy,
            STRANGER_PUB,
        ),
        "receipt-record-tampered": receipt_case(
            "the signer record's roles edited (role authority added; still canonical JSON): "
            "it is no longer a leaf of the committed registry",
            "RootMismatchError",
            tampered,
            OPERATOR_PUB,
        ),
        **rotation_cases(build_rotated()),
    }


def rotation_cases(rotated: Rotated) -> dict[str, dict[str, Any]]:
    size = rotated.tree.size
    before = receipt_document(rotated.rows, rotated.note, rotated.history, 3, 1, {})
    after = receipt_document(rotated.rows, rotated.note, rotated.history, 9, 5, {})
    before_case = receipt_case(
        "operator rotation (ledger of 11 events: ops registers clerk at 3; ops registers ops2 "
        "at 5, rotates at 7, is revoked at 8; ops2 registers clerk2 at 9), checkpoint by ops2: "
        "a receipt for event 3, signed by ops before the rotation (revoked at 8, after it)",
        None,
        before,
        raw_public_key(NEW_OPERATOR_KEY),
    )
    before_case["want"] = {"seq": 3, "signer": OPERATOR_NAME, "tree_size": size, "revoked": 8}
    after_case = receipt_case(
        "the same ledger: a receipt for event 9, signed by the new operator ops2, whose "
        "registration (event 5) ops signed while it was still the operator in force",
        None,
        after,
        raw_public_key(NEW_OPERATOR_KEY),
    )
    after_case["want"] = {"seq": 9, "signer": NEW_OPERATOR_NAME, "tree_size": size, "revoked": None}
    return {"receipt-rotation-before": before_case, "receipt-rotation-after": after_case}


def all_cases() -> dict[str, dict[str, Any]]:
    ledger = build_ledger()
    return {
        **entry_cases(ledger),
        **tree_cases(ledger),
        **checkpoint_cases(ledger),
        **receipt_cases(ledger),
        **ledger_vectors.witness_receipt_cases(
            receipt_document(
                ledger.rows, ledger.note, ledger.history, RECEIPT_SEQ, REGISTRATION_SEQ, SHOWN
            ),
            ledger.note,
            OPERATOR_PUB,
            flip_bit,
        ),
        **ledger_vectors.ledger_cases(ledger.rows, ORIGIN, signed_row, (CLERK_NAME, CLERK_KEY)),
        **event_vectors.event_cases(
            event_vectors.sample_events(
                [row.event for row in ledger.rows],
                ledger.note,
                ledger_vectors.cosigned_note(ledger.note),
            )
        ),
    }


def render(case: dict[str, Any]) -> bytes:
    return (json.dumps(case, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def generate(out_dir: Path = OUT_DIR) -> list[Path]:
    """Write every case as ``out_dir/<name>.json``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.json"):
        stale.unlink()
    written = []
    for name, case in all_cases().items():
        path = out_dir / f"{name}.json"
        path.write_bytes(render(case))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else OUT_DIR
    for path in generate(out_dir):
        print(path)
    if len(argv) == 1 and format_tables.update_format_md():
        print(format_tables.FORMAT_MD)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
