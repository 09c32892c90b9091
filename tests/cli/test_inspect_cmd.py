"""`show`, `log --type/--signer/--movement`, `list`, `history` on the event index, and the check
every read command makes against the newest signed checkpoint (warning, or exit 4 with
--strict), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from ledger import reader
from ledger.application import LedgerApp
from ledger.usecases import registry
from tests.conftest import (
    LEDGER_SIZE,
    SEQ_CHECKPOINT,
    SEQ_P1,
    SEQ_P2,
    Cli,
    Keys,
    RawRows,
    one_error_line,
)


def test_show_prints_one_whole_event_with_its_signer_and_proof(
    ledger: LedgerApp, awards: Cli
) -> None:
    shown = json.loads(awards("show", str(SEQ_P1), "--json").stdout)
    assert shown["seq"] == SEQ_P1 and shown["type"] == "Person.Added"
    assert shown["payload"]["person_id"] == "P1" and shown["signer"] == "sec"
    assert shown["signer_key_id"] and len(shown["signature"]) == 88
    assert shown["proof"].startswith(f"included in the signed checkpoint of size {SEQ_CHECKPOINT}")
    text = awards("show", str(SEQ_CHECKPOINT))
    assert text.exit_code == 0 and "after the newest signed checkpoint" in text.stdout


def test_show_of_an_event_the_ledger_lacks_is_one_error_line(
    ledger: LedgerApp, awards: Cli
) -> None:
    result = awards("show", "99")
    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"error: show: there is no event 99 (the ledger holds {LEDGER_SIZE} events)"
    )


def test_log_filters_read_the_index(ledger: LedgerApp, awards: Cli) -> None:
    def seqs(*args: str) -> list[int]:
        return [row["seq"] for row in json.loads(awards("log", *args, "--json").stdout)]

    assert seqs("--type", "Person.Added") == [SEQ_P1, SEQ_P2]
    assert seqs("--type", "Person.Added", "--from", str(SEQ_P2)) == [SEQ_P2]
    assert seqs("--signer", "sec", "--type", "Person.Added", "--limit", "1") == [SEQ_P1]
    assert seqs("--signer", "op", "--type", "Person.Added") == []


def test_an_unknown_id_suggests_the_closest_known_one(ledger: LedgerApp, awards: Cli) -> None:
    result = awards("log", "--type", "person.added")
    assert result.exit_code == 1 and result.stdout == ""
    assert one_error_line(result) == (
        "error: type 'person.added' not found; did you mean 'Person.Added'?"
    )
    result = awards("history", "p1")
    assert one_error_line(result).endswith("did you mean 'P1'?")


def test_json_never_cuts_a_payload_and_text_says_when_it_cuts(
    ledger: LedgerApp, awards: Cli, keys: Keys
) -> None:
    name = "Nguyễn " + "Văn " * 60 + "Dài"
    registry.add_person(ledger, keys.sec, "P9", name, "U1")
    rows = json.loads(awards("log", "--from", str(LEDGER_SIZE), "--json").stdout)
    assert name in rows[0]["summary"]
    text = awards("log", "--from", str(LEDGER_SIZE)).stdout
    assert name not in text and "[cut: 'awards show SEQ' or --json for all of it]" in text
    filtered = awards("log", "--type", "Person.Added", "--from", str(LEDGER_SIZE), "--json")
    assert name in json.loads(filtered.stdout)[0]["summary"]


def test_list_signers_and_a_movement_filter_that_does_not_apply(
    ledger: LedgerApp, awards: Cli
) -> None:
    signers = json.loads(awards("list", "signers", "--json").stdout)
    assert [s["fields"]["name"] for s in signers] == ["op", "sec"]
    result = awards("list", "signers", "--movement", "M")
    assert result.exit_code == 2
    assert "applies to sessions and decisions" in one_error_line(result)
    assert awards("list", "movements").stdout == "no movements recorded\n"


# -- read commands check the log ---------------------------------------------------------------


def _edit_p1(raw: RawRows) -> None:
    row = raw.row(SEQ_P1)
    raw.update_state(SEQ_P1, row.state.replace("Nguyễn Văn A".encode(), "Nguyễn Văn X".encode()))


def test_an_edited_event_is_warned_about_and_refused_with_strict(
    ledger: LedgerApp, awards: Cli, raw: RawRows
) -> None:
    awards("history", "P1")  # the index is filled before the edit
    _edit_p1(raw)
    before = raw.snapshot()
    warned = awards("history", "U1")
    assert warned.exit_code == 0 and "'Nguyễn Văn X'" not in warned.stdout
    assert warned.stderr == (
        f"warning: event index row at seq {SEQ_P1} is not the event the signed tree holds "
        "there; not shown\n"
    )
    strict = awards("--strict", "history", "U1")
    assert strict.exit_code == 4 and strict.stdout == ""
    assert one_error_line(strict).startswith(f"error: event index row at seq {SEQ_P1}")
    logged = awards("log")
    assert logged.exit_code == 0
    assert f"warning: event {SEQ_P1} is not the event the signed tree holds there" in (
        logged.stderr
    )
    strict_log = awards("--strict", "log")
    assert strict_log.exit_code == 4 and strict_log.stdout == ""
    shown = awards("show", str(SEQ_P1), "--json")
    assert json.loads(shown.stdout)["proof"].startswith("NOT the event the signed tree holds")
    assert raw.snapshot() == before  # reads changed nothing


def test_edited_tiles_are_warned_about_by_every_read(
    ledger: LedgerApp, awards: Cli, raw: RawRows
) -> None:
    awards("log")  # tiles exist (a PostgreSQL template copy gets them on first need)
    raw.zero_first_leaf_hash()
    for args in (["log"], ["history", "P1"], ["list", "signers"], ["show", "3"]):
        result = awards(*args)
        assert result.exit_code == 0, args
        assert "warning: the log does not match the signed checkpoint of size" in result.stderr
        strict = awards("--strict", *args)
        assert strict.exit_code == 4 and strict.stdout == "", args


def test_a_ledger_without_a_checkpoint_is_read_without_warnings(
    ledger_url: str, keys: Keys, awards: Cli
) -> None:
    from ledger.application import open_ledger

    app = open_ledger(ledger_url)
    registry.initialise(app, "example.gov.vn/x", "op", keys.op)
    app.close()
    result = awards("--strict", "log", "--type", "Ledger.Initialised")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout.startswith("0\t")


def test_the_whole_log_is_read_and_printed_a_page_at_a_time(
    ledger: LedgerApp, awards: Cli, raw: RawRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of three rows print the same document as one page, limits across page edges
    included; a row edited in a later page is warned about after the rows, and --strict
    prints nothing."""
    whole = awards("log", "--json").stdout
    text = awards("log").stdout
    monkeypatch.setattr(reader, "PAGE", 3)
    assert awards("log", "--json").stdout == whole and awards("log").stdout == text
    rows = json.loads(whole)
    assert [r["seq"] for r in rows] == list(range(LEDGER_SIZE))
    limited = json.loads(awards("log", "--json", "--from", "2", "--limit", "4").stdout)
    assert limited == rows[2:6]
    assert awards("log", "--json", "--from", str(LEDGER_SIZE)).stdout == "[]\n"
    _edit_p1(raw)
    before = raw.snapshot()
    warned = awards("log", "--json")
    assert [r["seq"] for r in json.loads(warned.stdout)] == list(range(LEDGER_SIZE))
    assert warned.stderr == (
        f"warning: event {SEQ_P1} is not the event the signed tree holds there\n"
    )
    strict = awards("--strict", "log", "--json")
    assert strict.exit_code == 4 and strict.stdout == ""
    assert raw.snapshot() == before
