"""The signed root a stored view is checked against: the newest stored, operator-signed checkpoint.

A view's stored copy is only kept at the tree size of a signed checkpoint, and only believed
once the tree it was folded from reaches that checkpoint's signed root (projections/runner.py).
The anchor is read from the `Ledger` aggregate's own rows (genesis, rotations, checkpoints: on
its index, not a scan of the log); its note is opened with the operator key in force where the
checkpoint event stands. A checkpoint event whose note does not open is a VerificationError
(exit 4): nothing is shown from a ledger whose own checkpoint is bad.
"""

from __future__ import annotations

import msgspec

from domain.errors import AwardLedgerError, VerificationError
from domain.registry import Ledger
from ledger.application import LedgerApp, state_bytes
from ledger.mapper import decode_stored
from ledger.note import open_checkpoint


class Anchor(msgspec.Struct, frozen=True):
    """A signed tree: `size` events whose RFC 6962 root is `root`."""

    size: int
    root: bytes


def _bad(size: int, why: str) -> VerificationError:
    return VerificationError(
        f"the ledger's stored checkpoint of size {size} {why}; run 'awards verify'"
    )


def latest_anchor(app: LedgerApp) -> Anchor | None:
    """The newest stored checkpoint, its note opened with the operator key then in force; None
    when no checkpoint is stored. Raises VerificationError when it does not open."""
    key: bytes | None = None
    latest: tuple[Ledger.CheckpointSigned, bytes | None] | None = None
    for row in app.aggregate_rows(Ledger.ID):
        try:
            event = decode_stored(row.topic, state_bytes(row.state))
        except AwardLedgerError as exc:
            raise VerificationError(
                f"the ledger's own record (version {row.originator_version}) is unreadable: "
                f"{exc}; run 'awards verify'"
            ) from exc
        if isinstance(event, Ledger.Initialised | Ledger.OperatorRotated):
            key = event.operator_key
        elif isinstance(event, Ledger.CheckpointSigned):
            latest = (event, key)
    if latest is None:
        return None
    event, signer = latest
    if signer is None:
        raise _bad(event.size, "comes before the genesis")
    try:
        checkpoint = open_checkpoint(event.note, app.origin, app.origin, signer)
    except AwardLedgerError as exc:
        raise _bad(event.size, f"does not open ({exc})") from exc
    if checkpoint.size != event.size or checkpoint.root_hash != event.root_hash:
        raise _bad(event.size, "disagrees with its signed note")
    return Anchor(checkpoint.size, checkpoint.root_hash)


def mismatch(size: int) -> VerificationError:
    """The log itself does not reach the signed root at `size`."""
    return VerificationError(
        f"the ledger does not match its signed checkpoint of size {size}; run 'awards verify'"
    )
