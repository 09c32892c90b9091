"""The report says only what is true of its movement and of its coverage: another movement's
findings stay out of it, and a report made right after `awards checkpoint` is fully covered by
that checkpoint (the checkpoint's own event adds nothing a movement's report shows)."""

from __future__ import annotations

import hashlib
from datetime import date

from domain.movement import Movement, movement_spec
from domain.registry import Unit
from domain.rulebook import DEFAULT_RULEBOOK
from ledger import codec
from ledger.usecases import registry
from projections.report import movement_report
from projections.report.i18n import LABELS
from projections.report.render_html import render_html
from projections.report.render_json import render_json
from projections.stream import Cut
from tests.projections.builder import CRITERIA, MOVEMENT, LedgerSink, at
from tests.projections.conftest import Scenario

OTHER = "TD-2020"


def _launch_other(scenario: Scenario) -> None:
    spec = hashlib.sha256(
        codec.ENCODER.encode(movement_spec(CRITERIA, "weighted_sum", DEFAULT_RULEBOOK))
    ).digest()
    other = Movement.launch(
        OTHER, "Phong trào thi đua năm 2020", start=date(2020, 1, 1), end=date(2020, 12, 31),
        unit_deadline=date(2020, 2, 18), cluster_deadline=None, criteria=CRITERIA,
        spec_hash=spec, at=at("2020-01-02"),
    )  # fmt: skip
    LedgerSink(scenario.app, scenario.keys).save("sec", [other])


def test_report_shows_only_its_movements_findings(sqlite_scenario: Scenario) -> None:
    _launch_other(sqlite_scenario)

    own = movement_report(sqlite_scenario.app, MOVEMENT)
    other = movement_report(sqlite_scenario.app, OTHER)

    [cascade] = [c for c in own.checks if c.rule == "cascade"]
    assert (cascade.status, cascade.subject) == ("violation", "P1")  # the annulment's cascade
    assert [(c.rule, c.status) for c in other.checks if c.status != "ok"] == []
    [clear] = [c for c in other.checks if c.rule == "cascade"]
    assert clear.subject == OTHER
    page = render_html(other, "vi")
    assert 'class="card alert"' not in page  # no red "violations" card
    assert ">P1<" not in page and "(P1)" not in page  # P1's cascade is not this movement's
    # nobody registered or awarded yet: no issuing unit is named, the operator is asked
    assert other.movement.issuer is not None and other.movement.issuer.unit is None
    assert "Xin ở đơn vị vận hành sổ cái (op);" in page


def _uncovered_note(lang: str) -> str:
    return LABELS[lang]["verify_uncovered"].split("{")[0]


def test_report_right_after_a_checkpoint_is_fully_covered(scenario: Scenario) -> None:
    app = scenario.app
    size = scenario.written.size
    registry.sign_new_checkpoint(app, scenario.keys["op"])  # appends its own event at `size`

    report = movement_report(app, MOVEMENT)

    assert (report.as_of.seq, report.checkpoint.size) == (size, size)
    assert (report.checkpoint.covers_report, report.checkpoint.uncovered) == (True, 0)
    assert report.as_of.root == report.checkpoint.root
    for lang in ("vi", "en"):
        page = render_html(report, lang)
        assert _uncovered_note(lang) not in page
        assert LABELS[lang]["verify_covered"] in page
    # the page's "the very same report again" command gives the very same bytes
    again = movement_report(app, MOVEMENT, Cut(at_seq=size))
    assert render_json(again) == render_json(report)
    # time travel asked for explicitly is kept: the checkpoint's event is then uncovered
    asked = movement_report(app, MOVEMENT, Cut(at_seq=size + 1))
    assert (asked.as_of.seq, asked.checkpoint.uncovered) == (size + 1, 1)


def test_report_after_new_events_still_warns(scenario: Scenario) -> None:
    app = scenario.app
    size = scenario.written.size
    registry.sign_new_checkpoint(app, scenario.keys["op"])
    LedgerSink(app, scenario.keys).save("sec", [Unit.add("PH9", "Phòng mới", "division", None)])

    report = movement_report(app, MOVEMENT)

    assert (report.as_of.seq, report.checkpoint.size) == (size + 2, size)
    assert (report.checkpoint.covers_report, report.checkpoint.uncovered) == (False, 2)
    assert _uncovered_note("vi") in render_html(report, "vi")
