"""The public report: docs/REPORTS.md's JSON keys, annulled awards listed but not counted, the
checkpoint that commits to it, CSV tables, and one self-contained, escaped HTML page."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ledger.application import open_ledger
from ledger.keys import generate_key
from ledger.verify import audit
from projections.report import movement_report
from projections.report.render_csv import write_csv
from projections.report.render_html import render_html
from projections.report.render_json import render_json
from projections.stream import Cut
from tests.projections.builder import MOVEMENT, build
from tests.projections.conftest import Scenario

SPEC_KEYS = {
    "movement": {"id", "name", "start", "end"},
    "as_of": {"seq", "time"},
    "checkpoint": {"origin", "size", "root", "note"},
}
AWARD_KEYS = {
    "decision", "award", "recipient", "recipient_kind", "unit_level", "authority", "date",
    "basis", "annulled", "override_reason",
}  # fmt: skip
TOP_KEYS = {
    "movement", "as_of", "checkpoint", "awards", "summary", "sessions", "standings",
    "registrations", "checks", "signers", "holds", "outstanding_recoveries", "proposals",
    "open_for_comment",
}  # fmt: skip


def _json(scenario: Scenario, cut: Cut | None = None) -> dict:  # type: ignore[type-arg]
    return json.loads(render_json(movement_report(scenario.app, MOVEMENT, cut)))


# -- JSON ---------------------------------------------------------------------------------------


def test_report_json_has_every_key_of_the_spec(shared: Scenario) -> None:
    doc = _json(shared)

    assert set(doc) == TOP_KEYS
    for key, wanted in SPEC_KEYS.items():
        assert wanted <= set(doc[key]), key
    assert doc["awards"] and all(AWARD_KEYS <= set(a) for a in doc["awards"])
    assert {a["recipient_kind"] for a in doc["awards"]} == {"person", "unit"}
    assert {"awards", "by_unit_level", "direct_worker_share"} <= set(doc["summary"])
    for counts in doc["summary"]["awards"].values():
        assert set(counts) == {"person", "unit"}
    for session in doc["sessions"]:
        assert {"id", "title", "mode", "members", "ballots", "results"} <= set(session)
        for result in session["results"]:
            assert {"nominee", "yes", "no", "passed"} <= set(result)
    for row in doc["standings"]:
        assert {"participant", "total", "rank", "criteria"} <= set(row)
    assert {"total", "late"} <= set(doc["registrations"])
    assert all({"participant", "at", "deadline"} <= set(x) for x in doc["registrations"]["late"])
    assert doc["checks"] and all(
        {"rule", "status", "subject", "detail"} <= set(c) for c in doc["checks"]
    )
    assert {c["status"] for c in doc["checks"]} == {"ok", "violation", "override"}
    assert all({"name", "roles", "key_id", "revoked"} <= set(s) for s in doc["signers"])


def test_report_json_values(shared: Scenario) -> None:
    doc = _json(shared)

    assert doc["movement"] | {"start": "2019-01-01", "end": "2019-12-31"} == doc["movement"]
    assert doc["as_of"]["seq"] == shared.written.size
    assert doc["registrations"]["total"] == 5
    assert [x["participant"] for x in doc["registrations"]["late"]] == ["P4"]
    assert doc["registrations"]["late"][0]["deadline"] == "2019-02-18"
    assert [s["participant"] for s in doc["standings"]][:2] == ["P1", "P3"]
    assert doc["standings"][0] | {"total": 22.0, "rank": 1} == doc["standings"][0]
    assert doc["standings"][0]["criteria"] == {"c1": 9.0, "c2": 4.0}
    secret = next(s for s in doc["sessions"] if s["id"] == "S-CSTD")
    assert (secret["mode"], secret["ballots"], secret["members"]) == (
        "secret",
        3,
        ["ct", "uv1", "uv2"],
    )
    assert doc["summary"]["direct_worker_share"] == 0.5
    quota = {q["unit"]: q for q in doc["summary"]["quota"]}
    assert quota["PH1"] == {"unit": "PH1", "year": 2019, "advanced": 1, "fighters": 1, "limit": 0,
                            "share": "15 %", "status": "override", "flagged": 1,
                            "regime": "2003", "on": "2019-12-25", "statute": None,
                            "statute_status": "ok"}  # fmt: skip
    assert quota["VU1"]["status"] == "ok"
    rules = {c["rule"] for c in doc["checks"]}
    # each finding names the regime it was judged by and the rule's legal citation there
    quota_check = next(c for c in doc["checks"] if c["rule"] == "quota" and c["subject"] == "PH1")
    assert (quota_check["regime"], quota_check["citation"]) == (
        "2003",
        "Nghị định 91/2017/NĐ-CP, Điều 9, khoản 3",
    )
    assert all(c["regime"] in ("2003", "2024", "2025") and c["citation"] for c in doc["checks"])
    assert {"quota", "deadline", "review", "competence", "conflict_of_interest"} <= rules
    assert {"annulment", "cascade", "one_award", "order", "prerequisites"} <= rules
    assert {s["name"] for s in doc["signers"]} >= {"op", "sec", "bt"}
    assert all(len(s["key_id"]) == 16 for s in doc["signers"])


def test_annulled_award_is_listed_and_not_counted_in_summary(shared: Scenario) -> None:
    doc = _json(shared)

    annulled = [a for a in doc["awards"] if a["annulled"]]
    assert [(a["decision"], a["recipient"]) for a in annulled] == [("01/QĐ-VPQH", "P1")]
    assert annulled[0]["annulment"]["ground"] == "false_declaration"
    summary = doc["summary"]
    assert summary["awards"]["advanced_worker"] == {"person": 2, "unit": 0}
    assert (
        sum(c["person"] + c["unit"] for c in summary["awards"].values()) == len(doc["awards"]) - 1
    )
    assert sum(summary["by_unit_level"].values()) == len(doc["awards"]) - 1
    flagged = next(a for a in doc["awards"] if a["decision"] == "02/QĐ-VPQH")
    assert flagged["flags"] and not flagged["annulled"]


def test_report_json_is_stable(shared: Scenario) -> None:
    first = render_json(movement_report(shared.app, MOVEMENT))
    again = render_json(movement_report(shared.app, MOVEMENT))

    assert first == again
    assert first.decode("utf-8").count("Nguyễn Văn An") >= 1  # UTF-8, not \\u escapes


# -- the checkpoint ------------------------------------------------------------------------------


def test_report_names_the_checkpoint_and_verify_confirms_it(shared: Scenario) -> None:
    doc = _json(shared)
    cp = doc["checkpoint"]

    assert (cp["size"], cp["covers_report"]) == (shared.written.checkpoint_size, False)
    assert cp["uncovered"] == shared.written.size - shared.written.checkpoint_size
    assert cp["note"].splitlines()[:2] == [cp["origin"], str(cp["size"])]
    result = audit(shared.app, [cp["note"]], shared.op_public, workers=1)
    assert result.ok, result.problems


def test_report_before_any_checkpoint_says_so(shared: Scenario) -> None:
    doc = _json(shared, Cut(at_seq=40))

    cp = doc["checkpoint"]
    assert (cp["size"], cp["root"], cp["note"], cp["covers_report"]) == (None, None, None, False)
    assert cp["later_size"] == shared.written.checkpoint_size
    assert doc["as_of"]["seq"] == 40


# -- CSV ------------------------------------------------------------------------------------------


def test_csv_writes_one_file_per_table_with_its_columns(shared: Scenario, tmp_path: Path) -> None:
    written = write_csv(movement_report(shared.app, MOVEMENT), tmp_path / "csv")

    names = {p.name for p in written}
    assert names == {
        "awards.csv", "standings.csv", "sessions.csv", "session_results.csv", "checks.csv",
        "signers.csv", "late_registrations.csv", "quota.csv", "summary_awards.csv",
        "summary_unit_levels.csv", "report.csv", "criteria.csv", "checkpoint.txt", "holds.csv",
        "outstanding_recoveries.csv",
        "proposals.csv", "proposal_steps.csv", "objections.csv", "open_for_comment.csv",
    }  # fmt: skip

    def rows(name: str) -> list[dict[str, str]]:
        with (tmp_path / "csv" / name).open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    awards = rows("awards.csv")
    assert AWARD_KEYS <= set(awards[0])
    assert [(a["recipient"], a["annulled"]) for a in awards if a["decision"] == "01/QĐ-VPQH"] == [
        ("P1", "true"), ("P2", "false"), ("P3", "false"),
    ]  # fmt: skip
    standings = rows("standings.csv")
    assert list(standings[0]) == ["rank", "participant", "name", "kind", "total", "c1", "c2",
                                  "self_c1", "self_c2", "at"]  # fmt: skip
    at_of = {r["participant"]: r["at"] for r in standings}
    # the latest effective time among the appraisals counted: P3's correction, P2's re-check
    assert (at_of["P1"], at_of["P3"]) == ("2019-11-01T02:00:00+00:00", "2019-11-05T02:00:00+00:00")
    assert (at_of["P2"], at_of["P4"]) == ("2020-03-02T02:00:00+00:00", "")  # P4: self only
    assert standings[0] | {"participant": "P1", "name": "Nguyễn Văn An"} == standings[0]
    assert rows("late_registrations.csv")[0]["override_reason"] == "hồ sơ giấy nộp đúng hạn"
    assert {r["status"] for r in rows("checks.csv")} == {"ok", "violation", "override"}
    assert rows("summary_awards.csv")[0].keys() == {"award", "person", "unit"}
    results = rows("session_results.csv")
    assert {
        "session": "S-AW",
        "nominee": "P3",
        "yes": "2",
        "no": "1",
        "passed": "true",
    }.items() <= (next(r for r in results if r["nominee"] == "P3").items())
    about = {(r["section"], r["key"]): r["value"] for r in rows("report.csv")}
    assert (
        about[("movement", "spec_hash")] == movement_report(shared.app, MOVEMENT).movement.spec_hash
    )
    assert (
        (tmp_path / "csv" / "checkpoint.txt")
        .read_text(encoding="utf-8")
        .startswith("example.gov.vn/awards/test\n")
    )


def test_csv_cells_never_start_a_spreadsheet_formula() -> None:
    from projections.report.render_csv import _cell

    assert _cell('=HYPERLINK("http://x","bấm")') == '\'=HYPERLINK("http://x","bấm")'
    assert [_cell(v) for v in ("+1", "@SUM(A1)", "-x", "Nguyễn")] == [
        "'+1",
        "'@SUM(A1)",
        "'-x",
        "Nguyễn",
    ]
    assert [_cell(v) for v in (-1, 2.5, None, True, ["a", "b"])] == ["-1", "2.5", "", "true", "a;b"]


# -- HTML -----------------------------------------------------------------------------------------


def test_html_is_vietnamese_by_default_with_diacritics(shared: Scenario) -> None:
    page = render_html(movement_report(shared.app, MOVEMENT))

    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    wanted = [
        "Báo cáo công khai kết quả thi đua, khen thưởng", "Lao động tiên tiến",
        "Chiến sĩ thi đua cơ sở", "Khen thưởng theo cấp đơn vị", "Kiểm chứng báo cáo này",
        "Nguyễn Văn An", "Đã hủy bỏ", "Khai man hồ sơ", "Bỏ phiếu kín", "Cấp Phòng",
    ]  # fmt: skip
    for text in wanted:
        assert text in page, text
    assert "Annulled" not in page


def test_html_in_english(shared: Scenario) -> None:
    page = render_html(movement_report(shared.app, MOVEMENT), "en")

    assert '<html lang="en">' in page
    for text in ("Public report on emulation and commendation", "Advanced worker",
                 "Awards by unit level", "Verify this report", "False declaration",
                 "Secret ballot", "Key fingerprint"):  # fmt: skip
        assert text in page, text


def test_html_is_self_contained(shared: Scenario) -> None:
    page = render_html(movement_report(shared.app, MOVEMENT))

    assert "<script" not in page.lower()
    assert "<svg" in page and "@media print" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<link" not in page and "src=" not in page


def test_html_shows_the_checkpoint_note_and_the_commands(shared: Scenario) -> None:
    report = movement_report(shared.app, MOVEMENT)
    page = render_html(report, "en")

    assert report.checkpoint.note is not None
    assert report.checkpoint.note.splitlines()[2] in page
    assert "awards --ledger awards.db verify --checkpoint checkpoint.txt" in page
    assert f"--at-seq {report.as_of.seq}" in page
    assert "goes 5 events past the latest checkpoint" in page
    assert report.as_of.root in page and report.movement.spec_hash in page


EVIL = '<script>document.title="pwned"</script><b>x</b>'


@pytest.fixture(scope="module")
def evil_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A report whose unit name and override reason carry markup."""
    app = open_ledger(str(tmp_path_factory.mktemp("evil") / "ledger.db"))
    try:
        build(app, generate_key(), generate_key(), unit_name=EVIL)
        return render_html(movement_report(app, MOVEMENT))
    finally:
        app.close()


def test_html_escapes_everything_from_the_ledger(evil_page: str) -> None:
    assert "<script>" not in evil_page
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in evil_page
    assert "<b>x</b>" not in evil_page


# -- a real browser ------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_renders_in_a_real_browser(evil_page: str, tmp_path: Path) -> None:
    """Headless Chromium renders the page (the one with markup in a unit name): the text is
    there, the markup shows as text, nothing runs, and the console reports no error."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    html, shot = tmp_path / "report.html", tmp_path / "report.png"
    html.write_text(evil_page, encoding="utf-8")

    browser = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", f"--screenshot={shot}", "--window-size=1200,1600", html.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip

    assert browser.returncode == 0, browser.stderr[-2000:]
    dom = browser.stdout
    for text in ("Báo cáo công khai kết quả thi đua, khen thưởng", "Chiến sĩ thi đua cơ sở",
                 "Kiểm chứng báo cáo này", "Nguyễn Văn An", "Khai man hồ sơ"):  # fmt: skip
        assert text in dom, text
    assert "<title>Báo cáo công khai kết quả thi đua, khen thưởng" in dom  # not "pwned"
    assert "&lt;script&gt;document.title" in dom and "<script>" not in dom
    assert "Uncaught" not in browser.stderr and ":CONSOLE" not in browser.stderr
    assert shot.stat().st_size > 10_000
