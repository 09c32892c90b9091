"""The stored documents in a full audit (step 8, ledger/verify_documents.py), on both backends:
each copy is re-hashed against its signed record; an edited, shortened, missing or unwanted
copy is named with where it is kept, and nothing else in the report or the log changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.application import LedgerApp
from ledger.documents import DocumentStore, sha256_hex
from ledger.usecases import documents
from ledger.verify import audit
from tests.conftest import Keys, RawRows

MINUTES = "Biên bản họp Hội đồng thi đua ngày 18/12/2020\n".encode()
SECRET = "Tài liệu mật: báo cáo thành tích\n".encode()


def recorded(ledger: LedgerApp, keys: Keys) -> DocumentStore:
    """Given the minutes of S-1 stored beside the ledger and a state-secret report hash-only."""
    documents.add(ledger, keys.sec, MINUTES, name="bien-ban.txt", kind="minutes", subject="S-1")
    documents.add(
        ledger, keys.sec, SECRET, name="mat.txt", kind="bao_cao_mau_05", subject="S-1",
        hash_only=True,
    )  # fmt: skip
    return documents.store_of(ledger)


def overwrite(store: DocumentStore, sha: str, content: bytes) -> None:
    """Write `content` under `sha` behind the ledger's back (no key needed)."""
    if store.directory is not None:
        store.directory.mkdir(exist_ok=True)
        (store.directory / sha).write_bytes(content)
        return
    with store.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {store.table} WHERE sha256 = %s", (sha,))
        cursor.execute(
            f"INSERT INTO {store.table} (sha256, content) VALUES (%s, %s)", (sha, content)
        )


def delete(store: DocumentStore, sha: str) -> None:
    store.remove(sha)


def test_intact_documents_pass_and_a_hash_only_record_needs_no_copy(
    ledger: LedgerApp, keys: Keys
) -> None:
    recorded(ledger, keys)
    report = audit(ledger)
    assert report.ok, report.problems
    assert not [n for n in report.notes if "document" in n]


TAMPERS: dict[str, tuple[Callable[[DocumentStore], None], str]] = {
    "edited": (
        lambda s: overwrite(s, sha256_hex(MINUTES), MINUTES.replace(b"18/12", b"19/12")),
        "(minutes for S-1): its stored copy {where} no longer matches its hash",
    ),
    "missing": (
        lambda s: delete(s, sha256_hex(MINUTES)),
        "(minutes for S-1): its stored copy {where} is missing",
    ),
    "secret stored": (
        lambda s: overwrite(s, sha256_hex(SECRET), SECRET),
        "(bao_cao_mau_05 for S-1): recorded hash-only, yet a copy is stored at {where}",
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_tampered_store_is_named_and_nothing_else_changes(
    ledger: LedgerApp, keys: Keys, raw: RawRows, tamper: str
) -> None:
    store = recorded(ledger, keys)
    before, rows = audit(ledger), raw.snapshot()
    change, message = TAMPERS[tamper]
    which = SECRET if tamper == "secret stored" else MINUTES
    # when someone with access to the store changes it
    change(store)
    # then a full audit names that document, where its copy is, and nothing else
    report = audit(ledger)
    [problem] = report.problems
    assert problem.step == 8 and problem.seq == report.size
    want = f"document {sha256_hex(which)[:12]}… " + message.format(
        where=store.where(sha256_hex(which))
    )
    assert problem.message == want, problem.message
    assert (report.size, report.root, report.notes) == (before.size, before.root, before.notes)
    # and the log itself is untouched
    assert raw.snapshot() == rows


def test_a_stored_copy_no_event_records_is_a_note(ledger: LedgerApp, keys: Keys) -> None:
    store = recorded(ledger, keys)
    stray = b"left behind by a refused add\n"
    store.put(stray)
    report = audit(ledger)
    assert report.ok, report.problems
    assert f"document store: {store.where(sha256_hex(stray))} is recorded by no event" in (
        report.notes
    )
