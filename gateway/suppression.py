"""Small-cell suppression of aggregates: pure functions, no I/O.

Every tier may query aggregates over all regions, so counts of complaints outside the caller's
own row scope are protected:

1. **Primary.** A bucket whose *out-of-scope* count is between 1 and k-1 is suppressed
   (`count: null`, `suppressed: true`). Only the out-of-scope part matters: a bucket mixing the
   caller's own complaints with others' would otherwise reveal the others' small number by
   subtracting the caller's own (which it can count row by row).
2. **Complementary.** The total and the other buckets must not give a suppressed bucket back by
   subtraction: along every line of the table (buckets that agree on all but one dimension) and
   in the table as a whole, a single suppressed bucket gets a partner — the unsuppressed bucket
   with the smallest positive out-of-scope count. Where no partner exists in the whole table,
   the total is suppressed instead.
3. **Measures.** `verified`, `resolved` and `overdue` are sub-counts: each is withheld (with the
   rate) when its own out-of-scope part, or the rest of the bucket's out-of-scope count, is
   between 1 and k-1, since either would reveal a small group. A measure unknown in exactly
   one bucket is withheld from the total too.
4. The total follows the same rules as a bucket.

What this does not cover: two *different* queries whose filters differ by a small set (for
example two date ranges one day apart) can still be subtracted; that tracker attack needs
query auditing and is out of reach of per-response rules.
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

Key = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    count: int = 0
    verified: int = 0
    resolved: int = 0
    overdue: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.count + other.count,
            self.verified + other.verified,
            self.resolved + other.resolved,
            self.overdue + other.overdue,
        )


@dataclass(frozen=True, slots=True)
class Cell:
    """One bucket's counts, split by whether the caller may read those complaints."""

    key: Key
    inside: Counts
    outside: Counts

    @property
    def total(self) -> Counts:
        return self.inside + self.outside


@dataclass(frozen=True, slots=True)
class Shown:
    """A bucket as the caller may see it; None marks a withheld figure."""

    key: Key
    count: int | None
    verified: int | None
    resolved: int | None
    overdue: int | None
    suppressed: bool

    @property
    def resolution_rate(self) -> float | None:
        if self.resolved is None or not self.verified:
            return None
        return self.resolved / self.verified


def _small(number: int, k: int) -> bool:
    return 0 < number < k


def primary(cells: Sequence[Cell], k: int) -> set[int]:
    return {index for index, cell in enumerate(cells) if _small(cell.outside.count, k)}


def complementary(cells: Sequence[Cell], suppressed: set[int], width: int) -> set[int]:
    """Partners so that no line, and not the table, holds exactly one suppressed bucket."""
    chosen = set(suppressed)
    groups: list[list[int]] = [list(range(len(cells)))]
    if width >= 2:
        for dimension in range(width):
            lines: dict[Key, list[int]] = defaultdict(list)
            for index, cell in enumerate(cells):
                lines[cell.key[:dimension] + cell.key[dimension + 1 :]].append(index)
            groups += lines.values()
    changed = True
    while changed:
        changed = False
        for group in groups:
            hidden = [index for index in group if index in chosen]
            if len(hidden) == 1:
                partner = _partner(cells, group, chosen)
                if partner is not None:
                    chosen.add(partner)
                    changed = True
    return chosen


def _partner(cells: Sequence[Cell], group: list[int], chosen: set[int]) -> int | None:
    candidates = [i for i in group if i not in chosen and cells[i].outside.count > 0]
    return min(candidates, key=lambda i: (cells[i].outside.count, i), default=None)


def show(cell: Cell, hidden: bool, k: int) -> Shown:
    if hidden:
        return Shown(cell.key, None, None, None, None, suppressed=True)
    out, total = cell.outside, cell.total

    def measure(inside_part: int, outside_part: int) -> int | None:
        if _small(outside_part, k) or _small(out.count - outside_part, k):
            return None
        return inside_part + outside_part

    return Shown(
        cell.key,
        total.count,
        measure(cell.inside.verified, out.verified),
        measure(cell.inside.resolved, out.resolved),
        measure(cell.inside.overdue, out.overdue),
        suppressed=False,
    )


def protect(cells: Sequence[Cell], width: int, k: int) -> tuple[list[Shown], Shown]:
    """Buckets and total as the caller may see them."""
    hidden = complementary(cells, primary(cells, k), width)
    total = Cell(
        (), sum((c.inside for c in cells), Counts()), sum((c.outside for c in cells), Counts())
    )
    lone = len(hidden) == 1
    total_hidden = lone or _small(total.outside.count, k)
    shown = [show(cell, i in hidden, k) for i, cell in enumerate(cells)]
    return shown, _without_lone_unknowns(show(total, total_hidden, k), shown)


_MEASURES = ("verified", "resolved", "overdue")


def _without_lone_unknowns(total: Shown, buckets: Sequence[Shown]) -> Shown:
    """A measure unknown in exactly one bucket would be the total's minus the others': then
    the total withholds it too."""
    withheld = {
        name for name in _MEASURES if sum(getattr(bucket, name) is None for bucket in buckets) == 1
    }
    if not withheld or total.suppressed:
        return total
    return replace(
        total,
        verified=None if "verified" in withheld else total.verified,
        resolved=None if "resolved" in withheld else total.resolved,
        overdue=None if "overdue" in withheld else total.overdue,
    )
