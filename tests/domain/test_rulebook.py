"""The rulebook: defaults, exact thresholds, the TOML file and each way it can be malformed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import msgspec
import pytest

from domain.errors import MalformedInputError, UsageError
from domain.rulebook import (
    DEFAULT_RULEBOOK,
    Rulebook,
    Share,
    Threshold,
    TitleThreshold,
    share_from_text,
    threshold_from_text,
)
from domain.rulebook_toml import MAX_NESTING, nesting_depth, parse_rulebook

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "rulebook-north-central-2019.toml"
MORE_THAN_HALF = Threshold(Share(1, 2), strict=True)
NINETY = Threshold(Share(9, 10))


def test_default_rulebook_adds_nothing_to_the_statute() -> None:
    rb = DEFAULT_RULEBOOK
    assert (rb.fighter_quota, rb.quorum, rb.default_threshold) == (None, None, None)
    assert rb.threshold_for("emulation_fighter_ministry") is None
    assert rb.secret_ballot == []


@pytest.mark.parametrize(
    ("threshold", "yes", "members", "passes"),
    [
        (NINETY, 9, 10, True),
        (NINETY, 8, 10, False),
        (NINETY, 27, 30, True),
        (NINETY, 26, 30, False),
        (NINETY, 18, 19, True),  # 180 >= 171 in integers
        (NINETY, 17, 19, False),  # 170 < 171
        (MORE_THAN_HALF, 5, 10, False),
        (MORE_THAN_HALF, 6, 10, True),
        (MORE_THAN_HALF, 2, 3, True),
        (MORE_THAN_HALF, 1, 2, False),
        (MORE_THAN_HALF, 0, 0, False),
        (threshold_from_text("0.9", "t"), 9, 10, True),
        (threshold_from_text("90%", "t"), 9, 10, True),
        (threshold_from_text(">0.5", "t"), 5, 10, False),
        (threshold_from_text(">=1/2", "t"), 5, 10, True),
    ],
)
def test_threshold_is_exact(threshold: Threshold, yes: int, members: int, passes: bool) -> None:
    assert threshold.met_by(yes, members) is passes


@pytest.mark.parametrize(
    ("part", "whole", "met"), [(2, 3, True), (6, 10, False), (7, 10, True), (20, 30, True)]
)
def test_quorum_two_thirds_is_exact(part: int, whole: int, met: bool) -> None:
    assert Share(2, 3).at_least(part, whole) is met


def test_example_rulebook_sets_a_30_percent_quota() -> None:
    rb = parse_rulebook(EXAMPLE.read_text(encoding="utf-8"))
    assert rb.name == "north-central-2019"
    assert rb.fighter_quota == Share(3, 10)
    assert str(rb.fighter_quota) == "30 %"
    assert rb.law is None  # the law in force is the decision date's, not the rulebook's
    assert rb.unit_deadline == date(2019, 3, 15)
    assert rb.cluster_deadline == date(2019, 3, 25)
    assert rb.threshold_for("emulation_fighter_ministry") == NINETY


def test_empty_rulebook_is_the_default() -> None:
    assert parse_rulebook("") == DEFAULT_RULEBOOK


def test_rulebook_encodes_canonically_whatever_the_order() -> None:
    one = parse_rulebook(
        '[review]\nsecret_ballot = ["emulation_flag", "emulation_fighter_national"]\n'
        "[review.thresholds]\nemulation_flag = 0.75\nadvanced_worker = '>1/2'\n"
    )
    two = parse_rulebook(
        "[review.thresholds]\nadvanced_worker = '>1/2'\nemulation_flag = '3/4'\n"
        "[review]\nsecret_ballot = ['emulation_fighter_national', 'emulation_flag',"
        " 'emulation_flag']\n"
    )
    assert msgspec.json.encode(one) == msgspec.json.encode(two)
    assert one.threshold_for("emulation_flag") == Threshold(Share(3, 4))
    assert msgspec.json.decode(msgspec.json.encode(one), type=Rulebook) == one


def test_canonical_sorts_and_deduplicates() -> None:
    rb = Rulebook(
        secret_ballot=["b_kind", "a_kind", "b_kind"],
        thresholds=[TitleThreshold("z", NINETY), TitleThreshold("a", MORE_THAN_HALF)],
    ).canonical()
    assert rb.secret_ballot == ["a_kind", "b_kind"]
    assert [t.award for t in rb.thresholds] == ["a", "z"]


def test_extra_award_kinds_join_the_catalogue() -> None:
    rb = parse_rulebook(
        '[awards]\nforms = ["commemorative_medal"]\ncollective_titles = ["model_unit"]\n'
        "[review.thresholds]\nmodel_unit = 0.8\n"
    )
    assert rb.award_category("commemorative_medal") == "form"
    assert rb.suits("model_unit", "unit") and not rb.suits("model_unit", "person")
    assert rb.threshold_for("model_unit") == Threshold(Share(4, 5))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = ", r"rulebook is not valid TOML"),
        ("quotas = 1", r"rulebook key 'quotas' is not known"),
        ("[quota]\nfighter = 0.3", r"rulebook key 'quota.fighter' is not known"),
        ("quota = 0.3", r"rulebook key 'quota' must be a table"),
        ("[quota]\nfighter_share = 1.5", r"'quota.fighter_share' is not valid: share 1.5 is outs"),
        ("[quota]\nfighter_share = 0", r"'quota.fighter_share' is not valid: share 0 is outside"),
        ("[quota]\nfighter_share = '-1/3'", r"'quota.fighter_share' is not valid: share '-1/3'"),
        ("[quota]\nfighter_share = true", r"'quota.fighter_share' is not valid: a share must be"),
        ("[quota]\nfighter_share = 'lots'", r"'quota.fighter_share' is not valid: a share must"),
        ("[quota]\nfighter_share = nan", r"'quota.fighter_share' is not valid: a share must be f"),
        ("[review]\nquorum = '2/0'", r"'review.quorum' is not valid: a share must be"),
        ("[review]\nthreshold = '>1'", r"'review.threshold' is not valid: more than 100 % can n"),
        ("[review]\nthreshold = {share = 0.5, x = 1}", r"'review.threshold' .*unknown field 'x'"),
        ("[review]\nthreshold = {strict = true}", r"'review.threshold' .*needs a share"),
        ("[review]\nthreshold = {share = 0.5, strict = 1}", r"'review.threshold' .*true or false"),
        ("[review.thresholds]\nfoo = 0.5", r"'review.thresholds.foo' names an unknown award kind"),
        ("[review]\nsecret_ballot = 'emulation_flag'", r"'review.secret_ballot' must be a list"),
        ("[review]\nsecret_ballot = ['nope']", r"'review.secret_ballot' names an unknown award"),
        ('law = "2003"', r"rulebook key 'law' is no longer accepted: the law in force is chosen"),
        ("law_2022_from = 2024-01-01", r"rulebook key 'law_2022_from' is no longer accepted"),
        ("[deadlines]\nunit = 2019-03-01T08:00:00", r"rulebook key 'deadlines.unit' must be a da"),
        ("name = ''", r"rulebook key 'name' must be a non-empty string"),
        ("[prerequisites]\nministry_consecutive_base = 0", r"must be an integer of at least 1"),
        ("[prerequisites]\nexcellent_collective_min_fighters = 1.5", r"integer of at least 0"),
        ("[awards]\nforms = ['certificate_of_merit']", r"'awards.forms' repeats the built-in"),
        ("[awards]\nforms = ['Bad Kind']", r"'awards.forms' has an invalid award kind 'Bad Kind'"),
    ],
    ids=lambda v: v if len(v) < 30 else None,
)
def test_malformed_rulebook_is_rejected(text: str, message: str) -> None:
    with pytest.raises(MalformedInputError, match=message):
        parse_rulebook(text)


def test_share_option_rejects_text() -> None:
    with pytest.raises(UsageError, match=r"--quorum '1.2' is not valid: share '1.2' is outside"):
        share_from_text("1.2", "--quorum")


def test_threshold_option_rejects_text() -> None:
    with pytest.raises(UsageError, match=r"--threshold 'half' is not valid: a share must be"):
        threshold_from_text("half", "--threshold")


def test_nesting_depth_counts_brackets_outside_strings_and_comments() -> None:
    assert nesting_depth("a = [[1, 2], [3]]\n[table]\nb = {c = [1]}\n") == 2
    assert nesting_depth("a = \"[[[[\"\nb = '{{{{' # [[[[\n") == 0
    assert nesting_depth('a = """x \\""" [[[ """\n') == 0
    assert nesting_depth("a = " + "[" * 50_000 + "]" * 50_000) == 50_000


def test_a_rulebook_nested_deeper_than_any_real_one_is_refused_before_parsing() -> None:
    text = "a = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(MalformedInputError, match="nested too deeply"):
        parse_rulebook(text)
