"""GraphQL enums: the domain enums themselves, so values never need translating, each
registered once, here, for the public schema and the source contract alike. The public schema
names the contract's `SortOrder` and `Dimension` `ComplaintOrder` and `StatsDimension`
(`PUBLIC_ENUM_NAMES`, applied by its name converter)."""

import strawberry
from strawberry.schema.name_converter import NameConverter
from strawberry.types.enum import StrawberryEnumDefinition

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
from gateway.sources.base import Dimension, SortOrder
from gateway.sources.changes import ChangeResult

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
strawberry.enum(SortOrder, description="Complaint orderings; ties break on the complaint id.")
strawberry.enum(Dimension, description="What stats group by.")
strawberry.enum(ChangeResult, description="What became of a change to a complaint.")

PUBLIC_ENUM_NAMES = {"SortOrder": "ComplaintOrder", "Dimension": "StatsDimension"}


class PublicNames(NameConverter):
    """The public schema's names for enums the source contract names otherwise."""

    def from_enum(self, enum: StrawberryEnumDefinition) -> str:
        name = super().from_enum(enum)
        return PUBLIC_ENUM_NAMES.get(name, name)


__all__ = [
    "PUBLIC_ENUM_NAMES",
    "ChangeResult",
    "Channel",
    "ComplaintStatus",
    "ComplaintType",
    "Dimension",
    "PrincipalTier",
    "PublicNames",
    "RegionKind",
    "RegionLevel",
    "Role",
    "SortOrder",
    "Tier",
]
