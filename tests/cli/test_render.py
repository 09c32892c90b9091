"""Text for people: counts say their noun in the right number."""

from __future__ import annotations

from domain.text import counted


def test_counted_says_one_in_the_singular_and_others_in_the_plural() -> None:
    assert counted(1, "event") == "1 event"
    assert counted(0, "event") == "0 events"
    assert counted(2, "checkpoint matches", "checkpoints match") == "2 checkpoints match"
    assert counted(1, "checkpoint matches", "checkpoints match") == "1 checkpoint matches"
