"""The `awards` console script's entry point, kept free of imports.

`awards verify` checks signatures in worker processes started with "spawn", and each worker
imports the main module again: with the command tree imported here at module level, every
worker would load click, eventsourcing, the projections and the templates (≈ 0.3 s of CPU)
only to run ledger/signing.py.
"""

from __future__ import annotations


def main() -> None:
    """Run the `awards` command line."""
    from cli.main import main as run

    run()
