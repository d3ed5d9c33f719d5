"""Rollups answer stats exactly as the raw rows do, on SQLite and PostgreSQL, whatever the
question and whatever the clock; `verify` notices a rollup out of step."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, delete, func, insert, inspect, select, text, update
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.cli import main
from gateway.domain import Tier
from gateway.policy import EVERYTHING, RowScope
from gateway.registry import SourceConfig, write_registry
from gateway.sources.base import ComplaintCriteria, Dimension
from gateway.sources.models import ComplaintRow
from gateway.sources.records import RECORD_KEY_RANGE, StatsRow
from gateway.sources.rollup import Grain, rebuild, record_change, verify
from gateway.sources.sql import SqlSource, create_source_engine
from gateway.sources.sql_stats import grain_for
from tests.conftest import POSTGRES_URL, require_postgres
from tests.contract.world import COVERS, NOW, SOURCE_ID, build_world, write_contract_world

PG_SCHEMA = "t_contract_rollups"
SCOPES = [
    EVERYTHING,
    RowScope("12"),
    RowScope("12.71"),
    RowScope(None, published_only=True),
    RowScope("12.72", published_only=True),
]
SPLITS = [None, EVERYTHING, RowScope("12.71"), RowScope("12")]
MIDNIGHTS = [
    datetime(2023, 3, 1),
    datetime(2023, 3, 17),
    datetime(2023, 4, 1),
    datetime(2024, 1, 1),
]
Pair = tuple[SqlSource, SqlSource]


async def _config(backend: str, tmp: Path) -> SourceConfig:
    if backend == "sqlite":
        return SourceConfig(SOURCE_ID, "sql", f"sqlite+aiosqlite:///{tmp / 'rollups.db'}", COVERS)
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    await admin.dispose()
    return SourceConfig(SOURCE_ID, "sql", POSTGRES_URL, COVERS, schema=PG_SCHEMA)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pair]:
    """The same database read through its rollups and through its raw rows."""
    if request.param == "postgres":
        require_postgres()
    config = await _config(request.param, tmp_path_factory.mktemp("rollups"))
    engine = create_source_engine(config)
    await write_contract_world(engine, build_world())
    await engine.dispose()
    rolled, raw = SqlSource(config), SqlSource(config, use_rollups=False)
    assert await rolled._has_rollups(), "else the comparisons would read raw rows twice"
    yield rolled, raw
    await rolled.close()
    await raw.close()


def summed(rows: list[StatsRow]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Rows per group and part, added up (a rollup answers open overdue complaints apart)."""
    sums: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for row in rows:
        values = (row.count, row.verified, row.resolved, row.overdue)
        keys = (row.count_key, row.verified_key, row.resolved_key, row.overdue_key)
        old = sums.get((row.key, row.part), (0,) * 8)
        new_counts = tuple(a + b for a, b in zip(old[:4], values, strict=True))
        new_keys = tuple((a + b) % RECORD_KEY_RANGE for a, b in zip(old[4:], keys, strict=True))
        sums[(row.key, row.part)] = new_counts + new_keys
    return {key: value for key, value in sums.items() if any(value)}


@st.composite
def questions(draw: st.DrawFn) -> tuple[ComplaintCriteria, tuple[Dimension, ...], Any]:
    filters: dict[str, Any] = {}
    if draw(st.booleans()):
        filters["region"] = draw(st.sampled_from(["12", "12.71", "12.72"]))
    if draw(st.booleans()):
        filters["tier"] = draw(st.sampled_from(list(Tier)))
    if draw(st.booleans()):
        filters["statuses"] = tuple(
            draw(st.lists(st.sampled_from(["COMPLETED", "IN_PROGRESS", "SUBMITTED"]), max_size=2))
        )
    if draw(st.booleans()):
        filters["channels"] = ("SMS",)
    if draw(st.booleans()):
        filters["agency"] = draw(st.sampled_from(["12.71-DISDIK", "12.72-DINKES"]))
    if draw(st.booleans()):
        hours = draw(st.sampled_from([0, 0, 7]))  # mostly midnight: rollups; else raw rows
        filters["submitted_from"] = draw(st.sampled_from(MIDNIGHTS)) + timedelta(hours=hours)
    if draw(st.booleans()):
        filters["submitted_before"] = draw(st.sampled_from(MIDNIGHTS)) + timedelta(days=30)
    now = NOW + timedelta(days=draw(st.integers(-90, 400)), minutes=draw(st.integers(0, 1439)))
    criteria = ComplaintCriteria(scope=draw(st.sampled_from(SCOPES)), now=now, **filters)
    dimensions = tuple(draw(st.lists(st.sampled_from(list(Dimension)), max_size=3, unique=True)))
    return criteria, dimensions, draw(st.sampled_from(SPLITS))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=questions())
async def test_rollups_answer_exactly_as_the_raw_rows(
    pair: Pair, question: tuple[ComplaintCriteria, tuple[Dimension, ...], Any]
) -> None:
    criteria, dimensions, split = question
    rolled, raw = pair
    assert summed(await rolled.fetch_stats(criteria, dimensions, split)) == summed(
        await raw.fetch_stats(criteria, dimensions, split)
    )


def test_questions_go_to_the_smallest_rollup_that_answers_exactly() -> None:
    base = ComplaintCriteria(scope=EVERYTHING, now=NOW)
    by_region = (Dimension.PROVINCE, Dimension.REGENCY, Dimension.YEAR, Dimension.MONTH)
    assert grain_for(base, by_region) is Grain.MONTH
    assert grain_for(replace(base, submitted_from=datetime(2023, 3, 1)), by_region) is Grain.MONTH
    assert grain_for(replace(base, submitted_from=datetime(2023, 3, 2)), by_region) is Grain.DAY
    assert grain_for(base, (Dimension.CATEGORY,)) is Grain.DAY
    assert grain_for(replace(base, channels=("SMS",)), ()) is Grain.DAY
    assert grain_for(replace(base, submitted_from=datetime(2023, 3, 2, 7)), ()) is None
    assert grain_for(replace(base, text="jalan"), ()) is None
    assert grain_for(replace(base, incident_region="12.71"), ()) is None
    assert grain_for(replace(base, overdue=True), ()) is None


async def test_verify_finds_rollups_in_step_and_notices_a_change(pair: Pair) -> None:
    rolled, _ = pair
    assert await verify(rolled.engine) == {Grain.DAY: 0, Grain.MONTH: 0}
    month = Grain.MONTH.table
    async with rolled.engine.begin() as connection:
        await connection.execute(
            update(month).where(month.c.id == _first(month)).values(complaints=999)
        )
    try:
        assert (await verify(rolled.engine))[Grain.MONTH] > 0
    finally:
        await rebuild(rolled.engine)
    assert await verify(rolled.engine) == {Grain.DAY: 0, Grain.MONTH: 0}


async def test_a_rebuild_indexes_the_month_rollup_by_region_and_period(pair: Pair) -> None:
    rolled, _ = pair
    await rebuild(rolled.engine)
    async with rolled.engine.connect() as connection:
        indexes = await connection.run_sync(
            lambda sync: inspect(sync).get_indexes(Grain.MONTH.table.name)
        )
    assert sorted(str(index["name"]) for index in indexes) == [
        "ix_complaint_rollup_month_period",
        "ix_complaint_rollup_month_region",
    ]
    assert await verify(rolled.engine) == {Grain.DAY: 0, Grain.MONTH: 0}


async def test_the_rollup_command_verifies_and_rebuilds_every_sql_source(
    pair: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rolled, _ = pair
    write_registry(tmp_path / "registry.toml", [rolled.config])
    config = tmp_path / "gateway.toml"
    config.write_text('[gateway]\nregistry = "registry.toml"\n', encoding="utf-8")
    month = Grain.MONTH.table
    async with rolled.engine.begin() as connection:
        await connection.execute(update(month).where(month.c.id == _first(month)).values(late=77))

    def run(*args: str) -> int | str | None:
        with pytest.raises(SystemExit) as exit_info:
            await_free_main(["rollup", *args, "--config", str(config)])
        return exit_info.value.code

    assert await asyncio.to_thread(run, "verify") == 1
    assert f"{SOURCE_ID}: month 2 groups off" in capsys.readouterr().out
    await asyncio.to_thread(main, ["rollup", "rebuild", "--config", str(config)])
    assert f"{SOURCE_ID}: rebuilt" in capsys.readouterr().out
    await asyncio.to_thread(main, ["rollup", "verify", "--config", str(config)])
    assert f"{SOURCE_ID}: in step" in capsys.readouterr().out


def await_free_main(argv: list[str]) -> None:
    """`main`, which exits with a code; a return means it found nothing to complain of."""
    main(argv)
    raise SystemExit(0)


def _first(table: Table) -> Any:
    return select(func.min(table.c.id)).scalar_subquery()


async def test_writes_that_record_their_change_keep_the_rollups_in_step(pair: Pair) -> None:
    """New complaints, a complaint finished late, one moved to another regency and agency,
    and one added then removed: each written with `record_change` in its own transaction."""
    rolled, raw = pair
    async with rolled.engine.connect() as connection:
        stored = {
            row["id"]: dict(row)
            for row in (await connection.execute(select(ComplaintRow.__table__))).mappings()  # type: ignore[attr-defined]
        }
    first, second = sorted(stored)[:2]
    later = stored[first]["submitted_at"] + timedelta(days=60)
    changes = [
        (None, {**stored[first], "id": "12.71-9000001", "tracking_id": "LPR-NEW-1"}),
        (None, {**stored[second], "id": "12.72-9000002", "tracking_id": "LPR-NEW-2",
                "regency_code": "12.72", "agency_code": "12.72-DINKES", "is_confidential": True}),
        (stored[first], {**stored[first], "status": "COMPLETED", "finished_at": later}),
        (stored[second], {**stored[second], "regency_code": "12.72", "agency_code": "12.72-X"}),
        ({**stored[first], "id": "12.71-9000001", "tracking_id": "LPR-NEW-1"}, None),
    ]  # fmt: skip
    table = ComplaintRow.__table__  # type: ignore[attr-defined]
    try:
        for before, after in changes:
            async with rolled.engine.begin() as connection:
                if after is not None and before is None:
                    await connection.execute(insert(table).values(after))
                elif before is not None and after is None:
                    await connection.execute(delete(table).where(table.c.id == before["id"]))
                elif before is not None and after is not None:
                    await connection.execute(
                        update(table).where(table.c.id == before["id"]).values(after)
                    )
                await record_change(connection, before, after)
        assert await verify(rolled.engine) == {Grain.DAY: 0, Grain.MONTH: 0}
        for dimensions in [(), (Dimension.REGENCY, Dimension.STATUS), (Dimension.AGENCY,)]:
            question = ComplaintCriteria(scope=EVERYTHING, now=NOW + timedelta(days=90))
            assert summed(await rolled.fetch_stats(question, dimensions, RowScope("12.71"))) == (
                summed(await raw.fetch_stats(question, dimensions, RowScope("12.71")))
            )
    finally:
        async with rolled.engine.begin() as connection:  # the world as the other tests know it
            await connection.execute(delete(table).where(table.c.id.like("%-9000%")))
            for row_id in (first, second):
                await connection.execute(
                    update(table).where(table.c.id == row_id).values(stored[row_id])
                )
        await rebuild(rolled.engine)


async def test_rollups_of_an_older_shape_are_not_read_until_rebuilt(tmp_path: Path) -> None:
    config = SourceConfig(SOURCE_ID, "sql", f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", COVERS)
    engine = create_source_engine(config)
    await write_contract_world(engine, build_world())
    async with engine.begin() as connection:  # as an earlier version left them
        await connection.execute(
            text("ALTER TABLE complaint_rollup_month RENAME COLUMN due_month TO due_at")
        )
    await engine.dispose()
    old = SqlSource(config)
    question = ComplaintCriteria(scope=EVERYTHING, now=NOW)
    assert summed(await old.fetch_stats(question, (Dimension.STATUS,), None))  # from the rows
    assert await old._has_rollups() is False
    await rebuild(old.engine)
    assert await verify(old.engine) == {Grain.DAY: 0, Grain.MONTH: 0}
    rebuilt = SqlSource(config)
    assert await rebuilt._has_rollups() is True
    await rebuilt.close()
    await old.close()
