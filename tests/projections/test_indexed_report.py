"""The report of a movement of ordinary size read from the event index
(projections/indexed_report.py) is the report of the whole ledger view, byte for byte, at every
cut it answers, an annulment's cascade included; it reads only the movement's events; it
leaves a large movement and a cut by append time to the view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from domain.errors import NotFoundError
from ledger.application import LedgerApp
from ledger.event_reads import EventIndex
from ledger.usecases import decisions, holds, registry, review, workflow
from projections import indexed_report as module
from projections.checkpoints import stored_checkpoints
from projections.indexed_report import indexed_report, report_view
from projections.report import movement_report, report_cut
from projections.report.render_json import json_chunks
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW, LedgerView
from tests.conftest import Keys
from tests.projections.conftest import DEMO_MOVEMENTS, Scenario
from tests.proposal_world import M
from tests.world import (
    COUNCIL,
    CRITERIA,
    MOVEMENT,
    World,
    at,
    build_world,
    closed_session,
    file_dossier,
)


def _json(report: object) -> bytes:
    return b"".join(json_chunks(report))  # type: ignore[arg-type]


def same_reports(app: LedgerApp, movement: str, cuts: list[Cut]) -> tuple[int, int]:
    """Assert the index's report equals the view's at each cut it answers (or that both find
    no movement); return how many it answered, and at how many cuts the movement was found."""
    index = EventIndex(app)
    checkpoints = stored_checkpoints(app)
    answered = found_at = 0
    for asked in cuts:
        cut = report_cut(app, asked, checkpoints)
        try:
            want = _json(movement_report(app, movement, asked))
        except NotFoundError as exc:
            try:  # the same error, or left to the view (which gives it)
                assert indexed_report(index, movement, cut, checkpoints) is None
            except NotFoundError as found:
                assert str(found) == str(exc)
            continue
        found_at += 1
        got = indexed_report(index, movement, cut, checkpoints)
        if got is not None:
            assert _json(got) == want, (movement, asked)
            answered += 1
    assert index.problems == []
    return answered, found_at


def every_seq(app: LedgerApp, step: int = 1) -> list[Cut]:
    size = app.count_through(app.last_notification_id() or 0)
    return [Cut(), *(Cut(at_seq=n) for n in range(0, size + 1, step))]




@pytest.mark.parametrize("movement", DEMO_MOVEMENTS)
def test_every_demo_movement_reads_the_same_from_the_index(
    demo_app: LedgerApp, movement: str
) -> None:
    cuts = every_seq(demo_app, 7)
    cuts += [Cut(effective=at(day)) for day in ("2019-03-01", "2019-12-31", "2020-06-30")]
    answered, found = same_reports(demo_app, movement, cuts)
    assert answered == found > 0


def test_an_annulment_and_its_cascade_read_the_same_from_the_index(demo_app: LedgerApp) -> None:
    # NDH-03's award in the North Central movement is annulled (Law 2022 Art. 93): rule 9's
    # cascade reads every decision of NDH-03 and the annulling movement's whole register
    index = EventIndex(demo_app)
    checkpoints = stored_checkpoints(demo_app)
    [(seq, _)] = index.positions([("type", "Decision.RecipientAnnulled")])
    for cut in (Cut(at_seq=seq), Cut(at_seq=seq + 1), Cut()):
        got = indexed_report(
            index, "TD-BTB-2019-H1", report_cut(demo_app, cut, checkpoints), checkpoints
        )
        assert got is not None
        assert _json(got) == _json(movement_report(demo_app, "TD-BTB-2019-H1", cut))
    annulled = [row for row in got.awards if row.annulled]
    assert [row.recipient for row in annulled] == ["NDH-03"]
    found = {(c.rule, c.status, c.subject) for c in got.checks}
    assert {("annulment", "violation", "NDH-03"), ("cascade", "violation", "NDH-03")} <= found


def test_the_index_reads_only_the_movements_events(
    demo_app: LedgerApp, rows_read: list[int]
) -> None:
    index = EventIndex(demo_app)
    checkpoints = stored_checkpoints(demo_app)
    size = index.check.tree.size if index.check.tree else 0
    rows_read.append(0)
    assert indexed_report(index, "TD-VPQH-2020", Cut(), checkpoints) is not None
    assert 0 < rows_read[0] < size // 3


def test_a_large_movement_and_an_append_time_cut_are_left_to_the_view(
    demo_app: LedgerApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = EventIndex(demo_app)
    checkpoints = stored_checkpoints(demo_app)
    assert indexed_report(index, "TD-VPQH-2020", Cut(), checkpoints) is not None
    late = Cut(as_of=at("2030-01-01"))
    assert indexed_report(index, "TD-VPQH-2020", late, checkpoints) is None
    monkeypatch.setattr(module, "INDEXED_REPORT", 2)
    assert indexed_report(index, "TD-VPQH-2020", Cut(), checkpoints) is None


def test_the_scenario_reads_the_same_at_every_seq(shared: Scenario) -> None:
    cuts = every_seq(shared.app)
    cuts += [Cut(effective=at(day)) for day in ("2019-11-03", "2019-12-19", "2020-01-15")]
    answered, found = same_reports(shared.app, "TD-2019", cuts)
    assert answered == found > 0  # the scenario's annulment at its end included


@pytest.fixture
def held(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    """advanced_worker to P2 on the basis of another movement's session, then holds: on P1
    placed and lifted, on P2 still on, on somebody the movement does not name; then
    advanced_worker to P1; a checkpoint."""
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    sec = w.key("sec")
    # a second movement, whose session is the basis of a decision of the first
    workflow.launch_movement(
        w.app, sec, "TD-KHAC", "Phong trào khác", start=date(2019, 1, 1), end=date(2019, 12, 31),
        deadline=date(2019, 2, 18), criteria=CRITERIA, at=at("2019-01-03"),
    )  # fmt: skip
    workflow.register(w.app, sec, "TD-KHAC", "P2", ["advanced_worker"], at=at("2019-02-01"))
    review.open_session(
        w.app, w.key("ch"), "S-KHAC", movement_id="TD-KHAC", title="advanced_worker",
        nominees=["P2"], members=COUNCIL, mode="open", at=at("2019-12-20", 8),
    )  # fmt: skip
    for member in COUNCIL:
        review.vote(w.app, w.key(member), "S-KHAC", yes=["P2"], at=at("2019-12-20", 9))
    review.close_session(w.app, w.key("ch"), "S-KHAC", at=at("2019-12-20", 10))
    decisions.decide_award(
        w.app, w.key("auth"), "2/QĐ", movement_id=MOVEMENT, award="advanced_worker",
        recipients=["P2"], basis="S-KHAC", decided_on=date(2019, 12, 21), at=at("2019-12-21"),
        overrides={"review": "xét ở phong trào khác", "dossier": "bổ sung sau"},
    )  # fmt: skip
    holds.place(w.app, sec, "H-1", subject="P1", kind="press", reason="Báo", at=at("2019-12-22"))
    holds.lift(w.app, sec, "H-1", reason="Đã làm rõ", at=at("2019-12-24"))
    holds.place(w.app, sec, "H-2", subject="P2", kind="press", reason="Báo", at=at("2019-12-25"))
    holds.place(w.app, sec, "H-3", subject="P3", kind="press", reason="Báo", at=at("2019-12-25"))
    decisions.decide_award(
        w.app, w.key("auth"), "1/QĐ", movement_id=MOVEMENT, award="advanced_worker",
        recipients=["P1"], basis="S-AW", decided_on=date(2019, 12, 28), at=at("2019-12-28"),
    )  # fmt: skip
    registry.sign_new_checkpoint(w.app, keys.op)
    return w


def test_holds_and_decisions_read_the_same_at_every_seq(held: World) -> None:
    report = movement_report(held.app, MOVEMENT)
    assert {h.hold for h in report.holds} == {"H-1", "H-2"}  # not H-3: P3 is not named
    assert {s.id for s in report.sessions} == {"S-AW"}
    assert [r.decision for r in report.awards] == ["2/QĐ", "1/QĐ"]
    cuts = every_seq(held.app)
    answered, found = same_reports(held.app, MOVEMENT, cuts)
    assert answered == found > len(cuts) // 2


def test_proposals_and_objections_read_the_same_at_every_seq(proposed: World) -> None:
    cuts = every_seq(proposed.app)
    cuts += [Cut(effective=at(day, 23)) for day in ("2026-02-12", "2026-02-25", "2026-02-26")]
    answered, found = same_reports(proposed.app, M, cuts)
    assert answered == found > 10
    report = movement_report(proposed.app, M)
    assert report.proposals and report.proposals[0].objections


@pytest.fixture
def cascaded(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path
) -> World:
    """Rule 9 across movements: P1's advanced_worker of 2019 in another movement, TD-KHAC,
    then in this one P2's advanced_worker, P1's emulation_fighter_base (on that title and an
    initiative) and U1's excellent_collective (U1 also holds P5, whom this movement does not
    name); then P1's title in TD-KHAC and P2's here are annulled, and a checkpoint."""
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    app, sec, auth = w.app, w.key("sec"), w.key("auth")
    registry.add_person(app, sec, "P5", "Phạm Thị Én", "U1", "civil_servant")
    workflow.launch_movement(
        app, sec, "TD-KHAC", "Phong trào khác", start=date(2019, 1, 1), end=date(2019, 12, 31),
        deadline=date(2019, 2, 18), criteria=CRITERIA, at=at("2019-01-03"),
    )  # fmt: skip
    workflow.register(app, sec, "TD-KHAC", "P1", ["advanced_worker"], at=at("2019-02-01"))
    review.open_session(
        app, w.key("ch"), "S-KHAC", movement_id="TD-KHAC", title="advanced_worker",
        nominees=["P1"], members=COUNCIL, mode="open", at=at("2019-12-10", 8),
    )  # fmt: skip
    for member in COUNCIL:
        yes = [] if member == "m1" else ["P1"]  # m1 is P1
        review.vote(app, w.key(member), "S-KHAC", yes=yes, at=at("2019-12-10", 9))
    review.close_session(app, w.key("ch"), "S-KHAC", at=at("2019-12-10", 10))
    file_dossier(w, "S-KHAC", at=at("2019-12-10", 11))
    decisions.decide_award(
        app, auth, "A1/QĐ", movement_id="TD-KHAC", award="advanced_worker", recipients=["P1"],
        basis="S-KHAC", decided_on=date(2019, 12, 12), at=at("2019-12-12"),
    )  # fmt: skip
    closed_session(w, "S-AW", "advanced_worker", ["P2"])
    decisions.decide_award(
        app, auth, "M1/QĐ", movement_id=MOVEMENT, award="advanced_worker", recipients=["P2"],
        basis="S-AW", decided_on=date(2019, 12, 21), at=at("2019-12-21"),
    )  # fmt: skip
    workflow.recognise(
        app, w.key("ic"), "SK-1", person="P1", name="Sáng kiến", scope="base", year=2019,
        at=at("2019-12-15"),
    )  # fmt: skip
    closed_session(w, "S-FB", "emulation_fighter_base", ["P1"], closed="2019-12-22")
    decisions.decide_award(
        app, auth, "M2/QĐ", movement_id=MOVEMENT, award="emulation_fighter_base",
        recipients=["P1"], basis="S-FB", decided_on=date(2019, 12, 23), at=at("2019-12-23"),
        override_reason="đơn vị nhỏ",
    )  # fmt: skip
    closed_session(w, "S-EC", "excellent_collective", ["U1"], closed="2019-12-24")
    decisions.decide_award(
        app, auth, "M3/QĐ", movement_id=MOVEMENT, award="excellent_collective",
        recipients=["U1"], basis="S-EC", decided_on=date(2019, 12, 26), at=at("2019-12-26"),
        override_reason="đơn vị mới thành lập",
    )  # fmt: skip
    for number, person in (("A1/QĐ", "P1"), ("M1/QĐ", "P2")):
        decisions.annul_award(
            app, auth, number, recipient=person, ground="false_declaration",
            reason="khai man hồ sơ", at=at("2020-03-01"),
        )  # fmt: skip
    registry.sign_new_checkpoint(app, keys.op)
    return w


def test_a_cascade_across_movements_reads_the_same_at_every_seq(cascaded: World) -> None:
    report = movement_report(cascaded.app, MOVEMENT)
    flagged = {(c.subject, c.detail.split(" ")[0]) for c in report.checks if c.rule == "cascade"}
    assert flagged == {("P1", "emulation_fighter_base"), ("U1", "excellent_collective")}
    answered, found = same_reports(cascaded.app, MOVEMENT, every_seq(cascaded.app))
    assert answered == found > 0


def test_the_cascade_reads_the_whole_record_of_each_annulled_recipient(cascaded: World) -> None:
    """What rule 9 reads of an annulled recipient (projections.awards.cascade_flags): the
    decisions naming it, its initiatives, its unit's headcount, as the whole view holds them."""
    app = cascaded.app
    whole = Runner(app).read(LEDGER_VIEW).state
    found = report_view(EventIndex(app), MOVEMENT, Cut())
    assert found is not None
    part, _ = found
    for person in ("P1", "P2"):
        assert _record(part, person) == _record(whole, person), person
    assert part.catalog.headcounts()["U1"] == whole.catalog.headcounts()["U1"] == 3  # P5 too
    assert "P5" not in {r.participant for r in movement_report(app, MOVEMENT).standings}


def _record(view: LedgerView, person: str) -> tuple[list[str], list[str]]:
    held = [d.number for d in view.decisions.by_number.values()
            if any(r.id == person for r in d.recipients)]  # fmt: skip
    initiatives = [i.id for i in view.catalog.initiatives.values() if i.person == person]
    return sorted(held), sorted(initiatives)
