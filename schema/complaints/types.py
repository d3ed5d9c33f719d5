"""Complaints and their journey: status history, dispositions across tiers, follow-ups.

Every field resolves without a coroutine: plain fields come from the record, and relations are
loaded in bulk for a whole page before the objects are built (`resolvers/assemble.py`).
A relation whose source failed holds that source's error, raised at the field's path.
"""

from datetime import date, datetime
from typing import TypeAlias, TypeVar

import strawberry
from strawberry.types import Info

from gateway.errors import GatewayError
from gateway.federation.context import GatewayContext
from gateway.federation.ids import NodeIdCodec
from gateway.sources.records import AgencyRecord, CategoryRecord, ComplaintRecord
from schema.enums import Channel, ComplaintStatus, ComplaintType, Tier
from schema.regions.types import Region, region_type

Ctx = Info[GatewayContext, None]
T = TypeVar("T")

Loaded: TypeAlias = T | GatewayError | None
"""A relation as assembled: its value, the error that withheld it (a failed source, an
unavailable audit log), or nothing. An error as a field's value is raised at the field's path
by graphql-core, so relations are plain attributes (`gateway/graph/plain.py`)."""


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type(description="A government agency (instansi) that handles complaints.")
class Agency:
    code: str
    name: str
    tier: Tier
    kind: str
    region: Region | None

    @classmethod
    def from_record(cls, record: AgencyRecord) -> "Agency":
        return cls(
            code=record.code,
            name=record.name,
            tier=Tier(record.tier),
            kind=record.kind,
            region=region_type(record.region_code) if record.region_code else None,
        )


@strawberry.type(description="A complaint category of the handling agency's list.")
class Category:
    code: str
    name: str

    @classmethod
    def from_record(cls, record: CategoryRecord) -> "Category":
        return cls(code=record.code, name=record.name)


@strawberry.type(
    description="Who reported a complaint: personal data, readable only by a provincial or "
    "regency OPERATOR of the handling agency (or the Ombudsman on an escalated complaint), "
    "never for anonymous reports; every read is written to the access log."
)
class Reporter:
    name: str
    nik: str | None = strawberry.field(description="National identity number (NIK).")
    phone: str | None
    email: str | None


@strawberry.type(description="One step of a complaint's append-only status history.")
class StatusEvent:
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus
    at: datetime
    note: str | None
    actor_agency: Loaded[Agency] = strawberry.field(default=None, graphql_type=Agency | None)


@strawberry.type(description="A routing hop (disposisi) between agencies, often across tiers.")
class Disposition:
    at: datetime
    reason: str | None
    from_agency: Loaded[Agency] = strawberry.field(default=None, graphql_type=Agency | None)
    to_agency: Loaded[Agency] = strawberry.field(default=None, graphql_type=Agency | None)


@strawberry.type(description="A follow-up (tindak lanjut) by the handling agency.")
class FollowUp:
    at: datetime
    body: str
    agency: Loaded[Agency] = strawberry.field(default=None, graphql_type=Agency | None)


@strawberry.type(
    description="A complaint (laporan) as its owning source holds it. A relation is null, "
    "with a SOURCE_* error at its path, when the source holding it failed."
)
class Complaint(Node):
    tracking_id: str | None
    type: ComplaintType | None
    status: ComplaintStatus
    title: str
    body: str | None
    channel: Channel
    incident_date: date | None
    submitted_at: datetime
    verified_at: datetime | None
    disposed_at: datetime | None
    in_progress_at: datetime | None
    responded_at: datetime | None
    finished_at: datetime | None
    verify_due_at: datetime | None
    completion_due_at: datetime | None
    region: Region | None = strawberry.field(
        description="The handling agency's region: what scope and the `region` filter use."
    )
    incident_region: Region | None
    is_anonymous: bool | None = strawberry.field(description="Unknown flags count as anonymous.")
    is_confidential: bool | None = strawberry.field(
        description="Unknown flags count as confidential."
    )
    reporter: Loaded[Reporter] = strawberry.field(default=None, graphql_type=Reporter | None)
    handling_agency: Loaded[Agency] = strawberry.field(default=None, graphql_type=Agency | None)
    category: Loaded[Category] = strawberry.field(default=None, graphql_type=Category | None)
    status_history: Loaded[list[StatusEvent]] = strawberry.field(
        default=None, graphql_type=list[StatusEvent] | None
    )
    dispositions: Loaded[list[Disposition]] = strawberry.field(
        default=None, graphql_type=list[Disposition] | None
    )
    follow_ups: Loaded[list[FollowUp]] = strawberry.field(
        default=None, graphql_type=list[FollowUp] | None
    )

    @classmethod
    def from_record(cls, record: ComplaintRecord, node_ids: NodeIdCodec) -> "Complaint":
        """Plain fields only; columns a query did not select stay unset and are never read.
        The caller masks what policy withholds (`resolvers/assemble.py`)."""
        return cls(
            id=strawberry.ID(node_ids.encode("Complaint", record.id)),
            tracking_id=record.tracking_id,
            type=ComplaintType(record.type) if record.type else None,
            status=ComplaintStatus(record.status) if record.status else None,  # type: ignore[arg-type]
            title=record.title,  # type: ignore[arg-type]
            body=record.body,
            channel=Channel(record.channel) if record.channel else None,  # type: ignore[arg-type]
            incident_date=record.incident_date,
            submitted_at=record.submitted_at,
            verified_at=record.verified_at,
            disposed_at=record.disposed_at,
            in_progress_at=record.in_progress_at,
            responded_at=record.responded_at,
            finished_at=record.finished_at,
            verify_due_at=record.verify_due_at,
            completion_due_at=record.completion_due_at,
            region=region_type(record.region_code) if record.region_code else None,
            incident_region=region_type(record.incident_region) if record.incident_region else None,
            is_anonymous=record.is_anonymous is not False,
            is_confidential=record.is_confidential is not False,
        )
