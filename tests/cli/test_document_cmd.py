"""`awards document add|check` on both backends, narrated (given / when / then).

Documents are stored content-addressed beside the ledger (a directory next to a SQLite file, a
table in PostgreSQL); the ledger holds their SHA-256, kind, size and name. Every refusal: its
exit code, one `error: …` line, the ledger unchanged and no new stored copy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from domain.document import Document
from ledger.application import LedgerApp
from ledger.usecases.documents import held_kinds, store_of
from tests.conftest import Cli, Keys, RawRows, one_error_line

MINUTES = "Biên bản họp Hội đồng thi đua ngày 12/12/2020\n".encode()


@pytest.fixture
def minutes(tmp_path: Path) -> Path:
    path = tmp_path / "bien-ban.txt"
    path.write_bytes(MINUTES)
    return path


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def refused(result: Any, code: int, fragment: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    line = one_error_line(result)
    assert fragment in line, line
    return line


def stored_copy(app: LedgerApp, content: bytes) -> bytes | None:
    return store_of(app)._get(sha(content))


def test_add_records_the_hash_and_stores_the_file(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows
) -> None:
    # Given a ledger with a secretary, when she adds the council's minutes for session S-2020
    size = raw.count()
    result = awards(
        "document", "add", minutes, "--kind", "minutes", "--for", "S-2020",
        "--key", keys.sec_key, "--json",
    )  # fmt: skip
    # Then one signed event records its SHA-256, kind, size and name, and two more open the
    # session's dossier and file it there (what rule `dossier` reads)
    assert result.exit_code == 0, result.stderr
    out = msgspec.json.decode(result.stdout)
    assert out["sha256"] == sha(MINUTES) and out["size"] == len(MINUTES)
    assert raw.count() == size + 3
    assert held_kinds(ledger, "S-2020") == {"minutes"} and held_kinds(ledger, "S-X") == set()
    found = ledger.find(Document, Document.id_for(sha(MINUTES)))
    assert found is not None
    assert (found.kind, found.subject, found.name, found.size, found.hash_only) == (
        "minutes", "S-2020", "bien-ban.txt", len(MINUTES), False,
    )  # fmt: skip
    # And the content is stored beside the ledger under its hash
    assert stored_copy(ledger, MINUTES) == MINUTES
    # And `check` finds it: what, for what and where
    checked = awards("document", "check", minutes)
    assert checked.exit_code == 0, checked.stderr
    assert f"held: bien-ban.txt SHA-256 {sha(MINUTES)}" in checked.stdout
    assert "minutes (Biên bản họp Hội đồng thi đua, khen thưởng) for S-2020" in checked.stdout
    assert store_of(ledger).where(sha(MINUTES)) in checked.stdout


def test_sqlite_store_is_a_directory_next_to_the_ledger(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path
) -> None:
    if ledger.location.is_postgres:
        pytest.skip("the PostgreSQL store is a table (checked in the test above)")
    awards("document", "add", minutes, "--kind", "minutes", "--for", "S-2020",
           "--key", keys.sec_key)  # fmt: skip
    db = Path(ledger.location.env["SQLITE_DBNAME"])
    assert (db.parent / f"{db.name}.documents" / sha(MINUTES)).read_bytes() == MINUTES


def test_hash_only_records_the_hash_and_stores_nothing(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows
) -> None:
    # Given a state-secret achievement report, when it is added hash-only
    result = awards("document", "add", minutes, "--kind", "bao_cao_mau_05", "--for", "P1",
                    "--hash-only", "--key", keys.sec_key)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # Then the ledger holds its hash, kind and size but not its name, and no copy is stored
    found = ledger.find(Document, Document.id_for(sha(MINUTES)))
    assert found is not None and found.hash_only and found.name == ""
    assert stored_copy(ledger, MINUTES) is None
    # And whoever holds a copy can check it against the ledger
    checked = awards("document", "check", minutes)
    assert checked.exit_code == 0, checked.stderr
    assert "kept: hash only" in checked.stdout


def test_a_file_the_ledger_does_not_hold(ledger: LedgerApp, awards: Cli, minutes: Path) -> None:
    refused(awards("document", "check", minutes), 1, "is not held by the ledger")


def test_a_tampered_stored_copy_is_reported_not_served(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows
) -> None:
    # Given the minutes added and stored
    awards("document", "add", minutes, "--kind", "minutes", "--for", "S-2020",
           "--key", keys.sec_key)  # fmt: skip
    # When someone with access to the store edits the stored copy
    store = store_of(ledger)
    forged = MINUTES.replace(b"12/12", b"13/12")
    if store.directory is None:
        raw.execute(f"UPDATE {store.table} SET content = ? WHERE sha256 = ?",
                    (forged, sha(MINUTES)))  # fmt: skip
    else:
        (store.directory / sha(MINUTES)).write_bytes(forged)
    # Then checking the original names the altered copy (exit 4)
    line = refused(awards("document", "check", minutes), 4, "no longer matches")
    assert store.where(sha(MINUTES)) in line


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("--kind", "letter", "--for", "S-2020"), 3, "kind 'letter' is not one of"),
        (("--kind", "minutes", "--for", "S 2020"), 2, "record id 'S 2020'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows,
    args: tuple[str, ...], code: int, fragment: str,
) -> None:  # fmt: skip
    before = raw.snapshot()
    refused(awards("document", "add", minutes, *args, "--key", keys.sec_key), code, fragment)
    assert raw.snapshot() == before
    assert stored_copy(ledger, MINUTES) is None


def test_a_signer_without_the_role_is_refused_and_the_copy_taken_back(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows
) -> None:
    # Given the operator (not a secretary), when he adds a document
    before = raw.snapshot()
    result = awards("document", "add", minutes, "--kind", "minutes", "--for", "S-2020",
                    "--key", keys.op_key)  # fmt: skip
    # Then it is refused, nothing is recorded and the copy stored first is removed again
    assert result.exit_code == 1, result.stderr
    one_error_line(result)
    assert raw.snapshot() == before
    assert stored_copy(ledger, MINUTES) is None


def test_the_same_content_twice_is_refused(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows
) -> None:
    awards("document", "add", minutes, "--kind", "minutes", "--for", "S-2020",
           "--key", keys.sec_key)  # fmt: skip
    before = raw.snapshot()
    result = awards("document", "add", minutes, "--kind", "other", "--for", "P1",
                    "--key", keys.sec_key)  # fmt: skip
    refused(result, 1, "already recorded, for 'S-2020'")
    assert raw.snapshot() == before
    assert stored_copy(ledger, MINUTES) == MINUTES  # the first add's copy stays


def test_verify_names_an_edited_stored_document(
    ledger: LedgerApp, awards: Cli, keys: Keys, minutes: Path, raw: RawRows
) -> None:
    # Given the minutes recorded and stored, and a full verify that passes
    added = awards("document", "add", minutes, "--kind", "minutes", "--for", "S-2020",
                   "--key", keys.sec_key)  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert awards("verify").exit_code == 0
    # When someone edits the stored copy behind the ledger's back
    store = store_of(ledger)
    if store.directory is not None:
        (store.directory / sha(MINUTES)).write_bytes(MINUTES + b"(sua)\n")
    else:
        with store.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"UPDATE {store.table} SET content = %s", (MINUTES + b"(sua)\n",))
    before = raw.snapshot()
    # Then verify fails (exit 4) naming the document and where its copy is kept
    result = awards("verify", "--json")
    assert result.exit_code == 4, result.output
    [problem] = msgspec.json.decode(result.stdout)["problems"]
    assert problem["message"] == (
        f"document {sha(MINUTES)[:12]}… (minutes for S-2020): its stored copy "
        f"{store.where(sha(MINUTES))} no longer matches its hash"
    )
    assert raw.snapshot() == before
