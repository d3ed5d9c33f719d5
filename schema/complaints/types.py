"""Complaints and their journey: status history, dispositions across tiers, follow-ups.

Plain fields are set when the object is built from its record, so they resolve without a
coroutine; relations resolve through the per-request loaders.
"""

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gateway.sources.records import (
    AgencyRecord,
    CategoryRecord,
    ComplaintRecord,
    DispositionRecord,
    FollowUpRecord,
    StatusEventRecord,
)
from resolvers.context import GatewayContext
from resolvers.ids import encode_node_id
from schema.enums import Channel, ComplaintStatus, ComplaintType, Tier
from schema.regions.types import Region, region_type

Ctx = Info[GatewayContext, None]


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


async def _agency(info: Ctx, code: str | None) -> Agency | None:
    if code is None:
        return None
    record = await info.context.loaders.agency_by_code.load(code)
    return Agency.from_record(record) if record else None


@strawberry.type(description="One step of a complaint's append-only status history.")
class StatusEvent:
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus
    at: datetime
    note: str | None
    actor_agency_code: strawberry.Private[str | None]

    @strawberry.field
    async def actor_agency(self, info: Ctx) -> Agency | None:
        return await _agency(info, self.actor_agency_code)

    @classmethod
    def from_record(cls, record: StatusEventRecord) -> "StatusEvent":
        return cls(
            from_status=ComplaintStatus(record.from_status) if record.from_status else None,
            to_status=ComplaintStatus(record.to_status),
            at=record.at,
            note=record.note,
            actor_agency_code=record.actor_agency,
        )


@strawberry.type(description="A routing hop (disposisi) between agencies, often across tiers.")
class Disposition:
    at: datetime
    reason: str | None
    from_agency_code: strawberry.Private[str]
    to_agency_code: strawberry.Private[str]

    @strawberry.field
    async def from_agency(self, info: Ctx) -> Agency | None:
        return await _agency(info, self.from_agency_code)

    @strawberry.field
    async def to_agency(self, info: Ctx) -> Agency | None:
        return await _agency(info, self.to_agency_code)

    @classmethod
    def from_record(cls, record: DispositionRecord) -> "Disposition":
        return cls(
            at=record.at,
            reason=record.reason,
            from_agency_code=record.from_agency,
            to_agency_code=record.to_agency,
        )


@strawberry.type(description="A follow-up (tindak lanjut) by the handling agency.")
class FollowUp:
    at: datetime
    body: str
    agency_code: strawberry.Private[str]

    @strawberry.field
    async def agency(self, info: Ctx) -> Agency | None:
        return await _agency(info, self.agency_code)

    @classmethod
    def from_record(cls, record: FollowUpRecord) -> "FollowUp":
        return cls(at=record.at, body=record.body, agency_code=record.agency_code)


@strawberry.type(
    description="A complaint (laporan) as its owning source holds it. A relation is null, "
    "with a SOURCE_* error at its path, when the source holding it failed."
)
class Complaint(Node):
    tracking_id: str
    type: ComplaintType
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
    is_anonymous: bool = strawberry.field(description="Unknown flags count as anonymous.")
    is_confidential: bool = strawberry.field(description="Unknown flags count as confidential.")
    local_id: strawberry.Private[str]
    source_id: strawberry.Private[str]
    agency_code: strawberry.Private[str | None]
    category_code: strawberry.Private[str | None]

    @strawberry.field
    async def handling_agency(self, info: Ctx) -> Agency | None:
        return await _agency(info, self.agency_code)

    @strawberry.field
    async def category(self, info: Ctx) -> Category | None:
        if self.category_code is None:
            return None
        key = (self.source_id, self.category_code)
        record = await info.context.loaders.category_by_code.load(key)
        return Category.from_record(record) if record else None

    @strawberry.field
    async def status_history(self, info: Ctx) -> list[StatusEvent] | None:
        key = (self.source_id, self.local_id)
        records = await info.context.loaders.status_events_by_complaint.load(key)
        return [StatusEvent.from_record(record) for record in records]

    @strawberry.field
    async def dispositions(self, info: Ctx) -> list[Disposition] | None:
        key = (self.source_id, self.local_id)
        records = await info.context.loaders.dispositions_by_complaint.load(key)
        return [Disposition.from_record(record) for record in records]

    @strawberry.field
    async def follow_ups(self, info: Ctx) -> list[FollowUp] | None:
        key = (self.source_id, self.local_id)
        records = await info.context.loaders.follow_ups_by_complaint.load(key)
        return [FollowUp.from_record(record) for record in records]

    @classmethod
    def from_record(cls, source_id: str, record: ComplaintRecord) -> "Complaint":
        return cls(
            id=strawberry.ID(encode_node_id("Complaint", record.id)),
            tracking_id=record.tracking_id,  # type: ignore[arg-type]
            type=ComplaintType(record.type) if record.type else None,  # type: ignore[arg-type]
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
            local_id=record.id,
            source_id=source_id,
            agency_code=record.agency_code,
            category_code=record.category_code,
        )
