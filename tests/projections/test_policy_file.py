"""The shipped policy file equals the defaults, and bad files are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.policy import Policy, PolicyError, load_policy

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "projections" / "default_policy.toml"


def test_default_file_equals_built_in_defaults() -> None:
    assert load_policy(DEFAULT_FILE) == Policy()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "[clocks.MQL_NOT_ACCEPTED]\namount = 0\nunit = 'hours'\nnotify = ['x']\n",
            "clocks.MQL_NOT_ACCEPTED.amount",
        ),
        (
            "[clocks.MQL_NOT_ACCEPTED]\namount = 2\nunit = 'weeks'\nnotify = ['x']\n",
            "clocks.MQL_NOT_ACCEPTED.unit",
        ),
        ("[lead_qual_team]\nenabeld = true\n", "lead_qual_team.enabeld"),
        ("mql_threshold = 'high'\n", "mql_threshold"),
        (
            "[clocks.NO_SUCH_RULE]\namount = 1\nunit = 'hours'\nnotify = ['x']\n",
            "clocks.NO_SUCH_RULE",
        ),
        ("[privacy]\nhipaa_erasure_days = 0\n", "privacy.hipaa_erasure_days"),
        ("this is not toml", "policy.toml"),
    ],
)
def test_bad_policy_is_named(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=named.replace(".", r"\.")):
        load_policy(path)


def test_team_and_roster_from_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        "sales_roster = ['a', 'b']\n[lead_qual_team]\nenabled = true\nmaql_threshold = 30\n"
    )
    policy = load_policy(path)
    assert policy.lead_qual_team.maql_threshold == 30
    assert policy.sales_roster == ["a", "b"]
