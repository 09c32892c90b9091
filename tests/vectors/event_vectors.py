"""Per-event-type vectors: a valid entry of every event type and tampered variants of each.

Files are ``event-<Type>-<mutation>.json`` in tests/vectors/format/. Each valid entry is a real
event of that type (the first one the demo ledger writes; registry events from the small
ledger of generate.py), given a fixed time (envelope and payload datetimes) and re-signed by
a fixed, seeded key of a signer holding the type's first required role, so every run writes
the same bytes. Each tampered
variant names its mutation and carries ``want_step``: the step of the audit (FORMAT.md §12)
that refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from demo.build import LEDGER_FILE, build_demo
from domain.actor import VIETNAM_TZ, Actor
from domain.base import DomainEvent
from domain.discipline import record_discipline
from domain.document import Document
from domain.events import EVENT_TYPES, aggregate_topic
from domain.hold import lift_hold, place_hold
from domain.proposal import Level, authority_holder, propose, raise_objection
from domain.register import Recipient
from domain.registry import Ledger
from ledger import codec
from ledger.keys import raw_public_key
from ledger.mapper import decode_stored

ORIGIN = "awards.example/ledger"
OTHER_ORIGIN = "awards.example/other-ledger"
TIME = datetime(2020, 2, 18, 5, 0, tzinfo=UTC)


def role_key(role: str) -> Ed25519PrivateKey:
    """The seeded key of the vectors' signer holding `role` (``ops`` for the operator)."""
    label = "operator" if role == "operator" else role
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"award-ledger test {label}".encode()).digest()
    )


def role_signer(role: str) -> str:
    return "ops" if role == "operator" else role.replace("_", "-")


def demo_events() -> dict[str, DomainEvent]:
    """The first event of each type in a freshly built demo ledger."""
    found: dict[str, DomainEvent] = {}
    with tempfile.TemporaryDirectory() as tmp:
        build_demo(Path(tmp))
        with sqlite3.connect(Path(tmp) / LEDGER_FILE) as db:
            rows = db.execute("SELECT topic, state FROM stored_events ORDER BY rowid")
            for topic, state in rows:
                if topic not in found:
                    found[topic] = decode_stored(topic, bytes(state))
    return found


def _rotation_and_cosignatures(note: str, cosigned: str) -> list[DomainEvent]:
    """A Ledger's OperatorRotated and CosignaturesAttached (types the demo does not write)."""
    ledger = Ledger.initialise(ORIGIN, "ops", raw_public_key(role_key("operator")))  # type: ignore[arg-type]
    ledger.record_checkpoint(7, b"\0" * 32, note, [])
    ledger.attach_cosignatures(7, cosigned)
    ledger.rotate_operator("ops-2", raw_public_key(role_key("operator 2")))
    events = [e for e in ledger.collect_events() if isinstance(e, DomainEvent)]
    return [
        e for e in events if isinstance(e, Ledger.OperatorRotated | Ledger.CosignaturesAttached)
    ]


def _document() -> list[DomainEvent]:
    """A Document.Added (a type the demo does not write yet)."""
    document = Document.add(
        hashlib.sha256(b"minutes").hexdigest(),
        kind="minutes",
        size=7,
        name="bien-ban.pdf",
        subject="S-2020",
        hash_only=False,
        at=TIME,
    )
    return [e for e in document.collect_events() if isinstance(e, DomainEvent)]


def _holds() -> list[DomainEvent]:
    """A hold placed and lifted, with its subject's index (types the demo does not write)."""
    hold, index = place_hold(
        "H-1",
        subject="P1",
        kind="press",
        reason="Báo nêu vụ việc",
        until=None,
        at=TIME,
        index=None,
    )
    lift_hold(hold, index, "Đã xác minh, không vi phạm", TIME)
    return [
        e for e in [*hold.collect_events(), *index.collect_events()] if isinstance(e, DomainEvent)
    ]


def _proposal() -> list[DomainEvent]:
    """A proposal's whole path and an objection (types the demo does not write yet)."""
    when = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)  # in the working-day calendar's years
    secretary = Actor("secretary", frozenset({"secretary"}), unit="U1")
    upper = Actor("secretary", frozenset({"secretary"}), unit="U0")
    chief = Actor("authority", frozenset({"authority"}), competence=frozenset({"hero_labour"}))
    deciding = Level(
        authority_holder("authority"), authority="authority", competence=chief.competence
    )
    proposal = propose(
        "TT-1",
        movement="M1",
        award="hero_labour",
        nominees=[Recipient("P1", "person", "U1")],
        proposer=secretary,
        target=Level("U0"),
        basis=None,
        documents=[hashlib.sha256(b"minutes").hexdigest()],
        at=when,
        holds={},
    )
    proposal.return_to_unit(upper, "Thiếu báo cáo thành tích", at=when)
    proposal.resubmit(secretary, None, documents=[], at=when, holds={})
    proposal.endorse(upper, deciding, at=when, holds={})
    proposal.open_comment(chief, 10, at=when)
    objection = raise_objection(
        proposal,
        about="P1",
        channel="letter",
        sha256=hashlib.sha256(b"thu").hexdigest(),
        actor=Actor("secretary", frozenset({"secretary"})),
        at=when,
    )
    objection.resolve(chief, "dismissed", "Không có căn cứ", at=when)
    proposal.decided("QĐ-1", chief, at=when)
    proposal.forward(chief, at=when)
    return [
        e
        for e in [*proposal.collect_events(), *objection.collect_events()]
        if isinstance(e, DomainEvent)
    ]


def _disciplines() -> list[DomainEvent]:
    """A discipline record opened, entered and ended (types the demo does not write)."""
    record = record_discipline(
        None,
        "P1",
        decision_ref="12/QĐ-KL",
        level="warning",
        start=date(2020, 3, 1),
        until=date(2021, 2, 28),
        reason="Vi phạm quy chế làm việc",
        at=TIME,
    )
    record.end("12/QĐ-KL", date(2020, 8, 31), "Chấm dứt kỷ luật trước thời hạn", TIME)
    return [e for e in record.collect_events() if isinstance(e, DomainEvent)]


def sample_events(registry: list[DomainEvent], note: str, cosigned: str) -> dict[str, DomainEvent]:
    """One event of every type: registry events from `registry`, the rest from the demo."""
    samples = demo_events()
    for event in [
        *registry,
        *_rotation_and_cosignatures(note, cosigned),
        *_document(),
        *_holds(),
        *_proposal(),
        *_disciplines(),
    ]:
        samples[type(event).__qualname__] = event  # deterministic keys, not the demo's
    missing = set(EVENT_TYPES) - set(samples)
    if missing:
        raise RuntimeError(f"no sample event of {sorted(missing)}")
    return {name: _at_fixed_time(samples[name]) for name in EVENT_TYPES}


def _at_fixed_time(event: DomainEvent) -> DomainEvent:
    """`event` with its time and every payload datetime set to TIME (the demo scores "now")."""
    times = {f.name: TIME for f in msgspec.structs.fields(event) if f.type is datetime}
    return msgspec.structs.replace(event, **times)


def _body(event: DomainEvent, **changes: Any) -> bytes:
    """The canonical body of `event`, with envelope `changes` and payload edits applied to
    its raw JSON values (so nested records keep their order)."""
    name = type(event).__qualname__
    signer = role_signer(sorted(type(event).required_roles)[0])
    body = codec.encode_body(changes.pop("origin", ORIGIN), event, name, signer)
    edit: Callable[[dict[str, Any]], None] | None = changes.pop("payload", None)
    if not changes and edit is None:
        return body
    doc = msgspec.json.decode(body, type=codec.EntryBody[dict[str, msgspec.Raw]])
    payload = dict(doc.payload)
    if edit is not None:
        edit(payload)
    return codec.ENCODER.encode(msgspec.structs.replace(doc, payload=payload, **changes))


def _case(
    event: DomainEvent,
    desc: str,
    want_step: int | None,
    want_error: str | None,
    body: bytes,
    *,
    role: str | None = None,
    topic: str | None = None,
    after_signing: Callable[[bytes], bytes] | None = None,
) -> dict[str, Any]:
    cls = type(event)
    role = sorted(cls.required_roles)[0] if role is None else role
    key = role_key(role)
    signature = key.sign(codec.signing_input(body))
    if after_signing is not None:
        body = after_signing(body)
    entry = codec.join_entry(body, signature)
    return {
        "desc": desc,
        "want_error": want_error,
        "want_step": want_step,
        "origin": ORIGIN,
        "type": cls.__qualname__,
        "required_roles": sorted(cls.required_roles),
        "signer": {
            "name": role_signer(role),
            "public_key": raw_public_key(key).hex(),
            "roles": [role],
        },
        "row": {
            "originator_id": str(event.originator_id),
            "originator_version": event.originator_version,
            "topic": cls.__qualname__ if topic is None else topic,
        },
        "entry": base64.b64encode(entry).decode("ascii"),
        "body": body.decode("utf-8"),
    }


def _flip_time(body: bytes) -> bytes:
    at = body.index(b'"time":"') + len(b'"time":"2020-02-18T05:00:0')
    return body[:at] + bytes([body[at] ^ 1]) + body[at + 1 :]


def _other_role(required: frozenset[str]) -> str:
    return next(r for r in ("counter", "scorer", "secretary") if r not in required)


def event_cases(samples: dict[str, DomainEvent]) -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for name, event in samples.items():
        cls = type(event)
        good = _body(event)
        fields = list(msgspec.json.decode(good)["payload"])
        first = fields[0]
        other = _other_role(cls.required_roles)
        old_type = f"{aggregate_topic(cls).partition(':')[0]}:{name}"
        variants: dict[str, tuple[str, int | None, str | None, bytes, dict[str, Any]]] = {
            "valid": (f"a valid {name}", None, None, good, {}),
            "time-bitflip": (
                "bit 0 of the body's last time digit flipped: still canonical, the signature fails",
                4,
                "SignatureError",
                good,
                {"after_signing": _flip_time},
            ),
            "signer-lacks-role": (
                f"validly signed by a registered signer holding only {other!r}",
                3,
                "VerificationError",
                good,
                {"role": other},
            ),
            "wrong-origin": (
                f"validly signed for origin {OTHER_ORIGIN!r}",
                2,
                "VerificationError",
                _body(event, origin=OTHER_ORIGIN),
                {},
            ),
            "unknown-field": (
                "validly signed with an extra payload field `zz_extra`",
                1,
                "MalformedInputError",
                _body(event, payload=lambda p: p.update(zz_extra=msgspec.Raw(b"1"))),
                {},
            ),
            "missing-field": (
                f"validly signed without the payload field `{first}`",
                1,
                "MalformedInputError",
                _body(event, payload=lambda p, f=first: p.pop(f)),  # type: ignore[misc]
                {},
            ),
            "format-1": (
                f"validly signed as format 1 with the old type name {old_type!r}",
                1,
                "MalformedInputError",
                _body(event, format=1, type=old_type),
                {"topic": old_type},
            ),
        }
        if "at" in fields:
            variants["at-not-utc"] = (
                "validly signed with the payload's `at` written at +07:00",
                1,
                "MalformedInputError",
                _body(event, payload=_to_hanoi),
                {},
            )
        for mutation, (desc, step, error, body, extra) in variants.items():
            cases[f"event-{name}-{mutation}"] = _case(event, desc, step, error, body, **extra)
    return cases


def _to_hanoi(payload: dict[str, Any]) -> None:
    """The payload's `at` as the same instant written at Vietnam's +07:00."""
    at = datetime.fromisoformat(msgspec.json.decode(payload["at"]))
    payload["at"] = msgspec.Raw(msgspec.json.encode(at.astimezone(VIETNAM_TZ)))
