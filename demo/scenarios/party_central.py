"""Scenario (c): the Party Central Office's emulation congress for 2015-2020.

32 collectives honoured (9 department level, 23 division level) and 50 individuals; 2
Independence Orders, 1 Labour Order 2nd class; Certificates of Merit to 25 collectives and 42
individuals. The sources do not say who got the orders nor what the other 4 collectives and 8
individuals got: here the orders go to department-level collectives (the Independence Orders
3rd class) and the rest get Letters of Commendation of the Chief of Office. An authority
deciding outside its competence is refused.
"""

from __future__ import annotations

from datetime import date

from demo.scenarios.stage import Stage, at, name_of
from ledger.usecases import decisions, workflow

MOVEMENT = "DH-VPTW-2015-2020"
AGENCY = "VPTW"
DEPARTMENTS = [
    "Vụ Tổng hợp",
    "Vụ Hành chính",
    "Vụ Tổ chức – Cán bộ",
    "Vụ Tài chính",
    "Vụ Lưu trữ",
    "Vụ Cơ yếu – Bảo mật",
    "Cục Quản trị T.26",
    "Cục Quản trị T.78",
    "Trung tâm Tin học",
]
DIVISIONS = 23
PEOPLE = 50
ORDERS = ["order_independence_3", "order_labour_2"]


def department(n: int) -> str:
    return f"VPTW-V{n:02d}"


def division(n: int) -> str:
    return f"VPTW-P{n:02d}"


def leader_level(n: int) -> str:
    """Person n's leadership level, for the yearly statistics' leaders by level: one deputy
    head of the Office, two heads of department, ten heads of division (empty: none)."""
    if n == 3:
        return "agency"
    if n % 25 == 1:
        return "department"
    return "division" if n % 5 == 2 else ""


def run(stage: Stage) -> str:
    """Run the scenario; return its movement id."""
    stage.enrol("thu-ky-vptw", ["secretary"])
    stage.enrol("chu-tich-nuoc", ["authority"], competence=ORDERS)
    stage.enrol("thu-tuong", ["authority"], competence=["certificate_of_merit"])
    stage.enrol("chanh-vp-tw", ["authority"], unit=None, competence=["letter_of_commendation"])
    units = [(AGENCY, "Văn phòng Trung ương Đảng", "agency", "")]
    units += [(department(i), name, "department", AGENCY) for i, name in enumerate(DEPARTMENTS, 1)]
    units += [
        (
            division(i),
            f"Phòng {i} – {DEPARTMENTS[(i - 1) % 9]}",
            "division",
            department((i - 1) % 9 + 1),
        )
        for i in range(1, DIVISIONS + 1)
    ]
    stage.load("thu-ky-vptw", "units", "units-vptw.csv", "id,name,level,parent", units)
    homes = [u[0] for u in units[1:]]
    people = [
        (
            f"VPTW-CN-{n:02d}",
            name_of(100 + n),
            homes[n % len(homes)],
            "cadre" if n % 3 else "civil_servant",
            "true" if n % 10 == 0 else "false",
            leader_level(n),
        )
        for n in range(1, PEOPLE + 1)
    ]
    header = "id,name,unit,category,direct_worker,leader_level"
    stage.load("thu-ky-vptw", "people", "people-vptw.csv", header, people)
    workflow.launch_movement(
        stage.app,
        stage.keys["thu-ky-vptw"],
        MOVEMENT,
        "Đại hội thi đua yêu nước Văn phòng Trung ương Đảng lần thứ V (2015–2020)",
        start=date(2015, 1, 1),
        end=date(2020, 6, 30),
        deadline=date(2020, 3, 31),
        kind="thematic",
        theme="Tổng kết phong trào thi đua yêu nước giai đoạn 2015–2020",
        at=at("2020-01-05"),
    )
    departments = [department(i) for i in range(1, len(DEPARTMENTS) + 1)]
    divisions = [division(i) for i in range(1, DIVISIONS + 1)]
    persons = [p[0] for p in people]
    stage.refused(
        "a Certificate of Merit signed by the Chief of Office",
        lambda: decisions.decide_award(
            stage.app,
            stage.keys["chanh-vp-tw"],
            "411-QĐ/VPTW",
            movement_id=MOVEMENT,
            award="certificate_of_merit",
            recipients=persons[:1],
            at=at("2020-06-10"),
        ),
    )
    plan = [
        ("chu-tich-nuoc", "1023/QĐ-CTN", "order_independence_3", departments[:2]),
        ("chu-tich-nuoc", "1024/QĐ-CTN", "order_labour_2", departments[2:3]),
        ("thu-tuong", "875/QĐ-TTg", "certificate_of_merit", departments[3:7] + divisions[:21]),
        ("thu-tuong", "876/QĐ-TTg", "certificate_of_merit", persons[:42]),
        ("chanh-vp-tw", "412-QĐ/VPTW", "letter_of_commendation", departments[7:] + divisions[21:]),
        ("chanh-vp-tw", "413-QĐ/VPTW", "letter_of_commendation", persons[42:]),
    ]
    for signer, number, award, recipients in plan:
        decisions.decide_award(
            stage.app,
            stage.keys[signer],
            number,
            movement_id=MOVEMENT,
            award=award,
            recipients=recipients,
            at=at("2020-06-15"),
        )
    return MOVEMENT
