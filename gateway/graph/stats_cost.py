"""The static cost of `complaintStats`: its buckets, estimated from the literal arguments.

The cost analysis (`gateway.admission.complexity`) sizes `StatsResult.buckets` with the bucket
estimate of the field above it (`gateway.stats_size`), clamped at the cap (beyond it the
resolver refuses before any source is called). A filter given by a variable, or a filter field
given by one, narrows nothing: the estimate is then the unfiltered one. A grouping given by a
variable cannot be estimated before execution; it is priced at `UNKNOWN_GROUPING_BUCKETS`, and
the cap, checked once the variables are known, bounds it.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLSchema, Undefined, value_from_ast

from gateway.errors import BadUserInputError
from gateway.federation.criteria import build_criteria
from gateway.policy import EVERYTHING
from gateway.sources.base import ComplaintCriteria, Dimension
from gateway.stats_size import BucketEstimator

UNKNOWN_GROUPING_BUCKETS = 100
"""Buckets assumed for a `groupBy` given by a variable (what every grouping was priced at
before the estimate): the execution-time cap, not this figure, bounds such a grouping."""

BucketSizer = Callable[[FieldNode], int]


def stats_buckets(schema: GraphQLSchema, estimator: BucketEstimator) -> BucketSizer:
    """The size of `StatsResult.buckets` under one `complaintStats` field node."""
    query = schema.query_type
    field = query.fields.get("complaintStats") if query is not None else None

    def size(node: FieldNode) -> int:
        if field is None:
            return UNKNOWN_GROUPING_BUCKETS
        arguments = _literal_arguments(field, node)
        group_by = arguments.get("groupBy")
        if not isinstance(group_by, list):
            return UNKNOWN_GROUPING_BUCKETS
        dimensions = [Dimension(member.value) for member in group_by]
        estimate = estimator.estimate(dimensions, _criteria(arguments.get("filter"), estimator))
        return min(estimate, estimator.cap)

    return size


def _literal_arguments(field: GraphQLField, node: FieldNode) -> dict[str, Any]:
    """The arguments written literally (coerced as execution would); variables are unknown."""
    values: dict[str, Any] = {}
    for argument in node.arguments or ():
        definition = field.args.get(argument.name.value)
        if definition is not None:
            value = value_from_ast(argument.value, definition.type, None)
            if value is not Undefined:
                values[argument.name.value] = value
    return values


def _criteria(given: object, estimator: BucketEstimator) -> ComplaintCriteria:
    """The narrowing part of a literal filter; a filter the resolver would refuse narrows
    nothing here (it never runs)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    fields = given if isinstance(given, dict) else {}
    try:
        return build_criteria(
            EVERYTHING,
            now,
            estimator.regions,
            region=fields.get("region"),
            agency=fields.get("agency"),
            tier=fields.get("tier"),
            statuses=fields.get("status"),
            types=fields.get("type"),
            categories=fields.get("category"),
            channels=fields.get("channel"),
            submitted_from=fields.get("submittedFrom"),
            submitted_to=fields.get("submittedTo"),
        )
    except BadUserInputError:
        return ComplaintCriteria(scope=EVERYTHING, now=now)
