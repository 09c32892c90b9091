"""Initiatives (evidence for rule 2) and clusters / blocks with their emulation pacts."""

from __future__ import annotations

import pytest

from domain.cluster import Cluster
from domain.errors import AlreadyExistsError, NotFoundError, UsageError
from domain.initiative import Initiative, recognise_initiative
from domain.register import RecipientRecord
from tests.domain.scenario import at
from tests.gwt import recorded, replay

T = at("2019-05-01")
PROVINCES = ["HNA", "NDI", "THO", "NAN", "NBI"]


def test_recognise_initiative_notes_it_on_the_record() -> None:
    initiative, record = recognise_initiative(
        "SK-1", person="P1", name="Số hóa hồ sơ", scope="ministry", year=2019, at=T, record=None
    )
    [event] = recorded(initiative, Initiative.Recognised)
    assert (event.person, event.scope, event.year) == ("P1", "ministry", 2019)
    assert initiative.id == Initiative.id_for("SK-1")
    recorded(record, RecipientRecord.Opened, RecipientRecord.InitiativeNoted)
    assert record.has_initiative(2019) and not record.has_initiative(2018)


def test_second_initiative_appends_to_the_existing_record() -> None:
    _, record = recognise_initiative(
        "SK-1", person="P1", name="A", scope="base", year=2019, at=T, record=None
    )
    record.collect_events()
    _, again = recognise_initiative(
        "SK-2", person="P1", name="B", scope="base", year=2020, at=T, record=record
    )
    assert again is record
    recorded(record, RecipientRecord.InitiativeNoted)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "province"}, r"initiative 'SK-1': scope 'province' is not one of base, minis"),
        ({"year": 19}, r"initiative 'SK-1': year 19 is not valid"),
        ({"name": " "}, r"initiative 'SK-1': name must not be empty"),
    ],
)
def test_recognise_initiative_rejected(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"person": "P1", "name": "A", "scope": "base", "year": 2019, "at": T}
    args.update(kwargs)
    with pytest.raises(UsageError, match=message):
        Initiative.recognise("SK-1", **args)  # type: ignore[arg-type]


def test_initiative_of_a_unit_record_rejected() -> None:
    record = RecipientRecord.open("U1", "unit")
    record.collect_events()
    with pytest.raises(UsageError, match=r"recipient 'P1' is a unit, not a person"):
        recognise_initiative(
            "SK-1", person="P1", name="A", scope="base", year=2019, at=T, record=record
        )
    recorded(record)


def test_cluster_members_sign_pacts_once_per_movement() -> None:
    cluster = Cluster.form("BTB", "Cụm Bắc Trung Bộ", kind="cluster", members=PROVINCES, at=T)
    [formed] = recorded(cluster, Cluster.Formed)
    assert formed.members == PROVINCES
    cluster.sign_pact("HNA", movement="TD-2019", at=T)
    cluster.sign_pact("HNA", movement="TD-2020", at=T)
    recorded(cluster, Cluster.PactSigned, Cluster.PactSigned)
    with pytest.raises(
        AlreadyExistsError,
        match=r"pact rejected: unit 'HNA' already signed the "
        r"pact for TD-2019",
    ):
        cluster.sign_pact("HNA", movement="TD-2019", at=T)
    with pytest.raises(
        NotFoundError,
        match=r"pact rejected: unit 'HCM' is not a member of "
        r"cluster BTB",
    ):
        cluster.sign_pact("HCM", movement="TD-2019", at=T)
    recorded(cluster)


@pytest.mark.parametrize(
    ("kind", "members", "message"),
    [
        ("zone", PROVINCES, r"kind must be one of cluster, block"),
        ("block", [], r"give at least one member unit"),
        ("block", ["HNA", "HNA"], r"unit 'HNA' is given twice"),
    ],
)
def test_form_cluster_rejected(kind: str, members: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Cluster.form("BTB", "Cụm", kind=kind, members=members, at=T)


def test_replayed_cluster_equals_the_original() -> None:
    cluster = Cluster.form("K1", "Khối các cơ quan", kind="block", members=["A", "B"], at=T)
    cluster.sign_pact("A", movement="TD-2019", at=T)
    assert replay(*cluster.collect_events()) == cluster
