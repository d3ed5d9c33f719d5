"""The source contract's GraphQL types: flat records and the filter input (its two enums,
`SortOrder` and `Dimension`, and the `ChangeResult` of writes, are the domain's, registered in
`schema.enums`).

Object types mirror the frozen records of `gateway.sources.records` field for field (in
camelCase), so resolvers return the records themselves; a test checks the two never drift.
"""

from datetime import date, datetime

import strawberry

from schema.enums import ChangeResult  # registers it, `SortOrder` and `Dimension` too


@strawberry.input(description="A filter (never a scope: that is the token's). Naive UTC times.")
class Criteria:
    now: datetime = strawberry.field(description="The gateway's clock, for `overdue`.")
    region: str | None = None
    incident_region: str | None = None
    agency: str | None = None
    tier: str | None = None
    statuses: list[str] = strawberry.field(default_factory=list)
    types: list[str] = strawberry.field(default_factory=list)
    categories: list[str] = strawberry.field(default_factory=list)
    channels: list[str] = strawberry.field(default_factory=list)
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    overdue: bool | None = None
    text: str | None = None


@strawberry.input(description="A position in the global order (submittedAt, id).")
class Keyset:
    submitted_at: datetime
    id: str


@strawberry.type(description="A complaint; columns not asked for are null.")
class Complaint:
    id: str
    submitted_at: datetime
    tracking_id: str | None
    type: str | None
    status: str | None
    title: str | None
    body: str | None
    channel: str | None
    category_code: str | None
    agency_code: str | None
    tier: str | None
    region_code: str | None
    incident_region: str | None
    incident_date: date | None
    is_anonymous: bool | None
    is_confidential: bool | None
    with_investigation: bool | None
    closure_kind: str | None
    verified_at: datetime | None
    disposed_at: datetime | None
    in_progress_at: datetime | None
    responded_at: datetime | None
    finished_at: datetime | None
    verify_due_at: datetime | None
    completion_due_at: datetime | None


@strawberry.type
class Agency:
    code: str
    name: str
    tier: str
    kind: str
    region_code: str | None


@strawberry.type
class Category:
    code: str
    name: str


@strawberry.type
class StatusEvent:
    complaint_id: str
    from_status: str | None
    to_status: str
    at: datetime
    actor_agency: str | None
    note: str | None


@strawberry.type
class Disposition:
    complaint_id: str
    from_agency: str
    to_agency: str
    at: datetime
    reason: str | None


@strawberry.type
class FollowUp:
    complaint_id: str
    agency_code: str
    at: datetime
    body: str


@strawberry.type(description="Personal data: reporters of in-scope, non-anonymous complaints.")
class Reporter:
    complaint_id: str
    name: str
    nik: str | None
    phone: str | None
    email: str | None


@strawberry.type(
    description="Counts of one part of one group. Only the requested dimensions are set. "
    "`part` is which complaints of the group the row counts, as the token's `split` scope "
    "stands to them: OWN inside it, LISTABLE outside it but published (verified, not "
    "confidential), PROTECTED the rest. The `*Key` fields are the sums, modulo 2^20, of the "
    "secret record keys of the complaints each count counts (the gateway's cell key method); "
    "the gateway reads them only on PROTECTED rows, so on OWN and LISTABLE rows a source may "
    "send 0 (SQL sources do when the split bounds nothing, saving a third of the work)."
)
class StatsRow:
    province: str | None = None
    regency: str | None = None
    agency: str | None = None
    tier: str | None = None
    category: str | None = None
    type: str | None = None
    channel: str | None = None
    status: str | None = None
    year: int | None = None
    month: int | None = None
    count: int = 0
    verified: int = 0
    resolved: int = 0
    overdue: int = 0
    inside: bool = strawberry.field(
        default=False, deprecation_reason="Use `part`: OWN is inside the split scope."
    )
    part: str = "PROTECTED"
    count_key: int = 0
    verified_key: int = 0
    resolved_key: int = 0
    overdue_key: int = 0


@strawberry.type
class Contract:
    version: int
    source_id: str
    covers: list[str]


@strawberry.input(description="One column a change sets; timestamps as naive UTC ISO 8601.")
class ColumnValue:
    column: str = strawberry.field(description="A writable column, in camelCase.")
    value: str | None


@strawberry.input(
    description="One change to one complaint, applied whole or not at all: its columns set, "
    "its version moved on by one, a status event appended when the status changes."
)
class ChangeInput:
    complaint_id: str
    expected_version: int = strawberry.field(
        description="The version the change was decided on; any other refuses it."
    )
    at: datetime
    actor_agency: str | None
    note: str | None
    values: list[ColumnValue]


@strawberry.type(description="What became of a change.")
class ChangeOutcome:
    result: ChangeResult
    version: int | None = strawberry.field(
        description="After the change (APPLIED), or the current one (VERSION_CONFLICT)."
    )
    status: str | None
