"""Aggregate cells and what a caller is shown of them (pure, no I/O).

A cell's complaints fall in three parts as the caller stands to them (`StatsPart`): its own
rows and published rows it could list anyway are counted exactly; the protected rest (others'
unpublished or confidential complaints) is shown only through the cell key method
(`gateway.disclosure.ptable`). Each measure is a count of its own subset and gets its own cell
key, so no measure is the difference of two shown values, and no figure is bounded by another
(a bound would tell how their noises compare). Rates are computed from the shown values, so
they carry nothing the shown values do not.

A cell key is its protected complaints' key sum plus an offset drawn from the question (the
filter, the grouping and the bucket) with a secret key: the same question always gets the same
answer, but the same complaints asked for in two questions get two independent noises. Without
the offset, equal figures in two answers would tell that two sets of protected complaints are
equal, i.e. that the complaints between them do not exist.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from gateway.disclosure.ptable import perturb
from gateway.sources.records import RECORD_KEY_RANGE, StatsPart, StatsRow

Key = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    """Complaint counts of one part of a cell, or the sums of their record keys."""

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

    def modulo(self, modulus: int) -> "Counts":
        return Counts(
            self.count % modulus,
            self.verified % modulus,
            self.resolved % modulus,
            self.overdue % modulus,
        )


NONE = Counts()


@dataclass(frozen=True, slots=True)
class Cell:
    """One bucket summed over every source: the exact part (own and listable complaints),
    the protected part, and the protected part's record-key sums."""

    key: Key
    exact: Counts = NONE
    protected: Counts = NONE
    protected_keys: Counts = NONE

    def __add__(self, other: "Cell") -> "Cell":
        return Cell(
            self.key,
            self.exact + other.exact,
            self.protected + other.protected,
            (self.protected_keys + other.protected_keys).modulo(RECORD_KEY_RANGE),
        )


@dataclass(frozen=True, slots=True)
class Shown:
    """A bucket as the caller sees it."""

    key: Key
    count: int
    verified: int
    resolved: int
    overdue: int

    @property
    def resolution_rate(self) -> float | None:
        """Capped at 1: both figures carry their own noise."""
        return min(1.0, self.resolved / self.verified) if self.verified else None


def cell_of(row: StatsRow) -> Cell:
    counts = Counts(row.count, row.verified, row.resolved, row.overdue)
    if row.part is not StatsPart.PROTECTED:
        return Cell(row.key, exact=counts)
    keys = Counts(row.count_key, row.verified_key, row.resolved_key, row.overdue_key)
    return Cell(row.key, protected=counts, protected_keys=keys)


def sum_cells(rows: Iterable[StatsRow]) -> list[Cell]:
    """Rows of every source summed per bucket, in the order buckets first appear."""
    cells: dict[Key, Cell] = {}
    for row in rows:
        cell = cell_of(row)
        known = cells.get(cell.key)
        cells[cell.key] = cell if known is None else known + cell
    return list(cells.values())


def total_of(cells: Iterable[Cell]) -> Cell:
    total = Cell(())
    for cell in cells:
        total += Cell((), cell.exact, cell.protected, cell.protected_keys)
    return total


Offsets = Callable[[Key], Counts]
"""The cell-key offsets of a question's buckets, by bucket key (`()` for the total)."""


def question_offsets(digest: Callable[..., bytes], question: str, grouping: str) -> Offsets:
    """Offsets from a keyed digest of the question: the total's from the filter alone (so it
    is the same whatever the grouping), a bucket's from the filter, grouping and key. The four
    figures of a bucket share one offset: where a filter makes them count the same complaints
    (`overdue: true` and a status list can), they show the same value, one reading, not four."""

    def offsets(key: Key) -> Counts:
        offset = int.from_bytes(digest(question, grouping if key else "", repr(key))[:4], "big")
        return Counts(offset, offset, offset, offset)

    return offsets


def show(cell: Cell, offsets: Offsets) -> Shown:
    """Exact parts as they are, each protected figure through the perturbation table."""
    exact, protected = cell.exact, cell.protected
    if protected == NONE:  # no offset to draw: most cells of most callers
        return Shown(cell.key, exact.count, exact.verified, exact.resolved, exact.overdue)
    keys = (cell.protected_keys + offsets(cell.key)).modulo(RECORD_KEY_RANGE)
    return Shown(
        cell.key,
        exact.count + perturb(protected.count, keys.count),
        exact.verified + perturb(protected.verified, keys.verified),
        exact.resolved + perturb(protected.resolved, keys.resolved),
        exact.overdue + perturb(protected.overdue, keys.overdue),
    )


def disclose(cells: Iterable[Cell], offsets: Offsets) -> tuple[list[Shown], Shown]:
    """Buckets and total as the caller may see them. A bucket shown as empty is left out, as
    an empty one is: its presence would tell that protected complaints exist in it."""
    cells = list(cells)
    shown = (show(cell, offsets) for cell in cells)
    return [bucket for bucket in shown if bucket.count > 0], show(total_of(cells), offsets)
