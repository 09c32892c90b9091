"""Identity bindings (domain/bindings.py): each attack signs a crafted event with a real
registered key, inserts it raw (SQLite and PostgreSQL), and must be reported by the audit —
full and incremental — at that event and naming the broken binding, and refused at append
with nothing recorded. Every one of these ledgers passed the audit before the bindings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import Aggregate, CreatedEvent, aggregate_id, aggregate_id_int
from domain.bindings import BINDINGS
from domain.decision import Decision
from domain.errors import DomainError, MalformedInputError, VerificationError
from domain.events import EVENT_TYPES
from domain.registry import Ledger, Person, Signer, SignerKey, Unit
from ledger.application import LedgerApp
from ledger.bindings import broken_bindings
from ledger.keys import generate_key, raw_public_key
from ledger.receipt import assemble_receipt, build_receipt, encode_receipt, verify_receipt
from ledger.registry_tree import registry_line
from ledger.usecases import registry
from ledger.verify import AuditReport, audit
from tests.conftest import LEDGER_SIZE, ORIGIN, Keys, RawRows, checkpoint_note
from tests.forge import (
    AT,
    IDENTITY,
    created,
    decision,
    insert,
    registration,
    store_unaudited_checkpoint,
)

# -- the table -----------------------------------------------------------------------------------


def test_every_event_type_has_its_bindings_and_the_id_rules_are_the_domains() -> None:
    assert set(BINDINGS) == set(EVENT_TYPES.values())
    for cls, binding in BINDINGS.items():
        assert (binding.aggregate is not None) == issubclass(cls, CreatedEvent), cls
        assert binding.rules(), cls
    # each id rule gives the id the aggregate's own id_for gives
    samples: dict[type[Aggregate], tuple[str, ...]] = {}
    for binding in BINDINGS.values():
        rule = binding.aggregate
        if rule is None or rule.key_of or rule.constant:
            continue
        sample = tuple(f"X-{n}" for n in range(len(rule.fields)))
        samples[rule.aggregate] = sample
        id_for = getattr(rule.aggregate, "id_for")  # noqa: B009  (every such aggregate has one)
        assert id_for(*sample) == aggregate_id(rule.kind, "|".join(sample)), rule
    assert len(samples) == 15  # every aggregate with a field id rule (… Hold, DisciplineRecord)
    assert Ledger.ID == aggregate_id("ledger", "genesis")
    for kind, natural in [("person", "P1"), ("decision", "01/QĐ-VPQH"), ("x", "")]:
        assert aggregate_id_int(kind, natural) == aggregate_id(kind, natural).int
    key = raw_public_key(generate_key())
    assert SignerKey.id_for(key) == aggregate_id("signer-key", key.hex())


# -- the attacks ---------------------------------------------------------------------------------


@dataclass
class World:
    app: LedgerApp
    raw: RawRows
    keys: Keys
    a: Ed25519PrivateKey  # authority 'a'
    b: Ed25519PrivateKey  # authority 'b'
    trusted: str  # the checkpoint the ledger fixture signed over its first 8 events


@pytest.fixture
def world(ledger: LedgerApp, raw: RawRows, keys: Keys) -> World:
    a, b = generate_key(), generate_key()
    for name, key in (("a", a), ("b", b)):
        registry.add_signer(
            ledger, keys.op, name, raw_public_key(key), ["authority"], None, ["advanced_worker"]
        )
    return World(ledger, raw, keys, a, b, checkpoint_note(ledger))


def _audits(w: World) -> list[tuple[str, AuditReport]]:
    """The full audit, and the incremental one from the fixture's trusted checkpoint."""
    return [("full", audit(w.app)), ("incremental", audit(w.app, since=w.trusted))]


def _assert_reported(w: World, seq: int, step: int, *patterns: str) -> None:
    for how, report in _audits(w):
        assert not report.ok, how
        first = report.problems[0]
        assert (first.seq, first.step) == (seq, step), (how, report.problems)
        messages = " | ".join(p.message for p in report.problems if p.seq == seq)
        assert messages.startswith(f"event {seq} ("), messages
        for pattern in patterns:
            assert re.search(pattern, messages), (how, pattern, messages)


def _assert_refused(
    w: World, error: type[Exception], pattern: str, write: Callable[[], object]
) -> None:
    before = w.raw.snapshot()
    with pytest.raises(error, match=pattern):
        write()
    assert w.raw.snapshot() == before
    assert audit(w.app).ok


def test_the_world_verifies(world: World) -> None:
    for how, report in _audits(world):
        assert report.ok, (how, report.problems)


def test_an_authority_cannot_sign_a_decision_naming_another(world: World) -> None:
    seq = insert(world.raw, decision("QĐ-9", authority="a"), "b", world.b)

    _assert_reported(world, seq, 2, r"payload\.authority = body\.signer broken: 'a' .* 'b'")


def test_at_append_an_authority_cannot_sign_a_decision_naming_another(world: World) -> None:
    forged = Decision._create(
        Decision.Recorded, id=Decision.id_for("QĐ-8"), **_payload("QĐ-8", "a")
    )
    _assert_refused(
        world,
        DomainError,
        r"Decision\.Recorded refused: payload\.authority = body\.signer broken",
        lambda: world.app.save_signed("b", world.b, [forged]),
    )


def _payload(number: str, authority: str) -> dict[str, object]:
    event = decision(number, authority)
    return {f: getattr(event, f) for f in event.__struct_fields__ if f not in _ENVELOPE}


_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def test_a_decision_cannot_take_the_place_of_another_authoritys(world: World) -> None:
    insert(world.raw, decision("QĐ-1", authority="a"), "a", world.a)  # a's own decision
    seq = insert(world.raw, decision("QĐ-1", authority="b", aggregate=uuid4()), "b", world.b)

    _assert_reported(world, seq, 2, r"aggregate = uuid5\(decision:<payload\.number>\)")


@pytest.mark.parametrize("where", ["another aggregate", "version 2 of the same"])
def test_a_second_person_added_cannot_rename_a_person(world: World, where: str) -> None:
    if where == "another aggregate":
        event = created(
            Person.Added,
            aggregate_id("person", "P1-again"),
            Person,
            person_id="P1",
            name="Kẻ Mạo Danh",
            unit="U1",
        )
        pattern = r"aggregate = uuid5\(person:<payload\.person_id>\), version 1 broken"
    else:
        event = Person.Added(
            originator_id=Person.id_for("P1"),
            originator_version=2,
            timestamp=AT,
            originator_topic="domain.registry:Person",
            person_id="P1",
            name="Kẻ Mạo Danh",
            unit="U1",
        )
        pattern = r"a first event at version 2"
    seq = insert(world.raw, event, "sec", world.keys.sec)

    _assert_reported(world, seq, 2, pattern)


def test_at_append_a_second_person_added_is_refused(world: World) -> None:
    person = Person._create(
        Person.Added,
        id=aggregate_id("person", "P1-again"),
        person_id="P1",
        name="Kẻ Mạo Danh",
        unit="U1",
    )
    _assert_refused(
        world,
        DomainError,
        r"Person\.Added refused: aggregate = uuid5\(person:<payload\.person_id>\)",
        lambda: world.app.save_signed("sec", world.keys.sec, [person]),
    )


@pytest.mark.parametrize("where", ["another aggregate", "version 3 of its own"])
def test_a_revoked_signer_cannot_be_registered_again(world: World, where: str) -> None:
    clerk = generate_key()
    registry.add_signer(world.app, world.keys.op, "clerk", raw_public_key(clerk), ["secretary"])
    registry.revoke_signer(world.app, world.keys.op, "clerk", "left the office")
    if where == "another aggregate":
        event = registration("clerk", raw_public_key(clerk), ["secretary"], uuid4())
        pattern = r"aggregate = uuid5\(signer:<payload\.name>\)"
    else:
        event = Signer.Registered(
            originator_id=Signer.id_for("clerk"),
            originator_version=3,
            timestamp=AT,
            originator_topic="domain.registry:Signer",
            name="clerk",
            public_key=raw_public_key(clerk),
            roles=["secretary"],
        )
        pattern = r"a first event at version 3"
    seq = insert(world.raw, event, "op", world.keys.op)
    # the un-revoked clerk writes again, validly signed
    insert(
        world.raw,
        created(Unit.Added, Unit.id_for("U7"), Unit, unit_id="U7", name="Bảy", level="office"),
        "clerk",
        clerk,
    )

    _assert_reported(world, seq, 2, pattern, r"payload\.name not registered before .* 'clerk'")
    # the first registration and its revocation stand: the clerk's new unit is refused too
    for how, report in _audits(world):
        assert [(p.seq, p.step) for p in report.problems if p.seq != seq] == [(seq + 1, 3)], how
        assert "signer 'clerk' was revoked" in report.problems[-1].message


def test_at_append_a_name_is_registered_once(world: World) -> None:
    # (the use case refuses an existing name first; this is the table's own check)
    again = Signer.register("a", raw_public_key(generate_key()), ["authority"])
    _assert_refused(
        world,
        DomainError,
        r"Signer\.Registered refused: payload\.name not registered before",
        lambda: world.app.save_signed("op", world.keys.op, [again]),
    )


@pytest.mark.parametrize(
    ("roles", "competence", "pattern"),
    [
        (["secretary", "authority"], [], r"payload\.roles .* broken: \['secretary', 'authority'\]"),
        (["king"], [], r"payload\.roles .* broken: \['king'\]"),
        ([], [], r"payload\.roles .* broken: \[\]"),
        (["scorer", "scorer"], [], r"payload\.roles .* broken"),
        (["authority"], ["b_award", "a_award"], r"payload\.competence sorted, unique broken"),
    ],
)
def test_roles_must_be_sorted_unique_and_from_the_closed_list(
    world: World, roles: list[str], competence: list[str], pattern: str
) -> None:
    event = registration("x", raw_public_key(generate_key()), roles, competence=competence)
    seq = insert(world.raw, event, "op", world.keys.op)

    _assert_reported(world, seq, 2, pattern)


def test_a_key_claim_must_name_the_key_its_signer_registered(world: World) -> None:
    mallory = generate_key()
    claim = created(
        SignerKey.Claimed, SignerKey.id_for(raw_public_key(mallory)), SignerKey, signer="a"
    )
    seq = insert(world.raw, claim, "op", world.keys.op)

    _assert_reported(
        world,
        seq,
        2,
        r"aggregate = uuid5\(signer-key:<hex of the key registered for payload\.signer>\)",
    )


def test_at_append_a_key_claim_must_name_the_key_its_signer_registered(world: World) -> None:
    mallory = generate_key()
    _assert_refused(
        world,
        DomainError,
        r"SignerKey\.Claimed refused: aggregate = uuid5\(signer-key:",
        lambda: world.app.save_signed(
            "op", world.keys.op, [SignerKey.claim(raw_public_key(mallory), "a")]
        ),
    )


def _register_ghost(world: World, public_key: bytes) -> int:
    """The operator registers 'ghost' with `public_key` by raw insert (and claims it);
    then anyone signs a unit as 'ghost' with the trivial signature. Returns the first seq."""
    seq = insert(world.raw, registration("ghost", public_key, ["secretary"]), "op", world.keys.op)
    claim = created(SignerKey.Claimed, SignerKey.id_for(public_key), SignerKey, signer="ghost")
    insert(world.raw, claim, "op", world.keys.op)
    unit = created(Unit.Added, Unit.id_for("U6"), Unit, unit_id="U6", name="Ma", level="office")
    insert(world.raw, unit, "ghost", None)  # no private key: R = identity, S = 0
    return seq


def test_a_small_order_key_lets_anyone_sign_and_is_reported(world: World) -> None:
    seq = _register_ghost(world, IDENTITY)

    _assert_reported(world, seq, 3, r"payload\.public_key is a point of small order")
    # the forged unit itself verifies under the identity key: only the key check stops it
    report = audit(world.app)
    assert [p.step for p in report.problems] == [3], report.problems


@pytest.mark.parametrize(
    "small",
    [IDENTITY, bytes(32), bytes.fromhex("ec" + "ff" * 30 + "7f")],
    ids=["identity", "order 4", "order 2"],
)
def test_signer_add_refuses_a_small_order_key(world: World, small: bytes) -> None:
    _assert_refused(
        world,
        MalformedInputError,
        r"signer add rejected: signer 'ghost': key [0-9a-f]{64} is a point of small order",
        lambda: registry.add_signer(world.app, world.keys.op, "ghost", small, ["secretary"]),
    )


def test_a_receipt_checks_the_events_bindings(world: World) -> None:
    seq = insert(world.raw, decision("QĐ-9", authority="a"), "b", world.b)
    with pytest.raises(VerificationError, match="checkpoint refused"):  # an honest operator
        registry.sign_new_checkpoint(world.app, world.keys.op)
    size = world.app.tree()[0].size  # one who skips the audit: the receipt still fails
    store_unaudited_checkpoint(world.app, world.keys.op, "op", (registry_line(world.app, size),))
    with pytest.raises(VerificationError):  # the issuer checks what it built: none written
        build_receipt(world.app, seq)
    receipt = encode_receipt(assemble_receipt(world.app, seq))

    with pytest.raises(VerificationError, match=r"payload\.authority = body\.signer broken"):
        verify_receipt(receipt, world.keys.public("op"))


def test_a_receipt_checks_the_registrations_key(world: World) -> None:
    seq = _register_ghost(world, IDENTITY) + 2
    with pytest.raises(VerificationError, match="checkpoint refused"):  # an honest operator
        registry.sign_new_checkpoint(world.app, world.keys.op)
    size = world.app.tree()[0].size  # one who skips the audit: the receipt still fails
    store_unaudited_checkpoint(world.app, world.keys.op, "op", (registry_line(world.app, size),))
    with pytest.raises(VerificationError):  # the issuer checks what it built: none written
        build_receipt(world.app, seq)
    receipt = encode_receipt(assemble_receipt(world.app, seq))

    with pytest.raises(
        VerificationError,
        match=r"Signer\.Registered v1: payload\.public_key is a point of small order",
    ):
        verify_receipt(receipt, world.keys.public("op"))


def test_honest_receipts_still_verify(world: World) -> None:
    seq = insert(world.raw, decision("QĐ-9", authority="b"), "b", world.b)
    registry.sign_new_checkpoint(world.app, world.keys.op)
    for proven in (seq, LEDGER_SIZE, 0):  # a decision, a registration, the genesis
        check = verify_receipt(
            encode_receipt(build_receipt(world.app, proven)), world.keys.public("op")
        )
        assert check.seq == proven


def test_a_hostile_actor_field_is_shown_short_and_escaped() -> None:
    event = decision("QĐ-9", authority="\n" + "x" * 500)

    [broken] = broken_bindings(type(event), event.originator_id, 1, "b", event, registry=None)

    assert broken.step == 2
    assert "\n" not in broken.message and len(broken.message) < 200, broken.message
    assert broken.message.startswith("payload.authority = body.signer broken: '\\nxxx")


def test_a_genesis_with_a_small_order_operator_key_is_reported(
    ledger_url: str, apps: Callable[[str], LedgerApp]
) -> None:
    app = apps(ledger_url)  # creates the tables
    genesis = created(
        Ledger.Initialised,
        Ledger.ID,
        Ledger,
        origin=ORIGIN,
        operator="op",
        operator_key=IDENTITY,
    )
    insert(RawRows(ledger_url), genesis, "op", None)  # "signed" with R = identity, S = 0

    report = audit(app)

    assert [(p.seq, p.step) for p in report.problems] == [(0, 3)], report.problems
    assert report.problems[0].message == (
        "event 0 (Ledger.Initialised v1): payload.operator_key is a point of small order "
        "(anyone could sign for it)"
    )
