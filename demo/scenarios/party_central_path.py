"""Scenario (d): one Independence Order through the whole proposal path (Party Central Office,
2025).

The Office proposes the Independence Order, third class, for its Archives Department
(VPTW-V05) at its 2020-2025 emulation congress, with its dossier (the Form 01 submission, the
Form 05 achievement report and the council's minutes: real small files under demo/documents/,
copied to inputs/dossier/; tried first without the report, it is refused by rule `dossier`).
The Central Emulation and Commendation Board returns the file as incomplete — 7 working days
after it came in, over the 5-day limit, so that step shows as late — asking for the report
confirmed by the head of the Office; the Office resubmits with it. The Board puts the nominee
to public comment for 10 working days; a letter objecting arrives and is dismissed after
checking. The Board endorses the file to the Government Office, which endorses it to the
President, who decides on the proposal (`decide --proposal`) and sends the decision back to
the Office (`awards forward`). The working-day clocks run over
the 2 September holidays of 2025 (domain/regimes/workdays.toml).
"""

from __future__ import annotations

from datetime import date

from demo.scenarios.party_central import AGENCY, department
from demo.scenarios.stage import DOCUMENTS, Stage, at
from ledger.usecases import decisions, documents, proposals, workflow

MOVEMENT = "DH-VPTW-2020-2025"
PROPOSAL = "215-TTr/VPTW"
NOMINEE = department(5)  # Vụ Lưu trữ
AWARD = "order_independence_3"
DECISION = "1520/QĐ-CTN"
BOARD, GOVERNMENT_OFFICE = "BTDKT-TW", "VPCP"
PRESIDENT = "chu-tich-nuoc"  # enrolled by scenario (c), competent for the orders
# Days the demo's report shows the list open for public comment (`report --as-of`).
COMMENT_DAY = "2025-09-22"
LETTER = "vptw-2025-don-phan-anh.txt"  # the objection, as received


def dossier(stage: Stage, name: str) -> bytes:
    """A dossier file shipped under demo/documents/, copied to inputs/dossier/ as handed in."""
    data = (DOCUMENTS / name).read_bytes()
    folder = stage.inputs / "dossier"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    return data


def _record(stage: Stage, signer: str, name: str, kind: str, when: str) -> str:
    _, sha = documents.add(
        stage.app,
        stage.keys[signer],
        dossier(stage, name),
        name=name,
        kind=kind,
        subject=PROPOSAL,
        at=at(when),
    )
    return sha


def run(stage: Stage) -> str:
    """Run the scenario (after scenario (c): the Office's units and the President); return
    its movement id."""
    app = stage.app

    stage.load(
        "thu-ky-vptw",
        "units",
        "units-path.csv",
        "id,name,level,parent",
        [
            (BOARD, "Ban Thi đua – Khen thưởng Trung ương", "agency", ""),
            (GOVERNMENT_OFFICE, "Văn phòng Chính phủ", "agency", ""),
        ],
    )
    stage.enrol("thu-ky-vptw-hd", ["secretary"], unit=AGENCY)
    stage.enrol("thu-ky-ban-tdkt", ["secretary"], unit=BOARD)
    stage.enrol("thu-ky-vpcp", ["secretary"], unit=GOVERNMENT_OFFICE)
    workflow.launch_movement(
        app,
        stage.keys["thu-ky-vptw"],
        MOVEMENT,
        "Đại hội thi đua yêu nước Văn phòng Trung ương Đảng lần thứ VI (2020–2025)",
        start=date(2020, 7, 1),
        end=date(2025, 6, 30),
        deadline=date(2025, 3, 31),
        kind="thematic",
        theme="Tổng kết phong trào thi đua yêu nước giai đoạn 2020–2025",
        at=at("2025-01-06"),
    )
    office, board, gov = "thu-ky-vptw-hd", "thu-ky-ban-tdkt", "thu-ky-vpcp"
    form = _record(stage, office, "vptw-2025-to-trinh.txt", "to_trinh_mau_01", "2025-08-25T08:00")
    minutes = _record(stage, office, "vptw-2025-bien-ban.txt", "minutes", "2025-08-25T08:05")
    keys = stage.keys

    def propose(documents: list[str]) -> object:
        return proposals.make_proposal(
            app, keys[office], PROPOSAL, movement_id=MOVEMENT, award=AWARD, nominees=[NOMINEE],
            to=BOARD, documents=documents, at=at("2025-08-25T09:00"),
        )  # fmt: skip

    stage.refused("a proposal without its achievement report (Form 05)", lambda: propose([]))
    report = _record(stage, office, "vptw-2025-bao-cao.txt", "bao_cao_mau_05", "2025-08-25T08:30")
    propose([form, report, minutes])
    proposals.return_proposal(
        app, keys[board], PROPOSAL, at=at("2025-09-05T15:00"),
        reason="Hồ sơ chưa đầy đủ: Báo cáo thành tích (Mẫu số 05) chưa có xác nhận của Thủ "
        "trưởng cơ quan quản lý",
    )  # fmt: skip
    confirmed = _record(
        stage, office, "vptw-2025-bao-cao-xac-nhan.txt", "bao_cao_mau_05", "2025-09-12T08:00"
    )
    proposals.resubmit(
        app, keys[office], PROPOSAL, documents=[confirmed], at=at("2025-09-12T09:00")
    )
    proposals.open_comment(app, keys[board], PROPOSAL, days=10, at=at("2025-09-15T10:00"))
    _, objection = proposals.add_objection(
        app, keys[board], PROPOSAL, dossier(stage, LETTER), name=LETTER, about=NOMINEE,
        channel="letter", at=at("2025-09-18T14:00"),
    )  # fmt: skip
    proposals.resolve_objection(
        app, keys[board], objection, outcome="dismissed", at=at("2025-09-24T16:00"),
        reason="Đã xác minh: việc chậm giao nộp năm 2019 do đơn vị nộp lưu gây ra, Vụ Lưu trữ "
        "đã đôn đốc đúng quy định; không ảnh hưởng tiêu chuẩn khen thưởng",
    )  # fmt: skip
    proposals.endorse(app, keys[board], PROPOSAL, to=GOVERNMENT_OFFICE, at=at("2025-10-03T10:00"))
    proposals.endorse(
        app, keys[gov], PROPOSAL, to=f"authority:{PRESIDENT}", at=at("2025-10-17T10:00")
    )
    decisions.decide_award(
        app, keys[PRESIDENT], DECISION, movement_id=MOVEMENT, award=AWARD, recipients=[],
        proposal=PROPOSAL, at=at("2025-10-30T10:00"),
    )  # fmt: skip
    proposals.forward_decision(app, keys[PRESIDENT], PROPOSAL, at=at("2025-11-05T10:00"))
    return MOVEMENT
