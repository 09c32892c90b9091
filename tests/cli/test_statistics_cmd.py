"""`awards statistics YEAR`: every output format parsed back (JSON, CSV with its BOM, the Excel
workbook through openpyxl, the HTML page), and each bad input one `error:` line with exit 2.

The world is tests/world.py's with `statistics_awards`: in 2019, the Certificate of Merit row
of form 0603 has 2 collectives and 5 persons (2 direct workers; leaders: 1 agency, 0
department, 2 division) with 1 annulled award; form 0602 has a Labour Order 3rd class to U1.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import load_workbook

from ledger.usecases import registry
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.world import World, shared_world, statistics_awards

MERIT_2019 = {
    "collectives": 2,
    "persons": 5,
    "direct_workers": 2,
    "leaders_agency": 1,
    "leaders_department": 0,
    "leaders_division": 2,
    "annulled": 1,
}
HEADER = ["row", "label", *MERIT_2019]


@pytest.fixture(scope="module")
def world(session_keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with shared_world("sqlite", session_keys, tmp_path_factory, statistics_awards) as made:
        yield made


@pytest.fixture
def awards(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    runner = Cli(world.app.location.url, monkeypatch)
    yield runner
    runner.close()


def _ok(result: Result) -> None:
    assert result.exit_code == 0, result.stderr


def test_statistics_json(awards: Cli) -> None:
    result = awards("statistics", "2019")
    _ok(result)
    doc = json.loads(result.stdout)
    assert doc["year"] == 2019
    assert [f["code"] for f in doc["forms"]] == [
        "0601.N/BNV-TĐKT", "0602.N/BNV-TĐKT", "0603.N/BNV-TĐKT",
    ]  # fmt: skip
    rows = {r["key"]: r for r in doc["forms"][2]["rows"]}
    assert rows["certificate_of_merit"]["values"] == MERIT_2019
    assert rows["certificate_of_merit"]["vi"] == "Bằng khen của bộ, ban, ngành, tỉnh"
    sources = {c["key"]: c["source"] for c in doc["forms"][2]["columns"]}
    assert sources["direct_workers"] == sources["leaders_division"] == "form"
    assert sources["annulled"] == "ours"
    assert doc["checkpoint"]["origin"] and doc["as_of"]["seq"] > 0


def test_statistics_csv_folder_one_file_per_form(awards: Cli, tmp_path: Path) -> None:
    out = tmp_path / "stats"
    result = awards("statistics", "2019", "--format", "csv", "--out", out)
    _ok(result)
    assert result.stdout == f"statistics 2019: 3 files in {out}\n"
    assert sorted(p.name for p in out.iterdir()) == ["0601.csv", "0602.csv", "0603.csv"]
    data = (out / "0603.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads Vietnamese intact
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    merit = next(r for r in rows if r[0] == "certificate_of_merit")
    assert merit[1] == "Bằng khen của bộ, ban, ngành, tỉnh"
    assert [int(v) for v in merit[2:]] == list(MERIT_2019.values())
    assert rows[-1][:2] == ["total", "Tổng số"]


def test_statistics_csv_of_one_form_to_stdout_in_english(awards: Cli) -> None:
    result = awards("statistics", "2019", "--form", "0602", "--format", "csv", "--lang", "en")
    _ok(result)
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    order = next(r for r in rows if r[0] == "order_labour_3")
    assert order[1] == "Labour Order, third class"
    assert int(order[2]) == 1  # one collective


def test_statistics_xlsx_reads_back_with_openpyxl(awards: Cli, tmp_path: Path) -> None:
    out = tmp_path / "thong-ke-2019.xlsx"
    result = awards("statistics", "2019", "--format", "xlsx", "--out", out)
    _ok(result)
    assert result.stdout.startswith(f"statistics 2019: {out} (")
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["0601", "0602", "0603"]
    sheet = [list(r) for r in book["0603"].iter_rows(values_only=True)]
    assert str(sheet[0][0]).startswith("0603.N/BNV-TĐKT — ")
    header_at = next(i for i, r in enumerate(sheet) if r[0] == "Chỉ tiêu")
    assert sheet[header_at][3] == "Trong đó: người trực tiếp lao động, công tác"
    merit = next(r for r in sheet if r[0] == "Bằng khen của bộ, ban, ngành, tỉnh")
    assert merit[1:] == list(MERIT_2019.values())
    assert sheet[-1][0] == "Tổng số"


class _Cells(HTMLParser):
    """The text of every table cell, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.lang = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_statistics_html_page(awards: Cli, tmp_path: Path) -> None:
    out = tmp_path / "stats.en.html"
    _ok(awards("statistics", "2019", "--format", "html", "--lang", "en", "--out", out))
    page = _Cells()
    page.feed(out.read_text(encoding="utf-8"))
    assert page.lang == "en"
    label = "Certificate of merit (ministry, sector, province)"
    merit = next(r for r in page.rows if r and r[0] == label)
    assert [int(v) for v in merit[1:]] == list(MERIT_2019.values())
    assert "<script" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["20x9"], "invalid value for 'YEAR': '20x9' is not a valid integer"),
        (["1900"], "1900 is not in the range 1945<=x<=9999"),
        (["2019", "--form", "0604"], "'0604' is not one of '0601', '0602', '0603'"),
        (["2019", "--format", "pdf"], "'pdf' is not one of 'json', 'csv', 'xlsx', 'html'"),
        (["2019", "--format", "xlsx"], "give --out FILE.xlsx"),
        (["2019", "--format", "csv"], "writes one file per form: give --out FOLDER"),
    ],
)
def test_statistics_bad_input_is_one_error_line(
    awards: Cli, world: World, args: list[str], fragment: str
) -> None:
    raw = RawRows(world.app.location.url)
    before = raw.snapshot()
    result = awards("statistics", *args)
    assert result.exit_code == 2
    assert fragment in one_error_line(result)
    assert result.stdout == ""
    assert raw.snapshot() == before


def test_statistics_does_not_replace_a_file_without_force(awards: Cli, tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    out.write_text("keep", encoding="utf-8")
    result = awards("statistics", "2019", "--out", out)
    assert result.exit_code == 2
    assert "already exists" in one_error_line(result)
    assert out.read_text(encoding="utf-8") == "keep"
    _ok(awards("statistics", "2019", "--out", out, "--force"))
    assert json.loads(out.read_text(encoding="utf-8"))["year"] == 2019


def test_publish_writes_each_years_statistics_once(
    awards: Cli, world: World, tmp_path: Path
) -> None:
    # given a checkpoint over the world; when it is published twice
    registry.sign_new_checkpoint(world.app, world.key("op"))
    out = tmp_path / "pub"
    first = json.loads(_stdout(awards("publish", out, "--json")))
    again = json.loads(_stdout(awards("publish", out, "--json")))
    # then the statistics of 2019 (movement and decisions) and 2020 (a decision) are there,
    # linked from the index, and the second run rewrote nothing (the workbook's bytes too)
    assert first["statistics_years"] == [2019, 2020]
    assert again["files_written"] == 0
    year = out / "statistics" / "2019"
    assert sorted(p.name for p in year.iterdir()) == [
        "0601.csv", "0602.csv", "0603.csv", "statistics.en.html", "statistics.json",
        "statistics.vi.html", "statistics.xlsx",
    ]  # fmt: skip
    doc = json.loads((year / "statistics.json").read_text(encoding="utf-8"))
    merit = next(r for r in doc["forms"][2]["rows"] if r["key"] == "certificate_of_merit")
    assert merit["values"] == MERIT_2019
    assert doc["checkpoint"]["covers_report"] is True
    assert load_workbook(year / "statistics.xlsx").sheetnames == ["0601", "0602", "0603"]
    assert 'href="statistics/2020/statistics.vi.html"' in (out / "index.html").read_text()


def _stdout(result: Result) -> str:
    _ok(result)
    return result.stdout


def test_statistics_refuses_to_write_through_a_symlinked_folder(
    awards: Cli, tmp_path: Path
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    result = awards("statistics", "2019", "--format", "csv", "--out", tmp_path / "link")
    assert result.exit_code == 2
    assert "is a symbolic link" in one_error_line(result)
    assert list(real.iterdir()) == []


def test_statistics_travel_in_time(awards: Cli) -> None:
    # before the 2019 decisions were recorded (the world's first writes), nothing was awarded
    first = json.loads(_stdout(awards("list", "decisions", "--json")))[0]["seq"]
    doc = json.loads(_stdout(awards("statistics", "2019", "--at-seq", str(first))))
    assert doc["as_of"] == {**doc["as_of"], "seq": first, "clock": "seq"}
    assert all(v == 0 for v in doc["forms"][2]["total"]["values"].values())
    # as of the end of 2019 the annulment of 5 January 2020 had not happened yet; the people
    # were recorded (with no --at) only when the test ran, so as of 2019 the ledger knows
    # neither who works directly nor who leads: the decision still counts 6 persons
    doc = json.loads(_stdout(awards("statistics", "2019", "--as-of", "2019-12-31")))
    merit = next(r for r in doc["forms"][2]["rows"] if r["key"] == "certificate_of_merit")
    unknown = dict.fromkeys(["direct_workers", "leaders_agency", "leaders_department"], 0)
    assert merit["values"] == {
        **MERIT_2019, **unknown, "leaders_division": 0, "persons": 6, "annulled": 0
    }
