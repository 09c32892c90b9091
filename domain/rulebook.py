"""The rulebook: the configurable rules a movement is launched with, and the award catalogue.

A movement records its `Rulebook` in its signed `Movement.Launched` event, so every rule that
judged a registration, session or decision can be read back later. Shares are exact fractions
(`Share(num, den)`) and every comparison is done in integers: 9 yes of 10 members meets
"at least 90 %", 5 of 10 does not meet "more than half".

Defaults (`DEFAULT_RULEBOOK`): nothing beyond the statute. Quota, thresholds, quorum, secret
ballot and prerequisites are those of the regime in force on the decision's date
(`domain.regimes`, one data file per regime); a rulebook value tightens them, and one that would
loosen them does not change the law (`domain.law`, rule `regime`).

The TOML form and its strict parser live in `domain.rulebook_toml`.

Canonical form: `Rulebook.canonical()` sorts and de-duplicates every list, so equal rules
encode to equal bytes; the ledger hashes the msgspec bytes of the canonical form.

How the application uses this: `DEFAULT_RULEBOOK` (or `rulebook_toml.parse_rulebook(text)`
for `--rules`) goes to `Movement.launch`; `share_from_text` / `threshold_from_text` parse the
`session open --quorum / --threshold` options; `Share`, `Threshold` appear in session events.
"""

from __future__ import annotations

import math
import re
from datetime import date
from fractions import Fraction
from typing import Any

import msgspec

from domain.catalogue import of_category
from domain.errors import UsageError

ADVANCED_WORKER = "advanced_worker"
FIGHTER_BASE = "emulation_fighter_base"
FIGHTER_MINISTRY = "emulation_fighter_ministry"
FIGHTER_NATIONAL = "emulation_fighter_national"
EXCELLENT_COLLECTIVE = "excellent_collective"
# Not a title: the annual rating "hoàn thành xuất sắc nhiệm vụ", decided like an award so that
# it is signed by a competent authority and can be annulled (evidence under the 2022 law).
EXCELLENT_COMPLETION = "excellent_completion"

# The catalogue is data (domain/regimes/catalogue.toml, see `domain.catalogue`).
PERSON_TITLES = of_category("person_title")
COLLECTIVE_TITLES = of_category("collective_title")
FORMS = of_category("form")
RATINGS = of_category("rating")


class Share(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An exact share num/den in (0, 1], in lowest terms."""

    num: int
    den: int

    @classmethod
    def of(cls, value: Fraction) -> Share:
        return cls(value.numerator, value.denominator)

    def at_least(self, part: int, whole: int) -> bool:
        """part / whole >= this share, in integers (False when whole is 0)."""
        return whole > 0 and part * self.den >= self.num * whole

    def allows(self, part: int, whole: int) -> bool:
        """part <= this share of whole, in integers (a ceiling such as a quota)."""
        return part * self.den <= self.num * whole

    def __str__(self) -> str:
        if 100 % self.den == 0:
            return f"{self.num * 100 // self.den} %"
        return f"{self.num}/{self.den}"


class Threshold(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Yes votes as a share of *all* members: at least `share`, or strictly more if `strict`."""

    share: Share
    strict: bool = False

    def met_by(self, yes: int, members: int) -> bool:
        if members <= 0:
            return False
        lhs, rhs = yes * self.share.den, self.share.num * members
        return lhs > rhs if self.strict else lhs >= rhs

    def weaker_than(self, other: Threshold) -> bool:
        mine = Fraction(self.share.num, self.share.den)
        theirs = Fraction(other.share.num, other.share.den)
        return mine < theirs or (mine == theirs and other.strict and not self.strict)

    def __str__(self) -> str:
        return f"{'more than' if self.strict else 'at least'} {self.share}"


class TitleThreshold(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The vote threshold for one award kind."""

    award: str
    threshold: Threshold


class Rulebook(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The movement's configurable rules (see `domain.rulebook_toml` for the TOML schema).

    A rule left None (or a list left empty) is the statute's: the regime in force on the
    decision's date (`domain.regimes`). A value set here may tighten the statute, never loosen
    it (`domain.law`). `law` and `law_2022_from` are read from rulebooks signed before regimes
    were data, and ignored: the law in force is chosen by the decision's date.
    """

    name: str = "default"
    law: str | None = None
    law_2022_from: date = date(2024, 1, 1)
    fighter_quota: Share | None = None
    quorum: Share | None = None
    default_threshold: Threshold | None = None
    thresholds: list[TitleThreshold] = msgspec.field(default_factory=list)
    secret_ballot: list[str] = msgspec.field(default_factory=list)
    unit_deadline: date | None = None
    cluster_deadline: date | None = None
    ministry_consecutive_base: int = 3
    national_consecutive_ministry: int = 2
    excellent_collective_share: Share = Share(7, 10)
    excellent_collective_min_fighters: int = 1
    extra_person_titles: list[str] = msgspec.field(default_factory=list)
    extra_collective_titles: list[str] = msgspec.field(default_factory=list)
    extra_forms: list[str] = msgspec.field(default_factory=list)

    def canonical(self) -> Rulebook:
        """The same rules with every list sorted and de-duplicated (the form that is hashed)."""
        by_award = {t.award: t for t in self.thresholds}
        return msgspec.structs.replace(
            self,
            thresholds=[by_award[a] for a in sorted(by_award)],
            secret_ballot=sorted(set(self.secret_ballot)),
            extra_person_titles=sorted(set(self.extra_person_titles)),
            extra_collective_titles=sorted(set(self.extra_collective_titles)),
            extra_forms=sorted(set(self.extra_forms)),
        )

    def threshold_for(self, award: str) -> Threshold | None:
        """The rulebook's own threshold for `award` (None: the statute's)."""
        for item in self.thresholds:
            if item.award == award:
                return item.threshold
        return self.default_threshold

    def award_category(self, award: str) -> str | None:
        """Category: "person_title", "collective_title", "form", "rating", or None if unknown."""
        if award in PERSON_TITLES or award in self.extra_person_titles:
            return "person_title"
        if award in COLLECTIVE_TITLES or award in self.extra_collective_titles:
            return "collective_title"
        if award in FORMS or award in self.extra_forms:
            return "form"
        if award in RATINGS:
            return "rating"
        return None

    def suits(self, award: str, recipient_kind: str) -> bool:
        """Whether `award` may go to a recipient of `recipient_kind` (person, unit, cluster)."""
        category = self.award_category(award)
        if category == "form":
            return True
        if recipient_kind == "person":
            return category in ("person_title", "rating")
        return category == "collective_title"


DEFAULT_RULEBOOK = Rulebook()


# -- shares and thresholds from text -------------------------------------------------------------


# Plain decimals, a/b and N% only: Fraction("1e999999999") would expand the exponent for ever.
_SHARE_TEXT = re.compile(r"[-+]?[0-9]{1,12}(?:\.[0-9]{1,12})?%?|[-+]?[0-9]{1,12}\s*/\s*[0-9]{1,12}")


def _fraction(raw: Any) -> Fraction:
    """The exact value of a share given as int, float, "a/b", "0.3" or "30%"; ValueError if not."""
    if isinstance(raw, bool):
        raise ValueError("a share must be a number, 'a/b' or 'N%'")
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError("a share must be finite")
        return Fraction(repr(raw))
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > 32 or not _SHARE_TEXT.fullmatch(text):
            raise ValueError("a share must be a number, 'a/b' or 'N%'")
        try:
            if text.endswith("%"):
                return Fraction(text[:-1].strip()) / 100
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError("a share must be a number, 'a/b' or 'N%'") from None
    raise ValueError("a share must be a number, 'a/b' or 'N%'")


def share_from_value(raw: Any) -> Share:
    """A share in (0, 1] from a TOML or text value; ValueError saying what is wrong."""
    value = _fraction(raw)
    if not 0 < value <= 1:
        raise ValueError(f"share {raw!r} is outside (0, 1]")
    return Share.of(value)


def threshold_from_value(raw: Any) -> Threshold:
    """A threshold from a share, a ">share" string or a {share, strict} table; ValueError."""
    strict = False
    if isinstance(raw, dict):
        unknown = sorted(set(raw) - {"share", "strict"})
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} (use share, strict)")
        if "share" not in raw:
            raise ValueError("a threshold table needs a share")
        if not isinstance(raw.get("strict", False), bool):
            raise ValueError("strict must be true or false")
        strict, raw = raw.get("strict", False), raw["share"]
    elif isinstance(raw, str) and raw.strip().startswith(">"):
        text = raw.strip()
        strict = not text.startswith(">=")
        raw = text[1:] if strict else text[2:]
    threshold = Threshold(share_from_value(raw), strict)
    if strict and threshold.share == Share(1, 1):
        raise ValueError("more than 100 % can never be met")
    return threshold


def share_from_text(text: str, what: str) -> Share:
    """Parse a share option ("2/3", "0.9", "90%"), raising UsageError naming `what`."""
    try:
        return share_from_value(text)
    except ValueError as exc:
        raise UsageError(f"{what} {text!r} is not valid: {exc}") from exc


def threshold_from_text(text: str, what: str) -> Threshold:
    """Parse a threshold option ("0.9" = at least, ">1/2" = more than), raising UsageError."""
    try:
        return threshold_from_value(text)
    except ValueError as exc:
        raise UsageError(f"{what} {text!r} is not valid: {exc}") from exc
