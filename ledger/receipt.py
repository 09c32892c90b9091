"""Receipts: one event's exact stored bytes with everything needed to check it offline.

A receipt is a JSON document (see docs/FORMAT.md §11) holding the event entry, its inclusion
proof in a signed checkpoint, and the evidence that its signer was a registered key with the
needed role: the genesis entry (naming the operator key) and the signer's registration entry,
each with its own inclusion proof in the same checkpoint, and (v2) the signer's record in the
registry the checkpoint commits to, which proves it was not revoked before the event.
``shown`` holds clear-text fields for people (recipient, award, …); each is checked against
the signed payload, so editing one fails. :func:`verify_receipt` needs only the receipt and
the operator's public key; v1 receipts (no record) still verify, proving less.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from domain.actor import Actor
from domain.decision import Decision
from domain.errors import (
    AwardLedgerError,
    CheckpointError,
    DomainError,
    MalformedReceiptError,
    NotFoundError,
    VerificationError,
)
from domain.registry import Ledger, Signer
from domain.rules import period_problem
from ledger import codec
from ledger.application import LedgerApp
from ledger.bindings import broken_bindings
from ledger.keys import key_id
from ledger.mapper import decode_stored, event_class_for, topic_of
from ledger.merkle import leaf_hash, verify_inclusion
from ledger.note import Checkpoint, SignedNote, open_checkpoint
from ledger.reader import Entry
from ledger.receipt_chain import (
    ChainStep,
    chain_entries,
    chain_registrations,
    check_chain,
    registrations_for,
)
from ledger.receipt_guard import ReceiptGuard
from ledger.receipt_reads import (
    ReceiptProofs,
    entry_at,
    registration_of,
    rotations_in,
    seq_of_row,
)
from ledger.receipt_record import (
    ProvenRecord,
    b64,
    check_record,
    proof_hashes,
    prove_record,
    reject_duplicate_keys,
    unb64,
)
from ledger.receipt_tells import Override, Statement, check_statements, signed_overrides
from ledger.registry_tree import RegistryHistory, claim_of, history_of, registry_claim
from ledger.signing import verify_signature
from ledger.store import state_bytes

RECEIPT_FORMAT = "award-ledger/receipt/v2"
RECEIPT_FORMAT_V1 = "award-ledger/receipt/v1"  # no signer record: still read and verified


class ProvenEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A stored entry (base64) at leaf `seq`, with its RFC 6962 inclusion proof (base64)."""

    seq: int
    entry: str
    proof: list[str]


class Receipt(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An offline-verifiable receipt for one event."""

    format: str
    checkpoint: str
    event: ProvenEntry
    genesis: ProvenEntry
    registration: ProvenEntry
    shown: dict[str, str] = msgspec.field(default_factory=dict)
    rotations: list[ProvenEntry] = msgspec.field(default_factory=list)
    signer_record: ProvenRecord | None = None
    # unsigned statements of the ledger as of the checkpoint (ledger/receipt_tells.py);
    # UNSET (absent from the file) when there are none, so older receipts keep their bytes
    statements: list[Statement] | msgspec.UnsetType = msgspec.UNSET
    # a decision on a proposal: the proposal's events and their signers' registrations
    # (ledger/receipt_chain.py); UNSET for any other receipt
    chain: list[ProvenEntry] | msgspec.UnsetType = msgspec.UNSET
    chain_registrations: list[ProvenEntry] | msgspec.UnsetType = msgspec.UNSET


class ReceiptCheck(msgspec.Struct, frozen=True):
    """What a verified receipt proves (printed by ``awards verify-receipt``)."""

    origin: str
    seq: int
    type: str
    signer: str
    roles: list[str]
    tree_size: int
    root: str
    shown: dict[str, str]
    format: str = RECEIPT_FORMAT
    registered: int | None = None  # seq of the signer's registration
    revoked: int | None = None  # seq of its revocation (at or after the event), if any
    not_revoked_proven: bool = False  # a v2 record proved the signer unrevoked at the event
    overrides: list[Override] = msgspec.field(default_factory=list)  # signed into the event
    statements: list[Statement] = msgspec.field(default_factory=list)  # unsigned, as of tree
    chain: list[ChainStep] = msgspec.field(default_factory=list)  # the proposal's, proven


def build_receipt(
    app: LedgerApp, seq: int, shown: dict[str, str] | None = None, chain: Sequence[Entry] = ()
) -> Receipt:
    """:func:`assemble_receipt`, then checked with :func:`verify_receipt` (pinned to the
    genesis's operator key) before it is handed out: VerificationError (exit 4) if it fails."""
    receipt = assemble_receipt(app, seq, shown, chain)
    verify_receipt(encode_receipt(receipt), _genesis_key(receipt))
    return receipt


def assemble_receipt(
    app: LedgerApp, seq: int, shown: dict[str, str] | None = None, chain: Sequence[Entry] = ()
) -> Receipt:
    """A receipt for event `seq` against the newest stored checkpoint that covers it, refused
    by the receipt guard (ledger/receipt_guard.py) but not yet verified. `chain`: the proposal
    events of a decision on a proposal (ledger/receipt_chain.py), carried with proofs and
    their signers' registrations.

    Reads no more than the receipt needs: the event, the genesis, the signer's registration
    and the operator rotations by id, seq or aggregate on indexes (the registration's seq from
    the registry history, read on the topic index; a rotation's counted on the index; each
    row then checked to hash to the tree's leaf at its seq), and inclusion proofs from the stored
    tiles checked against the signed checkpoint (ledger/tiled_proofs.py; the tree recomputed
    from the log when there are no usable tiles). The receipt is verified before it is
    returned by build_receipt. VerificationError (exit 4) when the tiles disagree with the
    signed root."""
    ledger = app.genesis()
    latest = ledger.latest_checkpoint
    if latest is None or latest.size <= seq:
        raise NotFoundError(
            f"receipt: event {seq} is not covered by a signed checkpoint yet; "
            "the operator must run 'awards checkpoint --key OPERATOR.key'"
        )
    proofs = ReceiptProofs(app, latest)
    event, genesis = entry_at(app, seq, proofs), app.entry_at(0)
    if genesis is None or event is None:
        raise NotFoundError(f"receipt: event {seq} is not in the ledger")
    body = codec.decode_header(codec.split_entry(event.state).body)
    history = history_of(app, latest.size)
    # The genesis is its own evidence; any other event needs its signer's registration.
    registration = genesis if seq == 0 else registration_of(app, body.signer, event, history)
    if registration is None:
        raise NotFoundError(f"receipt: signer {body.signer!r} of event {seq} has no registration")
    rotations = rotations_in(app, latest.size)
    chain_regs = chain_registrations(chain, registrations_for(app, history))
    carried = [event, genesis, registration, *rotations, *chain, *chain_regs]
    found = proofs.get(sorted({entry.seq for entry in carried}))
    covered = all(e.seq in found and leaf_hash(e.state) == found[e.seq][0] for e in carried)
    ReceiptGuard(history).check(event, body.signer, registration, covered, latest)
    note = ledger.published_note or latest.note
    record = _record_for(note, history, latest.size, body.signer) if seq else None
    claims = seq == 0 or record is not None  # a checkpoint without a registry line: v1

    def proven(entry: Entry) -> ProvenEntry:
        return ProvenEntry(entry.seq, b64(entry.state), [b64(h) for h in found[entry.seq][1]])

    return Receipt(
        format=RECEIPT_FORMAT if claims else RECEIPT_FORMAT_V1,
        checkpoint=note,
        event=proven(event),
        genesis=proven(genesis),
        registration=proven(registration),
        shown=dict(shown or {}),
        rotations=[proven(e) for e in rotations],
        signer_record=record,
        chain=[proven(e) for e in chain] if chain else msgspec.UNSET,
        chain_registrations=[proven(e) for e in chain_regs] if chain else msgspec.UNSET,
    )


def _genesis_key(receipt: Receipt) -> bytes:
    """The operator key the receipt's genesis entry names (unchecked: verify_receipt checks)."""
    state = unb64(receipt.genesis.entry, "genesis entry")
    initialised = decode_stored(topic_of(Ledger.Initialised), state)
    if not isinstance(initialised, Ledger.Initialised):
        raise VerificationError("receipt: event 0 is not the ledger's genesis; run 'awards verify'")
    return initialised.operator_key


def _record_for(note: str, history: RegistryHistory, size: int, signer: str) -> ProvenRecord | None:
    """The signer's record proven against the checkpoint's registry line (None when the note
    has none). Raises VerificationError when the line does not match the ledger's registry."""
    claim = registry_claim(Checkpoint.from_body(SignedNote.from_text(note).text))
    if claim is None:
        return None
    records = history.records_at(size)
    if claim_of(records) != claim:
        raise VerificationError(
            f"receipt: the checkpoint of size {size} commits to another signer registry than "
            "the ledger holds; run 'awards verify'"
        )
    proven = prove_record(records, signer)
    if proven is None:
        raise NotFoundError(f"receipt: signer {signer!r} is not in the committed registry")
    return proven


def encode_receipt(receipt: Receipt) -> bytes:
    """The receipt file's bytes (indented JSON, UTF-8)."""
    return msgspec.json.format(msgspec.json.encode(receipt), indent=2) + b"\n"


def parse_receipt(data: bytes) -> Receipt:
    """Strictly parse a receipt file; MalformedReceiptError naming what is wrong."""
    try:
        receipt = msgspec.json.decode(data, type=Receipt)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise MalformedReceiptError(f"receipt: {exc}") from exc
    reject_duplicate_keys(data)
    if receipt.format not in (RECEIPT_FORMAT, RECEIPT_FORMAT_V1):
        raise MalformedReceiptError(f"receipt: format {receipt.format!r}, want {RECEIPT_FORMAT}")
    if receipt.format == RECEIPT_FORMAT_V1 and receipt.signer_record is not None:
        raise MalformedReceiptError("receipt: a v1 receipt has no signer_record")
    if receipt.format == RECEIPT_FORMAT and receipt.event.seq and receipt.signer_record is None:
        raise MalformedReceiptError("receipt: a v2 receipt needs its signer_record")
    if (receipt.chain is msgspec.UNSET) != (receipt.chain_registrations is msgspec.UNSET):
        raise MalformedReceiptError("receipt: chain and chain_registrations go together")
    return receipt


class _Opened(msgspec.Struct, frozen=True):
    body_bytes: bytes
    body: codec.EntryBody[Any]
    event: Any
    signature: bytes

    def verify_signed_by(self, public_key: bytes, what: str) -> None:
        verify_signature(public_key, codec.signing_input(self.body_bytes), self.signature, what)

    def check_bindings(self) -> None:
        """The entry keeps the bindings of domain/bindings.py that need no registry (the
        genesis names its signer, a registration's id, roles and key, the event's id and
        actor fields); VerificationError naming the first broken one."""
        body = self.body
        for _, message in broken_bindings(
            type(self.event), body.aggregate, body.version, body.signer, body.payload
        ):
            kind = body.type.rpartition(":")[2]
            raise VerificationError(f"receipt: {kind} v{body.version}: {message}")


def _open(proven: ProvenEntry, what: str, size: int, root: bytes) -> _Opened:
    """Check `proven` is leaf `seq` of the checkpointed tree; decode it strictly."""
    entry = unb64(proven.entry, f"{what} entry")
    proof = proof_hashes(proven.proof, what)
    verify_inclusion(leaf_hash(entry), proven.seq, size, proof, root)
    split = codec.split_entry(entry)
    header = codec.decode_header(split.body)
    body, event = codec.decode_event(split.body, event_class_for(header.type))
    return _Opened(split.body, body, event, split.signature)


def verify_receipt(data: bytes, operator_key: bytes) -> ReceiptCheck:
    """Check a receipt with only the operator's public key. Raises on any failure.

    Steps: (1) parse; (2) genesis, operator rotations, registration and event are leaves of
    the checkpointed tree, all for its origin, and each keeps the bindings of
    ledger/bindings.py that need no registry (ids, actor fields, roles, public keys);
    (3) the genesis is signed by the operator key it names, and each rotation by the operator
    key in force before it; the pinned key is one of these keys; (4) the checkpoint note is
    signed by the last of them (key name = origin);
    (5) the registration is signed by the operator in force at its position, precedes the
    event and names the event's signer with a role the event type needs (and, for an award
    decision, lists the award in the signer's competence); for v2, the signer's record is in
    the registry the checkpoint commits to, matches the registration, and shows the signer
    registered at or before the event and not revoked before it; (6) the event's signature
    verifies with the registered key; (7) every shown field equals the signed payload;
    (8) a decision on a proposal: its endorsement chain (ledger/receipt_chain.py `check_chain`).
    For event 0 (the genesis) steps 5 and 6 are the genesis checks of step 3.
    """
    # (1):
    receipt = parse_receipt(data)
    origin = _origin_of(receipt.checkpoint)
    if not receipt.rotations:  # one operator key for life: check the note before its claims
        try:  # a genesis that does not decode is reported by its own step below
            named: bytes | None = _genesis_key(receipt)
        except AwardLedgerError:
            named = None
        if named is not None and named != operator_key:  # refused either way; say why
            raise CheckpointError(
                f"receipt: operator key mismatch: the key given (id {key_id(operator_key)}) "
                f"is not the operator key of {origin!r} (id {key_id(named)})"
            )
        open_checkpoint(receipt.checkpoint, origin, origin, operator_key)
    claimed = Checkpoint.from_body(SignedNote.from_text(receipt.checkpoint).text)
    # (2):
    genesis = _open(receipt.genesis, "genesis", claimed.size, claimed.root_hash)
    reg = _open(receipt.registration, "registration", claimed.size, claimed.root_hash)
    event = _open(receipt.event, "event", claimed.size, claimed.root_hash)
    rotations = [
        (p.seq, _open(p, "rotation", claimed.size, claimed.root_hash))
        for p in sorted(receipt.rotations, key=lambda p: p.seq)
    ]
    for opened in (genesis, reg, event, *(r for _, r in rotations)):
        if opened.body.origin != origin:
            raise VerificationError(f"receipt: entry signed for origin {opened.body.origin!r}")
        opened.check_bindings()
    # (3):
    g = genesis.event
    if receipt.genesis.seq != 0 or not isinstance(g, Ledger.Initialised):
        raise VerificationError("receipt: genesis entry is not event 0")
    genesis.verify_signed_by(g.operator_key, "receipt genesis")
    operators = [(0, g.operator, g.operator_key)]  # (in force from seq, name, key)
    for seq, rotation in rotations:
        r_event = rotation.event
        if not isinstance(r_event, Ledger.OperatorRotated):
            raise VerificationError(f"receipt: rotation entry {seq} is not an operator rotation")
        _, name, key = operators[-1]
        if rotation.body.signer != name:
            raise VerificationError(f"receipt: rotation {seq} is not signed by operator {name!r}")
        rotation.verify_signed_by(key, f"receipt rotation {seq}")
        operators.append((seq + 1, r_event.operator, r_event.operator_key))
    if operator_key not in {key for _, _, key in operators}:
        raise CheckpointError(
            f"receipt: operator key mismatch: the key given (id {key_id(operator_key)}) is "
            f"none of the operator keys of {origin!r}"
        )
    # (4):
    cp = open_checkpoint(receipt.checkpoint, origin, origin, operators[-1][2])
    claim = registry_claim(cp)
    if receipt.signer_record is not None and claim is None:
        raise VerificationError("receipt: the checkpoint commits to no signer registry")
    if receipt.format == RECEIPT_FORMAT_V1 and claim is not None:  # a v2 receipt downgraded
        raise VerificationError(
            "receipt: a v1 receipt against a checkpoint that commits to the signer registry "
            "(it could hide a revocation); make a v2 receipt"
        )
    if receipt.event.seq == 0:  # the genesis: self-signed by the operator key pinned above
        if receipt.registration.seq != 0 or event.body_bytes != genesis.body_bytes:
            raise VerificationError("receipt: event 0 must be the genesis itself")
        _check_all_shown(receipt.shown, event.event.payload())
        return ReceiptCheck(
            origin=origin,
            seq=0,
            type=event.body.type,
            signer=event.body.signer,
            roles=["operator"],
            tree_size=cp.size,
            root=cp.root_hash.hex(),
            shown=dict(receipt.shown),
            format=receipt.format,
            registered=0,
            not_revoked_proven=True,  # nothing precedes the genesis
            statements=check_statements(receipt.statements or [], cp.size, receipt.shown),
        )
    # (5):
    r = reg.event
    if not isinstance(r, Signer.Registered) or receipt.registration.seq > receipt.event.seq:
        raise VerificationError("receipt: registration entry is not an earlier Signer.Registered")
    _, reg_operator, reg_key = [o for o in operators if o[0] <= receipt.registration.seq][-1]
    if reg.body.signer != reg_operator:
        raise VerificationError("receipt: registration is not signed by the operator")
    reg.verify_signed_by(reg_key, "receipt registration")
    if r.name != event.body.signer:
        raise VerificationError(
            f"receipt: registration is for {r.name!r}, event signed by {event.body.signer!r}"
        )
    if not type(event.event).required_roles & set(r.roles):
        raise VerificationError(f"receipt: signer {r.name!r} lacks role for {event.body.type}")
    _check_competence(event.event, r)
    record = None
    if receipt.signer_record is not None and claim is not None:
        seq, reg_seq = receipt.event.seq, receipt.registration.seq
        record = check_record(receipt.signer_record, claim, seq, r.name, reg_seq, r)
    # (6):
    event.verify_signed_by(r.public_key, "receipt event")
    # (7):
    _check_all_shown(receipt.shown, event.event.payload())
    # (8):
    chain = _open_all(receipt.chain or [], "chain", claimed, origin)
    chain_regs = _open_all(receipt.chain_registrations or [], "chain registration", claimed, origin)

    def operator_at(seq: int) -> tuple[str, bytes]:
        _, name, key = [o for o in operators if o[0] <= seq][-1]
        return name, key

    steps = check_chain(chain, chain_regs, (receipt.event.seq, event), operator_at)
    return ReceiptCheck(
        origin=origin,
        seq=receipt.event.seq,
        type=event.body.type,
        signer=event.body.signer,
        roles=list(r.roles),
        tree_size=cp.size,
        root=cp.root_hash.hex(),
        shown=dict(receipt.shown),
        format=receipt.format,
        registered=receipt.registration.seq,
        revoked=record.revoked if record is not None else None,
        not_revoked_proven=record is not None,
        overrides=signed_overrides(event.event),
        statements=check_statements(receipt.statements or [], cp.size, receipt.shown),
        chain=steps,
    )


def _open_all(
    proven: Sequence[ProvenEntry], what: str, claimed: Checkpoint, origin: str
) -> list[tuple[int, _Opened]]:
    """Open each of `proven` (step 2's checks: a leaf of the tree, the origin, the bindings)."""
    opened = [(p.seq, _open(p, what, claimed.size, claimed.root_hash)) for p in proven]
    for seq, o in opened:
        if o.body.origin != origin:
            raise VerificationError(f"receipt: {what} entry {seq} signed for another origin")
        o.check_bindings()
    return opened


def _check_all_shown(shown: dict[str, str], payload: dict[str, Any]) -> None:
    for name, value in shown.items():
        _check_shown(name, value, payload)


def _origin_of(note: str) -> str:
    origin = note.split("\n", 1)[0]
    if not origin:
        raise MalformedReceiptError("receipt: checkpoint has no origin line")
    return origin


def shown_form(value: Any) -> str:
    """How a payload value is written in ``shown``: strings as they are, anything else as its
    canonical JSON (``true``, ``null``, ``12.5``, ``"2020-02-18"`` without the quotes)."""
    if isinstance(value, str):
        return value
    encoded = msgspec.json.encode(value).decode("utf-8")
    return encoded[1:-1] if encoded.startswith('"') else encoded


def _check_shown(name: str, value: str, payload: dict[str, Any]) -> None:
    """A shown field must equal the payload field, or be one member of a list field
    (``recipient`` may name one member of ``recipients``)."""
    if name in payload:
        actual: Any = payload[name]
    elif name == "recipient" and "recipients" in payload:
        actual = payload["recipients"]
    else:
        raise VerificationError(f"receipt: shown field {name!r} is not in the signed event")
    if isinstance(actual, list):
        if name == "recipient":  # a decision's recipients: shown by id
            actual = [getattr(v, "id", v) for v in actual]
        if value not in [shown_form(v) for v in actual]:
            raise VerificationError(f"receipt: shown {name} {value!r} is not in the signed event")
    elif shown_form(actual) != value:
        raise VerificationError(
            f"receipt: shown {name} {value!r} differs from the signed value {shown_form(actual)!r}"
        )


def _check_competence(event: Any, registration: Signer.Registered) -> None:
    """An award decision is evidence of a competent authority only if the signer's registration
    lists the award kind in its competence and its competence period holds the decision's
    date (rule 5)."""
    if not isinstance(event, Decision.Recorded):
        return
    if event.award not in registration.competence:
        held = ", ".join(registration.competence) or "none"
        raise VerificationError(
            f"receipt: signer {registration.name!r} is not competent for {event.award} "
            f"(registered competence: {held})"
        )
    outside = period_problem(_registered_actor(registration), event.date)
    if outside:
        raise VerificationError(f"receipt: {outside}")


def _registered_actor(registration: Signer.Registered) -> Actor:
    """The competence period of a registration, as the domain's rule reads it."""
    return Actor(
        registration.name,
        competence=frozenset(registration.competence),
        competent_from=registration.competent_from,
        competent_until=registration.competent_until,
    )


# -- award receipts ----------------------------------------------------------------------------

_DECISION_TOPICS = (topic_of(Decision.Recorded), topic_of(Decision.RecipientAnnulled))


def build_award_receipt(app: LedgerApp, number: str, recipient: str) -> Receipt:
    """A receipt for the `Decision.Recorded` event of decision `number`, showing `recipient`.

    Raises NotFoundError (no such decision, or `recipient` is not one of its recipients, or no
    checkpoint covers it yet) and DomainError when the award was annulled, or when the deciding
    authority's registration does not list the award or its period does not hold the decision's
    date (the receipt could not prove competence).
    """
    wanted = Decision.id_for(number)
    recorded: tuple[int, bytes, Decision.Recorded] | None = None
    annulled: Decision.RecipientAnnulled | None = None
    for row in app.aggregate_rows(wanted):  # the decision's own rows, on the aggregate's index
        if row.topic not in _DECISION_TOPICS:
            continue
        state = state_bytes(row.state)
        event = decode_stored(row.topic, state)
        if isinstance(event, Decision.Recorded):
            recorded = (row.id, state, event)
        elif isinstance(event, Decision.RecipientAnnulled) and event.recipient == recipient:
            annulled = event
    if recorded is None:
        raise NotFoundError(f"receipt: decision {number!r} not found")
    notification_id, state, decision = recorded
    if recipient not in [r.id for r in decision.recipients]:
        raise NotFoundError(f"receipt: {recipient!r} is not a recipient of decision {number}")
    if annulled is not None:
        raise DomainError(
            f"receipt refused: the award of decision {number} to {recipient!r} was annulled "
            f"({annulled.ground}: {annulled.reason})"
        )
    signer = app.load(Signer, Signer.id_for(decision.authority), f"signer {decision.authority!r}")
    if decision.award not in signer.competence:
        raise DomainError(
            f"receipt refused: authority {decision.authority!r} of decision {number} does not "
            f"hold {decision.award} in its competence (the decision overrode rule 5)"
        )
    outside = period_problem(Actor.from_signer(signer), decision.date)
    if outside:
        raise DomainError(
            f"receipt refused: decision {number}: {outside} (the decision overrode rule 5)"
        )
    seq = seq_of_row(app, notification_id, state)
    shown = {"number": number, "award": decision.award, "recipient": recipient}
    span = 3 * len(decision.recipients) + 10  # the register and each record: a few events each
    chain = chain_entries(app, notification_id, number, span)
    return build_receipt(app, seq, shown, chain)


TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"


def tlog_proof_text(receipt: Receipt) -> str:
    """The receipt's event proof in the C2SP tlog-proof text form (c2sp.org/tlog-proof).

    ``extra`` carries the event entry itself (base64), so the leaf hash can be recomputed as
    SHA-256(0x00 ‖ entry); then ``index``, the inclusion proof (one base64 hash a line), an
    empty line and the checkpoint note verbatim. The extra data is not authenticated by the
    format: a verifier hashes it and checks the proof against the signed checkpoint.
    """
    lines = [TLOG_PROOF_HEADER, f"extra {receipt.event.entry}", f"index {receipt.event.seq}"]
    lines += receipt.event.proof
    return "\n".join(lines) + "\n\n" + receipt.checkpoint
