"""`awards hold add|lift` through the CLI (given/when/then): the refusal of an award to a held
subject is one `error:` line naming rule `hold`, exit 1, nothing recorded; reports list the
hold (JSON, CSV, HTML) and `history` shows it placed and lifted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.overrides import Override
from domain.participation import Participation
from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import MOVEMENT, World, build_world, closed_session

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    return w


def decide(awards: Cli, world: World, number: str, *more: str) -> object:
    return awards(
        "decide", number, "--movement", MOVEMENT, "--award", "advanced_worker",
        "--recipient", "P1", "--recipient", "P2", "--basis", "S-AW", "--date", "2019-12-28",
        "--at", "2019-12-28T09:00", "--key", str(world.key_file("auth")), *more,
    )  # fmt: skip


def report(awards: Cli) -> dict[str, object]:
    result = awards("report", MOVEMENT, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@SQLITE_ONLY
def test_hold_blocks_an_award_until_lifted_and_reports_show_it(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    # given the secretary places a press hold on P1
    placed = awards(
        "hold", "add", "H-1", "--subject", "P1", "--kind", "press", "--reason",
        "Báo nêu vụ việc", "--at", "2019-11-01T09:00", "--key", str(world.key_file("sec")),
    )  # fmt: skip
    assert placed.exit_code == 0, placed.stderr
    assert placed.stdout.startswith("hold H-1 on P1 placed")
    # when the authority decides for P1 and P2, then: refused, rule hold, nothing recorded
    before = raw.snapshot()
    refused = decide(awards, world, "1/QĐ")
    assert getattr(refused, "exit_code") == 1  # noqa: B009
    line = one_error_line(refused)  # type: ignore[arg-type]
    assert "P1 is under an open hold: H-1 (press)" in line
    assert raw.snapshot() == before
    # the report lists the open hold, in JSON, CSV and HTML
    [row] = report(awards)["holds"]  # type: ignore[misc]
    assert (row["hold"], row["subject"], row["kind"], row["lifted_at"]) == (
        "H-1", "P1", "press", None
    )  # fmt: skip
    out = tmp_path / "csv"
    assert awards("report", MOVEMENT, "--format", "csv", "--out", str(out)).exit_code == 0
    assert "H-1,P1,press,Báo nêu vụ việc" in (out / "holds.csv").read_text(encoding="utf-8-sig")
    page = awards("report", MOVEMENT, "--format", "html", "--lang", "vi").stdout
    assert "Tạm dừng xét khen thưởng" in page and "Đang tạm dừng" in page
    # when an authority lifts it, the award passes and history tells both
    lifted = awards(
        "hold", "lift", "H-1", "--reason", "Đã xác minh, không vi phạm", "--at",
        "2019-12-01T09:00", "--key", str(world.key_file("auth")),
    )  # fmt: skip
    assert lifted.exit_code == 0, lifted.stderr
    assert getattr(decide(awards, world, "1/QĐ"), "exit_code") == 0  # noqa: B009
    [row] = report(awards)["holds"]  # type: ignore[misc]
    assert (row["lifted_by"], row["lift_reason"]) == ("auth", "Đã xác minh, không vi phạm")
    history = awards("history", "P1").stdout
    assert "hold H-1 placed (press): Báo nêu vụ việc" in history
    assert "hold lifted: Đã xác minh, không vi phạm" in history


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["add", "H-2", "--subject", "P1", "--kind", "rumour", "--reason", "x"], 2,
         "kind 'rumour' is not one of"),
        (["add", "H-2", "--subject", "P1", "--kind", "press", "--reason", "x", "--until",
          "2019-13-01"], 2, "--until '2019-13-01' is not an ISO 8601 date"),
        (["add", "H-2", "--subject", "NOPE", "--kind", "press", "--reason", "x"], 1,
         "recipient 'NOPE' not found"),
        (["lift", "H-9", "--reason", "x"], 1, "hold 'H-9' not found"),
    ],
    ids=["kind", "until", "subject", "lift-unknown"],
)  # fmt: skip
def test_hold_command_refused(
    world: World, awards: Cli, raw: RawRows, args: list[str], code: int, message: str
) -> None:
    before = raw.snapshot()
    result = awards("hold", *args, "--key", str(world.key_file("sec")))
    assert result.exit_code == code, result.output
    assert message in one_error_line(result)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_a_scorer_may_not_place_a_hold(world: World, awards: Cli, raw: RawRows) -> None:
    before = raw.snapshot()
    result = awards(
        "hold", "add", "H-2", "--subject", "P1", "--kind", "press", "--reason", "x",
        "--key", str(world.key_file("sc")),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "needs role authority or secretary" in one_error_line(result)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_an_award_over_a_hold_with_a_signed_reason_is_reported_as_an_override(
    world: World, awards: Cli
) -> None:
    placed = awards(
        "hold", "add", "H-1", "--subject", "P1", "--kind", "complaint", "--reason", "Đơn thư",
        "--at", "2019-11-01T09:00", "--key", str(world.key_file("sec")),
    )  # fmt: skip
    assert placed.exit_code == 0, placed.stderr
    decided = decide(awards, world, "1/QĐ", "--override", "hold=Đã xác minh: đơn không đúng")
    assert getattr(decided, "exit_code") == 0, getattr(decided, "stderr")  # noqa: B009
    checks = [c for c in report(awards)["checks"] if c["rule"] == "hold"]  # type: ignore[attr-defined]
    assert [(c["status"], c["subject"]) for c in checks] == [("override", "P1")], checks
    assert "Nghị định" in str(checks[0].get("citation")), checks


@SQLITE_ONLY
def test_a_hold_blocks_a_registration_until_overridden_with_its_own_reason(
    world: World, awards: Cli, raw: RawRows
) -> None:
    # given an inspection hold on P3 (not yet registered), placed before the deadline
    placed = awards(
        "hold", "add", "H-3", "--subject", "P3", "--kind", "inspection", "--reason",
        "Thanh tra đang xác minh", "--at", "2019-01-20T09:00", "--key", str(world.key_file("sec")),
    )  # fmt: skip
    assert placed.exit_code == 0, placed.stderr

    def register(*more: str) -> object:
        return awards(
            "register", MOVEMENT, "P3", "--title", "advanced_worker", "--key",
            str(world.key_file("sec")), *more,
        )  # fmt: skip

    # when the secretary registers P3 on time, then: refused naming rule hold, nothing recorded
    before = raw.snapshot()
    refused = register("--at", "2019-02-01T09:00")
    assert getattr(refused, "exit_code") == 1  # noqa: B009
    assert "P3 is under an open hold: H-3 (inspection)" in one_error_line(refused)  # type: ignore[arg-type]
    assert raw.snapshot() == before
    # when registered late too, then both rules are named, each needing its own override
    both = register("--at", "2019-03-01T09:00", "--override", "hold=Đã có ý kiến thanh tra")
    line = one_error_line(both)  # type: ignore[arg-type]
    assert "after the deadline 2019-02-18" in line and "hold" not in line.split("rejected:")[0]
    assert raw.snapshot() == before
    # when each is acknowledged, then the registration is recorded late with both reasons
    done = register(
        "--at", "2019-03-01T09:00", "--override", "hold=Đã có ý kiến thanh tra",
        "--override", "deadline=Hồ sơ giấy",
    )  # fmt: skip
    assert getattr(done, "exit_code") == 0, getattr(done, "stderr")  # noqa: B009
    found = world.app.find(Participation, Participation.id_for(MOVEMENT, "P3"))
    assert found is not None and found.late and found.override_reason == "Hồ sơ giấy"
    assert found.overrides == [Override("hold", "Đã có ý kiến thanh tra")]
