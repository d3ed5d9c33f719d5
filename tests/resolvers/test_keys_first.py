"""A page over several sources merges keys first: every source is asked for its first keys
(no other column), and only the winners' rows are read in full, from the sources holding
them; the page is the one a merge of whole rows gives; a source that fails or misbehaves in
either round loses its rows, and the others fill the page as if it had not answered."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import SourceUnavailableError
from gateway.federation.facts import FACT_COLUMNS
from gateway.federation.reads import Federation
from gateway.policy import EVERYTHING, RowScope
from gateway.regions import load_regions
from gateway.registry import SourceConfig, build_registry
from gateway.sources.base import ComplaintCriteria, PageRequest, SortOrder
from gateway.sources.records import ComplaintRecord
from gateway.sources.sql import SqlSource, create_source_engine
from tests.factories import SourceWorld, make_agency, make_complaint, write_world

REGENCIES = ("12.71", "12.72", "12.73", "12.74")
PER_SOURCE = 12
NOW = datetime(2025, 1, 1)
REGIONS = load_regions()


@dataclass
class Spy:
    pages: list[PageRequest] = field(default_factory=list)
    full_rows: int = 0
    fail_full: bool = False
    widen_full: bool = False
    phantom_keys: bool = False
    """Keys of complaints it does not hold, ahead of its real ones."""
    repeat_keys: bool = False
    drift_full: bool = False
    """Full rows whose submission time is not their key's."""


class SpiedSource(SqlSource):
    """Records what it is asked; fault injection for the second round."""

    def __init__(self, config: SourceConfig, spy: Spy) -> None:
        super().__init__(config)
        self.spy = spy

    async def fetch_page(self, request: PageRequest) -> list[ComplaintRecord]:
        self.spy.pages.append(request)
        rows = await super().fetch_page(request)
        if self.spy.phantom_keys:
            ahead = datetime(2030, 1, 1)
            ghosts = [
                ComplaintRecord(f"{self.config.covers[0]}-999{n:04d}", ahead + timedelta(minutes=n))
                for n in range(request.limit)
            ]
            rows = sorted(ghosts, key=lambda r: (r.submitted_at, r.id), reverse=True) + rows
        if self.spy.repeat_keys:
            rows = [row for row in rows for _ in range(2)]
        return rows

    async def fetch_complaints(
        self, ids: Sequence[str], scope: RowScope, columns: frozenset[str]
    ) -> list[ComplaintRecord]:
        if self.spy.fail_full:
            raise SourceUnavailableError("source unavailable")
        rows = await super().fetch_complaints(ids, scope, columns)
        if self.spy.widen_full:  # a row it was not asked for, outside the scope
            outside = rows[0]._replace(region_code="31.71") if rows else None
            rows += [outside] if outside else []
        if self.spy.drift_full:
            rows = [
                row._replace(submitted_at=row.submitted_at + timedelta(seconds=1)) for row in rows
            ]
        self.spy.full_rows += len(rows)
        return rows


@pytest.fixture
async def federation(tmp_path: Path) -> AsyncIterator[tuple[Federation, dict[str, Spy]]]:
    regions = REGIONS
    configs, spies, sources = [], {}, []
    for index, regency in enumerate(REGENCIES):
        config = SourceConfig(
            f"reg-{regency}", "sql", f"sqlite+aiosqlite:///{tmp_path / regency}.db", (regency,)
        )
        world = SourceWorld(agencies=[make_agency(regency)]).add(
            make_complaint(regency) for _ in range(PER_SOURCE + index)
        )
        engine = create_source_engine(config)
        await write_world(engine, world)
        await engine.dispose()
        spies[config.id] = Spy()
        sources.append(SpiedSource(config, spies[config.id]))
        configs.append(config)
    built = Federation(build_registry(configs, regions), sources, regions)
    await built.open()
    yield built, spies
    await built.close()


def request(limit: int, scope: RowScope = EVERYTHING) -> PageRequest:
    return PageRequest(
        criteria=ComplaintCriteria(scope=scope, now=NOW, region="12"),
        order=SortOrder.SUBMITTED_AT_DESC,
        limit=limit,
        columns=frozenset({"title", "status"}),
    )


async def whole_rows_merge(federation: Federation, limit: int) -> list[tuple[str, str | None]]:
    """The oracle: every source's whole rows, merged by (submittedAt, id) here."""
    rows = []
    for source in federation.sources.values():
        full = replace(request(limit + 1), columns=request(limit).columns | FACT_COLUMNS)
        rows += [(r.submitted_at, r.id, r.title) for r in await source.fetch_page(full)]
    rows.sort(reverse=True)
    return [(complaint_id, title) for _, complaint_id, title in rows[:limit]]


@pytest.mark.parametrize("limit", [1, 5, 20, 60])
async def test_keys_first_gives_the_whole_rows_page(
    federation: tuple[Federation, dict[str, Spy]], limit: int
) -> None:
    built, spies = federation
    expected = await whole_rows_merge(built, limit)
    for spy in spies.values():
        spy.pages.clear()
    page = await built.page(request(limit), with_total=True)
    assert [(row.record.id, row.record.title) for row in page.rows] == expected
    assert page.has_next is (limit < sum(PER_SOURCE + i for i in range(len(REGENCIES))))
    assert page.failures == []
    # First round: keys only, from every source; second: the winners' rows alone.
    assert all([asked.columns for asked in spy.pages] == [frozenset()] for spy in spies.values())
    assert sum(spy.full_rows for spy in spies.values()) == len(expected)
    assert all(row.record.status is not None for row in page.rows)


async def without(federation: Federation, source_id: str, limit: int) -> list[Any]:
    """The oracle for a page its sources give without `source_id`."""
    rows = await whole_rows_merge(federation, 1000)
    return [row for row in rows if not row[0].startswith(source_id[4:] + "-")][:limit]


async def test_a_source_failing_in_the_second_round_loses_its_rows_only(
    federation: tuple[Federation, dict[str, Spy]],
) -> None:
    built, spies = federation
    expected = await without(built, "reg-12.73", 30)
    spies["reg-12.73"].fail_full = True
    page = await built.page(request(30), with_total=True)
    assert [(row.record.id, row.record.title) for row in page.rows] == expected
    assert [(f.source_id, f.code) for f in page.failures] == [("reg-12.73", "SOURCE_UNAVAILABLE")]
    assert page.total == sum(PER_SOURCE + i for i in (0, 1, 3))  # its count is not counted


@pytest.mark.parametrize("fault", ["phantom_keys", "repeat_keys", "drift_full"])
async def test_a_source_misbehaving_with_its_keys_loses_its_rows_not_the_page(
    federation: tuple[Federation, dict[str, Spy]], fault: str
) -> None:
    """Phantom keys ahead of everyone's (an outside test emptied a page with them, flagged
    as complete), repeated keys (duplicates on the page), rows whose time is not their key's
    (silently dropped): each is the source's fault, and the page comes from the others."""
    built, spies = federation
    expected = await without(built, "reg-12.72", 30)
    setattr(spies["reg-12.72"], fault, True)
    page = await built.page(request(30), with_total=False)
    assert [(row.record.id, row.record.title) for row in page.rows] == expected
    assert page.has_next is True
    assert [(f.source_id, f.code) for f in page.failures] == [("reg-12.72", "SOURCE_BAD_RESPONSE")]


async def test_a_source_answering_outside_the_scope_in_the_second_round_is_dropped(
    federation: tuple[Federation, dict[str, Spy]],
) -> None:
    built, spies = federation
    spies["reg-12.72"].widen_full = True
    page = await built.page(request(40, RowScope("12")), with_total=False)
    assert not any(row.record.id.startswith("12.72-") for row in page.rows)
    assert [(f.source_id, f.code) for f in page.failures] == [("reg-12.72", "SOURCE_BAD_RESPONSE")]
    assert all(row.record.region_code != "31.71" for row in page.rows)


async def test_one_source_is_read_in_one_round(tmp_path: Path) -> None:
    config = SourceConfig("reg-12.71", "sql", f"sqlite+aiosqlite:///{tmp_path}/m.db", ("12.71",))
    engine = create_source_engine(config)
    await write_world(
        engine, SourceWorld(agencies=[make_agency("12.71")]).add(make_complaint() for _ in range(5))
    )
    await engine.dispose()
    spy = Spy()
    built = Federation(build_registry([config], REGIONS), [SpiedSource(config, spy)], REGIONS)
    await built.open()
    try:
        page = await built.page(
            replace(request(3), criteria=replace(request(3).criteria, region="12.71")),
            with_total=False,
        )
    finally:
        await built.close()
    assert len(page.rows) == 3
    assert spy.full_rows == 0
    assert [asked.columns for asked in spy.pages] == [request(3).columns | FACT_COLUMNS]


async def test_concurrent_pages_agree(federation: tuple[Federation, dict[str, Spy]]) -> None:
    built, _ = federation
    expected = await whole_rows_merge(built, 25)
    pages = await asyncio.gather(*(built.page(request(25), with_total=False) for _ in range(8)))
    assert all([(r.record.id, r.record.title) for r in page.rows] == expected for page in pages)
