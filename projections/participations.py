"""Read model of the ledger view: every movement's participations, column by column.

Each movement's participations are a :class:`MovementStandings` (projections/movement_view.py),
folded by that module's own handlers: the rows registered for it, their latest appraisal and
self points per criterion, counts, latest appraisal time, registration seq, appraisers and
lateness. The participants' names are not kept here (the catalog has them), nor the launch
(the catalog's movements). A score names no movement: it goes to the movement whose id column
holds its participation (found by searching the movements' id columns for the first SEARCHES
scores, then by a map of every participation made once and kept beside the state, never
stored).

Kept so, the bench's 65,800 participations take about 12 MB in memory, against 92 MB as one
object each (a struct, two dicts of points, lists and strings per participation): the ledger
view a report reads is that much smaller, and its stored form (base64 columns in JSON) too.
"""

from __future__ import annotations

from collections.abc import Iterator
from sys import intern
from typing import Any

import msgspec

from domain.base import DomainEvent
from domain.participation import Participation
from projections import movement_view
from projections.movement_view import SEARCHES, MovementStandings
from projections.stream import EventMeta

_ID = 16  # bytes of an aggregate id


class Participations(msgspec.Struct, dict=True):
    """Every movement's participations, by movement id (see the module docstring)."""

    movements: dict[str, MovementStandings] = msgspec.field(default_factory=dict)

    def of(self, movement: str) -> MovementStandings:
        """`movement`'s participations (none: an empty one, not kept)."""
        found = self.movements.get(movement)
        return found if found is not None else MovementStandings(movement)

    def owners(self) -> Iterator[tuple[bytes, str]]:
        """(participation id, movement id) of every participation."""
        for movement, taking_part in self.movements.items():
            ids = taking_part.ids
            for at in range(0, len(ids), _ID):
                yield bytes(ids[at : at + _ID]), movement

    def movement_of(self, key: bytes) -> str | None:
        """The movement participation `key` is registered for, if any."""
        by_key: dict[bytes, str] | None = self.__dict__.get("by_key")
        if by_key is not None:
            return by_key.get(key)
        searched = self.__dict__.get("searched", 0)
        if searched < SEARCHES:
            self.__dict__["searched"] = searched + 1
            for movement, taking_part in self.movements.items():
                if taking_part.row_of(key) is not None:
                    return movement
            return None
        # kept under a name no method has (an instance's entry would hide the method)
        by_key = self.__dict__["by_key"] = dict(self.owners())
        return by_key.get(key)

    def forget(self) -> None:
        """Drop what is kept beside the columns (before the state is encoded to be stored)."""
        for taking_part in self.movements.values():
            taking_part.forget()
        for cached in ("by_key", "searched"):
            self.__dict__.pop(cached, None)


def _registered(state: Participations, event: Participation.Registered, meta: EventMeta) -> None:
    taking_part = state.movements.get(event.movement)
    if taking_part is None:
        movement = intern(event.movement)
        taking_part = state.movements[movement] = MovementStandings(movement)
    movement_view.HANDLERS[Participation.Registered](taking_part, event, meta)
    by_key: dict[bytes, str] | None = state.__dict__.get("by_key")
    if by_key is not None:
        by_key[event.originator_id.bytes] = taking_part.movement


def _scored(state: Participations, event: Participation.Scored, meta: EventMeta) -> None:
    movement = state.movement_of(event.originator_id.bytes)
    if movement is not None:
        movement_view.HANDLERS[Participation.Scored](state.movements[movement], event, meta)


HANDLERS: dict[type[DomainEvent], Any] = {
    Participation.Registered: _registered,
    Participation.Scored: _scored,
}
