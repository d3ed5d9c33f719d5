"""A province whose regencies have small groups of unpublished and confidential complaints,
and the truth about them computed here in Python, apart from the gateway's code."""

import random
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from gateway.sources.records import RECORD_KEY_RANGE
from tests.factories import SourceWorld, make_agency, make_complaint

OWN = "12.71"
"""The attacker's own regency."""
TARGETS = ("12.72", "12.73", "12.74", "12.75", "12.76", "12.77", "12.78")
"""Regencies whose protected complaints the attacker is after."""
CATEGORIES = (
    ("KESEHATAN", 30),
    ("PENDIDIKAN", 25),
    ("INFRASTRUKTUR", 20),
    ("KEPENDUDUKAN", 10),
    ("LINGKUNGAN", 6),
    ("TRANSPORTASI", 4),
    ("SOSIAL", 3),
    ("PERIZINAN", 2),
)
STATUSES = (
    ("COMPLETED", 55),
    ("IN_PROGRESS", 20),
    ("VERIFIED", 8),
    ("SUBMITTED", 7),
    ("REJECTED", 3),
    ("CLOSED_BY_SYSTEM", 7),
)
CHANNELS = ("WEB", "SMS", "APP", "SOCIAL_MEDIA")
RESOLVED = frozenset({"COMPLETED", "CLOSED_BY_REPORTER", "CLOSED_BY_SYSTEM"})
UNVERIFIED = frozenset({"SUBMITTED", "REJECTED"})


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _complaint(rng: random.Random, region: str) -> dict[str, Any]:
    submitted = datetime(2022, 1, 3, 8) + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
    status = _weighted(rng, STATUSES)
    finished = submitted + timedelta(days=rng.randint(2, 40)) if status in RESOLVED else None
    return make_complaint(
        region,
        status=status,
        category_code=_weighted(rng, CATEGORIES),
        channel=rng.choice(CHANNELS),
        submitted_at=submitted,
        submitted_year=submitted.year,
        submitted_month=submitted.month,
        verified_at=None if status in UNVERIFIED else submitted + timedelta(days=1),
        finished_at=finished,
        completion_due_at=submitted + timedelta(days=rng.choice((14, 20, 30))),
        is_confidential=rng.random() < 0.08,
        record_key=rng.randrange(RECORD_KEY_RANGE),
    )


def build_worlds(per_regency: int = 360) -> dict[str, tuple[tuple[str, ...], SourceWorld]]:
    rng = random.Random(20261201)
    own = SourceWorld(agencies=[make_agency(OWN)])
    own.add(_complaint(rng, OWN) for _ in range(per_regency))
    province = SourceWorld(agencies=[make_agency(code) for code in TARGETS])
    province.add(_complaint(rng, code) for code in TARGETS for _ in range(per_regency))
    return {"reg-12.71": ((OWN,), own), "prov-12": (("12",), province)}


Row = dict[str, Any]


def is_listable(row: Row) -> bool:
    return row["verified_at"] is not None and row["is_confidential"] is False


def is_overdue(row: Row) -> bool:
    return bool(row["completion_due_at"] < (row["finished_at"] or datetime.now()))


def all_of(*predicates: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: all(predicate(row) for predicate in predicates)


class Truth:
    """Exact counts straight from the rows the sources hold."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows = list(rows)

    def count(self, where: Callable[[Row], bool]) -> int:
        return sum(1 for row in self.rows if where(row))

    def published(self, where: Callable[[Row], bool]) -> int:
        """Complaints anyone may list."""
        return self.count(lambda row: where(row) and is_listable(row))

    def protected(self, where: Callable[[Row], bool]) -> int:
        """Complaints of other regencies the attacker may not list."""
        return self.count(lambda row: where(row) and not is_listable(row))

    def small_cells(self, key: Callable[[Row], tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
        """Groups (of target regencies' rows) holding 1-4 protected complaints."""
        cells = Counter(
            key(row) for row in self.rows if row["regency_code"] in TARGETS and not is_listable(row)
        )
        return {cell: n for cell, n in cells.items() if 1 <= n <= 4}
