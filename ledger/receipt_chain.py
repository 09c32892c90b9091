"""The endorsement chain of a decision made on a proposal, carried by its award receipt.

A decision taken with ``decide --proposal`` is saved with the proposal's `Proposal.Decided`
in one write. Its receipt then carries (docs/FORMAT.md §11) every event of that proposal —
``Proposed``, each ``Endorsed``, ``Returned``, ``Resubmitted``, ``CommentOpened``,
``ObjectionNoted``, and the ``Decided`` — as proven entries (``chain``), with the
registration of each signer among them (``chain_registrations``). `check_chain` (run by
``verify-receipt``) proves, with the operator key alone:

- each entry is a leaf of the receipt's checkpointed tree, for its origin, and keeps the
  bindings of domain/bindings.py (its actor field ``by`` names its signer);
- together they are the whole proposal up to its decision: one aggregate, versions 1, 2, …
  without a gap, the first a ``Proposal.Proposed`` (whose id binds the proposal id), the last a
  ``Proposal.Decided`` naming this decision's number, signed by the decision's signer, after it;
  the proposal's movement and award are the decision's;
- each entry is signed by the key its signer was registered with before it (the registration
  signed by the operator key in force then), with a role its type needs.

It does not prove that a step's signer was unrevoked at the step (the registry record is
carried for the decision's signer only); the audit (``awards verify``) checks that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from domain.errors import VerificationError
from domain.proposal import Proposal
from domain.registry import Signer
from ledger import codec
from ledger.application import LedgerApp
from ledger.mapper import decode_stored, topic_of
from ledger.reader import Entry
from ledger.receipt_reads import registration_of
from ledger.registry_tree import RegistryHistory
from ledger.store import state_bytes

DECIDED_TOPIC = topic_of(Proposal.Decided)


class ChainStep(msgspec.Struct, frozen=True):
    """One step of the chain as `verify-receipt` reports it."""

    seq: int
    type: str
    signer: str
    summary: str


def chain_entries(
    app: LedgerApp, decision_nid: int, number: str, span: int
) -> tuple[Entry, ...]:
    """The proposal events a decision closed, in order; none when it was not on a proposal.

    The `Proposal.Decided` is among the `span` rows right after the decision's own (one
    write's rows are consecutive); the proposal's rows are then read on its aggregate."""
    rows = app.rows_by_ids(range(decision_nid + 1, decision_nid + 1 + span))
    for row in rows:
        if row.topic != DECIDED_TOPIC:
            continue
        decided = decode_stored(row.topic, state_bytes(row.state))
        if isinstance(decided, Proposal.Decided) and decided.decision == number:
            found = app.aggregate_rows(decided.originator_id, before=row.id + 1)
            return tuple(app.entry_of(r) for r in found)
    return ()


def chain_registrations(
    chain: Sequence[Entry],
    registration: Callable[[str, Entry], Entry | None],
) -> list[Entry]:
    """The registration of each signer of the chain (the first at or before its first step),
    once each, in seq order; VerificationError if one has none."""
    found: dict[int, Entry] = {}
    seen: set[str] = set()
    for entry in chain:
        signer = codec.decode_header(codec.split_entry(entry.state).body).signer
        if signer in seen:
            continue
        seen.add(signer)
        reg = registration(signer, entry)
        if reg is None:
            raise VerificationError(
                f"receipt: signer {signer!r} of event {entry.seq} has no registration"
            )
        found[reg.seq] = reg
    return [found[s] for s in sorted(found)]


def registrations_for(
    app: LedgerApp, history: RegistryHistory
) -> Callable[[str, Entry], Entry | None]:
    """Finds a signer's registration at or before an entry (ledger/receipt_reads.py)."""
    return lambda signer, entry: registration_of(app, signer, entry, history)


def check_chain(
    chain: Sequence[tuple[int, Any]],
    registrations: Sequence[tuple[int, Any]],
    decision: tuple[int, Any],
    operator_at: Callable[[int], tuple[str, bytes]],
) -> list[ChainStep]:
    """Check the opened chain entries (seq, opened entry) against the opened decision event
    (see the module docstring); `operator_at(seq)` is the operator (name, key) in force at
    a seq. Returns the steps, in order."""
    if not chain:
        return []
    steps = sorted(chain, key=lambda c: c[0])
    decision_seq, recorded = decision
    first, last = steps[0][1], steps[-1][1]
    aggregate = first.body.aggregate
    for n, (seq, opened) in enumerate(steps, 1):
        if opened.body.aggregate != aggregate or opened.body.version != n:
            raise VerificationError(
                f"receipt: chain entry {seq} is not version {n} of the proposal's events"
            )
        if not opened.body.type.startswith("Proposal."):
            raise VerificationError(f"receipt: chain entry {seq} is not a proposal event")
    proposed, decided = first.event, last.event
    if not isinstance(proposed, Proposal.Proposed) or not isinstance(decided, Proposal.Decided):
        raise VerificationError("receipt: the chain must run from Proposal.Proposed to Decided")
    number = getattr(recorded.event, "number", None)
    if (
        decided.decision != number
        or last.body.signer != recorded.body.signer
        or steps[-1][0] < decision_seq
    ):
        raise VerificationError(
            f"receipt: the chain's Proposal.Decided is not the one saved with decision {number}"
        )
    if (proposed.movement, proposed.award) != (recorded.event.movement, recorded.event.award):
        raise VerificationError("receipt: the chain proposes another movement or award")
    keys = _registered_keys(registrations, operator_at)
    out: list[ChainStep] = []
    for seq, opened in steps:
        signer = opened.body.signer
        known = [k for k in keys.get(signer, []) if k[0] < seq]
        if not known:
            raise VerificationError(
                f"receipt: chain entry {seq}: signer {signer!r} not registered before it"
            )
        _, roles, key = known[0]
        if not type(opened.event).required_roles & roles:
            raise VerificationError(f"receipt: chain entry {seq}: {signer!r} lacks the role")
        opened.verify_signed_by(key, f"receipt chain entry {seq}")
        out.append(ChainStep(seq, opened.body.type, signer, _summary(opened.event)))
    return out


def _registered_keys(
    registrations: Sequence[tuple[int, Any]], operator_at: Callable[[int], tuple[str, bytes]]
) -> dict[str, list[tuple[int, frozenset[str], bytes]]]:
    keys: dict[str, list[tuple[int, frozenset[str], bytes]]] = {}
    for seq, opened in sorted(registrations, key=lambda r: r[0]):
        r = opened.event
        if not isinstance(r, Signer.Registered):
            raise VerificationError(f"receipt: chain registration {seq} is not a registration")
        name, key = operator_at(seq)
        if opened.body.signer != name:
            raise VerificationError(f"receipt: chain registration {seq} is not the operator's")
        opened.verify_signed_by(key, f"receipt chain registration {seq}")
        keys.setdefault(r.name, []).append((seq, frozenset(r.roles), r.public_key))
    return keys


def _summary(event: Any) -> str:
    match event:
        case Proposal.Proposed():
            return f"proposed by {event.unit} to {event.to}"
        case Proposal.Endorsed():
            return f"endorsed by {event.holder} to {event.to}"
        case Proposal.Returned():
            return f"returned by {event.holder}: {event.reason}"
        case Proposal.Resubmitted():
            return f"resubmitted to {event.to}"
        case Proposal.CommentOpened():
            return f"public comment for {event.days} working days, until {event.ends}"
        case Proposal.ObjectionNoted():
            return f"objection {event.objection_id} about {event.about}"
        case Proposal.Decided():
            return f"decided (decision {event.decision})"
        case Proposal.Forwarded():
            return "decision forwarded"
    return type(event).__qualname__
