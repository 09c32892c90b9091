"""Vectors of a whole small ledger with its expected audit result, and witness-cosigned receipts.

``ledger-*.json``: the rows of a ledger (FORMAT.md §4) and ``want``, the audit's report
(§12: ok, size, root, checkpoints, and each problem's seq and step). ``receipt-witness-*``: a
receipt whose checkpoint carries a witness's cosignature (§9a), with the witness policy to
check it against.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.registry import Unit
from ledger.keys import raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.note import SignedNote
from ledger.witness import cosign

WITNESS_NAME = "witness.example/w1"
WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"award-ledger test witness").digest()
)
WITNESS_TIME = 1582000000  # 2020-02-18T04:26:40Z, the cosignature's timestamp


def cosigned_note(note: str) -> str:
    """The operator's `note` with the test witness's cosignature line added."""
    return cosign(SignedNote.from_text(note), WITNESS_NAME, WITNESS_KEY, WITNESS_TIME).to_text()


def witness_receipt_cases(
    document: dict[str, Any], note: str, operator: bytes, flip: Any
) -> dict[str, dict[str, Any]]:
    """`document` (a receipt for the small ledger) against the cosigned checkpoint."""
    cosigned = cosigned_note(note)
    witness = {"name": WITNESS_NAME, "public_key": raw_public_key(WITNESS_KEY).hex()}
    last = cosigned.rstrip("\n").rsplit(" ", 1)
    raw = base64.b64decode(last[1])
    forged = f"{last[0]} {base64.b64encode(flip(raw, len(raw) - 1)).decode()}\n"

    def case(desc: str, want_error: str | None, checkpoint: str) -> dict[str, Any]:
        return {
            "desc": desc,
            "want_error": want_error,
            "operator_public_key": operator.hex(),
            "witnesses": [witness],
            "min_witnesses": 1,
            "receipt": dict(document, checkpoint=checkpoint),
        }

    return {
        "receipt-witness-cosigned": case(
            f"the happy-path receipt whose checkpoint {WITNESS_NAME!r} cosigned at time "
            f"{WITNESS_TIME}: verifies with the policy (1 of that witness)",
            None,
            cosigned,
        ),
        "receipt-witness-cosignature-bitflip": case(
            "the witness's cosignature line with the last bit of its signature flipped",
            "SignatureError",
            forged,
        ),
        "receipt-witness-missing": case(
            "the operator-only checkpoint checked with a policy needing 1 witness",
            "CheckpointError",
            note,
        ),
    }


def ledger_rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "seq": seq,
            **row.columns(),
            "signer": row.signer,
            "public_key": row.public_key.hex(),
            "body": row.body.decode("utf-8"),
            "entry": base64.b64encode(row.entry).decode("ascii"),
            "leaf_hash": leaf_hash(row.entry).hex(),
        }
        for seq, row in enumerate(rows)
    ]


def _want(rows: list[Any], problems: list[tuple[int, int]]) -> dict[str, Any]:
    tree = MerkleTree(leaf_hash(row.entry) for row in rows)
    return {
        "ok": not problems,
        "size": tree.size,
        "root": tree.root().hex(),
        "checkpoints": 1,
        "problems": [{"seq": seq, "step": step} for seq, step in problems],
    }


def ledger_cases(rows: list[Any], origin: str, signed_row: Any, clerk: Any) -> dict[str, Any]:
    """The small ledger as it is, and with the revoked clerk signing one more event."""
    late_unit = Unit.add("PTCCB-2", "Phòng Thi đua", "department", None)
    [event] = late_unit.collect_events()
    event = msgspec.structs.replace(event, timestamp=datetime(2020, 2, 18, 4, 30, tzinfo=UTC))
    late = signed_row(len(rows), event, *clerk)
    return {
        "ledger-happy-path": {
            "desc": "every registry event type once, in ledger order: genesis, registrations, "
            "key claims, a unit, a person, the checkpoint over the first 7 and a revocation; "
            "`want` is the audit's report",
            "want_error": None,
            "origin": origin,
            "rows": ledger_rows(rows),
            "want": _want(rows, []),
        },
        "ledger-revoked-signer-signs": {
            "desc": "the same ledger and a 10th event validly signed by the clerk after its "
            "revocation: the audit reports it at step 3",
            "want_error": "VerificationError",
            "origin": origin,
            "rows": ledger_rows([*rows, late]),
            "want": _want([*rows, late], [(len(rows), 3)]),
        },
    }
