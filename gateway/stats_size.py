"""How many buckets a `complaintStats` grouping can produce, and the cap on that number.

The estimate is an upper bound worked out from the request alone, before any source is called:
the product of the grouped dimensions' cardinalities under the filter. The handling hierarchy
is taken into account: an agency determines its regency, province and tier, and a regency its
province, so PROVINCE, REGENCY, TIER and AGENCY together count the handling units (or agencies)
that exist, never their product (grouping by PROVINCE and REGENCY gives 514 regencies, 38
provinces' own units and the national one: 553 buckets, not 39 x 515). YEAR and MONTH together
count the months of the date range.

Cardinalities come from the region table (narrowed by a `region` filter), the domain enums
(narrowed by their filter lists) and settings for what no table here holds: agencies per region
and national agencies, categories, and the first year any source holds complaints of. The
bound holds as far as those settings do: a source with more agencies or categories, or with
years before `stats_first_year`, can produce more buckets than estimated.

It is used twice: `BucketEstimator.check` refuses (`STATS_TOO_LARGE`) a grouping over the cap
before any source is called, and the static cost prices `StatsResult.buckets` at the estimate
(clamped at the cap), so a document that asks for many fields of many buckets is over budget
before it is run.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import prod

from gateway.domain import Channel, ComplaintStatus, ComplaintType, RegionLevel, Tier
from gateway.errors import StatsTooLargeError
from gateway.regions import RegionIndex, level_of, province_of
from gateway.sources.base import ComplaintCriteria, Dimension

DEFAULT_BUCKET_CAP = 10_000
"""Buckets a `complaintStats` may produce: about 50 us of CPU each to merge, disclose and
complete, ~0.5 s in all (completion yields to the event loop between slices,
`gateway/graph/execution.py`)."""
AGENCIES_PER_REGION = 21
"""The demo catalog's units per province (21; a regency or city has 19)."""
NATIONAL_AGENCIES = 28
"""The demo catalog's national K/L (23) and BUMN (5)."""
CATEGORIES = 20
"""The demo catalog's complaint categories."""
FIRST_YEAR = 2022
"""The demo's earliest complaints; set `stats_first_year` to your sources' earliest year."""

_REGION_DIMENSIONS = (Dimension.PROVINCE, Dimension.REGENCY, Dimension.TIER)
_HANDLING = frozenset({*_REGION_DIMENSIONS, Dimension.AGENCY})
_ENUMS: dict[Dimension, tuple[int, str]] = {
    Dimension.TYPE: (len(ComplaintType), "types"),
    Dimension.CHANNEL: (len(Channel), "channels"),
    Dimension.STATUS: (len(ComplaintStatus), "statuses"),
}

Unit = tuple[str | None, str | None, Tier]
"""A handling unit's (province, regency, tier): what the region dimensions group by."""


@dataclass(frozen=True)
class BucketEstimator:
    """The buckets a grouping can produce under a filter, and the cap on them."""

    regions: RegionIndex
    cap: int = DEFAULT_BUCKET_CAP
    agencies_per_region: int = AGENCIES_PER_REGION
    national_agencies: int = NATIONAL_AGENCIES
    categories: int = CATEGORIES
    first_year: int = FIRST_YEAR

    def check(self, dimensions: Collection[Dimension], criteria: ComplaintCriteria) -> int:
        """The estimate, or STATS_TOO_LARGE when it is over the cap."""
        estimate = self.estimate(dimensions, criteria)
        if estimate > self.cap:
            raise StatsTooLargeError(
                f"`complaintStats` could produce up to {estimate:,} buckets, more than the "
                f"{self.cap:,} allowed: group by fewer dimensions, or narrow the filter "
                "(region, agency, tier, category, status, channel, type, or a shorter "
                "submittedFrom..submittedTo)",
                estimatedBuckets=estimate,
                maxBuckets=self.cap,
            )
        return estimate

    def check_request(self, estimates: Sequence[int]) -> None:
        """The cap holds for a request as a whole: aliases of `complaintStats` (their grouping
        in variables, which the static cost cannot see) share it."""
        if sum(estimates) > self.cap:
            raise StatsTooLargeError(
                f"this request's aggregates could produce up to {sum(estimates):,} buckets in "
                f"all, more than the {self.cap:,} allowed: ask fewer or smaller groupings at "
                "once",
                estimatedBuckets=sum(estimates),
                maxBuckets=self.cap,
            )

    def check_actual(self, buckets: int) -> None:
        """A backstop once the sources have answered: the estimate rests on settings (first
        year, agencies and categories per region) that real data may outgrow."""
        if buckets > self.cap:
            raise StatsTooLargeError(
                f"`complaintStats` produced {buckets:,} buckets, more than the {self.cap:,} "
                "allowed: group by fewer dimensions, or narrow the filter",
                buckets=buckets,
                maxBuckets=self.cap,
            )

    def estimate(self, dimensions: Collection[Dimension], criteria: ComplaintCriteria) -> int:
        """An upper bound on the buckets of `dimensions` under `criteria`."""
        grouped = set(dimensions)
        factors = [self._handling(grouped & _HANDLING, criteria), self._period(grouped, criteria)]
        if Dimension.CATEGORY in grouped:
            factors.append(len(set(criteria.categories)) or self.categories)
        for dimension, (size, name) in _ENUMS.items():
            if dimension in grouped:
                factors.append(len(set(getattr(criteria, name))) or size)
        return prod(factors)

    def _handling(self, grouped: set[Dimension], criteria: ComplaintCriteria) -> int:
        """PROVINCE, REGENCY, TIER and AGENCY together: the distinct handling units (or
        agencies) they can tell apart."""
        if not grouped or criteria.agency is not None:
            return 1
        units = self._units(criteria)
        if Dimension.AGENCY in grouped:
            return sum(
                self.national_agencies if tier is Tier.NATIONAL else self.agencies_per_region
                for _, _, tier in units
            )
        positions = [i for i, dimension in enumerate(_REGION_DIMENSIONS) if dimension in grouped]
        return len({tuple(unit[i] for i in positions) for unit in units})

    def _units(self, criteria: ComplaintCriteria) -> list[Unit]:
        """The handling units the filter leaves: national, provinces' own, regencies'."""
        if criteria.region is not None and criteria.region in self.regions:
            codes = [region.code for region in self.regions.subtree(criteria.region)]
        else:
            codes = [region.code for region in self.regions]
        units: list[Unit] = [] if criteria.region is not None else [(None, None, Tier.NATIONAL)]
        units += [_unit(code) for code in codes]
        return [unit for unit in units if criteria.tier is None or unit[2] == criteria.tier]

    def _period(self, grouped: set[Dimension], criteria: ComplaintCriteria) -> int:
        """YEAR and MONTH: the years, the months of a year, or the (year, month) pairs of the
        date range, which runs from the first year (or `submittedFrom`) to now (or
        `submittedTo`)."""
        if not grouped & {Dimension.YEAR, Dimension.MONTH}:
            return 1
        start = datetime(self.first_year, 1, 1)
        if criteria.submitted_from is not None:
            start = max(start, criteria.submitted_from)
        end = criteria.now
        if criteria.submitted_before is not None:
            end = min(end, criteria.submitted_before)
        if end <= start:
            return 0
        last = end - timedelta(microseconds=1)  # `end` is exclusive
        years = last.year - start.year + 1
        months = (last.year * 12 + last.month) - (start.year * 12 + start.month) + 1
        if Dimension.YEAR not in grouped:
            return min(months, 12)
        return months if Dimension.MONTH in grouped else years


def _unit(code: str) -> Unit:
    """A region's own handling unit: a province's (no regency) or a regency's."""
    if level_of(code) is RegionLevel.PROVINCE:
        return (code, None, Tier.PROVINCIAL)
    return (province_of(code), code, Tier.REGENCY)
