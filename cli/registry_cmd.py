"""`awards init`, `awards signer add|revoke|list`, `awards unit add`, `awards person add`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import LedgerContext, json_option, load_key, parse_date, pass_ctx
from cli.render import echo_row, emit_json
from cli.write import Written, write_command
from domain.registry import LEADER_LEVELS
from ledger.application import LedgerApp
from ledger.keys import load_public_key, raw_public_key
from ledger.usecases import registry
from projections.signers import signer_list


@click.command("init")
@click.option("--origin", required=True, help="The log's origin, e.g. vpqh.gov.vn/awards/2020.")
@click.option("--operator", required=True, help="The operator's signer name.")
@write_command(with_at=False, create=True)
def init(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    origin: str,
    operator: str,
) -> Written:
    """Create the ledger's genesis, self-signed by the operator's key."""
    return Written(registry.initialise(app, origin, operator, key), f"ledger {origin} initialised")


@click.group("signer")
def signer() -> None:
    """Register, revoke and list signers (operator)."""


@signer.command("add")
@click.argument("name")
@click.option("--pub", "pub_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--unit", default=None)
@click.option("--competence", multiple=True, help="Award kinds an authority may decide.")
@click.option("--person", default=None, help="The person this signer is (conflict of interest).")
@click.option("--from", "start", default=None, metavar="DATE", help="First day of the competence.")
@click.option("--until", default=None, metavar="DATE", help="Last day of the competence.")
@write_command(with_at=False)
def signer_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    name: str,
    pub_path: Path,
    roles: tuple[str, ...],
    unit: str | None,
    competence: tuple[str, ...],
    person: str | None,
    start: str | None,
    until: str | None,
) -> Written:
    """Register NAME's public key with its roles (an authority's competence: the award kinds
    and, with --from/--until, the days it may decide them)."""
    public = raw_public_key(load_public_key(pub_path))
    first = parse_date(start, "--from") if start is not None else None
    last = parse_date(until, "--until") if until is not None else None
    receipt = registry.add_signer(
        app, key, name, public, roles, unit, competence, person,
        competent_from=first, competent_until=last,
    )  # fmt: skip
    return Written(receipt, f"signer {name} registered")


@signer.command("revoke")
@click.argument("name")
@click.option("--reason", required=True)
@write_command(with_at=False)
def signer_revoke(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    name: str,
    reason: str,
) -> Written:
    """Revoke NAME: it signs nothing new; what it signed stays valid. A checkpoint covering
    the revocation is signed in the same command."""
    return Written(registry.revoke_and_checkpoint(app, key, name, reason), f"signer {name} revoked")


@signer.command("list")
@json_option
@pass_ctx
def signer_list_cmd(obj: LedgerContext, as_json: bool) -> None:
    """Every signer with roles, unit, competence, key id and revocation."""
    signers = signer_list(obj.app)
    if as_json:
        emit_json(signers)
        return
    for s in signers:
        extra = f" unit={s.unit}" if s.unit else ""
        extra += f" competence={','.join(s.competence)}" if s.competence else ""
        if s.competent_from or s.competent_until:
            start, end = s.competent_from, s.competent_until
            extra += f" from={start or '…'} until={end or '…'}"
        state = " REVOKED" if s.revoked else ""
        echo_row(s.name, ",".join(s.roles), f"{s.key_id}{extra}{state}")


@click.group("unit")
def unit() -> None:
    """Record units (secretary)."""


@unit.command("add")
@click.argument("unit_id", metavar="ID")
@click.option("--name", required=True)
@click.option(
    "--level",
    required=True,
    help="agency, department, division, office, province, district or commune.",
)
@click.option("--parent", default=None)
@write_command(with_at=False)
def unit_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    unit_id: str,
    name: str,
    level: str,
    parent: str | None,
) -> Written:
    """Record unit ID."""
    receipt = registry.add_unit(app, key, unit_id, name, level, parent)
    return Written(receipt, f"unit {unit_id} added")


@unit.command("merge")
@click.argument("unit_id", metavar="ID")
@click.option("--into", "into", required=True, metavar="ID", help="The successor unit.")
@click.option("--reason", required=True, help="The merger's legal basis (decision, resolution).")
@write_command()
def unit_merge(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    unit_id: str,
    into: str,
    reason: str,
) -> Written:
    """Record that unit ID was merged into another: from then its authorities decide nothing,
    and the successor's authorities may annul what they decided."""
    receipt = registry.merge_unit(app, key, unit_id, into, reason, at=at)
    return Written(receipt, f"unit {unit_id} merged into {into}")


@click.group("person")
def person() -> None:
    """Record people (secretary)."""


@person.command("add")
@click.argument("person_id", metavar="ID")
@click.option("--name", required=True)
@click.option("--unit", "unit_id", required=True)
@click.option("--category", default=None)
@click.option("--direct-worker", is_flag=True, help="A front-line worker (lao động trực tiếp).")
@click.option(
    "--leader-level",
    type=click.Choice(list(LEADER_LEVELS)),
    default=None,
    help="A leader (lãnh đạo) of an agency, ministry or province (cấp Bộ, tỉnh), of a "
    "department (cấp Vụ, Sở) or of a division (cấp Phòng); default: none.",
)
@write_command(with_at=False)
def person_add(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    person_id: str,
    name: str,
    unit_id: str,
    category: str | None,
    direct_worker: bool,
    leader_level: str | None,
) -> Written:
    """Record person ID (a pseudonymous id; no personal data beyond name and unit)."""
    receipt = registry.add_person(
        app, key, person_id, name, unit_id, category, direct_worker, leader_level
    )
    return Written(receipt, f"person {person_id} added")


@click.group("operator")
def operator() -> None:
    """Hand the operator role to a new key."""


@operator.command("rotate")
@click.option("--new-name", required=True, help="The new operator's signer name.")
@click.option(
    "--new-key",
    "new_key_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new operator's private key (proves the new operator holds it).",
)
@click.option("--new-passphrase-file", type=click.Path(dir_okay=False, path_type=Path))
@write_command(with_at=False)
def operator_rotate(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    new_name: str,
    new_key_path: Path,
    new_passphrase_file: Path | None,
) -> Written:
    """Rotate the operator key: signed by the outgoing operator (--key), which is revoked;
    checkpoints from now on are signed by the new key, the first one in this command."""
    new_key = load_key(new_key_path, new_passphrase_file)
    done = registry.rotate_and_checkpoint(app, key, new_name, new_key)
    return Written(done, f"operator rotated to {new_name}")


COMMANDS = [init, signer, unit, person, operator]
