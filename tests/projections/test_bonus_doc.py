"""docs/BONUS.md is generated from the bonus data and marks every unverified figure."""

from __future__ import annotations

from pathlib import Path

from domain.bonus import bonus_table
from projections.bonus_doc import bonus_markdown

BONUS_MD = Path(__file__).resolve().parents[2] / "docs" / "BONUS.md"


def test_the_committed_bonus_page_is_the_generated_one() -> None:
    assert BONUS_MD.read_text(encoding="utf-8") == bonus_markdown(), "run `make rules`"


def test_every_unverified_figure_is_marked_on_the_page() -> None:
    # given the data, when the page is generated, then each kind row with a figure no source
    # confirmed says so, and each confirmed one does not
    lines = bonus_markdown().splitlines()
    for regime_id, regime in bonus_table().regime.items():
        section = lines.index(next(x for x in lines if x.startswith(f"## Regime `{regime_id}`")))
        for kind, entry in regime.kinds.items():
            row = next(x for x in lines[section:] if x.startswith(f"| `{kind}` "))
            unverified = [k for k in ("person", "unit") if getattr(entry, k) is not None
                          and k not in entry.verified]  # fmt: skip
            assert row.count("unverified") == len(unverified), row
