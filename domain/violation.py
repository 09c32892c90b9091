"""A broken rule, as the rule checks report it and decisions sign it (`Decision.Recorded`)."""

from __future__ import annotations

import msgspec


class Violation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One broken rule: its name, what it is about, and one sentence saying why (the regime it
    was judged by is signed beside it, `Decision.Recorded.regime`; citations come from it)."""

    rule: str
    subject: str
    message: str
