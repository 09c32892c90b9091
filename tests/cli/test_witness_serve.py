"""`awards witness serve` and `awards checkpoint --witness-url` against real witness servers on
127.0.0.1 (issue 12, item 5), on SQLite and PostgreSQL: cosignatures collected and stored, then
accepted by `verify --witness` and `verify-receipt`; a witness that is down or refuses is one
warning line and exit 0, or exit 4 below `--min-witnesses` with the checkpoint still stored; a
restarted `witness serve` process keeps its state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.keys import load_private_key, write_key_pair
from ledger.receipt import build_receipt, encode_receipt
from ledger.witness import WitnessState
from ledger.witness_http import WitnessConfig, WitnessServer
from tests.conftest import Cli, Keys, RawRows, one_error_line

NAME = "thanhtra.gov.vn/w1"


@pytest.fixture
def witness_keys(tmp_path: Path) -> tuple[Path, Path]:
    return write_key_pair("w1", tmp_path, None)


class Served:
    """A witness server for the operator key of `keys`, served from a thread."""

    def __init__(self, keys: Keys, key_file: Path, state: Path, name: str = NAME) -> None:
        config = WitnessConfig(
            name, load_private_key(key_file, None), keys.public("op"), WitnessState(state)
        )
        self.server = WitnessServer(("127.0.0.1", 0), config, lambda _: None)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def served(keys: Keys, witness_keys: tuple[Path, Path], tmp_path: Path) -> Iterator[Served]:
    running = Served(keys, witness_keys[0], tmp_path / "w1.json")
    try:
        yield running
    finally:
        running.stop()


def test_checkpoint_collects_and_stores_cosignatures(
    ledger: LedgerApp, awards: Cli, keys: Keys, served: Served, witness_keys: tuple[Path, Path],
    tmp_path: Path,
) -> None:  # fmt: skip
    spec = f"{NAME}={witness_keys[1]}"
    assert awards("verify", "--witness", spec, "--min-witnesses", "1").exit_code == 4

    first = awards("checkpoint", "--key", keys.op_key, "--witness-url", served.url)
    assert first.exit_code == 0, first.stderr
    assert "1 witness cosignatures attached" in first.stdout
    assert f"— {NAME} " in awards("checkpoint").stdout
    assert awards("verify", "--witness", spec, "--min-witnesses", "1").exit_code == 0

    as_json = awards("checkpoint", "--key", keys.op_key, "--witness-url", served.url, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    doc = json.loads(as_json.stdout)  # one document
    assert doc["witnesses"] == [{"url": served.url, "cosigned": True, "problem": None}]
    assert doc["cosigned"] == 1 and doc["cosignatures_receipt"]["seqs"]

    # the next checkpoint goes from the size cosigned before, with a consistency proof
    second = awards("checkpoint", "--key", keys.op_key, "--witness-url", served.url)
    assert second.exit_code == 0, second.stderr
    assert second.stderr == ""
    verified = awards("verify", "--witness", spec, "--min-witnesses", "1")
    assert verified.exit_code == 0, verified.stderr

    receipt = tmp_path / "receipt.json"
    receipt.write_bytes(encode_receipt(build_receipt(ledger, 1)))
    checked = awards(
        "verify-receipt", receipt, "--operator-pub", keys.op_pub, "--witness", spec,
        "--min-witnesses", "1", ledger=False,
    )  # fmt: skip
    assert checked.exit_code == 0, checked.stderr


def test_a_witness_behind_answers_409_and_the_checkpoint_retries(
    ledger: LedgerApp, awards: Cli, keys: Keys, witness_keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """The ledger's hint (its last cosigned size) is not where this fresh witness is: 409 with
    size 0, then the retry from 0 succeeds."""
    other_state = tmp_path / "w-fresh.json"
    first = Served(keys, witness_keys[0], tmp_path / "w1.json")
    try:
        assert awards("checkpoint", "--key", keys.op_key, "--witness-url", first.url).exit_code == 0
    finally:
        first.stop()
    fresh = Served(keys, witness_keys[0], other_state)
    try:
        result = awards("checkpoint", "--key", keys.op_key, "--witness-url", fresh.url)
    finally:
        fresh.stop()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "1 witness cosignatures attached" in result.stdout


def test_a_witness_down_is_a_warning_or_exit_4_below_the_minimum(
    ledger: LedgerApp, awards: Cli, keys: Keys, served: Served, raw: RawRows
) -> None:
    down = "http://127.0.0.1:9/"  # discard port: nothing listens
    result = awards("checkpoint", "--key", keys.op_key, "--witness-url", down)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: witness {down}: unreachable")
    assert len(result.stderr.splitlines()) == 1

    stored = raw.snapshot()
    result = awards(
        "checkpoint", "--key", keys.op_key, "--witness-url", served.url, "--witness-url", down,
        "--min-witnesses", "2",
    )  # fmt: skip
    assert result.exit_code == 4
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"warning: witness {down}")
    assert lines[1] == (
        "error: witnesses: 1 of 2 cosigned, 2 required (the checkpoint is signed and stored)"
    )
    assert raw.snapshot()[0] == stored[0] + 2  # the checkpoint and the cosigned copy


def test_a_restarted_witness_process_keeps_its_state(
    ledger: LedgerApp, awards: Cli, keys: Keys, witness_keys: tuple[Path, Path], tmp_path: Path
) -> None:
    state = tmp_path / "w1.json"
    for round_ in range(2):
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("awards")), "witness", "serve", "--name", NAME,
                "--key", str(witness_keys[0]), "--state", str(state),
                "--operator-pub", str(keys.op_pub), "--listen", "127.0.0.1:0",
            ],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith(f"witness {NAME} listening on http://127.0.0.1:"), line
            url = line.split()[-1]
            result = awards("checkpoint", "--key", keys.op_key, "--witness-url", url)
            assert result.exit_code == 0, result.stderr
            assert result.stderr == "", f"round {round_}: {result.stderr}"
        finally:
            process.terminate()
            process.wait(timeout=10)
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
    # the second round went from the first round's size: the state survived the restart
    seen = WitnessState(state).load()
    # (each round stores a checkpoint event and then the cosigned copy: two leaves)
    assert [s.size for s in seen.values()] == [ledger.tree()[0].size - 2]


def test_usage_errors(ledger: LedgerApp, awards: Cli, keys: Keys, raw: RawRows) -> None:
    before = raw.snapshot()
    result = awards("checkpoint", "--witness-url", "http://127.0.0.1:9/")
    assert result.exit_code == 2 and "--witness-url" in one_error_line(result)
    result = awards(
        "checkpoint", "--key", keys.op_key, "--witness-url", "http://x/", "--min-witnesses", "2"
    )
    assert result.exit_code == 2 and "--min-witnesses 2" in one_error_line(result)
    assert raw.snapshot() == before
    bad = awards(
        "witness", "serve", "--name", NAME, "--key", keys.op_key, "--state", "s.json",
        "--operator-pub", keys.op_pub, "--listen", "nowhere", ledger=False,
    )  # fmt: skip
    assert bad.exit_code == 2 and "HOST:PORT" in one_error_line(bad)
