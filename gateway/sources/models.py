"""Storage tables of one source database (SQLite or PostgreSQL, same code).

Each source owns the complaints of its jurisdictions. Handling region columns are
denormalised onto the complaint (`province_code`, `regency_code`, `tier`) so that row scope
and GROUP BY never need a join, and `submitted_year`/`submitted_month` keep stats portable
across SQL dialects. Timestamps are naive UTC (`timestamp without time zone`), the same on
both dialects. `record_key` is the complaint's secret random key for disclosure control of
aggregates (`gateway/disclosure`): never selected for a page, only summed. Reporters live in
their own table: personal data is joined only when policy allows it.
"""

import secrets
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from gateway.sources.records import RECORD_KEY_RANGE


def new_record_key() -> int:
    """A complaint's fixed random key for the cell key method, drawn once when it is stored."""
    return secrets.randbelow(RECORD_KEY_RANGE)


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    code: str = Field(primary_key=True)
    name: str
    tier: str
    kind: str
    region_code: str | None = None
    parent_code: str | None = None


class CategoryRow(SQLModel, table=True):
    __tablename__ = "category"

    code: str = Field(primary_key=True)
    name: str


class ReporterRow(SQLModel, table=True):
    __tablename__ = "reporter"

    id: int = Field(primary_key=True)
    name: str
    nik: str | None = None
    phone: str | None = None
    email: str | None = None


class ComplaintRow(SQLModel, table=True):
    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_order", "submitted_at", "id"),
        Index("ix_complaint_regency_order", "regency_code", "submitted_at", "id"),
        Index("ix_complaint_province_order", "province_code", "submitted_at", "id"),
        Index("ix_complaint_agency_order", "agency_code", "submitted_at", "id"),
        Index("ix_complaint_period", "submitted_year", "submitted_month"),
        # Open complaints by deadline: those due this month are counted from here.
        Index("ix_complaint_open", "finished_at", "completion_due_at"),
    )

    id: str = Field(primary_key=True)
    tracking_id: str = Field(unique=True)
    type: str
    with_investigation: bool | None = None
    category_code: str
    channel: str
    title: str
    body: str
    incident_date: date
    incident_region: str
    agency_code: str
    tier: str
    region_code: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    is_anonymous: bool | None = None
    is_confidential: bool | None = None
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id")
    status: str = Field(index=True)
    closure_kind: str | None = None
    submitted_at: NaiveDatetime
    verified_at: NaiveDatetime | None = None
    disposed_at: NaiveDatetime | None = None
    in_progress_at: NaiveDatetime | None = None
    responded_at: NaiveDatetime | None = None
    finished_at: NaiveDatetime | None = None
    verify_due_at: NaiveDatetime
    completion_due_at: NaiveDatetime
    submitted_year: int
    submitted_month: int
    version: int = 1
    record_key: int = Field(
        default_factory=new_record_key, sa_column_kwargs={"default": new_record_key}
    )


class RollupFields(SQLModel):
    """What both rollups of a source's complaints hold per group (`gateway.sources.rollup`):
    the group's handling region, tier, status and publication, and its counts with the sums of
    their record keys. `late` counts finished complaints completed after their deadline. An
    open complaint becomes overdue with time, so open ones are grouped by the month of their
    deadline (`due_month`, YYYYMM, null for finished ones): those due before the current month
    are overdue, those of the current month are looked up in the complaint table."""

    submitted_year: int
    submitted_month: int
    province_code: str | None = None
    regency_code: str | None = None
    tier: str
    status: str
    verified: bool
    published: bool
    due_month: int | None = None
    complaints: int
    record_keys: int = Field(sa_type=BigInteger)  # a sum of keys under 2^20: past 2^31 soon
    late: int
    late_keys: int = Field(sa_type=BigInteger)


class DayRollupRow(RollupFields, table=True):
    """Complaints per day and every groupable column: any stats filter but text, incident
    region and `overdue`, with day-aligned dates."""

    __tablename__ = "complaint_rollup_day"

    id: int | None = Field(default=None, primary_key=True)
    submitted_on: date
    agency_code: str
    category_code: str
    type: str
    channel: str


_REGION_ORDER = ("province_code", "regency_code", "submitted_year", "submitted_month")
_PERIOD_ORDER = ("province_code", "submitted_year", "submitted_month", "regency_code")
_ROLLUP_REST = (
    "tier", "status", "verified", "published", "due_month",
    "complaints", "record_keys", "late", "late_keys",
)  # fmt: skip


class MonthRollupRow(RollupFields, table=True):
    """Complaints per month, region, tier and status: far fewer rows, for the questions
    dashboards ask most (by region, tier, status and period)."""

    __tablename__ = "complaint_rollup_month"
    __table_args__ = (
        # Every column, twice ordered: a question by province, regency or period (or filtered
        # to a region) reads one index alone, already in group order, with no sort: in SQLite
        # half the CPU of scanning and sorting the table for a national question by province
        # and year.
        Index("ix_complaint_rollup_month_region", *_REGION_ORDER, *_ROLLUP_REST),
        Index("ix_complaint_rollup_month_period", *_PERIOD_ORDER, *_ROLLUP_REST),
    )

    id: int | None = Field(default=None, primary_key=True)


class StatusEventRow(SQLModel, table=True):
    __tablename__ = "status_event"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(foreign_key="complaint.id", index=True)
    from_status: str | None = None
    to_status: str
    at: NaiveDatetime
    actor_agency: str | None = None
    note: str | None = None


class DispositionRow(SQLModel, table=True):
    __tablename__ = "disposition"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(foreign_key="complaint.id", index=True)
    from_agency: str
    to_agency: str
    at: NaiveDatetime
    reason: str | None = None


class FollowUpRow(SQLModel, table=True):
    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(foreign_key="complaint.id", index=True)
    agency_code: str
    at: NaiveDatetime
    body: str
