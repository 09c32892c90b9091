"""What a publication's human part was made from, so that a republish renders again only what
the new events can change (`awards publish DIR`, projections/publication.py).

Every movement's report and every year's statistics are made at the published checkpoint's
size. Rendering them all again is most of a republish (at a million events, seconds for one
large movement), although most new events change few of them or none. After each render, DIR
holds ``.publication-state``: the tree size each report, and the statistics, were made at; the
SHA-256 of every report and statistics file and of the comment pages, and the day those were
made for; the movement of every participation (aggregate id → movement); and every string the
reports and statistics hold (ids among them). The file sits in DIR, so it is untrusted input like
everything there: it is sealed (HMAC-SHA256 under this user's local key, ledger/localkey.py)
and used only when its seal opens, it names this log, it stands at exactly the size and root of
the checkpoint the publication is continued from, and every file it lists still has its hash.

Each new event (:class:`NewEntries`) is one of:

- *inert*: a checkpoint signature (a kept report names the checkpoint it was made at), or a
  unit or person that no kept file mentions and that hangs below nothing older — a unit added
  at the top (no parent) or below a unit added in the same new events, a person in such a
  unit. It changes no count, name or check any report or statistic shows;
- a *registration* or a *score* of one movement (the registration names it, a score's
  participation is found in the state or among the new registrations): that movement's report
  is made again, and for a registration the statistics too (they count registrations);
- anything else, including a type added later: everything is made again, as on a first run.

A report kept from an earlier checkpoint still names it, a prefix of the published one, which
`awards verify-publication` checks (ledger/verify_publication.py); the index page says which.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from domain.errors import AwardLedgerError
from ledger import codec
from ledger.localkey import LocalKey, local_key
from ledger.publication import file_digest, put_file, read_plain

STATE_FILE = ".publication-state"
SEAL_DOMAIN = b"award-ledger/publication-state/v1\n"
VERSION = 2


class PublicationState(msgspec.Struct, frozen=True):
    """The human part of a publication whose checkpoint has tree size `size` (root `root`,
    hex): its movements, each report made at tree size `made_at[movement]`, the statistics of
    `years` made at `statistics_made_at`; its files with their SHA-256 (hex); the movement of
    each participation (aggregate id → movement id) its reports hold; the comment pages' day
    and files; and every string the reports and statistics hold."""

    version: int
    origin: str
    size: int
    root: str
    movements: list[str]
    made_at: dict[str, int]
    years: list[int]
    statistics_made_at: int
    files: dict[str, str]
    participations: dict[str, str]
    comment_day: str | None
    comment_files: dict[str, str]
    mentioned: list[str]


class _UnitPayload(msgspec.Struct):
    unit_id: str
    parent: str | None = None


class _PersonPayload(msgspec.Struct):
    person_id: str
    unit: str


class _RegisteredPayload(msgspec.Struct):
    movement: str


_UNIT = msgspec.json.Decoder(_UnitPayload)
_PERSON = msgspec.json.Decoder(_PersonPayload)
_REGISTERED = msgspec.json.Decoder(_RegisteredPayload)
_ENCODER = msgspec.json.Encoder(order="deterministic")
_STATE = msgspec.json.Decoder(PublicationState)
_INERT_ALWAYS = frozenset({"Ledger.CheckpointSigned"})


def strings_in(root: Any) -> set[str]:
    """Every string held in `root` (a report or statistics struct, its lists, tuples and
    dicts, keys included): what its JSON shows as strings, but for field names, times and
    dates, which are not ids. Walked without recursion (a report holds deep lists)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or isinstance(item, str):
            found.add(str(item))
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, msgspec.Struct):
            stack.extend(getattr(item, name) for name in item.__struct_fields__)
    return found


class NewEntries:
    """Watches the entries a republish reads past the old checkpoint (see the module
    docstring): whether each is inert against the strings the kept files mention, or a
    registration or score of one movement, or anything else (everything is made again)."""

    def __init__(self) -> None:
        self.count = 0
        self.everything = False  # an entry that may change any report or statistic
        self.registrations = False
        self._units: set[str] = set()
        self._named: set[str] = set()  # the ids the new inert events add
        self._registered: dict[str, str] = {}  # participation aggregate id → movement
        self._scored: set[str] = set()  # participation aggregate ids

    @property
    def inert(self) -> bool:
        """Whether every entry seen so far is inert."""
        return not (self.everything or self._registered or self._scored)

    def see(self, seq: int, entry: bytes) -> None:
        """Note entry `seq` (its stored bytes)."""
        self.count += 1
        if self.everything:
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
            elif kind == "Participation.Registered":
                movement = _REGISTERED.decode(payload).movement
                self._registered[str(body.aggregate)] = movement
                self.registrations = True
                return
            elif kind == "Participation.Scored":
                self._scored.add(str(body.aggregate))
                return
        except (AwardLedgerError, msgspec.DecodeError, UnicodeDecodeError):
            pass
        self.everything = True

    def untouched(self, mentioned: set[str]) -> bool:
        """Whether no entry needs everything made again and no new unit or person has an id
        the kept files mention."""
        return not self.everything and not (self._named & mentioned)

    def movements(self, participations: dict[str, str]) -> set[str] | None:
        """The movements whose reports the registrations and scores seen change, by the
        movement of each participation (`participations`, the state's, and those registered
        here); None when a score is of a participation neither knows."""
        known = {**participations, **self._registered}
        found = set(self._registered.values())
        for aggregate in self._scored:
            movement = known.get(aggregate)
            if movement is None:
                return None
            found.add(movement)
        return found


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
            have = file_digest(root, relative)
        except AwardLedgerError:
            return False
        if have != want:
            return False
    return True


def digests_of(root: Path, names: Iterable[str]) -> dict[str, str]:
    """The SHA-256 (hex) of each file `names` in `root` that is there."""
    found: dict[str, str] = {}
    for relative in names:
        try:
            sha256 = file_digest(root, relative)
        except AwardLedgerError:
            continue
        if sha256 is not None:
            found[relative] = sha256
    return found
