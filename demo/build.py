"""`awards demo`: the seed scenarios (demo/scenarios/) end to end on a fresh SQLite ledger in DIR.

Layout of DIR after `build_demo(DIR)`::

    ledger.db            the ledger (SQLite)
    keys/NAME.key|.pub   every actor's Ed25519 key pair (unencrypted: it is a demo)
    inputs/*.csv|.toml   every file the scenarios imported, as the offices handed them in
    checkpoint.txt       the operator-signed C2SP checkpoint over the whole log
    reports/             the public reports (written by demo/reports.py)
    .awards-demo         marker: this directory was made by `awards demo`

DIR policy: a DIR holding a ledger that `awards demo` made (it has the marker) is recreated —
its demo files are deleted first, so `make demo` can run again; a DIR holding any other ledger
is refused with a UsageError (exit 2) and left untouched.

Steps: the operator's genesis, then (a) the National Assembly Office's 2020 plan, (b) the North
Central cluster's first half of 2019, (c) the Party Central Office's 2015-2020 congress, (d) one
Independence Order of the Office's 2020-2025 congress through the whole proposal path (see
demo/scenarios/), each enrolling its own signers; then a checkpoint and the full audit.
The counts in the summary are folded from the ledger's decision events, not from the script.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from pathlib import Path

import msgspec

from demo.paths import path_lines
from demo.scenarios import national_assembly, north_central, party_central, party_central_path
from demo.scenarios.stage import OPERATOR, Stage, new_key
from domain.decision import Decision
from domain.errors import UsageError
from domain.registry import Signer, Unit
from ledger.application import LedgerApp, open_ledger
from ledger.mapper import decode_stored, topic_of
from ledger.progress import Progress
from ledger.usecases import registry
from ledger.verify import audit

ORIGIN = "demo.awards.example/thi-dua"
LEDGER_FILE = "ledger.db"
MARKER = ".awards-demo"
DEMO_ENTRIES = (
    LEDGER_FILE,
    f"{LEDGER_FILE}-wal",
    f"{LEDGER_FILE}-shm",
    "keys",
    "inputs",
    "reports",
    "checkpoint.txt",
    MARKER,
)
SCENARIOS = (
    ("National Assembly Office, 2020 plan", national_assembly.run),
    ("North Central cluster of NA delegation offices, first half of 2019", north_central.run),
    ("Party Central Office, emulation congress 2015-2020", party_central.run),
    (
        "Party Central Office, an Independence Order through the proposal path (2025)",
        party_central_path.run,
    ),
)


class ScenarioSummary(msgspec.Struct):
    """One scenario as the ledger holds it: decisions and standing awards of its movement."""

    title: str
    movement: str
    decisions: int
    awards: dict[str, dict[str, int]]  # award kind -> {"person": n, "unit": n}, standing only
    collectives: int  # distinct units honoured
    collectives_by_level: dict[str, int]
    individuals: int  # distinct persons honoured
    annulled: int
    refusals: list[str]  # commands tried on purpose and refused by a rule (nothing recorded)
    flags: list[str]  # standing awards flagged by an annulment (rule 9)
    paths: list[str] = msgspec.field(default_factory=list)  # its proposal paths (demo/paths.py)


class DemoSummary(msgspec.Struct):
    """What `awards demo` prints (and `--json` emits)."""

    out: str
    ledger: str
    reports_dir: str
    events: int
    signers: int
    scenarios: list[ScenarioSummary]
    verify_ok: bool
    problems: list[str]
    checkpoint: str
    checkpoint_file: str

    @property
    def movements(self) -> list[str]:
        return [s.movement for s in self.scenarios]


def prepare(out: Path) -> None:
    """Make DIR ready for a fresh demo ledger (see the module docstring for the policy)."""
    if out.is_symlink():
        raise UsageError(f"demo: '{out}' is a symbolic link: refusing to write through it")
    if out.exists() and not out.is_dir():
        raise UsageError(f"demo: '{out}' is not a directory")
    if (out / LEDGER_FILE).exists() and not (out / MARKER).exists():
        raise UsageError(
            f"demo: '{out}' already holds a ledger that 'awards demo' did not make; "
            "give another --out"
        )
    for name in DEMO_ENTRIES:
        path = out / name
        if path.is_symlink():  # the link goes; whatever it points to is left alone
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for sub in ("keys", "inputs", "reports"):
        (out / sub).mkdir(parents=True)
    (out / MARKER).write_text("made by 'awards demo'; it recreates this directory's demo files\n")


def build_demo(out: Path, on_progress: Progress | None = None) -> DemoSummary:
    """Run the seed scenarios into a fresh ledger in `out`; checkpoint, audit, summarise.
    `on_progress` is called after each step (each scenario, the checkpoint, the audit)."""
    steps = len(SCENARIOS) + 2
    step = on_progress or _no_progress
    prepare(out)
    app = open_ledger(str(out / LEDGER_FILE))
    try:
        stage = Stage(app, out / "keys", out / "inputs")
        stage.keys[OPERATOR] = new_key(stage.keys_dir, OPERATOR)
        registry.initialise(app, ORIGIN, OPERATOR, stage.keys[OPERATOR])
        ran: list[tuple[str, str, list[str], list[str]]] = []
        for title, run in SCENARIOS:
            refused, flagged = len(stage.refusals), len(stage.flags)
            movement = run(stage)
            ran.append((title, movement, stage.refusals[refused:], stage.flags[flagged:]))
            step(len(ran), steps)
        note, _ = registry.sign_new_checkpoint(app, stage.keys[OPERATOR])
        step(len(ran) + 1, steps)
        (out / "checkpoint.txt").write_text(note, encoding="utf-8")
        report = audit(app, [note])
        step(steps, steps)
        scenarios = [summarise(app, *scenario) for scenario in ran]
        paths = path_lines(app, [s.movement for s in scenarios])
        for scenario in scenarios:
            scenario.paths = paths[scenario.movement]
        signers = sum(1 for _ in app.reader.rows_of_types([topic_of(Signer.Registered)]))
        # the reports are written after this returns (demo/reports.py, on the closed ledger)
        return DemoSummary(
            out=str(out),
            ledger=str(out / LEDGER_FILE),
            reports_dir=str(out / "reports"),
            events=report.size,
            signers=signers,
            scenarios=scenarios,
            verify_ok=report.ok,
            problems=[p.message for p in report.problems],
            checkpoint=note,
            checkpoint_file=str(out / "checkpoint.txt"),
        )
    finally:
        app.close()


def _no_progress(done: int, total: int) -> None:
    """No one is watching."""


def summarise(
    app: LedgerApp, title: str, movement: str, refusals: list[str], flags: list[str]
) -> ScenarioSummary:
    """Fold the movement's decision and annulment events into counts of standing awards."""
    decided: dict[str, Decision.Recorded] = {}
    annulled: set[tuple[str, str]] = set()
    topics = [topic_of(Decision.Recorded), topic_of(Decision.RecipientAnnulled)]
    numbers: dict[object, str] = {}
    for notification in app.reader.rows_of_types(topics):
        event = decode_stored(notification.topic, notification.state)
        if isinstance(event, Decision.Recorded) and event.movement == movement:
            decided[event.number] = event
            numbers[event.originator_id] = event.number
        elif isinstance(event, Decision.RecipientAnnulled) and event.originator_id in numbers:
            annulled.add((numbers[event.originator_id], event.recipient))
    awards: dict[str, Counter[str]] = defaultdict(Counter)
    units: set[str] = set()
    persons: set[str] = set()
    for number, decision in decided.items():
        for r in decision.recipients:
            if (number, r.id) in annulled:
                continue
            awards[decision.award][r.kind] += 1
            (units if r.kind == "unit" else persons).add(r.id)
    levels: Counter[str] = Counter()
    for unit_id in units:
        unit = app.find(Unit, Unit.id_for(unit_id))
        levels[unit.level if unit else "?"] += 1
    return ScenarioSummary(
        title=title,
        movement=movement,
        decisions=len(decided),
        awards={a: {"person": c["person"], "unit": c["unit"]} for a, c in sorted(awards.items())},
        collectives=len(units),
        collectives_by_level=dict(sorted(levels.items())),
        individuals=len(persons),
        annulled=len(annulled),
        refusals=refusals,
        flags=flags,
    )
