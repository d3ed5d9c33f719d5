"""Factories for hand-made sources: small worlds whose every row a test can name."""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from gateway.regions import province_of
from gateway.registry import SourceConfig
from gateway.sources.models import (
    AgencyRow,
    CategoryRow,
    ComplaintRow,
    DispositionRow,
    ReporterRow,
    StatusEventRow,
)
from gateway.sources.records import RECORD_KEY_RANGE
from gateway.sources.rollup import rebuild_statements
from gateway.sources.sql import create_source_engine

_serial = itertools.count(1)
BASE_TIME = datetime(2023, 3, 1, 9, 0)


def agency_code(region: str | None, slug: str = "DINKES") -> str:
    return f"{region or 'KL'}-{slug}"


def make_agency(region: str | None, slug: str = "DINKES", **overrides: Any) -> dict[str, Any]:
    tier = "NATIONAL" if region is None else ("PROVINCIAL" if "." not in region else "REGENCY")
    return {
        "code": agency_code(region, slug),
        "name": f"Dinas {slug.title()} {region or 'Nasional'}",
        "tier": tier,
        "kind": "K/L" if region is None else "OPD",
        "region_code": region,
        "parent_code": None,
        **overrides,
    }


def make_complaint(region: str | None = "12.71", **overrides: Any) -> dict[str, Any]:
    serial = next(_serial)
    submitted_at: datetime = overrides.pop("submitted_at", BASE_TIME + timedelta(hours=serial))
    status = overrides.pop("status", "COMPLETED")
    verified = status not in {"SUBMITTED", "REJECTED"}
    row = {
        "id": f"{region or 'KL'}-{serial:07d}",
        "tracking_id": f"LPR-T{serial:08d}",
        "type": "COMPLAINT",
        "with_investigation": False,
        "category_code": "KESEHATAN",
        "channel": "WEB",
        "title": f"Keluhan layanan nomor {serial}",
        "body": f"Isi laporan nomor {serial}.",
        "incident_date": date(2023, 2, 27),
        "incident_region": region or "31.71",
        "agency_code": agency_code(region),
        "tier": "NATIONAL"
        if region is None
        else ("PROVINCIAL" if "." not in region else "REGENCY"),
        "region_code": region,
        "province_code": province_of(region) if region else None,
        "regency_code": region if region and "." in region else None,
        "is_anonymous": False,
        "is_confidential": False,
        "reporter_id": None,
        "status": status,
        "closure_kind": None,
        "submitted_at": submitted_at,
        "verified_at": submitted_at + timedelta(days=1) if verified else None,
        "finished_at": submitted_at + timedelta(days=5) if status == "COMPLETED" else None,
        "verify_due_at": submitted_at + timedelta(days=3),
        "completion_due_at": submitted_at + timedelta(days=20),
        "submitted_year": submitted_at.year,
        "submitted_month": submitted_at.month,
        "version": 1,
        # Spread over the key range and known to tests, unlike the secret keys of real rows.
        "record_key": serial * 2_654_435_761 % RECORD_KEY_RANGE,
    }
    row.update(overrides)
    return row


def status_events_for(complaint: dict[str, Any]) -> list[dict[str, Any]]:
    events = [
        {
            "complaint_id": complaint["id"],
            "from_status": None,
            "to_status": "SUBMITTED",
            "at": complaint["submitted_at"],
            "actor_agency": None,
            "note": "diterima",
        }
    ]
    if complaint["status"] != "SUBMITTED":
        events.append(
            {
                "complaint_id": complaint["id"],
                "from_status": "SUBMITTED",
                "to_status": complaint["status"],
                "at": complaint["submitted_at"] + timedelta(days=1),
                "actor_agency": complaint["agency_code"],
                "note": None,
            }
        )
    return events


@dataclass
class SourceWorld:
    """The rows of one source."""

    agencies: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    dispositions: list[dict[str, Any]] = field(default_factory=list)
    reporters: list[dict[str, Any]] = field(default_factory=list)

    def add(self, complaints: Iterable[dict[str, Any]]) -> "SourceWorld":
        self.complaints.extend(complaints)
        return self


async def write_world(engine: AsyncEngine, world: SourceWorld) -> None:
    tables: list[tuple[type[SQLModel], list[dict[str, Any]]]] = [
        (AgencyRow, world.agencies),
        (
            CategoryRow,
            [
                {"code": "KESEHATAN", "name": "Kesehatan"},
                {"code": "PENDIDIKAN", "name": "Pendidikan"},
            ],
        ),
        (ReporterRow, world.reporters),
        (ComplaintRow, world.complaints),
        (StatusEventRow, [e for c in world.complaints for e in status_events_for(c)]),
        (DispositionRow, world.dispositions),
    ]
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.run_sync(SQLModel.metadata.create_all)
        for model, rows in tables:
            if rows:
                await connection.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
        for statement in rebuild_statements(connection.dialect.name):
            await connection.execute(statement)


Worlds = dict[str, tuple[tuple[str, ...], SourceWorld]]
"""Source id -> (the regions it covers, its rows)."""


async def write_sqlite_sources(worlds: Worlds, directory: Path) -> list[SourceConfig]:
    """One SQLite file per source under `directory`, its world written in, and its config."""
    configs = []
    for source_id, (covers, world) in worlds.items():
        url = f"sqlite+aiosqlite:///{directory / source_id}.db"
        config = SourceConfig(source_id, "sql", url, covers)
        engine = create_source_engine(config)
        await write_world(engine, world)
        await engine.dispose()
        configs.append(config)
    return configs
