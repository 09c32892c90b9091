"""FORMAT.md §14, the worked example, written from the golden vectors so it cannot go stale.

Every value below comes from a file in tests/vectors/format/ (read after ``make vectors`` has
written them); nothing is computed here except the key fingerprints (§13), the lengths of what
is shown and the frontier (§8) taken from the vector's leaf hashes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

FORMAT_DIR = Path(__file__).resolve().parent / "format"
BLOCK = "worked-example"


def _load(directory: Path, name: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((directory / f"{name}.json").read_text("utf-8"))
    return case


def _key_id(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _mth(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return _node(_mth(leaves[:k]), _mth(leaves[k:]))


def _frontier(leaves: list[bytes]) -> list[bytes]:
    out, start = [], 0
    for bit in reversed(range(len(leaves).bit_length())):
        if len(leaves) & (1 << bit):
            out.append(_mth(leaves[start : start + (1 << bit)]))
            start += 1 << bit
    return out


def worked_example(directory: Path = FORMAT_DIR) -> str:
    """The Markdown of §14 (without its markers)."""
    entry, ledger = _load(directory, "entry-happy-path"), _load(directory, "ledger-happy-path")
    tree = _load(directory, "tree-happy-path")
    checkpoint = _load(directory, "checkpoint-happy-path")
    receipt = _load(directory, "receipt-happy-path")
    rows = ledger["rows"]
    ops = next(r for r in rows if r["signer"] == "ops")
    clerk = entry["public_key"]
    body, row = entry["body"], entry["row"]
    signed = bytes.fromhex(entry["signing_input"])
    raw_entry = base64.b64decode(entry["entry"])
    signature = bytes.fromhex(entry["signature"])
    registration = next(r for r in rows if r["topic"] == "Signer.Registered" and r["seq"] > 1)
    micro = next(r for r in rows if '.250000Z"' in r["body"])
    micro_time = micro["body"][micro["body"].index('"time"') :].split(",")[0]
    leaves = [bytes.fromhex(h) for h in tree["leaf_hashes"]]
    frontier = _frontier(leaves)
    note = checkpoint["note"]
    sig_line = base64.b64decode(note.rstrip("\n").rsplit(" ", 1)[1])
    text_lines = note[: note.index("\n\n") + 1].count("\n")  # the signed text (§9)
    event, want = receipt["receipt"]["event"], receipt["want"]
    record = receipt["receipt"]["signer_record"]
    lines = [
        "All values are from `tests/vectors/format/`. The keys are derived from fixed seeds:",
        "private seed = SHA-256 of the ASCII label `award-ledger test operator` (operator `ops`)",
        "or `award-ledger test secretary` (signer `clerk`, role `secretary`).",
        "",
        "| | public key (hex) | key_id (§13) |",
        "|---|---|---|",
        f"| `ops` | `{ops['public_key']}` | `{_key_id(ops['public_key'])}` |",
        f"| `clerk` | `{clerk}` | `{_key_id(clerk)}` |",
        "",
        f"The ledger `{ledger['origin']}` (file `ledger-happy-path.json`; its `want` is the",
        "audit's report: ok, size, root):",
        "",
        "| seq | type | aggregate | v | signer | leaf hash |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['seq']} | `{r['topic']}` | `{r['originator_id']}` | {r['originator_version']}"
            f" | `{r['signer']}` | `{r['leaf_hash']}` |"
            for r in rows
        ),
        "",
        f"**Event {receipt['want']['seq']}** (`entry-happy-path.json`). Row: `originator_id`",
        f"`{row['originator_id']}`, `originator_version` {row['originator_version']}, `topic`",
        f"`{row['topic']}`. The body, {len(body.encode())} bytes (one line; UTF-8):",
        "",
        "```",
        body,
        "```",
        "",
        f"The signing input ({len(signed)} bytes) begins",
        "",
        "```",
        f'{signed[:22].hex()}   "award-ledger/event/v1\\n"',
        f"{signed[22:44].hex()}…   '{signed[22:44].decode()}…'",
        "```",
        "",
        "The clerk's signature (hex)",
        f"`{signature.hex()}`,",
        f"so the entry ({len(raw_entry)} bytes) is the body, `0x0A`, and",
        "",
        "```",
        base64.b64encode(signature).decode(),
        "```",
        "",
        "and its leaf hash, `SHA-256(0x00 ‖ entry)`, is",
        f"`{entry['leaf_hash']}`.",
        "",
        f"A body with bytes, an empty list and null (seq {registration['seq']},"
        " `Signer.Registered`):",
        "",
        "```",
        registration["body"],
        "```",
        "",
        f"and a time with microseconds (seq {micro['seq']}): `{micro_time}`.",
        "",
        f"**The tree of size {tree['size']}** has root",
        f"`{tree['root']}` and frontier (§8)",
        *(f"`{h.hex()}`{',' if i < len(frontier) - 1 else '.'}" for i, h in enumerate(frontier)),
        f"`PATH({tree['inclusion']['index']}, D[{tree['size']}])` ="
        + " "
        + ", ".join(f"`{h[:8]}…`" for h in tree["inclusion"]["proof"])
        + f"; see `tree-happy-path.json` for the full hashes and"
        f" `PROOF({tree['consistency']['old_size']}, D[{tree['size']}])`.",
        "",
        "**The checkpoint** over it (`checkpoint-happy-path.json`), exactly:",
        "",
        "```",
        note.rstrip("\n"),
        "```",
        "",
        f"(with a final newline). The signed text is the first {text_lines} lines with their",
        "newlines (everything before the blank line); the fourth is the registry line of §9.",
        f'The key id is `SHA-256("{checkpoint["key_name"]}" ‖ 0x0A ‖ 0x01 ‖ ops\'s public'
        f" key)[0:4]` = `{checkpoint['key_id']}`, and the signature line's base64 decodes to",
        f"`{sig_line[:4].hex()}` followed by the 64-byte signature"
        f" `{sig_line[4:12].hex()}…{sig_line[-4:].hex()}`.",
        "",
        f"**A receipt** for event {want['seq']} is in `receipt-happy-path.json`: `event`"
        f" (seq {event['seq']}, proof of {len(event['proof'])} hashes), `genesis` (seq 0,"
        f" {len(receipt['receipt']['genesis']['proof'])} hashes), `registration` (seq"
        f" {receipt['receipt']['registration']['seq']}, the clerk's `Signer.Registered`,"
        f" {len(receipt['receipt']['registration']['proof'])} hashes), `signer_record` (index"
        f" {record['index']}, the clerk's registry record, a proof of {len(record['proof'])}"
        " hashes against the checkpoint's registry line), the checkpoint above and"
        f" `shown` `{json.dumps(receipt['receipt']['shown'], ensure_ascii=False)}`. It still"
        f" verifies although the clerk was revoked at seq {len(rows) - 1}: the registry the"
        " checkpoint commits to shows the clerk unrevoked at its size, and the revocation came"
        " after the event (§11).",
    ]
    return "\n".join(lines) + "\n"
