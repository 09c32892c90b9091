"""Rule `dossier` through the CLI (given/when/then): a decision on a review session whose
dossier lacks a document its award kind needs under the regime of the decision's date is one
`error:` line naming the missing kinds and the regime's citation, exit 1, nothing recorded;
`--override dossier=REASON` records it knowingly, signed and shown in the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.decision import Decision
from domain.regimes import regime_on
from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import MOVEMENT, World, at, build_world, closed_session, file_dossier

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
REGIMES = [("2019-12-28", "2003"), ("2024-03-01", "2024"), ("2025-08-01", "2025")]


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    # given a review of advanced_worker both nominees passed, whose dossier holds the minutes only
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"], dossier=False)
    file_dossier(w, "S-AW", ["minutes"], at=at("2019-12-20", 11))
    return w


def decide(awards: Cli, world: World, day: str, *more: str) -> Any:
    return awards(
        "decide", "1/QĐ", "--movement", MOVEMENT, "--award", "advanced_worker",
        "--recipient", "P1", "--recipient", "P2", "--basis", "S-AW", "--date", day,
        "--key", str(world.key_file("auth")), *more,
    )  # fmt: skip


@pytest.mark.parametrize(("day", "regime"), REGIMES, ids=[r for _, r in REGIMES])
def test_an_incomplete_dossier_is_refused_naming_what_it_lacks_by_the_regime_of_the_day(
    world: World, awards: Cli, raw: RawRows, day: str, regime: str
) -> None:
    # when the authority decides on the session
    before = raw.snapshot()
    result = decide(awards, world, day)
    # then: exit 1, one line naming the missing kinds and the citation of that day's regime
    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    citation = regime_on(date.fromisoformat(day)).citation("dossier")
    assert (
        f"the dossier of S-AW for advanced_worker lacks to_trinh_mau_01, bao_cao_mau_05 "
        f"(regime {regime}: {citation})" in line
    ), line
    assert "--override dossier=REASON" in line
    # and nothing was recorded
    assert raw.snapshot() == before


@pytest.mark.parametrize(("day", "regime"), REGIMES, ids=[r for _, r in REGIMES])
def test_an_override_records_the_decision_knowingly(
    world: World, awards: Cli, day: str, regime: str
) -> None:
    # when the authority decides with a signed reason for the incomplete dossier
    reason = "Hồ sơ giấy đã đủ, bản số hóa bổ sung sau"
    result = decide(awards, world, day, "--override", f"dossier={reason}")
    # then the decision is recorded with the override and the violation signed into it
    assert result.exit_code == 0, result.stderr
    decision = world.app.load(Decision, Decision.id_for("1/QĐ"), "decision")
    assert [(o.rule, o.reason) for o in decision.overrides] == [("dossier", reason)]
    [violation] = decision.violations
    assert (violation.rule, violation.subject, decision.regime) == ("dossier", "S-AW", regime)


@SQLITE_ONLY
def test_documents_filed_for_the_session_complete_it_and_the_report_shows_the_override(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    # given a first decision recorded over the incomplete dossier, with its reason
    reason = "Hồ sơ giấy đã đủ"
    first = decide(awards, world, "2019-12-28", "--override", f"dossier={reason}")
    assert first.exit_code == 0, first.stderr
    # then the report lists the override of rule dossier with its regime
    report = json.loads(awards("report", MOVEMENT, "--format", "json").stdout)
    [check] = [c for c in report["checks"] if c["rule"] == "dossier"]
    assert (check["subject"], check["status"], check["regime"]) == ("S-AW", "override", "2003")
    # when the secretary files the missing documents, a later decision needs no override
    for name, kind in (("to-trinh.txt", "to_trinh_mau_01"), ("bao-cao.txt", "bao_cao_mau_05")):
        (tmp_path / name).write_text(f"{kind} S-AW\n", encoding="utf-8")
        added = awards("document", "add", str(tmp_path / name), "--kind", kind, "--for", "S-AW",
                       "--key", str(world.key_file("sec")))  # fmt: skip
        assert added.exit_code == 0, added.stderr
    again = awards(
        "decide", "2/QĐ", "--movement", MOVEMENT, "--award", "advanced_worker",
        "--recipient", "P3", "--basis", "S-AW", "--date", "2019-12-29",
        "--key", str(world.key_file("auth")),
    )  # fmt: skip
    # (P3 was no nominee: the only rule broken is review, not dossier)
    line = one_error_line(again)
    assert "rule review" in line and "dossier" not in line, line


@SQLITE_ONLY
def test_an_override_of_dossier_when_the_dossier_is_complete_is_refused(
    world: World, awards: Cli, raw: RawRows
) -> None:
    file_dossier(world, "S-AW", ["to_trinh_mau_01", "bao_cao_mau_05"], at=at("2019-12-21"))
    before = raw.snapshot()
    result = decide(awards, world, "2019-12-28", "--override", "dossier=x")
    assert result.exit_code == 2
    assert "--override dossier names a rule this decision does not break" in one_error_line(result)
    assert raw.snapshot() == before
