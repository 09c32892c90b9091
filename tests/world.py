"""A workflow ledger for use-case, CLI and race tests.

From an empty ledger, in five writes: genesis (operator `op`); secretary `sec` and a signer of
every workflow role (with key files, so CLI tests can sign too);
units U1 (P1, P2) and U2 (P3); movement TD-2019 (criteria c1, c2); registrations of P1, P2
(advanced_worker) and U1 (emulation_flag). `closed_session` adds a review everyone passed.

A refusal records nothing, so the parametrized refusal cases of a module share one world per
backend (`shared_ledger` + `shared_world`, module-scoped); each case still checks that the
ledger is unchanged, so a refusal that wrote would fail its own case.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import VIETNAM_TZ
from domain.base import Aggregate
from domain.movement import Criterion, Movement
from domain.participation import Participation
from domain.registry import Person, Signer, SignerKey, Unit
from domain.rulebook import DEFAULT_RULEBOOK, Rulebook
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, load_private_key, raw_public_key, write_key_pair
from ledger.usecases import decisions, registry, review, workflow
from ledger.usecases.registry import new_person, new_unit
from tests.conftest import ORIGIN, POSTGRES_ENV, Keys, RawRows

MOVEMENT = "TD-2019"
CRITERIA = [
    Criterion(id="c1", name="Hoàn thành nhiệm vụ", max_points=10.0, weight=2.0),
    Criterion(id="c2", name="Sáng kiến", max_points=5.0, weight=1.0),
]
CRITERIA_CSV = "id,name,max_points,weight\nc1,Hoàn thành nhiệm vụ,10,2\nc2,Sáng kiến,5,1\n"
COMPETENCE = [
    "advanced_worker",
    "emulation_fighter_base",
    "excellent_collective",
    "emulation_flag",
    "certificate_of_merit",
]
# name: (roles, unit, competence, person)
SIGNERS: dict[str, tuple[list[str], str | None, list[str], str | None]] = {
    "sc": (["scorer"], "U2", [], None),
    "sc1": (["scorer"], "U1", [], None),
    "ch": (["council_chair"], None, [], None),
    "m1": (["council_member"], None, [], "P1"),
    "m2": (["council_member"], None, [], None),
    "kp": (["counter"], None, [], None),
    "ic": (["initiative_council"], None, [], None),
    "auth": (["authority"], None, COMPETENCE, None),
    "auth2": (["authority"], None, ["certificate_of_merit"], None),
}
COUNCIL = ["ch", "m1", "m2"]
PEOPLE = [
    ("P1", "Nguyễn Văn A", "U1", False),
    ("P2", "Trần Thị B", "U1", True),
    ("P3", "Lê Văn Cường", "U2", False),
]
REGISTERED = {
    "P1": ["advanced_worker", "emulation_fighter_base"],
    "P2": ["advanced_worker"],
    "U1": ["emulation_flag"],
}


def at(day: str, hour: int = 9) -> datetime:
    """A Vietnam-local time on `day` (ISO date)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VIETNAM_TZ)


@dataclass
class World:
    """The ledger and every actor's key (objects, and PEM files)."""

    app: LedgerApp
    keys: dict[str, Ed25519PrivateKey]
    files: dict[str, Path]

    def key(self, name: str) -> Ed25519PrivateKey:
        return self.keys[name]

    def key_file(self, name: str) -> Path:
        return self.files[name]

    @property
    def raw(self) -> RawRows:
        return RawRows(self.app.location.url)


def enrol(
    app: LedgerApp, op: Ed25519PrivateKey, key_dir: Path, sec: Ed25519PrivateKey
) -> dict[str, Ed25519PrivateKey]:
    """Register `sec` and every signer of SIGNERS in one write; key files go to `key_dir`."""
    made = {"sec": sec}
    for name in SIGNERS:
        private_path, _ = write_key_pair(name, key_dir, None)
        made[name] = load_private_key(private_path, None)
    specs = {"sec": (["secretary"], None, [], None), **SIGNERS}

    def build(_: Signer) -> list[Aggregate]:
        out: list[Aggregate] = []
        for name, (roles, unit, competence, person) in specs.items():
            public = raw_public_key(made[name])
            out.append(Signer.register(name, public, roles, unit, competence, person))
            out.append(SignerKey.claim(public, name))
        return out

    app.write(op, build)
    return made


def build_world(
    app: LedgerApp, keys: Keys, key_dir: Path, rulebook: Rulebook = DEFAULT_RULEBOOK
) -> World:
    """A fresh workflow world on the empty ledger `app` (see the module docstring); the new
    signers' key files go to `key_dir` (conftest's `keys` are shared by the whole session)."""
    registry.initialise(app, ORIGIN, "op", keys.op)
    key_dir.mkdir(parents=True, exist_ok=True)
    made = enrol(app, keys.op, key_dir, keys.sec)
    made["op"] = keys.op
    files = {name: key_dir / f"{name}.key" for name in SIGNERS}
    files.update(op=keys.op_key, sec=keys.sec_key, other=keys.other_key)

    def people(_: Signer) -> list[Aggregate]:
        units: dict[str, Unit] = {}
        new_unit(app, "U1", "Phòng Một", "department", None, units)
        new_unit(app, "U2", "Phòng Hai", "division", None, units)
        persons: dict[str, Person] = {}
        for pid, name, unit, worker in PEOPLE:
            new_person(app, pid, name, unit, "civil_servant", worker, units, persons)
        return [*units.values(), *persons.values()]

    app.write(keys.sec, people)
    workflow.launch_movement(
        app,
        keys.sec,
        MOVEMENT,
        "Phong trào thi đua 2019",
        start=date(2019, 1, 1),
        end=date(2019, 12, 31),
        deadline=date(2019, 2, 18),
        cluster_deadline=date(2019, 2, 28),
        criteria=CRITERIA,
        rulebook=rulebook,
        at=at("2019-01-02"),
    )
    movement = app.load(Movement, Movement.id_for(MOVEMENT), "movement")
    kinds = {"P1": "person", "P2": "person", "U1": "unit"}

    def registrations(_: Signer) -> list[Aggregate]:
        return [
            Participation.register(movement, p, kinds[p], titles, at=at("2019-02-01"))
            for p, titles in REGISTERED.items()
        ]

    app.write(keys.sec, registrations)
    return World(app, made, files)


def closed_session(
    world: World,
    session_id: str,
    title: str,
    nominees: Sequence[str],
    *,
    mode: str = "open",
    closed: str = "2019-12-20",
) -> None:
    """A review of `title` that every nominee passed (each member says yes to all it may)."""
    app = world.app
    review.open_session(
        app,
        world.key("ch"),
        session_id,
        movement_id=MOVEMENT,
        title=title,
        nominees=nominees,
        members=COUNCIL,
        mode=mode,
        at=at(closed, 8),
    )
    for member in COUNCIL:
        yes = [n for n in nominees if not (member == "m1" and n == "P1")]
        review.vote(app, world.key(member), session_id, yes=yes, at=at(closed, 9))
    review.close_session(app, world.key("ch"), session_id, at=at(closed, 10))


STATISTICS_LEADERS = [  # id, unit, leader level, direct worker
    ("L1", "U1", "agency", False),
    ("L2", "U1", "department", False),
    ("L3", "U2", "division", False),
    ("L4", "U2", "division", True),
]
STATISTICS_DECIDED = ["P1", "P2", "L1", "L2", "L3", "L4", "U1", "U2"]


def statistics_awards(world: World) -> None:
    """For the yearly statistics: leaders L1 (agency), L2 (department), L3 (division), L4
    (division, and a direct worker); a Certificate of Merit of 25/12/2019 to P1, P2, L1–L4 and
    the units U1, U2, of which L2's award is annulled; one of 10/01/2020 to P3; a Labour Order
    3rd class of 30/11/2019 to U1 by the authority `ctn` (its key is added to the world)."""
    app, sec = world.app, world.key("sec")
    for person, unit, level, direct in STATISTICS_LEADERS:
        registry.add_person(app, sec, person, f"Lãnh đạo {person}", unit, "cadre", direct, level)
    president = generate_key()
    world.keys["ctn"] = president
    registry.add_signer(
        app, world.key("op"), "ctn", raw_public_key(president), ["authority"],
        competence=["order_labour_3"],
    )  # fmt: skip
    decide = decisions.decide_award
    decide(app, world.key("auth"), "10/QĐ", movement_id=MOVEMENT, award="certificate_of_merit",
           recipients=STATISTICS_DECIDED, decided_on=date(2019, 12, 25),
           at=at("2019-12-25"))  # fmt: skip
    decisions.annul_award(app, world.key("auth"), "10/QĐ", recipient="L2",
                          ground="standard_not_met", reason="thành tích không đạt",
                          at=at("2020-01-05"))  # fmt: skip
    decide(app, world.key("auth2"), "11/QĐ", movement_id=MOVEMENT, award="certificate_of_merit",
           recipients=["P3"], decided_on=date(2020, 1, 10), at=at("2020-01-10"))  # fmt: skip
    decide(app, president, "12/QĐ-CTN", movement_id=MOVEMENT, award="order_labour_3",
           recipients=["U1"], decided_on=date(2019, 11, 30), at=at("2019-11-30"))  # fmt: skip


def refused(
    raw: RawRows, error: type[Exception], match: str, command: Callable[[], object]
) -> Exception:
    """Then: `command` raises `error` matching `match`, and the ledger is unchanged."""
    before = raw.snapshot()
    with pytest.raises(error, match=match) as info:
        command()
    assert raw.snapshot() == before
    return info.value


BACKENDS = ["sqlite", "postgres"]


@contextmanager
def shared_ledger(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh ledger URL on `backend` for a module-scoped fixture (conftest's is per test)."""
    if backend == "sqlite":
        yield str(tmp_path_factory.mktemp("shared") / "ledger.db")
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set: PostgreSQL tests skipped")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{base}{'&' if '?' in base else '?'}schema={schema}"
    with psycopg.connect(base, autocommit=True, connect_timeout=10) as conn:
        conn.execute("SET lock_timeout = '20s'")
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def shared_world(
    backend: str,
    keys: Keys,
    tmp_path_factory: pytest.TempPathFactory,
    prepare: Callable[[World], object] = lambda _: None,
) -> Iterator[World]:
    """A workflow world (plus `prepare`'s writes) shared by a module's refusal cases."""
    with shared_ledger(backend, tmp_path_factory) as url:
        app = open_ledger(url)
        try:
            world = build_world(app, keys, tmp_path_factory.mktemp("world-keys"))
            prepare(world)
            yield world
        finally:
            app.close()
