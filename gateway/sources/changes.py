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

from gateway.domain import ComplaintStatus, RegionLevel, Tier
from gateway.regions import level_of, province_of

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
NOT_NULL = frozenset({"status", "tier", "agency_code", "verify_due_at", "completion_due_at"})
"""Writable columns every complaint has."""
REGION_COLUMNS = ("region_code", "province_code", "regency_code")
"""Set together or not at all, and consistent: where the handling agency sits."""
MAX_TEXT = 64
"""The longest text a change may set (codes and kinds, not prose)."""
_CLOSED_SETS: dict[str, frozenset[str]] = {
    "status": frozenset(status.value for status in ComplaintStatus),
    "tier": frozenset(tier.value for tier in Tier),
}


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
        for column, value in self.values:
            _check_value(column, value)
        _check_regions(dict(self.values))

    @property
    def new_status(self) -> str | None:
        return next((str(value) for column, value in self.values if column == "status"), None)


def _check_value(column: str, value: object) -> None:
    """A value the column's schema can carry: what every reader of the complaint relies on."""
    if value is None:
        if column in NOT_NULL:
            raise ValueError(f"`{column}` cannot be null")
        return
    if column in TIMESTAMP_COLUMNS:
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise ValueError(f"`{column}` is a naive UTC timestamp")
        return
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT:
        raise ValueError(f"`{column}` is a text of 1 to {MAX_TEXT} characters")
    allowed = _CLOSED_SETS.get(column)
    if allowed is not None and value not in allowed:
        raise ValueError(f"`{column}` cannot be {value!r}")


def _check_regions(values: dict[str, object]) -> None:
    present = [column for column in REGION_COLUMNS if column in values]
    if not present:
        return
    if len(present) != len(REGION_COLUMNS):
        raise ValueError(f"{', '.join(REGION_COLUMNS)} are set together")
    region, province, regency = (values[column] for column in REGION_COLUMNS)
    if region is None:
        consistent = province is None and regency is None
    else:
        code = str(region)
        expected_regency = code if level_of(code) is RegionLevel.REGENCY else None
        consistent = province == province_of(code) and regency == expected_regency
    if not consistent:
        raise ValueError("province_code and regency_code must be those of region_code")


class ChangeResult(Enum):
    APPLIED = "APPLIED"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    """The complaint changed since its author read it: nothing was written."""
    NOT_FOUND = "NOT_FOUND"
    """No such complaint in the caller's scope (out of scope answers exactly like missing)."""
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    """The change would move the complaint out of the caller's scope: nothing was written (a
    transfer to another source is not a change of one row)."""


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    result: ChangeResult
    version: int | None = None
    """The version after the change (APPLIED) or the current one (VERSION_CONFLICT)."""
    status: str | None = None
    """The status after the change, or the current one."""
