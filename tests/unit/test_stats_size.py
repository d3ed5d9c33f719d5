"""The bucket estimate of a `complaintStats` grouping, and its cap (gateway/stats_size.py)."""

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.demo.seed.catalog import CATEGORIES, agency_rows
from gateway.domain import Tier
from gateway.errors import StatsTooLargeError
from gateway.policy import EVERYTHING
from gateway.regions import NATIONAL, load_regions
from gateway.settings import GatewaySettings
from gateway.sources.base import ComplaintCriteria, Dimension
from gateway.stats_size import BucketEstimator

REGIONS = load_regions()
ESTIMATOR = BucketEstimator(REGIONS)
NOW = datetime(2026, 6, 15, 10, 30)
D = Dimension


def estimate(*dimensions: Dimension, **criteria: Any) -> int:
    return ESTIMATOR.estimate(dimensions, ComplaintCriteria(scope=EVERYTHING, now=NOW, **criteria))


def test_the_default_cardinalities_are_the_demo_catalogs() -> None:
    homes = [NATIONAL, *(region.code for region in REGIONS)]
    per_home = {home: len(agency_rows(home, REGIONS)) for home in homes}
    assert ESTIMATOR.national_agencies == per_home.pop(NATIONAL) == 28
    assert ESTIMATOR.agencies_per_region == max(per_home.values()) == 21
    assert ESTIMATOR.categories == len(CATEGORIES) == 20
    # So grouping by agency bounds every agency the demo has.
    assert estimate(D.AGENCY) >= sum(len(agency_rows(home, REGIONS)) for home in homes)


@pytest.mark.parametrize(
    ("dimensions", "buckets"),
    [
        ((), 1),
        ((D.TIER,), 3),
        ((D.PROVINCE, D.TIER), 1 + 38 + 38),  # a province's own unit and its regencies' units
        ((D.REGENCY, D.PROVINCE, D.TIER), 1 + 38 + 514),
        ((D.AGENCY, D.REGENCY, D.PROVINCE, D.TIER), 28 + (38 + 514) * 21),
        ((D.TYPE, D.CHANNEL, D.STATUS, D.CATEGORY), 3 * 5 * 12 * 20),
    ],
)
def test_the_hierarchy_multiplies_only_through_units_that_exist(
    dimensions: tuple[Dimension, ...], buckets: int
) -> None:
    assert estimate(*dimensions) == buckets


def test_a_region_narrows_the_units_and_leaves_out_the_national_ones() -> None:
    assert estimate(D.TIER, region="12") == 2
    assert estimate(D.PROVINCE, D.REGENCY, region="12.71") == 1
    assert estimate(D.AGENCY, region="12.71") == 21
    assert estimate(D.AGENCY, tier=Tier.NATIONAL) == 28
    assert estimate(D.AGENCY, tier=Tier.NATIONAL, region="12") == 0  # nothing can match


def test_filter_lists_narrow_their_dimensions() -> None:
    assert estimate(D.CATEGORY, D.STATUS, categories=("KESEHATAN",), statuses=("VERIFIED",)) == 1
    assert estimate(D.TYPE, types=("COMPLAINT", "COMPLAINT")) == 1


@pytest.mark.parametrize(
    ("criteria", "year", "month", "both"),
    [
        ({}, 5, 12, 4 * 12 + 6),  # 2022 (the first year) to June 2026 (now)
        ({"submitted_from": datetime(2026, 2, 1)}, 1, 5, 5),
        ({"submitted_before": datetime(2022, 3, 1)}, 1, 2, 2),  # exclusive: Jan and Feb
        ({"submitted_before": datetime(2022, 3, 2)}, 1, 3, 3),
        ({"submitted_before": datetime(2022, 1, 1)}, 0, 0, 0),  # before the first year
        ({"submitted_from": datetime(2030, 1, 1)}, 0, 0, 0),
    ],
)
def test_years_and_months_follow_the_date_range(
    criteria: dict[str, Any], year: int, month: int, both: int
) -> None:
    assert estimate(D.YEAR, **criteria) == year
    assert estimate(D.MONTH, **criteria) == month
    assert estimate(D.YEAR, D.MONTH, **criteria) == both


def test_a_grouping_over_the_cap_is_refused_with_its_estimate_and_the_cap() -> None:
    capped = BucketEstimator(REGIONS, cap=38)
    criteria = ComplaintCriteria(scope=EVERYTHING, now=NOW)
    assert capped.check([D.TIER], criteria) == 3
    with pytest.raises(StatsTooLargeError) as refused:
        capped.check([D.PROVINCE], criteria)
    assert refused.value.extensions == {
        "code": "STATS_TOO_LARGE",
        "estimatedBuckets": 39,
        "maxBuckets": 38,
    }


def test_the_estimator_takes_its_cap_and_cardinalities_from_settings() -> None:
    settings = GatewaySettings(
        registry=Path("registry.toml"),
        stats_bucket_cap=7,
        stats_agencies_per_region=3,
        stats_national_agencies=2,
        stats_categories=4,
        stats_first_year=2025,
    )
    configured = settings.bucket_estimator(REGIONS)
    assert (configured.cap, configured.first_year) == (7, 2025)
    criteria = ComplaintCriteria(scope=EVERYTHING, now=NOW)
    assert configured.estimate([D.AGENCY], criteria) == 2 + (38 + 514) * 3
    assert configured.estimate([D.CATEGORY, D.YEAR], criteria) == 4 * 2
