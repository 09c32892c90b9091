"""Text for people: counts say their noun in the right number."""

from __future__ import annotations

import pytest

from cli.render import json_array_chunks, json_document
from domain.text import counted


def test_counted_says_one_in_the_singular_and_others_in_the_plural() -> None:
    assert counted(1, "event") == "1 event"
    assert counted(0, "event") == "0 events"
    assert counted(2, "checkpoint matches", "checkpoints match") == "2 checkpoints match"
    assert counted(1, "checkpoint matches", "checkpoints match") == "1 checkpoint matches"


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"a": 1}],
        [{"text": "line\nnext \u0111\u1ed3ng", "nested": {"list": [1, [], {}], "no": None}}, 2],
        [[], [[1, 2], []], {"k": [{"deep": True}]}],
    ],
)
def test_a_json_array_made_an_item_at_a_time_is_the_whole_document(items: list[object]) -> None:
    assert b"".join(json_array_chunks(items)) == json_document(items)
