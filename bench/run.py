"""`make bench`: every figure of issue 5 beside this machine's own limit, measured in one run.

``python -m bench.run [--sizes 10k,100k,1m] [--quick] [--no-postgres]``

1. Ledgers of about each size, a realistic mix signed in batches of 500 events per save
   (bench/generate.py), cached in bench/results/ledgers/ so reruns skip this step.
2. Every phase runs in a fresh process (bench/phases.py), so its peak memory is its own:
   signed bulk append against 1/(1/raw sign + 1/plain eventsourcing batched save) in
   interleaved rounds; per size, full verify bracketed by raw Ed25519 verify measurements
   (limit = cores × raw verify in one process; also shown: raw verify in one process per
   core at once, what the cores give together), the incremental verify of the 1,002 events
   after the trusted checkpoint, plain read + decode, projection rebuild, the cold report,
   and proofs; then bench/cli_bench.py: issue 12's inspector reads (`prove`, `consistency`,
   `receipt`, `show`, `history`), `publish` against `verify`, and a republish after 1,000 new
   events, each as the user runs it (the `awards` process, minus `awards CMD --help`).
3. The write cost of the side tables: signed bulk append with the hash tiles and the event
   index against the same append extending neither (bench/phases.py ``append-sides``).
4. PostgreSQL: 1, 2 and 4 writer processes on one ledger (bench/pg_writers.py), with a row
   count and an audit afterwards.

Writes bench/results/figures.json and bench/results/TABLE.md and prints the table. The load
average is recorded at every phase: other processes on the machine slow a run down, and
ratios measured minutes apart drift with the load, so each limit is measured right beside its
figure, and the CPU-time ratio (the figure's CPU per event, its workers included, against the
limit's) is printed next to the wall-clock one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import cli_bench, view_bench
from bench.generate import LEDGERS, label_of, parse_size, paths

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MB_LIMIT = 300.0
PROOF_MS_LIMIT = 10.0
REPORT_S_LIMIT = 60.0
PUBLISH_RATIO_LIMIT = 2.0  # issue 12: publish of 1M events within 2x a full verify
APPEND_TARGET = 0.8
VERIFY_TARGET = 0.9
SIDES_TARGET = 0.9  # issue 12: append with tiles and the index ≥ 0.9 of the figure without
PG_BATCH = 100  # events per save of each PostgreSQL writer
VIEW_MS_LIMIT = 200.0  # issue 12: standings and tally beyond process start at 1M events
VIEW_MB_LIMIT = 100.0
MOVEMENT_REPORT_S_LIMIT = 5.0  # issue 12: a movement's report at 1M events
SINCE_SCALE_LIMIT = 2.0  # 1k new events on the largest ledger vs on the smallest


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def phase(name: str, ledger: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """Run one phase of bench/phases.py in a fresh interpreter; return its figures."""
    command = [sys.executable, "-m", "bench.phases", name]
    if ledger is not None:
        command.append(str(ledger))
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    if done.returncode:
        log(done.stderr)
        raise RuntimeError(f"phase {name} failed with exit status {done.returncode}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"  {name:<22} {time.perf_counter() - started:7.1f} s  load {os.getloadavg()[0]:.1f}")
    return figures


def generate(label: str, events: int) -> dict[str, Any]:
    db, meta = paths(label)
    fresh = not (db.exists() and meta.exists())
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--events", str(events), "--label", label],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    info: dict[str, Any] = json.loads(meta.read_text())
    info.pop("keys", None)
    info["generated_now"] = fresh
    return info


def bench_size(label: str, info: dict[str, Any], quick: bool = False) -> dict[str, Any]:
    db, _ = paths(label)
    cores = os.cpu_count() or 1
    log(f"{label}: {info['events']:,} events")
    before, together = phase("limits-verify"), [phase("limits-verify-parallel")]
    full = phase("verify", db)
    after = phase("limits-verify")
    together.append(phase("limits-verify-parallel"))
    all_cores = sum(t["raw_verify_all_cores_per_s"] for t in together) / len(together)
    one_core = (before["raw_verify_per_s"] + after["raw_verify_per_s"]) / 2
    raw_cpu_us = 2e6 / (before["raw_verify_cpu_per_s"] + after["raw_verify_cpu_per_s"])
    cpu_us = (full["cpu_s"] + full["children_cpu_s"]) / full["events"] * 1e6
    figures: dict[str, Any] = {
        "events": info["events"],
        "generation": info,
        "verify": {
            **full,
            "raw_verify_one_core_per_s": [before["raw_verify_per_s"], after["raw_verify_per_s"]],
            "limit_per_s": cores * one_core,
            "ratio": full["per_s"] / (cores * one_core),
            # what the cores give when all verify at once, bracketing the audit the same way
            "raw_verify_all_cores_per_s": [t["raw_verify_all_cores_per_s"] for t in together],
            "all_cores_limit_per_s": all_cores,
            "all_cores_ratio": full["per_s"] / all_cores,
            # CPU-based: raw verify CPU per event over all the audit's CPU per event (its own
            # process and its workers): the ratio it reaches when it has the cores to itself.
            "cpu_per_event_us": cpu_us,
            "raw_verify_cpu_us": raw_cpu_us,
            "cpu_ratio": raw_cpu_us / cpu_us,
        },
        "verify_since": phase("verify-since", db),
    }
    read = phase("read", db)
    rebuild = phase("rebuild", db)
    figures["read_decode"] = read
    figures["rebuild"] = {
        **rebuild,
        "ratio": rebuild["per_s"] / read["per_s"],
        "cpu_ratio": read["cpu_s"] / rebuild["cpu_s"],
    }
    figures["report"] = phase("report", db)
    figures["proofs"] = phase("proofs", db)
    published = phase("publish", db)
    figures["publish"] = {**published, "ratio": published["wall_s"] / full["wall_s"]}
    started = time.perf_counter()
    figures["cli"] = cli_bench.measure(db, runs=3 if quick else 7, heavy_runs=1 if quick else 2)
    log(f"  {'cli (awards processes)':<22} {time.perf_counter() - started:7.1f} s")
    return figures


def _postgres(quick: bool) -> dict[str, Any]:
    from bench.pg_writers import base_url, plain_rate, run_writers

    events = 1000 if quick else 5000
    runs: list[dict[str, Any]] = []
    plains: list[dict[str, Any]] = []
    log(f"postgres: {base_url()}")
    try:
        for writers in (1, 2, 4):
            started = time.perf_counter()
            plains.append(plain_rate(events, PG_BATCH))  # the limit, just before each run
            runs.append(run_writers(writers, events, PG_BATCH))
            log(f"  {writers} writer(s)            {time.perf_counter() - started:7.1f} s")
    except Exception as exc:  # no server, no driver: say so in the figures, go on
        log(f"  postgres skipped: {exc}")
        return {"url": base_url(), "error": f"{type(exc).__name__}: {exc}", "runs": runs}
    for run, plain in zip(runs, plains, strict=True):
        run["plain_one_process_per_s"] = plain["per_s"]
        run["ratio_to_plain"] = run["per_s"] / plain["per_s"]
    return {"url": base_url(), "runs": runs, "plain": plains}


def _ok(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**missed**")


def cli_rows(label: str, c: dict[str, Any] | None, target: bool) -> list[tuple[str, ...]]:
    """bench/cli_bench.py's figures as rows of the table (targets judged on the largest)."""
    if c is None:
        return []
    rows: list[tuple[str, ...]] = []
    for name, r in c["reads"].items():
        rows.append(
            (
                f"`awards {name}` beyond `awards {name.split()[0]} --help`: wall, CPU; peak memory"
                f" (median of {r['runs']} alternating pairs)",
                label,
                f"{r['wall_ms']:+.0f} ms, {r['cpu_ms']:+.0f} ms; {r['peak_mb']:.0f} MB",
                f"`awards {name.split()[0]} --help` {r['start_wall_ms']:.0f} ms",
                "",
                cli_bench.read_target(name),
                _ok(cli_bench.read_met(name, r)) if target else "—",
            )
        )
    p = c.get("publish")
    if p is not None:
        rows.append(
            (
                f"`awards publish DIR` from nothing against `awards verify`, s (median of"
                f" {p['runs']}, alternating; first publish cold)",
                label,
                f"{p['publish_median_wall_s']:.1f} (cold {p['publish_cold_wall_s']:.1f});"
                f" {p['publish_peak_mb']:.0f} MB",
                f"verify {statistics.median(p['verify_wall_s']):.1f}",
                f"{p['ratio']:.2f} (cpu {p['cpu_ratio']:.2f})",
                f"≤ {cli_bench.PUBLISH_RATIO_LIMIT:g}×",
                _ok(p["ratio"] <= cli_bench.PUBLISH_RATIO_LIMIT) if target else "—",
            )
        )
        r = p["republish"]
        rows.append(
            (
                f"`awards publish DIR` again after {r['new_events']:,} new events, s (whole"
                f" process, median of {len(r['wall_s'])})",
                label,
                f"{r['median_wall_s']:.2f} (cpu {r['median_cpu_s']:.2f}); {r['peak_mb']:.0f} MB",
                "",
                "",
                f"≤ {cli_bench.REPUBLISH_S_LIMIT:g} s",
                _ok(r["median_wall_s"] <= cli_bench.REPUBLISH_S_LIMIT) if target else "—",
            )
        )
    return rows


def view_rows(
    v: dict[str, Any] | None, label: str | None
) -> list[tuple[str, str, str, str, str, str, str]]:
    """standings and tally (bench/view_bench.py): beyond `awards CMD --help`, and their peak."""
    if not v or label is None:
        return []
    target = label == "1m"
    rows = []
    for key, what in (
        ("tally", f"tally {view_bench.SESSION}"),
        ("standings", f"standings, {v['participants']:,} participants (kept table)"),
        ("standings_json", f"standings --json, {v['participants']:,} participants (view)"),
        ("small", f"standings {view_bench.SMALL}, 50 participants"),
    ):
        w = v.get(key)
        if w is None:
            continue
        cold = v.get(f"{key}_cold")
        rows.append(
            (
                f"{what}, ms beyond process start (warm; cold)",
                label,
                f"{w['wall_ms']:.0f} wall, {w['cpu_ms']:.0f} cpu; peak {w['peak_mb']:.0f} MB"
                + (f"; cold {cold['cpu_ms']:.0f} cpu" if cold else ""),
                f"awards {view_bench.started(key)} --help: {w['start_wall_ms']:.0f} wall,"
                f" {w['start_cpu_ms']:.0f} cpu",
                f"{w['wall_ratio']:.2f} (cpu {w['cpu_ratio']:.2f})",
                f"≤ {VIEW_MS_LIMIT:g} ms, ≤ {VIEW_MB_LIMIT:g} MB at 1m",
                _ok(w["cpu_ms"] <= VIEW_MS_LIMIT and w["peak_mb"] <= VIEW_MB_LIMIT)
                if target
                else "—",
            )
        )
    cases = (
        ("standings_scored", "standings, right after a new score in it (view folded, ranked)"),
        ("json_scored", "standings --json, right after a new score in it"),
        ("report_first", "report --format html, the first on a copy (the log folded)"),
        ("report_scored", "report --format html, right after a new score (the view kept)"),
    )
    for key, what in cases:
        w = v.get(key)
        if w is None:
            continue
        peak = w.get("max_peak_mb", w["peak_mb"])
        report = key.startswith("report")
        limit_ms = 1000 * MOVEMENT_REPORT_S_LIMIT if report else VIEW_MS_LIMIT
        took = (
            f"{w['wall_ms'] / 1000:.2f} wall, {w['cpu_ms'] / 1000:.2f} cpu"
            if report
            else f"{w['wall_ms']:.0f} wall, {w['cpu_ms']:.0f} cpu"
        )
        rows.append(
            (
                f"{what}, {'s' if report else 'ms'} beyond process start",
                label,
                f"{took}; peak {peak:.0f} MB",
                f"awards {view_bench.started(key)} --help, run after each",
                "—",
                f"≤ {limit_ms / 1000 if report else limit_ms:g} {'s' if report else 'ms'}, "
                f"≤ {VIEW_MB_LIMIT:g} MB at 1m",
                _ok(w["cpu_ms"] <= limit_ms and peak <= VIEW_MB_LIMIT) if target else "—",
            )
        )
    return rows


def table(f: dict[str, Any]) -> str:
    """The markdown table of the figures (see README, Performance)."""
    sizes: dict[str, Any] = f["sizes"]
    labels = list(sizes)
    largest = labels[-1] if labels else None
    rows: list[tuple[str, ...]] = []
    a = f["append"]
    rows.append(
        (
            "signed bulk append, events/s (unit events, 500/save; median of rounds)",
            "fresh",
            f"{a['signed_append_per_s']:,.0f}",
            f"1/(1/{a['raw_sign_per_s']:,.0f} sign + 1/{a['plain_save_per_s']:,.0f} save)"
            f" = {a['limit_per_s']:,.0f}",
            f"{a['ratio']:.2f} (cpu {a['cpu_ratio']:.2f})",
            f"≥ {APPEND_TARGET}",
            _ok(a["ratio"] >= APPEND_TARGET),
        )
    )
    s = f.get("append_sides")
    if s is not None:
        both = s["both"]
        rows.append(
            (
                "signed bulk append with hash tiles + event index, against the same append "
                f"extending neither (median of {s['rounds']} rotated rounds)",
                "fresh",
                f"{s['per_s']['both']:,.0f} (tiles only {s['per_s']['tiles']:,.0f})",
                f"neither: {s['per_s']['none']:,.0f}",
                f"{both['ratio']:.2f} (cpu {both['cpu_ratio']:.2f}; tiles only"
                f" {s['tiles']['ratio']:.2f}, cpu {s['tiles']['cpu_ratio']:.2f})",
                f"≥ {SIDES_TARGET}",
                _ok(max(both["ratio"], both["cpu_ratio"]) >= SIDES_TARGET),
            )
        )
    for label in labels:
        g = sizes[label]["generation"]
        rows.append(
            (
                "realistic mix generation, events/s (save_signed only)",
                label,
                f"{g['mix_per_s']:,.0f} ({g['save_signed_per_s']:,.0f})",
                "",
                "",
                "",
                ("built now" if g["generated_now"] else "cached")
                + f", load {g['load_average_1m_at_end']:.1f}",
            )
        )
    for label in labels:
        v = sizes[label]["verify"]
        rows.append(
            (
                "full verify, events/s",
                label,
                f"{v['per_s']:,.0f}",
                f"{f['cores']} × {v['limit_per_s'] / f['cores']:,.0f} raw verify"
                f" = {v['limit_per_s']:,.0f} (all cores at once:"
                f" {v['all_cores_limit_per_s']:,.0f})",
                f"{v['ratio']:.2f} (cpu {v['cpu_ratio']:.2f}; vs all cores at once"
                f" {v['all_cores_ratio']:.2f})",
                f"≥ {VERIFY_TARGET}",
                _ok(v["ratio"] >= VERIFY_TARGET),
            )
        )
    for label in labels:
        small = sizes[labels[0]]["verify_since"]
        s = sizes[label]["verify_since"]
        scale = s["wall_s"] / small["wall_s"]
        check = None if label == labels[0] else scale <= SINCE_SCALE_LIMIT
        rows.append(
            (
                f"incremental verify since C1 ({s['checked']:,} new events), s",
                label,
                f"{s['wall_s']:.2f}",
                f"{small['wall_s']:.2f} s at {labels[0]}",
                f"{scale:.2f}×",
                f"≤ {SINCE_SCALE_LIMIT:g}× (O(new))",
                _ok(check),
            )
        )
    proof = sizes["1m"]["proofs"] if "1m" in sizes else f.get("proofs_synthetic_1m")
    if proof is not None:
        where = "1m" if "1m" in sizes else "1M-leaf tree"
        for kind in ("inclusion", "consistency"):
            ms = proof[f"{kind}_proof_ms"]
            rows.append(
                (
                    f"{kind} proof (median of 200), ms",
                    where,
                    f"{ms:.3f}",
                    "",
                    "",
                    f"≤ {PROOF_MS_LIMIT:g} ms",
                    _ok(ms <= PROOF_MS_LIMIT),
                )
            )
    for label in labels:
        r = sizes[label]["rebuild"]
        rows.append(
            (
                "projection rebuild, events/s",
                label,
                f"{r['per_s']:,.0f}",
                f"read + decode {sizes[label]['read_decode']['per_s']:,.0f}",
                f"{r['ratio']:.2f} (cpu {r['cpu_ratio']:.2f})",
                "",
                "—",
            )
        )
    for label in labels:
        r = sizes[label]["report"]
        target = label == "1m"
        rows.append(
            (
                "report (cold: fold, store view, build, render), s",
                label,
                f"{r['total_s']:.1f} (cpu {r['cpu_s']:.1f})",
                "",
                "",
                f"≤ {REPORT_S_LIMIT:g} s at 1m" if target else "",
                _ok(r["total_s"] <= REPORT_S_LIMIT) if target else "—",
            )
        )
    for label in labels:
        p = sizes[label].get("publish")
        if p is None:
            continue
        target = label == "1m"
        rows.append(
            (
                "publish from nothing (tiles, bundles, reports), s",
                label,
                f"{p['wall_s']:.1f} (cpu {p['cpu_s']:.1f})",
                f"full verify {sizes[label]['verify']['wall_s']:.1f} s",
                f"{p['ratio']:.2f}",
                f"≤ {PUBLISH_RATIO_LIMIT:g} × verify at 1m" if target else "",
                _ok(p["ratio"] <= PUBLISH_RATIO_LIMIT) if target else "—",
            )
        )
    if largest is not None:
        z = sizes[largest]
        target = largest == "1m"
        v = z["verify"]
        pool = max(f["cores"] - 1, 1)  # the reading process verifies too (ledger/signing.py)
        total = v["peak_rss_mb"] + pool * v["children_peak_rss_mb"]
        mems = [
            (
                "verify (main + workers)",
                total,
                f"{v['peak_rss_mb']:.0f} + {pool} × {v['children_peak_rss_mb']:.0f}",
            ),
            ("rebuild", z["rebuild"]["peak_rss_mb"], ""),
            ("report", z["report"]["peak_rss_mb"], ""),
            *([("publish", z["publish"]["peak_rss_mb"], "")] if "publish" in z else []),
        ]
        for name, mb, detail in mems:
            rows.append(
                (
                    f"peak memory, {name}, MB",
                    largest,
                    f"{mb:.0f}" + (f" ({detail})" if detail else ""),
                    "",
                    "",
                    f"≤ {MB_LIMIT:g} MB at 1m",
                    _ok(mb <= MB_LIMIT) if target else "—",
                )
            )
    for label in labels:
        rows += cli_rows(label, sizes[label].get("cli"), target=label == largest)
    rows += view_rows(f.get("view_reads"), largest)
    pg = f.get("postgres")
    if pg and pg.get("runs"):
        for run in pg["runs"]:
            clean = run["lost"] == 0 and run["duplicated"] == 0 and run["audit_ok"]
            rows.append(
                (
                    f"PostgreSQL, {run['writers']} writer(s), events/s",
                    f"{run['events']:,}",
                    f"{run['per_s']:,.0f}; lost {run['lost']}, duplicated "
                    f"{run['duplicated']}, audit {'ok' if run['audit_ok'] else 'FAILED'}",
                    f"plain eventsourcing, 1 process: {run['plain_one_process_per_s']:,.0f}",
                    f"{run['ratio_to_plain']:.2f}",
                    "0 lost / duplicated",
                    _ok(clean),
                )
            )
    elif pg:
        rows.append(("PostgreSQL writers", "", "not run", pg.get("error", ""), "", "", "—"))
    head = ("figure", "ledger", "measured", "machine limit, same run", "ratio", "target", "")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    loads = f["load_average"]
    lines.append("")
    lines.append(
        f"{f['cores']} cores, Python {f['python']}, load average {loads['start']:.1f} at start, "
        f"{loads['max']:.1f} at most, {loads['end']:.1f} at end; {f['measured_at'][:16]} UTC; "
        f"`python -m bench.run --sizes {','.join(labels)}` in {f['seconds'] / 60:.1f} min."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help="Comma-separated: 10k,100k,1m.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10k only, two append rounds, "
        "small PostgreSQL runs: a smoke test of the whole pipeline.",
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    chosen = args.sizes or ("10k" if args.quick else "10k,100k,1m")
    sizes = sorted(parse_size(s) for s in chosen.split(","))
    loads = [os.getloadavg()[0]]
    figures: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "cores": os.cpu_count() or 1,
        "python": platform.python_version(),
        "versions": {p: version(p) for p in ("eventsourcing", "cryptography", "msgspec")},
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "quick": args.quick,
    }
    log(f"ledgers (cached in {LEDGERS.relative_to(ROOT)}):")
    infos = {}
    for events in sizes:
        label = label_of(events)
        t = time.perf_counter()
        infos[label] = generate(label, events)
        log(f"  {label:<22} {time.perf_counter() - t:7.1f} s  ({infos[label]['events']:,} events)")
        loads.append(os.getloadavg()[0])
    log("limits and append:")
    rounds = "2" if args.quick else "7"
    figures["append"] = phase("append", env={"BENCH_APPEND_ROUNDS": rounds})
    ab_rounds = "2" if args.quick else "15"
    figures["append_sides"] = phase("append-sides", env={"BENCH_AB_ROUNDS": ab_rounds})
    figures["raw_verify_all_cores"] = phase("limits-verify-parallel")
    figures["sizes"] = {}
    for label, info in infos.items():
        figures["sizes"][label] = bench_size(label, info, args.quick)
        loads.append(os.getloadavg()[0])
    largest = paths(label_of(sizes[-1]))[0]
    log(f"standings and tally on a copy of {largest.name} (bench/view_bench.py):")
    figures["view_reads"] = view_bench.measure(largest, 3 if args.quick else 5, small=True)
    if "1m" not in infos:
        log("proofs in a 1M-leaf tree:")
        figures["proofs_synthetic_1m"] = phase("proofs-synthetic")
    if not args.no_postgres:
        figures["postgres"] = _postgres(args.quick)
    loads.append(os.getloadavg()[0])
    phase_loads = [
        v["load_average_1m"]
        for s in figures["sizes"].values()
        for v in s.values()
        if isinstance(v, dict) and "load_average_1m" in v
    ]
    figures["load_average"] = {"start": loads[0], "end": loads[-1], "max": max(loads + phase_loads)}
    figures["seconds"] = time.perf_counter() - started
    text = table(figures)
    figures["table"] = text
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    (RESULTS / "TABLE.md").write_text(text)
    print(text)
    log(f"wrote {(RESULTS / 'figures.json').relative_to(ROOT)} and TABLE.md")


if __name__ == "__main__":
    main()
