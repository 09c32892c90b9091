"""Builders for domain scenarios: times, actors, a launched movement, a closed session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from domain.actor import VIETNAM_TZ, Actor
from domain.decision import DecisionWrites, decide
from domain.document import KINDS as DOCUMENT_KINDS
from domain.errors import RuleViolationError
from domain.initiative import recognise_initiative
from domain.movement import Criterion, Movement
from domain.participation import Participation
from domain.regimes import regime_on
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook
from domain.session import ReviewSession
from domain.tally import TallyLine

CRITERIA = [
    Criterion(id="c1", name="Hoàn thành nhiệm vụ", max_points=10.0, weight=2.0),
    Criterion(id="c2", name="Sáng kiến", max_points=5.0, weight=1.0),
]
ALL_AWARDS = frozenset(
    {
        "advanced_worker",
        "emulation_fighter_base",
        "emulation_fighter_ministry",
        "emulation_fighter_national",
        "excellent_completion",
        "advanced_collective",
        "excellent_collective",
        "emulation_flag",
        "certificate_of_merit",
    }
)
AUTHORITY = Actor("bt", roles=frozenset({"authority"}), competence=ALL_AWARDS)
SCORER = Actor("sc1", roles=frozenset({"scorer"}), unit="U9", person="S1")
COUNTER = Actor("kp", roles=frozenset({"counter"}))


def at(day: str, hour: int = 9) -> datetime:
    """A Vietnam-local time on `day` (ISO date)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VIETNAM_TZ)


def member(name: str, unit: str | None = None, person: str | None = None) -> Actor:
    return Actor(name, roles=frozenset({"council_member"}), unit=unit, person=person)


def movement(
    movement_id: str = "TD-2019",
    *,
    start: str = "2019-01-01",
    end: str = "2019-12-31",
    deadline: str = "2019-02-18",
    cluster_deadline: str | None = "2019-02-28",
    rulebook: Rulebook = DEFAULT_RULEBOOK,
) -> Movement:
    m = Movement.launch(
        movement_id,
        "Phong trào thi đua 2019",
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        unit_deadline=date.fromisoformat(deadline),
        cluster_deadline=date.fromisoformat(cluster_deadline) if cluster_deadline else None,
        criteria=CRITERIA,
        rulebook=rulebook,
        spec_hash=b"\x01" * 32,
        at=at(start),
    )
    m.collect_events()
    return m


def registered(m: Movement, participant: str, kind: str, titles: Sequence[str]) -> Participation:
    p = Participation.register(m, participant, kind, titles, at=at(m.start.isoformat()))
    p.collect_events()
    return p


def closed_session(
    m: Movement,
    session_id: str,
    title: str,
    nominees: Sequence[str],
    *,
    members: int = 3,
    yes: Sequence[str] | None = None,
    closed: str = "2019-12-20",
) -> ReviewSession:
    """A session where every member says yes to `yes` (default: all), closed: in open mode, or
    by secret ballot where the statute in force on `closed` requires it (then the counting
    committee certifies the same count)."""
    names = [f"m{i}" for i in range(members)]
    secret = regime_on(date.fromisoformat(closed)).secret_required(title)
    mode = "secret" if secret else "open"
    s = ReviewSession.open(
        session_id, m, title, nominees, names, at=at(closed, 8), registered=nominees, mode=mode
    )
    voted_yes = list(nominees if yes is None else yes)
    for name in names:
        no = [n for n in nominees if n not in voted_yes]
        if secret:
            s.cast_ballot(member(name), at=at(closed, 9))
        else:
            s.cast_vote(member(name), voted_yes, no, at=at(closed, 9))
    if secret:
        lines = [TallyLine(n, members if n in voted_yes else 0, 0 if n in voted_yes else members)
                 for n in nominees]  # fmt: skip
        s.certify_tally(COUNTER, lines, at=at(closed, 9))
    s.close(at=at(closed, 10))
    s.collect_events()
    return s


def person(pid: str, unit: str = "U1") -> Recipient:
    return Recipient(pid, "person", unit)


def unit(uid: str) -> Recipient:
    return Recipient(uid, "unit", uid)


# every document kind: a basis session's dossier complete under every regime
COMPLETE_DOSSIER = frozenset(DOCUMENT_KINDS)


class Books:
    """The register and records a sequence of decisions builds (as the application keeps them)."""

    def __init__(self) -> None:
        self.registers: dict[str, AwardRegister] = {}
        self.records: dict[str, RecipientRecord] = {}

    def decide(
        self,
        number: str,
        m: Movement,
        award: str,
        recipients: Sequence[Recipient],
        *,
        basis: ReviewSession | None = None,
        decided_on: str | None = None,
        **kwargs: object,
    ) -> DecisionWrites:
        decided_on = decided_on or f"{m.year}-12-28"
        kwargs.setdefault("dossier", COMPLETE_DOSSIER)  # rule `dossier`: tests/domain/test_dossier
        writes = decide(
            number,
            movement=m,
            award=award,
            recipients=recipients,
            authority=kwargs.pop("authority", AUTHORITY),  # type: ignore[arg-type]
            decided_on=date.fromisoformat(decided_on),
            at=at(decided_on),
            basis=basis,
            register=self.registers.get(m.movement_id),
            records=self.records,
            **kwargs,  # type: ignore[arg-type]
        )
        self.keep(writes)
        return writes

    def keep(self, writes: DecisionWrites) -> None:
        for aggregate in writes.aggregates():
            aggregate.collect_events()
        self.registers[writes.register.movement] = writes.register
        for record in writes.records:
            self.records[record.recipient] = record

    def grant(
        self,
        number: str,
        m: Movement,
        award: str,
        recipients: Sequence[Recipient],
        decided_on: str | None = None,
    ) -> None:
        """Record a decision whatever the rules say (history given to a scenario): every broken
        rule is overridden, each with its own reason."""
        try:
            self.decide(number, m, award, recipients, decided_on=decided_on)
        except RuleViolationError as refused:
            overrides = {rule: "given history" for rule in refused.rules}
            self.decide(number, m, award, recipients, decided_on=decided_on, overrides=overrides)

    def award(
        self,
        number: str,
        m: Movement,
        award: str,
        recipients: Sequence[Recipient],
        **kwargs: object,
    ) -> DecisionWrites:
        """Decide with a basis session every recipient passed, closed on 20 December."""
        basis = closed_session(
            m, f"S-{number}", award, [r.id for r in recipients], closed=f"{m.year}-12-20"
        )
        return self.decide(number, m, award, recipients, basis=basis, **kwargs)


def note_initiative(books: Books, person_id: str, year: int, scope: str = "base") -> str:
    """Give `person_id` a recognised initiative of `scope` for `year` on its record; its id."""
    initiative_id = f"SK-{person_id}-{year}-{scope}"
    initiative, record = recognise_initiative(
        initiative_id,
        person=person_id,
        name="Sáng kiến",
        scope=scope,
        year=year,
        at=at(f"{year}-06-01"),
        record=books.records.get(person_id),
    )
    initiative.collect_events()
    record.collect_events()
    books.records[person_id] = record
    return initiative_id
