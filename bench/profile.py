"""Profile one slow path with pyinstrument: where the time of a verify, rebuild or report goes.

``python -m bench.profile {verify,verify-since,rebuild,report} [--size 100k]`` (``make profile``)
runs the path on a cached bench ledger (bench/generate.py builds it when missing) in this one
process — verify with ``workers=1``, so the Ed25519 checks show up beside everything else —
and writes the call tree to ``bench/results/profile-<path>-<size>.txt`` (and ``.html``).

This is how the verify path was tuned: the profile showed the main process spending most of
its time outside Ed25519 — building domain events, re-encoding them, Entry and UUID objects
per row, per-leaf tree appends — which the audit no longer does (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

from bench.generate import parse_size, paths

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def run(path: str, ledger: Path) -> None:
    from ledger.application import open_ledger

    app = open_ledger(str(ledger), create=False)
    if path == "verify":
        from ledger.verify import audit

        assert audit(app, workers=1).ok
    elif path == "verify-since":
        from ledger.verify import audit

        since = json.loads(ledger.with_suffix(".json").read_text())["trusted_checkpoint"]
        assert audit(app, since=since, workers=1).ok
    elif path == "rebuild":
        from projections.runner import Runner
        from projections.view import LEDGER_VIEW

        Runner(app, persist=False).read(LEDGER_VIEW)
    else:  # the cold report, as bench/phases.py measures it
        from bench.phases import report

        with tempfile.TemporaryDirectory() as out:
            report(ledger, Path(out))
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["verify", "verify-since", "rebuild", "report"])
    parser.add_argument("--size", default="100k")
    args = parser.parse_args()
    label = args.size.lower()
    ledger, _ = paths(label)
    events = str(parse_size(label))
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--events", events, "--label", label],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    profiler = Profiler(interval=0.001)
    with profiler:
        run(args.path, ledger)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"profile-{args.path}-{label}"
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    stem.with_suffix(".txt").write_text(text)
    stem.with_suffix(".html").write_text(profiler.output_html())
    print(text)
    print(f"written: {stem}.txt and .html", file=sys.stderr)


if __name__ == "__main__":
    main()
