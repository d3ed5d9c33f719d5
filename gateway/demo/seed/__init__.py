"""Deterministic, realistic demo data for the 72 demo sources.

    generate_source(source, regions, scale=...)  -> SourceData (rows per table)
    write_sqlite(path, data) / write_async(engine, data)
    seed_demo(data_dir, scale=..., progress=...) -> SeedSummary

Modules: `calendar` (working days, holidays as data), `catalog` (agencies, categories),
`texts` (Indonesian wording), `calibration` (volumes and published North Sumatra figures),
`lifecycle` (statuses and times), `generate` (rows), `store` (SQLite/async writers), `run`
(all sources in parallel), `sampling` (fast reproducible draws).
"""

from gateway.demo.seed.generate import SourceData, generate_source
from gateway.demo.seed.run import SeedSummary, seed_demo
from gateway.demo.seed.store import write_async, write_sqlite

__all__ = [
    "SeedSummary",
    "SourceData",
    "generate_source",
    "seed_demo",
    "write_async",
    "write_sqlite",
]
