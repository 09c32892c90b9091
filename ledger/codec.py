"""The one encoder and decoder of stored bytes: the signed entry every event is stored as.

A stored event's ``state`` is an *entry*::

    entry = body ‖ 0x0A ‖ base64(signature)          (standard base64, padded, 88 characters)
    body  = canonical JSON object, keys in this order:
            {"format":2,"origin":…,"aggregate":…,"version":…,"type":…,"time":…,
             "signer":…,"payload":{…}}
    signature = Ed25519(signer key, SIGNING_PREFIX ‖ body)

``payload`` is the event's own fields with keys sorted (msgspec ``order="deterministic"``).
The Merkle leaf of an event is the whole entry. See docs/FORMAT.md for every byte.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec
from msgspec.structs import asdict

from domain.base import ENVELOPE_FIELDS, CreatedEvent, DomainEvent
from domain.errors import MalformedInputError
from domain.events import aggregate_topic

FORMAT_VERSION = 2
SIGNING_PREFIX = b"award-ledger/event/v1\n"
SIG_LEN = 64
_SIG_B64_LEN = 88
_NEWLINE = ord("\n")
_CANONICAL_LAST = frozenset(b"AQgw")  # base64 digits 0, 16, 32, 48

P = TypeVar("P")

ENCODER = msgspec.json.Encoder(order="deterministic")


class EntryBody(msgspec.Struct, Generic[P], frozen=True, forbid_unknown_fields=True):
    """The signed body of an entry (field order is part of the format)."""

    format: int
    origin: str
    aggregate: UUID
    version: int
    type: str
    time: datetime
    signer: str
    payload: P


class SplitEntry(msgspec.Struct, frozen=True):
    """An entry cut into its body bytes and raw signature, without decoding the body."""

    body: bytes
    signature: bytes


def encode_body(origin: str, event: DomainEvent, topic: str, signer: str) -> bytes:
    """Canonical body bytes of `event` as signed by `signer` in the ledger `origin`."""
    return ENCODER.encode(_body(origin, event, topic, signer))


def _body(origin: str, event: DomainEvent, topic: str, signer: str) -> EntryBody[Any]:
    return EntryBody(
        format=FORMAT_VERSION,
        origin=origin,
        aggregate=event.originator_id,
        version=event.originator_version,
        type=topic,
        time=event.timestamp.astimezone(UTC),
        signer=signer,
        payload={
            name: value.astimezone(UTC) if type(value) is datetime else value
            for name, value in event.payload().items()
        },
    )


def signing_input(body: bytes) -> bytes:
    """The exact bytes an entry's signature covers."""
    return SIGNING_PREFIX + body


def join_entry(body: bytes, signature: bytes) -> bytes:
    """The stored entry for a signed body."""
    return body + b"\n" + base64.b64encode(signature)


def split_entry(entry: bytes) -> SplitEntry:
    """Cut a stored entry at its last newline; raise MalformedInputError if it is not one."""
    body, signature = split_raw(entry)
    return SplitEntry(body=body, signature=signature)


def split_raw(entry: bytes) -> tuple[bytes, bytes]:
    """:func:`split_entry` as a plain (body, signature) pair: the audit's hot loop."""
    cut = len(entry) - _SIG_B64_LEN - 1  # strict base64 holds no newline: this is the last
    if cut < 0 or entry[cut] != _NEWLINE:
        raise MalformedInputError("entry: no signature line after the body")
    try:
        signature = binascii.a2b_base64(entry[cut + 1 :], strict_mode=True)
    except binascii.Error as exc:
        raise MalformedInputError("entry: signature is not valid base64") from exc
    if len(signature) != SIG_LEN:
        raise MalformedInputError(f"entry: signature is {len(signature)} bytes, want {SIG_LEN}")
    # 64 bytes are 86 characters and "==": the last character's 4 spare bits must be zero
    # (the one canonical encoding; strict decoding alone ignores them).
    if entry[-3] not in _CANONICAL_LAST:
        raise MalformedInputError("entry: signature base64 is not canonical")
    return entry[:cut], signature


@cache
def payload_type(event_class: type[DomainEvent]) -> type[msgspec.Struct]:
    """A Struct type with exactly the payload fields of `event_class` (for typed decoding).

    Its fields are sorted by name, so it encodes to the same bytes as the sorted payload
    object an event is signed with: a decoded body re-encodes to itself when canonical."""
    fields: list[tuple[str, Any, Any]] = []
    for info in sorted(msgspec.structs.fields(event_class), key=lambda f: f.name):
        if info.name in ENVELOPE_FIELDS:
            continue
        if info.default is not msgspec.NODEFAULT:
            fields.append((info.name, info.type, info.default))
        elif info.default_factory is not msgspec.NODEFAULT:
            fields.append(
                (info.name, info.type, msgspec.field(default_factory=info.default_factory))
            )
        else:
            fields.append((info.name, info.type))  # type: ignore[arg-type]
    return msgspec.defstruct(
        f"{event_class.__qualname__}.Payload",
        fields,
        frozen=True,
        forbid_unknown_fields=True,
        kw_only=True,
    )


_Zones = Callable[[Any], Any] | None


def _decoder(event_class: type[DomainEvent]) -> tuple[msgspec.json.Decoder[Any], _Zones]:
    """The typed body decoder of `event_class`, and a getter of its payload datetimes' zones
    (one C call: a zone, or a tuple of zones when there are several; None without any)."""
    found = _DECODERS.get(event_class)
    if found is None:
        payload = payload_type(event_class)
        body_type: Any = EntryBody.__class_getitem__(payload)  # type: ignore[attr-defined]
        times = [f"{f.name}.tzinfo" for f in msgspec.structs.fields(payload) if f.type is datetime]
        zones = attrgetter(*times) if times else None
        found = _DECODERS[event_class] = (msgspec.json.Decoder(body_type), zones)
    return found


_DECODERS: dict[type[DomainEvent], tuple[msgspec.json.Decoder[Any], _Zones]] = {}
_GENERIC = msgspec.json.Decoder(EntryBody[msgspec.Raw])


def decode_header(body: bytes) -> EntryBody[msgspec.Raw]:
    """Strictly decode a body without typing its payload (the payload stays raw bytes)."""
    try:
        return _GENERIC.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise MalformedInputError(f"entry body: {exc}") from exc


def decode_body(
    body: bytes, event_class: type[DomainEvent], canonical: bool = True
) -> EntryBody[Any]:
    """Strictly decode a body as `event_class` (its payload as `payload_type`), without
    building the domain event. Raises MalformedInputError.

    With `canonical` (always, when verifying), the body must be the one byte string that
    encodes it: duplicate keys, reordered keys, whitespace, escapes or a time not in UTC
    would let two verifiers read one signature differently. `canonical=False` is for read
    models folding a log the audit checks."""
    decoder, zones = _decoder(event_class)
    decoded = _typed(decoder, event_class.__qualname__, body)
    # msgspec reads "Z" and "+00:00" as timezone.utc itself (and writes "Z"): any other zone,
    # or none, is not UTC; every datetime of a body is UTC (docs/FORMAT.md §5)
    if canonical and (
        decoded.time.tzinfo is not UTC
        or (zones is not None and not _all_utc(zones(decoded.payload)))
        or (ENCODER.encode(decoded) != body and _earlier_form(decoded, event_class) != body)
    ):
        raise MalformedInputError(
            f"entry body ({event_class.__qualname__}) is not in canonical form"
        )
    return decoded


def _typed(decoder: msgspec.json.Decoder[Any], name: str, body: bytes) -> EntryBody[Any]:
    """`body` decoded strictly by the typed `decoder` of event type `name`, in this format."""
    try:
        decoded: EntryBody[Any] = decoder.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise MalformedInputError(f"entry body ({name}): {exc}") from exc
    if decoded.format != FORMAT_VERSION:
        _wrong_format(decoded.format)
    return decoded


@cache
def _earlier_payload_type(event_class: type[DomainEvent]) -> type[msgspec.Struct] | None:
    """The payload type as it was before `event_class.later_fields` were added (None if none)."""
    later = set(event_class.later_fields)
    if not later:
        return None
    payload = payload_type(event_class)
    fields = [(f.name, f.type) for f in msgspec.structs.fields(payload) if f.name not in later]
    return msgspec.defstruct(
        f"{event_class.__qualname__}.EarlierPayload", fields, frozen=True, kw_only=True
    )


def _earlier_form(decoded: EntryBody[Any], event_class: type[DomainEvent]) -> bytes | None:
    """The canonical bytes of a body signed before the event's later fields existed: the same
    body without them, when each holds its default (else None: no such earlier body)."""
    earlier = _earlier_payload_type(event_class)
    if earlier is None:
        return None
    payload, blank = decoded.payload, payload_type(event_class)
    defaults = {f.name: f for f in msgspec.structs.fields(blank)}
    for name in event_class.later_fields:
        info = defaults[name]
        default = info.default if info.default is not msgspec.NODEFAULT else info.default_factory()
        if getattr(payload, name) != default:
            return None
    kept = earlier(**{f: getattr(payload, f) for f in earlier.__struct_fields__})
    return ENCODER.encode(msgspec.structs.replace(decoded, payload=kept))


def _all_utc(zones: Any) -> bool:
    return zones is UTC or (type(zones) is tuple and all(zone is UTC for zone in zones))


def _wrong_format(found: int) -> None:
    if found == 1:
        raise MalformedInputError(
            "entry body: format 1 (an award-ledger before format 2) is not supported; "
            "regenerate the ledger"
        )
    raise MalformedInputError(f"entry body: format {found}, want {FORMAT_VERSION}")


def event_of(decoded: EntryBody[Any], event_class: type[DomainEvent]) -> DomainEvent:
    """The domain event a decoded body (of decode_body with the same class) records."""
    return _builder(event_class)(decoded)


@cache
def _builder(event_class: type[DomainEvent]) -> Callable[[EntryBody[Any]], DomainEvent]:
    """What builds `event_class`'s events from decoded bodies (one per class: every read
    folds this per event)."""
    topic = aggregate_topic(event_class) if issubclass(event_class, CreatedEvent) else None

    def build(decoded: EntryBody[Any]) -> DomainEvent:
        kwargs = asdict(decoded.payload)  # one C call
        if topic is not None:
            kwargs["originator_topic"] = topic
        return event_class(
            originator_id=decoded.aggregate,
            originator_version=decoded.version,
            timestamp=decoded.time,
            **kwargs,
        )

    return build


def read_decoder(
    event_class: type[DomainEvent],
) -> Callable[[bytes], tuple[EntryBody[Any], DomainEvent]]:
    """``decode_event(body, event_class, canonical=False)`` as one closure (what a read model
    folds per event: its layers of calls cost a fifth of the decode)."""
    decode, _ = _decoder(event_class)
    build = _builder(event_class)
    name = event_class.__qualname__

    def read(body: bytes) -> tuple[EntryBody[Any], DomainEvent]:
        decoded = _typed(decode, name, body)
        return decoded, build(decoded)

    return read


def decode_event(
    body: bytes, event_class: type[DomainEvent], canonical: bool = True
) -> tuple[EntryBody[Any], DomainEvent]:
    """Strictly decode a body as `event_class`; return the body and the rebuilt event."""
    decoded = decode_body(body, event_class, canonical)
    return decoded, event_of(decoded, event_class)
