"""The published perturbation table of the cell key method (pure, no I/O).

A protected count `n` (complaints the caller may not list) is shown as `perturb(n, cell_key)`:

- `n` below `THRESHOLD` (1-4) is shown as 0, like an empty cell, whatever the key;
- otherwise `n + d`, where the noise `d` in `[-MAX_NOISE, MAX_NOISE]` is read from the cell
  key, and a result below `THRESHOLD` is shown as 0.

The noise is a discretised normal law of variance `VARIANCE`, truncated to the band: each
value `d` owns a fixed share of the `RECORD_KEY_RANGE` key slots (`noise_slots`), so a cell key
(uniform over the slots: see `gateway.disclosure.cells` for how it is made) picks `d` with that
probability. The same cell key always gives the same shown value, and the noise's mean is 0,
so large counts stay unbiased.
"""

import bisect
import itertools
import math
from functools import cache

from gateway.sources.records import RECORD_KEY_RANGE

THRESHOLD = 5
"""Protected counts below this are shown as 0, and no protected part is shown as 1-4."""
MAX_NOISE = 5
VARIANCE = 4.0


NOISES = range(-MAX_NOISE, MAX_NOISE + 1)


def _weights(spread: float) -> list[float]:
    return [math.exp(-(d * d) / (2 * spread * spread)) for d in NOISES]


def _variance(spread: float) -> float:
    weights = _weights(spread)
    return sum(w * d * d for w, d in zip(weights, NOISES, strict=True)) / sum(weights)


@cache
def noise_slots() -> tuple[int, ...]:
    """Key slots per noise value -MAX_NOISE..MAX_NOISE: symmetric, summing to the range."""
    low, high = 0.1, 10.0
    for _ in range(60):  # the truncated law's variance grows with the spread: bisect it
        middle = (low + high) / 2
        low, high = (middle, high) if _variance(middle) < VARIANCE else (low, middle)
    weights = _weights(low)
    total = sum(weights)
    half = [round(w / total * RECORD_KEY_RANGE) for w in weights[:MAX_NOISE]]
    centre = RECORD_KEY_RANGE - 2 * sum(half)
    return (*half, centre, *reversed(half))


@cache
def _bounds() -> tuple[int, ...]:
    return tuple(itertools.accumulate(noise_slots()))


def noise(cell_key: int) -> int:
    """The noise a cell key selects."""
    return bisect.bisect_right(_bounds(), cell_key % RECORD_KEY_RANGE) - MAX_NOISE


def perturb(count: int, cell_key: int) -> int:
    """The shown value of a protected count with this cell key."""
    if count < THRESHOLD:
        return 0
    shown = count + noise(cell_key)
    return shown if shown >= THRESHOLD else 0


def table(up_to: int = THRESHOLD + MAX_NOISE) -> list[tuple[int, dict[int, float]]]:
    """The table as published: for each true count, the probability of each shown value."""
    rows = []
    for count in range(up_to + 1):
        shown: dict[int, float] = {}
        for d, slots in zip(NOISES, noise_slots(), strict=True):
            value = count + d if count >= THRESHOLD and count + d >= THRESHOLD else 0
            shown[value] = shown.get(value, 0.0) + slots / RECORD_KEY_RANGE
        rows.append((count, shown))
    return rows
