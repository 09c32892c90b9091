"""`awards init`, `awards signer add|revoke|list`, `awards unit add`, `awards person add`."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import LedgerContext, json_option, key_options, load_key, pass_ctx
from cli.render import echo_row, emit_checkpointed, emit_json, emit_receipt
from cli.workflow_options import at_option, parse_at
from ledger.keys import load_public_key, raw_public_key
from ledger.usecases import registry
from projections.signers import signer_list


@click.command("init")
@click.option("--origin", required=True, help="The log's origin, e.g. vpqh.gov.vn/awards/2020.")
@click.option("--operator", required=True, help="The operator's signer name.")
@key_options
@json_option
@pass_ctx
def init(
    obj: LedgerContext,
    origin: str,
    operator: str,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Create the ledger's genesis, self-signed by the operator's key."""
    key = load_key(key_path, passphrase_file)
    receipt = registry.initialise(obj.create(), origin, operator, key)
    emit_receipt(receipt, as_json, f"ledger {origin} initialised")


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
@key_options
@json_option
@pass_ctx
def signer_add(
    obj: LedgerContext,
    name: str,
    pub_path: Path,
    roles: tuple[str, ...],
    unit: str | None,
    competence: tuple[str, ...],
    person: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Register NAME's public key with its roles."""
    public = raw_public_key(load_public_key(pub_path))
    key = load_key(key_path, passphrase_file)
    receipt = registry.add_signer(obj.app, key, name, public, roles, unit, competence, person)
    emit_receipt(receipt, as_json, f"signer {name} registered")


@signer.command("revoke")
@click.argument("name")
@click.option("--reason", required=True)
@key_options
@json_option
@pass_ctx
def signer_revoke(
    obj: LedgerContext,
    name: str,
    reason: str,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Revoke NAME: it signs nothing new; what it signed stays valid. A checkpoint covering
    the revocation is signed in the same command."""
    key = load_key(key_path, passphrase_file)
    done = registry.revoke_and_checkpoint(obj.app, key, name, reason)
    emit_checkpointed(done, as_json, f"signer {name} revoked")


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
        state = " REVOKED" if s.revoked else ""
        echo_row(s.name, ",".join(s.roles), f"{s.key_id}{extra}{state}")


@click.group("unit")
def unit() -> None:
    """Record units (secretary)."""


@unit.command("add")
@click.argument("unit_id", metavar="ID")
@click.option("--name", required=True)
@click.option("--level", required=True, help="agency, department, division, office, …")
@click.option("--parent", default=None)
@key_options
@json_option
@pass_ctx
def unit_add(
    obj: LedgerContext,
    unit_id: str,
    name: str,
    level: str,
    parent: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Record unit ID."""
    key = load_key(key_path, passphrase_file)
    receipt = registry.add_unit(obj.app, key, unit_id, name, level, parent)
    emit_receipt(receipt, as_json, f"unit {unit_id} added")


@unit.command("merge")
@click.argument("unit_id", metavar="ID")
@click.option("--into", "into", required=True, metavar="ID", help="The successor unit.")
@click.option("--reason", required=True, help="The merger's legal basis (decision, resolution).")
@at_option
@key_options
@json_option
@pass_ctx
def unit_merge(
    obj: LedgerContext,
    unit_id: str,
    into: str,
    reason: str,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Record that unit ID was merged into another (its successor's authorities may annul what
    ID's authorities decided)."""
    key = load_key(key_path, passphrase_file)
    receipt = registry.merge_unit(obj.app, key, unit_id, into, reason, at=parse_at(at_text))
    emit_receipt(receipt, as_json, f"unit {unit_id} merged into {into}")


@click.group("person")
def person() -> None:
    """Record people (secretary)."""


@person.command("add")
@click.argument("person_id", metavar="ID")
@click.option("--name", required=True)
@click.option("--unit", "unit_id", required=True)
@click.option("--category", default=None)
@click.option("--direct-worker", is_flag=True, help="A front-line worker (lao động trực tiếp).")
@key_options
@json_option
@pass_ctx
def person_add(
    obj: LedgerContext,
    person_id: str,
    name: str,
    unit_id: str,
    category: str | None,
    direct_worker: bool,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Record person ID (a pseudonymous id; no personal data beyond name and unit)."""
    key = load_key(key_path, passphrase_file)
    receipt = registry.add_person(obj.app, key, person_id, name, unit_id, category, direct_worker)
    emit_receipt(receipt, as_json, f"person {person_id} added")


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
@key_options
@json_option
@pass_ctx
def operator_rotate(
    obj: LedgerContext,
    new_name: str,
    new_key_path: Path,
    new_passphrase_file: Path | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Rotate the operator key: signed by the outgoing operator (--key), which is revoked;
    checkpoints from now on are signed by the new key, the first one in this command."""
    key = load_key(key_path, passphrase_file)
    new_key = load_key(new_key_path, new_passphrase_file)
    done = registry.rotate_and_checkpoint(obj.app, key, new_name, new_key)
    emit_checkpointed(done, as_json, f"operator rotated to {new_name}")


COMMANDS = [init, signer, unit, person, operator]
