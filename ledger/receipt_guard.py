"""What `awards receipt` and `awards prove --out` refuse before a receipt is issued.

A receipt says "this event was accepted, by a signer allowed to sign it". So none is issued for
an event whose signer the log had revoked at or before the event's position (the registry as the
log says, not as it stands now), nor for an event the audit of its covering checkpoint would not
vouch for: the rows that checkpoint covers must still hash to its signed root (a checkpoint is
signed only over audited rows), and the event itself must decode strictly and verify with the
key of the registration the receipt carries.
"""

from __future__ import annotations

from uuid import UUID

from domain.errors import AwardLedgerError, DomainError
from domain.registry import Ledger, Signer
from ledger import codec
from ledger.application import Entry
from ledger.mapper import decode_stored, event_class_for, topic_of
from ledger.signing import verify_signature

REVOKED_TOPIC = topic_of(Signer.Revoked)


class ReceiptGuard:
    """Fed every entry a receipt's pass reads (in ledger order), then asked to check one."""

    def __init__(self) -> None:
        self.revoked: dict[UUID, int] = {}  # signer aggregate -> seq of its first revocation

    def see(self, entry: Entry) -> None:
        if entry.topic == REVOKED_TOPIC:
            self.revoked.setdefault(entry.originator_id, entry.seq)

    def check(
        self,
        event: Entry,
        signer: str,
        registration: Entry,
        root: bytes,
        covering: Ledger.CheckpointSigned,
    ) -> None:
        """Raise DomainError (exit 1) naming why no receipt may be issued for `event`."""
        seq = event.seq
        if root != covering.root_hash:
            raise DomainError(
                f"receipt refused: the ledger no longer matches its checkpoint of size "
                f"{covering.size} (event {seq} cannot be vouched for); run 'awards verify'"
            )
        revoked_at = self.revoked.get(Signer.id_for(signer))
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
