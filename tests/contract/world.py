"""The contract suite's one source: a provincial data centre (`12`) with two regencies, a few
national rows, ties on `submitted_at`, every flag, filter value and child table, plus a
Python oracle of what the SQL filters mean (so SQLite itself is checked, not only copied).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.policy import RowScope
from gateway.regions import level_of
from gateway.sources.base import ComplaintCriteria
from gateway.sources.models import FollowUpRow
from gateway.sources.records import RECORD_KEY_RANGE, StatsPart
from tests.factories import SourceWorld, make_agency, make_complaint, write_world

SOURCE_ID = "prov-12"
COVERS = ("12",)
NOW = datetime(2023, 6, 1, 12, 0)
START = datetime(2023, 3, 1, 8, 0)
TIE = datetime(2023, 4, 15, 10, 30)

_STATUSES = ("COMPLETED", "IN_PROGRESS", "SUBMITTED", "ESCALATED", "VERIFIED", "REJECTED")
_TYPES = ("COMPLAINT", "ASPIRATION", "INFORMATION_REQUEST")
_CHANNELS = ("WEB", "SMS", "APP")


def _complaint(region: str | None, index: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "submitted_at": START + timedelta(hours=7 * index, minutes=index % 5),
        "status": _STATUSES[index % len(_STATUSES)],
        "type": _TYPES[index % len(_TYPES)],
        "channel": _CHANNELS[index % len(_CHANNELS)],
        "category_code": "PENDIDIKAN" if index % 4 == 0 else "KESEHATAN",
        "incident_region": "12.72" if index % 5 == 0 else (region or "31.71"),
        "incident_date": date(2023, 2, 1) + timedelta(days=index),
        "title": "Jalan rusak di kelurahan" if index % 6 == 0 else f"Keluhan layanan {index}",
        **overrides,
    }
    return make_complaint(region, **values)


def build_world() -> SourceWorld:
    """About fifty complaints; every row a test needs is reachable by a predicate."""
    world = SourceWorld(
        agencies=[
            make_agency("12"),
            make_agency("12.71"),
            make_agency("12.71", "DISDIK"),
            make_agency("12.72"),
            make_agency(None, "KEMENKES"),
        ],
        reporters=[
            {
                "id": i,
                "name": f"Pelapor {i}",
                "nik": f"12710000000000{i:02d}",
                "phone": None,
                "email": f"p{i}@example.id",
            }
            for i in range(1, 6)
        ],
    )
    world.add(_complaint("12", i) for i in range(6))
    world.add(_complaint("12.71", i) for i in range(6, 26))
    world.add(_complaint("12.72", i) for i in range(26, 36))
    world.add(_complaint(None, i, agency_code="KL-KEMENKES") for i in range(36, 39))
    # Ties on submitted_at across regions: the keyset must break them on the id.
    world.add(_complaint(region, 40 + i, submitted_at=TIE) for i, region in
              enumerate(("12", "12.71", "12.71", "12.72", None)))  # fmt: skip
    medan = [c for c in world.complaints if c["region_code"] == "12.71"]
    medan[0].update(is_confidential=True, body="Isi 100% rahasia_ pelapor")
    medan[1].update(is_anonymous=None, is_confidential=None)
    medan[2].update(is_anonymous=True, reporter_id=1)
    medan[3].update(reporter_id=2, agency_code="12.71-DISDIK")
    medan[4].update(reporter_id=3, with_investigation=True, closure_kind="RESOLVED")
    binjai = next(c for c in world.complaints if c["region_code"] == "12.72")
    binjai.update(reporter_id=4)
    provincial = next(c for c in world.complaints if c["region_code"] == "12")
    provincial.update(reporter_id=5)
    for complaint in world.complaints[::3]:
        world.dispositions.append(
            {"complaint_id": complaint["id"], "from_agency": "12-DINKES",
             "to_agency": complaint["agency_code"],
             "at": complaint["submitted_at"] + timedelta(hours=3),
             "reason": None if len(world.dispositions) % 2 else "kewenangan"}
        )  # fmt: skip
    return world


def follow_ups(world: SourceWorld) -> list[dict[str, Any]]:
    return [
        {"complaint_id": c["id"], "agency_code": c["agency_code"],
         "at": c["submitted_at"] + timedelta(days=2, minutes=n), "body": f"Tindak lanjut {n}"}
        for c in world.complaints[::3]
        for n in range(2)
    ]  # fmt: skip


async def write_contract_world(engine: AsyncEngine, world: SourceWorld) -> None:
    await write_world(engine, world)
    async with engine.begin() as connection:
        await connection.execute(insert(FollowUpRow.__table__), follow_ups(world))  # type: ignore[attr-defined]


# --- Oracle --------------------------------------------------------------------------------


def _inside(row: dict[str, Any], code: str) -> bool:
    column = "province_code" if level_of(code) == "PROVINCE" else "regency_code"
    return bool(row[column] == code)


def in_scope(row: dict[str, Any], scope: RowScope) -> bool:
    if scope.region is not None and not (scope.region and _inside(row, scope.region)):
        return False
    return not scope.published_only or (
        row["verified_at"] is not None and row["is_confidential"] is False
    )


def matches(row: dict[str, Any], criteria: ComplaintCriteria) -> bool:
    """What `criteria_predicate` means, in Python."""
    c = criteria
    text = (c.text or "").lower()
    overdue = row["completion_due_at"] < (row["finished_at"] or c.now)
    checks = (
        in_scope(row, c.scope),
        c.region is None or _inside(row, c.region),
        c.incident_region is None
        or row["incident_region"] == c.incident_region
        or row["incident_region"].startswith(c.incident_region + "."),
        c.agency is None or row["agency_code"] == c.agency,
        c.tier is None or row["tier"] == c.tier.value,
        not c.statuses or row["status"] in c.statuses,
        not c.types or row["type"] in c.types,
        not c.categories or row["category_code"] in c.categories,
        not c.channels or row["channel"] in c.channels,
        c.submitted_from is None or row["submitted_at"] >= c.submitted_from,
        c.submitted_before is None or row["submitted_at"] < c.submitted_before,
        c.overdue is None or overdue == c.overdue,
        not text or text in row["title"].lower() or text in row["body"].lower(),
    )
    return all(checks)


def expected_ids(world: SourceWorld, criteria: ComplaintCriteria, *, descending: bool) -> list[str]:
    rows = [row for row in world.complaints if matches(row, criteria)]
    rows.sort(key=lambda row: (row["submitted_at"], row["id"]), reverse=descending)
    return [row["id"] for row in rows]


@dataclass(frozen=True)
class PartTotals:
    count: int = 0
    verified: int = 0
    key: int = 0
    verified_key: int = 0


def expected_parts(
    world: SourceWorld, criteria: ComplaintCriteria, split: RowScope | None
) -> dict[StatsPart, PartTotals]:
    """Per part (own, listable, protected), what the matching rows count and their key sums."""
    totals = {part: PartTotals() for part in StatsPart}
    for row in world.complaints:
        if not matches(row, criteria):
            continue
        if split is not None and (split.unbounded or in_scope(row, split)):
            part = StatsPart.OWN
        elif row["verified_at"] is not None and row["is_confidential"] is False:
            part = StatsPart.LISTABLE
        else:
            part = StatsPart.PROTECTED
        verified = row["verified_at"] is not None
        old = totals[part]
        totals[part] = PartTotals(
            old.count + 1,
            old.verified + verified,
            (old.key + row["record_key"]) % RECORD_KEY_RANGE,
            (old.verified_key + row["record_key"] * verified) % RECORD_KEY_RANGE,
        )
    return totals
