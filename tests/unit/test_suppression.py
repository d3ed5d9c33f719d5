"""Small-cell suppression: no bucket with 1..k-1 complaints outside the caller's scope is shown,
and neither the total nor the other buckets give it back by subtraction."""

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from gateway.suppression import Cell, Counts, protect

K = 5


def cell(key: tuple[object, ...], outside: int, inside: int = 0, **measures: int) -> Cell:
    return Cell(key, Counts(inside, inside, inside, 0), Counts(outside, **measures))


def test_a_small_outside_bucket_is_suppressed_with_a_partner() -> None:
    cells = [cell(("a",), 3), cell(("b",), 40), cell(("c",), 9), cell(("own",), 0, inside=2)]
    buckets, total = protect(cells, 1, K)
    shown = {b.key: b.count for b in buckets}
    assert shown == {("a",): None, ("b",): 40, ("c",): None, ("own",): 2}
    assert total.count == 54
    # The hidden pair can only be recovered as a sum: 54 - 40 - 2 = 12 = 3 + 9.


def test_own_buckets_are_never_suppressed_even_when_small() -> None:
    buckets, _ = protect([cell(("own",), 0, inside=1), cell(("x",), 50)], 1, K)
    assert [b.count for b in buckets] == [1, 50]


def test_a_bucket_mixing_own_and_others_is_judged_on_the_others() -> None:
    mixed = cell(("12",), 2, inside=100)
    buckets, total = protect([mixed, cell(("31",), 8), cell(("32",), 30)], 1, K)
    assert buckets[0].suppressed
    assert buckets[1].suppressed  # the partner
    assert not buckets[2].suppressed
    assert total.count == 140


def test_without_any_partner_the_total_is_withheld() -> None:
    buckets, total = protect([cell(("x",), 2), cell(("own",), 0, inside=70)], 1, K)
    assert buckets[0].suppressed
    assert total.suppressed
    assert total.count is None


def test_a_small_total_of_others_is_withheld() -> None:
    _, total = protect([cell(("own",), 3, inside=10)], 0, K)
    assert total.suppressed


def test_in_two_dimensions_every_line_gets_a_partner() -> None:
    cells = [
        cell(("12.71", "DONE"), 2),
        cell(("12.71", "OPEN"), 30),
        cell(("12.72", "DONE"), 50),
        cell(("12.72", "OPEN"), 60),
    ]
    buckets, _ = protect(cells, 2, K)
    hidden = {b.key for b in buckets if b.suppressed}
    # Every row and column holds 0 or at least 2 hidden buckets.
    assert hidden == {c.key for c in cells}


def test_a_measure_revealing_a_small_remainder_is_withheld() -> None:
    buckets, _ = protect([cell(("x",), 20, verified=20, resolved=18, overdue=0)], 1, K)
    (bucket,) = buckets
    assert bucket.count == 20
    assert bucket.verified == 20
    assert bucket.resolved is None  # 2 unresolved would be a small group
    assert bucket.resolution_rate is None
    assert bucket.overdue == 0


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=12))
def test_no_lone_suppressed_bucket_survives_in_one_dimension(
    counts: list[tuple[int, int]],
) -> None:
    cells = [cell((i,), outside, inside) for i, (outside, inside) in enumerate(counts)]
    buckets, total = protect(cells, 1, K)
    for source, shown in zip(cells, buckets, strict=True):
        if 0 < source.outside.count < K:
            assert shown.suppressed
    hidden = [b for b in buckets if b.suppressed]
    assert len(hidden) != 1 or total.suppressed


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")),
        st.integers(0, 12),
        min_size=1,
    )
)
def test_no_line_of_a_table_keeps_a_lone_suppressed_bucket_when_a_partner_exists(
    table: dict[tuple[str, str], int],
) -> None:
    cells = [cell(key, outside) for key, outside in table.items()]
    buckets, _ = protect(cells, 2, K)
    hidden = {b.key for b in buckets if b.suppressed}
    for dimension in (0, 1):
        lines: dict[str, list[Cell]] = defaultdict(list)
        for c in cells:
            lines[c.key[1 - dimension]].append(c)  # type: ignore[index]
        for line in lines.values():
            lone = [c for c in line if c.key in hidden]
            partners = [c for c in line if c.key not in hidden and c.outside.count > 0]
            assert len(lone) != 1 or not partners


def test_a_measure_withheld_in_one_bucket_is_withheld_from_the_total() -> None:
    cells = [
        cell((2022,), 100, verified=98, resolved=90, overdue=3),
        cell((2023,), 100, verified=50, resolved=40, overdue=30),
    ]
    buckets, total = protect(cells, 1, K)
    assert (buckets[0].verified, buckets[0].overdue) == (None, None)
    assert (buckets[1].verified, buckets[1].overdue) == (50, 30)
    # Otherwise 148 - 50 and 33 - 30 would give back the withheld figures.
    assert (total.verified, total.overdue) == (None, None)
    assert total.count == 200
    assert total.resolved == 130
