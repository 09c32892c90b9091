"""The citizen's page: every string of the Vietnamese page is Vietnamese (a scan of its text for
the English words the English page uses), ids are shown with their names, and the page names
the issuing body and says where to get the ledger and the operator's key, with the commands.

Run on the test scenario and on the demo's three movements (the seed scenarios)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from domain.movement import Movement
from domain.registry import Signer, SignerKey
from ledger.application import open_ledger
from ledger.keys import generate_key, raw_public_key
from projections.report import movement_report
from projections.report.details import SHAPES, UNTRANSLATED, detail_text, is_translated
from projections.report.i18n_page import RULES_DOC
from projections.report.model import Report
from projections.report.render_html import render_html
from projections.report.render_json import render_json
from tests.projections.builder import CRITERIA, MOVEMENT, LedgerSink, at
from tests.projections.conftest import DEMO_MOVEMENTS, Scenario

# Names of files, folders, programs and JSON fields the page tells a reader to use, and proper
# nouns: the same in every language.
ALLOWED = {
    "merkle", "award", "ledger", "awards", "checkpoint", "tile", "operator", "movements",
    "new_root", "old_root",
}  # fmt: skip
# JSON fields holding the report's own English words (translated on the page), not data.
ENGLISH_FIELDS = {
    "detail", "flags", "formula_text", "threshold", "quorum", "fighter_quota", "share",
    "status", "rule", "award", "title", "mode", "kind", "recipient_kind", "unit_level", "roles",
    "competence", "ground", "overridden_rules", "formula", "source", "rulebook",
    "action", "outcome", "channel", "channels", "limit_step", "note",
}  # fmt: skip
VOID = {"br", "meta", "hr", "img", "input", "link", "wbr"}
WORD = re.compile(r"(?<![^\W\d_])[A-Za-z][A-Za-z_]{3,}(?![^\W\d_])")


class _Text(HTMLParser):
    """The visible text of a page, leaving out code, the signed note and `mono` ids."""

    def __init__(self) -> None:
        super().__init__()
        self.skip: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in ("style", "code", "pre", "title") or "mono" in classes
        self.skip.append(hidden or bool(self.skip and self.skip[-1]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.skip:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not (self.skip and self.skip[-1]) and data.strip():
            self.parts.append(data.strip())


def visible_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.parts


def words(texts: list[str]) -> set[str]:
    return {w.lower() for t in texts for w in WORD.findall(t) if not w.isupper()}


def data_strings(value: Any, key: str = "") -> Iterator[str]:
    """Every string of the JSON report that is data (names, ids, reasons, the note)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from data_strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from data_strings(item, key)
    elif isinstance(value, str) and key not in ENGLISH_FIELDS:
        yield value


def english_left(report: Report) -> dict[str, list[str]]:
    """The English page's own words found in the Vietnamese page's text, with where."""
    data = words(list(data_strings(json.loads(render_json(report)))))
    english = words(visible_text(render_html(report, "en"))) - data - ALLOWED
    found: dict[str, list[str]] = {}
    for text in visible_text(render_html(report, "vi")):
        for word in words([text]) & english:
            found.setdefault(word, []).append(text[:120])
    return found


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out / "ledger.db"


@pytest.fixture(scope="module")
def demo_reports(demo_ledger: Path) -> dict[str, Report]:
    app = open_ledger(str(demo_ledger), create=False)
    try:
        return {m: movement_report(app, m) for m in DEMO_MOVEMENTS}
    finally:
        app.close()


def test_vi_page_of_the_scenario_has_no_english(shared: Scenario) -> None:
    report = movement_report(shared.app, MOVEMENT)
    assert {c.status for c in report.checks} == {"ok", "violation", "override"}
    assert english_left(report) == {}


@pytest.mark.parametrize("movement", DEMO_MOVEMENTS)
def test_vi_page_of_the_demo_has_no_english(demo_reports: dict[str, Report], movement: str) -> None:
    report = demo_reports[movement]
    assert english_left(report) == {}
    page = render_html(report, "vi")
    for phrase in ("no finding", "decisions checked", "none late", "lacks", UNTRANSLATED):
        assert phrase not in page, phrase


def test_the_scan_finds_english_left_on_the_vi_page(shared: Scenario) -> None:
    """The scan itself can fail: a check detail no shape knows stays English, and is found."""
    report = movement_report(shared.app, MOVEMENT)
    # (not "quota": rule names are data now, in the signed overrides' "rule: reason")
    report.checks[0].detail = "ceiling exceeded by someone"
    left = english_left(report)
    assert set(left) >= {"ceiling", "exceeded", "someone"}


def test_every_detail_and_flag_of_the_reports_is_translated(
    shared: Scenario, demo_reports: dict[str, Report]
) -> None:
    reports = [movement_report(shared.app, MOVEMENT), *demo_reports.values()]
    details = [c.detail for r in reports for c in r.checks]
    details += [f for r in reports for row in r.awards for f in row.flags]
    assert [d for d in details if not is_translated(d)] == []
    assert len({d.split(" ")[-1] for d in details}) > 5  # many kinds of detail were seen


def test_details_read_as_vietnamese() -> None:
    assert detail_text("10 decisions checked", "vi") == "đã kiểm tra 10 quyết định"
    assert detail_text("no finding", "vi") == "không phát hiện vi phạm"
    assert detail_text(
        "recipient 'NDH-03' lacks advanced_worker for 2019, which emulation_fighter_base needs",
        "vi",
    ) == ("'NDH-03' chưa có Lao động tiên tiến năm 2019, là điều kiện của Chiến sĩ thi đua cơ sở")
    assert detail_text(
        "registered 2020-02-20T01:30:00+00:00 (appended 2026-12-04T18:03:46+00:00), after the "
        "deadline 2020-02-18; override: Công văn gửi ngày 17/02",
        "vi",
    ) == (
        "đăng ký lúc 20/02/2020 08:30:00 (UTC+7) (ghi vào sổ cái lúc 05/12/2026 01:03:46 "
        "(UTC+7)), sau hạn 18/02/2020; lý do vượt quy tắc: Công văn gửi ngày 17/02"
    )
    assert detail_text("something new", "en") == "something new"
    assert detail_text("something new", "vi") == UNTRANSLATED + "something new"
    assert all("{" not in vi or "}" in vi for _, vi in SHAPES)


def test_ids_are_shown_with_their_names(shared: Scenario) -> None:
    page = render_html(movement_report(shared.app, MOVEMENT), "vi")
    for c in CRITERIA:  # standings columns
        assert f'{c.name} <span class="mono">({c.id})</span></th>' in page
    decisions = page[page.index('<section id="decisions">') : page.index('<section id="tallies">')]
    assert 'Phòng Hành chính <span class="mono">(PH1)</span>' in decisions  # recipients' units
    quota = page[page.index('<section id="quota">') : page.index('<section id="overrides">')]
    assert '<td>Phòng Hành chính <span class="mono">(PH1)</span></td>' in quota


def test_page_names_the_issuing_body_and_where_to_get_the_ledger(shared: Scenario) -> None:
    report = movement_report(shared.app, MOVEMENT)
    issuer = report.movement.issuer
    assert issuer is not None
    assert (issuer.unit, issuer.name, issuer.source) == (
        "VPQH",
        "Văn phòng Quốc hội",
        "participants",
    )
    assert (issuer.launched_by, issuer.operator) == ("sec", "op")
    op_key = next(s.key_id for s in report.signers if s.name == "op")
    assert issuer.operator_key_id == op_key
    assert json.loads(render_json(report))["movement"]["issuer"]["unit"] == "VPQH"

    page = render_html(report, "vi")
    header = page[: page.index("</header>")]
    assert 'Cơ quan, đơn vị tổ chức</dt><dd>Văn phòng Quốc hội <span class="mono">(VPQH)' in header
    verify = page[page.index('<section id="verify">') :]
    assert "bản sao sổ cái" in verify and "khóa công khai của đơn vị vận hành" in verify
    assert f"Dấu vân tay của khóa: {op_key}" in verify
    assert "<code>awards verify-publication DIR --operator-pub DIR/operator.pub</code>" in verify
    assert "<code>awards --ledger awards.db verify --checkpoint checkpoint.txt" in verify
    assert f'<a href="{RULES_DOC}"><code>{RULES_DOC}</code></a>' in verify


def test_demo_issuers(demo_reports: dict[str, Report]) -> None:
    named = {m: r.movement.issuer for m, r in demo_reports.items()}
    assert {m: (i.unit, i.source) for m, i in named.items() if i} == {
        "TD-VPQH-2020": ("VPQH", "participants"),
        "TD-BTB-2019-H1": ("CUM-BTB", "participants"),  # the cluster's movement
        "DH-VPTW-2015-2020": ("VPTW", "recipients"),
        "DH-VPTW-2020-2025": ("VPTW", "recipients"),  # the proposal path's (d)
    }


def test_issuer_is_the_launchers_unit_when_recorded(sqlite_scenario: Scenario) -> None:
    keys = sqlite_scenario.keys
    keys["sec2"] = generate_key()
    public = raw_public_key(keys["sec2"])
    sink = LedgerSink(sqlite_scenario.app, keys)
    sink.save("op", [Signer.register("sec2", public, ["secretary"], "VU1"),  # type: ignore[arg-type]
                     SignerKey.claim(public, "sec2")])  # fmt: skip
    launched = Movement.launch(
        "TD-VU1", "Thi đua của Vụ", start=at("2020-01-01").date(), end=at("2020-12-31").date(),
        unit_deadline=at("2020-02-01").date(), cluster_deadline=None, criteria=CRITERIA,
        spec_hash=bytes(32), at=at("2020-01-02"),
    )  # fmt: skip
    sink.save("sec2", [launched])

    issuer = movement_report(sqlite_scenario.app, "TD-VU1").movement.issuer
    assert issuer is not None
    assert (issuer.unit, issuer.name, issuer.source) == ("VU1", "Vụ Tổ chức – Cán bộ", "launcher")
