"""The ledger of the report's proposal path tests (tests/projections/test_report_paths.py and
the browser test): tests/proposal_world.py's world with one proposal part way up its path, put
to public comment, with one objection — see `path_ledger`."""

from __future__ import annotations

from pathlib import Path

from ledger.application import LedgerApp
from ledger.usecases import documents, proposals
from projections.report import movement_report
from projections.report.model import Report
from projections.stream import Cut
from tests.conftest import Keys
from tests.proposal_world import AWARD, M, path_world
from tests.world import World, at


def path_ledger(app: LedgerApp, keys: Keys, key_dir: Path) -> World:
    """TT-1 (P7, P8) proposed by VU on Monday 2 February 2026 to the ministry BO, which
    returns it on the 12th (8 working days: over the 5-day limit), resubmitted on the 13th,
    endorsed to the Central Board BAN on the 24th (after Tết, 16-20 February); BAN opens the
    public comment on the 25th for 5 working days; a letter about P8 comes on the 26th."""
    w = path_world(app, keys, key_dir)
    k = w.keys
    dossier = [
        documents.add(
            app, k["sec-vu"], f"{kind} TT-1".encode(), name=f"{kind}.pdf", kind=kind,
            subject="TT-1", at=at("2026-02-02", 8),
        )[1]
        for kind in ("to_trinh_mau_01", "bao_cao_mau_05", "minutes")  # rule dossier's
    ]  # fmt: skip
    proposals.make_proposal(
        app, k["sec-vu"], "TT-1", movement_id=M, award=AWARD, nominees=["P7", "P8"], to="BO",
        documents=dossier, at=at("2026-02-02"),
    )  # fmt: skip
    proposals.return_proposal(
        app, k["sec-bo"], "TT-1", reason="Thiếu báo cáo thành tích", at=at("2026-02-12")
    )
    proposals.resubmit(app, k["sec-vu"], "TT-1", at=at("2026-02-13"))
    proposals.endorse(app, k["sec-bo"], "TT-1", to="BAN", at=at("2026-02-24"))
    proposals.open_comment(app, k["sec-ban"], "TT-1", days=5, at=at("2026-02-25"))
    proposals.add_objection(
        app, k["sec-ban"], "TT-1", b"thu phan anh", name="thu.txt", about="P8",
        channel="letter", at=at("2026-02-26"),
    )  # fmt: skip
    return w


def report_on(world: World, day: str) -> Report:
    """When: the movement's report as the ledger stood at the end of `day`."""
    return movement_report(world.app, M, Cut(effective=at(day, 23)))
