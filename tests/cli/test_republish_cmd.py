"""A republish (`awards publish DIR` again) keeps the reports and statistics as made at an
earlier checkpoint only when no new event can change them (projections/publication_state.py):
what it keeps equals what a full render at the new size shows, but for the checkpoint each
names; anything else is rendered again; a tampered kept file or state is never built upon; and
`verify-publication` checks the root each report names."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import Result
from cryptography.hazmat.primitives import serialization

from ledger.keys import public_key_from_raw
from ledger.usecases import registry, workflow
from projections.publication_state import STATE_FILE, NewEntries, strings_in
from projections.rules_doc import rules_markdown
from tests.conftest import Cli
from tests.projections.builder import CRITERIA, MOVEMENT, at
from tests.projections.conftest import Scenario, scenario

__all__ = ["scenario"]  # the fixture used here

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
REPORT = f"movements/{MOVEMENT}/report.json"
STATISTICS = "statistics/2019/statistics.json"


def _ok(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def signed(scenario: Scenario) -> Scenario:
    """The scenario with a checkpoint over all of it (it ends with events past its last)."""
    registry.sign_new_checkpoint(scenario.app, scenario.keys["op"])
    return scenario


def _publish(awards: Cli, out: Path) -> dict[str, Any]:
    return _ok(awards("publish", out, "--json"))


def _without_checkpoint(path: Path) -> dict[str, Any]:
    """A report's or statistics' JSON without what names the tree it was made at."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("as_of", "checkpoint"):
        data.pop(key)
    return data  # type: ignore[no-any-return]


def _human_files(out: Path) -> dict[str, dict[str, Any]]:
    names = sorted(out.glob("movements/*/report.json")) + sorted(
        out.glob("statistics/*/statistics.json")
    )
    assert names
    return {str(p.relative_to(out)): _without_checkpoint(p) for p in names}


def _inert(s: Scenario, tag: str) -> None:
    """A new agency with a department and two people in it, and a checkpoint over them."""
    sec = s.keys["sec"]
    registry.add_unit(s.app, sec, f"{tag}-A", f"Cơ quan {tag}", "agency", None)
    registry.add_unit(s.app, sec, f"{tag}-D", f"Phòng {tag}", "division", f"{tag}-A")
    for i in range(2):
        registry.add_person(s.app, sec, f"{tag}-P{i}", f"Người {tag} {i}", f"{tag}-D")
    registry.sign_new_checkpoint(s.app, s.keys["op"])


def _operator_pub(s: Scenario, tmp_path: Path) -> Path:
    path = tmp_path / "operator.pub"
    key = public_key_from_raw(s.op_public)
    path.write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _verify(awards: Cli, out: Path, pub: Path) -> Result:
    return awards("verify-publication", out, "--operator-pub", pub, ledger=False)


def test_inert_events_keep_the_reports_which_equal_a_full_render_but_for_the_checkpoint(
    signed: Scenario, awards: Cli, tmp_path: Path
) -> None:
    scenario = signed
    out, fresh = tmp_path / "pub", tmp_path / "fresh"
    first = _publish(awards, out)
    report = out / REPORT
    made = report.stat().st_mtime_ns, report.read_bytes()
    # when a new agency, its department and people are added, twice, and republished
    for tag in ("N1", "N2"):
        _inert(scenario, tag)
        again = _publish(awards, out)
        # then the reports and statistics are kept, as made at the first size
        assert again["reports_made_at"] == {MOVEMENT: first["size"]}
        assert again["statistics_made_at"] == first["size"] < again["size"]
        assert (report.stat().st_mtime_ns, report.read_bytes()) == made
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"checkpoint of {first['size']} events" in index
    assert f"điểm kiểm tra {first['size']} sự kiện" in index
    # and a full render at the new size says the same, but for the tree it names
    full = _publish(awards, fresh)
    assert full["reports_made_at"] == {MOVEMENT: full["size"]}
    assert full["statistics_made_at"] == full["size"] == again["size"]
    assert _human_files(out) == _human_files(fresh)
    assert json.loads(report.read_text())["as_of"]["seq"] == first["size"]
    # and the publication checks out, the kept report's root at its own size included
    pub = _operator_pub(scenario, tmp_path)
    assert _verify(awards, out, pub).exit_code == 0


@pytest.mark.parametrize(
    "change",
    [
        "person in an existing unit",
        "unit below an existing unit",
        "a unit a report names",
    ],
)
@SQLITE_ONLY
def test_events_that_may_change_a_report_render_everything_again(
    signed: Scenario, awards: Cli, tmp_path: Path, change: str
) -> None:
    scenario = signed
    out, fresh = tmp_path / "pub", tmp_path / "fresh"
    _publish(awards, out)
    sec = scenario.keys["sec"]
    if change == "person in an existing unit":  # counted in the unit's headcount
        registry.add_person(scenario.app, sec, "X-P", "Người X", "VU1")
    elif change == "unit below an existing unit":  # a member of a collective
        registry.add_unit(scenario.app, sec, "X-U", "Phòng X", "division", "VU1")
    else:  # at the top, but with an id the report mentions (here: the movement's own id)
        assert f'"{MOVEMENT}"' in (out / REPORT).read_text()
        registry.add_unit(scenario.app, sec, MOVEMENT, "Tên mới", "agency", None)
    registry.sign_new_checkpoint(scenario.app, scenario.keys["op"])
    again = _publish(awards, out)
    assert again["reports_made_at"] == {MOVEMENT: again["size"]}
    assert again["statistics_made_at"] == again["size"]
    assert json.loads((out / REPORT).read_text())["as_of"]["seq"] == again["size"]
    _publish(awards, fresh)
    assert _human_files(out) == _human_files(fresh)


@SQLITE_ONLY
@pytest.mark.parametrize("what", ["report", "state", "comment"])
def test_a_tampered_kept_file_or_state_is_not_built_upon(
    signed: Scenario, awards: Cli, tmp_path: Path, what: str
) -> None:
    scenario = signed
    out = tmp_path / "pub"
    _publish(awards, out)
    truth = {
        name: (out / name).read_bytes()
        for name in (REPORT, "comment.vi.html", f"movements/{MOVEMENT}/report.vi.html")
    }
    if what == "report":  # a kept report edited: its hash no longer matches the state's
        target = out / f"movements/{MOVEMENT}/report.vi.html"
        target.write_bytes(target.read_bytes().replace(b"</body>", b"<p>forged</p></body>"))
    elif what == "state":  # the state edited to list the forged file's hash: its seal breaks
        state = (out / STATE_FILE).read_bytes()
        (out / STATE_FILE).write_bytes(state.replace(b'"made_at":', b'"made_at": ', 1))
    else:
        (out / "comment.vi.html").write_text("forged", encoding="utf-8")
    _inert(scenario, "N1")
    again = _publish(awards, out)
    if what == "comment":  # only the comment pages are made again (they name the new size)
        assert again["reports_made_at"][MOVEMENT] < again["size"]
        assert "forged" not in (out / "comment.vi.html").read_text(encoding="utf-8")
        assert (out / REPORT).read_bytes() == truth[REPORT]
    else:  # everything is rendered again, at the new size: the forged page is gone
        assert again["reports_made_at"][MOVEMENT] == again["size"]
        assert b"forged" not in (out / f"movements/{MOVEMENT}/report.vi.html").read_bytes()


@SQLITE_ONLY
def test_verify_publication_refuses_a_report_naming_a_root_the_log_does_not_have(
    signed: Scenario, awards: Cli, tmp_path: Path
) -> None:
    scenario = signed
    out = tmp_path / "pub"
    _publish(awards, out)
    _inert(scenario, "N1")
    _publish(awards, out)  # the report kept from the first checkpoint
    pub = _operator_pub(scenario, tmp_path)
    assert _verify(awards, out, pub).exit_code == 0
    report = out / REPORT
    data = json.loads(report.read_text())
    root = data["as_of"]["root"]
    forged = root[:-1] + ("0" if root[-1] != "0" else "1")
    report.write_text(report.read_text().replace(root, forged), encoding="utf-8")
    refused = _verify(awards, out, pub)
    assert refused.exit_code == 4
    assert f"{REPORT}: names root {forged}" in refused.stdout


def test_new_entries_are_inert_only_when_new_to_what_is_kept(scenario: Scenario) -> None:
    app, sec = scenario.app, scenario.keys["sec"]
    start = app.tree()[0].size
    registry.add_unit(app, sec, "T-A", "Cơ quan T", "agency", None)
    registry.add_person(app, sec, "T-P", "Người T", "T-A")
    seen = NewEntries()
    for first, rows in app.reader.pages(start):
        for seq, row in enumerate(rows, first):
            seen.see(seq, bytes(row.state))
    assert seen.count == 2 and seen.untouched(set())
    assert not seen.untouched({"T-P"}) and not seen.untouched({"T-A"})
    registry.add_person(app, sec, "T-Q", "Người Q", "VU1")  # an existing unit
    for first, rows in app.reader.pages(start + 2):
        for seq, row in enumerate(rows, first):
            seen.see(seq, bytes(row.state))
    assert seen.count == 3 and not seen.untouched(set())


@SQLITE_ONLY
def test_published_reports_link_the_publications_own_copy_of_the_rules(
    signed: Scenario, awards: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "pub"
    _publish(awards, out)
    rules = (out / "RULES.md").read_text(encoding="utf-8")
    assert rules == rules_markdown() and "Law" in rules
    for lang in ("vi", "en"):
        page = (out / f"movements/{MOVEMENT}/report.{lang}.html").read_text(encoding="utf-8")
        assert '<a href="../../RULES.md"><code>RULES.md</code></a>' in page
        assert "docs/RULES.md" not in page  # a path in the source tree, not in the site
    assert '<a href="RULES.md">' in (out / "index.html").read_text(encoding="utf-8")
    # while `awards report` alone still names the source's document
    alone = awards("report", MOVEMENT, "--format", "html")
    assert alone.exit_code == 0 and '<a href="docs/RULES.md">' in alone.stdout


OTHER = "TD-2020"
OTHER_REPORT = f"movements/{OTHER}/report.json"


@SQLITE_ONLY
def test_scores_and_registrations_render_only_their_movement_again(
    signed: Scenario, awards: Cli, tmp_path: Path
) -> None:
    # given a second movement with one registration, published
    s, out = signed, tmp_path / "pub"
    workflow.launch_movement(
        s.app, s.keys["sec"], OTHER, "Phong trào năm 2020", start=date(2020, 1, 1),
        end=date(2020, 12, 31), deadline=date(2020, 2, 18), criteria=CRITERIA,
        at=at("2020-01-02"),
    )  # fmt: skip
    workflow.register(s.app, s.keys["sec"], OTHER, "P2", ["advanced_worker"], at=at("2020-02-01"))
    registry.sign_new_checkpoint(s.app, s.keys["op"])
    first = _publish(awards, out)
    kept = {name: (out / name).read_bytes() for name in (OTHER_REPORT, STATISTICS)}
    # when a participant of the first movement is scored again, and republished
    workflow.score(s.app, s.keys["sc"], MOVEMENT, "P1", [("c2", 5.0)], at=at("2019-11-20"),
                   reason="chấm lại")  # fmt: skip
    registry.sign_new_checkpoint(s.app, s.keys["op"])
    scored = _publish(awards, out)
    # then only its report is made again: the other one and the statistics are kept
    assert scored["reports_made_at"] == {MOVEMENT: scored["size"], OTHER: first["size"]}
    assert scored["statistics_made_at"] == first["size"]
    assert {name: (out / name).read_bytes() for name in kept} == kept
    assert _human_files(out) == _human_files(_publish_fresh(awards, tmp_path, "fresh1"))
    # when someone registers for the second movement: its report and the statistics (which
    # count registrations) are made again, the first movement's report is kept
    workflow.register(s.app, s.keys["sec"], OTHER, "P3", ["advanced_worker"], at=at("2020-02-02"))
    registry.sign_new_checkpoint(s.app, s.keys["op"])
    registered = _publish(awards, out)
    assert registered["reports_made_at"] == {MOVEMENT: scored["size"], OTHER: registered["size"]}
    assert registered["statistics_made_at"] == registered["size"]
    assert _human_files(out) == _human_files(_publish_fresh(awards, tmp_path, "fresh2"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"made at the checkpoint of {scored['size']} events" in index
    assert _verify(awards, out, _operator_pub(s, tmp_path)).exit_code == 0


def _publish_fresh(awards: Cli, tmp_path: Path, name: str) -> Path:
    """A publication made from nothing at the same size, to compare with."""
    fresh = tmp_path / name
    _publish(awards, fresh)
    return fresh


def test_strings_in_a_report_are_its_str_values_and_keys_at_any_depth() -> None:
    class Kind(StrEnum):
        UNIT = "unit"

    class Row(msgspec.Struct):
        id: str
        kind: Kind
        at: datetime
        names: dict[str, list[str]]

    class Page(msgspec.Struct):
        rows: list[Row]
        pair: tuple[str, int]

    page = Page([Row("U-1", Kind.UNIT, datetime(2026, 1, 1, tzinfo=UTC), {"k": ["P-9"]})],
                ("X", 3))  # fmt: skip
    assert strings_in(page) == {"U-1", "unit", "k", "P-9", "X"}
