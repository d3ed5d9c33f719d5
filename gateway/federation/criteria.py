"""Turning a client's filter into criteria a source can run, with clear errors."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from enum import Enum

from gateway.domain import Tier
from gateway.errors import BadUserInputError
from gateway.policy import RowScope
from gateway.regions import RegionIndex
from gateway.sources.base import ComplaintCriteria

MAX_TEXT_LENGTH = 200
MAX_LIST_LENGTH = 50


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def build_criteria(
    scope: RowScope,
    now: datetime,
    regions: RegionIndex,
    *,
    region: str | None = None,
    incident_region: str | None = None,
    agency: str | None = None,
    tier: Tier | None = None,
    statuses: Sequence[Enum] | None = None,
    types: Sequence[Enum] | None = None,
    categories: Sequence[str] | None = None,
    channels: Sequence[Enum] | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    overdue: bool | None = None,
    text: str | None = None,
) -> ComplaintCriteria:
    for name, code in (("region", region), ("incidentRegion", incident_region)):
        if code is not None and code not in regions:
            raise BadUserInputError(f"`{name}` {code!r} is not a Kemendagri region code")
    for name, day in (("submittedFrom", submitted_from), ("submittedTo", submitted_to)):
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            # The day after 9999-12-31 does not exist, and no complaint is dated near it.
            raise BadUserInputError(
                f"`{name}` must lie between {EARLIEST_DATE} and {LATEST_DATE}", argument=name
            )
    if submitted_from and submitted_to and submitted_from > submitted_to:
        raise BadUserInputError("`submittedFrom` is after `submittedTo`")
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        raise BadUserInputError(f"`text` is longer than {MAX_TEXT_LENGTH} characters")
    if text is not None and any(not character.isprintable() for character in text):
        # Control characters mean nothing in a search, and SQLite ends a LIKE pattern at NUL.
        raise BadUserInputError("`text` may not contain control characters", argument="text")
    for name, values in (
        ("status", statuses),
        ("type", types),
        ("category", categories),
        ("channel", channels),
    ):
        if values is not None and len(values) > MAX_LIST_LENGTH:
            raise BadUserInputError(f"`{name}` lists more than {MAX_LIST_LENGTH} values")
    return ComplaintCriteria(
        scope=scope,
        now=now,
        region=region,
        incident_region=incident_region,
        agency=agency,
        tier=tier,
        statuses=_values(statuses),
        types=_values(types),
        categories=tuple(categories or ()),
        channels=_values(channels),
        submitted_from=datetime.combine(submitted_from, time()) if submitted_from else None,
        # `submittedTo` is an inclusive day: everything before the next midnight.
        submitted_before=(
            datetime.combine(submitted_to + timedelta(days=1), time()) if submitted_to else None
        ),
        overdue=overdue,
        text=text or None,
    )


def _values(members: Sequence[Enum] | None) -> tuple[str, ...]:
    return tuple(str(member.value) for member in members or ())
