"""The catalogue of award kinds: id, category and Vietnamese and English names, as data.

The kinds live in `domain/regimes/catalogue.toml` (shipped with the package and read once with
importlib.resources, like the regime files); a movement's rulebook may add more (`[awards]`).
Parsing is strict: a kind needs a category of CATEGORIES and both names.

How the domain uses this: `domain.rulebook` builds its category tuples from `KINDS`; reports
name kinds with `KINDS[kind].vi` / `.en`.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import msgspec

from domain.errors import MalformedInputError

CATEGORIES = ("person_title", "collective_title", "form", "rating")


class Kind(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One award kind of the catalogue."""

    category: str
    vi: str
    en: str
    public_comment: bool = False  # its nominees go to public comment before the decision


def parse_catalogue(text: str) -> dict[str, Kind]:
    """The kinds of a catalogue file's text, in file order; MalformedInputError names the kind."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MalformedInputError(f"award catalogue is not valid TOML: {exc}") from exc
    kinds = {}
    for kind_id, raw in data.items():
        try:
            kind = msgspec.convert(raw, Kind)
        except msgspec.ValidationError as exc:
            raise MalformedInputError(f"award catalogue: kind {kind_id!r}: {exc}") from exc
        if kind.category not in CATEGORIES or not (kind.vi and kind.en):
            raise MalformedInputError(
                f"award catalogue: kind {kind_id!r} needs a category of "
                f"{', '.join(CATEGORIES)} and both names"
            )
        kinds[kind_id] = kind
    return kinds


KINDS = parse_catalogue(
    resources.files("domain").joinpath("regimes", "catalogue.toml").read_text(encoding="utf-8")
)


def of_category(category: str) -> tuple[str, ...]:
    return tuple(k for k, kind in KINDS.items() if kind.category == category)


def needs_public_comment(award: str) -> bool:
    """Whether the catalogue puts `award`'s nominees to public comment before a decision
    (a kind only a rulebook adds: no)."""
    kind = KINDS.get(award)
    return kind is not None and kind.public_comment
