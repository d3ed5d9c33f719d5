"""Merging pages from several sources: the k-way merge, and the winners' rows of a keys-first
merge, with what a source that misbehaves loses.

A page over several sources asks each for its first `limit + 1` keys (id and submission time
only), merges them, and reads in full only the rows that make the page (`read_winners`). A
source whose keys are repeated or out of order, whose call fails, whose rows fall outside the
scope, or which does not give back a row it gave a key for (a phantom key, a row gone since,
a key that does not match its row) is not trusted for the page: its keys leave the merge, the
merge is redone from the other sources' keys, and the rows that then make the page are read;
each round drops at least one source, so it ends. The page is then what the trusted sources
hold, in order, with no hole another source's keys made.
"""

import asyncio
import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gateway.errors import SourceBadResponseError, SourceError
from gateway.federation.facts import in_scope
from gateway.federation.fanout import SourceCalls, SourceFailure
from gateway.policy import RowScope
from gateway.sources.base import Source
from gateway.sources.records import ComplaintRecord


@dataclass(frozen=True, slots=True)
class SourcedComplaint:
    source_id: str
    record: ComplaintRecord


def merge_pages(
    pages: Mapping[str, list[ComplaintRecord]], *, descending: bool
) -> Iterable[SourcedComplaint]:
    """K-way merge of per-source pages already sorted on (submitted_at, id). Rows are merged
    as plain tuples, compared on their key alone ((submitted_at, id) is unique across
    sources), and only the rows taken are wrapped: a provincial page merges 3,434 for 101."""
    streams = [
        [(record.submitted_at, record.id, source_id, record) for record in records]
        for source_id, records in pages.items()
    ]
    merged = heapq.merge(*streams, reverse=descending)
    return (SourcedComplaint(source_id, record) for _, _, source_id, record in merged)


def disordered(
    pages: Mapping[str, list[ComplaintRecord]], *, descending: bool
) -> list[SourceFailure]:
    """Sources whose rows are not strictly in the page's order: a repeated or misplaced row
    would repeat or misplace a complaint on the merged page."""
    return [
        SourceFailure(source_id, SourceBadResponseError.code)
        for source_id, records in pages.items()
        if not _strictly_ordered(records, descending)
    ]


def _strictly_ordered(records: list[ComplaintRecord], descending: bool) -> bool:
    keys = [(record.submitted_at, record.id) for record in records]
    pairs = itertools.pairwise(keys)
    return all(a > b for a, b in pairs) if descending else all(a < b for a, b in pairs)


@dataclass(frozen=True)
class Winners:
    rows: list[SourcedComplaint]
    has_next: bool
    failures: list[SourceFailure]


async def read_winners(
    calls: SourceCalls,
    sources: Mapping[str, Source],
    keys: dict[str, list[ComplaintRecord]],
    *,
    limit: int,
    descending: bool,
    scope: RowScope,
    columns: frozenset[str],
) -> Winners:
    """The page from the trusted sources' `keys`, its rows read in full (module docstring)."""
    trusted = dict(keys)
    fetched: dict[tuple[str, str], ComplaintRecord] = {}
    failures: list[SourceFailure] = []
    while True:
        merged = list(itertools.islice(merge_pages(trusted, descending=descending), limit + 1))
        page = merged[:limit]
        wanted: dict[str, list[ComplaintRecord]] = {}
        for key in page:
            if (key.source_id, key.record.id) not in fetched:
                wanted.setdefault(key.source_id, []).append(key.record)
        answers = await asyncio.gather(
            *(_fetch(calls, sources[source_id], records, scope, columns)
              for source_id, records in wanted.items())
        )  # fmt: skip
        lost: list[SourceFailure] = []
        for (source_id, records), answer in zip(wanted.items(), answers, strict=True):
            failure = _judge(source_id, records, answer, scope)
            if failure is None:
                assert not isinstance(answer, SourceError)
                returned = {record.id: record for record in answer}
                fetched.update(((source_id, key.id), returned[key.id]) for key in records)
            else:
                lost.append(failure)
        if not lost:
            rows = [
                SourcedComplaint(key.source_id, fetched[(key.source_id, key.record.id)])
                for key in page
            ]
            return Winners(rows, len(merged) > limit, failures)
        failures += lost
        for failure in lost:
            trusted.pop(failure.source_id, None)


async def _fetch(
    calls: SourceCalls,
    source: Source,
    keys: list[ComplaintRecord],
    scope: RowScope,
    columns: frozenset[str],
) -> list[ComplaintRecord] | SourceError:
    ids = [key.id for key in keys]
    try:
        return await calls.call(source, lambda s: s.fetch_complaints(ids, scope, columns))
    except SourceError as error:
        return error


def _judge(
    source_id: str,
    keys: list[ComplaintRecord],
    answer: list[ComplaintRecord] | SourceError,
    scope: RowScope,
) -> SourceFailure | None:
    """None when the source gave back every row it was asked for, inside the scope and as its
    keys said; else why it loses its rows."""
    if isinstance(answer, SourceError):
        return SourceFailure(source_id, answer.code)
    rows = {record.id: record for record in answer}
    complete = all(
        (row := rows.get(key.id)) is not None and row.submitted_at == key.submitted_at
        for key in keys
    )
    if not complete or not all(in_scope(scope, record) for record in answer):
        return SourceFailure(source_id, SourceBadResponseError.code)
    return None
