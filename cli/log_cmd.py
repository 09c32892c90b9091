"""The log itself: `checkpoint`, `verify`, `log`, `prove`, `consistency`, `verify-receipt`."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import (
    LedgerContext,
    force_option,
    json_option,
    load_key,
    pass_ctx,
    witness_options,
    witness_policy,
)
from cli.inputs import read_input
from cli.inspect_cmd import open_index
from cli.progress import progress
from cli.read_check import check_read, check_refused
from cli.render import echo_line, echo_row, emit_json, emit_receipt, json_array_chunks
from domain.actor import format_time
from domain.errors import (
    MalformedNoteError,
    NotFoundError,
    UsageError,
    VerificationError,
)
from domain.text import counted
from ledger.files import check_target, write_file, write_text
from ledger.findings import AuditReport
from ledger.keys import load_public_key, raw_public_key
from ledger.log_check import LogCheck, check_log
from ledger.note import Checkpoint, SignedNote
from ledger.reader import Entry
from ledger.receipt import (
    ReceiptCheck,
    build_receipt,
    encode_receipt,
    parse_receipt,
    verify_receipt,
)
from ledger.tiled_proofs import checked_consistency, checked_inclusion, recomputed_tree
from ledger.usecases import registry
from ledger.verify import audit
from ledger.verify_caches import check_frontier, check_index, check_tiles
from ledger.verify_documents import check_documents
from ledger.witness import check_witness_policy
from projections.indexed import filtered_pages
from projections.log import LogRow, cut_summary, log_pages, log_row
from projections.verify_views import check_views


@click.command("checkpoint")
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--attach",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --key: store this cosigned copy of the latest checkpoint note.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --key: also write the signed note to this file.",
)
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--witness-url",
    "witness_urls",
    multiple=True,
    metavar="URL",
    help="With --key: ask this witness to cosign (c2sp.org/tlog-witness); repeatable.",
)
@click.option(
    "--min-witnesses",
    type=click.IntRange(min=0),
    default=None,
    help="With --witness-url: exit 4 unless this many witnesses cosigned.",
)
@force_option
@json_option
@pass_ctx
def checkpoint(
    obj: LedgerContext,
    key_path: Path | None,
    attach: Path | None,
    out: Path | None,
    passphrase_file: Path | None,
    witness_urls: tuple[str, ...],
    min_witnesses: int | None,
    force: bool,
    as_json: bool,
) -> None:
    """With --key (operator): sign and store a new checkpoint. Without: print the latest
    (with witness cosignatures when a cosigned copy was attached)."""
    if attach is not None:
        if key_path is None:
            raise UsageError("checkpoint --attach needs --key OPERATOR.key")
        text = read_input(attach, "checkpoint").decode("utf-8", errors="replace")
        receipt = registry.attach_cosignatures(obj.app, load_key(key_path, passphrase_file), text)
        emit_receipt(receipt, as_json, "cosigned checkpoint attached")
        return
    if (witness_urls or min_witnesses is not None) and (key_path is None or attach is not None):
        raise UsageError("--witness-url and --min-witnesses need --key OPERATOR.key, no --attach")
    if min_witnesses is not None and min_witnesses > len(witness_urls):
        raise UsageError(f"--min-witnesses {min_witnesses}: only {len(witness_urls)} --witness-url")
    if key_path is not None:
        if out is not None:  # refused before anything is signed or stored
            check_target(out, force)
        key = load_key(key_path, passphrase_file)
        from ledger.usecases import witnessing  # urllib and ssl: only for checkpoints

        old_size = witnessing.previous_cosigned_size(obj.app)
        with progress("checkpoint: audit", quiet=as_json) as meter:
            signed, receipt = registry.sign_new_checkpoint(obj.app, key, meter.on_progress)
        if out is not None:
            write_text(out, signed, replace=force)
        if not as_json:
            click.echo(signed, nl=False)
            emit_receipt(receipt, False, "checkpoint signed")
        witnessed = _witness(obj, key, signed, witness_urls, old_size, as_json)
        if as_json:
            emit_json({"note": signed, "receipt": receipt, **witnessed})
        _require_witnesses(witness_urls, witnessed, min_witnesses or 0)
        return
    ledger = obj.app.genesis()
    latest = ledger.latest_checkpoint
    note = ledger.published_note
    if latest is None or note is None:
        raise NotFoundError("checkpoint: none signed yet; run 'awards checkpoint --key OP.key'")
    if as_json:
        emit_json(
            {
                "origin": obj.app.origin,
                "size": latest.size,
                "root": latest.root_hash.hex(),
                "note": note,
            }
        )
    else:
        click.echo(note, nl=False)


def _witness(
    obj: LedgerContext,
    key: Ed25519PrivateKey,
    note: str,
    urls: tuple[str, ...],
    old_size: int,
    as_json: bool,
) -> dict[str, Any]:
    """Collect and store cosignatures for the checkpoint just signed (nothing without `urls`);
    one `warning:` line on stderr per witness that did not cosign. Returns the JSON fields."""
    if not urls:
        return {}
    from ledger.usecases import witnessing

    done = witnessing.collect_cosignatures(obj.app, key, note, urls, old_size)
    for answer in done.answers:
        if answer.problem is not None:
            echo_line(f"warning: witness {answer.url}: {answer.problem}", err=True)
    if done.receipt is not None and not as_json:
        emit_receipt(done.receipt, False, f"{done.cosigned} witness cosignatures attached")
    return {
        "witnesses": [
            {"url": a.url, "cosigned": bool(a.lines), "problem": a.problem} for a in done.answers
        ],
        "cosigned": done.cosigned,
        "cosignatures_receipt": done.receipt,
    }


def _require_witnesses(urls: tuple[str, ...], witnessed: dict[str, Any], needed: int) -> None:
    """VerificationError (exit 4) when fewer than `needed` witnesses cosigned."""
    cosigned = int(witnessed.get("cosigned", 0))
    if cosigned < needed:
        raise VerificationError(
            f"witnesses: {cosigned} of {len(urls)} cosigned, {needed} required "
            "(the checkpoint is signed and stored)"
        )


@click.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint note you kept earlier; the ledger must still hold its tree.",
)
@click.option(
    "--since-checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check only what is new since this trusted checkpoint.",
)
@click.option("--operator-pub", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=None)
@witness_options
@json_option
@pass_ctx
def verify(
    obj: LedgerContext,
    checkpoint_files: tuple[Path, ...],
    since_checkpoint: Path | None,
    operator_pub: Path | None,
    workers: int | None,
    witness_specs: tuple[str, ...],
    min_witnesses: int | None,
    as_json: bool,
) -> None:
    """Check every event, signature, role, version and checkpoint, and (a full check) every
    cache kept beside the log. Exit 0 intact, 4 not.

    With --witness: the checkpoints given (or, with none given, the latest stored one) must
    carry enough valid witness cosignatures."""
    given = [read_input(p, "checkpoint") for p in checkpoint_files]
    for path, text in zip(checkpoint_files, given, strict=True):
        try:  # a garbled file is malformed input (exit 3), not a failed audit
            Checkpoint.from_body(SignedNote.from_text(text).text)
        except MalformedNoteError as exc:
            raise MalformedNoteError(f"checkpoint '{path}': {exc}") from exc
    witnesses, needed = witness_policy(witness_specs, min_witnesses)
    if needed:
        published = obj.app.genesis().published_note
        notes = given or ([published.encode()] if published else [])
        if not notes:
            raise VerificationError("verify: no checkpoint to check the witness policy on")
        for note in notes:
            check_witness_policy(note, witnesses, needed)
    since = read_input(since_checkpoint, "checkpoint") if since_checkpoint else None
    pinned = raw_public_key(load_public_key(operator_pub)) if operator_pub else None
    if since is not None and given:
        raise UsageError("verify: give either --since-checkpoint or --checkpoint, not both")
    with progress("verify", quiet=as_json) as meter:
        caches = (check_frontier, check_tiles, check_index, check_documents, check_views)
        report = audit(obj.app, given, pinned, since, workers, caches, meter.on_progress)
    if as_json:
        emit_json(report)
        if not report.ok:
            raise _failed(report)
        return
    for remark in report.notes:
        echo_line(f"note: {remark}")
    if report.ok:
        matched = counted(report.checkpoints, "checkpoint matches", "checkpoints match")
        click.echo(
            f"ok: {counted(report.size - report.checked_from, 'event')} checked "
            f"(tree size {report.size}, root {report.root}); {matched}"
        )
    else:
        for problem in report.problems:
            echo_line(f"step {problem.step}: {problem.message}")
        raise _failed(report)


def _failed(report: AuditReport) -> VerificationError:
    first = report.problems[0]
    return VerificationError(
        f"verify failed: {first.message} ({counted(len(report.problems), 'problem')})"
    )


@click.command("log")
@click.option("--from", "start", type=click.IntRange(min=0), default=0)
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option("--type", "event_type", default=None, help="Only events of this type.")
@click.option("--signer", default=None, help="Only events this signer signed.")
@click.option("--movement", default=None, help="Only events naming this movement.")
@json_option
@pass_ctx
def log(
    obj: LedgerContext,
    start: int,
    limit: int | None,
    event_type: str | None,
    signer: str | None,
    movement: str | None,
    as_json: bool,
) -> None:
    """The events in ledger order, with signer, event time and type. Text lines cut long
    summaries and say so; --json never cuts. --type/--signer/--movement read the event index."""
    filters = [
        (kind, key)
        for kind, key in (("type", event_type), ("signer", signer), ("movement", movement))
        if key is not None
    ]
    if filters:
        index = open_index(obj, "log", as_json)
        pages = filtered_pages(index, filters, start, limit)
        check_read(obj, index.check)
        if obj.strict:  # every page checked before anything is printed
            for _ in filtered_pages(index, filters, start, limit):
                check_refused(obj, index.problems)
        _print_log(itertools.chain.from_iterable(pages), as_json)
        check_refused(obj, index.problems)
    else:
        _whole_log(obj, start, limit, as_json)


def _print_log(rows: Iterable[LogRow], as_json: bool) -> None:
    """Log rows as they come: a JSON array, or a text line each."""
    if as_json:
        for chunk in json_array_chunks(rows):
            click.echo(chunk, nl=False)
        return
    for row in rows:
        echo_row(row.seq, format_time(row.time), row.signer, row.type, cut_summary(row.summary))


def _whole_log(obj: LedgerContext, start: int, limit: int | None, as_json: bool) -> None:
    """`awards log` without filters, a page at a time: each page's rows are checked against
    the signed tree, then printed, so the read holds one page. The log itself is checked
    first; a row that is not the signed one is warned about after the rows (with --strict,
    every row is checked before anything is printed, and exit 4 prints nothing)."""
    check = check_log(obj.app)
    check_read(obj, check)
    if obj.strict:
        for page in log_pages(obj.app, start, limit):
            check_refused(obj, _changed(check, page))
    refused: list[str] = []

    def rows() -> Iterator[LogRow]:
        for page in log_pages(obj.app, start, limit):
            refused.extend(_changed(check, page))
            yield from map(log_row, page)

    _print_log(rows(), as_json)
    check_refused(obj, refused)


def _changed(check: LogCheck, page: list[Entry]) -> list[str]:
    seqs = check.check_rows((e.seq, e.state) for e in page)
    return [f"event {seq} is not the event the signed tree holds there" for seq in seqs]


@click.command("prove")
@click.argument("seq", type=click.IntRange(min=0))
@click.option("--size", type=click.IntRange(min=1), default=None)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write an offline-verifiable receipt for the event.",
)
@force_option
@json_option
@pass_ctx
def prove(
    obj: LedgerContext, seq: int, size: int | None, out: Path | None, force: bool, as_json: bool
) -> None:
    """Inclusion proof of event SEQ against the latest checkpoint (or tree size N)."""
    app = obj.app
    latest = registry.latest_checkpoint(app)
    covered = latest is not None and seq < latest.size  # held when the checkpoint was signed
    if not covered and app.notification_id_of(seq) is None:  # counted: O(seq) on the index
        last = app.last_notification_id()
        held = 0 if last is None else app.count_through(last)
        raise NotFoundError(
            f"prove: no such event {seq}: the ledger holds {counted(held, 'event')}"
            + (f" (0 to {held - 1})" if held else "")
        )
    if size is None:
        if latest is None or seq >= latest.size:
            raise NotFoundError(
                f"prove: event {seq} is not covered by a signed checkpoint yet; the operator "
                "must run 'awards checkpoint --key OPERATOR.key' (or give --size N)"
            )
        size = latest.size
    checked = checked_inclusion(app, latest, seq, size)
    if checked is None:  # beyond the checkpoint, or no usable tiles: from the log
        tree = recomputed_tree(app)
        if size > tree.size or seq >= size:
            raise UsageError(
                f"prove: event {seq} is not in a tree of size {size} (ledger has {tree.size})"
            )
        checked = tree.leaf_hash_at(seq), tree.inclusion_proof(seq, size), tree.root(size)
    leaf, proof, root = checked
    note = latest.note if latest is not None and latest.size == size else None
    doc = {
        "seq": seq,
        "size": size,
        "leaf_hash": leaf.hex(),
        "proof": [h.hex() for h in proof],
        "root": root.hex(),
        "checkpoint": note,
    }
    if out is not None:
        write_file(out, [encode_receipt(build_receipt(app, seq))], replace=force)
    if as_json:
        emit_json(doc)
        return
    click.echo(f"event {seq} in tree size {size}, root {doc['root']}")
    click.echo(f"leaf hash {doc['leaf_hash']}")
    for i, h in enumerate(proof):
        click.echo(f"proof[{i}] {h.hex()}")


@click.command("consistency")
@click.argument("old_size", type=click.IntRange(min=1))
@click.argument("new_size", type=click.IntRange(min=1), required=False)
@json_option
@pass_ctx
def consistency(obj: LedgerContext, old_size: int, new_size: int | None, as_json: bool) -> None:
    """Consistency proof from tree size OLD_SIZE to NEW_SIZE (default: the whole ledger)."""
    app = obj.app
    checked = checked_consistency(app, registry.latest_checkpoint(app), old_size, new_size)
    if checked is None:  # beyond the checkpoint, or no usable tiles: from the log
        tree = recomputed_tree(app)
        new = new_size or tree.size
        if not old_size <= new <= tree.size:
            raise UsageError(f"consistency: need OLD ≤ NEW ≤ {tree.size}, got {old_size} and {new}")
        checked = new, tree.root(old_size), tree.root(new), tree.consistency_proof(old_size, new)
    new, old_root, new_root, proof = checked
    doc = {
        "old_size": old_size,
        "new_size": new,
        "old_root": old_root.hex(),
        "new_root": new_root.hex(),
        "proof": [h.hex() for h in proof],
    }
    if as_json:
        emit_json(doc)
        return
    click.echo(f"tree {old_size} ({doc['old_root']}) -> {new} ({doc['new_root']})")
    for i, h in enumerate(proof):
        click.echo(f"proof[{i}] {h.hex()}")


@click.command("verify-receipt")
@click.argument("receipt_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--operator-pub", required=True, type=click.Path(dir_okay=False, path_type=Path))
@witness_options
@json_option
def verify_receipt_cmd(
    receipt_file: Path,
    operator_pub: Path,
    witness_specs: tuple[str, ...],
    min_witnesses: int | None,
    as_json: bool,
) -> None:
    """Check a receipt offline, with only the operator's public key (and, with --witness,
    the witnesses' keys). Exit 0 valid, 4 not."""
    operator_key = raw_public_key(load_public_key(operator_pub))
    data = read_input(receipt_file, "receipt")
    result = verify_receipt(data, operator_key)
    witnesses, needed = witness_policy(witness_specs, min_witnesses)
    if needed:
        check_witness_policy(parse_receipt(data).checkpoint, witnesses, needed)
    if as_json:
        emit_json({"ok": True, **{f: getattr(result, f) for f in result.__struct_fields__}})
        return
    shown = ", ".join(f"{k}={v}" for k, v in result.shown.items())
    echo_line(
        f"ok: event {result.seq} ({result.type.rpartition(':')[2]}) signed by {result.signer} "
        f"is in {result.origin} at tree size {result.tree_size}" + (f"; {shown}" if shown else "")
    )
    click.echo(_signer_statement(result))
    for o in result.overrides:
        echo_line(f"override signed into the event: rule {o.rule}, reason: {o.reason}")
    for step in result.chain:
        echo_line(
            f"proposal step, event {step.seq} ({step.type}) signed by {step.signer}: "
            f"{step.summary}"
        )
    for st in result.statements:
        echo_line(
            f"stated by the ledger as of tree size {st.as_of_size}, NOT signed into the event "
            f"({st.kind}): {st.text}"
        )
    if "award" in result.shown and not result.overrides and not result.statements:
        click.echo("no override signed into the event; no flag stated by the ledger")


def _signer_statement(result: ReceiptCheck) -> str:
    """What the receipt proved about its signer's standing at the event."""
    if result.seq == 0:
        return "signer: the genesis, signed by the operator key it names"
    where = f"signer {result.signer}: registered at event {result.registered}"
    if not result.not_revoked_proven:
        return (
            f"{where}; NOT proven unrevoked at event {result.seq} "
            "(a v1 receipt: its checkpoint commits to no signer registry)"
        )
    if result.revoked is None:
        return f"{where}, not revoked as of tree size {result.tree_size}"
    return f"{where}, revoked at event {result.revoked}, not before event {result.seq}"


COMMANDS = [checkpoint, verify, log, prove, consistency, verify_receipt_cmd]
