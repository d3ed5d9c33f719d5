"""Row scope and filters as SQL predicates on the complaint table (any SQL dialect)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, true, tuple_
from sqlalchemy.sql import Select

from gateway.domain import RegionLevel
from gateway.policy import RowScope
from gateway.regions import level_of
from gateway.sources.base import ComplaintCriteria, Keyset, SortOrder
from gateway.sources.models import ComplaintRow

complaint = ComplaintRow.__table__.c  # type: ignore[attr-defined]


def handled_inside(code: str) -> ColumnElement[bool]:
    """Complaints whose handling agency sits inside region `code` (never national ones)."""
    if level_of(code) is RegionLevel.PROVINCE:
        return complaint.province_code == code  # type: ignore[no-any-return]
    return complaint.regency_code == code  # type: ignore[no-any-return]


def scope_predicate(scope: RowScope) -> ColumnElement[bool]:
    predicates: list[ColumnElement[bool]] = []
    if scope.region is not None:
        predicates.append(handled_inside(scope.region) if scope.region else false())
    if scope.published_only:
        predicates += [complaint.verified_at.is_not(None), complaint.is_confidential.is_(False)]
    return and_(true(), *predicates)


def overdue_predicate(now: datetime) -> ColumnElement[bool]:
    """Past the completion deadline: still open after it, or finished after it."""
    return complaint.completion_due_at < func.coalesce(complaint.finished_at, now)  # type: ignore[no-any-return]


def criteria_predicate(criteria: ComplaintCriteria) -> ColumnElement[bool]:
    predicates = [scope_predicate(criteria.scope)]
    if criteria.region is not None:
        predicates.append(handled_inside(criteria.region))
    if criteria.incident_region is not None:
        code = criteria.incident_region
        predicates.append(
            or_(complaint.incident_region == code, complaint.incident_region.startswith(code + "."))
        )
    if criteria.agency is not None:
        predicates.append(complaint.agency_code == criteria.agency)
    if criteria.tier is not None:
        predicates.append(complaint.tier == criteria.tier.value)
    predicates += _membership(
        (complaint.status, criteria.statuses),
        (complaint.type, criteria.types),
        (complaint.category_code, criteria.categories),
        (complaint.channel, criteria.channels),
    )
    if criteria.submitted_from is not None:
        predicates.append(complaint.submitted_at >= criteria.submitted_from)
    if criteria.submitted_before is not None:
        predicates.append(complaint.submitted_at < criteria.submitted_before)
    if criteria.overdue is not None:
        overdue = overdue_predicate(criteria.now)
        predicates.append(overdue if criteria.overdue else ~overdue)
    if criteria.text:
        predicates.append(
            or_(
                complaint.title.icontains(criteria.text, autoescape=True),
                complaint.body.icontains(criteria.text, autoescape=True),
            )
        )
    return and_(*predicates)


def apply_keyset(
    statement: Select[tuple[object, ...]], order: SortOrder, after: Keyset | None
) -> Select[tuple[object, ...]]:
    key = tuple_(complaint.submitted_at, complaint.id)
    if after is not None:
        position = tuple_(after.submitted_at, after.id)
        statement = statement.where(key < position if order.descending else key > position)
    if order.descending:
        return statement.order_by(complaint.submitted_at.desc(), complaint.id.desc())
    return statement.order_by(complaint.submitted_at.asc(), complaint.id.asc())


def _membership(*pairs: tuple[ColumnElement[str], Sequence[str]]) -> list[ColumnElement[bool]]:
    return [column.in_(values) for column, values in pairs if values]
