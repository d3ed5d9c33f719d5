"""Regions: static reference data, answered from memory without any source call."""

from functools import cache

import strawberry

from gateway import regions as region_data
from schema.enums import RegionKind, RegionLevel


@strawberry.type(description="A Kemendagri province (`12`) or regency/city (`12.71`).")
class Region:
    code: str
    name: str
    level: RegionLevel
    kind: RegionKind
    parent_code: strawberry.Private[str | None]

    @strawberry.field
    def parent(self) -> "Region | None":
        return region_type(self.parent_code) if self.parent_code else None

    @strawberry.field
    def children(self) -> list["Region"]:
        children = region_data.load_regions().children(self.code)
        return [region for child in children if (region := region_type(child.code))]


@cache
def region_type(code: str) -> Region | None:
    """The Region object for a code; None for unknown codes and `NATIONAL`."""
    region = region_data.load_regions().get(code)
    if region is None:
        return None
    return Region(
        code=region.code,
        name=region.name,
        level=region.level,
        kind=region.kind,
        parent_code=region.parent,
    )
