"""The source contract's wire format, shared by both ends (`contract/source-v1.graphql`).

The gateway (`RemoteSource`) encodes criteria into GraphQL variables and decodes answers into
the frozen records of `gateway.sources.records` here; the source service names its GraphQL
fields with the same table. Records travel as flat objects whose fields are the record fields
in camelCase; timestamps are naive UTC in ISO 8601 (`2023-03-01T09:00:00`), dates ISO dates.

Decoding is strict: a missing required field, a null where the record has no `None`, or a
value of the wrong JSON type is a `WireError` (the gateway turns it into
SOURCE_BAD_RESPONSE); fields the record does not know are ignored, so the contract may grow.
"""

import dataclasses
import types
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from gateway.sources.base import ComplaintCriteria, Dimension, Keyset
from gateway.sources.changes import (
    TIMESTAMP_COLUMNS,
    WRITABLE_COLUMNS,
    ChangeOutcome,
    ChangeResult,
    ComplaintChange,
)
from gateway.sources.records import (
    COMPLAINT_FIELDS,
    RECORD_KEY_RANGE,
    AgencyRecord,
    CategoryRecord,
    ComplaintRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
    StatsPart,
    StatsRow,
    StatusEventRecord,
)

CONTRACT_VERSION = 1
"""Bumped only by a breaking change (a new `contract/source-vN.graphql`); additions are not."""

STATS_DIMENSION_FIELDS: dict[Dimension, str] = {
    dimension: dimension.value.lower() for dimension in Dimension
}
"""The stats row field holding each dimension's value (`year` and `month` are Int)."""
_INT_DIMENSIONS = frozenset({Dimension.YEAR, Dimension.MONTH})


STATS_KEY_FIELDS = ("count_key", "verified_key", "resolved_key", "overdue_key")
"""The record-key sums of a stats row (`countKey`, ... on the wire)."""


class WireError(ValueError):
    """An answer whose shape is not the contract's."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


COLUMN_OF_FIELD: dict[str, str] = {camel(name): name for name in COMPLAINT_FIELDS}
"""Contract column names (the Complaint field names) to record columns."""


def columns_to_wire(columns: frozenset[str]) -> list[str]:
    return sorted(camel(name) for name in columns & COMPLAINT_FIELDS)


def utc_naive(moment: datetime) -> datetime:
    """Records hold naive UTC; an aware timestamp is converted, a naive one kept."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else utc_naive(moment).isoformat()


def criteria_variables(criteria: ComplaintCriteria) -> dict[str, object]:
    """The `Criteria` input of a call: the filter only. The row scope is not an argument at
    all: it travels in the signed token, and the source takes it from there."""
    return {
        "now": _iso(criteria.now),
        "region": criteria.region,
        "incidentRegion": criteria.incident_region,
        "agency": criteria.agency,
        "tier": criteria.tier.value if criteria.tier is not None else None,
        "statuses": list(criteria.statuses),
        "types": list(criteria.types),
        "categories": list(criteria.categories),
        "channels": list(criteria.channels),
        "submittedFrom": _iso(criteria.submitted_from),
        "submittedBefore": _iso(criteria.submitted_before),
        "overdue": criteria.overdue,
        "text": criteria.text,
    }


def keyset_variables(after: Keyset | None) -> dict[str, object] | None:
    if after is None:
        return None
    return {"submittedAt": _iso(after.submitted_at), "id": after.id}


# --- Decoding ------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise WireError("expected a string")


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise WireError("expected a boolean")


def _part(value: object) -> StatsPart:
    try:
        return StatsPart(_text(value))
    except ValueError:
        raise WireError("not a stats part") from None


def _key_sum(value: object) -> int:
    key_sum = _integer(value)
    if not 0 <= key_sum < RECORD_KEY_RANGE:
        raise WireError("a record-key sum is taken modulo the key range")
    return key_sum


def _integer(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise WireError("expected an integer")


def _timestamp(value: object) -> datetime:
    try:
        return utc_naive(datetime.fromisoformat(_text(value)))
    except (ValueError, OverflowError):
        raise WireError("expected an ISO 8601 timestamp") from None


def _day(value: object) -> date:
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise WireError("expected an ISO 8601 date") from None


_CONVERTERS: dict[object, Callable[[object], object]] = {
    str: _text,
    bool: _flag,
    int: _integer,
    datetime: _timestamp,
    date: _day,
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    wire: str
    convert: Callable[[object], object]
    nullable: bool
    required: bool


def _declared(record: type[Any]) -> list[tuple[str, bool]]:
    """(field, required) of a record class: a dataclass, or a named tuple."""
    if dataclasses.is_dataclass(record):
        return [
            (field.name, field.default is dataclasses.MISSING)
            for field in dataclasses.fields(record)
        ]
    defaults = record._field_defaults
    return [(name, name not in defaults) for name in record._fields]


def _fields_of(record: type[Any]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(record)
    fields = []
    for name, required in _declared(record):
        hint = hints[name]
        members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        base = next(member for member in members if member is not type(None))
        fields.append(
            _Field(
                name=name,
                wire=camel(name),
                convert=_CONVERTERS[base],
                nullable=type(None) in members,
                required=required,
            )
        )
    return tuple(fields)


R = TypeVar("R")
_RECORDS = (
    ComplaintRecord,
    AgencyRecord,
    CategoryRecord,
    StatusEventRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
)
_FIELDS: dict[type[Any], dict[str, _Field]] = {
    record: {field.wire: field for field in _fields_of(record)} for record in _RECORDS
}
_REQUIRED: dict[type[Any], tuple[str, ...]] = {
    record: tuple(wire for wire, field in fields.items() if field.required)
    for record, fields in _FIELDS.items()
}


def _object(value: object) -> dict[str, object]:
    if isinstance(value, dict):
        return value
    raise WireError("expected an object")


def decode_record(record: type[R], value: object) -> R:
    """One record from its JSON object; absent optional fields keep their defaults.

    The loop runs over the fields present (a projected complaint carries a few of its 25)."""
    obj = _object(value)
    for wire in _REQUIRED[record]:
        if wire not in obj:
            raise WireError(f"`{wire}` is missing")
    fields = _FIELDS[record]
    arguments: dict[str, object] = {}
    for wire, raw in obj.items():
        field = fields.get(wire)
        if field is None:
            continue
        if raw is None:
            if not field.nullable:
                raise WireError(f"`{wire}` is null")
            arguments[field.name] = None
            continue
        try:
            arguments[field.name] = field.convert(raw)
        except WireError as error:
            raise WireError(f"`{wire}`: {error}") from None
    return record(**arguments)


def decode_records(record: type[R], value: object) -> list[R]:
    if not isinstance(value, list):
        raise WireError("expected a list")
    return [decode_record(record, item) for item in value]


def decode_count(value: object) -> int:
    count = _integer(value)
    if count < 0:
        raise WireError("a count cannot be negative")
    return count


def decode_stats(value: object, dimensions: Sequence[Dimension]) -> list[StatsRow]:
    """Stats rows; each key is rebuilt in the order of the requested dimensions."""
    if not isinstance(value, list):
        raise WireError("expected a list")
    rows = []
    for item in value:
        obj = _object(item)
        key: list[str | int | None] = []
        for dimension in dimensions:
            raw = obj.get(STATS_DIMENSION_FIELDS[dimension])
            convert = _integer if dimension in _INT_DIMENSIONS else _text
            key.append(None if raw is None else convert(raw))
        rows.append(
            StatsRow(
                key=tuple(key),
                count=decode_count(obj.get("count")),
                verified=decode_count(obj.get("verified")),
                resolved=decode_count(obj.get("resolved")),
                overdue=decode_count(obj.get("overdue")),
                part=_part(obj.get("part")),
                **{name: _key_sum(obj.get(camel(name))) for name in STATS_KEY_FIELDS},
            )
        )
    return rows


# --- Writes --------------------------------------------------------------------------------

WRITABLE_COLUMN_OF_FIELD: dict[str, str] = {camel(name): name for name in WRITABLE_COLUMNS}
"""Contract names of the columns a change may set (camelCase, like the Complaint fields)."""


def change_variables(change: ComplaintChange) -> dict[str, object]:
    """The `ChangeInput` of an `applyChange` call; the row scope travels in the token."""
    return {
        "complaintId": change.complaint_id,
        "expectedVersion": change.expected_version,
        "at": _iso(change.at),
        "actorAgency": change.actor_agency,
        "note": change.note,
        "values": [
            {
                "column": camel(column),
                "value": _iso(value) if isinstance(value, datetime) else value,
            }
            for column, value in change.values
        ],
    }


def change_from_wire(
    complaint_id: str,
    expected_version: int,
    at: datetime,
    actor_agency: str | None,
    note: str | None,
    values: Sequence[tuple[str, str | None]],
) -> ComplaintChange:
    """The change a `ChangeInput` describes; a `WireError` for a column it may not set or a
    value of the wrong kind."""
    decoded: list[tuple[str, object]] = []
    for wire, raw in values:
        column = WRITABLE_COLUMN_OF_FIELD.get(wire)
        if column is None:
            raise WireError(f"`{wire}` is not a column a change may set")
        if raw is None or column not in TIMESTAMP_COLUMNS:
            decoded.append((column, raw))
        else:
            decoded.append((column, _timestamp(raw)))
    try:
        return ComplaintChange(
            complaint_id, expected_version, utc_naive(at), actor_agency, tuple(decoded), note
        )
    except (ValueError, OverflowError) as error:
        raise WireError(str(error)) from None


def decode_outcome(value: object) -> ChangeOutcome:
    obj = _object(value)
    try:
        result = ChangeResult(_text(obj.get("result")))
    except ValueError:
        raise WireError("not a change result") from None
    version, status = obj.get("version"), obj.get("status")
    return ChangeOutcome(
        result,
        None if version is None else _integer(version),
        None if status is None else _text(status),
    )
