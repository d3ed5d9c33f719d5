"""The typed per-request context every resolver receives."""

from dataclasses import dataclass, field
from datetime import datetime

from gateway.audit import AccessLog
from gateway.policy import SUPPRESSION_THRESHOLD, RowScope
from gateway.principal import Principal
from resolvers.fanout import SourceFailure
from resolvers.federation import Federation
from resolvers.loaders import Loaders


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
    request_id: str = ""
    access_log: AccessLog | None = None
    suppression_k: int = SUPPRESSION_THRESHOLD
    problems: list[SourceProblem] = field(default_factory=list)
