"""`awards session open|close`, `vote`, `ballot cast|tally`, `decide`, `annul`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.context import parse_date
from cli.inputs import read_input, read_input_text
from cli.write import Written, write_command
from domain.decision import overrides_from_text
from domain.errors import UsageError
from domain.recovery import due_text
from domain.rulebook import share_from_text, threshold_from_text
from domain.tally import tally_line_from_text
from domain.text import counted, nfc
from ledger.application import LedgerApp
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
@write_command()
def session_open(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    session_id: str,
    movement_id: str,
    title: str,
    nominees: tuple[str, ...],
    members: tuple[str, ...],
    mode: str | None,
    threshold: str | None,
    quorum: str | None,
) -> Written:
    """Open review session ID of a title for registered nominees, with its council."""
    parsed_threshold = threshold_from_text(threshold, "--threshold") if threshold else None
    parsed_quorum = share_from_text(quorum, "--quorum") if quorum else None
    receipt = review.open_session(
        app,
        key,
        session_id,
        movement_id=movement_id,
        title=title,
        nominees=nominees,
        members=members,
        mode=mode,
        threshold=parsed_threshold,
        quorum=parsed_quorum,
        at=at,
    )
    return Written(receipt, f"session {session_id} opened")


@session.command("close")
@click.argument("session_id", metavar="SESSION")
@write_command()
def session_close(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    session_id: str,
) -> Written:
    """Close SESSION: no more votes, ballots or tallies."""
    receipt = review.close_session(app, key, session_id, at=at)
    return Written(receipt, f"session {session_id} closed")


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
@write_command()
def vote(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    session_id: str,
    yes: tuple[str, ...],
    no: tuple[str, ...],
    written_path: Path | None,
) -> Written:
    """Cast your open-mode vote in SESSION; nominees left out are abstentions."""
    written = read_input(written_path, "written vote") if written_path else None
    receipt = review.vote(app, key, session_id, yes=yes, no=no, at=at, written=written)
    return Written(receipt, f"vote in {session_id}" + (" (in writing)" if written else ""))


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
@write_command()
def ballot_cast(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    session_id: str,
    written_path: Path | None,
) -> Written:
    """Record that you cast a secret ballot in SESSION (not what it says)."""
    written = read_input(written_path, "written ballot") if written_path else None
    receipt = review.cast_ballot(app, key, session_id, at=at, written=written)
    return Written(receipt, f"ballot in {session_id}" + (" (in writing)" if written else ""))


@ballot.command("tally")
@click.argument("session_id", metavar="SESSION")
@click.option(
    "--result", "results", multiple=True, required=True, metavar="P=YES:NO", help="Per nominee."
)
@write_command()
def ballot_tally(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    session_id: str,
    results: tuple[str, ...],
) -> Written:
    """Certify SESSION's count: yes and no per nominee (counting committee)."""
    lines = [tally_line_from_text(r) for r in results]
    receipt = review.certify_tally(app, key, session_id, lines, at=at)
    return Written(receipt, f"tally of {session_id} certified")


# -- decisions and annulments -------------------------------------------------------------------


def read_recipients(path: Path) -> list[str]:
    """`--recipients-file`: one participant id a line (blank lines skipped), in NFC."""
    return [
        nfc(line.strip())
        for line in read_input_text(path, "recipients file").splitlines()
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
@write_command()
def decide(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    number: str,
    movement_id: str,
    award: str,
    recipients: tuple[str, ...],
    recipients_file: Path | None,
    basis: str | None,
    date_text: str | None,
    override_items: tuple[str, ...],
    override_reason: str | None,
) -> Written:
    """Record award decision NUMBER (authority); every rule is checked first, by the law in
    force on its date (see `awards rules --date`)."""
    if bool(recipients) == bool(recipients_file):
        raise UsageError("decide: give --recipient P... or --recipients-file F (one of them)")
    chosen = read_recipients(recipients_file) if recipients_file else list(recipients)
    result = decisions.decide_award(
        app,
        key,
        number,
        movement_id=movement_id,
        award=award,
        recipients=chosen,
        basis=basis,
        decided_on=parse_date(date_text, "--date") if date_text else None,
        override_reason=override_reason,
        at=at,
        overrides=overrides_from_text(override_items),
    )
    overridden = [
        {"rule": v.rule, "subject": v.subject, "message": v.message} for v in result.overridden
    ]
    return Written(
        result.receipt,
        f"decision {number}: {award} to {counted(len(chosen), 'recipient')}",
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
@write_command()
def annul(
    app: LedgerApp,
    key: Ed25519PrivateKey,
    at: datetime | None,
    number: str,
    recipient: str,
    ground: str,
    reason: str,
) -> Written:
    """Annul one recipient's award in decision NUMBER (Law 2022 Art. 93)."""
    result = decisions.annul_award(
        app,
        key,
        number,
        recipient=recipient,
        ground=ground,
        reason=reason,
        at=at,
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
    recoveries = [msgspec.to_builtins(due) for due in result.recoveries]
    return Written(
        result.receipt,
        f"{recipient}'s award in decision {number} annulled",
        {"flagged": flagged, "recoveries": recoveries},
        [
            f"flagged: {d.recipient}'s {d.award} {d.year} (decision {d.decision}): {d.reason}"
            for d in result.dependents
        ]
        + [f"to recover: {due_text(due)}" for due in result.recoveries],
    )


COMMANDS: list[click.Command] = [session, vote, ballot, decide, annul]
