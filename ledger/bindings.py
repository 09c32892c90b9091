"""The one check of domain/bindings.py's table, used at append, in the audit and in receipts.

:func:`broken_bindings` takes what every caller has — the event type, the signed aggregate
id, version and signer, and the payload (a decoded body's payload or the domain event itself:
both have the payload fields as attributes) — and returns the bindings it breaks, each with
the audit step it belongs to (2: binding; 3: a public key that is not acceptable). Rules that
need the registry as it stood before the event (a name registered once; a key claim naming
the key its signer registered) are checked only when a :class:`RegistryView` is given: the
audit's replayed registry, or at append the stored signers plus the pending batch; a receipt
has no registry and checks the rest.

The audit calls it for every event: the common case (a non-created event with no actor
field) is one dict lookup and one comparison; a created event adds one uuid5.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from domain.base import DomainEvent, aggregate_id_int
from domain.bindings import BINDINGS, COMPETENCE_RULE, ONCE_RULE, ROLES_RULE, Binding, IdRule
from domain.errors import DomainError, MalformedInputError
from domain.registry import ROLES, Ledger, Signer
from ledger.keys import public_key_problem

BINDING_STEP = 2
KEY_STEP = 3


class Broken(NamedTuple):
    """One broken binding: the audit step it belongs to and a message naming the rule."""

    step: int
    message: str


class RegistryView(Protocol):
    """The registry as it stood just before the checked event."""

    def registered_key(self, name: str) -> bytes | None:
        """The public key registered for signer `name` (or the operator key), or None."""

    def is_registered(self, name: str) -> bool:
        """True when a ``Signer.Registered`` for `name` was recorded before."""


class _Plan(NamedTuple):
    binding: Binding
    rule: IdRule | None  # created events only
    signer_fields: tuple[str, ...]
    rare: bool  # keys, registration or a key claim: checked in _rare


_PLANS: dict[type[DomainEvent], _Plan] = {
    cls: _Plan(
        b,
        b.aggregate,
        b.signer_fields,
        bool(b.key_fields or b.registration or (b.aggregate and b.aggregate.key_of)),
    )
    for cls, b in BINDINGS.items()
}
_NONE: tuple[Broken, ...] = ()


def broken_bindings(
    cls: type[DomainEvent],
    aggregate: UUID,
    version: int,
    signer: str,
    payload: Any,
    registry: RegistryView | None = None,
) -> Sequence[Broken]:
    """The bindings of domain/bindings.py that this event breaks (empty when it keeps all)."""
    binding, rule, signer_fields, rare = _PLANS[cls]
    found: list[Broken] | None = None
    if rule is None:
        if version == 1:
            found = [Broken(BINDING_STEP, "not a first event, yet version 1")]
    else:
        found = _created(rule, aggregate, version, payload, registry)
    for field in signer_fields:
        if getattr(payload, field) != signer:
            found = found or []
            found.append(
                Broken(
                    BINDING_STEP,
                    f"payload.{field} = body.signer broken: {_short(getattr(payload, field))} "
                    f"is not the signer {_short(signer)}",
                )
            )
    if rare:
        found = (found or []) + _rare(binding, payload, registry)
    return found or _NONE


def _created(
    rule: IdRule, aggregate: UUID, version: int, payload: Any, registry: RegistryView | None
) -> list[Broken] | None:
    found: list[Broken] = []
    if version != 1:
        found.append(Broken(BINDING_STEP, f"a first event at version {version}"))
    if rule.key_of is None:
        natural = rule.natural_id(payload)
    else:
        if registry is None:  # a receipt: the claimed signer's registration is not in it
            return found or None
        name = getattr(payload, rule.key_of)
        key = registry.registered_key(name)
        if key is None:
            found.append(Broken(BINDING_STEP, f"claims the key of {_short(name)}, unregistered"))
            return found
        natural = key.hex()
    if aggregate_id_int(rule.kind, natural) != aggregate.int:
        found.append(
            Broken(BINDING_STEP, f"{rule.text} broken: aggregate is not that of {_short(natural)}")
        )
    return found or None


def _rare(binding: Binding, payload: Any, registry: RegistryView | None) -> list[Broken]:
    """Public keys and registrations: a few events of a whole log."""
    found: list[Broken] = []
    for field in binding.key_fields:
        problem = public_key_problem(getattr(payload, field))
        if problem is not None:
            found.append(Broken(KEY_STEP, f"payload.{field} {problem}"))
    if binding.registration:
        roles, competence = list(payload.roles), list(payload.competence)
        if not roles or roles != sorted(set(roles)) or not set(roles) <= ROLES:
            found.append(Broken(BINDING_STEP, f"{ROLES_RULE} broken: {_short(roles)}"))
        if competence != sorted(set(competence)):
            found.append(Broken(BINDING_STEP, f"{COMPETENCE_RULE} broken: {_short(competence)}"))
        if registry is not None and registry.is_registered(payload.name):
            found.append(Broken(BINDING_STEP, f"{ONCE_RULE} broken: {_short(payload.name)}"))
    return found


def _short(value: object) -> str:
    """A payload value in a message: its repr (control characters escaped), at most 80."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


# -- at append -----------------------------------------------------------------------------------

# The key of a stored signer by name (None when no Signer aggregate of that name exists).
StoredKey = Callable[[str], "bytes | None"]


class PendingRegistry:
    """The registry at append: the stored signers (by `stored_key`) plus what the pending
    batch registered before the event being checked (a signer and its key claim, or the
    genesis, are written in one batch)."""

    def __init__(self, stored_key: StoredKey) -> None:
        self._stored_key = stored_key
        self._keys: dict[str, bytes] = {}
        self._registered: set[str] = set()

    def registered_key(self, name: str) -> bytes | None:
        key = self._keys.get(name)
        return key if key is not None else self._stored_key(name)

    def is_registered(self, name: str) -> bool:
        return name in self._registered or self._stored_key(name) is not None

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, Ledger.Initialised | Ledger.OperatorRotated):
            self._keys[event.operator] = event.operator_key
        elif isinstance(event, Signer.Registered):
            self._keys[event.name] = event.public_key
            self._registered.add(event.name)


def check_append(events: Sequence[DomainEvent], signer: str, stored_key: StoredKey) -> None:
    """Refuse a batch about to be signed by `signer` if any event breaks a binding: a
    MalformedInputError (exit 3) for an unacceptable public key, else a DomainError (exit 1).
    Nothing has been recorded when it raises."""
    registry = PendingRegistry(stored_key)
    for event in events:
        cls = type(event)
        broken = broken_bindings(
            cls, event.originator_id, event.originator_version, signer, event, registry
        )
        if broken:
            step, message = broken[0]
            error = MalformedInputError if step == KEY_STEP else DomainError
            raise error(f"{cls.__qualname__} refused: {message}; nothing recorded")
        registry.apply(event)
