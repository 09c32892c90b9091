"""The event-type tables of docs/FORMAT.md §7, generated from the code so they cannot drift.

For every event type of domain/events.py: its stable type name, aggregate id rule, version,
required roles, bindings, and every payload field with its JSON type and default; then every
nested record with its fields in their encoded order. ``make vectors`` rewrites the block
between the markers in docs/FORMAT.md; tests/ledger/test_format_tables.py fails when the file
and the code disagree.

The *bindings* line lists what a payload field must equal (the signer, the body, another
event): the rules of domain/bindings.py (the one table the ledger checks at append, in the
audit and in receipts) and, from :data:`AUDIT_FACTS`, what the audit's other steps check of
that event type.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from domain.base import ENVELOPE_FIELDS, CreatedEvent, DomainEvent
from domain.bindings import BINDINGS
from domain.events import EVENT_TYPES
from domain.registry import Ledger, Signer

FORMAT_MD = Path(__file__).resolve().parents[2] / "docs" / "FORMAT.md"


def begin(block: str) -> str:
    return f"<!-- BEGIN GENERATED {block} (make vectors; do not edit) -->"


def end(block: str) -> str:
    return f"<!-- END GENERATED {block} -->"


BEGIN, END = begin("event-types"), end("event-types")

# Aggregate class -> (kind, natural id): aggregate id = UUIDv5(NAMESPACE, "<kind>:<natural id>")
# (§3). tests/ledger/test_format_tables.py checks each against the aggregate's own id_for.
AGGREGATES: dict[str, tuple[str, str]] = {
    "Ledger": ("ledger", "genesis"),  # the one Ledger aggregate: a constant natural id
    "Signer": ("signer", "signer name"),
    "SignerKey": ("signer-key", "lowercase hex of the 32-byte public key"),
    "Unit": ("unit", "unit id"),
    "Person": ("person", "person id"),
    "Cluster": ("cluster", "cluster id"),
    "Movement": ("movement", "movement id"),
    "Participation": ("participation", "<movement id>|<participant id>"),
    "ReviewSession": ("session", "session id"),
    "Decision": ("decision", "decision number"),
    "Initiative": ("initiative", "initiative id"),
    "Document": ("document", "SHA-256 of the content, lowercase hex"),
    "AwardRegister": ("award-register", "movement id"),
    "RecipientRecord": ("recipient-record", "recipient id (a person or unit id)"),
    "Hold": ("hold", "hold id"),
    "SubjectHolds": ("subject-holds", "subject id (a person or unit id)"),
    "DisciplineRecord": ("discipline-record", "person id"),
}

# What the audit's other steps check of an event type, beyond domain/bindings.py (§12).
AUDIT_FACTS: dict[type[DomainEvent], list[str]] = {
    Ledger.Initialised: [
        "must be seq 0",
        "signed by `operator_key` (its own payload)",
        "`origin` = the body's `origin`",
    ],
    Ledger.CheckpointSigned: [
        "`note` opens with the operator key in force and key name = origin (§9)",
        "`size`, `root_hash` = the note's",
        "`size` ≤ its own seq",
        "`root_hash`, `frontier` = the recomputed tree of `size` leaves (§8)",
    ],
    Ledger.OperatorRotated: ["later checkpoints are signed by `operator_key`"],
    Ledger.CosignaturesAttached: [
        "`note` opens with the operator key in force (§9a)",
        "`size` = the note's size",
    ],
    Signer.Registered: ["registers `name` with `public_key` and `roles` (§12 step 3)"],
    Signer.Revoked: ["revokes the signer of its aggregate from the next event on"],
}

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    bytes: "string: base64 bytes",
    datetime: "string: UTC datetime",
    date: "string: date",
    UUID: "string: UUID",
}


def json_type(tp: Any, records: dict[str, type[msgspec.Struct]]) -> str:
    """How a field of Python type `tp` is written in JSON (§5); collects nested records."""
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return json_type(args[0], records)
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        shown = " or ".join(json_type(a, records) for a in kept)
        return f"{shown} or null" if len(kept) < len(args) else shown
    if origin is list:
        member = json_type(args[0], records)
        return f"array of ({member})" if " or " in member else f"array of {member}"
    if origin is typing.Literal:
        return "string: one of " + ", ".join(f"`{a}`" for a in args)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        records[tp.__name__] = tp
        for info in msgspec.structs.fields(tp):
            json_type(info.type, records)
        return f"object: record `{tp.__name__}`"
    raise TypeError(f"no JSON type documented for {tp!r}")


def _default(info: msgspec.structs.FieldInfo) -> str:
    if info.default is not msgspec.NODEFAULT:
        value = info.default
    elif info.default_factory is not msgspec.NODEFAULT:
        value = info.default_factory()
    else:
        return ""
    return f"`{msgspec.json.encode(value).decode()}`"


def _later(cls: type[DomainEvent], name: str) -> str:
    return " (added later: may be absent, §5)" if name in cls.later_fields else ""


def _fields_table(rows: list[tuple[str, str, str]]) -> list[str]:
    out = ["| field | JSON type | default |", "|---|---|---|"]
    out += [f"| `{name}` | {kind} | {default} |" for name, kind, default in rows]
    return out


def payload_fields(cls: type[DomainEvent]) -> list[msgspec.structs.FieldInfo]:
    """The signed payload fields of an event type, sorted as they are written."""
    fields = [f for f in msgspec.structs.fields(cls) if f.name not in ENVELOPE_FIELDS]
    return sorted(fields, key=lambda f: f.name)


def _event_section(
    name: str, cls: type[DomainEvent], bindings: list[str], records: dict[str, Any]
) -> list[str]:
    aggregate = name.partition(".")[0]
    kind, natural = AGGREGATES[aggregate]
    created = issubclass(cls, CreatedEvent)
    version = "1 (creates the aggregate)" if created else "the aggregate's next version (≥ 2)"
    roles = " or ".join(f"`{role}`" for role in sorted(cls.required_roles))
    rows = [
        (f.name, json_type(f.type, records), _default(f) + _later(cls, f.name))
        for f in payload_fields(cls)
    ]
    out = [
        f"#### `{name}`",
        "",
        f"- aggregate: `{aggregate}`, id from `{kind}:{_natural(natural)}` (§3)",
        f"- version: {version}",
        f"- required roles: {roles}",
        "- bindings: " + ("; ".join(bindings) if bindings else "none beyond §12"),
        "",
    ]
    return out + _fields_table(rows) + [""]


def _natural(natural: str) -> str:
    return natural if natural == "genesis" or natural.startswith("<") else f"<{natural}>"


def _record_section(cls: type[msgspec.Struct], records: dict[str, Any]) -> list[str]:
    rows = [(f.name, json_type(f.type, records), _default(f)) for f in msgspec.structs.fields(cls)]
    return [f"#### record `{cls.__name__}`", "", *_fields_table(rows), ""]


def bindings_of() -> dict[type[DomainEvent], list[str]]:
    """Each event type's bindings as documented: domain/bindings.py's rules (its first rule,
    the aggregate id and version, is the "aggregate" and "version" lines) and AUDIT_FACTS."""
    found: dict[type[DomainEvent], list[str]] = {}
    for cls, binding in BINDINGS.items():
        found[cls] = [f"`{rule}`" for rule in binding.rules()[1:]] + AUDIT_FACTS.get(cls, [])
    return found


def event_tables(bindings: dict[type[DomainEvent], list[str]] | None = None) -> str:
    """The generated Markdown of FORMAT.md §7 (without its markers)."""
    bindings = bindings_of() if bindings is None else bindings
    records: dict[str, Any] = {}
    lines: list[str] = []
    by_aggregate = sorted(EVENT_TYPES.items(), key=lambda item: _order(item[0], item[1]))
    for name, cls in by_aggregate:
        lines += _event_section(name, cls, bindings.get(cls, []), records)
    lines += ["### Nested records", "", "Fields in the order they are written (§5).", ""]
    done: set[str] = set()
    while len(done) < len(records):  # records found while rendering records are added too
        for record in sorted(set(records) - done):
            lines += _record_section(records[record], records)
            done.add(record)
    return "\n".join(lines).rstrip("\n") + "\n"


def _order(name: str, cls: type[DomainEvent]) -> tuple[int, int, str]:
    aggregate = name.partition(".")[0]
    return (list(AGGREGATES).index(aggregate), 0 if issubclass(cls, CreatedEvent) else 1, name)


def render_format_md(text: str, blocks: dict[str, str]) -> str:
    """`text` (FORMAT.md) with each generated block replaced by its new content."""
    for block, content in blocks.items():
        head, found, rest = text.partition(begin(block))
        _, found_end, tail = rest.partition(end(block))
        if not (found and found_end):
            raise ValueError(f"{FORMAT_MD.name}: markers of generated block {block} are missing")
        text = f"{head}{begin(block)}\n\n{content}\n{end(block)}{tail}"
    return text


def generated_blocks(vectors: Path | None = None) -> dict[str, str]:
    """Every generated block of FORMAT.md: §7's tables and §14 from the vectors."""
    from tests.vectors.worked_example import FORMAT_DIR, worked_example

    return {
        "event-types": event_tables(),
        "worked-example": worked_example(FORMAT_DIR if vectors is None else vectors),
    }


def update_format_md(path: Path = FORMAT_MD) -> bool:
    """Rewrite the generated blocks of `path`; True when it changed."""
    text = path.read_text("utf-8")
    new = render_format_md(text, generated_blocks())
    if new != text:
        path.write_text(new, "utf-8")
    return new != text
