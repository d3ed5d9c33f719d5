"""Aggregates: counts grouped in each source, summed at the gateway."""

import strawberry

from gateway.disclosure import Shown
from gateway.sources.base import Dimension
from schema.enums import Channel, ComplaintStatus, ComplaintType, Tier


@strawberry.type(description="The group a bucket counts; dimensions not grouped by are null.")
class StatsKey:
    province: str | None = None
    regency: str | None = None
    agency: str | None = None
    tier: Tier | None = None
    category: str | None = None
    type: ComplaintType | None = None
    channel: Channel | None = None
    status: ComplaintStatus | None = None
    year: int | None = None
    month: int | None = None


_KEY_CONVERTERS = {
    "tier": Tier,
    "type": ComplaintType,
    "channel": Channel,
    "status": ComplaintStatus,
    "year": int,
    "month": int,
}


def stats_key(dimensions: list[Dimension], values: tuple[object, ...]) -> StatsKey:
    fields: dict[str, object] = {}
    for dimension, value in zip(dimensions, values, strict=True):
        name = dimension.value.lower()
        convert = _KEY_CONVERTERS.get(name)
        fields[name] = convert(value) if convert and value is not None else value
    return StatsKey(**fields)  # type: ignore[arg-type]


@strawberry.type(
    description="The counts of one group. Where the result is not `exact`, complaints you may "
    "not list (others' unpublished or confidential ones) are counted through the cell key "
    "method: fewer than 5 count as 0, more carry a noise of at most 5, the same for the same "
    "question every time; each figure carries its own (docs/authorization.md)."
)
class StatsBucket:
    key: StatsKey
    count: int = strawberry.field(description="Complaints in the group.")
    verified: int = strawberry.field(description="Complaints that reached VERIFIED.")
    resolved: int = strawberry.field(
        description="COMPLETED + CLOSED_BY_REPORTER + CLOSED_BY_SYSTEM."
    )
    resolution_rate: float | None = strawberry.field(
        description="resolved / verified, a fraction in [0, 1] (capped at 1); null when nothing "
        "was verified."
    )
    overdue: int = strawberry.field(description="Past the completion deadline.")
    suppressed: bool = strawberry.field(
        default=False,
        deprecation_reason="Nothing is withheld any more: see `StatsResult.exact`.",
    )

    @classmethod
    def from_shown(cls, key: StatsKey, shown: Shown) -> "StatsBucket":
        return cls(
            key=key,
            count=shown.count,
            verified=shown.verified,
            resolved=shown.resolved,
            resolution_rate=shown.resolution_rate,
            overdue=shown.overdue,
        )


@strawberry.type
class StatsResult:
    buckets: list[StatsBucket] = strawberry.field(
        description="The non-empty groups, ordered by key; a group shown as empty is left out."
    )
    total: StatsBucket = strawberry.field(
        description="All complaints matching the filter, counted as one group (perturbed on its "
        "own, so it need not equal the sum of the buckets)."
    )
    exact: bool = strawberry.field(
        description="True when every complaint counted is one you may list (your own region's, "
        "or published ones); false when others' protected complaints are perturbed."
    )
    complete: bool
    missing_sources: list[str]
