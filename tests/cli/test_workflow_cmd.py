"""The workflow commands through the CLI: exit codes, one-line `error:` refusals, --json receipts.

Most cases run on SQLite (the use cases are tested on both backends in tests/ledger/); one
whole review-to-annulment flow runs on both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.movement import Movement, parse_criteria_csv
from domain.participation import Participation
from domain.rulebook_toml import parse_rulebook
from ledger.application import LedgerApp
from ledger.usecases.workflow import spec_hash_of
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import CRITERIA_CSV, MOVEMENT, World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
RULES = '[quota]\nfighter_share = "30%"\n[deadlines]\nunit = 2020-03-15\n'


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def ok(result: object) -> dict[str, object]:
    """The --json receipt of a command that must succeed."""
    assert getattr(result, "exit_code") == 0, getattr(result, "stderr")  # noqa: B009
    data: dict[str, object] = json.loads(getattr(result, "stdout"))  # noqa: B009
    assert {"seqs", "size", "root"} <= set(data)
    return data


def failed(result: object, code: int, text: str) -> None:
    """The command exited `code` with one `error:` line containing `text`, nothing on stdout."""
    assert getattr(result, "exit_code") == code, getattr(result, "output")  # noqa: B009
    assert text in one_error_line(result), one_error_line(result)  # type: ignore[arg-type]
    assert getattr(result, "stdout") == ""  # noqa: B009


# -- movement launch -----------------------------------------------------------------------------


@SQLITE_ONLY
def test_movement_launch_prints_its_spec_hash(world: World, awards: Cli, tmp_path: Path) -> None:
    (tmp_path / "criteria.csv").write_text(CRITERIA_CSV, encoding="utf-8")
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    result = awards(
        "movement",
        "launch",
        "TD-2020",
        "--name",
        "Thi đua 2020",
        "--start",
        "2020-01-01",
        "--end",
        "2020-12-31",
        "--criteria",
        tmp_path / "criteria.csv",
        "--rules",
        tmp_path / "rules.toml",
        "--kind",
        "thematic",
        "--at",
        "2020-01-02T08:00",
        "--key",
        world.key_file("sec"),
        "--json",
    )
    data = ok(result)
    expected = spec_hash_of(parse_criteria_csv(CRITERIA_CSV), "weighted_sum", parse_rulebook(RULES))
    assert data["spec_hash"] == expected.hex()
    movement = world.app.load(Movement, Movement.id_for("TD-2020"), "movement")
    assert movement.spec_hash == expected and str(movement.unit_deadline) == "2020-03-15"
    assert movement.launched_at.isoformat() == "2020-01-02T01:00:00+00:00"  # stored in UTC
    text = awards(
        "movement",
        "launch",
        "TD-2021",
        "--name",
        "X",
        "--start",
        "2021-01-01",
        "--end",
        "2021-12-31",
        "--deadline",
        "2021-02-18",
        "--key",
        world.key_file("sec"),
    )
    assert text.exit_code == 0 and "movement TD-2021 launched (spec sha256 " in text.stdout


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("extra", "criteria", "code", "message"),
    [
        (
            [],
            "id,name,max_points,weight\nc1,X,ten,1\n",
            3,
            "criteria line 2: max_points 'ten' is not a number",
        ),
        ([], "id,name\n", 3, "criteria line 1: header must be id,name,max_points,weight"),
        (["--rules", "RULES"], CRITERIA_CSV, 3, "rulebook key 'quota.fighter_share' is not valid"),
        (
            ["--start", "2020-13-01"],
            CRITERIA_CSV,
            2,
            "--start '2020-13-01' is not an ISO 8601 date",
        ),
        (["--rules", "missing.toml"], CRITERIA_CSV, 3, "cannot read"),
        (["--at", "tomorrow"], CRITERIA_CSV, 2, "--at 'tomorrow' is not an ISO 8601"),
    ],
    ids=["bad-number", "bad-header", "bad-rules", "bad-date", "missing-file", "bad-at"],
)
def test_movement_launch_refused(
    world: World,
    awards: Cli,
    raw: RawRows,
    tmp_path: Path,
    extra: list[str],
    criteria: str,
    code: int,
    message: str,
) -> None:
    (tmp_path / "criteria.csv").write_text(criteria, encoding="utf-8")
    (tmp_path / "rules.toml").write_text("[quota]\nfighter_share = 3\n", encoding="utf-8")
    extra = [str(tmp_path / "rules.toml") if e == "RULES" else e for e in extra]
    before = raw.snapshot()
    result = awards(
        "movement",
        "launch",
        "TD-2020",
        "--name",
        "X",
        "--start",
        "2020-01-01",
        "--end",
        "2020-12-31",
        "--deadline",
        "2020-02-18",
        "--criteria",
        tmp_path / "criteria.csv",
        *extra,
        "--key",
        world.key_file("sec"),
    )
    failed(result, code, message)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_movement_launch_of_existing_id_refused(world: World, awards: Cli) -> None:
    result = awards(
        "movement",
        "launch",
        MOVEMENT,
        "--name",
        "X",
        "--start",
        "2019-01-01",
        "--end",
        "2019-12-31",
        "--deadline",
        "2019-02-18",
        "--key",
        world.key_file("sec"),
    )
    failed(result, 1, "error: movement launch rejected: movement 'TD-2019' already exists")


# -- register, score, initiative, cluster --------------------------------------------------------


@SQLITE_ONLY
def test_register_on_time_late_and_overridden(world: World, awards: Cli) -> None:
    result = awards(
        "register",
        MOVEMENT,
        "P3",
        "--title",
        "advanced_worker",
        "--at",
        "2019-02-18T22:00",
        "--key",
        world.key_file("sec"),
    )
    assert result.exit_code == 0 and result.stdout.startswith(
        "P3 registered in TD-2019: recorded event"
    )
    p3 = world.app.load(Participation, Participation.id_for(MOVEMENT, "P3"), "registration")
    assert p3.registered_at.isoformat() == "2019-02-18T15:00:00+00:00"  # stored in UTC
    late = awards(
        "register",
        MOVEMENT,
        "U2",
        "--title",
        "advanced_collective",
        "--at",
        "2019-02-19",
        "--key",
        world.key_file("sec"),
    )
    failed(
        late,
        1,
        "registration rejected: participant 'U2' registered 2019-02-19 after the deadline "
        "2019-02-18; give --override deadline=REASON to record it knowingly (rule deadline)",
    )
    data = ok(
        awards(
            "register",
            MOVEMENT,
            "U2",
            "--title",
            "advanced_collective",
            "--at",
            "2019-02-19",
            "--override-reason",
            "Gửi bưu điện ngày 17/02",
            "--key",
            world.key_file("sec"),
            "--json",
        )
    )
    assert (data["late"], data["deadline"]) == (True, "2019-02-18")


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["register", MOVEMENT, "NOPE", "--title", "advanced_worker", "--key", "sec"],
            1,
            "registration rejected: participant 'NOPE' not found",
        ),
        (
            ["score", MOVEMENT, "P1", "c1", "--key", "sc"],
            2,
            "score 'c1' is not valid: use CRITERION=POINTS",
        ),
        (
            ["score", MOVEMENT, "P1", "c1=99", "--key", "sc"],
            1,
            "points 99 for criterion 'c1' outside 0..10",
        ),
        (
            ["score", MOVEMENT, "U1", "c1=5", "--key", "sc1"],
            1,
            "scorer 'sc1' may not appraise itself",
        ),
        (
            [
                "initiative",
                "recognize",
                "SK-1",
                "--person",
                "NOPE",
                "--name",
                "X",
                "--scope",
                "base",
                "--key",
                "ic",
            ],
            1,
            "initiative rejected: person 'NOPE' not found",
        ),
        (
            ["cluster", "form", "CL", "--name", "Cụm", "--member", "U9", "--key", "sec"],
            1,
            "cluster form rejected: unit 'U9' not found",
        ),
        (
            ["cluster", "pact", "CL9", "--unit", "U1", "--movement", MOVEMENT, "--key", "sec"],
            1,
            "pact rejected: cluster 'CL9' not found",
        ),
        (
            ["register", MOVEMENT, "P3", "--title", "advanced_worker", "--key", "other"],
            1,
            "is not registered to any signer of this ledger",
        ),
    ],
    ids=[
        "unknown-participant",
        "score-format",
        "score-range",
        "score-own-unit",
        "initiative-person",
        "cluster-unit",
        "pact-cluster",
        "unknown-key",
    ],
)
def test_workflow_command_refused(
    world: World, awards: Cli, raw: RawRows, args: list[str], code: int, message: str
) -> None:
    argv = [
        str(world.key_file(a)) if i and args[i - 1] == "--key" else a for i, a in enumerate(args)
    ]
    before = raw.snapshot()
    failed(awards(*argv), code, message)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_score_initiative_cluster_and_pact(world: World, awards: Cli) -> None:
    data = ok(
        awards(
            "score",
            MOVEMENT,
            "P1",
            "c1=8.5",
            "c2=4",
            "--reason",
            "Chấm đợt 1",
            "--key",
            world.key_file("sc"),
            "--json",
        )
    )
    assert len(data["seqs"]) == 2  # type: ignore[arg-type]
    self_score = awards("score", MOVEMENT, "P1", "c1=10", "--self", "--key", world.key_file("sc1"))
    assert self_score.exit_code == 0 and self_score.stdout.startswith(
        "self scores of P1 in TD-2019"
    )
    ok(
        awards(
            "initiative",
            "recognize",
            "SK-1",
            "--person",
            "P1",
            "--name",
            "Số hóa hồ sơ",
            "--scope",
            "base",
            "--year",
            "2019",
            "--key",
            world.key_file("ic"),
            "--json",
        )
    )
    ok(
        awards(
            "cluster",
            "form",
            "KHOI-1",
            "--name",
            "Khối một",
            "--kind",
            "block",
            "--member",
            "U1",
            "--member",
            "U2",
            "--key",
            world.key_file("sec"),
            "--json",
        )
    )
    pact = awards(
        "cluster",
        "pact",
        "KHOI-1",
        "--unit",
        "U2",
        "--movement",
        MOVEMENT,
        "--key",
        world.key_file("sec"),
    )
    assert pact.exit_code == 0 and pact.stdout.startswith("pact of U2 in KHOI-1 for TD-2019")
    p1 = world.app.load(Participation, Participation.id_for(MOVEMENT, "P1"), "registration")
    assert [(s.kind, s.reason) for s in p1.scores] == [
        ("appraisal", "Chấm đợt 1"),
        ("appraisal", "Chấm đợt 1"),
        ("self", None),
    ]


# -- sessions, decisions, annulments -------------------------------------------------------------


def test_review_decide_and_annul_flow(world: World, awards: Cli, tmp_path: Path) -> None:
    def key(name: str) -> str:
        return str(world.key_file(name))

    ok(
        awards(
            "session",
            "open",
            "S1",
            "--movement",
            MOVEMENT,
            "--title",
            "advanced_worker",
            "--nominee",
            "P1",
            "--nominee",
            "P2",
            "--member",
            "ch",
            "--member",
            "m1",
            "--member",
            "m2",
            "--threshold",
            ">1/2",
            "--quorum",
            "2/3",
            "--at",
            "2019-12-20T08:00",
            "--key",
            key("ch"),
            "--json",
        )
    )
    ok(
        awards(
            "vote",
            "S1",
            "--yes",
            "P1",
            "--yes",
            "P2",
            "--at",
            "2019-12-20T09:00",
            "--key",
            key("ch"),
            "--json",
        )
    )
    ok(
        awards(
            "vote", "S1", "--yes", "P2", "--at", "2019-12-20T09:00", "--key", key("m1"), "--json"
        )
    )
    failed(
        awards("vote", "S1", "--yes", "P1", "--key", key("m1")),
        1,
        "vote rejected: signer 'm1' already voted in session S1",
    )
    ok(
        awards(
            "vote",
            "S1",
            "--yes",
            "P1",
            "--no",
            "P2",
            "--at",
            "2019-12-20T09:00",
            "--key",
            key("m2"),
            "--json",
        )
    )
    closed = awards("session", "close", "S1", "--at", "2019-12-20T10:00", "--key", key("ch"))
    assert closed.exit_code == 0 and closed.stdout.startswith("session S1 closed: recorded event")
    (tmp_path / "recipients.txt").write_text("P1\n\nP2\n", encoding="utf-8")

    def decide_s1() -> object:
        return awards(
            "decide", "1/QĐ-VP", "--movement", MOVEMENT, "--award", "advanced_worker",
            "--recipients-file", tmp_path / "recipients.txt", "--basis", "S1",
            "--date", "2019-12-28", "--key", key("auth"),
        )  # fmt: skip

    # the session's dossier holds only the submission: the decision is refused (rule dossier)
    (tmp_path / "to-trinh.txt").write_text("Tờ trình S1\n", encoding="utf-8")
    ok(awards("document", "add", tmp_path / "to-trinh.txt", "--kind", "to_trinh_mau_01",
              "--for", "S1", "--key", key("sec"), "--json"))  # fmt: skip
    failed(
        decide_s1(),
        1,
        "decision 1/QĐ-VP rejected: the dossier of S1 for advanced_worker lacks "
        "bao_cao_mau_05, minutes (regime 2003: ",
    )
    for name, kind in (("bao-cao.txt", "bao_cao_mau_05"), ("bien-ban.txt", "minutes")):
        (tmp_path / name).write_text(f"{kind} S1\n", encoding="utf-8")
        ok(awards("document", "add", tmp_path / name, "--kind", kind, "--for", "S1",
                  "--key", key("sec"), "--json"))  # fmt: skip
    decided = decide_s1()
    assert decided.exit_code == 0, decided.stderr
    assert decided.stdout.startswith(
        "decision 1/QĐ-VP: advanced_worker to 2 recipients: recorded events"
    )
    again = awards(
        "decide",
        "2/QĐ-VP",
        "--movement",
        MOVEMENT,
        "--award",
        "advanced_worker",
        "--recipient",
        "P1",
        "--basis",
        "S1",
        "--date",
        "2019-12-29",
        "--key",
        key("auth"),
    )
    failed(
        again,
        1,
        "decision 2/QĐ-VP rejected: recipient 'P1' already holds advanced_worker for "
        "2019 by decision 1/QĐ-VP; give --override one_award=REASON to record it knowingly "
        "(rule one_award)",
    )
    data = ok(
        awards(
            "annul",
            "1/QĐ-VP",
            "--recipient",
            "P2",
            "--ground",
            "standard_not_met",
            "--reason",
            "Không đạt tiêu chuẩn",
            "--at",
            "2020-02-01",
            "--key",
            key("auth"),
            "--json",
        )
    )
    assert data["flagged"] == [] and len(data["seqs"]) == 3  # type: ignore[arg-type]


@SQLITE_ONLY
def test_secret_ballot_through_the_cli(world: World, awards: Cli) -> None:
    def key(name: str) -> str:
        return str(world.key_file(name))

    ok(
        awards(
            "session",
            "open",
            "S2",
            "--movement",
            MOVEMENT,
            "--title",
            "emulation_flag",
            "--nominee",
            "U1",
            "--member",
            "ch",
            "--member",
            "m1",
            "--member",
            "m2",
            "--mode",
            "secret",
            "--key",
            key("ch"),
            "--json",
        )
    )
    failed(
        awards("vote", "S2", "--yes", "U1", "--key", key("m2")),
        1,
        "is in secret mode; use 'ballot cast'",
    )
    for member in ("ch", "m1", "m2"):
        ok(awards("ballot", "cast", "S2", "--key", key(member), "--json"))
    failed(
        awards("ballot", "tally", "S2", "--result", "U1=3", "--key", key("kp")),
        2,
        "tally result 'U1=3' is not valid: use NOMINEE=YES:NO",
    )
    failed(
        awards("ballot", "tally", "S2", "--result", "U1=3:1", "--key", key("kp")),
        1,
        "nominee 'U1' has 3 yes + 1 no, but 3 ballots were cast",
    )
    tally = awards("ballot", "tally", "S2", "--result", "U1=3:0", "--key", key("kp"))
    assert tally.exit_code == 0 and tally.stdout.startswith("tally of S2 certified")
    ok(awards("session", "close", "S2", "--key", key("ch"), "--json"))


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            [
                "session",
                "open",
                "S3",
                "--movement",
                MOVEMENT,
                "--title",
                "advanced_worker",
                "--nominee",
                "P1",
                "--member",
                "ch",
                "--quorum",
                "lots",
                "--key",
                "ch",
            ],
            2,
            "--quorum 'lots' is not valid",
        ),
        (
            [
                "session",
                "open",
                "S3",
                "--movement",
                MOVEMENT,
                "--title",
                "advanced_worker",
                "--nominee",
                "P1",
                "--member",
                "sc",
                "--key",
                "ch",
            ],
            1,
            "session open rejected: member 'sc' holds no council role",
        ),
        (
            [
                "decide",
                "3/QĐ",
                "--movement",
                MOVEMENT,
                "--award",
                "certificate_of_merit",
                "--key",
                "auth",
            ],
            2,
            "decide: give --recipient P... or --recipients-file F (one of them)",
        ),
        (
            [
                "decide",
                "3/QĐ",
                "--movement",
                MOVEMENT,
                "--award",
                "advanced_worker",
                "--recipient",
                "P1",
                "--key",
                "auth2",
            ],
            1,
            "authority 'auth2' may not decide advanced_worker (competence: "
            "certificate_of_merit); advanced_worker is a title and needs a basis session (rules "
            "competence, review); to record it knowingly give one reason per rule: --override "
            "competence=REASON --override review=REASON",
        ),
        (
            [
                "decide",
                "3/QĐ",
                "--movement",
                MOVEMENT,
                "--award",
                "certificate_of_merit",
                "--recipients-file",
                "nowhere.txt",
                "--key",
                "auth",
            ],
            3,
            "recipients file 'nowhere.txt': cannot read",
        ),
        (
            [
                "annul",
                "9/QĐ",
                "--recipient",
                "P1",
                "--ground",
                "false_declaration",
                "--reason",
                "x",
                "--key",
                "auth",
            ],
            1,
            "annulment in decision 9/QĐ rejected: decision '9/QĐ' not found",
        ),
        (
            [
                "annul",
                "9/QĐ",
                "--recipient",
                "P1",
                "--ground",
                "false_declaration",
                "--key",
                "auth",
            ],
            2,
            "missing option '--reason'",
        ),
    ],
    ids=[
        "bad-quorum",
        "roster",
        "no-recipients",
        "competence",
        "recipients-file",
        "annul-unknown",
        "annul-usage",
    ],
)
def test_review_command_refused(
    world: World, awards: Cli, raw: RawRows, args: list[str], code: int, message: str
) -> None:
    argv = [
        str(world.key_file(a)) if i and args[i - 1] == "--key" else a for i, a in enumerate(args)
    ]
    before = raw.snapshot()
    result = awards(*argv)
    if code == 2 and message.startswith("Missing"):
        assert result.exit_code == 2 and message in result.stderr
    else:
        failed(result, code, message)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_decide_with_override_prints_what_was_overridden(world: World, awards: Cli) -> None:
    result = awards(
        "decide",
        "5/QĐ",
        "--movement",
        MOVEMENT,
        "--award",
        "advanced_worker",
        "--recipient",
        "P3",
        "--override-reason",
        "Quyết định đặc cách",
        "--date",
        "2019-12-30",
        "--key",
        world.key_file("auth"),
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "  overridden rule review: advanced_worker is a title and needs a basis session"
        in result.stdout
    )
    data = ok(
        awards(
            "decide",
            "6/QĐ",
            "--movement",
            MOVEMENT,
            "--award",
            "certificate_of_merit",
            "--recipient",
            "U1",
            "--key",
            world.key_file("auth"),
            "--json",
        )
    )
    assert data["overridden"] == []
