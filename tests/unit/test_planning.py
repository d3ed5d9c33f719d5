"""Planning: caller scope ∩ filter → the sources to contact, over the demo's 72 sources."""

from datetime import datetime

import pytest

from gateway.demo.topology import demo_topology
from gateway.domain import Tier
from gateway.federation.ids import home_region
from gateway.federation.planning import candidate_regions, narrower, overlap, plan_sources
from gateway.policy import EVERYTHING, RowScope
from gateway.regions import NATIONAL, load_regions
from gateway.registry import SourceConfig, build_registry
from gateway.sources.base import ComplaintCriteria

REGIONS = load_regions()
REGISTRY = build_registry(
    [
        SourceConfig(s.id, "sql", f"sqlite+aiosqlite:///{s.id}.db", s.covers)
        for s in demo_topology(REGIONS)
    ],
    REGIONS,
)
NOW = datetime(2024, 6, 1)
NORTH_SUMATRA = {"prov-12", *(f"reg-{child.code}" for child in REGIONS.children("12"))}


def criteria(scope: RowScope = EVERYTHING, **filters: object) -> ComplaintCriteria:
    return ComplaintCriteria(scope=scope, now=NOW, **filters)  # type: ignore[arg-type]


def plan(criteria: ComplaintCriteria) -> tuple[str, ...]:
    agency_region = home_region(criteria.agency, REGIONS) if criteria.agency else None
    return plan_sources(criteria, REGISTRY, REGIONS, agency_region)


def test_the_demo_registry_has_72_sources() -> None:
    assert len(REGISTRY.sources) == 72


def test_national_scope_without_filter_plans_all_72_sources_in_registry_order() -> None:
    assert plan(criteria()) == tuple(source.id for source in REGISTRY.sources)


def test_public_scope_plans_every_source_too() -> None:
    assert len(plan(criteria(RowScope(region=None, published_only=True)))) == 72


def test_provincial_scope_12_plans_prov_12_and_its_33_regencies_never_national() -> None:
    planned = plan(criteria(RowScope(region="12")))
    assert len(planned) == 34
    assert set(planned) == NORTH_SUMATRA
    assert "national" not in planned


def test_provincial_scope_of_an_unsplit_province_plans_its_one_source() -> None:
    assert plan(criteria(RowScope(region="31"))) == ("prov-31",)


def test_regency_scope_12_71_plans_only_reg_12_71() -> None:
    assert plan(criteria(RowScope(region="12.71"))) == ("reg-12.71",)


def test_regency_scope_inside_an_unsplit_province_plans_the_provincial_source() -> None:
    assert plan(criteria(RowScope(region="31.71"))) == ("prov-31",)


@pytest.mark.parametrize(
    ("scope", "filters", "expected"),
    [
        # regency scope + a region filter in another province: nothing to ask
        ("12.71", {"region": "31"}, ()),
        ("12.71", {"region": "31.71"}, ()),
        ("12.71", {"region": "12.72"}, ()),
        ("12", {"region": "31"}, ()),
        # region filter 12 under regency scope 12.71: narrowed to the regency
        ("12.71", {"region": "12"}, ("reg-12.71",)),
        # region filter 12.71 under provincial scope 12: narrowed to the regency
        ("12", {"region": "12.71"}, ("reg-12.71",)),
        # region filter 11 under national scope: the province of Aceh only
        (None, {"region": "11"}, ("prov-11",)),
        (None, {"region": "12.71"}, ("reg-12.71",)),
        # a bare prefix is no region: `1` matches nothing rather than 11..19
        (None, {"region": "1"}, ()),
        (None, {"region": "12.7"}, ()),
        # tier filters
        (None, {"tier": Tier.NATIONAL}, ("national",)),
        ("12", {"tier": Tier.NATIONAL}, ()),
        ("12", {"tier": Tier.PROVINCIAL}, ("prov-12",)),
        ("12.71", {"tier": Tier.PROVINCIAL}, ()),
        ("12.71", {"tier": Tier.REGENCY}, ("reg-12.71",)),
        # agency filters: the agency's home region alone
        (None, {"agency": "12.71-DINKES"}, ("reg-12.71",)),
        (None, {"agency": "12-DINKES"}, ("prov-12",)),
        (None, {"agency": "KL-KEMENKES"}, ("national",)),
        (None, {"agency": "BUMN-PLN"}, ("national",)),
        ("12", {"agency": "KL-KEMENKES"}, ()),
        ("12", {"agency": "31.71-DINKES"}, ()),
        ("12.71", {"agency": "12.72-DINKES"}, ()),
        # filters combined
        (None, {"region": "12", "agency": "12.71-DINKES"}, ("reg-12.71",)),
        (None, {"region": "11", "agency": "12.71-DINKES"}, ()),
        (None, {"agency": "12.71-DINKES", "tier": Tier.PROVINCIAL}, ()),
        (None, {"region": "12", "tier": Tier.REGENCY}, tuple(sorted(NORTH_SUMATRA - {"prov-12"}))),
    ],
)
def test_plan_sources(
    scope: str | None, filters: dict[str, object], expected: tuple[str, ...]
) -> None:
    planned = plan(criteria(RowScope(region=scope), **filters))
    assert tuple(sorted(planned)) == tuple(sorted(expected))


def test_provincial_tier_filter_under_national_scope_plans_every_provincial_source() -> None:
    planned = plan(criteria(tier=Tier.PROVINCIAL))
    assert set(planned) == {f"prov-{province.code}" for province in REGIONS.provinces()}
    assert "national" not in planned
    assert not any(source_id.startswith("reg-") for source_id in planned)


def test_regency_tier_filter_under_national_scope_skips_national_and_prov_12() -> None:
    planned = set(plan(criteria(tier=Tier.REGENCY)))
    assert "national" not in planned
    assert "prov-12" not in planned
    assert "prov-31" in planned  # Jakarta's source holds its regencies' agencies too
    assert len(planned) == 72 - 2


def test_an_empty_scope_plans_no_source() -> None:
    # What policy gives a provincial principal without a region.
    assert plan(criteria(RowScope(region="", published_only=True))) == ()


def test_candidate_regions_national_scope_is_national_and_every_region() -> None:
    regions = candidate_regions(criteria(), REGIONS)
    assert regions[0] == NATIONAL
    assert set(regions) == {NATIONAL, *(region.code for region in REGIONS)}
    assert len(regions) == 1 + 38 + 514


def test_candidate_regions_of_scope_12_are_12_and_its_33_children() -> None:
    regions = candidate_regions(criteria(RowScope(region="12")), REGIONS)
    assert set(regions) == {"12", *(child.code for child in REGIONS.children("12"))}
    assert len(regions) == 34


def test_candidate_regions_with_an_agency_region_are_that_region_alone() -> None:
    assert candidate_regions(criteria(RowScope(region="12")), REGIONS, "12.71") == ["12.71"]
    assert candidate_regions(criteria(), REGIONS, NATIONAL) == [NATIONAL]
    assert candidate_regions(criteria(RowScope(region="12")), REGIONS, NATIONAL) == []


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        (Tier.NATIONAL, [NATIONAL]),
        (Tier.PROVINCIAL, ["12"]),
        (Tier.REGENCY, [child.code for child in REGIONS.children("12")]),
    ],
)
def test_candidate_regions_filtered_by_tier(tier: Tier, expected: list[str]) -> None:
    bound = RowScope(region=None) if tier is Tier.NATIONAL else RowScope(region="12")
    assert candidate_regions(criteria(bound, tier=tier), REGIONS) == expected


def test_incident_region_does_not_narrow_the_handling_sources() -> None:
    # A complaint about Medan may be handled by a national agency.
    planned = plan(criteria(incident_region="12.71"))
    assert len(planned) == 72


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (None, None, True),
        (None, "12", True),
        ("12", None, True),
        ("12", "12.71", True),
        ("12.71", "12", True),
        ("12.71", "12.71", True),
        ("12.71", "12.72", False),
        ("12", "31", False),
        ("1", "12", False),
        ("12.7", "12.71", False),
    ],
)
def test_overlap(first: str | None, second: str | None, expected: bool) -> None:
    assert overlap(first, second) is expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (None, None, None),
        (None, "12", "12"),
        ("12", None, "12"),
        ("12", "12.71", "12.71"),
        ("12.71", "12", "12.71"),
        ("12.71", "12.71", "12.71"),
    ],
)
def test_narrower_is_the_tighter_bound(
    first: str | None, second: str | None, expected: str | None
) -> None:
    assert narrower(first, second) == expected
