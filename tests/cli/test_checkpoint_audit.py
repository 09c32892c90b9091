"""`awards checkpoint` signs only what it audited; `signer revoke` and `operator rotate` sign a
checkpoint in the same command (issue 10, item 5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from domain.errors import VerificationError
from ledger import cache
from ledger.application import LedgerApp
from ledger.note import open_checkpoint
from ledger.usecases import registry
from ledger.verify import audit
from tests.conftest import (
    LEDGER_SIZE,
    ORIGIN,
    SEQ_P1,
    Cli,
    Keys,
    RawRows,
    checkpoint_note,
    one_error_line,
)


def _flip_name(state: bytes) -> bytes:
    return state.replace(b'"name":"Ng', b'"name":"Mg', 1)


@pytest.mark.parametrize("before", ["first checkpoint", "since the last one"])
def test_checkpoint_over_a_tampered_row_is_refused_and_nothing_recorded(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, before: str
) -> None:
    if before == "since the last one":  # the tampered row is new since the stored checkpoint
        registry.add_person(ledger, keys.sec, "P3", "Nguyễn Văn C", "U1")
        seq = LEDGER_SIZE
    else:  # no checkpoint stored yet: the first one audits the whole log
        raw.truncate_after(LEDGER_SIZE - 1)
        seq = SEQ_P1
    raw.update_state(seq, _flip_name(raw.row(seq).state))
    before_rows = raw.snapshot()

    result = awards("checkpoint", "--key", keys.op_key)

    assert result.exit_code == 4, result.stdout
    line = one_error_line(result)
    assert line.startswith(f"error: checkpoint refused: event {seq}: signature does not verify")
    assert line.endswith("; nothing signed")
    assert result.stdout == ""
    assert raw.snapshot() == before_rows


def test_checkpoint_signs_the_audited_tree_not_the_cached_frontier(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a lying frontier cache (the write receipts' side table) cannot steer what is signed
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    lie = cache.Frontier(LEDGER_SIZE + 1, 1, bytes(32), [bytes(32)] * (LEDGER_SIZE + 1).bit_count())
    monkeypatch.setattr(cache.FrontierCache, "load", lambda self: lie)
    expected = raw.root()

    result = awards("checkpoint", "--key", keys.op_key)

    assert result.exit_code == 0, result.stderr
    signed = open_checkpoint(checkpoint_note(ledger), ORIGIN, ORIGIN, keys.public("op"))
    assert (signed.size, signed.root_hash.hex()) == (LEDGER_SIZE + 1, expected)


def test_signer_revoke_json_carries_both_receipts(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards("signer", "revoke", "sec", "--reason", "moved", "--key", keys.op_key, "--json")

    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = msgspec.json.decode(result.stdout)
    assert doc["seqs"] == [LEDGER_SIZE]
    assert doc["checkpoint"]["receipt"]["seqs"] == [LEDGER_SIZE + 1]
    assert doc["checkpoint"]["note"].startswith(f"{ORIGIN}\n{LEDGER_SIZE + 1}\n")
    assert doc["checkpoint"]["receipt"]["root"] == raw.root()


def test_revoke_on_a_tampered_ledger_says_the_revocation_stands_but_no_checkpoint(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    registry.add_unit(ledger, keys.sec, "U2", "Phòng Hai", "office")
    raw.update_state(LEDGER_SIZE, raw.row(LEDGER_SIZE).state.replace(b"Hai", b"Ba", 1))

    result = awards("signer", "revoke", "sec", "--reason", "moved", "--key", keys.op_key)

    assert result.exit_code == 4
    line = one_error_line(result)
    assert line.startswith(f"error: signer 'sec' revoked (events [{LEDGER_SIZE + 1}]), but ")
    assert "checkpoint refused" in line
    assert raw.count() == LEDGER_SIZE + 2  # the revocation, no checkpoint


def _slip_in_before(raw: RawRows, seq: int, count: int) -> None:
    """Move the last row to position `seq`, shifting rows seq … count-2 one place on."""
    for here in range(count - 1, seq, -1):
        raw.swap_rows(here - 1, here)


def test_an_event_slipped_in_before_a_revocation_is_caught_by_verify(
    ledger: LedgerApp,
    awards: Cli,
    keys: Keys,
    raw: RawRows,
    apps: Callable[[str], LedgerApp],
    tmp_path: Path,
) -> None:
    # The revoked secretary's key leaks. The thief signs an event as 'sec' and moves it before
    # the revocation, where 'sec' could still sign: every row then checks out on its own; only
    # the checkpoint signed in the revoke command itself still pins the revocation's place.
    revoked = awards("signer", "revoke", "sec", "--reason", "key leaked", "--key", keys.op_key)
    assert revoked.exit_code == 0, revoked.stderr
    kept = tmp_path / "after-revoke.txt"
    kept.write_text(checkpoint_note(ledger))
    unit = registry.new_unit(ledger, "BACKDATED", "Đơn vị", "office", None, {})
    ledger.save_signed("sec", keys.sec, [unit])
    _slip_in_before(raw, LEDGER_SIZE, raw.count())
    assert raw.row(LEDGER_SIZE).state.find(b"BACKDATED") > 0

    report = audit(apps(ledger.location.url))

    assert not report.ok
    # the revoke's checkpoint no longer matches (its root, and its registry line: the revocation
    # moved); the cached frontier of the last write is reported by step 8 too
    assert (report.problems[0].seq, report.problems[0].step) == (LEDGER_SIZE + 2, 6)
    assert "root mismatch" in report.problems[0].message
    assert {p.step for p in report.problems} <= {6, 8}
    since = awards("verify", "--since-checkpoint", kept)
    assert since.exit_code == 4
    assert "trusted checkpoint of size" in one_error_line(since)
    before = raw.snapshot()
    refused = awards("checkpoint", "--key", keys.op_key)
    assert refused.exit_code == 4
    assert raw.snapshot() == before


def test_rotate_signs_its_checkpoint_with_the_new_key(
    ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows
) -> None:
    result = awards(
        "operator", "rotate", "--new-name", "op2", "--new-key", keys.other_key,
        "--key", keys.op_key, "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = msgspec.json.decode(result.stdout)
    note = doc["checkpoint"]["note"]
    signed = open_checkpoint(note, ORIGIN, ORIGIN, keys.public("other"))
    assert signed.size == doc["size"] == raw.count() - 1
    with pytest.raises(VerificationError):
        open_checkpoint(note, ORIGIN, ORIGIN, keys.public("op"))
    assert audit(ledger).ok


def test_a_checkpoint_by_an_operator_is_not_audited_when_the_key_is_refused(
    ledger: LedgerApp, keys: Keys, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the role check comes first: a secretary's attempt costs no audit
    called: list[object] = []
    monkeypatch.setattr(registry, "audited_frontier", lambda *a, **k: called.append(a))
    before = raw.snapshot()
    with pytest.raises(Exception, match=r"may not sign Ledger\.CheckpointSigned"):
        registry.sign_new_checkpoint(ledger, keys.sec)
    assert called == [] and raw.snapshot() == before
