"""Who acts and when: the signer facts a command needs, and the few time and text guards.

The domain never looks a signer up and never reads the clock. The application resolves the
signing key to a registered `Signer`, wraps it in an `Actor` (adding the person the signer *is*,
when it is one, for conflict-of-interest checks) and passes the effective time `at`.

How the application uses this::

    actor = Actor.from_signer(signer, person=person_id_or_none)
    participation.score(movement, "c1", 8.0, "appraisal", scorer=actor, at=at)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from domain.errors import UsageError
from domain.registry import Signer
from domain.text import check_text

# Vietnam has kept UTC+7 without daylight saving since 1975; a fixed offset keeps us I/O-free.
VIETNAM_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Actor:
    """The signer of a command as the domain sees it: name, roles, unit, person, competence."""

    name: str
    roles: frozenset[str] = frozenset()
    unit: str | None = None
    person: str | None = None
    competence: frozenset[str] = frozenset()
    # the competence's effective period (inclusive days; None: open on that side)
    competent_from: date | None = None
    competent_until: date | None = None

    @classmethod
    def from_signer(cls, signer: Signer, person: str | None = None) -> Actor:
        """The actor for a registered signer; `person` is the person id the signer is, if any."""
        return cls(
            name=signer.name,
            roles=signer.roles,
            unit=signer.unit,
            person=person if person is not None else signer.person,
            competence=signer.competence,
            competent_from=signer.competent_from,
            competent_until=signer.competent_until,
        )

    def is_or_belongs_to(self, participant: str) -> bool:
        """True when `participant` is this actor's own person or own unit (rule 6)."""
        return participant in {p for p in (self.person, self.unit) if p is not None}


def require_aware(at: datetime, what: str) -> datetime:
    """Return `at` if it carries a time zone, else raise UsageError naming `what`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(f"{what}: time {at.isoformat()} has no time zone")
    return at


# The times a ledger accepts: wide enough for any record entered from paper, narrow enough that
# converting between zones or adding a day never leaves Python's datetime range (year 1-9999).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def require_in_range(at: datetime, what: str) -> datetime:
    """Return `at` if it lies in 1900-9998 (in UTC), else raise UsageError naming `what`.
    A naive `at` is taken as UTC here (the caller gives it its zone)."""
    try:
        utc = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    except OverflowError:  # year 1 east of UTC, or year 9999 west of it
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise UsageError(f"{what} {at.isoformat()} is out of range: give a time from 1900 to 9998")
    return at


def require_day_in_range(day: date, what: str) -> date:
    """Return `day` if it lies in 1900-9998, else raise UsageError naming `what`."""
    if not EARLIEST.date() <= day < LATEST.date():
        raise UsageError(f"{what} {day.isoformat()} is out of range: give a date from 1900 to 9998")
    return day


def local_date(at: datetime) -> date:
    """The calendar date of `at` in Vietnam (deadlines and decision dates are local dates)."""
    return at.astimezone(VIETNAM_TZ).date()


def require_text(value: str, what: str) -> str:
    """Return `value` stripped if it has any text and no control, bidi or invisible character
    (domain/text.py), else raise UsageError naming `what`."""
    stripped = check_text(value, what).strip()
    if not stripped:
        raise UsageError(f"{what} must not be empty")
    return stripped


def require_unique(values: Sequence[str], what: str) -> list[str]:
    """Return `values` as a list if none repeats, else raise UsageError naming `what`."""
    for value in values:
        if list(values).count(value) > 1:
            raise UsageError(f"{what} {value!r} is given twice")
    return list(values)


def optional_text(value: str | None, what: str) -> str | None:
    """None stays None; otherwise `value` must have text (an empty reason is a usage error)."""
    return None if value is None else require_text(value, what)


def format_time(at: datetime) -> str:
    """The one time format of every line for people: ISO 8601 in Vietnam's time, to the
    second, with its offset (``2020-02-18T09:30:00+07:00``). JSON keeps full precision. A time
    without a zone, or one that cannot be moved to Vietnam's (year 1), is shown as it is."""
    if at.tzinfo is None:
        return at.isoformat(timespec="seconds")
    try:
        return at.astimezone(VIETNAM_TZ).isoformat(timespec="seconds")
    except (OverflowError, ValueError):
        return at.isoformat(timespec="seconds")
