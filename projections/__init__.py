"""Read models folded from the ledger, and the reports built from them."""
