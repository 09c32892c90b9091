"""docs/FORMAT.md §7 documents every event type exactly as the code writes it.

The tables are generated (tests/vectors/format_tables.py); these tests fail when FORMAT.md and
the code disagree, and walk a real demo ledger to check that every stored type has its section
with the field names its stored payloads carry, in their stored order.
"""

from __future__ import annotations

import json
import re
import sqlite3
from uuid import UUID

import pytest

from demo.build import LEDGER_FILE, build_demo
from domain.base import aggregate_id
from domain.cluster import Cluster
from domain.decision import Decision
from domain.discipline import DisciplineRecord
from domain.document import Document
from domain.events import EVENT_TYPES
from domain.hold import Hold, SubjectHolds
from domain.initiative import Initiative
from domain.movement import Movement
from domain.participation import Participation
from domain.register import AwardRegister, RecipientRecord
from domain.registry import Ledger, Person, Signer, SignerKey, Unit
from domain.session import ReviewSession
from ledger import codec
from tests.vectors import format_tables

FORMAT_MD = format_tables.FORMAT_MD


def documented_types() -> dict[str, list[tuple[str, str]]]:
    """Each `#### \\`Type\\`` section of FORMAT.md §7 and its (field, JSON type) rows, read as
    a stranger would: from the Markdown, not from the generator."""
    text = FORMAT_MD.read_text("utf-8")
    block = text[text.index(format_tables.BEGIN) : text.index(format_tables.END)]
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in block.splitlines():
        heading = re.fullmatch(r"#### `([A-Za-z]+\.[A-Za-z]+)`", line)
        if heading:
            current = sections.setdefault(heading[1], [])
        elif line.startswith("#"):
            current = None
        elif current is not None and (field := re.match(r"\| `([a-z0-9_]+)` \| ([^|]+) \|", line)):
            current.append((field[1], field[2]))
    return sections


def _documented() -> dict[str, list[str]]:
    return {name: [f for f, _ in rows] for name, rows in documented_types().items()}


def test_format_md_tables_are_what_the_code_generates() -> None:
    text = FORMAT_MD.read_text("utf-8")
    regenerated = format_tables.render_format_md(text, format_tables.generated_blocks())
    assert regenerated == text, "docs/FORMAT.md §7 or §14 is stale: run `make vectors`"


def test_every_event_type_has_a_section() -> None:
    assert set(_documented()) == set(EVENT_TYPES)
    for name in EVENT_TYPES:  # §7: ASCII letters and one dot, never a program location
        assert re.fullmatch(r"[A-Z][A-Za-z]*\.[A-Z][A-Za-z]*", name), name


def test_the_bindings_column_takes_a_table_from_outside() -> None:
    tables = format_tables.event_tables({Unit.Added: ["`parent` names an earlier unit"]})
    section = tables[tables.index("#### `Unit.Added`") :]
    assert section.split("####")[1].count("- bindings: `parent` names an earlier unit") == 1


SAMPLES: list[tuple[str, UUID, str]] = [
    ("Ledger", Ledger.ID, "genesis"),
    ("Signer", Signer.id_for("clerk"), "clerk"),
    ("SignerKey", SignerKey.id_for(bytes(range(32))), bytes(range(32)).hex()),
    ("Unit", Unit.id_for("PTCCB"), "PTCCB"),
    ("Person", Person.id_for("P-0001"), "P-0001"),
    ("Cluster", Cluster.id_for("BTB"), "BTB"),
    ("Movement", Movement.id_for("TD-2019"), "TD-2019"),
    ("Participation", Participation.id_for("TD-2019", "P1"), "TD-2019|P1"),
    ("ReviewSession", ReviewSession.id_for("HD-1"), "HD-1"),
    ("Decision", Decision.id_for("1/QĐ"), "1/QĐ"),
    ("Initiative", Initiative.id_for("SK-1"), "SK-1"),
    ("AwardRegister", AwardRegister.id_for("TD-2019"), "TD-2019"),
    ("RecipientRecord", RecipientRecord.id_for("P1"), "P1"),
    ("Document", Document.id_for("ab" * 32), "ab" * 32),
    ("Hold", Hold.id_for("H-1"), "H-1"),
    ("SubjectHolds", SubjectHolds.id_for("P1"), "P1"),
    ("DisciplineRecord", DisciplineRecord.id_for("P1"), "P1"),
]


@pytest.mark.parametrize(("aggregate", "made", "natural"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_the_documented_aggregate_id_rule_is_the_codes(
    aggregate: str, made: UUID, natural: str
) -> None:
    kind, _ = format_tables.AGGREGATES[aggregate]
    assert made == aggregate_id(kind, natural)


def test_samples_cover_every_aggregate() -> None:
    assert {s[0] for s in SAMPLES} == set(format_tables.AGGREGATES)
    assert {name.partition(".")[0] for name in EVENT_TYPES} == set(format_tables.AGGREGATES)


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    out = tmp_path_factory.mktemp("demo")
    build_demo(out)
    with sqlite3.connect(out / LEDGER_FILE) as db:
        rows = db.execute("SELECT topic, state FROM stored_events ORDER BY rowid").fetchall()
    return [(topic, bytes(state)) for topic, state in rows]


def test_every_event_type_in_the_demo_ledger_is_documented_with_its_stored_fields(
    demo_rows: list[tuple[str, bytes]],
) -> None:
    documented = _documented()
    seen: dict[str, list[str]] = {}
    for topic, state in demo_rows:
        body = json.loads(codec.split_entry(state).body)
        assert body["format"] == 2 and body["type"] == topic
        assert topic in documented, f"{topic} has no section in FORMAT.md §7"
        fields = list(body["payload"])
        assert fields == documented[topic], topic  # same names, same (sorted) order
        seen.setdefault(topic, fields)
    assert len(seen) >= 25, sorted(seen)  # the demo writes nearly every type


def test_stored_topics_and_types_are_stable_names(demo_rows: list[tuple[str, bytes]]) -> None:
    for topic, state in demo_rows:
        assert re.fullmatch(r"[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+", topic), topic
        assert b"originator_topic" not in state and b"domain." not in state


def test_payload_datetimes_are_plain_top_level_fields() -> None:
    """The codec checks that every payload datetime is UTC only for plain, top-level datetime
    fields (ledger/codec.py): an optional or nested datetime would need that check extended."""
    tables = format_tables.event_tables()
    events, _, records = tables.partition("### Nested records")
    assert "datetime" not in records
    for line in events.splitlines():
        if "datetime" in line:
            assert re.fullmatch(r"\| `[a-z_]+` \| string: UTC datetime \|  \|", line), line
