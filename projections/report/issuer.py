"""Who stands behind a movement's report: the issuing body and the ledger's operator.

A citizen reading the page must know whose movement it is and whom to ask for the ledger and
the operator's key. The ledger does not sign a separate "issuing body" field, so the report
names it from what the ledger holds, and says how it found it (`source`):

1. ``launcher``: the unit of the signer who launched the movement, when its registration names
   one;
2. ``participants``: else the one top-level unit every registered unit and person belongs to
   (following each unit's parent), or, when they span several, the one cluster or block
   registered (a cluster's movement);
3. ``recipients``: else the one top-level unit of every award's recipient;
4. none found: `unit` is null and the page names only the operator.
"""

from __future__ import annotations

import msgspec

from projections.catalog import Catalog, MovementView
from projections.view import LedgerView


class Issuer(msgspec.Struct):
    """The issuing body (`unit`, `name`, `source` as in the module docstring), the signer who
    launched the movement, and the ledger's operator with its key fingerprint."""

    unit: str | None
    name: str | None
    source: str | None
    launched_by: str
    operator: str | None
    operator_key_id: str | None


def _top(catalog: Catalog, unit: str) -> str:
    seen: set[str] = set()
    while unit not in seen:
        seen.add(unit)
        found = catalog.units.get(unit)
        if found is None or found.parent is None:
            return unit
        unit = found.parent
    return unit  # a cycle cannot be recorded, but a page must not hang on one


def _unit_of(catalog: Catalog, participant: str) -> str | None:
    person = catalog.people.get(participant)
    if person is not None:
        return _top(catalog, person.unit)
    return _top(catalog, participant) if participant in catalog.units else None


def _issuing_unit(view: LedgerView, movement: MovementView) -> tuple[str | None, str | None]:
    catalog = view.catalog
    launcher = catalog.signers.get(movement.signer)
    if launcher is not None and launcher.unit:
        return launcher.unit, "launcher"
    participants = view.participations.of(movement.id).participant_ids()
    tops = {_unit_of(catalog, p) for p in participants} - {None}
    clusters = {p for p in participants if p in catalog.clusters}
    if len(tops) == 1:
        return tops.pop(), "participants"
    if len(clusters) == 1:
        return clusters.pop(), "participants"
    recipients = {
        _unit_of(catalog, r.id) or _top(catalog, r.unit)
        for d in view.decisions.of(movement.id)
        for r in d.recipients
    }
    if len(recipients) == 1:
        return recipients.pop(), "recipients"
    return None, None


def issuer_of(view: LedgerView, movement: MovementView) -> Issuer:
    """The issuer of `movement`'s report (see the module docstring)."""
    unit, source = _issuing_unit(view, movement)
    operator = view.catalog.operator
    key = view.catalog.signers.get(operator) if operator else None
    return Issuer(
        unit=unit,
        name=view.catalog.name_of(unit) if unit else None,
        source=source,
        launched_by=movement.signer,
        operator=operator,
        operator_key_id=key.key_id if key else None,
    )
