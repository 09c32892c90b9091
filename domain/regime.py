"""The law in force on a date (a *regime*): its rules, each with its legal citation, as data.

One TOML file per regime ships in the package (`domain/regimes/2003.toml`, `2024.toml`,
`2025.toml`); `domain.regimes.regime_on(day)` picks the one in force on a decision's date
(boundaries 2023-12-31/2024-01-01 and 2025-06-30/2025-07-01). This module holds the pure part:
the `Regime` struct, the strict parser of one file's text, and the checks that the regimes
cover every day exactly once. A movement's rulebook may tighten these rules, never loosen them
(rule `regime`, see `domain.rules`).

File schema (unknown keys are refused, like the rulebook's)::

    id = "2024"                          # the regime's name
    from = 2024-01-01                    # first day in force (omitted: since ever)
    until = 2025-06-30                   # last day in force (omitted: still in force)
    texts = ["Luật ...", "Nghị định ..."]
    [name]  vi = "...", en = "..."
    [rules.RULE]                         # one table per rule name of RULE_NAMES
    citation = "Nghị định 98/2023/NĐ-CP, Điều 30, khoản 7"
    vi = "..."; en = "..."               # the rule in words
    note = "..."                         # optional: where the source is uncertain
    # parameters, by rule:
    # quota:          fighter_base_share (share of advanced_worker per unit and year; omitted: none)
    # review:         default_threshold, quorum, secret_ballot = [...], written_votes,
    #                 [rules.review.thresholds]
    # prerequisites:  base_evidence, ministry_consecutive_base, ministry_scopes,
    #                 national_consecutive_ministry, national_scopes, one_initiative_one_award,
    #                 advanced_collective_share, excellent_collective_share (thresholds of
    #                 members holding advanced_worker), excellent_collective_min_fighters,
    #                 collective_discipline_bar (no member disciplined at this level or above),
    #                 completion_bar (a member disciplined at this level or above in the year
    #                 did not complete their tasks) -- levels of domain/regimes/discipline.toml
    # competence:     abolished_levels = [...], [rules.competence.levels] LEVEL = [kinds]
    #                 (the unit level of the deciding authority -> the kinds it may decide)
    # dossier:        [rules.dossier.documents] GROUP = [document kinds], GROUP being `all`
    #                 (every award kind), `secret_ballot` (the kinds [rules.review] reviews by
    #                 secret ballot) or one award kind of the catalogue; each entry a document
    #                 kind of domain.document.KINDS, or alternatives joined by `|` (one suffices)
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec

from domain.catalogue import KINDS as AWARD_KINDS
from domain.discipline import levels
from domain.document import KINDS as DOCUMENT_KINDS
from domain.errors import MalformedInputError
from domain.rulebook import Share, Threshold, share_from_value, threshold_from_value

RULE_NAMES = (
    "quota",
    "prerequisites",
    "review",
    "deadline",
    "competence",
    "conflict_of_interest",
    "one_award",
    "order",
    "cascade",
    "hold",
    "dossier",
    "public_comment",
    "regime",
)
EVIDENCE = ("initiative", "excellent_completion")
DOSSIER_GROUPS = ("all", "secret_ballot")  # besides award kinds, the keys of a dossier table
SCOPES = ("base", "ministry", "national")


class RuleText(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One rule of a regime in words, with its legal citation."""

    name: str
    citation: str
    vi: str
    en: str
    note: str | None = None


class Regime(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The statutory rules in force from `start` to `end` (inclusive; None: open-ended)."""

    id: str
    name_vi: str
    name_en: str
    start: date | None
    end: date | None
    texts: list[str]
    rules: list[RuleText]
    fighter_quota: Share | None
    default_threshold: Threshold
    thresholds: dict[str, Threshold]
    quorum: Share
    secret_ballot: list[str]
    base_evidence: list[str]
    ministry_consecutive_base: int
    ministry_scopes: list[str]
    national_consecutive_ministry: int
    national_scopes: list[str]
    one_initiative_one_award: bool
    advanced_collective_share: Threshold
    excellent_collective_share: Threshold
    excellent_collective_min_fighters: int
    collective_discipline_bar: str
    completion_bar: str
    competence_levels: dict[str, list[str]]
    abolished_levels: list[str]
    written_votes: bool
    # the documents a dossier needs, by group or award kind (see the module docstring)
    dossier_documents: dict[str, list[str]] = msgspec.field(default_factory=dict)

    def in_force_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def rule(self, name: str) -> RuleText:
        """The rule `name` in words (every rule of RULE_NAMES is present; KeyError otherwise)."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def citation(self, name: str) -> str:
        return self.rule(name).citation

    def threshold_for(self, award: str) -> Threshold:
        return self.thresholds.get(award, self.default_threshold)

    def secret_required(self, award: str) -> bool:
        return award in self.secret_ballot

    def competence_problem(self, level: str | None, award: str) -> str | None:
        """Why an authority whose unit is of `level` may not decide `award` under this regime's
        matrix, or None (a level the matrix does not list is not matched against it)."""
        if level is None:
            return None
        if level in self.abolished_levels:
            return f"authorities of {level} level no longer exist (regime {self.id})"
        allowed = self.competence_levels.get(level)
        if allowed is not None and award not in allowed:
            return (
                f"an authority of {level} level may decide only {', '.join(allowed)} "
                f"(regime {self.id}), not {award}"
            )
        return None

    def required_documents(self, award: str) -> list[str]:
        """The documents a dossier for `award` needs under this regime, in table order, each a
        document kind or alternatives joined by `|`; repeats left out."""
        groups = ["all", *(["secret_ballot"] if self.secret_required(award) else []), award]
        needed = [need for group in groups for need in self.dossier_documents.get(group, [])]
        return list(dict.fromkeys(needed))

    def period(self) -> str:
        start = self.start.isoformat() if self.start else "…"
        end = self.end.isoformat() if self.end else "…"
        return f"{start} – {end}"


def _fail(source: str, key: str, problem: str) -> MalformedInputError:
    return MalformedInputError(f"regime file {source}: key '{key}' {problem}")


def _take(table: dict[str, Any], key: str, kind: type, source: str) -> Any:
    """`table[key]` (removed from it) if it is exactly of `kind` (a TOML datetime is not a
    date, a boolean not an integer), None if absent; MalformedInputError otherwise."""
    value = table.pop(key, None)
    if value is not None and type(value) is not kind:
        raise _fail(source, key, f"has the wrong type: {value!r}")
    return value


def _table(table: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    """The sub-table `table[key]` (removed from it; empty if absent), as a copy."""
    value = table.pop(key, {})
    if not isinstance(value, dict):
        raise _fail(source, key, "must be a table")
    return dict(value)


def _strings(
    table: dict[str, Any], key: str, source: str, allowed: Sequence[str] = ()
) -> list[str]:
    value = table.pop(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, key, "must be a list of strings")
    bad = [v for v in value if allowed and v not in allowed]
    if bad:
        raise _fail(source, key, f"has {bad[0]!r}, not one of {', '.join(allowed)}")
    return list(value)


def _leftover(table: dict[str, Any], path: str, source: str) -> None:
    if table:
        raise _fail(source, f"{path}.{sorted(table)[0]}".lstrip("."), "is not known")


def parse_regime(text: str, source: str) -> Regime:
    """Parse and strictly validate one regime file's text; MalformedInputError names the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MalformedInputError(f"regime file {source} is not valid TOML: {exc}") from exc
    regime_id = _take(data, "id", str, source)
    if not regime_id:
        raise _fail(source, "id", "is required")
    start, end = _take(data, "from", date, source), _take(data, "until", date, source)
    texts = _strings(data, "texts", source)
    name = _table(data, "name", source)
    name_vi, name_en = _take(name, "vi", str, source), _take(name, "en", str, source)
    _leftover(name, "name", source)
    rules_table = _table(data, "rules", source)
    rules, params = [], dict[str, Any]()
    for rule_name in RULE_NAMES:
        table = _table(rules_table, rule_name, source)
        path = f"rules.{rule_name}"
        words = {k: _take(table, k, str, source) for k in ("citation", "vi", "en", "note")}
        if not (words["citation"] and words["vi"] and words["en"]):
            raise _fail(source, path, "needs citation, vi and en")
        rules.append(RuleText(rule_name, **words))
        params.update(_params(rule_name, table, source))
        _leftover(table, path, source)
    _leftover(rules_table, "rules", source)
    _leftover(data, "", source)
    if not (name_vi and name_en):
        raise _fail(source, "name", "needs vi and en")
    return Regime(id=regime_id, name_vi=name_vi, name_en=name_en, start=start, end=end,
                  texts=texts, rules=rules, **params)  # fmt: skip


def _share(table: dict[str, Any], key: str, source: str, parse: Any) -> Any:
    raw = table.pop(key, None)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise _fail(source, key, f"is not valid: {exc}") from exc


def _required(table: dict[str, Any], key: str, source: str, parse: Any) -> Any:
    value = _share(table, key, source, parse)
    if value is None:
        raise _fail(source, key, "is required")
    return value


def _level(table: dict[str, Any], key: str, source: str) -> str:
    """A discipline level of domain/regimes/discipline.toml."""
    value = _take(table, key, str, source)
    if value not in levels():
        raise _fail(source, key, f"must be one of {', '.join(levels())}, got {value!r}")
    return str(value)


def _count(table: dict[str, Any], key: str, source: str) -> int:
    value = table.pop(key, None)
    if type(value) is not int or value < 1:
        raise _fail(source, key, f"must be an integer of at least 1, got {value!r}")
    return value


def _params(rule: str, table: dict[str, Any], source: str) -> dict[str, Any]:
    """The parameters a rule's table carries (see the module docstring)."""
    if rule == "quota":
        return {"fighter_quota": _share(table, "fighter_base_share", source, share_from_value)}
    if rule == "review":
        per_title = _table(table, "thresholds", source)
        thresholds = {
            k: _share(per_title, k, source, threshold_from_value) for k in list(per_title)
        }
        written = table.pop("written_votes", False)
        if not isinstance(written, bool):
            raise _fail(source, "written_votes", "must be true or false")
        default = _share(table, "default_threshold", source, threshold_from_value)
        quorum = _share(table, "quorum", source, share_from_value)
        if default is None or quorum is None:
            raise _fail(source, "rules.review", "needs default_threshold and quorum")
        return {
            "default_threshold": default,
            "thresholds": thresholds,
            "quorum": quorum,
            "secret_ballot": sorted(_strings(table, "secret_ballot", source)),
            "written_votes": written,
        }
    if rule == "prerequisites":
        one = table.pop("one_initiative_one_award", False)
        if not isinstance(one, bool):
            raise _fail(source, "one_initiative_one_award", "must be true or false")
        return {
            "base_evidence": _strings(table, "base_evidence", source, EVIDENCE),
            "ministry_consecutive_base": _count(table, "ministry_consecutive_base", source),
            "ministry_scopes": _strings(table, "ministry_scopes", source, SCOPES),
            "national_consecutive_ministry": _count(table, "national_consecutive_ministry", source),
            "national_scopes": _strings(table, "national_scopes", source, SCOPES),
            "one_initiative_one_award": one,
            "advanced_collective_share": _required(
                table, "advanced_collective_share", source, threshold_from_value
            ),
            "excellent_collective_share": _required(
                table, "excellent_collective_share", source, threshold_from_value
            ),
            "excellent_collective_min_fighters": _count(
                table, "excellent_collective_min_fighters", source
            ),
            "collective_discipline_bar": _level(table, "collective_discipline_bar", source),
            "completion_bar": _level(table, "completion_bar", source),
        }
    if rule == "competence":
        levels = _table(table, "levels", source)
        return {
            "competence_levels": {
                level: _strings(levels, level, source) for level in sorted(levels)
            },
            "abolished_levels": _strings(table, "abolished_levels", source),
        }
    if rule == "dossier":
        return {"dossier_documents": _dossier(_table(table, "documents", source), source)}
    return {}


def _dossier(table: dict[str, Any], source: str) -> dict[str, list[str]]:
    """The dossier table: each key a group or award kind, each entry known document kinds."""
    out = {}
    for group in list(table):
        if group not in DOSSIER_GROUPS and group not in AWARD_KINDS:
            raise _fail(source, f"rules.dossier.documents.{group}",
                        f"is neither {' nor '.join(DOSSIER_GROUPS)} nor an award kind")  # fmt: skip
        needs = _strings(table, group, source)
        for need in needs:
            unknown = [k for k in need.split("|") if k not in DOCUMENT_KINDS]
            if unknown:
                raise _fail(source, f"rules.dossier.documents.{group}",
                            f"has {unknown[0]!r}, not a document kind "
                            f"({', '.join(DOCUMENT_KINDS)})")  # fmt: skip
        out[group] = needs
    return out


def check_coverage(regimes: Sequence[Regime]) -> None:
    """Raise MalformedInputError unless the regimes, in order, cover every day exactly once."""
    for i, regime in enumerate(regimes):
        first, last = i == 0, i == len(regimes) - 1
        if first != (regime.start is None) or last != (regime.end is None):
            raise MalformedInputError(f"regime {regime.id}: only the first may lack 'from' and "
                                      "only the last 'until'")  # fmt: skip
        if not last:
            following = regimes[i + 1]
            if regime.end is None or following.start != regime.end + timedelta(days=1):
                raise MalformedInputError(
                    f"regime {regime.id} ends {regime.end} but {following.id} starts "
                    f"{following.start}: they must meet"
                )
