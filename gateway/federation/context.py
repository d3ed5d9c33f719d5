"""The typed per-request context every resolver receives."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.audit import AccessLog
from gateway.disclosure.budget import QueryBudget
from gateway.federation.explain import PlanStep
from gateway.federation.fanout import SourceFailure
from gateway.federation.ids import NodeIdCodec
from gateway.federation.loaders import Loaders
from gateway.federation.reads import Federation
from gateway.policy import RowScope
from gateway.principal import Principal
from gateway.stats_size import BucketEstimator


@dataclass(frozen=True)
class SourceProblem:
    """A source failure at a response path, reported as a GraphQL error beside the data."""

    failure: SourceFailure
    path: tuple[str | int, ...]


@dataclass(frozen=True)
class GatewayContext:
    principal: Principal
    scope: RowScope
    federation: Federation
    loaders: Loaders
    now: datetime
    max_page_size: int
    node_ids: NodeIdCodec
    buckets: BucketEstimator
    """The `complaintStats` bucket estimate and its cap."""
    request_id: str = ""
    access_log: AccessLog | None = None
    query_budget: QueryBudget | None = None
    problems: list[SourceProblem] = field(default_factory=list)
    buckets_asked: list[int] = field(default_factory=list)
    """The bucket estimates of this request's `complaintStats` fields so far."""
    plan: list[PlanStep] = field(default_factory=list)
    """What each root field planned (`gateway/federation/explain.py`)."""
    plans: dict[Hashable, Any] = field(default_factory=dict)
    """The plans kept with the request's document (`resolvers/plans.py`); a fresh dict when
    the document comes from nowhere the edge prepared."""
