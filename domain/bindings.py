"""What every event type binds, as one declarative table: the aggregate id, the signer, keys.

A signature proves who signed an entry, not that the entry speaks for the right record or
person. The format therefore fixes, for every event type of domain/events.py, facts the
stored bytes must agree on; the ledger checks them at append, in the audit (full and
incremental) and in receipts (ledger/bindings.py reads this table; docs/FORMAT.md §12 lists
it in words):

- **aggregate id** (created events only): the aggregate id is ``aggregate_id(kind, natural
  id)`` of domain/base.py, the natural id being the named payload fields joined by ``|``
  (a constant for the Ledger; for a SignerKey, the hex of the key the named signer
  registered); the created event is version 1 (its stable type name, §7, names the
  aggregate). Events after it (version ≥ 2, never 1) belong to the aggregate by
  version continuity (audit step 5), so they carry no id rule of their own;
- **signer**: payload fields naming the actor (a decision's ``authority``, a vote's
  ``member``, …) equal the body's ``signer``;
- **keys**: payload fields holding an Ed25519 public key must be a valid, canonical point of
  large order (audit step 3);
- **registration** (``Signer.Registered``): roles non-empty, sorted, unique and from ROLES;
  competence sorted and unique; a name is registered once (under any aggregate), so a
  revoked signer cannot be registered again.

Pure data and pure functions: no crypto, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.base import Aggregate, DomainEvent
from domain.cluster import Cluster
from domain.decision import Decision
from domain.discipline import DisciplineRecord
from domain.document import Document, Dossier
from domain.hold import Hold, SubjectHolds
from domain.initiative import Initiative
from domain.movement import Movement
from domain.participation import Participation
from domain.proposal import Objection, Proposal
from domain.register import AwardRegister, RecipientRecord
from domain.registry import Ledger, Person, Signer, SignerKey, Unit
from domain.session import ReviewSession

NATURAL_ID_SEPARATOR = "|"


@dataclass(frozen=True)
class IdRule:
    """How a created event's aggregate id follows from its payload: ``aggregate_id(kind, …)``
    of the `fields` joined by ``|``, or of `constant`, or (`key_of`) of the lowercase hex of
    the public key registered for the signer that payload field names."""

    aggregate: type[Aggregate]
    kind: str
    fields: tuple[str, ...] = ()
    constant: str | None = None
    key_of: str | None = None

    @property
    def text(self) -> str:
        if self.constant is not None:
            natural = self.constant
        elif self.key_of is not None:
            natural = f"<hex of the key registered for payload.{self.key_of}>"
        else:
            natural = NATURAL_ID_SEPARATOR.join(f"<payload.{f}>" for f in self.fields)
        return f"aggregate = uuid5({self.kind}:{natural}), version 1"

    def natural_id(self, payload: Any) -> str:
        """The natural id from the payload (not for `key_of` rules, which need the registry)."""
        if self.constant is not None:
            return self.constant
        if len(self.fields) == 1:
            return str(getattr(payload, self.fields[0]))
        return NATURAL_ID_SEPARATOR.join(str(getattr(payload, f)) for f in self.fields)


@dataclass(frozen=True)
class Binding:
    """Everything one event type binds (see the module docstring)."""

    event: type[DomainEvent]
    aggregate: IdRule | None = None  # None: not a created event (bound by continuity)
    signer_fields: tuple[str, ...] = ()
    key_fields: tuple[str, ...] = ()
    registration: bool = False

    def rules(self) -> list[str]:
        """Each rule as one short line of text (for docs/FORMAT.md and messages)."""
        found = [self.aggregate.text if self.aggregate else "version ≥ 2 (continuity)"]
        found += [f"payload.{f} = body.signer" for f in self.signer_fields]
        found += [f"payload.{f} is a valid Ed25519 key of large order" for f in self.key_fields]
        if self.registration:
            found += [ROLES_RULE, COMPETENCE_RULE, ONCE_RULE]
        return found


ROLES_RULE = "payload.roles non-empty, sorted, unique, each one of the roles of §7"
COMPETENCE_RULE = "payload.competence sorted, unique"
ONCE_RULE = "payload.name not registered before (under any aggregate)"


def _created(
    event: type[DomainEvent], aggregate: type[Aggregate], kind: str, *fields: str, **more: Any
) -> Binding:
    rule = IdRule(aggregate, kind, fields, more.pop("constant", None), more.pop("key_of", None))
    return Binding(event, rule, **more)


_TABLE = [
    # registry
    _created(
        Ledger.Initialised,
        Ledger,
        "ledger",
        constant="genesis",
        signer_fields=("operator",),
        key_fields=("operator_key",),
    ),
    Binding(Ledger.CheckpointSigned),
    Binding(Ledger.OperatorRotated, key_fields=("operator_key",)),
    Binding(Ledger.CosignaturesAttached),
    _created(
        Signer.Registered,
        Signer,
        "signer",
        "name",
        key_fields=("public_key",),
        registration=True,
    ),
    Binding(Signer.Revoked),
    _created(SignerKey.Claimed, SignerKey, "signer-key", key_of="signer"),
    _created(Unit.Added, Unit, "unit", "unit_id"),
    Binding(Unit.Merged),
    _created(Person.Added, Person, "person", "person_id"),
    # workflow
    _created(Movement.Launched, Movement, "movement", "movement_id"),
    _created(Participation.Registered, Participation, "participation", "movement", "participant"),
    Binding(Participation.Scored, signer_fields=("scorer",)),
    _created(Cluster.Formed, Cluster, "cluster", "cluster_id"),
    Binding(Cluster.PactSigned),
    _created(ReviewSession.Opened, ReviewSession, "session", "session_id"),
    Binding(ReviewSession.VoteCast, signer_fields=("member",)),
    Binding(ReviewSession.BallotCast, signer_fields=("member",)),
    Binding(ReviewSession.TallyCertified, signer_fields=("counter",)),
    Binding(ReviewSession.Closed),
    _created(Decision.Recorded, Decision, "decision", "number", signer_fields=("authority",)),
    Binding(Decision.RecipientAnnulled),
    Binding(Decision.RecoveryRecorded, signer_fields=("recorded_by",)),
    _created(AwardRegister.Opened, AwardRegister, "award-register", "movement"),
    Binding(AwardRegister.AwardsEntered),
    Binding(AwardRegister.AwardAnnulled),
    _created(RecipientRecord.Opened, RecipientRecord, "recipient-record", "recipient"),
    Binding(RecipientRecord.AwardEntered),
    Binding(RecipientRecord.AwardAnnulled),
    Binding(RecipientRecord.InitiativeNoted),
    _created(Initiative.Recognised, Initiative, "initiative", "initiative_id"),
    # dossiers
    _created(Document.Added, Document, "document", "sha256"),
    _created(Dossier.Opened, Dossier, "dossier", "subject"),
    Binding(Dossier.Filed),
    # holds (domain/hold.py)
    _created(Hold.Placed, Hold, "hold", "hold_id"),
    Binding(Hold.Lifted),
    _created(SubjectHolds.Opened, SubjectHolds, "subject-holds", "subject"),
    Binding(SubjectHolds.Noted),
    Binding(SubjectHolds.Cleared),
    # the proposal path (domain/proposal.py)
    _created(Proposal.Proposed, Proposal, "proposal", "proposal_id", signer_fields=("by",)),
    Binding(Proposal.Endorsed, signer_fields=("by",)),
    Binding(Proposal.Returned, signer_fields=("by",)),
    Binding(Proposal.Resubmitted, signer_fields=("by",)),
    Binding(Proposal.CommentOpened, signer_fields=("by",)),
    Binding(Proposal.ObjectionNoted, signer_fields=("by",)),
    Binding(Proposal.Decided, signer_fields=("by",)),
    Binding(Proposal.Forwarded, signer_fields=("by",)),
    _created(Objection.Raised, Objection, "objection", "objection_id", signer_fields=("by",)),
    Binding(Objection.Resolved, signer_fields=("by",)),
    # discipline records (domain/discipline.py)
    _created(DisciplineRecord.Opened, DisciplineRecord, "discipline-record", "person"),
    Binding(DisciplineRecord.Entered),
    Binding(DisciplineRecord.Ended),
]

BINDINGS: dict[type[DomainEvent], Binding] = {b.event: b for b in _TABLE}
