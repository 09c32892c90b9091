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
    assert summary["events"] > 800 and summary["signers"] == 37
    assert (out / "checkpoint.txt").read_text(encoding="utf-8") == summary["checkpoint"]
    national, cluster, party, path = summary["scenarios"]

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

    # (d) one Independence Order through the whole proposal path, decided on the proposal
    assert path["awards"] == {"order_independence_3": {"person": 0, "unit": 1}}
    [lacking] = path["refusals"]  # proposed first without its achievement report
    assert "the dossier of 215-TTr/VPTW for order_independence_3 lacks bao_cao_mau_05" in lacking
    [line] = path["paths"]
    assert line == (
        "proposal 215-TTr/VPTW: VPTW -> BTDKT-TW returned 7/5 working days LATE -> VPTW "
        "resubmitted -> BTDKT-TW endorsed 15/20 working days -> VPCP endorsed 10/20 working days "
        "-> authority:chu-tich-nuoc decided 9/20 working days -> authority:chu-tich-nuoc "
        "forwarded 4/10 working days; public comment until 2025-09-29; objections: "
        "215-TTr/VPTW-O1 dismissed; decision 1520/QĐ-CTN"
    )
    assert_path_report(out)

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


def assert_path_report(out: Path) -> None:
    """The demo's report of movement (d) shows the path: every level, the late return and who
    held the file, the public comment and the dismissed objection, in JSON, CSV and both pages;
    its dossier files are the real ones shipped under demo/documents/."""
    stem = out / "reports" / "DH-VPTW-2020-2025"
    report = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    [path] = report["proposals"]
    assert (path["proposal"], path["status"], path["decision"]) == (
        "215-TTr/VPTW", "decided", "1520/QĐ-CTN")  # fmt: skip
    assert path["nominees"] == [{"id": "VPTW-V05", "name": "Vụ Lưu trữ", "kind": "unit"}]
    assert [(s["level"], s["action"], s["working_days"], s["limit_days"], s["late"])
            for s in path["steps"]] == [
        ("BTDKT-TW", "returned", 7, 5, True),
        ("VPTW", "resubmitted", None, None, False),
        ("BTDKT-TW", "endorsed", 15, 20, False),
        ("VPCP", "endorsed", 10, 20, False),
        ("authority:chu-tich-nuoc", "decided", 9, 20, False),
        ("authority:chu-tich-nuoc", "forwarded", 4, 10, False),  # the decision sent back
    ]  # fmt: skip
    assert path["late_steps"] == 1 and len(path["documents"]) == 4  # the confirmed report too
    assert (path["comment"]["days"], path["comment"]["ends"]) == (10, "2025-09-29")
    [objection] = path["objections"]
    assert (objection["about"], objection["channel"], objection["outcome"]) == (
        "VPTW-V05", "letter", "dismissed")  # fmt: skip
    assert report["open_for_comment"] == []  # decided: nothing open on the report's day
    steps = (stem.parent / f"{stem.name}-csv" / "proposal_steps.csv").read_text("utf-8-sig")
    assert "215-TTr/VPTW,1,BTDKT-TW,Ban Thi đua – Khen thưởng Trung ương," in steps
    vi = stem.with_suffix(".vi.html").read_text(encoding="utf-8")
    section = vi[vi.index('<section id="proposals">') : vi.index('<section id="comment">')]
    assert "Trả lại hồ sơ" in section and "Trễ hạn" in section and "7 / 5" in section
    assert "Không có cơ sở (bác bỏ)" in section and "Bước trễ hạn" in section
    en = stem.with_suffix(".en.html").read_text(encoding="utf-8")
    assert "The proposal path" in en and "Returned" in en and "Dismissed" in en
    shipped = Path(__file__).resolve().parents[2] / "demo" / "documents"
    for name in ("vptw-2025-to-trinh.txt", "vptw-2025-bao-cao-xac-nhan.txt",
                 "vptw-2025-don-phan-anh.txt"):  # fmt: skip
        assert (out / "inputs" / "dossier" / name).read_bytes() == (shipped / name).read_bytes()


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
    # where to see the proposal path: the report's section, `proposal show`, the comment list
    [page] = [s for s in steps if "the proposal path of the Independence Order:" in s]
    html, anchor = page.split(": ", 1)[1].split("#")
    assert anchor == "proposals" and 'id="proposals"' in Path(html).read_text(encoding="utf-8")
    [show] = [s for s in steps if "proposal show" in s]
    shown = CliRunner().invoke(cli, shlex.split(show.split("or ", 1)[1])[1:])
    assert shown.exit_code == 0, shown.output
    assert "LATE" in shown.stdout and "decision 1520/QĐ-CTN" in shown.stdout
    [then] = [s for s in steps if "as it stood open for public comment" in s]
    argv = shlex.split(then.split(":", 1)[1])
    argv[argv.index("--out") + 1] = str(out / "comment.vi.html")
    made = CliRunner().invoke(cli, argv[1:])
    assert made.exit_code == 0, made.output
    comment = (out / "comment.vi.html").read_text(encoding="utf-8")
    listed = comment[comment.index('<section id="comment">') :]
    assert "(VPTW-V05)" in listed and "29/09/2025" in listed and "Cách gửi ý kiến" in listed


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
