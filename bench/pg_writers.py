"""Concurrent writers on one PostgreSQL ledger: events/s with 1, 2 and 4 processes, and a
count of every row afterwards (zero lost, zero duplicated) plus a full audit.

For each writer count W the ledger is made in a fresh schema of the database named by
``AWARDS_BENCH_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``); the
operator registers one secretary signer per writer (an office each). The W writer processes
connect, wait for a common start signal, then each appends `events` new units through
``LedgerApp.save_signed`` in atomic batches of `batch`. Rate = all events / (last end − first
start). Afterwards: rows per writer, distinct (aggregate, version) pairs, notification-id gaps
(a rolled-back insert leaves one; not a loss), and ``audit()``. The schema is dropped after.

Run: ``.venv/bin/python -m bench.pg_writers [--writers 1,2,4] [--events 5000] [--batch 100]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
ENV = "AWARDS_BENCH_POSTGRES"


def base_url() -> str:
    return os.environ.get(ENV, DEFAULT_URL)


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def writer(url: str, name: str, key_b64: str, events: int, batch: int) -> None:
    """Child: connect, say ready, wait for 'go' on stdin, append, print figures as JSON."""
    from domain.errors import ConcurrencyError
    from domain.registry import Unit
    from ledger.application import open_ledger

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key_b64))
    app = open_ledger(url, create=False)
    app.signer_for_key(key)  # warm: genesis, origin, connection pool
    print("ready", flush=True)
    sys.stdin.readline()
    start, conflicts, saved = time.time(), 0, 0
    for b in range(events // batch):
        while True:
            units = [
                Unit.add(f"{name}-{b}-{i}", f"Phòng {name} {b}.{i}", "division", None)
                for i in range(batch)
            ]
            try:
                app.save_signed(name, key, units)
                break
            except ConcurrencyError:
                conflicts += 1
        saved += batch
    end = time.time()
    app.close()
    print(
        json.dumps(
            {"name": name, "start": start, "end": end, "saved": saved, "conflicts": conflicts}
        ),
        flush=True,
    )


def _connect(env: dict[str, str]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        autocommit=True,
    )


def plain_rate(events: int, batch: int, url: str | None = None) -> dict[str, Any]:
    """The limit beside the writers: stock eventsourcing (no signing, no receipts) saving the
    same unit events `batch` per save to PostgreSQL from one process, in a fresh schema."""
    from eventsourcing.application import Application

    from bench.ledger_bench import PlainUnit
    from ledger.store import parse_location

    schema = f"bench_plain_{uuid.uuid4().hex[:8]}"
    env = {**parse_location(url or base_url()).env, "POSTGRES_SCHEMA": schema}
    with _connect(env) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        app: Application[Any] = Application(env=env)
        start = time.perf_counter()
        for b in range(events // batch):
            units = [PlainUnit(f"U{b}-{i}", "Phòng", "division", None) for i in range(batch)]
            app.save(*units)
        seconds = time.perf_counter() - start
        app.close()
    finally:
        with _connect(env) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    saved = events // batch * batch
    return {"events": saved, "batch": batch, "seconds": seconds, "per_s": saved / seconds}


def _count(app: Any, writers: int, events: int) -> dict[str, Any]:
    from domain.registry import Unit
    from ledger.mapper import topic_of

    recorder = app.recorder
    table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
    unit = topic_of(Unit.Added)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT count(*) AS n, count(DISTINCT (originator_id, originator_version)) AS d, "
            f"max(notification_id) AS top, min(notification_id) AS bottom FROM {table}"
        )
        totals = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*) AS n, count(DISTINCT originator_id) AS d FROM {table} "
            "WHERE topic = %s",
            (unit,),
        )
        units = cursor.fetchone()
    expected = writers * events
    return {
        "rows": totals["n"],
        "distinct_rows": totals["d"],
        "unit_rows": units["n"],
        "distinct_units": units["d"],
        "expected_units": expected,
        "lost": expected - units["d"],
        "duplicated": (units["n"] - units["d"]) + (totals["n"] - totals["d"]),
        "id_gaps": totals["top"] - totals["bottom"] + 1 - totals["n"],
    }


def run_writers(writers: int, events: int, batch: int, url: str | None = None) -> dict[str, Any]:
    """One measurement with `writers` processes on a fresh schema; see the module docstring."""
    from ledger.application import open_ledger
    from ledger.keys import generate_key, raw_public_key
    from ledger.usecases import registry
    from ledger.verify import audit

    url = url or base_url()
    schema = f"bench_w{writers}_{uuid.uuid4().hex[:8]}"
    ledger_url = _with_schema(url, schema)
    app = open_ledger(ledger_url)
    op = generate_key()
    registry.initialise(app, "bench.example/awards", "op", op)
    keys = {f"w{i}": generate_key() for i in range(writers)}
    for name, key in keys.items():
        registry.add_signer(app, op, name, raw_public_key(key), ["secretary"])
    try:
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.pg_writers",
                    "--child",
                    ledger_url,
                    name,
                    base64.b64encode(key.private_bytes_raw()).decode(),
                    str(events),
                    str(batch),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for name, key in keys.items()
        ]
        for child in children:
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("a writer failed to start")
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = []
        for child in children:
            out, _ = child.communicate(timeout=1800)
            if child.returncode:
                raise RuntimeError(f"a writer failed with exit status {child.returncode}")
            results.append(json.loads(out.strip().splitlines()[-1]))
        first = min(r["start"] for r in results)
        last = max(r["end"] for r in results)
        total = sum(r["saved"] for r in results)
        counts = _count(app, writers, events)
        start = time.perf_counter()
        report = audit(app)
        audit_s = time.perf_counter() - start
        return {
            "writers": writers,
            "events_each": events,
            "batch": batch,
            "events": total,
            "seconds": last - first,
            "per_s": total / (last - first),
            "per_writer_s": [r["end"] - r["start"] for r in results],
            "conflicts_retried": sum(r["conflicts"] for r in results),
            **counts,
            "audit_ok": report.ok,
            "audit_size": report.size,
            "audit_problems": len(report.problems),
            "audit_s": audit_s,
            "load_average_1m": os.getloadavg()[0],
        }
    finally:
        app.close()
        with _connect(app.location.env) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, name, key, events, batch = sys.argv[2:7]
        writer(url, name, key, int(events), int(batch))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--events", type=int, default=5000, help="Events per writer.")
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    print(json.dumps({"plain": plain_rate(args.events, args.batch)}), flush=True)
    for count in (int(w) for w in args.writers.split(",")):
        print(json.dumps(run_writers(count, args.events, args.batch)), flush=True)


if __name__ == "__main__":
    main()
