"""Frozen records: what a source returns, whatever its kind.

Rows and remote JSON become records where they enter the gateway; nothing inside passes dicts.
Complaint fields a query did not ask for are left at their defaults (`None`): the planner
selects only the columns a query needs.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import NamedTuple

RECORD_KEY_RANGE = 1 << 20
"""Record keys are uniform in [0, RECORD_KEY_RANGE); sums of them are taken modulo it."""


class ComplaintRecord(NamedTuple):
    """A named tuple rather than a frozen dataclass, immutable all the same: a provincial page
    builds thousands (0.8 µs each on the bench machine; a frozen dataclass of 25 fields,
    whose constructor sets each through `object.__setattr__`, 6.9 µs)."""

    id: str
    submitted_at: datetime
    tracking_id: str | None = None
    type: str | None = None
    status: str | None = None
    title: str | None = None
    body: str | None = None
    channel: str | None = None
    category_code: str | None = None
    agency_code: str | None = None
    tier: str | None = None
    region_code: str | None = None
    incident_region: str | None = None
    incident_date: date | None = None
    is_anonymous: bool | None = None
    is_confidential: bool | None = None
    with_investigation: bool | None = None
    closure_kind: str | None = None
    verified_at: datetime | None = None
    disposed_at: datetime | None = None
    in_progress_at: datetime | None = None
    responded_at: datetime | None = None
    finished_at: datetime | None = None
    verify_due_at: datetime | None = None
    completion_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    code: str
    name: str
    tier: str
    kind: str
    region_code: str | None


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StatusEventRecord:
    complaint_id: str
    from_status: str | None
    to_status: str
    at: datetime
    actor_agency: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class DispositionRecord:
    complaint_id: str
    from_agency: str
    to_agency: str
    at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class ReporterRecord:
    """Personal data (UU PDP 27/2022): fetched only when policy allows, never logged."""

    complaint_id: str
    name: str
    nik: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    complaint_id: str
    agency_code: str
    at: datetime
    body: str


class StatsPart(Enum):
    """Which complaints of a group a stats row counts, as the caller stands to them."""

    OWN = "OWN"
    """Inside the caller's own row scope: it may list them, so their counts are exact."""
    LISTABLE = "LISTABLE"
    """Outside it, but published (verified, not confidential): anyone may list them."""
    PROTECTED = "PROTECTED"
    """Outside it and unpublished or confidential: shown only through the cell key method."""


@dataclass(frozen=True, slots=True)
class StatsRow:
    """Counts of one part of one group in one source; `key` aligns with the requested
    dimensions.

    The `*_key` fields are sums, modulo `RECORD_KEY_RANGE`, of the record keys of the
    complaints each count counts: the cell key method turns them into the perturbation of a
    protected count. They never leave the gateway."""

    key: tuple[str | int | None, ...]
    count: int
    verified: int
    resolved: int
    overdue: int
    part: StatsPart = StatsPart.OWN
    count_key: int = 0
    verified_key: int = 0
    resolved_key: int = 0
    overdue_key: int = 0


COMPLAINT_FIELDS: frozenset[str] = frozenset(ComplaintRecord._fields)
"""Every complaint column a source can return."""
