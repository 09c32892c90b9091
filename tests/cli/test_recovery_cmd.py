"""`awards annul` and `awards recovery record` through the CLI (given/when/then): the annulment
prints what is to be recovered; a recovery not due or recorded twice is one `error:` line,
exit 1, nothing recorded; the report lists what is outstanding (JSON, CSV, HTML vi/en) with
the bonus per award; `history` and a receipt tell it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import MOVEMENT, World, build_world, closed_session

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    return w


def run(awards: Cli, world: World, signer: str, *args: str) -> object:
    return awards(*args, "--key", str(world.key_file(signer)))


def report(awards: Cli) -> dict[str, object]:
    result = awards("report", MOVEMENT, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@SQLITE_ONLY
def test_annulment_recovery_from_the_command_line_to_the_report(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path, keys: Keys
) -> None:
    # given P1 and P2 made advanced workers on 28/12/2019
    decided = run(
        awards, world, "auth", "decide", "1/QĐ", "--movement", MOVEMENT, "--award",
        "advanced_worker", "--recipient", "P1", "--recipient", "P2", "--basis", "S-AW",
        "--date", "2019-12-28", "--at", "2019-12-28T09:00",
    )  # fmt: skip
    assert getattr(decided, "exit_code") == 0  # noqa: B009
    # the register shows each award's bonus: 0.3 × 1,490,000 VND, a confirmed figure
    rows = report(awards)["awards"]
    assert [(a["recipient"], a["bonus"], a["bonus_verified"]) for a in rows] == [  # type: ignore[index, union-attr]
        ("P1", 447_000, True), ("P2", 447_000, True)
    ]  # fmt: skip
    # when the authority annuls P1's title, then it says what is to be recovered
    annulled = run(
        awards, world, "auth", "annul", "1/QĐ", "--recipient", "P1", "--ground",
        "false_declaration", "--reason", "Khai man", "--at", "2020-03-02T09:00",
    )  # fmt: skip
    out = getattr(annulled, "stdout")  # noqa: B009
    assert "to recover: certificate" in out
    assert "to recover: money 447,000 VND (0.3 × 1,490,000 VND; Nghị định 91/2017" in out
    # a recovery from P2, whose award stands, is refused: one error line, nothing recorded
    before = raw.snapshot()
    wrong = run(awards, world, "sec", "recovery", "record", "1/QĐ", "--recipient", "P2",
                "--item", "money")  # fmt: skip
    assert getattr(wrong, "exit_code") == 1  # noqa: B009
    assert "the award is not annulled" in one_error_line(wrong)  # type: ignore[arg-type]
    assert raw.snapshot() == before
    # when the secretary records the certificate and 100,000 VND
    for more in (["--item", "certificate", "--reference", "BB 12"], ["--item", "money",
                 "--amount", "100000"]):  # fmt: skip
        done = run(awards, world, "sec", "recovery", "record", "1/QĐ", "--recipient", "P1",
                   "--at", "2020-04-01T09:00", *more)  # fmt: skip
        assert getattr(done, "exit_code") == 0, getattr(done, "stderr")  # noqa: B009
    assert "still to recover: money 347,000 VND" in getattr(done, "stdout")  # noqa: B009
    # the certificate again is refused, nothing recorded
    before = raw.snapshot()
    twice = run(awards, world, "sec", "recovery", "record", "1/QĐ", "--recipient", "P1",
                "--item", "certificate")  # fmt: skip
    assert getattr(twice, "exit_code") == 1  # noqa: B009
    assert "already recovered" in one_error_line(twice)  # type: ignore[arg-type]
    assert raw.snapshot() == before
    # then the report lists the money still outstanding, in JSON, CSV and HTML
    [row] = report(awards)["outstanding_recoveries"]  # type: ignore[misc]
    assert (row["recipient"], row["item"], row["due"], row["recovered"], row["remaining"]) == (
        "P1", "money", 447_000, 100_000, 347_000
    )  # fmt: skip
    csv_dir = tmp_path / "csv"
    assert awards("report", MOVEMENT, "--format", "csv", "--out", str(csv_dir)).exit_code == 0
    text = (csv_dir / "outstanding_recoveries.csv").read_text(encoding="utf-8-sig")
    assert "1/QĐ,P1,Nguyễn Văn A,advanced_worker,money,447000,100000,347000" in text
    vi = awards("report", MOVEMENT, "--format", "html", "--lang", "vi").stdout
    assert "Còn phải thu hồi" in vi and "347.000 đ" in vi
    en = awards("report", MOVEMENT, "--format", "html", "--lang", "en").stdout
    assert "Outstanding recoveries" in en and "347,000 VND" in en
    # and history tells the annulment's recoveries and each one recorded
    history = awards("history", "P1").stdout
    assert "to recover: certificate; money 447,000 VND" in history
    assert "recovered certificate after the annulment (BB 12), recorded by sec" in history
    assert "recovered money 100,000 VND after the annulment, recorded by sec" in history
    # given P1 later receives a certificate of merit, a receipt for it states the debt
    merit = run(
        awards, world, "auth", "decide", "2/QĐ", "--movement", MOVEMENT, "--award",
        "certificate_of_merit", "--recipient", "P1", "--date", "2020-05-01",
        "--at", "2020-05-01T09:00",
    )  # fmt: skip
    assert getattr(merit, "exit_code") == 0, getattr(merit, "stderr")  # noqa: B009
    assert awards("checkpoint", "--key", keys.op_key).exit_code == 0
    receipt = awards("receipt", "2/QĐ", "--recipient", "P1", "--out", str(tmp_path / "r.json"))
    assert receipt.exit_code == 0, receipt.stderr
    assert (
        "to recover after the annulment in decision 1/QĐ (advanced_worker): money 347,000 VND"
        in receipt.stdout
    )
    statements = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["statements"]
    assert [s["kind"] for s in statements] == ["outstanding_recovery"]
