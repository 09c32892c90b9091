"""`vote --written FILE` / `ballot cast --written FILE`: an absent member's vote in writing is
signed with the document's SHA-256, counted, shown as written, and refused where the regime of
the session's date has no votes in writing."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.session import ReviewSession
from ledger.application import LedgerApp
from tests.cli.test_workflow_cmd import failed, ok
from tests.conftest import Cli, Keys, RawRows
from tests.world import MOVEMENT, World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def open_session(awards: Cli, world: World, session: str, day: str) -> None:
    ok(awards("session", "open", session, "--movement", MOVEMENT, "--title", "advanced_worker",
              "--nominee", "P2", "--member", "ch", "--member", "m1", "--member", "m2",
              "--at", f"{day}T08:00", "--key", world.key_file("ch"), "--json"))  # fmt: skip


@SQLITE_ONLY
def test_a_written_vote_is_signed_counted_and_shown(
    world: World, awards: Cli, tmp_path: Path
) -> None:
    # given a 2024 review of three members
    open_session(awards, world, "S-W", "2024-03-01")
    document = tmp_path / "phieu-m2.pdf"
    document.write_bytes(b"%PDF-1.4 phieu bieu quyet cua m2")
    # when two vote at the meeting and m2, absent, votes in writing
    for name in ("ch", "m1"):
        ok(awards("vote", "S-W", "--yes", "P2", "--at", "2024-03-01T09:00", "--key",
                  world.key_file(name), "--json"))  # fmt: skip
    written = awards("vote", "S-W", "--yes", "P2", "--written", document, "--at",
                     "2024-03-01T09:00", "--key", world.key_file("m2"))  # fmt: skip
    assert written.exit_code == 0, written.stderr
    assert "vote in S-W (in writing)" in written.stdout
    # then the vote carries the document's SHA-256, and the tally shows it as written
    session = world.app.load(ReviewSession, ReviewSession.id_for("S-W"), "session")
    assert session.written == ["m2"]
    tally = awards("tally", "S-W", "--json")
    assert tally.exit_code == 0, tally.stderr
    row = json.loads(tally.stdout)["session"]
    assert (row["written"], row["present"], row["ballots"]) == (["m2"], 2, 3)
    assert row["results"][0]["yes"] == 3
    text = awards("tally", "S-W")
    assert "3 of 3 members took part (1 in writing: m2)" in text.stdout
    # and the signed body holds the document's SHA-256 (base64), not the document
    digest = base64.b64encode(hashlib.sha256(document.read_bytes()).digest())
    [vote] = [r for r in world.raw.rows() if b'"member":"m2"' in r.state]
    assert b'"document_hash":"' + digest + b'"' in vote.state
    assert b"PDF" not in vote.state


@SQLITE_ONLY
def test_a_written_vote_is_refused_under_the_2003_law(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    open_session(awards, world, "S-2019", "2019-12-20")
    document = tmp_path / "phieu.txt"
    document.write_text("đồng ý", encoding="utf-8")
    before = raw.snapshot()
    message = "vote rejected: session S-2019: regime 2003 does not provide for votes in writing"
    failed(awards("vote", "S-2019", "--yes", "P2", "--written", document, "--at",
                  "2019-12-20T09:00", "--key", world.key_file("m2")), 1, message)  # fmt: skip
    failed(awards("vote", "S-2019", "--yes", "P2", "--written", tmp_path / "missing.pdf",
                  "--key", world.key_file("m2")), 3, "written vote")  # fmt: skip
    assert raw.snapshot() == before
