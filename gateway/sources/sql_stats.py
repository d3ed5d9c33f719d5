"""The SQL of a stats question: over the raw complaint rows, or over a rollup.

Every statement answers in one layout, one row per group and part (`StatsPart`): the group's
dimension values, the part, the count, verified, resolved and overdue counts, then the
record-key sums of each (zeros when every complaint counted is the caller's own: only the
protected part's keys are ever used). A question goes to the smallest rollup that answers it exactly
(`grain_for`), else to the raw rows: a `text`, `incidentRegion` or `overdue` filter, or a date
bound not at midnight (not at the first of a month, for the monthly rollup), needs the rows.
Over a rollup, `overdue` adds the finished complaints completed late to the open ones due
before the current month; a second statement counts from the complaint table the open ones
due in the current month before now (`overdue` only), which the gateway adds like any row.

Statements are built once per question and shared by every source of a fan-out: building one
(and its cache key) costs more than the rest of a source call.
"""

import functools
from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)

from gateway.domain import RESOLVED_STATUSES, RegionLevel
from gateway.policy import RowScope
from gateway.regions import level_of
from gateway.sources.base import ComplaintCriteria, Dimension
from gateway.sources.records import RECORD_KEY_RANGE, StatsPart, StatsRow
from gateway.sources.rollup import Grain
from gateway.sources.sql_filters import (
    complaint,
    criteria_predicate,
    overdue_predicate,
    scope_predicate,
)

DIMENSION_COLUMNS: dict[Dimension, str] = {
    Dimension.PROVINCE: "province_code",
    Dimension.REGENCY: "regency_code",
    Dimension.AGENCY: "agency_code",
    Dimension.TIER: "tier",
    Dimension.CATEGORY: "category_code",
    Dimension.TYPE: "type",
    Dimension.CHANNEL: "channel",
    Dimension.STATUS: "status",
    Dimension.YEAR: "submitted_year",
    Dimension.MONTH: "submitted_month",
}
"""Each dimension's column: the same name in the complaint table and in both rollups."""

_MONTH_DIMENSIONS = frozenset(
    {
        Dimension.PROVINCE,
        Dimension.REGENCY,
        Dimension.TIER,
        Dimension.STATUS,
        Dimension.YEAR,
        Dimension.MONTH,
    }
)
_PARTS = {part.value: part for part in StatsPart}


def grain_for(criteria: ComplaintCriteria, dimensions: Sequence[Dimension]) -> Grain | None:
    """The smallest rollup that answers exactly, or None when only the raw rows can."""
    if criteria.text or criteria.incident_region is not None or criteria.overdue is not None:
        return None
    bounds = [b for b in (criteria.submitted_from, criteria.submitted_before) if b is not None]
    if any(bound.time() != time() for bound in bounds):
        return None
    by_month = (
        set(dimensions) <= _MONTH_DIMENSIONS
        and criteria.agency is None
        and not (criteria.types or criteria.categories or criteria.channels)
        and all(bound.day == 1 for bound in bounds)
    )
    return Grain.MONTH if by_month else Grain.DAY


@functools.lru_cache(maxsize=256)
def stats_statements(
    criteria: ComplaintCriteria,
    dimensions: tuple[Dimension, ...],
    split: RowScope | None,
    grain: Grain | None,
) -> tuple[Any, ...]:
    """The statements whose rows, together, answer the question."""
    if grain is None:
        return (_raw_statement(criteria, dimensions, split),)
    return (
        _rollup_statement(grain, criteria, dimensions, split),
        _due_this_month_statement(criteria, dimensions, split),
    )


def stats_row(row: Any, width: int) -> StatsRow:
    """One answer row of any statement here. Called for every group of every source on the
    event loop: kept to plain indexing."""
    keys = RECORD_KEY_RANGE
    return StatsRow(
        tuple(row[:width]),
        row[width + 1] or 0,
        row[width + 2] or 0,
        row[width + 3] or 0,
        row[width + 4] or 0,
        _PARTS[row[width]],
        (row[width + 5] or 0) % keys,
        (row[width + 6] or 0) % keys,
        (row[width + 7] or 0) % keys,
        (row[width + 8] or 0) % keys,
    )


def _raw_statement(
    criteria: ComplaintCriteria, dimensions: Sequence[Dimension], split: RowScope | None
) -> Any:
    measures = [complaint.verified_at.is_not(None), RESOLVED, overdue_predicate(criteria.now)]
    return _grouped(
        complaint,
        dimensions,
        _raw_part(split),
        split,
        [
            func.count(),
            *(_sum_where(measure, 1) for measure in measures),
            *_key_sums(
                split,
                func.sum(complaint.record_key),
                *(_sum_where(measure, complaint.record_key) for measure in measures),
            ),
        ],
        criteria_predicate(criteria),
    )


def _rollup_statement(
    grain: Grain,
    criteria: ComplaintCriteria,
    dimensions: Sequence[Dimension],
    split: RowScope | None,
) -> Any:
    table = grain.table
    c = table.c
    verified, resolved = c.verified.is_(True), _resolved(c.status)
    overdue_now = c.due_month < criteria.now.year * 100 + criteria.now.month
    return _grouped(
        c,
        dimensions,
        _part(split, lambda scope: _rollup_scope(table, scope), c.published.is_(True)),
        split,
        [
            func.sum(c.complaints),
            _sum_where(verified, c.complaints),
            _sum_where(resolved, c.complaints),
            func.sum(c.late) + _sum_where(overdue_now, c.complaints),
            *_key_sums(
                split,
                func.sum(c.record_keys),
                _sum_where(verified, c.record_keys),
                _sum_where(resolved, c.record_keys),
                func.sum(c.late_keys) + _sum_where(overdue_now, c.record_keys),
            ),
        ],
        _rollup_predicate(grain, criteria),
    )


def _due_this_month_statement(
    criteria: ComplaintCriteria, dimensions: Sequence[Dimension], split: RowScope | None
) -> Any:
    """Open complaints due earlier this month than now: a range of the deadline index."""
    zero: Any = literal_column("0")
    month_start = criteria.now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return _grouped(
        complaint,
        dimensions,
        _raw_part(split),
        split,
        [
            *(zero, zero, zero, func.count()),
            *_key_sums(split, zero, zero, zero, func.sum(complaint.record_key)),
        ],
        and_(
            criteria_predicate(criteria),
            complaint.finished_at.is_(None),
            complaint.completion_due_at >= month_start,
            complaint.completion_due_at < criteria.now,
        ),
    )


def _grouped(
    columns: Any,
    dimensions: Sequence[Dimension],
    part: Any,
    split: RowScope | None,
    measures: list[Any],
    where: ColumnElement[bool],
) -> Any:
    keys = [columns[DIMENSION_COLUMNS[dimension]] for dimension in dimensions]
    groups = keys if split is not None and split.unbounded else [*keys, part]
    return select(*keys, part, *measures).where(where).group_by(*groups)


def _key_sums(split: RowScope | None, *sums: Any) -> list[Any]:
    """The record-key sums, which only the protected part of a group needs: zeros where every
    complaint is the caller's own (over a rollup, a third of the statement's work)."""
    if split is not None and split.unbounded:
        return [literal_column("0")] * len(sums)
    return list(sums)


def _sum_where(predicate: ColumnElement[bool], value: Any) -> Any:
    return func.sum(case((predicate, value), else_=0))


def _raw_part(split: RowScope | None) -> Any:
    published = and_(complaint.verified_at.is_not(None), complaint.is_confidential.is_(False))
    return _part(split, scope_predicate, published)


def _part(
    split: RowScope | None,
    inside: Callable[[RowScope], ColumnElement[bool]],
    published: ColumnElement[bool],
) -> Any:
    """Which part of a group a complaint falls in, as the caller stands to it."""
    if split is not None and split.unbounded:
        return literal_column(f"'{StatsPart.OWN.value}'").label("part")
    whens: list[tuple[ColumnElement[bool], str]] = [(published, StatsPart.LISTABLE.value)]
    if split is not None:
        whens.insert(0, (inside(split), StatsPart.OWN.value))
    return case(*whens, else_=StatsPart.PROTECTED.value).label("part")


def _resolved(status: Any) -> ColumnElement[bool]:
    # Inline literals: an expanding IN parameter is re-rendered on every execution (a third
    # of a millisecond per source call), and these values are constants of the domain.
    return or_(*(status == literal_column(f"'{value.value}'") for value in RESOLVED_STATUSES))


RESOLVED = _resolved(complaint.status)


def _inside(table: Table, code: str) -> ColumnElement[bool]:
    if level_of(code) is RegionLevel.PROVINCE:
        return table.c.province_code == code
    return table.c.regency_code == code


def _rollup_scope(table: Table, scope: RowScope) -> ColumnElement[bool]:
    predicates: list[ColumnElement[bool]] = []
    if scope.region is not None:
        predicates.append(_inside(table, scope.region) if scope.region else false())
    if scope.published_only:
        predicates.append(table.c.published.is_(True))
    return and_(true(), *predicates)


def _rollup_predicate(grain: Grain, criteria: ComplaintCriteria) -> ColumnElement[bool]:
    table = grain.table
    c = table.c
    predicates = [_rollup_scope(table, criteria.scope)]
    if criteria.region is not None:
        predicates.append(_inside(table, criteria.region))
    if criteria.tier is not None:
        predicates.append(c.tier == criteria.tier.value)
    if criteria.statuses:
        predicates.append(c.status.in_(criteria.statuses))
    if grain is Grain.DAY:
        if criteria.agency is not None:
            predicates.append(c.agency_code == criteria.agency)
        for column, values in (
            (c.type, criteria.types),
            (c.category_code, criteria.categories),
            (c.channel, criteria.channels),
        ):
            if values:
                predicates.append(column.in_(values))
    predicates += _period(grain, table, criteria.submitted_from, criteria.submitted_before)
    return and_(*predicates)


def _period(
    grain: Grain, table: Table, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    if grain is Grain.DAY:
        day = table.c.submitted_on
        return [
            *([day >= start.date()] if start is not None else []),
            *([day < end.date()] if end is not None else []),
        ]
    month = table.c.submitted_year * 100 + table.c.submitted_month
    return [
        *([month >= start.year * 100 + start.month] if start is not None else []),
        *([month < end.year * 100 + end.month] if end is not None else []),
    ]
