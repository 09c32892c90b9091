"""The one text guard (domain/text.py): refused characters, escaping for output, and ids that
must be NFC, free of compatibility characters and in one script."""

from __future__ import annotations

import re
import unicodedata

import pytest

from domain.errors import UsageError
from domain.ids import check_id
from domain.registry import Person, Unit
from domain.text import check_text, escape_text, id_problem, unicode_problem, unsafe_char

HOSTILE = {
    "escape": "\x1b[2J",
    "newline": "A\nforged line",
    "carriage return": "A\roverwrite",
    "tab": "A\tB",
    "nul": "A\x00",
    "delete": "A\x7f",
    "c1 csi": "A\x9b2J",
    "next line": "A\x85B",
    "right-to-left override": "abc\u202egpj.exe",
    "left-to-right mark": "A\u200e",
    "arabic letter mark": "A\u061c",
    "first strong isolate": "A\u2068B\u2069",
    "line separator": "A\u2028B",
    "paragraph separator": "A\u2029B",
    "zero width space": "A\u200bB",
    "word joiner": "A\u2060B",
    "byte order mark": "A\ufeffB",
    "lone surrogate": "A\udcff",
}

VIETNAMESE = [
    "Nguyễn Thị Ánh Tuyết",
    unicodedata.normalize("NFD", "Đặng Văn Hưởng"),  # combining marks are letters' marks
    "Phòng 1, Vụ Tổng hợp (Hà Nội) — 50% «đạt»",
    "क्‍ष",  # ZWJ inside an Indic word stays allowed
]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_check_text_refuses_every_hostile_character(text: str) -> None:
    with pytest.raises(UsageError, match=r"^unit 'U9': name contains the control character U\+"):
        check_text(text, "unit 'U9': name")


@pytest.mark.parametrize("text", VIETNAMESE)
def test_check_text_keeps_vietnamese_text_as_is(text: str) -> None:
    assert check_text(text, "name") == text
    assert escape_text(text) == text


def test_the_refusal_names_the_character() -> None:
    with pytest.raises(UsageError) as caught:
        check_text("abc\u202edef", "reason")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in str(caught.value)
    with pytest.raises(UsageError) as caught:
        check_text("a\x1bb", "reason")
    assert "U+001B (ESCAPE)" in str(caught.value)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_escape_text_leaves_no_hostile_character(text: str) -> None:
    escaped = escape_text(text)
    assert unsafe_char(escaped) is None
    assert "\\" in escaped


def test_escape_text_shows_what_was_there() -> None:
    assert escape_text("\x1b[2J\nx\u202e") == "\\x1b[2J\\x0ax\\u202e"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("P\u0420-1", "mixes scripts"),  # Latin P, Cyrillic Er
        ("\u0391B1", "mixes scripts"),  # Greek Alpha, Latin B
        ("QĐ-\u0394", "mixes scripts"),
        (unicodedata.normalize("NFD", "QĐ-Ủ1"), "not in Unicode NFC"),
        ("\uff30A-1", "compatibility character U+FF30"),  # fullwidth P
    ],
)
def test_id_problem_names_lookalikes(value: str, problem: str) -> None:
    found = id_problem(value)
    assert found is not None and problem in found
    with pytest.raises(UsageError, match=re.escape(problem)):
        check_id("person", value)


@pytest.mark.parametrize(
    "value", ["QĐ-123/2020", "P1", "\u0420\u0415-1", "ΑΒ-2", "東京-1", "ひら-カタ-漢", "Ủ_1.2"]
)
def test_single_script_ids_pass(value: str) -> None:
    assert id_problem(value) is None
    assert check_id("person", value) == value


def test_a_new_event_with_a_hostile_text_field_is_refused_even_without_a_field_check() -> None:
    unit = Unit.add("U9", "Phòng Chín", "department", None)
    with pytest.raises(UsageError, match="person 'P9': name contains the control character"):
        Person.add("P9", "A\x1b[2J", unit, None, False)
    with pytest.raises(UsageError, match=r"Unit\.Added name contains the control character"):
        Unit._create(  # the event-level backstop, below every field check
            Unit.Added,
            id=Unit.id_for("U8"),
            unit_id="U8",
            name="x\u202e",
            level="department",
            parent=None,
        )


def test_every_ascii_id_passes_the_unicode_checks_the_short_cut_skips() -> None:
    # id_problem stops at the control-character check for an ASCII string: every ASCII
    # character it lets through must pass the NFC, NFKC and one-script checks too
    allowed = [chr(c) for c in range(128) if unsafe_char(chr(c)) is None]
    assert len(allowed) == 95  # the printable ones and the space
    for char in allowed:
        assert unicode_problem(char) is None, repr(char)
        assert unicode_problem(f"Ab{char}9z") is None, repr(char)
    assert unicode_problem("".join(allowed)) is None
    # and the checks it skips are real: a non-ASCII id still gets them
    assert id_problem("Aα") is not None and id_problem("ﬁ") is not None
