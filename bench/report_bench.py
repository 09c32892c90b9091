"""Benchmark the public report on a big ledger: time and peak memory, cold and warm.

Builds a signed SQLite ledger of about N events (default 100,000) in rounds of 20 "blocks": a
unit with 50 people, their registrations, 5 criteria scored by appraisal and self plus one
correction each, an open review session with 5 members, and an advanced_worker decision for the
50 (each command is one batched `save_signed`; rules are not re-checked, this is load, not a
scenario). Then, each in a fresh process so that its peak RSS is its own:

- cold: no stored view — fold every event, store the view, build and render the report
  (JSON, HTML, CSV);
- warm: the stored view is current — load it, build and render the report;
- after: 1,000 more events — catch the stored view up, build and render.

Target: 1,000,000 events in ≤ 60 s and ≤ 300 MB (streaming folds: the log is read in pages,
never held in memory). Run: ``.venv/bin/python -m bench.report_bench [--events N]
[--ledger PATH] [--keep]``; prints a table and writes bench/results/report.json. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from domain.actor import VIETNAM_TZ, Actor
from domain.base import Aggregate
from domain.decision import Decision
from domain.movement import Criterion, Movement
from domain.participation import Participation
from domain.register import AwardRegister, Recipient, RecipientRecord
from domain.registry import Person, Signer, SignerKey, Unit
from domain.session import ReviewSession
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.usecases import registry
from projections.store import ViewStore
from projections.view import LEDGER_VIEW

MOVEMENT = "TD-BENCH"
PEOPLE_PER_BLOCK = 50
BLOCKS_PER_ROUND = 20
MEMBERS = [f"uv{i}" for i in range(5)]
CRITERIA = [Criterion(id=f"c{i}", name=f"Tiêu chí {i}", max_points=10.0, weight=1.0 + i / 10)
            for i in range(5)]  # fmt: skip
EVENTS_PER_BLOCK = 1 + 2 * PEOPLE_PER_BLOCK + 11 * PEOPLE_PER_BLOCK + 7 + 2 + 2 * PEOPLE_PER_BLOCK


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=VIETNAM_TZ)


class Builder:
    """Writes rounds of blocks with one save per signer and phase."""

    def __init__(self, app: LedgerApp) -> None:
        self.app = app
        self.keys = {name: generate_key() for name in ["op", "sec", "sc", "ct", "bt", *MEMBERS]}
        registry.initialise(app, "bench.example/awards", "op", self.keys["op"])
        signers: list[Aggregate] = []
        roles = {"sec": ["secretary"], "sc": ["scorer"], "ct": ["council_chair"],
                 "bt": ["authority"], **{m: ["council_member"] for m in MEMBERS}}  # fmt: skip
        for name, held in roles.items():
            public = raw_public_key(self.keys[name])
            competence = ["advanced_worker"] if name == "bt" else []
            signer = Signer.register(name, public, held, competence=competence)
            signers += [signer, SignerKey.claim(public, name)]
        self.save("op", signers)
        self.actors = {
            n: Actor(n, roles=frozenset(r), competence=frozenset(["advanced_worker"]))
            for n, r in roles.items()
        }
        self.movement = Movement.launch(
            MOVEMENT, "Phong trào thi đua (benchmark)", start=date(2019, 1, 1),
            end=date(2019, 12, 31), unit_deadline=date(2019, 2, 18), criteria=CRITERIA,
            spec_hash=bytes(32), at=_at("2019-01-02"),
        )  # fmt: skip
        self.save("sec", [self.movement])
        self.register = AwardRegister.open(MOVEMENT)
        self.block = 0

    def save(self, signer: str, aggregates: list[Aggregate]) -> None:
        self.app.save_signed(signer, self.keys[signer], aggregates)

    def round(self, blocks: int) -> None:
        m, first = self.movement, self.block
        self.block += blocks
        ids = [f"B{b:05d}" for b in range(first, self.block)]
        people = {b: [f"{b}-P{i:02d}" for i in range(PEOPLE_PER_BLOCK)] for b in ids}
        recorded: list[Aggregate] = []
        parts: dict[str, Participation] = {}
        for b in ids:
            unit = Unit.add(b, f"Phòng {b}", "division" if int(b[1:]) % 3 else "department", None)
            recorded.append(unit)
            for i, pid in enumerate(people[b]):
                recorded.append(Person.add(pid, f"Người {pid}", unit, None, i % 4 == 0))
                parts[pid] = Participation.register(m, pid, "person", ["advanced_worker"],
                                                    at=_at("2019-02-01"))  # fmt: skip
        self.save("sec", recorded + list(parts.values()))
        scorer = self.actors["sc"]
        for n, p in enumerate(parts.values()):
            for c in CRITERIA:
                p.score(m, c.id, float((n + int(c.id[1:])) % 10), "appraisal", scorer=scorer,
                        at=_at("2019-11-01"))  # fmt: skip
                p.score(m, c.id, 9.0, "self", scorer=scorer, at=_at("2019-11-01"))
            p.score(m, "c0", 10.0, "appraisal", scorer=scorer, at=_at("2019-11-02"), reason="lại")
        self.save("sc", list(parts.values()))
        sessions = {
            b: ReviewSession.open(f"S-{b}", m, "advanced_worker", people[b], MEMBERS,
                                  at=_at("2019-12-18"), registered=people[b], mode="open")
            for b in ids
        }  # fmt: skip
        self.save("ct", list(sessions.values()))
        for member in MEMBERS:
            for b in ids:
                sessions[b].cast_vote(self.actors[member], people[b], [], at=_at("2019-12-19"))
            self.save(member, list(sessions.values()))
        for s in sessions.values():
            s.close(at=_at("2019-12-20"))
        self.save("ct", list(sessions.values()))
        decided: list[Aggregate] = []
        for b in ids:
            recipients = [Recipient(pid, "person", b) for pid in people[b]]
            decision = Decision.record(
                f"{b}/QĐ", m, "advanced_worker", recipients, self.actors["bt"], date(2019, 12, 25),
                at=_at("2019-12-25"), basis=f"S-{b}", overrides={}, violations=[],
            )  # fmt: skip
            self.register.enter(decision.number, "advanced_worker", 2019, recipients)
            decided.append(decision)
            for r in recipients:
                record = RecipientRecord.open(r.id, "person")
                record.enter(decision.number, "advanced_worker", MOVEMENT, 2019, date(2019, 12, 25))
                decided.append(record)
        self.save("bt", [self.register, *decided])

    def extra_units(self, count: int) -> None:
        """`count` more events (units), for the incremental catch-up."""
        self.save("sec", [Unit.add(f"X{i:05d}", f"Đơn vị {i}", "office", None)
                          for i in range(count)])  # fmt: skip


def build(path: Path, events: int) -> tuple[Builder, int, float]:
    """A ledger of about `events` events at `path`; the builder keeps it open for more."""
    start = time.perf_counter()
    builder = Builder(open_ledger(str(path)))
    blocks = max(1, round(events / EVENTS_PER_BLOCK))
    while builder.block < blocks:
        builder.round(min(BLOCKS_PER_ROUND, blocks - builder.block))
    registry.sign_new_checkpoint(builder.app, builder.keys["op"])
    seconds = time.perf_counter() - start
    return builder, builder.app.tree()[0].size, seconds


def measure(url: str, out: Path) -> dict[str, Any]:
    """One report run in this process: fold (or catch up), build, render; time and peak RSS."""
    from projections.checkpoints import stored_checkpoints
    from projections.report.model import build_report
    from projections.report.render_csv import write_csv
    from projections.report.render_html import write_html
    from projections.report.render_json import write_json
    from projections.runner import Runner
    from projections.view import LEDGER_VIEW

    app = open_ledger(url)
    figures: dict[str, Any] = {}
    cpu = time.process_time()
    start = time.perf_counter()
    folded = Runner(app).read(LEDGER_VIEW)
    figures["fold_s"] = time.perf_counter() - start
    figures["events"], figures["stored"] = folded.position.seq, folded.stored
    mark = time.perf_counter()
    report = build_report(folded.state, folded.position, MOVEMENT, stored_checkpoints(app))
    del folded
    figures["report_s"] = time.perf_counter() - mark
    out.mkdir(parents=True, exist_ok=True)
    mark = time.perf_counter()
    with (out / "report.json").open("wb") as json_file:
        write_json(report, json_file)
    figures["json_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with (out / "report.html").open("w", encoding="utf-8") as html_file:
        write_html(report, html_file)
    figures["html_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    write_csv(report, out / "csv")
    figures["csv_s"] = time.perf_counter() - mark
    figures["total_s"] = time.perf_counter() - start
    figures["cpu_s"] = time.process_time() - cpu  # this process only: not inflated by load
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["awards"] = len(report.awards)
    figures["html_mb"] = (out / "report.html").stat().st_size / 2**20
    figures["json_mb"] = (out / "report.json").stat().st_size / 2**20
    app.close()
    return figures


def _run_child(url: str, out: Path) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, "-m", "bench.report_bench", "--measure", url, "--out", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(child.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--ledger", type=Path, default=None, help="Reuse (or keep) this ledger.")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the child process
        print(json.dumps(measure(args.measure, args.out)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.ledger or Path(tmp) / "bench.db"
        builder: Builder | None = None
        if path.exists():
            app = open_ledger(str(path))
            size, build_s = app.tree()[0].size, 0.0
            ViewStore(app).drop(LEDGER_VIEW.name)  # the cold run starts from nothing
            app.close()
        else:
            builder, size, build_s = build(path, args.events)
        rate = size / build_s if build_s else 0.0
        print(f"ledger: {size} events, built in {build_s:.1f} s ({rate:.0f} events/s)")
        runs = {"cold": _run_child(str(path), Path(tmp) / "cold")}
        runs["warm"] = _run_child(str(path), Path(tmp) / "warm")
        if builder is not None:  # we hold the keys: append 1,000 events and catch up
            builder.extra_units(1000)
            builder.app.close()
            runs["after_1000_more"] = _run_child(str(path), Path(tmp) / "after")
    for name, f in runs.items():
        print(
            f"{name:>16}: {f['total_s']:6.1f} s (fold {f['fold_s']:.1f}, "
            f"report {f['report_s']:.1f}, json {f['json_s']:.1f}, html {f['html_s']:.1f}, "
            f"csv {f['csv_s']:.1f}); cpu {f['cpu_s']:.1f} s; "
            f"peak {f['peak_rss_mb']:.0f} MB; {f['events']} events, {f['awards']} awards, "
            f"html {f['html_mb']:.1f} MB"
        )
    cold = runs["cold"]
    scale = 1_000_000 / size
    figures = {
        "events": size,
        "build_s": build_s,
        "runs": runs,
        "extrapolated_1m_cold_s": cold["total_s"] * scale,
        "extrapolated_1m_cold_cpu_s": cold["cpu_s"] * scale,
        "measured_at": datetime.now(UTC).isoformat(),
        "cores": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
    }
    print(
        f"cold report scaled to 1M events: {figures['extrapolated_1m_cold_s']:.0f} s wall, "
        f"{figures['extrapolated_1m_cold_cpu_s']:.0f} s cpu "
        f"(load average {figures['load_average_1m']:.1f} on {figures['cores']} cores)"
    )
    results = Path("bench/results")
    results.mkdir(parents=True, exist_ok=True)
    (results / "report.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
