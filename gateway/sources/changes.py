"""Writes to a complaint, as a source makes them: one change, all of it or none of it.

A `ComplaintChange` sets some of a complaint's columns, guarded by the version its author
read: the owning source applies it in one transaction, moving the version on by one,
appending a status event when the status changes, and moving the complaint between its rollup
groups (`gateway.sources.rollup.record_change`), or, if the complaint's version is no longer
the expected one, changes nothing and says what it is now. Which changes a caller may make,
and what each sets, is decided above the source (`gateway.policy.can_write` and, with the
case-work mutations, the lifecycle); the source keeps the change whole and never silent.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

WRITABLE_COLUMNS = frozenset(
    {
        "status",
        "closure_kind",
        "verified_at",
        "disposed_at",
        "in_progress_at",
        "responded_at",
        "finished_at",
        "verify_due_at",
        "completion_due_at",
        # A disposition: the handling agency and its tier and region.
        "agency_code",
        "tier",
        "region_code",
        "province_code",
        "regency_code",
    }
)
"""Columns a change may set. Never the id, the reporter, the content, the submission time or
the record key: what the reporter said, and when, is not rewritten."""
TIMESTAMP_COLUMNS = frozenset(column for column in WRITABLE_COLUMNS if column.endswith("_at"))
"""Writable columns holding a (naive UTC) timestamp; the others hold text."""


@dataclass(frozen=True, slots=True)
class ComplaintChange:
    complaint_id: str
    expected_version: int
    """The version the change was decided on; any other current version refuses it."""
    at: datetime
    """When it happened (naive UTC, like every stored time): the status event's time."""
    actor_agency: str | None
    values: tuple[tuple[str, object], ...]
    """(column, new value) pairs, each column of `WRITABLE_COLUMNS` at most once."""
    note: str | None = None
    """The status event's note, when the status changes."""

    def __post_init__(self) -> None:
        columns = [column for column, _ in self.values]
        unknown = sorted(set(columns) - WRITABLE_COLUMNS)
        if unknown:
            raise ValueError(f"a change cannot set {', '.join(unknown)}")
        if len(set(columns)) != len(columns):
            raise ValueError("a change sets each column once")
        if self.expected_version < 1:
            raise ValueError("versions start at 1")

    @property
    def new_status(self) -> str | None:
        return next((str(value) for column, value in self.values if column == "status"), None)


class ChangeResult(Enum):
    APPLIED = "APPLIED"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    """The complaint changed since its author read it: nothing was written."""
    NOT_FOUND = "NOT_FOUND"
    """No such complaint in the caller's scope (out of scope answers exactly like missing)."""


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    result: ChangeResult
    version: int | None = None
    """The version after the change (APPLIED) or the current one (VERSION_CONFLICT)."""
    status: str | None = None
    """The status after the change, or the current one."""
