"""Working days (`hari kerja`) for the demo: weekends and national days off excluded.

Days off are data, as DESIGN.md §2 asks: the national holidays (`libur nasional`) and the joint
leave days (`cuti bersama`) that government offices close for, as set by the yearly joint decree
of the Ministers of Religious Affairs, Manpower and PANRB for 2022-2025.
"""

from bisect import bisect_left
from datetime import date, datetime, timedelta
from functools import cache

HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("2022-01-01", "Tahun Baru Masehi"),
    ("2022-02-01", "Tahun Baru Imlek 2573"),
    ("2022-02-28", "Isra Mikraj"),
    ("2022-03-03", "Hari Suci Nyepi"),
    ("2022-04-15", "Wafat Isa Almasih"),
    ("2022-05-01", "Hari Buruh"),
    ("2022-05-02", "Idul Fitri 1443 H"),
    ("2022-05-03", "Idul Fitri 1443 H"),
    ("2022-05-16", "Hari Raya Waisak"),
    ("2022-05-26", "Kenaikan Isa Almasih"),
    ("2022-06-01", "Hari Lahir Pancasila"),
    ("2022-07-10", "Idul Adha 1443 H"),
    ("2022-07-30", "Tahun Baru Islam 1444 H"),
    ("2022-08-17", "Hari Kemerdekaan"),
    ("2022-10-08", "Maulid Nabi Muhammad"),
    ("2022-12-25", "Hari Raya Natal"),
    ("2023-01-01", "Tahun Baru Masehi"),
    ("2023-01-22", "Tahun Baru Imlek 2574"),
    ("2023-02-18", "Isra Mikraj"),
    ("2023-03-22", "Hari Suci Nyepi"),
    ("2023-04-07", "Wafat Isa Almasih"),
    ("2023-04-22", "Idul Fitri 1444 H"),
    ("2023-04-23", "Idul Fitri 1444 H"),
    ("2023-05-01", "Hari Buruh"),
    ("2023-05-18", "Kenaikan Isa Almasih"),
    ("2023-06-01", "Hari Lahir Pancasila"),
    ("2023-06-04", "Hari Raya Waisak"),
    ("2023-06-29", "Idul Adha 1444 H"),
    ("2023-07-19", "Tahun Baru Islam 1445 H"),
    ("2023-08-17", "Hari Kemerdekaan"),
    ("2023-09-28", "Maulid Nabi Muhammad"),
    ("2023-12-25", "Hari Raya Natal"),
    ("2024-01-01", "Tahun Baru Masehi"),
    ("2024-02-08", "Isra Mikraj"),
    ("2024-02-10", "Tahun Baru Imlek 2575"),
    ("2024-03-11", "Hari Suci Nyepi"),
    ("2024-03-29", "Wafat Isa Almasih"),
    ("2024-03-31", "Hari Paskah"),
    ("2024-04-10", "Idul Fitri 1445 H"),
    ("2024-04-11", "Idul Fitri 1445 H"),
    ("2024-05-01", "Hari Buruh"),
    ("2024-05-09", "Kenaikan Isa Almasih"),
    ("2024-05-23", "Hari Raya Waisak"),
    ("2024-06-01", "Hari Lahir Pancasila"),
    ("2024-06-17", "Idul Adha 1445 H"),
    ("2024-07-07", "Tahun Baru Islam 1446 H"),
    ("2024-08-17", "Hari Kemerdekaan"),
    ("2024-09-16", "Maulid Nabi Muhammad"),
    ("2024-12-25", "Hari Raya Natal"),
    ("2025-01-01", "Tahun Baru Masehi"),
    ("2025-01-27", "Isra Mikraj"),
    ("2025-01-29", "Tahun Baru Imlek 2576"),
    ("2025-03-29", "Hari Suci Nyepi"),
    ("2025-03-31", "Idul Fitri 1446 H"),
    ("2025-04-01", "Idul Fitri 1446 H"),
    ("2025-04-18", "Wafat Isa Almasih"),
    ("2025-04-20", "Hari Paskah"),
    ("2025-05-01", "Hari Buruh"),
    ("2025-05-12", "Hari Raya Waisak"),
    ("2025-05-29", "Kenaikan Isa Almasih"),
    ("2025-06-01", "Hari Lahir Pancasila"),
    ("2025-06-06", "Idul Adha 1446 H"),
    ("2025-06-27", "Tahun Baru Islam 1447 H"),
    ("2025-08-17", "Hari Kemerdekaan"),
    ("2025-09-05", "Maulid Nabi Muhammad"),
    ("2025-12-25", "Hari Raya Natal"),
)

JOINT_LEAVE: tuple[str, ...] = (
    "2022-04-29", "2022-05-04", "2022-05-05", "2022-05-06", "2022-12-26",
    "2023-01-23", "2023-03-23", "2023-04-19", "2023-04-20", "2023-04-21", "2023-04-24",
    "2023-04-25", "2023-06-02", "2023-06-28", "2023-06-30", "2023-12-26",
    "2024-02-09", "2024-03-12", "2024-04-08", "2024-04-09", "2024-04-12", "2024-04-15",
    "2024-05-10", "2024-05-24", "2024-06-18", "2024-12-26",
    "2025-01-28", "2025-03-28", "2025-04-02", "2025-04-03", "2025-04-04", "2025-04-07",
    "2025-05-13", "2025-05-30", "2025-06-09", "2025-12-26",
)  # fmt: skip

# Wide enough for a 60-working-day ceiling counted from the last demo day.
_FIRST = date(2021, 12, 1)
_LAST = date(2025, 12, 31)


@cache
def days_off() -> frozenset[date]:
    """National holidays and joint leave days (weekends aside)."""
    return frozenset(date.fromisoformat(day) for day, _ in HOLIDAYS) | frozenset(
        date.fromisoformat(day) for day in JOINT_LEAVE
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off()


@cache
def working_days() -> list[date]:
    """Every working day of the calendar's span, in order: a working-day index is a position."""
    span = (_LAST - _FIRST).days + 1
    return [day for day in (_FIRST + timedelta(n) for n in range(span)) if is_working_day(day)]


@cache
def _ordinals() -> list[int]:
    return [day.toordinal() for day in working_days()]


def working_index(day: date) -> int:
    """Index of the first working day on or after `day`."""
    return bisect_left(_ordinals(), day.toordinal())


def working_date(index: int) -> date:
    return working_days()[index]


def add_working_days(moment: datetime, days: int) -> datetime:
    """The `days`-th working day after `moment`'s date, at the same time of day."""
    index = working_index(moment.date() + timedelta(1)) + days - 1
    return datetime.combine(working_date(index), moment.time())
