"""What `awards receipt` and `awards prove --out` refuse before a receipt is issued.

A receipt says "this event was accepted, by a signer allowed to sign it". So none is issued for
an event whose signer the log had revoked at or before the event's position (the registry as the
log says, not as it stands now, read from the registry history on the topic index), nor for
an event the audit of its covering checkpoint would not vouch for: the rows the receipt carries
must be the leaves of that checkpoint's tree (their hashes are the stored tiles' leaves, whose
root at its size is the signed root: ledger/tiled_proofs.py; or, without tiles, the tree
recomputed from the log), and the event itself must decode strictly and verify with the key of
the registration the receipt carries.
"""

from __future__ import annotations

from domain.errors import AwardLedgerError, DomainError
from domain.registry import Ledger, Signer
from ledger import codec
from ledger.mapper import decode_stored, event_class_for
from ledger.reader import Entry
from ledger.registry_tree import RegistryHistory
from ledger.signing import verify_signature


class ReceiptGuard:
    """Given the registry history of the covering checkpoint's tree, asked to check one event."""

    def __init__(self, history: RegistryHistory) -> None:
        self.history = history

    def revoked_at(self, signer: str, seq: int) -> int | None:
        """The seq of `signer`'s revocation at or before `seq` (None if it was not revoked)."""
        for record in self.history.records_at(seq + 1):
            if record.name == signer:
                return record.revoked
        return None

    def check(
        self,
        event: Entry,
        signer: str,
        registration: Entry,
        covered: bool,
        covering: Ledger.CheckpointSigned,
    ) -> None:
        """Raise DomainError (exit 1) naming why no receipt may be issued for `event`."""
        seq = event.seq
        if not covered:
            raise DomainError(
                f"receipt refused: the ledger no longer matches its checkpoint of size "
                f"{covering.size} (event {seq} cannot be vouched for); run 'awards verify'"
            )
        revoked_at = self.revoked_at(signer, seq)
        if revoked_at is not None and revoked_at <= seq:
            raise DomainError(
                f"receipt refused: signer {signer!r} of event {seq} was revoked at event "
                f"{revoked_at}, before it"
            )
        try:
            registered = decode_stored(registration.topic, registration.state)
            if isinstance(registered, Ledger.Initialised):
                key = registered.operator_key
            elif isinstance(registered, Signer.Registered):
                key = registered.public_key
            else:
                raise DomainError(f"event {registration.seq} is not a registration")
            body, signature = codec.split_raw(event.state)
            codec.decode_body(body, event_class_for(event.topic))
            verify_signature(key, codec.signing_input(body), signature, f"event {seq}")
        except AwardLedgerError as exc:
            raise DomainError(f"receipt refused: event {seq} fails the audit: {exc}") from exc
