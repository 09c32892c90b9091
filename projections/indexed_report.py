"""The public report of a movement of ordinary size, from the event index.

A report reads the ledger view (projections/view.py): the catalogue, every participation,
session, decision, hold and proposal. Loaded whole, that is the whole ledger's read model for
a movement of fifty people (about 150 MB at 1M events, and growing with the ledger). Here the
same view is folded, with the very `fold`, from only the events that can show in the report of
`movement`, each read by the event index and checked against the signed tree
(ledger/event_reads.py):

- the ledger's small registers, whole: its initialisation and operator, the signers, units,
  clusters and their pacts, and the movements launched;
- every row of each of the movement's participations, sessions (with the basis session of each
  of its decisions), decisions (their annulments and recoveries) and proposals (with the
  objections raised on them);
- the holds on its participants and recipients, every row of each;
- the person record of everyone the report names: participants (a session's nominees are
  among them), recipients, the nominees of its proposals.

When a recipient of the movement has an award annulled anywhere, the cascade of rule 9 (an
award that relied on the annulled one, `projections.awards.cascade_flags`) reads more: every
decision naming that recipient and its initiatives (its record), and the people of its unit
(the headcount an excellent_collective of the unit is measured on). A dependent award is the
annulled recipient's own, or a unit's title in the annulling decision's register, which is
this movement's only when the annulling decision is: so an annulment of anyone else cannot
flag an award of this movement, and no other movement's register is needed.

`build_report` then reads nothing else. When the movement is large (more than INDEXED_REPORT
participations or decision recipients), or the cut is by append time (--appended-before), this
gives None and the caller reads the ledger view as before. The tests compare the two, byte for
byte, on every movement of the demo ledger and the test worlds, at many cuts.
"""

from __future__ import annotations

from domain.decision import Decision
from domain.hold import Hold
from domain.participation import Participation
from domain.proposal import Objection, Proposal
from domain.registry import Person
from domain.session import ReviewSession
from ledger.event_keys import Key
from ledger.event_reads import EventIndex
from projections.checkpoints import StoredCheckpoint
from projections.indexed import Gathered, answerable
from projections.report.model import AsOf, Report, build_report_at
from projections.stream import Cut
from projections.view import LedgerView, fold

# More participations, or decision recipients, than this and the movement's report is read
# from the ledger view: one query per participation costs more than the view's load then.
INDEXED_REPORT = 2_000

# The registers a report may name anything of, read whole (each small beside the log).
WHOLE_TYPES = (
    "Ledger.Initialised",
    "Ledger.OperatorRotated",
    "Signer.Registered",
    "Signer.Revoked",
    "Unit.Added",
    "Unit.Merged",
    "Cluster.Formed",
    "Cluster.PactSigned",
    "Movement.Launched",
)


def indexed_report(
    index: EventIndex,
    movement: str,
    cut: Cut,
    checkpoints: list[StoredCheckpoint],
) -> Report | None:
    """The report of `movement` at `cut` from its own events (see the module docstring);
    None when it cannot be answered so: the caller reads the ledger view. Raises
    NotFoundError, as the view's read does, when the movement was not launched by then."""
    found = report_view(index, movement, cut)
    if found is None:
        return None
    view, where = found
    return build_report_at(view, where, movement, checkpoints)


def report_view(index: EventIndex, movement: str, cut: Cut) -> tuple[LedgerView, AsOf] | None:
    """The ledger view of what the report of `movement` at `cut` can show, folded from those
    events alone, and where it stands (None: see :func:`indexed_report`)."""
    where = answerable(index, cut)
    if where is None:
        return None
    mine: Key = ("movement", movement)
    got = Gathered(index, where.seq)
    registered: list[Key] = [mine, ("type", "Participation.Registered")]
    if len(index.positions(registered, limit=INDEXED_REPORT + 1)) > INDEXED_REPORT:
        return None
    named: set[str] = set()  # everyone the report may name
    participations = []
    for event in got.lookup(registered):
        if isinstance(event, Participation.Registered):
            named.add(event.participant)
            participations.append(event.originator_id)
    decisions = [
        d for d in got.lookup([mine, ("type", "Decision.Recorded")])
        if isinstance(d, Decision.Recorded)
    ]  # fmt: skip
    if sum(len(d.recipients) for d in decisions) > INDEXED_REPORT:
        return None
    recipients = {r.id for d in decisions for r in d.recipients}
    annulled = [
        a for a in got.lookup([("type", "Decision.RecipientAnnulled")])
        if isinstance(a, Decision.RecipientAnnulled) and a.recipient in recipients
    ]  # fmt: skip
    records = _cascade(got, annulled)
    named |= recipients
    sessions = {
        s.originator_id: s for s in got.lookup([mine, ("type", "ReviewSession.Opened")])
        if isinstance(s, ReviewSession.Opened)
    }  # fmt: skip
    bases = {ReviewSession.id_for(d.basis) for d in decisions if d.basis} - set(sessions)
    for basis in got.lookup([("type", "ReviewSession.Opened")]) if bases else ():
        if isinstance(basis, ReviewSession.Opened) and basis.originator_id in bases:
            sessions[basis.originator_id] = basis
    # (the nominees of its sessions are its participants: a session names no one else)
    proposals = {
        p.proposal_id: p for p in got.lookup([mine, ("type", "Proposal.Proposed")])
        if isinstance(p, Proposal.Proposed)
    }  # fmt: skip
    named.update(n for p in proposals.values() for n in p.nominees)
    objections = [
        o.originator_id
        for o in (got.lookup([("type", "Objection.Raised")]) if proposals else ())
        if isinstance(o, Objection.Raised) and o.proposal in proposals
    ]
    holds = [
        h.originator_id for h in got.lookup([("type", "Hold.Placed")])
        if isinstance(h, Hold.Placed) and h.subject in named
    ]  # fmt: skip
    for kind in WHOLE_TYPES:
        got.lookup([("type", kind)], keep=True)
    got.aggregates(
        [
            *participations,
            *{d.originator_id for d in (*decisions, *records)},
            *sessions,
            *(p.originator_id for p in proposals.values()),
            *objections,
            *holds,
            *(Person.id_for(person) for person in sorted(named)),  # none for a unit's id
        ]
    )
    view = LedgerView()
    for event, meta in got.folded(cut):
        fold(view, event, meta)
    return view, where


def _cascade(got: Gathered, annulled: list[Decision.RecipientAnnulled]) -> list[Decision.Recorded]:
    """What rule 9's cascade reads for the annulments of the movement's recipients
    (`projections.awards.cascade_flags`): every decision naming each annulled recipient and
    its initiatives (kept: its record), and the people of the unit it was granted for in the
    annulling decision (kept: the unit's headcount). Returns the decisions, whose every row
    the caller gathers."""
    found: list[Decision.Recorded] = []
    for a in annulled:
        person: list[Key] = [("participant", a.recipient)]
        held = [
            d for d in got.lookup([*person, ("type", "Decision.Recorded")])
            if isinstance(d, Decision.Recorded)
        ]  # fmt: skip
        got.lookup([*person, ("type", "Initiative.Recognised")], keep=True)
        found += held
        for d in (d for d in held if d.originator_id == a.originator_id):
            # a unit's title in the annulling decision's register is flagged there: in this
            # movement's own register (gathered whole) when it is this movement's decision
            for unit in {r.unit for r in d.recipients if r.id == a.recipient and r.unit}:
                got.lookup([("participant", unit), ("type", "Person.Added")], keep=True)
    return found
