"""The seed scenarios (the National Assembly Office, the North Central cluster, the Party
Central Office), entered as the offices would enter them (`awards demo`).

`stage.Stage` holds the demo ledger and the actors' keys; `national_assembly`,
`north_central` and `party_central` each run one scenario end to end through the use cases
and return its movement id. `demo.build` runs them in order on a fresh ledger.
"""
