"""Use cases: one function per write command, each a single atomic LedgerApp.write."""
