"""`awards movement launch`, `register`, `score`, `initiative recognize`, `cluster form|pact`.

The review and decision commands (`session`, `vote`, `ballot`, `decide`, `annul`) live in
cli/review_cmd.py and are registered through this module's COMMANDS.
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from cli import review_cmd
from cli.context import LedgerContext, json_option, key_options, load_key, parse_date, pass_ctx
from cli.workflow_options import at_option, emit_outcome, parse_at, read_text
from domain.decision import overrides_from_text
from domain.errors import UsageError
from domain.movement import parse_criteria_csv
from domain.rulebook import DEFAULT_RULEBOOK
from domain.rulebook_toml import parse_rulebook
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
@at_option
@key_options
@json_option
@pass_ctx
def movement_launch(
    obj: LedgerContext,
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
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Launch movement ID; its criteria, formula and rules are fixed and hashed."""
    criteria = (
        parse_criteria_csv(read_text(criteria_path, "criteria file")) if criteria_path else []
    )
    rulebook = parse_rulebook(read_text(rules_path, "rulebook")) if rules_path else DEFAULT_RULEBOOK
    key = load_key(key_path, passphrase_file)
    result = workflow.launch_movement(
        obj.app,
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
        at=parse_at(at_text),
    )
    spec = result.spec_hash.hex()
    emit_outcome(
        result.receipt,
        as_json,
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
    help="Accept a late registration knowingly: --override deadline=REASON.",
)
@click.option("--override-reason", default=None, help="Accept a late registration knowingly.")
@at_option
@key_options
@json_option
@pass_ctx
def register(
    obj: LedgerContext,
    movement_id: str,
    participant: str,
    titles: tuple[str, ...],
    override_items: tuple[str, ...],
    override_reason: str | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Register PARTICIPANT (person, unit or cluster) for MOVEMENT and the titles it aims at."""
    key = load_key(key_path, passphrase_file)
    result = workflow.register(
        obj.app,
        key,
        movement_id,
        participant,
        titles,
        at=parse_at(at_text),
        override_reason=override_reason,
        overrides=overrides_from_text(override_items),
    )
    late = f"late (deadline {result.deadline}), accepted with override" if result.late else ""
    emit_outcome(
        result.receipt,
        as_json,
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
@at_option
@key_options
@json_option
@pass_ctx
def score(
    obj: LedgerContext,
    movement_id: str,
    participant: str,
    scores: tuple[str, ...],
    self_score: bool,
    reason: str | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Score PARTICIPANT in MOVEMENT (appraisal unless --self); the scorer is the signer."""
    points = [parse_points(s) for s in scores]
    key = load_key(key_path, passphrase_file)
    receipt = workflow.score(
        obj.app,
        key,
        movement_id,
        participant,
        points,
        self_score=self_score,
        reason=reason,
        at=parse_at(at_text),
    )
    kind = "self" if self_score else "appraisal"
    emit_outcome(receipt, as_json, f"{kind} scores of {participant} in {movement_id}")


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
@at_option
@key_options
@json_option
@pass_ctx
def initiative_recognize(
    obj: LedgerContext,
    initiative_id: str,
    person: str,
    name: str,
    scope: str,
    year: int | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Recognise initiative ID of a person (evidence for emulation_fighter_base)."""
    key = load_key(key_path, passphrase_file)
    receipt = workflow.recognise(
        obj.app,
        key,
        initiative_id,
        person=person,
        name=name,
        scope=scope,
        year=year,
        at=parse_at(at_text),
    )
    emit_outcome(receipt, as_json, f"initiative {initiative_id} recognised")


# -- clusters and pacts -------------------------------------------------------------------------


@click.group("cluster")
def cluster() -> None:
    """Emulation clusters and blocks, and their members' pacts (secretary)."""


@cluster.command("form")
@click.argument("cluster_id", metavar="ID")
@click.option("--name", required=True)
@click.option("--kind", default="cluster", show_default=True, help="cluster or block.")
@click.option("--member", "members", multiple=True, required=True, metavar="UNIT")
@at_option
@key_options
@json_option
@pass_ctx
def cluster_form(
    obj: LedgerContext,
    cluster_id: str,
    name: str,
    kind: str,
    members: tuple[str, ...],
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Form cluster or block ID of member units."""
    key = load_key(key_path, passphrase_file)
    receipt = workflow.form_cluster(
        obj.app, key, cluster_id, name, kind=kind, members=members, at=parse_at(at_text)
    )
    emit_outcome(receipt, as_json, f"{kind} {cluster_id} formed")


@cluster.command("pact")
@click.argument("cluster_id", metavar="CLUSTER")
@click.option("--unit", "unit_id", required=True)
@click.option("--movement", "movement_id", required=True)
@at_option
@key_options
@json_option
@pass_ctx
def cluster_pact(
    obj: LedgerContext,
    cluster_id: str,
    unit_id: str,
    movement_id: str,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Record that a member unit signed CLUSTER's emulation pact for a movement."""
    key = load_key(key_path, passphrase_file)
    receipt = workflow.sign_pact(
        obj.app, key, cluster_id, unit_id, movement_id, at=parse_at(at_text)
    )
    emit_outcome(receipt, as_json, f"pact of {unit_id} in {cluster_id} for {movement_id}")


COMMANDS: list[click.Command] = [
    movement,
    register,
    score,
    initiative,
    cluster,
    *review_cmd.COMMANDS,
]
