"""Events signed before a field was added to their type stay readable and verifiable.

The files in tests/ledger/earlier/ are the golden `valid` vectors of `Decision.Recorded`
(before `overrides` and `regime`), `RecipientRecord.AwardEntered` (before `initiative`) and
`ReviewSession.VoteCast` and `BallotCast` (before `document_hash`),
`Decision.RecipientAnnulled` (before `recoveries`), `Person.Added` (before `leader_level`)
and `Signer.Registered` (before `competent_from` and `competent_until`) as they were
generated before those fields existed: their bodies omit them (docs/FORMAT.md §5,
"added later").
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from domain.decision import Decision
from domain.errors import MalformedInputError
from domain.register import RecipientRecord
from domain.registry import Person, Signer
from ledger import codec
from ledger.mapper import event_class_for
from ledger.signing import verify_signature

EARLIER = Path(__file__).parent / "earlier"


def vector(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((EARLIER / f"{name}.json").read_text(encoding="utf-8"))
    return found


@pytest.mark.parametrize(
    "name",
    [
        "Decision.Recorded",
        "RecipientRecord.AwardEntered",
        "ReviewSession.VoteCast",
        "ReviewSession.BallotCast",
        "Decision.RecipientAnnulled",
        "Person.Added",
        "Signer.Registered",
    ],
)
def test_a_body_signed_before_later_fields_decodes_and_verifies(name: str) -> None:
    v = vector(name)
    entry = base64.b64decode(v["entry"])
    body, signature = codec.split_raw(entry)
    event_class = event_class_for(v["type"])
    for later in event_class.later_fields:
        assert f'"{later}":'.encode() not in body  # signed before the field existed
    verify_signature(bytes.fromhex(v["signer"]["public_key"]), codec.signing_input(body),
                     signature, name)  # fmt: skip
    _, event = codec.decode_event(body, event_class)  # canonical, as the audit decodes
    for later in event_class.later_fields:
        assert getattr(event, later) in ([], None)


def test_an_earlier_decision_reads_with_no_overrides_and_no_regime() -> None:
    body = codec.split_raw(base64.b64decode(vector("Decision.Recorded")["entry"]))[0]
    _, event = codec.decode_event(body, Decision.Recorded)
    assert isinstance(event, Decision.Recorded)
    assert (event.overrides, event.regime, event.override_reason) == ([], None, None)


def test_an_earlier_registration_has_no_competence_period() -> None:
    body = codec.split_raw(base64.b64decode(vector("Signer.Registered")["entry"]))[0]
    _, event = codec.decode_event(body, Signer.Registered)
    assert isinstance(event, Signer.Registered)
    assert (event.competent_from, event.competent_until) == (None, None)


def test_an_earlier_person_reads_as_leading_nothing() -> None:
    body = codec.split_raw(base64.b64decode(vector("Person.Added")["entry"]))[0]
    _, event = codec.decode_event(body, Person.Added)
    assert isinstance(event, Person.Added)
    assert (event.direct_worker, event.leader_level) == (True, None)


def test_a_body_with_only_some_later_fields_is_not_canonical() -> None:
    body = codec.split_raw(base64.b64decode(vector("Decision.Recorded")["entry"]))[0]
    partial = body.replace(b'"override_reason":null,', b'"override_reason":null,"overrides":[],')
    with pytest.raises(MalformedInputError, match=r"is not in canonical form"):
        codec.decode_body(partial, Decision.Recorded)


def test_a_body_missing_a_field_that_is_not_later_is_still_refused() -> None:
    body = codec.split_raw(base64.b64decode(vector("RecipientRecord.AwardEntered")["entry"]))[0]
    cut = body.replace(b',"year":2020', b"")
    assert cut != body
    with pytest.raises(MalformedInputError, match=r"missing required field `year`"):
        codec.decode_body(cut, RecipientRecord.AwardEntered)


def test_an_annulment_signed_before_recoveries_owes_nothing() -> None:
    """Given an annulment signed before annulments recorded what is to be recovered,
    when it is decoded and applied, then it stands with nothing due: no recovery of it can be
    recorded (there is nothing the signer said is owed)."""
    body = codec.split_raw(base64.b64decode(vector("Decision.RecipientAnnulled")["entry"]))[0]
    _, event = codec.decode_event(body, Decision.RecipientAnnulled)
    assert isinstance(event, Decision.RecipientAnnulled)
    assert event.recoveries == []
