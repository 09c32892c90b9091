"""`awards publish DIR` and `awards verify-publication DIR`: a publication checks out with no
database, a rerun writes only the right edge, and every kind of tampered file is named."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ledger.application import LedgerApp
from ledger.merkle import leaf_hash, root_of
from ledger.note import SignedNote, open_checkpoint
from ledger.publication import split_bundle
from ledger.usecases import registry
from ledger.witness import cosign
from tests.conftest import ORIGIN, Cli, Keys, RawRows, Templates, one_error_line


def _grow(app: LedgerApp, keys: Keys, first: int, count: int) -> None:
    """`count` more people, then a checkpoint over them."""
    for i in range(first, first + count):
        registry.add_person(app, keys.sec, f"Q{i}", f"Người {i}", "U1")
    registry.sign_new_checkpoint(app, keys.op)


@pytest.fixture
def big(ledger: LedgerApp, keys: Keys) -> LedgerApp:
    """The test ledger grown past one full tile (270 events covered by its checkpoint)."""
    _grow(ledger, keys, 0, 261)
    return ledger


# one backend is enough for the file checks; the first test publishes from both
SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


def _ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def _verify(awards: Cli, out: Path, keys: Keys) -> Result:
    return awards("verify-publication", out, "--operator-pub", keys.op_pub, ledger=False)


def _refused(result: Result, code: int, *words: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    line = one_error_line(result)
    for word in words:
        assert word in line, line
    return line


def test_publish_then_verify_without_a_database(
    big: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = tmp_path / "pub"
    _ok(awards("publish", out))
    note = (out / "checkpoint").read_text()
    cp = open_checkpoint(note, ORIGIN, ORIGIN, keys.public("op"))
    assert cp.size == 270
    # a plain tlog-tiles reading: bundles hash to the level-0 tiles and to the signed root
    entries = split_bundle((out / "tile/entries/000").read_bytes(), "b") + split_bundle(
        (out / "tile/entries/001.p/14").read_bytes(), "b"
    )
    tiles = (out / "tile/0/000").read_bytes() + (out / "tile/0/001.p/14").read_bytes()
    leaves = [leaf_hash(e) for e in entries]
    assert b"".join(leaves) == tiles
    assert root_of(leaves) == cp.root_hash
    assert (out / "tile/1/000.p/1").read_bytes() == root_of(leaves[:256])
    assert (out / "operator.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    index = (out / "index.html").read_text()
    assert "verify-publication" in index and "tlog-tiles" in index and 'lang="en"' in index
    assert "Phòng Một" not in index  # no data, only how to check it
    assert '<a href="comment.vi.html">' in index and '<a href="comment.en.html">' in index
    comment = (out / "comment.vi.html").read_text(encoding="utf-8")  # nothing proposed here
    assert "không có danh sách nào đang lấy ý kiến công khai" in comment
    assert "no list is open for public comment" in (out / "comment.en.html").read_text("utf-8")
    verified = _verify(awards, out, keys)
    assert "ok: 270 entries checked" in _ok(verified)


@SQLITE_ONLY
def test_a_rerun_writes_only_the_right_edge(
    big: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = tmp_path / "pub"
    _ok(awards("publish", out))
    full = [out / "tile/0/000", out / "tile/entries/000"]
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in full}
    assert "0 new, 0 files written" in _ok(awards("publish", out))
    (out / "comment.vi.html").write_text("yesterday's page", encoding="utf-8")
    assert "0 new, 1 files written" in _ok(awards("publish", out))  # the day's comment page
    assert "ý kiến công khai" in (out / "comment.vi.html").read_text(encoding="utf-8")
    _grow(big, keys, 1000, 300)  # 571 covered: the old partial tiles become full
    assert "(301 new" in _ok(awards("publish", out))
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in full} == before
    assert (out / "tile/0/001").stat().st_size == 256 * 32
    assert (out / "tile/0/002.p/59").exists() and (out / "tile/entries/002.p/59").exists()
    assert (out / "tile/0/001.p/14").exists()  # superseded partial tiles stay
    _ok(_verify(awards, out, keys))


@SQLITE_ONLY
def test_tiles_that_do_not_check_out_are_not_built_upon(
    big: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = tmp_path / "pub"
    _ok(awards("publish", out))
    edge = out / "tile/0/001.p/14"
    edge.write_bytes(bytes(len(edge.read_bytes())))
    _grow(big, keys, 1000, 3)
    assert "rebuilt" in _ok(awards("publish", out))
    _ok(_verify(awards, out, keys))


def _published(big: LedgerApp, awards: Cli, tmp_path: Path) -> Path:
    out = tmp_path / "pub"
    _ok(awards("publish", out))
    return out


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _resize(path: Path) -> None:
    """The note claims one entry fewer (still well-formed; its signature no longer holds)."""
    lines = path.read_text().split("\n")
    lines[1] = str(int(lines[1]) - 1)
    path.write_text("\n".join(lines))


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (lambda out: _flip(out / "tile/entries/000", 40), "tile/entries/000"),
        (lambda out: _flip(out / "tile/0/000", 5), "tile/0/000"),
        (lambda out: _flip(out / "tile/1/000.p/1", 5), "tile/1/000.p/1"),
        (lambda out: (out / "tile/0/001.p/14").unlink(), "tile/0/001.p/14: missing"),
        (lambda out: (out / "tile/entries/001.p/14").unlink(), "tile/entries/001.p/14: missing"),
        (lambda out: _resize(out / "checkpoint"), "checkpoint"),
    ],
    ids=["bundle-byte", "tile-hash", "level-1-tile", "deleted-tile", "deleted-bundle", "note"],
)
def test_every_tampered_file_is_named(
    big: LedgerApp,
    awards: Cli,
    keys: Keys,
    tmp_path: Path,
    tamper: Callable[[Path], None],
    named: str,
) -> None:
    out = _published(big, awards, tmp_path)
    tamper(out)
    _refused(_verify(awards, out, keys), 4, "verify-publication failed", named)


@SQLITE_ONLY
def test_a_forged_entry_with_consistent_tiles_fails_the_audit(
    big: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    """Tiles and bundles rebuilt around an edited entry still fail: its signature and the
    signed root (the audit of `verify` runs on every entry)."""
    out = _published(big, awards, tmp_path)
    bundle = out / "tile/entries/000"
    entries = split_bundle(bundle.read_bytes(), "b")
    entries[20] = entries[20].replace("Người".encode(), b"Nguoi")
    bundle.write_bytes(b"".join(len(e).to_bytes(2, "big") + e for e in entries))
    (out / "tile/0/000").write_bytes(b"".join(leaf_hash(e) for e in entries))
    line = _refused(_verify(awards, out, keys), 4)
    assert "root mismatch" in line or "event 20" in line


@SQLITE_ONLY
def test_the_wrong_operator_key_and_a_missing_checkpoint(
    big: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = _published(big, awards, tmp_path)
    wrong = awards("verify-publication", out, "--operator-pub", keys.other_pub, ledger=False)
    _refused(wrong, 4, "checkpoint")
    lines = (out / "checkpoint").read_text().split("\n")
    lines[2] = "not base64!"
    (out / "checkpoint").write_text("\n".join(lines))
    _refused(_verify(awards, out, keys), 3, "checkpoint")
    (out / "checkpoint").unlink()
    _refused(_verify(awards, out, keys), 3, "no checkpoint")


@SQLITE_ONLY
def test_a_publication_is_never_taken_back(
    big: LedgerApp,
    awards: Cli,
    templates: Templates,
    apps: Callable[[str], LedgerApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _published(big, awards, tmp_path)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    url = str(tmp_path / "older.db")
    templates.clone(url, apps)  # the same log, before the 261 people and their checkpoint
    older = Cli(url, monkeypatch)
    _refused(older("publish", out), 1, "size 270", "refusing to take it back")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@SQLITE_ONLY
def test_a_symlink_in_the_publication_is_refused(
    big: LedgerApp, awards: Cli, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "pub"
    out.mkdir()
    os.symlink(elsewhere, out / "tile")
    _refused(awards("publish", out), 2, "symbolic link")
    assert list(elsewhere.iterdir()) == []
    assert not (out / "checkpoint").exists()
    (out / "tile").unlink()
    target = tmp_path / "precious"
    target.write_text("keep")
    os.symlink(target, out / "operator.pub")
    _refused(awards("publish", out), 2, "symbolic link")
    assert target.read_text() == "keep"


@SQLITE_ONLY
def test_a_log_that_does_not_reach_the_signed_root_is_not_published(
    big: LedgerApp, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    row = raw.row(12)
    raw.update_state(12, row.state.replace("Người".encode(), b"Nguoi"))
    out = tmp_path / "pub"
    _refused(awards("publish", out), 4, "do not hash to the root")
    assert not (out / "checkpoint").exists()


def test_publish_needs_a_checkpoint(
    templates: Templates,
    apps: Callable[[str], LedgerApp],
    keys: Keys,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = str(tmp_path / "fresh.db")
    app = apps(url)
    registry.initialise(app, ORIGIN, "op", keys.op)
    app.close()
    awards = Cli(url, monkeypatch)
    _refused(awards("publish", tmp_path / "pub"), 1, "no checkpoint")


@SQLITE_ONLY
def test_the_checkpoint_is_published_with_its_cosignatures(
    big: LedgerApp, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    note = SignedNote.from_text(big.genesis().published_note or "")
    registry.attach_cosignatures(
        big, keys.op, cosign(note, "w1", keys.other, 1_700_000_000).to_text()
    )
    out = _published(big, awards, tmp_path)
    assert (out / "checkpoint").read_text() == big.genesis().published_note
    assert len(SignedNote.from_text((out / "checkpoint").read_text()).signatures) == 2
    witnessed = ("--witness", f"w1={keys.other_pub}", "--min-witnesses", "1")
    _ok(awards("verify-publication", out, "--operator-pub", keys.op_pub, *witnessed, ledger=False))
    stranger = ("--witness", f"w1={keys.sec_pub}")
    refused = awards(
        "verify-publication", out, "--operator-pub", keys.op_pub, *stranger, ledger=False
    )
    _refused(refused, 4, "witness policy")
