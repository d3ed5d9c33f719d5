"""The demo seed: calibrated volumes and rates, a consistent lifecycle, writers."""

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Session

from gateway.demo.seed import SourceData, generate_source, seed_demo, write_async, write_sqlite
from gateway.demo.seed import run as seed_run
from gateway.demo.seed.calendar import HOLIDAYS, JOINT_LEAVE
from gateway.demo.seed.calibration import WINDOW_END, WINDOW_START, apportion
from gateway.demo.topology import DemoSource, demo_topology
from gateway.domain import RESOLVED_STATUSES, ComplaintStatus
from gateway.regions import NATIONAL, is_inside, load_regions
from gateway.sources.models import ComplaintRow
from gateway.sources.records import RECORD_KEY_RANGE
from tests.conftest import POSTGRES_URL, require_postgres

REGIONS = load_regions()
SOURCES = {source.id: source for source in demo_topology(REGIONS)}
RESOLVED = {status.value for status in RESOLVED_STATUSES}
DAYS_OFF = {date.fromisoformat(day) for day, _ in HOLIDAYS} | {
    date.fromisoformat(day) for day in JOINT_LEAVE
}
STAGES = ("submitted_at", "verified_at", "disposed_at", "in_progress_at", "responded_at")
Row = dict[str, Any]


@pytest.fixture(scope="module")
def north_sumatra() -> dict[str, SourceData]:
    """The 34 sources handling complaints inside `12`, at full size (they ignore scale)."""
    return {
        source.id: generate_source(source, REGIONS)
        for source in SOURCES.values()
        if source.home_regions[0] != NATIONAL and is_inside(source.home_regions[0], "12")
    }


@pytest.fixture(scope="module")
def everywhere(north_sumatra: dict[str, SourceData]) -> dict[str, SourceData]:
    """All 72 sources; outside North Sumatra at a small scale."""
    others = {
        source_id: generate_source(source, REGIONS, scale=0.05)
        for source_id, source in SOURCES.items()
        if source_id not in north_sumatra
    }
    return north_sumatra | others


def complaints(sources: dict[str, SourceData]) -> Iterator[Row]:
    for data in sources.values():
        yield from data.complaints


def resolution_rate(rows: list[Row]) -> float:
    verified = [row for row in rows if row["verified_at"] is not None]
    return sum(row["status"] in RESOLVED for row in verified) / len(verified)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in DAYS_OFF


def three_working_days_after(moment: datetime) -> datetime:
    day, counted = moment.date(), 0
    while counted < 3:
        day += timedelta(1)
        counted += is_working_day(day)
    return datetime.combine(day, moment.time())


def test_north_sumatra_counts_match_the_published_figures(
    north_sumatra: dict[str, SourceData],
) -> None:
    by_year = Counter(row["submitted_year"] for row in complaints(north_sumatra))

    assert len(north_sumatra) == 34
    assert by_year[2022] == 34_375
    assert by_year[2023] == 48_805
    assert 50_000 <= by_year[2024] <= 54_000
    assert 13_000 <= by_year[2025] <= 17_000


def test_north_sumatra_resolution_rates_match_the_published_figures(
    north_sumatra: dict[str, SourceData],
) -> None:
    rows = list(complaints(north_sumatra))
    in_2022 = [row for row in rows if row["submitted_year"] == 2022]
    early_2024 = [
        row for row in rows if row["submitted_year"] == 2024 and row["submitted_month"] <= 3
    ]

    assert round(resolution_rate(in_2022), 4) == 0.7828
    assert round(resolution_rate(early_2024), 4) == 0.9232


def test_recent_complaints_are_more_often_open(north_sumatra: dict[str, SourceData]) -> None:
    def open_share(year: int) -> float:
        rows = [row for row in complaints(north_sumatra) if row["submitted_year"] == year]
        return sum(row["finished_at"] is None for row in rows) / len(rows)

    assert open_share(2025) > 1.5 * open_share(2022)


def test_medan_is_the_largest_source_and_the_province_has_a_good_share(
    north_sumatra: dict[str, SourceData],
) -> None:
    sizes = Counter({source_id: len(data.complaints) for source_id, data in north_sumatra.items()})
    total = sum(sizes.values())

    assert sizes.most_common(1)[0][0] == "reg-12.71"
    assert sizes["prov-12"] > 0.1 * total
    assert min(sizes.values()) > 100


def test_other_regions_resolve_plausibly_and_scale() -> None:
    small = generate_source(SOURCES["prov-35"], REGIONS, scale=0.5)
    full = generate_source(SOURCES["prov-35"], REGIONS)
    in_2022 = [row for row in full.complaints if row["submitted_year"] == 2022]

    assert 0.6 <= resolution_rate(in_2022) <= 0.9
    assert 0.4 < len(small.complaints) / len(full.complaints) < 0.6
    assert 1_500 < len(in_2022) < 4_000  # a large province: more than the 1,200 average


def test_generation_is_deterministic() -> None:
    for source_id, scale in (("reg-12.73", 1.0), ("national", 0.2), ("prov-91", 0.3)):
        first = generate_source(SOURCES[source_id], REGIONS, scale=scale)
        second = generate_source(SOURCES[source_id], REGIONS, scale=scale)

        assert first == second
        assert first.complaints


def test_status_history_is_a_chain_ending_in_the_final_status(
    everywhere: dict[str, SourceData],
) -> None:
    statuses = {status.value for status in ComplaintStatus}
    for data in everywhere.values():
        history: dict[str, list[Row]] = defaultdict(list)
        for event in data.status_events:
            history[event["complaint_id"]].append(event)
        for row in data.complaints:
            events = history[row["id"]]
            assert (events[0]["from_status"], events[0]["to_status"]) == (None, "SUBMITTED")
            assert events[0]["at"] == row["submitted_at"]
            for before, after in pairwise(events):
                assert after["from_status"] == before["to_status"] != after["to_status"]
                assert before["at"] <= after["at"]
                assert after["to_status"] in statuses
            assert events[-1]["to_status"] == row["status"]


def test_stage_times_are_ordered_and_inside_the_window(
    everywhere: dict[str, SourceData],
) -> None:
    for row in complaints(everywhere):
        stages = [row[column] for column in (*STAGES, "finished_at")]
        reached = [moment for moment in stages if moment is not None]

        assert reached == sorted(reached)
        assert reached[0] >= WINDOW_START
        assert reached[-1] <= WINDOW_END
        assert WINDOW_START.date() <= row["incident_date"] <= row["submitted_at"].date()
        assert (row["submitted_year"], row["submitted_month"]) == (
            row["submitted_at"].year,
            row["submitted_at"].month,
        )
    for data in everywhere.values():
        for event in (*data.status_events, *data.dispositions, *data.follow_ups):
            assert WINDOW_START <= event["at"] <= WINDOW_END


def test_stage_columns_agree_with_the_status(everywhere: dict[str, SourceData]) -> None:
    for row in complaints(everywhere):
        status = row["status"]
        if status in RESOLVED:
            assert row["closure_kind"] == status
            assert None not in (row["verified_at"], row["responded_at"], row["finished_at"])
        elif status == "REJECTED":
            assert row["closure_kind"] in {"UNCLEAR", "OUT_OF_SCOPE", "DUPLICATE"}
            assert row["verified_at"] is None
            assert row["finished_at"] is not None
        elif status == "SUBMITTED":
            assert row["verified_at"] is None
            assert row["finished_at"] is None
        else:
            assert row["closure_kind"] is None
            assert row["finished_at"] is None
            assert row["verified_at"] is not None


def test_verify_due_is_three_working_days_after_submission(
    north_sumatra: dict[str, SourceData],
) -> None:
    for row in north_sumatra["reg-12.71"].complaints:
        assert row["verify_due_at"] == three_working_days_after(row["submitted_at"])
        assert is_working_day(row["verify_due_at"].date())


def test_completion_due_follows_the_ceiling_and_some_complaints_miss_it(
    north_sumatra: dict[str, SourceData],
) -> None:
    ceilings = {"ASPIRATION": 5, "INFORMATION_REQUEST": 5}
    rows = north_sumatra["prov-12"].complaints
    for row in rows:
        ceiling = ceilings.get(row["type"]) or (60 if row["with_investigation"] else 14)
        start = row["verified_at"] or row["submitted_at"]
        working = [start.date() + timedelta(n) for n in range(1, 4 * ceiling)]
        due = [day for day in working if is_working_day(day)][ceiling - 1]

        assert row["completion_due_at"] == datetime.combine(due, start.time())
    late = [
        row for row in rows if row["finished_at"] and row["finished_at"] > row["completion_due_at"]
    ]
    overdue = [
        row for row in rows if not row["finished_at"] and row["completion_due_at"] < WINDOW_END
    ]
    assert 0.05 * len(rows) < len(late) < 0.5 * len(rows)
    assert overdue


def test_types_channels_and_flags_have_realistic_shares(
    north_sumatra: dict[str, SourceData],
) -> None:
    rows = list(complaints(north_sumatra))
    types = Counter(row["type"] for row in rows)
    complaint_rows = [row for row in rows if row["type"] == "COMPLAINT"]
    investigated = sum(bool(row["with_investigation"]) for row in complaint_rows)

    assert 0.5 < types["COMPLAINT"] / len(rows) < 0.6
    assert 0.15 < investigated / len(complaint_rows) < 0.25
    assert {row["with_investigation"] for row in rows if row["type"] != "COMPLAINT"} == {None}
    assert set(Counter(row["channel"] for row in rows)) == {
        "WEB", "SMS", "APP", "SOCIAL_MEDIA", "AGENCY_CHANNEL"
    }  # fmt: skip
    assert 0.12 < sum(row["is_anonymous"] is True for row in rows) / len(rows) < 0.18
    assert 0.06 < sum(row["is_confidential"] is True for row in rows) / len(rows) < 0.10
    unknown = [row for row in rows if row["is_anonymous"] is None]
    assert 0.005 < len(unknown) / len(rows) < 0.02
    assert all(row["is_confidential"] is None for row in unknown)


def test_anonymous_complaints_have_no_reporter(everywhere: dict[str, SourceData]) -> None:
    for data in everywhere.values():
        reporters = {reporter["id"] for reporter in data.reporters}
        for row in data.complaints:
            if row["is_anonymous"]:
                assert row["reporter_id"] is None
            else:
                assert row["reporter_id"] in reporters


def test_reporters_look_indonesian(north_sumatra: dict[str, SourceData]) -> None:
    for reporter in north_sumatra["reg-12.71"].reporters:
        assert re.fullmatch(r"1271\d{12}", reporter["nik"])
        assert re.fullmatch(r"\+628\d{9,11}", reporter["phone"])
        assert reporter["email"] is None or "@" in reporter["email"]
    for reporter in north_sumatra["prov-12"].reporters:
        assert reporter["nik"].startswith("12")


def test_ids_and_tracking_ids_are_unique_across_all_sources(
    everywhere: dict[str, SourceData],
) -> None:
    ids = [row["id"] for row in complaints(everywhere)]
    tracking = [row["tracking_id"] for row in complaints(everywhere)]

    assert len(everywhere) == 72
    assert len(set(ids)) == len(ids)
    assert len(set(tracking)) == len(tracking)
    for row in complaints(everywhere):
        assert row["id"] == f"{row['region_code'] or 'KL'}-{row['id'][-7:]}"
        assert re.fullmatch(r"LPR\d{14}", row["tracking_id"])
        assert row["tracking_id"][3:9] == row["submitted_at"].strftime("%y%m%d")


def test_handling_region_columns_are_denormalised(everywhere: dict[str, SourceData]) -> None:
    for source_id, data in everywhere.items():
        homes = SOURCES[source_id].home_regions
        for row in data.complaints:
            region = row["region_code"]
            assert (region or NATIONAL) in homes
            assert row["agency_code"].startswith(f"{region}-" if region else ("KL-", "BUMN-"))
            if region is None:
                assert (row["tier"], row["province_code"]) == ("NATIONAL", None)
            elif "." in region:
                assert (row["tier"], row["regency_code"]) == ("REGENCY", region)
                assert row["province_code"] == region[:2]
            else:
                assert (row["tier"], row["province_code"], row["regency_code"]) == (
                    "PROVINCIAL", region, None
                )  # fmt: skip
            assert is_inside(row["incident_region"], region or row["incident_region"][:2])


def test_agency_codes_encode_their_region_and_live_in_one_source(
    everywhere: dict[str, SourceData],
) -> None:
    owners = Counter(agency["code"] for data in everywhere.values() for agency in data.agencies)
    assert set(owners.values()) == {1}
    national = everywhere["national"].agencies
    assert {agency["kind"] for agency in national} == {"K/L", "BUMN"}
    assert 20 <= sum(agency["kind"] == "K/L" for agency in national) <= 25
    for data in everywhere.values():
        for agency in data.agencies:
            region = agency["region_code"]
            if region is None:
                assert agency["tier"] == "NATIONAL"
                assert agency["code"].startswith(("KL-", "BUMN-"))
            else:
                assert agency["code"].startswith(f"{region}-")
                assert agency["tier"] == ("REGENCY" if "." in region else "PROVINCIAL")
    names = {agency["code"]: agency["name"] for agency in everywhere["reg-12.71"].agencies}
    assert names["12.71-DINKES"] == "Dinas Kesehatan Kota Medan"


def test_dispositions_cross_tiers_to_agencies_that_exist(
    everywhere: dict[str, SourceData],
) -> None:
    known = {agency["code"] for data in everywhere.values() for agency in data.agencies}
    hops: Counter[str] = Counter()
    for data in everywhere.values():
        own = {agency["code"] for agency in data.agencies}
        assert {row["agency_code"] for row in data.complaints} <= own
        assert {row["agency_code"] for row in data.follow_ups} <= own
        for hop in data.dispositions:
            assert {hop["from_agency"], hop["to_agency"]} <= known
            hops[hop["complaint_id"]] += 1
        assert {event["actor_agency"] for event in data.status_events} <= known | {None}
    multi_hop = sum(count >= 2 for count in hops.values())
    assert 0.1 < multi_hop / len(hops) < 0.25
    medan = everywhere["reg-12.71"].dispositions
    assert any(
        hop["from_agency"] == "KL-KEMENPANRB" and hop["to_agency"].startswith("12-")
        for hop in medan
    )
    assert any(hop["from_agency"].startswith("12-") and hop["to_agency"] == "12.71-DINKES"
               for hop in medan)  # fmt: skip


def test_every_source_has_the_same_categories(everywhere: dict[str, SourceData]) -> None:
    catalogs = {tuple(row["code"] for row in data.categories) for data in everywhere.values()}
    assert len(catalogs) == 1
    codes = next(iter(catalogs))
    assert 18 <= len(codes) <= 22
    assert {"KESEHATAN", "ADMINISTRASI_KEPENDUDUKAN", "ENERGI_LISTRIK"} <= set(codes)


def test_texts_are_indonesian_and_mention_the_incident_region(
    north_sumatra: dict[str, SourceData],
) -> None:
    for row in north_sumatra["reg-12.71"].complaints[:500]:
        assert row["title"].endswith("di Kota Medan")
        assert "Kota Medan" in row["body"]
        assert len(re.findall(r"[.?] ", row["body"])) >= 1  # two sentences or more
        assert row["body"].endswith(".")


@pytest.mark.parametrize(
    ("total", "weights"),
    [(10, [1.0, 1.0, 1.0]), (34_375, [3.0, 0.1, 7.5, 1.25]), (0, [1.0, 2.0])],
)
def test_apportion_sums_exactly(total: int, weights: list[float]) -> None:
    parts = apportion(total, weights)

    assert sum(parts) == total
    assert all(
        abs(part - total * w / sum(weights)) < 1 for part, w in zip(parts, weights, strict=True)
    )


def test_write_sqlite_round_trips_through_sqlmodel(
    north_sumatra: dict[str, SourceData], tmp_path: Path
) -> None:
    data = north_sumatra["reg-12.73"]
    path = tmp_path / "reg-12.73.db"
    path.write_text("not a database")  # an old file is replaced

    write_sqlite(path, data)

    with sqlite3.connect(path) as connection:
        for table, rows in (
            ("agency", data.agencies),
            ("reporter", data.reporters),
            ("complaint", data.complaints),
            ("status_event", data.status_events),
            ("disposition", data.dispositions),
            ("follow_up", data.follow_ups),
        ):
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (len(rows),)  # noqa: S608
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        stored = session.get(ComplaintRow, data.complaints[-1]["id"])
        later = session.scalar(
            select(func.count())
            .select_from(ComplaintRow)
            .where(ComplaintRow.submitted_at >= data.complaints[-1]["submitted_at"])
        )
    engine.dispose()
    assert stored is not None
    stored_fields = stored.model_dump()
    # The secret record key is drawn when the row is stored, not by the generator.
    assert 0 <= stored_fields.pop("record_key") < RECORD_KEY_RANGE
    assert stored_fields == data.complaints[-1]
    assert later == 1  # stored datetimes compare like SQLAlchemy's own bound parameters


async def test_write_async_round_trips_on_aiosqlite(
    north_sumatra: dict[str, SourceData], tmp_path: Path
) -> None:
    data = north_sumatra["reg-12.15"]
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'async.db'}")
    try:
        await write_async(engine, data)
        async with engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(ComplaintRow))
            events = await connection.scalar(text("SELECT count(*) FROM status_event"))
    finally:
        await engine.dispose()
    assert (count, events) == (len(data.complaints), len(data.status_events))


@pytest.mark.postgres
async def test_write_async_on_postgres_leaves_sequences_usable(
    north_sumatra: dict[str, SourceData],
) -> None:
    require_postgres()
    data = north_sumatra["reg-12.15"]
    schema = "seed_test"
    admin = create_async_engine(POSTGRES_URL)
    engine = create_async_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
        await write_async(engine, data)
        async with engine.begin() as connection:
            count = await connection.scalar(select(func.count()).select_from(ComplaintRow))
            added = await connection.scalar(
                text("INSERT INTO reporter (name) VALUES ('Budi') RETURNING id")
            )
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await engine.dispose()
        await admin.dispose()
    assert count == len(data.complaints)
    assert added == len(data.reporters) + 1


def test_seed_demo_writes_one_database_per_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = [SOURCES["national"], SOURCES["prov-11"], SOURCES["reg-12.73"]]

    def topology(_: object) -> list[DemoSource]:
        return small

    monkeypatch.setattr(seed_run, "demo_topology", topology)
    lines: list[str] = []

    summary = seed_demo(tmp_path, scale=0.02, progress=lines.append)

    files = sorted(path.name for path in (tmp_path / "sources").iterdir())
    assert files == ["national.db", "prov-11.db", "reg-12.73.db"]
    assert [path.name for path in tmp_path.iterdir()] == ["sources"]  # no registry file
    assert summary.sources == 3
    assert summary.seconds > 0
    assert len(lines) == 3
    assert lines[-1].startswith("[3/3] ")
    stored = 0
    for name in files:
        with sqlite3.connect(tmp_path / "sources" / name) as connection:
            stored += connection.execute("SELECT count(*) FROM complaint").fetchone()[0]
    assert summary.complaints == stored
    assert re.search(r"reg-12\.73: [\d,]+ complaints", " ".join(lines))
