"""The cell key method: the published table's properties, and what a caller is shown."""

import hashlib
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from gateway.disclosure import Cell, Counts, disclose, question_offsets
from gateway.disclosure.cells import show, sum_cells
from gateway.disclosure.ptable import MAX_NOISE, THRESHOLD, noise, noise_slots, perturb, table
from gateway.sources.base import Dimension
from gateway.sources.records import RECORD_KEY_RANGE, StatsPart, StatsRow
from resolvers.stats import grouping_text

keys = st.integers(0, RECORD_KEY_RANGE - 1)


def fake_digest(*parts: str) -> bytes:
    """Stands in for the keyed digest: the offsets only need to be a function of the parts."""
    return hashlib.sha256("|".join(parts).encode()).digest()[:16]


OFFSETS = question_offsets(fake_digest, "filter", "grouping")
counts = st.integers(0, 10_000)


def test_the_noise_law_is_symmetric_centred_and_of_the_published_variance() -> None:
    slots = noise_slots()
    assert len(slots) == 2 * MAX_NOISE + 1
    assert sum(slots) == RECORD_KEY_RANGE
    assert slots == tuple(reversed(slots))
    variance = sum(n * d * d for n, d in zip(slots, range(-MAX_NOISE, MAX_NOISE + 1), strict=True))
    assert abs(variance / RECORD_KEY_RANGE - 4.0) < 0.01


def test_every_key_slot_selects_the_noise_the_table_gives_it() -> None:
    seen = Counter(noise(key) for key in range(0, RECORD_KEY_RANGE, 64))
    for d, slots in zip(range(-MAX_NOISE, MAX_NOISE + 1), noise_slots(), strict=True):
        assert abs(seen[d] - slots / 64) <= 1, d


@given(st.integers(0, THRESHOLD - 1), keys)
def test_a_protected_count_below_the_threshold_is_shown_as_none(count: int, key: int) -> None:
    assert perturb(count, key) == 0


@given(counts, keys)
def test_a_shown_protected_count_is_zero_or_within_the_noise_band(count: int, key: int) -> None:
    shown = perturb(count, key)
    assert shown == 0 or THRESHOLD <= shown <= count + MAX_NOISE
    assert shown == 0 or shown >= count - MAX_NOISE
    if count >= THRESHOLD + MAX_NOISE:
        assert shown == count + noise(key)


def test_the_published_rows_are_probability_laws_and_small_counts_all_look_alike() -> None:
    rows = dict(table())
    for law in rows.values():
        assert abs(sum(law.values()) - 1) < 1e-9
    assert all(rows[count] == {0: 1.0} for count in range(THRESHOLD))
    assert not any(1 <= value < THRESHOLD for law in rows.values() for value in law)


def row(part: StatsPart, count: int, key: int = 0, key_name: str = "count_key") -> StatsRow:
    return StatsRow(("a",), count, count, count, 0, part, **{key_name: key})


def test_exact_parts_are_shown_as_they_are_and_protected_ones_through_the_table() -> None:
    (cell,) = sum_cells(
        [row(StatsPart.OWN, 3), row(StatsPart.LISTABLE, 4), row(StatsPart.PROTECTED, 2, 99)]
    )
    assert cell.exact.count == 7
    assert show(cell, OFFSETS).count == 7  # 2 protected < 5


def test_key_sums_add_across_sources_modulo_the_range() -> None:
    cells = sum_cells(
        [
            row(StatsPart.PROTECTED, 10, RECORD_KEY_RANGE - 1),
            row(StatsPart.PROTECTED, 10, 5),
        ]
    )
    assert cells[0].protected_keys.count == 4
    offset = OFFSETS(cells[0].key).count  # the question's, added to the complaints' key sum
    assert show(cells[0], OFFSETS).count == 20 + noise(4 + offset)


@given(
    st.lists(
        st.tuples(counts, counts, counts, keys, keys, keys, keys),
        min_size=1,
        max_size=20,
    )
)
def test_shown_figures_stay_consistent_and_never_reveal_a_small_protected_part(
    parts: list[tuple[int, int, int, int, int, int, int]],
) -> None:
    cells = []
    for index, (exact, protected, subset, k1, k2, k3, k4) in enumerate(parts):
        inner = min(subset, protected)
        cells.append(
            Cell(
                (index,),
                Counts(exact, exact, exact // 2, exact // 3),
                Counts(protected, inner, inner // 2, inner // 3),
                Counts(k1, k2, k3, k4),
            )
        )
    buckets, total = disclose(cells, OFFSETS)
    shown = {bucket.key: bucket for bucket in buckets}
    for cell in cells:
        bucket = shown.get(cell.key)
        if bucket is None:
            assert cell.exact.count == 0
            assert show(cell, OFFSETS).count == 0
            continue
        # Every figure carries its own noise, bounded by nothing but the table.
        for name in ("count", "verified", "resolved", "overdue"):
            extra = getattr(bucket, name) - getattr(cell.exact, name)
            protected = getattr(cell.protected, name)
            assert extra == 0 or (extra >= THRESHOLD and abs(extra - protected) <= MAX_NOISE)
        extra = bucket.count - cell.exact.count
        if cell.protected.count < THRESHOLD:
            assert extra == 0
        assert bucket == show(cell, OFFSETS)  # the same question, the same figures
    assert total.count >= sum(cell.exact.count for cell in cells)


def test_a_bucket_shown_as_empty_is_left_out() -> None:
    hidden = Cell(("hidden",), protected=Counts(3, 3, 3, 0), protected_keys=Counts(1, 2, 3, 4))
    visible = Cell(("seen",), exact=Counts(1, 1, 1, 0))
    buckets, total = disclose([hidden, visible], OFFSETS)
    assert [bucket.key for bucket in buckets] == [("seen",)]
    assert total.count == 1  # 1 exact + 3 protected, shown as 0


def test_the_same_complaints_in_two_questions_get_independent_noise() -> None:
    """Equal figures must not tell that two questions count the same protected complaints."""
    cell = Cell((), protected=Counts(40, 40, 40, 40), protected_keys=Counts(7, 7, 7, 7))
    shown = {show(cell, question_offsets(fake_digest, f"filter {n}", "")).count for n in range(40)}
    assert len(shown) >= 5  # forty phrasings, several values (eleven possible)
    again = question_offsets(fake_digest, "filter 3", "")
    assert show(cell, again) == show(cell, again)


def test_a_total_does_not_depend_on_the_grouping_but_buckets_do() -> None:
    by_year = question_offsets(fake_digest, "filter", "YEAR")
    by_category = question_offsets(fake_digest, "filter", "CATEGORY")
    assert by_year(()) == by_category(())
    assert by_year(("x",)) != by_category(("x",))


def test_figures_counting_the_same_complaints_show_the_same_value() -> None:
    """Four figures of one set, noised apart, would be four readings of it for one bucket."""
    same = Counts(30, 30, 30, 30)
    cell = Cell(("x",), protected=same, protected_keys=Counts(9, 9, 9, 9))
    shown = show(cell, OFFSETS)
    assert shown.count == shown.verified == shown.resolved == shown.overdue


def test_the_grouping_text_of_the_cell_key_offsets_never_changes() -> None:
    """Written out by hand: the text every offset drawn so far was keyed on."""
    assert grouping_text([Dimension.PROVINCE]) == "(<StatsDimension.PROVINCE: 'PROVINCE'>,)"
    assert grouping_text([Dimension.YEAR, Dimension.MONTH]) == (
        "(<StatsDimension.YEAR: 'YEAR'>, <StatsDimension.MONTH: 'MONTH'>)"
    )
    assert grouping_text([]) == "()"
