"""A save's new rows as the tables beside the log extend by them, worked out once per save.

The recorders (ledger/sqlite_recorder.py, ledger/pg_recorder.py) hand the frontier cache
(ledger/cache.py), the hash tiles (ledger/tiles.py) and the event index (ledger/event_index.py)
one :class:`Inserted`: the rows in ledger order, the row just before them (each table extends
only if it ends there) and, computed on first use, their RFC 6962 leaf hashes. Each table used
to look up the row before and hash the leaves itself: three lookups and two hashings a save.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.merkle import leaf_hash
from ledger.store import RawRow, select_rows_before, state_bytes


class Inserted:
    """Rows `ids` (ascending) with their stored `states`, inserted on a cursor whose
    transaction holds the writers' lock; `before` is the row just below the first (None: they
    are the ledger's first)."""

    __slots__ = ("_leaves", "before", "ids", "states")

    def __init__(self, ids: list[int], states: list[bytes], before: RawRow | None) -> None:
        self.ids, self.states, self.before = ids, states, before
        self._leaves: list[bytes] | None = None

    @classmethod
    def read(
        cls, recorder: Any, postgres: bool, cursor: Any, ids: Sequence[int], states: Sequence[bytes]
    ) -> Inserted | None:
        """The rows just inserted, put in ledger order, and the row before them read on
        `cursor`; None when `ids` and `states` do not pair up (nothing is extended)."""
        if not ids or len(ids) != len(states):
            return None
        ordered = sorted(zip(ids, states, strict=True))
        rows = select_rows_before(recorder, postgres, ordered[0][0], 1, cursor=cursor)
        return cls(
            [row_id for row_id, _ in ordered],
            [state for _, state in ordered],
            rows[0] if rows else None,
        )

    @property
    def before_id(self) -> int | None:
        """The notification id of the row just before the new ones (None: there is none)."""
        return None if self.before is None else self.before.id

    @property
    def before_state(self) -> bytes:
        """The stored bytes of the row just before the new ones (requires one)."""
        assert self.before is not None
        return state_bytes(self.before.state)

    @property
    def leaves(self) -> list[bytes]:
        """The new rows' leaf hashes, SHA-256(0x00 || state), in ledger order."""
        if self._leaves is None:
            self._leaves = list(map(leaf_hash, self.states))
        return self._leaves

    def rows(self) -> list[tuple[int, bytes]]:
        """(notification id, state) of each new row, in ledger order."""
        return list(zip(self.ids, self.states, strict=True))

