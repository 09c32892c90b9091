"""The event index (ledger/event_index.py): written in the insert's transaction on SQLite and
PostgreSQL, filled on first need for older ledgers, and never trusted — a deleted, added or
moved row is named by `verify`, and a read refuses to show a row that does not check out."""

from __future__ import annotations

import pytest

from ledger.application import LedgerApp
from ledger.event_index import MARK, IndexEnd, IndexStore, index_rows, split_key, stored_key
from ledger.event_reads import EventIndex
from ledger.store import state_bytes
from ledger.verify import audit
from tests.conftest import LEDGER_SIZE, SEQ_P1, SEQ_UNIT, Keys, RawRows, populate

P1: tuple[str, str] = ("participant", "P1")


def _table(raw: RawRows) -> str:
    events = "awardledger_events" if raw.location.is_postgres else "stored_events"
    return raw.side_table(f"{events}_index2")


def _stored(raw: RawRows) -> set[tuple[str, str, int, int]]:
    rows = raw.execute(f"SELECT key, seq, nid FROM {_table(raw)} WHERE key <> ?", (MARK,))
    return {(*split_key(k), int(s), int(n)) for k, s, n in rows}


def _recomputed(raw: RawRows) -> set[tuple[str, str, int, int]]:
    rows = raw.rows()
    return set(index_rows(0, [(r.notification_id, state_bytes(r.state)) for r in rows]))


def _index_problems(app: LedgerApp) -> list[str]:
    report = audit(app)
    return [p.message for p in report.problems if p.message.startswith("event index")]


def test_each_write_files_its_events_in_the_same_transaction(
    ledger_url: str, keys: Keys, apps: object, raw: RawRows
) -> None:
    from ledger.application import open_ledger

    app = open_ledger(ledger_url)
    try:
        populate(app, keys)
        rows = raw.rows()
        assert _stored(raw) == _recomputed(raw)
        end = IndexStore(app.recorder, app.location.is_postgres).load_end()
        assert end == IndexEnd(len(rows), rows[-1].notification_id)
        assert _index_problems(app) == []
    finally:
        app.close()


def test_an_older_ledger_is_filled_on_first_need_then_kept_by_writes(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    raw.execute(f"DROP TABLE IF EXISTS {_table(raw)}")
    before = raw.snapshot()
    seen: list[int] = []
    index = EventIndex(ledger, lambda done, total: seen.append(done))
    assert _stored(raw) == _recomputed(raw) and seen == [LEDGER_SIZE]
    assert raw.snapshot() == before  # filling the index wrote no event
    assert [s for s, _ in index.positions([P1])] == [SEQ_P1]
    from ledger.usecases import registry

    registry.add_person(ledger, keys.sec, "P9", "Lê Văn C", "U1")
    assert _stored(raw) == _recomputed(raw)  # the write extended it


def test_a_read_shows_the_events_the_index_names_each_checked(ledger: LedgerApp) -> None:
    index = EventIndex(ledger)
    events = index.events(index.positions([P1]), [P1])
    assert [e.seq for e in events] == [SEQ_P1] and index.problems == []
    assert index.check.problem is None and index.check.signed is not None


# -- tampering -----------------------------------------------------------------------------------


def test_a_deleted_row_is_named_by_the_audit(ledger: LedgerApp, raw: RawRows) -> None:
    EventIndex(ledger)  # filled (a PostgreSQL template copy has none yet)
    before = raw.snapshot()
    raw.execute(f"DELETE FROM {_table(raw)} WHERE key = ?", (stored_key(*P1),))
    assert _index_problems(ledger) == [
        f"event index: row (participant 'P1') of event {SEQ_P1} "
        f"(notification id {raw.row(SEQ_P1).notification_id}) is missing"
    ]
    assert raw.snapshot() == before


def test_an_added_row_is_refused_by_a_read_and_named_by_the_audit(
    ledger: LedgerApp, raw: RawRows
) -> None:
    EventIndex(ledger)
    before = raw.snapshot()
    unit = raw.row(SEQ_UNIT)
    raw.execute(
        f"INSERT INTO {_table(raw)} (key, seq, nid) VALUES (?, ?, ?)",
        (stored_key(*P1), SEQ_UNIT, unit.notification_id),
    )
    index = EventIndex(ledger)
    shown = index.events(index.positions([P1]), [P1])
    assert [e.seq for e in shown] == [SEQ_P1]  # the unit's event is not shown as P1's
    assert index.problems == [
        f"event index row at seq {SEQ_UNIT} points at an event not filed under it; not shown"
    ]
    assert _index_problems(ledger) == [
        f"event index: row (participant 'P1') of event {SEQ_UNIT} "
        f"(notification id {unit.notification_id}) is not the log's"
    ]
    assert raw.snapshot() == before


def test_a_row_moved_to_another_seq_is_refused_by_a_read_and_named_by_the_audit(
    ledger: LedgerApp, raw: RawRows
) -> None:
    EventIndex(ledger)
    before = raw.snapshot()
    raw.execute(f"UPDATE {_table(raw)} SET seq = ? WHERE key = ?", (SEQ_UNIT, stored_key(*P1)))
    index = EventIndex(ledger)
    assert index.events(index.positions([P1]), [P1]) == []
    assert index.problems == [
        f"event index row at seq {SEQ_UNIT} is not the event the signed tree holds there; not shown"
    ]
    nid = raw.row(SEQ_P1).notification_id
    assert set(_index_problems(ledger)) == {
        f"event index: row (participant 'P1') of event {SEQ_P1} (notification id {nid}) is missing",
        f"event index: row (participant 'P1') of event {SEQ_UNIT} (notification id {nid}) "
        "is not the log's",
    }
    assert raw.snapshot() == before


@pytest.mark.parametrize("size", [LEDGER_SIZE + 5, 1])
def test_a_mark_that_does_not_end_on_the_log_is_named(
    ledger: LedgerApp, raw: RawRows, size: int
) -> None:
    EventIndex(ledger)
    raw.execute(f"UPDATE {_table(raw)} SET seq = ? WHERE key = ?", (size, MARK))
    problems = _index_problems(ledger)
    assert problems and problems[0].startswith(f"event index: its mark ({size} events)")


def test_a_ledger_it_cannot_write_files_what_is_past_the_mark_in_memory(
    ledger: LedgerApp, keys: Keys, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.usecases import registry

    EventIndex(ledger)  # filled up to here
    monkeypatch.setattr(IndexStore, "extend", lambda *args: False)  # left behind
    registry.add_person(ledger, keys.sec, "P9", "Lê Văn C", "U1")

    def read_only(*args: object) -> None:
        raise PermissionError("attempt to write a readonly database")

    monkeypatch.setattr(IndexStore, "backfill", read_only)
    before = _stored(raw)
    index = EventIndex(ledger)
    unit_rows = index.events(index.positions([("participant", "U1")]), [("participant", "U1")])
    assert [e.seq for e in unit_rows] == [SEQ_UNIT, SEQ_P1, SEQ_P1 + 1, LEDGER_SIZE]
    assert index.seq_of(raw.row(LEDGER_SIZE).notification_id) == LEDGER_SIZE
    assert "P9" in index.keys("participant") and index.problems == []
    assert _stored(raw) == before  # nothing written


def test_rows_of_many_keys_are_named_up_to_a_limit_then_counted(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    from ledger.usecases import registry
    from ledger.verify_caches import MAX_INDEX_PROBLEMS

    EventIndex(ledger)
    for n in range(MAX_INDEX_PROBLEMS):
        registry.add_person(ledger, keys.sec, f"Q{n}", "Lê Văn C", "U1")
    before = raw.snapshot()
    filed = sorted({(k, v) for k, v, _, _ in _stored(raw)})
    raw.execute(f"DELETE FROM {_table(raw)} WHERE key <> ?", (MARK,))
    problems = _index_problems(ledger)
    named = [p for p in problems if p.endswith("is missing")]
    assert len(named) == MAX_INDEX_PROBLEMS
    more = len(filed) - MAX_INDEX_PROBLEMS
    assert f"event index: the rows of {more} more keys differ" in problems
    first = {f"({k} {v!r})" for k, v in filed[:MAX_INDEX_PROBLEMS]}  # in key order
    assert {p.split(" of event ")[0].removeprefix("event index: row ") for p in named} <= first
    assert raw.snapshot() == before


def test_a_row_whose_seq_is_not_a_number_is_named(ledger: LedgerApp, raw: RawRows) -> None:
    if raw.location.is_postgres:
        pytest.skip("PostgreSQL keeps the column's type; only SQLite stores text in it")
    EventIndex(ledger)
    raw.execute(f"UPDATE {_table(raw)} SET seq = 'x' WHERE key = ?", (stored_key(*P1),))
    nid = raw.row(SEQ_P1).notification_id
    assert set(_index_problems(ledger)) == {
        f"event index: row (participant 'P1') of event x (notification id {nid}) is not the log's",
        f"event index: row (participant 'P1') of event {SEQ_P1} (notification id {nid}) is missing",
    }


def test_keys_and_positions_come_from_the_primary_key_alone(
    ledger: LedgerApp, raw: RawRows
) -> None:
    """The index is one primary key, (kind:key, seq): the table of earlier versions (kind and
    key apart, and a second index on seq, both paid by every append) is dropped, and the key
    list and the seq lookups read the primary key."""
    index = EventIndex(ledger)
    store = IndexStore(ledger.recorder, ledger.location.is_postgres)
    old = _table(raw).removesuffix("2").removesuffix('2"')
    raw.execute(f"CREATE TABLE {old} (kind TEXT, key TEXT, seq BIGINT, nid BIGINT)")
    store.create_table()
    with pytest.raises(Exception, match=r"(?i)no such table|does not exist"):
        raw.execute(f"SELECT * FROM {old}")
    if raw.location.is_postgres:  # byte order, whatever the database's own collation
        schema, table = (part.strip('"') for part in _table(raw).split("."))
        collation = raw.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? AND column_name = 'key'",
            (schema, table),
        )
        assert collation == [("C",)]
    stored = _stored(raw)
    for kind in ("type", "participant", "signer"):
        assert store.keys(kind) == sorted({v for k, v, _, _ in stored if k == kind})
    for row in raw.rows():
        assert store.nid_at(row.seq) == row.notification_id
        assert index.seq_of(row.notification_id) == row.seq
    assert store.nid_at(LEDGER_SIZE) is None


def test_the_audit_walks_the_table_a_page_at_a_time(
    ledger: LedgerApp, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger import verify_caches

    EventIndex(ledger)
    monkeypatch.setattr(verify_caches, "SCAN_PAGE", 2)
    assert _index_problems(ledger) == []
    raw.execute(f"DELETE FROM {_table(raw)} WHERE key = ?", (stored_key(*P1),))
    nid = raw.row(SEQ_P1).notification_id
    assert _index_problems(ledger) == [
        f"event index: row (participant 'P1') of event {SEQ_P1} (notification id {nid}) "
        "is missing"
    ]
