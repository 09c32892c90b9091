"""`awards rules [--date D] [--json]` and docs/RULES.md, both from the regime files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from projections.rules_doc import rules_markdown

RULES_MD = Path(__file__).resolve().parents[2] / "docs" / "RULES.md"


@pytest.mark.parametrize(
    ("day", "regime", "quota", "flag"),
    [
        ("2023-12-31", "2003", "15 %", "more than 50 %"),
        ("2024-01-01", "2024", None, "at least 80 %"),
        ("2025-06-30", "2024", None, "at least 80 %"),
        ("2025-07-01", "2025", None, "at least 80 %"),
    ],
)
def test_rules_json_gives_the_regime_of_the_day(
    day: str, regime: str, quota: str | None, flag: str
) -> None:
    result = CliRunner().invoke(cli, ["rules", "--date", day, "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["date"], doc["regime"]["id"]) == (day, regime)
    rules = {r["rule"]: r for r in doc["rules"]}
    assert set(rules) >= {"quota", "review", "prerequisites", "competence", "regime"}
    assert all(r["citation"] and r["vi"] and r["en"] for r in rules.values())
    params = rules["quota"]["parameters"]
    assert params["emulation_fighter_base_share_of_advanced_worker"] == quota
    review = rules["review"]["parameters"]
    assert review["thresholds"].get("emulation_flag", review["default_threshold"]) == flag


def test_rules_text_names_the_regime_and_each_citation() -> None:
    result = CliRunner().invoke(cli, ["rules", "--date", "2019-06-30"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("regime 2003 (… – 2023-12-31), in force on 2019-06-30")
    assert "  citation: Nghị định 91/2017/NĐ-CP, Điều 9, khoản 3" in lines
    assert "  emulation_fighter_base_share_of_advanced_worker: 15 %" in lines


def test_rules_refuses_a_bad_date() -> None:
    result = CliRunner().invoke(cli, ["rules", "--date", "2019-13-01"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --date '2019-13-01' is not an ISO 8601 date (YYYY-MM-DD)\n"
    )


def test_committed_rules_md_is_what_the_generator_writes() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == rules_markdown(), "run `make rules`"
