"""GraphQL enums: the domain enums themselves, so values never need translating."""

import strawberry

from gateway.domain import (
    Channel,
    ComplaintStatus,
    ComplaintType,
    PrincipalTier,
    RegionKind,
    RegionLevel,
    Role,
    Tier,
)

for _enum in (
    Channel,
    ComplaintStatus,
    ComplaintType,
    PrincipalTier,
    RegionKind,
    RegionLevel,
    Role,
    Tier,
):
    strawberry.enum(_enum)  # registers the GraphQL definition on the class itself

__all__ = [
    "Channel",
    "ComplaintStatus",
    "ComplaintType",
    "PrincipalTier",
    "RegionKind",
    "RegionLevel",
    "Role",
    "Tier",
]
