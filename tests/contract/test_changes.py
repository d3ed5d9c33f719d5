"""A complaint change, on every source kind: all of it or none of it, never silent.

Each backend gets its own copy of the contract world (the read suite's stays untouched): the
change is read back through the source's own reads, the status event is where the history
says, the rollups still match the rows (`verify`), a stale version changes nothing and says
what the complaint is now, out of scope answers exactly like missing, and of two writers
holding the same version exactly one succeeds.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.policy import EVERYTHING, RowScope
from gateway.registry import SourceConfig
from gateway.service.app import create_service_app
from gateway.sources.base import Source
from gateway.sources.changes import ChangeOutcome, ChangeResult, ComplaintChange
from gateway.sources.records import COMPLAINT_FIELDS, ComplaintRecord
from gateway.sources.remote import RemoteSource
from gateway.sources.rollup import verify
from gateway.sources.sql import SqlSource, create_source_engine
from tests.conftest import POSTGRES_URL, fresh_postgres_schema, require_postgres
from tests.contract.conftest import postgres_config
from tests.contract.world import COVERS, SOURCE_ID, build_world, write_contract_world
from tests.factories import SourceWorld, make_agency, make_complaint, write_world
from tests.service.harness import make_key_pair, running_service, service_settings

AT = datetime(2023, 6, 2, 9, 30)
PG_SCHEMA = "t_changes_prov_12"


@dataclass
class Backend:
    source: Source
    config: SourceConfig
    """The database the source writes to (for the rollup check)."""
    world: SourceWorld


async def _sqlite(world: SourceWorld, directory: Path) -> SourceConfig:
    config = SourceConfig(SOURCE_ID, "sql", f"sqlite+aiosqlite:///{directory / 'w.db'}", COVERS)
    engine = create_source_engine(config)
    await write_contract_world(engine, world)
    await engine.dispose()
    return config


@pytest.fixture(scope="module", params=["sqlite", "postgres", "remote"])
async def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    world = build_world()
    directory = tmp_path_factory.mktemp(f"changes-{request.param}")
    if request.param == "postgres":
        require_postgres()
        config = await postgres_config(world, PG_SCHEMA)
    else:
        config = await _sqlite(world, directory)
    if request.param == "remote":
        keys = make_key_pair(directory)
        app = create_service_app(service_settings(config, keys.public))
        with running_service(app) as url:
            remote = RemoteSource(
                SourceConfig(SOURCE_ID, "remote", url, COVERS, timeout=10.0), keys.signer()
            )
            await remote.open()
            yield Backend(remote, config, world)
            await remote.close()
        return
    sql = SqlSource(config)
    yield Backend(sql, config, world)
    await sql.close()


def pick(world: SourceWorld, used: set[str], test: Callable[[dict[str, Any]], bool]) -> str:
    """A complaint of the world no earlier test of the module changed."""
    found = str(next(c["id"] for c in world.complaints if c["id"] not in used and test(c)))
    used.add(found)
    return found


@pytest.fixture(scope="module")
def used() -> set[str]:
    return set()


async def read(source: Source, complaint_id: str) -> ComplaintRecord:
    (record,) = await source.fetch_complaints([complaint_id], EVERYTHING, COMPLAINT_FIELDS)
    return record


async def rollups_match(config: SourceConfig) -> None:
    engine = create_source_engine(config)
    try:
        assert set((await verify(engine)).values()) == {0}
    finally:
        await engine.dispose()


def verify_change(complaint_id: str, version: int = 1, **values: object) -> ComplaintChange:
    return ComplaintChange(
        complaint_id=complaint_id,
        expected_version=version,
        at=AT,
        actor_agency="12.71-DINKES",
        values=tuple(values.items()),
        note="berkas lengkap",
    )


async def test_a_change_is_applied_whole(backend: Backend, used: set[str]) -> None:
    source, world = backend.source, backend.world
    complaint_id = pick(
        world, used, lambda c: c["status"] == "SUBMITTED" and c["region_code"] == "12.71"
    )
    before = await source.fetch_status_events([complaint_id], EVERYTHING)
    outcome = await source.apply_change(
        verify_change(complaint_id, status="VERIFIED", verified_at=AT), EVERYTHING
    )
    assert outcome == ChangeOutcome(ChangeResult.APPLIED, version=2, status="VERIFIED")
    record = await read(source, complaint_id)
    assert (record.status, record.verified_at) == ("VERIFIED", AT)
    events = await source.fetch_status_events([complaint_id], EVERYTHING)
    assert len(events) == len(before) + 1
    (added,) = [event for event in events if event not in before]
    assert (added.from_status, added.to_status, added.at, added.actor_agency, added.note) == (
        "SUBMITTED",
        "VERIFIED",
        AT,
        "12.71-DINKES",
        "berkas lengkap",
    )
    await rollups_match(backend.config)
    # The next change holds the new version.
    again = await source.apply_change(
        verify_change(complaint_id, 2, status="DISPOSED", disposed_at=AT), EVERYTHING
    )
    assert again == ChangeOutcome(ChangeResult.APPLIED, version=3, status="DISPOSED")
    await rollups_match(backend.config)


async def test_a_stale_version_changes_nothing(backend: Backend, used: set[str]) -> None:
    source, world = backend.source, backend.world
    complaint_id = pick(world, used, lambda c: c["status"] == "IN_PROGRESS")
    events = await source.fetch_status_events([complaint_id], EVERYTHING)
    first = await source.apply_change(verify_change(complaint_id, status="RESPONDED"), EVERYTHING)
    assert first.result is ChangeResult.APPLIED
    stale = await source.apply_change(
        verify_change(complaint_id, status="COMPLETED", finished_at=AT), EVERYTHING
    )
    assert stale == ChangeOutcome(ChangeResult.VERSION_CONFLICT, version=2, status="RESPONDED")
    record = await read(source, complaint_id)
    assert (record.status, record.finished_at) == ("RESPONDED", None)
    assert len(await source.fetch_status_events([complaint_id], EVERYTHING)) == len(events) + 1


async def test_out_of_scope_answers_like_missing_and_writes_nothing(
    backend: Backend, used: set[str]
) -> None:
    source, world = backend.source, backend.world
    complaint_id = pick(world, used, lambda c: c["region_code"] == "12.72")
    medan = RowScope(region="12.71")
    outcome = await source.apply_change(verify_change(complaint_id, status="ON_HOLD"), medan)
    assert outcome == ChangeOutcome(ChangeResult.NOT_FOUND)
    missing = await source.apply_change(verify_change("12.72-9999999", status="ON_HOLD"), medan)
    assert missing == outcome
    # The public's scope reads published complaints and writes none, published or not.
    published = RowScope(region=None, published_only=True)
    public_id = pick(
        world, used, lambda c: c["verified_at"] is not None and c["is_confidential"] is False
    )
    for target in (complaint_id, public_id):
        refused = await source.apply_change(verify_change(target, status="ON_HOLD"), published)
        assert refused == ChangeOutcome(ChangeResult.NOT_FOUND)
        assert (await read(source, target)).status != "ON_HOLD"


async def test_two_writers_holding_one_version_one_wins(backend: Backend, used: set[str]) -> None:
    source, world = backend.source, backend.world
    complaint_id = pick(world, used, lambda c: c["status"] == "VERIFIED")
    outcomes = await asyncio.gather(
        *(
            source.apply_change(verify_change(complaint_id, status=status), EVERYTHING)
            for status in ("DISPOSED", "REJECTED", "ON_HOLD")
        )
    )
    applied = [outcome for outcome in outcomes if outcome.result is ChangeResult.APPLIED]
    assert len(applied) == 1
    winner = applied[0].status
    assert winner is not None
    assert all(
        outcome == ChangeOutcome(ChangeResult.VERSION_CONFLICT, version=2, status=winner)
        for outcome in outcomes
        if outcome.result is not ChangeResult.APPLIED
    )
    assert (await read(source, complaint_id)).status == winner
    events = await source.fetch_status_events([complaint_id], EVERYTHING)
    assert [event.to_status for event in events].count(winner) >= 1
    await rollups_match(backend.config)


def test_a_change_of_a_column_it_may_not_set_is_refused() -> None:
    for column in ("id", "body", "reporter_id", "submitted_at", "record_key", "version"):
        with pytest.raises(ValueError, match="cannot set"):
            ComplaintChange("12.71-0000001", 1, AT, None, ((column, "x"),))
    with pytest.raises(ValueError, match="once"):
        ComplaintChange("12.71-0000001", 1, AT, None, (("status", "A"), ("status", "B")))
    with pytest.raises(ValueError, match="start at 1"):
        ComplaintChange("12.71-0000001", 0, AT, None, (("status", "A"),))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_concurrent_changes_into_one_new_group_keep_the_rollups_exact(
    kind: str, tmp_path: Path
) -> None:
    """24 complaints, each in a group of its own (their deadlines fall in different months),
    move at once into one group no row holds yet. On PostgreSQL, unlocked, writers found it
    missing together and each inserted it: an outside test counted 48 for 24."""
    base = datetime(2023, 3, 1, 8, 0)
    world = SourceWorld(agencies=[make_agency("12.71")]).add(
        make_complaint(
            "12.71",
            status="IN_PROGRESS",
            submitted_at=base + timedelta(hours=index),
            completion_due_at=datetime(2024, 1 + index % 12, 1) + timedelta(days=index),
        )
        for index in range(24)
    )
    if kind == "postgres":
        require_postgres()
        await (await fresh_postgres_schema("t_changes_race")).dispose()
        config = SourceConfig("reg-12.71", "sql", POSTGRES_URL, ("12.71",), schema="t_changes_race")
    else:
        config = SourceConfig(
            "reg-12.71", "sql", f"sqlite+aiosqlite:///{tmp_path}/r.db", ("12.71",)
        )
    engine = create_source_engine(config)
    await write_world(engine, world)
    await engine.dispose()
    source = SqlSource(config)
    try:
        due = datetime(2031, 1, 15, 12, 0)  # a deadline month no complaint has
        moves = [
            verify_change(complaint["id"], status="ON_HOLD", completion_due_at=due)
            for complaint in world.complaints
        ]
        outcomes = await asyncio.gather(*(source.apply_change(m, EVERYTHING) for m in moves))
        assert all(outcome.result is ChangeResult.APPLIED for outcome in outcomes)
        await rollups_match(config)
        # A later change into the group is counted once, not once per row the group holds.
        again = verify_change(world.complaints[0]["id"], 2, status="VERIFIED")
        assert (await source.apply_change(again, EVERYTHING)).result is ChangeResult.APPLIED
        await rollups_match(config)
    finally:
        await source.close()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((("status", "PWNED"),), "cannot be 'PWNED'"),
        ((("status", "completed"),), "cannot be 'completed'"),
        ((("tier", "GALACTIC"),), "cannot be 'GALACTIC'"),
        ((("status", None),), "cannot be null"),
        ((("agency_code", None),), "cannot be null"),
        ((("completion_due_at", None),), "cannot be null"),
        ((("closure_kind", "x" * 65),), "1 to 64"),
        ((("closure_kind", ""),), "1 to 64"),
        ((("verified_at", "2024-01-01"),), "naive UTC timestamp"),
        ((("verified_at", datetime(2024, 1, 1, tzinfo=UTC)),), "naive UTC timestamp"),
        ((("region_code", "12.72"),), "set together"),
        ((("region_code", "12.72"), ("province_code", "12"), ("regency_code", "12.71")), "those"),
        ((("region_code", "12.72"), ("province_code", "31"), ("regency_code", "12.72")), "those"),
        ((("region_code", None), ("province_code", "12"), ("regency_code", None)), "those"),
    ],
)
def test_a_value_the_schema_cannot_carry_is_refused(
    values: tuple[tuple[str, object], ...], message: str
) -> None:
    """One such row would make every read of its source answer SOURCE_BAD_RESPONSE."""
    with pytest.raises(ValueError, match=message):
        ComplaintChange("12.71-0000001", 1, AT, None, values)


async def test_a_change_cannot_move_a_complaint_out_of_the_scope(
    backend: Backend, used: set[str]
) -> None:
    source, world = backend.source, backend.world
    complaint_id = pick(world, used, lambda c: c["region_code"] == "12.71")
    before = await read(source, complaint_id)
    elsewhere = (("region_code", "12.72"), ("province_code", "12"), ("regency_code", "12.72"))
    outcome = await source.apply_change(
        ComplaintChange(complaint_id, 1, AT, None, elsewhere), RowScope(region="12.71")
    )
    assert outcome == ChangeOutcome(ChangeResult.OUT_OF_SCOPE, version=1, status=before.status)
    assert await read(source, complaint_id) == before
    # Inside a wider scope the same move is a change like any other.
    moved = await source.apply_change(
        ComplaintChange(complaint_id, 1, AT, None, elsewhere), RowScope(region="12")
    )
    assert moved.result is ChangeResult.APPLIED
    assert (await read(source, complaint_id)).region_code == "12.72"
    await rollups_match(backend.config)
