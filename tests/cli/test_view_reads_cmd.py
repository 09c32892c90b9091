"""`awards tally` reads only the session's events and its nominees' names, each checked against
the signed tree; `awards standings` reads a movement's own events the same way, or a large
movement's own sealed view. An edited event, an edited event-index row or an edited view is
never shown: a warning (the rest of the answer stands), or exit 4 and nothing printed with
--strict; the ledger is left as it was. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from domain.session import ReviewSession
from projections import indexed
from projections.movement_view import movement_view
from projections.store import ViewStore
from tests.conftest import Cli, RawRows, Row, one_error_line
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario, scenario

__all__ = ["scenario"]  # the fixture used here


def _index_table(raw: RawRows) -> str:
    events = "awardledger_events" if raw.location.is_postgres else "stored_events"
    return raw.side_table(f"{events}_index2")


def _first(raw: RawRows, topic: str, aggregate: object = None) -> Row:
    return next(
        r
        for r in raw.rows()
        if r.topic.endswith(topic) and (aggregate is None or r.originator_id == aggregate)
    )


def test_tally_leaves_out_an_edited_vote_with_a_warning_and_strict_refuses(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    # given a tally read once (the index filled), then a vote of session S-AW edited in the log
    truth = awards("tally", "S-AW", "--json")
    assert truth.exit_code == 0 and truth.stderr == ""
    vote = _first(raw, "VoteCast", ReviewSession.id_for("S-AW"))
    assert b'"P2"' in vote.state
    raw.update_state(vote.seq, vote.state.replace(b'"P2"', b'"P9"'))
    before = raw.snapshot()
    # when tally is read again
    warned = awards("tally", "S-AW", "--json")
    # then the edited vote is not counted, and the warning names it
    assert warned.exit_code == 0
    assert "P9" not in warned.stdout
    assert f"warning: event index row at seq {vote.seq} is not the event the signed tree" in (
        warned.stderr
    )
    counted = json.loads(warned.stdout)["session"]["ballots"]
    assert counted == json.loads(truth.stdout)["session"]["ballots"] - 1
    # and with --strict nothing is printed, exit 4
    strict = awards("--strict", "tally", "S-AW")
    assert strict.exit_code == 4 and strict.stdout == ""
    assert one_error_line(strict).startswith(f"error: event index row at seq {vote.seq}")
    assert raw.snapshot() == before  # reads changed nothing


def test_tally_refuses_a_name_an_edited_index_row_points_elsewhere(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    # given the index rows of P1's registration (Person.Added) pointed at another event
    truth = awards("tally", "S-AW")
    assert truth.exit_code == 0 and "Nguyễn Văn An" in truth.stdout
    added = next(
        r for r in raw.rows() if r.topic.endswith("Person.Added") and b'"P1"' in r.state
    )
    other = _first(raw, "Movement.Launched")
    raw.execute(
        f"UPDATE {_index_table(raw)} SET nid = ? WHERE seq = ? AND key <> ''",
        (other.notification_id, added.seq),
    )
    # when tally is read: the name is not shown, the row is named in a warning
    warned = awards("tally", "S-AW")
    assert warned.exit_code == 0 and "Nguyễn Văn An" not in warned.stdout
    assert warned.stdout.splitlines()[2:] == [
        line.replace("\tNguyễn Văn An", "\t") for line in truth.stdout.splitlines()[2:]
    ]
    assert warned.stderr == (
        f"warning: event index row at seq {added.seq} points at an event not filed under it; "
        "not shown\n"
    )
    strict = awards("--strict", "tally", "S-AW")
    assert strict.exit_code == 4 and strict.stdout == ""


def test_an_unknown_session_suggests_the_closest(scenario: Scenario, awards: Cli) -> None:
    result = awards("tally", "s-aw")
    assert result.exit_code == 1
    assert one_error_line(result) == (
        "error: tally: session 's-aw' not found in the first "
        f"{scenario.written.size} events; did you mean 'S-AW'?"
    )


def test_standings_leave_out_an_edited_score_with_a_warning_and_strict_refuses(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    # given standings read once (a small movement: from the index), then a score edited
    truth = awards("standings", MOVEMENT, "--json")
    assert truth.exit_code == 0 and truth.stderr == ""
    score = next(r for r in raw.rows() if r.topic.endswith("Scored") and b'"c1"' in r.state)
    edited = score.state.replace(b'"points":9.0', b'"points":1.0')
    edited = edited if edited != score.state else score.state.replace(b'"c1"', b'"c2"')
    raw.update_state(score.seq, edited)
    before = raw.snapshot()
    # when read again: the edited score is left out, and named in a warning
    warned = awards("standings", MOVEMENT, "--json")
    assert warned.exit_code == 0 and warned.stdout != truth.stdout
    assert f"warning: event index row at seq {score.seq} is not the event the signed tree" in (
        warned.stderr
    )
    strict = awards("--strict", "standings", MOVEMENT)
    assert strict.exit_code == 4 and strict.stdout == ""
    assert raw.snapshot() == before
    assert ViewStore(scenario.app).load(f"standings:{MOVEMENT}") is None  # no copy was kept


def test_standings_with_an_edited_view_print_the_logs_answer(
    scenario: Scenario, awards: Cli, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 0)  # read as a large movement is
    # given standings read once: the movement's own view stored, sealed (the printed answer
    # is also kept, and printed again without reading the view: test_standings_kept_cmd;
    # dropped here, so that the view is read)
    truth = awards("standings", MOVEMENT, "--json")
    assert truth.exit_code == 0 and truth.stderr == ""
    views, name = raw.side_table("award_sealed_views"), f"standings:{MOVEMENT}"
    raw.execute(f"DELETE FROM {views} WHERE name LIKE ?", ("answer:%",))
    [(state,)] = raw.execute(f"SELECT state FROM {views} WHERE name = ?", (name,))
    spec = movement_view(MOVEMENT)
    edited = spec.decode(bytes(state))
    column = memoryview(edited.appraisal[edited.criteria.index("c1")]).cast("d")
    column[0] = column[0] - 8 if column[0] == column[0] else 1.0  # a point taken, or given
    column.release()
    forged = spec.encode(edited)
    assert forged != bytes(state)
    raw.execute(f"UPDATE {views} SET state = ? WHERE name = ?", (forged, name))
    # when read again: the log's answer, one warning; the copy is rebuilt
    again = awards("standings", MOVEMENT, "--json")
    assert again.exit_code == 0 and again.stdout == truth.stdout
    [warning] = again.stderr.splitlines()
    assert warning.startswith(f"warning: view 'standings:{MOVEMENT}'") and "seal" in warning
    assert awards("standings", MOVEMENT, "--json").stderr == ""


def test_a_report_from_the_index_leaves_out_an_edited_score_and_strict_refuses(
    scenario: Scenario, awards: Cli, raw: RawRows
) -> None:
    # given the report at the signed checkpoint (before the scenario's annulment: a movement
    # of ordinary size, read from its own events on the index), then a score edited
    signed = str(scenario.written.checkpoint_size)
    argv = ("report", MOVEMENT, "--format", "json", "--at-seq", signed)
    truth = awards(*argv)
    assert truth.exit_code == 0 and truth.stderr == ""
    score = next(r for r in raw.rows() if r.topic.endswith("Scored") and b'"c1"' in r.state)
    assert score.seq < scenario.written.checkpoint_size
    edited = score.state.replace(b'"points":9.0', b'"points":1.0')
    edited = edited if edited != score.state else score.state.replace(b'"c1"', b'"c2"')
    raw.update_state(score.seq, edited)
    before = raw.snapshot()
    # when read again: the edited score is left out, and named in one warning
    warned = awards(*argv)
    assert warned.exit_code == 0 and warned.stdout != truth.stdout
    [warning] = warned.stderr.splitlines()
    assert warning.startswith(f"warning: event index row at seq {score.seq} is not the event")
    strict = awards("--strict", *argv)
    assert strict.exit_code == 4 and strict.stdout == ""
    assert raw.snapshot() == before
    assert ViewStore(scenario.app).load("ledger") is None  # the ledger view was not read
