"""Row scope per tier (DESIGN.md §4): pure functions from a principal to what it may read."""

import pytest

from gateway.domain import PrincipalTier, Role
from gateway.policy import EVERYTHING, RowScope, aggregate_scope, row_scope
from gateway.principal import PUBLIC, Principal
from gateway.regions import NATIONAL, load_regions

REGIONS = load_regions()
ALL_CODES = [NATIONAL, *(region.code for region in REGIONS)]


@pytest.mark.parametrize(
    ("principal", "scope"),
    [
        (Principal(PrincipalTier.NATIONAL, "n", role=Role.ANALYST), RowScope(region=None)),
        (Principal(PrincipalTier.OMBUDSMAN, "o"), RowScope(region=None)),
        (Principal(PrincipalTier.PROVINCIAL, "p", region="12"), RowScope(region="12")),
        (Principal(PrincipalTier.REGENCY, "r", region="12.71"), RowScope(region="12.71")),
        (PUBLIC, RowScope(region=None, published_only=True)),
    ],
)
def test_row_scope_per_tier(principal: Principal, scope: RowScope) -> None:
    assert row_scope(principal) == scope


@pytest.mark.parametrize("tier", [PrincipalTier.NATIONAL, PrincipalTier.OMBUDSMAN])
def test_national_and_ombudsman_callers_see_everything_unpublished_included(
    tier: PrincipalTier,
) -> None:
    scope = row_scope(Principal(tier, "x"))
    assert scope is EVERYTHING
    assert not scope.published_only
    assert all(scope.includes_region(code) for code in ALL_CODES)


def test_the_public_sees_every_region_but_published_complaints_only() -> None:
    scope = row_scope(PUBLIC)
    assert scope.published_only
    assert all(scope.includes_region(code) for code in ALL_CODES)


def test_a_provincial_caller_sees_its_province_and_its_regencies_only() -> None:
    scope = row_scope(Principal(PrincipalTier.PROVINCIAL, "p", region="12"))
    assert not scope.published_only
    included = {code for code in ALL_CODES if scope.includes_region(code)}
    assert included == {region.code for region in REGIONS.subtree("12")}
    assert len(included) == 34


def test_a_regency_caller_sees_its_own_regency_only() -> None:
    scope = row_scope(Principal(PrincipalTier.REGENCY, "r", region="12.71"))
    assert not scope.published_only
    assert [code for code in ALL_CODES if scope.includes_region(code)] == ["12.71"]


@pytest.mark.parametrize(
    ("region", "code", "included"),
    [
        (None, NATIONAL, True),
        (None, "12.71", True),
        ("12", "12", True),
        ("12", "12.71", True),
        ("12", "12.01", True),
        ("12", NATIONAL, False),  # national agencies' complaints are outside a province
        ("12", "13", False),
        ("12", "13.71", False),
        ("1", "12", False),  # a bare prefix is no parent
        ("1", "12.71", False),
        ("12.7", "12.71", False),
        ("12.71", "12.71", True),
        ("12.71", "12", False),  # a regency does not see its province's own complaints
        ("12.71", "12.72", False),
        ("12.71", NATIONAL, False),
    ],
)
def test_includes_region(region: str | None, code: str, included: bool) -> None:
    assert RowScope(region=region).includes_region(code) is included


@pytest.mark.parametrize("tier", [PrincipalTier.PROVINCIAL, PrincipalTier.REGENCY])
def test_a_regional_principal_without_a_region_gets_an_empty_scope(tier: PrincipalTier) -> None:
    scope = row_scope(Principal(tier, "lost", region=None))
    assert scope.region is not None
    assert scope.published_only
    assert not any(scope.includes_region(code) for code in ALL_CODES)


@pytest.mark.parametrize(
    "principal",
    [
        Principal(PrincipalTier.NATIONAL, "n"),
        Principal(PrincipalTier.OMBUDSMAN, "o"),
        Principal(PrincipalTier.PROVINCIAL, "p", region="12"),
        Principal(PrincipalTier.REGENCY, "r", region="12.71"),
    ],
)
def test_aggregates_span_all_regions_for_every_authenticated_tier(principal: Principal) -> None:
    assert aggregate_scope(principal) == RowScope(region=None, published_only=False)


def test_public_aggregates_count_published_complaints_only() -> None:
    assert aggregate_scope(PUBLIC) == RowScope(region=None, published_only=True)


def test_row_scope_ignores_agency_and_role() -> None:
    plain = Principal(PrincipalTier.REGENCY, "r", region="12.71")
    operator = Principal(
        PrincipalTier.REGENCY, "r", region="12.71", agency="12.71-DINKES", role=Role.OPERATOR
    )
    assert row_scope(plain) == row_scope(operator)
