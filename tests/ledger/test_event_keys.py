"""What an event is filed under (ledger/event_keys.py): one pure function for writers and audit."""

from __future__ import annotations

import msgspec

from ledger.event_keys import keys_of


def _state(kind: str, signer: str, payload: dict[str, object]) -> bytes:
    body = msgspec.json.encode(
        {
            "format": 2,
            "origin": "o",
            "aggregate": "00000000-0000-0000-0000-000000000001",
            "version": 1,
            "type": kind,
            "time": "2026-01-01T00:00:00Z",
            "signer": signer,
            "payload": payload,
        }
    )
    return body + b"\n" + b"A" * 86 + b"=="


def test_a_decision_is_filed_under_its_number_movement_basis_recipients_type_and_signer() -> None:
    payload = {
        "number": "31/QĐ-VP-HNA",
        "movement": "M1",
        "basis": "S1",
        "authority": "bt",
        "recipients": [{"id": "P1", "kind": "person", "unit": "U1"}, {"id": "U2"}],
    }
    assert keys_of(_state("Decision.Recorded", "bt", payload)) == {
        ("type", "Decision.Recorded"),
        ("signer", "bt"),
        ("decision", "31/QĐ-VP-HNA"),
        ("movement", "M1"),
        ("session", "S1"),
        ("participant", "P1"),
        ("participant", "U2"),
    }


def test_session_members_are_not_participants_but_cluster_members_are() -> None:
    opened = keys_of(
        _state(
            "ReviewSession.Opened", "ct", {"session_id": "S", "nominees": ["P1"], "members": ["uv"]}
        )
    )
    assert ("participant", "P1") in opened and ("participant", "uv") not in opened
    assert ("session", "S") in opened
    formed = keys_of(_state("Cluster.Formed", "sec", {"cluster_id": "C", "members": ["U1", "U2"]}))
    assert {("participant", "C"), ("participant", "U1"), ("participant", "U2")} <= formed


def test_empty_and_non_text_values_file_nothing() -> None:
    keys = keys_of(_state("Unit.Added", "sec", {"unit_id": "U", "parent": None, "unit": 3}))
    assert keys == {("type", "Unit.Added"), ("signer", "sec"), ("participant", "U")}


def test_an_undecodable_entry_is_filed_under_nothing() -> None:
    assert keys_of(b"not json\nsig") == set()
    assert keys_of(b"no signature line") == set()


def test_a_value_of_the_wrong_shape_files_nothing_and_the_rest_still_files() -> None:
    payload: dict[str, object] = {
        "person": ["P1"],  # a text field holding a list
        "nominees": "P2",  # a list field holding a text
        "yes": ["P3", "", 4, None, ["P4"]],  # only the non-empty texts
        "recipients": [{"id": "P5"}, {"id": ""}, {"name": "x"}, "P6", {"id": 7}],
        "members": ["U9"],  # not a cluster's
        "number": "1/QĐ",  # not a decision's
        "movement": {"id": "M"},
        "session_id": "S",
    }
    assert keys_of(_state("Vote.Cast", "uv", payload)) == {
        ("type", "Vote.Cast"),
        ("signer", "uv"),
        ("participant", "P3"),
        ("participant", "P5"),
        ("session", "S"),
    }
    assert keys_of(_state("Vote.Cast", "uv", ["not", "an", "object"])) == set()  # type: ignore[arg-type]
