"""The write path of LedgerApp on both backends: atomic writes, receipts, refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import (
    AlreadyExistsError,
    ConcurrencyError,
    DomainError,
    LedgerNotInitialisedError,
    NotFoundError,
    SignerNotAllowedError,
    UsageError,
)
from domain.registry import Ledger, Person, Signer, SignerKey, Unit
from ledger.application import LedgerApp
from ledger.keys import raw_public_key
from ledger.merkle import MerkleTree, leaf_hash
from ledger.reader import decode_entry
from ledger.usecases import registry
from ledger.verify import audit
from projections.signers import signer_list
from tests.conftest import (
    LEDGER_SIZE,
    ORIGIN,
    SEQ_CHECKPOINT,
    SEQ_UNIT,
    Keys,
    RawRows,
    checkpoint_note,
)
from tests.gwt import recorded, replay

# -- genesis ---------------------------------------------------------------------------------------


def test_initialise_writes_genesis_operator_and_key_claim_as_one_receipt(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], raw: RawRows
) -> None:
    app = apps(ledger_url)
    assert app.is_empty()

    receipt = registry.initialise(app, ORIGIN, "op", keys.op)

    assert receipt.seqs == [0, 1, 2]
    assert receipt.size == 3
    assert receipt.root == raw.root()
    topics = [r.topic.rpartition(":")[2] for r in raw.rows()]
    assert topics == ["Ledger.Initialised", "Signer.Registered", "SignerKey.Claimed"]
    genesis = app.genesis()
    assert (genesis.origin, genesis.operator) == (ORIGIN, "op")
    assert genesis.operator_key == keys.public("op")
    assert app.origin == ORIGIN


def test_initialise_twice_is_refused_and_changes_nothing(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    with pytest.raises(AlreadyExistsError, match=r"init rejected: .* already initialised"):
        registry.initialise(ledger, "another.example/log", "op2", keys.other)
    assert raw.snapshot() == before


def test_invalid_origin_is_a_usage_error_and_writes_nothing(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp]
) -> None:
    app = apps(ledger_url)
    with pytest.raises(UsageError, match="origin 'has space' is not valid"):
        registry.initialise(app, "has space", "op", keys.op)
    assert app.is_empty()


# -- a ledger without genesis ----------------------------------------------------------------------


def test_empty_ledger_has_no_genesis(ledger_url: str, apps: Callable[[str], LedgerApp]) -> None:
    app = apps(ledger_url)
    with pytest.raises(LedgerNotInitialisedError, match="is not initialised"):
        app.genesis()
    with pytest.raises(LedgerNotInitialisedError):
        audit(app)
    with pytest.raises(LedgerNotInitialisedError):
        signer_list(app)
    with pytest.raises(LedgerNotInitialisedError):
        registry.latest_checkpoint(app)


@pytest.mark.parametrize("command", ["unit add", "checkpoint"])
def test_write_to_uninitialised_ledger_says_not_initialised(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], command: str
) -> None:
    app = apps(ledger_url)
    with pytest.raises(LedgerNotInitialisedError, match="is not initialised"):
        if command == "unit add":
            registry.add_unit(app, keys.sec, "U1", "Unit", "agency")
        else:
            registry.sign_new_checkpoint(app, keys.op)
    assert app.is_empty()


def test_write_to_uninitialised_ledger_is_refused_and_writes_nothing(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp]
) -> None:
    app = apps(ledger_url)
    with pytest.raises(LedgerNotInitialisedError):
        registry.add_unit(app, keys.sec, "U1", "Unit", "agency")
    assert app.is_empty()


# -- receipts --------------------------------------------------------------------------------------


def test_single_event_write_receipt_names_its_seq_and_the_new_tree(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    receipt = registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office", parent="U1")

    assert receipt.seqs == [LEDGER_SIZE]
    assert receipt.size == LEDGER_SIZE + 1
    assert receipt.root == raw.root()
    row = raw.row(LEDGER_SIZE)
    assert row.topic == "Unit.Added"
    assert row.originator_id == Unit.id_for("U2")
    assert ledger.load(Unit, Unit.id_for("U2"), "unit").parent == "U1"


def test_multi_event_write_gets_dense_seqs_in_one_receipt(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    receipt = registry.add_signer(ledger, keys.op, "alice", keys.public("other"), ["scorer"])

    assert receipt.seqs == [LEDGER_SIZE, LEDGER_SIZE + 1]
    assert receipt.size == LEDGER_SIZE + 2
    rows = raw.rows()
    assert receipt.root == MerkleTree(leaf_hash(r.state) for r in rows).root().hex()
    assert rows[LEDGER_SIZE].originator_id == Signer.id_for("alice")
    assert rows[LEDGER_SIZE + 1].originator_id == SignerKey.id_for(keys.public("other"))


def test_receipt_root_equals_tree_recomputed_from_stored_rows(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    receipts = [
        registry.add_person(ledger, keys.sec, f"Q{i}", f"Người {i}", "U1") for i in range(3)
    ]
    rows = raw.rows()
    for i, receipt in enumerate(receipts):
        assert receipt.seqs == [LEDGER_SIZE + i]
        leaves = [leaf_hash(r.state) for r in rows[: receipt.size]]
        assert receipt.root == MerkleTree(leaves).root().hex()
    tree, ids = ledger.tree()
    assert tree.size == len(rows)
    assert ids == [r.notification_id for r in rows]


def test_checkpoint_commits_to_the_tree_before_it(ledger: LedgerApp, raw: RawRows) -> None:
    latest = registry.latest_checkpoint(ledger)
    assert latest is not None
    rows = raw.rows()
    assert rows[SEQ_CHECKPOINT].topic == "Ledger.CheckpointSigned"
    assert latest.size == SEQ_CHECKPOINT
    expected = MerkleTree(leaf_hash(r.state) for r in rows[:SEQ_CHECKPOINT]).root()
    assert latest.root_hash == expected
    assert latest.note.startswith(f"{ORIGIN}\n{SEQ_CHECKPOINT}\n")


def test_entries_are_dense_and_reopened_ledger_sees_the_same_tree(
    ledger: LedgerApp, apps: Callable[[str], LedgerApp], raw: RawRows
) -> None:
    entries = list(ledger.entries())
    assert [e.seq for e in entries] == list(range(LEDGER_SIZE))
    assert [e.state for e in entries] == [r.state for r in raw.rows()]
    assert [e.seq for e in ledger.entries(5)] == list(range(5, LEDGER_SIZE))
    again = apps(ledger.location.url)
    assert again.tree()[0].root() == ledger.tree()[0].root()
    assert again.origin == ORIGIN


def test_stored_events_replay_into_the_aggregate(ledger: LedgerApp) -> None:
    entry = next(e for e in ledger.entries() if e.seq == SEQ_UNIT)
    body, event = decode_entry(entry)
    assert body.signer == "sec"
    assert body.origin == ORIGIN

    unit = replay(event)  # given

    assert (unit.unit_id, unit.name, unit.level, unit.parent) == (
        "U1",
        "Phòng Một",
        "department",
        None,
    )
    recorded(unit)  # then: replay records nothing new


# -- atomicity -------------------------------------------------------------------------------------


def test_multi_event_save_is_all_or_nothing(ledger: LedgerApp, keys: Keys, raw: RawRows) -> None:
    before = raw.snapshot()
    # The second aggregate collides with sec's existing key claim: the first must not land.
    signer = Signer.register("mallory", keys.public("sec"), ["secretary"])
    claim = SignerKey.claim(keys.public("sec"), "mallory")

    with pytest.raises(ConcurrencyError, match="nothing recorded"):
        ledger.save_signed("op", keys.op, [signer, claim])

    assert raw.snapshot() == before
    assert ledger.find(Signer, Signer.id_for("mallory")) is None


def test_write_gives_up_after_retries_on_a_permanent_conflict(
    ledger: LedgerApp, keys: Keys, raw: RawRows
) -> None:
    before = raw.snapshot()
    calls = 0

    def build(_: Signer) -> list[Unit | Person]:
        nonlocal calls
        calls += 1
        unit = Unit.add(f"N{calls}", "New", "office", None)
        # A second "U1" creation collides with the stored one on every attempt.
        return [unit, Unit.add("U1", "Again", "office", None)]

    with pytest.raises(ConcurrencyError):
        ledger.write(keys.sec, build)

    assert calls == 5
    assert raw.snapshot() == before


# -- role refusals ---------------------------------------------------------------------------------


def _revoke_sec(app: LedgerApp, keys: Keys) -> None:
    registry.revoke_signer(app, keys.op, "sec", "left the office")


REFUSALS = {
    "unregistered key": (
        None,
        lambda app, k: registry.add_unit(app, k.other, "U9", "Unit", "office"),
        r"key [0-9a-f]{16} is not registered to any signer of this ledger",
    ),
    "revoked signer": (
        _revoke_sec,
        lambda app, k: registry.add_unit(app, k.sec, "U9", "Unit", "office"),
        r"signer 'sec' is revoked \(left the office\) and can sign nothing",
    ),
    "secretary registers a signer": (
        None,
        lambda app, k: registry.add_signer(app, k.sec, "eve", k.public("other"), ["secretary"]),
        r"signer 'sec' may not sign Signer.Registered: needs role operator, has secretary",
    ),
    "operator adds a unit": (
        None,
        lambda app, k: registry.add_unit(app, k.op, "U9", "Unit", "office"),
        r"signer 'op' may not sign Unit.Added: needs role secretary, has operator",
    ),
    "operator adds a person": (
        None,
        lambda app, k: registry.add_person(app, k.op, "P9", "Người", "U1"),
        r"signer 'op' may not sign Person.Added: needs role secretary, has operator",
    ),
    "secretary signs a checkpoint": (
        None,
        lambda app, k: registry.sign_new_checkpoint(app, k.sec),
        r"signer 'sec' may not sign Ledger.CheckpointSigned: needs role operator",
    ),
    "secretary revokes": (
        None,
        lambda app, k: registry.revoke_signer(app, k.sec, "op", "coup"),
        r"signer 'sec' may not sign Signer.Revoked: needs role operator",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_signer_not_allowed_is_refused_and_changes_nothing(
    ledger: LedgerApp, keys: Keys, raw: RawRows, case: str
) -> None:
    given, when, message = REFUSALS[case]
    if given is not None:
        given(ledger, keys)
    before = raw.snapshot()

    with pytest.raises(SignerNotAllowedError, match=message):
        when(ledger, keys)

    assert raw.snapshot() == before
    assert audit(ledger).ok


def test_what_a_revoked_signer_signed_stays_valid(ledger: LedgerApp, keys: Keys) -> None:
    _revoke_sec(ledger, keys)
    report = audit(ledger)
    assert report.ok, report.problems
    [sec] = [s for s in signer_list(ledger) if s.name == "sec"]
    assert sec.revoked
    assert sec.revoked_reason == "left the office"


# -- duplicates and missing records ----------------------------------------------------------------

DUPLICATES = {
    "signer name": (
        lambda app, k: registry.add_signer(app, k.op, "sec", k.public("other"), ["scorer"]),
        r"signer add rejected: signer 'sec' already exists",
    ),
    "signer key": (
        lambda app, k: registry.add_signer(app, k.op, "sec2", k.public("sec"), ["scorer"]),
        r"signer add rejected: key [0-9a-f]{16} already belongs to signer 'sec'",
    ),
    "operator key": (
        lambda app, k: registry.add_signer(app, k.op, "op2", k.public("op"), ["scorer"]),
        r"signer add rejected: key [0-9a-f]{16} already belongs to signer 'op'",
    ),
    "unit": (
        lambda app, k: registry.add_unit(app, k.sec, "U1", "Again", "office"),
        r"unit add rejected: unit 'U1' already exists",
    ),
    "person": (
        lambda app, k: registry.add_person(app, k.sec, "P1", "Again", "U1"),
        r"person add rejected: person 'P1' already exists",
    ),
}


@pytest.mark.parametrize("case", list(DUPLICATES), ids=list(DUPLICATES))
def test_duplicate_is_refused_and_changes_nothing(
    ledger: LedgerApp, keys: Keys, raw: RawRows, case: str
) -> None:
    when, message = DUPLICATES[case]
    before = raw.snapshot()

    with pytest.raises(AlreadyExistsError, match=message):
        when(ledger, keys)

    assert raw.snapshot() == before


MISSING = {
    "person in unknown unit": (
        lambda app, k: registry.add_person(app, k.sec, "P9", "Người", "U404"),
        NotFoundError,
        r"person add rejected: unit 'U404' not found",
    ),
    "unit with unknown parent": (
        lambda app, k: registry.add_unit(app, k.sec, "U9", "Unit", "office", parent="U404"),
        NotFoundError,
        r"unit add rejected: parent unit 'U404' not found",
    ),
    "signer of unknown unit": (
        lambda app, k: registry.add_signer(app, k.op, "bob", k.public("other"), ["scorer"], "U4"),
        NotFoundError,
        r"signer add rejected: unit 'U4' not found",
    ),
    "revoke unknown signer": (
        lambda app, k: registry.revoke_signer(app, k.op, "nobody", "gone"),
        NotFoundError,
        r"signer 'nobody' not found",
    ),
    "operator revokes itself": (
        lambda app, k: registry.revoke_signer(app, k.op, "op", "tired"),
        DomainError,
        r"signer revoke rejected: signer 'op' cannot revoke its own key",
    ),
    "unknown role": (
        lambda app, k: registry.add_signer(app, k.op, "bob", k.public("other"), ["boss"]),
        UsageError,
        r"signer 'bob': unknown role 'boss'",
    ),
    "bad unit id": (
        lambda app, k: registry.add_unit(app, k.sec, "U 1", "Unit", "office"),
        UsageError,
        r"unit id 'U 1' is not valid",
    ),
    "bad person category": (
        lambda app, k: registry.add_person(app, k.sec, "P9", "Người", "U1", "boss"),
        UsageError,
        r"person 'P9': unknown category 'boss'",
    ),
}


@pytest.mark.parametrize("case", list(MISSING), ids=list(MISSING))
def test_rule_violation_is_refused_and_changes_nothing(
    ledger: LedgerApp, keys: Keys, raw: RawRows, case: str
) -> None:
    when, error, message = MISSING[case]
    before = raw.snapshot()

    with pytest.raises(error, match=message):
        when(ledger, keys)

    assert raw.snapshot() == before


def test_revoke_twice_is_refused(ledger: LedgerApp, keys: Keys, raw: RawRows) -> None:
    _revoke_sec(ledger, keys)
    before = raw.snapshot()
    with pytest.raises(DomainError, match="signer 'sec' is already revoked"):
        registry.revoke_signer(ledger, keys.op, "sec", "again")
    assert raw.snapshot() == before


def test_revoked_signer_aggregate_records_nothing_on_second_revoke(
    ledger: LedgerApp, keys: Keys
) -> None:
    _revoke_sec(ledger, keys)
    events = [
        decode_entry(e)[1] for e in ledger.entries() if e.originator_id == Signer.id_for("sec")
    ]
    signer = replay(*events)  # given: registered, then revoked
    assert signer.revoked
    with pytest.raises(DomainError, match="already revoked"):  # when
        signer.revoke("again")
    recorded(signer)  # then: nothing new


def test_new_signer_can_sign_with_its_role(ledger: LedgerApp, keys: Keys, raw: RawRows) -> None:
    registry.add_signer(ledger, keys.op, "sec2", keys.public("other"), ["secretary"], "U1")

    receipt = registry.add_unit(ledger, keys.other, "U2", "Unit", "office")

    assert receipt.seqs == [LEDGER_SIZE + 2]
    assert audit(ledger, checkpoints=[checkpoint_note(ledger)]).ok
    assert raw_public_key(keys.other) == ledger.load(Signer, Signer.id_for("sec2"), "s").public_key
    assert isinstance(ledger.genesis(), Ledger)


def test_receipt_after_rows_were_removed_matches_the_stored_rows(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")  # cache covers 10 rows
    raw.truncate_after(LEDGER_SIZE)  # the newest row disappears (tampering, a bad restore)

    receipt = registry.add_unit(apps(ledger.location.url), keys.sec, "U3", "Ba", "office")

    assert receipt.seqs == [LEDGER_SIZE]
    assert (receipt.size, receipt.root) == (LEDGER_SIZE + 1, raw.root())
