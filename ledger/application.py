"""The ledger application: opens a store, authorises and signs writes, reads the log in order.

Every write command is one call of :meth:`LedgerApp.write`: build the touched aggregates, check
that the key belongs to a registered, unrevoked signer holding a role each new event needs, sign
every event in the mapper, and save them in one atomic transaction (retrying on a version
conflict by rebuilding from fresh state). The use cases themselves live in ledger/usecases/.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, PersistenceError
from eventsourcing.utils import get_topic

from domain.base import Aggregate, DomainEvent
from domain.errors import (
    AwardLedgerError,
    ConcurrencyError,
    LedgerNotInitialisedError,
    NotFoundError,
    SignerNotAllowedError,
    StorageError,
)
from domain.registry import Ledger, Signer, SignerKey
from ledger.bindings import check_append
from ledger.cache import Frontier, FrontierCache
from ledger.event_index import IndexStore
from ledger.keys import key_id, raw_public_key
from ledger.mapper import SigningMapper
from ledger.merkle import CompactRange, MerkleTree, leaf_hash
from ledger.reader import Entry, LogReader, to_entry
from ledger.store import (
    APP_NAME,
    LedgerLocation,
    RawRow,
    count_rows,
    count_through,
    create_topic_index,
    ensure_schema,
    notification_id_at,
    parse_location,
    read_only,
    select_aggregate_rows,
    select_rows,
    select_rows_before,
    select_rows_by_ids,
    select_topic_rows,
    sqlite_is_quiescent,
)
from ledger.store import state_bytes as state_bytes  # re-exported: verify reads rows too
from ledger.tiles import TileStore

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")
RETRIES = 5


class WriteReceipt(msgspec.Struct, frozen=True):
    """What a write command hands its actor: the new events' sequence numbers and the tree."""

    seqs: list[int]
    size: int
    root: str


class LedgerApp(Application[UUID]):
    """The signed, verifiable store of award-ledger events."""

    name = APP_NAME
    env: ClassVar[dict[str, str]] = {"MAPPER_TOPIC": get_topic(SigningMapper)}

    def __init__(self, location: LedgerLocation, create: bool = True) -> None:
        """Open the ledger; with `create`, make its tables when missing.

        Without `create` a missing ledger is LedgerNotInitialisedError (read commands never
        leave an empty database behind). On PostgreSQL the tables are created only when
        missing: eventsourcing's CREATE OR REPLACE of its insert function would otherwise
        collide between offices opening the ledger at the same moment.
        """
        self.location = location
        if (
            not create
            and not location.is_postgres
            and not Path(location.env["SQLITE_DBNAME"]).exists()
        ):
            raise LedgerNotInitialisedError(
                f"ledger {location.url!r} is not initialised (no such database)"
            )
        try:
            self._open(location, create)
        except StorageError:
            # A WAL-mode SQLite file in a directory this user cannot write (a read-only
            # mount, an archived copy, an inspector's read-only access) cannot be opened
            # normally: SQLite must create its -shm file beside it. With no -wal file there,
            # no writer is active, so read commands may open it as an immutable file.
            if create or location.is_postgres or not sqlite_is_quiescent(location):
                raise
            self._open(read_only(location), create)
        self.reader = LogReader(self.recorder, location.is_postgres, location.url)
        self._origin: str | None = None
        self._tree = MerkleTree()
        self._leaf_ids: list[int] = []
        self.frontier_cache = FrontierCache(self.recorder, location.is_postgres)
        if create:  # an optimisation only: reads work without it (e.g. ledgers made earlier)
            with contextlib.suppress(StorageError):  # e.g. two offices creating it at once
                self._read(create_topic_index)
            with contextlib.suppress(Exception):  # tiles are rebuilt by a read without it
                TileStore(self.recorder, location.is_postgres).create_table()
            with contextlib.suppress(Exception):  # the index is filled by a read without it
                IndexStore(self.recorder, location.is_postgres).create_table()

    def _open_postgres(self, location: LedgerLocation, create: bool) -> None:
        super().__init__(env={**location.env, "CREATE_TABLE": "n"})
        try:
            self.recorder.max_notification_id()
            return
        except PersistenceError as exc:
            self.close()
            if not create:
                raise LedgerNotInitialisedError(
                    f"ledger {location.url!r} is not initialised (no such database)"
                ) from exc
        for attempt in range(RETRIES):
            try:
                super().__init__(env=location.env)
                return
            except PersistenceError:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.05, 0.2))

    def _open(self, location: LedgerLocation, create: bool) -> None:
        try:
            if create:  # a read command never creates a schema (nor tables: _open_postgres)
                ensure_schema(location)
            if location.is_postgres:
                self._open_postgres(location, create)
            else:
                super().__init__(env=location.env)
        except AwardLedgerError:
            raise
        except Exception as exc:  # sqlite3 / psycopg / eventsourcing errors on open
            raise StorageError(f"ledger {location.url!r}: cannot open: {exc}") from exc

    @property
    def signing_mapper(self) -> SigningMapper:
        mapper = self.mapper
        if not isinstance(mapper, SigningMapper):
            raise TypeError("LedgerApp needs a SigningMapper")
        return mapper

    # -- reading -----------------------------------------------------------------------------

    def entries(self, start_seq: int = 0, after_id: int | None = None) -> Iterator[Entry]:
        """Every stored event in ledger order from `start_seq` (ledger/reader.py)."""
        yield from self.reader.entries(start_seq, after_id)  # a generator: keeps the app open

    def aggregate_rows(self, aggregate_id: UUID, before: int | None = None) -> list[RawRow]:
        """One aggregate's rows in version order (indexed), those below id `before` only."""
        return self._read(select_aggregate_rows, aggregate_id, before)

    def rows_by_ids(self, notification_ids: Sequence[int]) -> list[RawRow]:
        """The rows with these notification ids, in ledger order (indexed; ids with no row are
        left out)."""
        rows: list[RawRow] = []
        ids = sorted(notification_ids)
        for start in range(0, len(ids), 500):  # under every database's parameter limit
            rows.extend(self._read(select_rows_by_ids, ids[start : start + 500]))
        return rows

    def rows_before(self, notification_id: int, limit: int) -> list[RawRow]:
        """Up to `limit` rows just below `notification_id`, in ledger order (indexed)."""
        return self._read(select_rows_before, notification_id, limit)

    def entry_at(self, seq: int) -> Entry | None:
        """The stored event at `seq`, read alone on the index (None if the log is shorter)."""
        notification_id = self.notification_id_of(seq)
        rows = [] if notification_id is None else self.rows_before(notification_id + 1, 1)
        return to_entry(seq, rows[0]) if rows else None

    def entry_of(self, row: RawRow, seq: int | None = None) -> Entry:
        """`row` as an Entry at `seq` (the caller vouches for it), else its seq counted on the
        index (no other row read)."""
        return to_entry(self.count_through(row.id) - 1 if seq is None else seq, row)

    def entry_by_id(self, notification_id: int, seq: int) -> Entry | None:
        """The row with this notification id, as the Entry at `seq` (the caller vouches for
        it), read alone; None when there is no such row."""
        rows = self.rows_before(notification_id + 1, 1)
        return to_entry(seq, rows[0]) if rows and rows[0].id == notification_id else None

    def first_row(self) -> RawRow | None:
        """The row at seq 0 (None for an empty log), read alone."""
        rows = self._read(select_rows, 0, 1)
        return rows[0] if rows else None

    def count_through(self, notification_id: int) -> int:
        """How many rows have a notification id up to `notification_id`: the seq of that row
        plus one. Counted on the database's smallest index, no row sent."""
        return self._read(count_through, notification_id)

    def notification_id_of(self, seq: int) -> int | None:
        """The notification id of the event at `seq` (None if the log is shorter), counted
        on the index."""
        return self._read(notification_id_at, seq)

    def rows_of_topics(self, topics: Sequence[str]) -> list[tuple[int, str, bytes]]:
        """(notification id, topic, state) of every row of these types, in ledger order
        (on the topic index where the ledger has one)."""
        return self._read(select_topic_rows, topics)

    def count_rows(self, start: int, stop: int) -> int:
        """How many rows have a notification id in [start, stop) (counted on the index)."""
        return self._read(count_rows, start, stop)

    def _read(self, select: Callable[..., R], *args: Any) -> R:
        """Run one of ledger/store.py's raw reads; driver errors become StorageError."""
        return self.reader.read(select, *args)

    def is_empty(self) -> bool:
        return self.last_notification_id() is None

    def last_notification_id(self) -> int | None:
        """The highest notification id stored (None: no events). Ids may skip numbers."""
        try:
            last: int | None = self.recorder.max_notification_id()
        except PersistenceError as exc:
            raise StorageError(f"ledger {self.location.url!r}: cannot read: {exc}") from exc
        return last

    @property
    def origin(self) -> str:
        """The origin named at genesis (cached)."""
        if self._origin is None:
            self._origin = self.genesis().origin
        return self._origin

    def genesis(self) -> Ledger:
        if self.is_empty():
            raise LedgerNotInitialisedError(f"ledger {self.location.url!r} is not initialised")
        return self.load(Ledger, Ledger.ID, "ledger genesis")

    def load(self, cls: type[A], aggregate_id: UUID, what: str) -> A:
        """Load an aggregate; NotFoundError naming `what` if it does not exist."""
        try:
            agg: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError as exc:
            raise NotFoundError(f"{what} not found") from exc
        except PersistenceError as exc:
            raise StorageError(f"ledger {self.location.url!r}: cannot read: {exc}") from exc
        if not isinstance(agg, cls):
            raise NotFoundError(f"{what} not found (id holds a {type(agg).__name__})")
        return agg

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Load an aggregate, or None when it does not exist."""
        try:
            return self.load(cls, aggregate_id, "record")
        except NotFoundError:
            return None

    def tree(self) -> tuple[MerkleTree, list[int]]:
        """The Merkle tree over every stored event, and the notification id of each leaf.

        Kept in memory and extended with what was appended since the last call, so a process
        that writes many times reads each event once.
        """
        last_id = self._leaf_ids[-1] if self._leaf_ids else None
        for _, page in self.reader.pages(self._tree.size, after_id=last_id):
            self._tree.extend(leaf_hash(state_bytes(row.state)) for row in page)
            self._leaf_ids.extend(row.id for row in page)
        return self._tree, self._leaf_ids

    # -- writing -----------------------------------------------------------------------------

    def signer_for_key(self, key: Ed25519PrivateKey) -> Signer:
        """The registered signer holding `key`; SignerNotAllowedError if none or revoked."""
        if self.is_empty():
            raise LedgerNotInitialisedError(f"ledger {self.location.url!r} is not initialised")
        public = raw_public_key(key)
        index = self.find(SignerKey, SignerKey.id_for(public))
        if index is None:
            raise SignerNotAllowedError(
                f"key {key_id(public)} is not registered to any signer of this ledger"
            )
        signer = self.load(Signer, Signer.id_for(index.signer), f"signer {index.signer!r}")
        if signer.revoked:
            raise SignerNotAllowedError(
                f"signer {signer.name!r} is revoked ({signer.revoked_reason}) and can sign nothing"
            )
        return signer

    def write(
        self,
        key: Ed25519PrivateKey,
        build: Callable[[Signer], Sequence[Aggregate]],
        signs: type[DomainEvent] | None = None,
    ) -> WriteReceipt:
        """Run one write command atomically; `build` gets the signer and returns the aggregates
        with new events. Retried from scratch if a concurrent writer changed them first.

        `signs` names the command's main event type: a signer without a role for it is refused
        before any domain rule is checked (so the refusal names the missing role)."""
        for attempt in range(RETRIES):
            signer = self.signer_for_key(key)
            if signs is not None:
                check_roles(signer, [signs])
            aggregates = build(signer)
            check_roles(signer, pending_events(aggregates))
            try:
                return self.save_signed(signer.name, key, aggregates)
            except ConcurrencyError:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def save_signed(
        self, signer: str, key: Ed25519PrivateKey, aggregates: Sequence[Aggregate]
    ) -> WriteReceipt:
        """Sign and save the aggregates' pending events in one transaction, once they keep
        every binding of domain/bindings.py (ledger/bindings.py; else nothing is saved)."""
        if self.signing_mapper.origin is None:
            self.signing_mapper.origin = self.origin
        check_append(pending_events(aggregates), signer, self._stored_key)
        try:
            with self.signing_mapper.signing_as(signer, key):
                recordings = self.save(*aggregates)
        except IntegrityError as exc:
            for agg in aggregates:
                agg.collect_events()
            raise ConcurrencyError(
                "write conflict: another writer changed the same records; nothing recorded"
            ) from exc
        except PersistenceError as exc:
            raise StorageError(
                f"ledger {self.location.url!r}: cannot write, nothing recorded: {exc}"
            ) from exc
        return self.receipt_for([r.notification.id for r in recordings])

    def _stored_key(self, name: str) -> bytes | None:
        """The public key of the stored signer `name`, or None if there is none."""
        signer = self.find(Signer, Signer.id_for(name))
        return None if signer is None else signer.public_key

    def receipt_for(self, notification_ids: Sequence[int]) -> WriteReceipt:
        """Where the new events landed, and the tree after them: folds only the rows after the
        cached frontier (ledger/cache.py), so a write costs O(new events). Falls back to a full
        read when the cache is missing, fails its seal, does not end on the row it names, or a
        concurrent writer's cache already covers our rows."""
        folded = getattr(self.recorder, "folded", None)
        if folded is not None:  # folded while the insert held the write or table lock
            receipt = folded(notification_ids)
            if receipt is not None:
                seqs, frontier = receipt
                root = CompactRange.from_hashes(frontier.size, frontier.hashes).root()
                return WriteReceipt(seqs=seqs, size=frontier.size, root=root.hex())
        wanted = set(notification_ids)
        cached = self._valid_frontier()
        receipt = self._fold_receipt(wanted, cached)
        if len(receipt.seqs) < len(wanted) and cached is not None:
            receipt = self._fold_receipt(wanted, None)
        return receipt

    def _valid_frontier(self) -> Frontier | None:
        cached = self.frontier_cache.load()
        if cached is None:
            return None
        try:
            rows = self.recorder.select_notifications(cached.last_id, 1)
        except PersistenceError:
            return None
        if not rows or not cached.ends_at(rows[0].id, bytes(rows[0].state)):
            return None
        return cached

    def _fold_receipt(self, wanted: set[int], cached: Frontier | None) -> WriteReceipt:
        if cached is None:
            compact, last_id, last_hash = CompactRange(), None, b""
        else:
            compact = CompactRange.from_hashes(cached.size, cached.hashes)
            last_id, last_hash = cached.last_id, cached.last_hash
        seqs: list[int] = []
        for entry in self.entries(compact.size, after_id=last_id):
            if entry.notification_id in wanted:
                seqs.append(compact.size)
            last_hash = leaf_hash(entry.state)
            compact.append(last_hash)
            last_id = entry.notification_id
        if last_id is not None:
            frontier = Frontier(compact.size, last_id, last_hash, compact.hashes)
            self.frontier_cache.store(frontier, replace=cached is None)
        return WriteReceipt(seqs=seqs, size=compact.size, root=compact.root().hex())


def pending_events(aggregates: Sequence[Aggregate]) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for agg in aggregates:
        events.extend(e for e in agg.pending_events if isinstance(e, DomainEvent))
    return events


def check_roles(
    signer: Signer, events: Sequence[DomainEvent] | Sequence[type[DomainEvent]]
) -> None:
    """Refuse unless the signer holds a role every event (or event type) requires."""
    for event in events:
        kind = event if isinstance(event, type) else type(event)
        allowed = kind.required_roles
        if not allowed & signer.roles:
            raise SignerNotAllowedError(
                f"signer {signer.name!r} may not sign {kind.__qualname__}: "
                f"needs role {' or '.join(sorted(allowed))}, has {', '.join(sorted(signer.roles))}"
            )


def open_ledger(url: str, create: bool = True) -> LedgerApp:
    """Open the ledger at `url`; with `create` (only `awards init` needs it) make its tables."""
    return LedgerApp(parse_location(url), create=create)
