"""`awards witness cosign` and `awards witness serve`: an inspectorate's witness cosigns
checkpoints it saw extend, from files or over HTTP (c2sp.org/tlog-witness)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.context import LedgerContext, force_option, load_key, pass_ctx
from cli.inputs import read_input_text
from cli.render import echo_line
from domain.errors import UsageError
from ledger.files import check_target, write_text
from ledger.keys import load_public_key, raw_public_key
from ledger.note import Checkpoint
from ledger.witness import WitnessState, witness_cosign

F = TypeVar("F", bound=Callable[..., Any])


def witness_identity(func: F) -> F:
    """The options both witness commands share: who the witness is, its key, its state and the
    operator it watches."""
    for option in reversed(
        [
            click.option(
                "--name", required=True, help="The witness's key name, e.g. thanhtra.gov.vn/w1."
            ),
            click.option(
                "--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path)
            ),
            click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path)),
            click.option(
                "--state",
                required=True,
                type=click.Path(dir_okay=False, path_type=Path),
                help="The witness's memory of the last checkpoint it cosigned (JSON, created if "
                "missing).",
            ),
            click.option(
                "--operator-pub", required=True, type=click.Path(dir_okay=False, path_type=Path)
            ),
        ]
    ):
        func = option(func)
    return func


@click.group("witness")
def witness() -> None:
    """Cosign checkpoints as an independent witness (C2SP tlog-witness)."""


@witness.command("cosign")
@click.argument("note_file", type=click.Path(dir_okay=False, path_type=Path))
@witness_identity
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path))
@force_option
@pass_ctx
def cosign_cmd(
    obj: LedgerContext,
    note_file: Path,
    name: str,
    key_path: Path,
    passphrase_file: Path | None,
    state: Path,
    operator_pub: Path,
    out: Path | None,
    force: bool,
) -> None:
    """Cosign NOTE_FILE if it extends what this witness cosigned before; exit 4 if it forks
    or rolls back. The consistency proof comes from the ledger and is checked here."""
    note_text = read_input_text(note_file, "checkpoint")
    if out is not None:  # refused before the witness's state moves on
        check_target(out, force)
    operator_key = raw_public_key(load_public_key(operator_pub))
    key = load_key(key_path, passphrase_file)
    witness_state = WitnessState(state)
    body = note_text.split("\n\n", 1)[0] + "\n"
    checkpoint = Checkpoint.from_body(body)
    last = witness_state.load().get(checkpoint.origin)
    proof: list[bytes] = []
    if last is not None and 0 < last.size < checkpoint.size:
        tree, _ = obj.app.tree()
        if checkpoint.size <= tree.size:
            proof = tree.consistency_proof(last.size, checkpoint.size)
    cosigned = witness_cosign(note_text, operator_key, proof, witness_state, name, key)
    text = cosigned.to_text()
    if out is not None:
        write_text(out, text, replace=force)
    click.echo(text, nl=False)


@witness.command("serve")
@witness_identity
@click.option("--listen", required=True, metavar="HOST:PORT", help="Address to listen on.")
def serve_cmd(
    name: str,
    key_path: Path,
    passphrase_file: Path | None,
    state: Path,
    operator_pub: Path,
    listen: str,
) -> None:
    """Answer c2sp.org/tlog-witness add-checkpoint requests (POST /add-checkpoint) until
    interrupted. Prints the address it listens on; logs one line per request on stderr."""
    host, sep, port_text = listen.rpartition(":")
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise UsageError(f"--listen '{listen}': expected HOST:PORT")
    operator_key = raw_public_key(load_public_key(operator_pub))
    key = load_key(key_path, passphrase_file)
    witness_state = WitnessState(state)
    witness_state.load()  # an unreadable state refuses to start
    from ledger.witness_http import WitnessConfig, WitnessServer  # http.server: serve only

    config = WitnessConfig(name, key, operator_key, witness_state)
    try:
        server = WitnessServer((host.strip("[]"), int(port_text)), config, _log)
    except OSError as exc:
        raise UsageError(f"--listen '{listen}': cannot listen ({exc.strerror})") from exc
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"witness {name} listening on http://{bound_host!s}:{bound_port}", nl=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _log(line: str) -> None:
    echo_line(line, err=True)


COMMANDS = [witness]
