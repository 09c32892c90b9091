"""The rulebook file: its TOML schema and the strict parser that turns it into a `Rulebook`.

TOML schema (every key optional; unknown keys, wrong types and shares outside (0, 1] are
rejected with MalformedInputError naming the key). A *share* is a number (0.15), a fraction
string ("2/3") or a percentage string ("30%"); a *threshold* is a share, a string starting with
">" (strictly more than, e.g. ">1/2") or a table {share = 0.9, strict = false}::

    name = "north-central-2019"          # label shown in reports

    [quota]
    fighter_share = 0.30                 # emulation_fighter_base <= share x advanced_worker

    [review]
    quorum = "2/3"                       # members taking part / all members, at least
    threshold = ">1/2"                   # default: yes / all members
    secret_ballot = ["emulation_fighter_ministry", "emulation_fighter_national"]
    [review.thresholds]                  # per award kind
    emulation_fighter_ministry = 0.9

    [deadlines]                          # used when the launch command gives none
    unit = 2019-03-01                    # persons and units
    cluster = 2019-03-10                 # clusters and blocks

    [prerequisites]
    ministry_consecutive_base = 3
    national_consecutive_ministry = 2
    excellent_collective_share = 0.7
    excellent_collective_min_fighters = 1

    [awards]                             # award kinds added in data
    person_titles = []
    collective_titles = []
    forms = []

Every key left out is the statute's: the regime in force on the decision's date (docs/RULES.md).
A value may tighten the statute; one that loosens it is recorded as written but does not change
the law (rule `regime`). The keys `law` and `law_2022_from` of earlier rulebooks are refused:
the law in force is chosen by the decision's date, not by the movement.

The result of `parse_rulebook` is canonical (see `Rulebook.canonical`).

How the application uses this: `movement launch --rules FILE.toml` reads the file and calls
`parse_rulebook(text)`; a MalformedInputError (exit 3) names the offending key.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from typing import Any

from domain.errors import MalformedInputError
from domain.rulebook import (
    DEFAULT_RULEBOOK,
    Rulebook,
    TitleThreshold,
    share_from_value,
    threshold_from_value,
)

_TOKEN = re.compile(r"[a-z][a-z0-9_]{0,63}")


class _Table:
    """One TOML table being read: remembers which keys were used so leftovers are rejected."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.data, self.path, self.used = data, path, set[str]()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str) -> Any:
        self.used.add(name)
        return self.data.get(name)

    def fail(self, name: str, problem: str) -> MalformedInputError:
        return MalformedInputError(f"rulebook key '{self.key(name)}' {problem}")

    def table(self, name: str) -> _Table:
        raw = self.get(name)
        if raw is None:
            return _Table({}, self.key(name))
        if not isinstance(raw, dict):
            raise self.fail(name, "must be a table")
        return _Table(raw, self.key(name))

    def convert(self, name: str, parse: Any) -> Any:
        raw = self.get(name)
        if raw is None:
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            raise self.fail(name, f"is not valid: {exc}") from exc

    def text(self, name: str) -> str | None:
        raw = self.get(name)
        if raw is not None and (not isinstance(raw, str) or not raw.strip()):
            raise self.fail(name, f"must be a non-empty string, got {raw!r}")
        return raw

    def day(self, name: str) -> date | None:
        raw = self.get(name)
        if raw is not None and type(raw) is not date:
            raise self.fail(name, f"must be a date (YYYY-MM-DD), got {raw!r}")
        return raw

    def count(self, name: str, minimum: int) -> int | None:
        raw = self.get(name)
        if raw is not None and (type(raw) is not int or raw < minimum):
            raise self.fail(name, f"must be an integer of at least {minimum}, got {raw!r}")
        return raw

    def tokens(self, name: str) -> list[str] | None:
        raw = self.get(name)
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
            raise self.fail(name, f"must be a list of award kinds, got {raw!r}")
        for token in raw:
            if not _TOKEN.fullmatch(token):
                raise self.fail(name, f"has an invalid award kind {token!r}")
        return list(raw)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise MalformedInputError(f"rulebook key '{self.key(unknown[0])}' is not known")


# A rulebook nests a few levels at most; tomllib parses arrays and inline tables recursively, and
# running it near the recursion limit lets finalizers fail noisily on stderr, so refuse first.
MAX_NESTING = 32


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in TOML `text`, outside strings and comments (a
    linear scan: no recursion, whatever the input)."""
    depth = deepest = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if c == '"' and text[i] == "\\" else 1
            i += len(quote)
            continue
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def parse_rulebook(text: str) -> Rulebook:
    """Parse and strictly validate rulebook TOML; the result is canonical."""
    if nesting_depth(text) > MAX_NESTING:
        raise MalformedInputError("rulebook is not valid TOML: nested too deeply")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MalformedInputError(f"rulebook is not valid TOML: {exc}") from exc
    except RecursionError as exc:  # tomllib parses nested arrays and tables recursively
        raise MalformedInputError("rulebook is not valid TOML: nested too deeply") from exc
    top, fields = _Table(data, ""), dict[str, Any]()

    awards = top.table("awards")
    for key, field in (
        ("person_titles", "extra_person_titles"),
        ("collective_titles", "extra_collective_titles"),
        ("forms", "extra_forms"),
    ):
        kinds = awards.tokens(key)
        builtin = [k for k in kinds or [] if DEFAULT_RULEBOOK.award_category(k) is not None]
        if builtin:
            raise awards.fail(key, f"repeats the built-in award kind {builtin[0]!r}")
        if kinds is not None:
            fields[field] = kinds
    awards.finish()
    catalogue = Rulebook(**fields)

    def known(table: _Table, name: str, kinds: list[str]) -> None:
        for kind in kinds:
            if catalogue.award_category(kind) is None:
                raise table.fail(name, f"names an unknown award kind {kind!r}")

    fields["name"] = top.text("name")
    for key in ("law", "law_2022_from"):
        if top.get(key) is not None:
            raise top.fail(key, "is no longer accepted: the law in force is chosen by the "
                           "decision's date (see docs/RULES.md)")  # fmt: skip

    quota = top.table("quota")
    fields["fighter_quota"] = quota.convert("fighter_share", share_from_value)
    quota.finish()

    review = top.table("review")
    fields["quorum"] = review.convert("quorum", share_from_value)
    fields["default_threshold"] = review.convert("threshold", threshold_from_value)
    secret = review.tokens("secret_ballot")
    if secret is not None:
        known(review, "secret_ballot", secret)
        fields["secret_ballot"] = secret
    per_title = review.table("thresholds")
    thresholds: dict[str, TitleThreshold] = {}
    for award in list(per_title.data):
        known(per_title, award, [award])
        thresholds[award] = TitleThreshold(award, per_title.convert(award, threshold_from_value))
    fields["thresholds"] = list(thresholds.values())
    per_title.finish()
    review.finish()

    deadlines = top.table("deadlines")
    fields["unit_deadline"] = deadlines.day("unit")
    fields["cluster_deadline"] = deadlines.day("cluster")
    deadlines.finish()

    prereq = top.table("prerequisites")
    fields["ministry_consecutive_base"] = prereq.count("ministry_consecutive_base", 1)
    fields["national_consecutive_ministry"] = prereq.count("national_consecutive_ministry", 1)
    fields["excellent_collective_share"] = prereq.convert(
        "excellent_collective_share", share_from_value
    )
    fields["excellent_collective_min_fighters"] = prereq.count(
        "excellent_collective_min_fighters", 0
    )
    prereq.finish()
    top.finish()
    return Rulebook(**{k: v for k, v in fields.items() if v is not None}).canonical()
