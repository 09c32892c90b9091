"""The registry rows before an incremental audit's boundary, checked the way the audit checks them.

An incremental audit (``verify --since-checkpoint``) does not read the log before its trusted
checkpoint, but the registry it continues from is made of rows from there: the Ledger
aggregate's rows (the genesis, operator rotations, checkpoints) and each signer's earlier
registration and revocation. :class:`PrefixRegistry` reads only those rows, on the primary-key
index, and checks each one as the audit's steps (1)–(5) would: strict decode, the binding of the
signed body to its row, the signer's authority as the registry stood at that row's position
(itself built from checked rows only), the Ed25519 signature over the stored body, and the
continuity of its aggregate's versions. So its cost follows the registry events, never the
workflow events before the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.base import DomainEvent
from domain.errors import AwardLedgerError
from domain.registry import OPERATOR, Ledger, Signer
from ledger import codec
from ledger.application import LedgerApp, state_bytes
from ledger.findings import Problem
from ledger.mapper import event_class_for
from ledger.signing import verify_signature
from ledger.store import RawRow
from ledger.verify_registry import SignerState


@dataclass(frozen=True)
class CheckedRow:
    """A row before the boundary that decoded strictly, with its notification id."""

    id: int
    event: DomainEvent


class PrefixRegistry:
    """Checked registry rows below notification id `boundary`, read per aggregate on demand.

    Every problem found is appended to `problems` once (seq None: a row before the boundary
    has no seq without counting the log)."""

    def __init__(
        self,
        app: LedgerApp,
        origin: str,
        ledger_rows: Sequence[RawRow],
        boundary: int,
        problems: list[Problem],
    ) -> None:
        self.app, self.origin, self.boundary, self.problems = app, origin, boundary, problems
        self.genesis: tuple[int, Ledger.Initialised] | None = None
        self._histories: dict[UUID, list[CheckedRow]] = {}
        self.ledger = self._check_aggregate(
            Ledger.ID, [row for row in ledger_rows if row.id < boundary]
        )

    def events_of(self, aggregate_id: UUID) -> list[DomainEvent]:
        """The checked events of one aggregate before the boundary (Registry's `earlier`)."""
        return [checked.event for checked in self._history(aggregate_id)]

    def _history(self, aggregate_id: UUID) -> list[CheckedRow]:
        history = self._histories.get(aggregate_id)
        if history is None:
            rows = self.app.aggregate_rows(aggregate_id, before=self.boundary)
            history = self._check_aggregate(aggregate_id, rows)
        return history

    def _check_aggregate(self, aggregate_id: UUID, rows: Sequence[RawRow]) -> list[CheckedRow]:
        # The list is registered before its rows are checked: a row's signer may be this very
        # aggregate's signer (the operator registers itself), known from the rows before it.
        history: list[CheckedRow] = []
        self._histories[aggregate_id] = history
        last_id = -1
        for expected, row in enumerate(rows, start=1):
            event = self._check_row(row)
            if row.originator_version != expected or row.id < last_id:
                self._problem(row, 5, f"version {row.originator_version}, expected {expected}")
            last_id = row.id
            if event is not None:
                history.append(CheckedRow(row.id, event))
        return history

    def _check_row(self, row: RawRow) -> DomainEvent | None:
        """Steps (1)–(4) for one row; the event when it decodes (problems are recorded)."""
        try:  # (1): strict decode
            cls = event_class_for(row.topic)
            signed, signature = codec.split_raw(state_bytes(row.state))
            body = codec.decode_body(signed, cls)
        except AwardLedgerError as exc:
            self._problem(row, 1, str(exc))
            return None
        event = codec.event_of(body, cls)
        # (2): the signed body binds the row
        if body.origin != self.origin:
            self._problem(row, 2, f"signed for origin {body.origin!r}")
        if (
            str(body.aggregate) != str(_uuid(row.originator_id))
            or body.version != row.originator_version
            or body.type != row.topic
        ):
            self._problem(row, 2, "row does not match its signed body")
        # (3): authority as the registry stood just before this row
        signer = self._authority(row, body.signer, event)
        # (4): the signature over exactly the stored body
        if signer is not None:
            try:
                verify_signature(signer.public_key, codec.signing_input(signed), signature, "")
            except AwardLedgerError:
                self._problem(row, 4, "signature does not verify")
        return event

    def _authority(self, row: RawRow, name: str, event: DomainEvent) -> SignerState | None:
        if isinstance(event, Ledger.Initialised):
            if self.genesis is not None or event.originator_version != 1:
                self._problem(row, 3, "a second genesis")
                return None
            if self.app.rows_before(row.id, 1):
                self._problem(row, 3, "the genesis is not the first event of the log")
            if name != event.operator:
                self._problem(row, 3, "genesis not signed by its operator")
            self.genesis = (row.id, event)
            return SignerState(event.operator_key, frozenset({OPERATOR}))
        signer = self.state_at(name, row.id)
        if signer is None:
            self._problem(row, 3, f"signer {name!r} is not registered")
            return None
        if signer.revoked:
            self._problem(row, 3, f"signer {name!r} was revoked")
        if signer.roles.isdisjoint(type(event).required_roles):
            needed = " or ".join(sorted(type(event).required_roles))
            self._problem(row, 3, f"signer {name!r} lacks role {needed}")
        return signer

    def state_at(self, name: str, before_id: int) -> SignerState | None:
        """Signer `name` as the checked rows below notification id `before_id` register it."""
        state: SignerState | None = None
        if self.genesis is not None:
            genesis_id, genesis = self.genesis
            if genesis.operator == name and genesis_id < before_id:
                state = SignerState(genesis.operator_key, frozenset({OPERATOR}))
        for checked in self._history(Signer.id_for(name)):
            if checked.id >= before_id:
                break
            event = checked.event
            if isinstance(event, Signer.Registered) and event.name == name:
                state = SignerState(event.public_key, frozenset(event.roles))
            elif isinstance(event, Signer.Revoked) and state is not None:
                state = SignerState(state.public_key, state.roles, revoked=True)
        return state

    def _problem(self, row: RawRow, step: int, what: str) -> None:
        topic = row.topic if isinstance(row.topic, str) else ""
        where = (
            f"registry event {topic.rpartition(':')[2] or '?'} v{row.originator_version} "
            f"of {_uuid(row.originator_id)} before the trusted checkpoint"
        )
        self.problems.append(Problem(None, step, f"{where}: {what}"))


def _uuid(stored: Any) -> UUID | str:
    try:
        return stored if isinstance(stored, UUID) else UUID(str(stored))
    except ValueError:
        return str(stored)[:40]
