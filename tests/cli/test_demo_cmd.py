"""`awards demo`: the seed scenarios run end to end, the counts come out of the ledger right (the
Party Central Office's exactly), the ledger verifies, and a second run recreates the demo."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from demo.scenarios import north_central
from domain.rulebook_toml import parse_rulebook

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_demo_runs_the_seed_scenarios_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "demo-out"
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--out", str(out), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["verify_ok"] and summary["problems"] == []
    assert summary["events"] > 800 and summary["signers"] == 34
    assert (out / "checkpoint.txt").read_text(encoding="utf-8") == summary["checkpoint"]
    national, cluster, party = summary["scenarios"]

    # (a) the National Assembly Office: Emulation Flags to 10 collectives; one late refused, and
    # the decision refused once while its session's dossier lacked the minutes (rule dossier)
    assert national["awards"] == {"emulation_flag": {"person": 0, "unit": 10}}
    [late, dossier] = national["refusals"]
    assert "'VPQH-QT' registered 2020-02-24 after the deadline 2020-02-18" in late
    assert "the dossier of S-VPQH-2020-CTD for emulation_flag lacks minutes (regime 2003" in dossier

    # (b) the North Central cluster: 30 % quota, so 3 fighters for 10 advanced workers per office,
    # beyond the 15 % of Decree 91/2017 in force in 2019: each office overrides rule `regime`
    assert cluster["awards"]["emulation_fighter_base"] == {"person": 15, "unit": 0}
    assert cluster["awards"]["advanced_worker"] == {"person": 49, "unit": 0}  # one annulled
    [quota] = cluster["refusals"]
    assert (
        "would have 4 emulation_fighter_base for 10 advanced_worker in 2019, above the "
        "rulebook's quota 30 % (rules regime, quota)" in quota
    )
    report = json.loads((out / "reports" / "TD-BTB-2019-H1.json").read_text(encoding="utf-8"))
    beyond = [c for c in report["checks"] if c["rule"] == "regime"]
    assert sorted(c["subject"] for c in beyond) == [f"VPDB-{o}" for o in sorted(
        ("HNA", "NDH", "THA", "NAN", "NBH"))]  # fmt: skip
    for check in beyond:
        assert check["status"] == "override" and check["regime"] == "2003"
        statute = "above the statute's quota 15 % (2003: Nghị định 91/2017/NĐ-CP, Điều 9, khoản 3)"
        assert statute in check["detail"]
    [flag] = cluster["flags"]
    assert flag.startswith("NDH-03's emulation_fighter_base 2019 (decision 32/QĐ-VP-NDH)")

    # (c) the Party Central Office, exactly as the news item counts it
    assert party["collectives"] == 32
    assert party["collectives_by_level"] == {"department": 9, "division": 23}
    assert party["individuals"] == 50
    orders = party["awards"]
    assert orders["order_independence_3"] == {"person": 0, "unit": 2}
    assert orders["order_labour_2"] == {"person": 0, "unit": 1}
    assert orders["certificate_of_merit"] == {"person": 42, "unit": 25}
    [competence] = party["refusals"]
    assert "authority 'chanh-vp-tw' may not decide certificate_of_merit" in competence

    verified = runner.invoke(cli, ["--ledger", summary["ledger"], "verify"], catch_exceptions=False)
    assert verified.exit_code == 0, verified.output
    assert {p.name for p in (out / "inputs").iterdir()} >= {
        "units-vpqh.csv",
        "people-btb.csv",
        "rulebook-north-central-2019.toml",
        "scores-vpqh-2020.csv",
    }

    again = runner.invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert again.exit_code == 0, again.stderr
    assert (
        "honoured: 32 collectives (9 department level, 23 division level) and 50 individuals"
        in (again.stdout)
    )
    assert "verify ok" in again.stdout
    assert_next_steps(again.stdout, out)


def assert_next_steps(stdout: str, out: Path) -> None:
    """The demo ends with what a newcomer does next, each a path that exists or a command that
    works: activate (or call awards by its path), the operator's key, a report, a verify."""
    lines = stdout.splitlines()
    steps = lines[lines.index("next steps:") + 1 :]
    text = "\n".join(steps)
    bin_dir = Path(sys.executable).parent
    assert f". {bin_dir / 'activate'}" in text or ". .venv/bin/activate" in text
    assert str(bin_dir / "awards") in text or ".venv/bin/awards" in text
    [operator] = [s for s in steps if "the operator is" in s]
    key = Path(operator.split("key ", 1)[1].split(",", 1)[0])
    assert key == out / "keys" / "vu-tccb.key" and key.exists()
    [report] = [s for s in steps if "open the report:" in s]
    html = Path(report.split(": ", 1)[1])
    assert html.suffix == ".html" and html.exists()
    [verify] = [s for s in steps if "verify it:" in s]
    argv = shlex.split(verify.split(":", 1)[1])
    assert argv[0] == "awards"
    result = CliRunner().invoke(cli, argv[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_demo_refuses_a_directory_holding_another_ledger(tmp_path: Path) -> None:
    (tmp_path / "ledger.db").write_bytes(b"someone else's ledger")
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: demo: '{tmp_path}' already holds a ledger that 'awards demo' did not make; "
        "give another --out\n"
    )
    assert (tmp_path / "ledger.db").read_bytes() == b"someone else's ledger"


def test_demo_rulebook_is_the_documented_example() -> None:
    documented = (EXAMPLES / "rulebook-north-central-2019.toml").read_text(encoding="utf-8")
    assert parse_rulebook(north_central.RULEBOOK) == parse_rulebook(documented)
    criteria = (EXAMPLES / "criteria-north-central-2019.csv").read_text(encoding="utf-8")
    assert criteria == north_central.CRITERIA
