"""`awards propose|endorse|return|resubmit|forward`, `comment open`, `objection add|resolve` and
`proposal show`: the proposal path (domain/proposal.py) and its working-day clocks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import LedgerContext, json_option, pass_ctx
from cli.inputs import read_input
from cli.inspect_cmd import open_index
from cli.read_check import check_read, check_refused
from cli.render import echo_line, emit_json
from cli.report_cmd import time_travel_options, where_text
from cli.write import Written, write_command
from domain.actor import format_time, local_date
from domain.decision import overrides_from_text
from domain.proposal import CHANNELS, OUTCOMES
from domain.text import counted
from ledger.application import LedgerApp
from ledger.documents import sha256_hex
from ledger.usecases import proposals
from projections import indexed, queries
from projections.proposals import ProposalRow
from projections.stream import Cut

_SHA256 = re.compile(r"[0-9a-f]{64}")
FILE = click.Path(dir_okay=False, path_type=Path)
LEVEL_HELP = "The next level: a unit id, or authority:NAME (the deciding authority)."


def document_hashes(values: tuple[str, ...]) -> list[str]:
    """`--document`: a SHA-256 (lowercase hex) as given, or a file's SHA-256."""
    return [
        v if _SHA256.fullmatch(v) else sha256_hex(read_input(Path(v), "document")) for v in values
    ]


def override_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--override",
        "override_items",
        multiple=True,
        metavar="RULE=REASON",
        help="Acknowledge a broken rule (hold, dossier) with its own reason.",
    )(func)


@click.command("propose")
@click.argument("proposal_id", metavar="ID")
@click.option("--movement", "movement_id", required=True)
@click.option("--award", required=True)
@click.option("--nominee", "nominees", multiple=True, required=True, metavar="P")
@click.option("--to", "to", required=True, metavar="LEVEL", help=LEVEL_HELP)
@click.option("--basis", default=None, metavar="SESSION", help="The council session behind it.")
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="SHA256|FILE",
    help="A dossier document already recorded with 'document add'.",
)
@override_option
@write_command()
def propose(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    proposal_id: str,
    movement_id: str,
    award: str,
    nominees: tuple[str, ...],
    to: str,
    basis: str | None,
    documents: tuple[str, ...],
    override_items: tuple[str, ...],
) -> Written:
    """Propose AWARD for nominees and send the file to its first level (a unit's secretary)."""
    receipt = proposals.make_proposal(
        app,
        key,
        proposal_id,
        movement_id=movement_id,
        award=award,
        nominees=list(nominees),
        to=to,
        basis=basis,
        documents=document_hashes(documents),
        at=at,
        overrides=overrides_from_text(override_items),
    )
    return Written(
        receipt, f"proposal {proposal_id}: {award} for {counted(len(nominees), 'nominee')} to {to}"
    )


@click.command("endorse")
@click.argument("proposal_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="LEVEL", help=LEVEL_HELP)
@override_option
@write_command()
def endorse(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    proposal_id: str,
    to: str,
    override_items: tuple[str, ...],
) -> Written:
    """Endorse proposal ID and forward it to the next level (the level holding it)."""
    receipt = proposals.endorse(
        app, key, proposal_id, to=to, at=at, overrides=overrides_from_text(override_items)
    )
    return Written(receipt, f"proposal {proposal_id} endorsed to {to}")


@click.command("return")
@click.argument("proposal_id", metavar="ID")
@click.option("--reason", required=True)
@write_command()
def return_(
    app: LedgerApp, key: Ed25519PrivateKey, at: datetime | None, proposal_id: str, reason: str
) -> Written:
    """Return proposal ID to the proposing unit with reasons (the level holding it)."""
    receipt = proposals.return_proposal(app, key, proposal_id, reason=reason, at=at)
    return Written(receipt, f"proposal {proposal_id} returned")


@click.command("resubmit")
@click.argument("proposal_id", metavar="ID")
@click.option(
    "--to", "to", default=None, metavar="LEVEL", help="Default: the level that returned it."
)
@click.option("--document", "documents", multiple=True, metavar="SHA256|FILE")
@override_option
@write_command()
def resubmit(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    proposal_id: str,
    to: str | None,
    documents: tuple[str, ...],
    override_items: tuple[str, ...],
) -> Written:
    """Send a returned proposal ID again, with more documents (the proposing unit's secretary)."""
    receipt = proposals.resubmit(
        app,
        key,
        proposal_id,
        to=to,
        documents=document_hashes(documents),
        at=at,
        overrides=overrides_from_text(override_items),
    )
    return Written(receipt, f"proposal {proposal_id} resubmitted")


@click.command("forward")
@click.argument("proposal_id", metavar="ID")
@write_command()
def forward(
    app: LedgerApp, key: Ed25519PrivateKey, at: datetime | None, proposal_id: str
) -> Written:
    """Record that the decision on proposal ID was sent to the proposing unit (the deciding
    authority; its clock: 10 working days from the decision)."""
    receipt = proposals.forward_decision(app, key, proposal_id, at=at)
    return Written(receipt, f"decision on proposal {proposal_id} forwarded")


@click.group("comment")
def comment() -> None:
    """Public comment on a proposal's nominees."""


@comment.command("open")
@click.argument("proposal_id", metavar="ID")
@click.option("--days", required=True, type=int, metavar="N", help="Working days.")
@write_command()
def comment_open(
    app: LedgerApp, key: Ed25519PrivateKey, at: datetime | None, proposal_id: str, days: int
) -> Written:
    """Publish proposal ID's nominees for public comment for N working days (the level
    holding it)."""
    receipt = proposals.open_comment(app, key, proposal_id, days=days, at=at)
    return Written(receipt, f"proposal {proposal_id} open for comment for {days} working days")


@click.group("objection")
def objection() -> None:
    """Objections raised in a public comment, and their resolution."""


@objection.command("add")
@click.argument("proposal_id", metavar="ID")
@click.option("--about", required=True, metavar="P", help="The nominee it is about.")
@click.option("--channel", required=True, help=f"{', '.join(CHANNELS)}.")
@click.option("--document", "path", required=True, type=FILE, metavar="FILE")
@click.option("--hash-only", is_flag=True, help="Record the file's hash alone.")
@write_command()
def objection_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    proposal_id: str,
    about: str,
    channel: str,
    path: Path,
    hash_only: bool,
) -> Written:
    """Record an objection to proposal ID about one nominee (secretary); FILE is kept as a
    dossier document of kind objection. Prints the objection's id (ID-O1, ID-O2, ...)."""
    content = read_input(path, "objection document")
    receipt, oid = proposals.add_objection(
        app,
        key,
        proposal_id,
        content,
        name=path.name,
        about=about,
        channel=channel,
        hash_only=hash_only,
        at=at,
    )
    return Written(receipt, f"objection {oid} about {about}", extra={"objection": oid})


@objection.command("resolve")
@click.argument("objection_id", metavar="OID")
@click.option("--outcome", required=True, help=f"{' or '.join(OUTCOMES)}.")
@click.option("--reason", required=True)
@write_command()
def objection_resolve(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    objection_id: str,
    outcome: str,
    reason: str,
) -> Written:
    """Resolve objection OID: upheld or dismissed, with reasons (secretary or authority)."""
    receipt = proposals.resolve_objection(
        app, key, objection_id, outcome=outcome, reason=reason, at=at
    )
    return Written(receipt, f"objection {objection_id} {outcome}")


@click.group("proposal")
def proposal() -> None:
    """Read a proposal's path."""


@proposal.command("show")
@click.argument("proposal_id", metavar="ID")
@time_travel_options
@json_option
@pass_ctx
def proposal_show(obj: LedgerContext, proposal_id: str, cut: Cut, as_json: bool) -> None:
    """Proposal ID's path: each level, who held the file, when it arrived and was acted on, and
    its working-day clock against the limit (late steps marked); comment and objections."""
    index = open_index(obj, "proposal show", as_json, whole=True)
    check_read(obj, index.check)
    today = local_date(cut.asked or datetime.now(UTC))
    # the proposal's own events on the event index; the ledger view under --appended-before
    answer = indexed.proposal(index, proposal_id, today, cut)
    check_refused(obj, index.problems)
    if answer is None:
        answer = queries.proposal(obj.app, proposal_id, today, cut)
    if as_json:
        emit_json(answer)
        return
    row = answer.proposal
    echo_line(f"proposal {row.proposal}, {where_text(answer.as_of)}; clocks to {today.isoformat()}")
    for line in describe(row):
        echo_line(line)


def describe(row: ProposalRow) -> list[str]:
    """The text lines of `proposal show` (after its heading)."""
    lines = [
        f"  {row.award} in {row.movement} for {', '.join(row.nominees)}; proposed by {row.unit} "
        f"({row.proposer}) {format_time(row.proposed_at)}, seq {row.seq}",
        f"  status {row.status}, " + (
            f"decision {row.decision}" if row.decision else f"with {row.holder}"
        ) + f"; {counted(row.late_steps, 'late step')}",
    ]  # fmt: skip
    lines.append("  step  holder  received  acted  action  by  limit  days  late")
    for n, s in enumerate(row.steps, 1):
        limit = f"{s.limit_days} ({s.limit_step}) to {s.deadline}" if s.deadline else "-"
        if s.note:
            limit = f"{s.limit_days} ({s.limit_step}): {s.note}"
        lines.append(
            "  " + "  ".join(
                str(x)
                for x in (
                    n, s.holder, format_time(s.received),
                    format_time(s.acted) if s.acted else "-", s.action or "pending",
                    s.by or "-", limit, "-" if s.working_days is None else s.working_days,
                    "LATE" if s.late else "-",
                )
            )
        )  # fmt: skip
        if s.reason:
            lines.append(f"        reason: {s.reason}")
    if row.comment is not None:
        c = row.comment
        lines.append(
            f"  public comment: opened {format_time(c.opened)} by {c.by} for "
            f"{counted(c.days, 'working day')}, ends {c.ends.isoformat()}"
        )
    for o in row.objections:
        state = f"{o.outcome} by {o.resolved_by}: {o.reason}" if o.outcome else "unresolved"
        lines.append(
            f"  objection {o.objection} about {o.about} ({o.channel}, SHA-256 {o.sha256[:16]}…): "
            f"{state}"
        )
    return lines


COMMANDS: list[click.Command] = [
    propose,
    endorse,
    return_,
    resubmit,
    forward,
    comment,
    objection,
    proposal,
]
