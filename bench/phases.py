"""One benchmark phase, run in a fresh process so that its peak memory is its own.

``python -m bench.phases PHASE LEDGER [--out DIR]`` prints one JSON object: the phase's
figures, its wall and CPU seconds, and ``peak_rss_mb`` (this process) and
``children_peak_rss_mb`` (the largest process it started and waited for, e.g. a verify
worker), both from ``getrusage``. `LEDGER` is a cached ledger of bench/generate.py (its sidecar
``.json`` beside it gives the trusted checkpoint). bench/run.py runs every phase.

Phases: ``limits-verify`` (raw Ed25519 verify, one process), ``verify`` (full audit),
``verify-since`` (audit since the trusted checkpoint C1: the 1,000 new events only),
``read`` (plain read + strict decode of every event, the rebuild's baseline), ``rebuild``
(the ledger view folded from nothing, not stored), ``report`` (report_bench's cold report:
fold, store the view, build, render JSON/HTML/CSV), ``proofs`` (the tree from the log, then
inclusion and consistency proofs and their checks).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

RAW_VERIFY_N = 10000  # ≈ 0.75 s: the VM's speed drifts by a few % over seconds
RAW_SIGN_N = 3000
PROOF_SAMPLES = 200
APPEND_BATCH = 500  # events per save, as bench/generate.py writes


class Clocks:
    """A clock for ledger_bench's rate functions (which read it exactly at start and end):
    returns wall time, and keeps this process's CPU time at the same moments."""

    def __init__(self) -> None:
        self.cpu: list[float] = []

    def __call__(self) -> float:
        self.cpu.append(time.process_time())
        return time.perf_counter()

    def cpu_rate(self, count: int) -> float:
        return count / (self.cpu[-1] - self.cpu[0])


def _peaks() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": own, "children_peak_rss_mb": children}


def _sidecar(ledger: Path) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(ledger.with_suffix(".json").read_text())
    return info


# The benchmark functions are imported where used: a verify phase's worker processes import
# this module again (spawn), and should start as light as `awards verify`'s do.


def limits_verify(ledger: Path, out: Path) -> dict[str, Any]:
    from bench.ledger_bench import raw_verify_rate

    clocks = Clocks()
    wall = raw_verify_rate(RAW_VERIFY_N, clocks)
    return {"raw_verify_per_s": wall, "raw_verify_cpu_per_s": clocks.cpu_rate(RAW_VERIFY_N)}


def limits_verify_parallel(ledger: Path, out: Path) -> dict[str, Any]:
    """Raw Ed25519 verify in one process per core at once (what the cores really give now)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from bench.ledger_bench import raw_verify_rate

    cores = os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(cores, mp_context=context) as pool:
        list(pool.map(raw_verify_rate, [200] * cores))  # start every worker first
        rates = list(pool.map(raw_verify_rate, [RAW_VERIFY_N * 2] * cores))
    return {"raw_verify_all_cores_per_s": sum(rates), "per_process": rates}


def append(ledger: Path, out: Path) -> dict[str, Any]:
    """Signed bulk append against its limit, in interleaved rounds (the load drifts): raw
    Ed25519 signing, stock eventsourcing saving the same unit events `APPEND_BATCH` per save
    to SQLite, and LedgerApp.save_signed doing both (ledger_bench's functions)."""
    from bench.ledger_bench import plain_save_rate, raw_sign_rate, signed_append_rate

    events = int(os.environ.get("BENCH_APPEND_EVENTS", "3000"))
    rounds = int(os.environ.get("BENCH_APPEND_ROUNDS", "7"))
    wall: dict[str, list[float]] = {"sign": [], "plain": [], "signed": [], "ratio": []}
    cpu: dict[str, list[float]] = {"sign": [], "plain": [], "signed": [], "ratio": []}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            clocks = [Clocks(), Clocks(), Clocks()]
            rates = (
                raw_sign_rate(RAW_SIGN_N, clocks[0]),
                plain_save_rate(events, Path(tmp), APPEND_BATCH, clocks[1]),
                signed_append_rate(events, Path(tmp), APPEND_BATCH, clocks[2])[0],
            )
        counts = (RAW_SIGN_N, events, events)
        cpus = tuple(c.cpu_rate(n) for c, n in zip(clocks, counts, strict=True))
        for series, (sign, plain, signed) in ((wall, rates), (cpu, cpus)):
            series["sign"].append(sign)
            series["plain"].append(plain)
            series["signed"].append(signed)
            series["ratio"].append(signed * (1 / sign + 1 / plain))
    sign, plain = statistics.median(wall["sign"]), statistics.median(wall["plain"])
    return {
        "events_per_round": events,
        "rounds": rounds,
        "batch": APPEND_BATCH,
        "raw_sign_per_s": sign,
        "plain_save_per_s": plain,
        "limit_per_s": 1 / (1 / sign + 1 / plain),
        "signed_append_per_s": statistics.median(wall["signed"]),
        # the median of per-round ratios: each round has its limit and append side by side
        "ratio": statistics.median(wall["ratio"]),
        "cpu_ratio": statistics.median(cpu["ratio"]),
        "rounds_wall": wall,
        "rounds_cpu": cpu,
    }


SIDE_VARIANTS = ("none", "tiles", "both")  # which side tables a save extends


def _sides(variant: str, shipped: Callable[..., None]) -> Callable[..., None]:
    """ledger/sqlite_recorder.py's `extend_in_savepoint` (`shipped`, the unpatched one),
    extending only the side tables of `variant`: none, the hash tiles only, or the tiles and
    the event index (as shipped)."""
    from ledger.event_index import IndexStore

    def extend(cursor: Any, side: Any, inserted: Any) -> None:
        if variant == "both" or (variant == "tiles" and not isinstance(side, IndexStore)):
            shipped(cursor, side, inserted)

    return extend


def append_sides(ledger: Path, out: Path) -> dict[str, Any]:
    """Signed bulk append with the hash tiles and the event index (as shipped) against the same
    append extending neither (and the tiles alone), in one process, in rounds that rotate the
    order (the load drifts): issue 12's "≥ 0.9 of the figure without them". The ratio is the
    median of the per-round ratios, in wall time and in CPU time."""
    from bench.ledger_bench import signed_append_rate
    from ledger import sqlite_recorder

    events = int(os.environ.get("BENCH_APPEND_EVENTS", "3000"))
    rounds = int(os.environ.get("BENCH_AB_ROUNDS", "15"))
    shipped = sqlite_recorder.extend_in_savepoint
    wall: dict[str, list[float]] = {v: [] for v in SIDE_VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in SIDE_VARIANTS}
    try:
        for n in range(rounds):
            order = SIDE_VARIANTS[n % 3 :] + SIDE_VARIANTS[: n % 3]
            for variant in order:
                patched = _sides(variant, shipped)
                sqlite_recorder.extend_in_savepoint = patched  # type: ignore[assignment]
                with tempfile.TemporaryDirectory() as tmp:
                    clocks = Clocks()
                    wall[variant].append(
                        signed_append_rate(events, Path(tmp), APPEND_BATCH, clocks)[0]
                    )
                    cpu[variant].append(clocks.cpu_rate(events))
    finally:
        sqlite_recorder.extend_in_savepoint = shipped

    def ratios(series: dict[str, list[float]], variant: str) -> list[float]:
        return [a / b for a, b in zip(series[variant], series["none"], strict=True)]

    figures: dict[str, Any] = {"events_per_round": events, "rounds": rounds}
    for variant in ("tiles", "both"):
        figures[variant] = {
            "ratio": statistics.median(ratios(wall, variant)),
            "cpu_ratio": statistics.median(ratios(cpu, variant)),
            "ratios": ratios(wall, variant),
            "cpu_ratios": ratios(cpu, variant),
        }
    figures["per_s"] = {v: statistics.median(wall[v]) for v in SIDE_VARIANTS}
    figures["cpu_per_s"] = {v: statistics.median(cpu[v]) for v in SIDE_VARIANTS}
    figures["rounds_wall"], figures["rounds_cpu"] = wall, cpu
    return figures


def proofs_synthetic(ledger: Path, out: Path) -> dict[str, Any]:
    """ledger_bench's proofs in a 1,000,000-leaf tree (when no 1M ledger is benchmarked)."""
    from bench.ledger_bench import proof_times

    return {"leaves": 1_000_000, **proof_times(1_000_000)}


def verify(ledger: Path, out: Path) -> dict[str, Any]:
    from ledger.application import open_ledger
    from ledger.verify import audit

    app = open_ledger(str(ledger), create=False)
    report = audit(app)
    app.close()
    return {
        "events": report.size,
        "checked": report.size,
        "ok": report.ok,
        "problems": len(report.problems),
    }


def verify_since(ledger: Path, out: Path) -> dict[str, Any]:
    from ledger.application import open_ledger
    from ledger.verify import audit

    app = open_ledger(str(ledger), create=False)
    report = audit(app, since=_sidecar(ledger)["trusted_checkpoint"])
    app.close()
    return {
        "events": report.size,
        "checked": report.size - report.checked_from,
        "checked_from": report.checked_from,
        "ok": report.ok,
        "problems": len(report.problems),
    }


def read(ledger: Path, out: Path) -> dict[str, Any]:
    """The baseline of a rebuild: read every row and decode it strictly as its own type (the
    stream's per-topic decoder), folding nothing and hashing nothing."""
    from ledger.application import open_ledger
    from ledger.reader import body_of, decoder_for

    app = open_ledger(str(ledger), create=False)
    count = 0
    for _, topic, state in app.reader.rows_after(None):
        decoder_for(topic)(body_of(state))
        count += 1
    app.close()
    return {"events": count}


def rebuild(ledger: Path, out: Path) -> dict[str, Any]:
    from ledger.application import open_ledger
    from projections.runner import Runner
    from projections.view import LEDGER_VIEW

    app = open_ledger(str(ledger), create=False)
    folded = Runner(app, persist=False).read(LEDGER_VIEW)
    app.close()
    return {"events": folded.position.seq}


def report(ledger: Path, out: Path) -> dict[str, Any]:
    """report_bench's measurement, cold: the stored view is dropped first (and afterwards, so
    the cached ledger stays as generated)."""
    from bench.report_bench import measure
    from ledger.application import open_ledger
    from projections.store import ViewStore
    from projections.view import LEDGER_VIEW

    def drop() -> None:
        app = open_ledger(str(ledger), create=False)
        ViewStore(app).drop(LEDGER_VIEW.name)
        app.close()

    drop()
    figures = measure(str(ledger), out)
    drop()
    return figures


def publish(ledger: Path, out: Path) -> dict[str, Any]:
    """`awards publish` from nothing (tiles, bundles, checkpoint, every movement's report)
    into a fresh folder under `out`."""
    from ledger.application import open_ledger
    from ledger.publish import publish_log
    from projections.publication import publish_reports

    target = out / "publication"
    shutil.rmtree(target, ignore_errors=True)
    app = open_ledger(str(ledger), create=False)
    done = publish_log(app, target)
    movements = publish_reports(app, target, done.size).movements
    app.close()
    shutil.rmtree(target, ignore_errors=True)
    return {"events": done.size, "files": done.written, "movements": len(movements)}


def _median_ms(calls: list[Callable[[], object]]) -> tuple[float, float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, max(times) * 1e3


def proofs(ledger: Path, out: Path) -> dict[str, Any]:
    """The Merkle tree read from the ledger, then proofs between random sizes and leaves."""
    from ledger.application import open_ledger
    from ledger.merkle import verify_consistency, verify_inclusion

    app = open_ledger(str(ledger), create=False)
    start = time.perf_counter()
    tree, _ = app.tree()
    tree_s = time.perf_counter() - start
    size, root = tree.size, tree.root()
    rng = random.Random(7)
    leaves = [rng.randrange(size) for _ in range(PROOF_SAMPLES)]
    olds = [rng.randrange(1, size) for _ in range(PROOF_SAMPLES)]
    inclusion, inclusion_max = _median_ms([partial(tree.inclusion_proof, i) for i in leaves])
    consistency, consistency_max = _median_ms([partial(tree.consistency_proof, o) for o in olds])
    check_incl, _ = _median_ms(
        [
            partial(verify_inclusion, tree.leaf_hash_at(i), i, size, tree.inclusion_proof(i), root)
            for i in leaves
        ]
    )
    check_cons, _ = _median_ms(
        [
            partial(verify_consistency, o, size, tree.consistency_proof(o), tree.root(o), root)
            for o in olds
        ]
    )
    app.close()
    return {
        "events": size,
        "tree_from_log_s": tree_s,
        "inclusion_proof_ms": inclusion,
        "inclusion_proof_max_ms": inclusion_max,
        "inclusion_verify_ms": check_incl,
        "consistency_proof_ms": consistency,
        "consistency_proof_max_ms": consistency_max,
        "consistency_verify_ms": check_cons,
        "samples": PROOF_SAMPLES,
    }


PHASES: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "append": append,
    "append-sides": append_sides,
    "limits-verify-parallel": limits_verify_parallel,
    "proofs-synthetic": proofs_synthetic,
    "limits-verify": limits_verify,
    "verify": verify,
    "verify-since": verify_since,
    "read": read,
    "rebuild": rebuild,
    "report": report,
    "proofs": proofs,
    "publish": publish,
}


# Modules a phase imports, loaded before its clock starts (start-up is not what is measured).
PRELOAD = {
    "verify": ["ledger.verify"],
    "verify-since": ["ledger.verify"],
    "read": ["projections.stream"],
    "rebuild": ["projections.runner", "projections.view"],
    "report": ["projections.report", "projections.store", "bench.report_bench"],
    "proofs": ["ledger.application"],
    "publish": ["ledger.publish", "projections.publication"],
}


def run_phase(name: str, ledger: Path, out: Path) -> dict[str, Any]:
    """Run `name` in this process and return its figures with time, CPU and peak memory."""
    for module in PRELOAD.get(name, []):
        importlib.import_module(module)
    wall, cpu = time.perf_counter(), time.process_time()
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = PHASES[name](ledger, out)
    figures["wall_s"] = time.perf_counter() - wall
    figures["cpu_s"] = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["children_cpu_s"] = (after.ru_utime + after.ru_stime) - (
        children_cpu.ru_utime + children_cpu.ru_stime
    )
    if "events" in figures and figures.get("checked", figures["events"]):
        figures["per_s"] = figures.get("checked", figures["events"]) / figures["wall_s"]
    figures.update(_peaks())
    figures["load_average_1m"] = os.getloadavg()[0]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("ledger", type=Path, nargs="?", default=Path("-"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = run_phase(args.phase, args.ledger, args.out or Path(tmp))
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
