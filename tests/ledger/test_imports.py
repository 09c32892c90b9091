"""CSV imports: good files on both backends, every bad-row kind with its line number, nothing
recorded, Vietnamese text as is, and the existence checks by scan and by lookup."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from domain.actor import VIETNAM_TZ
from domain.errors import (
    AlreadyExistsError,
    ConflictOfInterestError,
    MalformedInputError,
    NotFoundError,
    ScoreOutOfRangeError,
    UsageError,
)
from domain.participation import Participation
from domain.registry import Person, Unit
from ledger.application import LedgerApp
from ledger.usecases import imports
from ledger.usecases.csv_rows import HEADERS as COLUMNS
from ledger.usecases.csv_rows import LATER_COLUMNS, ImportRuleViolationError
from ledger.usecases.imports import ImportResult, import_csv
from tests.conftest import Keys, RawRows
from tests.world import BACKENDS, MOVEMENT, World, build_world, refused, shared_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
# the headers without the later columns: files written before them still import
HEADERS = {
    kind: ",".join(c for c in columns if c not in LATER_COLUMNS.get(kind, []))
    for kind, columns in COLUMNS.items()
}


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


@pytest.fixture(scope="module", params=BACKENDS)
def frozen(
    request: pytest.FixtureRequest, session_keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per backend for the refusal cases (they record nothing)."""
    with shared_world(request.param, session_keys, tmp_path_factory) as w:
        yield w


FROZEN_SQLITE = pytest.mark.parametrize("frozen", ["sqlite"], indirect=True)


@pytest.fixture(params=["lookup", "scan"])
def existence(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Check existing ids per row (small files) or by one scan (large files)."""
    monkeypatch.setattr(imports, "SCAN_AT", 10**9 if request.param == "lookup" else 1)
    return str(request.param)


def run(
    world: World,
    kind: str,
    text: str | bytes,
    signer: str = "sec",
    movement: str | None = None,
    source: str | None = None,
) -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(
        world.app,
        world.key(signer),
        kind,
        data,
        source=source or f"{kind}.csv",
        movement_id=movement,
    )


# -- good files ----------------------------------------------------------------------------------


def test_import_units_in_one_write_with_parents_from_earlier_rows(
    world: World, raw: RawRows
) -> None:
    before = raw.count()
    text = (
        f"{HEADERS['units']}\nVPTW,Văn phòng Trung ương Đảng,agency,\n"
        'VPTW-V1,Vụ Tổng hợp,department,VPTW\n\nVPTW-P1,"Phòng 1, Vụ Tổng hợp",division,VPTW-V1\n'
        "VPTW-P2,Phòng 2,division,U1\n"
    )
    result = run(world, "units", text)
    assert result.rows == 4 and result.receipt.seqs == list(range(before, before + 4))
    unit = world.app.load(Unit, Unit.id_for("VPTW-P1"), "unit")
    assert (unit.name, unit.level, unit.parent) == ("Phòng 1, Vụ Tổng hợp", "division", "VPTW-V1")


def test_import_people_keeps_vietnamese_text_as_is(world: World, existence: str) -> None:
    composed = "Nguyễn Thị Ánh Tuyết"
    decomposed = unicodedata.normalize("NFD", "Đặng Văn Hưởng")
    text = (
        f"\ufeff{HEADERS['people']}\r\nP4,{composed},U1,civil_servant,true\r\n"
        f"P5,{decomposed},U2,,FALSE\r\nP6,Hồ Thị Kim Oanh,U2,contract_worker,false\r\n"
    )
    assert run(world, "people", text).rows == 3
    p4 = world.app.load(Person, Person.id_for("P4"), "person")
    p5 = world.app.load(Person, Person.id_for("P5"), "person")
    assert (p4.name, p4.unit, p4.category, p4.direct_worker) == (
        composed,
        "U1",
        "civil_servant",
        True,
    )
    assert (p5.name, p5.category, p5.direct_worker) == (decomposed, None, False)


def test_import_registrations(world: World, existence: str) -> None:
    text = (
        f"{HEADERS['registrations']}\nP3,advanced_worker; emulation_fighter_base,2019-02-18T23:00\n"
        "U2,advanced_collective,2019-02-10\n"
    )
    run(world, "registrations", text, movement=MOVEMENT)
    p3 = world.app.load(Participation, Participation.id_for(MOVEMENT, "P3"), "registration")
    assert (p3.titles, p3.late) == (["advanced_worker", "emulation_fighter_base"], False)
    # read as Vietnam's local time, stored in UTC (docs/FORMAT.md §5)
    assert p3.registered_at.utcoffset() is not None
    assert p3.registered_at.astimezone(VIETNAM_TZ).hour == 23
    u2 = world.app.load(Participation, Participation.id_for(MOVEMENT, "U2"), "registration")
    assert u2.participant_kind == "unit"


def test_import_scores_signed_by_the_scorer(world: World) -> None:
    text = f"{HEADERS['scores']}\nP1,c1,8.5,appraisal\nP1,c2,4,appraisal\nP2,c1,10,self\n"
    assert run(world, "scores", text, signer="sc", movement=MOVEMENT).rows == 3
    p1 = world.app.load(Participation, Participation.id_for(MOVEMENT, "P1"), "registration")
    assert [(s.criterion, s.points, s.kind, s.scorer) for s in p1.scores] == [
        ("c1", 8.5, "appraisal", "sc"),
        ("c2", 4.0, "appraisal", "sc"),
    ]


def test_import_reports_progress(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    rows = "".join(f"Q{i},Người {i},U1,,false\n" for i in range(5))
    import_csv(
        world.app,
        world.key("sec"),
        "people",
        f"{HEADERS['people']}\n{rows}".encode(),
        source="people.csv",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]  # rows built so far, of the file's rows


# -- malformed files: exit 3, naming the line ----------------------------------------------------


@FROZEN_SQLITE
@pytest.mark.parametrize(
    ("kind", "data", "match"),
    [
        (
            "units",
            b"id,name,level,parent\nA,x,division,\nB,\xff\xfe,division,\n",
            r"units.csv line 3: not valid UTF-8 \(byte 0xff\)",
        ),
        (
            "units",
            "id,name,level,parent\nA,x,division,\n".encode("utf-16"),
            "units.csv line 1: not valid UTF-8",
        ),
        (
            "units",
            "id,name,level,parent\nA,x,division,\n".encode("utf-16-le"),
            r"units.csv line 1: control character U\+0000",
        ),
        ("units", b"", "units.csv is empty: expected the header id,name,level,parent"),
        (
            "units",
            b"id,name,level\nA,x,division\n",
            "units.csv line 1: header must be id,name,level,parent",
        ),
        ("units", b"id,name,level,parent\n\n", "units.csv has no rows after the header"),
        (
            "units",
            b"id,name,level,parent\nA,x,division,\nB,y,division\n",
            "units.csv line 3: expected 4 columns",
        ),
        (
            "units",
            b'id,name,level,parent\nA,x,division,\n"B,y,division,\n',
            "units.csv line 3: unexpected end",
        ),
        (
            "units",
            b"id,name,level,parent\n"
            + b"".join(b"U%d,x,division,\n" % i for i in range(5, 10))
            + b"U10,Ten,,\n",
            "units.csv line 7: level '' is empty",
        ),
        (
            "units",
            b"id,name,level,parent\na b,x,division,\n",
            "units.csv line 2: unit id 'a b' is not valid",
        ),
        (
            "units",
            b"id,name,level,parent\nA,x,Division,\n",
            "units.csv line 2: unit level 'Division' is not valid",
        ),
        (
            "people",
            b"id,name,unit,category,direct_worker\nP9,X,U1,,yes\n",
            "people.csv line 2: direct_worker 'yes' is not true or false",
        ),
        (
            "people",
            b"id,name,unit,category,direct_worker\nP9,X,U1,boss,false\n",
            "people.csv line 2: person 'P9': unknown category 'boss'",
        ),
        (
            "people",
            b"id,name,unit,category,direct_worker\nP9,,U1,,false\n",
            "people.csv line 2: name '' is empty",
        ),
        (
            "registrations",
            b"participant,titles,at\nP3,advanced_worker,yesterday\n",
            "registrations.csv line 2: at 'yesterday' is not an ISO 8601 date or datetime",
        ),
        (
            "scores",
            b"participant,criterion,points,kind\nP1,c1,abc,appraisal\n",
            "scores.csv line 2: points 'abc' is not a number",
        ),
        (
            "scores",
            b"participant,criterion,points,kind\nP1,c1,nan,appraisal\n",
            "scores.csv line 2: points 'nan' is not finite",
        ),
        (
            "scores",
            b"participant,criterion,points,kind\nP1,c1,5,peer\n",
            "scores.csv line 2: score rejected: participant 'P1': kind 'peer' is not one of self",
        ),
        (
            "scores",
            b"participant,criterion,points,kind\nP1,c1,5,appraisal\nP1,c1,6,appraisal\n",
            "scores.csv line 3: .* a correction needs a reason",
        ),
    ],
    ids=[
        "bad-utf8",
        "utf16-bom",
        "utf16-no-bom",
        "empty",
        "header",
        "header-only",
        "columns",
        "open-quote",
        "empty-cell",
        "bad-id",
        "bad-level",
        "bad-flag",
        "bad-category",
        "no-name",
        "bad-time",
        "bad-number",
        "nan",
        "bad-kind",
        "correction",
    ],
)
def test_malformed_file_rejected_with_its_line(
    frozen: World, kind: str, data: bytes, match: str
) -> None:
    movement = MOVEMENT if kind in imports.NEEDS_MOVEMENT else None
    signer = "sc" if kind == "scores" else "sec"
    refused(
        frozen.raw, MalformedInputError, match, lambda: run(frozen, kind, data, signer, movement)
    )


# -- rows refused by a domain rule: exit 1, naming the line --------------------------------------


@pytest.mark.parametrize(
    ("kind", "rows", "signer", "error", "match"),
    [
        (
            "units",
            "A,x,division,\nA,y,division,\n",
            "sec",
            AlreadyExistsError,
            "units.csv line 3: unit 'A' already exists",
        ),
        (
            "units",
            "A,x,division,\nU1,y,division,\n",
            "sec",
            AlreadyExistsError,
            "units.csv line 3: unit 'U1' already exists",
        ),
        (
            "units",
            "A,x,division,LATER\nLATER,y,department,\n",
            "sec",
            NotFoundError,
            "units.csv line 2: parent unit 'LATER' not found",
        ),
        (
            "people",
            "P9,X,U1,,false\nP1,Y,U1,,false\n",
            "sec",
            AlreadyExistsError,
            "people.csv line 3: person 'P1' already exists",
        ),
        (
            "people",
            "P9,X,U9,,false\n",
            "sec",
            NotFoundError,
            "people.csv line 2: unit 'U9' not found",
        ),
        (
            "registrations",
            "NOPE,advanced_worker,2019-02-01\n",
            "sec",
            NotFoundError,
            "registrations.csv line 2: participant 'NOPE' not found",
        ),
        (
            "registrations",
            "P3,advanced_worker,2019-02-01\nP1,advanced_worker,2019-02-01\n",
            "sec",
            AlreadyExistsError,
            "line 3: participant 'P1' is already registered in movement TD-2019",
        ),
        (
            "registrations",
            "P3,advanced_worker,2019-02-20\n",
            "sec",
            ImportRuleViolationError,
            "line 2: registration rejected: participant 'P3' registered 2019-02-20 after",
        ),
        (
            "scores",
            "P1,c1,5,appraisal\nP3,c1,5,appraisal\n",
            "sc",
            NotFoundError,
            "scores.csv line 3: score rejected: participant 'P3' is not registered in movement",
        ),
        (
            "scores",
            "U1,c1,5,appraisal\n",
            "sc1",
            ConflictOfInterestError,
            "scores.csv line 2: .* scorer 'sc1' may not appraise itself or its own unit",
        ),
        (
            "scores",
            "P1,c2,6,appraisal\n",
            "sc",
            ScoreOutOfRangeError,
            r"scores.csv line 2: .* points 6 for criterion 'c2' outside 0..5",
        ),
    ],
    ids=[
        "repeat",
        "exists",
        "later-parent",
        "person-exists",
        "unknown-unit",
        "unknown-participant",
        "registered",
        "late",
        "unregistered",
        "own-unit",
        "out-of-range",
    ],
)
def test_row_refused_by_rule_names_its_line(
    frozen: World,
    existence: str,
    kind: str,
    rows: str,
    signer: str,
    error: type[Exception],
    match: str,
) -> None:
    movement = MOVEMENT if kind in imports.NEEDS_MOVEMENT else None
    text = f"{HEADERS[kind]}\n{rows}"
    refused(frozen.raw, error, match, lambda: run(frozen, kind, text, signer, movement))


def test_late_row_error_advises_the_single_command(world: World) -> None:
    with pytest.raises(ImportRuleViolationError) as info:
        run(
            world,
            "registrations",
            f"{HEADERS['registrations']}\nP3,advanced_worker,2019-03-01\n",
            movement=MOVEMENT,
        )
    assert info.value.rule == "deadline"
    assert "--override-reason" in info.value.diagnostics()


@FROZEN_SQLITE
@pytest.mark.parametrize(
    ("kind", "movement", "error", "match"),
    [
        ("registrations", None, UsageError, "import registrations: give --movement"),
        ("units", MOVEMENT, UsageError, "--movement applies only to registrations and scores"),
        ("awards", None, UsageError, "kind 'awards' is not one of units, people"),
        ("scores", "TD-X", NotFoundError, "import scores.csv rejected: movement 'TD-X' not found"),
    ],
    ids=["no-movement", "stray-movement", "unknown-kind", "unknown-movement"],
)
def test_import_usage_rejected(
    frozen: World, kind: str, movement: str | None, error: type[Exception], match: str
) -> None:
    header = HEADERS.get(kind, "a,b")
    refused(
        frozen.raw, error, match, lambda: run(frozen, kind, f"{header}\nx,y,z,w\n", "sc", movement)
    )
