"""The report's CSV files open in Excel with Vietnamese intact: each starts with a UTF-8 byte
order mark (Excel otherwise reads the machine's legacy code page), then the header row."""

from __future__ import annotations

from pathlib import Path

from projections.report import movement_report
from projections.report.render_csv import write_csv
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario


def test_report_csv_files_start_with_a_bom(sqlite_scenario: Scenario, tmp_path: Path) -> None:
    report = movement_report(sqlite_scenario.app, MOVEMENT)
    written = write_csv(report, tmp_path / "csv")

    tables = [p for p in written if p.suffix == ".csv"]
    assert len(tables) == 14
    for path in tables:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), path.name
        assert data[3:4] != b"\xef"  # one mark, not two
    criteria = (tmp_path / "csv" / "criteria.csv").read_bytes().decode("utf-8-sig")
    assert criteria.startswith("id,name,max_points,weight\r\n")
    assert "Hoàn thành nhiệm vụ" in criteria
    assert not (tmp_path / "csv" / "checkpoint.txt").read_bytes().startswith(b"\xef\xbb\xbf")
