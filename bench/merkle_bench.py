"""Benchmark ledger.merkle at 1,000,000 leaves against pymerkle 7, and check pymerkle's RFC 6962
compatibility (the 8-leaf anchor, proof layouts, the transparency-dev inclusion vectors).

Run: ``.venv/bin/python -m bench.merkle_bench``. Prints a table and writes
bench/results/merkle.json. Figures only, no asserts.
"""

from __future__ import annotations

import base64
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pymerkle
from pymerkle import InmemoryTree, SqliteTree
from pymerkle.core import _inclusion_path_layout

from ledger.merkle import EMPTY_ROOT, MerkleTree, leaf_hash, verify_consistency, verify_inclusion

N = 1_000_000
SAMPLES = 1_000
BUDGET_S = 60.0
ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors" / "transparency-dev-merkle"
RESULTS = ROOT / "bench" / "results" / "merkle.json"
ANCHOR = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]


def _entry(i: int) -> bytes:
    return i.to_bytes(8, "big")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _median_us(calls: Sequence[Callable[[], object]]) -> float:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def bench_ours(size: int) -> tuple[dict[str, Any], bytes]:
    start = time.perf_counter()
    hashes = [leaf_hash(_entry(i)) for i in range(size)]
    hashing = time.perf_counter() - start
    rss = _rss_mb()
    start = time.perf_counter()
    tree = MerkleTree(hashes)
    build = time.perf_counter() - start
    rss = _rss_mb() - rss
    root = tree.root()
    appended, count = MerkleTree(), 100_000
    start = time.perf_counter()
    for hash_ in hashes[:count]:
        appended.append(hash_)
    per_append_us = (time.perf_counter() - start) / count * 1e6

    rng = random.Random(7)
    indexes = [rng.randrange(size) for _ in range(SAMPLES)]
    olds = [rng.randrange(1, size) for _ in range(SAMPLES)]
    inclusion = [partial(tree.inclusion_proof, i) for i in indexes]
    consistency = [partial(tree.consistency_proof, old) for old in olds]
    inclusion_checks = [
        partial(verify_inclusion, hashes[i], i, size, tree.inclusion_proof(i), root)
        for i in indexes
    ]
    consistency_checks = [
        partial(verify_consistency, old, size, tree.consistency_proof(old), tree.root(old), root)
        for old in olds
    ]
    result = {
        "leaves": size,
        "leaf_hashing_s": hashing,
        "build_s": build,
        "append_us_each": per_append_us,
        "node_hash_bytes": 32 * sum(size >> level for level in range(size.bit_length())),
        "build_rss_mb": rss,
        "inclusion_proof_us": _median_us(inclusion),
        "inclusion_verify_us": _median_us(inclusion_checks),
        "consistency_proof_us": _median_us(consistency),
        "consistency_verify_us": _median_us(consistency_checks),
        "root_at_random_size_us": _median_us([partial(tree.root, old) for old in olds]),
    }
    return result, root


def bench_pymerkle(kind: str, sizes: list[int], samples: int) -> dict[str, Any]:
    """Build each size in turn, stopping before one whose projected build exceeds the budget."""
    result: dict[str, Any] = {"backend": kind}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            if "build_s" in result and result["build_s"] * size / result["leaves"] > BUDGET_S:
                result["skipped"] = f"{size:,} leaves projected over {BUDGET_S:.0f} s"
                break
            rss = _rss_mb()
            start = time.perf_counter()
            if kind == "InmemoryTree":
                tree: Any = InmemoryTree()
            else:
                tree = SqliteTree(os.path.join(scratch, f"{size}.db"))
            tree.append_entries(_entry(i) for i in range(size))
            result.update(leaves=size, build_s=time.perf_counter() - start)
            result["build_rss_mb"] = _rss_mb() - rss
            root = tree.get_root()
            result["root"] = root.hex()
            start = time.perf_counter()
            tree.prove_inclusion(size // 3)
            result["inclusion_proof_first_us"] = (time.perf_counter() - start) * 1e6

            rng = random.Random(7)
            indexes = [rng.randrange(1, size + 1) for _ in range(samples)]
            olds = [rng.randrange(1, size) for _ in range(samples)]
            result["inclusion_proof_us"] = _median_us(
                [partial(tree.prove_inclusion, i) for i in indexes]
            )
            result["consistency_proof_us"] = _median_us(
                [partial(tree.prove_consistency, old) for old in olds]
            )
            result["inclusion_verify_us"] = _median_us(
                [partial(tree.prove_inclusion(i).verify, tree.get_leaf(i), root) for i in indexes]
            )
            result["consistency_verify_us"] = _median_us(
                [
                    partial(tree.prove_consistency(old).verify, tree.get_root(old), root)
                    for old in olds
                ]
            )
            if kind == "SqliteTree":
                tree.close()
            del tree
    return result


def pymerkle_compatibility() -> dict[str, Any]:
    default = InmemoryTree.init_from_entries(RFC6962_LEAVES)
    insecure = InmemoryTree.init_from_entries(RFC6962_LEAVES, disable_security=True)
    report: dict[str, Any] = {
        "anchor_root_default": default.get_root().hex() == ANCHOR,
        "anchor_root_disable_security": insecure.get_root().hex() == ANCHOR,
        "empty_root": InmemoryTree().get_root() == EMPTY_ROOT,
    }
    # Proof layouts for every (index, size) and (old, new) up to 32 leaves.
    ours = MerkleTree([leaf_hash(_entry(i)) for i in range(32)])
    theirs = InmemoryTree.init_from_entries([_entry(i) for i in range(32)])
    incl_same = incl_total = cons_same = cons_covers = cons_total = 0
    cons_examples: dict[str, Any] = {}
    for size in range(1, 33):
        for index in range(size):
            path = theirs.prove_inclusion(index + 1, size).path
            incl_total += 1
            incl_same += path == [ours.leaf_hash_at(index), *ours.inclusion_proof(index, size)]
        for old in range(1, size):
            path = theirs.prove_consistency(old, size).path
            rfc = ours.consistency_proof(old, size)
            cons_total += 1
            cons_same += path in (rfc, [ours.root(old), *rfc])
            cons_covers += set(rfc) <= set(path)
            if (old, size) in ((1, 2), (3, 8), (4, 8), (6, 8), (5, 32)):
                cons_examples[f"{old}->{size}"] = f"rfc {len(rfc)}, pymerkle {len(path)} hashes"
    report["inclusion_path_is_leaf_plus_rfc6962_path"] = f"{incl_same}/{incl_total}"
    report["consistency_path_is_rfc6962_proof"] = f"{cons_same}/{cons_total}"
    report["consistency_path_contains_rfc6962_proof"] = f"{cons_covers}/{cons_total}"
    report["consistency_proof_sizes"] = cons_examples
    # Its verifier on the transparency-dev inclusion vectors, each RFC path put in its format.
    agree, disagree = 0, []
    for path in sorted((VECTORS / "inclusion").rglob("*.json")):
        case = json.loads(path.read_text())
        index, size = case["leafIdx"] + 1, case["treeSize"]
        leaf, root = base64.b64decode(case["leafHash"]), base64.b64decode(case["root"])
        proof = [base64.b64decode(p) for p in case["proof"] or []]
        rule = _inclusion_path_layout(index, size)[0] if 0 < index <= size < 1 << 64 else []
        candidate = pymerkle.InclusionProof("sha256", True, size, index, rule, [leaf, *proof])
        try:
            candidate.verify(leaf, root)
            outcome = "accepted"
        except pymerkle.InvalidProof:
            outcome = "rejected"
        except Exception as exc:  # a crash counts as disagreement: say which
            outcome = type(exc).__name__
        if outcome == ("rejected" if case["wantErr"] else "accepted"):
            agree += 1
        else:
            disagree.append(f"{path.relative_to(VECTORS)}: {outcome}")
    report["inclusion_vectors_agree"] = f"{agree}/{agree + len(disagree)}"
    report["inclusion_vectors_disagree"] = disagree
    return report


def main() -> None:
    print(f"pymerkle {pymerkle.__version__}; {N:,} leaves; ours: medians of {SAMPLES} samples\n")
    ours, root = bench_ours(N)
    compat = pymerkle_compatibility()
    inmemory = bench_pymerkle("InmemoryTree", [100_000, N], samples=200)
    sqlite = bench_pymerkle("SqliteTree", [100_000, N], samples=20)
    for theirs in (inmemory, sqlite):
        if theirs.get("leaves") == N:
            theirs["root_equals_ours"] = theirs["root"] == root.hex()
    rows = [
        ("leaves", "leaves", "{:,}"),
        ("build (s)", "build_s", "{:.2f}"),
        ("build RSS (MB, rough)", "build_rss_mb", "{:.0f}"),
        ("inclusion proof (µs)", "inclusion_proof_us", "{:.1f}"),
        ("inclusion verify (µs)", "inclusion_verify_us", "{:.1f}"),
        ("consistency proof (µs)", "consistency_proof_us", "{:.1f}"),
        ("consistency verify (µs)", "consistency_verify_us", "{:.1f}"),
    ]
    print(f"{'':26}{'ledger.merkle':>16}{'pymerkle memory':>18}{'pymerkle sqlite':>18}")
    for label, key, fmt in rows:
        cells = [fmt.format(r[key]) if key in r else "-" for r in (ours, inmemory, sqlite)]
        print(f"{label:26}{cells[0]:>16}{cells[1]:>18}{cells[2]:>18}")
    print(
        f"\nours: leaf hashing {ours['leaf_hashing_s']:.2f} s (not in build),"
        f" append {ours['append_us_each']:.1f} µs each,"
        f" {ours['node_hash_bytes'] / 2**20:.0f} MiB of node hashes,"
        f" root at a random size {ours['root_at_random_size_us']:.1f} µs"
    )
    for theirs in (inmemory, sqlite):
        print(
            f"pymerkle {theirs['backend']}: first inclusion proof"
            f" {theirs['inclusion_proof_first_us'] / 1000:.1f} ms,"
            f" root equals ours at 1M: {theirs.get('root_equals_ours', '-')}"
            + (f"; {theirs['skipped']}" if "skipped" in theirs else "")
        )
    print("\npymerkle RFC 6962 compatibility:")
    for key, value in compat.items():
        print(f"  {key}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {"ours": ours, "pymerkle": {"inmemory": inmemory, "sqlite": sqlite, **compat}}
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
