"""The ledger's unsigned statements for an award receipt (ledger/receipt_tells.py), as of the
receipt's checkpoint: annulment cascade flags on the award (rule 9), holds standing on its
recipient (rule `hold`) and what the recipient still owes after an annulment of another of its
awards (Law 2022 Art. 93(2)). Folded from the ledger view at exactly the checkpoint's tree size, so
each statement is what the report of that size says."""

from __future__ import annotations

import msgspec

from domain.actor import local_date
from domain.recovery import outstanding_text
from ledger.application import LedgerApp
from ledger.receipt import Receipt
from ledger.receipt_tells import Statement, check_statements
from projections.awards import cascade_flags
from projections.runner import Runner
from projections.stream import Cut
from projections.view import LEDGER_VIEW


def with_statements(app: LedgerApp, receipt: Receipt, number: str, recipient: str) -> Receipt:
    """`receipt` (of decision `number` for `recipient`) with the ledger's statements added."""
    size = int(receipt.checkpoint.split("\n")[1])
    folded = Runner(app).read(LEDGER_VIEW, Cut(at_seq=size))
    view = folded.state
    found: list[Statement] = []
    for flag in cascade_flags(view.decisions, view.catalog):
        d = flag.dependent
        if (d.decision, d.recipient) == (number, recipient):
            text = (
                f"flagged by the annulment of decision {flag.annulled_decision} for "
                f"{flag.annulled_recipient}: {d.reason}"
            )
            found.append(Statement("cascade_flag", recipient, size, text))
    last = folded.position.time  # the last event the checkpoint covers: "today" for the holds
    for hold in view.holds.on({recipient}):
        if hold.lifted_at is None and (last is None or hold.open_on(local_date(last))):
            until = f" until {hold.until}" if hold.until else ""
            text = f"hold {hold.hold} open ({hold.kind}{until}): {hold.reason}"
            found.append(Statement("open_hold", recipient, size, text))
    for row in view.decisions.by_number.values():
        annulment = row.annulled.get(recipient)
        if annulment is None:
            continue
        for left in annulment.outstanding():
            if not left.done:
                text = (
                    f"to recover after the annulment in decision {row.number} ({row.award}): "
                    f"{outstanding_text(left)}"
                )
                found.append(Statement("outstanding_recovery", recipient, size, text))
    if not found:
        return receipt
    return msgspec.structs.replace(receipt, statements=check_statements(found, size, receipt.shown))
