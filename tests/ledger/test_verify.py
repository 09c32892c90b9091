"""Tamper tests: edit the real SQLite file / PostgreSQL table under a ledger, then audit it.

Every tampering must make ``audit()`` fail with its FIRST problem naming the right event, and
``awards verify`` exit 4 with one stderr line naming that event.
"""

from __future__ import annotations

import base64
import gc
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest

from domain.errors import CheckpointError
from ledger import codec
from ledger.application import LedgerApp
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import (
    LEDGER_SIZE,
    OTHER_ORIGIN,
    SEQ_CHECKPOINT,
    SEQ_P1,
    SEQ_P2,
    SEQ_SEC_REGISTERED,
    SEQ_UNIT,
    Cli,
    Keys,
    RawRows,
    checkpoint_note,
    one_error_line,
    populate,
)

AWARDS = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "awards")


@dataclass
class World:
    """What a tampering needs: the ledger's rows, the keys, and a second ledger on demand."""

    raw: RawRows
    keys: Keys
    other_ledger: Callable[[], RawRows]


def _flip(data: bytes, marker: bytes, offset: int = 0) -> bytes:
    at = data.index(marker) + offset
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def flip_payload_byte(w: World) -> None:
    """Flip a byte of a field no binding covers (a flipped person_id breaks the id binding
    too, at step 2, before the signature check of step 4)."""
    w.raw.update_state(SEQ_P1, _flip(w.raw.row(SEQ_P1).state, b'"name":"Nguy', 9))


def cut_signature(w: World) -> None:
    w.raw.update_state(SEQ_P1, w.raw.row(SEQ_P1).state[:-4])


def swap_states(w: World) -> None:
    w.raw.swap_states(SEQ_P1, SEQ_P2)


def reorder_rows(w: World) -> None:
    w.raw.swap_rows(SEQ_P1, SEQ_P2)


def move_before_signer_registration(w: World) -> None:
    w.raw.swap_rows(SEQ_SEC_REGISTERED, SEQ_UNIT)


def edit_topic(w: World) -> None:
    w.raw.update_topic(SEQ_UNIT, "Person.Added")


def edit_version(w: World) -> None:
    w.raw.update_version(SEQ_P1, 2)


def delete_middle(w: World) -> None:
    w.raw.delete(SEQ_P1)


def replace_registered_key(w: World) -> None:
    """Re-encode sec's Signer.Registered with another public key, keeping the signature."""
    split = codec.split_entry(w.raw.row(SEQ_SEC_REGISTERED).state)
    old = base64.b64encode(w.keys.public("sec"))
    new = base64.b64encode(w.keys.public("other"))
    assert split.body.count(old) == 1
    body = split.body.replace(old, new)
    w.raw.update_state(SEQ_SEC_REGISTERED, codec.join_entry(body, split.signature))


def _resign_unit_as_format_1(w: World, topic: str) -> None:
    """The secretary's real key signs its Unit.Added again as a format-1 body (docs/FORMAT.md
    §5): `format` 1 and the `type` (and row topic) `topic`."""
    split = codec.split_entry(w.raw.row(SEQ_UNIT).state)
    body = split.body.replace(b'{"format":2,', b'{"format":1,', 1)
    body = body.replace(b'"type":"Unit.Added"', f'"type":"{topic}"'.encode(), 1)
    assert body.count(b'"format":1') == 1 and body.count(topic.encode()) == 1
    w.raw.update_state(SEQ_UNIT, codec.join_entry(body, w.keys.sec.sign(codec.signing_input(body))))
    w.raw.update_topic(SEQ_UNIT, topic)


def resign_as_format_1(w: World) -> None:
    _resign_unit_as_format_1(w, "domain.registry:Unit.Added")


def resign_as_format_1_with_a_stable_name(w: World) -> None:
    _resign_unit_as_format_1(w, "Unit.Added")


def substitute_from_other_ledger(w: World) -> None:
    """Put the other ledger's U1 (same aggregate id, version, type and keys) in place of ours."""
    other = w.other_ledger().row(SEQ_UNIT)
    ours = w.raw.row(SEQ_UNIT)
    assert (other.originator_id, other.topic) == (ours.originator_id, ours.topic)
    w.raw.update_state(SEQ_UNIT, other.state)


def insert_from_other_ledger(w: World) -> None:
    """Copy a validly signed row of the other ledger (its unit U9) to the end of ours."""
    row = w.other_ledger().row(LEDGER_SIZE)
    w.raw.insert(row.originator_id, row.originator_version, row.topic, row.state)


# name: (tamper, first seq, its step, message pattern)
TAMPERINGS: dict[str, tuple[Callable[[World], None], int, int, str]] = {
    "flip a payload byte": (flip_payload_byte, SEQ_P1, 4, r"event 6: signature does not verify"),
    "cut the signature": (cut_signature, SEQ_P1, 1, r"event 6 \(Person.Added v1\): entry: "),
    "swap two states": (
        swap_states,
        SEQ_P1,
        2,
        r"event 6 \(Person.Added v1\): row does not match its signed body",
    ),
    "reorder two rows": (
        reorder_rows,
        SEQ_CHECKPOINT,
        6,
        r"event 8 \(checkpoint of size 8\): root mismatch",
    ),
    "move an event before its signer's registration": (
        move_before_signer_registration,
        SEQ_SEC_REGISTERED,
        3,
        r"event 3 \(Unit.Added v1\): signer 'sec' is not registered",
    ),
    "edit a topic": (
        edit_topic,
        SEQ_UNIT,
        1,
        r"event 5 \(Person.Added v1\): entry body \(Person.Added\): .*unknown field",
    ),
    "edit a version": (
        edit_version,
        SEQ_P1,
        2,
        r"event 6 \(Person.Added v2\): row does not match its signed body",
    ),
    "delete a middle event": (
        delete_middle,
        SEQ_CHECKPOINT - 1,
        6,
        r"event 7 \(checkpoint of size 8\)",
    ),
    "replace a registered key": (
        replace_registered_key,
        SEQ_SEC_REGISTERED,
        4,
        r"event 3: signature does not verify",
    ),
    "re-sign an event as format 1": (
        resign_as_format_1,
        SEQ_UNIT,
        1,
        r"event 5 \(Unit.Added v1\): topic 'domain.registry:Unit.Added' is a format-1 type name "
        r".*regenerate the ledger",
    ),
    "re-sign an event as format 1 with a stable type name": (
        resign_as_format_1_with_a_stable_name,
        SEQ_UNIT,
        1,
        r"event 5 \(Unit.Added v1\): entry body: format 1 .*regenerate the ledger",
    ),
    "substitute an event from another ledger": (
        substitute_from_other_ledger,
        SEQ_UNIT,
        2,
        rf"event 5 \(Unit.Added v1\): signed for origin '{OTHER_ORIGIN}'",
    ),
    "insert an event from another ledger": (
        insert_from_other_ledger,
        LEDGER_SIZE,
        2,
        rf"event 9 \(Unit.Added v1\): signed for origin '{OTHER_ORIGIN}'",
    ),
}


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    ledger: LedgerApp,
    raw: RawRows,
    keys: Keys,
    apps: Callable[[str], LedgerApp],
) -> World:
    def other_ledger() -> RawRows:
        url: str = request.getfixturevalue("sibling_url")
        other = apps(url)
        populate(other, keys, OTHER_ORIGIN)  # same keys and ids, another origin
        registry.add_unit(other, keys.sec, "U9", "Đơn vị khác", "office")
        return RawRows(url)

    return World(raw, keys, other_ledger)


def _assert_first_problem(app: LedgerApp, seq: int, step: int, pattern: str) -> None:
    report = audit(app)
    assert not report.ok
    first = report.problems[0]
    assert (first.seq, first.step) == (seq, step), report.problems
    assert re.search(pattern, first.message), first.message


# -- the untouched ledger --------------------------------------------------------------------------


def test_untouched_ledger_verifies(ledger: LedgerApp, raw: RawRows, awards: Cli) -> None:
    report = audit(ledger)
    assert report.ok, report.problems
    assert (report.size, report.root, report.checkpoints) == (LEDGER_SIZE, raw.root(), 1)

    result = awards("verify")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"ok: {LEDGER_SIZE} events checked (tree size {LEDGER_SIZE}")
    assert "; 1 checkpoint matches" in result.stdout


def test_verify_json_on_untouched_ledger(ledger: LedgerApp, raw: RawRows, awards: Cli) -> None:
    result = awards("verify", "--json")
    assert result.exit_code == 0
    doc = msgspec.json.decode(result.stdout)
    assert {"ok", "size", "root", "problems"} <= doc.keys()
    assert (doc["ok"], doc["size"], doc["root"], doc["problems"]) == (
        True,
        LEDGER_SIZE,
        raw.root(),
        [],
    )


def test_untouched_ledger_verifies_against_its_saved_checkpoint(
    ledger: LedgerApp, awards: Cli, tmp_path: Path
) -> None:
    saved = tmp_path / "cp.txt"
    saved.write_text(checkpoint_note(ledger))
    assert audit(ledger, checkpoints=[checkpoint_note(ledger)]).ok

    result = awards("verify", "--checkpoint", saved)

    assert result.exit_code == 0, result.stderr
    assert "2 checkpoints match" in result.stdout


def test_verify_with_pinned_operator_key(ledger: LedgerApp, keys: Keys, awards: Cli) -> None:
    assert awards("verify", "--operator-pub", keys.op_pub).exit_code == 0
    result = awards("verify", "--operator-pub", keys.sec_pub)
    assert result.exit_code == 4
    assert "genesis: operator key differs from the pinned one" in one_error_line(result)


# -- tamperings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(TAMPERINGS), ids=list(TAMPERINGS))
def test_tampering_is_caught_at_the_first_bad_event(
    world: World, apps: Callable[[str], LedgerApp], ledger_url: str, awards: Cli, case: str
) -> None:
    tamper, seq, step, pattern = TAMPERINGS[case]
    tamper(world)

    _assert_first_problem(apps(ledger_url), seq, step, pattern)

    result = awards("verify")
    assert result.exit_code == 4
    line = one_error_line(result)
    assert re.match(rf"error: verify failed: event {seq}[ :]", line), line
    assert re.search(rf"^step {step}: event {seq}[ :]", result.stdout, re.MULTILINE)


def test_tampering_report_as_json(world: World, awards: Cli) -> None:
    swap_states(world)
    result = awards("verify", "--json")
    assert result.exit_code == 4
    doc = msgspec.json.decode(result.stdout)
    assert doc["ok"] is False
    assert doc["size"] == LEDGER_SIZE
    assert doc["root"] == world.raw.root()
    assert doc["problems"][0]["seq"] == SEQ_P1
    assert "row does not match its signed body" in doc["problems"][0]["message"]


def test_truncated_tail_is_caught_only_against_a_checkpoint_saved_before(
    ledger: LedgerApp,
    keys: Keys,
    raw: RawRows,
    apps: Callable[[str], LedgerApp],
    awards: Cli,
    tmp_path: Path,
) -> None:
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    saved, _ = registry.sign_new_checkpoint(ledger, keys.op)  # size 10, kept by an inspector
    (tmp_path / "cp.txt").write_text(saved)

    raw.truncate_after(LEDGER_SIZE)  # drop U2 and the newest checkpoint

    assert raw.count() == LEDGER_SIZE
    app = apps(ledger.location.url)
    assert audit(app, caches=()).ok  # the log alone cannot show what was cut off its end
    report = audit(app, checkpoints=[saved], caches=())
    assert not report.ok
    first = report.problems[0]
    assert (first.seq, first.step) == (LEDGER_SIZE, 7)
    assert first.message == (
        f"given checkpoint of size {LEDGER_SIZE + 1}: the ledger holds only {LEDGER_SIZE} "
        f"events (truncated after event {LEDGER_SIZE - 1})"
    )
    # ...but this machine's own frontier cache, sealed after the last write, still can
    result = awards("verify")
    assert result.exit_code == 4
    assert f"covers {LEDGER_SIZE + 2} events, the ledger holds {LEDGER_SIZE}" in one_error_line(
        result
    )
    result = awards("verify", "--checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 4
    assert f"truncated after event {LEDGER_SIZE - 1}" in one_error_line(result)


def test_rewritten_history_is_caught_against_a_saved_checkpoint(
    ledger: LedgerApp, raw: RawRows, apps: Callable[[str], LedgerApp], awards: Cli, tmp_path: Path
) -> None:
    saved = checkpoint_note(ledger)
    (tmp_path / "cp.txt").write_text(saved)
    raw.truncate_after(SEQ_CHECKPOINT)  # also drop the stored checkpoint...
    raw.swap_rows(SEQ_P1, SEQ_P2)  # ...then reorder what it covered

    app = apps(ledger.location.url)
    assert audit(app, caches=()).ok  # the log alone; this machine's frontier cache would tell
    report = audit(app, checkpoints=[saved])
    assert not report.ok
    assert report.problems[0].step == 7
    assert "given checkpoint of size 8: root mismatch" in report.problems[0].message
    result = awards("verify", "--checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 4
    assert "given checkpoint of size 8: root mismatch" in one_error_line(result)


def test_checkpoint_of_another_ledger_fails_verification(
    ledger: LedgerApp,
    keys: Keys,
    sibling_url: str,
    apps: Callable[[str], LedgerApp],
    awards: Cli,
    tmp_path: Path,
) -> None:
    other = apps(sibling_url)
    foreign = populate(other, keys, OTHER_ORIGIN)
    (tmp_path / "cp.txt").write_text(foreign)

    report = audit(ledger, checkpoints=[foreign])
    assert not report.ok
    assert report.problems[0].step == 7

    result = awards("verify", "--checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 4
    assert "given checkpoint" in one_error_line(result)


def test_missing_checkpoint_file_is_malformed_input(ledger: LedgerApp, awards: Cli) -> None:
    result = awards("verify", "--checkpoint", "no-such-cp.txt")
    assert result.exit_code == 3
    assert "checkpoint 'no-such-cp.txt': cannot read" in one_error_line(result)


def test_garbled_checkpoint_file_is_malformed_input(
    ledger: LedgerApp, awards: Cli, tmp_path: Path
) -> None:
    garbled = tmp_path / "cp.txt"
    garbled.write_text(checkpoint_note(ledger).replace("\n\n", "\n"))  # no blank separator

    result = awards("verify", "--checkpoint", garbled)

    assert result.exit_code == 3
    assert "checkpoint" in one_error_line(result)


# -- incremental audit -----------------------------------------------------------------------------


def test_incremental_audit_from_trusted_checkpoint_passes_on_clean_ledger(
    ledger: LedgerApp, keys: Keys, awards: Cli, tmp_path: Path
) -> None:
    trusted = checkpoint_note(ledger)
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    full = audit(ledger)

    report = audit(ledger, since=trusted)

    assert report.ok, report.problems
    assert (report.checked_from, report.size, report.root) == (
        SEQ_CHECKPOINT,
        LEDGER_SIZE + 1,
        full.root,
    )
    (tmp_path / "cp.txt").write_text(trusted)
    result = awards("verify", "--since-checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: 2 events checked")


def test_incremental_audit_catches_tampering_of_a_new_event(
    ledger: LedgerApp,
    keys: Keys,
    raw: RawRows,
    apps: Callable[[str], LedgerApp],
    awards: Cli,
    tmp_path: Path,
) -> None:
    trusted = checkpoint_note(ledger)
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    raw.update_state(LEDGER_SIZE, _flip(raw.row(LEDGER_SIZE).state, b'"name":"Ph', 9))

    report = audit(apps(ledger.location.url), since=trusted)

    assert not report.ok
    first = report.problems[0]
    assert (first.seq, first.step) == (LEDGER_SIZE, 4)
    assert first.message == f"event {LEDGER_SIZE}: signature does not verify"
    (tmp_path / "cp.txt").write_text(trusted)
    result = awards("verify", "--since-checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 4
    assert f"event {LEDGER_SIZE}: signature does not verify" in one_error_line(result)


def test_incremental_audit_from_a_foreign_checkpoint_is_refused(
    ledger: LedgerApp,
    keys: Keys,
    sibling_url: str,
    apps: Callable[[str], LedgerApp],
    awards: Cli,
    tmp_path: Path,
) -> None:
    foreign = populate(apps(sibling_url), keys, OTHER_ORIGIN)
    with pytest.raises(CheckpointError):
        audit(ledger, since=foreign)
    (tmp_path / "cp.txt").write_text(foreign)
    result = awards("verify", "--since-checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 4
    one_error_line(result)


def test_incremental_audit_from_a_garbled_checkpoint_is_malformed_input(
    ledger: LedgerApp, awards: Cli, tmp_path: Path
) -> None:
    (tmp_path / "cp.txt").write_text("not a checkpoint\n")
    result = awards("verify", "--since-checkpoint", tmp_path / "cp.txt")
    assert result.exit_code == 3
    one_error_line(result)


def test_incremental_audit_reports_a_corrupted_registry_event_instead_of_raising(
    ledger: LedgerApp, keys: Keys, raw: RawRows, apps: Callable[[str], LedgerApp]
) -> None:
    trusted = checkpoint_note(ledger)
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    raw.update_state(SEQ_SEC_REGISTERED, raw.row(SEQ_SEC_REGISTERED).state[:-4])

    report = audit(apps(ledger.location.url), since=trusted)

    assert not report.ok


# -- rows the ORM would never write ----------------------------------------------------------------

GARBAGE = [
    pytest.param("state", None, id="NULL state"),
    pytest.param("topic", None, id="NULL topic"),
    pytest.param(
        "state", "not bytes", id="text in the state column", marks=pytest.mark.sqlite_only
    ),
    pytest.param(
        "originator_version", "two", id="text in the version column", marks=pytest.mark.sqlite_only
    ),
    pytest.param(
        "originator_id", "not-a-uuid", id="malformed aggregate id", marks=pytest.mark.sqlite_only
    ),
]


@pytest.mark.parametrize(("column", "value"), GARBAGE)
def test_audit_reports_garbage_columns_instead_of_crashing(
    ledger: LedgerApp, raw: RawRows, apps: Callable[[str], LedgerApp], column: str, value: object
) -> None:
    raw.set_column(SEQ_P1, column, value)

    report = audit(apps(ledger.location.url))

    assert not report.ok
    assert report.problems[0].seq == SEQ_P1


@pytest.mark.backend_agnostic
def test_verify_does_not_import_modules_named_by_a_tampered_topic(
    ledger: LedgerApp, raw: RawRows, ledger_url: str
) -> None:
    raw.update_topic(SEQ_P1, "this:s")

    run = subprocess.run(
        [AWARDS, "--ledger", ledger_url, "verify"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 4
    assert "topic 'this:s' is not an award-ledger event type" in run.stderr
    assert "Zen of Python" not in run.stdout


def test_the_audit_pauses_cycle_collection_only_while_it_reads(ledger: LedgerApp) -> None:
    assert gc.isenabled()
    assert audit(ledger).ok
    assert gc.isenabled()
    gc.disable()  # a caller's own choice is kept
    try:
        assert audit(ledger).ok
        assert not gc.isenabled()
    finally:
        gc.enable()
