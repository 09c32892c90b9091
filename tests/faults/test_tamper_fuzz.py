"""Random tampering of the stored rows (SQLite file, PostgreSQL table) never passes the audit.

A base ledger is written once per backend through the real write path: genesis, signers, a
signer later revoked, units, people and two stored checkpoints. An inspector keeps a
checkpoint over *every* row (signed by the operator), so even the last row is covered. Each
hypothesis example copies the base rows into a scratch ledger, applies one mutation with raw
SQL, and runs ``audit(open_ledger(url), checkpoints=[kept])``:

- the untouched copy passes;
- every mutation fails, and what the report says is checked as far as it is sound: a byte
  flip, a topic or version edit is reported first at the mutated event; a swap at the earlier
  of the two; an event inserted from another ledger at its position (signed for the other
  origin); a deletion never before it; a truncated tail by the kept checkpoint, exactly there.
  Topic and version edits leave the leaves (and so the kept checkpoint) intact; every
  mutation of a leaf breaks the kept checkpoint unless the genesis itself is unreadable (then
  the audit stops at event 0).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import open_ledger
from ledger.merkle import MerkleTree, leaf_hash
from ledger.note import Checkpoint, sign_checkpoint
from ledger.usecases import registry
from ledger.verify import AuditReport, Problem, audit
from tests.conftest import ORIGIN, OTHER_ORIGIN, Keys, RawRows, Row, populate
from tests.faults.conftest import (
    assert_clean_failure,
    copy_rows,
    discard,
    in_process,
    insert_row_at,
    run_awards,
    scratch_url,
)

EXAMPLES_PER_KIND = 4  # x 7 kinds = 28 examples per backend


@dataclass(frozen=True)
class Base:
    """The untouched ledger of one backend, and what the mutations draw on."""

    backend: str
    url: str
    rows: list[Row]
    kept: str  # a checkpoint over every row, signed by the operator, kept by an inspector
    foreign: list[Row]  # validly signed rows of a ledger with another origin, ids new to us
    directory: Path

    @property
    def size(self) -> int:
        return len(self.rows)

    def versions_of(self, seq: int) -> set[int]:
        aggregate = self.rows[seq].originator_id
        return {r.originator_version for r in self.rows if r.originator_id == aggregate}


def _write_base(url: str, keys: Keys) -> str:
    """Write the base ledger; return the kept checkpoint over all of it."""
    app = open_ledger(url)
    try:
        populate(app, keys)  # seqs 0-8: genesis, op, sec, U1, P1, P2, checkpoint(8)
        registry.add_signer(app, keys.op, "clerk", keys.public("other"), ["secretary"])  # 9-10
        registry.add_unit(app, keys.other, "U2", "Phòng Hai", "office")  # 11, by clerk
        registry.add_person(app, keys.sec, "P3", "Lê Văn C", "U2", direct_worker=True)  # 12
        registry.revoke_signer(app, keys.op, "clerk", "left the office")  # 13
        registry.sign_new_checkpoint(app, keys.op)  # 14, over 14 events
        tree, _ = app.tree()
        return sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), ORIGIN, keys.op)
    finally:
        app.close()


def _write_foreign(url: str, keys: Keys) -> list[Row]:
    """Another ledger (other origin, same keys); its rows for aggregates ours does not have."""
    app = open_ledger(url)
    try:
        populate(app, keys, OTHER_ORIGIN)
        registry.add_unit(app, keys.sec, "U9", "Đơn vị khác", "office")
        registry.add_person(app, keys.sec, "P9", "Phạm Thị D", "U9")
        registry.add_unit(app, keys.sec, "U8", "Đơn vị tám", "office", parent="U9")
    finally:
        app.close()
    rows = RawRows(url).rows()
    return rows[-3:]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def base(request: pytest.FixtureRequest, session_keys: Keys, module_dir: Path) -> Iterator[Base]:
    backend: str = request.param
    url = scratch_url(backend, module_dir, f"base-{backend}")
    foreign_url = scratch_url("sqlite", module_dir, f"foreign-{backend}")
    try:
        kept = _write_base(url, session_keys)
        foreign = _write_foreign(foreign_url, session_keys)
        ours = {r.originator_id for r in RawRows(url).rows()}
        assert not ours & {r.originator_id for r in foreign}
        yield Base(backend, url, RawRows(url).rows(), kept, foreign, module_dir)
    finally:
        discard(url)
        discard(foreign_url)


@pytest.fixture(scope="module")
def work(base: Base) -> Iterator[Callable[[], str]]:
    """`fresh()`: a scratch ledger holding exactly the base rows, anew for every example."""
    made: list[str] = []

    def fresh() -> str:
        if base.backend == "postgres":  # one schema, its rows reset (no DDL per example)
            url = made[0] if made else scratch_url("postgres", base.directory, "work")
        else:
            url = scratch_url("sqlite", base.directory, f"copy-{uuid.uuid4().hex[:8]}")
        if url not in made:
            made.append(url)
        copy_rows(base.url, url)
        return url

    yield fresh
    for url in made:
        discard(url)


def _audit(url: str, kept: str) -> AuditReport:
    app = open_ledger(url)
    try:
        return audit(app, checkpoints=[kept])
    finally:
        app.close()


def _located(report: AuditReport) -> list[Problem]:
    return [p for p in report.problems if p.seq is not None]


def _kept_checkpoint_fails(report: AuditReport) -> bool:
    """The inspector's checkpoint no longer matches — or the audit stopped at an unreadable
    genesis (then it reports only that: size 0, one problem at event 0)."""
    if report.size == 0:
        return [(p.seq, p.step) for p in report.problems] == [(0, 1)]
    return any(p.step == 7 for p in report.problems)


# -- mutations -------------------------------------------------------------------------------------


class Mutation(Protocol):
    def apply(self, raw: RawRows, base: Base) -> None: ...

    def check(self, report: AuditReport, base: Base) -> None: ...


@dataclass(frozen=True)
class FlipBit:
    seq: int
    offset: int
    bit: int

    def mutated(self, base: Base) -> bytes:
        state = bytearray(base.rows[self.seq].state)
        state[self.offset] ^= 1 << self.bit
        return bytes(state)

    def apply(self, raw: RawRows, base: Base) -> None:
        raw.update_state(self.seq, self.mutated(base))

    def check(self, report: AuditReport, base: Base) -> None:
        assert _located(report)[0].seq == self.seq, report.problems
        assert _kept_checkpoint_fails(report), report.problems


@dataclass(frozen=True)
class EditTopic:
    seq: int
    topic: str

    def apply(self, raw: RawRows, base: Base) -> None:
        raw.update_topic(self.seq, self.topic)

    def check(self, report: AuditReport, base: Base) -> None:
        first = _located(report)[0]
        assert (first.seq, first.step in (1, 2)) == (self.seq, True), report.problems
        assert not any(p.step == 7 for p in report.problems), report.problems  # leaves intact


@dataclass(frozen=True)
class EditVersion:
    seq: int
    version: int

    def apply(self, raw: RawRows, base: Base) -> None:
        raw.update_version(self.seq, self.version)

    def check(self, report: AuditReport, base: Base) -> None:
        first = _located(report)[0]
        assert (first.seq, first.step) == (self.seq, 2), report.problems
        assert "row does not match its signed body" in first.message
        assert not any(p.step == 7 for p in report.problems), report.problems


@dataclass(frozen=True)
class Delete:
    seq: int

    def apply(self, raw: RawRows, base: Base) -> None:
        raw.delete(self.seq)

    def check(self, report: AuditReport, base: Base) -> None:
        assert all(p.seq is not None and p.seq >= self.seq for p in _located(report)), (
            report.problems
        )
        assert _kept_checkpoint_fails(report), report.problems


@dataclass(frozen=True)
class SwapStates:
    a: int
    b: int

    def apply(self, raw: RawRows, base: Base) -> None:
        raw.swap_states(self.a, self.b)

    def check(self, report: AuditReport, base: Base) -> None:
        assert _located(report)[0].seq == min(self.a, self.b), report.problems
        assert _kept_checkpoint_fails(report), report.problems


@dataclass(frozen=True)
class InsertForeign:
    """Put a validly signed event of the other ledger at position `seq` (later rows move up)."""

    seq: int
    foreign: int

    def apply(self, raw: RawRows, base: Base) -> None:
        insert_row_at(raw.location.url, self.seq, base.foreign[self.foreign])

    def check(self, report: AuditReport, base: Base) -> None:
        first = _located(report)[0]
        assert first.seq == self.seq, report.problems
        if self.seq > 0:  # (at 0 it is simply not a genesis)
            assert first.step == 2, report.problems
            assert f"signed for origin '{OTHER_ORIGIN}'" in first.message
        if self.seq < base.size:  # appended: the kept checkpoint's tree is still there
            assert _kept_checkpoint_fails(report), report.problems


@dataclass(frozen=True)
class Truncate:
    keep: int

    def apply(self, raw: RawRows, base: Base) -> None:
        raw.truncate_after(self.keep)

    def check(self, report: AuditReport, base: Base) -> None:
        log = [p for p in report.problems if p.step != 8]
        assert [(p.seq, p.step) for p in log] == [(self.keep, 7)], report.problems
        assert f"truncated after event {self.keep - 1}" in report.problems[0].message
        # the frontier cache, hash tiles and event index of the last write also outlive the
        # cut (step 8)
        assert all(
            "frontier cache" in p.message or "hash tiles" in p.message or "event index" in p.message
            for p in report.problems
            if p.step == 8
        )


# Topics a row may be edited to: other event types, near misses, and random text (prefixed so
# that it can never name a real module, should anything ever resolve topics by importing).
_TOPICS = [
    "Ledger.Initialised",
    "Ledger.CheckpointSigned",
    "Signer.Registered",
    "Signer.Revoked",
    "SignerKey.Claimed",
    "Unit.Added",
    "Person.Added",
    "Person.Addedx",
    "Person",
    "domain.registry:Person.Added",  # the format-1 name of a real type
    "domain.registry:",
    "domain.registry",
    "",
]
_NO_MODULE = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20).map(
    lambda s: f"no-such-module-{s}"
)


def mutations(kind: str, base: Base) -> st.SearchStrategy[Mutation]:
    n = base.size
    seqs = st.integers(0, n - 1)
    if kind == "flip":  # (a flip that breaks UTF-8 has its own test below)
        return seqs.flatmap(
            lambda k: st.builds(
                FlipBit,
                st.just(k),
                st.integers(0, len(base.rows[k].state) - 1),
                st.integers(0, 7),
            )
        ).filter(lambda m: _is_utf8(m.mutated(base)))
    if kind == "topic":  # (the genesis's has its own test below)
        return st.integers(1, n - 1).flatmap(
            lambda k: st.builds(
                EditTopic,
                st.just(k),
                (st.sampled_from(_TOPICS) | _NO_MODULE).filter(lambda t: t != base.rows[k].topic),
            )
        )
    if kind == "version":
        return seqs.flatmap(
            lambda k: st.builds(
                EditVersion,
                st.just(k),
                st.integers(-2, 12).filter(lambda v: v not in base.versions_of(k)),
            )
        )
    if kind == "delete":
        return st.builds(Delete, seqs)
    if kind == "swap":
        return st.lists(seqs, min_size=2, max_size=2, unique=True).map(lambda ab: SwapStates(*ab))
    if kind == "insert":
        return st.builds(InsertForeign, st.integers(0, n), st.integers(0, len(base.foreign) - 1))
    if kind == "truncate":
        return st.builds(Truncate, st.integers(1, n - 1))
    raise AssertionError(kind)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


KINDS = ["flip", "topic", "version", "delete", "swap", "insert", "truncate"]


# -- tests -----------------------------------------------------------------------------------------


def test_untouched_copy_passes(base: Base, work: Callable[[], str]) -> None:
    url = work()
    report = _audit(url, base.kept)
    assert report.ok, report.problems
    expected_root = MerkleTree(leaf_hash(r.state) for r in base.rows).root().hex()
    assert (report.size, report.root, report.checkpoints) == (base.size, expected_root, 3)


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=EXAMPLES_PER_KIND,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_every_mutation_fails_the_audit(
    base: Base, work: Callable[[], str], kind: str, data: st.DataObject
) -> None:
    mutation = data.draw(mutations(kind, base), label="mutation")
    url = work()
    mutation.apply(RawRows(url), base)

    report = _audit(url, base.kept)

    assert not report.ok
    mutation.check(report, base)


CLI_CASES: dict[str, Callable[[Base], tuple[Mutation, int]]] = {
    # a bit of P1's name (seq 6) flipped
    "flip a payload bit": lambda b: (
        FlipBit(6, b.rows[6].state.index("Nguyễn".encode()) + 1, 0),
        6,
    ),
    "insert another ledger's event": lambda b: (InsertForeign(11, 0), 11),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_awards_verify_names_the_tampered_event(
    base: Base, work: Callable[[], str], case: str
) -> None:
    mutation, seq = CLI_CASES[case](base)
    url = work()
    mutation.apply(RawRows(url), base)

    run = run_awards(url, "verify")

    line = assert_clean_failure(run, 4)
    assert re.match(rf"error: verify failed: event {seq}[ :]", line), line


def test_emptied_ledger_fails_verification_against_a_kept_checkpoint(
    base: Base, work: Callable[[], str]
) -> None:
    url = work()
    RawRows(url).truncate_after(0)
    kept = base.directory / f"kept-{base.backend}.txt"
    kept.write_text(base.kept)

    code, _, stderr = in_process(url, "verify", "--checkpoint", kept)

    assert code == 4, stderr


def test_a_flip_that_breaks_utf8_is_reported_not_raised(
    base: Base, work: Callable[[], str]
) -> None:
    url = work()
    at = base.rows[6].state.index("Nguyễn".encode())
    FlipBit(6, at, 7).apply(RawRows(url), base)  # 'N' (0x4e) -> 0xce, a lone lead byte

    report = _audit(url, base.kept)

    assert not report.ok
    assert _located(report)[0].seq == 6


def test_an_edited_genesis_topic_is_reported_not_raised(
    base: Base, work: Callable[[], str]
) -> None:
    url = work()
    EditTopic(0, "Unit.Added").apply(RawRows(url), base)

    report = _audit(url, base.kept)

    assert not report.ok
    assert (_located(report)[0].seq, _located(report)[0].step) == (0, 1)
