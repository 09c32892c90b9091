"""Benchmark the inspector reads and the publication as a user runs them: each command is the
whole `awards` process on a cached bench ledger, minus `awards CMD --help` (process start with
that command's own code loaded: the root group imports a command's module only when it runs).

Issue 12's targets at 1M events: `prove`, `consistency`, `receipt`, `show` and `history` of one
person ≤ 50 ms beyond process start (also timed: `log --type … --limit 50` and `list
movements`; long answers, for their memory: a fifth of the log as JSON, a tenth of it by type,
every decision listed; and with ``--backfill`` filling the event index of a ledger made without
one, once);
peak memory of every read ≤ 100 MB; `publish` from nothing
≤ 2 × a full `verify`; a republish after 1,000 new events ≤ 1 s.

How each figure is measured:

- **reads**: one warm-up run (fills the page cache and any read cache), then `runs` rounds of
  the command and `awards CMD --help` in turn (CMD its first word, e.g. `awards prove --help`
  for `awards prove 500592`; A B A B …, so drift in the machine's load hits both), each a
  fresh process whose wall time, CPU time (user + system, its children included) and peak
  RSS are its own (``os.wait4``). Reported: the median of the per-round differences
  (command − `CMD --help`) of wall and of CPU, and the median peak RSS.
- **publish / verify**: on a copy of the ledger (publish may store caches, the republish
  appends), `awards verify` and `awards publish DIR` into an empty folder alternate,
  `heavy_runs` times each; the ratio is of the medians. The first publish also stores the
  report views (cold), so it is reported apart.
- **republish**: `heavy_runs` times: 1,000 units signed by the bench secretary and a new
  checkpoint are appended in this process (untimed), then `awards publish DIR` over the
  previous publication is timed (the whole process, process start included: the target is
  ≤ 1 s as the user waits). Then, as apart, `heavy_runs` republishes after 100 scores of the
  bench movement and a checkpoint (which make that movement's report again; no target).

Run: ``.venv/bin/python -m bench.cli_bench [--ledger bench/results/ledgers/1m.db] [--runs 9]
[--heavy-runs 2] [--skip-publish] [--backfill]``; writes bench/results/cli-<label>.json and
.md. Not a test. `make bench` (bench/run.py) runs it on every size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report_bench import EVENTS_PER_BLOCK
from ledger import event_index

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
AWARDS = str(Path(sys.executable).parent / "awards")
READ_MS_LIMIT = 50.0
READ_MB_LIMIT = 100.0
PUBLISH_RATIO_LIMIT = 2.0
REPUBLISH_S_LIMIT = 1.0
NEW_EVENTS = 1000
SCORED = 100  # scores before the second kind of republish

TIMED_READS = ("prove", "consistency", "receipt", "show", "history")  # the ≤ 50 ms ones


def read_target(name: str) -> str:
    """The target of the read `name` (a key of `read_cases`)."""
    timed = name.split()[0] in TIMED_READS
    return (f"≤ {READ_MS_LIMIT:g} ms CPU, " if timed else "") + f"≤ {READ_MB_LIMIT:g} MB"


def read_met(name: str, r: dict[str, float]) -> bool:
    """Whether read `name` met its target: peak memory, and for the timed reads the median CPU
    beyond process start (the wall figure is shown too; on this shared machine it carries
    the other processes' load, ±100 ms)."""
    fast = name.split()[0] not in TIMED_READS or r["cpu_ms"] <= READ_MS_LIMIT
    return fast and r["peak_mb"] <= READ_MB_LIMIT


Sample = tuple[float, float, float]  # wall s, cpu s, peak MB
Argv = Callable[[int], list[str]]  # run number → the command's arguments after `--ledger L`


def run_once(args: list[str]) -> Sample:
    """(wall s, cpu s, peak MB) of one process running `args` (output discarded)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} exited {code}: {errors.decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def start_argv(command: list[str]) -> list[str]:
    """What `awards [--ledger L] COMMAND ...` is measured against: `awards COMMAND --help`
    (COMMAND its first word), the process start with that command's own code imported (the
    root group imports a command's module only when it is resolved) and none of it run."""
    return [AWARDS, command[0], "--help"]


def beyond_start(ledger: Path, argv: Argv, runs: int, warm: bool = True) -> dict[str, float]:
    """Medians of the command's wall and CPU time minus `awards CMD --help`'s (start_argv), and
    its peak MB."""
    if warm:
        run_once([AWARDS, "--ledger", str(ledger), *argv(-1)])  # the page cache, any cache
    mine: list[Sample] = []
    base: list[Sample] = []
    for n in range(runs):
        mine.append(run_once([AWARDS, "--ledger", str(ledger), *argv(n)]))
        base.append(run_once(start_argv(argv(n))))
    return {**beside_start(mine, base), "runs": runs}


def beside_start(mine: list[Sample], base: list[Sample]) -> dict[str, float]:
    """Runs of a command (`mine`) each paired with a run of `awards CMD --help` (`base`): the
    medians of their differences in wall and CPU time, the command's median and largest
    peak, and the start's own times."""
    pairs = list(zip(mine, base, strict=True))
    return {
        "wall_ms": 1000 * statistics.median(m[0] - b[0] for m, b in pairs),
        "cpu_ms": 1000 * statistics.median(m[1] - b[1] for m, b in pairs),
        "peak_mb": statistics.median(m[2] for m in mine),
        "max_peak_mb": max(m[2] for m in mine),
        "start_wall_ms": 1000 * statistics.median(b[0] for b in base),
        "start_cpu_ms": 1000 * statistics.median(b[1] for b in base),
    }


def sidecar(ledger: Path) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(ledger.with_suffix(".json").read_text())
    return info


def read_cases(info: dict[str, Any], out: Path) -> dict[str, Argv]:
    """The inspector reads of issue 12 on a generator ledger (bench/generate.py): the middle
    event, the middle block's decision, its first recipient."""
    size = int(info["events"])
    middle = size // 2
    blocks = max(1, round(int(info["requested"]) / EVENTS_PER_BLOCK))
    block = f"B{blocks // 2:05d}"
    person = f"{block}-P00"
    return {
        f"prove {middle}": lambda n: ["prove", str(middle)],
        f"consistency {middle}": lambda n: ["consistency", str(middle)],
        f"receipt {block}/QĐ --recipient {person} --out F": lambda n: [
            "receipt", f"{block}/QĐ", "--recipient", person, "--out", str(out / f"r{n}.json"),
            "--force",
        ],
        f"show {middle}": lambda n: ["show", str(middle)],
        f"history {person}": lambda n: ["history", person],
        "log --type Decision.Recorded --limit 50": lambda n: [
            "log", "--type", "Decision.Recorded", "--limit", "50",
        ],
        "list movements": lambda n: ["list", "movements"],
        # long answers, read, checked and printed a page at a time (peak memory, not speed)
        f"log --limit {size // 5} --json": lambda n: [
            "log", "--limit", str(size // 5), "--json",
        ],
        f"log --type Participation.Scored --limit {size // 10}": lambda n: [
            "log", "--type", "Participation.Scored", "--limit", str(size // 10),
        ],
        "list decisions": lambda n: ["list", "decisions"],
    }  # fmt: skip


def copy_ledger(ledger: Path, folder: Path) -> Path:
    target = folder / ledger.name
    for suffix in ("", "-wal"):
        source = Path(f"{ledger}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")
    return target


def append_new(ledger: Path, info: dict[str, Any], tag: str) -> int:
    """Append NEW_EVENTS units signed by the bench secretary and a new checkpoint over them
    (in this process, untimed); return the ledger's size."""
    from bench.generate import load_key
    from domain.registry import Unit
    from ledger.application import open_ledger
    from ledger.usecases import registry

    app = open_ledger(str(ledger), create=False)
    units = [
        Unit.add(f"{tag}-{i:04d}", f"Đơn vị {tag} {i}", "office", None) for i in range(NEW_EVENTS)
    ]
    app.save_signed("sec", load_key(info["keys"]["sec"]), units)
    registry.sign_new_checkpoint(app, load_key(info["keys"]["op"]))
    size = app.tree()[0].size
    app.close()
    return size


def append_scores(ledger: Path, info: dict[str, Any], round_: int) -> int:
    """Score SCORED participants of the bench movement again (a correction each, signed by the
    bench scorer) and sign a checkpoint over them (in this process, untimed); return the
    ledger's size."""
    from bench.generate import load_key
    from bench.report_bench import CRITERIA, MOVEMENT, PEOPLE_PER_BLOCK
    from ledger.application import open_ledger
    from ledger.usecases import registry, workflow

    app = open_ledger(str(ledger), create=False)
    scorer = load_key(info["keys"]["sc"])
    blocks = max(1, round(int(info["requested"]) / EVENTS_PER_BLOCK))
    for n in range(min(SCORED, blocks * PEOPLE_PER_BLOCK)):  # one per block, then the next
        person = f"B{n % blocks:05d}-P{n // blocks:02d}"
        points = float(round_ % 10)
        workflow.score(app, scorer, MOVEMENT, person, [(CRITERIA[0].id, points)], reason="bench")
    registry.sign_new_checkpoint(app, load_key(info["keys"]["op"]))
    size = app.tree()[0].size
    app.close()
    return size


def backfill(ledger: Path, work: Path) -> dict[str, float]:
    """Time filling the event index of a copy of `ledger` from which it was dropped (the
    one-off cost for a ledger made before the index): `awards list movements` on it."""
    copy = copy_ledger(ledger, work)
    with sqlite3.connect(copy) as conn:
        conn.execute(f"DROP TABLE IF EXISTS stored_events{event_index.TABLE}")
    wall, cpu, peak = run_once([AWARDS, "--ledger", str(copy), "list", "movements"])
    copy.unlink()
    return {"wall_s": wall, "cpu_s": cpu, "peak_mb": peak}


def publish_figures(ledger: Path, info: dict[str, Any], runs: int, work: Path) -> dict[str, Any]:
    """Full verify against publish from nothing, alternating, then republishes after 1,000
    new events each (see the module docstring)."""
    copy = copy_ledger(ledger, work)
    site = work / "site"
    verifies: list[Sample] = []
    publishes: list[Sample] = []
    for _ in range(runs):
        verifies.append(run_once([AWARDS, "--ledger", str(copy), "verify"]))
        shutil.rmtree(site, ignore_errors=True)
        publishes.append(run_once([AWARDS, "--ledger", str(copy), "publish", str(site)]))
    cold, warm = publishes[0], publishes[1:] or publishes
    verify_wall = statistics.median(v[0] for v in verifies)
    verify_cpu = statistics.median(v[1] for v in verifies)
    figures: dict[str, Any] = {
        "events": int(info["events"]),
        "verify_wall_s": [v[0] for v in verifies],
        "verify_cpu_s": [v[1] for v in verifies],
        "verify_peak_mb": max(v[2] for v in verifies),
        "publish_wall_s": [p[0] for p in publishes],
        "publish_cpu_s": [p[1] for p in publishes],
        "publish_peak_mb": max(p[2] for p in publishes),
        "publish_cold_wall_s": cold[0],
        "publish_median_wall_s": statistics.median(p[0] for p in publishes),
        "publish_warm_wall_s": statistics.median(p[0] for p in warm),
        "ratio": statistics.median(p[0] for p in publishes) / verify_wall,
        "cold_ratio": cold[0] / verify_wall,
        "cpu_ratio": statistics.median(p[1] for p in publishes) / verify_cpu,
        "runs": runs,
    }
    republishes: list[Sample] = []
    sizes: list[int] = []
    for n in range(runs):
        sizes.append(append_new(copy, info, f"R{n}"))
        republishes.append(run_once([AWARDS, "--ledger", str(copy), "publish", str(site)]))
    figures["republish"] = _republish_figures(NEW_EVENTS + 1, sizes, republishes)
    sizes, republishes = [], []
    for n in range(runs):
        sizes.append(append_scores(copy, info, n))
        republishes.append(run_once([AWARDS, "--ledger", str(copy), "publish", str(site)]))
    figures["republish_scores"] = _republish_figures(SCORED + 1, sizes, republishes)
    return figures


def _republish_row(
    after: str, note: str, r: dict[str, Any], target: str, verdict: str
) -> tuple[str, str, str, str, str]:
    """The table row of a republish after `after` (figures `r` of `_republish_figures`)."""
    return (
        f"`awards publish DIR` again after {after}",
        f"{r['median_wall_s']:.2f} s wall, {r['median_cpu_s']:.2f} s CPU; peak"
        f" {r['peak_mb']:.0f} MB{note}",
        f"whole process, start included, median of {len(r['wall_s'])}",
        target,
        verdict,
    )


def _republish_figures(
    new_events: int, sizes: list[int], republishes: list[Sample]
) -> dict[str, Any]:
    return {
        "new_events": new_events,  # the checkpoint's own event included
        "sizes": sizes,
        "wall_s": [r[0] for r in republishes],
        "cpu_s": [r[1] for r in republishes],
        "median_wall_s": statistics.median(r[0] for r in republishes),
        "median_cpu_s": statistics.median(r[1] for r in republishes),
        "peak_mb": max(r[2] for r in republishes),
    }


def measure(
    ledger: Path,
    runs: int = 9,
    heavy_runs: int = 2,
    publish: bool = True,
    with_backfill: bool = False,
    warm: bool = True,
) -> dict[str, Any]:
    """Every figure of this module on `ledger` (a bench/generate.py ledger with its sidecar)."""
    info = sidecar(ledger)
    figures: dict[str, Any] = {
        "ledger": str(ledger),
        "events": int(info["events"]),
        "measured_at": datetime.now(UTC).isoformat(),
        "load_average_1m_start": os.getloadavg()[0],
        "reads": {},
    }
    with tempfile.TemporaryDirectory(dir=ledger.parent) as tmp:
        work = Path(tmp)
        if with_backfill:
            figures["backfill"] = backfill(ledger, work)
        for name, argv in read_cases(info, work).items():
            figures["reads"][name] = beyond_start(ledger, argv, runs, warm)
        if publish:
            figures["publish"] = publish_figures(ledger, info, heavy_runs, work)
    figures["load_average_1m_end"] = os.getloadavg()[0]
    return figures


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def table(f: dict[str, Any]) -> str:
    """The markdown table of `measure`'s figures."""
    head = ("figure", "measured", "how", "target", "")
    rows: list[tuple[str, ...]] = []
    for name, r in f["reads"].items():
        rows.append(
            (
                f"`awards {name}`",
                f"{r['wall_ms']:+.0f} ms wall, {r['cpu_ms']:+.0f} ms CPU;"
                f" peak {r['peak_mb']:.0f} MB",
                f"process minus `awards {name.split()[0]} --help` ({r['start_wall_ms']:.0f} ms), "
                f"median of {r['runs']} alternating pairs",
                read_target(name),
                _ok(read_met(name, r)),
            )
        )  # fmt: skip
    p = f.get("publish")
    if p is not None:
        rows.append(
            (
                "`awards publish DIR` from nothing vs `awards verify`",
                f"{p['publish_median_wall_s']:.1f} s vs {statistics.median(p['verify_wall_s']):.1f}"
                f" s = {p['ratio']:.2f}× (CPU {p['cpu_ratio']:.2f}×; first, cold:"
                f" {p['publish_cold_wall_s']:.1f} s = {p['cold_ratio']:.2f}×); peak"
                f" {p['publish_peak_mb']:.0f} / {p['verify_peak_mb']:.0f} MB",
                f"whole processes, alternating, medians of {p['runs']}",
                f"≤ {PUBLISH_RATIO_LIMIT:g}×",
                _ok(p["ratio"] <= PUBLISH_RATIO_LIMIT),
            )
        )
        r = p["republish"]
        met = r["median_wall_s"] <= REPUBLISH_S_LIMIT
        rows.append(
            _republish_row(
                f"{r['new_events']:,} new events", "", r, f"≤ {REPUBLISH_S_LIMIT:g} s", _ok(met)
            )
        )
        rows.append(
            _republish_row(
                f"{SCORED} scores and a checkpoint",
                " (the movement's report made again)",
                p["republish_scores"],
                "",
                "",
            )
        )
    b = f.get("backfill")
    if b is not None:
        rows.append(
            (
                "filling a dropped event index (`awards list movements`)",
                f"{b['wall_s']:.1f} s wall, {b['cpu_s']:.1f} s CPU; peak {b['peak_mb']:.0f} MB",
                "whole process, once",
                "",
                "",
            )
        )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines.append("")
    lines.append(
        f"{f['events']:,} events ({Path(f['ledger']).name}); load average "
        f"{f['load_average_1m_start']:.1f} → {f['load_average_1m_end']:.1f}; "
        f"{f['measured_at'][:16]} UTC."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=Path, default=RESULTS / "ledgers" / "1m.db")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--heavy-runs", type=int, default=2)
    parser.add_argument("--skip-publish", action="store_true")
    parser.add_argument(
        "--backfill", action="store_true", help="Also time filling a dropped event index."
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    figures = measure(args.ledger, args.runs, args.heavy_runs, not args.skip_publish, args.backfill)
    text = table(figures)
    figures["table"] = text
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"cli-{args.ledger.stem}"
    (args.out / f"{stem}.json").write_text(json.dumps(figures, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
