"""Region root fields, answered from the bundled Kemendagri list."""

import strawberry

from gateway import regions as region_data
from schema.enums import RegionLevel
from schema.regions.types import Region, region_type


def resolve_region(code: str) -> Region | None:
    return region_type(code)


def resolve_regions(level: RegionLevel | None = None, parent: str | None = None) -> list[Region]:
    index = region_data.load_regions()
    candidates = index.children(parent) if parent is not None else list(index)
    return [
        region
        for candidate in candidates
        if (level is None or candidate.level is level) and (region := region_type(candidate.code))
    ]


@strawberry.type
class RegionQueries:
    region: Region | None = strawberry.field(resolver=resolve_region)
    regions: list[Region] = strawberry.field(
        resolver=resolve_regions,
        description="Regions by level, or the children of `parent` (a province code).",
    )
