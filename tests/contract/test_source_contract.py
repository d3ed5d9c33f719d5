"""The source contract suite: every `Source` method, every backend, the same records.

`source` is SqlSource on SQLite, SqlSource on PostgreSQL, or RemoteSource over real HTTP to a
source service; each answer is compared with the Python oracle (`world.py`) where one exists
and always with the SQLite SqlSource answer (`reference`).
"""

from datetime import datetime
from typing import Any

import pytest

from gateway.domain import Tier
from gateway.policy import EVERYTHING, NOTHING, RowScope
from gateway.sources.base import (
    ComplaintCriteria,
    Dimension,
    Keyset,
    PageRequest,
    SortOrder,
    Source,
)
from gateway.sources.records import (
    COMPLAINT_FIELDS,
    RECORD_KEY_RANGE,
    ComplaintRecord,
    StatsPart,
    StatsRow,
)
from gateway.sources.sql import SqlSource
from tests.contract.world import NOW, TIE, expected_ids, expected_parts, in_scope
from tests.factories import SourceWorld

SCOPES: dict[str, RowScope] = {
    "everything": EVERYTHING,
    "province": RowScope("12"),
    "regency": RowScope("12.71"),
    "public": RowScope(None, published_only=True),
    "regency-public": RowScope("12.72", published_only=True),
    "nothing": NOTHING,
}
FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "region-regency": {"region": "12.71"},
    "region-province": {"region": "12"},
    "incident-regency": {"incident_region": "12.72"},
    "incident-province": {"incident_region": "12"},
    "agency": {"agency": "12.71-DISDIK"},
    "tier": {"tier": Tier.REGENCY},
    "tier-national": {"tier": Tier.NATIONAL},
    "statuses": {"statuses": ("IN_PROGRESS", "ESCALATED")},
    "types": {"types": ("ASPIRATION",)},
    "categories": {"categories": ("PENDIDIKAN",)},
    "channels": {"channels": ("SMS", "APP")},
    "from": {"submitted_from": datetime(2023, 4, 1)},
    "before": {"submitted_before": TIE},
    "window": {"submitted_from": datetime(2023, 3, 10), "submitted_before": datetime(2023, 4, 1)},
    "overdue": {"overdue": True},
    "not-overdue": {"overdue": False},
    "text": {"text": "JALAN rusak"},
    "text-percent": {"text": "100%"},
    "text-underscore": {"text": "rahasia_"},
    "text-none": {"text": "tidak ada"},
    "combined": {"region": "12.71", "statuses": ("COMPLETED",), "channels": ("WEB",)},
}
ALL_COLUMNS = frozenset(COMPLAINT_FIELDS)


def criteria(scope: str = "everything", **filters: Any) -> ComplaintCriteria:
    return ComplaintCriteria(scope=SCOPES[scope], now=NOW, **filters)


def ids_of(records: list[ComplaintRecord]) -> list[str]:
    return [record.id for record in records]


@pytest.mark.parametrize("filter_name", FILTERS)
async def test_page_and_count_answer_what_the_filter_and_scope_mean(
    source: Source, reference: SqlSource, world: SourceWorld, filter_name: str
) -> None:
    for scope in SCOPES:  # every scope, one test item per filter (cheaper to collect)
        wanted = criteria(scope, **FILTERS[filter_name])
        request = PageRequest(wanted, SortOrder.SUBMITTED_AT_ASC, limit=1000, columns=ALL_COLUMNS)
        page = await source.fetch_page(request)
        assert ids_of(page) == expected_ids(world, wanted, descending=False), scope
        assert page == await reference.fetch_page(request), scope
        assert await source.count(wanted) == len(page), scope


def test_the_filters_are_not_vacuous(world: SourceWorld) -> None:
    """Every filter keeps some rows and drops some (`text-none` keeps none on purpose)."""
    total = len(world.complaints)
    for name, filters in FILTERS.items():
        kept = len(expected_ids(world, criteria(**filters), descending=False))
        assert (kept == 0) if name == "text-none" else (0 < kept < total or name == "none"), name


@pytest.mark.parametrize("order", list(SortOrder))
@pytest.mark.parametrize("limit", [1, 4, 7])
@pytest.mark.parametrize("scope", ["everything", "regency", "public"])
async def test_keyset_paging_yields_every_row_once_in_order(
    source: Source,
    reference: SqlSource,
    world: SourceWorld,
    order: SortOrder,
    limit: int,
    scope: str,
) -> None:
    wanted = criteria(scope)
    seen: list[str] = []
    after: Keyset | None = None
    for _ in range(200):
        request = PageRequest(wanted, order, limit, after, frozenset({"status", "title"}))
        page = await source.fetch_page(request)
        assert page == await reference.fetch_page(request)
        assert len(page) <= limit
        seen += ids_of(page)
        if len(page) < limit:
            break
        after = Keyset(page[-1].submitted_at, page[-1].id)
    assert seen == expected_ids(world, wanted, descending=order.descending)


async def test_ties_on_submitted_at_break_on_the_id(source: Source) -> None:
    wanted = criteria(submitted_from=TIE, submitted_before=datetime(2023, 4, 15, 10, 31))
    page = await source.fetch_page(PageRequest(wanted, SortOrder.SUBMITTED_AT_DESC, 2))
    assert len(page) == 2
    assert page[0].submitted_at == page[1].submitted_at == TIE
    rest = await source.fetch_page(
        PageRequest(wanted, SortOrder.SUBMITTED_AT_DESC, 10, Keyset(TIE, page[1].id))
    )
    assert ids_of(page + rest) == sorted(ids_of(page + rest), reverse=True)
    assert len(page + rest) == 5


@pytest.mark.parametrize(
    "columns",
    [frozenset(), frozenset({"title"}), frozenset({"incident_date", "is_anonymous"}), ALL_COLUMNS],
    ids=["none", "title", "date-and-flag", "all"],
)
async def test_only_the_asked_columns_are_filled(
    source: Source, reference: SqlSource, world: SourceWorld, columns: frozenset[str]
) -> None:
    request = PageRequest(criteria(), SortOrder.SUBMITTED_AT_DESC, 60, columns=columns)
    page = await source.fetch_page(request)
    assert page == await reference.fetch_page(request)
    rows = {row["id"]: row for row in world.complaints}
    asked = columns | {"id", "submitted_at"}
    for record in page:
        for name in COMPLAINT_FIELDS:
            wanted = rows[record.id].get(name) if name in asked else None
            assert getattr(record, name) == wanted, (record.id, name)


async def test_a_zero_limit_returns_nothing(source: Source) -> None:
    assert await source.fetch_page(PageRequest(criteria(), SortOrder.SUBMITTED_AT_ASC, 0)) == []


def _sorted_stats(rows: list[StatsRow]) -> list[StatsRow]:
    return sorted(rows, key=lambda row: (repr(row.key), row.part.value))


DIMENSION_SETS = [
    (),
    *((dimension,) for dimension in Dimension),
    (Dimension.REGENCY, Dimension.STATUS),
    (Dimension.YEAR, Dimension.MONTH, Dimension.TIER),
]
SPLITS: dict[str, RowScope | None] = {
    "none": None,
    "unbounded": EVERYTHING,
    "regency": RowScope("12.71"),
    "province": RowScope("12"),
}


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize(
    "dimensions", DIMENSION_SETS, ids=lambda dims: "-".join(d.value for d in dims) or "total"
)
async def test_stats_group_and_split_like_the_reference(
    source: Source,
    reference: SqlSource,
    world: SourceWorld,
    dimensions: tuple[Dimension, ...],
    split: str,
) -> None:
    wanted = criteria()
    rows = await source.fetch_stats(wanted, dimensions, SPLITS[split])
    assert _sorted_stats(rows) == _sorted_stats(
        await reference.fetch_stats(wanted, dimensions, SPLITS[split])
    )
    assert sum(row.count for row in rows) == await source.count(wanted)
    assert all(len(row.key) == len(dimensions) for row in rows)
    parts = {part: [row for row in rows if row.part is part] for part in StatsPart}
    for part, expected in expected_parts(world, wanted, SPLITS[split]).items():
        assert sum(row.count for row in parts[part]) == expected.count, part
        assert sum(row.verified for row in parts[part]) == expected.verified, part
        if part is not StatsPart.PROTECTED:
            continue  # the contract asks for key sums on protected rows only
        assert sum(row.count_key for row in parts[part]) % RECORD_KEY_RANGE == expected.key, part
        assert (
            sum(row.verified_key for row in parts[part]) % RECORD_KEY_RANGE == expected.verified_key
        ), part


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("filter_name", ["none", "region-regency", "overdue", "text", "combined"])
async def test_stats_under_scopes_and_filters_match_the_reference(
    source: Source, reference: SqlSource, scope: str, filter_name: str
) -> None:
    wanted = criteria(scope, **FILTERS[filter_name])
    dimensions = (Dimension.REGENCY, Dimension.STATUS)
    split = RowScope("12.71")
    rows = await source.fetch_stats(wanted, dimensions, split)
    assert _sorted_stats(rows) == _sorted_stats(
        await reference.fetch_stats(wanted, dimensions, split)
    )
    assert sum(row.count for row in rows) == await source.count(wanted)


@pytest.mark.parametrize("scope", SCOPES)
async def test_complaints_by_id_answer_only_in_scope_rows(
    source: Source, reference: SqlSource, world: SourceWorld, scope: str
) -> None:
    ids = [row["id"] for row in world.complaints[::2]] + ["12.71-9999999", "nope"]
    found = await source.fetch_complaints(ids, SCOPES[scope], ALL_COLUMNS)
    assert sorted(found, key=lambda r: r.id) == sorted(
        await reference.fetch_complaints(ids, SCOPES[scope], ALL_COLUMNS), key=lambda r: r.id
    )
    expected = {row["id"] for row in world.complaints[::2] if in_scope(row, SCOPES[scope])}
    assert set(ids_of(found)) == expected


async def test_complaints_by_id_project_columns(source: Source, world: SourceWorld) -> None:
    first = world.complaints[0]
    (record,) = await source.fetch_complaints([first["id"]], EVERYTHING, frozenset({"title"}))
    assert record == ComplaintRecord(first["id"], first["submitted_at"], title=first["title"])


CHILDREN = ["status_events", "dispositions", "follow_ups"]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("kind", CHILDREN)
async def test_children_come_only_through_in_scope_complaints(
    source: Source, reference: SqlSource, world: SourceWorld, kind: str, scope: str
) -> None:
    ids = [row["id"] for row in world.complaints] + ["missing"]
    children = await getattr(source, f"fetch_{kind}")(ids, SCOPES[scope])
    assert children == await getattr(reference, f"fetch_{kind}")(ids, SCOPES[scope])
    visible = {row["id"] for row in world.complaints if in_scope(row, SCOPES[scope])}
    assert {child.complaint_id for child in children} <= visible
    if scope != "nothing":
        assert children


@pytest.mark.parametrize("scope", SCOPES)
async def test_reporters_of_in_scope_non_anonymous_complaints_only(
    source: Source, reference: SqlSource, world: SourceWorld, scope: str
) -> None:
    ids = [row["id"] for row in world.complaints]
    reporters = await source.fetch_reporters(ids, SCOPES[scope])
    key = lambda record: record.complaint_id  # noqa: E731
    assert sorted(reporters, key=key) == sorted(
        await reference.fetch_reporters(ids, SCOPES[scope]), key=key
    )
    expected = {
        row["id"]
        for row in world.complaints
        if row["reporter_id"] and row["is_anonymous"] is False and in_scope(row, SCOPES[scope])
    }
    assert {record.complaint_id for record in reporters} == expected


async def test_agencies_and_categories_by_code(source: Source, reference: SqlSource) -> None:
    codes = ["12-DINKES", "12.71-DISDIK", "KL-KEMENKES", "unknown"]
    agencies = await source.fetch_agencies(codes)
    assert sorted(agencies, key=lambda a: a.code) == sorted(
        await reference.fetch_agencies(codes), key=lambda a: a.code
    )
    assert {agency.code for agency in agencies} == set(codes) - {"unknown"}
    categories = await source.fetch_categories(["KESEHATAN", "PENDIDIKAN", "unknown"])
    assert sorted((c.code, c.name) for c in categories) == [
        ("KESEHATAN", "Kesehatan"),
        ("PENDIDIKAN", "Pendidikan"),
    ]


async def test_empty_lists_answer_empty(source: Source) -> None:
    assert await source.fetch_complaints([], EVERYTHING, ALL_COLUMNS) == []
    assert await source.fetch_status_events([], EVERYTHING) == []
    assert await source.fetch_reporters([], EVERYTHING) == []
    assert await source.fetch_agencies([]) == []
