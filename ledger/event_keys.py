"""What the event index (ledger/event_index.py) files an event under: one pure function.

:func:`keys_of` reads a stored entry's signed body — its header (type, signer) and its payload
as plain JSON, never typed, so an entry of any type, old or new, is filed — and returns the
(kind, key) pairs an inspector looks events up by:

- ``type``: the stable type name (``Decision.Recorded``); ``signer``: who signed it;
- ``participant``: every person, unit or cluster id it names — its own id (``person_id``,
  ``unit_id``, ``cluster_id``), ``participant``, ``person``, ``unit``, ``parent``,
  ``recipient``, ``subject``, an objection's ``about``, each ``recipients[].id``,
  ``nominees``, a vote's ``yes``/``no``, a cluster's ``members`` (the superset of
  projections/history.py's notion: the history fold keeps only what touches the
  participant; events judged by their aggregate — scores, votes, a record's entries,
  a proposal's steps — are found through the aggregate of the event that names the
  participant, see projections/index_reads.py);
- ``movement``: ``movement``, ``movement_id``; ``session``: ``session_id``, a decision's
  ``basis``; ``decision``: a decision's ``number``, ``decision``.

The writers file an event with it at append, and the audit recomputes the index with it: one
notion of "which events" for both. A body that does not decode is filed under nothing (the
audit reports the entry itself).
"""

from __future__ import annotations

from typing import Any

import msgspec

from ledger.reader import body_of

Key = tuple[str, str]
KINDS = ("type", "signer", "participant", "movement", "session", "decision")

_SCALAR, _NAMES, _RECIPIENTS, _MEMBERS, _NUMBER = range(5)  # how a field's value is read
# field -> (how, kind): a text value, a list of texts, a list of {"id": …}, a cluster's members
# (a session's members are signers, a cluster's are units), a decision's number
_FIELDS: dict[str, tuple[int, str]] = {
    **{
        field: (_SCALAR, "participant")
        for field in (
            "person_id",
            "unit_id",
            "cluster_id",
            "participant",
            "person",
            "unit",
            "parent",
            "recipient",
            "subject",
            "about",
        )
    },
    **{field: (_NAMES, "participant") for field in ("nominees", "yes", "no")},
    "recipients": (_RECIPIENTS, "participant"),
    "members": (_MEMBERS, "participant"),
    "movement": (_SCALAR, "movement"),
    "movement_id": (_SCALAR, "movement"),
    "session_id": (_SCALAR, "session"),
    "basis": (_SCALAR, "session"),
    "decision": (_SCALAR, "decision"),
    "number": (_NUMBER, "decision"),
}


class _Body(msgspec.Struct):
    type: str
    signer: str
    payload: dict[str, Any]


_BODY = msgspec.json.Decoder(_Body)


def keys_of(state: bytes) -> set[Key]:
    """The (kind, key) pairs the stored entry `state` is filed under (empty: undecodable)."""
    try:
        body = _BODY.decode(body_of(state))
    except (msgspec.DecodeError, ValueError, UnicodeDecodeError):
        return set()
    kind = body.type
    keys: set[Key] = {("type", kind), ("signer", body.signer)}
    add = keys.add
    fields = _FIELDS
    for field, value in body.payload.items():
        how = fields.get(field)
        if how is None:
            continue
        if how[0] == _SCALAR:
            if value.__class__ is str and value:
                add((how[1], value))
        elif value.__class__ is not list:
            if how[0] == _NUMBER and value.__class__ is str and value:
                if kind.startswith("Decision."):
                    add(("decision", value))
        elif how[0] == _NAMES or (how[0] == _MEMBERS and kind.startswith("Cluster.")):
            for item in value:
                if item.__class__ is str and item:
                    add(("participant", item))
        elif how[0] == _RECIPIENTS:
            for item in value:
                if item.__class__ is dict:
                    name = item.get("id")
                    if name.__class__ is str and name:
                        add(("participant", name))
    return keys
