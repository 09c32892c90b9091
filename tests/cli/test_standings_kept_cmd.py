"""`awards standings` of a large movement keeps what it printed (the table, and the JSON
document of `--json`, each apart), sealed at its position (projections/answer_cache.py), and
prints it again while the log is the one it was made from: the same answer as reading the
movement's own events; never when the kept row, or a row after the signed checkpoint, was
edited, nor under a time cut; `verify` reports an edited kept row. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zlib
from array import array
from typing import Any

import msgspec
import pytest

from domain.actor import Actor
from domain.movement import Movement
from domain.participation import Participation
from domain.registry import Signer
from ledger.usecases import registry
from ledger.verify import audit
from ledger.verify_caches import check_frontier
from projections import answer_cache, indexed, queries
from projections.anchor import latest_anchor
from projections.answer_cache import PREFIX
from projections.movement_view import MovementStandings
from projections.runner import Runner
from projections.store import ViewStore
from projections.verify_views import check_views
from tests.conftest import Cli, RawRows, one_error_line
from tests.projections.builder import MOVEMENT, at
from tests.projections.conftest import Scenario, scenario

__all__ = ["scenario"]  # the fixture used here

KEPT = f"{PREFIX}standings:{MOVEMENT}"
KEPT_JSON = f"{PREFIX}json:standings:{MOVEMENT}"


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standings read as a large movement's are: from its own view, not the event index."""
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 0)


def _no_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the view was folded")

    monkeypatch.setattr(queries, "standings_state", refuse)


def test_the_kept_table_is_printed_again_and_equals_the_logs_answer(
    scenario: Scenario, awards: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the standings of a movement of ordinary size, read from its own events
    truth = awards("standings", MOVEMENT)
    assert truth.exit_code == 0 and truth.stderr == ""
    # when read as a large movement: folded once (and kept), then printed from what was kept
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 0)
    first = awards("standings", MOVEMENT)
    _no_fold(monkeypatch)
    again = awards("standings", MOVEMENT)
    # then each is the same text as the answer from the movement's own events
    assert first.exit_code == 0 and again.exit_code == 0 and again.stderr == ""
    assert first.stdout == truth.stdout and again.stdout == truth.stdout


def _forge(state: bytes, old: bytes, new: bytes) -> bytes:
    """A kept answer row's state with `old` replaced by `new` inside the answer, laid out as
    projections/answer_cache.py lays it out (as someone who read the code would forge it)."""
    at = 4 + int.from_bytes(state[:4], "big") + 16  # the anchor, where's offsets, the length
    head = at + 4 + int.from_bytes(state[at : at + 4], "big")  # then the index
    answer = zlib.decompress(state[head:])
    assert old in answer
    return state[:head] + zlib.compress(answer.replace(old, new), 1)


def _timeless(document: str) -> dict[str, Any]:
    """A JSON answer without its as_of time (an indexed read gives the last event's append
    time, a fold the time of the last event folded; tests/projections/test_movement_view.py)."""
    answer = json.loads(document)
    answer["as_of"].pop("time")
    return answer  # type: ignore[no-any-return]


def test_the_kept_json_is_printed_again_and_equals_the_logs_answer(
    scenario: Scenario, awards: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the JSON standings of a movement of ordinary size, read from its own events
    truth = awards("standings", MOVEMENT, "--json")
    assert truth.exit_code == 0 and truth.stderr == ""
    # when read as a large movement: folded once (and kept), then printed from what was kept
    monkeypatch.setattr(indexed, "INDEXED_PARTICIPATIONS", 0)
    first = awards("standings", MOVEMENT, "--json")
    _no_fold(monkeypatch)
    again = awards("standings", MOVEMENT, "--json")
    # then the kept document is byte for byte the one folded, and the log's answer
    assert first.exit_code == 0 and again.exit_code == 0 and again.stderr == ""
    assert again.stdout == first.stdout
    assert _timeless(first.stdout) == _timeless(truth.stdout)
    # and the table is kept apart: reading it still folds (nothing kept for it yet)
    with pytest.raises(AssertionError, match="the view was folded"):
        awards("standings", MOVEMENT)


def test_time_travel_is_never_answered_from_a_kept_answer(
    scenario: Scenario, awards: Cli, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for form in ([], ["--json"]):
        assert awards("standings", MOVEMENT, *form).exit_code == 0
    _no_fold(monkeypatch)
    for form in ([], ["--json"]):
        assert awards("standings", MOVEMENT, *form).exit_code == 0
        with pytest.raises(AssertionError, match="the view was folded"):
            awards("standings", MOVEMENT, "--at-seq", "5", *form)


@pytest.mark.parametrize("form", [[], ["--json"]], ids=["table", "json"])
def test_an_edited_kept_answer_is_not_printed_and_verify_reports_it(
    scenario: Scenario, awards: Cli, raw: RawRows, large: None, form: list[str]
) -> None:
    # given the answer kept (the table, or the JSON document), then a participant's id in it
    # edited in the views table
    kept = KEPT_JSON if form else KEPT
    truth = awards("standings", MOVEMENT, *form)
    views = raw.side_table("award_sealed_views")
    [(state,)] = raw.execute(f"SELECT state FROM {views} WHERE name = ?", (kept,))
    forged = _forge(bytes(state), b"P2", b"P7")
    assert forged != bytes(state)
    raw.execute(f"UPDATE {views} SET state = ? WHERE name = ?", (forged, kept))
    # when verified: step 8 names the kept row
    report = audit(scenario.app, caches=(check_frontier, check_views))
    problems = [p.message for p in report.problems if p.step == 8]
    assert problems and all(repr(kept) in p for p in problems), problems
    # and when read again: the log's answer, not the forged one, and a good one kept again
    again = awards("standings", MOVEMENT, *form)
    assert again.exit_code == 0 and again.stdout == truth.stdout
    assert [p for p in audit(scenario.app, caches=(check_views,)).problems if p.step == 8] == []


def test_an_edited_event_after_the_checkpoint_is_read_not_the_kept_table(
    scenario: Scenario, awards: Cli, raw: RawRows, large: None
) -> None:
    # given the table kept, then the score correction after the signed checkpoint edited
    truth = awards("standings", MOVEMENT)
    last = max((r for r in raw.rows() if r.topic.endswith("Scored")), key=lambda r: r.seq)
    assert last.seq >= scenario.written.checkpoint_size
    edited = last.state.replace(b'"points":', b'"points":1', 1)
    assert edited != last.state
    raw.update_state(last.seq, edited)
    # when read again: the kept table does not stand for this log, the edited log is read
    again = awards("standings", MOVEMENT)
    assert again.exit_code == 0 and again.stdout != truth.stdout


def test_a_kept_answer_is_printed_without_asking_the_event_index_the_log_still_checked(
    scenario: Scenario, awards: Cli, raw: RawRows, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the table kept (only a large movement's is), then the event index refused
    awards("standings", MOVEMENT)

    def refuse(*_: Any) -> Any:
        raise AssertionError("the event index was asked")

    monkeypatch.setattr(indexed, "standings_table", refuse)
    # when read as kept, and patched after a score: what a fold prints
    assert awards("standings", MOVEMENT).stdout == _fresh(scenario, [])
    _score(scenario, [("P4", "c1", 10.0, "appraisal")])
    read = awards("standings", MOVEMENT)
    assert read.exit_code == 0 and read.stderr == "" and read.stdout == _fresh(scenario, [])
    # and with the hash tiles edited: the log's check still warns, and with --strict the
    # read exits 4, printing nothing and writing nothing
    raw.zero_first_leaf_hash()
    before = raw.snapshot()
    warned = awards("standings", MOVEMENT)
    assert "warning: the log does not match the signed checkpoint" in warned.stderr
    strict = awards("--strict", "standings", MOVEMENT)
    assert strict.exit_code == 4 and strict.stdout == ""
    assert raw.snapshot() == before


def test_after_a_new_checkpoint_the_table_is_kept_again_though_the_view_copy_stays_behind(
    scenario: Scenario, awards: Cli, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the table kept, then a unit added and a new checkpoint signed over it, with the
    # view's stored copy not moved to the new checkpoint (a few events: under the runner's LAG)
    truth = awards("standings", MOVEMENT)
    monkeypatch.setattr(Runner, "_worth_storing", lambda self, start, anchor: start.seq == 0)
    registry.add_unit(scenario.app, scenario.keys["sec"], "PH9", "Phòng Chín", "division", "VU1")
    registry.sign_new_checkpoint(scenario.app, scenario.keys["op"])
    # when read: folded (the kept table is of the log before), and kept again
    first = awards("standings", MOVEMENT)
    copy = queries.standings_copy(scenario.app, MOVEMENT)
    anchor = latest_anchor(scenario.app)
    assert copy is not None and anchor is not None and copy.seq < anchor.size  # behind it
    _no_fold(monkeypatch)
    again = awards("standings", MOVEMENT)
    # then both say the new size, and otherwise the same table
    assert first.stdout == again.stdout != truth.stdout
    assert first.stdout.splitlines()[2:] == truth.stdout.splitlines()[2:]


def _folds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the folds of the movement's view (each still done)."""
    calls: list[int] = []
    fold = queries.standings_state

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return fold(*args, **kwargs)

    monkeypatch.setattr(queries, "standings_state", counted)
    return calls


def _fresh(scenario: Scenario, form: list[str]) -> str:
    """What a fold of the movement's view prints now (no kept answer involved)."""
    from cli.report_cmd import standings_bytes

    answer, table, _ = queries.standings_folded(scenario.app, MOVEMENT)
    return standings_bytes(answer, table, bool(form)).decode("utf-8")


def _new_signer(scenario: Scenario) -> None:
    """An event the movement's view does not fold, then a checkpoint over it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.keys import raw_public_key

    public = raw_public_key(Ed25519PrivateKey.generate())
    registry.add_signer(scenario.app, scenario.keys["op"], "tt9", public, ["secretary"])
    registry.sign_new_checkpoint(scenario.app, scenario.keys["op"])


@pytest.mark.parametrize("form", [[], ["--json"]], ids=["table", "json"])
def test_over_events_its_view_does_not_fold_the_kept_answer_is_carried_to_the_new_end(
    scenario: Scenario,
    awards: Cli,
    raw: RawRows,
    large: None,
    monkeypatch: pytest.MonkeyPatch,
    form: list[str],
) -> None:
    # given the answer kept, then a signer registered and a new checkpoint signed
    before = awards("standings", MOVEMENT, *form)
    _new_signer(scenario)
    fresh = _fresh(scenario, form)
    # when read twice: not folded, the answer carried (not kept again: the log is not yet
    # KEEP_AGAIN_AFTER rows past it), then once more when it is that far: carried and kept
    views = raw.side_table("award_sealed_views")
    kept = KEPT_JSON if form else KEPT

    def row() -> tuple[Any, ...]:
        return tuple(raw.execute(f"SELECT seq, state FROM {views} WHERE name = ?", (kept,))[0])

    first = row()
    folds = _folds(monkeypatch)
    carried = awards("standings", MOVEMENT, *form)
    again = awards("standings", MOVEMENT, *form)
    assert row() == first
    monkeypatch.setattr(answer_cache, "KEEP_AGAIN_AFTER", 1)
    lagging = awards("standings", MOVEMENT, *form)
    assert row() != first and row()[0] > first[0]
    monkeypatch.setattr(answer_cache, "KEEP_AGAIN_AFTER", 256)
    last = awards("standings", MOVEMENT, *form)
    # then each prints what a fold prints now: the same rows, standing at the new end
    assert folds == [] and carried.exit_code == 0 and carried.stderr == ""
    assert carried.stdout == again.stdout == lagging.stdout == last.stdout == fresh
    assert fresh != before.stdout
    if form:
        assert json.loads(carried.stdout)["standings"] == json.loads(before.stdout)["standings"]
    else:
        assert carried.stdout.splitlines()[2:] == before.stdout.splitlines()[2:]
    report = audit(scenario.app, caches=(check_views,))
    assert [p for p in report.problems if p.step == 8] == []


def test_over_an_event_its_view_folds_the_answer_is_folded_again(
    scenario: Scenario, awards: Cli, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the table kept, then a person added (the view keeps participants' names)
    awards("standings", MOVEMENT)
    registry.add_person(scenario.app, scenario.keys["sec"], "P9", "Lê Văn C", "VU1")
    registry.sign_new_checkpoint(scenario.app, scenario.keys["op"])
    # when read: folded, every row made (a name is not patched), and what it prints is the
    # fold's
    folds, made = _folds(monkeypatch), []
    table = MovementStandings.table
    monkeypatch.setattr(MovementStandings, "table", lambda state: made.append(1) or table(state))
    read = awards("standings", MOVEMENT)
    assert folds == [1] and made == [1]
    assert read.exit_code == 0 and read.stdout == _fresh(scenario, [])


def test_an_edited_event_after_the_kept_answer_is_not_carried_over(
    scenario: Scenario, awards: Cli, raw: RawRows, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the table kept, then a person added (a type the view folds) and a checkpoint,
    # and the person's stored topic edited to a type the view does not fold
    awards("standings", MOVEMENT)
    registry.add_person(scenario.app, scenario.keys["sec"], "P9", "Lê Văn C", "VU1")
    registry.sign_new_checkpoint(scenario.app, scenario.keys["op"])
    person = next(r for r in raw.rows() if b'"P9"' in r.state and r.topic == "Person.Added")
    update = f"UPDATE {raw.table} SET topic = ? WHERE {raw.id_col} = ?"
    raw.execute(update, ("Signer.Registered", person.notification_id))
    # when read: the signed body's type decides, so it is not carried over but folded
    folds = _folds(monkeypatch)
    awards("standings", MOVEMENT)
    assert folds == [1]
    # and given a kept answer again, then a signer and a checkpoint, and the signer's body
    # edited: the rows after the kept answer no longer reach the signed root, not carried
    raw.execute(update, ("Person.Added", person.notification_id))
    assert awards("standings", MOVEMENT).exit_code == 0 and folds == [1]  # the kept one
    _new_signer(scenario)
    signer = next(r for r in raw.rows() if b'"tt9"' in r.state and "Signer" in r.topic)
    raw.update_state(signer.seq, signer.state.replace(b'"tt9"', b'"tt8"', 1))
    read = awards("standings", MOVEMENT)
    assert folds == [1, 1] and read.exit_code != 0


def _score(scenario: Scenario, scores: list[tuple[str, str, float, str]]) -> None:
    """Scores (participant, criterion, points, kind), each a correction where one was given,
    signed; then a checkpoint."""
    app = scenario.app
    movement = app.find(Movement, Movement.id_for(MOVEMENT))
    signer = app.find(Signer, Signer.id_for("sc"))
    assert movement is not None and signer is not None
    for participant, criterion, points, kind in scores:
        part = app.find(Participation, Participation.id_for(MOVEMENT, participant))
        assert part is not None
        given = {(s.criterion, s.kind) for s in part.scores}
        reason = "sửa" if (criterion, kind) in given else None
        part.score(movement, criterion, points, kind, scorer=Actor.from_signer(signer),
                   at=at("2019-11-20"), reason=reason)  # fmt: skip
        app.save_signed("sc", scenario.keys["sc"], [part])
    registry.sign_new_checkpoint(app, scenario.keys["op"])


@pytest.mark.parametrize("form", [[], ["--json"]], ids=["table", "json"])
def test_after_new_scores_the_kept_answer_is_patched_to_what_a_fold_prints(
    scenario: Scenario, awards: Cli, large: None, monkeypatch: pytest.MonkeyPatch, form: list[str]
) -> None:
    # given the answer kept
    assert awards("standings", MOVEMENT, *form).exit_code == 0
    rounds = [
        [("P4", "c1", 10.0, "appraisal")],  # the last moves to the top
        [("P1", "c2", 0.0, "appraisal"), ("P4", "c2", 5.0, "self")],  # down, and a self score
        [("P3", "c1", 1.0, "appraisal"), ("P3", "c1", 9.0, "appraisal")],  # twice: the last
    ]
    for scores in rounds:
        # when scores are signed, then read (no row made but the scored ones')
        _score(scenario, scores)
        fresh = _fresh(scenario, form)

        def whole(*_: Any) -> Any:
            raise AssertionError("every row was made")

        with monkeypatch.context() as patched:
            patched.setattr(MovementStandings, "table", whole)
            read = awards("standings", MOVEMENT, *form)
        # then it prints what a fold prints now, byte for byte (patched from the answer
        # first kept: the log has not grown KEEP_AGAIN_AFTER rows past it)
        assert read.exit_code == 0 and read.stderr == "" and read.stdout == fresh
    report = audit(scenario.app, caches=(check_views,))
    assert [p for p in report.problems if p.step == 8] == []


def test_a_patched_answer_is_kept_once_the_log_has_grown_far_past_the_kept_one(
    scenario: Scenario, awards: Cli, raw: RawRows, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the table kept, then a score
    views = raw.side_table("award_sealed_views")

    def kept_row() -> tuple[int, bytes]:
        [(seq, state)] = raw.execute(f"SELECT seq, state FROM {views} WHERE name = ?", (KEPT,))
        return seq, bytes(state)

    awards("standings", MOVEMENT)
    before = kept_row()
    _score(scenario, [("P4", "c1", 10.0, "appraisal")])
    # when read with the log fewer than KEEP_AGAIN_AFTER rows past the kept answer's
    # checkpoint: printed patched, and nothing written
    read = awards("standings", MOVEMENT)
    assert read.exit_code == 0 and read.stdout == _fresh(scenario, [])
    assert kept_row() == before
    # when read once the log has grown that far: the patched answer is kept in its place,
    # at the log's end
    monkeypatch.setattr(answer_cache, "KEEP_AGAIN_AFTER", 1)
    assert awards("standings", MOVEMENT).stdout == read.stdout
    seq, state = kept_row()
    assert seq == len(scenario.app.tree()[1]) > before[0] and state != before[1]
    # and the next read prints it as kept, folding nothing
    _no_fold(monkeypatch)
    assert awards("standings", MOVEMENT).stdout == read.stdout


def test_after_a_registration_the_kept_answer_is_made_whole_again(
    scenario: Scenario, awards: Cli, large: None
) -> None:
    # given the table kept, then a score and a participant registered
    awards("standings", MOVEMENT)
    _score(scenario, [("P4", "c1", 10.0, "appraisal")])
    app = scenario.app
    movement = app.find(Movement, Movement.id_for(MOVEMENT))
    assert movement is not None
    late = Participation.register(movement, "S1", "person", ["advanced_worker"],
                                  at=at("2019-02-10"))  # fmt: skip
    app.save_signed("sec", scenario.keys["sec"], [late])
    registry.sign_new_checkpoint(app, scenario.keys["op"])
    # when read: every row made, what a fold prints
    read = awards("standings", MOVEMENT)
    assert read.exit_code == 0 and read.stdout == _fresh(scenario, [])
    assert "\tS1\t" in read.stdout


def test_past_the_most_pending_events_every_row_is_made(
    scenario: Scenario, awards: Cli, large: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the table kept, then a score, with no event to be handed over to a patch
    awards("standings", MOVEMENT)
    _score(scenario, [("P4", "c1", 10.0, "appraisal")])
    monkeypatch.setattr(answer_cache, "MOST_PENDING", 0)
    made: list[int] = []
    table = MovementStandings.table
    monkeypatch.setattr(MovementStandings, "table", lambda state: made.append(1) or table(state))
    # when read: every row made, what a fold prints
    read = awards("standings", MOVEMENT)
    assert made == [1] and read.exit_code == 0 and read.stdout == _fresh(scenario, [])


def _forge_index(state: bytes) -> bytes:
    """A kept answer row's state with its index's row order reversed (the answer's bytes and
    every length left as they were), as someone who read projections/standings_patch.py would
    forge it to have a patch print rows out of their order."""
    at = 4 + int.from_bytes(state[:4], "big") + 16
    size = int.from_bytes(state[at : at + 4], "big")
    index = msgspec.msgpack.decode(state[at + 4 : at + 4 + size])
    order = array("I", index[0])
    order.reverse()
    forged = msgspec.msgpack.encode([order.tobytes(), *index[1:]])
    assert len(forged) == size
    return state[: at + 4] + forged + state[at + 4 + size :]


def test_an_edited_index_is_not_patched_from_and_verify_reports_it(
    scenario: Scenario, awards: Cli, raw: RawRows, large: None
) -> None:
    # given the table kept, then its index edited in the views table, then a new score
    views = raw.side_table("award_sealed_views")

    def forge() -> None:
        [(state,)] = raw.execute(f"SELECT state FROM {views} WHERE name = ?", (KEPT,))
        forged = _forge_index(bytes(state))
        raw.execute(f"UPDATE {views} SET state = ? WHERE name = ?", (forged, KEPT))

    awards("standings", MOVEMENT)
    forge()
    _score(scenario, [("P4", "c1", 10.0, "appraisal")])
    # when read: not patched from the forged order, but what a fold prints
    read = awards("standings", MOVEMENT)
    assert read.exit_code == 0 and read.stdout == _fresh(scenario, [])
    # and when the answer kept then is edited so and verified: step 8 names it
    forge()
    report = audit(scenario.app, caches=(check_frontier, check_views))
    problems = [p.message for p in report.problems if p.step == 8]
    assert problems and all(repr(KEPT) in p for p in problems), problems


def _reseal_cut_short(scenario: Scenario) -> None:
    """The kept table's row written again through the store (sealed with the local key, as
    only award-ledger itself could write it) with its deflated bytes cut short: what a fault
    of the writer would leave."""
    store = ViewStore(scenario.app)
    row = store.load(KEPT)
    assert row is not None and row.intact
    store.save(KEPT, row.version, row, row.position, row.state[:-12], replace=True)


def test_a_kept_answer_that_does_not_inflate_stops_with_one_line(
    scenario: Scenario, awards: Cli, large: None
) -> None:
    # given the table kept, then its row sealed again with its bytes cut short
    truth = awards("standings", MOVEMENT)
    _reseal_cut_short(scenario)
    # when read as it stands: printing stops with one line and the storage exit code
    read = awards("standings", MOVEMENT)
    assert read.exit_code == 5 and "kept answer" in one_error_line(read)
    # and when carried over a new event: not used (its first 64 KiB, here all of it, are
    # inflated to find where it says where it stands), the view read again
    _new_signer(scenario)
    again = awards("standings", MOVEMENT)
    assert again.exit_code == 0 and again.stdout.splitlines()[2:] == truth.stdout.splitlines()[2:]
