"""Scenario (b): the North Central cluster of NA delegation offices, first half of 2019.

Hà Nam, Nam Định, Thanh Hóa, Nghệ An and Ninh Bình form a cluster and each signs the
emulation pact; the movement's rulebook file sets the 30 % fighter quota the cluster asked
for (deadlines 15/03 for people and units, 25/03 for the cluster); each province's scorer
appraises the next province's people; two open-mode reviews; each office head decides its
advanced workers and fighters — three of ten is within the rulebook's 30 % but beyond the 15 %
ceiling of Decree 91/2017 in force in 2019, so each signs an override of rule `regime` and the
reports show the statute exceeded; a fourth fighter of one office is refused by the rulebook's
own quota; one title is annulled later, which flags the fighter title that relied on it (the
certificate is recovered, the bonus money stays outstanding); in
2025 the Hà Nam and Nam Định offices are merged into Ninh Bình's (signed `Unit.Merged`).
"""

from __future__ import annotations

from datetime import date

from demo.scenarios.stage import Stage, at, name_of
from domain.movement import parse_criteria_csv
from domain.rulebook_toml import parse_rulebook
from ledger.usecases import decisions, registry, review, workflow

MOVEMENT = "TD-BTB-2019-H1"
CLUSTER = "CUM-BTB"
OFFICES = [
    ("HNA", "Hà Nam"),
    ("NDH", "Nam Định"),
    ("THA", "Thanh Hóa"),
    ("NAN", "Nghệ An"),
    ("NBH", "Ninh Bình"),
]
COUNCIL = ["ct-hd-btb", *(f"uv-btb-{code.lower()}" for code, _ in OFFICES)]
PEOPLE = 10  # per office
FIGHTER_NOMINEES = 4  # per office; 30 % of 10 advanced workers leaves room for 3 fighters
ANNULLED = ("22/QĐ-VP-NDH", "NDH-03")
SESSIONS = {"advanced_worker": "S-BTB-2019-LDTT", "emulation_fighter_base": "S-BTB-2019-CSTDCS"}
RULEBOOK = """\
# Rulebook of the North Central cluster of National Assembly delegation offices
# (Hà Nam, Nam Định, Thanh Hóa, Nghệ An, Ninh Bình) for its review of the first half of 2019:
# a 30 % quota of emulation_fighter_base against advanced_worker, instead of Decree 91's 15 %.
# The rulebook cannot loosen the statute: each office's fighters beyond 15 % are decided with a
# signed override of rule `regime`, and reports show them as exceeding the 2019 statute.
name = "north-central-2019"

[quota]
fighter_share = 0.30

[review]
quorum = "2/3"
threshold = ">1/2"
secret_ballot = ["emulation_fighter_ministry", "emulation_fighter_national"]

[review.thresholds]
emulation_fighter_ministry = 0.9
emulation_fighter_national = 0.9

[deadlines]
unit = 2019-03-15
cluster = 2019-03-25

[prerequisites]
ministry_consecutive_base = 3
national_consecutive_ministry = 2
excellent_collective_share = 0.7
excellent_collective_min_fighters = 1
"""
BEYOND_STATUTE = (
    "Cụm thi đua thống nhất tỷ lệ 30 % theo quy chế năm 2019, vượt mức 15 % của "
    "Nghị định 91/2017/NĐ-CP; ghi nhận để thanh tra xem xét"
)
CRITERIA = """\
id,name,max_points,weight
nhiem-vu,Kết quả phục vụ hoạt động của Đoàn ĐBQH,50,1
giam-sat,Phục vụ giám sát và tiếp xúc cử tri,30,1
cai-cach,Cải cách hành chính và ứng dụng công nghệ thông tin,20,1
"""


def office(code: str) -> str:
    return f"VPDB-{code}"


def person(code: str, n: int) -> str:
    return f"{code}-{n:02d}"


def enrol(stage: Stage) -> None:
    """Signers of the cluster: council, scorers and office heads belong to their offices."""
    stage.enrol(COUNCIL[0], ["council_chair"], unit=office("THA"))
    for code, _ in OFFICES:
        unit = office(code)
        stage.enrol(f"uv-btb-{code.lower()}", ["council_member"], unit=unit)
        stage.enrol(f"cham-diem-{code.lower()}", ["scorer"], unit=unit)
        competence = ["advanced_worker", "emulation_fighter_base"]
        stage.enrol(f"cvp-{code.lower()}", ["authority"], unit=unit, competence=competence)
    stage.enrol("hd-sang-kien-btb", ["initiative_council"])


def run(stage: Stage) -> str:
    """Run the scenario; return its movement id."""
    stage.enrol("thu-ky-btb", ["secretary"])
    sec = stage.keys["thu-ky-btb"]
    units = [
        (office(c), f"Văn phòng Đoàn ĐBQH và HĐND tỉnh {name}", "office", "") for c, name in OFFICES
    ]
    stage.load("thu-ky-btb", "units", "units-btb.csv", "id,name,level,parent", units)
    enrol(stage)
    people = [
        (
            person(c, n),
            name_of(i * 10 + n),
            office(c),
            "worker" if n == PEOPLE else "civil_servant",
            "true" if n >= PEOPLE - 1 else "false",
        )
        for i, (c, _) in enumerate(OFFICES)
        for n in range(1, PEOPLE + 1)
    ]
    header = "id,name,unit,category,direct_worker"
    stage.load("thu-ky-btb", "people", "people-btb.csv", header, people)
    rulebook = parse_rulebook(stage.file("rulebook-north-central-2019.toml", RULEBOOK).decode())
    criteria = parse_criteria_csv(stage.file("criteria-btb-2019.csv", CRITERIA).decode())
    workflow.launch_movement(
        stage.app,
        sec,
        MOVEMENT,
        "Thi đua 6 tháng đầu năm 2019 – Cụm Bắc Trung Bộ",
        start=date(2019, 1, 1),
        end=date(2019, 6, 30),
        deadline=None,  # the rulebook's [deadlines]
        criteria=criteria,
        rulebook=rulebook,
        theme="Phục vụ kỳ họp thứ 7, Quốc hội khóa XIV",
        at=at("2019-01-08"),
    )
    members = [office(c) for c, _ in OFFICES]
    name = "Cụm thi đua các Văn phòng Đoàn ĐBQH khu vực Bắc Trung Bộ"
    workflow.form_cluster(
        stage.app, sec, CLUSTER, name, kind="cluster", members=members, at=at("2019-01-15")
    )
    for day, unit in enumerate(members, start=20):
        workflow.sign_pact(stage.app, sec, CLUSTER, unit, MOVEMENT, at=at(f"2019-01-{day}"))
    register_and_score(stage)
    decide(stage)
    merge_provinces(stage)
    return MOVEMENT


MERGER = (
    "Nghị quyết của Quốc hội về sắp xếp đơn vị hành chính cấp tỉnh năm 2025: Hà Nam, Nam Định "
    "và Ninh Bình hợp nhất thành tỉnh Ninh Bình từ 01/7/2025"
)


def merge_provinces(stage: Stage) -> None:
    """The 2025 mergers: the Hà Nam and Nam Định offices are merged into Ninh Bình's, whose
    head may from then on annul what theirs decided (Law 2022 Art. 93(8))."""
    for code in ("HNA", "NDH"):
        registry.merge_unit(
            stage.app, stage.keys["thu-ky-btb"], office(code), office("NBH"), MERGER,
            at=at("2025-07-01"),
        )  # fmt: skip


def register_and_score(stage: Stage) -> None:
    """Registrations (the cluster itself after the units' deadline, within its own), scores by
    the next province's scorer, self scores kept apart, initiatives of the fighter nominees."""
    rows = [
        (
            person(c, n),
            "advanced_worker" + (";emulation_fighter_base" if n <= FIGHTER_NOMINEES else ""),
            "2019-03-01T10:00",
        )
        for c, _ in OFFICES
        for n in range(1, PEOPLE + 1)
    ]
    header = "participant,titles,at"
    stage.load("thu-ky-btb", "registrations", "registrations-btb-2019.csv", header, rows, MOVEMENT)
    workflow.register(
        stage.app, stage.keys["thu-ky-btb"], MOVEMENT, CLUSTER, [], at=at("2019-03-20")
    )
    for i, (code, _) in enumerate(OFFICES):
        scored = OFFICES[(i + 1) % len(OFFICES)][0]
        scores: list[tuple[str, str, int, str]] = [
            (person(scored, n), criterion, top - (n % 4), "appraisal")
            for n in range(1, PEOPLE + 1)
            for criterion, top in (("nhiem-vu", 48), ("giam-sat", 29), ("cai-cach", 19))
        ]
        scores += [(person(code, n), "nhiem-vu", 50, "self") for n in range(1, 4)]
        name, header = f"scores-btb-2019-by-{code.lower()}.csv", "participant,criterion,points,kind"
        stage.load(f"cham-diem-{code.lower()}", "scores", name, header, scores, MOVEMENT)
    for code, _ in OFFICES:
        for n in range(1, FIGHTER_NOMINEES + 1):
            workflow.recognise(
                stage.app,
                stage.keys["hd-sang-kien-btb"],
                f"SK-2019-{person(code, n)}",
                person=person(code, n),
                name=f"Sáng kiến cải tiến quy trình phục vụ số {n}",
                scope="base",
                year=2019,
                at=at("2019-05-20"),
            )


def decide(stage: Stage) -> None:
    everyone = [person(c, n) for c, _ in OFFICES for n in range(1, PEOPLE + 1)]
    fighters = [person(c, n) for c, _ in OFFICES for n in range(1, FIGHTER_NOMINEES + 1)]
    chair = stage.keys[COUNCIL[0]]
    for (title, session), nominees, day in zip(
        SESSIONS.items(), (everyone, fighters), (24, 25), strict=True
    ):
        review.open_session(
            stage.app,
            chair,
            session,
            movement_id=MOVEMENT,
            title=title,
            nominees=nominees,
            members=COUNCIL,
            mode="open",
            at=at(f"2019-06-{day}T08:00"),
        )
        for member in COUNCIL:
            review.vote(
                stage.app, stage.keys[member], session, yes=nominees, at=at(f"2019-06-{day}T09:00")
            )
        review.close_session(stage.app, chair, session, at=at(f"2019-06-{day}T11:00"))
    for number, (code, _) in enumerate(OFFICES, start=21):
        key = stage.keys[f"cvp-{code.lower()}"]
        for award, recipients, day in (
            ("advanced_worker", [person(code, n) for n in range(1, PEOPLE + 1)], 2),
            ("emulation_fighter_base", [person(code, n) for n in range(1, FIGHTER_NOMINEES)], 3),
        ):
            decisions.decide_award(
                stage.app,
                key,
                f"{number + (10 if day == 3 else 0)}/QĐ-VP-{code}",
                movement_id=MOVEMENT,
                award=award,
                recipients=recipients,
                basis=SESSIONS[award],
                decided_on=date(2019, 7, day),
                at=at(f"2019-07-0{day}"),
                overrides={"regime": BEYOND_STATUTE} if day == 3 else None,
            )
    stage.refused(
        "a fourth fighter of Hà Nam",
        lambda: decisions.decide_award(
            stage.app,
            stage.keys["cvp-hna"],
            "40/QĐ-VP-HNA",
            movement_id=MOVEMENT,
            award="emulation_fighter_base",
            recipients=[person("HNA", FIGHTER_NOMINEES)],
            basis=SESSIONS["emulation_fighter_base"],
            decided_on=date(2019, 7, 4),
            at=at("2019-07-04"),
        ),
    )
    annulled = decisions.annul_award(
        stage.app,
        stage.keys["cvp-ndh"],
        ANNULLED[0],
        recipient=ANNULLED[1],
        ground="false_declaration",
        reason="Kê khai thành tích không đúng sự thật (kết luận thanh tra tháng 10/2019)",
        at=at("2019-10-15"),
    )
    for d in annulled.dependents:
        stage.flags.append(
            f"{d.recipient}'s {d.award} {d.year} (decision {d.decision}): {d.reason}"
        )
    # the certificate comes back; the bonus money is still outstanding (Law 2022 Art. 93(2))
    decisions.record_recovery(
        stage.app,
        stage.keys["thu-ky-btb"],
        ANNULLED[0],
        recipient=ANNULLED[1],
        item="certificate",
        reference="Biên bản thu hồi giấy chứng nhận ngày 01/11/2019",
        at=at("2019-11-01"),
    )
