"""Rule ``dossier``: a dossier holds every document its award kind requires, by the regime of
the day (its `[rules.dossier.documents]` table).

A dossier is the documents recorded `--for` one subject (a review session, a proposal); the
rule reads only their kinds. An entry of the table may name alternatives (`a|b`): one of them
suffices. The documents are counted per dossier, not per nominee: one achievement report
(Mẫu 05) in a session's dossier satisfies the rule for all of its nominees.

Where it applies: a decision on a review session (`awards decide --basis SESSION`) needs the
session's dossier complete on the decision's date — the minutes and the ballot result exist
only once the council has met, so neither opening nor closing a session can require them; the
authority that receives the file is the one the law asks to check it. A proposal (`awards
propose`) is checked the same way against the proposal's documents.

How the application uses this::

    found = dossier_violations("emulation_fighter_base", decided_on, held_kinds, "S-2024")
    # [] when complete; else one Violation(rule="dossier", subject="S-2024", message=...)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.regimes import regime_on
from domain.violation import Violation

DOSSIER = "dossier"


def missing_documents(required: Iterable[str], held: Iterable[str]) -> list[str]:
    """The entries of `required` (kinds, or alternatives joined by `|`) that `held` lacks."""
    kinds = set(held)
    return [need for need in required if not kinds.intersection(need.split("|"))]


def dossier_violations(award: str, on: date, held: Iterable[str], subject: str) -> list[Violation]:
    """Rule ``dossier``: one violation naming every document kind the dossier of `subject` for
    `award` lacks under the regime in force `on` (`held`: the kinds of its documents)."""
    regime = regime_on(on)
    missing = missing_documents(regime.required_documents(award), held)
    if not missing:
        return []
    named = ", ".join(need.replace("|", " or ") for need in missing)
    return [
        Violation(
            rule=DOSSIER,
            subject=subject,
            message=f"the dossier of {subject} for {award} lacks {named} (regime {regime.id}: "
            f"{regime.citation(DOSSIER)})",
        )
    ]
