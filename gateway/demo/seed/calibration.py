"""How many complaints each handling region gets, and how many of them are resolved.

North Sumatra (`12`) is calibrated to published figures whatever the scale: 34,375 complaints
in 2022 and 48,805 in 2023, a resolution rate of 78.28% in 2022 and 92.32% in January-March
2024 (resolved over complaints that reached VERIFIED, DESIGN.md §2). Totals per period are split
across its 34 handling regions by largest remainder, so the sums are exact. Elsewhere volumes
follow a simple model (about 1,200 complaints a year per province, 4,000 for K/L agencies)
multiplied by `scale`.
"""

from bisect import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from random import Random

from gateway.demo.seed.calendar import days_off
from gateway.domain import RegionKind
from gateway.regions import NATIONAL, RegionIndex, is_inside, province_of

CALIBRATED_PROVINCE = "12"
WINDOW_START = datetime(2022, 1, 1)
WINDOW_END = datetime(2025, 4, 24, 23, 59, 59)


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class Counts:
    submitted: int
    verified: int
    """Complaints that reached VERIFIED."""
    resolved: int
    """Complaints that ended COMPLETED, CLOSED_BY_REPORTER or CLOSED_BY_SYSTEM."""


# Periods are cut where a calibrated rate is measured (January-March 2024).
PERIODS = (
    Period(date(2022, 1, 1), date(2022, 12, 31)),
    Period(date(2023, 1, 1), date(2023, 12, 31)),
    Period(date(2024, 1, 1), date(2024, 3, 31)),
    Period(date(2024, 4, 1), date(2024, 12, 31)),
    Period(date(2025, 1, 1), WINDOW_END.date()),
)

NORTH_SUMATRA = (
    Counts(34_375, 32_500, 25_441),  # 25,441 / 32,500 = 0.78280
    Counts(48_805, 46_120, 39_663),
    Counts(12_500, 11_250, 10_386),  # 10,386 / 11,250 = 0.92320
    Counts(39_571, 37_190, 34_400),
    Counts(15_071, 13_340, 8_150),  # recent: many still open
)

# Population in thousands (2020 census): the weight of each regency/city's share.
_NS_POPULATION = {
    "12.01": 367, "12.02": 312, "12.03": 301, "12.04": 147, "12.05": 1030, "12.06": 404,
    "12.07": 1931, "12.08": 990, "12.09": 769, "12.10": 491, "12.11": 311, "12.12": 206,
    "12.13": 472, "12.14": 361, "12.15": 53, "12.16": 197, "12.17": 135, "12.18": 657,
    "12.19": 410, "12.20": 260, "12.21": 261, "12.22": 314, "12.23": 374, "12.24": 147,
    "12.25": 89, "12.71": 2435, "12.72": 268, "12.73": 89, "12.74": 176, "12.75": 291,
    "12.76": 172, "12.77": 225, "12.78": 136,
}  # fmt: skip
_NS_PROVINCIAL_SHARE = 0.16
_CITY_FACTOR = 1.5  # city dwellers report online more often
_CAPITAL_FACTOR = 1.4  # Medan also hosts the province's busiest offices

_NATIONAL_PER_YEAR = 4_000
_PROVINCE_PER_YEAR = 1_200
_PROVINCIAL_SHARE = 0.25  # of a province's complaints, handled by the provincial government
_GROWTH = {2022: 0.85, 2023: 1.0, 2024: 1.1, 2025: 1.15}

# UTC hours 00-15 (07-22 WIB): when people submit.
_HOUR_WEIGHTS = (3, 6, 8, 9, 9, 8, 7, 8, 7, 6, 5, 4, 4, 3, 2, 1)
_MONTH_WEIGHTS = (1.05, 1.0, 1.05, 0.95, 1.0, 1.0, 1.05, 1.0, 1.0, 1.05, 1.0, 0.85)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` by largest remainder; the parts sum exactly."""
    whole = sum(weights)
    quotas = [total * weight / whole for weight in weights]
    parts = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (parts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def region_plan(home: str, regions: RegionIndex, scale: float) -> tuple[Counts, ...]:
    """Counts per period (aligned with `PERIODS`) for one handling region or `NATIONAL`."""
    if home != NATIONAL and is_inside(home, CALIBRATED_PROVINCE):
        return _north_sumatra()[home]
    yearly = _NATIONAL_PER_YEAR if home == NATIONAL else _regional_per_year(home, regions)
    rng = Random(f"plan:{home}")
    verify_rate = rng.uniform(0.9, 0.97)
    resolve_rate = rng.uniform(0.62, 0.86)
    # Resolution improves year on year; 2025 is young, so many complaints are still open.
    lifts = (0.0, 0.04, 0.07, 0.08, 0.04)
    plan = []
    for period, lift in zip(PERIODS, lifts, strict=True):
        year = period.first.year
        expected = yearly * scale * _GROWTH[year] * period.days / _days_in(year)
        submitted = int(expected + rng.random())  # unbiased rounding keeps small scales honest
        verified = round(submitted * verify_rate)
        rate = min(0.97, resolve_rate + lift) * (0.7 if year == 2025 else 1.0)
        plan.append(Counts(submitted, verified, round(verified * rate)))
    return tuple(plan)


def _days_in(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _regional_per_year(home: str, regions: RegionIndex) -> float:
    province = province_of(home)
    per_province = _PROVINCE_PER_YEAR * _province_size(province, regions)
    if home == province:
        return per_province * _PROVINCIAL_SHARE * Random(f"size:{home}").uniform(0.7, 1.3)
    weights = _regency_weights(province, regions)
    return per_province * (1 - _PROVINCIAL_SHARE) * weights[home] / sum(weights.values())


@cache
def _province_size(province: str, regions: RegionIndex) -> float:
    """Relative size by number of regencies/cities: 1.0 for an average province."""
    counts = [len(regions.children(p.code)) for p in regions.provinces()]
    mean = sum(counts) / len(counts)
    return (5 + len(regions.children(province))) / (5 + mean)


@cache
def _regency_weights(province: str, regions: RegionIndex) -> dict[str, float]:
    return {
        child.code: (_CITY_FACTOR if child.kind is RegionKind.KOTA else 1.0)
        * Random(f"size:{child.code}").uniform(0.6, 1.4)
        for child in regions.children(province)
    }


@cache
def _north_sumatra() -> dict[str, tuple[Counts, ...]]:
    codes = [CALIBRATED_PROVINCE, *_NS_POPULATION]
    base = _north_sumatra_weights()
    rngs = [Random(f"plan:{code}") for code in codes]
    tilts = [rng.uniform(-0.04, 0.04) for rng in rngs]  # some regions grow faster than others
    unverified_bias = [rng.uniform(0.6, 1.4) for rng in rngs]
    unresolved_bias = [rng.uniform(0.5, 1.5) for rng in rngs]
    plans: list[list[Counts]] = [[] for _ in codes]
    for k, total in enumerate(NORTH_SUMATRA):
        weights = [w * (1 + tilt * (k - 2)) for w, tilt in zip(base, tilts, strict=True)]
        submitted = apportion(total.submitted, weights)
        unverified = apportion(
            total.submitted - total.verified,
            [n * b for n, b in zip(submitted, unverified_bias, strict=True)],
        )
        verified = [n - u for n, u in zip(submitted, unverified, strict=True)]
        unresolved = apportion(
            total.verified - total.resolved,
            [v * b for v, b in zip(verified, unresolved_bias, strict=True)],
        )
        for i in range(len(codes)):
            plans[i].append(Counts(submitted[i], verified[i], verified[i] - unresolved[i]))
    return {code: tuple(plan) for code, plan in zip(codes, plans, strict=True)}


def _north_sumatra_weights() -> list[float]:
    regency = [
        population
        * (_CITY_FACTOR if int(code[3:]) >= 71 else 1.0)  # Kemendagri: kota are 71-99
        * (_CAPITAL_FACTOR if code == "12.71" else 1.0)
        for code, population in _NS_POPULATION.items()
    ]
    provincial = sum(regency) * _NS_PROVINCIAL_SHARE / (1 - _NS_PROVINCIAL_SHARE)
    return [provincial, *regency]


@cache
def _day_table(period: Period) -> tuple[list[int], list[float]]:
    """Ordinals of the period's days and cumulative weights: quieter weekends and holidays."""
    off = days_off()
    ordinals: list[int] = []
    weights: list[float] = []
    for n in range(period.days):
        day = period.first + timedelta(n)
        weight = _MONTH_WEIGHTS[day.month - 1]
        if day.weekday() >= 5:
            weight *= 0.45 if day.weekday() == 5 else 0.35
        elif day in off:
            weight *= 0.4
        ordinals.append(day.toordinal())
        weights.append(weight)
    return ordinals, list(accumulate(weights))


_HOUR_CUMULATIVE = list(accumulate(_HOUR_WEIGHTS))


def sample_submissions(rng: Random, period: Period, count: int) -> list[datetime]:
    """`count` submission times inside `period`, sorted."""
    ordinals, cumulative = _day_table(period)
    total = cumulative[-1]
    hours = _HOUR_CUMULATIVE[-1]
    stamps = []
    for _ in range(count):
        ordinal = ordinals[bisect(cumulative, rng.random() * total, hi=len(ordinals) - 1)]
        hour = bisect(_HOUR_CUMULATIVE, rng.random() * hours, hi=len(_HOUR_WEIGHTS) - 1)
        seconds = hour * 3600 + rng.randint(0, 3599)
        stamps.append((ordinal, seconds))
    stamps.sort()
    return [
        datetime.fromordinal(ordinal) + timedelta(seconds=seconds) for ordinal, seconds in stamps
    ]
