"""The signer registry as the audit replays it: who may sign what, at each point of the log.

A full audit applies every registry event in log order. An incremental audit starts from a
trusted checkpoint without reading the log before it: the operator keys come from the Ledger
aggregate, and each signer's earlier history is loaded from its own aggregate (on the
primary-key index) the first time the checked events name it, so the cost follows the new
events, not the size of the log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from domain.registry import OPERATOR, Ledger, Signer


@dataclass
class SignerState:
    """A registered signer's key and roles, and whether it has been revoked."""

    public_key: bytes
    roles: frozenset[str]
    revoked: bool = False


# Loads the registry events of one Signer aggregate recorded before the checked range.
EarlierEvents = Callable[[UUID], Sequence[object]]

REGISTRY_EVENTS = (Ledger.Initialised, Ledger.OperatorRotated, Signer.Registered, Signer.Revoked)


@dataclass
class Registry:
    """Signers by name, and the operator keys in the order the log gave them (the last is in
    force). With `earlier`, signers not seen yet are loaded on demand."""

    signers: dict[str, SignerState] = field(default_factory=dict)
    names: dict[UUID, str] = field(default_factory=dict)
    operator_keys: list[bytes] = field(default_factory=list)
    earlier: EarlierEvents | None = None
    loaded: set[UUID] = field(default_factory=set)
    registered: set[str] = field(default_factory=set)  # names a Signer.Registered named

    def signer(self, name: str) -> SignerState | None:
        """The signer `name` as registered so far, or None."""
        if self.earlier is not None and name not in self.signers:
            self._load(Signer.id_for(name))
        return self.signers.get(name)

    def registered_key(self, name: str) -> bytes | None:
        """The key of signer `name` (ledger/bindings.py RegistryView)."""
        signer = self.signer(name)
        return None if signer is None else signer.public_key

    def is_registered(self, name: str) -> bool:
        """True when a Signer.Registered named `name` before (ledger/bindings.py)."""
        self._load(Signer.id_for(name))
        return name in self.registered

    def apply(self, event: object) -> None:
        """Fold one event in (events of other kinds are ignored)."""
        if isinstance(event, Ledger.Initialised):
            self.signers[event.operator] = SignerState(event.operator_key, frozenset({OPERATOR}))
            self.operator_keys.append(event.operator_key)
        elif isinstance(event, Ledger.OperatorRotated):
            self.operator_keys.append(event.operator_key)
        elif isinstance(event, Signer.Registered):
            self._load(event.originator_id)
            if event.name in self.registered:  # a second registration (a binding the audit
                return  # reports): the first one, and any revocation of it, stands
            self.signers[event.name] = SignerState(event.public_key, frozenset(event.roles))
            self.names[event.originator_id] = event.name
            self.registered.add(event.name)
        elif isinstance(event, Signer.Revoked):
            self._load(event.originator_id)
            name = self.names.get(event.originator_id)
            if name in self.signers:
                self.signers[name].revoked = True

    def _load(self, aggregate_id: UUID) -> None:
        if self.earlier is None or aggregate_id in self.loaded:
            return
        self.loaded.add(aggregate_id)
        for event in self.earlier(aggregate_id):
            self.apply(event)
