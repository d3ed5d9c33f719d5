"""The authorization matrix of DESIGN.md §4, case by case: every tier x role x where the
complaint is handled (relative to the caller) x its flags, against what the caller may see."""

import itertools

import pytest

from gateway.domain import PrincipalTier, Role
from gateway.policy import (
    ComplaintFacts,
    can_read_body,
    can_read_reporter,
    row_scope,
    row_visible,
)
from gateway.principal import Principal

AGENCY = "AGENCY-X"
# The caller's home and the complaint's handling region for each relation.
HOMES = {
    PrincipalTier.NATIONAL: None,
    PrincipalTier.OMBUDSMAN: None,
    PrincipalTier.PROVINCIAL: "12",
    PrincipalTier.REGENCY: "12.71",
    PrincipalTier.PUBLIC: None,
}
RELATIONS: dict[str, dict[str | None, str | None]] = {
    # relation: handling region of the complaint, per caller home
    "own": {"12": "12", "12.71": "12.71", None: "12.71"},
    "parent": {"12": None, "12.71": "12", None: "12"},
    "sibling": {"12": "13", "12.71": "12.72", None: "12.72"},
    "child": {"12": "12.71", "12.71": "12.71", None: "12.71"},
    "other province": {"12": "31.71", "12.71": "31.71", None: "31.71"},
}
FLAGS = {
    "plain": (False, False),
    "anonymous": (True, False),
    "confidential": (False, True),
    "unknown flags": (None, None),
}
# Rows each tier may read, as the set of relations it reaches (DESIGN.md §4, "complaint records").
READS: dict[PrincipalTier, set[str]] = {
    PrincipalTier.NATIONAL: {"own", "parent", "sibling", "child", "other province"},
    PrincipalTier.OMBUDSMAN: {"own", "parent", "sibling", "child", "other province"},
    PrincipalTier.PROVINCIAL: {"own", "child"},
    PrincipalTier.REGENCY: {"own", "child"},  # a regency's "child" is itself: no lower tier
    PrincipalTier.PUBLIC: {"own", "parent", "sibling", "child", "other province"},
}
CASES = list(itertools.product(PrincipalTier, Role, RELATIONS, FLAGS, [False, True]))


def case_id(case: tuple[PrincipalTier, Role, str, str, bool]) -> str:
    tier, role, relation, flags, escalated = case
    return f"{tier.value}-{role.value}-{relation}-{flags}" + ("-escalated" if escalated else "")


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_authorization_matrix(case: tuple[PrincipalTier, Role, str, str, bool]) -> None:
    tier, role, relation, flags, escalated = case
    home = HOMES[tier]
    region = RELATIONS[relation][home]
    anonymous, confidential = FLAGS[flags]
    facts = ComplaintFacts(
        region_code=region,
        agency_code=AGENCY,
        status="ESCALATED" if escalated else "IN_PROGRESS",
        verified=True,
        is_anonymous=anonymous,
        is_confidential=confidential,
    )
    principal = Principal(
        tier=tier,
        region=home,
        agency=AGENCY if tier is not PrincipalTier.PUBLIC else None,
        role=role if tier is not PrincipalTier.PUBLIC else None,
    )
    published = confidential is False
    expected_row = relation in READS[tier] and (tier is not PrincipalTier.PUBLIC or published)
    if tier is PrincipalTier.NATIONAL and region is None:
        expected_row = True  # a national complaint: handled by a K/L agency, in no region
    expected_body = expected_row and tier is not PrincipalTier.PUBLIC
    expected_reporter = anonymous is False and (
        (tier is PrincipalTier.OMBUDSMAN and escalated)
        or (
            tier in {PrincipalTier.PROVINCIAL, PrincipalTier.REGENCY}
            and role is Role.OPERATOR
            and expected_row
        )
    )

    assert row_visible(row_scope(principal), facts) is expected_row
    if expected_row:  # fields are only ever asked of rows the caller received
        assert can_read_body(principal, facts) is expected_body
    assert can_read_reporter(principal, facts) is expected_reporter


def test_operator_of_another_agency_cannot_read_the_reporter() -> None:
    principal = Principal(
        PrincipalTier.REGENCY, region="12.71", agency="12.71-DISDIK", role=Role.OPERATOR
    )
    facts = ComplaintFacts("12.71", "12.71-DINKES", "IN_PROGRESS", True, False, False)
    assert not can_read_reporter(principal, facts)


def test_a_national_operator_reads_no_reporter_whatever_agency_it_claims() -> None:
    """Found outside: a NATIONAL token claiming a regency agency read that agency's reporters
    (85 of 100 on a page), its row scope being everything."""
    for agency, region in (("12.71-DLH", "12.71"), ("KL-KEMENKES", None)):
        principal = Principal(PrincipalTier.NATIONAL, agency=agency, role=Role.OPERATOR)
        facts = ComplaintFacts(region, agency, "IN_PROGRESS", True, False, False)
        assert not can_read_reporter(principal, facts)


def test_operator_without_agency_claim_cannot_read_the_reporter() -> None:
    principal = Principal(PrincipalTier.REGENCY, region="12.71", role=Role.OPERATOR)
    facts = ComplaintFacts("12.71", None, "IN_PROGRESS", True, False, False)
    assert not can_read_reporter(principal, facts)


def test_public_never_sees_an_unverified_complaint() -> None:
    facts = ComplaintFacts("12.71", AGENCY, "SUBMITTED", False, False, False)
    assert not row_visible(row_scope(Principal(PrincipalTier.PUBLIC)), facts)
