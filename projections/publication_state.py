"""What a publication's human part was made from, so that a republish re-renders only what the
new events can change (`awards publish DIR`, projections/publication.py).

Every movement's report and every year's statistics are made at the published checkpoint's
size. Re-rendering them all is most of a republish (at a million events, seconds for one large
movement), although most new events change none of them. After each full render, DIR holds
``.publication-state``: the size and root the human part was made at, the SHA-256 of every
report and statistics file, the day the comment pages were made for, and every string those
files' JSON mentions (ids among them). The file sits in DIR, so it is untrusted input like
everything there: it is sealed (HMAC-SHA256 under this user's local key, ledger/localkey.py)
and used only when its seal opens, it names this log, it stands at exactly the size and root of
the checkpoint the publication is continued from, and every file it lists still has its hash.

A republish keeps every report and statistics file as it is only when each new event is
*inert* (:class:`NewEntries`): a checkpoint signature (a kept report names the checkpoint it was
made at), or a unit, or a person, that no kept file mentions, and that hangs below nothing
older — a unit added at the top (no parent) or below a unit added in the same new events, a
person in such a unit. Such an event changes no count, name or check any report or statistic
shows. Anything else (and any event type not named here, such as one added later) re-renders
the whole human part, as before. A kept report still names its own checkpoint, a prefix of the
published one, which `awards verify-publication` checks (ledger/verify_publication.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from pathlib import Path

import msgspec

from domain.errors import AwardLedgerError
from ledger import codec
from ledger.localkey import LocalKey, local_key
from ledger.publication import put_file, read_plain

STATE_FILE = ".publication-state"
SEAL_DOMAIN = b"award-ledger/publication-state/v1\n"
VERSION = 1


class PublicationState(msgspec.Struct, frozen=True):
    """The human part of a publication: made at tree size `made_at` (root `root`, hex), the
    checkpoint DIR publishes now being `size`; its files with their SHA-256 (hex), the
    movements and statistics years they are of, the comment pages' day, and every string the
    JSON files mention."""

    version: int
    origin: str
    made_at: int
    size: int
    root: str
    movements: list[str]
    years: list[int]
    files: dict[str, str]
    comment_day: str | None
    comment_files: dict[str, str]
    mentioned: list[str]


class _UnitPayload(msgspec.Struct):
    unit_id: str
    parent: str | None = None


class _PersonPayload(msgspec.Struct):
    person_id: str
    unit: str


_UNIT = msgspec.json.Decoder(_UnitPayload)
_PERSON = msgspec.json.Decoder(_PersonPayload)
_ENCODER = msgspec.json.Encoder(order="deterministic")
_STATE = msgspec.json.Decoder(PublicationState)
_STRING = re.compile(rb'"((?:[^"\\]|\\.)*)"')
_INERT_ALWAYS = frozenset({"Ledger.CheckpointSigned"})


def digest(data: bytes) -> str:
    """The SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(data).hexdigest()


def strings_of(document: bytes) -> set[str]:
    """Every string value or key the JSON `document` holds (unescaped)."""
    found: set[str] = set()
    for raw in {match.group(1) for match in _STRING.finditer(document)}:
        try:
            if b"\\" in raw:
                found.add(msgspec.json.decode(b'"' + raw + b'"', type=str))
            else:
                found.add(raw.decode("utf-8"))
        except (msgspec.DecodeError, UnicodeDecodeError):
            continue
    return found


class NewEntries:
    """Watches the entries a republish reads past the old checkpoint: `inert` stays True while
    each is inert (see the module docstring) against the strings the kept files mention."""

    def __init__(self) -> None:
        self.inert = True
        self.count = 0
        self._units: set[str] = set()
        self._named: set[str] = set()  # the ids the new inert events add

    def see(self, seq: int, entry: bytes) -> None:
        """Note entry `seq` (its stored bytes)."""
        self.count += 1
        if not self.inert:
            return
        try:
            body = codec.decode_header(codec.split_raw(entry)[0])
            kind, payload = body.type, bytes(body.payload)
            if kind in _INERT_ALWAYS:
                return
            if kind == "Unit.Added":
                unit = _UNIT.decode(payload)
                if unit.parent is None or unit.parent in self._units:
                    self._units.add(unit.unit_id)
                    self._named.add(unit.unit_id)
                    return
            elif kind == "Person.Added":
                person = _PERSON.decode(payload)
                if person.unit in self._units:
                    self._named.add(person.person_id)
                    return
        except (AwardLedgerError, msgspec.DecodeError, UnicodeDecodeError):
            pass
        self.inert = False

    def untouched(self, mentioned: set[str]) -> bool:
        """Whether every new event was inert and none adds an id the kept files mention."""
        return self.inert and not (self._named & mentioned)


def _seal(key: LocalKey, body: bytes) -> str:
    return key.seal(SEAL_DOMAIN, key.key_id.encode(), body).hex()


def write_state(root: Path, state: PublicationState) -> bool:
    """Write `state`, sealed, into DIR (nothing when there is no local key); True if written."""
    key = local_key()
    if key is None:
        return False
    body = _ENCODER.encode(state)
    seal = f"{key.key_id} {_seal(key, body)}\n".encode()
    return put_file(root, STATE_FILE, body + b"\n" + seal)


def read_state(root: Path, origin: str, size: int, root_hex: str) -> PublicationState | None:
    """DIR's state when its seal opens under this user's local key, it names log `origin` and
    stands at tree size `size` with root `root_hex`, and every file it lists has its hash;
    else None (the caller then renders everything again)."""
    key = local_key(create=False)
    try:
        data = read_plain(root, STATE_FILE)
    except AwardLedgerError:
        return None
    if key is None or data is None or data.count(b"\n") != 2:
        return None
    body, sealed, _ = data.split(b"\n")
    key_id, _, seal = sealed.decode("ascii", "replace").partition(" ")
    if key_id != key.key_id or not hmac.compare_digest(seal, _seal(key, body)):
        return None
    try:
        state = _STATE.decode(body)
    except msgspec.DecodeError:
        return None
    if (state.version, state.origin, state.size, state.root) != (VERSION, origin, size, root_hex):
        return None
    return state if files_hold(root, state.files) else None


def files_hold(root: Path, files: dict[str, str]) -> bool:
    """Whether every file of `files` (path below `root` → SHA-256, hex) has that hash."""
    for relative, want in files.items():
        try:
            have = read_plain(root, relative)
        except AwardLedgerError:
            return False
        if have is None or digest(have) != want:
            return False
    return True


def digests_of(root: Path, names: Iterable[str]) -> dict[str, str]:
    """The SHA-256 (hex) of each file `names` in `root` that is there."""
    found: dict[str, str] = {}
    for relative in names:
        try:
            data = read_plain(root, relative)
        except AwardLedgerError:
            continue
        if data is not None:
            found[relative] = digest(data)
    return found
