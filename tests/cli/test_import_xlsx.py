"""`awards import KIND FILE.xlsx`: offices' Excel sheets, written here by openpyxl, imported
like CSV files — all rows or none, errors naming the row number Excel shows — and a CSV saved
by Excel with its byte order mark."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from domain.participation import Participation
from domain.registry import Person, Unit
from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import MOVEMENT, World, build_world

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return build_world(apps(ledger_url), keys, tmp_path / "world-keys")


def sheet(path: Path, rows: list[list[Any]], title: str = "Danh sách") -> Path:
    """An .xlsx workbook whose first sheet holds `rows` (row 1 first), as Excel would save it."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_import_xlsx_of_every_kind(world: World, awards: Cli, tmp_path: Path) -> None:
    sec, sc = world.key_file("sec"), world.key_file("sc")
    units = sheet(tmp_path / "units.xlsx", [
        ["id", "name", "level", "parent"],
        ["VPQH", "Văn phòng Quốc hội", "agency", None],
        [],  # a blank row between is skipped, as in CSV
        ["VPQH-TH", "Vụ Tổng hợp", "department", "VPQH"],
    ])  # fmt: skip
    people = sheet(tmp_path / "people.xlsx", [
        ["id", "name", "unit", "category", "direct_worker"],
        ["VP-1", "Đỗ Thị Ngọc Ánh", "VPQH-TH", "cadre", True],  # Excel's TRUE
        ["VP-2", "Lê Văn Bình", "VPQH-TH", None, "false"],
    ])  # fmt: skip
    registrations = sheet(tmp_path / "registrations.xlsx", [
        ["participant", "titles", "at"],
        ["VP-1", "advanced_worker;emulation_fighter_base", datetime(2019, 2, 10, 9, 0)],
        ["P3", "advanced_worker", "2019-02-11"],
    ])  # fmt: skip
    scores = sheet(tmp_path / "scores.xlsx", [
        ["participant", "criterion", "points", "kind"],
        ["VP-1", "c1", 9.5, "appraisal"],
        ["VP-1", "c2", 4, "appraisal"],  # an integer cell
    ])  # fmt: skip

    for kind, path, key, extra in [
        ("units", units, sec, []),
        ("people", people, sec, []),
        ("registrations", registrations, sec, ["--movement", MOVEMENT]),
        ("scores", scores, sc, ["--movement", MOVEMENT]),
    ]:
        result = awards("import", kind, path, *extra, "--key", key)
        assert result.exit_code == 0, (kind, result.stderr)
        assert result.stdout.startswith(f"import {path.name}: ")

    app = world.app
    assert app.load(Unit, Unit.id_for("VPQH-TH"), "unit").name == "Vụ Tổng hợp"
    ngoc_anh = app.load(Person, Person.id_for("VP-1"), "person")
    assert (ngoc_anh.name, ngoc_anh.direct_worker) == ("Đỗ Thị Ngọc Ánh", True)
    assert app.load(Person, Person.id_for("VP-2"), "person").direct_worker is False
    part = app.load(Participation, Participation.id_for(MOVEMENT, "VP-1"), "registration")
    assert part.titles == ["advanced_worker", "emulation_fighter_base"]
    assert sorted((s.criterion, s.points) for s in part.scores) == [("c1", 9.5), ("c2", 4.0)]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("kind", "rows", "code", "message"),
    [
        (
            "units",
            [["id", "name", "level", "parent"], ["A", "Phòng A", "division", None], [],
             ["B", "Phòng B", None, None]],
            3,
            "error: bad.xlsx line 4: level '' is empty",
        ),
        (
            "people",
            [["id", "name", "unit", "category", "direct_worker"], ["P9", "Phạm Chín", "U1", None,
             "có"]],
            3,
            "error: bad.xlsx line 2: direct_worker 'có' is not true or false",
        ),
        (
            "units",
            [["id", "name", "level", "parent"], ["A", "Phòng\nA", "division", None]],
            3,
            "error: bad.xlsx line 2: control character",
        ),
        (
            "units",
            [["ma", "ten", "cap", "cha"], ["A", "Phòng A", "division", None]],
            3,
            "error: bad.xlsx line 1: header must be id,name,level,parent",
        ),
        (
            "people",
            [["id", "name", "unit", "category", "direct_worker"], ["P9", "Phạm Chín", "U9", None,
             False]],
            1,
            "error: bad.xlsx line 2: unit 'U9' not found",
        ),
    ],
    ids=["empty-cell", "flag", "newline", "header", "domain"],
)  # fmt: skip
def test_import_xlsx_bad_row_records_nothing(
    world: World,
    awards: Cli,
    raw: RawRows,
    tmp_path: Path,
    kind: str,
    rows: list[list[Any]],
    code: int,
    message: str,
) -> None:
    bad = sheet(tmp_path / "bad.xlsx", rows)
    before = raw.snapshot()
    result = awards("import", kind, bad, "--key", world.key_file("sec"))
    assert result.exit_code == code and result.stdout == ""
    assert one_error_line(result).startswith(message)
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_import_of_a_csv_renamed_xlsx_is_malformed(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    fake = tmp_path / "units.xlsx"
    fake.write_text("id,name,level,parent\nA,Phòng A,division,\n", encoding="utf-8")
    before = raw.snapshot()
    result = awards("import", "units", fake, "--key", world.key_file("sec"))
    assert result.exit_code == 3 and result.stdout == ""
    assert one_error_line(result).startswith("error: units.xlsx is not an Excel .xlsx workbook")
    assert raw.snapshot() == before


@SQLITE_ONLY
def test_import_csv_saved_by_excel_with_a_bom(world: World, awards: Cli, tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" puts a byte order mark first, and ends lines with CRLF."""
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffid,name,level,parent\r\nVPQH,Văn phòng Quốc hội,agency,\r\n".encode())
    result = awards("import", "units", path, "--key", world.key_file("sec"))
    assert result.exit_code == 0, result.stderr
    assert world.app.load(Unit, Unit.id_for("VPQH"), "unit").name == "Văn phòng Quốc hội"
