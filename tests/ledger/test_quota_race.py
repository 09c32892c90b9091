"""The quota race (the consistency boundary of docs/ARCHITECTURE.md): two offices decide the
last fighter place of a unit at once.

Two OS processes run `awards decide` on the same ledger for two different people of one unit
whose 30 % fighter quota has exactly one place left. Exactly one wins (exit 0); the other is
refused by the quota (exit 1, after its write conflicted and was rebuilt) or by the storage
(exit 5), with nothing of it recorded. Round 0 runs the installed `awards` console script as
is; later rounds start the same CLI entry point in processes that wait on a common "go", so
the two writes really overlap. A deterministic test forces the interleaving in process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from domain.base import Aggregate
from domain.decision import Decision
from domain.errors import RuleViolationError
from domain.initiative import recognise_initiative
from domain.movement import Movement
from domain.participation import Participation
from domain.register import AwardRegister, RecipientRecord
from domain.registry import Person, Signer, Unit
from domain.rulebook import Rulebook, Share
from ledger.application import LedgerApp
from ledger.usecases import decisions
from ledger.usecases.registry import new_person, new_unit
from ledger.verify import audit
from tests.conftest import Keys, RawRows
from tests.world import MOVEMENT, World, at, build_world, closed_session

ROUNDS = 3
PEOPLE = 10  # per unit: 10 advanced workers x 30 % = 3 fighter places
QUOTA = Rulebook(fighter_quota=Share(3, 10))
# 30 % is beyond the 15 % of Decree 91/2017 in force in 2019: every fighter decision here
# acknowledges rule `regime`, so the race is for the rulebook's own last place.
BEYOND_STATUTE = {"regime": "quy chế 30 % của cụm"}
RACER = (
    "import sys\n"
    "from cli.main import cli\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "cli.main(sys.argv[1:], prog_name='awards')\n"
)


def unit(r: int) -> str:
    return f"R{r}"


def person(r: int, n: int) -> str:
    return f"R{r}-{n:02d}"


def last_place(world: World, rounds: int) -> None:
    """Per round a unit of 10 advanced workers, 2 fighters decided and 2 more nominees ready."""
    app = world.app
    everyone = [person(r, n) for r in range(rounds) for n in range(1, PEOPLE + 1)]
    nominees = [person(r, n) for r in range(rounds) for n in range(1, 5)]

    def people(_: Signer) -> list[Aggregate]:
        units: dict[str, Unit] = {}
        persons: dict[str, Person] = {}
        for r in range(rounds):
            new_unit(app, unit(r), f"Phòng {r}", "division", None, units)
            for n in range(1, PEOPLE + 1):
                new_person(
                    app, person(r, n), f"Người {r}-{n}", unit(r), None, False, units, persons
                )
        movement = app.load(Movement, Movement.id_for(MOVEMENT), "movement")
        registered = [
            Participation.register(
                movement,
                p,
                "person",
                ["advanced_worker", "emulation_fighter_base"],
                at=at("2019-02-01"),
            )
            for p in everyone
        ]
        return [*units.values(), *persons.values(), *registered]

    app.write(world.key("sec"), people)

    def initiatives(_: Signer) -> list[Aggregate]:
        out: list[Aggregate] = []
        for p in nominees:
            initiative, record = recognise_initiative(
                f"SK-{p}",
                person=p,
                name="Sáng kiến",
                scope="base",
                year=2019,
                at=at("2019-05-01"),
                record=None,
            )
            out += [initiative, record]
        return out

    app.write(world.key("ic"), initiatives)
    closed_session(world, "S-AW", "advanced_worker", everyone)
    closed_session(world, "S-FB", "emulation_fighter_base", nominees)
    for r in range(rounds):
        for number, award, recipients in (
            (f"AW-{r}", "advanced_worker", [person(r, n) for n in range(1, PEOPLE + 1)]),
            (f"FB-{r}", "emulation_fighter_base", [person(r, 1), person(r, 2)]),
        ):
            decisions.decide_award(
                app,
                world.key("auth"),
                number,
                movement_id=MOVEMENT,
                award=award,
                recipients=recipients,
                basis="S-AW" if award == "advanced_worker" else "S-FB",
                decided_on=date(2019, 12, 28),
                at=at("2019-12-28"),
                overrides=None if award == "advanced_worker" else BEYOND_STATUTE,
            )


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys", rulebook=QUOTA)


def decide_argv(world: World, url: str, number: str, recipient: str) -> list[str]:
    return [
        "--ledger",
        url,
        "decide",
        number,
        "--movement",
        MOVEMENT,
        "--award",
        "emulation_fighter_base",
        "--recipient",
        recipient,
        "--basis",
        "S-FB",
        "--date",
        "2019-12-30",
        "--override",
        "regime=quy chế 30 % của cụm",
        "--key",
        str(world.key_file("auth")),
    ]


def race(world: World, url: str, r: int) -> list[subprocess.CompletedProcess[str]]:
    """Start both offices' `awards decide` for round r; return their results (office A first)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("AWARDS_KEY_PASSPHRASE", "AWARDS_LEDGER")
    }
    argvs = [
        decide_argv(world, url, f"{office}-{r}", person(r, n)) for office, n in (("A", 3), ("B", 4))
    ]
    if r == 0:  # the installed console script, started together
        script = str(Path(sys.executable).parent / "awards")
        procs = [
            subprocess.Popen(
                [script, *argv], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for argv in argvs
        ]
    else:  # the same entry point, released together once both have imported everything
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, *argv],
                env=env,
                text=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for argv in argvs
        ]
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
    results = []
    for proc, argv in zip(procs, argvs, strict=True):
        stdout, stderr = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr))
    return results


def test_two_processes_race_for_the_last_quota_place(
    world: World, ledger_url: str, raw: RawRows
) -> None:
    last_place(world, ROUNDS)
    for r in range(ROUNDS):
        before = raw.count()
        results = race(world, ledger_url, r)
        codes = sorted(p.returncode for p in results)
        assert codes in ([0, 1], [0, 5]), [(p.returncode, p.stderr) for p in results]
        winner = next(p for p in results if p.returncode == 0)
        loser = next(p for p in results if p.returncode != 0)
        assert "recorded events" in winner.stdout and loser.stdout == ""
        [line] = loser.stderr.splitlines()
        if loser.returncode == 1:
            assert line.startswith(
                f"error: decision {loser.args[3]} rejected: unit 'R{r}' would have 4 "
                "emulation_fighter_base for 10 advanced_worker in 2019, above the rulebook's "
                "quota 30 %"
            ), line
        else:
            assert line.startswith("error: write conflict"), line
        # the winner's decision, register entry and record entry; nothing of the loser
        assert raw.count() == before + 3
        assert world.app.find(Decision, Decision.id_for(winner.args[3])) is not None
        assert world.app.find(Decision, Decision.id_for(loser.args[3])) is None
        register = world.app.load(AwardRegister, AwardRegister.id_for(MOVEMENT), "register")
        assert register.count("emulation_fighter_base", unit(r), 2019) == 3
    assert audit(world.app).ok


def test_a_decision_that_lost_the_race_is_rebuilt_and_refused(
    world: World,
    ledger_url: str,
    raw: RawRows,
    apps: Callable[[str], LedgerApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Office A loads the register; office B decides the last place and saves first; A's save
    then conflicts on the register's version, A rebuilds from fresh state and the quota refuses."""
    last_place(world, 1)
    other_office = apps(ledger_url)
    real_decide = decisions.decide
    attempts: list[int] = []

    def interleaved(*args: object, **kwargs: object) -> object:
        attempts.append(len(attempts))
        if len(attempts) == 1:  # A has loaded everything; B decides before A saves
            monkeypatch.setattr(decisions, "decide", real_decide)
            decisions.decide_award(
                other_office,
                world.key("auth"),
                "B-0",
                movement_id=MOVEMENT,
                award="emulation_fighter_base",
                recipients=[person(0, 4)],
                basis="S-FB",
                decided_on=date(2019, 12, 30),
                at=at("2019-12-30"),
                overrides=BEYOND_STATUTE,
            )
            monkeypatch.setattr(decisions, "decide", interleaved)
        return real_decide(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decisions, "decide", interleaved)
    before = raw.count()
    with pytest.raises(
        RuleViolationError, match="unit 'R0' would have 4 emulation_fighter_base"
    ) as info:
        decisions.decide_award(
            world.app,
            world.key("auth"),
            "A-0",
            movement_id=MOVEMENT,
            award="emulation_fighter_base",
            recipients=[person(0, 3)],
            basis="S-FB",
            decided_on=date(2019, 12, 30),
            at=at("2019-12-30"),
            overrides=BEYOND_STATUTE,
        )
    # built, conflicted, rebuilt, refused
    assert info.value.rules == ["quota"] and len(attempts) == 2
    assert raw.count() == before + 3  # B's decision only
    assert world.app.find(Decision, Decision.id_for("A-0")) is None
    record = world.app.load(RecipientRecord, RecipientRecord.id_for(person(0, 3)), "record")
    assert record.holds("emulation_fighter_base", 2019) is None
