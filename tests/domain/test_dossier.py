"""Rule `dossier`: the documents each award kind needs, by the regime of the day."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest

from domain.actor import VIETNAM_TZ
from domain.document import Document, Dossier, add_document, held_kinds
from domain.dossier import DOSSIER, dossier_violations, missing_documents
from domain.errors import MalformedInputError
from domain.regime import parse_regime
from domain.regimes import regime_on
from tests.domain.test_regime import MINIMAL
from tests.gwt import recorded, replay

COMMON = ["to_trinh_mau_01", "bao_cao_mau_05", "minutes"]
IN_2019, IN_2024, IN_2025 = date(2019, 12, 20), date(2024, 12, 20), date(2025, 12, 20)


@pytest.mark.parametrize("day", [IN_2019, IN_2024, IN_2025])
def test_a_complete_dossier_breaks_nothing(day: date) -> None:
    # given the documents every kind needs, the ballot result and an initiative certificate
    held = [*COMMON, "ballot_result", "initiative_certificate", "other"]
    # when a base fighter's dossier is checked, then it is complete under every regime
    assert dossier_violations("emulation_fighter_base", day, held, "S-1") == []
    assert dossier_violations("advanced_worker", day, COMMON, "S-1") == []


@pytest.mark.parametrize(
    ("day", "regime", "lacks"),
    [
        (IN_2019, "2003", "minutes, initiative_certificate"),
        (IN_2024, "2024",
         "minutes, ballot_result, initiative_certificate or excellent_completion_certificate"),
        (IN_2025, "2025",
         "minutes, ballot_result, initiative_certificate or excellent_completion_certificate"),
    ],
)  # fmt: skip
def test_an_incomplete_dossier_is_one_violation_naming_every_missing_kind(
    day: date, regime: str, lacks: str
) -> None:
    # given a session's dossier with only the submission and the achievement report
    held = ["to_trinh_mau_01", "bao_cao_mau_05"]
    # when it is checked for a base fighter
    [violation] = dossier_violations("emulation_fighter_base", day, held, "S-1")
    # then one violation of rule dossier names what is missing and cites the regime of the day
    assert (violation.rule, violation.subject) == (DOSSIER, "S-1")
    assert f"the dossier of S-1 for emulation_fighter_base lacks {lacks} (regime {regime}: " in (
        violation.message
    )
    assert regime_on(day).citation(DOSSIER) in violation.message


def test_the_ballot_result_is_needed_where_the_regime_requires_a_secret_ballot() -> None:
    held = [*COMMON, "initiative_certificate"]
    assert dossier_violations("emulation_fighter_base", IN_2019, held, "S-1") == []
    [violation] = dossier_violations("emulation_fighter_base", IN_2024, held, "S-1")
    assert "lacks ballot_result (regime 2024" in violation.message


def test_excellent_completion_stands_for_an_initiative_from_2024_only() -> None:
    held = [*COMMON, "ballot_result", "excellent_completion_certificate"]
    assert dossier_violations("emulation_fighter_base", IN_2025, held, "S-1") == []
    [violation] = dossier_violations("emulation_fighter_base", IN_2019, held, "S-1")
    assert "lacks initiative_certificate (regime 2003" in violation.message


def test_alternatives_are_satisfied_by_any_one() -> None:
    assert missing_documents(["a|b", "c"], ["b"]) == ["c"]
    assert missing_documents(["a|b"], []) == ["a|b"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('all = ["minutes", "photo"]',
         r"key 'rules.dossier.documents.all' has 'photo', not a document kind \(to_trinh_mau_01"),
        ('hero_labour = ["minutes|selfie"]',
         r"'rules.dossier.documents.hero_labour' has 'selfie', not a document kind"),
        ('medal = ["minutes"]',
         r"'rules.dossier.documents.medal' is neither all nor secret_ballot nor an award kind"),
        ("all = \"minutes\"", r"key 'all' must be a list of strings"),
    ],
)  # fmt: skip
def test_a_dossier_table_naming_an_unknown_kind_is_refused(table: str, message: str) -> None:
    text = MINIMAL.replace(
        "[rules.dossier]\n", f"[rules.dossier.documents]\n{table}\n[rules.dossier]\n", 1
    )
    with pytest.raises(MalformedInputError, match=message):
        parse_regime(text, "x.toml")


def test_a_regime_file_reads_its_dossier_table() -> None:
    text = (
        MINIMAL + '[rules.dossier.documents]\nall = ["minutes"]\nhero_labour = ["ballot_result"]\n'
    )
    regime = parse_regime(text, "x.toml")
    assert regime.required_documents("hero_labour") == ["minutes", "ballot_result"]
    assert regime.required_documents("advanced_worker") == ["minutes"]


AT = datetime(2019, 12, 20, 11, tzinfo=VIETNAM_TZ)


def filed(kind: str, dossier: Dossier | None) -> tuple[Document, Dossier]:
    content = f"{kind} of S-1".encode()
    return add_document(
        hashlib.sha256(content).hexdigest(), kind=kind, size=len(content), name=f"{kind}.pdf",
        subject="S-1", hash_only=False, at=AT, dossier=dossier,
    )  # fmt: skip


def test_the_first_document_for_a_subject_opens_its_dossier_and_each_is_filed_there() -> None:
    # when the secretary records the minutes of S-1
    document, dossier = filed("minutes", None)
    # then the document is recorded and the session's dossier opened with it filed
    recorded(document, Document.Added)
    opened, first = recorded(dossier, Dossier.Opened, Dossier.Filed)
    assert dossier.id == Dossier.id_for("S-1") and held_kinds(dossier) == {"minutes"}
    # given that dossier, when the ballot result follows, it is filed in the same dossier
    given: Dossier = replay(opened, first)
    _, again = filed("ballot_result", given)
    recorded(again, Dossier.Filed)
    assert again.kinds() == {"minutes", "ballot_result"} and held_kinds(None) == set()
