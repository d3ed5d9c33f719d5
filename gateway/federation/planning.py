"""Planning: caller scope ∩ filter → the sources that can hold matching complaints.

Sources outside the result are never contacted.
"""

from gateway.domain import RegionLevel, Tier
from gateway.regions import NATIONAL, RegionIndex, is_inside, level_of
from gateway.registry import Registry
from gateway.sources.base import ComplaintCriteria


def overlap(first: str | None, second: str | None) -> bool:
    """Whether two region bounds share any region (None = unbounded)."""
    if first is None or second is None:
        return True
    return is_inside(first, second) or is_inside(second, first)


def narrower(first: str | None, second: str | None) -> str | None:
    """The tighter of two overlapping region bounds."""
    if first is None:
        return second
    if second is None or is_inside(first, second):
        return first
    return second


def candidate_regions(
    criteria: ComplaintCriteria, regions: RegionIndex, agency_region: str | None = None
) -> list[str]:
    """Handling regions (and `NATIONAL`) that matching complaints can have.

    An agency sits in exactly one region, so an agency filter narrows to that region alone.
    """
    if not overlap(criteria.scope.region, criteria.region):
        return []
    bound = narrower(criteria.scope.region, criteria.region)
    if bound is not None and bound not in regions:
        return []
    codes = (
        [NATIONAL, *(region.code for region in regions)]
        if bound is None
        else [region.code for region in regions.subtree(bound)]
    )
    if agency_region is not None:
        codes = [code for code in codes if code == agency_region]
    return [code for code in codes if _matches_tier(code, criteria.tier)]


def plan_sources(
    criteria: ComplaintCriteria,
    registry: Registry,
    regions: RegionIndex,
    agency_region: str | None = None,
) -> tuple[str, ...]:
    """Ids of the sources owning a candidate region, in registry order."""
    owners = registry.owners(candidate_regions(criteria, regions, agency_region))
    return tuple(source.id for source in registry.sources if source.id in owners)


def _matches_tier(code: str, tier: Tier | None) -> bool:
    if tier is None:
        return True
    if code == NATIONAL:
        return tier is Tier.NATIONAL
    level = level_of(code)
    return (tier is Tier.PROVINCIAL and level is RegionLevel.PROVINCE) or (
        tier is Tier.REGENCY and level is RegionLevel.REGENCY
    )
