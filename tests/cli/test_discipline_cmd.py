"""`awards discipline add` and what a discipline changes (given/when/then): a person's award
whose year meets the discipline period is refused naming rule `prerequisites`, and a
collective title looks at its members' disciplines; refusals leave the ledger unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from domain.discipline import DisciplineRecord
from ledger.application import LedgerApp
from projections.report import movement_report
from projections.report.details import UNTRANSLATED, is_translated
from projections.report.render_html import render_html
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.projections.test_report_vietnamese import english_left
from tests.world import MOVEMENT, World, build_world, closed_session

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    w = build_world(apps(ledger_url), keys, tmp_path / "world-keys")
    closed_session(w, "S-AW", "advanced_worker", ["P1", "P2"])
    closed_session(w, "S-EC", "excellent_collective", ["U1"])
    return w


def discipline(awards: Cli, world: World, *more: str, key: str = "sec") -> object:
    return awards(
        "discipline", "add", "P1", "--decision", "12/QĐ-KL", "--reason", "Vi phạm quy chế",
        "--at", "2019-03-02T09:00", "--key", str(world.key_file(key)), *more,
    )  # fmt: skip


def decide(
    awards: Cli, world: World, number: str, award: str, basis: str, *who: str
) -> object:
    """`who`: recipients, then any further options (starting with `--`)."""
    cut = next((i for i, w in enumerate(who) if w.startswith("--")), len(who))
    recipients = [part for r in who[:cut] for part in ("--recipient", r)]
    return awards(
        "decide", number, "--movement", MOVEMENT, "--award", award, *recipients, "--basis",
        basis, "--date", "2019-12-28", "--at", "2019-12-28T09:00", "--key",
        str(world.key_file("auth")), *who[cut:],
    )  # fmt: skip


@SQLITE_ONLY
def test_a_discipline_in_the_award_year_refuses_the_persons_title_and_the_collectives(
    world: World, awards: Cli, raw: RawRows
) -> None:
    # given the secretary enters a warning for P1 from 2019-03-01 to 2020-02-29
    entered = discipline(awards, world, "--level", "warning", "--from", "2019-03-01",
                         "--until", "2020-02-29")  # fmt: skip
    assert getattr(entered, "exit_code") == 0, getattr(entered, "stderr")  # noqa: B009
    assert getattr(entered, "stdout").startswith("discipline 12/QĐ-KL of P1 entered (warning)")  # noqa: B009
    # when the authority decides advanced_worker for 2019 to P1 and P2
    before = raw.snapshot()
    refused = decide(awards, world, "1/QĐ", "advanced_worker", "S-AW", "P1", "P2")
    # then: refused naming P1's discipline (achievements count from 2020-03-01), nothing recorded
    assert getattr(refused, "exit_code") == 1  # noqa: B009
    line = one_error_line(refused)  # type: ignore[arg-type]
    assert "recipient 'P1' was disciplined (warning, 12/QĐ-KL, 2019-03-01 – 2020-02-29)" in line
    assert "only after the discipline period (from 2020-03-01)" in line
    assert raw.snapshot() == before
    # when P2 alone is decided, and then U1's excellent_collective for 2019
    assert getattr(decide(awards, world, "1/QĐ", "advanced_worker", "S-AW", "P2"), "exit_code") == 0  # noqa: B009
    before = raw.snapshot()
    collective = decide(awards, world, "2/QĐ", "excellent_collective", "S-EC", "U1")
    # then: U1 has 1 advanced_worker of 2 members, no fighter, and P1 did not complete
    line = one_error_line(collective)  # type: ignore[arg-type]
    assert "has 1 advanced_worker of 2 members in 2019, below 70 %" in line
    assert "has 0 emulation_fighter_base in 2019, needs 1" in line
    assert "disciplined, so not having completed their tasks in 2019: P1" in line
    assert raw.snapshot() == before


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("more", "code", "message"),
    [
        (("--level", "scolding", "--from", "2019-03-01"), 2,
         "level 'scolding' is not one of reprimand, warning"),
        (("--level", "warning", "--from", "2019-03-01", "--until", "2019-02-01"), 2,
         "--until 2019-02-01 is before --from 2019-03-01"),
        (("--level", "warning", "--from", "1 March"), 2, "--from"),
    ],
)  # fmt: skip
def test_a_bad_discipline_is_refused_and_nothing_is_recorded(
    world: World, awards: Cli, raw: RawRows, more: tuple[str, ...], code: int, message: str
) -> None:
    before = raw.snapshot()
    result = discipline(awards, world, *more)
    assert getattr(result, "exit_code") == code, getattr(result, "output")  # noqa: B009
    assert message in one_error_line(result)  # type: ignore[arg-type]
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_only_a_secretary_or_an_authority_enters_a_discipline_and_only_once(
    world: World, awards: Cli, raw: RawRows
) -> None:
    before = raw.snapshot()
    scorer = discipline(awards, world, "--level", "reprimand", "--from", "2019-03-01", key="sc")
    assert getattr(scorer, "exit_code") != 0 and raw.snapshot() == before  # noqa: B009
    ok = discipline(awards, world, "--level", "reprimand", "--from", "2019-03-01", key="auth")
    assert getattr(ok, "exit_code") == 0, getattr(ok, "stderr")  # noqa: B009
    before = raw.snapshot()
    again = discipline(awards, world, "--level", "warning", "--from", "2019-04-01")
    assert "decision '12/QĐ-KL' is already entered" in one_error_line(again)  # type: ignore[arg-type]
    assert raw.snapshot() == before
    record = world.app.find(DisciplineRecord, DisciplineRecord.id_for("P1"))
    assert record is not None and [e.level for e in record.entries] == ["reprimand"]


@SQLITE_ONLY
def test_the_vi_page_reads_discipline_collective_and_hold_findings_in_vietnamese(
    world: World, awards: Cli
) -> None:
    # given P1 disciplined (warning) in 2019, a press hold on P2, and a review of U1's
    # advanced_collective
    assert (discipline(awards, world, "--level", "warning", "--from", "2019-03-01",
                              "--until", "2020-02-29")).exit_code == 0  # fmt: skip
    held = awards("hold", "add", "H-1", "--subject", "P2", "--kind", "press", "--reason",
                  "Báo nêu vụ việc", "--at", "2019-12-01T09:00", "--key",
                  str(world.key_file("sec")))  # fmt: skip
    assert held.exit_code == 0, held.stderr
    closed_session(world, "S-AC", "advanced_collective", ["U1"])
    # when the authority decides each over the rules it breaks, with a signed reason for each
    why = "Quyết định giấy đã ban hành"
    for number, award, basis, who, rules in (
        ("1/QĐ", "advanced_worker", "S-AW", "P1", ["prerequisites"]),
        ("2/QĐ", "advanced_worker", "S-AW", "P2", ["hold"]),
        ("3/QĐ", "excellent_collective", "S-EC", "U1", ["prerequisites"]),
        ("4/QĐ", "advanced_collective", "S-AC", "U1", ["competence", "prerequisites"]),
    ):
        overrides = [part for rule in rules for part in ("--override", f"{rule}={why}")]
        result = decide(awards, world, number, award, basis, who, *overrides)
        assert getattr(result, "exit_code") == 0, getattr(result, "stderr")  # noqa: B009
    # then the report shows those findings, and its Vietnamese page holds no English words
    report = movement_report(world.app, MOVEMENT)
    details = " | ".join(c.detail for c in report.checks)
    for finding in ("was disciplined (warning", "not having completed their tasks",
                    "disciplined at warning or above", "is under an open hold"):  # fmt: skip
        assert finding in details, details
    assert [c.detail for c in report.checks if not is_translated(c.detail)] == []
    assert english_left(report) == {}
    assert UNTRANSLATED not in render_html(report, "vi")


@SQLITE_ONLY
def test_a_discipline_ended_early_lets_the_year_after_count(
    world: World, awards: Cli, raw: RawRows
) -> None:
    # given P1's warning from 2018-03-01 with no end recorded: P1's 2019 title is refused
    entered = discipline(awards, world, "--level", "warning", "--from", "2018-03-01")
    assert getattr(entered, "exit_code") == 0, getattr(entered, "stderr")  # noqa: B009
    refused = decide(awards, world, "1/QĐ", "advanced_worker", "S-AW", "P1")
    assert "only after the discipline period (no end recorded)" in one_error_line(refused)  # type: ignore[arg-type]
    # when the secretary ends it on 2018-12-31
    ended = awards("discipline", "end", "P1", "--decision", "12/QĐ-KL", "--until", "2018-12-31",
                   "--reason", "Chấm dứt kỷ luật trước thời hạn", "--at", "2019-01-02T09:00",
                   "--key", str(world.key_file("sec")))  # fmt: skip
    assert ended.exit_code == 0, ended.stderr
    assert ended.stdout.startswith("discipline 12/QĐ-KL of P1 ends on 2018-12-31")
    # then P1's 2019 title is decided
    assert getattr(decide(awards, world, "1/QĐ", "advanced_worker", "S-AW", "P1"), "exit_code") == 0  # noqa: B009


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("person", "more", "code", "message"),
    [
        ("P1", ("--decision", "9/QĐ-KL", "--until", "2019-12-31"), 1,
         "discipline '9/QĐ-KL' of 'P1' not found"),
        ("P2", ("--decision", "12/QĐ-KL", "--until", "2019-12-31"), 1,
         "'P2' has no discipline entered"),
        ("P1", ("--decision", "12/QĐ-KL", "--until", "2019-02-01"), 2,
         "--until 2019-02-01 is before its start 2019-03-01"),
        ("P1", ("--decision", "12/QĐ-KL", "--until", "31/12/2019"), 2, "--until"),
    ],
)  # fmt: skip
def test_a_bad_discipline_end_is_refused_and_nothing_is_recorded(
    world: World, awards: Cli, raw: RawRows, person: str, more: tuple[str, ...], code: int,
    message: str,
) -> None:
    entered = discipline(awards, world, "--level", "warning", "--from", "2019-03-01")
    assert getattr(entered, "exit_code") == 0  # noqa: B009
    before = raw.snapshot()
    result = awards("discipline", "end", person, *more, "--reason", "x", "--key",
                    str(world.key_file("sec")))  # fmt: skip
    assert getattr(result, "exit_code") == code, getattr(result, "output")  # noqa: B009
    assert message in one_error_line(result)  # type: ignore[arg-type]
    assert raw.snapshot() == before
