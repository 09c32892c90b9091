"""`awards standings`, `tally`, `history`, `report` and `receipt` on the scenario ledger
(tests/projections/builder.py): output, time travel, refusals with the README's exit codes, and
award receipts that `awards verify-receipt` checks offline."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from cryptography.hazmat.primitives import serialization
from markupsafe import Markup

from cli.report_cmd import _blocks
from domain.actor import Actor
from domain.decision import decide
from domain.movement import Movement
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.registry import Signer
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import leaf_hash, verify_inclusion
from ledger.note import open_checkpoint
from ledger.receipt import assemble_receipt, encode_receipt
from ledger.usecases import registry
from projections.checkpoints import stored_checkpoints
from projections.report import write_reports
from projections.report.model import build_report
from projections.report.render_html import render_html
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW
from tests.conftest import Cli, RawRows, one_error_line
from tests.projections.builder import MOVEMENT, ORIGIN, at
from tests.projections.conftest import Scenario, _template, shared, sqlite_scenario

__all__ = ["_template", "shared", "sqlite_scenario"]  # fixtures used here


@pytest.fixture
def awards_on(monkeypatch: pytest.MonkeyPatch) -> Callable[[Scenario], Cli]:
    def make(scenario: Scenario) -> Cli:
        return Cli(scenario.url, monkeypatch)

    return make


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def _refused(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    line = one_error_line(result)
    for word in words:
        assert word in line, line
    assert result.stdout == ""


def _op_pub(scenario: Scenario, tmp_path: Path) -> Path:
    path = tmp_path / "op.pub"
    path.write_bytes(
        scenario.keys["op"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return path


# -- standings, tally, history --------------------------------------------------------------------


def test_standings_text_and_json(shared: Scenario, awards_on: Callable[[Scenario], Cli]) -> None:
    awards = awards_on(shared)

    text = _ok(awards("standings", MOVEMENT))
    doc = json.loads(_ok(awards("standings", MOVEMENT, "--json")))

    lines = text.splitlines()
    assert lines[0].startswith("TD-2019 Phong trào thi đua yêu nước năm 2019: formula weighted_sum")
    assert lines[2].split("\t") == ["rank", "participant", "total", "c1", "c2", "self", "name"]
    assert lines[3].split("\t") == ["1", "P1", "22", "9", "4", "-", "Nguyễn Văn An"]
    assert lines[-1].split("\t") == ["5", "P4", "0", "-", "-", "c1=10", "Phạm Thị Dung"]
    assert set(doc) == {"movement", "as_of", "standings"}
    assert doc["movement"]["spec_hash"] in lines[0]
    assert doc["as_of"]["seq"] == shared.written.size
    assert [(r["participant"], r["rank"]) for r in doc["standings"]][:2] == [("P1", 1), ("P3", 2)]


def test_standings_at_seq_and_appended_before(
    shared: Scenario, awards_on: Callable[[Scenario], Cli]
) -> None:
    awards = awards_on(shared)
    seq = shared.written.seqs["correction:P3"]
    moment = Runner(shared.app, persist=False).read(LEDGER_VIEW, Cut(at_seq=seq)).position.time
    assert moment is not None

    by_seq = json.loads(_ok(awards("standings", MOVEMENT, "--at-seq", str(seq), "--json")))
    by_time = json.loads(
        _ok(awards("standings", MOVEMENT, "--appended-before", moment.isoformat(), "--json"))
    )

    p3 = next(r for r in by_seq["standings"] if r["participant"] == "P3")
    assert p3["criteria"] == {"c1": 8.0, "c2": 3.0}
    assert by_time["standings"] == by_seq["standings"]
    assert by_time["as_of"]["seq"] == seq
    assert (by_seq["as_of"]["clock"], by_time["as_of"]["clock"]) == ("seq", "appended")


def test_an_inspector_asks_for_2019_in_a_ledger_entered_in_2026(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    awards = awards_on(shared)

    text = _ok(awards("standings", MOVEMENT, "--as-of", "2019-11-03"))
    doc = json.loads(_ok(awards("standings", MOVEMENT, "--as-of", "2019-11-03", "--json")))
    appended = awards("standings", MOVEMENT, "--appended-before", "2019-11-03")

    p3 = next(r for r in doc["standings"] if r["participant"] == "P3")
    assert p3["criteria"] == {"c1": 8.0, "c2": 3.0}  # before the 2019-11-05 correction
    assert doc["as_of"]["clock"] == "effective"
    assert doc["as_of"]["time"] == "2019-11-03T00:00:00+07:00"
    assert "effective as of 2019-11-03" in text
    _refused(appended, 1, "movement 'TD-2019' not found in the first 0 events")
    page = tmp_path / "r.html"
    _ok(awards("report", MOVEMENT, "--format", "html", "--lang", "en", "--as-of", "2020-02-01",
               "--out", page))  # fmt: skip
    html = page.read_text(encoding="utf-8")
    assert "by the effective time each event claims" in html
    # the page's "this very report again" pins the clock and the log size
    size = shared.written.size
    assert f"--format json --as-of 2020-02-01T00:00:00+07:00 --at-seq {size}" in html
    moment = "2020-02-01T00:00:00+07:00"
    again = json.loads(_ok(awards("report", MOVEMENT, "--format", "json",
                                  "--as-of", moment, "--at-seq", size)))  # fmt: skip
    first = json.loads(_ok(awards("report", MOVEMENT, "--format", "json", "--as-of", "2020-02-01")))
    assert again == first and again["as_of"]["clock"] == "effective"
    history = json.loads(_ok(awards("history", "P3", "--as-of", "2019-11-03", "--json")))
    assert history["as_of"]["clock"] == "effective"  # not the index's answer: the fold's
    assert "2019-11-05T02:00:00Z" not in [e["at"] for e in history["events"]]
    assert "2019-11-01T02:00:00Z" in [e["at"] for e in history["events"]]
    tally = json.loads(_ok(awards("tally", "S-AW", "--as-of", "2019-12-19T12:00", "--json")))
    assert tally["session"]["closed"] is False and tally["as_of"]["clock"] == "effective"


def test_standings_refusals(shared: Scenario, awards_on: Callable[[Scenario], Cli]) -> None:
    awards = awards_on(shared)

    _refused(awards("standings", "TD-1999"), 1, "movement 'TD-1999' not found")
    size = str(shared.written.size)
    both = awards("standings", MOVEMENT, "--at-seq", size, "--as-of", "2020-01-01", "--json")
    assert json.loads(_ok(both))["as_of"]["clock"] == "effective"  # --as-of in the first N
    two = awards("standings", MOVEMENT, "--as-of", "2020-01-01", "--appended-before", "2027-01-01")
    _refused(two, 2, "give --appended-before alone")
    seq_too = awards("standings", MOVEMENT, "--at-seq", "3", "--appended-before", "2027-01-01")
    _refused(seq_too, 2, "give --appended-before alone")
    _refused(awards("standings", MOVEMENT, "--at-seq", "100000"), 2, "past the end")
    _refused(awards("standings", MOVEMENT, "--as-of", "yesterday"), 2, "ISO 8601")
    _refused(awards("standings", MOVEMENT, "--appended-before", "soon"), 2, "ISO 8601")


def test_tally_text_and_json(shared: Scenario, awards_on: Callable[[Scenario], Cli]) -> None:
    awards = awards_on(shared)

    text = _ok(awards("tally", "S-AW")).splitlines()
    doc = json.loads(_ok(awards("tally", "S-CSTD", "--json")))

    assert text[0] == (
        "session S-AW (advanced_worker, open mode) in TD-2019, closed: 3 of 3 members took "
        "part, quorum 2/3 met; threshold more than 50 % of all members"
    )
    assert text[2:] == [
        "P1\t3 yes\t0 no\tpassed\tNguyễn Văn An",
        "P2\t3 yes\t0 no\tpassed\tTrần Thị Bình",
        "P3\t2 yes\t1 no\tpassed\tLê Văn Cường",
    ]
    session = doc["session"]
    assert (session["mode"], session["ballots"], session["counter"]) == ("secret", 3, "kp")
    assert session["results"] == [
        {"nominee": "P1", "yes": 3, "no": 0, "passed": True, "name": "Nguyễn Văn An"}
    ]
    _refused(awards("tally", "S-NONE"), 1, "session 'S-NONE' not found")


def test_history_text_and_json(shared: Scenario, awards_on: Callable[[Scenario], Cli]) -> None:
    awards = awards_on(shared)

    text = _ok(awards("history", "P1")).splitlines()
    doc = json.loads(_ok(awards("history", "P1", "--json")))
    past = json.loads(_ok(awards("history", "P1", "--at-seq", str(shared.written.seqs["annul:P1"]),
                                 "--json")))  # fmt: skip

    size = shared.written.size
    assert text[0].startswith(f"history of P1, as of the first {size} events (last appended 20")
    assert any("\tbt\tDecision.RecipientAnnulled\taward annulled (false_declaration)" in t
               for t in text)  # fmt: skip
    rows = doc["events"]
    assert {"seq", "time", "at", "signer", "type", "summary"} <= set(rows[0])
    assert rows[0]["type"] == "Person.Added" and rows[0]["at"] is None
    assert [r["type"] for r in past["events"]][-1] == "RecipientRecord.AwardEntered"
    assert not any("annul" in r["summary"] for r in past["events"])
    assert len(past["events"]) < len(rows)
    _refused(awards("history", "NOBODY"), 1, "no event touches participant 'NOBODY'")


# -- report ---------------------------------------------------------------------------------------


def test_report_json_to_stdout(shared: Scenario, awards_on: Callable[[Scenario], Cli]) -> None:
    doc = json.loads(_ok(awards_on(shared)("report", MOVEMENT, "--format", "json")))

    assert set(doc) == {"movement", "as_of", "checkpoint", "awards", "summary", "sessions",
                        "standings", "registrations", "checks", "signers", "holds",
                        "outstanding_recoveries", "proposals", "open_for_comment"}  # fmt: skip
    assert doc["checkpoint"]["size"] == shared.written.checkpoint_size


def test_report_html_and_csv_files(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    awards = awards_on(shared)

    html = awards("report", MOVEMENT, "--format", "html", "--out", tmp_path / "r.html")
    size = str(shared.written.checkpoint_size)
    english = awards("report", MOVEMENT, "--format", "html", "--lang", "en", "--at-seq", size,
                     "--out", tmp_path / "en.html")  # fmt: skip
    tables = awards("report", MOVEMENT, "--format", "csv", "--out", tmp_path / "csv")

    assert _ok(html) == (
        f"report TD-2019: {tmp_path / 'r.html'} ({shared.written.size} events; checkpoint of "
        f"size {shared.written.checkpoint_size}, 5 events after it not covered)\n"
    )
    assert "checkpoint of size 81 covers it" in _ok(english)
    assert "Kiểm chứng báo cáo này" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Verify this report" in (tmp_path / "en.html").read_text(encoding="utf-8")
    assert _ok(tables) == f"report TD-2019: 19 files in {tmp_path / 'csv'}\n"
    assert (tmp_path / "csv" / "awards.csv").read_text(encoding="utf-8-sig").startswith("decision,")


def test_report_refusals(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    awards = awards_on(shared)
    (tmp_path / "file").write_text("x")

    _refused(awards("report", MOVEMENT, "--format", "csv"), 2, "give --out FOLDER")
    _refused(awards("report", MOVEMENT, "--format", "csv", "--out", tmp_path / "file"), 2)
    _refused(awards("report", "TD-1999", "--format", "json"), 1, "movement 'TD-1999' not found")
    assert awards("report", MOVEMENT, "--format", "pdf").exit_code == 2
    assert awards("report", MOVEMENT, "--format", "html", "--lang", "fr").exit_code == 2


def test_report_on_an_empty_ledger_says_not_initialised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    awards = Cli(str(tmp_path / "empty.db"), monkeypatch)

    _refused(awards("report", MOVEMENT, "--format", "json"), 5, "is not initialised")
    _refused(awards("standings", MOVEMENT), 5, "is not initialised")


# -- receipts -------------------------------------------------------------------------------------


def test_award_receipt_verifies_offline(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    awards, out = awards_on(shared), tmp_path / "receipt.json"

    made = _ok(awards("receipt", "01/QĐ-VPQH", "--recipient", "P2", "--out", out))
    checked = awards("verify-receipt", out, "--operator-pub", _op_pub(shared, tmp_path),
                     ledger=False)  # fmt: skip

    seq = shared.written.seqs["decide:01/QĐ-VPQH"]
    assert made == (
        f"receipt: decision 01/QĐ-VPQH for P2 (event {seq}, checkpoint of size "
        f"{shared.written.checkpoint_size}) -> {out}\n"
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["shown"] == {"number": "01/QĐ-VPQH", "award": "advanced_worker", "recipient": "P2"}
    assert _ok(checked).startswith(
        f"ok: event {seq} (Decision.Recorded) signed by bt is in {ORIGIN}"
    )
    assert "recipient=P2" in checked.stdout


@pytest.mark.parametrize(
    ("field", "value"),
    [("recipient", "P9"), ("recipient", "P1 "), ("award", "emulation_fighter_base"),
     ("number", "02/QĐ-VPQH")],
)  # fmt: skip
def test_award_receipt_with_an_edited_shown_field_fails(
    shared: Scenario,
    awards_on: Callable[[Scenario], Cli],
    tmp_path: Path,
    field: str,
    value: str,
) -> None:
    awards, out = awards_on(shared), tmp_path / "receipt.json"
    _ok(awards("receipt", "01/QĐ-VPQH", "--recipient", "P3", "--out", out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["shown"][field] = value
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    result = awards(
        "verify-receipt", out, "--operator-pub", _op_pub(shared, tmp_path), ledger=False
    )

    _refused(result, 4, f"shown {field}")


def test_award_receipt_refusals(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    awards, out = awards_on(shared), tmp_path / "r.json"

    annulled = awards("receipt", "01/QĐ-VPQH", "--recipient", "P1", "--out", out)
    _refused(annulled, 1, "was annulled", "false_declaration")
    _refused(awards("receipt", "01/QĐ-VPQH", "--recipient", "P4", "--out", out), 1,
             "'P4' is not a recipient of decision 01/QĐ-VPQH")  # fmt: skip
    _refused(awards("receipt", "99/QĐ-VPQH", "--recipient", "P2", "--out", out), 1,
             "decision '99/QĐ-VPQH' not found")  # fmt: skip
    assert not out.exists()


def test_award_receipt_as_a_c2sp_tlog_proof(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    awards = awards_on(shared)
    proof_file = tmp_path / "award.tlog-proof"

    result = awards("receipt", "03/QĐ-VPQH", "--recipient", "PH1", "--out", tmp_path / "r.json",
                    "--tlog-proof", proof_file, "--json")  # fmt: skip

    doc = json.loads(_ok(result))
    text = proof_file.read_text(encoding="utf-8")
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1].startswith("extra ") and lines[2] == f"index {doc['seq']}"
    entry = base64.b64decode(lines[1].removeprefix("extra "), validate=True)
    proof = [base64.b64decode(h, validate=True) for h in lines[3:]]
    checkpoint = open_checkpoint(note, ORIGIN, ORIGIN, shared.op_public)
    verify_inclusion(leaf_hash(entry), doc["seq"], checkpoint.size, proof, checkpoint.root_hash)
    assert b'"award":"advanced_collective"' in entry
    assert checkpoint.size == doc["tree_size"] == shared.written.checkpoint_size


def test_receipt_of_a_decision_outside_the_signers_competence_fails(
    sqlite_scenario: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    """An authority decided an award its registration does not list (overriding rule 5): the
    ledger holds it, but no receipt can present it as a competent authority's decision."""
    app, keys = sqlite_scenario.app, sqlite_scenario.keys
    keys["bt2"] = generate_key()
    registry.add_signer(app, keys["op"], "bt2", raw_public_key(keys["bt2"]), ["authority"],
                        competence=["letter_of_commendation"])  # fmt: skip
    movement = app.load(Movement, Movement.id_for(MOVEMENT), "movement")
    writes = decide(
        "05/QĐ-VPQH", movement=movement, award="certificate_of_merit",
        recipients=[Recipient("P2", "person", "PH1")],
        authority=Actor.from_signer(app.load(Signer, Signer.id_for("bt2"), "bt2")),
        decided_on=date(2019, 12, 30), at=at("2019-12-30"),
        register=app.load(AwardRegister, AwardRegister.id_for(MOVEMENT), "register"),
        records={"P2": app.load(RecipientRecord, RecipientRecord.id_for("P2"), "record")},
        override_reason="ủy quyền bằng văn bản",
    )  # fmt: skip
    seq = app.save_signed("bt2", keys["bt2"], writes.aggregates()).seqs[0]
    registry.sign_new_checkpoint(app, keys["op"])
    awards, out = awards_on(sqlite_scenario), tmp_path / "r.json"

    refused = awards("receipt", "05/QĐ-VPQH", "--recipient", "P2", "--out", out)
    out.write_bytes(encode_receipt(assemble_receipt(app, seq, {"recipient": "P2"})))
    checked = awards("verify-receipt", out, "--operator-pub", _op_pub(sqlite_scenario, tmp_path),
                     ledger=False)  # fmt: skip

    _refused(refused, 1, "does not hold certificate_of_merit in its competence")
    _refused(checked, 4, "signer 'bt2' is not competent for certificate_of_merit")


def test_a_row_that_does_not_decode_stops_the_report(
    sqlite_scenario: Scenario, awards_on: Callable[[Scenario], Cli]
) -> None:
    seq = sqlite_scenario.written.seqs["late-correction:P2"]
    RawRows(sqlite_scenario.url).update_state(seq, b'{"format":1}\n' + b"A" * 88)
    awards = awards_on(sqlite_scenario)

    result = awards("report", MOVEMENT, "--format", "json")
    # the read check warns first (the row is after the checkpoint and not the tiles' leaf)
    warning, error = result.stderr.splitlines()
    assert result.exit_code == 4 and result.stdout == ""
    assert warning.startswith("warning: the log does not match the signed checkpoint")
    assert error.startswith(f"error: event {seq} (Participation.Scored) is unreadable")
    assert "awards verify" in error
    assert awards("standings", MOVEMENT, "--at-seq", str(seq)).exit_code == 0


def test_write_reports_writes_every_form(sqlite_scenario: Scenario, tmp_path: Path) -> None:
    paths = write_reports(sqlite_scenario.app, MOVEMENT, tmp_path / "reports")

    assert [p.name for p in paths] == [
        "TD-2019.vi.html", "TD-2019.en.html", "TD-2019.json", "TD-2019-csv",
    ]  # fmt: skip
    assert all(p.exists() for p in paths)
    assert json.loads(paths[2].read_bytes())["movement"]["id"] == MOVEMENT


def test_report_html_is_the_rendered_page_byte_for_byte(
    shared: Scenario, awards_on: Callable[[Scenario], Cli], tmp_path: Path
) -> None:
    # the page is written in blocks of pieces joined and encoded once: the same bytes as the
    # renderer's, to stdout and to a file
    folded = Runner(shared.app).read(LEDGER_VIEW, Cut())
    report = build_report(folded.state, folded.position, MOVEMENT, stored_checkpoints(shared.app))
    page = render_html(report, "vi").encode("utf-8")
    awards = awards_on(shared)
    assert _ok(awards("report", MOVEMENT, "--format", "html")).encode("utf-8") == page
    _ok(awards("report", MOVEMENT, "--format", "html", "--out", tmp_path / "r.html"))
    assert (tmp_path / "r.html").read_bytes() == page


def test_blocks_join_markup_pieces_as_plain_text() -> None:
    # jinja yields Markup pieces: Markup's own join would escape the plain pieces after it
    pieces = [Markup("<b>"), "<i>", Markup("</b>")]
    assert b"".join(_blocks(pieces, size=2)) == b"<b><i></b>"
    assert b"".join(_blocks(pieces)) == b"<b><i></b>"
    assert b"".join(_blocks([b"a", b"<"], size=1)) == b"a<"
