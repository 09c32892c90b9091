"""Scenario (a): the National Assembly Office's 2020 emulation plan.

Registration deadlines 18/02/2020 for units and 28/02/2020 for clusters and blocks; one late
registration accepted with a signed override reason, one refused; appraisal scores; a
secret-ballot review of the Emulation Flag (7 council members, counted by the counting
committee); Emulation Flags to the 10 collectives that passed. The ballot counts are ours.
"""

from __future__ import annotations

from datetime import date

from demo.scenarios.stage import Stage, at
from domain.movement import parse_criteria_csv
from domain.tally import TallyLine
from ledger.usecases import decisions, review, workflow

MOVEMENT = "TD-VPQH-2020"
AGENCY = "VPQH"
DEPARTMENTS = [
    ("VPQH-TCCB", "Vụ Tổ chức – Cán bộ"),
    ("VPQH-HC", "Vụ Hành chính"),
    ("VPQH-TH", "Vụ Tổng hợp"),
    ("VPQH-PL", "Vụ Pháp luật"),
    ("VPQH-KT", "Vụ Kinh tế"),
    ("VPQH-TCNS", "Vụ Tài chính – Ngân sách"),
    ("VPQH-XH", "Vụ Các vấn đề xã hội"),
    ("VPQH-DN", "Vụ Đối ngoại"),
    ("VPQH-QPAN", "Vụ Quốc phòng và An ninh"),
    ("VPQH-TT", "Vụ Thông tin"),
    ("VPQH-DT", "Vụ Dân tộc"),
    ("VPQH-KHCN", "Vụ Khoa học, Công nghệ và Môi trường"),
    ("VPQH-CTDB", "Vụ Công tác đại biểu"),
    ("VPQH-QT", "Vụ Quản trị"),
]
DIVISIONS = [
    ("VPQH-HC-VT", "Phòng Văn thư – Lưu trữ", "VPQH-HC"),
    ("VPQH-QT-NK", "Phòng Quản trị – Nhà khách", "VPQH-QT"),
    ("VPQH-TT-BC", "Phòng Báo chí", "VPQH-TT"),
]
BLOCK = "KHOI-PV-VPQH"
LATE_ACCEPTED, LATE_REFUSED = "VPQH-CTDB", "VPQH-QT"
COUNCIL = ["ct-hd-vpqh", *(f"uv-vpqh-{n}" for n in range(1, 7))]
SESSION = "S-VPQH-2020-CTD"
DECISION = "1856/QĐ-VPQH"
# the session's dossier: submission and achievement report first, the minutes and the ballot
# count filed only after a first try at the decision was refused for lacking them
DOSSIER = [
    ("vpqh-2020-to-trinh.txt", "to_trinh_mau_01"),
    ("vpqh-2020-bao-cao.txt", "bao_cao_mau_05"),
    ("vpqh-2020-bien-ban.txt", "minutes"),
    ("vpqh-2020-kiem-phieu.txt", "ballot_result"),
]
# Secret-ballot count per nominee (yes, no) of the 7 members; more than half of ALL members
# (4 of 7) must say yes: 10 of the 13 nominees pass.
COUNTS = [(7, 0), (7, 0), (6, 1), (6, 1), (6, 1), (5, 2), (5, 2), (3, 4), (5, 2), (4, 3)]
COUNTS += [(2, 5), (4, 3), (3, 4)]
CRITERIA = """\
id,name,max_points,weight
nhiem-vu,Hoàn thành nhiệm vụ chính trị được giao,60,1
phong-trao,Tổ chức phong trào thi đua,20,1
xay-dung,"Xây dựng Đảng, đoàn thể vững mạnh",20,1
"""


def enrol(stage: Stage) -> None:
    stage.enrol("thu-ky-vpqh", ["secretary"])


def enrol_after_units(stage: Stage) -> None:
    stage.enrol("cham-diem-vpqh", ["scorer"], unit=AGENCY)
    stage.enrol(COUNCIL[0], ["council_chair"], unit=AGENCY)
    for member in COUNCIL[1:]:
        stage.enrol(member, ["council_member"], unit=AGENCY)
    stage.enrol("kiem-phieu-vpqh", ["counter"], unit=AGENCY)
    stage.enrol("chu-nhiem-vpqh", ["authority"], unit=AGENCY, competence=["emulation_flag"])


def run(stage: Stage) -> str:
    """Run the scenario; return its movement id."""
    enrol(stage)
    sec = stage.keys["thu-ky-vpqh"]
    units = [(AGENCY, "Văn phòng Quốc hội", "agency", "")]
    units += [(uid, name, "department", AGENCY) for uid, name in DEPARTMENTS]
    units += [(uid, name, "division", parent) for uid, name, parent in DIVISIONS]
    stage.load("thu-ky-vpqh", "units", "units-vpqh.csv", "id,name,level,parent", units)
    enrol_after_units(stage)
    criteria = stage.file("criteria-vpqh-2020.csv", CRITERIA).decode("utf-8")
    workflow.launch_movement(
        stage.app,
        sec,
        MOVEMENT,
        "Phong trào thi đua năm 2020 của Văn phòng Quốc hội",
        start=date(2020, 1, 1),
        end=date(2020, 12, 31),
        deadline=date(2020, 2, 18),
        cluster_deadline=date(2020, 2, 28),
        criteria=parse_criteria_csv(criteria),
        theme="Thi đua thực hiện thắng lợi nhiệm vụ năm 2020",
        at=at("2020-01-06"),
    )
    workflow.form_cluster(
        stage.app,
        sec,
        BLOCK,
        "Khối các đơn vị phục vụ",
        kind="block",
        members=["VPQH-HC", "VPQH-QT", "VPQH-TT"],
        at=at("2020-01-10"),
    )
    on_time = [uid for uid, _ in DEPARTMENTS if uid not in (LATE_ACCEPTED, LATE_REFUSED)]
    rows = [
        (uid, "emulation_flag", f"2020-02-{10 + i % 8:02d}T10:00") for i, uid in enumerate(on_time)
    ]
    rows.append((BLOCK, "", "2020-02-25T15:00"))  # a block: its deadline is 28/02, not 18/02
    header = "participant,titles,at"
    stage.load(
        "thu-ky-vpqh", "registrations", "registrations-vpqh-2020.csv", header, rows, MOVEMENT
    )
    workflow.register(
        stage.app,
        sec,
        MOVEMENT,
        LATE_ACCEPTED,
        ["emulation_flag"],
        at=at("2020-02-20T08:30"),
        override_reason="Công văn đăng ký gửi ngày 17/02/2020, vào sổ văn thư ngày 20/02/2020",
    )
    stage.refused(
        f"late registration of {LATE_REFUSED}",
        lambda: workflow.register(
            stage.app, sec, MOVEMENT, LATE_REFUSED, ["emulation_flag"], at=at("2020-02-24T16:00")
        ),
    )
    nominees = [*on_time, LATE_ACCEPTED]
    scores = [
        (uid, criterion, top - (i % 5), "appraisal")
        for i, uid in enumerate(nominees)
        for criterion, top in (("nhiem-vu", 58), ("phong-trao", 19), ("xay-dung", 19))
    ]
    header = "participant,criterion,points,kind"
    stage.load("cham-diem-vpqh", "scores", "scores-vpqh-2020.csv", header, scores, MOVEMENT)
    review_flags(stage, nominees)
    return MOVEMENT


def review_flags(stage: Stage, nominees: list[str]) -> None:
    """The secret-ballot review of the Emulation Flag, and the decision on its result."""
    chair = stage.keys[COUNCIL[0]]
    review.open_session(
        stage.app,
        chair,
        SESSION,
        movement_id=MOVEMENT,
        title="emulation_flag",
        nominees=nominees,
        members=COUNCIL,
        mode="secret",
        at=at("2020-12-18T08:00"),
    )
    for member in COUNCIL:
        review.cast_ballot(stage.app, stage.keys[member], SESSION, at=at("2020-12-18T09:00"))
    tally = [TallyLine(n, yes, no) for n, (yes, no) in zip(nominees, COUNTS, strict=True)]
    counter = stage.keys["kiem-phieu-vpqh"]
    review.certify_tally(stage.app, counter, SESSION, tally, at=at("2020-12-18T10:00"))
    review.close_session(stage.app, chair, SESSION, at=at("2020-12-18T11:00"))
    passed = [line.nominee for line in tally if 2 * line.yes > len(COUNCIL)]
    stage.dossier("thu-ky-vpqh", SESSION, DOSSIER[:2], "2020-12-21")

    def decide() -> object:
        return decisions.decide_award(
            stage.app,
            stage.keys["chu-nhiem-vpqh"],
            DECISION,
            movement_id=MOVEMENT,
            award="emulation_flag",
            recipients=passed,
            basis=SESSION,
            decided_on=date(2020, 12, 30),
            at=at("2020-12-30"),
        )

    stage.refused("the Emulation Flags before the minutes are in the dossier", decide)
    stage.dossier("thu-ky-vpqh", SESSION, DOSSIER[2:], "2020-12-29")
    decide()
