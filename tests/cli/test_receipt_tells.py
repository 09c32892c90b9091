"""Receipts that tell (issue 13 item 3), given/when/then: `verify-receipt` states every
override signed into the event (text and --json); `awards receipt` adds the ledger's unsigned
statements as of its checkpoint (an open hold, an annulment cascade flag), labelled as such,
and a statement moved to another tree size or recipient fails verification (exit 4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ledger.application import LedgerApp
from ledger.usecases import decisions, holds, registry, workflow
from tests.conftest import Cli, Keys
from tests.world import MOVEMENT, World, at, build_world, closed_session

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


def decide(w: World, number: str, award: str, basis: str, overrides: dict[str, str]) -> None:
    decisions.decide_award(
        w.app, w.key("auth"), number, movement_id=MOVEMENT, award=award, recipients=["P1"],
        basis=basis, decided_on=date(2019, 12, 28), overrides=overrides, at=at("2019-12-28"),
    )  # fmt: skip


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    """P1 under an open press hold; advanced_worker (1/QĐ) and fighter (FB/QĐ) decided over
    it with signed reasons (hold; hold and quota); 1/QĐ then annulled for P1, so the cascade
    flags FB/QĐ; 2/QĐ: advanced_worker to P2, plain; a checkpoint over all of it."""
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    holds.place(
        w.app, w.key("sec"), "H-1", subject="P1", kind="press", reason="Báo nêu vụ việc",
        at=at("2019-11-01"),
    )  # fmt: skip
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    decide(w, "1/QĐ", "advanced_worker", "S-AW", {"hold": "Kết luận: không vi phạm"})
    workflow.recognise(
        w.app, w.key("ic"), "SK-P1", person="P1", name="Sáng kiến", scope="base", year=2019
    )
    closed_session(w, "S-FB", "emulation_fighter_base", ["P1"])
    decide(
        w, "FB/QĐ", "emulation_fighter_base", "S-FB",
        {"hold": "Kết luận: không vi phạm", "quota": "Đơn vị nhỏ, một người"},
    )  # fmt: skip
    decisions.annul_award(
        w.app, w.key("auth"), "1/QĐ", recipient="P1", ground="false_declaration",
        reason="Khai man", at=at("2020-01-10"),
    )  # fmt: skip
    decisions.decide_award(
        w.app, w.key("auth"), "2/QĐ", movement_id=MOVEMENT, award="advanced_worker",
        recipients=["P2"], basis="S-AW", decided_on=date(2019, 12, 28), at=at("2019-12-28"),
    )  # fmt: skip
    registry.sign_new_checkpoint(w.app, keys.op)
    return w


def receipt(awards: Cli, number: str, recipient: str, out: Path) -> str:
    made = awards("receipt", number, "--recipient", recipient, "--out", str(out))
    assert made.exit_code == 0, made.stderr
    return str(made.stdout)


def verify(awards: Cli, out: Path, keys: Keys, *more: str) -> object:
    return awards("verify-receipt", str(out), "--operator-pub", str(keys.op_pub), *more)


@SQLITE_ONLY
def test_a_receipt_tells_its_overrides_and_the_ledgers_flags(
    world: World, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = tmp_path / "fb.json"
    # when a receipt of P1's fighter award is made
    made = receipt(awards, "FB/QĐ", "P1", out)
    # then it states, unsigned, the cascade flag, the open hold, and what P1 still owes after
    # the annulment of 1/QĐ (Law 2022 Art. 93(2)) as of its checkpoint
    assert "stated by the ledger as of tree size" in made
    doc = json.loads(out.read_text(encoding="utf-8"))
    kinds = [s["kind"] for s in doc["statements"]]
    assert kinds == ["cascade_flag", "open_hold", "outstanding_recovery", "outstanding_recovery"]
    assert "annulment of decision 1/QĐ" in doc["statements"][0]["text"]
    assert "hold H-1 open (press)" in doc["statements"][1]["text"]
    owed = [s["text"] for s in doc["statements"][2:]]
    assert owed == [
        "to recover after the annulment in decision 1/QĐ (advanced_worker): certificate",
        "to recover after the annulment in decision 1/QĐ (advanced_worker): money 447,000 VND",
    ]
    # and verify-receipt tells the signed override and the statements, labelled
    text = verify(awards, out, keys)
    assert getattr(text, "exit_code") == 0, getattr(text, "stderr")  # noqa: B009
    stdout = getattr(text, "stdout")  # noqa: B009
    assert "override signed into the event: rule hold, reason: Kết luận: không vi phạm" in stdout
    assert "NOT signed into the event (cascade_flag)" in stdout
    assert "NOT signed into the event (open_hold)" in stdout
    assert "NOT signed into the event (outstanding_recovery)" in stdout
    checked = json.loads(getattr(verify(awards, out, keys, "--json"), "stdout"))  # noqa: B009
    # (the fighter also broke the quota: each rule is told with its own signed reason)
    assert checked["overrides"] == [
        {"rule": "hold", "reason": "Kết luận: không vi phạm"},
        {"rule": "quota", "reason": "Đơn vị nhỏ, một người"},
    ]
    assert [s["kind"] for s in checked["statements"]] == kinds


@SQLITE_ONLY
def test_a_plain_receipt_says_there_is_nothing_to_tell(
    world: World, awards: Cli, keys: Keys, tmp_path: Path
) -> None:
    out = tmp_path / "p2.json"
    receipt(awards, "2/QĐ", "P2", out)
    assert "statements" not in json.loads(out.read_text(encoding="utf-8"))
    stdout = getattr(verify(awards, out, keys), "stdout")  # noqa: B009
    assert "no override signed into the event; no flag stated by the ledger" in stdout


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("as_of_size", 3, "speaks for tree size 3"), ("subject", "P2", "is about 'P2'"),
     ("kind", "all_clear", "is not one of")],
)  # fmt: skip
def test_a_moved_statement_fails_verification(
    world: World, awards: Cli, keys: Keys, tmp_path: Path, field: str, value: object,
    message: str,
) -> None:  # fmt: skip
    out = tmp_path / "fb.json"
    receipt(awards, "FB/QĐ", "P1", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["statements"][0][field] = value
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = verify(awards, out, keys)
    assert getattr(result, "exit_code") == 4  # noqa: B009
    assert message in getattr(result, "stderr")  # noqa: B009
