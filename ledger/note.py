"""C2SP signed notes (c2sp.org/signed-note) and tlog-checkpoints (c2sp.org/tlog-checkpoint).

Owns the text grammar of both, Ed25519 note signing (signature type 0x01), and opening a signed
checkpoint. Parsing (`SignedNote.from_text`, `Checkpoint.from_body`) is kept apart from verifying
(`SignedNote.verify`, `open_checkpoint`). A signed note is::

    <text ending in "\\n">          (signed: the text including its final newline)
    "\\n"                           (the blank separator line, not signed)
    "— " <key name> " " base64(4-byte key id || signature) "\\n"     (one or more)

The text is separated from the signatures by the *last* blank line, so the text may itself
contain blank lines. The whole note is valid UTF-8 with no control characters but newline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import CheckpointError, KeyFileError, MalformedNoteError
from ledger.keys import raw_public_key
from ledger.signing import sign, verify_signature

SIG_PREFIX = "\u2014 "  # EM DASH, SPACE
ALG_ED25519 = 0x01
NOTE_KEY_ID_SIZE = 4
PUBLIC_KEY_SIZE = 32
ROOT_HASH_SIZE = 32
MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100  # C2SP: verifiers must accept at least 16; Go's x/mod/sumdb/note allows 100
MAX_TREE_SIZE = (1 << 64) - 1

_CONTROL_RE = re.compile("[\x00-\x09\x0b-\x1f]")
_SIZE_RE = re.compile("[0-9]+")
_HEX8_RE = re.compile("[0-9a-fA-F]{8}")


def _show(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _is_valid_key_name(name: str) -> bool:
    """Non-empty, no Unicode space (Go's unicode.IsSpace), no '+', no control character."""
    return (
        bool(name)
        and "+" not in name
        and not any(char.isspace() for char in name)
        and _CONTROL_RE.search(name) is None
    )


def _check_key_name(name: str) -> None:
    if not _is_valid_key_name(name):
        raise MalformedNoteError(
            f"note: key name '{_show(name)}' is empty or has a space, '+' or control character"
        )


def _check_text(text: str, what: str) -> None:
    """Require UTF-8-encodable text with no control character but newline."""
    match = _CONTROL_RE.search(text)
    if match is not None:
        raise MalformedNoteError(
            f"{what}: control character U+{ord(match.group()):04X} at offset {match.start()}"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedNoteError(f"{what}: not valid utf-8") from exc


def _b64decode_strict(text: str) -> bytes | None:
    """Decode padded standard base64 (RFC 4648 §4); None unless `text` is its canonical form."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error, or non-ASCII characters in a str
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


def note_key_id(name: str, public_raw: bytes) -> bytes:
    """Return the 4-byte note key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    _check_key_name(name)
    if len(public_raw) != PUBLIC_KEY_SIZE:
        raise KeyFileError(f"public key: expected {PUBLIC_KEY_SIZE} bytes, got {len(public_raw)}")
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_raw)
    return digest.digest()[:NOTE_KEY_ID_SIZE]


def vkey(name: str, public_raw: bytes) -> str:
    """Return the verifier key string ``name+<8 hex key id>+base64(0x01 || public key)``."""
    key_hash = note_key_id(name, public_raw).hex()
    return f"{name}+{key_hash}+{base64.b64encode(bytes([ALG_ED25519]) + public_raw).decode()}"


def parse_vkey(text: str) -> tuple[str, bytes]:
    """Return (key name, 32-byte public key) from a verifier key string. Raises KeyFileError."""
    name, _, rest = text.partition("+")
    key_hash, _, key64 = rest.partition("+")
    key = _b64decode_strict(key64)
    if not _is_valid_key_name(name) or not _HEX8_RE.fullmatch(key_hash) or not key:
        raise KeyFileError(f"verifier key '{_show(text)}' is not name+keyid+base64key")
    if key[0] != ALG_ED25519 or len(key) != 1 + PUBLIC_KEY_SIZE:
        raise KeyFileError(f"verifier key '{_show(text)}' is not an ed25519 key")
    if note_key_id(name, key[1:]).hex() != key_hash.lower():
        raise KeyFileError(f"verifier key '{_show(text)}' has the wrong key id")
    return name, key[1:]


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key id, and the signature bytes (possibly unknown)."""

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.key_id) != NOTE_KEY_ID_SIZE:
            raise MalformedNoteError(f"note: key id has {len(self.key_id)} bytes, want 4")
        if not self.signature:
            raise MalformedNoteError(f"note: signature by key '{self.name}' is empty")

    def to_line(self) -> str:
        """Return the signature line, ending in a newline."""
        return (
            f"{SIG_PREFIX}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"
        )


@dataclass(frozen=True)
class SignedNote:
    """A note text (ending in a newline) and its signatures, in order, duplicates kept."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text, "note")
        if not self.text.endswith("\n"):
            raise MalformedNoteError("note: text does not end in a newline")
        if not self.signatures:
            raise MalformedNoteError("note: no signature lines")
        if len(self.signatures) > MAX_SIGNATURES:
            raise MalformedNoteError(f"note: more than {MAX_SIGNATURES} signatures")

    @classmethod
    def from_text(cls, note: str | bytes) -> SignedNote:
        """Parse a signed note strictly, without verifying anything. Raises MalformedNoteError."""
        try:
            data = note if isinstance(note, bytes) else note.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedNoteError("note: not valid utf-8") from exc
        if len(data) > MAX_NOTE_BYTES:
            raise MalformedNoteError(f"note: larger than {MAX_NOTE_BYTES} bytes")
        try:
            note = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note: not valid utf-8") from exc
        _check_text(note, "note")
        split = note.rfind("\n\n")
        if split < 0:
            raise MalformedNoteError("note: missing blank line before the signatures")
        text, block = note[: split + 1], note[split + 2 :]
        if not block:
            raise MalformedNoteError("note: no signature lines after the blank line")
        if not block.endswith("\n"):
            raise MalformedNoteError("note: last signature line does not end in a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise MalformedNoteError(f"note: more than {MAX_SIGNATURES} signatures")
        return cls(text, tuple(_parse_signature_line(n, line) for n, line in enumerate(lines, 1)))

    def to_text(self) -> str:
        """Return the signed note: text, blank line, one line per signature."""
        return self.text + "\n" + "".join(sig.to_line() for sig in self.signatures)

    def verify(self, name: str, public_raw: bytes) -> None:
        """Check the signatures by key (`name`, `public_raw`); ignore all other keys' signatures.

        Raises CheckpointError if that key signed nothing, SignatureError if any of its
        signature lines does not verify over the text (including its final newline).
        """
        key_id = note_key_id(name, public_raw)
        mine = [sig for sig in self.signatures if sig.name == name and sig.key_id == key_id]
        if not mine:
            raise CheckpointError(f"note: no signature by key '{name}'")
        message = self.text.encode("utf-8")
        for sig in mine:
            verify_signature(public_raw, message, sig.signature, f"note by key '{name}'")


def _parse_signature_line(number: int, line: str) -> NoteSignature:
    if not line.startswith(SIG_PREFIX):
        raise MalformedNoteError(
            f"note: signature line {number} does not start with an em dash and a space"
        )
    name, _, sig64 = line[len(SIG_PREFIX) :].partition(" ")
    if not _is_valid_key_name(name):
        raise MalformedNoteError(f"note: signature line {number} has an invalid key name")
    if not sig64:
        raise MalformedNoteError(f"note: signature line {number} has no signature")
    raw = _b64decode_strict(sig64)
    if raw is None:
        raise MalformedNoteError(f"note: signature line {number} is not canonical base64")
    if len(raw) <= NOTE_KEY_ID_SIZE:
        raise MalformedNoteError(
            f"note: signature line {number} has {len(raw)} bytes, "
            "want a 4-byte key id and a signature"
        )
    return NoteSignature(name, raw[:NOTE_KEY_ID_SIZE], raw[NOTE_KEY_ID_SIZE:])


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> SignedNote:
    """Sign `text` (which must end in a newline) as key `name`. Raises MalformedNoteError."""
    _check_text(text, "note")
    if not text.endswith("\n"):
        raise MalformedNoteError("note: text does not end in a newline")
    key_id = note_key_id(name, raw_public_key(key))
    return SignedNote(text, (NoteSignature(name, key_id, sign(key, text.encode("utf-8"))),))


def add_signature(note: SignedNote, name: str, key: Ed25519PrivateKey) -> SignedNote:
    """Return `note` with a signature by key `name` appended (a cosignature).

    As Go's note.Sign does, an existing signature by the same name and key id is replaced.
    The existing signatures are not verified here.
    """
    key_id = note_key_id(name, raw_public_key(key))
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) != (name, key_id))
    new = NoteSignature(name, key_id, sign(key, note.text.encode("utf-8")))
    return SignedNote(note.text, (*kept, new))


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, RFC 6962 root hash, opaque extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise MalformedNoteError("checkpoint: origin is empty or has a newline")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedNoteError(f"checkpoint: tree size {self.size} does not fit in 64 bits")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise MalformedNoteError(
                f"checkpoint: root hash has {len(self.root_hash)} bytes, want {ROOT_HASH_SIZE}"
            )
        for number, line in enumerate(self.extensions, 1):
            if not line or "\n" in line:
                raise MalformedNoteError(f"checkpoint: extension line {number} is empty")
        _check_text(self.to_body(), "checkpoint")

    def to_body(self) -> str:
        """Return the note text: origin, decimal size, base64 root, extensions; each + "\\n"."""
        root64 = base64.b64encode(self.root_hash).decode("ascii")
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root64, *self.extensions)
        )

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body strictly. Raises MalformedNoteError."""
        _check_text(text, "checkpoint")
        if not text.endswith("\n"):
            raise MalformedNoteError("checkpoint: body does not end in a newline")
        lines = text[:-1].split("\n")
        if not lines[0]:
            raise MalformedNoteError("checkpoint: empty origin line")
        if len(lines) < 2:
            raise MalformedNoteError("checkpoint: missing tree size line")
        if len(lines) < 3:
            raise MalformedNoteError("checkpoint: missing root hash line")
        origin, size_text, root64, *extensions = lines
        size = _parse_tree_size(size_text)
        root = _b64decode_strict(root64)
        if root is None:
            raise MalformedNoteError(f"checkpoint: root hash '{_show(root64)}' is not base64")
        if len(root) != ROOT_HASH_SIZE:
            raise MalformedNoteError(
                f"checkpoint: root hash has {len(root)} bytes, want {ROOT_HASH_SIZE}"
            )
        return cls(origin, size, root, tuple(extensions))


def _parse_tree_size(text: str) -> int:
    if not _SIZE_RE.fullmatch(text):
        raise MalformedNoteError(f"checkpoint: tree size '{_show(text)}' is not a decimal number")
    if len(text) > 1 and text.startswith("0"):
        raise MalformedNoteError(f"checkpoint: tree size '{_show(text)}' has leading zeros")
    if len(text) > len(str(MAX_TREE_SIZE)) or int(text) > MAX_TREE_SIZE:
        raise MalformedNoteError(f"checkpoint: tree size {_show(text)} does not fit in 64 bits")
    return int(text)


def sign_checkpoint(cp: Checkpoint, name: str, key: Ed25519PrivateKey) -> str:
    """Return the whole signed note text of checkpoint `cp`, signed by key `name`."""
    return sign_note(cp.to_body(), name, key).to_text()


def open_checkpoint(
    note_text: str | bytes, origin: str, name: str, public_raw: bytes
) -> Checkpoint:
    """Parse a signed checkpoint, verify its signature by (`name`, `public_raw`), check origin.

    Steps: (1) parse the note, (2) verify the key's signature, (3) parse the body,
    (4) require this ledger's `origin`. Raises MalformedNoteError, CheckpointError,
    SignatureError.
    """
    # (1):
    note = SignedNote.from_text(note_text)
    # (2):
    note.verify(name, public_raw)
    # (3):
    checkpoint = Checkpoint.from_body(note.text)
    # (4):
    if checkpoint.origin != origin:
        raise CheckpointError(
            f"checkpoint: origin '{checkpoint.origin}' is not this ledger's origin '{origin}'"
        )
    return checkpoint
