"""`awards checkpoint` then `awards report`, as an operator runs them: the report is made at
the checkpoint's size and says the checkpoint covers it; the page shows no warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import Cli
from tests.projections.builder import MOVEMENT
from tests.projections.conftest import Scenario, _template, sqlite_scenario

__all__ = ["_template", "sqlite_scenario"]  # fixtures used here


def test_report_right_after_awards_checkpoint_is_covered(
    sqlite_scenario: Scenario, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    awards = Cli(sqlite_scenario.url, monkeypatch)
    key = tmp_path / "op.key"
    key.write_bytes(
        sqlite_scenario.keys["op"].private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    size = sqlite_scenario.written.size

    signed = awards("checkpoint", "--key", key)
    assert signed.exit_code == 0, signed.stderr
    made = awards("report", MOVEMENT, "--format", "html", "--out", tmp_path / "r.html")

    assert made.exit_code == 0, made.stderr
    assert made.stdout == (
        f"report {MOVEMENT}: {tmp_path / 'r.html'} ({size} events; checkpoint of size {size} "
        "covers it)\n"
    )
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Điểm kiểm tra này cam kết toàn bộ các sự kiện của báo cáo." in page
    assert "báo cáo vượt quá điểm kiểm tra" not in page
