"""A named fold the runner can keep current (`ViewSpec`): how its state starts, folds, is
stored and read back, and the version that says when a stored copy is stale.

``fold(state, event, meta) -> state`` must be pure in the sense that matters here: its result
depends only on the state and the event, it reads no clock, database or file, and folding a
prefix then the rest equals folding everything. A fold may update `state` in place and return
it, so that a million events do not cost a million copies.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

import msgspec

from domain.base import DomainEvent
from ledger.mapper import topic_of
from projections.stream import EventMeta

S = TypeVar("S", bound=msgspec.Struct)

# JSON keeps every datetime's own UTC offset (msgpack's timestamps would turn an effective
# time claimed in Vietnam into UTC): a view holding datetimes as such is stored as JSON
_JSON = msgspec.json.Encoder()
_MSGPACK = msgspec.msgpack.Encoder()


@dataclass(frozen=True)
class ViewSpec(Generic[S]):
    """A named fold the runner can keep current: see the module docstring."""

    name: str
    version: str
    state_type: type[S]
    initial: Callable[[], S]
    fold: Callable[[S, DomainEvent, EventMeta], S]
    event_types: tuple[type[DomainEvent], ...]
    # how the state is stored: JSON unless the view says otherwise ("msgpack-zlib": a
    # columnar view keeps its columns as raw bytes in MessagePack, deflated by zlib, level 1:
    # 10.2 MB of columns stored in 1.6 MB; "json-zlib": JSON deflated, encoded a field of the
    # state at a time, so that the whole JSON is never held: the ledger view's 29.5 MB of
    # JSON at 1M events is 4 MB stored); part of the stored version
    codec: str = "json"
    # drops what a fold keeps beside the state and makes again when needed (maps, memoryviews):
    # called before the state is encoded to be stored, so that both are not held at once
    forget: Callable[[S], None] | None = None

    def encode(self, state: S) -> bytes:
        """The state as stored (see `codec`)."""
        if self.codec == "msgpack-zlib":
            return zlib.compress(_MSGPACK.encode(state), 1)
        if self.codec == "json-zlib":
            return _deflated_json(state)
        return _JSON.encode(state)

    def decode(self, data: bytes) -> S:
        """The inverse of `encode`; msgspec.DecodeError if `data` is not a stored state."""
        if self.codec in ("msgpack-zlib", "json-zlib"):
            try:
                data = zlib.decompress(data)
            except zlib.error as exc:
                raise msgspec.DecodeError(f"not a deflated state: {exc}") from exc
        if self.codec == "msgpack-zlib":
            return msgspec.msgpack.decode(data, type=self.state_type)
        return msgspec.json.decode(data, type=self.state_type)

    @cached_property
    def topics(self) -> frozenset[str]:
        return frozenset(topic_of(t) for t in self.event_types)

    @cached_property
    def stored_version(self) -> str:
        """`version` plus a hash of the state's schema: a shape change forces a rebuild."""
        schema = msgspec.json.encode(msgspec.json.schema(self.state_type), order="sorted")
        codec = "" if self.codec == "json" else f"+{self.codec}"
        return f"{self.version}{codec}:{hashlib.sha256(schema).hexdigest()[:16]}"


def _deflated_json(state: msgspec.Struct) -> bytes:
    """``zlib.compress(_JSON.encode(state), 1)`` made a field of `state` at a time: the same
    JSON object, member by member, each deflated as it is encoded and dropped."""
    deflate = zlib.compressobj(1)
    out = [deflate.compress(b"{")]
    for n, field in enumerate(state.__struct_fields__):
        name = (b"," if n else b"") + _JSON.encode(field) + b":"
        out.append(deflate.compress(name))
        out.append(deflate.compress(_JSON.encode(getattr(state, field))))
    out.append(deflate.compress(b"}"))
    out.append(deflate.flush())
    return b"".join(out)
