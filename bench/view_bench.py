"""Benchmark `standings` and `tally` as a user runs them: the whole `awards` process against
`awards CMD --help` (process start with the command's own code loaded: the root group imports a
command's module only when it runs; CMD is `standings`, `tally` or `report`), on a copy of a
bench ledger.

Issue 12 targets at 1M events: `standings` and `tally` ≤ 200 ms beyond process start, peak
≤ 100 MB. Measured on a copy (reads fill the event index and store views in the ledger they
read): `standings` cold (the first read folds the log into the movement's own view,
projections/movement_view.py), then warm: the plain table (kept sealed at its position after
the first read, projections/answer_cache.py) and ``--json``, first from the sealed view (the
view and the events after it, ranked and encoded: ``json_first``) then kept like the table
(``standings_json``), then each once more after a new checkpoint (the kept answer carried
over it: ``standings_carried``, ``json_carried``), then each `runs` times right after a new
score in the movement and a checkpoint (the movement's columnar view read and the score
folded, the kept answer patched: the scored row ranked again and printed afresh, every other
row copied as kept, projections/standings_patch.py: ``standings_scored``, ``json_scored``;
medians, and the largest peak of the runs); the movement's HTML report, first on that copy (the
ledger view folded from the log and kept: ``report_first``) then `runs` times right after a
new score and checkpoint (the kept view and the new events: ``report_scored``); `tally`
(the session's own events on the event index, projections/indexed.py). Each warm figure is
the median over `runs` pairs run in turn (A B A B …): the command's wall and CPU time (user +
system) minus `CMD --help`'s, their ratio to `CMD --help`'s, and the command's peak RSS.

With ``--small`` a movement of 50 participants (registrations, scores, a correction) is
appended to the copy and signed into a checkpoint, so that the figures also show what a
movement of ordinary size costs in a ledger of that size (the bench mix has one movement
holding nearly every participant): its standings (``small_cold``, ``small``) and its HTML
report, read from the event index (projections/indexed_report.py) with no view at all
(``small_report_cold`` on a copy whose views were dropped, then ``small_report``).

Run: ``.venv/bin/python -m bench.view_bench [--ledger bench/results/ledgers/1M.db] [--runs 5]
[--small]``; writes bench/results/views.json; `make bench` runs it on its largest ledger.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.cli_bench import AWARDS, beside_start, run_once, start_argv
from bench.generate import load_key
from bench.report_bench import CRITERIA, MOVEMENT
from domain.actor import VIETNAM_TZ, Actor
from domain.movement import Movement
from domain.participation import Participation
from domain.registry import Signer
from ledger import event_index
from ledger.application import open_ledger
from ledger.usecases import registry

SESSION = "S-B00003"
SMALL = "TD-SMALL"


def paired(ledger: str, command: list[str], runs: int) -> dict[str, float]:
    """Medians of `command` beside `awards CMD --help`, run in turn (one warm-up each)."""
    run_once([AWARDS, "--ledger", ledger, *command])
    run_once(start_argv(command))
    mine, base = [], []
    for _ in range(runs):
        mine.append(run_once([AWARDS, "--ledger", ledger, *command]))
        base.append(run_once(start_argv(command)))
    pairs = list(zip(mine, base, strict=True))
    return {
        "wall_ms": 1000 * statistics.median(m[0] - b[0] for m, b in pairs),
        "cpu_ms": 1000 * statistics.median(m[1] - b[1] for m, b in pairs),
        "wall_ratio": statistics.median(m[0] / b[0] for m, b in pairs),
        "cpu_ratio": statistics.median(m[1] / b[1] for m, b in pairs),
        "peak_mb": statistics.median(m[2] for m in mine),
        "start_wall_ms": 1000 * statistics.median(b[0] for b in base),
        "start_cpu_ms": 1000 * statistics.median(b[1] for b in base),
    }


def cold(ledger: str, command: list[str]) -> dict[str, float]:
    """One first run of `command` (nothing stored for it yet), less one `awards CMD --help`."""
    wall, cpu, peak = run_once([AWARDS, "--ledger", ledger, *command])
    start_wall, start_cpu, _ = run_once(start_argv(command))
    return {
        "wall_ms": 1000 * (wall - start_wall),
        "cpu_ms": 1000 * (cpu - start_cpu),
        "peak_mb": peak,
    }


def add_small_movement(ledger: Path, keys: dict[str, str], people: int = 50) -> None:
    """Append a movement of `people` participants already in the ledger, their scores and one
    correction, and sign a checkpoint over everything."""
    app = open_ledger(str(ledger))
    try:
        at = datetime(2020, 2, 1, 9, tzinfo=VIETNAM_TZ)
        m = Movement.launch(
            SMALL, "Phong trào nhỏ (benchmark)", start=date(2020, 1, 1), end=date(2020, 12, 31),
            unit_deadline=date(2020, 2, 18), criteria=CRITERIA, spec_hash=bytes(32), at=at,
        )  # fmt: skip
        app.save_signed("sec", load_key(keys["sec"]), [m])
        ids = [f"B{b:05d}-P00" for b in range(people)]
        parts = [Participation.register(m, p, "person", ["advanced_worker"], at=at) for p in ids]
        app.save_signed("sec", load_key(keys["sec"]), list(parts))
        signer = app.find(Signer, Signer.id_for("sc"))
        assert signer is not None
        scorer, later = Actor.from_signer(signer), at + timedelta(days=200)
        for n, part in enumerate(parts):
            for c in CRITERIA:
                points = float((n + int(c.id[1:])) % 10)
                part.score(m, c.id, points, "appraisal", scorer=scorer, at=later)
        parts[0].score(m, "c0", 10.0, "appraisal", scorer=scorer, at=later, reason="lại")
        app.save_signed("sc", load_key(keys["sc"]), list(parts))
        registry.sign_new_checkpoint(app, load_key(keys["op"]))
    finally:
        app.close()


def measure(ledger: Path, runs: int, small: bool) -> dict[str, Any]:
    """The figures of the module docstring, on a copy of `ledger` (removed afterwards)."""
    info = json.loads(ledger.with_suffix(".json").read_text())
    figures: dict[str, Any] = {"ledger": str(ledger), "events": info["events"], "runs": runs}
    with tempfile.TemporaryDirectory(dir=ledger.parent) as tmp:
        copy = Path(tmp) / ledger.name
        shutil.copyfile(ledger, copy)
        path = str(copy)
        drop_views(copy)
        figures["tally_cold"] = cold(path, ["tally", SESSION])
        figures["standings_cold"] = cold(path, ["standings", MOVEMENT])
        figures["standings"] = paired(path, ["standings", MOVEMENT], runs)
        figures["json_first"] = cold(path, ["standings", MOVEMENT, "--json"])
        figures["standings_json"] = paired(path, ["standings", MOVEMENT, "--json"], runs)
        for form, name in (([], "standings_carried"), (["--json"], "json_carried")):
            new_checkpoint(copy, info["keys"])  # an event the movement's view does not fold
            figures[name] = cold(path, ["standings", MOVEMENT, *form])
        for form, name in (([], "standings_scored"), (["--json"], "json_scored")):
            command = ["standings", MOVEMENT, *form]
            figures[name] = after_each_score(copy, info["keys"], command, runs)
        page = str(Path(tmp) / "report.html")
        report = ["report", MOVEMENT, "--format", "html", "--out", page, "--force"]
        figures["report_first"] = cold(path, report)  # the ledger view folded and kept
        figures["report_scored"] = after_each_score(copy, info["keys"], report, runs)
        figures["tally"] = paired(path, ["tally", SESSION], runs)
        figures["participants"] = _participants(copy)
        if small:
            add_small_movement(copy, info["keys"])
            figures["small_cold"] = cold(path, ["standings", SMALL])
            figures["small"] = paired(path, ["standings", SMALL], runs)
            drop_views(copy)  # the report of a movement of ordinary size reads none
            small_page = ["report", SMALL, "--format", "html", "--out", page, "--force"]
            figures["small_report_cold"] = cold(path, small_page)
            figures["small_report"] = paired(path, small_page, runs)
    figures["measured_at"] = datetime.now(UTC).isoformat()
    figures["load_average_1m"] = os.getloadavg()[0]
    return figures


def after_each_score(
    ledger: Path, keys: dict[str, str], command: list[str], runs: int
) -> dict[str, float]:
    """Medians of `command` each time right after a new score in the movement and a new
    checkpoint (its view folds the score: no kept answer stands), beside `awards CMD --help`."""
    mine, base = [], []
    for n in range(runs):
        new_score(ledger, keys, n)
        mine.append(run_once([AWARDS, "--ledger", str(ledger), *command]))
        base.append(run_once(start_argv(command)))
    return beside_start(mine, base)


def new_score(ledger: Path, keys: dict[str, str], n: int) -> None:
    """Correct one appraisal of the movement's participant ``B<n>-P01`` (the generator's
    naming), then sign a checkpoint over it."""
    app = open_ledger(str(ledger))
    try:
        movement = app.find(Movement, Movement.id_for(MOVEMENT))
        part = app.find(Participation, Participation.id_for(MOVEMENT, f"B{n:05d}-P01"))
        signer = app.find(Signer, Signer.id_for("sc"))
        assert movement is not None and part is not None and signer is not None
        at = datetime(2019, 12, 1, 9, tzinfo=VIETNAM_TZ)
        points = float(3 + n % 5)
        scorer = Actor.from_signer(signer)
        part.score(movement, "c2", points, "appraisal", scorer=scorer, at=at, reason="sửa")
        app.save_signed("sc", load_key(keys["sc"]), [part])
        registry.sign_new_checkpoint(app, load_key(keys["op"]))
    finally:
        app.close()


def new_checkpoint(ledger: Path, keys: dict[str, str]) -> None:
    """Sign a new checkpoint over `ledger` (the kept standings are then carried over it)."""
    app = open_ledger(str(ledger))
    try:
        registry.sign_new_checkpoint(app, load_key(keys["op"]))
    finally:
        app.close()


def drop_views(copy: Path) -> None:
    """Drop every stored view of a SQLite copy, so that its first read is cold."""
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP TABLE IF EXISTS award_sealed_views")
        conn.execute("DROP TABLE IF EXISTS award_view_tracking")


def _participants(copy: Path) -> int:
    with sqlite3.connect(copy) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM stored_events{event_index.TABLE} WHERE key = ?",
            (event_index.stored_key("type", "Participation.Registered"),),
        ).fetchone()
    return int(row[0])


def started(name: str) -> str:
    """The command whose `awards CMD --help` the figure `name` (a key of `measure`'s figures)
    is measured against."""
    return next((cmd for cmd in ("tally", "report") if cmd in name), "standings")


def lines(figures: dict[str, Any]) -> list[str]:
    """One printed line per figure."""
    out = []
    names = (
        "tally_cold",
        "tally",
        "standings_cold",
        "standings",
        "json_first",
        "standings_json",
        "standings_carried",
        "json_carried",
        "standings_scored",
        "json_scored",
        "report_first",
        "report_scored",
    )
    for name in (*names, "small_cold", "small", "small_report_cold", "small_report"):
        f = figures.get(name)
        if f is None:
            continue
        ratio = f" ({f['cpu_ratio']:.2f}× {started(name)} --help's cpu)" if "cpu_ratio" in f else ""
        out.append(
            f"{name:>15}: +{f['wall_ms']:7.1f} ms wall, +{f['cpu_ms']:7.1f} ms cpu beyond "
            f"start{ratio}; peak {f['peak_mb']:.0f} MB"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=Path, default=Path("bench/results/ledgers/1M.db"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    figures = measure(args.ledger, args.runs, args.small)
    for line in lines(figures):
        print(line)
    results = Path("bench/results")
    results.mkdir(parents=True, exist_ok=True)
    (results / "views.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
