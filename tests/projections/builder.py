"""One realistic scenario for the read-model tests, written to a ledger or only recorded.

`write_scenario(sink)` builds domain aggregates and hands each command's aggregates to
`sink.save(signer, aggregates)` with the signer the ledger would require (so `awards verify`
passes on a real ledger). It writes: the registry (units, people, signers with roles and
competence), movement TD-2019, four people and one unit registered (P4 late, with an
override), appraisal and self scores (one correction), an initiative, three review sessions
(two open, one secret with a certified tally), four decisions (02 overriding the quota, 04 the
self-score rule), a checkpoint, the annulment of P1's advanced_worker (which flags P1's fighter
title) and one more score correction after the checkpoint.

`LedgerSink` signs and saves into a `LedgerApp`; `MemorySink` only keeps the events with the
metadata a fold sees (seq, a made-up append time, signer) — hand-built events for pure folds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import VIETNAM_TZ, Actor
from domain.base import Aggregate, DomainEvent
from domain.decision import Decision, annul, decide
from domain.document import KINDS as DOCUMENT_KINDS
from domain.initiative import recognise_initiative
from domain.movement import Criterion, Movement, movement_spec
from domain.participation import Participation
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.registry import Ledger, Person, Signer, SignerKey, Unit
from domain.rulebook import DEFAULT_RULEBOOK
from domain.session import ReviewSession
from domain.tally import TallyLine
from ledger import codec
from ledger.application import LedgerApp
from ledger.keys import generate_key, raw_public_key
from ledger.usecases import registry
from projections.stream import EventMeta

ORIGIN = "example.gov.vn/awards/test"
MOVEMENT = "TD-2019"
CRITERIA = [
    Criterion(id="c1", name="Hoàn thành nhiệm vụ", max_points=10.0, weight=2.0),
    Criterion(id="c2", name="Sáng kiến, cải tiến", max_points=5.0, weight=1.0),
]
COMPETENCE = [
    "advanced_worker",
    "emulation_fighter_base",
    "advanced_collective",
    "certificate_of_merit",
]
UNITS = [
    ("VPQH", "Văn phòng Quốc hội", "agency", None),
    ("VU1", "Vụ Tổ chức – Cán bộ", "department", "VPQH"),
    ("PH1", "Phòng Hành chính", "division", "VU1"),
]
PEOPLE = [
    ("P1", "Nguyễn Văn An", "PH1", True),
    ("P2", "Trần Thị Bình", "PH1", False),
    ("P3", "Lê Văn Cường", "VU1", True),
    ("P4", "Phạm Thị Dung", "VU1", False),
    ("S1", "Hoàng Văn Em", "VU1", False),
]
SIGNERS: list[tuple[str, list[str], dict[str, object]]] = [
    ("sec", ["secretary"], {}),
    ("sc", ["scorer"], {"unit": "VU1", "person": "S1"}),
    ("ct", ["council_chair"], {}),
    ("uv1", ["council_member"], {}),
    ("uv2", ["council_member"], {}),
    ("kp", ["counter"], {}),
    ("hdsk", ["initiative_council"], {}),
    ("bt", ["authority"], {"competence": COMPETENCE}),
]
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VIETNAM_TZ)


class MemorySink:
    """Keeps (event, meta) pairs as a ledger would number them; append times one second apart."""

    def __init__(self) -> None:
        self.pairs: list[tuple[DomainEvent, EventMeta]] = []
        self.checkpoint_at: int | None = None

    def save(self, signer: str, aggregates: Sequence[Aggregate]) -> list[int]:
        seqs = []
        for aggregate in aggregates:
            for event in aggregate.collect_events():
                assert isinstance(event, DomainEvent)
                seq = len(self.pairs)
                self.pairs.append((event, EventMeta(seq, T0 + timedelta(seconds=seq), signer)))
                seqs.append(seq)
        return seqs

    def checkpoint(self) -> None:
        """A stand-in for the operator's checkpoint event (folds ignore it; seqs stay aligned)."""
        self.checkpoint_at = seq = len(self.pairs)
        event = Ledger.CheckpointSigned(
            originator_id=Ledger.ID,
            originator_version=2,
            timestamp=T0 + timedelta(seconds=seq),
            size=seq,
            root_hash=bytes(32),
            note="",
            frontier=[],
        )
        self.pairs.append((event, EventMeta(seq, T0 + timedelta(seconds=seq), "op")))


@dataclass
class LedgerSink:
    """Signs and saves into a ledger; generates a key for every signer but op and sec."""

    app: LedgerApp
    keys: dict[str, Ed25519PrivateKey]

    def save(self, signer: str, aggregates: Sequence[Aggregate]) -> list[int]:
        if signer not in self.keys:
            self.keys[signer] = generate_key()
        if self.app.signing_mapper.origin is None:
            self.app.signing_mapper.origin = ORIGIN
        return self.app.save_signed(signer, self.keys[signer], aggregates).seqs

    def checkpoint(self) -> None:
        registry.sign_new_checkpoint(self.app, self.keys["op"])


@dataclass
class Written:
    """Where the scenario's events landed (first seq of each labelled command)."""

    seqs: dict[str, int] = field(default_factory=dict)
    checkpoint_size: int = 0
    size: int = 0


def write_scenario(
    sink: MemorySink | LedgerSink,
    *,
    op_key: bytes,
    sec_key: bytes,
    unit_name: str = "Phòng Hành chính",
    annul_after: bool = True,
) -> Written:
    """Write the scenario (see the module docstring) through `sink`."""
    out = Written()
    keys = sink.keys if isinstance(sink, LedgerSink) else {}

    def save(signer: str, aggregates: Sequence[Aggregate], label: str | None = None) -> None:
        seqs = sink.save(signer, aggregates)
        if label:
            out.seqs[label] = seqs[0]
        out.size = seqs[-1] + 1

    save("op", [
        Ledger.initialise(ORIGIN, "op", op_key),  # type: ignore[arg-type]
        Signer.register("op", op_key, ["operator"]),
        SignerKey.claim(op_key, "op"),
    ])  # fmt: skip
    actors: dict[str, Actor] = {}
    units: dict[str, Unit] = {}
    for uid, name, level, parent in UNITS:
        units[uid] = Unit.add(
            uid, unit_name if uid == "PH1" else name, level, units.get(parent or "")
        )
    registrations: list[Aggregate] = []
    for name, roles, extra in SIGNERS:
        public = sec_key if name == "sec" else raw_public_key(keys.setdefault(name, generate_key()))
        signer = Signer.register(name, public, roles, **extra)  # type: ignore[arg-type]
        actors[name] = Actor.from_signer(signer)
        registrations += [signer, SignerKey.claim(public, name)]
    save("op", registrations, "signers")
    people = [Person.add(pid, n, units[u], "civil_servant", direct) for pid, n, u, direct in PEOPLE]
    save("sec", [*units.values(), *people], "registry")

    spec = hashlib.sha256(
        codec.ENCODER.encode(movement_spec(CRITERIA, "weighted_sum", DEFAULT_RULEBOOK))
    )
    m = Movement.launch(
        MOVEMENT, "Phong trào thi đua yêu nước năm 2019",
        start=date(2019, 1, 1), end=date(2019, 12, 31),
        unit_deadline=date(2019, 2, 18), cluster_deadline=date(2019, 2, 28),
        criteria=CRITERIA, spec_hash=spec.digest(), at=at("2019-01-02"),
    )  # fmt: skip
    save("sec", [m], "launch")

    parts: dict[str, Participation] = {}
    for pid, kind, titles, day, reason in [
        ("P1", "person", ["advanced_worker", "emulation_fighter_base"], "2019-02-01", None),
        ("P2", "person", ["advanced_worker"], "2019-02-01", None),
        ("P3", "person", ["advanced_worker"], "2019-02-10", None),
        ("P4", "person", ["advanced_worker"], "2019-02-20", "hồ sơ giấy nộp đúng hạn"),
        ("PH1", "unit", ["advanced_collective"], "2019-02-15", None),
    ]:
        parts[pid] = Participation.register(
            m, pid, kind, titles, at=at(day), override_reason=reason
        )
    save("sec", list(parts.values()), "registrations")
    out.seqs.update({f"register:{p}": out.seqs["registrations"] + i for i, p in enumerate(parts)})

    scorer = actors["sc"]
    for pid, marks in [("P1", (9, 4)), ("P2", (7, 5)), ("P3", (8, 3)), ("PH1", (8, 4))]:
        for criterion, points in zip(("c1", "c2"), marks, strict=True):
            parts[pid].score(m, criterion, points, "appraisal", scorer=scorer, at=at("2019-11-01"))
    save("sc", [parts[p] for p in ("P1", "P2", "P3", "PH1")], "scores")
    parts["P3"].score(
        m, "c1", 9.0, "appraisal", scorer=scorer, at=at("2019-11-05"), reason="chấm lại"
    )
    save("sc", [parts["P3"]], "correction:P3")
    parts["P4"].score(m, "c1", 10.0, "self", scorer=scorer, at=at("2019-11-02"))
    save("sc", [parts["P4"]], "self:P4")

    initiative, record_p1 = recognise_initiative(
        "SK-2019-01", person="P1", name="Số hoá hồ sơ", scope="base", year=2019,
        at=at("2019-06-01"), record=None,
    )  # fmt: skip
    save("hdsk", [initiative, record_p1], "initiative")

    members = [actors["ct"], actors["uv1"], actors["uv2"]]

    def session(sid: str, title: str, nominees: list[str], mode: str) -> ReviewSession:
        s = ReviewSession.open(
            sid, m, title, nominees, [a.name for a in members], at=at("2019-12-18"),
            registered=list(parts), mode=mode,
        )  # fmt: skip
        save("ct", [s], f"open:{sid}")
        return s

    s_aw = session("S-AW", "advanced_worker", ["P1", "P2", "P3"], "open")
    for member, yes, no in [
        (members[0], ["P1", "P2", "P3"], []),
        (members[1], ["P1", "P2"], ["P3"]),
        (members[2], ["P1", "P2", "P3"], []),
    ]:
        s_aw.cast_vote(member, yes, no, at=at("2019-12-19"))
        save(member.name, [s_aw], f"vote:S-AW:{member.name}")
    s_aw.close(at=at("2019-12-20"))
    save("ct", [s_aw], "close:S-AW")

    s_cs = session("S-CSTD", "emulation_fighter_base", ["P1"], "secret")
    for member in members:
        s_cs.cast_ballot(member, at=at("2019-12-19"))
        save(member.name, [s_cs])
    s_cs.certify_tally(actors["kp"], [TallyLine("P1", 3, 0)], at=at("2019-12-19", 15))
    save("kp", [s_cs], "tally:S-CSTD")
    s_cs.close(at=at("2019-12-20"))
    save("ct", [s_cs], "close:S-CSTD")

    s_tt = session("S-TT", "advanced_collective", ["PH1"], "open")
    for member in members:
        s_tt.cast_vote(member, ["PH1"], [], at=at("2019-12-19"))
        save(member.name, [s_tt])
    s_tt.close(at=at("2019-12-20"))
    save("ct", [s_tt], "close:S-TT")

    authority = actors["bt"]
    register: AwardRegister | None = None
    records: dict[str, RecipientRecord] = {"P1": record_p1}
    headcounts = {"PH1": 2, "VU1": 3}
    decisions: dict[str, Decision] = {}

    def decided(number: str, award: str, recipients: list[Recipient], **kw: object) -> None:
        nonlocal register
        writes = decide(
            number, movement=m, award=award, recipients=recipients, authority=authority,
            decided_on=date(2019, 12, 25), at=at("2019-12-25"), register=register,
            records=records, participations=parts, headcounts=headcounts,
            dossier=DOCUMENT_KINDS,  # complete: the scenario files no documents (rule dossier)
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        register = writes.register
        decisions[number] = writes.decision
        for record in writes.records:
            records[record.recipient] = record
        save("bt", writes.aggregates(), f"decide:{number}")

    p = {pid: Recipient(pid, "person", unit) for pid, _, unit, _ in PEOPLE}
    decided("01/QĐ-VPQH", "advanced_worker", [p["P1"], p["P2"], p["P3"]], basis=s_aw)
    decided(
        "02/QĐ-VPQH", "emulation_fighter_base", [p["P1"]], basis=s_cs,
        override_reason="Cụm thi đua đề nghị tỷ lệ 30 %",
    )  # fmt: skip
    decided("03/QĐ-VPQH", "advanced_collective", [Recipient("PH1", "unit", "PH1")], basis=s_tt)
    decided("04/QĐ-VPQH", "certificate_of_merit", [p["P4"]], override_reason="thành tích đột xuất")

    out.checkpoint_size = out.size
    sink.checkpoint()
    out.seqs["checkpoint"] = out.size
    out.size += 1
    if not annul_after:
        return out
    assert register is not None
    undone = annul(
        decisions["01/QĐ-VPQH"], register, records["P1"], "P1", "false_declaration",
        "khai man hồ sơ", authority, at=at("2020-03-01"), movement=m, headcounts=headcounts,
    )  # fmt: skip
    save("bt", undone.aggregates(), "annul:P1")
    parts["P2"].score(
        m, "c2", 4.0, "appraisal", scorer=scorer, at=at("2020-03-02"), reason="phúc tra"
    )
    save("sc", [parts["P2"]], "late-correction:P2")
    return out


def build(
    app: LedgerApp,
    op: Ed25519PrivateKey,
    sec: Ed25519PrivateKey,
    unit_name: str = "Phòng Hành chính",
    annul_after: bool = True,
) -> tuple[Written, dict[str, Ed25519PrivateKey]]:
    """Write the scenario into `app`; returns where things landed and every signer's key."""
    keys = {"op": op, "sec": sec}
    sink = LedgerSink(app, keys)
    written = write_scenario(
        sink,
        op_key=raw_public_key(op),
        sec_key=raw_public_key(sec),
        unit_name=unit_name,
        annul_after=annul_after,
    )
    return written, keys


def recorded(annul_after: bool = True) -> tuple[Written, MemorySink]:
    """The scenario's events with fold metadata, without any ledger."""
    sink = MemorySink()
    key = hashlib.sha256(b"op").digest()
    written = write_scenario(
        sink, op_key=key, sec_key=hashlib.sha256(b"sec").digest(), annul_after=annul_after
    )
    return written, sink
