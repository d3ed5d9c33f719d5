"""`reporterAccessLog`: the append-only record of reporter identity reads, for national ADMINs."""

from datetime import datetime

import strawberry

from gateway.errors import AuthorizationError, BadUserInputError
from gateway.policy import can_read_access_log
from schema.complaints.types import Ctx

MAX_ENTRIES = 100


@strawberry.type(description="One read of a reporter's identity.")
class ReporterAccess:
    id: strawberry.ID
    at: datetime
    request_id: str
    subject: str | None = strawberry.field(description="The reader's token subject (`sub`).")
    tier: str
    region: str | None
    agency: str | None
    role: str | None
    complaint_id: strawberry.ID = strawberry.field(description="The complaint's global id.")
    source_id: str


async def resolve_reporter_access_log(
    info: Ctx,
    first: int = 50,
    before: strawberry.ID | None = None,
    complaint_id: strawberry.ID | None = None,
    subject: str | None = None,
) -> list[ReporterAccess]:
    context = info.context
    if not can_read_access_log(context.principal):
        raise AuthorizationError("only a national ADMIN may read the reporter access log")
    if not 1 <= first <= MAX_ENTRIES:
        raise BadUserInputError(f"`first` must be between 1 and {MAX_ENTRIES}", argument="first")
    if context.access_log is None:
        return []
    try:
        before_id = int(before) if before is not None else None
    except ValueError:
        raise BadUserInputError("`before` is not an entry id", argument="before") from None
    entries = await context.access_log.read(
        limit=first, before_id=before_id, complaint_id=complaint_id, subject=subject
    )
    return [
        ReporterAccess(
            id=strawberry.ID(str(entry.id)),
            at=entry.at,
            request_id=entry.request_id,
            subject=entry.subject,
            tier=entry.tier,
            region=entry.region,
            agency=entry.agency,
            role=entry.role,
            complaint_id=strawberry.ID(entry.complaint_id),
            source_id=entry.source_id,
        )
        for entry in entries
    ]


@strawberry.type
class AuditQueries:
    reporter_access_log: list[ReporterAccess] = strawberry.field(
        resolver=resolve_reporter_access_log,
        description="Newest first; page with `before: <last id>`. National ADMIN only.",
    )
