"""Benchmark the ledger core against this machine's own limits, measured in the same run.

Figures (ratios are what matter; absolute speeds drift between machines):

- append: signed, batched append (100 events per atomic save, receipts included) against
  1 / (1/raw_sign + 1/plain_save), where raw_sign is bare Ed25519 signing of the same bodies
  and plain_save is stock eventsourcing saving 100 events per save to SQLite — target ≥ 0.8;
- verify: full ``audit()`` events/s against cores × raw Ed25519 verify — target ≥ 0.9;
- prove: in-process inclusion and consistency proofs in a 1,000,000-leaf tree — target ≤ 10 ms.

Run: ``.venv/bin/python -m bench.ledger_bench [--events N]``. Prints a table and writes
bench/results/ledger.json. Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate as PlainAggregate
from eventsourcing.domain import event

from domain.registry import Unit
from ledger.application import open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.merkle import MerkleTree, verify_consistency, verify_inclusion
from ledger.usecases import registry
from ledger.verify import audit

BATCH = 100


class PlainUnit(PlainAggregate):
    """A stock eventsourcing aggregate with the same fields as Unit.Added."""

    @event("Added")
    def __init__(self, unit_id: str, name: str, level: str, parent: str | None) -> None:
        self.unit_id, self.name, self.level, self.parent = unit_id, name, level, parent


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def raw_sign_rate(n: int, clock: Callable[[], float] = time.perf_counter) -> float:
    key = generate_key()
    body = b'{"format":1,"origin":"bench.example/awards","payload":{"name":"' + b"x" * 250 + b'"}}'
    start = clock()
    for i in range(n):
        key.sign(body + str(i).encode())
    return _rate(n, clock() - start)


def raw_verify_rate(n: int, clock: Callable[[], float] = time.perf_counter) -> float:
    key = generate_key()
    public = key.public_key()
    msgs = [b"x" * 300 + str(i).encode() for i in range(n)]
    sigs = [key.sign(m) for m in msgs]
    start = clock()
    for m, s in zip(msgs, sigs, strict=True):
        public.verify(s, m)
    return _rate(n, clock() - start)


def plain_save_rate(
    n: int, directory: Path, batch: int = BATCH, clock: Callable[[], float] = time.perf_counter
) -> float:
    app: Application[Any] = Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / "plain.db"),
        }
    )
    start = clock()
    for b in range(n // batch):
        units = [
            PlainUnit(f"U{b}-{i}", "Phòng Thi đua – Khen thưởng", "division", None)
            for i in range(batch)
        ]
        app.save(*units)
    return _rate(n // batch * batch, clock() - start)


def signed_append_rate(
    n: int, directory: Path, batch: int = BATCH, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, str]:
    url = str(directory / "signed.db")
    app = open_ledger(url)
    op, sec = generate_key(), generate_key()
    registry.initialise(app, "bench.example/awards", "op", op)
    registry.add_signer(app, op, "sec", raw_public_key(sec), ["secretary"])
    signer = app.signer_for_key(sec)
    start = clock()
    for b in range(n // batch):
        units = [
            Unit.add(f"U{b}-{i}", "Phòng Thi đua – Khen thưởng", "division", None)
            for i in range(batch)
        ]
        app.save_signed(signer.name, sec, units)
    rate = _rate(n // batch * batch, clock() - start)
    registry.sign_new_checkpoint(app, op)
    return rate, url


def verify_rate(url: str) -> tuple[float, int, bool]:
    app = open_ledger(url)
    start = time.perf_counter()
    report = audit(app)
    return _rate(report.size, time.perf_counter() - start), report.size, report.ok


def proof_times(size: int, samples: int = 200) -> dict[str, float]:
    tree = MerkleTree()
    start = time.perf_counter()
    tree.extend(hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size))
    built = time.perf_counter() - start
    root = tree.root()
    inc, cons = [], []
    for k in range(samples):
        index = (k * 7919) % size
        t = time.perf_counter()
        proof = tree.inclusion_proof(index)
        inc.append(time.perf_counter() - t)
        verify_inclusion(tree.leaf_hash_at(index), index, size, proof, root)
        old = 1 + (k * 104729) % (size - 1)
        t = time.perf_counter()
        cproof = tree.consistency_proof(old)
        cons.append(time.perf_counter() - t)
        verify_consistency(old, size, cproof, tree.root(old), root)
    return {
        "tree_build_s": built,
        "inclusion_proof_ms": statistics.median(inc) * 1e3,
        "consistency_proof_ms": statistics.median(cons) * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--tree", type=int, default=1_000_000)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sign = raw_sign_rate(5000)
        verify1 = raw_verify_rate(3000)
        plain = plain_save_rate(args.events, directory)
        signed, url = signed_append_rate(args.events, directory)
        audited, size, ok = verify_rate(url)
    limit_append = 1 / (1 / sign + 1 / plain)
    proofs = proof_times(args.tree)
    figures: dict[str, Any] = {
        "cores": cores,
        "events": args.events,
        "raw_sign_per_s": sign,
        "raw_verify_per_s_one_core": verify1,
        "plain_eventsourcing_save_per_s": plain,
        "append_limit_per_s": limit_append,
        "signed_append_per_s": signed,
        "append_ratio": signed / limit_append,
        "verify_per_s": audited,
        "verify_limit_per_s": cores * verify1,
        "verify_ratio": audited / (cores * verify1),
        "verify_ok": ok,
        "verified_events": size,
        "tree_size": args.tree,
        **proofs,
        "run": str(uuid4()),
    }
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "ledger.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{'figure':34}{'value':>14}{'limit':>14}{'ratio':>8}")
    print(
        f"{'signed append (events/s)':34}{signed:14.0f}{limit_append:14.0f}"
        f"{figures['append_ratio']:8.2f}"
    )
    print(
        f"{'full verify (events/s)':34}{audited:14.0f}{cores * verify1:14.0f}"
        f"{figures['verify_ratio']:8.2f}"
    )
    print(f"{'raw sign / verify (per s, 1 core)':34}{sign:14.0f}{verify1:14.0f}")
    print(f"{'plain eventsourcing save (ev/s)':34}{plain:14.0f}")
    print(
        f"{'inclusion proof at ' + str(args.tree) + ' (ms)':34}"
        f"{proofs['inclusion_proof_ms']:14.4f}{10:14}"
    )
    print(
        f"{'consistency proof at ' + str(args.tree) + ' (ms)':34}"
        f"{proofs['consistency_proof_ms']:14.4f}{10:14}"
    )


if __name__ == "__main__":
    main()
