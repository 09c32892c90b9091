"""How a view's state is stored (projections/viewspec.py `ViewSpec.codec`): the ledger view as
JSON deflated a field at a time is exactly the deflated JSON of the whole state, and reads back
as the state."""

from __future__ import annotations

import dataclasses
import zlib

import msgspec
import pytest

from projections.runner import Runner
from projections.view import LEDGER_VIEW
from tests.projections.conftest import Scenario


def test_the_ledger_view_is_stored_as_its_json_deflated(shared: Scenario) -> None:
    state = Runner(shared.app).read(LEDGER_VIEW).state
    stored = LEDGER_VIEW.encode(state)
    whole = msgspec.json.encode(state)
    assert LEDGER_VIEW.codec == "json-zlib"
    assert zlib.decompress(stored) == whole and len(stored) < len(whole) // 2
    assert LEDGER_VIEW.decode(stored) == state
    plain = dataclasses.replace(LEDGER_VIEW, codec="json")
    assert plain.encode(state) == whole and plain.stored_version != LEDGER_VIEW.stored_version


def test_a_stored_state_that_is_not_deflated_does_not_decode() -> None:
    with pytest.raises(msgspec.DecodeError, match="not a deflated state"):
        LEDGER_VIEW.decode(b'{"catalog": {}}')
