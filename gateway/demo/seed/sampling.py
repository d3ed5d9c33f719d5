"""Fast, reproducible sampling for the seed: millions of draws, so per-draw cost matters."""

from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")


class DemoRandom(Random):
    """`random.Random` with integer draws built on one `random()` call.

    The stock `randint` and `choice` go through `randrange` in pure Python, several times
    slower; the bias of scaling a 53-bit float is immaterial for demo data.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: "SupportsLenAndGetItem[T]") -> T:
        return seq[int(self.random() * len(seq))]


class Weighted(Generic[T]):
    """Weighted choice with one `random()` and one bisect per pick."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items = list(pairs)
        self.values = [value for value, _ in items]
        self._cumulative = list(accumulate(weight for _, weight in items))
        self._total = self._cumulative[-1]
        self._last = len(items) - 1

    def pick(self, rng: Random) -> T:
        return self.values[bisect(self._cumulative, rng.random() * self._total, hi=self._last)]
