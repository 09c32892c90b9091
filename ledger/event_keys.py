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

import operator
from typing import Any

import msgspec

from ledger.reader import body_of

Key = tuple[str, str]
KINDS = ("type", "signer", "participant", "movement", "session", "decision")

_PARTICIPANT_FIELDS = (
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
_PARTICIPANT_LISTS = ("nominees", "yes", "no")
_participants = operator.attrgetter(*_PARTICIPANT_FIELDS)


class Fields(msgspec.Struct):
    """The payload fields an event can be filed by (any other field is skipped unread)."""

    person_id: Any = None
    unit_id: Any = None
    cluster_id: Any = None
    participant: Any = None
    person: Any = None
    unit: Any = None
    parent: Any = None
    recipient: Any = None
    subject: Any = None
    about: Any = None
    nominees: Any = None
    yes: Any = None
    no: Any = None
    recipients: Any = None
    members: Any = None
    movement: Any = None
    movement_id: Any = None
    session_id: Any = None
    basis: Any = None
    decision: Any = None
    number: Any = None


class _Body(msgspec.Struct):
    type: str
    signer: str
    payload: Fields


_BODY = msgspec.json.Decoder(_Body)


def keys_of(state: bytes) -> set[Key]:
    """The (kind, key) pairs the stored entry `state` is filed under (empty: undecodable)."""
    try:
        body = _BODY.decode(body_of(state))
    except (msgspec.DecodeError, ValueError, UnicodeDecodeError):
        return set()
    return payload_keys(body.type, body.signer, body.payload)


def payload_keys(kind: str, signer: str, payload: Fields) -> set[Key]:
    """:func:`keys_of` for a decoded header (`kind` its type name, `signer`) and payload."""
    keys: set[Key] = {("type", kind), ("signer", signer)}
    add = keys.add
    for value in _participants(payload):
        if type(value) is str and value:
            add(("participant", value))
    for field in _PARTICIPANT_LISTS:
        for value in _list(getattr(payload, field)):
            _text(value, "participant", add)
    for recipient in _list(payload.recipients):
        if type(recipient) is dict:
            _text(recipient.get("id"), "participant", add)
    if kind.startswith("Cluster."):  # a session's members are signers, a cluster's are units
        for value in _list(payload.members):
            _text(value, "participant", add)
    _text(payload.movement, "movement", add)
    _text(payload.movement_id, "movement", add)
    _text(payload.session_id, "session", add)
    _text(payload.basis, "session", add)
    _text(payload.decision, "decision", add)
    if kind.startswith("Decision."):
        _text(payload.number, "decision", add)
    return keys


def _text(value: Any, kind: str, add: Any) -> None:
    if type(value) is str and value:
        add((kind, value))


def _list(value: Any) -> list[Any]:
    return value if type(value) is list else []
