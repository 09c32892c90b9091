"""Stored views are never believed as stored: each edit of their tables (state, position, seq,
version, seal, tracking), made as anyone able to edit the database could (no key), is refused
on reading — the answer is the log's — and reported by `verify`; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest

from domain.errors import VerificationError
from ledger.application import LedgerApp
from ledger.reader import LogReader, Row
from ledger.usecases import registry
from ledger.verify import audit
from ledger.verify_caches import check_frontier
from projections import queries, stream, verify_views
from projections import runner as runner_module
from projections.history import history_view
from projections.movement_view import movement_view
from projections.report import movement_report
from projections.report.render_json import json_chunks
from projections.runner import Runner
from projections.store import ViewStore
from projections.stream import Cut, Position
from projections.verify_views import check_views
from projections.view import LEDGER_VIEW, LedgerView, ViewSpec, fold
from tests.conftest import RawRows
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario

VIEWS = "award_sealed_views"
TRACKING = "award_view_tracking"
REAL, FORGED = "Nguyễn Văn An", "Kẻ Giả Mạo"
EARLY = 20  # a forged state: the view as it stood after the first 20 events


Reader = Callable[[Scenario], Any]
READERS: dict[str, Reader] = {
    "standings": lambda s: queries.standings(s.app, MOVEMENT),
    "tally": lambda s: queries.tally(s.app, "S-AW"),
    "history": lambda s: queries.history(s.app, "P1"),
    "report": lambda s: b"".join(json_chunks(movement_report(s.app, MOVEMENT))),
    "standings --at-seq head": lambda s: queries.standings(
        s.app, MOVEMENT, Cut(at_seq=s.written.size)
    ),
    "report --at-seq checkpoint": lambda s: b"".join(
        json_chunks(movement_report(s.app, MOVEMENT, Cut(at_seq=s.written.checkpoint_size)))
    ),
    "history --as-of after the checkpoint": lambda s: queries.history(
        s.app, "P1", _as_of(s, s.written.size - 1)
    ),
}


def _as_of(scenario: Scenario, seq: int) -> Cut:
    """The cut at the append time of event `seq` (read without any stored copy)."""
    position = Runner(scenario.app, persist=False).read(LEDGER_VIEW, Cut(at_seq=seq + 1)).position
    assert position.time is not None
    return Cut(as_of=position.time)


SPECS: dict[str, ViewSpec[Any]] = {
    spec.name: spec for spec in (LEDGER_VIEW, history_view("P1"), movement_view(MOVEMENT))
}


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the runner says on the `award_ledger` logger."""
    said: list[str] = []
    monkeypatch.setattr(
        runner_module.LOG, "warning", lambda message, *args: said.append(message % args)
    )
    return said


def _rows(raw: RawRows) -> list[tuple[str, bytes, bytes]]:
    found = raw.execute(f"SELECT name, position, state FROM {raw.side_table(VIEWS)} ORDER BY name")
    return [(str(name), bytes(position), bytes(state)) for name, position, state in found]


def _set(raw: RawRows, name: str, column: str, value: object) -> None:
    raw.execute(f"UPDATE {raw.side_table(VIEWS)} SET {column} = ? WHERE name = ?", (value, name))


def _early_state(app: LedgerApp, name: str) -> bytes:
    """A well-formed state of view `name` that hides every event after the first EARLY."""
    early = Runner(app, persist=False).read(SPECS[name], Cut(at_seq=EARLY))
    return SPECS[name].encode(early.state)


def _planted(name: str, state: bytes) -> bytes:
    """`state` of view `name` with FORGED written over REAL wherever it holds it, in the form
    the view stores (the two names are as long in UTF-8, so a length-prefixed MessagePack
    field stays whole; the early state of the movement's view names nobody yet)."""
    real, forged = REAL.encode(), FORGED.encode()
    assert len(real) == len(forged)
    if SPECS[name].codec == "json":
        return state.replace(real, forged)
    return zlib.compress(zlib.decompress(state).replace(real, forged))


def _forge_states(scenario: Scenario, raw: RawRows) -> None:
    for name, _, state in _rows(raw):
        forged = _planted(name, _early_state(scenario.app, name))
        assert forged != state
        _set(raw, name, "state", forged)


@pytest.mark.parametrize("reader", list(READERS))
def test_an_edited_state_is_never_shown_and_the_copy_is_rebuilt(
    scenario: Scenario, raw: RawRows, warnings: list[str], reader: str
) -> None:
    read = READERS[reader]
    truth = read(scenario)  # cold: folded from the log, copies stored at the checkpoint
    assert _rows(raw), "the read stored its views"
    _forge_states(scenario, raw)

    answer = read(scenario)

    assert answer == truth
    assert FORGED not in msgspec.json.encode(answer).decode()
    assert warnings and all("fails its seal" in w for w in warnings)
    for name, _, state in _rows(raw):  # rebuilt: sealed again, and the log's own state
        stored = ViewStore(scenario.app).load(name)
        assert stored is not None and stored.intact and FORGED.encode() not in state


def _counting(folded: list[int]) -> ViewSpec[LedgerView]:
    def counting(state: LedgerView, event: Any, meta: stream.EventMeta) -> LedgerView:
        folded.append(meta.seq)
        return fold(state, event, meta)

    return dataclasses.replace(LEDGER_VIEW, name=f"test-{uuid.uuid4().hex[:8]}", fold=counting)


def _edits(position: Position) -> dict[str, object]:
    moved = msgspec.json.encode(msgspec.structs.replace(position, seq=EARLY))
    return {
        "position": moved,
        "seq": EARLY,
        "version": "ledger-view/0:forged",
        "seal": b"\x00" * 32,
        "key_id": "0000000000000000",  # another office's row now: never used here
        "seq-as-text": "81 or so",
    }


@pytest.mark.parametrize(
    "column",
    [
        pytest.param(c, marks=[pytest.mark.sqlite_only] if c == "seq-as-text" else [])
        for c in _edits(Position())
    ],
)
def test_an_edited_row_is_not_used_whatever_column_was_changed(
    scenario: Scenario, raw: RawRows, column: str
) -> None:
    app, folded = scenario.app, []
    spec = _counting(folded)
    truth = Runner(app, persist=False).read(LEDGER_VIEW).state
    assert Runner(app).read(spec).stored
    stored = ViewStore(app).load(spec.name)
    assert stored is not None and stored.intact
    _set(raw, spec.name, "state", _early_state(app, "ledger"))  # the lie the edit would carry
    _set(raw, spec.name, column.removesuffix("-as-text"), _edits(stored.position)[column])
    folded.clear()

    result = Runner(app).read(spec)

    assert result.state == truth
    assert folded[0] < EARLY  # folded from the start: nothing of the row was believed
    if column != "key_id":  # the refused row itself was replaced by a sealed copy
        again = ViewStore(app).load(spec.name)
        assert again is not None and again.intact and result.stored


def test_a_warm_read_reuses_the_checked_copy(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, size = scenario.app, scenario.written.size
    Runner(app).read(LEDGER_VIEW)
    read: list[int] = []
    real = LogReader.rows_after

    def counting(
        reader: LogReader, after_id: int | None, on_page: Callable[[int], None] | None = None
    ) -> Iterator[Row]:
        for row in real(reader, after_id, on_page):
            read.append(row[0])
            yield row

    monkeypatch.setattr(LogReader, "rows_after", counting)

    Runner(app).read(LEDGER_VIEW)

    assert len(read) == size - scenario.written.checkpoint_size  # only what the copy lacks


def _sealed_copy(app: LedgerApp, spec: ViewSpec[LedgerView], position: Position) -> None:
    """A copy sealed with the real local key (as if folded from a log since rewritten)."""
    early = Runner(app, persist=False).read(LEDGER_VIEW, Cut(at_seq=EARLY))
    ViewStore(app).save(spec.name, spec.stored_version, None, position, spec.encode(early.state))


@pytest.mark.parametrize("at", ["checkpoint", "before-checkpoint"])
def test_a_sealed_copy_whose_tree_is_not_the_signed_one_is_not_used(
    scenario: Scenario, at: str
) -> None:
    app, folded = scenario.app, []
    spec = _counting(folded)
    signed = scenario.written.checkpoint_size
    seq = signed if at == "checkpoint" else signed - 5
    real = Runner(app, persist=False).read(LEDGER_VIEW, Cut(at_seq=seq)).position
    wrong = [bytes([h[0] ^ 1]) + h[1:] for h in real.frontier]
    _sealed_copy(app, spec, msgspec.structs.replace(real, frontier=wrong))

    result = Runner(app).read(spec)

    assert result.state == Runner(app, persist=False).read(LEDGER_VIEW).state
    assert min(folded) < EARLY  # folded (again) from the start
    stored = ViewStore(app).load(spec.name)
    assert stored is not None and stored.intact and stored.position.frontier != wrong


@pytest.mark.parametrize("copy", [False, True])
def test_a_log_that_misses_its_signed_root_is_never_shown(
    scenario: Scenario, raw: RawRows, copy: bool
) -> None:
    app, signed = scenario.app, scenario.written.checkpoint_size
    if copy:  # a true copy from before the rewrite, short of the checkpoint
        true = Runner(app, persist=False).read(LEDGER_VIEW, Cut(at_seq=signed - 5))
        state = LEDGER_VIEW.encode(true.state)
        ViewStore(app).save(
            LEDGER_VIEW.name, LEDGER_VIEW.stored_version, None, true.position, state
        )
    raw.swap_rows(signed - 3, signed - 2)  # reorder two events the checkpoint covers

    for reader in READERS.values():
        with pytest.raises(VerificationError, match=f"signed checkpoint of size {signed}"):
            reader(scenario)
    with pytest.raises(VerificationError, match="signed checkpoint"):
        Runner(app, persist=False).read(LEDGER_VIEW, Cut(at_seq=signed + 1))
    seqs = [int(seq) for (seq,) in raw.execute(f"SELECT seq FROM {raw.side_table(VIEWS)}")]
    assert seqs == ([signed - 5] if copy else [])  # nothing stored from the rewritten log


def _audit_views(app: LedgerApp) -> list[str]:
    report = audit(app, caches=(check_frontier, check_views))
    return [p.message for p in report.problems if p.step == 8]


EDITS: dict[str, Callable[[RawRows, str, Position], None]] = {
    "state": lambda raw, name, _: _set(raw, name, "state", b"{}"),
    "position": lambda raw, name, p: _set(
        raw, name, "position", msgspec.json.encode(msgspec.structs.replace(p, notification_id=1))
    ),
    "seq": lambda raw, name, p: _set(raw, name, "seq", p.seq - 1),
    "version": lambda raw, name, _: _set(raw, name, "version", "ledger-view/0"),
    "seal": lambda raw, name, _: _set(raw, name, "seal", b"\x01" * 32),
    "tracking-added": lambda raw, name, p: raw.execute(
        f"INSERT INTO {raw.side_table(TRACKING)} (view, notification_id) VALUES (?, ?)",
        (_tracked(raw, name), (p.notification_id or 0) + 1000),
    ),
    "tracking-deleted": lambda raw, name, _: raw.execute(
        f"DELETE FROM {raw.side_table(TRACKING)} WHERE view = ?", (_tracked(raw, name),)
    ),
}


def _tracked(raw: RawRows, name: str) -> str:
    [(key_id,)] = raw.execute(f"SELECT key_id FROM {raw.side_table(VIEWS)} WHERE name = ?", (name,))
    return f"{name}@{key_id}"


@pytest.mark.parametrize("edit", list(EDITS))
def test_verify_reports_each_edit_of_the_view_tables(
    scenario: Scenario, raw: RawRows, edit: str
) -> None:
    app = scenario.app
    Runner(app).read(LEDGER_VIEW)
    assert _audit_views(app) == []
    stored = ViewStore(app).load("ledger")
    assert stored is not None

    EDITS[edit](raw, "ledger", stored.position)

    problems = _audit_views(app)
    assert problems and all("'ledger'" in p for p in problems), problems
    assert not audit(app, caches=(check_views,)).ok


@pytest.mark.parametrize("codec", ["json-zlib", "json"])
@pytest.mark.parametrize("chunk", [5, 1 << 20])
def test_verify_reads_a_state_in_chunks_into_its_seal(
    scenario: Scenario, raw: RawRows, monkeypatch: pytest.MonkeyPatch, chunk: int, codec: str
) -> None:
    """The audit reads a view's state a chunk at a time (SQLite: the blob in place) into its
    seal: an intact copy opens, one byte changed in its middle does not; on SQLite a state
    (stored as JSON) edited into text is measured and read as the bytes a read would take."""
    monkeypatch.setattr(verify_views, "STATE_CHUNK", chunk)
    app = scenario.app
    Runner(app).read(dataclasses.replace(LEDGER_VIEW, codec=codec))
    assert _audit_views(app) == []
    [(name, _, state)] = _rows(raw)
    assert len(state) > 10 * 5
    if not app.location.is_postgres and codec == "json":
        _set(raw, name, "state", state.decode())  # the same bytes, as text
        assert raw.execute(f"SELECT typeof(state) FROM {raw.side_table(VIEWS)}") == [("text",)]
        assert _audit_views(app) == []
    edited = bytearray(state)
    edited[len(edited) // 2] ^= 1
    _set(raw, name, "state", bytes(edited))
    snapshot = raw.snapshot()
    problems = _audit_views(app)
    assert len(problems) == 1 and "fails its seal" in problems[0], problems
    assert raw.snapshot() == snapshot


def test_a_forged_tracking_record_only_keeps_a_copy_from_being_stored(
    scenario: Scenario, raw: RawRows
) -> None:
    app = scenario.app
    spec = _counting([])
    Runner(app, lag=0).read(spec)
    stored = ViewStore(app).load(spec.name)
    assert stored is not None
    # claim the next checkpoint's position was already applied
    registry.add_unit(app, scenario.keys["sec"], "PH9", "Phòng Chín", "division", "VU1")
    registry.sign_new_checkpoint(app, scenario.keys["op"])
    next_id = app.notification_id_of(scenario.written.size)
    raw.execute(
        f"INSERT INTO {raw.side_table(TRACKING)} (view, notification_id) VALUES (?, ?)",
        (_tracked(raw, spec.name), next_id),
    )

    result = Runner(app, lag=0).read(spec)

    assert not result.stored and result.state.catalog.units["PH9"].name == "Phòng Chín"
    assert any("tracking records" in p for p in _audit_views(app))
