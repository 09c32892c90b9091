"""Initiatives (sáng kiến) recognised by the initiative council (Hội đồng xét sáng kiến).

A recognised initiative is evidence for `emulation_fighter_base` (rule 2). Recognising one
creates the `Initiative` and notes it on the person's `RecipientRecord`, the record the
decision checks read, so both go in one atomic save.

How the application uses this::

    initiative, record = recognise_initiative("SK-2019-07", person="P1", name=..., scope="base",
                                              year=2019, at=at, record=record_or_None)
    app.save(initiative, record)    # Initiative.id_for(id) exists -> AlreadyExistsError
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from domain.actor import require_aware, require_text
from domain.base import Aggregate, aggregate_id
from domain.errors import UsageError
from domain.ids import check_id
from domain.register import RecipientRecord

SCOPES = ("base", "ministry", "national")


class Initiative(Aggregate):
    """One recognised initiative of one person."""

    class Recognised(Aggregate.Created, frozen=True, kw_only=True):
        """The initiative council recognised a person's initiative for a year."""

        required_roles: ClassVar[frozenset[str]] = frozenset({"initiative_council"})
        initiative_id: str
        person: str
        name: str
        scope: str
        year: int
        at: datetime

        def apply(self, agg: Initiative) -> None:
            agg.initiative_id, agg.person, agg.name = self.initiative_id, self.person, self.name
            agg.scope, agg.year, agg.recognised_at = self.scope, self.year, self.at

    initiative_id: str
    person: str
    name: str
    scope: str
    year: int
    recognised_at: datetime

    @staticmethod
    def id_for(initiative_id: str) -> UUID:
        return aggregate_id("initiative", initiative_id)

    @classmethod
    def recognise(
        cls, initiative_id: str, *, person: str, name: str, scope: str, year: int, at: datetime
    ) -> Initiative:
        check_id("initiative", initiative_id)
        check_id("person", person)
        subject = f"initiative {initiative_id!r}"
        require_aware(at, subject)
        if scope not in SCOPES:
            raise UsageError(f"{subject}: scope {scope!r} is not one of {', '.join(SCOPES)}")
        if not 1900 <= year <= 9999:
            raise UsageError(f"{subject}: year {year} is not valid")
        return cls._create(
            cls.Recognised,
            id=cls.id_for(initiative_id),
            initiative_id=initiative_id,
            person=person,
            name=require_text(name, f"{subject}: name"),
            scope=scope,
            year=year,
            at=at,
        )


def recognise_initiative(
    initiative_id: str,
    *,
    person: str,
    name: str,
    scope: str,
    year: int,
    at: datetime,
    record: RecipientRecord | None,
) -> tuple[Initiative, RecipientRecord]:
    """Recognise an initiative and note it on the person's record (created if missing)."""
    initiative = Initiative.recognise(
        initiative_id, person=person, name=name, scope=scope, year=year, at=at
    )
    record = RecipientRecord.open_or_check(record, person, "person")
    record.note_initiative(initiative_id, scope, year)
    return initiative, record
