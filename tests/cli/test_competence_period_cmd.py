"""`awards signer add --competence ... --from D --until D`: an authority's competence period
(given/when/then). A decision dated outside it breaks rule `competence` (overridable, the
override signed and reported); bad periods are refused and record nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.keys import write_key_pair
from projections.report import movement_report
from projections.report.details import detail_text
from tests.cli.test_workflow_cmd import failed, ok
from tests.conftest import Cli, Keys, RawRows
from tests.world import MOVEMENT, World, build_world, closed_session

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    return w


def commune_chair(world: World, awards: Cli, tmp_path: Path, *period: str) -> Path:
    """Commune XA1 and its chair ct-xa, competent for advanced workers within `period`."""
    ok(awards("unit", "add", "XA1", "--name", "Xã Một", "--level", "commune",
              "--key", world.key_file("sec"), "--json"))  # fmt: skip
    private, public = write_key_pair("ct-xa", tmp_path, None)
    ok(awards("signer", "add", "ct-xa", "--pub", public, "--role", "authority", "--unit", "XA1",
              "--competence", "advanced_worker", *period, "--key", world.key_file("op"),
              "--json"))  # fmt: skip
    return private


def decide(awards: Cli, key: Path, number: str, day: str, recipient: str, *more: str) -> object:
    return awards("decide", number, "--movement", MOVEMENT, "--award", "advanced_worker",
                  "--recipient", recipient, "--basis", "S-AW", "--date", day, "--key", key,
                  *more)  # fmt: skip


@SQLITE_ONLY
def test_a_commune_chair_competent_from_2025_07_01(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    # given a commune chair registered competent from 2025-07-01 (Decree 129/2025's first day)
    key = commune_chair(world, awards, tmp_path, "--from", "2025-07-01")
    listed = awards("signer", "list")
    assert "ct-xa" in listed.stdout and "from=2025-07-01 until=…" in listed.stdout
    # when it signs a decision dated 2025-06-30: refused by rule competence, nothing recorded
    before = raw.snapshot()
    outside = "a decision dated 2025-06-30 lies outside its competence period 2025-07-01 – …"
    failed(decide(awards, key, "1/QĐ-UBND", "2025-06-30", "P1"), 1, outside)
    assert raw.snapshot() == before
    # when it decides on 2025-07-01: decided
    ok(decide(awards, key, "1/QĐ-UBND", "2025-07-01", "P1", "--json"))
    # and a paper decision of 2025-06-30 entered with a signed override of rule competence
    reason = "Quyết định giấy của Chủ tịch UBND xã ký ngày 30/6/2025"
    ok(decide(awards, key, "2/QĐ-UBND", "2025-06-30", "P2", "--override",
              f"competence={reason}", "--json"))  # fmt: skip
    # then the report lists the override with the period, in English and in Vietnamese
    report = movement_report(world.app, MOVEMENT)
    found = [c for c in report.checks if c.rule == "competence" and c.status == "override"]
    assert found and all("2/QĐ-UBND" not in c.detail or reason in c.detail for c in found)
    period = [c.detail for c in found if "competence period" in c.detail]
    assert period, [c.detail for c in report.checks]
    vi = detail_text(period[0], "vi")
    assert "ngoài thời hạn thẩm quyền từ 01/07/2025" in vi, vi


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("period", "message"),
    [
        (("--from", "2025-07-01", "--until", "2025-06-30"),
         "--until 2025-06-30 is before --from 2025-07-01"),
        (("--from", "1/7/2025"), "--from '1/7/2025' is not an ISO 8601 date"),
    ],
)  # fmt: skip
def test_a_bad_period_is_refused_and_nothing_is_recorded(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path, period: tuple[str, ...], message: str
) -> None:
    _, public = write_key_pair("ct-xa", tmp_path, None)
    before = raw.snapshot()
    failed(awards("signer", "add", "ct-xa", "--pub", public, "--role", "authority",
                  "--competence", "advanced_worker", *period, "--key", world.key_file("op")),
           2, message)  # fmt: skip
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_a_period_without_a_competence_list_is_refused(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    _, public = write_key_pair("sec9", tmp_path, None)
    before = raw.snapshot()
    failed(awards("signer", "add", "sec9", "--pub", public, "--role", "secretary",
                  "--from", "2025-07-01", "--key", world.key_file("op")),
           2, "--from/--until bound a competence; give --competence")  # fmt: skip
    assert raw.snapshot() == before
