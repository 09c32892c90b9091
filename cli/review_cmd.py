"""`awards session open|close`, `vote`, `ballot cast|tally`, `decide`, `annul`."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import LedgerContext, json_option, key_options, load_key, parse_date, pass_ctx
from cli.workflow_options import at_option, emit_outcome, parse_at, read_bytes, read_text
from domain.decision import overrides_from_text
from domain.errors import UsageError
from domain.rulebook import share_from_text, threshold_from_text
from domain.tally import tally_line_from_text
from domain.text import nfc
from ledger.usecases import decisions, review

# -- review sessions ----------------------------------------------------------------------------


@click.group("session")
def session() -> None:
    """Open and close review sessions (council chair)."""


@session.command("open")
@click.argument("session_id", metavar="ID")
@click.option("--movement", "movement_id", required=True)
@click.option("--title", required=True, metavar="AWARD", help="The award kind under review.")
@click.option("--nominee", "nominees", multiple=True, required=True, metavar="P")
@click.option("--member", "members", multiple=True, required=True, metavar="SIGNER")
@click.option("--mode", default=None, help="open or secret (default: the rulebook's).")
@click.option("--threshold", default=None, metavar="SHARE", help='e.g. "0.9", ">1/2".')
@click.option("--quorum", default=None, metavar="SHARE", help='e.g. "2/3", "90%".')
@at_option
@key_options
@json_option
@pass_ctx
def session_open(
    obj: LedgerContext,
    session_id: str,
    movement_id: str,
    title: str,
    nominees: tuple[str, ...],
    members: tuple[str, ...],
    mode: str | None,
    threshold: str | None,
    quorum: str | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Open review session ID of a title for registered nominees, with its council."""
    parsed_threshold = threshold_from_text(threshold, "--threshold") if threshold else None
    parsed_quorum = share_from_text(quorum, "--quorum") if quorum else None
    key = load_key(key_path, passphrase_file)
    receipt = review.open_session(
        obj.app,
        key,
        session_id,
        movement_id=movement_id,
        title=title,
        nominees=nominees,
        members=members,
        mode=mode,
        threshold=parsed_threshold,
        quorum=parsed_quorum,
        at=parse_at(at_text),
    )
    emit_outcome(receipt, as_json, f"session {session_id} opened")


@session.command("close")
@click.argument("session_id", metavar="SESSION")
@at_option
@key_options
@json_option
@pass_ctx
def session_close(
    obj: LedgerContext,
    session_id: str,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Close SESSION: no more votes, ballots or tallies."""
    key = load_key(key_path, passphrase_file)
    receipt = review.close_session(obj.app, key, session_id, at=parse_at(at_text))
    emit_outcome(receipt, as_json, f"session {session_id} closed")


@click.command("vote")
@click.argument("session_id", metavar="SESSION")
@click.option("--yes", "yes", multiple=True, metavar="P", help="Repeat for several nominees.")
@click.option("--no", "no", multiple=True, metavar="P", help="Repeat for several nominees.")
@click.option(
    "--written",
    "written_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="You are absent and voted in writing: the written document (its SHA-256 is signed).",
)
@at_option
@key_options
@json_option
@pass_ctx
def vote(
    obj: LedgerContext,
    session_id: str,
    yes: tuple[str, ...],
    no: tuple[str, ...],
    written_path: Path | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Cast your open-mode vote in SESSION; nominees left out are abstentions."""
    written = read_bytes(written_path, "written vote") if written_path else None
    key = load_key(key_path, passphrase_file)
    receipt = review.vote(
        obj.app, key, session_id, yes=yes, no=no, at=parse_at(at_text), written=written
    )
    emit_outcome(receipt, as_json, f"vote in {session_id}" + (" (in writing)" if written else ""))


@click.group("ballot")
def ballot() -> None:
    """Secret-ballot sessions: cast (members) and tally (counting committee)."""


@ballot.command("cast")
@click.argument("session_id", metavar="SESSION")
@click.option(
    "--written",
    "written_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="You are absent and voted in writing: the written document (its SHA-256 is signed).",
)
@at_option
@key_options
@json_option
@pass_ctx
def ballot_cast(
    obj: LedgerContext,
    session_id: str,
    written_path: Path | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Record that you cast a secret ballot in SESSION (not what it says)."""
    written = read_bytes(written_path, "written ballot") if written_path else None
    key = load_key(key_path, passphrase_file)
    receipt = review.cast_ballot(obj.app, key, session_id, at=parse_at(at_text), written=written)
    emit_outcome(
        receipt, as_json, f"ballot in {session_id}" + (" (in writing)" if written else "")
    )


@ballot.command("tally")
@click.argument("session_id", metavar="SESSION")
@click.option(
    "--result", "results", multiple=True, required=True, metavar="P=YES:NO", help="Per nominee."
)
@at_option
@key_options
@json_option
@pass_ctx
def ballot_tally(
    obj: LedgerContext,
    session_id: str,
    results: tuple[str, ...],
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Certify SESSION's count: yes and no per nominee (counting committee)."""
    lines = [tally_line_from_text(r) for r in results]
    key = load_key(key_path, passphrase_file)
    receipt = review.certify_tally(obj.app, key, session_id, lines, at=parse_at(at_text))
    emit_outcome(receipt, as_json, f"tally of {session_id} certified")


# -- decisions and annulments -------------------------------------------------------------------


def read_recipients(path: Path) -> list[str]:
    """`--recipients-file`: one participant id a line (blank lines skipped), in NFC."""
    return [
        nfc(line.strip())
        for line in read_text(path, "recipients file").splitlines()
        if line.strip()
    ]


@click.command("decide")
@click.argument("number", metavar="NUMBER")
@click.option("--movement", "movement_id", required=True)
@click.option("--award", required=True)
@click.option("--recipient", "recipients", multiple=True, metavar="P")
@click.option("--recipients-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@click.option("--basis", default=None, metavar="SESSION", help="The review session decided on.")
@click.option("--date", "date_text", default=None, metavar="DATE", help="Default: date of --at.")
@click.option(
    "--override",
    "override_items",
    multiple=True,
    metavar="RULE=REASON",
    help="Acknowledge one broken rule with its own reason; repeat for each broken rule.",
)
@click.option(
    "--override-reason", default=None, help="Acknowledge the one broken rule (only when one is)."
)
@at_option
@key_options
@json_option
@pass_ctx
def decide(
    obj: LedgerContext,
    number: str,
    movement_id: str,
    award: str,
    recipients: tuple[str, ...],
    recipients_file: Path | None,
    basis: str | None,
    date_text: str | None,
    override_items: tuple[str, ...],
    override_reason: str | None,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Record award decision NUMBER (authority); every rule is checked first, by the law in
    force on its date (see `awards rules --date`)."""
    if bool(recipients) == bool(recipients_file):
        raise UsageError("decide: give --recipient P... or --recipients-file F (one of them)")
    chosen = read_recipients(recipients_file) if recipients_file else list(recipients)
    key = load_key(key_path, passphrase_file)
    result = decisions.decide_award(
        obj.app,
        key,
        number,
        movement_id=movement_id,
        award=award,
        recipients=chosen,
        basis=basis,
        decided_on=parse_date(date_text, "--date") if date_text else None,
        override_reason=override_reason,
        at=parse_at(at_text),
        overrides=overrides_from_text(override_items),
    )
    overridden = [
        {"rule": v.rule, "subject": v.subject, "message": v.message} for v in result.overridden
    ]
    emit_outcome(
        result.receipt,
        as_json,
        f"decision {number}: {award} to {len(chosen)} recipient(s)",
        {"overridden": overridden},
        [f"overridden rule {v.rule}: {v.message}" for v in result.overridden],
    )


@click.command("annul")
@click.argument("number", metavar="NUMBER")
@click.option("--recipient", required=True, metavar="P")
@click.option(
    "--ground",
    required=True,
    help="false_declaration, forged_documents, unlawful_procedure or standard_not_met.",
)
@click.option("--reason", required=True)
@at_option
@key_options
@json_option
@pass_ctx
def annul(
    obj: LedgerContext,
    number: str,
    recipient: str,
    ground: str,
    reason: str,
    at_text: str | None,
    key_path: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Annul one recipient's award in decision NUMBER (Law 2022 Art. 93)."""
    key = load_key(key_path, passphrase_file)
    result = decisions.annul_award(
        obj.app,
        key,
        number,
        recipient=recipient,
        ground=ground,
        reason=reason,
        at=parse_at(at_text),
    )
    flagged = [
        {
            "recipient": d.recipient,
            "award": d.award,
            "year": d.year,
            "decision": d.decision,
            "reason": d.reason,
        }
        for d in result.dependents
    ]
    emit_outcome(
        result.receipt,
        as_json,
        f"{recipient}'s award in decision {number} annulled",
        {"flagged": flagged},
        [
            f"flagged: {d.recipient}'s {d.award} {d.year} (decision {d.decision}): {d.reason}"
            for d in result.dependents
        ],
    )


COMMANDS: list[click.Command] = [session, vote, ballot, decide, annul]
