"""Merging stats rows from sources: parts, key sums, and what the gateway will not believe."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gateway.federation.reads import Federation
from gateway.policy import EVERYTHING, RowScope
from gateway.regions import NATIONAL, load_regions
from gateway.registry import SourceConfig, build_registry
from gateway.sources.base import ComplaintCriteria, Dimension
from gateway.sources.records import RECORD_KEY_RANGE, StatsPart, StatsRow

REGIONS = load_regions()


@dataclass
class ScriptedStatsSource:
    """Fault injection: a source whose stats answer is given."""

    config: SourceConfig
    rows: list[StatsRow] = field(default_factory=list)

    async def fetch_stats(
        self,
        criteria: ComplaintCriteria,
        dimensions: Sequence[Dimension],
        split: RowScope | None = None,
    ) -> list[StatsRow]:
        return self.rows


def federation(*sources: ScriptedStatsSource) -> Federation:
    registry = build_registry([source.config for source in sources], REGIONS)
    return Federation(registry, sources, REGIONS)  # type: ignore[arg-type]


def source(source_id: str, covers: tuple[str, ...], *rows: StatsRow) -> ScriptedStatsSource:
    config = SourceConfig(source_id, "sql", "sqlite://", covers)
    return ScriptedStatsSource(config, list(rows))


def row(key: str, count: int, part: StatsPart, key_sum: int = 0) -> StatsRow:
    return StatsRow((key,), count, 0, 0, 0, part, count_key=key_sum)


CRITERIA = ComplaintCriteria(scope=EVERYTHING, now=datetime(2024, 1, 1))


async def test_a_source_sending_a_value_the_schema_cannot_carry_is_dropped_alone() -> None:
    merged = await federation(
        source("prov-12", ("12",), row("WEB", 10, StatsPart.LISTABLE)),
        source("prov-31", ("31",), row("CARRIER_PIGEON", 5, StatsPart.LISTABLE)),
    ).stats(CRITERIA, [Dimension.CHANNEL], RowScope("12.71"))
    assert [(cell.key, cell.exact.count) for cell in merged.cells] == [(("WEB",), 10)]
    assert [(f.source_id, f.code) for f in merged.failures] == [("prov-31", "SOURCE_BAD_RESPONSE")]


async def test_protected_key_sums_add_across_sources_modulo_the_range() -> None:
    merged = await federation(
        source("prov-12", ("12",), row("WEB", 6, StatsPart.PROTECTED, RECORD_KEY_RANGE - 2)),
        source("prov-31", ("31",), row("WEB", 4, StatsPart.PROTECTED, 5)),
    ).stats(CRITERIA, [Dimension.CHANNEL], RowScope("12.71"))
    (cell,) = merged.cells
    assert (cell.protected.count, cell.protected_keys.count) == (10, 3)


async def test_own_rows_are_believed_only_from_a_source_covering_the_callers_region() -> None:
    merged = await federation(
        source("prov-12", ("12",), row("WEB", 6, StatsPart.OWN)),
        source("prov-31", ("31",), row("WEB", 4, StatsPart.OWN)),
        source("national", (NATIONAL,), row("WEB", 3, StatsPart.OWN)),
    ).stats(CRITERIA, [Dimension.CHANNEL], RowScope("12.71"))
    (cell,) = merged.cells
    assert (cell.exact.count, cell.protected.count) == (6, 7)


async def test_for_the_public_no_row_is_its_own() -> None:
    merged = await federation(
        source("prov-12", ("12",), row("WEB", 6, StatsPart.OWN), row("WEB", 2, StatsPart.LISTABLE))
    ).stats(CRITERIA, [Dimension.CHANNEL], None)
    (cell,) = merged.cells
    assert (cell.exact.count, cell.protected.count) == (2, 6)


async def test_for_a_caller_who_sees_everything_every_row_is_its_own() -> None:
    merged = await federation(
        source("prov-12", ("12",), row("WEB", 6, StatsPart.PROTECTED, 9))
    ).stats(CRITERIA, [Dimension.CHANNEL], EVERYTHING)
    (cell,) = merged.cells
    assert (cell.exact.count, cell.protected.count) == (6, 0)
