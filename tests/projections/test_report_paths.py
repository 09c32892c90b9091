"""The proposal path in the public report (given/when/then): a department's proposal is
returned late by the ministry, resubmitted, endorsed to the Central Board, which puts it to
public comment over a working week; one objection arrives. The report — JSON keys
`proposals` and `open_for_comment`, the CSV tables, the HTML sections in both languages —
tells each level's days against its limit, the late steps with who held the file, and, while
the period runs, who is proposed, until when, and how to object."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.usecases import decisions, proposals, registry
from projections.publication import publish_reports
from projections.report import movement_report
from projections.report.model import Report
from projections.report.render_csv import csv_files
from projections.report.render_html import render_html
from projections.report.render_json import render_json
from tests.conftest import ORIGIN, Keys
from tests.projections.path_ledger import path_ledger, report_on
from tests.projections.test_report_vietnamese import ALLOWED, english_left, visible_text, words
from tests.proposal_world import AWARD, M
from tests.world import MOVEMENT, World, at


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    """Given: tests/projections/path_ledger.py's ledger (TT-1 part way up, under comment)."""
    return path_ledger(apps(ledger_url), keys, tmp_path / "world-keys")


def table(report: Report, name: str) -> list[list[str]]:
    data = dict(csv_files(report))[name]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_report_tells_each_level_of_the_path_with_its_clock(world: World) -> None:
    report = report_on(world, "2026-02-27")

    [path] = json.loads(render_json(report))["proposals"]
    assert list(path) == [
        "proposal", "award", "status", "nominees", "unit", "unit_name", "decision", "holder",
        "steps", "late_steps", "comment", "objections", "proposer", "proposed_at", "basis",
        "documents", "overrides", "seq",
    ]  # fmt: skip
    assert (path["proposal"], path["award"], path["status"], path["holder"]) == (
        "TT-1", AWARD, "pending", "BAN")  # fmt: skip
    assert [n["id"] for n in path["nominees"]] == ["P7", "P8"]
    assert [(s["level"], s["action"], s["working_days"], s["limit_days"], s["deadline"],
             s["late"], s["by"]) for s in path["steps"]] == [
        ("BO", "returned", 8, 5, "2026-02-09", True, "sec-bo"),
        ("VU", "resubmitted", None, None, None, False, "sec-vu"),
        ("BO", "endorsed", 2, 20, "2026-03-20", False, "sec-bo"),  # Tết is not counted
        ("BAN", None, 3, 20, "2026-03-24", False, None),  # pending: counted to the 27th
    ]  # fmt: skip
    assert path["steps"][0]["reason"] == "Thiếu báo cáo thành tích"
    assert path["late_steps"] == 1
    assert (path["comment"]["days"], path["comment"]["ends"]) == (5, "2026-03-04")
    [objection] = path["objections"]
    assert (objection["objection"], objection["about"], objection["outcome"]) == (
        "TT-1-O1", "P8", None)  # fmt: skip


def test_report_lists_the_proposals_open_for_comment(world: World) -> None:
    report = report_on(world, "2026-02-27")

    [listed] = json.loads(render_json(report))["open_for_comment"]
    assert listed == {
        "proposal": "TT-1", "award": AWARD,
        "nominees": [{"id": "P7", "name": None, "kind": None},
                     {"id": "P8", "name": None, "kind": None}],
        "ends": "2026-03-04", "unit": "VU", "unit_name": None, "holder": "BAN",
        "holder_name": None, "opened": "2026-02-25T02:00:00Z", "days": 5, "objections": 1,
        "channels": ["letter", "email", "phone", "in_person", "website", "press", "hotline",
                     "other"],
    }  # fmt: skip  (people and units recorded later than the 27th are not known then)
    assert table(report, "open_for_comment.csv") == [
        ["proposal", "award", "nominee", "name", "kind", "ends", "unit", "holder", "opened",
         "days", "objections"],
        ["TT-1", AWARD, "P7", "", "", "2026-03-04", "VU", "BAN",
         "2026-02-25T02:00:00+00:00", "5", "1"],
        ["TT-1", AWARD, "P8", "", "", "2026-03-04", "VU", "BAN",
         "2026-02-25T02:00:00+00:00", "5", "1"],
    ]  # fmt: skip


def test_csv_tables_of_the_path(world: World) -> None:
    report = report_on(world, "2026-02-27")

    proposals_csv = table(report, "proposals.csv")
    assert proposals_csv[0] == [
        "proposal", "award", "status", "nominees", "unit", "unit_name", "decision", "holder",
        "late_steps", "comment_opened", "comment_days", "comment_ends", "objections",
        "proposer", "proposed_at", "basis", "documents", "seq",
    ]  # fmt: skip
    assert proposals_csv[1][:9] == ["TT-1", AWARD, "pending", "P7;P8", "VU", "", "", "BAN", "1"]
    steps = table(report, "proposal_steps.csv")
    assert steps[0] == [
        "proposal", "step", "level", "level_name", "received", "action", "acted", "by",
        "reason", "limit_step", "limit_days", "deadline", "working_days", "late", "note", "seq",
        "forwarding",
    ]  # fmt: skip
    assert [row[1:3] + row[9:14] for row in steps[1:]] == [
        ["1", "BO", "return_incomplete", "5", "2026-02-09", "8", "true"],
        ["2", "VU", "", "", "", "", "false"],
        ["3", "BO", "appraise_and_submit", "20", "2026-03-20", "2", "false"],
        ["4", "BAN", "appraise_and_submit", "20", "2026-03-24", "3", "false"],
    ]
    about = {(r[0], r[1]): r[2] for r in table(report, "report.csv")[1:]}
    assert [about[("proposals", k)] for k in ("total", "late_steps", "open_for_comment")] == [
        "1", "1", "1"]  # fmt: skip
    objections = table(report, "objections.csv")
    assert objections[0] == [
        "objection", "proposal", "about", "about_name", "channel", "outcome", "reason",
        "raised_at", "resolved_at", "raised_by", "resolved_by", "sha256", "seq", "resolved_seq",
    ]  # fmt: skip
    assert objections[1][:6] == ["TT-1-O1", "TT-1", "P8", "", "letter", ""]


def test_html_sections_in_both_languages(world: World) -> None:
    report = report_on(world, "2026-02-27")

    vi = render_html(report, "vi")
    path = vi[vi.index('<section id="proposals">') : vi.index('<section id="comment">')]
    assert "Quy trình đề nghị khen thưởng" in path
    assert "Trả lại hồ sơ" in path and "Lý do: Thiếu báo cáo thành tích" in path
    assert '<td class="num">8 / 5</td>' in path and "Trễ hạn" in path
    assert "Bước trễ hạn:</strong>" in path and '<span class="mono">sec-bo</span>' in path
    assert "Đang xử lý" in path and "Chưa giải quyết" in path
    assert "từ 25/02/2026 đến hết ngày 04/03/2026 (5 ngày làm việc)" in path
    comment = vi[vi.index('<section id="comment">') : vi.index('<section id="tallies">')]
    assert "Danh sách đang lấy ý kiến công khai vào ngày 27/02/2026." in comment
    assert '<span class="mono">(P7)</span>' in comment and "<strong>04/03/2026</strong>" in comment
    assert "Cách gửi ý kiến" in comment and "(BAN) trước hết ngày 04/03/2026" in comment
    assert "thư, đơn gửi qua bưu điện, thư điện tử, điện thoại" in comment
    assert english_left(report) == {}

    en = render_html(report, "en")
    assert "The proposal path" in en and "Open for public comment" in en
    assert "Returned" in en and "Late steps" in en and "Not resolved yet" in en
    assert "by the end of 2026-03-04, by any of: letter, email, telephone" in en


def test_a_pending_level_past_its_limit_is_late_and_named(world: World) -> None:
    """Then, six weeks later: BAN still holds the file past its 20 working days — a late step
    with who holds it; the comment period has ended, so nothing is open for comment."""
    report = report_on(world, "2026-04-10")

    [path] = report.proposals
    assert [(s.level, s.late) for s in path.steps if s.late] == [("BO", True), ("BAN", True)]
    assert report.open_for_comment == []
    vi = render_html(report, "vi")
    assert "(BAN)</span>: 33 ngày làm việc, quá thời hạn 20 ngày" in vi
    assert "chưa xử lý, vẫn đang giữ hồ sơ" in vi
    assert "Ngày 10/04/2026 không có danh sách nào của phong trào đang lấy ý kiến" in vi


def test_a_movement_without_proposals_has_no_path_section(world: World) -> None:
    report = movement_report(world.app, MOVEMENT)

    assert report.proposals == [] and report.open_for_comment == []
    data = json.loads(render_json(report))
    assert data["proposals"] == [] and data["open_for_comment"] == []
    assert table(report, "proposals.csv")[1:] == []
    assert 'id="proposals"' not in render_html(report, "vi")


def test_the_publication_lists_what_is_open_for_comment_on_its_day(
    world: World, keys: Keys, tmp_path: Path
) -> None:
    """`awards publish` writes comment.vi.html and comment.en.html: on a day of the period, the
    proposed people with their names, the period's end and how to object, linking the
    movement's report; the Vietnamese page has no English; on a later day, nothing is open."""
    size = int(registry.sign_new_checkpoint(world.app, keys.op)[0].splitlines()[1])
    out = tmp_path / "pub"
    out.mkdir()

    publish_reports(world.app, out, size, date(2026, 2, 27))

    vi = (out / "comment.vi.html").read_text(encoding="utf-8")
    assert "Danh sách đề nghị khen thưởng đang lấy ý kiến công khai" in vi
    assert 'Phạm Thị Hoa <span class="mono">(P7)</span> · Cá nhân' in vi
    assert "<strong>04/03/2026</strong>" in vi and "Cách gửi ý kiến" in vi
    assert "Ban Thi đua - Khen thưởng Trung ương (BAN) trước hết ngày 04/03/2026" in vi
    assert f'<a href="movements/{M}/report.vi.html">' in vi
    en = (out / "comment.en.html").read_text(encoding="utf-8")
    assert "Award proposals open for public comment" in en and "How to object" in en
    data = words([M, "Phạm Thị Hoa", "Đỗ Văn Nam", "Vụ Tổ chức", "Phong trào 2026", ORIGIN,
                  "Ban Thi đua - Khen thưởng Trung ương", AWARD])  # fmt: skip
    english = words(visible_text(en)) - data - ALLOWED
    assert words(visible_text(vi)) & english == set()

    publish_reports(world.app, out, size, date(2026, 3, 5))

    assert "không có danh sách nào đang lấy ý kiến" in (out / "comment.vi.html").read_text("utf-8")


def test_a_decision_over_the_comment_is_told_in_both_languages(world: World) -> None:
    """When the Prime Minister decides on TT-1 while its comment runs and its objection is
    open, under an override of rule public_comment, the report's checks show both signed
    findings — in Vietnamese on the Vietnamese page — and the path ends with the decision."""
    k = world.keys
    proposals.endorse(world.app, k["sec-ban"], "TT-1", to="authority:pm", at=at("2026-02-27"))
    decisions.decide_award(
        world.app, k["pm"], "QĐ-TT-1", movement_id=M, award=AWARD, recipients=[],
        proposal="TT-1", at=at("2026-02-27", 15),
        overrides={"public_comment": "Khen thưởng đột xuất"},
    )  # fmt: skip

    report = movement_report(world.app, M)

    [path] = report.proposals
    assert (path.status, path.decision) == ("decided", "QĐ-TT-1")
    decided, sending = path.steps[-2:]  # then the decision is to be sent to the unit
    assert (decided.action, sending.action, sending.forwarding) == ("decided", None, True)
    assert sending.limit_step == "forward_decision" and sending.limit_days == 10
    signed = sorted(c.detail for c in report.checks if c.rule == "public_comment")
    assert signed == [
        "objection TT-1-O1 about P8 is not resolved; override: Khen thưởng đột xuất",
        "the public comment on proposal TT-1 runs until 2026-03-04; override: Khen thưởng đột xuất",
    ]
    vi = render_html(report, "vi")
    assert "ý kiến phản ánh TT-1-O1 về P8 chưa được giải quyết" in vi
    assert "còn kéo dài đến hết ngày 04/03/2026" in vi
    assert "Lấy ý kiến công khai" in vi  # the rule's name
    assert "Chưa chuyển quyết định về đơn vị đề nghị" in vi
    assert english_left(report) == {}
