"""The demo: the seed scenarios (demo/scenarios/) run end to end on a fresh ledger (`awards demo`).

It sits beside cli/: it may import ledger/, projections/ and domain/; nothing imports it but
cli/demo_cmd.py and the tests.
"""
