"""Generate (and cache) a realistic signed SQLite ledger of about N events for the benchmarks.

The mix is report_bench's `Builder` (units, people, a movement, registrations, scores by a
scorer with corrections, review sessions with five members' votes, decisions with the award
register and recipient records), with every command's aggregates saved through
``LedgerApp.save_signed`` in atomic batches of at most `BATCH` (500) events.

Each cached ledger is laid out so that the benchmarks never have to write to it:

    events 0 … n-1        the mix (about N events), then checkpoint C1 over them (trusted)
    1,000 more events     units added by the secretary (the "new" events of an incremental
                          verify since C1), then checkpoint C2 over everything.

Cache: ``bench/results/ledgers/<label>.db`` with ``<label>.json`` beside it (the keys, C1's
text, sizes, build times). A ledger is only cached once complete (built under a temporary
name, then renamed); a sidecar of another generator version means rebuild.

Run: ``.venv/bin/python -m bench.generate --events 10000 [--label 10k] [--force]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.report_bench import EVENTS_PER_BLOCK, Builder
from domain.base import Aggregate
from ledger.application import LedgerApp, open_ledger
from ledger.usecases import registry

GENERATOR_VERSION = "mix/3"  # 3: the event index in one key column (ledger/event_index.py)
BATCH = 500  # events per atomic save
NEW_EVENTS = 1000  # appended after the trusted checkpoint C1
ROOT = Path(__file__).resolve().parent.parent
LEDGERS = ROOT / "bench" / "results" / "ledgers"


def parse_size(text: str) -> int:
    """'10k' → 10_000, '1m' → 1_000_000, '2500' → 2500."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def label_of(events: int) -> str:
    if events % 1_000_000 == 0:
        return f"{events // 1_000_000}m"
    if events % 1_000 == 0:
        return f"{events // 1_000}k"
    return str(events)


def chunks(aggregates: Sequence[Aggregate], limit: int) -> list[list[Aggregate]]:
    """Split aggregates into groups of at most `limit` pending events (an aggregate is never
    split: its pending events are saved together)."""
    groups: list[list[Aggregate]] = [[]]
    count = 0
    for agg in aggregates:
        pending = len(agg.pending_events)
        if groups[-1] and count + pending > limit:
            groups.append([])
            count = 0
        groups[-1].append(agg)
        count += pending
    return [g for g in groups if g]


class BatchedBuilder(Builder):
    """report_bench's Builder, saving in atomic batches of ≤ BATCH events, timing the saves."""

    def __init__(self, app: LedgerApp) -> None:
        self.save_s = 0.0
        self.saved = 0
        self.saves = 0
        super().__init__(app)

    def save(self, signer: str, aggregates: list[Aggregate]) -> None:
        for group in chunks(aggregates, BATCH):
            events = sum(len(agg.pending_events) for agg in group)
            start = time.perf_counter()
            self.app.save_signed(signer, self.keys[signer], group)
            self.save_s += time.perf_counter() - start
            self.saved += events
            self.saves += 1


def _key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes_raw()).decode()


def load_key(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def paths(label: str, folder: Path = LEDGERS) -> tuple[Path, Path]:
    return folder / f"{label}.db", folder / f"{label}.json"


def cached(label: str, folder: Path = LEDGERS) -> dict[str, Any] | None:
    """The sidecar of a complete cached ledger of this generator version, else None."""
    db, meta = paths(label, folder)
    if not (db.exists() and meta.exists()):
        return None
    info: dict[str, Any] = json.loads(meta.read_text())
    return info if info.get("generator") == GENERATOR_VERSION else None


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def generate(events: int, label: str | None = None, folder: Path = LEDGERS) -> dict[str, Any]:
    """Build the ledger of about `events` events (see the module docstring); return its
    sidecar. Reuses a complete cached one."""
    label = label or label_of(events)
    info = cached(label, folder)
    if info is not None:
        return info
    folder.mkdir(parents=True, exist_ok=True)
    db, meta = paths(label, folder)
    tmp = folder / f"{label}.building.db"
    _remove(tmp)
    start = time.perf_counter()
    cpu = time.process_time()
    app = open_ledger(str(tmp))
    builder = BatchedBuilder(app)
    blocks = max(1, round(events / EVENTS_PER_BLOCK))
    while builder.block < blocks:
        builder.round(min(20, blocks - builder.block))
        if builder.block % 100 == 0:
            done = time.perf_counter() - start
            print(f"  {label}: {builder.saved} events in {done:.0f} s", flush=True)
    trusted, _ = registry.sign_new_checkpoint(app, builder.keys["op"])
    build_s = time.perf_counter() - start
    build_cpu_s = time.process_time() - cpu
    mix_events, save_s, saves = builder.saved, builder.save_s, builder.saves
    trusted_size = app.tree()[0].size - 1  # C1 covers everything before its own event
    builder.extra_units(NEW_EVENTS)
    final, _ = registry.sign_new_checkpoint(app, builder.keys["op"])
    size = app.tree()[0].size
    app.close()
    info = {
        "generator": GENERATOR_VERSION,
        "label": label,
        "requested": events,
        "events": size,
        "mix_events": mix_events,
        "trusted_size": trusted_size,
        "new_events": size - trusted_size,
        "batch": BATCH,
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "save_signed_s": save_s,
        "saves": saves,
        "mix_per_s": mix_events / build_s,
        "save_signed_per_s": mix_events / save_s,
        "load_average_1m_at_end": os.getloadavg()[0],
        "trusted_checkpoint": trusted,
        "final_checkpoint": final,
        "keys": {name: _key_text(key) for name, key in builder.keys.items()},
    }
    _remove(db)
    tmp.rename(db)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    meta.write_text(json.dumps(info, indent=2) + "\n")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=parse_size, default=10_000)
    parser.add_argument("--label", default=None)
    parser.add_argument("--force", action="store_true", help="Rebuild even if cached.")
    args = parser.parse_args()
    label = args.label or label_of(args.events)
    if args.force:
        for path in paths(label):
            _remove(path) if path.suffix == ".db" else path.unlink(missing_ok=True)
    info = generate(args.events, label)
    shown = {k: v for k, v in info.items() if k not in ("keys", "trusted_checkpoint")}
    shown.pop("final_checkpoint", None)
    print(json.dumps(shown, indent=2))


if __name__ == "__main__":
    main()
