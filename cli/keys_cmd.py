"""`awards keys new`: make an actor's Ed25519 key pair (private key 0600, never printed)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.render import emit_json
from ledger.keys import key_id, load_public_key, raw_public_key, read_passphrase, write_key_pair


@click.group("keys")
def keys() -> None:
    """Make and inspect Ed25519 keys."""


@keys.command("new")
@click.argument("name")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def keys_new(name: str, out_dir: Path, passphrase_file: Path | None, as_json: bool) -> None:
    """Write NAME.key (PKCS#8 PEM, mode 0600, encrypted with a passphrase) and NAME.pub."""
    out_dir.mkdir(parents=True, exist_ok=True)
    passphrase = read_passphrase(passphrase_file, os.environ)
    private_path, public_path = write_key_pair(name, out_dir, passphrase)
    if passphrase is None:
        click.echo(
            f"warning: {private_path} is not encrypted: anyone who can read it can sign as "
            f"{name} (give --passphrase-file or AWARDS_KEY_PASSPHRASE to encrypt it)",
            err=True,
        )
    kid = key_id(raw_public_key(load_public_key(public_path)))
    if as_json:
        emit_json(
            {
                "name": name,
                "key_id": kid,
                "private": str(private_path),
                "public": str(public_path),
                "encrypted": passphrase is not None,
            }
        )
    else:
        click.echo(f"key {name}: id {kid}; wrote {private_path} (0600) and {public_path}")


COMMANDS = [keys]
