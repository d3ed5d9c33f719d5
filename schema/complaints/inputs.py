"""Complaint filter and ordering arguments."""

from datetime import date

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.federation.context import GatewayContext
from gateway.federation.criteria import build_criteria
from gateway.policy import aggregate_scope
from gateway.sources.base import ComplaintCriteria
from schema.enums import Channel, ComplaintStatus, ComplaintType, Tier


@strawberry.input(description="Every condition narrows the result; all are optional.")
class ComplaintFilter:
    region: str | None = strawberry.field(
        default=None, description="Handling agency's region subtree, e.g. `12` or `12.71`."
    )
    incident_region: str | None = strawberry.field(
        default=None, description="Region subtree where the incident happened."
    )
    agency: str | None = strawberry.field(default=None, description="Handling agency code.")
    tier: Tier | None = None
    status: list[ComplaintStatus] | None = None
    type: list[ComplaintType] | None = None
    category: list[str] | None = None
    channel: list[Channel] | None = None
    submitted_from: date | None = strawberry.field(default=None, description="Inclusive.")
    submitted_to: date | None = strawberry.field(default=None, description="Inclusive.")
    overdue: bool | None = strawberry.field(
        default=None, description="Past the completion deadline (open, or finished late)."
    )
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive words in the title or body."
    )


def used_filters(given: ComplaintFilter | None) -> list[str]:
    """GraphQL names of the filter fields a caller set (each is an oracle on some field)."""
    if given is None:
        return []
    definition = given.__strawberry_definition__  # type: ignore[attr-defined]
    return [
        to_camel_case(field.python_name)
        for field in definition.fields
        if getattr(given, field.python_name) is not None
    ]


def criteria_for(
    context: GatewayContext, scope_filter: ComplaintFilter | None, *, aggregate: bool = False
) -> ComplaintCriteria:
    """The filter pushed down under the caller's row scope (or aggregate scope)."""
    scope = aggregate_scope(context.principal) if aggregate else context.scope
    given = scope_filter or ComplaintFilter()
    return build_criteria(
        scope,
        context.now,
        context.federation.regions,
        region=given.region,
        incident_region=given.incident_region,
        agency=given.agency,
        tier=given.tier,
        statuses=given.status,
        types=given.type,
        categories=given.category,
        channels=given.channel,
        submitted_from=given.submitted_from,
        submitted_to=given.submitted_to,
        overdue=given.overdue,
        text=given.text,
    )
