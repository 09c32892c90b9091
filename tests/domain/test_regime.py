"""The regimes as data: one file per regime, chosen by the decision's date, strictly parsed."""

from __future__ import annotations

from datetime import date

import pytest

from domain.catalogue import KINDS, parse_catalogue
from domain.errors import MalformedInputError
from domain.regime import RULE_NAMES, check_coverage, parse_regime
from domain.regimes import all_regimes, regime_named, regime_on
from domain.rulebook import Share, Threshold


@pytest.mark.parametrize(
    ("day", "regime"),
    [
        ("1990-01-01", "2003"),
        ("2019-06-30", "2003"),
        ("2023-12-31", "2003"),
        ("2024-01-01", "2024"),
        ("2025-06-30", "2024"),
        ("2025-07-01", "2025"),
        ("2040-01-01", "2025"),
    ],
)
def test_the_regime_is_chosen_by_the_date(day: str, regime: str) -> None:
    assert regime_on(date.fromisoformat(day)).id == regime


def test_every_regime_has_every_rule_with_a_citation_in_both_languages() -> None:
    for regime in all_regimes():
        assert [r.name for r in regime.rules] == list(RULE_NAMES)
        for rule in regime.rules:
            assert rule.citation and rule.vi and rule.en, (regime.id, rule.name)
    assert regime_named("2024") is regime_on(date(2024, 6, 1))
    assert regime_named("2022") is None


def test_the_statutes_differ_where_the_law_changed() -> None:
    old, mid, new = all_regimes()
    # quota: Decree 91/2017 Art. 9(3) until 2023; none after
    assert (old.fighter_quota, mid.fighter_quota, new.fighter_quota) == (Share(3, 20), None, None)
    # review: 80 % for base fighters and flags, mandatory secret ballot, from 2024
    more_than_half = Threshold(Share(1, 2), strict=True)
    assert old.threshold_for("emulation_flag") == more_than_half
    assert mid.threshold_for("emulation_flag") == Threshold(Share(4, 5))
    assert new.threshold_for("hero_labour") == Threshold(Share(9, 10))
    assert not old.secret_required("emulation_fighter_ministry")
    assert mid.secret_required("emulation_fighter_base") and new.secret_required("emulation_flag")
    # prerequisites: excellent completion is evidence for a base fighter from 2024
    assert old.base_evidence == ["initiative"]
    assert mid.base_evidence == new.base_evidence == ["initiative", "excellent_completion"]
    assert all(r.ministry_scopes == ["ministry", "national"] for r in (old, mid, new))
    assert all(r.national_scopes == ["national"] for r in (old, mid, new))


MINIMAL = """
id = "X"
[name]
vi = "x"
en = "x"
""" + "".join(
    f'[rules.{rule}]\ncitation = "c"\nvi = "v"\nen = "e"\n' for rule in RULE_NAMES
).replace(
    '[rules.review]\ncitation = "c"\nvi = "v"\nen = "e"\n',
    '[rules.review]\ncitation = "c"\nvi = "v"\nen = "e"\ndefault_threshold = ">1/2"\n'
    'quorum = "2/3"\n',
).replace(
    '[rules.prerequisites]\ncitation = "c"\nvi = "v"\nen = "e"\n',
    '[rules.prerequisites]\ncitation = "c"\nvi = "v"\nen = "e"\nministry_consecutive_base = 3\n'
    "national_consecutive_ministry = 2\n"
    'advanced_collective_share = "70%"\nexcellent_collective_share = "70%"\n'
    "excellent_collective_min_fighters = 1\n"
    'collective_discipline_bar = "warning"\ncompletion_bar = "reprimand"\n',
)


def test_a_minimal_regime_parses() -> None:
    regime = parse_regime(MINIMAL, "x.toml")
    assert (regime.id, regime.fighter_quota, regime.quorum) == ("X", None, Share(2, 3))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[name]", "colour = 1\n[name]"), r"key 'colour' is not known"),
        (('[rules.quota]\ncitation = "c"\n', "[rules.quota]\n"), r"'rules.quota' needs citation"),
        (("[rules.quota]\n", '[rules.quota]\nfighter_base_share = "150%"\n'),
         r"key 'fighter_base_share' is not valid: share '150%' is outside"),
        (("[rules.quota]\n", "[rules.quota]\nceiling = 1\n"), r"key 'rules.quota.ceiling' is not"),
        (("ministry_consecutive_base = 3", "ministry_consecutive_base = 0"),
         r"'ministry_consecutive_base' must be an integer of at least 1, got 0"),
        (("[rules.prerequisites]\n", '[rules.prerequisites]\nbase_evidence = ["luck"]\n'),
         r"'base_evidence' has 'luck', not one of initiative, excellent_completion"),
        (('id = "X"', 'id = "X"\nid2 = 1'), r"key 'id2' is not known"),
        (('id = "X"', "id = ["), r"regime file x.toml is not valid TOML"),
        (('id = "X"', 'id = "X"\nfrom = 2024-01-01T00:00:00'), r"key 'from' has the wrong type"),
        (('[name]\nvi = "x"\nen = "x"\n', 'name = "x"\n'), r"key 'name' must be a table"),
        (('id = "X"', 'id = "X"\n[rules.quota.limits]'), r"key 'rules.quota.limits' is not"),
        (('bar = "warning"', 'bar = "scolding"'),
         r"'collective_discipline_bar' must be one of reprimand, warning, salary_demotion"),
    ],
)  # fmt: skip
def test_a_malformed_regime_file_names_the_key(change: tuple[str, str], message: str) -> None:
    with pytest.raises(MalformedInputError, match=message):
        parse_regime(MINIMAL.replace(*change, 1), "x.toml")


def test_regimes_must_meet_without_gap_or_overlap() -> None:
    old, mid, new = all_regimes()
    check_coverage([old, mid, new])
    with pytest.raises(MalformedInputError, match=r"regime 2003 ends 2023-12-31 but 2025 starts"):
        check_coverage([old, new])
    with pytest.raises(MalformedInputError, match=r"only the first may lack 'from'"):
        check_coverage([mid, new])


def test_the_catalogue_holds_every_kind_domain_lists() -> None:
    listed = ("certificate_of_merit_pm", "certificate_of_merit", "emulation_flag_government",
              "emulation_flag", "advanced_soldier", "hero_labour", "hero_armed_forces")  # fmt: skip
    for kind in listed:
        assert KINDS[kind].vi and KINDS[kind].en
    assert KINDS["certificate_of_merit_pm"].vi == "Bằng khen của Thủ tướng Chính phủ"
    assert KINDS["hero_labour"].category == "person_title"
    with pytest.raises(MalformedInputError, match=r"kind 'x' needs a category"):
        parse_catalogue('[x]\ncategory = "medal"\nvi = "a"\nen = "b"\n')
