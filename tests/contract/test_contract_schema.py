"""The contract itself: committed SDL, record mirroring, the gateway's documents, the codec."""

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLObjectType, parse, validate

from gateway.service.schema import FLAT_RECORD_TYPES, build_contract_schema, contract_sdl
from gateway.sources import remote
from gateway.sources.base import Dimension
from gateway.sources.contract import (
    COLUMN_OF_FIELD,
    WireError,
    camel,
    decode_record,
    decode_records,
    decode_stats,
)
from gateway.sources.records import (
    COMPLAINT_FIELDS,
    AgencyRecord,
    CategoryRecord,
    ComplaintRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
    StatsPart,
    StatusEventRecord,
)

CONTRACT_FILE = Path(__file__).resolve().parents[2] / "contract" / "source-v1.graphql"
MIRRORS = {
    "Complaint": ComplaintRecord,
    "Agency": AgencyRecord,
    "Category": CategoryRecord,
    "StatusEvent": StatusEventRecord,
    "Disposition": DispositionRecord,
    "FollowUp": FollowUpRecord,
    "Reporter": ReporterRecord,
}
DOCUMENTS = [
    remote.PAGE,
    remote.COUNT,
    remote.STATS,
    remote.COMPLAINTS,
    remote.AGENCIES,
    remote.CATEGORIES,
    remote.STATUS_EVENTS,
    remote.DISPOSITIONS,
    remote.FOLLOW_UPS,
    remote.REPORTERS,
]


def test_committed_contract_matches_the_service_schema() -> None:
    assert CONTRACT_FILE.read_text(encoding="utf-8") == contract_sdl(), (
        "contract/source-v1.graphql is out of date with gateway/service/types.py; a breaking "
        "change needs a new contract version, an addition a regenerated file: "
        "python -c 'from gateway.service.schema import contract_sdl; "
        'print(contract_sdl(), end="")\' > contract/source-v1.graphql'
    )


@pytest.mark.parametrize("type_name", MIRRORS)
def test_record_types_mirror_the_frozen_records(type_name: str) -> None:
    object_type = build_contract_schema()._schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    record = MIRRORS[type_name]
    names = list(record.__annotations__)  # a dataclass or a named tuple: fields in order
    assert list(object_type.fields) == [camel(name) for name in names]


def test_every_flat_type_has_a_plan_and_every_column_a_name() -> None:
    assert set(MIRRORS) < set(FLAT_RECORD_TYPES)
    assert set(COLUMN_OF_FIELD.values()) == COMPLAINT_FIELDS


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_the_gateway_documents_are_valid_against_the_contract(document: str) -> None:
    assert validate(build_contract_schema()._schema, parse(document)) == []


def test_the_complaint_fragment_can_carry_every_column() -> None:
    for name in COMPLAINT_FIELDS:
        assert f" {camel(name)}" in remote.PAGE, name


def test_no_argument_can_carry_a_scope() -> None:
    """The row scope exists only in the signed token: no query argument names one."""
    schema = build_contract_schema()._schema
    assert schema.query_type is not None
    names = {name.lower() for field in schema.query_type.fields.values() for name in field.args}
    criteria = schema.type_map["Criteria"]
    names |= {name.lower() for name in getattr(criteria, "fields", {})}
    assert not names & {"scope", "publishedonly", "split", "rowscope"}


# --- Codec -----------------------------------------------------------------------------------


def test_a_complaint_decodes_with_only_its_projected_columns() -> None:
    record = decode_record(
        ComplaintRecord,
        {"id": "12.71-1", "submittedAt": "2023-03-01T09:00:00", "incidentDate": "2023-02-27",
         "isAnonymous": None, "unknownNewField": 1},
    )  # fmt: skip
    assert record == ComplaintRecord(
        "12.71-1", datetime(2023, 3, 1, 9), incident_date=date(2023, 2, 27)
    )


def test_aware_timestamps_become_naive_utc() -> None:
    record = decode_record(ComplaintRecord, {"id": "a", "submittedAt": "2023-03-01T16:00:00+07:00"})
    assert record.submitted_at == datetime(2023, 3, 1, 9)


@pytest.mark.parametrize(
    ("record", "value"),
    [
        (ComplaintRecord, {"submittedAt": "2023-03-01T09:00:00"}),
        (ComplaintRecord, {"id": None, "submittedAt": "2023-03-01T09:00:00"}),
        (ComplaintRecord, {"id": 7, "submittedAt": "2023-03-01T09:00:00"}),
        (ComplaintRecord, {"id": "a", "submittedAt": "yesterday"}),
        (ComplaintRecord, {"id": "a", "submittedAt": "2023-03-01T09:00:00", "isAnonymous": 0}),
        (ComplaintRecord, {"id": "a", "submittedAt": "2023-03-01T09:00:00", "incidentDate": 5}),
        (ComplaintRecord, ["a"]),
        (AgencyRecord, {"code": "x", "name": "y", "tier": "REGENCY", "kind": "OPD"}),
        (CategoryRecord, {"code": "x", "name": None}),
        (StatusEventRecord, {"complaintId": "a", "toStatus": "X", "at": "2023-01-01T00:00:00"}),
    ],
)
def test_a_wrong_shape_is_a_wire_error(record: type[Any], value: object) -> None:
    with pytest.raises(WireError):
        decode_record(record, value)


def test_a_list_is_required_where_the_contract_has_one() -> None:
    with pytest.raises(WireError):
        decode_records(CategoryRecord, {"code": "x", "name": "y"})
    with pytest.raises(WireError):
        decode_stats(None, [])


STATS_ROW = {"count": 3, "verified": 3, "resolved": 2, "overdue": 0, "part": "PROTECTED",
             "countKey": 7, "verifiedKey": 7, "resolvedKey": 5, "overdueKey": 0}  # fmt: skip


def test_stats_keys_follow_the_requested_dimensions() -> None:
    row = {"year": 2023, "regency": None, "status": "COMPLETED", **STATS_ROW}
    (decoded,) = decode_stats([row], [Dimension.STATUS, Dimension.YEAR, Dimension.REGENCY])
    assert decoded.key == ("COMPLETED", 2023, None)
    assert (decoded.count, decoded.resolved, decoded.part) == (3, 2, StatsPart.PROTECTED)
    assert (decoded.count_key, decoded.overdue_key) == (7, 0)


@pytest.mark.parametrize(
    "change",
    [
        {"count": -1},
        {"count": True},
        {"count": "3"},
        {"year": "2023"},
        {"part": None},
        {"part": "INSIDE"},
        {"countKey": -1},
        {"countKey": 1 << 20},
        {"resolvedKey": None},
    ],
)
def test_bad_stats_rows_are_wire_errors(change: dict[str, object]) -> None:
    row = {"year": 2023, **STATS_ROW}
    with pytest.raises(WireError):
        decode_stats([{**row, **change}], [Dimension.YEAR])
