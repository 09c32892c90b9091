"""`awards movement launch`, `register`, `score`, `initiative recognize`, `cluster form|pact`."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import parse_date
from cli.inputs import read_input_text
from cli.write import Written, write_command
from domain.decision import overrides_from_text
from domain.errors import UsageError
from domain.movement import parse_criteria_csv
from domain.rulebook import DEFAULT_RULEBOOK
from domain.rulebook_toml import parse_rulebook
from ledger.application import LedgerApp
from ledger.usecases import workflow

# -- movement launch ----------------------------------------------------------------------------


@click.group("movement")
def movement() -> None:
    """Launch emulation movements (secretary)."""


@movement.command("launch")
@click.argument("movement_id", metavar="ID")
@click.option("--name", required=True)
@click.option("--start", required=True, metavar="DATE")
@click.option("--end", required=True, metavar="DATE")
@click.option("--deadline", default=None, metavar="DATE", help="Registration deadline (units).")
@click.option("--cluster-deadline", default=None, metavar="DATE", help="For clusters, blocks.")
@click.option(
    "--criteria",
    "criteria_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV id,name,max_points,weight.",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rulebook TOML (quota, thresholds, deadlines, ...).",
)
@click.option("--theme", default="")
@click.option("--kind", default="regular", show_default=True, help="regular or thematic.")
@click.option("--formula", default="weighted_sum", show_default=True)
@write_command()
def movement_launch(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    movement_id: str,
    name: str,
    start: str,
    end: str,
    deadline: str | None,
    cluster_deadline: str | None,
    criteria_path: Path | None,
    rules_path: Path | None,
    theme: str,
    kind: str,
    formula: str,
) -> Written:
    """Launch movement ID; its criteria, formula and rules are fixed and hashed."""
    criteria = []
    if criteria_path:
        criteria = parse_criteria_csv(read_input_text(criteria_path, "criteria file"))
    rulebook = DEFAULT_RULEBOOK
    if rules_path:
        rulebook = parse_rulebook(read_input_text(rules_path, "rulebook"))
    result = workflow.launch_movement(
        app,
        key,
        movement_id,
        name,
        start=parse_date(start, "--start"),
        end=parse_date(end, "--end"),
        deadline=parse_date(deadline, "--deadline") if deadline else None,
        cluster_deadline=parse_date(cluster_deadline, "--cluster-deadline")
        if cluster_deadline
        else None,
        criteria=criteria,
        rulebook=rulebook,
        theme=theme,
        kind=kind,
        formula=formula,
        at=at,
    )
    spec = result.spec_hash.hex()
    return Written(
        result.receipt,
        f"movement {movement_id} launched (spec sha256 {spec})",
        {"spec_hash": spec},
    )


# -- registration and scores --------------------------------------------------------------------


@click.command("register")
@click.argument("movement_id", metavar="MOVEMENT")
@click.argument("participant")
@click.option("--title", "titles", multiple=True, metavar="AWARD", help="Repeat for several.")
@click.option(
    "--override",
    "override_items",
    multiple=True,
    metavar="RULE=REASON",
    help="Accept knowingly a late registration (deadline=REASON) or one under a hold "
    "(hold=REASON).",
)
@click.option("--override-reason", default=None, help="Accept a late registration knowingly.")
@write_command()
def register(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    movement_id: str,
    participant: str,
    titles: tuple[str, ...],
    override_items: tuple[str, ...],
    override_reason: str | None,
) -> Written:
    """Register PARTICIPANT (person, unit or cluster) for MOVEMENT and the titles it aims at."""
    result = workflow.register(
        app,
        key,
        movement_id,
        participant,
        titles,
        at=at,
        override_reason=override_reason,
        overrides=overrides_from_text(override_items),
    )
    late = f"late (deadline {result.deadline}), accepted with override" if result.late else ""
    return Written(
        result.receipt,
        f"{participant} registered in {movement_id}",
        {"late": result.late, "deadline": result.deadline.isoformat()},
        [late] if late else [],
    )


def parse_points(text: str) -> tuple[str, float]:
    """CRITERION=POINTS, e.g. "c1=8.5"; UsageError if not."""
    criterion, sep, value = text.partition("=")
    try:
        points = float(value)
    except ValueError:
        points = math.nan
    if not sep or not criterion.strip() or not math.isfinite(points):
        raise UsageError(f"score {text!r} is not valid: use CRITERION=POINTS (e.g. c1=8.5)")
    return criterion.strip(), points


@click.command("score")
@click.argument("movement_id", metavar="MOVEMENT")
@click.argument("participant")
@click.argument("scores", nargs=-1, required=True, metavar="CRITERION=POINTS...")
@click.option("--self", "self_score", is_flag=True, help="A self score (tự chấm).")
@click.option("--reason", default=None, help="Why: needed for a correction.")
@write_command()
def score(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    movement_id: str,
    participant: str,
    scores: tuple[str, ...],
    self_score: bool,
    reason: str | None,
) -> Written:
    """Score PARTICIPANT in MOVEMENT (appraisal unless --self); the scorer is the signer."""
    points = [parse_points(s) for s in scores]
    receipt = workflow.score(
        app,
        key,
        movement_id,
        participant,
        points,
        self_score=self_score,
        reason=reason,
        at=at,
    )
    kind = "self" if self_score else "appraisal"
    return Written(receipt, f"{kind} scores of {participant} in {movement_id}")


# -- initiatives --------------------------------------------------------------------------------


@click.group("initiative")
def initiative() -> None:
    """Recognise initiatives (initiative council)."""


@initiative.command("recognize")
@click.argument("initiative_id", metavar="ID")
@click.option("--person", required=True)
@click.option("--name", required=True)
@click.option("--scope", required=True, help="base, ministry or national.")
@click.option("--year", type=int, default=None, help="Default: the year of --at.")
@write_command()
def initiative_recognize(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    initiative_id: str,
    person: str,
    name: str,
    scope: str,
    year: int | None,
) -> Written:
    """Recognise initiative ID of a person (evidence for emulation_fighter_base)."""
    receipt = workflow.recognise(
        app,
        key,
        initiative_id,
        person=person,
        name=name,
        scope=scope,
        year=year,
        at=at,
    )
    return Written(receipt, f"initiative {initiative_id} recognised")


# -- clusters and pacts -------------------------------------------------------------------------


@click.group("cluster")
def cluster() -> None:
    """Emulation clusters and blocks, and their members' pacts (secretary)."""


@cluster.command("form")
@click.argument("cluster_id", metavar="ID")
@click.option("--name", required=True)
@click.option("--kind", default="cluster", show_default=True, help="cluster or block.")
@click.option("--member", "members", multiple=True, required=True, metavar="UNIT")
@write_command()
def cluster_form(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    cluster_id: str,
    name: str,
    kind: str,
    members: tuple[str, ...],
) -> Written:
    """Form cluster or block ID of member units."""
    receipt = workflow.form_cluster(app, key, cluster_id, name, kind=kind, members=members, at=at)
    return Written(receipt, f"{kind} {cluster_id} formed")


@cluster.command("pact")
@click.argument("cluster_id", metavar="CLUSTER")
@click.option("--unit", "unit_id", required=True)
@click.option("--movement", "movement_id", required=True)
@write_command()
def cluster_pact(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    cluster_id: str,
    unit_id: str,
    movement_id: str,
) -> Written:
    """Record that a member unit signed CLUSTER's emulation pact for a movement."""
    receipt = workflow.sign_pact(app, key, cluster_id, unit_id, movement_id, at=at)
    return Written(receipt, f"pact of {unit_id} in {cluster_id} for {movement_id}")


COMMANDS: list[click.Command] = [
    movement,
    register,
    score,
    initiative,
    cluster,
]
