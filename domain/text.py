"""Hostile text: the one list of characters no text field may hold, and how ids stay unique.

A name, reason or id that reaches a terminal raw can forge output: ESC starts a terminal escape
sequence, CR/LF and U+2028/U+2029 start a new (forged) line, bidi controls reorder what is shown
(U+202E makes ``gpj.exe`` look like ``exe.jpg``) and invisible characters make two different
texts look equal. So every free-text field of an event is refused at the door if it holds one
of them (`check_text`), and everything printed for people is escaped anyway (`escape_text`),
because a ledger written before these checks may still hold such text.

Refused (`UNSAFE`): C0 controls U+0000-U+001F (TAB and LF too: fields are one line), DEL
U+007F, C1 controls U+0080-U+009F; the bidi controls U+061C, U+200E, U+200F, U+202A-U+202E,
U+2066-U+2069; the line and paragraph separators U+2028, U+2029; the invisible U+200B (zero
width space), U+2060-U+2064 (word joiner, invisible operators), U+FEFF (byte order mark),
U+FFF9-U+FFFB (interlinear annotation); and lone surrogates (undecodable bytes in arguments).
Allowed: everything else, including Vietnamese letters with their marks, precomposed or
combining, and ZWNJ/ZWJ (U+200C/U+200D), which other scripts need inside words.

Ids (`id_problem`) must also be in Unicode NFC (the CLI and the CSV reader normalise, so ``QĐ``
typed precomposed or decomposed is one id), free of compatibility characters (fullwidth ``Ｐ``
is not ``P``), and written in one script: Latin ``P`` beside Cyrillic ``Р`` would let two
lookalike ids get the same award twice. Digits, marks and ``. _ / -`` belong to no script.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import msgspec

from domain.errors import UsageError

UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Han, kana and hangul are written together (Japanese, older Korean): one group, not a mix.
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}
_CJK = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC"})


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character named so that a person can find it."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def unsafe_char(text: str) -> str | None:
    """The first character of `text` that no text field may hold, or None."""
    found = UNSAFE.search(text)
    return None if found is None else found.group()


def check_text(value: str, what: str) -> str:
    """Return `value` if it holds no control, bidi or invisible character, else UsageError."""
    bad = unsafe_char(value)
    if bad is not None:
        raise UsageError(
            f"{what} contains the control character {describe(bad)}; "
            "text fields must be one line of visible text"
        )
    return value


def escape_text(text: str) -> str:
    """`text` with every refused character shown as an escape (``\\x1b``, ``\\u202e``), so it
    can be printed to a terminal without moving the cursor, starting a line or reordering."""
    if UNSAFE.search(text) is None:  # the common case costs one scan
        return text
    return UNSAFE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def nfc(text: str) -> str:
    """`text` in Unicode Normalization Form C (composed), the form every stored id takes."""
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The script of a letter (LATIN, CYRILLIC, GREEK, CJK, ...); None for anything else."""
    if not unicodedata.category(char).startswith("L"):
        return None
    word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return "CJK" if word in _CJK else word


def id_problem(value: str) -> str | None:
    """Why `value` cannot be an id in Unicode terms (not NFC, compatibility characters, mixed
    scripts, control characters), or None. Pure: the audit can apply it to signed events."""
    bad = unsafe_char(value)
    if bad is not None:
        return f"contains the control character {describe(bad)}"
    if value.isascii():  # NFC and NFKC already, and its letters are all Latin
        return None
    return unicode_problem(value)


def unicode_problem(value: str) -> str | None:
    """`id_problem`'s checks past the control characters, for any string (an ASCII one passes
    them all: tests/domain checks every ASCII character)."""
    if nfc(value) != value:
        return "is not in Unicode NFC form"
    if unicodedata.normalize("NFKC", value) != value:
        odd = next(c for c in value if unicodedata.normalize("NFKC", c) != c)
        return f"contains the compatibility character {describe(odd)}"
    scripts: dict[str, str] = {}
    for char in value:
        script = script_of(char)
        if script is not None:
            scripts.setdefault(script, char)
    if len(scripts) > 1:
        shown = ", ".join(f"{s.lower()} {c!r}" for s, c in sorted(scripts.items()))
        return f"mixes scripts ({shown}); write an id in one script"
    return None


def check_event_text(event: str, fields: Mapping[str, Any], structured: frozenset[str]) -> None:
    """Refuse a new event whose text fields (nested ones too) hold a refused character; the
    fields in `structured` (signed notes, which are multi-line by definition) are skipped."""
    for name, value in fields.items():
        if name not in structured:
            _check_value(value, f"{event} {name}")


def _check_value(value: Any, what: str) -> None:
    if isinstance(value, str):
        check_text(value, what)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_value(item, what)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, what)
            _check_value(item, what)
    elif isinstance(value, msgspec.Struct):
        for field in value.__struct_fields__:
            _check_value(getattr(value, field), f"{what} {field}")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` with its noun in the right number: "1 event", "2 events" (the one helper every
    message and line for people uses)."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
